//! The one hidden facade: every path generated code (`crate::__private::…`)
//! and derived code (`::chat_api::__private::…`, from `#[derive(Tool)]` and
//! `#[tool]`) names, in one place so each generator has a single prefix to
//! emit and users depend on `chat-api` alone. Not part of the public API:
//! names here may change in any release. The code itself lives in named
//! modules.

pub use http::Method;

pub use crate::deserialize::StringEnumVisitor;
pub use crate::deserialize::fields::{
    DecodeFields, Key, decode_struct, field, field_or_null, keep, optional, or_empty, required,
    skip,
};
pub use crate::deserialize::tagged::{DecodeTagged, collect, decode_tagged, unknown_tag, variant};
pub use crate::pagination::{CursorQuery, Page, paginate};
pub use crate::preflight::{Number, check_items, check_length, check_range};
pub use crate::request::{Call, encode_path};
pub use crate::telemetry::RequestSpan;

// ---- for `#[derive(Tool)]` and `#[tool]`
pub use crate::schema::private::*;
#[cfg(feature = "schemars")]
pub use crate::schema::schemars_schema;
// The trait and the derive macro, which share the name.
pub use crate::Tool;
pub use crate::schema::{
    Partial, PartialError, PartialValue, Schema, SchemaError, SchemaGenerator, StrictSchema,
};
pub use crate::strict::is_valid_name;
pub use crate::strict::limits::{MAX_ENUM_VALUES, MAX_PROPERTIES};
/// Inference markers of [`HandlerReturn`](crate::HandlerReturn); never named by users.
pub use crate::toolbox::marker as tool_marker;

/// What [`Client::execute_stream`](crate::Client::execute_stream) returns:
/// a stream built from a successful streaming response.
pub trait FromResponse {
    /// Wraps `response` with the request's idle timeout and event size bound.
    fn from_response(
        response: reqwest::Response,
        idle_timeout: Option<std::time::Duration>,
        max_event_size: usize,
    ) -> Self;

    /// Keeps the call's span for what happens after the headers (the
    /// stream's first chunk and its end); most streams have no use for it.
    fn with_telemetry(self, telemetry: RequestSpan) -> Self
    where
        Self: Sized,
    {
        let _ = telemetry;
        self
    }
}

impl<T> FromResponse for crate::sse::EventStream<T> {
    fn from_response(
        response: reqwest::Response,
        idle_timeout: Option<std::time::Duration>,
        max_event_size: usize,
    ) -> Self {
        Self::from_response(response)
            .idle_timeout(idle_timeout)
            .max_event_size(max_event_size)
    }
}

impl FromResponse for crate::ChatCompletionStream {
    fn from_response(
        response: reqwest::Response,
        idle_timeout: Option<std::time::Duration>,
        max_event_size: usize,
    ) -> Self {
        Self::from_response(response, idle_timeout, max_event_size)
    }

    fn with_telemetry(mut self, telemetry: RequestSpan) -> Self {
        self.telemetry = telemetry;
        self
    }
}
