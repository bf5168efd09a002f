//! The tool-calling loop: a [`Toolbox`] of handlers and
//! [`Client::run_tools`](crate::Client::run_tools).
//!
//! `output` turns what a handler returns into a [`ToolResult`], `handler`
//! pairs a tool with its code, and `run` is the loop itself.
//!
//! A handler pairs a [`Tool`] arguments type with the code that runs it. For
//! a `#[chat_api::tool]` function that code is the generated `call` method
//! (`DefineArgs::call`); for a `#[derive(Tool)]` struct it is any function or
//! closure taking the struct, sync or async. What a handler returns becomes
//! the tool message ([`ToolOutput`]); its errors, arguments that do not
//! parse and calls to unknown tools become error text the model reads and
//! can react to, never a failure of the run.
//!
//! ```no_run
//! use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
//! use chat_api::{Client, Tool, Toolbox};
//! use serde::Deserialize;
//!
//! /// Look a word up in the dictionary.
//! #[chat_api::tool]
//! async fn define(
//!     /// The word to look up.
//!     word: String,
//! ) -> Result<String, std::io::Error> {
//!     Ok(format!("{word}: the smell of rain on dry earth"))
//! }
//!
//! /// Get the current weather for a city.
//! #[derive(Deserialize, Tool)]
//! struct GetWeather {
//!     /// City name, e.g. "Paris".
//!     location: String,
//! }
//!
//! fn get_weather(args: GetWeather) -> String {
//!     format!("22°C and sunny in {}", args.location)
//! }
//!
//! # async fn demo() -> chat_api::Result<()> {
//! let tools = Toolbox::new()
//!     .handler(DefineArgs::call)
//!     .with(GetWeather::handler(get_weather));
//! let request = CreateChatCompletionRequest {
//!     model: "gpt-4.1".into(),
//!     messages: vec![ChatCompletionRequestMessage::user(
//!         "What does 'petrichor' mean, and is it raining in Paris?",
//!     )],
//!     ..Default::default()
//! };
//! let run = Client::from_env()?.run_tools(request, &tools).await?;
//! println!("{}", run.content().unwrap_or_default());
//! # Ok(()) }
//! ```
//!
//! `Toolbox::new().with(define)`, passing the function itself, cannot be
//! written in Rust: a function item's type has no name, so neither the macro
//! nor this crate can attach the arguments type to it. `DefineArgs::call`
//! is the same function with the arguments already parsed. A function with
//! a `#[tool(context)]` parameter is registered with a closure that supplies
//! it: `.handler(move |args: AddArgs| args.call(&db))`.

mod handler;
mod hooks;
mod output;
mod run;

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use handler::RunFn;
pub use handler::{HandlerReturn, ToolHandler, marker};
use hooks::Hooks;
pub use hooks::{CallDecision, Flow, ToolCallEnd, ToolCallStart};
pub use output::{Json, ToolOutput, ToolResult};
pub use run::ToolRun;

use crate::schema::{SchemaError, Tool};
use crate::types::{
    ChatCompletionMessageToolCall, ChatCompletionTool, CreateChatCompletionResponse, ToolCall,
    ToolDefinition,
};

/// Rounds [`Client::run_tools`](crate::Client::run_tools) allows by default,
/// as openai-node's `runTools`.
pub const DEFAULT_MAX_ROUNDS: u32 = 10;

/// Why a handler could not be added to a [`Toolbox`].
///
/// ```
/// use chat_api::{Tool, Toolbox, ToolboxError};
///
/// #[derive(serde::Deserialize, Tool)]
/// struct Ping {}
///
/// let tools = Toolbox::new().with(Ping::handler(|_: Ping| "pong"));
/// let error = tools.try_with(Ping::handler(|_: Ping| "pong again")).unwrap_err();
/// assert!(matches!(error, ToolboxError::DuplicateName(name) if name == "ping"));
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ToolboxError {
    /// A tool of this name is already in the toolbox: the model could not
    /// tell the two apart.
    #[error("the toolbox already has a tool named `{0}`")]
    DuplicateName(String),
    /// The tool's parameters schema could not be built (see [`Tool::try_parameters`]).
    #[error(transparent)]
    Schema(&'static SchemaError),
}

#[derive(Clone)]
struct Entry {
    tool: ChatCompletionTool,
    run: Arc<RunFn>,
}

/// Named tool handlers for [`Client::run_tools`](crate::Client::run_tools), or for a loop of your own
/// ([`tools`](Toolbox::tools), [`call`](Toolbox::call)).
///
/// Tools are sent in the order they were added. Cloning is cheap: handlers
/// are shared.
///
/// ```
/// use chat_api::{Tool, Toolbox};
///
/// /// Look a word up in the dictionary.
/// #[chat_api::tool]
/// async fn define(word: String) -> Result<String, std::io::Error> {
///     Ok(format!("{word}: a word"))
/// }
///
/// /// The current time in a time zone.
/// #[derive(serde::Deserialize, Tool)]
/// struct Now {
///     zone: String,
/// }
///
/// let tools = Toolbox::new()
///     .handler(DefineArgs::call)
///     .handler(|now: Now| format!("12:00 in {}", now.zone))
///     .max_rounds(5);
/// let names: Vec<_> = tools.names().collect();
/// assert_eq!(names, ["define", "now"]);
/// ```
#[derive(Clone)]
#[must_use = "a Toolbox does nothing until it is passed to Client::run_tools or its call method is used"]
pub struct Toolbox {
    entries: Vec<Entry>,
    max_rounds: u32,
    strip: Vec<String>,
    hooks: Hooks,
}

impl Default for Toolbox {
    fn default() -> Self {
        Toolbox {
            entries: Vec::new(),
            max_rounds: DEFAULT_MAX_ROUNDS,
            strip: Vec::new(),
            hooks: Hooks::default(),
        }
    }
}

impl fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Toolbox")
            .field("tools", &self.names().collect::<Vec<_>>())
            .field("max_rounds", &self.max_rounds)
            .field("strip", &self.strip)
            .field("hooks", &self.hooks.count())
            .finish()
    }
}

impl Toolbox {
    /// An empty toolbox allowing [`DEFAULT_MAX_ROUNDS`] rounds.
    ///
    /// ```
    /// assert_eq!(chat_api::Toolbox::new().tools(), vec![]);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a handler.
    ///
    /// # Panics
    ///
    /// If the toolbox already has a tool of that name, or the tool's schema
    /// cannot be built: both are mistakes in the program, found the first
    /// time it runs. Use [`try_with`](Toolbox::try_with) to handle them.
    ///
    /// ```
    /// use chat_api::{Tool, Toolbox};
    ///
    /// #[derive(serde::Deserialize, Tool)]
    /// struct Ping {}
    ///
    /// let tools = Toolbox::new().with(Ping::handler(|_: Ping| "pong"));
    /// assert_eq!(tools.tools().len(), 1);
    /// ```
    pub fn with(self, handler: ToolHandler) -> Self {
        match self.try_with(handler) {
            Ok(toolbox) => toolbox,
            Err(error) => panic!("{error}"),
        }
    }

    /// Adds a handler, or says why it cannot be added.
    ///
    /// # Errors
    ///
    /// [`ToolboxError::DuplicateName`] if a tool of that name is already
    /// there, [`ToolboxError::Schema`] if its schema cannot be built.
    ///
    /// ```
    /// use chat_api::{Tool, Toolbox};
    ///
    /// #[derive(serde::Deserialize, Tool)]
    /// struct Ping {}
    ///
    /// let tools = Toolbox::new().try_with(Ping::handler(|_: Ping| "pong"))?;
    /// assert!(tools.try_with(Ping::handler(|_: Ping| "again")).is_err());
    /// # Ok::<(), chat_api::ToolboxError>(())
    /// ```
    pub fn try_with(mut self, handler: ToolHandler) -> std::result::Result<Self, ToolboxError> {
        if self
            .entries
            .iter()
            .any(|e| e.tool.function.name == handler.name)
        {
            return Err(ToolboxError::DuplicateName(handler.name.to_owned()));
        }
        let tool = (handler.definition)().map_err(ToolboxError::Schema)?;
        self.entries.push(Entry {
            tool,
            run: handler.run,
        });
        Ok(self)
    }

    /// Adds `handler` for the tool whose arguments are `T`, usually inferred
    /// from the handler: `.handler(DefineArgs::call)`, `.handler(get_weather)`.
    /// Short for `.with(T::handler(handler))`.
    ///
    /// # Panics
    ///
    /// As [`with`](Toolbox::with).
    ///
    /// ```
    /// use chat_api::Toolbox;
    ///
    /// /// Add two numbers.
    /// #[chat_api::tool]
    /// fn add(a: i64, b: i64) -> i64 {
    ///     a + b
    /// }
    ///
    /// let tools = Toolbox::new().handler(AddArgs::call);
    /// # assert_eq!(tools.names().collect::<Vec<_>>(), ["add"]);
    /// ```
    pub fn handler<T, F, R, M>(self, handler: F) -> Self
    where
        T: Tool + DeserializeOwned + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
        R: HandlerReturn<M>,
    {
        self.with(ToolHandler::new(handler))
    }

    /// How many completions [`Client::run_tools`](crate::Client::run_tools) requests at most
    /// (default [`DEFAULT_MAX_ROUNDS`]; 0 counts as 1). If the model still
    /// calls tools in the last one, the run ends with [`Error::ToolRounds`](crate::Error::ToolRounds).
    ///
    /// ```
    /// let tools = chat_api::Toolbox::new().max_rounds(3);
    /// assert_eq!(tools.rounds(), 3);
    /// ```
    pub fn max_rounds(mut self, max_rounds: u32) -> Self {
        self.max_rounds = max_rounds.max(1);
        self
    }

    /// Fields not to echo back in the assistant turns
    /// [`Client::run_tools`](crate::Client::run_tools) replays, for a gateway
    /// that rejects unknown message fields. By default every field the
    /// server sent that a request may carry goes back, including
    /// `reasoning_content`, which thinking-mode providers require (see
    /// [`ChatCompletionRequestAssistantMessage::strip`](crate::types::ChatCompletionRequestAssistantMessage::strip)).
    ///
    /// ```
    /// let tools = chat_api::Toolbox::new().strip_fields(["reasoning", "reasoning_details"]);
    /// # let _ = tools;
    /// ```
    pub fn strip_fields<S: Into<String>>(mut self, fields: impl IntoIterator<Item = S>) -> Self {
        self.strip.extend(fields.into_iter().map(Into::into));
        self
    }

    /// Calls `hook` with every completion
    /// [`Client::run_tools`](crate::Client::run_tools) receives, before its
    /// tool calls run: to log it, or to end the run with [`Flow::Stop`].
    ///
    /// ```
    /// use chat_api::{Flow, Toolbox};
    ///
    /// let tools = Toolbox::new().on_completion(|completion| {
    ///     eprintln!("round: {} ({:?})", completion.id, completion.usage);
    ///     Flow::Continue
    /// });
    /// # let _ = tools;
    /// ```
    pub fn on_completion(
        mut self,
        hook: impl Fn(&CreateChatCompletionResponse) -> Flow + Send + Sync + 'static,
    ) -> Self {
        self.hooks.add_completion(hook);
        self
    }

    /// Asks `hook` before each tool call of
    /// [`Client::run_tools`](crate::Client::run_tools) runs: run it, veto it
    /// (the model reads the reason as the tool's error), or stop the run.
    /// Hooks run in the order they were added; the first that does not say
    /// [`CallDecision::Run`] decides.
    ///
    /// ```
    /// use chat_api::{CallDecision, Toolbox};
    ///
    /// let tools = Toolbox::new().before_tool_call(|call| {
    ///     if call.name == "delete_file" {
    ///         CallDecision::Veto("deleting files needs a human".into())
    ///     } else {
    ///         CallDecision::Run
    ///     }
    /// });
    /// # let _ = tools;
    /// ```
    pub fn before_tool_call(
        mut self,
        hook: impl Fn(&ToolCallStart<'_>) -> CallDecision + Send + Sync + 'static,
    ) -> Self {
        self.hooks.add_before(hook);
        self
    }

    /// Calls `hook` after each tool call of
    /// [`Client::run_tools`](crate::Client::run_tools) with its name,
    /// arguments, result and duration; [`Flow::Stop`] ends the run once the
    /// round's results are in the history.
    ///
    /// ```
    /// use chat_api::{Flow, Toolbox};
    ///
    /// let tools = Toolbox::new().after_tool_call(|done| {
    ///     eprintln!("{}({}) took {:?}", done.call.name, done.call.arguments, done.duration);
    ///     Flow::Continue
    /// });
    /// # let _ = tools;
    /// ```
    pub fn after_tool_call(
        mut self,
        hook: impl Fn(&ToolCallEnd<'_>) -> Flow + Send + Sync + 'static,
    ) -> Self {
        self.hooks.add_after(hook);
        self
    }

    /// The round limit set by [`max_rounds`](Toolbox::max_rounds).
    ///
    /// ```
    /// assert_eq!(chat_api::Toolbox::new().rounds(), chat_api::DEFAULT_MAX_ROUNDS);
    /// ```
    pub fn rounds(&self) -> u32 {
        self.max_rounds
    }

    /// The tool names, in the order they were added.
    ///
    /// ```
    /// assert_eq!(chat_api::Toolbox::new().names().count(), 0);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.tool.function.name.as_str())
    }

    /// The tools for a request's `tools` field.
    ///
    /// ```
    /// use chat_api::{Tool, Toolbox};
    /// use chat_api::types::CreateChatCompletionRequest;
    ///
    /// #[derive(serde::Deserialize, Tool)]
    /// struct Ping {}
    ///
    /// let tools = Toolbox::new().handler(|_: Ping| "pong");
    /// let request = CreateChatCompletionRequest {
    ///     tools: Some(tools.tools()),
    ///     ..Default::default()
    /// };
    /// let json = serde_json::to_value(&request)?;
    /// assert_eq!(json["tools"][0]["function"]["name"], "ping");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn tools(&self) -> Vec<ToolDefinition> {
        self.entries.iter().map(|e| e.tool.clone().into()).collect()
    }

    /// Runs one tool call: finds the tool by name, parses the arguments and
    /// runs the handler.
    ///
    /// [`ToolResult::Output`] is the content for the tool message;
    /// [`ToolResult::Error`] is text for the model too, starting with
    /// `Error:`: the handler's error, arguments that do not match the
    /// schema, or a tool that does not exist. Either way it is what to send
    /// back with
    /// [`ChatCompletionRequestMessage::tool`](crate::types::ChatCompletionRequestMessage::tool).
    /// A synchronous handler runs
    /// when the future is first polled, on that thread.
    ///
    /// ```
    /// use chat_api::{Tool, Toolbox, ToolResult};
    /// use chat_api::types::{ChatCompletionMessageToolCall, ChatCompletionRequestMessage};
    ///
    /// #[derive(serde::Deserialize, Tool)]
    /// struct Double {
    ///     n: i64,
    /// }
    ///
    /// let tools = Toolbox::new().handler(|d: Double| d.n * 2);
    /// let call: ChatCompletionMessageToolCall = serde_json::from_str(
    ///     r#"{"id": "call_1", "type": "function",
    ///         "function": {"name": "double", "arguments": "{\"n\": 21}"}}"#,
    /// )?;
    /// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    /// let result = runtime.block_on(tools.call(&call));
    /// assert_eq!(result, ToolResult::Output("42".to_owned()));
    /// let reply = ChatCompletionRequestMessage::tool(call.id, result);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn call(&self, call: &ChatCompletionMessageToolCall) -> ToolResult {
        let name = call.function.name.as_str();
        let result = match self.entries.iter().find(|e| e.tool.function.name == name) {
            Some(entry) => (entry.run)(call).await,
            None => ToolResult::Error(self.unknown_tool(name)),
        };
        match result {
            ToolResult::Error(error) => ToolResult::Error(format!("Error: {error}")),
            output => output,
        }
    }

    fn unknown_tool(&self, name: &str) -> String {
        let available: Vec<String> = self.names().map(|n| format!("`{n}`")).collect();
        if available.is_empty() {
            return format!("there is no tool named `{name}`; no tools are available");
        }
        format!(
            "there is no tool named `{name}`; the tools are: {}",
            available.join(", ")
        )
    }

    /// Id, name and arguments of any kind of call in an assistant message.
    fn describe(item: &ToolCall) -> ToolCallStart<'_> {
        match item {
            ToolCall::Function(call) => ToolCallStart {
                id: &call.id,
                name: &call.function.name,
                arguments: &call.function.arguments,
            },
            ToolCall::Custom(call) => ToolCallStart {
                id: &call.id,
                name: &call.custom.name,
                arguments: &call.custom.input,
            },
            ToolCall::Unknown(value) => ToolCallStart {
                id: value
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default(),
                name: "",
                arguments: "",
            },
        }
    }

    /// Runs any kind of call in an assistant message, returning the tool
    /// message content.
    async fn call_item(&self, item: &ToolCall) -> ToolResult {
        match item {
            ToolCall::Function(call) => self.call(call).await,
            // Still answered: the API rejects a conversation where a call
            // has no tool message.
            ToolCall::Custom(_) => {
                ToolResult::Error("Error: custom tools are not supported here".to_owned())
            }
            ToolCall::Unknown(_) => {
                ToolResult::Error("Error: this kind of tool call is not supported here".to_owned())
            }
        }
    }
}
