//! The **limit**: serde_json into minimal hand-written borrowed structs that
//! read only what a user of a chat completion needs (content, tool calls,
//! finish reason, usage, logprob tokens). They drop unknown fields and fail
//! on nothing new, so no typed client can be faster at the same job; every
//! figure is reported as a ratio against them.

use std::borrow::Cow;

use serde::Deserialize;

/// A chat completion, as little of it as a user reads.
#[derive(Debug, Deserialize)]
pub struct Response<'a> {
    /// The completion id.
    #[serde(borrow, default)]
    pub id: Cow<'a, str>,
    /// The model that answered.
    #[serde(borrow, default)]
    pub model: Cow<'a, str>,
    /// The choices.
    #[serde(borrow, default)]
    pub choices: Vec<Choice<'a>>,
    /// Token counts.
    pub usage: Option<Usage>,
}

/// One choice of a completion.
#[derive(Debug, Deserialize)]
pub struct Choice<'a> {
    /// The message.
    #[serde(borrow)]
    pub message: Message<'a>,
    /// Why generation stopped.
    #[serde(borrow)]
    pub finish_reason: Option<Cow<'a, str>>,
    /// Token log probabilities.
    #[serde(borrow)]
    pub logprobs: Option<Logprobs<'a>>,
}

/// The assistant message of a choice.
#[derive(Debug, Deserialize)]
pub struct Message<'a> {
    /// The text.
    #[serde(borrow)]
    pub content: Option<Cow<'a, str>>,
    /// The tool calls.
    #[serde(borrow)]
    pub tool_calls: Option<Vec<ToolCall<'a>>>,
}

/// A tool call of a message or a delta.
#[derive(Debug, Deserialize)]
pub struct ToolCall<'a> {
    /// Position in a streamed delta.
    pub index: Option<u32>,
    /// The call id.
    #[serde(borrow)]
    pub id: Option<Cow<'a, str>>,
    /// The function and its arguments.
    #[serde(borrow)]
    pub function: Option<Function<'a>>,
}

/// A function call.
#[derive(Debug, Deserialize)]
pub struct Function<'a> {
    /// The function name.
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    /// The JSON arguments, as text.
    #[serde(borrow)]
    pub arguments: Option<Cow<'a, str>>,
}

/// Token counts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Usage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
}

/// The log probabilities of a choice.
#[derive(Debug, Deserialize)]
pub struct Logprobs<'a> {
    /// One entry per content token.
    #[serde(borrow)]
    pub content: Option<Vec<Token<'a>>>,
}

/// One token with its log probability and alternatives.
#[derive(Debug, Deserialize)]
pub struct Token<'a> {
    /// The token text.
    #[serde(borrow)]
    pub token: Cow<'a, str>,
    /// Its log probability.
    pub logprob: f64,
    /// Its UTF-8 bytes.
    pub bytes: Option<Vec<u8>>,
    /// The most likely alternatives.
    #[serde(borrow, default)]
    pub top_logprobs: Vec<TopToken<'a>>,
}

/// An alternative token.
#[derive(Debug, Deserialize)]
pub struct TopToken<'a> {
    /// The token text.
    #[serde(borrow)]
    pub token: Cow<'a, str>,
    /// Its log probability.
    pub logprob: f64,
    /// Its UTF-8 bytes.
    pub bytes: Option<Vec<u8>>,
}

/// A stream chunk: what [`Response`] reads, as deltas.
#[derive(Debug, Deserialize)]
pub struct Chunk<'a> {
    /// The completion id.
    #[serde(borrow, default)]
    pub id: Cow<'a, str>,
    /// The model that answered.
    #[serde(borrow, default)]
    pub model: Cow<'a, str>,
    /// The choices' deltas.
    #[serde(borrow, default)]
    pub choices: Vec<ChunkChoice<'a>>,
    /// Token counts, in the last chunk.
    pub usage: Option<Usage>,
}

/// One choice's delta.
#[derive(Debug, Deserialize)]
pub struct ChunkChoice<'a> {
    /// The delta.
    #[serde(borrow)]
    pub delta: Delta<'a>,
    /// Why generation stopped, in the last chunk of the choice.
    #[serde(borrow)]
    pub finish_reason: Option<Cow<'a, str>>,
    /// The log probabilities of the delta's tokens.
    #[serde(borrow)]
    pub logprobs: Option<Logprobs<'a>>,
}

/// What a chunk adds to the message.
#[derive(Debug, Default, Deserialize)]
pub struct Delta<'a> {
    /// A piece of the text.
    #[serde(borrow)]
    pub content: Option<Cow<'a, str>>,
    /// Pieces of tool calls.
    #[serde(borrow)]
    pub tool_calls: Option<Vec<ToolCall<'a>>>,
}

/// The minimal stream path: split `text/event-stream` text into `data:`
/// payloads (no multi-line events, comments or ids; enough for OpenAI's
/// streams), decode each into a [`Chunk`] and append its content: what the
/// whole chat-api stream path (SSE parse, typed decode, fold) is held to.
pub fn fold_stream(sse: &str) -> (String, usize) {
    let mut text = String::new();
    let mut chunks = 0;
    for line in sse.split('\n') {
        let Some(data) = line.strip_prefix("data:") else {
            continue;
        };
        let data = data.trim_start();
        if data == "[DONE]" {
            break;
        }
        let chunk: Chunk<'_> = serde_json::from_str(data).expect("a chunk the limit decodes");
        chunks += 1;
        for choice in &chunk.choices {
            if let Some(content) = &choice.delta.content {
                text.push_str(content);
            }
        }
    }
    (text, chunks)
}
