//! The constructor of a chat completion request.

use crate::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest, ModelIdsShared};

impl CreateChatCompletionRequest {
    /// A request with its two required fields, a model and the conversation,
    /// and every optional field unset; set the others as fields afterwards
    /// or with struct update syntax.
    ///
    /// ```
    /// use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
    ///
    /// let request = CreateChatCompletionRequest {
    ///     temperature: Some(0.2),
    ///     ..CreateChatCompletionRequest::new("gpt-4o", [ChatCompletionRequestMessage::user("Hello!")])
    /// };
    /// assert_eq!(
    ///     serde_json::to_value(&request).unwrap(),
    ///     serde_json::json!({
    ///         "messages": [{"role": "user", "content": "Hello!"}],
    ///         "model": "gpt-4o",
    ///         "temperature": 0.2,
    ///     })
    /// );
    /// ```
    pub fn new(
        model: impl Into<ModelIdsShared>,
        messages: impl Into<Vec<ChatCompletionRequestMessage>>,
    ) -> Self {
        Self {
            model: model.into(),
            messages: messages.into(),
            ..Default::default()
        }
    }
}
