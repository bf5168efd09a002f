//! Typed client for OpenAI's Chat Completions API.
//!
//! The types in [`types`] are generated from the checked-in OpenAPI spec by
//! `cargo xtask codegen`; everything else is hand-written runtime.
#![warn(missing_docs)]

mod __private;
mod generated;
pub mod strict;

pub use generated::types;

pub mod tool;

pub use chat_api_derive::{Tool, tool};
pub use tool::{Tool, response_format, try_response_format};

/// What `#[derive(Tool)]` and `#[tool]` expand to, so users depend on
/// `chat-api` alone. Not public API.
#[doc(hidden)]
pub mod __derive {
    pub use crate::tool::private::*;
    pub use crate::tool::{Schema, SchemaGenerator, StrictSchema, Tool};
}
