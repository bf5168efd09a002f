//! OpenAI strict-mode size limits and the `format` allow-list.
//!
//! Figures are from the Structured Outputs guide as of July 2025 (they were
//! raised from 100 properties / 5 levels / 500 enum values / 15,000 and 7,500
//! characters). OpenAI does not say exactly how they are counted; [`validate`]
//! and the schemas `#[derive(Tool)]` builds are checked by the same code,
//! counting as described on each constant.
//!
//! [`validate`]: super::validate

/// Maximum number of object properties in the whole schema.
///
/// Counted once per `properties` entry in the document, `$defs` included;
/// a definition referenced several times is counted once.
pub const MAX_PROPERTIES: usize = 5000;

/// Maximum nesting depth of objects.
///
/// The guide states this under "Objects have limitations on nesting depth and
/// size", so every object schema on a path from the root is one level, the
/// root object included; arrays and `anyOf` are not levels of their own.
/// `$ref` is followed, and a recursive reference stops the count on that path
/// (recursion is allowed by OpenAI).
pub const MAX_NESTING_DEPTH: usize = 10;

/// Maximum number of `enum` values in the whole schema.
pub const MAX_ENUM_VALUES: usize = 1000;

/// Maximum total characters of all property names, `$defs` names, `enum`
/// values and `const` values. Non-string values count as their JSON text.
pub const MAX_TOTAL_STRING_CHARS: usize = 120_000;

/// A string `enum` with more values than this is subject to
/// [`LARGE_ENUM_MAX_CHARS`].
pub const LARGE_ENUM_THRESHOLD: usize = 250;

/// Maximum total characters of the values of one string `enum` with more
/// than [`LARGE_ENUM_THRESHOLD`] values.
pub const LARGE_ENUM_MAX_CHARS: usize = 15_000;

/// Maximum length of a function or response-format name.
pub const MAX_NAME_LEN: usize = 64;

/// The only `format` values strict mode accepts for strings.
pub const ALLOWED_FORMATS: [&str; 9] = [
    "date-time",
    "time",
    "date",
    "duration",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];
