//! The typed stream over a `text/event-stream` body.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::LazyLock;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http::{HeaderMap, StatusCode};

use super::parser::{self, Parser};
use crate::error::{ApiError, BoxError, Error, Result};

type ByteStream = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, BoxError>> + Send>>;

/// A stream of typed items decoded from a `text/event-stream` body.
///
/// It reads the body as it is polled (no background task) and closes the
/// connection when dropped. The stream ends at `data: [DONE]` or when the
/// body ends. An error sent inside the stream (`event: error` with any data,
/// or a `{"error": …}` payload) is yielded as [`Error::Api`] and ends the
/// stream; an item that does not decode is yielded as [`Error::Decode`] and
/// the stream goes on. A body that breaks off yields [`Error::Stream`], an
/// event larger than [`max_event_size`](Self::max_event_size) an
/// [`Error::Stream`] that says so, and a silence longer than the
/// [`idle_timeout`](Self::idle_timeout) an [`Error::Stalled`]; each of these
/// ends the stream.
///
/// Chat completions have their own stream type, which also folds the chunks:
/// [`ChatCompletionStream`](crate::ChatCompletionStream). This one decodes any
/// byte stream, from a proxy, a recorded file or another HTTP client:
///
/// ```
/// # fn main() -> chat_api::Result<()> { futures::executor::block_on(async {
/// use chat_api::sse::EventStream;
/// use futures::StreamExt;
///
/// let recorded = "data: {\"n\": 1}\n\n: keepalive\n\ndata: {\"n\": 2}\n\ndata: [DONE]\n\n";
/// // Any `Stream<Item = Result<Bytes, E>>`; here the file in two pieces.
/// let (a, b) = recorded.split_at(10);
/// let bytes = futures::stream::iter([a, b].map(|s| Ok::<_, std::io::Error>(bytes::Bytes::from(s))));
/// let items: Vec<serde_json::Value> = EventStream::from_bytes(bytes)
///     .map(|item| item.unwrap())
///     .collect()
///     .await;
/// assert_eq!(items, [serde_json::json!({"n": 1}), serde_json::json!({"n": 2})]);
/// # Ok(()) }) }
/// ```
pub struct EventStream<T> {
    body: Option<ByteStream>,
    parser: Parser,
    status: StatusCode,
    headers: HeaderMap,
    idle_timeout: Option<Duration>,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Whether `idle` counts from the latest bytes; re-armed lazily, on the
    /// first wait after bytes arrived, so a chunk costs at most one clock
    /// read and a `Pending` poll none.
    idle_armed: bool,
    done: bool,
    /// Whether the server said the stream was complete (`data: [DONE]`).
    saw_done: bool,
    /// Tells a decoded item that is really an error object (one with an
    /// `error` member). Without it every event's text is searched for
    /// `"error"` before decoding; with it only an event that fails to decode is.
    error_probe: Option<fn(&T) -> bool>,
    _item: PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for EventStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.status)
            .field("request_id", &self.request_id())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> EventStream<T> {
    /// Decodes the `text/event-stream` in `bytes`, with no idle timeout and
    /// the default [`max_event_size`](Self::max_event_size). Status and
    /// headers are `200 OK` and empty: the bytes came without them.
    pub fn from_bytes<S, E>(bytes: S) -> Self
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        use futures_util::TryStreamExt;
        Self::from_parts(
            StatusCode::OK,
            HeaderMap::new(),
            Box::pin(bytes.map_err(Into::into)),
        )
    }

    /// Decodes the body of a `reqwest` response (from
    /// [`Client::send_raw`](crate::Client::send_raw), say), keeping its
    /// status and headers.
    pub fn from_response(response: reqwest::Response) -> Self {
        use futures_util::TryStreamExt;
        let status = response.status();
        let headers = response.headers().clone();
        Self::from_parts(
            status,
            headers,
            Box::pin(response.bytes_stream().map_err(BoxError::from)),
        )
    }

    fn from_parts(status: StatusCode, headers: HeaderMap, body: ByteStream) -> Self {
        EventStream {
            body: Some(body),
            parser: Parser::default(),
            status,
            headers,
            idle_timeout: None,
            idle: None,
            idle_armed: false,
            done: false,
            saw_done: false,
            error_probe: None,
            _item: PhantomData,
        }
    }

    /// Ends the stream with [`Error::Stalled`] when no bytes arrive for
    /// `timeout` (`None`: wait forever). Needs a tokio runtime with timers.
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Ends the stream with an [`Error::Stream`] when one event (or one line)
    /// holds more than `bytes` bytes; the default is 16 MiB.
    #[must_use]
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.parser = Parser::new(bytes);
        self
    }

    /// Recognizes error objects by looking at the decoded item (for an item
    /// type that keeps unknown members, such as the chat chunk's `extra`),
    /// which spares a text search of every event.
    pub(crate) fn error_probe(mut self, probe: fn(&T) -> bool) -> Self {
        self.error_probe = Some(probe);
        self
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `x-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        crate::error::request_id(&self.headers)
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Whether the server marked the end of the stream with `data: [DONE]`.
    pub fn saw_done(&self) -> bool {
        self.saw_done
    }

    fn finish(&mut self) {
        self.done = true;
        // Dropping the body closes the connection now rather than when the
        // caller drops the stream.
        self.body = None;
        self.idle = None;
        self.parser.clear_events();
    }

    fn fail(&mut self, error: Error) -> Poll<Option<Result<T>>> {
        self.finish();
        Poll::Ready(Some(Err(error)))
    }

    /// Whether the idle timer ran out; arms it on the first wait after bytes.
    fn stalled(&mut self, cx: &mut Context<'_>) -> Option<Duration> {
        let limit = self.idle_timeout?;
        if !self.idle_armed {
            // Counted from the first wait after bytes: time the caller spends
            // between polls is not the server's silence. A limit too far out
            // to represent (`Duration::MAX`) means no limit.
            let deadline = tokio::time::Instant::now().checked_add(limit)?;
            match self.idle.as_mut() {
                Some(idle) => idle.as_mut().reset(deadline),
                None => self.idle = Some(Box::pin(tokio::time::sleep_until(deadline))),
            }
            self.idle_armed = true;
        }
        let idle = self.idle.as_mut()?;
        idle.as_mut().poll(cx).is_ready().then_some(limit)
    }
}

/// Built once: a finder's setup costs as much as scanning a small chunk.
static ERROR_KEY: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new(b"\"error\""));

/// Whether `data` is an object with a non-null `error` member (OpenAI's
/// mid-stream error, and gateways' error chunks that also carry `choices`).
fn carries_error(data: &str) -> bool {
    // The search first, so ordinary items are parsed only once.
    ERROR_KEY.find(data.as_bytes()).is_some()
        && serde_json::from_str::<serde_json::Value>(data)
            .is_ok_and(|value| is_error_member(value.get("error")))
}

/// Whether an object's `error` member marks it as an error object: present
/// and not `null`. The one rule for the text check above and for
/// [`EventStream::error_probe`]s.
pub(crate) fn is_error_member(error: Option<&serde_json::Value>) -> bool {
    error.is_some_and(|e| !e.is_null())
}

enum Action<T> {
    Skip,
    End,
    Yield(Result<T>),
}

impl<T: serde::de::DeserializeOwned> EventStream<T> {
    fn handle(&self, event: parser::Event) -> Action<T> {
        // UTF-8 is checked once here, over the whole event, so the decode
        // below reads `&str` and does not check every string again.
        let text = match std::str::from_utf8(&event.data) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(&event.data),
        };
        // JSON's whitespace is ASCII; so is what servers pad `[DONE]` with.
        let data = text.trim_ascii();
        if data == "[DONE]" {
            return Action::End;
        }
        match event.event.as_deref() {
            Some("error") => return Action::Yield(Err(self.api_error(&text))),
            // Steady ends with `event: done` / `data: {}` (after `[DONE]`, or
            // instead of it); keepalives carry no item.
            Some("done" | "ping" | "keepalive") => return Action::Skip,
            _ => {}
        }
        if data.is_empty() {
            return Action::Skip;
        }
        if let Some(probe) = self.error_probe {
            return Action::Yield(match Error::decode_str::<T>(data) {
                Ok(item) if probe(&item) => Err(self.api_error(data)),
                Ok(item) => Ok(item),
                Err(_) if carries_error(data) => Err(self.api_error(data)),
                Err(err) => Err(err),
            });
        }
        if carries_error(data) {
            return Action::Yield(Err(self.api_error(data)));
        }
        Action::Yield(Error::decode_str(data))
    }

    fn api_error(&self, data: &str) -> Error {
        let mut error = ApiError::from_body(self.status, data.as_bytes());
        error.request_id = crate::error::request_id(&self.headers).map(str::to_owned);
        error.headers = self.headers.clone();
        error.in_stream = true;
        error.into()
    }
}

impl<T: serde::de::DeserializeOwned> Stream for EventStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(event) = this.parser.next_event() {
                match this.handle(event) {
                    Action::Skip => continue,
                    Action::End => {
                        this.saw_done = true;
                        this.finish();
                        return Poll::Ready(None);
                    }
                    Action::Yield(item) => {
                        if matches!(item, Err(Error::Api(_))) {
                            this.finish();
                        }
                        return Poll::Ready(Some(item));
                    }
                }
            }
            let Some(body) = this.body.as_mut() else {
                this.finish();
                return Poll::Ready(None);
            };
            match body.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(bytes))) => {
                    this.idle_armed = false;
                    if let Err(too_large) = this.parser.feed(&bytes) {
                        return this.fail(Error::Stream {
                            message: format!(
                                "an event exceeded {} bytes, the stream's max_event_size",
                                too_large.limit
                            ),
                            source: None,
                        });
                    }
                }
                Poll::Ready(Some(Err(err))) => {
                    let timed_out = err
                        .downcast_ref::<reqwest::Error>()
                        .is_some_and(reqwest::Error::is_timeout);
                    let message = if timed_out {
                        "timed out while reading the stream"
                    } else {
                        "the connection broke off mid-stream"
                    };
                    return this.fail(Error::Stream {
                        message: message.to_owned(),
                        source: Some(err),
                    });
                }
                Poll::Ready(None) => {
                    this.body = None;
                    this.idle = None;
                    this.parser.finish();
                    if !this.parser.has_events() {
                        this.finish();
                        return Poll::Ready(None);
                    }
                }
                Poll::Pending => {
                    if let Some(idle) = this.stalled(cx) {
                        return this.fail(Error::Stalled {
                            idle,
                            partial: None,
                        });
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    pub(crate) fn stream_of<T: 'static>(
        chunks: &[&'static [u8]],
        tail_error: bool,
    ) -> EventStream<T> {
        let mut items: Vec<std::result::Result<Bytes, BoxError>> =
            chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        if tail_error {
            // A genuine reqwest error without a network: a builder error from a bad URL.
            let err = reqwest::Client::new().get("http://[::1").build().err();
            if let Some(err) = err {
                items.push(Err(err.into()));
            }
        }
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req_s".parse().unwrap());
        EventStream::from_parts(
            StatusCode::OK,
            headers,
            Box::pin(futures_util::stream::iter(items)),
        )
    }

    async fn collect(s: EventStream<serde_json::Value>) -> Vec<Result<serde_json::Value>> {
        s.collect().await
    }

    pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[test]
    fn invalid_utf8_is_replaced_not_fatal() {
        let s = stream_of(&[b"data: {\"text\":\"a\xFFb\"}\n\n"], false);
        let out: Vec<_> = block_on(collect(s))
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(out, vec![serde_json::json!({"text": "a\u{fffd}b"})]);
    }

    #[test]
    fn done_ends_and_steady_trailer_is_ignored() {
        let s = stream_of(
            &[
                b": ping\n\ndata: {\"n\":",
                b"1}\n\ndata: {\"n\":2}\n\ndata: [DONE]\n\nevent: done\ndata: {}\n\n",
                b"data: {\"n\":3}\n\n",
            ],
            false,
        );
        assert_eq!(s.request_id(), Some("req_s"));
        let out: Vec<_> = block_on(collect(s))
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(
            out,
            vec![serde_json::json!({"n":1}), serde_json::json!({"n":2})]
        );
    }

    #[test]
    fn steady_out_of_the_box_ends_with_event_done_only() {
        let s = stream_of(&[b"data: {\"n\":1}\n\nevent: done\ndata: {}\n\n"], false);
        let out: Vec<_> = block_on(collect(s))
            .into_iter()
            .map(|r| r.unwrap())
            .collect();
        assert_eq!(out, vec![serde_json::json!({"n":1})]);
    }

    #[test]
    fn in_stream_error_object_is_an_api_error_and_ends() {
        let s = stream_of(
            &[b"data: {\"n\":1}\n\ndata: {\"error\": {\"message\": \"overloaded\", \"type\": \"server_error\", \"code\": null}}\n\ndata: {\"n\":2}\n\n"],
            false,
        );
        let out = block_on(collect(s));
        assert_eq!(out.len(), 2);
        match &out[1] {
            Err(Error::Api(e)) => {
                assert_eq!(e.message, "overloaded");
                assert_eq!(e.r#type.as_deref(), Some("server_error"));
                assert_eq!(e.request_id.as_deref(), Some("req_s"));
            }
            other => panic!("expected API error, got {other:?}"),
        }
        assert!(!out[1].as_ref().unwrap_err().is_retryable());
    }

    #[test]
    fn event_error_is_an_api_error() {
        let s = stream_of(&[b"event: error\ndata: {\"message\": \"bad\"}\n\n"], false);
        let out = block_on(collect(s));
        match &out[..] {
            // Not OpenAI's shape: the raw data becomes the message.
            [Err(Error::Api(e))] => assert!(e.message.contains("bad"), "{}", e.message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn content_mentioning_error_is_not_an_error() {
        let s = stream_of(&[b"data: {\"text\": \"\\\"error\\\": fine\"}\n\n"], false);
        let out = block_on(collect(s));
        assert!(out[0].is_ok(), "{out:?}");
    }

    #[test]
    fn decode_error_is_yielded_and_stream_continues() {
        let s = stream_of(&[b"data: {not json\n\ndata: {\"n\":2}\n\n"], false);
        let out = block_on(collect(s));
        assert!(matches!(out[0], Err(Error::Decode { .. })));
        assert_eq!(out[1].as_ref().unwrap(), &serde_json::json!({"n":2}));
    }

    #[test]
    fn body_error_becomes_stream_error() {
        let s = stream_of(&[b"data: {\"n\":1}\n\n"], true);
        let out = block_on(collect(s));
        assert_eq!(out.len(), 2);
        assert!(matches!(out[1], Err(Error::Stream { .. })), "{out:?}");
    }

    #[test]
    fn an_event_over_the_bound_ends_the_stream_with_a_clear_error() {
        let s = stream_of::<serde_json::Value>(
            &[
                b"data: {\"n\":1}\n\n",
                b"data: \"0123456789",
                b"0123456789\"\n\n",
            ],
            false,
        )
        .max_event_size(16);
        let out = block_on(collect(s));
        assert_eq!(out.len(), 2, "{out:?}");
        match &out[1] {
            Err(Error::Stream { message, .. }) => {
                assert!(
                    message.contains("16 bytes") && message.contains("max_event_size"),
                    "{message}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn saw_done_tells_done_from_a_closed_body() {
        let mut s = stream_of::<serde_json::Value>(&[b"data: {}\n\ndata: [DONE]\n\n"], false);
        block_on(async { while s.next().await.is_some() {} });
        assert!(s.saw_done());
        let mut s = stream_of::<serde_json::Value>(&[b"data: {}\n\n"], false);
        block_on(async { while s.next().await.is_some() {} });
        assert!(!s.saw_done());
    }

    #[test]
    fn from_bytes_takes_any_error_type() {
        let bytes = futures_util::stream::iter([
            Ok(Bytes::from_static(b"data: {\"n\":1}\n\n")),
            Err(std::io::Error::other("disk gone")),
        ]);
        let out = block_on(collect(EventStream::from_bytes(bytes)));
        assert!(out[0].is_ok());
        match &out[1] {
            Err(Error::Stream {
                source: Some(source),
                ..
            }) => {
                assert_eq!(source.to_string(), "disk gone");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn last_event_without_blank_line_is_delivered() {
        let s = stream_of(&[b"data: {\"n\":1}"], false);
        let out = block_on(collect(s));
        assert_eq!(out.len(), 1);
        assert!(out[0].is_ok());
    }
}
