//! Pre-flight checks of a request, before it is sent: what the spec
//! constrains (ranges, lengths, item counts: generated from the spec by
//! `cargo xtask codegen`), and the 400s users hit most with reasoning
//! models, from a small table keyed by model-name prefix ([`MODEL_RULES`]).
//!
//! [`check`] only reports; [`rewrite`] also fixes what has one faithful fix
//! (`max_tokens` → `max_completion_tokens`) and reports the rest. Neither
//! runs unless called: a request is never changed behind the caller's back.
//!
//! ```
//! use chat_api::preflight::{self, Problem};
//! use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
//!
//! let mut request = CreateChatCompletionRequest {
//!     model: "o3-mini".into(),
//!     messages: vec![ChatCompletionRequestMessage::user("Hi")],
//!     max_tokens: Some(500),
//!     temperature: Some(2.5),
//!     ..Default::default()
//! };
//! let findings = preflight::check(&request);
//! assert!(findings.iter().any(|f| f.field == "temperature" && matches!(f.problem, Problem::OutOfRange { .. })));
//! assert!(findings.iter().any(|f| f.problem == Problem::MaxTokensUnsupported));
//!
//! let fixed = preflight::rewrite(&mut request);
//! assert_eq!((request.max_tokens, request.max_completion_tokens), (None, Some(500)));
//! assert!(fixed.iter().any(|f| f.rewritten));
//! ```

mod spec;

use std::fmt;

pub use spec::{Number, check_items, check_length, check_range};

use crate::types::{
    AllowedToolsMode, ChatCompletionToolChoiceOption, CreateChatCompletionRequest, ToolChoiceMode,
};

/// A type whose fields the spec constrains; implemented by generated code.
pub trait SpecConstraints {
    /// Adds a [`Finding`] for every field outside the spec's constraints.
    fn check_spec(&self, out: &mut Vec<Finding>);
}

/// One problem found before sending.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Finding {
    /// The request field (`temperature`, `max_tokens`).
    pub field: &'static str,
    /// What is wrong.
    pub problem: Problem,
    /// Whether [`rewrite`] fixed it.
    pub rewritten: bool,
    /// What the finding rests on: the spec, or the model table's source.
    pub source: &'static str,
}

impl Finding {
    pub(crate) fn spec(field: &'static str, problem: Problem) -> Self {
        Finding {
            field,
            problem,
            rewritten: false,
            source: "the OpenAPI spec's constraints",
        }
    }
}

/// What a [`Finding`] is about.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// A number outside the spec's inclusive range.
    OutOfRange {
        /// The value sent.
        value: f64,
        /// The spec's minimum.
        minimum: Option<f64>,
        /// The spec's maximum.
        maximum: Option<f64>,
    },
    /// A string whose length (in characters) is outside the spec's bounds.
    Length {
        /// Its length.
        length: usize,
        /// The spec's `minLength`.
        min: Option<u64>,
        /// The spec's `maxLength`.
        max: Option<u64>,
    },
    /// An array whose item count is outside the spec's bounds.
    ItemCount {
        /// How many items.
        count: usize,
        /// The spec's `minItems`.
        min: Option<u64>,
        /// The spec's `maxItems`.
        max: Option<u64>,
    },
    /// The model rejects `max_tokens`; it takes `max_completion_tokens`.
    MaxTokensUnsupported,
    /// The model accepts only the default (1) for this sampling parameter.
    SamplingUnsupported {
        /// The value sent.
        value: f64,
    },
    /// The model thinks, and rejects a `tool_choice` that forces a call.
    ForcedToolChoiceWithThinking,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field;
        match &self.problem {
            Problem::OutOfRange {
                value,
                minimum,
                maximum,
            } => write!(
                f,
                "`{field}` is {value}, outside {}..={}",
                minimum.map_or("".to_owned(), |m| m.to_string()),
                maximum.map_or("".to_owned(), |m| m.to_string())
            ),
            Problem::Length { length, min, max } => {
                write!(
                    f,
                    "`{field}` has {length} characters; allowed {min:?}..={max:?}"
                )
            }
            Problem::ItemCount { count, min, max } => {
                write!(f, "`{field}` has {count} items; allowed {min:?}..={max:?}")
            }
            Problem::MaxTokensUnsupported => {
                write!(
                    f,
                    "the model rejects `max_tokens`; use `max_completion_tokens`"
                )
            }
            Problem::SamplingUnsupported { value } => {
                write!(
                    f,
                    "the model accepts only the default `{field}` (1), not {value}"
                )
            }
            Problem::ForcedToolChoiceWithThinking => write!(
                f,
                "the model thinks and rejects a `tool_choice` that forces a call; use `auto`"
            ),
        }?;
        if self.rewritten {
            f.write_str(" (rewritten)")?;
        }
        write!(f, " [{}]", self.source)
    }
}

/// What a family of models rejects, by model-name prefix.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ModelRule {
    /// Model names starting with this (the first matching rule applies).
    pub prefix: &'static str,
    /// Rejects `max_tokens` (wants `max_completion_tokens`).
    pub max_completion_tokens_only: bool,
    /// Accepts only the default `temperature` and `top_p`.
    pub default_sampling_only: bool,
    /// Always thinks, and rejects a forced `tool_choice`.
    pub thinking_rejects_forced_tool_choice: bool,
    /// Where this comes from.
    pub source: &'static str,
}

const OPENAI_REASONING: &str = "OpenAI reasoning guide: reasoning models take `max_completion_tokens` and reject `max_tokens` (\"Unsupported parameter: 'max_tokens'\") and non-default `temperature`/`top_p`";

const fn rule(
    prefix: &'static str,
    reasoning: bool,
    thinking: bool,
    source: &'static str,
) -> ModelRule {
    ModelRule {
        prefix,
        max_completion_tokens_only: reasoning,
        default_sampling_only: reasoning,
        thinking_rejects_forced_tool_choice: thinking,
        source,
    }
}

/// The model table, most specific prefix first.
pub const MODEL_RULES: &[ModelRule] = &[
    // The chat variant is not a reasoning model: it takes sampling parameters.
    rule(
        "gpt-5-chat",
        false,
        false,
        "OpenAI model page of gpt-5-chat-latest",
    ),
    rule("gpt-5", true, false, OPENAI_REASONING),
    rule("o1", true, false, OPENAI_REASONING),
    rule("o3", true, false, OPENAI_REASONING),
    rule("o4", true, false, OPENAI_REASONING),
    rule(
        "deepseek-reasoner",
        false,
        true,
        "reports that DeepSeek's thinking mode rejects tool_choice (TauricResearch/TradingAgents #678, #689)",
    ),
    rule(
        "kimi-k2-thinking",
        false,
        true,
        "Moonshot: with thinking enabled `tool_choice` must be `auto` or `none` (\"tool_choice 'specified' is incompatible with thinking enabled\")",
    ),
];

/// The rule for `model`, if the table has one.
pub fn rule_for(model: &str) -> Option<&'static ModelRule> {
    MODEL_RULES.iter().find(|r| model.starts_with(r.prefix))
}

/// Every problem found in `request`, changing nothing.
pub fn check(request: &CreateChatCompletionRequest) -> Vec<Finding> {
    let mut out = Vec::new();
    request.check_spec(&mut out);
    if let Some(rule) = rule_for(request.model.as_str()) {
        model_findings(request, rule, &mut out);
    }
    out
}

// `max_tokens` is deprecated in the spec, which is the point of the rewrite.
#[allow(deprecated)]
/// As [`check`], and moves `max_tokens` to `max_completion_tokens` where the
/// model rejects the former (those findings are marked `rewritten`).
pub fn rewrite(request: &mut CreateChatCompletionRequest) -> Vec<Finding> {
    let mut findings = check(request);
    for finding in &mut findings {
        if finding.problem == Problem::MaxTokensUnsupported
            && let Some(max) = request.max_tokens.take()
        {
            // An explicit `max_completion_tokens` wins over the legacy field.
            request.max_completion_tokens.get_or_insert(max);
            finding.rewritten = true;
        }
    }
    findings
}

// Reads the deprecated `max_tokens` to report it.
#[allow(deprecated)]
fn model_findings(request: &CreateChatCompletionRequest, rule: &ModelRule, out: &mut Vec<Finding>) {
    let finding = |field, problem| Finding {
        field,
        problem,
        rewritten: false,
        source: rule.source,
    };
    if rule.max_completion_tokens_only && request.max_tokens.is_some() {
        out.push(finding("max_tokens", Problem::MaxTokensUnsupported));
    }
    if rule.default_sampling_only {
        for (field, value) in [
            ("temperature", request.temperature),
            ("top_p", request.top_p),
        ] {
            if let Some(value) = value.filter(|&v| v != 1.0) {
                out.push(finding(field, Problem::SamplingUnsupported { value }));
            }
        }
    }
    if rule.thinking_rejects_forced_tool_choice
        && request.tool_choice.as_ref().is_some_and(forces_a_call)
    {
        out.push(finding(
            "tool_choice",
            Problem::ForcedToolChoiceWithThinking,
        ));
    }
}

fn forces_a_call(choice: &ChatCompletionToolChoiceOption) -> bool {
    match choice {
        ChatCompletionToolChoiceOption::Mode(mode) => *mode == ToolChoiceMode::Required,
        ChatCompletionToolChoiceOption::AllowedTools(allowed) => {
            allowed.allowed_tools.mode == AllowedToolsMode::Required
        }
        ChatCompletionToolChoiceOption::Named(_)
        | ChatCompletionToolChoiceOption::NamedCustom(_) => true,
    }
}
