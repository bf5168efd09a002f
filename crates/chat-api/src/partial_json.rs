//! Parsing the prefix of a JSON document that is still being streamed.
//!
//! Structured output and tool-call arguments arrive as JSON text piece by
//! piece. [`parse`] reads whatever prefix has arrived and returns only what
//! that prefix already settles, so each result is consistent with the final
//! document: objects hold the members read so far, arrays the elements read
//! so far, and a string cut off mid-way is a prefix of the final string.
//! A number, `true`, `false` or `null` cut off at the end is left out (`12`
//! may still become `123`), as is an object key without its value.
//!
//! Written here rather than taken from a crate: the partial-JSON crates on
//! crates.io either complete a cut-off number or literal with a guess (which
//! the final document can contradict) or are unmaintained; this one is a
//! single linear pass of about a hundred lines, property-tested against
//! every prefix of generated documents.

use serde_json::{Map, Value};

/// The prefix `text` of a JSON document is not valid JSON so far.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a JSON prefix: unexpected input at byte {offset}")]
pub struct PartialJsonError {
    /// Byte offset of the first character that cannot continue a JSON document.
    pub offset: usize,
}

/// The value that the prefix `text` of a JSON document settles so far;
/// `Ok(None)` when nothing is settled yet (empty text, or a cut-off scalar).
///
/// ```
/// use chat_api::partial_json::parse;
/// use serde_json::json;
///
/// let partial = parse(r#"{"city": "Par"#).unwrap();
/// assert_eq!(partial, Some(json!({"city": "Par"})));
/// let partial = parse(r#"{"days": [1, 2, 3"#).unwrap();
/// assert_eq!(partial, Some(json!({"days": [1, 2]}))); // 3 may be 30
/// assert!(parse(r#"{"a": ]"#).is_err());
/// ```
pub fn parse(text: &str) -> Result<Option<Value>, PartialJsonError> {
    Ok(parse_open(text)?.map(|(value, _)| value))
}

/// One step from a container to a member: an object key or an array index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Key(String),
    Index(usize),
}

/// A settled value, and the path to what is still being written in it
/// (`None`: it is complete); see [`parse_open`].
pub(crate) type Settled = (Value, Option<Vec<Step>>);

/// Like [`parse`], with where the text was cut off: `None` if the value is
/// complete, else the steps from the root to the innermost value still being
/// written (every value on that path is incomplete, every other one is
/// complete). Typed partials need it: a cut-off string such as `"low"` may
/// still become `"lowest"`, so an enum read from it would be a guess.
pub(crate) fn parse_open(text: &str) -> Result<Option<Settled>, PartialJsonError> {
    let mut parser = Parser {
        text: text.as_bytes(),
        pos: 0,
        open: Vec::new(),
    };
    let value = parser.value()?;
    parser.skip_ws();
    if value.as_ref().is_some_and(|(_, complete)| *complete) && parser.pos < text.len() {
        return Err(parser.error());
    }
    let mut open = parser.open;
    // Recorded while unwinding, innermost first.
    open.reverse();
    Ok(value.map(|(value, complete)| (value, (!complete).then_some(open))))
}

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
    /// The path to the value being written when the text ends, innermost first.
    open: Vec<Step>,
}

/// A value and whether it is complete; `None`: the text ended before anything
/// of it was settled.
type Parsed = Result<Option<(Value, bool)>, PartialJsonError>;

impl Parser<'_> {
    fn error(&self) -> PartialJsonError {
        PartialJsonError { offset: self.pos }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.get(self.pos) {
            self.pos += 1;
        }
    }

    fn value(&mut self) -> Parsed {
        self.skip_ws();
        match self.text.get(self.pos) {
            None => Ok(None),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => Ok(Some(self.string()?).map(|(s, done)| (Value::String(s), done))),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error()),
        }
    }

    fn literal(&mut self, word: &str, value: Value) -> Parsed {
        let rest = &self.text[self.pos..];
        let n = rest.len().min(word.len());
        if rest[..n] != word.as_bytes()[..n] {
            return Err(self.error());
        }
        self.pos += n;
        Ok((n == word.len()).then_some((value, true)))
    }

    fn number(&mut self) -> Parsed {
        let start = self.pos;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.text.get(self.pos) {
            self.pos += 1;
        }
        if self.pos == self.text.len() {
            return Ok(None); // more digits may follow
        }
        let digits = std::str::from_utf8(&self.text[start..self.pos]).unwrap_or_default();
        match serde_json::from_str::<serde_json::Number>(digits) {
            Ok(number) => Ok(Some((Value::Number(number), true))),
            Err(_) => Err(PartialJsonError { offset: start }),
        }
    }

    /// A string (the opening quote at `pos`) and whether it was closed.
    fn string(&mut self) -> Result<(String, bool), PartialJsonError> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match memchr::memchr2(b'"', b'\\', &self.text[self.pos..]) {
                None => break,
                Some(i) if self.text[self.pos + i] == b'"' => {
                    self.pos += i + 1;
                    let quoted = &self.text[start..self.pos];
                    return serde_json::from_slice(quoted)
                        .map(|s| (s, true))
                        .map_err(|_| PartialJsonError { offset: start });
                }
                Some(i) => {
                    // Skip the escaped character; a cut-off escape ends the text.
                    self.pos += i + 2;
                    if self.pos > self.text.len() {
                        break;
                    }
                }
            }
        }
        // Cut off: decode what is there, up to the last whole escape.
        self.pos = self.text.len();
        let mut body = &self.text[start + 1..];
        loop {
            let mut quoted = Vec::with_capacity(body.len() + 2);
            quoted.push(b'"');
            quoted.extend_from_slice(body);
            quoted.push(b'"');
            if let Ok(s) = serde_json::from_slice::<String>(&quoted) {
                return Ok((s, false));
            }
            // Drop the tail back to the last backslash (a cut `\u12`), at
            // most once more for an escape pair; otherwise it is invalid.
            match memchr::memrchr(b'\\', body) {
                Some(i) if body.len() - i <= 12 => body = &body[..i],
                _ => return Err(PartialJsonError { offset: start }),
            }
        }
    }

    fn array(&mut self) -> Parsed {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Ok(Some((Value::Array(items), false))),
                Some(b']') if items.is_empty() => {
                    self.pos += 1;
                    return Ok(Some((Value::Array(items), true)));
                }
                _ => {}
            }
            match self.value()? {
                None => return Ok(Some((Value::Array(items), false))),
                Some((item, false)) => {
                    self.open.push(Step::Index(items.len()));
                    items.push(item);
                    return Ok(Some((Value::Array(items), false)));
                }
                Some((item, true)) => items.push(item),
            }
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Ok(Some((Value::Array(items), false))),
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Some((Value::Array(items), true)));
                }
                Some(_) => return Err(self.error()),
            }
        }
    }

    fn object(&mut self) -> Parsed {
        self.pos += 1;
        let mut map = Map::new();
        loop {
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Ok(Some((Value::Object(map), false))),
                Some(b'}') if map.is_empty() => {
                    self.pos += 1;
                    return Ok(Some((Value::Object(map), true)));
                }
                Some(b'"') => {}
                Some(_) => return Err(self.error()),
            }
            let (key, closed) = self.string()?;
            self.skip_ws();
            if !closed || self.pos == self.text.len() {
                return Ok(Some((Value::Object(map), false)));
            }
            if self.text.get(self.pos) != Some(&b':') {
                return Err(self.error());
            }
            self.pos += 1;
            match self.value()? {
                None => return Ok(Some((Value::Object(map), false))),
                Some((value, false)) => {
                    self.open.push(Step::Key(key.clone()));
                    map.insert(key, value);
                    return Ok(Some((Value::Object(map), false)));
                }
                Some((value, true)) => {
                    map.insert(key, value);
                }
            }
            self.skip_ws();
            match self.text.get(self.pos) {
                None => return Ok(Some((Value::Object(map), false))),
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Some((Value::Object(map), true)));
                }
                Some(_) => return Err(self.error()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    /// `partial` says nothing the final document contradicts.
    fn consistent(partial: &Value, full: &Value) -> bool {
        match (partial, full) {
            (Value::String(p), Value::String(f)) => f.starts_with(p.as_str()),
            (Value::Array(p), Value::Array(f)) => {
                p.len() <= f.len() && p.iter().zip(f).all(|(p, f)| consistent(p, f))
            }
            (Value::Object(p), Value::Object(f)) => p
                .iter()
                .all(|(k, p)| f.get(k).is_some_and(|f| consistent(p, f))),
            (p, f) => p == f,
        }
    }

    #[test]
    fn settled_parts_only() {
        let cases = [
            ("", None),
            ("  ", None),
            ("{", Some(json!({}))),
            (r#"{"ci"#, Some(json!({}))),
            (r#"{"city""#, Some(json!({}))),
            (r#"{"city": "#, Some(json!({}))),
            (r#"{"city": "Pa"#, Some(json!({"city": "Pa"}))),
            (r#"{"n": 12"#, Some(json!({}))),
            (r#"{"n": 12,"#, Some(json!({"n": 12}))),
            (r#"{"ok": tr"#, Some(json!({}))),
            (
                r#"{"a": {"b": ["x", "y"#,
                Some(json!({"a": {"b": ["x", "y"]}})),
            ),
            (r#"["caf\u00e"#, Some(json!(["caf"]))),
            (r#"["a\"#, Some(json!(["a"]))),
            (r#"["a\"b"#, Some(json!(["a\"b"]))),
            ("[1, 2]", Some(json!([1, 2]))),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn the_open_path_leads_to_the_value_being_written() {
        let open = |text| parse_open(text).unwrap().and_then(|(_, open)| open);
        assert_eq!(open(r#"{"a": 1}"#), None);
        assert_eq!(open(r#"{"a": 1, "#), Some(vec![]));
        assert_eq!(
            open(r#"{"a": [1, {"b": "lo"#),
            Some(vec![
                Step::Key("a".into()),
                Step::Index(1),
                Step::Key("b".into())
            ])
        );
        assert_eq!(open(r#"["x", "y""#), Some(vec![]));
    }

    #[test]
    fn invalid_prefixes_are_errors_with_an_offset() {
        assert_eq!(parse("{]").unwrap_err().offset, 1);
        assert!(parse("[1 2]").is_err());
        assert!(parse("{\"a\" 1}").is_err());
        assert!(parse("[tx").is_err());
        assert!(parse("[1] x").is_err());
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z\"\\\\é\u{1F600}\n ]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 40, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::btree_map("[a-z\"]{0,5}", inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn every_prefix_is_consistent_with_the_document(value in json_value(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                serde_json::to_string(&value).unwrap()
            };
            let mut previous: Option<Value> = None;
            for end in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
                let partial = parse(&text[..end]);
                prop_assert!(partial.is_ok(), "{:?}: {:?}", &text[..end], partial);
                if let Some(partial) = partial.unwrap() {
                    prop_assert!(consistent(&partial, &value), "{:?} -> {}", &text[..end], partial);
                    // It only grows.
                    if let Some(previous) = &previous {
                        prop_assert!(consistent(previous, &partial), "{} then {}", previous, partial);
                    }
                    previous = Some(partial);
                }
            }
            if value.is_object() || value.is_array() || value.is_string() {
                prop_assert_eq!(parse(&text).unwrap(), Some(value));
            }
        }
    }
}
