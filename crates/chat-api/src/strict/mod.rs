//! OpenAI strict-mode (Structured Outputs) JSON Schema checks and rewriting.
//!
//! OpenAI accepts only a subset of JSON Schema when `"strict": true` is set on a
//! tool or on a `json_schema` response format. A schema outside that subset
//! makes the API answer 400, and one bad tool schema fails the **whole
//! request**. This module finds such problems before a request is sent:
//!
//! - [`validate`] reports **every** strict-mode violation of a schema, each with
//!   an RFC 6901 JSON pointer, a [`Rule`] and a message.
//! - [`transform`] rewrites a general schema (as `schemars` 1.x emits it) into
//!   the strict dialect where that is possible, and explains with pointers
//!   where it is not.
//! - [`validate_name`] / [`is_valid_name`] check a function or response-format
//!   name against `^[a-zA-Z0-9_-]{1,64}$`.
//! - [`limits`] holds the documented size limits and the `format` allow-list.
//!
//! # What the validator enforces
//!
//! - The root is an inline `{"type": "object", ...}`: no root `anyOf`, `enum`
//!   or `$ref`.
//! - Every object schema has `properties`, `additionalProperties: false`, and a
//!   `required` array listing exactly the keys of `properties`.
//! - Every schema is a non-empty JSON object with a `type` (or `anyOf`, `enum`,
//!   `const`, `$ref`); `true`, `false` and `{}` are rejected. A `type` list may
//!   only combine one type with `"null"`.
//! - Only the supported keywords appear: `type`, `description`, `properties`,
//!   `required`, `additionalProperties`, `items`, `anyOf`, `enum`, `const`,
//!   `$ref`, `$defs` (root only), `format`, `pattern`, `minLength`,
//!   `maxLength`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
//!   `multipleOf`, `minItems`, `maxItems`. Keywords OpenAI is known to reject
//!   (`oneOf`, `allOf`, `default`, `title`, …) are reported as
//!   [`Rule::UnsupportedKeyword`]; anything else as [`Rule::UnknownKeyword`],
//!   so a caller who wants to be lenient about unknown annotations can filter
//!   those out.
//! - `format` is one of [`limits::ALLOWED_FORMATS`].
//! - Arrays have exactly one typed `items` schema.
//! - `$ref` stands alone, is local (`#` or `#/$defs/...`) and resolves.
//! - Nullable enums use `anyOf: [{"type": T, "enum": [...]}, {"type": "null"}]`
//!   rather than putting `null` into `enum` or `type`.
//! - The size limits in [`limits`].
//!
//! # Pointers
//!
//! Pointers are RFC 6901 (`~` is written `~0`, `/` is written `~1`); the root
//! is the empty string. For a misplaced keyword the pointer names the keyword
//! itself (`/properties/a/title`); for a structural problem it names the schema
//! node (`/properties/a`). Schema-wide limits point at the root.

pub(crate) mod limit_check;
pub mod limits;
mod pointer;
mod transform;
mod validate;

use std::fmt;

pub use transform::transform;
pub(crate) use validate::kind_of;
pub use validate::validate;

/// The strict-mode rule a [`Violation`] breaks.
///
/// New rules may be added as OpenAI's accepted subset is better understood,
/// so the enum is `#[non_exhaustive]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The root is not an inline `{"type": "object"}` schema (it is a `$ref`,
    /// a non-object, a nullable object, …).
    RootNotObject,
    /// The root uses `anyOf` / `enum` / `const`; OpenAI requires a plain object
    /// at the top level (a Rust enum cannot be a root: wrap it in a struct).
    RootComposition,
    /// A schema position holds something other than a JSON object or boolean.
    NotASchema,
    /// A boolean schema (`true` / `false`).
    BooleanSchema,
    /// An empty schema `{}` (accepts anything; OpenAI needs a `type`).
    EmptySchema,
    /// A schema with none of `type`, `anyOf`, `enum`, `const`, `$ref`.
    MissingType,
    /// `type` names an unknown type, or lists several non-null types.
    InvalidType,
    /// An object schema without `additionalProperties: false` (missing, `true`,
    /// or a schema, i.e. an open map).
    AdditionalPropertiesNotFalse,
    /// An object schema without a `properties` keyword.
    MissingProperties,
    /// `required` does not list exactly the keys of `properties`.
    RequiredMismatch,
    /// A keyword OpenAI strict mode rejects (`oneOf`, `allOf`, `default`,
    /// `title`, `uniqueItems`, …).
    UnsupportedKeyword,
    /// A keyword outside the documented strict-mode subset.
    UnknownKeyword,
    /// A keyword has a value of the wrong shape (`required` not an array of
    /// strings, `anyOf` empty, …).
    MalformedKeyword,
    /// `format` is not one of [`limits::ALLOWED_FORMATS`].
    UnsupportedFormat,
    /// An array schema whose `items` is missing, a tuple, or not a schema.
    InvalidItems,
    /// `$ref` has sibling keywords (OpenAI: "$ref cannot have keywords").
    RefWithSiblings,
    /// `$ref` is not `#` or `#/$defs/...`.
    RefNotLocal,
    /// `$ref` does not resolve inside the schema.
    UnresolvedRef,
    /// A nullable enum in a form OpenAI rejects or that does not mean what it
    /// seems to (`null` inside `enum`, `"type": "null"` with `enum`, or a
    /// `type` list with `"null"` whose `enum` excludes `null`).
    NullableEnum,
    /// `enum` / `const` is malformed or its values do not match `type`.
    InvalidEnum,
    /// More than [`limits::MAX_PROPERTIES`] object properties in total.
    TooManyProperties,
    /// Nesting deeper than [`limits::MAX_NESTING_DEPTH`] levels.
    TooDeep,
    /// More than [`limits::MAX_ENUM_VALUES`] enum values in total.
    TooManyEnumValues,
    /// Property names, `$defs` names, enum and const values together exceed
    /// [`limits::MAX_TOTAL_STRING_CHARS`] characters.
    TooManyCharacters,
    /// A string enum with more than [`limits::LARGE_ENUM_THRESHOLD`] values
    /// whose values exceed [`limits::LARGE_ENUM_MAX_CHARS`] characters.
    LargeEnumTooLong,
}

impl Rule {
    /// A short, stable, kebab-case identifier for the rule, used in
    /// [`Violation`]'s `Display` output.
    pub fn id(self) -> &'static str {
        match self {
            Rule::RootNotObject => "root-not-object",
            Rule::RootComposition => "root-composition",
            Rule::NotASchema => "not-a-schema",
            Rule::BooleanSchema => "boolean-schema",
            Rule::EmptySchema => "empty-schema",
            Rule::MissingType => "missing-type",
            Rule::InvalidType => "invalid-type",
            Rule::AdditionalPropertiesNotFalse => "additional-properties-not-false",
            Rule::MissingProperties => "missing-properties",
            Rule::RequiredMismatch => "required-mismatch",
            Rule::UnsupportedKeyword => "unsupported-keyword",
            Rule::UnknownKeyword => "unknown-keyword",
            Rule::MalformedKeyword => "malformed-keyword",
            Rule::UnsupportedFormat => "unsupported-format",
            Rule::InvalidItems => "invalid-items",
            Rule::RefWithSiblings => "ref-with-siblings",
            Rule::RefNotLocal => "ref-not-local",
            Rule::UnresolvedRef => "unresolved-ref",
            Rule::NullableEnum => "nullable-enum",
            Rule::InvalidEnum => "invalid-enum",
            Rule::TooManyProperties => "too-many-properties",
            Rule::TooDeep => "too-deep",
            Rule::TooManyEnumValues => "too-many-enum-values",
            Rule::TooManyCharacters => "too-many-characters",
            Rule::LargeEnumTooLong => "large-enum-too-long",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One strict-mode problem: where it is, which rule it breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pointer: String,
    rule: Rule,
    message: String,
}

impl Violation {
    pub(crate) fn new(pointer: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        Violation {
            pointer: pointer.into(),
            rule,
            message: message.into(),
        }
    }

    /// RFC 6901 JSON pointer of the offending node (`""` is the root).
    pub fn pointer(&self) -> &str {
        &self.pointer
    }

    /// The rule that is broken.
    pub fn rule(&self) -> Rule {
        self.rule
    }

    /// A human-readable explanation, naming the rule and, where there is one,
    /// the fix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.pointer.is_empty() {
            "(root)"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {} [{}]", self.message, self.rule)
    }
}

impl std::error::Error for Violation {}

/// All strict-mode violations found in one schema (never empty when returned
/// as an error).
///
/// Dereferences to `[Violation]`, so `violations.len()`, `violations[0]` and
/// `violations.iter()` work directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violations(Vec<Violation>);

impl Violations {
    pub(crate) fn from_vec(v: Vec<Violation>) -> Self {
        Violations(v)
    }

    /// The violations, a parent node's before its children's.
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    /// Consumes the collection, returning the violations.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }

    /// Whether any violation breaks `rule`.
    pub fn contains_rule(&self, rule: Rule) -> bool {
        self.0.iter().any(|v| v.rule == rule)
    }
}

impl std::ops::Deref for Violations {
    type Target = [Violation];
    fn deref(&self) -> &[Violation] {
        &self.0
    }
}

impl IntoIterator for Violations {
    type Item = Violation;
    type IntoIter = std::vec::IntoIter<Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Violations> for Vec<Violation> {
    fn from(v: Violations) -> Self {
        v.0
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(
            f,
            "schema is not valid in OpenAI strict mode ({n} violation{})",
            if n == 1 { "" } else { "s" }
        )?;
        for v in &self.0 {
            write!(f, "\n  - {v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

/// Why a function or response-format name is not accepted by OpenAI.
///
/// The rule is `^[a-zA-Z0-9_-]{1,64}$` (Chat Completions `FunctionObject.name`
/// and `ResponseFormatJsonSchema.name`; the Responses API allows 128 characters,
/// so 64 works for both).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameError {
    /// The name is empty.
    Empty,
    /// The name is longer than 64 characters.
    TooLong {
        /// Length of the name in characters.
        len: usize,
    },
    /// The name contains a character outside `a-z`, `A-Z`, `0-9`, `_`, `-`.
    InvalidChar {
        /// The first offending character.
        ch: char,
        /// Its byte index in the name.
        index: usize,
    },
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => f.write_str("name is empty"),
            NameError::TooLong { len } => {
                write!(f, "name is {len} characters long, the maximum is 64")
            }
            NameError::InvalidChar { ch, index } => write!(
                f,
                "name contains {ch:?} at byte {index}; only a-z, A-Z, 0-9, '_' and '-' are allowed"
            ),
        }?;
        f.write_str(" (OpenAI names must match ^[a-zA-Z0-9_-]{1,64}$)")
    }
}

impl std::error::Error for NameError {}

/// Whether `name` is a valid OpenAI function / response-format name
/// (`^[a-zA-Z0-9_-]{1,64}$`).
///
/// `const`, so generated code can check names at compile time:
///
/// ```
/// const _: () = assert!(chat_api::strict::is_valid_name("get_weather"));
/// assert!(!chat_api::strict::is_valid_name("get weather"));
/// ```
pub const fn is_valid_name(name: &str) -> bool {
    name_problem(name).is_none()
}

/// What is wrong with a name, if anything: the one implementation of the
/// rule, `const` so that derived code checks names at compile time.
const fn name_problem(name: &str) -> Option<NameProblem> {
    let bytes = name.as_bytes();
    if bytes.is_empty() {
        return Some(NameProblem::Empty);
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            return Some(NameProblem::InvalidAt(i));
        }
        i += 1;
    }
    // Only ASCII is left, so bytes == characters.
    if bytes.len() > limits::MAX_NAME_LEN {
        return Some(NameProblem::TooLong);
    }
    None
}

/// [`NameError`] without the offending character, which a `const fn` cannot
/// decode.
enum NameProblem {
    Empty,
    TooLong,
    /// Byte index of the first character outside the allowed set; every
    /// byte before it is ASCII, so it is a character boundary.
    InvalidAt(usize),
}

/// Checks a function or response-format name against OpenAI's
/// `^[a-zA-Z0-9_-]{1,64}$`, saying what is wrong.
///
/// ```
/// use chat_api::strict::{validate_name, NameError};
///
/// assert!(validate_name("get_weather").is_ok());
/// assert_eq!(
///     validate_name("get.weather"),
///     Err(NameError::InvalidChar { ch: '.', index: 3 })
/// );
/// ```
pub fn validate_name(name: &str) -> Result<(), NameError> {
    match name_problem(name) {
        None => Ok(()),
        Some(NameProblem::Empty) => Err(NameError::Empty),
        Some(NameProblem::TooLong) => Err(NameError::TooLong { len: name.len() }),
        Some(NameProblem::InvalidAt(index)) => Err(NameError::InvalidChar {
            // A boundary (see `InvalidAt`) inside a non-empty tail.
            ch: name[index..]
                .chars()
                .next()
                .unwrap_or(char::REPLACEMENT_CHARACTER),
            index,
        }),
    }
}
