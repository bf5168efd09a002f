//! The paths generated code names (`crate::__private::…`), in one place so
//! the generator has a single prefix to emit. Not part of the public API:
//! names here may change in any release. The code itself lives in named
//! modules.

pub use http::Method;

pub use crate::deserialize::{
    StringEnumVisitor, extra_without_role, null_as_default, tagged, unknown_tag, variant,
};
pub use crate::pagination::{CursorQuery, Page, paginate};
pub use crate::preflight::{Number, check_items, check_length, check_range};
pub use crate::request::{Call, encode_path};
pub use crate::telemetry::RequestSpan;

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
