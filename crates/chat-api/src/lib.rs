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

pub use tool::Tool;
pub use chat_api_derive::{Tool, tool};

#[doc(hidden)]
pub mod __private {
    pub use crate::tool::private::*;
    pub use crate::tool::{Schema, SchemaGenerator, StrictSchema, Tool};
}
