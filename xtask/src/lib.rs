//! Maintainer tasks for the workspace: extracting the Chat Completions part
//! of OpenAI's OpenAPI spec, and generating the typed `chat-api` code from it.
//!
//! The pipeline is spec → typed model ([`openapi`]) → IR ([`lower`], [`ir`],
//! [`analyze`]) → tokens ([`emit`]) → `syn::File` → `prettyplease`.

pub mod analyze;
pub mod checks;
pub mod codegen;
pub mod docs;
pub mod emit;
pub mod error;
pub mod ir;
pub mod lower;
pub mod names;
pub mod openapi;
pub mod overlay;
pub mod scratch;
pub mod settings;
pub mod spec;
