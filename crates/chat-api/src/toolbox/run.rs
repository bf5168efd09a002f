//! The tool-calling loop: [`Client::run_tools`] and its outcome, [`ToolRun`].

use std::time::{Duration, Instant};

use futures_util::future::join_all;

use super::{CallDecision, Flow, ToolCallEnd, ToolResult, Toolbox};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::types::{
    AllowedToolsMode, ChatCompletionRequestMessage, ChatCompletionToolChoiceOption,
    CompletionUsage, CreateChatCompletionRequest, CreateChatCompletionResponse, ToolCall,
    ToolChoiceMode,
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
    /// The token usage of all the rounds added up (see
    /// [`CompletionUsage`'s `+=`](CompletionUsage#impl-AddAssign<%26CompletionUsage>-for-CompletionUsage)),
    /// or `None` if no completion reported any.
    pub usage: Option<CompletionUsage>,
    /// A hook ended the run ([`Flow::Stop`] or [`CallDecision::Stop`]).
    pub stopped: bool,
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
        self.completion.content()
    }
}

/// The tool choice for the rounds after the first: one that forces a call
/// would never let the model answer. `required` and a named tool become the
/// default; `allowed_tools` in mode `required` keeps its set in mode `auto`.
fn after_first_round(
    choice: Option<ChatCompletionToolChoiceOption>,
) -> Option<ChatCompletionToolChoiceOption> {
    match choice? {
        ChatCompletionToolChoiceOption::Mode(ToolChoiceMode::Required)
        | ChatCompletionToolChoiceOption::Named(_)
        | ChatCompletionToolChoiceOption::NamedCustom(_) => None,
        ChatCompletionToolChoiceOption::AllowedTools(mut allowed)
            if allowed.allowed_tools.mode == AllowedToolsMode::Required =>
        {
            allowed.allowed_tools.mode = AllowedToolsMode::Auto;
            Some(ChatCompletionToolChoiceOption::AllowedTools(allowed))
        }
        other => Some(other),
    }
}

/// The run so far, ended.
struct Progress {
    rounds: u32,
    usage: Option<CompletionUsage>,
}

impl Progress {
    fn end(
        &self,
        completion: CreateChatCompletionResponse,
        messages: Vec<ChatCompletionRequestMessage>,
        stopped: bool,
    ) -> ToolRun {
        ToolRun {
            completion,
            messages,
            rounds: self.rounds,
            usage: self.usage.clone(),
            stopped,
        }
    }
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
    /// and `allowed_tools` in mode `required` becomes mode `auto` with the
    /// same tools, so the model can answer. Only the first choice is
    /// followed. Each assistant turn goes back as
    /// [`From<ChatCompletionResponseMessage>`](crate::types::ChatCompletionRequestMessage#impl-From<ChatCompletionResponseMessage>-for-ChatCompletionRequestMessage)
    /// makes it (provider fields such as `reasoning_content` included, less
    /// the toolbox's [`strip_fields`](Toolbox::strip_fields)); the
    /// toolbox's hooks ([`on_completion`](Toolbox::on_completion),
    /// [`before_tool_call`](Toolbox::before_tool_call),
    /// [`after_tool_call`](Toolbox::after_tool_call)) can watch, veto or
    /// stop it, and [`ToolRun::usage`] adds up every round's tokens.
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
        let mut progress = Progress {
            rounds: 0,
            usage: None,
        };
        loop {
            let completion = self.create_chat_completion(&request).await?;
            progress.rounds += 1;
            if let Some(usage) = &completion.usage {
                *progress.usage.get_or_insert_with(CompletionUsage::default) += usage;
            }
            let flow = tools.hooks.after_completion(&completion);
            // No choice at all is not a tool call either: hand it back and
            // let the caller's reading of the answer report it.
            let Some(choice) = completion.choices.first() else {
                return Ok(progress.end(completion, request.messages, flow == Flow::Stop));
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
            if calls.is_empty() || flow == Flow::Stop {
                return Ok(progress.end(completion, request.messages, flow == Flow::Stop));
            }
            // Every call is decided before any runs, so a stop leaves no
            // half-run round behind.
            let decisions: Vec<CallDecision> = calls
                .iter()
                .map(|call| tools.hooks.before_call(&Toolbox::describe(call)))
                .collect();
            if decisions.contains(&CallDecision::Stop) {
                return Ok(progress.end(completion, request.messages, true));
            }
            let results = join_all(
                calls
                    .iter()
                    .zip(decisions)
                    .map(|(call, decision)| run_call(tools, call, decision)),
            )
            .await;
            let mut stop = false;
            for (call, (result, duration)) in calls.iter().zip(&results) {
                let end = ToolCallEnd {
                    call: Toolbox::describe(call),
                    result,
                    duration: *duration,
                };
                stop |= tools.hooks.after_call(&end) == Flow::Stop;
            }
            request
                .messages
                .extend(calls.iter().zip(results).map(|(call, (result, _))| {
                    ChatCompletionRequestMessage::tool(Toolbox::describe(call).id, result)
                }));
            if stop {
                return Ok(progress.end(completion, request.messages, true));
            }
            if progress.rounds >= tools.max_rounds {
                return Err(Error::ToolRounds(Box::new(progress.end(
                    completion,
                    request.messages,
                    false,
                ))));
            }
            request.tool_choice = after_first_round(request.tool_choice.take());
        }
    }
}

/// Runs one call as its hook decided, timing the handler.
async fn run_call(
    tools: &Toolbox,
    call: &ToolCall,
    decision: CallDecision,
) -> (ToolResult, Duration) {
    if let CallDecision::Veto(reason) = decision {
        return (
            ToolResult::Error(format!("Error: {reason}")),
            Duration::ZERO,
        );
    }
    let started = Instant::now();
    let result = tools.call_item(call).await;
    (result, started.elapsed())
}
