//! Support for generated code. Not part of the public API: names here may
//! change in any release.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::Value;

/// Deserializes a string enum through `From<&str>`/`From<String>`, so known
/// values cost no allocation and unknown ones are kept, never rejected.
pub struct StringEnumVisitor<T>(PhantomData<fn() -> T>);

impl<T> StringEnumVisitor<T> {
    /// A visitor for `T`.
    pub const fn new() -> Self {
        StringEnumVisitor(PhantomData)
    }
}

impl<T> Default for StringEnumVisitor<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Visitor<'_> for StringEnumVisitor<T>
where
    T: for<'a> From<&'a str> + From<String>,
{
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}

/// Reads an internally tagged object: the tag's string value (if any) and
/// the whole object, which the variant type then decodes (tag included, as
/// the variant struct writes its own tag).
pub fn tagged<'de, D: Deserializer<'de>>(
    deserializer: D,
    property: &str,
) -> Result<(Option<String>, Value), D::Error> {
    let value = Value::deserialize(deserializer)?;
    let tag = match &value {
        Value::Object(map) => map.get(property).and_then(Value::as_str).map(str::to_owned),
        other => {
            return Err(de::Error::invalid_type(unexpected(other), &"an object"));
        }
    };
    Ok((tag, value))
}

/// Decodes one variant of a tagged union from the buffered object.
pub fn variant<T: serde::de::DeserializeOwned, E: de::Error>(value: Value) -> Result<T, E> {
    T::deserialize(value).map_err(E::custom)
}

/// The error for a tag value no variant of a request-side union accepts.
pub fn unknown_tag<E: de::Error>(
    property: &'static str,
    tag: Option<String>,
    expected: &'static [&'static str],
) -> E {
    match tag {
        Some(tag) => E::unknown_variant(&tag, expected),
        None => E::missing_field(property),
    }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(_) => de::Unexpected::Other("a number"),
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

/// Reads a required response field that a server sent as `null` as the
/// type's default, so that one misbehaving field does not fail the whole
/// response (compatible servers, and OpenAI itself for empty pages, do this).
pub fn null_as_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    deserializer: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

// ---- HTTP runtime: calls, query/path encoding, pagination ----
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

pub use http::Method;

/// What [`Client::execute_stream`](crate::Client::execute_stream) returns:
/// a stream built from a successful streaming response.
pub trait FromResponse {
    /// Wraps `response` with the request's idle timeout and event size bound.
    fn from_response(
        response: reqwest::Response,
        idle_timeout: Option<std::time::Duration>,
        max_event_size: usize,
    ) -> Self;
}

impl<T> FromResponse for crate::sse::EventStream<T> {
    fn from_response(
        response: reqwest::Response,
        idle_timeout: Option<std::time::Duration>,
        max_event_size: usize,
    ) -> Self {
        Self::from_response(response)
            .idle_timeout(idle_timeout)
            .max_event_size(max_event_size)
    }
}

impl FromResponse for crate::ChatCompletionStream {
    fn from_response(
        response: reqwest::Response,
        idle_timeout: Option<std::time::Duration>,
        max_event_size: usize,
    ) -> Self {
        Self::from_response(response, idle_timeout, max_event_size)
    }
}

/// The stream type the generated `crate::EventStream<T>` names for an item
/// type. A bridge until the generator prints `crate::ChatCompletionStream`.
pub trait StreamOf {
    /// The stream of `Self` items.
    type Stream;
}

impl StreamOf for crate::types::CreateChatCompletionStreamResponse {
    type Stream = crate::ChatCompletionStream;
}

pub use crate::pagination::{CursorQuery, Page, paginate};

/// RFC 3986 unreserved characters stay; everything else is escaped.
pub(crate) const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes one path parameter, so that `a/b?c` stays one segment.
///
/// ```
/// assert_eq!(chat_api::__private::encode_path("chatcmpl 1/2?x"), "chatcmpl%201%2F2%3Fx");
/// ```
pub fn encode_path(segment: &str) -> String {
    utf8_percent_encode(segment, COMPONENT).to_string()
}

/// One API call as described by the generated code: method, path, query and
/// JSON body. Serialization happens eagerly; a failure is kept and returned
/// by `Client::execute*` so that builders stay infallible.
#[derive(Debug)]
pub struct Call {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Option<serde_json::Value>,
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
        match serde_json::to_value(body) {
            Ok(value) => self.body = Some(value),
            Err(e) => self.fail(crate::Error::invalid_with(
                "could not serialize the request body",
                e,
            )),
        }
        self
    }

    /// Adds query parameters from a struct or map, OpenAI style: `None`/null
    /// omitted, nested maps as `metadata[key]=value`, arrays as repeated
    /// `key[]=value` (the "brackets" format of OpenAI's SDKs).
    pub fn query<T: serde::Serialize + ?Sized>(mut self, query: &T) -> Call {
        match serde_json::to_value(query) {
            Ok(serde_json::Value::Object(map)) => {
                for (key, value) in &map {
                    flatten_query(key.clone(), value, &mut self.query);
                }
            }
            Ok(serde_json::Value::Null) => {}
            Ok(other) => self.fail(crate::Error::invalid(format!(
                "query parameters must serialize to a map, got `{other}`"
            ))),
            Err(e) => self.fail(crate::Error::invalid_with(
                "could not serialize the query parameters",
                e,
            )),
        }
        self
    }

    fn fail(&mut self, error: crate::Error) {
        if self.error.is_none() {
            self.error = Some(error);
        }
    }
}

fn flatten_query(key: String, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
    use serde_json::Value;
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push((key, b.to_string())),
        Value::Number(n) => out.push((key, n.to_string())),
        Value::String(s) => out.push((key, s.clone())),
        Value::Array(items) => {
            for item in items {
                flatten_query(format!("{key}[]"), item, out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                flatten_query(format!("{key}[{k}]"), v, out);
            }
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
        let call = Call::new(Method::GET, "/x".into()).query(
            &json!({"ids": ["a", "b"], "deep": {"x": {"y": 1}}, "flag": true, "none": null}),
        );
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
    fn path_segments_are_escaped() {
        assert_eq!(encode_path("chatcmpl-AbC_1.2~"), "chatcmpl-AbC_1.2~");
        assert_eq!(encode_path("../x"), "..%2Fx");
        assert_eq!(encode_path("é #%"), "%C3%A9%20%23%25");
    }
}
