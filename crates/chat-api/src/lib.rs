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
pub mod strict;

pub use generated::types;
