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
use support::{Reply, Server, answer, within};

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
/// calls comes back without its `reasoning_content` (the error as reported
/// in deepseek-ai/deepseek-harness discussion #739).
fn deepseek(n: usize, body: &Value) -> Reply {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let lacking = messages
        .iter()
        .any(|m| m["role"] == "assistant" && m["reasoning_content"].as_str().is_none());
    if lacking {
        return Reply::Json(
            400,
            json!({"error": {"message": "The `reasoning_content` in the thinking mode must be passed back to the API.", "type": "invalid_request_error", "param": null, "code": "invalid_request_error"}}),
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

// ------------------------------------------------------------- rate limits

fn openai_limits() -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit-requests", "60".into()),
        ("x-ratelimit-remaining-requests", "59".into()),
        ("x-ratelimit-reset-requests", "1s".into()),
        ("x-ratelimit-limit-tokens", "150000".into()),
        ("x-ratelimit-remaining-tokens", "149984".into()),
        ("x-ratelimit-reset-tokens", "6m0s".into()),
    ]
}

#[tokio::test]
async fn rate_limits_of_a_response() {
    use chat_api::types::CreateChatCompletionResponse;
    let server = Server::start(|_| Reply::WithHeaders(200, openai_limits(), answer("hi"))).await;
    let response = server
        .client()
        .post::<_, CreateChatCompletionResponse>("/chat/completions", &request("hi"))
        .await
        .expect("a response");
    let limits = response.rate_limits().expect("limits");
    let requests = limits.requests.expect("request limit");
    assert_eq!(
        (requests.limit, requests.remaining, requests.reset),
        (Some(60), Some(59), Some(Duration::from_secs(1)))
    );
    let tokens = limits.tokens.expect("token limit");
    assert_eq!(
        (tokens.limit, tokens.remaining, tokens.reset),
        (Some(150_000), Some(149_984), Some(Duration::from_secs(360)))
    );
    assert_eq!(limits.retry_after, None);
}

#[tokio::test]
async fn rate_limits_of_a_stream() {
    let server = Server::start(|_| {
        Reply::Sse(vec![
            "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":\"stop\"}]}\n\n".into(),
            "data: [DONE]\n\n".into(),
        ])
    })
    .await;
    let stream = server
        .client()
        .create_chat_completion_stream(&request("hi"))
        .await
        .expect("a stream");
    let limits = stream.rate_limits().expect("limits");
    assert_eq!(limits.requests.expect("requests").remaining, Some(41));
    assert_eq!(limits.tokens, None);
}

#[tokio::test]
async fn a_retry_after_beyond_the_ceiling_is_returned_not_waited() {
    let limited = || {
        Reply::WithHeaders(
            429,
            vec![
                ("retry-after", "3600".into()),
                ("x-ratelimit-remaining-tokens", "0".into()),
                ("x-ratelimit-reset-tokens", "59m59s".into()),
            ],
            json!({"error": {"message": "Rate limit reached", "type": "tokens", "code": "rate_limit_exceeded"}}),
        )
    };
    let server = Server::start(move |_| limited()).await;
    let client = chat_api::Client::builder()
        .base_url(&server.base_url)
        .max_retries(2)
        .build()
        .unwrap();
    let err = within(client.create_chat_completion(&request("hi")))
        .await
        .expect_err("rate limited");
    assert_eq!(
        server.request_count(),
        1,
        "an hour is beyond the ceiling: no retry"
    );
    let limits = err.rate_limits().expect("limits on the error");
    assert_eq!(limits.retry_after, Some(Duration::from_secs(3600)));
    let tokens = limits.tokens.expect("token limit");
    assert_eq!(
        (tokens.remaining, tokens.reset),
        (Some(0), Some(Duration::from_secs(3599)))
    );

    // Within a raised ceiling a short wait is honoured and retried.
    let server = Server::start(|n| match n {
        0 => Reply::WithHeaders(
            429,
            vec![("retry-after-ms", "10".into())],
            json!({"error": {"message": "slow down"}}),
        ),
        _ => answer("hi").into(),
    })
    .await;
    let client = chat_api::Client::builder()
        .base_url(&server.base_url)
        .max_retry_after(Duration::from_millis(50))
        .build()
        .unwrap();
    within(client.create_chat_completion(&request("hi")))
        .await
        .expect("retried after 10 ms");
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn malformed_rate_limit_headers_are_none() {
    use chat_api::types::CreateChatCompletionResponse;
    let server = Server::start(|_| {
        Reply::WithHeaders(
            200,
            vec![
                ("x-ratelimit-remaining-requests", "lots".into()),
                ("x-ratelimit-reset-tokens", "tomorrow".into()),
            ],
            answer("hi"),
        )
    })
    .await;
    let response = server
        .client()
        .post::<_, CreateChatCompletionResponse>("/chat/completions", &request("hi"))
        .await
        .expect("malformed headers are no error");
    assert_eq!(response.rate_limits(), None);
}

// ------------------------------------------------------------------- azure

#[tokio::test]
async fn azure_deployment_url_with_api_key() {
    let server = Server::start(|_| answer("hi")).await;
    let client = chat_api::Client::azure()
        .endpoint(format!("{}/", server.origin()))
        .deployment("gpt-4o")
        .api_version("2024-10-21")
        .api_key("azure-secret-key")
        .configure(|c| c.max_retries(0))
        .build()
        .expect("an Azure client");
    assert!(!format!("{client:?}").contains("azure-secret-key"));
    client
        .create_chat_completion(&request("hi"))
        .await
        .expect("an answer");
    let sent = &server.received()[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.target,
        "/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"
    );
    assert_eq!(sent.header("api-key"), Some("azure-secret-key"));
    assert_eq!(sent.header("authorization"), None);
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.body["model"], "deepseek-reasoner");
}

#[tokio::test]
async fn azure_v1_url_with_a_fresh_bearer_token_per_attempt() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let server = Server::start(|n| match n {
        0 => Reply::Json(503, json!({"error": {"message": "busy"}})),
        _ => answer("hi").into(),
    })
    .await;
    let issued = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&issued);
    let client = chat_api::Client::azure()
        .endpoint(server.origin())
        .token_source(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            async move { Ok::<_, chat_api::BoxError>(chat_api::Secret::new(format!("entra-{n}"))) }
        })
        .configure(|c| c.max_retries(1))
        .build()
        .expect("an Azure client");
    within(client.create_chat_completion(&request("hi")))
        .await
        .expect("answered on the retry");
    let sent = server.received();
    assert_eq!(sent.len(), 2);
    for (i, attempt) in sent.iter().enumerate() {
        assert_eq!(
            attempt.target, "/openai/v1/chat/completions",
            "no api-version unless given"
        );
        assert_eq!(
            attempt.header("authorization"),
            Some(format!("Bearer entra-{}", i + 1).as_str())
        );
        assert_eq!(attempt.header("api-key"), None);
    }
}

#[tokio::test]
async fn a_failing_token_source_sends_nothing() {
    let server = Server::start(|_| answer("hi")).await;
    let client = chat_api::Client::azure()
        .endpoint(server.origin())
        .api_version("preview")
        .token_source(|| async {
            Err::<chat_api::Secret, _>(chat_api::BoxError::from("expired credential"))
        })
        .build()
        .expect("an Azure client");
    let err = client
        .create_chat_completion(&request("hi"))
        .await
        .expect_err("no token");
    assert!(matches!(err, chat_api::Error::TokenSource(_)), "{err:?}");
    assert!(!err.is_retryable());
    assert_eq!(server.request_count(), 0);
}

#[test]
fn regions_are_typed_base_urls() {
    use chat_api::{Client, ConfigError, Error, Region};
    for (region, url) in [
        (Region::Global, "https://api.openai.com/v1"),
        (Region::Us, "https://us.api.openai.com/v1"),
        (Region::Eu, "https://eu.api.openai.com/v1"),
        (Region::Ae, "https://ae.api.openai.com/v1"),
    ] {
        let client = Client::builder().region(region).build().unwrap();
        assert_eq!(client.base_url(), url);
    }
    let err = Client::builder()
        .region(Region::Eu)
        .base_url("http://127.0.0.1:1/v1")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(ConfigError::RegionWithBaseUrl)));
}
