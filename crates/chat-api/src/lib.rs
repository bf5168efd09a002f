//! Typed client for OpenAI's Chat Completions API.
//!
//! The types in [`types`] are generated from the checked-in OpenAPI spec by
//! `cargo xtask codegen`; everything else is hand-written runtime.
#![warn(missing_docs)]

#[doc(hidden)]
pub mod __private;
// Generated code is formatted by prettyplease in `cargo xtask codegen`;
// rustfmt must not reformat it, or `codegen --check` would see it as stale.
#[rustfmt::skip]
mod generated;
mod message;
mod parse;
pub mod strict;

pub use generated::types;
pub use parse::{JsonError, ParseError};

pub mod tool;

/// Derives [`Tool`](trait@Tool) (structs) and [`tool::StrictSchema`] (structs and enums).
///
/// The type's doc comment is the description and field docs describe the
/// properties; `#[tool(name = "...", description = "...", strict = false)]`
/// override them. serde's attributes are honoured as serde applies them.
/// Shapes strict mode cannot express (maps, `serde_json::Value`, tuples, an
/// enum as the root) are compile errors on the offending field.
///
/// ```
/// use chat_api::Tool;
/// use serde::Deserialize;
///
/// /// Book a table.
/// #[derive(Deserialize, Tool)]
/// #[serde(rename_all = "camelCase")]
/// struct BookTable {
///     /// How many people.
///     party_size: u8,
///     time: Option<String>,
///     #[serde(skip)]
///     internal: u32,
/// }
///
/// let schema = BookTable::parameters();
/// assert_eq!(schema["required"], serde_json::json!(["partySize", "time"]));
/// assert_eq!(BookTable::tool().function.strict, Some(true));
/// ```
pub use chat_api_derive::Tool;

/// Turns a free function (sync or async) into a tool: generates
/// `<PascalName>Args`, which implements [`Tool`](trait@Tool) and has a
/// `call` method; the function stays callable as written.
///
/// The function doc is the description, parameter docs describe the
/// properties, and a parameter marked `#[tool(context)]` is passed to `call`
/// and left out of the schema. Use it by path (`#[chat_api::tool]`): an
/// imported `tool` would be ambiguous with the derive's `#[tool(...)]` helper.
///
/// ```
/// use chat_api::Tool;
///
/// /// Look a word up in the dictionary.
/// #[chat_api::tool]
/// fn define(
///     /// The word to look up.
///     word: String,
/// ) -> String {
///     format!("{word}: a word")
/// }
///
/// assert_eq!(DefineArgs::NAME, "define");
/// let args: DefineArgs = serde_json::from_str(r#"{"word": "tool"}"#).unwrap();
/// assert_eq!(args.call(), "tool: a word");
/// ```
pub use chat_api_derive::tool;
pub use tool::{Tool, response_format, try_response_format};

/// What `#[derive(Tool)]` and `#[tool]` expand to, so users depend on
/// `chat-api` alone. Not public API.
#[doc(hidden)]
pub mod __derive {
    pub use crate::tool::private::*;
    pub use crate::tool::{Schema, SchemaGenerator, StrictSchema, Tool};
}
