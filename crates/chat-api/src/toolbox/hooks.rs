//! Hooks a caller sets on a [`Toolbox`](super::Toolbox) to watch, veto or
//! stop [`Client::run_tools`](crate::Client::run_tools).

use std::sync::Arc;
use std::time::Duration;

use super::ToolResult;
use crate::types::CreateChatCompletionResponse;

/// What a hook tells the loop to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Flow {
    /// Carry on.
    #[default]
    Continue,
    /// End the run now, successfully, with [`ToolRun::stopped`](crate::ToolRun::stopped) set.
    Stop,
}

/// What a [`before_tool_call`](crate::Toolbox::before_tool_call) hook decides
/// about one call.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CallDecision {
    /// Run the handler.
    #[default]
    Run,
    /// Do not run it; the model reads `Error: <reason>` as the tool's result.
    Veto(String),
    /// Run none of this round's calls and end the run with
    /// [`ToolRun::stopped`](crate::ToolRun::stopped) set; the last assistant
    /// turn's calls stay unanswered in [`ToolRun::messages`](crate::ToolRun::messages).
    Stop,
}

/// A tool call about to run.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ToolCallStart<'a> {
    /// The call id the tool message answers.
    pub id: &'a str,
    /// The tool's name.
    pub name: &'a str,
    /// The arguments as the model wrote them (JSON text).
    pub arguments: &'a str,
}

/// A tool call that has run.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ToolCallEnd<'a> {
    /// The call: id, name and arguments.
    pub call: ToolCallStart<'a>,
    /// What goes back to the model.
    pub result: &'a ToolResult,
    /// How long the handler took (zero for a vetoed call).
    pub duration: Duration,
}

type CompletionHook = dyn Fn(&CreateChatCompletionResponse) -> Flow + Send + Sync;
type BeforeHook = dyn Fn(&ToolCallStart<'_>) -> CallDecision + Send + Sync;
type AfterHook = dyn Fn(&ToolCallEnd<'_>) -> Flow + Send + Sync;

/// The hooks of one toolbox; shared when it is cloned.
#[derive(Clone, Default)]
pub(super) struct Hooks {
    pub(super) completion: Vec<Arc<CompletionHook>>,
    pub(super) before: Vec<Arc<BeforeHook>>,
    pub(super) after: Vec<Arc<AfterHook>>,
}

impl Hooks {
    pub(super) fn add_completion(
        &mut self,
        hook: impl Fn(&CreateChatCompletionResponse) -> Flow + Send + Sync + 'static,
    ) {
        self.completion.push(Arc::new(hook));
    }

    pub(super) fn add_before(
        &mut self,
        hook: impl Fn(&ToolCallStart<'_>) -> CallDecision + Send + Sync + 'static,
    ) {
        self.before.push(Arc::new(hook));
    }

    pub(super) fn add_after(
        &mut self,
        hook: impl Fn(&ToolCallEnd<'_>) -> Flow + Send + Sync + 'static,
    ) {
        self.after.push(Arc::new(hook));
    }

    /// Every completion hook runs; any `Stop` stops.
    pub(super) fn after_completion(&self, completion: &CreateChatCompletionResponse) -> Flow {
        fold(self.completion.iter().map(|hook| hook(completion)))
    }

    /// The first hook that does not say `Run` decides.
    pub(super) fn before_call(&self, call: &ToolCallStart<'_>) -> CallDecision {
        self.before
            .iter()
            .map(|hook| hook(call))
            .find(|decision| *decision != CallDecision::Run)
            .unwrap_or_default()
    }

    /// Every after-call hook runs; any `Stop` stops.
    pub(super) fn after_call(&self, call: &ToolCallEnd<'_>) -> Flow {
        fold(self.after.iter().map(|hook| hook(call)))
    }

    pub(super) fn count(&self) -> usize {
        self.completion.len() + self.before.len() + self.after.len()
    }
}

fn fold(flows: impl Iterator<Item = Flow>) -> Flow {
    flows.fold(Flow::Continue, |all, flow| match flow {
        Flow::Stop => Flow::Stop,
        Flow::Continue => all,
    })
}
