//! The tool-calling loop: a [`Toolbox`] of handlers and [`Client::run_tools`].
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

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::future::join_all;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::schema::{SchemaError, Tool};
use crate::types::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCallsItem,
    ChatCompletionRequestMessage, ChatCompletionTool, ChatCompletionToolChoiceOption,
    ChatCompletionToolChoiceOptionToolChoiceMode, CreateChatCompletionRequest,
    CreateChatCompletionRequestToolsItem, CreateChatCompletionResponse,
};

/// Rounds [`Client::run_tools`] allows by default, as openai-node's `runTools`.
pub const DEFAULT_MAX_ROUNDS: u32 = 10;

/// A handler's result once it has run: the content, or error text for the model.
type Outcome = std::result::Result<String, String>;
type BoxFuture = Pin<Box<dyn Future<Output = Outcome> + Send + 'static>>;
/// Parses a call's arguments and starts the handler.
type RunFn = dyn Fn(&ChatCompletionMessageToolCall) -> BoxFuture + Send + Sync;

// ------------------------------------------------------------------ output

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
/// use chat_api::{Json, ToolOutput};
///
/// assert_eq!("22°C".into_content(), Ok("22°C".to_owned()));
/// assert_eq!(Json(vec![1, 2]).into_content(), Ok("[1,2]".to_owned()));
/// assert_eq!(Some(3).into_content(), Ok("3".to_owned()));
/// let failed: Result<u32, String> = Err("no such city".into());
/// assert_eq!(failed.into_content(), Err("no such city".to_owned()));
/// ```
pub trait ToolOutput {
    /// The message content, or as `Err` the error text the model sees.
    fn into_content(self) -> Outcome;
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
/// assert_eq!(content, Ok(r#"{"celsius":21.5}"#.to_owned()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Json<T>(pub T);

impl<T: Serialize> ToolOutput for Json<T> {
    fn into_content(self) -> Outcome {
        serde_json::to_string(&self.0).map_err(not_serializable)
    }
}

impl ToolOutput for String {
    fn into_content(self) -> Outcome {
        Ok(self)
    }
}

impl ToolOutput for &str {
    fn into_content(self) -> Outcome {
        Ok(self.to_owned())
    }
}

impl ToolOutput for Cow<'_, str> {
    fn into_content(self) -> Outcome {
        Ok(self.into_owned())
    }
}

impl<T: Serialize, E: fmt::Display> ToolOutput for std::result::Result<T, E> {
    fn into_content(self) -> Outcome {
        match self {
            Ok(value) => content_of(&value),
            Err(error) => Err(error.to_string()),
        }
    }
}

impl<T: Serialize> ToolOutput for Option<T> {
    fn into_content(self) -> Outcome {
        content_of(&self)
    }
}

impl<T: Serialize> ToolOutput for Vec<T> {
    fn into_content(self) -> Outcome {
        content_of(&self)
    }
}

macro_rules! output_as_json {
    ($($ty:ty),* $(,)?) => {$(
        impl ToolOutput for $ty {
            fn into_content(self) -> Outcome {
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
fn content_of<T: Serialize + ?Sized>(value: &T) -> Outcome {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => Ok(text),
        Ok(other) => Ok(other.to_string()),
        Err(error) => Err(not_serializable(error)),
    }
}

fn not_serializable(error: serde_json::Error) -> String {
    format!("the tool's result could not be serialized as JSON: {error}")
}

// ----------------------------------------------------------------- handlers

/// Inference markers for [`HandlerReturn`]; never named by users.
pub mod marker {
    /// The handler returned its value directly.
    #[derive(Debug)]
    pub enum ReturnsValue {}
    /// The handler returned a future (an `async fn` or `async` block).
    #[derive(Debug)]
    pub enum ReturnsFuture {}
}

mod sealed {
    pub trait Sealed<M> {}
}

/// What a tool handler may return: a [`ToolOutput`], or a `Send + 'static`
/// future of one. `M` is a marker the compiler infers; it only keeps the
/// two cases apart.
///
/// ```
/// use chat_api::Tool;
///
/// #[derive(serde::Deserialize, Tool)]
/// struct Echo {
///     text: String,
/// }
///
/// let sync = Echo::handler(|args: Echo| args.text);
/// let future = Echo::handler(|args: Echo| async move { Ok::<_, String>(args.text) });
/// assert_eq!((sync.name(), future.name()), ("echo", "echo"));
/// ```
pub trait HandlerReturn<M>: sealed::Sealed<M> {
    #[doc(hidden)]
    fn into_outcome(self) -> BoxFuture;
}

impl<T: ToolOutput> sealed::Sealed<marker::ReturnsValue> for T {}
impl<T: ToolOutput> HandlerReturn<marker::ReturnsValue> for T {
    fn into_outcome(self) -> BoxFuture {
        Box::pin(std::future::ready(self.into_content()))
    }
}

impl<F> sealed::Sealed<marker::ReturnsFuture> for F
where
    F: Future + Send + 'static,
    F::Output: ToolOutput,
{
}
impl<F> HandlerReturn<marker::ReturnsFuture> for F
where
    F: Future + Send + 'static,
    F::Output: ToolOutput,
{
    fn into_outcome(self) -> BoxFuture {
        Box::pin(async move { self.await.into_content() })
    }
}

/// A tool's definition paired with the code that runs it; made by
/// [`Tool::handler`] and added to a [`Toolbox`].
///
/// ```
/// use chat_api::{Tool, Toolbox};
///
/// /// Add two numbers.
/// #[chat_api::tool]
/// fn add(a: i64, b: i64) -> i64 {
///     a + b
/// }
///
/// let handler = AddArgs::handler(AddArgs::call);
/// assert_eq!(handler.name(), "add");
/// let tools = Toolbox::new().with(handler);
/// ```
#[derive(Clone)]
pub struct ToolHandler {
    name: &'static str,
    definition: fn() -> std::result::Result<ChatCompletionTool, &'static SchemaError>,
    run: Arc<RunFn>,
}

impl fmt::Debug for ToolHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ToolHandler")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl ToolHandler {
    pub(crate) fn new<T, F, R, M>(handler: F) -> Self
    where
        T: Tool + DeserializeOwned + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
        R: HandlerReturn<M>,
    {
        let run = move |call: &ChatCompletionMessageToolCall| -> BoxFuture {
            match call.parse_arguments::<T>() {
                Ok(args) => handler(args).into_outcome(),
                Err(error) => Box::pin(std::future::ready(Err(format!(
                    "the arguments do not match the parameters of `{}`: {error}",
                    T::NAME
                )))),
            }
        };
        ToolHandler {
            name: T::NAME,
            definition: T::try_tool,
            run: Arc::new(run),
        }
    }

    /// The tool's name, as the model calls it.
    ///
    /// ```
    /// # use chat_api::Tool;
    /// #[derive(serde::Deserialize, Tool)]
    /// struct Ping {}
    /// assert_eq!(Ping::handler(|_: Ping| "pong").name(), "ping");
    /// ```
    pub fn name(&self) -> &'static str {
        self.name
    }
}

// ------------------------------------------------------------------ toolbox

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

/// Named tool handlers for [`Client::run_tools`], or for a loop of your own
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
pub struct Toolbox {
    entries: Vec<Entry>,
    max_rounds: u32,
}

impl Default for Toolbox {
    fn default() -> Self {
        Toolbox {
            entries: Vec::new(),
            max_rounds: DEFAULT_MAX_ROUNDS,
        }
    }
}

impl fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Toolbox")
            .field("tools", &self.names().collect::<Vec<_>>())
            .field("max_rounds", &self.max_rounds)
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
    #[must_use]
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
    #[must_use]
    pub fn handler<T, F, R, M>(self, handler: F) -> Self
    where
        T: Tool + DeserializeOwned + 'static,
        F: Fn(T) -> R + Send + Sync + 'static,
        R: HandlerReturn<M>,
    {
        self.with(ToolHandler::new(handler))
    }

    /// How many completions [`Client::run_tools`] requests at most
    /// (default [`DEFAULT_MAX_ROUNDS`]; 0 counts as 1). If the model still
    /// calls tools in the last one, the run ends with [`Error::ToolRounds`].
    ///
    /// ```
    /// let tools = chat_api::Toolbox::new().max_rounds(3);
    /// assert_eq!(tools.rounds(), 3);
    /// ```
    #[must_use]
    pub fn max_rounds(mut self, max_rounds: u32) -> Self {
        self.max_rounds = max_rounds.max(1);
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
    pub fn tools(&self) -> Vec<CreateChatCompletionRequestToolsItem> {
        self.entries.iter().map(|e| e.tool.clone().into()).collect()
    }

    /// Runs one tool call: finds the tool by name, parses the arguments and
    /// runs the handler.
    ///
    /// `Ok` is the content for the tool message; `Err` is text for the
    /// model too, starting with `Error:`: the handler's error, arguments
    /// that do not match the schema, or a tool that does not exist. Either
    /// way it is what to send back with
    /// [`ChatCompletionRequestMessage::tool`]. A synchronous handler runs
    /// when the future is first polled, on that thread.
    ///
    /// ```
    /// use chat_api::{Tool, Toolbox};
    /// use chat_api::types::ChatCompletionMessageToolCall;
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
    /// assert_eq!(runtime.block_on(tools.call(&call)), Ok("42".to_owned()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn call(&self, call: &ChatCompletionMessageToolCall) -> Outcome {
        let name = call.function.name.as_str();
        let outcome = match self.entries.iter().find(|e| e.tool.function.name == name) {
            Some(entry) => (entry.run)(call).await,
            None => Err(self.unknown_tool(name)),
        };
        outcome.map_err(|error| format!("Error: {error}"))
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

    /// Runs any kind of call in an assistant message, returning the call id
    /// and the tool message content.
    async fn call_item(&self, item: &ChatCompletionMessageToolCallsItem) -> (String, String) {
        let (id, outcome) = match item {
            ChatCompletionMessageToolCallsItem::Function(call) => {
                (call.id.clone(), self.call(call).await)
            }
            // Still answered: the API rejects a conversation where a call
            // has no tool message.
            ChatCompletionMessageToolCallsItem::Custom(call) => (
                call.id.clone(),
                Err("Error: custom tools are not supported here".to_owned()),
            ),
            ChatCompletionMessageToolCallsItem::Unknown(value) => (
                value
                    .get("id")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                Err("Error: this kind of tool call is not supported here".to_owned()),
            ),
        };
        (id, outcome.unwrap_or_else(|error| error))
    }
}

// --------------------------------------------------------------------- loop

/// The outcome of [`Client::run_tools`]: the model's final answer and the
/// conversation that led to it.
///
/// ```no_run
/// # async fn demo(client: chat_api::Client, tools: chat_api::Toolbox,
/// #     mut request: chat_api::types::CreateChatCompletionRequest) -> chat_api::Result<()> {
/// use chat_api::types::ChatCompletionRequestMessage;
///
/// let run = client.run_tools(request.clone(), &tools).await?;
/// println!("{} (after {} rounds)", run.content().unwrap_or_default(), run.rounds);
/// // Carry on the conversation where the run left it.
/// request.messages = run.messages;
/// request.messages.push(ChatCompletionRequestMessage::user("And tomorrow?"));
/// let next = client.run_tools(request, &tools).await?;
/// # let _ = next; Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ToolRun {
    /// The last completion: the answer, or, in [`Error::ToolRounds`], the
    /// last round's tool calls.
    pub completion: CreateChatCompletionResponse,
    /// The request's messages followed by every assistant turn and tool
    /// result of the run, ending with the final assistant message (or, in
    /// [`Error::ToolRounds`], the last round's tool results).
    pub messages: Vec<ChatCompletionRequestMessage>,
    /// How many completions were requested.
    pub rounds: u32,
}

impl ToolRun {
    /// The text of the final answer (the first choice's content), if any.
    ///
    /// ```no_run
    /// # async fn demo(run: chat_api::ToolRun) {
    /// if let Some(text) = run.content() {
    ///     println!("{text}");
    /// }
    /// # }
    /// ```
    pub fn content(&self) -> Option<&str> {
        self.completion.choices.first()?.message.content.as_deref()
    }
}

/// Whether `choice` makes the model call a tool whatever the conversation.
fn forces_a_call(choice: &ChatCompletionToolChoiceOption) -> bool {
    matches!(
        choice,
        ChatCompletionToolChoiceOption::ToolChoiceMode(
            ChatCompletionToolChoiceOptionToolChoiceMode::Required
        ) | ChatCompletionToolChoiceOption::ChatCompletionNamedToolChoice(_)
            | ChatCompletionToolChoiceOption::ChatCompletionNamedToolChoiceCustom(_)
    )
}

impl Client {
    /// Lets the model use `tools` until it answers: requests a completion;
    /// if the first choice calls tools, appends that assistant turn, runs
    /// all the calls concurrently, appends their results as tool messages
    /// in call order, and asks again.
    ///
    /// The request's `tools` are set from the toolbox unless it has some
    /// already. A `tool_choice` that forces a call (`required` or a named
    /// tool) applies to the first round only; later rounds use the default,
    /// so the model can answer. Only the first choice is followed.
    ///
    /// Handler errors, unparsable arguments and unknown tools are sent to
    /// the model as the tool's result (see [`Toolbox::call`]); they do not
    /// end the run. A panicking handler does panic the run.
    ///
    /// # Errors
    ///
    /// Any error of [`create_chat_completion`](Client::create_chat_completion),
    /// and [`Error::ToolRounds`] when the model still calls tools in the
    /// toolbox's [`max_rounds`](Toolbox::max_rounds)-th completion; the
    /// calls of that round are run, so the history it carries can be resumed.
    ///
    /// ```no_run
    /// # async fn demo(client: chat_api::Client, tools: chat_api::Toolbox) -> chat_api::Result<()> {
    /// use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
    ///
    /// let request = CreateChatCompletionRequest {
    ///     model: "gpt-4.1".into(),
    ///     messages: vec![ChatCompletionRequestMessage::user("Is it raining in Paris?")],
    ///     ..Default::default()
    /// };
    /// match client.run_tools(request, &tools).await {
    ///     Ok(run) => println!("{}", run.content().unwrap_or_default()),
    ///     Err(chat_api::Error::ToolRounds(run)) => eprintln!("gave up after {} rounds", run.rounds),
    ///     Err(other) => return Err(other),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run_tools(
        &self,
        mut request: CreateChatCompletionRequest,
        tools: &Toolbox,
    ) -> Result<ToolRun> {
        if request.tools.as_ref().is_none_or(Vec::is_empty) {
            request.tools = Some(tools.tools());
        }
        let mut rounds = 0;
        loop {
            let completion = self.create_chat_completion(&request).await?;
            rounds += 1;
            // No choice at all is not a tool call either: hand it back and
            // let the caller's reading of the answer report it.
            let Some(choice) = completion.choices.first() else {
                return Ok(ToolRun {
                    completion,
                    messages: request.messages,
                    rounds,
                });
            };
            let message = choice.message.clone();
            let calls = message.tool_calls.clone().unwrap_or_default();
            request.messages.push(message.into());
            if calls.is_empty() {
                return Ok(ToolRun {
                    completion,
                    messages: request.messages,
                    rounds,
                });
            }
            let results = join_all(calls.iter().map(|call| tools.call_item(call))).await;
            request.messages.extend(
                results
                    .into_iter()
                    .map(|(id, content)| ChatCompletionRequestMessage::tool(id, content)),
            );
            if rounds >= tools.max_rounds {
                return Err(Error::ToolRounds(Box::new(ToolRun {
                    completion,
                    messages: request.messages,
                    rounds,
                })));
            }
            if request.tool_choice.as_ref().is_some_and(forces_a_call) {
                request.tool_choice = None;
            }
        }
    }
}
