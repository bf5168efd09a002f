//! Responses never fail to decode because OpenAI added a field, an enum
//! value or a union variant, and whatever was added survives re-encoding.

use chat_api::types::*;
use serde_json::{Value, json};

fn completion(overrides: impl FnOnce(&mut Value)) -> Value {
    let mut v = json!({
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o",
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": "hi", "refusal": null},
            "logprobs": null,
            "finish_reason": "stop"
        }],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    });
    overrides(&mut v);
    v
}

fn decode(v: &Value) -> CreateChatCompletionResponse {
    serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("does not decode: {e}\n{v}"))
}

#[test]
fn unknown_finish_reason_is_kept() {
    let v = completion(|v| v["choices"][0]["finish_reason"] = json!("pause"));
    let c = decode(&v);
    assert_eq!(
        c.choices[0].finish_reason,
        Some(FinishReason::Unknown("pause".into()))
    );
    assert_eq!(
        c.choices[0]
            .finish_reason
            .as_ref()
            .map(FinishReason::as_str),
        Some("pause")
    );
    assert_eq!(serde_json::to_value(&c).expect("encodes"), v);
}

#[test]
fn known_finish_reason_is_a_variant() {
    let c = decode(&completion(|_| {}));
    assert_eq!(c.choices[0].finish_reason, Some(FinishReason::Stop));
}

/// Compatible servers (vLLM, llama.cpp mid-generation snapshots, gateways)
/// send `"finish_reason": null` or leave it out of a unary response. That is
/// `None`, distinguishable from every real reason, and it is written back as
/// `null`: never as `"stop"` or `""`.
#[test]
fn a_null_or_absent_finish_reason_is_none_never_a_real_reason() {
    let null = completion(|v| v["choices"][0]["finish_reason"] = Value::Null);
    let absent = completion(|v| {
        v["choices"][0]
            .as_object_mut()
            .expect("a choice object")
            .remove("finish_reason");
    });
    for body in [&null, &absent] {
        let c = decode(body);
        assert_eq!(c.choices[0].finish_reason, None, "{body}");
        assert_eq!(
            serde_json::to_value(&c).expect("encodes")["choices"][0]["finish_reason"],
            Value::Null,
            "{body}"
        );
    }
    assert_eq!(serde_json::to_value(decode(&null)).expect("encodes"), null);
}

/// One `FinishReason` type serves the response, the stream chunk and the
/// fold: a value moves between them without conversion.
#[test]
fn response_and_chunk_choices_share_one_finish_reason() {
    let chunk: CreateChatCompletionStreamResponse = serde_json::from_value(json!({
        "id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]
    }))
    .expect("decodes");
    let from_chunk: Option<FinishReason> = chunk.choices[0].finish_reason.clone();
    let mut response = decode(&completion(|_| {}));
    response.choices[0].finish_reason = from_chunk;
    assert_eq!(
        response.choices[0].finish_reason,
        Some(FinishReason::Length)
    );
    let mut fold = chat_api::ChatCompletionAccumulator::new();
    fold.push(&chunk);
    assert_eq!(
        fold.snapshot().choices[0].finish_reason,
        chunk.choices[0].finish_reason
    );
}

#[test]
fn unknown_service_tier_is_kept() {
    let v = completion(|v| v["service_tier"] = json!("ultrafast"));
    let c = decode(&v);
    assert_eq!(
        c.service_tier,
        Some(ServiceTier::Unknown("ultrafast".into()))
    );
    assert_eq!(
        serde_json::to_value(&c).expect("encodes")["service_tier"],
        "ultrafast"
    );
}

#[test]
fn unknown_fields_are_kept_at_every_level() {
    let v = completion(|v| {
        v["brand_new"] = json!({"nested": [1, 2]});
        v["choices"][0]["message"]["reasoning_content"] = json!("thinking…");
        v["usage"]["surprise_tokens"] = json!(7);
    });
    let c = decode(&v);
    assert_eq!(c.extra["brand_new"], json!({"nested": [1, 2]}));
    assert_eq!(c.choices[0].message.extra["reasoning_content"], "thinking…");
    assert_eq!(serde_json::to_value(&c).expect("encodes"), v);
}

#[test]
fn unknown_tool_call_kind_is_kept_verbatim() {
    let call = json!({"id": "call_1", "type": "mcp", "server": "s", "arguments": "{}"});
    let v = completion(|v| v["choices"][0]["message"]["tool_calls"] = json!([call.clone()]));
    let c = decode(&v);
    let calls = c.choices[0]
        .message
        .tool_calls
        .as_ref()
        .expect("tool calls");
    assert_eq!(calls[0], ToolCall::Unknown(call));
    assert_eq!(serde_json::to_value(&c).expect("encodes"), v);
}

#[test]
fn known_tool_call_kind_decodes_typed() {
    let v = completion(|v| {
        v["choices"][0]["message"]["tool_calls"] = json!([{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{\"a\":1}"}}]);
    });
    let c = decode(&v);
    match &c.choices[0]
        .message
        .tool_calls
        .as_ref()
        .expect("tool calls")[0]
    {
        ToolCall::Function(call) => {
            assert_eq!(call.function.arguments, "{\"a\":1}")
        }
        other => panic!("expected a function call, got {other:?}"),
    }
}

#[test]
fn fields_compatible_servers_omit_or_null_do_not_fail() {
    // vLLM, llama.cpp and gateways omit `object`/`usage`/`created` or send nulls.
    let v = json!({
        "id": "x", "model": "local",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": ""}, "finish_reason": "eos"}]
    });
    let c = decode(&v);
    assert_eq!(c.created, 0);
    assert_eq!(
        c.choices[0].finish_reason,
        Some(FinishReason::Unknown("eos".into()))
    );
    let chunk: CreateChatCompletionStreamResponse =
        serde_json::from_value(json!({"id": "x", "choices": null, "created": 1, "model": "m"}))
            .expect("chunk decodes");
    assert!(chunk.choices.is_empty());
}

#[test]
fn a_response_that_is_not_json_of_the_right_shape_still_fails_clearly() {
    let err = serde_json::from_value::<CreateChatCompletionResponse>(json!({"choices": "nope"}))
        .expect_err("must fail");
    assert!(err.to_string().contains("invalid type"), "{err}");
}

#[test]
fn model_ids_are_open() {
    assert_eq!(ModelIdsShared::from("gpt-4o"), ModelIdsShared::Gpt4o);
    let local = ModelIdsShared::from("qwen3:8b");
    assert_eq!(local, ModelIdsShared::Other("qwen3:8b".into()));
    assert_eq!(serde_json::to_value(&local).expect("encodes"), "qwen3:8b");
    assert_eq!(
        serde_json::from_value::<ModelIdsShared>(json!("gpt-4o")).expect("decodes"),
        ModelIdsShared::Gpt4o
    );
}

#[test]
fn a_missing_required_field_without_a_default_is_named_in_the_error() {
    // Leniency stops where there is no sensible empty value: a tagged union
    // has none, so its absence is an error that names the field.
    let err =
        serde_json::from_value::<ChatCompletionModeration>(json!({"output": {"type": "flagged"}}))
            .expect_err("must fail");
    assert!(err.to_string().contains("missing field `input`"), "{err}");
}

#[test]
fn response_structs_decode_from_borrowed_and_owned_input_alike() {
    // Keys are borrowed from a string and owned when decoding from a
    // `serde_json::Value` (as tagged unions do); escaped keys are owned too.
    let text = r#"{"id":"x","model":"m","created":1,"choices":[],"obj\u0065ct":"chat.completion","n\u0065w":1}"#;
    let from_str: CreateChatCompletionResponse = serde_json::from_str(text).expect("from str");
    let value: Value = serde_json::from_str(text).expect("json");
    let from_value: CreateChatCompletionResponse =
        serde_json::from_value(value).expect("from value");
    assert_eq!(from_str, from_value);
    assert_eq!(from_str.extra["new"], 1);
    assert!(
        !from_str.extra.contains_key("object"),
        "a known key, even escaped, is not extra"
    );
}

#[test]
fn decode_errors_inside_response_structs_keep_their_position() {
    // serde's `flatten` would buffer each object and lose line/column, and
    // with them the client's error snippet; the generated impls do not.
    let text = "{\n\"id\": \"x\",\n\"choices\": [{\"index\": \"zero\"}]\n}";
    let err = serde_json::from_str::<CreateChatCompletionResponse>(text).expect_err("must fail");
    assert_eq!(
        (err.line(), err.classify()),
        (3, serde_json::error::Category::Data),
        "{err}"
    );
    assert!(err.to_string().contains("line 3"), "{err}");
}

#[test]
fn null_required_fields_read_as_empty_from_text_at_every_kind_of_type() {
    // Read from text, as the client does (not through a `Value`): strings,
    // numbers, arrays and objects that are required but sent as `null`.
    let text = r#"{"id":null,"object":"chat.completion","created":null,"model":null,
        "choices":[
            {"index":0,"message":null,"finish_reason":"stop","logprobs":null},
            {"index":1,"message":{"role":"assistant","content":"hi"},"finish_reason":null,
             "logprobs":{"content":[{"token":"hi","logprob":-0.5,"bytes":[104,105],"top_logprobs":null}],
                         "refusal":null}}]}"#;
    let c: CreateChatCompletionResponse = serde_json::from_str(text).expect("decodes");
    assert_eq!((c.id.as_str(), c.created, c.model.as_str()), ("", 0, ""));
    assert_eq!(
        c.choices[0].message,
        ChatCompletionResponseMessage::default()
    );
    let token = &c.choices[1]
        .logprobs
        .as_ref()
        .expect("logprobs")
        .content
        .as_ref()
        .expect("content")[0];
    assert_eq!((token.token.as_str(), token.logprob), ("hi", -0.5));
    assert_eq!(token.bytes.as_deref(), Some(&b"hi"[..]));
    assert!(token.top_logprobs.is_empty());
    assert_eq!(c.choices[1].message.content.as_deref(), Some("hi"));
}

#[test]
#[allow(deprecated)] // `system_fingerprint`: deprecated, still sent
fn optional_fields_read_null_and_absence_as_none_and_values_as_they_are() {
    // Read from text: every kind of `Option` field (string, enum, object,
    // boxed object, array), present, `null` and left out.
    let present = r#"{"id":"x","created":1,"model":"m","system_fingerprint":"fp_1",
        "service_tier":"flex","usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5,
        "completion_tokens_details":{"reasoning_tokens":1}},
        "choices":[{"index":0,"finish_reason":"tool_calls","logprobs":null,"message":{"role":"assistant",
        "refusal":"no","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}}]}"#;
    let c: CreateChatCompletionResponse = serde_json::from_str(present).expect("decodes");
    assert_eq!(c.system_fingerprint.as_deref(), Some("fp_1"));
    assert_eq!(c.service_tier.as_ref().map(|t| t.as_str()), Some("flex"));
    let usage = c.usage.as_ref().expect("usage");
    assert_eq!(usage.total_tokens, 5);
    assert_eq!(
        usage
            .completion_tokens_details
            .as_ref()
            .and_then(|d| d.reasoning_tokens),
        Some(1)
    );
    assert!(c.choices[0].logprobs.is_none(), "null is None");
    let message = &c.choices[0].message;
    assert_eq!(message.refusal.as_deref(), Some("no"));
    assert_eq!(message.tool_calls.as_ref().map(Vec::len), Some(1));

    let nulls = r#"{"id":"x","created":1,"model":"m","system_fingerprint":null,"service_tier":null,
        "usage":null,"choices":[{"index":0,"message":{"role":"assistant","refusal":null,"tool_calls":null}}]}"#;
    let absent = r#"{"id":"x","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant"}}]}"#;
    for text in [nulls, absent] {
        let c: CreateChatCompletionResponse = serde_json::from_str(text).expect("decodes");
        assert!(
            c.system_fingerprint.is_none() && c.service_tier.is_none() && c.usage.is_none(),
            "{text}"
        );
        let message = &c.choices[0].message;
        assert!(
            message.refusal.is_none() && message.tool_calls.is_none(),
            "{text}"
        );
        assert!(c.extra.is_empty() && message.extra.is_empty(), "{text}");
    }
}

#[test]
fn a_wrong_type_or_a_repeated_key_in_an_optional_field_fails_and_names_where() {
    for (text, path, message) in [
        (
            r#"{"id":"x","created":1,"model":"m","system_fingerprint":7,"choices":[]}"#,
            "system_fingerprint",
            "invalid type: integer `7`",
        ),
        (
            r#"{"id":"x","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":"3"}}"#,
            "usage.prompt_tokens",
            "invalid type: string \"3\"",
        ),
        (
            r#"{"id":"x","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","tool_calls":{}}}]}"#,
            "choices[0].message.tool_calls",
            "invalid type: map",
        ),
        (
            // Raised by the object that holds the key, as serde's derive does.
            r#"{"id":"x","created":1,"model":"m","usage":null,"usage":null,"choices":[]}"#,
            ".",
            "duplicate field `usage`",
        ),
    ] {
        let mut de = serde_json::Deserializer::from_str(text);
        let err = serde_path_to_error::deserialize::<_, CreateChatCompletionResponse>(&mut de)
            .expect_err(path);
        assert_eq!(err.path().to_string(), path, "{err}");
        assert!(err.inner().to_string().contains(message), "{err}");
        assert!(err.inner().column() > 0, "the position is kept: {err}");
    }
}

#[test]
fn a_wrong_type_in_a_required_field_fails_and_names_its_path() {
    for (text, path) in [
        (
            r#"{"id":"x","created":"soon","model":"m","choices":[]}"#,
            "created",
        ),
        (
            r#"{"id":"x","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant"},
               "logprobs":{"content":[{"token":"a","logprob":"low","bytes":null,"top_logprobs":[]}]}}]}"#,
            "choices[0].logprobs.content[0].logprob",
        ),
        (
            r#"{"id":"x","created":1,"model":"m","choices":{"index":0}}"#,
            "choices",
        ),
    ] {
        let mut de = serde_json::Deserializer::from_str(text);
        let err = serde_path_to_error::deserialize::<_, CreateChatCompletionResponse>(&mut de)
            .expect_err(path);
        assert_eq!(err.path().to_string(), path, "{err}");
        assert!(err.inner().to_string().contains("invalid type"), "{err}");
    }
}
