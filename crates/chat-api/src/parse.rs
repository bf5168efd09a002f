//! Typed reading of what the model returned: a tool call's arguments and a
//! structured-output reply.
//!
//! Hand-written methods on the generated types, kept beside them (never
//! inside `generated/`) so that regenerating does not clobber them.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::types::{ChatCompletionMessageToolCall, CreateChatCompletionResponse, FinishReason};

/// JSON from the model that does not match the Rust type, with the path of
/// the offending value.
///
/// ```
/// # use chat_api::types::{ChatCompletionMessageToolCall, ToolCallFunction};
/// #[derive(Debug, serde::Deserialize)]
/// struct Args {
///     city: String,
///     days: u8,
/// }
///
/// let call = ChatCompletionMessageToolCall {
///     function: ToolCallFunction {
///         name: "forecast".into(),
///         arguments: r#"{"city": "Paris", "days": -1}"#.into(),
///         ..Default::default()
///     },
///     ..Default::default()
/// };
/// let error = call.parse_arguments::<Args>().unwrap_err();
/// assert_eq!(error.path(), "days");
/// assert!(error.to_string().starts_with("at `days`: invalid value: integer `-1`"));
/// ```
#[derive(Debug)]
pub struct JsonError {
    path: String,
    source: serde_json::Error,
}

impl JsonError {
    /// Decodes `json` as a `T`, keeping the path of the first mismatch.
    pub(crate) fn decode<T: DeserializeOwned>(json: &str) -> Result<T, Self> {
        let mut deserializer = serde_json::Deserializer::from_str(json);
        let value: T = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
            let path = error.path().to_string();
            Self {
                path,
                source: error.into_inner(),
            }
        })?;
        // As `serde_json::from_str` does: text after the value is an error,
        // not something to ignore.
        deserializer.end().map_err(|source| Self {
            path: ".".to_owned(),
            source,
        })?;
        Ok(value)
    }

    /// Where the mismatch is, in `serde_path_to_error`'s notation
    /// (`steps[2].text`); `"."` for the document itself (not JSON at all,
    /// truncated, or the wrong type at the top).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The underlying serde_json error; its line and column are positions
    /// in the model's text.
    pub fn json_error(&self) -> &serde_json::Error {
        &self.source
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path == "." {
            write!(f, "{}", self.source)
        } else {
            write!(f, "at `{}`: {}", self.path, self.source)
        }
    }
}

impl std::error::Error for JsonError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Why a completion's reply could not be read as a `T`
/// ([`CreateChatCompletionResponse::parse`]).
///
/// Refusal, truncation and content filtering are told apart because a caller
/// handles them differently: show the refusal, retry with more
/// `max_completion_tokens`, or rephrase.
#[derive(Debug)]
#[non_exhaustive]
pub enum ParseError {
    /// The response has no choices.
    NoChoices,
    /// The model refused (`message.refusal`); the text explains why.
    Refusal(String),
    /// The reply was cut off by the token limit (`finish_reason: "length"`),
    /// so the JSON is incomplete. `content` is what was produced.
    Truncated {
        /// The partial reply.
        content: Option<String>,
    },
    /// The reply was stopped by OpenAI's content filter
    /// (`finish_reason: "content_filter"`).
    ContentFilter,
    /// The message has no text content, for instance because the model
    /// called tools instead (`finish_reason: "tool_calls"`).
    NoContent,
    /// The reply is not JSON of the expected shape.
    Json(JsonError),
    /// The reply streamed so far cannot become the expected type's partial
    /// form (see [`Partial`](crate::schema::Partial)).
    Partial(crate::schema::PartialError),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoChoices => f.write_str("the response has no choices"),
            Self::Refusal(refusal) => write!(f, "the model refused: {refusal}"),
            Self::Truncated { .. } => f.write_str(
                "the reply was cut off at the token limit (finish_reason `length`), so its JSON \
                 is incomplete",
            ),
            Self::ContentFilter => f.write_str(
                "the reply was stopped by the content filter (finish_reason `content_filter`)",
            ),
            Self::NoContent => f.write_str("the message has no content"),
            Self::Json(error) => write!(f, "the reply does not match the expected type: {error}"),
            Self::Partial(error) => write!(
                f,
                "the reply streamed so far does not match the expected type: {error}"
            ),
        }
    }
}

impl std::error::Error for ParseError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Json(error) => Some(error),
            Self::Partial(error) => Some(error),
            _ => None,
        }
    }
}

impl From<JsonError> for ParseError {
    fn from(error: JsonError) -> Self {
        Self::Json(error)
    }
}

impl ChatCompletionMessageToolCall {
    /// The call's arguments (`function.arguments`, a JSON string) as a `T`,
    /// typically the `#[derive(Tool)]` type the tool was declared with.
    ///
    /// The function name is not checked: match on `function.name` first
    /// when several tools are offered.
    ///
    /// # Errors
    ///
    /// [`JsonError`] naming the path of the first value that does not fit.
    ///
    /// # Example
    ///
    /// ```
    /// use chat_api::Tool;
    /// use chat_api::types::ChatCompletionMessageToolCall;
    /// use serde::Deserialize;
    ///
    /// /// Get the current weather for a city.
    /// #[derive(Deserialize, Tool)]
    /// struct GetWeather {
    ///     city_name: String,
    /// }
    ///
    /// let call: ChatCompletionMessageToolCall = serde_json::from_str(
    ///     r#"{"id": "call_1", "type": "function",
    ///         "function": {"name": "get_weather", "arguments": "{\"city_name\": \"Santiago\"}"}}"#,
    /// )?;
    /// let args: GetWeather = call.parse_arguments()?;
    /// assert_eq!(args.city_name, "Santiago");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse_arguments<T: DeserializeOwned>(&self) -> Result<T, JsonError> {
        JsonError::decode(&self.function.arguments)
    }
}

impl CreateChatCompletionResponse {
    /// The text of the first choice's message, if it has any: `None` for a
    /// reply that only calls tools or refuses, or that has no choice at all.
    ///
    /// ```
    /// use chat_api::types::CreateChatCompletionResponse;
    ///
    /// let completion: CreateChatCompletionResponse = serde_json::from_value(serde_json::json!({
    ///     "choices": [{"index": 0, "finish_reason": "stop",
    ///                  "message": {"role": "assistant", "content": "Hi!"}}],
    /// })).unwrap();
    /// assert_eq!(completion.content(), Some("Hi!"));
    /// ```
    pub fn content(&self) -> Option<&str> {
        self.choices.first()?.message.content.as_deref()
    }

    /// The first choice's content as a `T`, for a request made with
    /// [`response_format::<T>()`](crate::response_format).
    ///
    /// Checked in this order: a refusal, truncation, the content filter, a
    /// missing content, then the JSON itself.
    ///
    /// # Errors
    ///
    /// [`ParseError`], one variant per reason.
    ///
    /// # Example
    ///
    /// ```
    /// use chat_api::{ParseError, Tool};
    /// use chat_api::types::CreateChatCompletionResponse;
    /// use serde::Deserialize;
    ///
    /// #[derive(Debug, Deserialize, Tool)]
    /// struct Answer {
    ///     answer: String,
    /// }
    ///
    /// let completion: CreateChatCompletionResponse = serde_json::from_str(
    ///     r#"{"choices": [{"index": 0, "finish_reason": "stop",
    ///         "message": {"role": "assistant", "content": "{\"answer\": \"42\"}", "refusal": null}}]}"#,
    /// )?;
    /// assert_eq!(completion.parse::<Answer>()?.answer, "42");
    ///
    /// let refused: CreateChatCompletionResponse = serde_json::from_str(
    ///     r#"{"choices": [{"index": 0, "finish_reason": "stop",
    ///         "message": {"role": "assistant", "content": null, "refusal": "I can't help."}}]}"#,
    /// )?;
    /// assert!(matches!(refused.parse::<Answer>(), Err(ParseError::Refusal(r)) if r == "I can't help."));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ParseError> {
        let choice = self.choices.first().ok_or(ParseError::NoChoices)?;
        let message = &choice.message;
        if let Some(refusal) = &message.refusal {
            return Err(ParseError::Refusal(refusal.clone()));
        }
        match choice.finish_reason {
            Some(FinishReason::Length) => {
                return Err(ParseError::Truncated {
                    content: message.content.clone(),
                });
            }
            Some(FinishReason::ContentFilter) => return Err(ParseError::ContentFilter),
            _ => {}
        }
        let content = message.content.as_deref().ok_or(ParseError::NoContent)?;
        Ok(JsonError::decode(content)?)
    }
}
