//! Tool handlers: the code that runs a tool, paired with its definition.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use super::output::{ToolOutput, ToolResult};
use crate::schema::{SchemaError, Tool};
use crate::types::{ChatCompletionMessageToolCall, ChatCompletionTool};

pub(super) type BoxFuture = Pin<Box<dyn Future<Output = ToolResult> + Send + 'static>>;
/// Parses a call's arguments and starts the handler.
pub(super) type RunFn = dyn Fn(&ChatCompletionMessageToolCall) -> BoxFuture + Send + Sync;

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
/// [`Tool::handler`] and added to a [`Toolbox`](crate::Toolbox).
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
#[must_use = "a tool handler does nothing until it is added to a Toolbox"]
pub struct ToolHandler {
    pub(super) name: &'static str,
    pub(super) definition: fn() -> Result<ChatCompletionTool, &'static SchemaError>,
    pub(super) run: Arc<RunFn>,
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
                Err(error) => Box::pin(std::future::ready(ToolResult::Error(format!(
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
