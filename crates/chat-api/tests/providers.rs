//! What the servers people actually call need from the client, each against
//! a local scripted server (`support/`) that checks what it is sent:
//! thinking-mode providers that want `reasoning_content` back, servers that
//! omit tool-call ids.

mod support;

use std::time::Duration;

use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use chat_api::{Tool, Toolbox};
use serde::Deserialize;
use serde_json::{Value, json};
use support::{Reply, Server, answer};

/// Get the current weather for a city.
#[derive(Debug, Deserialize, Tool)]
struct GetWeather {
    /// City name.
    location: String,
}

fn weather_tools() -> Toolbox {
    Toolbox::new().handler(|w: GetWeather| format!("22°C in {}", w.location))
}

fn request(text: &str) -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: "deepseek-reasoner".into(),
        messages: vec![ChatCompletionRequestMessage::user(text)],
        ..Default::default()
    }
}

async fn within<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), future)
        .await
        .expect("the run finished")
}

/// A DeepSeek-style thinking-mode answer calling `get_weather`, with
/// response-only fields a replayed turn must not carry.
fn thinking_call(id: Option<&str>) -> Value {
    let mut call = json!({"type": "function",
        "function": {"name": "get_weather", "arguments": "{\"location\": \"Paris\"}"}});
    if let Some(id) = id {
        call["id"] = json!(id);
    }
    json!({
        "id": "chatcmpl-think", "object": "chat.completion", "created": 0, "model": "deepseek-reasoner",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {
            "role": "assistant", "content": "", "refusal": null,
            "reasoning_content": "The user asks about Paris; call the tool.",
            "annotations": [],
            "audio": {"id": "audio_1", "data": "AAAA", "transcript": "hi", "expires_at": 1},
            "tool_calls": [call]
        }}]
    })
}

/// As DeepSeek's thinking mode: HTTP 400 when an assistant turn with tool
/// calls comes back without its `reasoning_content`.
fn deepseek(n: usize, body: &Value) -> Reply {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let lacking = messages
        .iter()
        .any(|m| m["role"] == "assistant" && m["reasoning_content"].as_str().is_none());
    if lacking {
        return Reply::Json(
            400,
            json!({"error": {"message": "Missing `reasoning_content` field in the assistant message", "type": "invalid_request_error", "param": null, "code": "invalid_request_error"}}),
        );
    }
    match n {
        0 => thinking_call(Some("call_00_weather")).into(),
        _ => answer("22°C in Paris.").into(),
    }
}

#[tokio::test]
async fn reasoning_content_goes_back_in_the_tool_loop() {
    let server = Server::start_with_body(deepseek).await;
    let run = within(
        server
            .client()
            .run_tools(request("Weather in Paris?"), &weather_tools()),
    )
    .await
    .expect("the thinking-mode server accepts the replayed turn");
    assert_eq!(run.content(), Some("22°C in Paris."));

    let bodies = server.bodies();
    assert_eq!(bodies.len(), 2);
    let turn = &bodies[1]["messages"][1];
    // Field by field: what a request may carry, and nothing response-only.
    assert_eq!(
        *turn,
        json!({
            "role": "assistant",
            "content": "",
            "reasoning_content": "The user asks about Paris; call the tool.",
            "audio": {"id": "audio_1"},
            "tool_calls": [{"id": "call_00_weather", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"location\": \"Paris\"}"}}]
        })
    );
    assert_eq!(
        bodies[1]["messages"][2],
        json!({"role": "tool", "tool_call_id": "call_00_weather", "content": "22°C in Paris"})
    );
}

#[tokio::test]
async fn stripping_reasoning_content_is_what_the_server_rejects() {
    let server = Server::start_with_body(deepseek).await;
    let tools = weather_tools().strip_fields(["reasoning_content"]);
    let err = within(server.client().run_tools(request("Weather?"), &tools))
        .await
        .expect_err("the server rejects a turn without reasoning_content");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400), "{err}");
    assert!(
        server.bodies()[1]["messages"][1]
            .get("reasoning_content")
            .is_none()
    );
}

#[tokio::test]
async fn a_missing_tool_call_id_is_synthesized_and_answered() {
    // As some local servers: tool calls without an `id`; this one rejects a
    // tool message that answers no call of the previous turn.
    let server = Server::start_with_body(|n, body: &Value| -> Reply {
        if n == 0 {
            return thinking_call(None).into();
        }
        let messages = body["messages"].as_array().cloned().unwrap_or_default();
        let ids: Vec<&Value> = messages[1]["tool_calls"]
            .as_array()
            .map(|calls| calls.iter().map(|c| &c["id"]).collect())
            .unwrap_or_default();
        if messages[2]["tool_call_id"]
            .as_str()
            .is_none_or(str::is_empty)
            || !ids.contains(&&messages[2]["tool_call_id"])
        {
            return Reply::Json(400, json!({"error": {"message": "unanswered tool call"}}));
        }
        answer("done").into()
    })
    .await;
    let run = within(
        server
            .client()
            .run_tools(request("Weather?"), &weather_tools()),
    )
    .await
    .expect("the synthesized id is answered");
    assert_eq!(run.content(), Some("done"));
    let body = &server.bodies()[1];
    let id = body["messages"][1]["tool_calls"][0]["id"]
        .as_str()
        .expect("an id was synthesized");
    assert!(id.starts_with("call_0_"), "{id}");
    assert_eq!(body["messages"][2]["tool_call_id"], id);

    // The same call gets the same id on every run, so recordings match.
    let again = Server::start_with_body(|n, _: &Value| -> Reply {
        if n == 0 {
            thinking_call(None).into()
        } else {
            answer("done").into()
        }
    })
    .await;
    within(
        again
            .client()
            .run_tools(request("Weather?"), &weather_tools()),
    )
    .await
    .expect("second run");
    assert_eq!(again.bodies()[1]["messages"][1]["tool_calls"][0]["id"], id);
}

#[test]
fn a_replayed_turn_round_trips_through_the_request_type() {
    let message: chat_api::types::ChatCompletionResponseMessage =
        serde_json::from_value(thinking_call(Some("call_1"))["choices"][0]["message"].clone())
            .unwrap();
    let turn = ChatCompletionRequestMessage::from(message);
    let json = serde_json::to_value(&turn).unwrap();
    let back: ChatCompletionRequestMessage = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, turn);
    assert_eq!(serde_json::to_value(&back).unwrap(), json);
    let ChatCompletionRequestMessage::Assistant(assistant) = back else {
        panic!("an assistant turn: {json}");
    };
    // `role` is the tag, not an unknown property.
    assert_eq!(
        assistant.extra.keys().collect::<Vec<_>>(),
        ["reasoning_content"]
    );
}
