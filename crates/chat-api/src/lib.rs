//! Typed client for OpenAI's Chat Completions API.
//!
//! The types in [`types`] are generated from the checked-in OpenAPI spec by
//! `cargo xtask codegen`; everything else is hand-written runtime.
#![warn(missing_docs)]

mod generated;
pub mod strict;

pub use generated::types;
