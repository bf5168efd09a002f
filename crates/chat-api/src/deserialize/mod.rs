//! Deserialization helpers for the generated types: open string enums,
//! structs read in one pass ([`fields`]) and internally tagged unions read
//! without buffering the object ([`tagged`]). Generated code reaches them
//! through `crate::__private`.

pub mod fields;
pub mod tagged;

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Visitor};

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
