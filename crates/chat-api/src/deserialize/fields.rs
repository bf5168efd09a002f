//! Generated structs decode in one pass over the object: each key is matched
//! without allocating, known fields decode straight into their slots, and
//! only an unknown key (on a response type) is kept, in [`Extra`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

use crate::Extra;

/// The body of a generated struct's `Deserialize`: reads the fields from an
/// object already opened. Tagged unions call it with the keys they had to
/// read before the tag replayed in front.
pub trait DecodeFields<'de>: Sized {
    /// What an error says was expected, e.g. `"an object (ToolCall)"`.
    const EXPECTING: &'static str;

    /// Reads every entry of `map` and builds the value.
    fn decode_fields<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of a generated struct.
#[inline]
pub fn decode_struct<'de, D: Deserializer<'de>, T: DecodeFields<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(FieldsVisitor(PhantomData))
}

struct FieldsVisitor<T>(PhantomData<fn() -> T>);

impl<'de, T: DecodeFields<'de>> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    #[inline]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::decode_fields(map)
    }
}

/// An object key: borrowed from the input when it can be (no escapes, a
/// borrowing deserializer), owned otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key<'de>(pub(crate) Cow<'de, str>);

impl Key<'_> {
    /// The key's text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    #[inline]
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, key: &'de str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Borrowed(key)))
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key.to_owned())))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Key<'de>, E> {
        Ok(Key(Cow::Owned(key)))
    }
}

/// Decodes the value of field `name` into its empty slot; a second
/// occurrence of the key is an error, as with serde's derive.
// Inlined into each match arm: the call otherwise costs more than the
// check (callgrind, `examples/profile.rs`).
#[inline(always)]
pub fn field<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// The value of a field that must be present.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// A required response field that a server left out or sent as `null`
/// reads as the type's empty value, so one misbehaving field does not fail
/// the whole response (compatible servers, and OpenAI itself for empty
/// pages, do this).
#[inline(always)]
pub fn or_empty<T: Default>(slot: Option<Option<T>>) -> T {
    slot.flatten().unwrap_or_default()
}

/// Keeps the value of an unknown key of a response object.
// Rare: kept out of line so the loop over known keys stays small.
#[cold]
#[inline(never)]
pub fn keep<'de, A: MapAccess<'de>>(
    map: &mut A,
    extra: &mut Extra,
    key: Key<'de>,
) -> Result<(), A::Error> {
    let value: Value = map.next_value()?;
    extra.insert(key.0.into_owned(), value);
    Ok(())
}

/// Skips the value of an unknown key of a request object, which has nowhere
/// to keep it, and of a request struct's constant tag (serde's derive does
/// the same).
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}
