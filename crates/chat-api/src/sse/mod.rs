//! Server-sent events (`text/event-stream`) decoded into typed items, from an
//! HTTP response or from any byte stream.
//!
//! The parser follows the WHATWG interpretation rules; [`EventStream`] adds
//! what OpenAI-style APIs put on top: `data: [DONE]` ends the stream, error
//! events become [`Error::Api`](crate::Error::Api), and idle and size bounds
//! keep a misbehaving server from hanging a caller or exhausting memory.

mod parser;
mod stream;

pub use parser::DEFAULT_MAX_EVENT_SIZE;
pub use stream::EventStream;
pub(crate) use stream::is_error_member;
