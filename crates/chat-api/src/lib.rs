//! Typed client for OpenAI's Chat Completions API.
//!
//! The types in [`types`] are generated from the checked-in OpenAPI spec by
//! `cargo xtask codegen`; everything else is hand-written runtime.
#![warn(missing_docs)]

#[doc(hidden)]
pub mod __private;
mod generated;
mod message;
pub mod strict;

pub use generated::types;
