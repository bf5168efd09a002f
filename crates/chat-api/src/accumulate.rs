//! Folding streamed chat completion chunks into one completion.

use crate::Extra;
use serde_json::Value;

use crate::types::{
    AudioDelta, ChatCompletionChoice, ChatCompletionChunkChoice,
    ChatCompletionMessageCustomToolCall, ChatCompletionMessageToolCallChunk,
    ChatCompletionResponseMessage, ChatCompletionStreamResponseDelta, CreateChatCompletionResponse,
    CreateChatCompletionStreamResponse, MessageAudio, ToolCall,
};

/// Delta fields outside the spec that servers stream piece by piece: their
/// string pieces are concatenated rather than replaced. `reasoning_content`
/// comes from DeepSeek, vLLM and llama-server, `reasoning` from vLLM,
/// OpenRouter and Ollama.
const STREAMED_TEXT_EXTRAS: &[&str] = &["reasoning_content", "reasoning"];

/// Folds the chunks of a streamed chat completion into the
/// [`CreateChatCompletionResponse`] a non-streamed request would have returned.
///
/// Feed it every chunk in order with [`push`](Self::push); read the result so
/// far with [`snapshot`](Self::snapshot) or take it with
/// [`finish`](Self::finish). [`ChatCompletionStream::final_completion`](crate::ChatCompletionStream::final_completion)
/// does this for you while you read a stream; use this type for chunks that
/// come from elsewhere (a queue, a log, a recorded file).
///
/// How chunks are merged:
///
/// - choices by `index`, kept sorted by it (missing indexes are not filled in:
///   a server asked for `n: 2` may send one choice);
/// - `content`, `refusal` and audio `data`/`transcript` are concatenated, as are
///   the non-standard `reasoning_content` and `reasoning` delta fields;
/// - tool calls by their `index`: `id`, `type` and `function.name` are taken
///   from the first delta that carries them and never repeated (some servers,
///   such as llama-cpp-python, repeat them in every delta), `arguments` are
///   concatenated; the legacy `function_call` likewise;
/// - logprobs `content` and `refusal` arrays are appended;
/// - `finish_reason`, `usage`, `service_tier`, `system_fingerprint` and
///   `moderation` are taken from the chunks that carry them (the last one wins);
///   `id`, `model` and `created` from the first chunk that has them;
/// - fields the spec does not describe (the `extra` maps of chunks, choices,
///   deltas, tool calls and logprobs) are copied to the matching `extra` map of
///   the result, later values replacing earlier ones;
/// - `object` is `chat.completion`; the per-chunk `obfuscation` padding is dropped.
///
/// A choice whose `finish_reason` has not arrived yet has `None` there, never
/// an invented reason. Odd input (indexes out of order, gaps, a tool-call delta without
/// an `id`) never panics; it is merged as far as it makes sense.
///
/// ```
/// use chat_api::ChatCompletionAccumulator;
/// use chat_api::types::{CreateChatCompletionStreamResponse, FinishReason};
///
/// let chunks = [
///     r#"{"id":"c1","model":"m","created":1,"choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
///     r#"{"id":"c1","model":"m","created":1,"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]}"#,
/// ];
/// let mut acc = ChatCompletionAccumulator::new();
/// for chunk in chunks {
///     let chunk: CreateChatCompletionStreamResponse = serde_json::from_str(chunk)?;
///     acc.push(&chunk);
/// }
/// let completion = acc.finish();
/// assert_eq!(completion.choices[0].message.content.as_deref(), Some("Hello"));
/// assert_eq!(completion.choices[0].finish_reason, Some(FinishReason::Stop));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ChatCompletionAccumulator {
    completion: CreateChatCompletionResponse,
    /// Merge state per choice, in the same order as `completion.choices`.
    choices: Vec<ChoiceState>,
    chunks: usize,
    /// `(choice index, tool-call index)` of each tool-call delta of the
    /// latest chunk, in order, after resolving odd indexes (see `slot`).
    latest_tool_calls: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, Default)]
struct ChoiceState {
    /// The `index` of each tool call, in the same order as
    /// `message.tool_calls`, which has no field for it.
    tool_calls: Vec<ToolCallState>,
    /// Whether a chunk gave the choice a finish reason: the response type's
    /// `finish_reason` has a default, so its value cannot tell.
    finished: bool,
}

#[derive(Debug, Clone)]
struct ToolCallState {
    index: i64,
    /// Whether a delta has set the call's `type`: it defaults to `function`,
    /// so an unset type cannot be told from a set one by its value.
    typed: bool,
}

impl ChatCompletionAccumulator {
    /// An empty accumulator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Merges one chunk into the completion.
    pub fn push(&mut self, chunk: &CreateChatCompletionStreamResponse) {
        self.chunks += 1;
        self.latest_tool_calls.clear();
        let completion = &mut self.completion;
        // Every chunk repeats id, model and created; some servers leave them
        // empty in a leading or trailing chunk (Azure's prompt-filter chunk).
        if completion.id.is_empty() && !chunk.id.is_empty() {
            completion.id.clone_from(&chunk.id);
        }
        if completion.model.is_empty() && !chunk.model.is_empty() {
            completion.model.clone_from(&chunk.model);
        }
        if completion.created == 0 {
            completion.created = chunk.created;
        }
        if chunk.service_tier.is_some() {
            completion.service_tier.clone_from(&chunk.service_tier);
        }
        #[allow(deprecated)] // still sent, and part of the response type
        if chunk.system_fingerprint.is_some() {
            completion
                .system_fingerprint
                .clone_from(&chunk.system_fingerprint);
        }
        if chunk.usage.is_some() {
            completion.usage.clone_from(&chunk.usage);
        }
        if chunk.moderation.is_some() {
            completion.moderation.clone_from(&chunk.moderation);
        }
        extend(&mut completion.extra, &chunk.extra);
        for choice in &chunk.choices {
            self.push_choice(choice);
        }
    }

    /// The completion folded from the chunks pushed so far.
    pub fn snapshot(&self) -> &CreateChatCompletionResponse {
        &self.completion
    }

    /// The completion folded from all pushed chunks.
    pub fn finish(self) -> CreateChatCompletionResponse {
        self.completion
    }

    /// How many chunks have been pushed.
    pub fn chunk_count(&self) -> usize {
        self.chunks
    }

    /// Whether at least one choice arrived and every choice has received its
    /// finish reason: the answer is complete even if the stream was cut
    /// before `data: [DONE]`.
    pub fn is_finished(&self) -> bool {
        !self.choices.is_empty() && self.choices.iter().all(|c| c.finished)
    }

    /// `(choice index, tool-call index)` of each tool-call delta of the
    /// latest chunk pushed, in order.
    pub(crate) fn latest_tool_calls(&self) -> &[(i64, i64)] {
        &self.latest_tool_calls
    }

    /// The position in `snapshot().choices` of the choice with this `index`.
    pub(crate) fn choice_position(&self, index: i64) -> Option<usize> {
        self.completion
            .choices
            .binary_search_by_key(&index, |c| c.index)
            .ok()
    }

    /// The `index` of each tool call of the choice at `position`, in the
    /// order of its `message.tool_calls`.
    pub(crate) fn tool_call_indexes(&self, position: usize) -> impl Iterator<Item = i64> + '_ {
        self.choices
            .get(position)
            .into_iter()
            .flat_map(|c| c.tool_calls.iter().map(|t| t.index))
    }

    fn push_choice(&mut self, chunk: &ChatCompletionChunkChoice) {
        let choices = &mut self.completion.choices;
        let pos = match choices.binary_search_by_key(&chunk.index, |c| c.index) {
            Ok(pos) => pos,
            Err(pos) => {
                choices.insert(
                    pos,
                    ChatCompletionChoice {
                        index: chunk.index,
                        ..Default::default()
                    },
                );
                self.choices.insert(pos, ChoiceState::default());
                pos
            }
        };
        // Both vectors grow together, so both lookups succeed; `get_mut`
        // rather than indexing keeps a future slip from becoming a panic.
        let (Some(choice), Some(state)) = (choices.get_mut(pos), self.choices.get_mut(pos)) else {
            return;
        };
        if let Some(calls) = merge_delta(&mut choice.message, state, &chunk.delta) {
            for call in calls {
                self.latest_tool_calls.push((chunk.index, call));
            }
        }
        if let Some(reason) = &chunk.finish_reason {
            choice.finish_reason = Some(reason.clone());
            state.finished = true;
        }
        if let Some(logprobs) = &chunk.logprobs {
            let target = choice.logprobs.get_or_insert_default();
            if let Some(content) = &logprobs.content {
                target
                    .content
                    .get_or_insert_default()
                    .extend_from_slice(content);
            }
            if let Some(refusal) = &logprobs.refusal {
                target
                    .refusal
                    .get_or_insert_default()
                    .extend_from_slice(refusal);
            }
            extend(&mut target.extra, &logprobs.extra);
        }
        extend(&mut choice.extra, &chunk.extra);
    }
}

impl From<ChatCompletionAccumulator> for CreateChatCompletionResponse {
    fn from(acc: ChatCompletionAccumulator) -> Self {
        acc.finish()
    }
}

impl<'a> Extend<&'a CreateChatCompletionStreamResponse> for ChatCompletionAccumulator {
    fn extend<I: IntoIterator<Item = &'a CreateChatCompletionStreamResponse>>(&mut self, iter: I) {
        for chunk in iter {
            self.push(chunk);
        }
    }
}

#[allow(deprecated)] // `function_call` is deprecated but still streamed by some servers
/// Returns the resolved index of each tool-call delta, if the delta has
/// any (`None` costs a content chunk nothing).
fn merge_delta(
    message: &mut ChatCompletionResponseMessage,
    state: &mut ChoiceState,
    delta: &ChatCompletionStreamResponseDelta,
) -> Option<Vec<i64>> {
    if let Some(role) = &delta.role {
        // The stream's `Role` lists every author; a response message's role
        // is `AssistantRole` (one value plus `Unknown`).
        message.role = role.as_str().into();
    }
    if let Some(content) = &delta.content {
        message.content.get_or_insert_default().push_str(content);
    }
    if let Some(refusal) = &delta.refusal {
        message.refusal.get_or_insert_default().push_str(refusal);
    }
    if let Some(call) = &delta.function_call {
        let target = message.function_call.get_or_insert_default();
        set_once(&mut target.name, call.name.as_deref());
        if let Some(arguments) = &call.arguments {
            target.arguments.push_str(arguments);
        }
        extend(&mut target.extra, &call.extra);
    }
    let tool_calls = delta.tool_calls.as_ref().map(|calls| {
        calls
            .iter()
            .map(|call| merge_tool_call(message.tool_calls.get_or_insert_default(), state, call))
            .collect::<Vec<i64>>()
    });
    if let Some(audio) = &delta.audio {
        merge_audio(message.audio.get_or_insert_default(), audio);
    }
    for (key, value) in &delta.extra {
        match (key.as_str(), value) {
            (key, Value::String(piece)) if STREAMED_TEXT_EXTRAS.contains(&key) => {
                match message.extra.get_mut(key) {
                    Some(Value::String(text)) => text.push_str(piece),
                    _ => {
                        message.extra.insert(key.to_owned(), value.clone());
                    }
                }
            }
            _ => {
                message.extra.insert(key.clone(), value.clone());
            }
        }
    }
    tool_calls
}

/// `id` comes once, `data` and `transcript` in pieces, `expires_at` last.
fn merge_audio(target: &mut MessageAudio, delta: &AudioDelta) {
    set_once(&mut target.id, delta.id.as_deref());
    if let Some(data) = &delta.data {
        target.data.push_str(data);
    }
    if let Some(text) = &delta.transcript {
        target.transcript.push_str(text);
    }
    if let Some(expires_at) = delta.expires_at {
        target.expires_at = expires_at;
    }
    extend(&mut target.extra, &delta.extra);
}

/// Returns the index the delta was merged at.
fn merge_tool_call(
    calls: &mut Vec<ToolCall>,
    state: &mut ChoiceState,
    chunk: &ChatCompletionMessageToolCallChunk,
) -> i64 {
    let index = slot(calls, state, chunk);
    let pos = match state.tool_calls.binary_search_by_key(&index, |t| t.index) {
        Ok(pos) => pos,
        Err(pos) => {
            state.tool_calls.insert(
                pos,
                ToolCallState {
                    index,
                    typed: false,
                },
            );
            calls.insert(pos.min(calls.len()), ToolCall::Function(Default::default()));
            pos
        }
    };
    let (Some(call), Some(state)) = (calls.get_mut(pos), state.tool_calls.get_mut(pos)) else {
        return index;
    };
    // Custom tools stream `type: "custom"` and a `custom: {name, input}`
    // object the chunk type does not describe. Switch variants only while
    // nothing function-specific has been merged yet.
    let is_custom = chunk
        .r#type
        .as_ref()
        .is_some_and(|t| t.as_str() == "custom")
        || chunk.extra.get("custom").is_some_and(Value::is_object);
    if let ToolCall::Function(function) = call
        && is_custom
        && function.function == Default::default()
    {
        *call = ToolCall::Custom(ChatCompletionMessageCustomToolCall {
            id: std::mem::take(&mut function.id),
            extra: std::mem::take(&mut function.extra),
            ..Default::default()
        });
        state.typed = true;
    }
    match call {
        ToolCall::Function(call) => {
            set_once(&mut call.id, chunk.id.as_deref());
            if !state.typed
                && let Some(kind) = &chunk.r#type
            {
                call.r#type = kind.clone();
                state.typed = true;
            }
            if let Some(function) = &chunk.function {
                set_once(&mut call.function.name, function.name.as_deref());
                if let Some(arguments) = &function.arguments {
                    call.function.arguments.push_str(arguments);
                }
                extend(&mut call.function.extra, &function.extra);
            }
            extend(&mut call.extra, &chunk.extra);
        }
        ToolCall::Custom(call) => {
            set_once(&mut call.id, chunk.id.as_deref());
            for (key, value) in &chunk.extra {
                match (key.as_str(), value) {
                    ("custom", Value::Object(custom)) => {
                        for (key, value) in custom {
                            match (key.as_str(), value) {
                                ("name", Value::String(name)) => {
                                    set_once(&mut call.custom.name, Some(name));
                                }
                                ("input", Value::String(input)) => {
                                    call.custom.input.push_str(input);
                                }
                                (_, Value::Null) => {}
                                _ => {
                                    call.custom.extra.insert(key.clone(), value.clone());
                                }
                            }
                        }
                    }
                    _ => {
                        call.extra.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        // Never created here; nothing sensible to merge into.
        ToolCall::Unknown(_) => {}
    }
    index
}

/// The index a tool-call delta belongs to. OpenAI numbers calls from 0 and
/// repeats the number in every delta. Other servers send `-1` (or no index,
/// read as 0) for every call, each call whole in one delta with its own `id`:
/// a delta whose `id` differs from the call already at its index starts a new
/// call after the last one, and `-1` without a new `id` continues the last
/// call. Calls are kept sorted by index rather than stored at it, so a huge
/// index costs no more than a small one.
fn slot(
    calls: &[ToolCall],
    state: &ChoiceState,
    chunk: &ChatCompletionMessageToolCallChunk,
) -> i64 {
    let next = || {
        state
            .tool_calls
            .last()
            .map_or(0, |last| last.index.saturating_add(1))
    };
    let new_id = chunk.id.as_deref().filter(|id| !id.is_empty());
    let id_at = |index: i64| {
        let pos = state
            .tool_calls
            .binary_search_by_key(&index, |t| t.index)
            .ok()?;
        calls.get(pos).map(tool_call_id)
    };
    if chunk.index < 0 {
        return match state.tool_calls.last() {
            Some(last) if new_id.is_none_or(|id| id_at(last.index) == Some(id)) => last.index,
            _ => next(),
        };
    }
    match (new_id, id_at(chunk.index)) {
        (Some(id), Some(existing)) if !existing.is_empty() && existing != id => next(),
        _ => chunk.index,
    }
}

fn tool_call_id(call: &ToolCall) -> &str {
    match call {
        ToolCall::Function(call) => &call.id,
        ToolCall::Custom(call) => &call.id,
        ToolCall::Unknown(_) => "",
    }
}

/// Sets `target` from the first delta that carries a non-empty value: later
/// deltas that repeat it (llama-cpp-python) must not be appended.
fn set_once(target: &mut String, value: Option<&str>) {
    if target.is_empty()
        && let Some(value) = value
    {
        target.push_str(value);
    }
}

/// Copies unknown fields, later values replacing earlier ones.
#[inline(always)]
fn extend(target: &mut Extra, source: &Extra) {
    // Almost every chunk has none: skip building the iterator.
    if source.is_empty() {
        return;
    }
    for (key, value) in source {
        target.insert(key.clone(), value.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ChatCompletionMessageToolCall, FinishReason};
    use serde_json::json;
    use std::collections::BTreeMap;

    fn fold(chunks: &[Value]) -> CreateChatCompletionResponse {
        let mut acc = ChatCompletionAccumulator::new();
        for chunk in chunks {
            let chunk: CreateChatCompletionStreamResponse =
                serde_json::from_value(chunk.clone()).expect("chunk decodes");
            acc.push(&chunk);
        }
        acc.finish()
    }

    fn chunk(choices: Value) -> Value {
        json!({"id": "c", "object": "chat.completion.chunk", "created": 7, "model": "m", "choices": choices})
    }

    fn function(item: &ToolCall) -> &ChatCompletionMessageToolCall {
        match item {
            ToolCall::Function(call) => call,
            other => panic!("expected a function call, got {other:?}"),
        }
    }

    #[test]
    #[allow(deprecated)] // the legacy `function_call` is part of what is tested
    fn llama_cpp_python_repeats_are_set_once() {
        let delta = |args: &str| {
            chunk(json!([{"index": 0, "delta": {
                "role": "assistant", "content": "",
                "function_call": {"name": "get_weather", "arguments": args},
                "tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                "function": {"name": "get_weather", "arguments": args}}]
            }}]))
        };
        let mut chunks: Vec<Value> = ["{\"city\"", ": \"Paris\"", "}"]
            .iter()
            .map(|a| delta(a))
            .collect();
        chunks.push(chunk(
            json!([{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]),
        ));
        let out = fold(&chunks);
        let message = &out.choices[0].message;
        let calls = message.tool_calls.as_ref().unwrap();
        assert_eq!(calls.len(), 1);
        let call = function(&calls[0]);
        assert_eq!(call.id, "call_1");
        assert_eq!(call.function.name, "get_weather");
        assert_eq!(call.function.arguments, r#"{"city": "Paris"}"#);
        let legacy = message.function_call.as_ref().unwrap();
        assert_eq!(legacy.name, "get_weather");
        assert_eq!(legacy.arguments, r#"{"city": "Paris"}"#);
        assert_eq!(message.content.as_deref(), Some(""));
        assert_eq!(out.choices[0].finish_reason, Some(FinishReason::ToolCalls));
    }

    #[test]
    fn interleaved_parallel_tool_calls_merge_by_index() {
        let tc = |index: i64, extra: Value| {
            chunk(json!([{"index": 0, "delta": {"tool_calls": [
                {"index": index, "function": extra}
            ]}}]))
        };
        let out = fold(&[
            chunk(
                json!([{"index": 0, "delta": {"role": "assistant", "tool_calls": [
                    {"index": 1, "id": "call_b", "type": "function", "function": {"name": "b", "arguments": ""}}
                ]}}]),
            ),
            chunk(json!([{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "id": "call_a", "type": "function", "function": {"name": "a", "arguments": ""}}
            ]}}])),
            tc(0, json!({"arguments": "{\"x\":"})),
            tc(1, json!({"arguments": "{\"y\":"})),
            tc(0, json!({"arguments": "1}"})),
            tc(1, json!({"arguments": "2}"})),
        ]);
        let calls = out.choices[0].message.tool_calls.as_ref().unwrap();
        let got: Vec<_> = calls
            .iter()
            .map(function)
            .map(|c| {
                (
                    c.id.as_str(),
                    c.function.name.as_str(),
                    c.function.arguments.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [("call_a", "a", r#"{"x":1}"#), ("call_b", "b", r#"{"y":2}"#)]
        );
    }

    #[test]
    fn odd_input_does_not_panic() {
        let out = fold(&[
            // Choice 2 before 0, no choice 1; a tool call without id or name; index gaps; negatives.
            chunk(
                json!([{"index": 2, "delta": {"tool_calls": [{"index": 5, "function": {"arguments": "x"}}]}}]),
            ),
            chunk(json!([{"index": 0, "delta": {"content": "a"}}])),
            chunk(json!([{"index": -1, "delta": {"tool_calls": [{"index": -3}]}}])),
            chunk(
                json!([{"index": 2, "delta": {"tool_calls": [{"index": 5, "id": "late", "function": {"name": "n"}}]}}]),
            ),
            json!({"choices": null, "id": null}),
            json!({}),
        ]);
        let indexes: Vec<i64> = out.choices.iter().map(|c| c.index).collect();
        assert_eq!(indexes, [-1, 0, 2]);
        let call = function(&out.choices[2].message.tool_calls.as_ref().unwrap()[0]);
        assert_eq!(
            (
                call.id.as_str(),
                call.function.name.as_str(),
                call.function.arguments.as_str()
            ),
            ("late", "n", "x")
        );
        assert_eq!(out.id, "c");
    }

    #[test]
    fn extras_audio_logprobs_and_metadata() {
        let lp = |t: &str| json!({"token": t, "logprob": -0.5, "bytes": null, "top_logprobs": []});
        let out = fold(&[
            json!({"id": "", "model": "", "created": 0, "choices": [], "prompt_filter_results": [1]}),
            json!({"id": "c", "model": "m", "created": 5, "system_fingerprint": "fp_1", "service_tier": "default",
                   "obfuscation": "xx", "x_chunk": 1,
                   "choices": [{"index": 0, "x_choice": "a",
                                "logprobs": {"content": [lp("He")], "refusal": null},
                                "delta": {"role": "assistant", "reasoning_content": "th", "x_delta": 1,
                                          "audio": {"id": "audio_1", "transcript": "He", "data": "AA"}}}]}),
            json!({"id": "c", "model": "other", "created": 6, "x_chunk": 2,
                   "choices": [{"index": 0, "x_choice": "b",
                                "logprobs": {"content": [lp("llo")]},
                                "delta": {"reasoning_content": "ink", "x_delta": 2, "audio": null,
                                          "content": "Hello"}}]}),
            json!({"id": "c", "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}}),
            json!({"id": "c", "choices": [{"index": 0, "delta": {"audio": {"data": "BB", "expires_at": 99}}}]}),
        ]);
        assert_eq!(
            (out.id.as_str(), out.model.as_str(), out.created),
            ("c", "m", 5)
        );
        assert_eq!(out.object.as_str(), "chat.completion");
        assert_eq!(out.usage.as_ref().unwrap().total_tokens, 3);
        assert_eq!(out.service_tier.as_ref().unwrap().as_str(), "default");
        #[allow(deprecated)]
        let fingerprint = out.system_fingerprint.as_deref();
        assert_eq!(fingerprint, Some("fp_1"));
        assert_eq!(out.extra.get("x_chunk"), Some(&json!(2)));
        assert_eq!(out.extra.get("prompt_filter_results"), Some(&json!([1])));
        assert!(!out.extra.contains_key("obfuscation"));
        let choice = &out.choices[0];
        assert_eq!(choice.extra.get("x_choice"), Some(&json!("b")));
        let tokens: Vec<&str> = choice
            .logprobs
            .as_ref()
            .unwrap()
            .content
            .as_ref()
            .unwrap()
            .iter()
            .map(|t| t.token.as_str())
            .collect();
        assert_eq!(tokens, ["He", "llo"]);
        let message = &choice.message;
        assert_eq!(
            message.extra.get("reasoning_content"),
            Some(&json!("think"))
        );
        assert_eq!(message.extra.get("x_delta"), Some(&json!(2)));
        assert!(!message.extra.contains_key("audio"));
        let audio = message.audio.as_ref().unwrap();
        assert_eq!(
            (
                audio.id.as_str(),
                audio.data.as_str(),
                audio.transcript.as_str(),
                audio.expires_at
            ),
            ("audio_1", "AABB", "He", 99)
        );
        // The result is a well-formed response: it round-trips.
        let text = serde_json::to_string(&out).unwrap();
        let back: CreateChatCompletionResponse = serde_json::from_str(&text).unwrap();
        assert_eq!(back, out);
    }

    #[test]
    fn custom_tool_calls_stream_into_the_custom_variant() {
        let out = fold(&[
            chunk(json!([{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "id": "call_c", "type": "custom", "custom": {"name": "grep", "input": ""}}
            ]}}])),
            chunk(
                json!([{"index": 0, "delta": {"tool_calls": [{"index": 0, "custom": {"input": "foo"}}]}}]),
            ),
            chunk(
                json!([{"index": 0, "delta": {"tool_calls": [{"index": 0, "custom": {"input": " bar"}}]}}]),
            ),
        ]);
        match &out.choices[0].message.tool_calls.as_ref().unwrap()[0] {
            ToolCall::Custom(call) => {
                assert_eq!(
                    (
                        call.id.as_str(),
                        call.custom.name.as_str(),
                        call.custom.input.as_str()
                    ),
                    ("call_c", "grep", "foo bar")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    fn calls(out: &CreateChatCompletionResponse) -> Vec<(String, String, String)> {
        out.choices[0]
            .message
            .tool_calls
            .iter()
            .flatten()
            .map(function)
            .map(|c| {
                (
                    c.id.clone(),
                    c.function.name.clone(),
                    c.function.arguments.clone(),
                )
            })
            .collect()
    }

    fn owned(calls: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        calls
            .iter()
            .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
            .collect()
    }

    #[test]
    fn calls_without_a_usable_index_are_told_apart_by_id() {
        let call = |index: Value, id: Option<&str>, name: Option<&str>, args: &str| {
            let mut call = json!({"index": index, "function": {"arguments": args}});
            if let Some(id) = id {
                call["id"] = json!(id);
            }
            if let Some(name) = name {
                call["function"]["name"] = json!(name);
            }
            chunk(json!([{"index": 0, "delta": {"tool_calls": [call]}}]))
        };
        // Gemini-style: every call whole, all at index 0 (or none), own ids.
        let out = fold(&[
            call(json!(0), Some("a"), Some("f"), "{}"),
            call(Value::Null, Some("b"), Some("g"), "{\"x\":1}"),
        ]);
        assert_eq!(
            calls(&out),
            owned(&[("a", "f", "{}"), ("b", "g", "{\"x\":1}")])
        );
        // `-1`: a new id starts a call, no id continues the last one.
        let out = fold(&[
            call(json!(-1), Some("a"), Some("f"), "{\"y\":"),
            call(json!(-1), None, None, "2}"),
            call(json!(-1), Some("b"), Some("g"), "{}"),
            call(json!(-1), Some("b"), Some("g"), ""),
        ]);
        assert_eq!(
            calls(&out),
            owned(&[("a", "f", "{\"y\":2}"), ("b", "g", "{}")])
        );
    }

    #[test]
    fn huge_and_sparse_indexes_allocate_nothing_per_index() {
        let call = |index: i64, args: &str| {
            chunk(json!([{"index": index, "delta": {"tool_calls": [
                {"index": index, "id": format!("id{index}"), "function": {"name": "f", "arguments": args}}
            ]}}]))
        };
        let out = fold(&[call(i64::MAX, "{"), call(7, "["), call(i64::MAX, "}")]);
        let indexes: Vec<i64> = out.choices.iter().map(|c| c.index).collect();
        assert_eq!(indexes, [7, i64::MAX]);
        assert_eq!(
            calls(&CreateChatCompletionResponse {
                choices: vec![out.choices[1].clone()],
                ..Default::default()
            }),
            owned(&[(&format!("id{}", i64::MAX), "f", "{}")])
        );
    }

    #[test]
    fn finished_means_every_choice_has_a_finish_reason() {
        let mut acc = ChatCompletionAccumulator::new();
        assert!(!acc.is_finished());
        let push = |acc: &mut ChatCompletionAccumulator, choices: Value| {
            acc.push(&serde_json::from_value(chunk(choices)).unwrap());
        };
        push(
            &mut acc,
            json!([{"index": 0, "delta": {"content": "a"}}, {"index": 1, "delta": {}}]),
        );
        push(
            &mut acc,
            json!([{"index": 0, "delta": {}, "finish_reason": "stop"}]),
        );
        assert!(!acc.is_finished());
        push(
            &mut acc,
            json!([{"index": 1, "delta": {}, "finish_reason": "length"}]),
        );
        assert!(acc.is_finished());
    }

    mod random_chunks {
        use super::*;
        use proptest::prelude::*;

        fn piece() -> impl Strategy<Value = Option<String>> {
            proptest::option::of(prop_oneof![Just(String::new()), "[a-zé{}\":,]{1,4}"])
        }

        /// One choice's delta, as odd as servers make them.
        fn choice() -> impl Strategy<Value = (i64, Value, Option<String>)> {
            let index = prop_oneof![Just(0i64), Just(1), Just(-1), Just(i64::MAX)];
            let call = (
                prop_oneof![
                    Just(json!(0)),
                    Just(json!(1)),
                    Just(json!(-1)),
                    Just(json!(i64::MAX)),
                    Just(Value::Null)
                ],
                proptest::option::of(prop_oneof![Just("a"), Just("b")]),
                proptest::option::of(prop_oneof![Just("f"), Just("g")]),
                piece(),
            )
                .prop_map(|(index, id, name, args)| {
                    json!({"index": index, "id": id, "type": id.map(|_| "function"),
                           "function": {"name": name, "arguments": args}})
                });
            (
                index,
                piece(),
                proptest::option::of(prop_oneof![Just("assistant")]),
                proptest::collection::vec(call, 0..3),
                proptest::option::of(prop_oneof![Just("stop"), Just("tool_calls")]),
                any::<bool>(),
            )
                .prop_map(|(index, content, role, calls, finish, extras)| {
                    let mut delta =
                        json!({"content": content.clone(), "role": role, "tool_calls": calls});
                    if extras {
                        delta["reasoning_content"] = json!("r");
                        delta["audio"] = json!({"transcript": "t", "data": "d"});
                    }
                    let choice = json!({"index": index, "delta": delta, "finish_reason": finish});
                    (index, choice, content)
                })
        }

        proptest! {
            #[test]
            fn never_panics_and_content_is_the_concatenation(
                chunks in proptest::collection::vec(proptest::collection::vec(choice(), 0..3), 0..12)
            ) {
                let mut acc = ChatCompletionAccumulator::new();
                let mut expected: BTreeMap<i64, String> = BTreeMap::new();
                for choices in &chunks {
                    let value = chunk(Value::Array(choices.iter().map(|(_, c, _)| c.clone()).collect()));
                    let parsed: CreateChatCompletionStreamResponse =
                        serde_json::from_value(value).expect("chunk decodes");
                    acc.push(&parsed);
                    for (index, _, content) in choices {
                        if let Some(content) = content {
                            expected.entry(*index).or_default().push_str(content);
                        }
                    }
                    // The snapshot is usable mid-stream.
                    let _ = serde_json::to_string(acc.snapshot()).expect("serializes");
                }
                let out = acc.finish();
                for choice in &out.choices {
                    prop_assert_eq!(
                        choice.message.content.as_deref(),
                        expected.get(&choice.index).map(String::as_str)
                    );
                    for call in choice.message.tool_calls.iter().flatten().map(function) {
                        // Names are set once, never concatenated.
                        prop_assert!(["", "f", "g"].contains(&call.function.name.as_str()));
                    }
                }
            }
        }
    }
}
