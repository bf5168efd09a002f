//! Internally tagged unions decode in one pass: the keys seen before the tag
//! (in real tool calls, usually just `id`) are held, and once the tag names
//! the variant its struct decodes from those keys, the tag and the rest of
//! the object, read straight from the input. No `serde_json::Value` of the
//! whole object is built, except for a tag no variant knows, whose object is
//! kept whole (as a `serde_json::Value`, in key order).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StringDeserializer,
};
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::fields::Key;

/// The body of a generated tagged union's `Deserialize`.
pub trait DecodeTagged<'de>: Sized {
    /// What an error says was expected, e.g. `"an object (ToolCall)"`.
    const EXPECTING: &'static str;
    /// The property whose string value names the variant.
    const TAG: &'static str;

    /// Decodes the variant `tag` names from `fields` (every entry of the
    /// object, tag included); `None` when the object has no string tag.
    fn decode_variant<A: MapAccess<'de>>(tag: Option<&str>, fields: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of a generated tagged union.
pub fn decode_tagged<'de, D: Deserializer<'de>, T: DecodeTagged<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(TaggedVisitor(PhantomData))
}

/// Decodes one variant from the replayed fields.
pub fn variant<'de, A: MapAccess<'de>, T: Deserialize<'de>>(fields: A) -> Result<T, A::Error> {
    T::deserialize(MapAccessDeserializer::new(fields))
}

/// Collects the replayed fields of an object whose tag no variant knows.
pub fn collect<'de, A: MapAccess<'de>>(mut fields: A) -> Result<Value, A::Error> {
    let mut map = Map::new();
    while let Some((key, value)) = fields.next_entry::<String, Value>()? {
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

/// The error for a tag value no variant of a request-side union accepts.
pub fn unknown_tag<E: de::Error>(
    property: &'static str,
    tag: Option<&str>,
    expected: &'static [&'static str],
) -> E {
    match tag {
        Some(tag) => E::unknown_variant(tag, expected),
        None => E::missing_field(property),
    }
}

struct TaggedVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: DecodeTagged<'de>> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        // In real objects the tag comes first or after one key (a tool
        // call's `id`): that key is held without allocating a list.
        let mut held = Held::default();
        let mut tag = None;
        let mut rest_done = true;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if key.as_str() == T::TAG {
                match map.next_value::<Tag<'de>>()? {
                    Tag::Name(name) => tag = Some(name),
                    // A tag that is not a string names no variant: the
                    // object goes to the fallback whole, as it arrived.
                    Tag::Other(value) => held.push(key, value),
                }
                rest_done = false;
                break;
            }
            let value: Value = map.next_value()?;
            held.push(key, value);
        }
        let fields = Replay {
            held: held.into_iter(),
            tag: tag.as_ref().map(|name| (T::TAG, name.as_str())),
            rest: map,
            rest_done,
            next: Next::Rest,
        };
        T::decode_variant(tag.as_ref().map(Key::as_str), fields)
    }
}

/// The entries read before the tag, in order.
#[derive(Default)]
struct Held<'de> {
    first: Option<(Key<'de>, Value)>,
    more: Vec<(Key<'de>, Value)>,
}

type HeldIter<'de> = std::iter::Chain<
    std::option::IntoIter<(Key<'de>, Value)>,
    std::vec::IntoIter<(Key<'de>, Value)>,
>;

impl<'de> Held<'de> {
    fn push(&mut self, key: Key<'de>, value: Value) {
        if self.first.is_none() {
            self.first = Some((key, value));
        } else {
            self.more.push((key, value));
        }
    }

    fn into_iter(self) -> HeldIter<'de> {
        self.first.into_iter().chain(self.more)
    }
}

/// The tag's value: a string (borrowed from the input when it can be), or
/// anything else kept as it is for the fallback.
enum Tag<'de> {
    Name(Key<'de>),
    Other(Value),
}

impl<'de> Deserialize<'de> for Tag<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TagVisitor)
    }
}

struct TagVisitor;

impl<'de> Visitor<'de> for TagVisitor {
    type Value = Tag<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tag value")
    }

    fn visit_borrowed_str<E: de::Error>(self, name: &'de str) -> Result<Tag<'de>, E> {
        Ok(Tag::Name(Key(Cow::Borrowed(name))))
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Tag<'de>, E> {
        Ok(Tag::Name(Key(Cow::Owned(name.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Tag<'de>, E> {
        Ok(Tag::Name(Key(Cow::Owned(name))))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Tag<'de>, E> {
        Ok(Tag::Other(Value::Null))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Tag<'de>, E> {
        Ok(Tag::Other(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Tag<'de>, E> {
        Ok(Tag::Other(Value::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Tag<'de>, E> {
        Ok(Tag::Other(Value::from(value)))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Tag<'de>, E> {
        Ok(Tag::Other(Value::from(value)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Tag<'de>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Tag::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Tag<'de>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Tag::Other)
    }
}

/// The object again, as a `MapAccess`: the held entries, then the tag, then
/// whatever the input has left.
struct Replay<'a, 'de, A> {
    held: HeldIter<'de>,
    tag: Option<(&'static str, &'a str)>,
    rest: A,
    /// The input ran out before a tag arrived: everything is in `held`.
    rest_done: bool,
    next: Next<'a>,
}

/// Where the value of the key just returned comes from.
enum Next<'a> {
    Held(Value),
    Tag(&'a str),
    Rest,
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<'_, 'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.held.next() {
            self.next = Next::Held(value);
            return key_into(seed, key).map(Some);
        }
        if let Some((property, name)) = self.tag.take() {
            self.next = Next::Tag(name);
            return seed
                .deserialize(BorrowedStrDeserializer::new(property))
                .map(Some);
        }
        self.next = Next::Rest;
        if self.rest_done {
            return Ok(None);
        }
        self.rest.next_key_seed(seed)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, A::Error> {
        match std::mem::replace(&mut self.next, Next::Rest) {
            Next::Held(value) => seed.deserialize(value).map_err(de::Error::custom),
            Next::Tag(name) => seed.deserialize(TagValue(name, PhantomData)),
            Next::Rest => self.rest.next_value_seed(seed),
        }
    }
}

fn key_into<'de, K: DeserializeSeed<'de>, E: de::Error>(
    seed: K,
    key: Key<'de>,
) -> Result<K::Value, E> {
    match key.0 {
        Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)),
        Cow::Owned(key) => seed.deserialize(StringDeserializer::new(key)),
    }
}

/// The tag's value replayed: a string, which a variant may hold in an
/// `Option` (response types make a required enum optional), so unlike
/// serde's `StrDeserializer` it reads as `Some` when an `Option` asks.
struct TagValue<'a, E>(&'a str, PhantomData<E>);

impl<'de, E: de::Error> Deserializer<'de> for TagValue<'_, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_str(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_some(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use crate::Error;
    use crate::types::{
        ChatCompletionMessageToolCall, ChatCompletionRequestMessage, CreateChatCompletionResponse,
        ToolCall, ToolCallType,
    };

    fn call(text: &str) -> ToolCall {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[test]
    fn the_tag_may_come_anywhere_and_the_variant_gets_every_key() {
        let first =
            call(r#"{"type":"function","id":"c1","function":{"name":"f","arguments":"{}"},"x":1}"#);
        let middle =
            call(r#"{"id":"c1","type":"function","x":1,"function":{"name":"f","arguments":"{}"}}"#);
        let last =
            call(r#"{"id":"c1","x":1,"function":{"name":"f","arguments":"{}"},"type":"function"}"#);
        let ToolCall::Function(typed) = &first else {
            panic!("not a function call: {first:?}")
        };
        assert_eq!(typed.id, "c1");
        assert_eq!(typed.r#type, ToolCallType::Function);
        assert_eq!(typed.function.name, "f");
        assert_eq!(typed.extra["x"], 1);
        assert_eq!(first, middle);
        assert_eq!(first, last);
        // The same through an owned `Value`, whose keys are never borrowed.
        let value: Value = serde_json::from_str(
            r#"{"id":"c1","type":"function","x":1,"function":{"name":"f","arguments":"{}"}}"#,
        )
        .expect("json");
        assert_eq!(
            serde_json::from_value::<ToolCall>(value).expect("decodes"),
            first
        );
    }

    #[test]
    fn an_escaped_tag_is_read_as_its_text() {
        let escaped =
            call(r#"{"id":"c1","type":"func\u0074ion","function":{"name":"f","arguments":"{}"}}"#);
        assert!(matches!(escaped, ToolCall::Function(_)), "{escaped:?}");
    }

    #[test]
    fn an_unknown_tag_keeps_the_whole_object() {
        let text = r#"{"id":"c1","type":"web_search","query":{"q":"x"},"z":null}"#;
        let ToolCall::Unknown(kept) = call(text) else {
            panic!("an unknown tag must land in Unknown")
        };
        // Compared as values: a `Value` keeps key order only with serde_json's
        // `preserve_order`, which chat-api does not enable.
        assert_eq!(kept, serde_json::from_str::<Value>(text).expect("json"));
    }

    #[test]
    fn a_missing_or_non_string_tag_goes_to_the_fallback_with_every_key() {
        for text in [
            r#"{"id":"c1","type":5,"more":true}"#,
            r#"{"type":-5,"id":"c1","more":true}"#,
            r#"{"id":"c1","type":1.5,"more":true}"#,
            r#"{"id":"c1","type":null,"more":true}"#,
            r#"{"id":"c1","type":false,"more":true}"#,
            r#"{"id":"c1","more":true,"type":["function"]}"#,
            r#"{"id":"c1","type":{"name":"function"},"more":true}"#,
            r#"{"id":"c1","more":true}"#,
        ] {
            let ToolCall::Unknown(kept) = call(text) else {
                panic!("no string tag must land in Unknown: {text}")
            };
            assert_eq!(kept, serde_json::from_str::<Value>(text).expect("json"));
        }
    }

    #[test]
    fn a_closed_union_names_a_missing_or_unknown_tag() {
        let missing =
            serde_json::from_value::<ChatCompletionRequestMessage>(json!({"content": "hi"}))
                .expect_err("no role");
        assert!(
            missing.to_string().contains("missing field `role`"),
            "{missing}"
        );
        let unknown = serde_json::from_value::<ChatCompletionRequestMessage>(
            json!({"role": "robot", "content": "hi"}),
        )
        .expect_err("unknown role");
        assert!(
            unknown.to_string().contains("unknown variant `robot`"),
            "{unknown}"
        );
    }

    #[test]
    fn a_non_object_is_an_error_naming_the_union() {
        let err = serde_json::from_str::<ToolCall>("[1]").expect_err("not an object");
        assert!(
            err.to_string().contains("expected an object (ToolCall)"),
            "{err}"
        );
    }

    #[test]
    fn decode_errors_inside_a_union_name_the_field_path() {
        // Written as text: where the tag stands among the keys is the point,
        // and `json!` would put them in key order (without `preserve_order`).
        let body = |call: &str| {
            format!(
                r#"{{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{{"index":0,"finish_reason":"tool_calls","message":{{"role":"assistant","content":null,"tool_calls":[{call}]}}}}]}}"#
            )
        };
        // After the tag, keys are read straight from the input: the full path.
        let after = body(r#"{"id":"c1","type":"function","function":{"name":5,"arguments":"{}"}}"#);
        match Error::decode::<CreateChatCompletionResponse>(after.as_bytes()) {
            Err(Error::Decode { path, .. }) => {
                assert_eq!(path, "choices[0].message.tool_calls[0].function.name");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
        // A key held until the tag arrived is named in the message, at the call.
        let before = body(r#"{"id":7,"type":"function","function":{"name":"f","arguments":"{}"}}"#);
        match Error::decode::<CreateChatCompletionResponse>(before.as_bytes()) {
            Err(Error::Decode { path, message, .. }) => {
                assert!(
                    path.starts_with("choices[0].message.tool_calls[0]"),
                    "{path}"
                );
                assert!(message.contains("invalid type: integer `7`"), "{message}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn a_duplicate_key_is_an_error_as_with_serde_derive() {
        let err = serde_json::from_str::<ChatCompletionMessageToolCall>(
            r#"{"id":"a","id":"b","type":"function","function":{"name":"f","arguments":""}}"#,
        )
        .expect_err("duplicate");
        assert!(err.to_string().contains("duplicate field `id`"), "{err}");
    }

    #[test]
    fn objects_without_unknown_keys_allocate_no_extra_map() {
        let ToolCall::Function(typed) =
            call(r#"{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}"#)
        else {
            panic!("not a function call")
        };
        assert!(typed.extra.as_map().is_none() && typed.function.extra.as_map().is_none());
    }
}
