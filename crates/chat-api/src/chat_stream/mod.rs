//! The stream of a streamed chat completion, folding its chunks as they arrive.

mod events;

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_core::Stream;
use http::{HeaderMap, StatusCode};

use crate::accumulate::ChatCompletionAccumulator;
use crate::error::{BoxError, Error, Result};
use crate::schema::{Partial, PartialError, parse_partial};
use crate::sse::EventStream;
use crate::sse::is_error_member;
use crate::types::{CreateChatCompletionResponse, CreateChatCompletionStreamResponse};

pub use events::{ChatEvent, ChatEvents, ToolCallDone};

/// The chunks of a streamed chat completion, from
/// [`Client::create_chat_completion_stream`](crate::Client::create_chat_completion_stream).
///
/// It yields each chunk as it arrives and folds it into the completion a
/// non-streamed request would have returned
/// ([`current_completion`](Self::current_completion),
/// [`final_completion`](Self::final_completion)); [`events`](Self::events)
/// turns it into typed events (content and tool-call deltas, done events,
/// finish reasons).
///
/// It never hangs and never passes a truncated answer off as a whole one:
///
/// - a silence between two chunks longer than the idle timeout
///   ([`ClientBuilder::stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout),
///   120 s by default) ends it with [`Error::Stalled`];
/// - a body that ends without `data: [DONE]` while a choice has no finish
///   reason yet ends it with [`Error::Incomplete`];
///
/// both carry the completion folded so far ([`Error::partial_completion`]).
/// The other errors are those of [`EventStream`].
///
/// A stream recorded earlier replays with [`from_bytes`](Self::from_bytes):
///
/// ```
/// # fn main() -> chat_api::Result<()> { futures::executor::block_on(async {
/// use chat_api::ChatCompletionStream;
/// use futures::StreamExt;
///
/// // e.g. std::fs::read("tests/fixtures/recorded/some_stream.sse")
/// let recorded = concat!(
///     r#"data: {"id":"c1","model":"m","created":1,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#, "\n\n",
///     r#"data: {"id":"c1","model":"m","created":1,"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#, "\n\n",
///     "data: [DONE]\n\n",
/// );
/// let bytes = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(recorded))]);
/// let mut stream = ChatCompletionStream::from_bytes(bytes);
/// while let Some(chunk) = stream.next().await {
///     chunk?;
/// }
/// let completion = stream.final_completion()?;
/// assert_eq!(completion.choices[0].message.content.as_deref(), Some("Hello"));
/// # Ok(()) }) }
/// ```
#[derive(Debug)]
pub struct ChatCompletionStream {
    chunks: EventStream<CreateChatCompletionStreamResponse>,
    accumulator: ChatCompletionAccumulator,
    /// A copy of the first error the stream yielded, replayed by `final_completion`.
    failure: Option<Error>,
    /// Whether the stream has yielded its end (`None`).
    ended: bool,
    /// What [`next_partial`](Self::next_partial) last saw: the content
    /// length, and the settled value with its open path.
    partial_seen: (usize, Option<crate::partial_json::Settled>),
    /// The call's span: time to first chunk, and the folded completion at the end.
    pub(crate) telemetry: crate::telemetry::RequestSpan,
}

impl ChatCompletionStream {
    /// Decodes a chat completion stream from the `text/event-stream` bytes in
    /// `bytes`: a recorded file, a proxy, another HTTP client. There is no
    /// idle timeout; see [`from_event_stream`](Self::from_event_stream) to
    /// set one.
    pub fn from_bytes<S, E>(bytes: S) -> Self
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<BoxError> + 'static,
    {
        Self::from_event_stream(EventStream::from_bytes(bytes))
    }

    /// Folds the chunks of an [`EventStream`], keeping its status, headers,
    /// idle timeout and event size bound.
    pub fn from_event_stream(chunks: EventStream<CreateChatCompletionStreamResponse>) -> Self {
        ChatCompletionStream {
            // An error object decodes as a chunk with `error` in `extra`:
            // `error` is no member of the chunk type.
            chunks: chunks.error_probe(|chunk| is_error_member(chunk.extra.get("error"))),
            accumulator: ChatCompletionAccumulator::new(),
            failure: None,
            ended: false,
            partial_seen: (0, None),
            telemetry: Default::default(),
        }
    }

    pub(crate) fn from_response(
        response: reqwest::Response,
        idle_timeout: Option<Duration>,
        max_event_size: usize,
    ) -> Self {
        Self::from_event_stream(
            EventStream::from_response(response)
                .idle_timeout(idle_timeout)
                .max_event_size(max_event_size),
        )
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        self.chunks.headers()
    }

    /// The `x-request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.chunks.request_id()
    }

    /// The rate limits the response headers report (see
    /// [`RateLimits`](crate::RateLimits)), or `None`.
    pub fn rate_limits(&self) -> Option<crate::RateLimits> {
        crate::RateLimits::from_headers(self.headers())
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> StatusCode {
        self.chunks.status()
    }

    /// Typed events derived from the chunks: see [`ChatEvent`].
    pub fn events(self) -> ChatEvents {
        ChatEvents::new(self)
    }

    /// The completion folded from the chunks read so far; `None` before the
    /// first chunk. Unlike [`final_completion`](Self::final_completion) it
    /// does not check how the stream ended, and it can be called mid-stream.
    pub fn current_completion(&self) -> Option<&CreateChatCompletionResponse> {
        (self.accumulator.chunk_count() > 0).then(|| self.accumulator.snapshot())
    }

    /// The completion folded from every chunk of the stream, as a
    /// non-streamed request would have returned it. Call it after reading the
    /// stream to its end; it merges choices, content, tool calls, logprobs and
    /// usage as [`ChatCompletionAccumulator`] describes.
    ///
    /// Folding happens while the stream is polled, so this is cheap and needs
    /// no network. It fails rather than return a completion with parts missing:
    ///
    /// - with a copy of the first error the stream yielded, if any: the
    ///   [`Error::Api`] sent inside the stream, [`Error::Stalled`],
    ///   [`Error::Incomplete`], an [`Error::Stream`] for a broken connection,
    ///   or an [`Error::Stream`] whose source is the [`Error::Decode`] of a
    ///   chunk that did not decode (even though the stream went on after it);
    /// - with an [`Error::Stream`] if the stream has not been read to its
    ///   end, or ended without a single chunk.
    ///
    /// ```no_run
    /// # async fn demo(client: chat_api::Client, request: chat_api::types::CreateChatCompletionRequest) -> chat_api::Result<()> {
    /// use futures::StreamExt;
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
        if let Some(failure) = self.failure {
            return Err(failure);
        }
        if !self.ended {
            return Err(stream_error(
                "final_completion was called before the stream was read to its end",
            ));
        }
        if self.accumulator.chunk_count() == 0 {
            return Err(stream_error("the stream ended without sending a chunk"));
        }
        Ok(self.accumulator.finish())
    }

    /// The JSON object being written in a choice's content so far (a
    /// `response_format` stream), as [`partial_json::parse`](crate::partial_json::parse)
    /// settles it: it only grows, strings may be prefixes, and nothing in it
    /// is contradicted later. `Ok(None)` before anything is settled. The
    /// final, validated `T` still comes from
    /// [`final_completion`](Self::final_completion).
    ///
    /// ```
    /// # fn main() -> chat_api::Result<()> { futures::executor::block_on(async {
    /// use chat_api::ChatCompletionStream;
    /// use futures::StreamExt;
    ///
    /// let recorded = concat!(
    ///     r#"data: {"id":"c","choices":[{"index":0,"delta":{"content":"{\"city\": \"Par"}}]}"#, "\n\n",
    ///     r#"data: {"id":"c","choices":[{"index":0,"delta":{"content":"is\", \"days\": 3}"},"finish_reason":"stop"}]}"#, "\n\n",
    /// );
    /// let bytes = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(recorded))]);
    /// let mut stream = ChatCompletionStream::from_bytes(bytes);
    /// stream.next().await.unwrap()?;
    /// let partial = stream.partial_content(0).unwrap();
    /// assert_eq!(partial, Some(serde_json::json!({"city": "Par"})));
    /// # Ok(()) }) }
    /// ```
    pub fn partial_content(
        &self,
        choice: i64,
    ) -> std::result::Result<Option<serde_json::Value>, crate::partial_json::PartialJsonError> {
        crate::partial_json::parse(self.content_so_far(choice))
    }

    /// A choice's content so far as `T`'s typed partial form (for a
    /// `#[derive(Tool)]` struct `T`, the generated `PartialT`; see
    /// [`schema::partial`](crate::schema::partial)). Like
    /// [`partial_content`](Self::partial_content), typed.
    pub fn partial_content_as<T: Partial + ?Sized>(
        &self,
        choice: i64,
    ) -> std::result::Result<Option<T::Partial>, PartialError> {
        parse_partial::<T>(self.content_so_far(choice))
    }

    /// Reads chunks until the JSON settled in choice 0's content changes and
    /// returns its typed partial form: a `response_format::<T>()` stream's
    /// object as it is being written, only ever growing. (A string being
    /// closed is a change, so two partials in a row can be equal.) `None` at the end of the
    /// stream; the complete, validated `T` then comes from
    /// `final_completion()?.parse::<T>()`. A stream error ends it as it ends
    /// the stream; content that cannot become `T` is an
    /// [`Error::Parse`] with [`ParseError::Partial`](crate::ParseError::Partial).
    ///
    /// Each change re-reads the content so far (as openai-python does): the
    /// cost per chunk grows with the length of the content.
    ///
    /// ```
    /// # fn main() -> chat_api::Result<()> { futures::executor::block_on(async {
    /// use chat_api::{ChatCompletionStream, Tool};
    /// use serde::Deserialize;
    ///
    /// /// A city.
    /// #[derive(Debug, Deserialize, Tool)]
    /// struct City {
    ///     name: String,
    ///     population: u32,
    /// }
    ///
    /// let recorded = concat!(
    ///     r#"data: {"id":"c","choices":[{"index":0,"delta":{"content":"{\"name\": \"Par"}}]}"#, "\n\n",
    ///     r#"data: {"id":"c","choices":[{"index":0,"delta":{"content":"is\", \"population\": 2102650}"},"finish_reason":"stop"}]}"#, "\n\n",
    /// );
    /// let bytes = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(recorded))]);
    /// let mut stream = ChatCompletionStream::from_bytes(bytes);
    /// let first: PartialCity = stream.next_partial::<City>().await.unwrap()?;
    /// assert_eq!((first.name.as_deref(), first.population), (Some("Par"), None));
    /// let second = stream.next_partial::<City>().await.unwrap()?;
    /// assert_eq!((second.name.as_deref(), second.population), (Some("Paris"), Some(2102650)));
    /// assert!(stream.next_partial::<City>().await.is_none());
    /// let city: City = stream.final_completion()?.parse::<City>()?;
    /// assert_eq!(city.name, "Paris");
    /// # Ok(()) }) }
    /// ```
    pub async fn next_partial<T: Partial + ?Sized>(&mut self) -> Option<Result<T::Partial>> {
        use futures_util::StreamExt;
        loop {
            if let Err(error) = self.next().await? {
                return Some(Err(error));
            }
            let text = self.content_so_far(0);
            if text.len() == self.partial_seen.0 {
                continue;
            }
            let settled = match crate::partial_json::parse_open(text) {
                Ok(settled) => settled,
                Err(e) => return Some(Err(PartialError::Json(e).into())),
            };
            self.partial_seen.0 = text.len();
            let Some((value, open)) = settled else {
                continue;
            };
            let same = self
                .partial_seen
                .1
                .as_ref()
                .is_some_and(|(v, o)| *v == value && *o == open);
            if same {
                continue;
            }
            let typed = crate::schema::partial::typed::<T>(&value, open.as_deref());
            self.partial_seen.1 = Some((value, open));
            match typed {
                Ok(Some(partial)) => return Some(Ok(partial)),
                Ok(None) => {}
                Err(e) => return Some(Err(e.into())),
            }
        }
    }

    /// The text of a choice's content so far.
    fn content_so_far(&self, choice: i64) -> &str {
        self.accumulator
            .choice_position(choice)
            .and_then(|pos| self.accumulator.snapshot().choices.get(pos))
            .and_then(|c| c.message.content.as_deref())
            .unwrap_or_default()
    }

    /// The arguments of a tool call (by choice and call index) as far as
    /// they have streamed, like [`partial_content`](Self::partial_content).
    pub fn partial_arguments(
        &self,
        choice: i64,
        index: i64,
    ) -> std::result::Result<Option<serde_json::Value>, crate::partial_json::PartialJsonError> {
        crate::partial_json::parse(self.arguments_so_far(choice, index))
    }

    /// A tool call's arguments so far as `T`'s typed partial form, e.g.
    /// `PartialGetWeather` for a `#[derive(Tool)]` `GetWeather` while the
    /// call streams; see [`partial_content_as`](Self::partial_content_as).
    /// The complete arguments come from
    /// [`ToolCallDone::parse_arguments`].
    pub fn partial_arguments_as<T: Partial + ?Sized>(
        &self,
        choice: i64,
        index: i64,
    ) -> std::result::Result<Option<T::Partial>, PartialError> {
        parse_partial::<T>(self.arguments_so_far(choice, index))
    }

    /// The text of a tool call's arguments so far.
    fn arguments_so_far(&self, choice: i64, index: i64) -> &str {
        let accumulator = &self.accumulator;
        accumulator
            .choice_position(choice)
            .and_then(|pos| {
                let at = accumulator
                    .tool_call_indexes(pos)
                    .position(|i| i == index)?;
                accumulator
                    .snapshot()
                    .choices
                    .get(pos)?
                    .message
                    .tool_calls
                    .as_ref()?
                    .get(at)
            })
            .and_then(|call| match call {
                crate::types::ToolCall::Function(call) => Some(call.function.arguments.as_str()),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The fold so far, boxed for an error that carries it.
    fn partial(&self) -> Option<Box<CreateChatCompletionResponse>> {
        self.current_completion().cloned().map(Box::new)
    }

    /// Completes an error from the chunk layer with the fold, and keeps a copy.
    fn failed(&mut self, error: Error) -> Error {
        let error = match error {
            Error::Stalled { idle, .. } => Error::Stalled {
                idle,
                partial: self.partial(),
            },
            other => other,
        };
        if self.failure.is_none() {
            self.failure = Some(replay(&error));
        }
        error
    }

    /// The error for a body that ended before the answer did, if it did.
    fn cut_off(&mut self) -> Option<Error> {
        if self.chunks.saw_done() || self.failure.is_some() || self.accumulator.is_finished() {
            return None;
        }
        Some(Error::Incomplete {
            partial: self.partial(),
        })
    }

    pub(crate) fn accumulator(&self) -> &ChatCompletionAccumulator {
        &self.accumulator
    }
}

impl Stream for ChatCompletionStream {
    type Item = Result<CreateChatCompletionStreamResponse>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.ended {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.chunks).poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => {
                this.telemetry.first_chunk();
                this.accumulator.push(&chunk);
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(this.failed(error)))),
            Poll::Ready(None) => match this.cut_off() {
                Some(error) => Poll::Ready(Some(Err(this.failed(error)))),
                None => {
                    this.ended = true;
                    this.telemetry.completion(this.accumulator.snapshot());
                    Poll::Ready(None)
                }
            },
        }
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
        Error::Stalled { idle, partial } => Error::Stalled {
            idle: *idle,
            partial: partial.clone(),
        },
        Error::Incomplete { partial } => Error::Incomplete {
            partial: partial.clone(),
        },
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

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;
    use futures::executor::block_on;

    fn replay(text: &'static str) -> ChatCompletionStream {
        let bytes =
            futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from_static(text.as_bytes()))]);
        ChatCompletionStream::from_bytes(bytes)
    }

    fn drain(stream: &mut ChatCompletionStream) -> Vec<Result<CreateChatCompletionStreamResponse>> {
        block_on(async {
            let mut out = Vec::new();
            while let Some(item) = stream.next().await {
                out.push(item);
            }
            out
        })
    }

    const TWO_CHUNKS: &str = "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n\
data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}]}\n\n";

    #[test]
    fn a_chat_stream_can_move_to_another_task() {
        fn assert_send<S: Send>() {}
        assert_send::<ChatCompletionStream>();
        assert_send::<ChatEvents>();
    }

    #[test]
    fn final_completion_after_reading_to_the_end() {
        let mut s = replay(TWO_CHUNKS);
        assert!(s.current_completion().is_none());
        assert_eq!(drain(&mut s).len(), 2);
        let current = s.current_completion().cloned();
        let done = s.final_completion().unwrap();
        assert_eq!(Some(&done), current.as_ref());
        assert_eq!(done.choices[0].message.content.as_deref(), Some("Hello"));
    }

    #[test]
    fn final_completion_before_the_end_or_without_chunks_is_an_error() {
        let mut s = replay(TWO_CHUNKS);
        assert!(block_on(s.next()).unwrap().is_ok());
        match s.final_completion() {
            Err(Error::Stream { message, .. }) => assert!(message.contains("end"), "{message}"),
            other => panic!("{other:?}"),
        }
        let mut s = replay("data: [DONE]\n\n");
        assert!(drain(&mut s).is_empty());
        assert!(matches!(s.final_completion(), Err(Error::Stream { .. })));
    }

    #[test]
    fn final_completion_reports_a_chunk_that_did_not_decode() {
        let mut s = replay(concat!(
            "data: {\"choices\": 5}\n\n",
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
            "data: [DONE]\n\n"
        ));
        assert_eq!(drain(&mut s).len(), 2);
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
    fn a_body_that_ends_before_a_finish_reason_is_incomplete() {
        let mut s = replay(
            "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n",
        );
        let items = drain(&mut s);
        assert_eq!(items.len(), 2);
        match &items[1] {
            Err(Error::Incomplete { partial: Some(p) }) => {
                assert_eq!(p.choices[0].message.content.as_deref(), Some("Hel"));
            }
            other => panic!("{other:?}"),
        }
        // An empty body is incomplete too, with nothing to carry.
        let mut s = replay("");
        assert!(matches!(
            &drain(&mut s)[..],
            [Err(Error::Incomplete { partial: None })]
        ));
    }
}
