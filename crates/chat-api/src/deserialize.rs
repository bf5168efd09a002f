//! Deserialization helpers for the generated types: open string enums,
//! tagged unions read through a buffered object, and `null` read as the
//! default. Generated code reaches them through `crate::__private`.

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

/// The unknown properties of a tagged open struct (`role: "assistant"`),
/// without the tag: serde hands a struct's tag to its flattened map, and
/// keeping it there would write `role` twice when the struct is sent.
pub fn extra_without_role<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<serde_json::Map<String, Value>, D::Error> {
    extra_without(deserializer, "role")
}

fn extra_without<'de, D: Deserializer<'de>>(
    deserializer: D,
    tag: &str,
) -> Result<serde_json::Map<String, Value>, D::Error> {
    let mut extra = serde_json::Map::deserialize(deserializer)?;
    extra.remove(tag);
    Ok(extra)
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
