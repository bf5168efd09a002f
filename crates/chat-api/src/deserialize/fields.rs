//! Generated structs decode in one pass over the object: each key is matched
//! without allocating, known fields decode straight into their slots, and
//! only an unknown key (on a response type) is kept, in [`Extra`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{
    BorrowedStrDeserializer, MapAccessDeserializer, SeqAccessDeserializer, StrDeserializer,
    StringDeserializer,
};
use serde::de::{
    self, Deserialize, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
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
    fill(map, slot, name, PhantomData)
}

/// Decodes the value of field `name` with `seed` into its empty slot.
#[inline(always)]
fn fill<'de, A: MapAccess<'de>, S: DeserializeSeed<'de>>(
    map: &mut A,
    slot: &mut Option<S::Value>,
    name: &'static str,
    seed: S,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value_seed(seed)?);
    Ok(())
}

/// The value of a field that must be present.
pub fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Decodes the value of a required response field into its empty slot,
/// `null` reading as the type's empty value (see [`or_empty`]).
///
/// One look at the value decides between `null` and the value itself,
/// which is then handed to `T` as it is. An `Option<T>` slot would look
/// twice (serde's `Option` peeks for `null`, then `T` reads the value):
/// 1.5 % of the instructions of a response decode (callgrind,
/// `crates/chat-api-bench/examples/profile.rs recorded`).
#[inline(always)]
pub fn field_or_null<'de, A: MapAccess<'de>, T: Deserialize<'de> + Default>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    fill(map, slot, name, OneLook::<NullIsEmpty<T>>(PhantomData))
}

/// Decodes the value of an `Option<T>` field into its empty slot, `null`
/// reading as `None`, with the same one look as [`field_or_null`] instead
/// of serde's `Option` peeking first.
#[inline(always)]
pub fn optional<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<Option<T>>,
    name: &'static str,
) -> Result<(), A::Error> {
    fill(map, slot, name, OneLook::<NullIsNone<T>>(PhantomData))
}

/// A required response field that a server left out or sent as `null`
/// reads as the type's empty value, so one misbehaving field does not fail
/// the whole response (compatible servers, and OpenAI itself for empty
/// pages, do this).
#[inline(always)]
pub fn or_empty<T: Default>(slot: Option<T>) -> T {
    slot.unwrap_or_default()
}

/// What a field's `null` reads as, and how its value is held.
trait NullRule<'de> {
    /// The type that decodes a value that is not `null`.
    type Value: Deserialize<'de>;
    /// What the field holds.
    type Out;
    fn null() -> Self::Out;
    fn value(value: Self::Value) -> Self::Out;
}

/// `null` is the type's empty value (see [`or_empty`]).
struct NullIsEmpty<T>(PhantomData<fn() -> T>);

impl<'de, T: Deserialize<'de> + Default> NullRule<'de> for NullIsEmpty<T> {
    type Value = T;
    type Out = T;

    #[inline(always)]
    fn null() -> T {
        T::default()
    }

    #[inline(always)]
    fn value(value: T) -> T {
        value
    }
}

/// `null` is `None`.
struct NullIsNone<T>(PhantomData<fn() -> T>);

impl<'de, T: Deserialize<'de>> NullRule<'de> for NullIsNone<T> {
    type Value = T;
    type Out = Option<T>;

    #[inline(always)]
    fn null() -> Option<T> {
        None
    }

    #[inline(always)]
    fn value(value: T) -> Option<T> {
        Some(value)
    }
}

/// A field's value, or what `null` reads as under `R`: the value is seen
/// once (through `deserialize_any`) and replayed to its type through
/// serde's value deserializers, which cost nothing once inlined. The
/// input's deserializer still adds its position to an error.
struct OneLook<R>(PhantomData<fn() -> R>);

impl<'de, R: NullRule<'de>> DeserializeSeed<'de> for OneLook<R> {
    type Value = R::Out;

    #[inline]
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<R::Out, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, R: NullRule<'de>> Visitor<'de> for OneLook<R> {
    type Value = R::Out;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_unit<E: de::Error>(self) -> Result<R::Out, E> {
        Ok(R::null())
    }

    fn visit_none<E: de::Error>(self) -> Result<R::Out, E> {
        Ok(R::null())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<R::Out, D::Error> {
        R::Value::deserialize(deserializer).map(R::value)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<R::Out, E> {
        R::Value::deserialize(value.into_deserializer()).map(R::value)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<R::Out, E> {
        R::Value::deserialize(value.into_deserializer()).map(R::value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<R::Out, E> {
        R::Value::deserialize(value.into_deserializer()).map(R::value)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<R::Out, E> {
        R::Value::deserialize(value.into_deserializer()).map(R::value)
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<R::Out, E> {
        R::Value::deserialize(BorrowedStrDeserializer::new(value)).map(R::value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<R::Out, E> {
        R::Value::deserialize(StrDeserializer::new(value)).map(R::value)
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<R::Out, E> {
        R::Value::deserialize(StringDeserializer::new(value)).map(R::value)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<R::Out, A::Error> {
        R::Value::deserialize(SeqAccessDeserializer::new(seq)).map(R::value)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<R::Out, A::Error> {
        R::Value::deserialize(MapAccessDeserializer::new(map)).map(R::value)
    }
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
