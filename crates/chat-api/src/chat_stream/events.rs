//! Typed events derived from the chunks of a chat completion stream.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use serde::de::DeserializeOwned;

use super::ChatCompletionStream;
use crate::error::{Error, Result};
use crate::parse::JsonError;
use crate::types::{
    ChatCompletionChoice, ChatCompletionTokenLogprob, CompletionUsage,
    CreateChatCompletionResponse, CreateChatCompletionStreamResponse, FinishReason, ToolCall,
};

/// One event of [`ChatCompletionStream::events`].
///
/// Every chunk first gives a [`Chunk`](Self::Chunk), then the deltas it
/// carries, then, for each choice it finishes, the `…Done` events of that
/// choice (content, refusal, each tool call in index order, logprobs) and its
/// [`Finish`](Self::Finish). Each `…Done` event fires exactly once per choice
/// (per call for tool calls), and only for parts that received deltas.
///
/// A stream that ends without a finish reason for a choice ends in one of
/// two ways: after `data: [DONE]` (some servers never send finish reasons)
/// the open parts get their `…Done` events at the end, without a `Finish`;
/// without `[DONE]` the answer was cut off, and the stream ends with
/// [`Error::Incomplete`](crate::Error::Incomplete) in place of the `…Done`
/// events, carrying the completion folded so far.
///
/// Deltas carry the new piece only; the text so far is in
/// [`ChatEvents::current_completion`], so that a long answer is not copied
/// once per token.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// A chunk as received, before the events derived from it.
    Chunk(Box<CreateChatCompletionStreamResponse>),
    /// A piece of a choice's content.
    ContentDelta {
        /// The choice's `index`.
        choice: i64,
        /// The new text.
        delta: String,
    },
    /// A choice's content is complete.
    ContentDone {
        /// The choice's `index`.
        choice: i64,
        /// The whole content.
        content: String,
    },
    /// A piece of a choice's refusal.
    RefusalDelta {
        /// The choice's `index`.
        choice: i64,
        /// The new text.
        delta: String,
    },
    /// A choice's refusal is complete.
    RefusalDone {
        /// The choice's `index`.
        choice: i64,
        /// The whole refusal.
        refusal: String,
    },
    /// A piece of a tool call's arguments.
    ToolCallArgumentsDelta {
        /// The choice's `index`.
        choice: i64,
        /// The call's `index` within the choice.
        index: i64,
        /// The call's `id`, once a delta has carried it.
        id: String,
        /// The function's name, once a delta has carried it.
        name: String,
        /// The new piece of the arguments.
        delta: String,
    },
    /// A tool call is complete: see [`ToolCallDone`].
    ToolCallArgumentsDone(ToolCallDone),
    /// Log probabilities of new content tokens.
    LogprobsContentDelta {
        /// The choice's `index`.
        choice: i64,
        /// The new tokens.
        tokens: Vec<ChatCompletionTokenLogprob>,
    },
    /// The log probabilities of a choice's content are complete.
    LogprobsContentDone {
        /// The choice's `index`.
        choice: i64,
        /// Every content token.
        tokens: Vec<ChatCompletionTokenLogprob>,
    },
    /// Log probabilities of new refusal tokens.
    LogprobsRefusalDelta {
        /// The choice's `index`.
        choice: i64,
        /// The new tokens.
        tokens: Vec<ChatCompletionTokenLogprob>,
    },
    /// The log probabilities of a choice's refusal are complete.
    LogprobsRefusalDone {
        /// The choice's `index`.
        choice: i64,
        /// Every refusal token.
        tokens: Vec<ChatCompletionTokenLogprob>,
    },
    /// A choice received its finish reason, after its `…Done` events.
    Finish {
        /// The choice's `index`.
        choice: i64,
        /// Why the model stopped.
        reason: FinishReason,
    },
    /// Token usage (the last chunk, with `stream_options.include_usage`).
    Usage(Box<CompletionUsage>),
}

/// A complete tool call, from [`ChatEvent::ToolCallArgumentsDone`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ToolCallDone {
    /// The choice's `index`.
    pub choice: i64,
    /// The call's `index` within the choice.
    pub index: i64,
    /// The call's `id`.
    pub id: String,
    /// The function's name (a custom tool's name for a custom tool call).
    pub name: String,
    /// The whole arguments, as JSON text (a custom tool's input).
    pub arguments: String,
}

impl ToolCallDone {
    /// The arguments decoded as `T`, e.g. a `#[derive(Tool)]` type; the
    /// error names the path of the first mismatch.
    ///
    /// ```
    /// use chat_api::{Tool, ToolCallDone};
    /// use serde::Deserialize;
    ///
    /// /// Get the weather.
    /// #[derive(Deserialize, Tool)]
    /// struct GetWeather {
    ///     city: String,
    /// }
    ///
    /// # fn demo(done: ToolCallDone) -> Result<(), chat_api::JsonError> {
    /// if done.name == GetWeather::NAME {
    ///     let args: GetWeather = done.parse_arguments()?;
    ///     println!("weather in {}", args.city);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn parse_arguments<T: DeserializeOwned>(&self) -> std::result::Result<T, JsonError> {
        JsonError::decode(&self.arguments)
    }
}

/// Which parts of a choice have received deltas and still await their `…Done`.
#[derive(Debug, Default)]
struct Open {
    content: bool,
    refusal: bool,
    logprobs_content: bool,
    logprobs_refusal: bool,
    tool_calls: BTreeSet<i64>,
    /// The choice's `…Done` events have been sent.
    closed: bool,
}

/// The typed events of a chat completion stream, from
/// [`ChatCompletionStream::events`]; see [`ChatEvent`].
///
/// ```
/// # fn main() -> chat_api::Result<()> { futures::executor::block_on(async {
/// use chat_api::{ChatCompletionStream, ChatEvent};
/// use futures::StreamExt;
///
/// let recorded = concat!(
///     r#"data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hi"}}]}"#, "\n\n",
///     r#"data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}"#, "\n\n",
///     "data: [DONE]\n\n",
/// );
/// let bytes = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(recorded))]);
/// let mut events = ChatCompletionStream::from_bytes(bytes).events();
/// let mut done = None;
/// while let Some(event) = events.next().await {
///     if let ChatEvent::ContentDone { content, .. } = event? {
///         done = Some(content);
///     }
/// }
/// assert_eq!(done.as_deref(), Some("Hi"));
/// # Ok(()) }) }
/// ```
#[derive(Debug)]
pub struct ChatEvents {
    stream: ChatCompletionStream,
    queue: VecDeque<Result<ChatEvent>>,
    /// By choice index.
    open: BTreeMap<i64, Open>,
    ended: bool,
}

impl ChatEvents {
    pub(super) fn new(stream: ChatCompletionStream) -> Self {
        ChatEvents {
            stream,
            queue: VecDeque::new(),
            open: BTreeMap::new(),
            ended: false,
        }
    }

    /// The completion folded so far: the text and arguments so far of every
    /// choice and call. See [`ChatCompletionStream::current_completion`].
    pub fn current_completion(&self) -> Option<&CreateChatCompletionResponse> {
        self.stream.current_completion()
    }

    /// The underlying chunk stream, e.g. for
    /// [`final_completion`](ChatCompletionStream::final_completion) once the
    /// events are read.
    pub fn into_inner(self) -> ChatCompletionStream {
        self.stream
    }

    /// The underlying chunk stream, for its headers and request id.
    pub fn get_ref(&self) -> &ChatCompletionStream {
        &self.stream
    }

    fn on_chunk(&mut self, chunk: CreateChatCompletionStreamResponse) {
        let mut events = Vec::new();
        for choice in &chunk.choices {
            let open = self.open.entry(choice.index).or_default();
            let index = choice.index;
            if let Some(delta) = choice.delta.content.as_ref().filter(|d| !d.is_empty()) {
                open.content = true;
                events.push(ChatEvent::ContentDelta {
                    choice: index,
                    delta: delta.clone(),
                });
            }
            if let Some(delta) = choice.delta.refusal.as_ref().filter(|d| !d.is_empty()) {
                open.refusal = true;
                events.push(ChatEvent::RefusalDelta {
                    choice: index,
                    delta: delta.clone(),
                });
            }
            if let Some(logprobs) = &choice.logprobs {
                if let Some(tokens) = logprobs.content.as_ref().filter(|t| !t.is_empty()) {
                    open.logprobs_content = true;
                    events.push(ChatEvent::LogprobsContentDelta {
                        choice: index,
                        tokens: tokens.clone(),
                    });
                }
                if let Some(tokens) = logprobs.refusal.as_ref().filter(|t| !t.is_empty()) {
                    open.logprobs_refusal = true;
                    events.push(ChatEvent::LogprobsRefusalDelta {
                        choice: index,
                        tokens: tokens.clone(),
                    });
                }
            }
        }
        // The accumulator resolved each tool-call delta's index (some servers
        // send -1 or none); its list follows the chunk's order.
        let deltas = chunk
            .choices
            .iter()
            .flat_map(|c| c.delta.tool_calls.iter().flatten());
        let completion = self.stream.accumulator().snapshot();
        for (call, &(choice, index)) in deltas.zip(self.stream.accumulator().latest_tool_calls()) {
            let open = self.open.entry(choice).or_default();
            open.tool_calls.insert(index);
            let piece = call
                .function
                .as_ref()
                .and_then(|f| f.arguments.as_deref())
                .filter(|a| !a.is_empty());
            if let Some(piece) = piece {
                let (id, name, _) = self.call_parts(completion, choice, index);
                events.push(ChatEvent::ToolCallArgumentsDelta {
                    choice,
                    index,
                    id: id.to_owned(),
                    name: name.to_owned(),
                    delta: piece.to_owned(),
                });
            }
        }
        for choice in &chunk.choices {
            if let Some(reason) = &choice.finish_reason {
                self.close(choice.index, &mut events);
                events.push(ChatEvent::Finish {
                    choice: choice.index,
                    reason: reason.clone(),
                });
            }
        }
        if let Some(usage) = &chunk.usage {
            events.push(ChatEvent::Usage(Box::new(usage.clone())));
        }
        self.queue.push_back(Ok(ChatEvent::Chunk(Box::new(chunk))));
        self.queue.extend(events.into_iter().map(Ok));
    }

    /// The `…Done` events of a choice, once.
    fn close(&mut self, choice: i64, events: &mut Vec<ChatEvent>) {
        let Some(open) = self.open.get_mut(&choice) else {
            return;
        };
        if open.closed {
            return;
        }
        let open = std::mem::replace(
            open,
            Open {
                closed: true,
                ..Open::default()
            },
        );
        let completion = self.stream.accumulator().snapshot();
        let Some(folded) = self
            .stream
            .accumulator()
            .choice_position(choice)
            .and_then(|pos| completion.choices.get(pos))
        else {
            return;
        };
        let message = &folded.message;
        if open.content {
            events.push(ChatEvent::ContentDone {
                choice,
                content: message.content.clone().unwrap_or_default(),
            });
        }
        if open.refusal {
            events.push(ChatEvent::RefusalDone {
                choice,
                refusal: message.refusal.clone().unwrap_or_default(),
            });
        }
        for index in open.tool_calls {
            let (id, name, arguments) = self.call_parts(completion, choice, index);
            events.push(ChatEvent::ToolCallArgumentsDone(ToolCallDone {
                choice,
                index,
                id: id.to_owned(),
                name: name.to_owned(),
                arguments: arguments.to_owned(),
            }));
        }
        let logprobs = folded.logprobs.as_ref();
        if open.logprobs_content {
            events.push(ChatEvent::LogprobsContentDone {
                choice,
                tokens: logprobs.and_then(|l| l.content.clone()).unwrap_or_default(),
            });
        }
        if open.logprobs_refusal {
            events.push(ChatEvent::LogprobsRefusalDone {
                choice,
                tokens: logprobs.and_then(|l| l.refusal.clone()).unwrap_or_default(),
            });
        }
    }

    /// `(id, name, arguments)` of a folded tool call.
    fn call_parts<'a>(
        &self,
        completion: &'a CreateChatCompletionResponse,
        choice: i64,
        index: i64,
    ) -> (&'a str, &'a str, &'a str) {
        let accumulator = self.stream.accumulator();
        let call = accumulator.choice_position(choice).and_then(|pos| {
            let at = accumulator
                .tool_call_indexes(pos)
                .position(|i| i == index)?;
            completion
                .choices
                .get(pos)
                .and_then(|c: &ChatCompletionChoice| c.message.tool_calls.as_ref()?.get(at))
        });
        match call {
            Some(ToolCall::Function(call)) => {
                (&call.id, &call.function.name, &call.function.arguments)
            }
            Some(ToolCall::Custom(call)) => (&call.id, &call.custom.name, &call.custom.input),
            Some(ToolCall::Unknown(_)) | None => ("", "", ""),
        }
    }

    /// At a clean end: `…Done` for whatever is still open.
    fn on_end(&mut self) {
        let mut events = Vec::new();
        let choices: Vec<i64> = self.open.keys().copied().collect();
        for choice in choices {
            self.close(choice, &mut events);
        }
        self.queue.extend(events.into_iter().map(Ok));
    }
}

impl Stream for ChatEvents {
    type Item = Result<ChatEvent>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.queue.pop_front() {
                return Poll::Ready(Some(event));
            }
            if this.ended {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.stream).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => this.on_chunk(chunk),
                Poll::Ready(Some(Err(error))) => {
                    // The stream's own errors end it (a chunk that did not
                    // decode aside); parts left open end with this error.
                    if !matches!(error, Error::Decode { .. }) {
                        for open in this.open.values_mut() {
                            open.closed = true;
                        }
                    }
                    return Poll::Ready(Some(Err(error)));
                }
                Poll::Ready(None) => {
                    this.ended = true;
                    this.on_end();
                }
            }
        }
    }
}
