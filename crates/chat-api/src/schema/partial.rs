//! Typed partial values: a `#[derive(Tool)]` type as far as its JSON has
//! streamed.
//!
//! [`Partial`] maps a type to the form its value takes while the JSON text
//! is still being written, and builds that form from a prefix of the text
//! ([`parse_partial`]). `#[derive(Tool)]` implements it for every struct with
//! named fields by generating a companion struct named `Partial` + the
//! type's name, in the same module and with the same visibility:
//!
//! - every field is an `Option`: `None` until its value has started (or
//!   while it is `null`);
//! - a `String` may be a prefix of the final string, a `Vec` holds the items
//!   read so far (the last one possibly partial), and a nested derived struct
//!   is its own partial struct;
//! - numbers, booleans and enums appear only once complete (`12` may still
//!   become `123`, `"low"` may still become `"lowest"`);
//! - it reads the JSON keys serde reads (`rename`, `rename_all`, `flatten`);
//!   fields serde skips and fields whose schema is overridden
//!   (`#[tool(schema = …)]`, `schema_with`, `schemars`) are left out, since
//!   the derive cannot know how their partial form looks.
//!
//! A partial value only grows as more text arrives, and it is a distinct
//! type: it can never be passed where the complete type is expected. The
//! complete value comes only from the whole, validated text
//! (`final_completion()?.parse::<T>()`).
//!
//! ```
//! use chat_api::Tool;
//! use chat_api::schema::parse_partial;
//! use serde::Deserialize;
//!
//! /// A person.
//! #[derive(Debug, Deserialize, Tool)]
//! struct Person {
//!     #[serde(rename = "fullName")]
//!     name: String,
//!     tags: Vec<String>,
//!     age: Option<u8>,
//! }
//!
//! let partial: PartialPerson = parse_partial::<Person>(r#"{"fullName": "Ada Lov"#)
//!     .unwrap()
//!     .unwrap();
//! assert_eq!(partial.name.as_deref(), Some("Ada Lov"));
//! assert_eq!(partial.tags, None);
//!
//! let partial = parse_partial::<Person>(r#"{"fullName": "Ada", "tags": ["math", "po"#)
//!     .unwrap()
//!     .unwrap();
//! assert_eq!(partial.tags, Some(vec!["math".to_owned(), "po".to_owned()]));
//! assert_eq!(partial.age, None); // not yet written
//! ```
//!
//! A partial value is not the type itself:
//!
//! ```compile_fail,E0308
//! # use chat_api::Tool;
//! # use serde::Deserialize;
//! /// A person.
//! #[derive(Deserialize, Tool)]
//! struct Person { name: String }
//!
//! fn greet(person: Person) {}
//! greet(PartialPerson::default());
//! ```

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, LinkedList, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::rc::Rc;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::partial_json::{self, PartialJsonError, Step};
use crate::strict::kind_of;

/// A type with a form for its value while its JSON is still being written;
/// see the [module docs](self). `#[derive(Tool)]` implements it.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no partial form (`chat_api::schema::Partial`)",
    label = "no `Partial` impl",
    note = "derive `chat_api::Tool` on it (and `Deserialize`, for an enum), or give the field \
            `#[tool(schema = Type)]`, which leaves it out of the partial type"
)]
pub trait Partial {
    /// The partial form (for a derived struct `T`, the generated `PartialT`).
    type Partial;

    /// The partial form of `value`, `Ok(None)` while nothing of it is settled
    /// (an enum whose string is cut off). An error when the JSON settled so
    /// far cannot become `Self`.
    fn from_partial(value: PartialValue<'_>) -> Result<Option<Self::Partial>, PartialError>;
}

/// The typed partial value of the prefix `text` of a JSON document: `Ok(None)`
/// until something of it is settled. See the [module docs](self).
pub fn parse_partial<T: Partial + ?Sized>(text: &str) -> Result<Option<T::Partial>, PartialError> {
    match partial_json::parse_open(text).map_err(PartialError::Json)? {
        None => Ok(None),
        Some((value, open)) => typed::<T>(&value, open.as_deref()),
    }
}

/// `T`'s partial form of a value [`partial_json::parse_open`] settled.
pub(crate) fn typed<T: Partial + ?Sized>(
    value: &Value,
    open: Option<&[Step]>,
) -> Result<Option<T::Partial>, PartialError> {
    T::from_partial(PartialValue { value, open }).map_err(PartialError::rooted)
}

/// Why a prefix of JSON text cannot become a typed partial value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PartialError {
    /// The text is not the beginning of a JSON document.
    #[error(transparent)]
    Json(PartialJsonError),
    /// The JSON settled so far does not fit the type.
    #[error("at `{path}`: {message}")]
    Mismatch {
        /// Where, as `.key[index]` steps from the root (`.` for the root).
        path: String,
        /// What does not fit.
        message: String,
    },
}

impl PartialError {
    fn mismatch(message: impl Into<String>) -> Self {
        PartialError::Mismatch {
            path: String::new(),
            message: message.into(),
        }
    }

    /// The error one step further out.
    fn within(self, step: &str) -> Self {
        match self {
            PartialError::Mismatch { path, message } => PartialError::Mismatch {
                path: format!("{step}{path}"),
                message,
            },
            json => json,
        }
    }

    fn rooted(self) -> Self {
        match self {
            PartialError::Mismatch { path, message } if path.is_empty() => PartialError::Mismatch {
                path: ".".to_owned(),
                message,
            },
            other => other,
        }
    }
}

/// A JSON value settled from a prefix of a document, and whether it is
/// complete; what [`Partial::from_partial`] reads.
#[derive(Debug, Clone, Copy)]
pub struct PartialValue<'a> {
    value: &'a Value,
    /// `None`: complete; else the steps to the innermost value being written.
    open: Option<&'a [Step]>,
}

impl<'a> PartialValue<'a> {
    /// The JSON settled so far.
    pub fn value(&self) -> &'a Value {
        self.value
    }

    /// Whether the value is written to its end.
    pub fn is_complete(&self) -> bool {
        self.open.is_none()
    }

    fn child(&self, step: &Step, value: &'a Value) -> PartialValue<'a> {
        let open = match self.open {
            Some([first, rest @ ..]) if first == step => Some(rest),
            _ => None,
        };
        PartialValue { value, open }
    }

    /// The member `key` of an object, if it has started.
    pub fn get(&self, key: &str) -> Option<PartialValue<'a>> {
        let value = self.value.get(key)?;
        Some(self.child(&Step::Key(key.to_owned()), value))
    }

    /// The items of an array read so far.
    pub fn items(&self) -> impl Iterator<Item = PartialValue<'a>> + '_ {
        let items = self.value.as_array().map(Vec::as_slice).unwrap_or_default();
        items
            .iter()
            .enumerate()
            .map(|(i, item)| self.child(&Step::Index(i), item))
    }

    /// The complete value decoded as `T`; `Ok(None)` while it is still being
    /// written. For types whose partial form is the whole value.
    pub fn complete<T: DeserializeOwned>(&self) -> Result<Option<T>, PartialError> {
        if !self.is_complete() {
            return Ok(None);
        }
        T::deserialize(self.value)
            .map(Some)
            .map_err(|e| PartialError::mismatch(e.to_string()))
    }

    /// The member `key` of an object as `T`'s partial form: `None` until it
    /// starts. Used by the derive for each field.
    pub fn field<T: Partial + ?Sized>(
        &self,
        key: &str,
    ) -> Result<Option<T::Partial>, PartialError> {
        self.object()?;
        match self.get(key) {
            None => Ok(None),
            Some(member) => T::from_partial(member).map_err(|e| e.within(&format!(".{key}"))),
        }
    }

    /// This same object read as `T`'s partial form (a `#[serde(flatten)]` field).
    pub fn flatten<T: Partial + ?Sized>(&self) -> Result<Option<T::Partial>, PartialError> {
        T::from_partial(*self)
    }

    /// An error unless the value is an object. Used by the derive.
    pub fn object(&self) -> Result<(), PartialError> {
        match self.value {
            Value::Object(_) => Ok(()),
            other => Err(PartialError::mismatch(format!(
                "expected an object, found {}",
                kind_of(other)
            ))),
        }
    }
}

macro_rules! complete_only {
    ($($ty:ty),* $(,)?) => {$(
        /// Appears once complete.
        impl Partial for $ty {
            type Partial = $ty;
            fn from_partial(value: PartialValue<'_>) -> Result<Option<$ty>, PartialError> {
                value.complete()
            }
        }
    )*};
}
complete_only!(
    i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64, bool, char, Value,
    serde_json::Map<String, Value>
);

/// May be a prefix of the final string.
impl Partial for String {
    type Partial = String;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<String>, PartialError> {
        match value.value {
            Value::String(s) => Ok(Some(s.clone())),
            other => Err(PartialError::mismatch(format!(
                "expected a string, found {}",
                kind_of(other)
            ))),
        }
    }
}

/// Like `String`.
impl Partial for str {
    type Partial = String;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<String>, PartialError> {
        String::from_partial(value)
    }
}

/// Like `String`.
impl Partial for Cow<'_, str> {
    type Partial = String;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<String>, PartialError> {
        String::from_partial(value)
    }
}

/// `null` and not-yet-written are both `None`.
impl<T: Partial> Partial for Option<T> {
    type Partial = T::Partial;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<T::Partial>, PartialError> {
        match value.value {
            Value::Null => Ok(None),
            _ => T::from_partial(value),
        }
    }
}

/// The items read so far; the last may be partial, and is left out until
/// something of it is settled.
fn items<T: Partial + ?Sized>(value: PartialValue<'_>) -> Result<Vec<T::Partial>, PartialError> {
    if !value.value.is_array() {
        return Err(PartialError::mismatch(format!(
            "expected an array, found {}",
            kind_of(value.value)
        )));
    }
    let mut out = Vec::new();
    for (i, item) in value.items().enumerate() {
        if let Some(item) = T::from_partial(item).map_err(|e| e.within(&format!("[{i}]")))? {
            out.push(item);
        }
    }
    Ok(out)
}

macro_rules! sequence {
    ($($ty:ident),*) => {$(
        /// The items read so far, each in its partial form.
        impl<T: Partial> Partial for $ty<T> {
            type Partial = Vec<T::Partial>;
            fn from_partial(value: PartialValue<'_>) -> Result<Option<Self::Partial>, PartialError> {
                items::<T>(value).map(Some)
            }
        }
    )*};
}
sequence!(Vec, VecDeque, LinkedList);

/// Like `Vec`.
impl<T: Partial> Partial for [T] {
    type Partial = Vec<T::Partial>;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<Self::Partial>, PartialError> {
        items::<T>(value).map(Some)
    }
}

/// Like `Vec` (the length is checked only on the complete value).
impl<T: Partial, const N: usize> Partial for [T; N] {
    type Partial = Vec<T::Partial>;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<Self::Partial>, PartialError> {
        items::<T>(value).map(Some)
    }
}

/// Sets appear once complete: a partial item could collide with another.
impl<T: DeserializeOwned + Eq + Hash, S: BuildHasher + Default> Partial for HashSet<T, S> {
    type Partial = Self;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<Self>, PartialError> {
        value.complete()
    }
}

/// Maps (outside strict mode) appear once complete.
impl<K: DeserializeOwned + Eq + Hash, V: DeserializeOwned, S: BuildHasher + Default> Partial
    for HashMap<K, V, S>
{
    type Partial = Self;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<Self>, PartialError> {
        value.complete()
    }
}

/// Like `HashMap`.
impl<K: DeserializeOwned + Ord, V: DeserializeOwned> Partial for BTreeMap<K, V> {
    type Partial = Self;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<Self>, PartialError> {
        value.complete()
    }
}

/// Like `HashSet`.
impl<T: DeserializeOwned + Ord> Partial for BTreeSet<T> {
    type Partial = Self;
    fn from_partial(value: PartialValue<'_>) -> Result<Option<Self>, PartialError> {
        value.complete()
    }
}

macro_rules! transparent {
    ($($ty:ident),*) => {$(
        /// The inner type's partial form, boxed: a recursive type stays finite.
        impl<T: Partial + ?Sized> Partial for $ty<T> {
            type Partial = Box<T::Partial>;
            fn from_partial(value: PartialValue<'_>) -> Result<Option<Self::Partial>, PartialError> {
                Ok(T::from_partial(value)?.map(Box::new))
            }
        }
    )*};
}
transparent!(Box, Rc, Arc);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_wait_for_their_end_and_strings_do_not() {
        assert_eq!(parse_partial::<Vec<u32>>("[1, 23").unwrap(), Some(vec![1]));
        assert_eq!(
            parse_partial::<Vec<String>>(r#"["a", "b"#).unwrap(),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(
            parse_partial::<Vec<char>>(r#"["a", "b"#).unwrap(),
            Some(vec!['a'])
        );
        assert_eq!(parse_partial::<Option<String>>("nul").unwrap(), None);
        assert_eq!(parse_partial::<Option<String>>("null").unwrap(), None);
    }

    #[test]
    fn mismatches_name_the_path() {
        let err = parse_partial::<Vec<Vec<u8>>>("[[1], [2, \"x\"").unwrap_err();
        match err {
            PartialError::Mismatch { path, message } => {
                assert_eq!(path, "[1][1]");
                assert!(message.contains("string"), "{message}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse_partial::<String>("[1, ]"),
            Err(PartialError::Json(_))
        ));
    }
}
