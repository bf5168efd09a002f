//! What a tool handler returns ([`ToolOutput`], [`Json`]) and what a tool
//! call gives back to the model ([`ToolResult`]).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::types::ToolContent;

/// The content of the tool message that answers one tool call: what the
/// tool produced, or why it failed, as text the model reads.
///
/// Both are sent back to the model (an error lets it correct itself), so
/// [`as_str`](ToolResult::as_str) serves either case; match to tell them
/// apart, e.g. to log failures. Made by [`Toolbox::call`](crate::Toolbox::call)
/// and [`ToolOutput::into_content`].
///
/// ```
/// use chat_api::ToolResult;
/// use chat_api::types::ChatCompletionRequestMessage;
///
/// let result = ToolResult::Error("Error: no such city".to_owned());
/// assert!(result.is_error());
/// let reply = ChatCompletionRequestMessage::tool("call_1", result);
/// assert_eq!(serde_json::to_value(&reply)?["content"], "Error: no such city");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[must_use = "a tool result does nothing until it is sent back to the model in a tool message"]
pub enum ToolResult {
    /// What the tool produced.
    Output(String),
    /// Why the call failed: the handler's error, arguments that do not fit
    /// the tool, or an unknown tool.
    Error(String),
}

impl ToolResult {
    /// The text for the tool message, output or error alike.
    pub fn as_str(&self) -> &str {
        match self {
            ToolResult::Output(text) | ToolResult::Error(text) => text,
        }
    }

    /// The text for the tool message, output or error alike.
    pub fn into_string(self) -> String {
        match self {
            ToolResult::Output(text) | ToolResult::Error(text) => text,
        }
    }

    /// Whether the call failed.
    pub fn is_error(&self) -> bool {
        matches!(self, ToolResult::Error(_))
    }
}

impl fmt::Display for ToolResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<ToolResult> for String {
    fn from(result: ToolResult) -> Self {
        result.into_string()
    }
}

/// So that a result goes straight into
/// [`ChatCompletionRequestMessage::tool`](crate::types::ChatCompletionRequestMessage::tool).
impl From<ToolResult> for ToolContent {
    fn from(result: ToolResult) -> Self {
        result.into_string().into()
    }
}

/// What a tool handler may return: how it becomes the tool message's content.
///
/// Strings are sent as they are; other values as their JSON
/// (`serde_json::to_string`), except that a value serializing to a JSON
/// string is sent as that string, unquoted. `Result<T, E>` sends `T` that
/// way, and for `Err` the error's `Display` text, so the model can correct
/// itself. Any other `Serialize` type is sent as JSON through [`Json`], or
/// by returning it in a `Result`.
///
/// ```
/// use chat_api::{Json, ToolOutput, ToolResult};
///
/// assert_eq!("22°C".into_content(), ToolResult::Output("22°C".to_owned()));
/// assert_eq!(Json(vec![1, 2]).into_content(), ToolResult::Output("[1,2]".to_owned()));
/// assert_eq!(Some(3).into_content(), ToolResult::Output("3".to_owned()));
/// let failed: Result<u32, String> = Err("no such city".into());
/// assert_eq!(failed.into_content(), ToolResult::Error("no such city".to_owned()));
/// ```
pub trait ToolOutput {
    /// The message content, or the error text the model sees.
    fn into_content(self) -> ToolResult;
}

/// Sends any `Serialize` value as JSON from a tool handler
/// (`serde_json::to_string`, strings included: `Json("a")` is `"a"` quoted).
///
/// ```
/// use chat_api::{Json, ToolOutput};
///
/// #[derive(serde::Serialize)]
/// struct Forecast {
///     celsius: f64,
/// }
///
/// let content = Json(Forecast { celsius: 21.5 }).into_content();
/// assert_eq!(content.as_str(), r#"{"celsius":21.5}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> ToolOutput for Json<T> {
    fn into_content(self) -> ToolResult {
        match serde_json::to_string(&self.0) {
            Ok(json) => ToolResult::Output(json),
            Err(error) => not_serializable(error),
        }
    }
}

impl ToolOutput for String {
    fn into_content(self) -> ToolResult {
        ToolResult::Output(self)
    }
}

impl ToolOutput for &str {
    fn into_content(self) -> ToolResult {
        ToolResult::Output(self.to_owned())
    }
}

impl ToolOutput for Cow<'_, str> {
    fn into_content(self) -> ToolResult {
        ToolResult::Output(self.into_owned())
    }
}

impl<T: Serialize, E: fmt::Display> ToolOutput for std::result::Result<T, E> {
    fn into_content(self) -> ToolResult {
        match self {
            Ok(value) => content_of(&value),
            Err(error) => ToolResult::Error(error.to_string()),
        }
    }
}

impl<T: Serialize> ToolOutput for Option<T> {
    fn into_content(self) -> ToolResult {
        content_of(&self)
    }
}

impl<T: Serialize> ToolOutput for Vec<T> {
    fn into_content(self) -> ToolResult {
        content_of(&self)
    }
}

macro_rules! output_as_json {
    ($($ty:ty),* $(,)?) => {$(
        impl ToolOutput for $ty {
            fn into_content(self) -> ToolResult {
                content_of(&self)
            }
        }
    )*};
}

output_as_json!(
    (),
    bool,
    char,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    serde_json::Value,
);

/// A string as it is, anything else as JSON text.
fn content_of<T: Serialize + ?Sized>(value: &T) -> ToolResult {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => ToolResult::Output(text),
        Ok(other) => ToolResult::Output(other.to_string()),
        Err(error) => not_serializable(error),
    }
}

fn not_serializable(error: serde_json::Error) -> ToolResult {
    ToolResult::Error(format!(
        "the tool's result could not be serialized as JSON: {error}"
    ))
}
