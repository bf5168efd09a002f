//! Constructors for a request's `tool_choice`.

use crate::types::{
    AllowedToolsMode, ChatCompletionAllowedTools, ChatCompletionAllowedToolsChoice,
    ChatCompletionNamedToolChoice, ChatCompletionNamedToolChoiceCustom,
    ChatCompletionToolChoiceOption, NamedCustomTool, NamedFunction, ToolChoiceMode,
};

/// Which tools the model may or must call; the short name of the generated
/// [`ChatCompletionToolChoiceOption`], with a constructor for each choice.
///
/// An alias rather than a new type, so the value a response or a stored
/// completion carries and the one a request takes stay one type.
///
/// ```
/// use chat_api::ToolChoice;
/// use chat_api::types::{AllowedToolsMode, CreateChatCompletionRequest};
///
/// let mut request = CreateChatCompletionRequest::new("gpt-4o", vec![]);
/// request.tool_choice = Some(ToolChoice::function("get_weather"));
/// assert_eq!(
///     serde_json::to_value(&request.tool_choice).unwrap(),
///     serde_json::json!({"type": "function", "function": {"name": "get_weather"}})
/// );
///
/// let allowed = ToolChoice::allowed_tools(AllowedToolsMode::Required, ["get_weather", "get_time"]);
/// assert_eq!(
///     serde_json::to_value(&allowed).unwrap(),
///     serde_json::json!({"type": "allowed_tools", "allowed_tools": {"mode": "required", "tools": [
///         {"type": "function", "function": {"name": "get_weather"}},
///         {"type": "function", "function": {"name": "get_time"}},
///     ]}})
/// );
/// assert_eq!(serde_json::to_value(ToolChoice::required()).unwrap(), "required");
/// ```
pub type ToolChoice = ChatCompletionToolChoiceOption;

impl ChatCompletionToolChoiceOption {
    /// The model decides whether to call tools (the default when tools are present).
    pub fn auto() -> Self {
        Self::Mode(ToolChoiceMode::Auto)
    }

    /// The model calls no tool and answers with a message.
    pub fn none() -> Self {
        Self::Mode(ToolChoiceMode::None)
    }

    /// The model must call one or more tools.
    pub fn required() -> Self {
        Self::Mode(ToolChoiceMode::Required)
    }

    /// The model must call the function named `name`, e.g. a derived
    /// tool's [`Tool::NAME`](crate::Tool::NAME).
    pub fn function(name: impl Into<String>) -> Self {
        Self::Named(ChatCompletionNamedToolChoice {
            function: NamedFunction { name: name.into() },
        })
    }

    /// The model must call the custom tool named `name`.
    pub fn custom(name: impl Into<String>) -> Self {
        Self::NamedCustom(ChatCompletionNamedToolChoiceCustom {
            custom: NamedCustomTool { name: name.into() },
        })
    }

    /// The model may use only the functions named in `function_names`
    /// (`mode` `Auto`), or must call one of them (`Required`), while the
    /// request's `tools` list stays the same, which keeps the prompt cache
    /// warm across turns.
    pub fn allowed_tools<I>(mode: AllowedToolsMode, function_names: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        let tools = function_names
            .into_iter()
            .map(|name| {
                let mut tool = serde_json::Map::new();
                tool.insert("type".into(), "function".into());
                tool.insert(
                    "function".into(),
                    serde_json::json!({ "name": name.into() }),
                );
                tool
            })
            .collect();
        Self::AllowedTools(ChatCompletionAllowedToolsChoice {
            allowed_tools: ChatCompletionAllowedTools { mode, tools },
        })
    }
}
