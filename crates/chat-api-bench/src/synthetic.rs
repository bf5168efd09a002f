//! Synthetic inputs at sizes the recordings do not reach: many parallel
//! tool calls, 1,000 logprob tokens, a stream of 2,000 small content chunks.
//! Built with `serde_json::json!` in the shape OpenAI sends.

use serde_json::{Value, json};

fn completion(message: Value, logprobs: Value, finish: &str) -> Value {
    json!({
        "id": "chatcmpl-synthetic", "object": "chat.completion", "created": 1_780_000_000,
        "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_synthetic", "service_tier": "default",
        "choices": [{"index": 0, "message": message, "logprobs": logprobs, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": 120, "completion_tokens": 900, "total_tokens": 1020,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
                "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        }
    })
}

/// A response with `n` parallel function calls.
pub fn parallel_tool_calls(n: usize) -> Vec<u8> {
    let calls: Vec<Value> = (0..n)
        .map(|i| {
            json!({"id": format!("call_{i:024}"), "type": "function", "function": {
                "name": "get_weather",
                "arguments": format!("{{\"city\":\"City {i}\",\"unit\":\"celsius\"}}")
            }})
        })
        .collect();
    let message = json!({"role": "assistant", "content": null, "refusal": null,
        "tool_calls": calls, "annotations": []});
    serde_json::to_vec(&completion(message, Value::Null, "tool_calls")).expect("json")
}

/// A response of `n` tokens, each with its logprob, bytes and five
/// alternatives (`logprobs: true, top_logprobs: 5`).
pub fn logprobs(n: usize) -> Vec<u8> {
    let token = |i: usize, alt: usize| {
        let text = format!(" w{i}a{alt}");
        json!({"token": text, "logprob": -0.25 * alt as f64 - 0.001 * i as f64, "bytes": text.as_bytes()})
    };
    let content: Vec<Value> = (0..n)
        .map(|i| {
            let mut t = token(i, 0);
            t["top_logprobs"] = Value::Array((0..5).map(|alt| token(i, alt)).collect());
            t
        })
        .collect();
    let text: String = (0..n).map(|i| format!(" w{i}a0")).collect();
    let message = json!({"role": "assistant", "content": text, "refusal": null, "annotations": []});
    let logprobs = json!({"content": content, "refusal": null});
    serde_json::to_vec(&completion(message, logprobs, "stop")).expect("json")
}

/// The `data:` payloads of a stream of `n` one-word content chunks between
/// a role chunk and a finish chunk.
pub fn content_chunks(n: usize) -> Vec<String> {
    let chunk = |delta: Value, finish: Value| {
        json!({"id": "chatcmpl-synthetic", "object": "chat.completion.chunk", "created": 1_780_000_000,
            "model": "gpt-4o-2024-08-06", "system_fingerprint": "fp_synthetic", "service_tier": "default",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
            "obfuscation": "aBcDeF"})
        .to_string()
    };
    let mut out = vec![chunk(
        json!({"role": "assistant", "content": "", "refusal": null}),
        Value::Null,
    )];
    out.extend((0..n).map(|i| chunk(json!({"content": format!(" word{i}")}), Value::Null)));
    out.push(chunk(json!({}), json!("stop")));
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
