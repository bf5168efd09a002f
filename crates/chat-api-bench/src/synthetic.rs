//! Synthetic inputs at sizes the recordings do not reach: many parallel
//! tool calls, 1,000 logprob tokens, a stream of 2,000 small content chunks.
//!
//! Written as text, in the key order OpenAI sends (`id` and `type` before
//! `function` in a tool call, `id` first in a chunk): a decoder's cost
//! depends on it (a tagged union holds the keys it reads before its tag),
//! and a `serde_json::Value` keeps key order only with `preserve_order`,
//! which this workspace does not enable for the bench.

use serde_json::Value;

/// A JSON string literal.
fn quoted(text: &str) -> String {
    Value::from(text).to_string()
}

fn completion(message: &str, logprobs: &str, finish: &str) -> Vec<u8> {
    format!(
        r#"{{"id":"chatcmpl-synthetic","object":"chat.completion","created":1780000000,"model":"gpt-4o-2024-08-06","choices":[{{"index":0,"message":{message},"logprobs":{logprobs},"finish_reason":"{finish}"}}],"usage":{{"prompt_tokens":120,"completion_tokens":900,"total_tokens":1020,"prompt_tokens_details":{{"cached_tokens":0,"audio_tokens":0}},"completion_tokens_details":{{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}},"service_tier":"default","system_fingerprint":"fp_synthetic"}}"#
    )
    .into_bytes()
}

/// A response with `n` parallel function calls.
pub fn parallel_tool_calls(n: usize) -> Vec<u8> {
    let calls: Vec<String> = (0..n)
        .map(|i| {
            let arguments = quoted(&format!(r#"{{"city":"City {i}","unit":"celsius"}}"#));
            format!(
                r#"{{"id":"call_{i:024}","type":"function","function":{{"name":"get_weather","arguments":{arguments}}}}}"#
            )
        })
        .collect();
    let message = format!(
        r#"{{"role":"assistant","content":null,"tool_calls":[{}],"refusal":null,"annotations":[]}}"#,
        calls.join(",")
    );
    completion(&message, "null", "tool_calls")
}

/// A response of `n` tokens, each with its logprob, bytes and five
/// alternatives (`logprobs: true, top_logprobs: 5`).
pub fn logprobs(n: usize) -> Vec<u8> {
    let token = |i: usize, alt: usize| {
        let text = format!(" w{i}a{alt}");
        let bytes: Vec<String> = text.bytes().map(|b| b.to_string()).collect();
        let logprob = Value::from(-0.25 * alt as f64 - 0.001 * i as f64);
        format!(
            r#""token":{},"logprob":{logprob},"bytes":[{}]"#,
            quoted(&text),
            bytes.join(",")
        )
    };
    let content: Vec<String> = (0..n)
        .map(|i| {
            let top: Vec<String> = (0..5).map(|alt| format!("{{{}}}", token(i, alt))).collect();
            format!(r#"{{{},"top_logprobs":[{}]}}"#, token(i, 0), top.join(","))
        })
        .collect();
    let text: String = (0..n).map(|i| format!(" w{i}a0")).collect();
    let message = format!(
        r#"{{"role":"assistant","content":{},"refusal":null,"annotations":[]}}"#,
        quoted(&text)
    );
    let logprobs = format!(r#"{{"content":[{}],"refusal":null}}"#, content.join(","));
    completion(&message, &logprobs, "stop")
}

/// The `data:` payloads of a stream of `n` one-word content chunks between
/// a role chunk and a finish chunk.
pub fn content_chunks(n: usize) -> Vec<String> {
    let chunk = |delta: &str, finish: &str| {
        format!(
            r#"{{"id":"chatcmpl-synthetic","object":"chat.completion.chunk","created":1780000000,"model":"gpt-4o-2024-08-06","service_tier":"default","system_fingerprint":"fp_synthetic","choices":[{{"index":0,"delta":{delta},"logprobs":null,"finish_reason":{finish}}}],"obfuscation":"aBcDeF"}}"#
        )
    };
    let mut out = vec![chunk(
        r#"{"role":"assistant","content":"","refusal":null}"#,
        "null",
    )];
    out.extend((0..n).map(|i| chunk(&format!(r#"{{"content":" word{i}"}}"#), "null")));
    out.push(chunk("{}", r#""stop""#));
    out
}

/// `payloads` as a `text/event-stream` body ending in `[DONE]`.
pub fn sse_body(payloads: &[String]) -> String {
    let mut body = String::new();
    for payload in payloads {
        body.push_str("data: ");
        body.push_str(payload);
        body.push_str("\n\n");
    }
    body.push_str("data: [DONE]\n\n");
    body
}
