//! One API call as generated code describes it ([`Call`]), and the
//! encoding of its path parameters and query string.

use http::Method;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// RFC 3986 unreserved characters stay; everything else is escaped.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path parameter, so that `a/b?c` stays one segment.
pub fn encode_path(segment: &str) -> String {
    utf8_percent_encode(segment, COMPONENT).to_string()
}

/// One API call as described by the generated code: method, path, query and
/// JSON body. Serialization happens eagerly; a failure is kept and returned
/// by `Client::execute*` so that builders stay infallible.
///
/// The body is kept as the JSON text it serialized to, never as a
/// `serde_json::Value`: a `Value` writes its objects in key order, which
/// would undo the order a [`Schema`](crate::schema::Schema) writes a tool's
/// properties in (the order the model answers in).
#[derive(Debug)]
#[must_use = "a Call does nothing until a Client executes it"]
pub struct Call {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) error: Option<crate::Error>,
}

impl Call {
    /// A call without body or query. `path` is relative to the base URL and
    /// starts with `/`; path parameters must already be [`encode_path`]d.
    pub fn new(method: Method, path: String) -> Call {
        Call {
            method,
            path,
            body: None,
            query: Vec::new(),
            error: None,
        }
    }

    /// Sets the JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Call {
        match serde_json::to_vec(body) {
            Ok(text) => self.body = Some(text),
            Err(e) => self.fail(crate::Error::invalid_with(
                "could not serialize the request body",
                e,
            )),
        }
        self
    }

    /// Adds query parameters from a struct or map, OpenAI style: `None`/null
    /// omitted, nested maps as `metadata[key]=value`, arrays as repeated
    /// `key[]=value` (the "brackets" format of OpenAI's SDKs). Parameters come
    /// in the order `query` serializes them (a struct's field order).
    pub fn query<T: serde::Serialize + ?Sized>(mut self, query: &T) -> Call {
        // Read back from the JSON text, in order: a `serde_json::Value` would
        // hold the parameters in key order.
        let text = match serde_json::to_vec(query) {
            Ok(text) => text,
            Err(e) => {
                self.fail(crate::Error::invalid_with(
                    "could not serialize the query parameters",
                    e,
                ));
                return self;
            }
        };
        match serde_json::from_slice::<Ordered>(&text) {
            Ok(Ordered::Object(members)) => {
                for (key, value) in members {
                    flatten_query(key, value, &mut self.query);
                }
            }
            Ok(Ordered::Null) => {}
            Ok(_) | Err(_) => self.fail(crate::Error::invalid(format!(
                "query parameters must serialize to a map, got `{}`",
                String::from_utf8_lossy(&text)
            ))),
        }
        self
    }

    fn fail(&mut self, error: crate::Error) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }
}

fn flatten_query(key: String, value: Ordered, out: &mut Vec<(String, String)>) {
    match value {
        Ordered::Null => {}
        Ordered::Scalar(text) => out.push((key, text)),
        Ordered::Array(items) => {
            for item in items {
                flatten_query(format!("{key}[]"), item, out);
            }
        }
        Ordered::Object(members) => {
            for (k, v) in members {
                flatten_query(format!("{key}[{k}]"), v, out);
            }
        }
    }
}

/// JSON with each object's members in the order they were written, scalars
/// as query text (`true`, `20`, a string's characters).
enum Ordered {
    Null,
    Scalar(String),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl<'de> serde::Deserialize<'de> for Ordered {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::{MapAccess, SeqAccess, Visitor};

        struct OrderedVisitor;

        impl<'de> Visitor<'de> for OrderedVisitor {
            type Value = Ordered;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Ordered, E> {
                Ok(Ordered::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_string()))
            }
            // Spelled as a `serde_json::Value` spells it.
            fn visit_f64<E>(self, v: f64) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(serde_json::Value::from(v).to_string()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Ordered, E> {
                Ok(Ordered::Scalar(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Ordered::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, Ordered>()? {
                    members.push(member);
                }
                Ok(Ordered::Object(members))
            }
        }

        deserializer.deserialize_any(OrderedVisitor)
    }
}

/// Sets top-level members of the JSON object text `body` (as serde_json
/// wrote it): the members named in `set` are left out where they were and
/// written after the others, with the new values; every other member is
/// copied as text, so nothing inside it is re-encoded or reordered. `None` if
/// `body` is not one JSON object.
pub(crate) fn set_members(body: &[u8], set: &[(&str, &serde_json::Value)]) -> Option<Vec<u8>> {
    let members = members(body)?;
    let mut out = Vec::with_capacity(body.len() + 64);
    out.push(b'{');
    for (key, range) in &members {
        if set.iter().any(|(name, _)| name == key) {
            continue;
        }
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(&body[range.clone()]);
    }
    for (key, value) in set {
        if out.len() > 1 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, key).ok()?;
        out.push(b':');
        serde_json::to_writer(&mut out, value).ok()?;
    }
    out.push(b'}');
    Some(out)
}

/// The top-level members of a JSON object text: each key, and the byte range
/// of the whole member (`"key":value`). `None` if the text is not one JSON
/// object; inside the members it is trusted to be valid JSON (serde_json
/// wrote it).
fn members(text: &[u8]) -> Option<Vec<(String, std::ops::Range<usize>)>> {
    let mut at = skip_space(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    at = skip_space(text, at + 1);
    let mut members = Vec::new();
    if text.get(at) == Some(&b'}') {
        at += 1;
    } else {
        loop {
            let start = at;
            if text.get(at) != Some(&b'"') {
                return None;
            }
            let key_end = skip_string(text, at)?;
            let key: String = serde_json::from_slice(&text[start..key_end]).ok()?;
            at = skip_space(text, key_end);
            if text.get(at) != Some(&b':') {
                return None;
            }
            at = skip_value(text, skip_space(text, at + 1))?;
            members.push((key, start..at));
            at = skip_space(text, at);
            match text.get(at)? {
                b',' => at = skip_space(text, at + 1),
                b'}' => {
                    at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    (skip_space(text, at) == text.len()).then_some(members)
}

fn skip_space(text: &[u8], mut at: usize) -> usize {
    while text
        .get(at)
        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        at += 1;
    }
    at
}

/// The index after the string whose opening quote is at `at`.
fn skip_string(text: &[u8], at: usize) -> Option<usize> {
    let mut at = at + 1;
    loop {
        at += memchr::memchr2(b'"', b'\\', text.get(at..)?)?;
        if text[at] == b'"' {
            return Some(at + 1);
        }
        // An escape: skip the backslash and the character it escapes.
        at += 2;
    }
}

/// The index after the value that starts at `at`.
fn skip_value(text: &[u8], at: usize) -> Option<usize> {
    match text.get(at)? {
        b'"' => skip_string(text, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut at = at;
            loop {
                match text.get(at)? {
                    b'"' => {
                        at = skip_string(text, at)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(at + 1);
                        }
                    }
                    _ => {}
                }
                at += 1;
            }
        }
        // A number, `true`, `false` or `null`: up to the next delimiter.
        _ => {
            let rest = &text[at..];
            let len = rest
                .iter()
                .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                .unwrap_or(rest.len());
            Some(at + len)
        }
    }
}

/// Encodes query pairs as `k=v&k=v`, escaping everything but unreserved characters.
pub(crate) fn encode_query(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (k, v) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.extend(utf8_percent_encode(k, COMPONENT));
        out.push('=');
        out.extend(utf8_percent_encode(v, COMPONENT));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn decoded(call: &Call) -> String {
        call.query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    }

    #[test]
    fn query_openai_style() {
        #[derive(serde::Serialize)]
        struct ListQuery {
            model: Option<String>,
            after: Option<String>,
            limit: Option<u32>,
            metadata: Option<std::collections::BTreeMap<String, String>>,
            order: &'static str,
        }
        let q = ListQuery {
            model: Some("gpt-4o".into()),
            after: None,
            limit: Some(20),
            metadata: Some(
                [
                    ("user id".to_owned(), "a&b=c".to_owned()),
                    ("k".to_owned(), "v".to_owned()),
                ]
                .into(),
            ),
            order: "asc",
        };
        let call = Call::new(Method::GET, "/chat/completions".into()).query(&q);
        assert!(call.error.is_none());
        assert_eq!(
            decoded(&call),
            "model=gpt-4o&limit=20&metadata[k]=v&metadata[user id]=a&b=c&order=asc"
        );
        assert_eq!(
            encode_query(&call.query),
            "model=gpt-4o&limit=20&metadata%5Bk%5D=v&metadata%5Buser%20id%5D=a%26b%3Dc&order=asc"
        );
    }

    #[test]
    fn query_arrays_nested_and_scalars() {
        // A struct, whose fields have an order whatever serde_json's features.
        #[derive(serde::Serialize)]
        struct Query {
            ids: [&'static str; 2],
            deep: serde_json::Value,
            flag: bool,
            none: Option<u8>,
        }
        let call = Call::new(Method::GET, "/x".into()).query(&Query {
            ids: ["a", "b"],
            deep: json!({"x": {"y": 1}}),
            flag: true,
            none: None,
        });
        assert_eq!(decoded(&call), "ids[]=a&ids[]=b&deep[x][y]=1&flag=true");
    }

    #[test]
    fn query_must_be_a_map() {
        let call = Call::new(Method::GET, "/x".into()).query(&[1, 2]);
        assert!(matches!(
            call.error,
            Some(crate::Error::InvalidRequest { .. })
        ));
        let call = Call::new(Method::GET, "/x".into()).query(&None::<u8>);
        assert!(call.error.is_none() && call.query.is_empty());
    }

    #[test]
    fn body_serialization_error_is_kept() {
        let mut bad = std::collections::HashMap::new();
        bad.insert(vec![1u8], 1);
        let call = Call::new(Method::POST, "/x".into()).json(&bad);
        assert!(matches!(
            call.error,
            Some(crate::Error::InvalidRequest { .. })
        ));
    }

    #[test]
    fn body_is_kept_as_written() {
        #[derive(serde::Serialize)]
        struct Body {
            b: u8,
            a: u8,
        }
        // The text `Serialize` wrote (fields in declaration order), not a
        // re-encoding through a `Value` (keys in key order).
        let call = Call::new(Method::POST, "/x".into()).json(&Body { b: 1, a: 2 });
        assert_eq!(call.body.as_deref(), Some(&br#"{"b":1,"a":2}"#[..]));
    }

    #[test]
    fn set_members_replaces_and_appends_without_touching_the_rest() {
        let body = br#" { "z" : {"}":"\"{[", "n":[1,{"a":[]}]} , "stream":false,"a":-1.5e3,"s":"x\\","t":true } "#;
        let one = json!(1);
        let yes = json!(true);
        let out = set_members(body, &[("top_k", &one), ("stream", &yes)]).unwrap();
        assert_eq!(
            std::str::from_utf8(&out).unwrap(),
            r#"{"z" : {"}":"\"{[", "n":[1,{"a":[]}]},"a":-1.5e3,"s":"x\\","t":true,"top_k":1,"stream":true}"#
        );
        let out = set_members(b"{}", &[("stream", &yes)]).unwrap();
        assert_eq!(out, br#"{"stream":true}"#);
        assert_eq!(set_members(br#"{"a":1}"#, &[]).unwrap(), br#"{"a":1}"#);
        for not_an_object in [
            &b"[1,2]"[..],
            b"1",
            b"\"{}\"",
            b"",
            b"{",
            b"{\"a\":1",
            b"{}{}",
        ] {
            assert!(set_members(not_an_object, &[("stream", &yes)]).is_none());
        }
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(encode_path("chatcmpl-AbC_1.2~"), "chatcmpl-AbC_1.2~");
        assert_eq!(encode_path("../x"), "..%2Fx");
        assert_eq!(encode_path("é #%"), "%C3%A9%20%23%25");
    }
}
