//! Hand-written constructors for the generated message types.
//!
//! They live beside the generated code, never inside it, so regenerating
//! never clobbers them.

#[allow(deprecated)]
use crate::types::{
    AssistantAudio, AssistantContent, AssistantFunctionCall, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestDeveloperMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestToolMessage,
    ChatCompletionRequestUserMessage, ChatCompletionResponseMessage, DeveloperContent,
    SystemContent, ToolCall, ToolContent, UserContent,
};

impl ChatCompletionRequestMessage {
    /// A system message.
    ///
    /// ```
    /// use chat_api::types::ChatCompletionRequestMessage;
    /// let m = ChatCompletionRequestMessage::system("You are terse.");
    /// assert_eq!(serde_json::to_value(&m).unwrap(), serde_json::json!({"role": "system", "content": "You are terse."}));
    /// ```
    pub fn system(content: impl Into<SystemContent>) -> Self {
        Self::System(ChatCompletionRequestSystemMessage {
            content: content.into(),
            name: None,
        })
    }

    /// A developer message (the system message of reasoning models).
    pub fn developer(content: impl Into<DeveloperContent>) -> Self {
        Self::Developer(ChatCompletionRequestDeveloperMessage {
            content: content.into(),
            name: None,
        })
    }

    /// A user message: text, or content parts (text, images, audio, files).
    ///
    /// ```
    /// use chat_api::types::ChatCompletionRequestMessage;
    /// let m = ChatCompletionRequestMessage::user("Hello!");
    /// assert_eq!(serde_json::to_value(&m).unwrap(), serde_json::json!({"role": "user", "content": "Hello!"}));
    /// ```
    pub fn user(content: impl Into<UserContent>) -> Self {
        Self::User(ChatCompletionRequestUserMessage {
            content: content.into(),
            name: None,
        })
    }

    /// An assistant message with text content.
    pub fn assistant(content: impl Into<AssistantContent>) -> Self {
        Self::Assistant(ChatCompletionRequestAssistantMessage {
            content: Some(content.into()),
            ..Default::default()
        })
    }

    /// The result of a tool call, answering the call with id `tool_call_id`.
    ///
    /// ```
    /// use chat_api::types::ChatCompletionRequestMessage;
    /// let m = ChatCompletionRequestMessage::tool("call_1", "22°C");
    /// assert_eq!(
    ///     serde_json::to_value(&m).unwrap(),
    ///     serde_json::json!({"role": "tool", "content": "22°C", "tool_call_id": "call_1"})
    /// );
    /// ```
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<ToolContent>) -> Self {
        Self::Tool(ChatCompletionRequestToolMessage {
            content: content.into(),
            tool_call_id: tool_call_id.into(),
        })
    }
}

/// Replays a model's answer as the assistant turn of the next request, as a
/// tool-calling loop must, losing nothing a request may carry.
///
/// - Kept: content, refusal, tool calls (with their own unknown fields), the
///   legacy function call, the audio `id`, and every property the spec does
///   not describe, such as DeepSeek's and Kimi's `reasoning_content` or
///   OpenRouter's `reasoning`: thinking-mode providers reject a tool loop
///   whose assistant turn comes back without it.
/// - Dropped, because only responses carry them: `annotations`, the audio's
///   `data`, `transcript` and `expires_at`, and a `refusal` of `null`.
/// - Synthesized: a tool call without an `id` (some local servers omit it)
///   gets `call_<index>_<hash of name and arguments>`, the same on every run
///   so recordings still match; answer it with that id.
///
/// [`ChatCompletionRequestAssistantMessage::strip`] removes extra fields a
/// gateway rejects.
///
/// ```
/// use chat_api::types::{ChatCompletionRequestMessage, ChatCompletionResponseMessage};
/// use serde_json::json;
///
/// let answer: ChatCompletionResponseMessage = serde_json::from_value(json!({
///     "role": "assistant", "content": null, "refusal": null,
///     "reasoning_content": "The user wants the weather; call the tool.",
///     "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]
/// }))?;
/// let turn = serde_json::to_value(ChatCompletionRequestMessage::from(answer))?;
/// assert_eq!(turn["reasoning_content"], "The user wants the weather; call the tool.");
/// assert!(turn["tool_calls"][0]["id"].as_str().unwrap().starts_with("call_0_"));
/// assert!(turn.get("refusal").is_none());
/// # Ok::<(), serde_json::Error>(())
/// ```
// The legacy `function_call` is deprecated in the spec, but dropping it from
// a replayed turn would make the conversation inconsistent for old models.
#[allow(deprecated)]
impl From<ChatCompletionResponseMessage> for ChatCompletionRequestMessage {
    fn from(message: ChatCompletionResponseMessage) -> Self {
        Self::Assistant(ChatCompletionRequestAssistantMessage {
            content: message.content.map(AssistantContent::from),
            refusal: message.refusal,
            name: None,
            audio: message.audio.map(|a| AssistantAudio { id: a.id }),
            tool_calls: message.tool_calls.map(with_call_ids),
            function_call: message.function_call.map(|f| AssistantFunctionCall {
                arguments: f.arguments,
                name: f.name,
            }),
            extra: message.extra,
        })
    }
}

impl ChatCompletionRequestAssistantMessage {
    /// Removes the named properties the spec does not describe (the `extra`
    /// map), for a gateway that rejects unknown message fields; typed fields
    /// are untouched.
    ///
    /// ```
    /// use chat_api::types::ChatCompletionRequestAssistantMessage;
    ///
    /// let mut turn = ChatCompletionRequestAssistantMessage::default();
    /// turn.extra.insert("reasoning_content".into(), "thinking".into());
    /// turn.extra.insert("reasoning".into(), "thinking".into());
    /// turn.strip(&["reasoning".to_owned()]);
    /// assert_eq!(turn.extra.keys().collect::<Vec<_>>(), ["reasoning_content"]);
    /// ```
    pub fn strip(&mut self, fields: &[String]) {
        self.extra.retain(|key, _| !fields.contains(key));
    }
}

/// Gives every call an id: a conversation where a call has none cannot be
/// answered, since the tool message names the call it answers.
fn with_call_ids(mut calls: Vec<ToolCall>) -> Vec<ToolCall> {
    for (index, call) in calls.iter_mut().enumerate() {
        match call {
            ToolCall::Function(call) if call.id.is_empty() => {
                call.id = synthetic_id(index, &[&call.function.name, &call.function.arguments]);
            }
            ToolCall::Custom(call) if call.id.is_empty() => {
                call.id = synthetic_id(index, &[&call.custom.name, &call.custom.input]);
            }
            _ => {}
        }
    }
    calls
}

/// `call_<index>_<FNV-1a of the parts>`: deterministic, so a recorded
/// conversation replays byte for byte, and distinct for distinct calls.
fn synthetic_id(index: usize, parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("call_{index}_{:08x}", hash >> 32)
}
