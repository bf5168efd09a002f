//! Support for generated code. Not part of the public API: names here may
//! change in any release.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::{Map, Value};

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
pub fn tagged<'de, D: Deserializer<'de>>(deserializer: D, property: &str) -> Result<(Option<String>, Value), D::Error> {
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
pub fn unknown_tag<E: de::Error>(property: &'static str, tag: Option<String>, expected: &'static [&'static str]) -> E {
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

/// The property a struct's serde tag is written under.
///
/// A struct with a serde tag sees that property again on input; the `extra`
/// map must not keep it, or it would be written twice.
pub trait TagKey {
    /// The tag's property name.
    const KEY: &'static str;
}

/// Deserializes the `extra` map of a tagged response struct, leaving out its tag.
pub fn extra_without_tag<'de, D: Deserializer<'de>, T: TagKey>(deserializer: D) -> Result<Map<String, Value>, D::Error> {
    let mut map = Map::deserialize(deserializer)?;
    map.remove(T::KEY);
    Ok(map)
}
