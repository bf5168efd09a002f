//! Typed server-sent event streams.

use std::any::{Any, TypeId};
use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http::{HeaderMap, StatusCode};

use crate::accumulate::ChatCompletionAccumulator;
use crate::error::{ApiError, Error, Result};
use crate::sse;
use crate::types::{CreateChatCompletionResponse, CreateChatCompletionStreamResponse};

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// A stream of typed events from a `text/event-stream` response, such as the
/// chunks of a streamed chat completion.
///
/// It reads the response as it is polled (no background task) and closes the
/// connection when dropped. The stream ends at `data: [DONE]` or when the
/// server closes the response. An error sent inside the stream (`event: error`
/// or `{"error": {...}}`) is yielded as [`Error::Api`] and ends the stream; a
/// chunk that does not decode is yielded as [`Error::Decode`] and the stream
/// goes on. A connection that breaks off yields [`Error::Stream`], a silence
/// longer than the timeout [`Error::Timeout`].
///
/// A stream of chat completion chunks also folds them, as they are read, into
/// the completion a non-streamed request would have returned: see
/// [`final_completion`](EventStream::final_completion).
///
/// ```no_run
/// # async fn demo(client: chat_api::Client) -> chat_api::Result<()> {
/// use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
/// use futures::StreamExt;
///
/// let request = CreateChatCompletionRequest {
///     model: "gpt-4o".into(),
///     messages: vec![ChatCompletionRequestMessage::user("Tell me a story.")],
///     ..Default::default()
/// };
/// let mut stream = client.create_chat_completion_stream(&request).await?;
/// println!("request id: {:?}", stream.request_id());
/// while let Some(chunk) = stream.next().await {
///     if let Some(text) = chunk?.choices.first().and_then(|c| c.delta.content.as_deref()) {
///         print!("{text}");
///     }
/// }
/// # Ok(()) }
/// ```
pub struct EventStream<T> {
    body: Option<ByteStream>,
    parser: sse::Parser,
    status: StatusCode,
    headers: HeaderMap,
    idle_timeout: Option<Duration>,
    idle: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Whether `idle` counts from the latest chunk; re-armed lazily so a
    /// chunk costs no timer work unless the body is actually waited on.
    idle_armed: bool,
    /// Events parsed but not yet yielded.
    pending: VecDeque<sse::Event>,
    done: bool,
    /// Folds the yielded items; only for chat completion chunks.
    fold: Option<Box<Fold<T>>>,
    _item: PhantomData<fn() -> T>,
}

/// The accumulator behind [`EventStream::final_completion`], with the
/// function that feeds it an item (a downcast chosen when the stream is built,
/// so the generic stream needs no trait bound and other item types pay nothing).
struct Fold<T> {
    push: fn(&mut ChatCompletionAccumulator, &T),
    accumulator: ChatCompletionAccumulator,
    /// The first error the stream yielded, replayed by `final_completion`.
    failure: Option<Error>,
}

impl<T: 'static> Fold<T> {
    fn for_item_type() -> Option<Box<Self>> {
        if TypeId::of::<T>() != TypeId::of::<CreateChatCompletionStreamResponse>() {
            return None;
        }
        Some(Box::new(Fold {
            push: |accumulator, item| {
                if let Some(chunk) = (item as &dyn Any).downcast_ref() {
                    accumulator.push(chunk);
                }
            },
            accumulator: ChatCompletionAccumulator::new(),
            failure: None,
        }))
    }
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

impl<T: 'static> EventStream<T> {
    /// Wraps a successful streaming response. `idle_timeout` bounds the silence
    /// between two chunks.
    pub(crate) fn new(response: reqwest::Response, idle_timeout: Option<Duration>) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        Self::from_parts(
            status,
            headers,
            Box::pin(response.bytes_stream()),
            idle_timeout,
        )
    }

    fn from_parts(
        status: StatusCode,
        headers: HeaderMap,
        body: ByteStream,
        idle_timeout: Option<Duration>,
    ) -> Self {
        EventStream {
            body: Some(body),
            parser: sse::Parser::default(),
            status,
            headers,
            idle_timeout,
            idle: None,
            idle_armed: false,
            pending: VecDeque::new(),
            done: false,
            fold: Fold::for_item_type(),
            _item: PhantomData,
        }
    }
}

impl<T> EventStream<T> {
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

    /// Feeds an item about to be yielded to the fold, if this stream folds.
    fn observe(&mut self, item: &Result<T>) {
        let Some(fold) = self.fold.as_mut() else {
            return;
        };
        match item {
            Ok(item) => (fold.push)(&mut fold.accumulator, item),
            Err(err) => {
                if fold.failure.is_none() {
                    fold.failure = Some(replay(err));
                }
            }
        }
    }

    fn finish(&mut self) {
        self.done = true;
        // Dropping the body closes the connection now rather than when the
        // caller drops the stream.
        self.body = None;
        self.idle = None;
        self.pending.clear();
    }
}

impl EventStream<CreateChatCompletionStreamResponse> {
    /// The completion folded from every chunk of the stream, as a
    /// non-streamed request would have returned it. Call it after reading the
    /// stream to its end; it merges choices, content, tool calls, logprobs and
    /// usage as [`ChatCompletionAccumulator`] describes.
    ///
    /// Folding happens while the stream is polled, so this is cheap and needs
    /// no network. It fails rather than return a completion with parts missing:
    ///
    /// - with a copy of the first error the stream yielded, if any: the
    ///   [`Error::Api`] sent inside the stream, an [`Error::Timeout`], an
    ///   [`Error::Stream`] for a broken connection, or an [`Error::Stream`]
    ///   whose source is the [`Error::Decode`] of a chunk that did not decode
    ///   (even though the stream went on after it);
    /// - with an [`Error::Stream`] if the stream has not been read to its end
    ///   (`data: [DONE]`, or the server closing the response), or ended without
    ///   a single chunk.
    ///
    /// [`current_completion`](Self::current_completion) shows what was folded
    /// so far, whatever the state of the stream.
    ///
    /// ```no_run
    /// # async fn demo(client: chat_api::Client, request: chat_api::types::CreateChatCompletionRequest) -> chat_api::Result<()> {
    /// use futures_util::StreamExt;
    ///
    /// let mut stream = client.create_chat_completion_stream(&request).await?;
    /// while let Some(chunk) = stream.next().await {
    ///     if let Some(text) = chunk?.choices.first().and_then(|c| c.delta.content.as_deref()) {
    ///         print!("{text}");
    ///     }
    /// }
    /// let completion = stream.final_completion()?;
    /// for call in completion.choices[0].message.tool_calls.iter().flatten() {
    ///     println!("{call:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn final_completion(self) -> Result<CreateChatCompletionResponse> {
        let done = self.done;
        let Some(fold) = self.fold else {
            // Unreachable: every stream of this item type folds.
            return Err(stream_error("this stream does not fold its chunks"));
        };
        if let Some(failure) = fold.failure {
            return Err(failure);
        }
        if !done {
            return Err(stream_error(
                "final_completion was called before the stream was read to its end",
            ));
        }
        if fold.accumulator.chunk_count() == 0 {
            return Err(stream_error("the stream ended without sending a chunk"));
        }
        Ok(fold.accumulator.finish())
    }

    /// The completion folded from the chunks read so far; `None` before the
    /// first chunk. Unlike [`final_completion`](Self::final_completion) it
    /// does not check how the stream ended, and it can be called mid-stream.
    pub fn current_completion(&self) -> Option<&CreateChatCompletionResponse> {
        self.fold
            .as_ref()
            .filter(|fold| fold.accumulator.chunk_count() > 0)
            .map(|fold| fold.accumulator.snapshot())
    }
}

fn stream_error(message: &str) -> Error {
    Error::Stream {
        message: message.to_owned(),
        source: None,
    }
}

/// A copy of an error the stream yielded, for `final_completion` to return
/// again (`Error` is not `Clone`: reqwest errors and boxed sources are not).
fn replay(err: &Error) -> Error {
    match err {
        Error::Api(api) => Error::Api(api.clone()),
        Error::Timeout => Error::Timeout,
        Error::Stream { message, .. } => stream_error(message),
        Error::Decode {
            path,
            message,
            snippet,
        } => Error::Stream {
            message: "a chunk did not decode, so the folded completion would be incomplete"
                .to_owned(),
            source: Some(Box::new(Error::Decode {
                path: path.clone(),
                message: message.clone(),
                snippet: snippet.clone(),
            })),
        },
        other => stream_error(&other.to_string()),
    }
}

enum Action<T> {
    Skip,
    End,
    Yield(Result<T>),
}

impl<T: serde::de::DeserializeOwned> EventStream<T> {
    fn handle(&self, event: sse::Event) -> Action<T> {
        let data = event.data.trim();
        if data == "[DONE]" {
            return Action::End;
        }
        match event.event.as_deref() {
            Some("error") => return Action::Yield(Err(self.stream_error(&event.data))),
            // Steady ends with `event: done` / `data: {}` (after `[DONE]`, or
            // instead of it); keepalives carry no chunk.
            Some("done" | "ping" | "keepalive") => return Action::Skip,
            _ => {}
        }
        if data.is_empty() {
            return Action::Skip;
        }
        // Cheap pre-check so ordinary chunks are parsed only once.
        if data.contains("\"error\"")
            && let Ok(serde_json::Value::Object(map)) =
                serde_json::from_str::<serde_json::Value>(data)
            && map.get("error").is_some_and(|e| !e.is_null())
        {
            return Action::Yield(Err(self.stream_error(data)));
        }
        Action::Yield(Error::decode(data.as_bytes()))
    }

    fn stream_error(&self, data: &str) -> Error {
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
            if let Some(event) = this.pending.pop_front() {
                match this.handle(event) {
                    Action::Skip => continue,
                    Action::End => {
                        this.finish();
                        return Poll::Ready(None);
                    }
                    Action::Yield(item) => {
                        if matches!(item, Err(Error::Api(_))) {
                            this.finish();
                        }
                        this.observe(&item);
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
                    this.parser.feed(&bytes);
                    while let Some(event) = this.parser.next_event() {
                        this.pending.push_back(event);
                    }
                }
                Poll::Ready(Some(Err(err))) => {
                    this.finish();
                    let message = if err.is_timeout() {
                        "timed out while reading the stream"
                    } else {
                        "the connection broke off mid-stream"
                    };
                    let item = Err(Error::Stream {
                        message: message.to_owned(),
                        source: Some(Box::new(err)),
                    });
                    this.observe(&item);
                    return Poll::Ready(Some(item));
                }
                Poll::Ready(None) => {
                    this.body = None;
                    this.idle = None;
                    this.parser.finish();
                    while let Some(event) = this.parser.next_event() {
                        this.pending.push_back(event);
                    }
                    if this.pending.is_empty() {
                        this.finish();
                        return Poll::Ready(None);
                    }
                }
                Poll::Pending => {
                    if let Some(limit) = this.idle_timeout {
                        // Counted from the first wait after a chunk: time the
                        // caller spends between polls is not the server's silence.
                        if !this.idle_armed {
                            let deadline = tokio::time::Instant::now() + limit;
                            match this.idle.as_mut() {
                                Some(idle) => idle.as_mut().reset(deadline),
                                None => {
                                    this.idle = Some(Box::pin(tokio::time::sleep_until(deadline)))
                                }
                            }
                            this.idle_armed = true;
                        }
                        if let Some(idle) = this.idle.as_mut()
                            && idle.as_mut().poll(cx).is_ready()
                        {
                            this.finish();
                            let item = Err(Error::Timeout);
                            this.observe(&item);
                            return Poll::Ready(Some(item));
                        }
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

    fn stream_of<T: 'static>(chunks: &[&'static [u8]], tail_error: bool) -> EventStream<T> {
        let mut items: Vec<reqwest::Result<Bytes>> =
            chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        if tail_error {
            // A genuine reqwest error without a network: a builder error from a bad URL.
            let err = reqwest::Client::new().get("http://[::1").build().err();
            if let Some(err) = err {
                items.push(Err(err));
            }
        }
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req_s".parse().unwrap());
        EventStream::from_parts(
            StatusCode::OK,
            headers,
            Box::pin(futures_util::stream::iter(items)),
            None,
        )
    }

    async fn collect(s: EventStream<serde_json::Value>) -> Vec<Result<serde_json::Value>> {
        s.collect().await
    }

    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
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

    fn chunk_stream(
        chunks: &[&'static [u8]],
        tail_error: bool,
    ) -> EventStream<CreateChatCompletionStreamResponse> {
        stream_of(chunks, tail_error)
    }

    const TWO_CHUNKS: &[u8] = b"data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n\
data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n";

    async fn drain<T: serde::de::DeserializeOwned>(s: &mut EventStream<T>) -> usize {
        let mut n = 0;
        while s.next().await.is_some() {
            n += 1;
        }
        n
    }

    #[test]
    fn a_folding_stream_can_still_move_to_another_task() {
        fn assert_send<S: Send>() {}
        assert_send::<EventStream<CreateChatCompletionStreamResponse>>();
    }

    #[test]
    fn only_chat_chunk_streams_fold() {
        assert!(stream_of::<serde_json::Value>(&[], false).fold.is_none());
        assert!(chunk_stream(&[], false).fold.is_some());
    }

    #[test]
    fn final_completion_after_reading_to_the_end() {
        for tail in [&b"data: [DONE]\n\n"[..], b""] {
            let mut s = chunk_stream(&[TWO_CHUNKS, tail], false);
            assert!(s.current_completion().is_none());
            assert_eq!(block_on(drain(&mut s)), 2);
            let current = s.current_completion().unwrap().clone();
            let done = s.final_completion().unwrap();
            assert_eq!(done, current);
            assert_eq!(done.id, "c1");
            assert_eq!(done.choices[0].message.content.as_deref(), Some("Hello"));
        }
    }

    #[test]
    fn final_completion_before_the_end_is_an_error() {
        let mut s = chunk_stream(&[TWO_CHUNKS, b"data: [DONE]\n\n"], false);
        assert!(block_on(s.next()).unwrap().is_ok());
        assert_eq!(
            s.current_completion().unwrap().choices[0]
                .message
                .content
                .as_deref(),
            Some("Hel")
        );
        match s.final_completion() {
            Err(Error::Stream { message, .. }) => assert!(message.contains("end"), "{message}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn final_completion_without_chunks_is_an_error() {
        let mut s = chunk_stream(&[b"data: [DONE]\n\n"], false);
        assert_eq!(block_on(drain(&mut s)), 0);
        assert!(matches!(s.final_completion(), Err(Error::Stream { .. })));
    }

    #[test]
    fn final_completion_replays_the_stream_error() {
        let mut s = chunk_stream(
            &[
                TWO_CHUNKS,
                b"data: {\"error\": {\"message\": \"overloaded\"}}\n\n",
            ],
            false,
        );
        assert_eq!(block_on(drain(&mut s)), 3);
        match s.final_completion() {
            Err(Error::Api(e)) => {
                assert_eq!(e.message, "overloaded");
                assert_eq!(e.request_id.as_deref(), Some("req_s"));
            }
            other => panic!("{other:?}"),
        }

        let mut s = chunk_stream(&[TWO_CHUNKS], true);
        assert_eq!(block_on(drain(&mut s)), 3);
        assert!(matches!(s.final_completion(), Err(Error::Stream { .. })));
    }

    #[test]
    fn final_completion_reports_a_chunk_that_did_not_decode() {
        let mut s = chunk_stream(
            &[
                b"data: {\"choices\": 5}\n\n",
                TWO_CHUNKS,
                b"data: [DONE]\n\n",
            ],
            false,
        );
        assert_eq!(block_on(drain(&mut s)), 3);
        match s.final_completion() {
            Err(Error::Stream {
                source: Some(source),
                ..
            }) => assert!(
                matches!(source.downcast_ref::<Error>(), Some(Error::Decode { path, .. }) if path == "choices"),
                "{source:?}"
            ),
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
