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
    SystemContent, ToolContent, UserContent,
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
/// tool-calling loop must: content, refusal, tool calls, the audio id and the
/// legacy function call carry over.
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
            tool_calls: message.tool_calls,
            function_call: message.function_call.map(|f| AssistantFunctionCall {
                arguments: f.arguments,
                name: f.name,
            }),
        })
    }
}
