//! Typed client for OpenAI's Chat Completions API.
//!
//! The types in [`types`] are generated from the checked-in OpenAPI spec by
//! `cargo xtask codegen`; everything else is hand-written runtime.
//!
//! ```no_run
//! # async fn demo() -> chat_api::Result<()> {
//! use chat_api::{Client, RequestOptions};
//!
//! let client = Client::from_env()?;
//! // Any OpenAI-compatible server, with fields the spec does not know:
//! let local = Client::builder()
//!     .base_url("http://127.0.0.1:8080/v1")
//!     .build()?
//!     .with_options(RequestOptions::new().extra_body(serde_json::json!({"top_k": 20})));
//! # let _ = (client, local); Ok(()) }
//! ```
//!
//! Requests time out after 600 s and are retried twice on transient
//! failures (see [`Client`]); errors are one [`Error`] enum. The runtime
//! needs a tokio runtime with timers enabled, as reqwest does.
//!
//! # Features
//!
//! - `rustls` (default), `rustls-aws-lc`, `native-tls`: the TLS backend,
//!   see [TLS](#tls).
//! - `cassettes`: record and replay (`chat_api::cassette`, `ClientBuilder::cassettes`).
//! - `tracing`: spans per request and attempt (OpenTelemetry GenAI conventions).
//! - `schemars`: `#[tool(schemars)]` for foreign types with a schemars
//!   `JsonSchema` impl.
//!
//! # TLS
//!
//! The client chat-api builds for itself (everything but
//! [`ClientBuilder::http_client`]) gets its TLS from one of these features:
//!
//! | feature | TLS by | for |
//! | --- | --- | --- |
//! | `rustls` (default) | rustls with the **ring** crypto provider, certificates checked by the platform verifier | most programs: no C library to build beyond ring's small one |
//! | `rustls-aws-lc` | rustls with **aws-lc-rs**, reqwest's own default | FIPS-capable builds, faster handshakes; builds aws-lc-sys from C |
//! | `native-tls` | the platform's library: OpenSSL on Linux (needs `libssl-dev` and `pkg-config` to build), SChannel on Windows, Security.framework on macOS | using the system's TLS and its configuration |
//! | none: `default-features = false` | nothing: plain `http://` only | local servers (llama.cpp, Ollama, vLLM on localhost) |
//!
//! ```toml
//! chat-api = { version = "0.1", default-features = false, features = ["native-tls"] }
//! ```
//!
//! **`rustls` installs a process-wide default.** reqwest reads rustls's
//! crypto provider from the process default only
//! (`CryptoProvider::get_default`), and panics without one. So when
//! [`ClientBuilder::build`] creates its `reqwest::Client` and no provider is
//! installed yet, it installs ring's as the process default; later rustls
//! users in the same process (other HTTP clients, say) then get ring too.
//! A provider the application installed before the first `build` is kept.
//! With `rustls-aws-lc` or `native-tls` also enabled nothing is installed
//! (reqwest falls back to aws-lc-rs, or uses the platform's library).
//!
//! **Without a TLS feature** only `http://` works: a request to an
//! `https://` URL fails, before anything is sent, with
//! [`ConfigError::TlsNotEnabled`] naming the features (unless a
//! `reqwest::Client` with TLS was given to [`ClientBuilder::http_client`]).
//!
//! A clean `cargo build --release` of a small HTTPS chat program, CPU time
//! (user + sys) against the same program on async-openai 0.43 (135 crates,
//! aws-lc-rs), measured on 2 cores with rustc 1.95 (the script and all runs:
//! `crates/chat-api-bench/build-cost/` in the repository):
//!
//! | features | crates | CPU vs async-openai |
//! | --- | ---: | ---: |
//! | `rustls` (default) | 107 | 0.76x (0.76–0.81x over three runs) |
//! | `rustls-aws-lc` | 111 | 1.07x |
//! | `native-tls` | 108 | 0.67x |
//! | none | 90 | 0.57x |
#![warn(missing_docs)]

#[doc(hidden)]
pub mod __private;
mod accumulate;
mod azure;
#[cfg(feature = "cassettes")]
pub mod cassette;
mod chat_stream;
mod client;
mod completion_request;
mod config;
mod content_part;
mod deserialize;
mod error;
mod extra;
// Generated code is formatted by prettyplease in `cargo xtask codegen`;
// rustfmt must not reformat it, or `codegen --check` would see it as stale.
#[rustfmt::skip]
mod generated;
mod message;
mod options;
mod pagination;
mod parse;
pub mod partial_json;
pub mod preflight;
mod rate_limit;
mod request;
mod retry;
pub mod sse;
pub mod strict;
mod telemetry;
mod tls;
mod tool_choice;
mod toolbox;
mod usage;

pub use accumulate::ChatCompletionAccumulator;
pub use azure::{AzureBuilder, TokenFuture, TokenSource};
pub use chat_stream::{ChatCompletionStream, ChatEvent, ChatEvents, ToolCallDone};
pub use client::{Client, ClientBuilder, Response};
pub use config::{ConfigError, Region, Secret};
pub use content_part::ContentPart;
pub use error::{ApiError, BoxError, Error, Result};
pub use extra::Extra;
pub use generated::types;
pub use options::RequestOptions;
pub use parse::{JsonError, ParseError};
pub use rate_limit::{RateLimit, RateLimits};
pub use tool_choice::ToolChoice;
pub use toolbox::{
    CallDecision, DEFAULT_MAX_ROUNDS, Flow, HandlerReturn, Json, ToolCallEnd, ToolCallStart,
    ToolHandler, ToolOutput, ToolResult, ToolRun, Toolbox, ToolboxError,
};

pub mod schema;

/// Derives [`Tool`](trait@Tool) (structs) and [`schema::StrictSchema`] (structs and enums).
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
pub use schema::{SchemaError, Tool, response_format, try_response_format};

/// The README's examples, compiled and checked as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
