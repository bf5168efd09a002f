//! The crate's error type.

use std::fmt;

use http::{HeaderMap, StatusCode};

use crate::config::ConfigError;
use crate::parse::{JsonError, ParseError};
use crate::toolbox::ToolboxError;

/// Boxed source error carried by some [`Error`] variants.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A `Result` whose error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Longest body excerpt kept in messages and decode snippets, in bytes.
const SNIPPET_LEN: usize = 400;

/// Everything that can go wrong when calling the API and reading its answer.
///
/// Match on the variant to tell the cases apart, or use the helpers
/// [`status`](Error::status), [`request_id`](Error::request_id) and
/// [`is_retryable`](Error::is_retryable). The crate's narrower errors
/// ([`ConfigError`], [`ParseError`], [`JsonError`], [`ToolboxError`])
/// convert into it, so `?` works on all of them in a function returning
/// [`chat_api::Result`](Result):
///
/// ```no_run
/// use chat_api::types::CreateChatCompletionRequest;
/// use chat_api::{Client, Tool};
///
/// #[derive(Debug, serde::Deserialize, Tool)]
/// struct Person {
///     name: String,
///     age: Option<u8>,
/// }
///
/// async fn extract(client: &Client, request: &CreateChatCompletionRequest) -> chat_api::Result<Person> {
///     Ok(client.create_chat_completion(request).await?.parse::<Person>()?)
/// }
/// ```
///
/// ```
/// # fn handle(err: chat_api::Error) {
/// match err {
///     chat_api::Error::Api(api) if api.status == 429 => eprintln!("rate limited: {}", api.message),
///     chat_api::Error::Api(api) => eprintln!("{} (request id {:?})", api.message, api.request_id),
///     chat_api::Error::Timeout => eprintln!("timed out"),
///     other => eprintln!("{other}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status, or sent an error inside a stream.
    // Boxed so that `Result<T, Error>` stays small (clippy's `result_large_err`).
    #[error(transparent)]
    Api(Box<ApiError>),
    /// The request (or a gap between two stream chunks) took longer than the timeout.
    #[error("request timed out")]
    Timeout,
    /// The request could not be sent or its response could not be read.
    #[error("connection error: {0}")]
    Connection(#[source] reqwest::Error),
    /// A response body did not match the expected type.
    #[error("failed to decode response at `{path}`: {message}; near: {snippet}")]
    Decode {
        /// Path of the offending field, e.g. `choices[0].message.role` (`.` for the root).
        path: String,
        /// What serde reported.
        message: String,
        /// A bounded excerpt of the body around the error.
        snippet: String,
    },
    /// A streaming response broke off or was malformed.
    #[error("stream error: {message}")]
    Stream {
        /// What went wrong.
        message: String,
        /// The underlying cause, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// The client, its builder or its [`RequestOptions`](crate::RequestOptions)
    /// were given a value that cannot be used: a missing API key, a
    /// malformed base URL, an invalid header, ….
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
    /// A completion's reply or a tool call's arguments could not be read as
    /// the requested type ([`parse`](crate::types::CreateChatCompletionResponse::parse),
    /// [`parse_arguments`](crate::types::ChatCompletionMessageToolCall::parse_arguments)):
    /// a refusal, a truncated reply, JSON of another shape, ….
    #[error("could not read the reply: {0}")]
    Parse(#[from] ParseError),
    /// A tool handler could not be added to a [`Toolbox`](crate::Toolbox)
    /// ([`try_with`](crate::Toolbox::try_with)).
    #[error("could not add the tool: {0}")]
    Toolbox(#[from] ToolboxError),
    /// A stream went silent for longer than its idle timeout
    /// ([`ClientBuilder::stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout)).
    /// The stream ends; what it delivered so far is kept.
    #[error("the stream stalled: nothing arrived for {idle:?} (the stream idle timeout)")]
    Stalled {
        /// The idle timeout that ran out.
        idle: std::time::Duration,
        /// For a chat completion stream, the completion folded from the chunks
        /// received before the stall; `None` before the first chunk.
        // Boxed so that `Result<T, Error>` stays small.
        partial: Option<Box<crate::types::CreateChatCompletionResponse>>,
    },
    /// A chat completion stream ended without `data: [DONE]` and without a
    /// finish reason for every choice: the answer was cut off. What it
    /// delivered so far is kept.
    #[error("the stream ended without [DONE] and before every choice had a finish reason")]
    Incomplete {
        /// The completion folded from the chunks received; `None` if none was.
        partial: Option<Box<crate::types::CreateChatCompletionResponse>>,
    },
    /// This request could not be built: a body or query that does not
    /// serialize, or that cannot carry `extra_body` or the streaming flag.
    #[error("invalid request: {message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
        /// The underlying cause, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// The bearer [`TokenSource`](crate::TokenSource) failed to give a token
    /// for an attempt.
    #[error("the bearer token source failed")]
    TokenSource(#[source] BoxError),
    /// [`Client::run_tools`](crate::Client::run_tools) used up the toolbox's
    /// [`max_rounds`](crate::Toolbox::max_rounds) and the model was still
    /// calling tools. The run so far is kept, tool results of the last round
    /// included, so it can be inspected or resumed with its `messages`.
    // Boxed: a whole conversation would make every `Result<T, Error>` large.
    #[error("the model was still calling tools after {} rounds (the toolbox's `max_rounds`)", .0.rounds)]
    ToolRounds(Box<crate::ToolRun>),
    /// Record and replay could not answer: no recording matches the request
    /// (with the nearest one and the difference), or a cassette file could
    /// not be read or written.
    #[cfg(feature = "cassettes")]
    #[error(transparent)]
    Cassette(Box<crate::cassette::CassetteError>),
}

/// An error reported by the server.
///
/// Built from OpenAI's `{"error": {"message", "type", "code", "param"}}` body.
/// When the body has another shape (a bare string under `error`, HTML from a
/// proxy, an empty body), `message` falls back to that string or a bounded
/// excerpt of the body, and the full text stays in `body`.
#[derive(Clone)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status. For an error sent inside a stream this is the status of the
    /// streaming response, usually 200.
    pub status: StatusCode,
    /// Human-readable message.
    pub message: String,
    /// OpenAI's error `type`, e.g. `invalid_request_error`.
    pub r#type: Option<String>,
    /// OpenAI's error `code`, e.g. `rate_limit_exceeded` (numbers are turned into strings).
    pub code: Option<String>,
    /// The request parameter the error is about, if any.
    pub param: Option<String>,
    /// The `x-request-id` response header: quote it when contacting support.
    pub request_id: Option<String>,
    /// The response headers (rate-limit headers live here).
    pub headers: HeaderMap,
    /// The raw error body, or the event data for an in-stream error.
    pub body: String,
    /// Sent inside a stream: part of the answer was consumed, so never retryable.
    pub(crate) in_stream: bool,
}

impl fmt::Debug for ApiError {
    // Headers are left out: they are long and rarely what a reader of a
    // Debug dump needs; they remain available on the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("type", &self.r#type)
            .field("code", &self.code)
            .field("param", &self.param)
            .field("request_id", &self.request_id)
            .field("body", &snippet(self.body.as_bytes(), 0))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "API error {}", self.status.as_u16())?;
        if let Some(kind) = &self.r#type {
            write!(f, " ({kind})")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(code) = &self.code {
            write!(f, " [code: {code}]")?;
        }
        if let Some(param) = &self.param {
            write!(f, " [param: {param}]")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id: {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Builds an error from a non-success response's status, headers and body.
    pub(crate) fn from_response(status: StatusCode, headers: HeaderMap, body: &[u8]) -> Self {
        let request_id = request_id(&headers).map(str::to_owned);
        let mut error = ApiError::from_body(status, body);
        error.request_id = request_id;
        error.headers = headers;
        error
    }

    /// Parses an error body; never fails, falling back to the raw text.
    pub(crate) fn from_body(status: StatusCode, body: &[u8]) -> Self {
        let text = String::from_utf8_lossy(body).into_owned();
        let mut error = ApiError {
            status,
            message: String::new(),
            r#type: None,
            code: None,
            param: None,
            request_id: None,
            headers: HeaderMap::new(),
            body: String::new(),
            in_stream: false,
        };
        let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        match parsed.as_ref().and_then(|v| v.get("error")) {
            Some(serde_json::Value::Object(obj)) => {
                error.message = obj
                    .get("message")
                    .and_then(value_to_string)
                    .unwrap_or_default();
                error.r#type = obj.get("type").and_then(value_to_string);
                error.code = obj.get("code").and_then(value_to_string);
                error.param = obj.get("param").and_then(value_to_string);
            }
            // Steady and some proxies send `{"error": "Validation failed", ...}`.
            Some(serde_json::Value::String(s)) => error.message = s.clone(),
            _ => {
                // Some servers put `message`/`detail` at the top level (e.g. problem+json).
                error.message = parsed
                    .as_ref()
                    .and_then(|v| v.get("message").or_else(|| v.get("detail")))
                    .and_then(value_to_string)
                    .unwrap_or_default();
            }
        }
        if error.message.is_empty() {
            error.message = if text.trim().is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("unknown error")
                    .to_owned()
            } else {
                snippet(body, 0)
            };
        }
        error.body = text;
        error
    }
}

fn value_to_string(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Reads the `x-request-id` header.
pub(crate) fn request_id(headers: &HeaderMap) -> Option<&str> {
    headers.get("x-request-id").and_then(|v| v.to_str().ok())
}

impl Error {
    /// The HTTP status of an [`Error::Api`], if this is one.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The rate limits reported by the failed response of an
    /// [`Error::Api`] (`x-ratelimit-*`, `retry-after`), if any.
    ///
    /// ```no_run
    /// # async fn demo(client: chat_api::Client, request: chat_api::types::CreateChatCompletionRequest) {
    /// if let Err(err) = client.create_chat_completion(&request).await {
    ///     if let Some(wait) = err.rate_limits().and_then(|l| l.retry_after) {
    ///         eprintln!("rate limited; the server asks to wait {wait:?}");
    ///     }
    /// }
    /// # }
    /// ```
    pub fn rate_limits(&self) -> Option<crate::RateLimits> {
        crate::RateLimits::from_headers(&self.as_api_error()?.headers)
    }

    /// The `x-request-id` of the failed response, if the server sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error details, if this is an [`Error::Api`].
    pub fn as_api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed.
    ///
    /// True for timeouts, connection errors and API errors with status 408,
    /// 409, 429 or 5xx, unless the server said otherwise with
    /// `x-should-retry: true|false`. Errors that end a stream part-way
    /// (in-stream API errors, [`Error::Stalled`], [`Error::Incomplete`]) are
    /// never retryable: part of the answer has already been consumed, and
    /// only the caller knows whether to keep it or ask again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => {
                !e.in_stream && crate::retry::should_retry_status(e.status, &e.headers)
            }
            Error::Timeout | Error::Connection(_) => true,
            Error::Decode { .. }
            | Error::TokenSource(_)
            | Error::Stream { .. }
            | Error::Config(_)
            | Error::Parse(_)
            | Error::Toolbox(_)
            | Error::Stalled { .. }
            | Error::Incomplete { .. }
            | Error::InvalidRequest { .. }
            | Error::ToolRounds(_) => false,
            #[cfg(feature = "cassettes")]
            Error::Cassette(_) => false,
        }
    }

    /// For [`Error::Stalled`] and [`Error::Incomplete`], the completion
    /// folded from the chunks received before the stream failed, so a caller
    /// can keep it or retry with it in mind.
    pub fn partial_completion(&self) -> Option<&crate::types::CreateChatCompletionResponse> {
        match self {
            Error::Stalled { partial, .. } | Error::Incomplete { partial } => partial.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn invalid_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::InvalidRequest {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// Maps a reqwest error, keeping timeouts apart from other transport failures.
    pub(crate) fn from_reqwest(err: reqwest::Error) -> Self {
        if err.is_timeout() {
            Error::Timeout
        } else if err.is_builder() {
            Error::invalid_with("could not build the HTTP request", err)
        } else {
            Error::Connection(err)
        }
    }

    /// [`Error::decode`] of text already known to be UTF-8 (an SSE event's
    /// data): the happy path skips serde_json's second UTF-8 validation of
    /// every string, a sixth of the stream path's cost (callgrind,
    /// `crates/chat-api-bench/examples/profile.rs stream`).
    pub(crate) fn decode_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
        serde_json::from_str::<T>(text).or_else(|_| Self::decode_naming_path(text.as_bytes()))
    }

    /// Decodes `body` as `T`, naming the failing field and quoting the body around it.
    pub(crate) fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
        // The happy path decodes directly: tracking the field path costs
        // about half again as much (crates/chat-api-bench). Only a body that
        // fails is decoded a second time, to name where it failed.
        // `from_slice` also rejects trailing garbage after the document.
        serde_json::from_slice::<T>(body).or_else(|_| Self::decode_naming_path(body))
    }

    /// The second, slower decode of a body that failed: through
    /// `serde_path_to_error`, for the path and a snippet of the body.
    fn decode_naming_path<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T> {
        let to_error = |path: String, inner: serde_json::Error| {
            let offset = byte_offset(body, inner.line(), inner.column());
            Error::Decode {
                path,
                message: inner.to_string(),
                snippet: snippet(body, offset),
            }
        };
        let mut de = serde_json::Deserializer::from_slice(body);
        let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
            let path = err.path().to_string();
            to_error(path, err.into_inner())
        })?;
        // Trailing garbage after a valid document is an error too.
        de.end().map_err(|e| to_error(".".to_owned(), e))?;
        Ok(value)
    }
}

#[cfg(feature = "cassettes")]
impl From<crate::cassette::CassetteError> for Error {
    fn from(e: crate::cassette::CassetteError) -> Self {
        Error::Cassette(Box::new(e))
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

/// A tool call's arguments that do not fit: an [`Error::Parse`] holding
/// [`ParseError::Json`].
impl From<JsonError> for Error {
    fn from(e: JsonError) -> Self {
        Error::Parse(ParseError::Json(e))
    }
}

/// Streamed content that does not fit a partial type: an [`Error::Parse`]
/// holding [`ParseError::Partial`].
impl From<crate::schema::PartialError> for Error {
    fn from(e: crate::schema::PartialError) -> Self {
        Error::Parse(ParseError::Partial(e))
    }
}

/// Converts serde_json's 1-based line/column into a byte offset into `body`.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let mut start = 0;
    for _ in 1..line {
        match body[start..].iter().position(|&b| b == b'\n') {
            Some(i) => start += i + 1,
            None => return body.len(),
        }
    }
    (start + column.saturating_sub(1)).min(body.len())
}

/// A lossy UTF-8 excerpt of at most [`SNIPPET_LEN`] bytes centred on `offset`.
pub(crate) fn snippet(body: &[u8], offset: usize) -> String {
    let offset = offset.min(body.len());
    let start = offset.saturating_sub(SNIPPET_LEN / 2);
    let end = (start + SNIPPET_LEN).min(body.len());
    let start = end.saturating_sub(SNIPPET_LEN).min(start);
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    // Lossy decoding may turn a cut multi-byte character into U+FFFD: harmless in an excerpt.
    out.push_str(&String::from_utf8_lossy(&body[start..end]));
    if end < body.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_openai_error_shape() {
        let body = br#"{"error": {"message": "Rate limit reached", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}"#;
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req_123".parse().unwrap());
        let e = ApiError::from_response(StatusCode::TOO_MANY_REQUESTS, headers, body);
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(e.message, "Rate limit reached");
        assert_eq!(e.r#type.as_deref(), Some("requests"));
        assert_eq!(e.code.as_deref(), Some("rate_limit_exceeded"));
        assert_eq!(e.param, None);
        assert_eq!(e.request_id.as_deref(), Some("req_123"));
        let err = Error::from(e);
        assert_eq!(err.request_id(), Some("req_123"));
        assert_eq!(err.status(), Some(StatusCode::TOO_MANY_REQUESTS));
        assert!(err.is_retryable());
        let shown = err.to_string();
        assert!(
            shown.contains("429")
                && shown.contains("Rate limit reached")
                && shown.contains("req_123"),
            "{shown}"
        );
    }

    #[test]
    fn numeric_code_becomes_string() {
        let e = ApiError::from_body(
            StatusCode::BAD_REQUEST,
            br#"{"error":{"message":"m","code":42}}"#,
        );
        assert_eq!(e.code.as_deref(), Some("42"));
        assert!(!Error::from(e).is_retryable());
    }

    #[test]
    fn falls_back_on_string_error_and_raw_body() {
        let e = ApiError::from_body(
            StatusCode::BAD_REQUEST,
            br#"{"error": "Validation failed", "details": []}"#,
        );
        assert_eq!(e.message, "Validation failed");
        assert_eq!(e.r#type, None);
        assert!(e.body.contains("details"));

        let e = ApiError::from_body(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>");
        assert_eq!(e.message, "<html>bad gateway</html>");

        let e = ApiError::from_body(StatusCode::SERVICE_UNAVAILABLE, b"");
        assert_eq!(e.message, "Service Unavailable");

        let long = vec![b'x'; 10_000];
        let e = ApiError::from_body(StatusCode::INTERNAL_SERVER_ERROR, &long);
        assert!(
            e.message.len() <= SNIPPET_LEN + 8,
            "message must be bounded"
        );
        assert_eq!(e.body.len(), 10_000);
    }

    #[test]
    fn problem_json_detail_is_used() {
        let e = ApiError::from_body(
            StatusCode::UNPROCESSABLE_ENTITY,
            br#"{"type":"https://x","title":"Invalid request","detail":"Your request is not valid"}"#,
        );
        assert_eq!(e.message, "Your request is not valid");
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Outer {
        choices: Vec<Choice>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Choice {
        index: u32,
    }

    #[test]
    fn decode_error_names_path_and_quotes_body() {
        let body = br#"{"choices": [{"index": 0}, {"index": "one"}]}"#;
        match Error::decode::<Outer>(body) {
            Err(Error::Decode {
                path,
                message,
                snippet,
            }) => {
                assert_eq!(path, "choices[1].index");
                assert!(message.contains("invalid type"), "{message}");
                assert!(snippet.contains(r#""one""#), "{snippet}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn decode_snippet_is_bounded_and_centred() {
        let mut body = String::from(r#"{"choices": ["#);
        for _ in 0..500 {
            body.push_str(r#"{"index": 1},"#);
        }
        body.push_str(r#"{"index": true}]}"#);
        match Error::decode::<Outer>(body.as_bytes()) {
            Err(Error::Decode { path, snippet, .. }) => {
                assert_eq!(path, "choices[500].index");
                assert!(snippet.len() <= SNIPPET_LEN + 8);
                assert!(snippet.contains("true"), "{snippet}");
            }
            other => panic!("expected a decode error, got {other:?}"),
        }
    }

    #[test]
    fn decode_rejects_trailing_garbage() {
        assert!(matches!(
            Error::decode::<serde_json::Value>(b"{} x"),
            Err(Error::Decode { .. })
        ));
    }

    #[test]
    fn snippet_handles_offsets() {
        assert_eq!(snippet(b"abc", 99), "abc");
        assert_eq!(byte_offset(b"ab\ncd", 2, 2), 4);
        assert_eq!(byte_offset(b"ab", 5, 1), 2);
    }
}
