//! The tool-calling loop: [`Client::run_tools`] and its outcome, [`ToolRun`].

use futures_util::future::join_all;

use super::Toolbox;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::types::{
    ChatCompletionRequestMessage, ChatCompletionToolChoiceOption, CreateChatCompletionRequest,
    CreateChatCompletionResponse, ToolChoiceMode,
};

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
        ChatCompletionToolChoiceOption::Mode(ToolChoiceMode::Required)
            | ChatCompletionToolChoiceOption::Named(_)
            | ChatCompletionToolChoiceOption::NamedCustom(_)
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
            let mut turn = ChatCompletionRequestMessage::from(choice.message.clone());
            let mut calls = Vec::new();
            if let ChatCompletionRequestMessage::Assistant(assistant) = &mut turn {
                assistant.strip(&tools.strip);
                // The converted turn's calls, whose ids the tool messages
                // answer: synthesized where the server sent none.
                calls = assistant.tool_calls.clone().unwrap_or_default();
            }
            request.messages.push(turn);
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
