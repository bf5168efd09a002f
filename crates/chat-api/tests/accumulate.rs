//! `ChatCompletionAccumulator` over every recorded OpenAI stream, checked
//! against invariants computed from the raw chunks, and
//! `EventStream::final_completion` through a loopback server.

use std::collections::BTreeMap;
mod recorded;

use recorded::{fixture, recorded_streams};

use chat_api::types::{
    ChatCompletionRequestMessage, CompletionUsage, CreateChatCompletionRequest,
    CreateChatCompletionResponse, CreateChatCompletionStreamResponse, FinishReason, ToolCall,
};
use chat_api::{ChatCompletionAccumulator, Client, Error};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The JSON of each `data:` line, `[DONE]` skipped.
fn data_events(name: &str, text: &str) -> Vec<Value> {
    text.lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(str::trim)
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap_or_else(|e| panic!("{name}: {e}: {d}")))
        .collect()
}

fn fold(events: &[Value]) -> CreateChatCompletionResponse {
    let mut acc = ChatCompletionAccumulator::new();
    for event in events {
        let chunk: CreateChatCompletionStreamResponse =
            serde_json::from_value(event.clone()).expect("chunk decodes");
        acc.push(&chunk);
    }
    assert_eq!(acc.chunk_count(), events.len());
    acc.finish()
}

/// What the folded completion must show, computed from the raw JSON alone.
#[derive(Default, Debug)]
struct Expected {
    content: BTreeMap<i64, String>,
    refusal: BTreeMap<i64, String>,
    finish_reason: BTreeMap<i64, String>,
    choices: Vec<i64>,
    /// (choice, tool index) → (every non-empty name seen, first id, arguments).
    tools: BTreeMap<(i64, i64), (Vec<String>, String, String)>,
    logprobs: BTreeMap<i64, usize>,
    transcript: BTreeMap<i64, String>,
    audio_data: BTreeMap<i64, String>,
    usage: Option<Value>,
    first_id: String,
}

fn expected(events: &[Value]) -> Expected {
    let mut e = Expected::default();
    let str_at = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    for event in events {
        if e.first_id.is_empty() {
            e.first_id = str_at(event, "id").unwrap_or_default();
        }
        if let Some(usage) = event.get("usage").filter(|u| !u.is_null()) {
            e.usage = Some(usage.clone());
        }
        for choice in event["choices"].as_array().into_iter().flatten() {
            let i = choice["index"].as_i64().expect("choice index");
            if !e.choices.contains(&i) {
                e.choices.push(i);
            }
            let delta = &choice["delta"];
            if let Some(text) = str_at(delta, "content") {
                e.content.entry(i).or_default().push_str(&text);
            }
            if let Some(text) = str_at(delta, "refusal") {
                e.refusal.entry(i).or_default().push_str(&text);
            }
            if let Some(reason) = str_at(choice, "finish_reason") {
                e.finish_reason.insert(i, reason);
            }
            if let Some(tokens) = choice["logprobs"]["content"].as_array() {
                *e.logprobs.entry(i).or_default() += tokens.len();
            }
            if let Some(text) = str_at(&delta["audio"], "transcript") {
                e.transcript.entry(i).or_default().push_str(&text);
            }
            if let Some(data) = str_at(&delta["audio"], "data") {
                e.audio_data.entry(i).or_default().push_str(&data);
            }
            for call in delta["tool_calls"].as_array().into_iter().flatten() {
                let t = call["index"].as_i64().expect("tool call index");
                let entry = e.tools.entry((i, t)).or_default();
                if let Some(name) = str_at(&call["function"], "name").filter(|n| !n.is_empty()) {
                    entry.0.push(name);
                }
                if entry.1.is_empty() {
                    entry.1 = str_at(call, "id").unwrap_or_default();
                }
                if let Some(args) = str_at(&call["function"], "arguments") {
                    entry.2.push_str(&args);
                }
            }
        }
    }
    e.choices.sort();
    e
}

#[derive(Default, Debug)]
struct Seen {
    tool_calls: usize,
    parallel: usize,
    multi_choice: usize,
    usage: usize,
    logprobs: usize,
    audio: usize,
}

#[test]
fn every_recorded_stream_folds_consistently() {
    let mut seen = Seen::default();
    for (name, text) in recorded_streams() {
        let events = data_events(&name, &text);
        let out = fold(&events);
        let e = expected(&events);

        assert_eq!(out.id, e.first_id, "{name}: id");
        assert_eq!(out.object.as_str(), "chat.completion", "{name}");
        let indexes: Vec<i64> = out.choices.iter().map(|c| c.index).collect();
        assert_eq!(indexes, e.choices, "{name}: choices by index");
        seen.multi_choice += usize::from(e.choices.len() > 1);

        for choice in &out.choices {
            let i = choice.index;
            let message = &choice.message;
            assert_eq!(
                message.content.as_ref(),
                e.content.get(&i),
                "{name}: content of choice {i}"
            );
            assert_eq!(
                message.refusal.as_ref(),
                e.refusal.get(&i),
                "{name}: refusal of choice {i}"
            );
            // The audio recording never sends a finish_reason: the field
            // then stays `None`, never an invented `stop`.
            assert_eq!(
                choice.finish_reason.as_ref().map(|r| r.as_str()),
                e.finish_reason.get(&i).map(String::as_str),
                "{name}: finish_reason of choice {i}"
            );
            let tokens = choice
                .logprobs
                .as_ref()
                .and_then(|l| l.content.as_ref())
                .map_or(0, Vec::len);
            assert_eq!(
                tokens,
                e.logprobs.get(&i).copied().unwrap_or(0),
                "{name}: logprobs"
            );
            seen.logprobs += usize::from(tokens > 0);
            match &message.audio {
                Some(audio) => {
                    assert_eq!(Some(&audio.transcript), e.transcript.get(&i), "{name}");
                    assert_eq!(Some(&audio.data), e.audio_data.get(&i), "{name}");
                    assert!(!audio.id.is_empty() && audio.expires_at > 0, "{name}");
                    seen.audio += 1;
                }
                None => assert!(!e.transcript.contains_key(&i), "{name}: audio lost"),
            }

            let expected_tools: Vec<_> = e
                .tools
                .iter()
                .filter(|((c, _), _)| *c == i)
                .map(|(_, v)| v)
                .collect();
            let calls = message.tool_calls.as_deref().unwrap_or_default();
            assert_eq!(calls.len(), expected_tools.len(), "{name}: tool calls");
            seen.tool_calls += usize::from(!calls.is_empty());
            seen.parallel += usize::from(calls.len() > 1);
            for (call, (names, id, args)) in calls.iter().zip(expected_tools) {
                let ToolCall::Function(call) = call else {
                    panic!("{name}: expected a function call, got {call:?}");
                };
                // OpenAI sends the name once; whatever the server repeats,
                // the folded name is the first one, never a concatenation.
                assert!(
                    names.iter().all(|n| n == &names[0]),
                    "{name}: names {names:?}"
                );
                assert_eq!(call.function.name, names[0], "{name}: tool name");
                assert_eq!(&call.id, id, "{name}: tool call id");
                assert_eq!(&call.function.arguments, args, "{name}: arguments");
                assert!(
                    serde_json::from_str::<Value>(&call.function.arguments).is_ok(),
                    "{name}: folded arguments are JSON: {}",
                    call.function.arguments
                );
            }
        }

        let usage = e
            .usage
            .map(|u| serde_json::from_value::<CompletionUsage>(u).expect("usage decodes"));
        seen.usage += usize::from(usage.is_some());
        assert_eq!(
            out.usage, usage,
            "{name}: usage from the last chunk carrying it"
        );

        // The fold is a well-formed completion: it survives a JSON round trip.
        let json = serde_json::to_string(&out).expect("serializes");
        let back: CreateChatCompletionResponse = serde_json::from_str(&json).expect("decodes");
        assert_eq!(back, out, "{name}: round trip");
    }
    // The corpus exercises what is claimed here; otherwise the test proves little.
    assert!(seen.tool_calls >= 5, "{seen:?}");
    assert!(seen.parallel >= 3, "{seen:?}");
    assert!(seen.multi_choice >= 1, "{seen:?}");
    assert!(seen.usage >= 3, "{seen:?}");
    assert!(seen.logprobs >= 1, "{seen:?}");
    assert!(seen.audio >= 1, "{seen:?}");
}

#[test]
fn n2_stream_keeps_both_choices_apart() {
    let name = "otelcontrib__n2_choices_stream.sse";
    let text = fixture(name);
    let out = fold(&data_events(name, &text));
    assert_eq!(out.choices.len(), 2);
    let a = out.choices[0]
        .message
        .content
        .as_deref()
        .unwrap_or_default();
    let b = out.choices[1]
        .message
        .content
        .as_deref()
        .unwrap_or_default();
    assert!(!a.is_empty() && !b.is_empty() && a != b, "{a:?} / {b:?}");
}

/// A llama-cpp-python-style stream: `id`, `type` and `function.name` in every
/// delta, a legacy `function_call` beside `tool_calls`, `content: ""`, no
/// usage chunk, and one choice although `n: 2` was asked for.
fn llama_cpp_python_stream() -> String {
    let mut out = String::new();
    let pieces = ["{\"location\": ", "\"Paris\"", "}"];
    for args in pieces {
        let chunk = json!({
            "id": "chatcmpl-llama", "object": "chat.completion.chunk", "created": 1700000000,
            "model": "qwen2.5-0.5b",
            "choices": [{"index": 0, "logprobs": null, "finish_reason": null, "delta": {
                "role": "assistant", "content": "",
                "function_call": {"name": "get_weather", "arguments": args},
                "tool_calls": [{"index": 0, "id": "call__0_get_weather_cmpl-1", "type": "function",
                                "function": {"name": "get_weather", "arguments": args}}]
            }}]
        });
        out.push_str(&format!("data: {chunk}\n\n"));
    }
    let last = json!({
        "id": "chatcmpl-llama", "object": "chat.completion.chunk", "created": 1700000000,
        "model": "qwen2.5-0.5b",
        "choices": [{"index": 0, "delta": {}, "logprobs": null, "finish_reason": "tool_calls"}]
    });
    out.push_str(&format!("data: {last}\n\ndata: [DONE]\n\n"));
    out
}

// ------------------------------------------------------ loopback server

/// Serves one request on 127.0.0.1 with `body` as a `text/event-stream`
/// response, written in a few pieces so events are split across reads.
/// Returns the base URL and a receiver for the request body.
async fn serve_once(body: String) -> (String, tokio::sync::oneshot::Receiver<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let request_body = loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if buf.len() >= end + 4 + length {
                    break buf[end + 4..end + 4 + length].to_vec();
                }
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let _ = tx.send(request_body);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: {}\r\nx-request-id: req_acc\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = socket.write_all(head.as_bytes()).await;
        for piece in body.as_bytes().chunks(body.len().div_ceil(3).max(1)) {
            if socket.write_all(piece).await.is_err() || socket.flush().await.is_err() {
                return;
            }
            tokio::task::yield_now().await;
        }
        let _ = socket.shutdown().await;
    });
    (format!("http://{addr}/v1"), rx)
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .max_retries(0)
        .build()
        .expect("client")
}

fn request() -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: "gpt-4o".into(),
        messages: vec![ChatCompletionRequestMessage::user(
            "What is the weather in Paris?",
        )],
        n: Some(2),
        ..Default::default()
    }
}

/// Streams `body` through the generated endpoint and returns the chunks read
/// and the stream's final completion.
async fn stream_through_server(
    body: String,
) -> (
    Vec<CreateChatCompletionStreamResponse>,
    chat_api::Result<CreateChatCompletionResponse>,
) {
    let (base_url, request_body) = serve_once(body).await;
    let mut stream = client(&base_url)
        .create_chat_completion_stream(&request())
        .await
        .expect("stream starts");
    let mut chunks = Vec::new();
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(chunk) => chunks.push(chunk),
            Err(_) => break,
        }
    }
    let sent: Value = serde_json::from_slice(&request_body.await.expect("request seen"))
        .expect("request body is JSON");
    assert_eq!(sent["stream"], json!(true));
    (chunks, stream.final_completion())
}

#[tokio::test]
async fn final_completion_matches_the_offline_fold_for_every_recorded_stream() {
    for (name, text) in recorded_streams() {
        let events = data_events(&name, &text);
        let offline = fold(&events);
        let (chunks, completion) = stream_through_server(text).await;
        assert_eq!(chunks.len(), events.len(), "{name}: every chunk read");
        let completion = completion.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(completion, offline, "{name}");
    }
}

#[tokio::test]
async fn llama_cpp_python_stream_through_the_server() {
    let (chunks, completion) = stream_through_server(llama_cpp_python_stream()).await;
    assert_eq!(chunks.len(), 4);
    let completion = completion.expect("complete stream");
    assert_eq!(completion.id, "chatcmpl-llama");
    assert_eq!(
        completion.usage, None,
        "llama-cpp-python sends no usage chunk"
    );
    assert_eq!(completion.choices.len(), 1, "one choice although n = 2");
    let choice = &completion.choices[0];
    assert_eq!(choice.finish_reason, Some(FinishReason::ToolCalls));
    assert_eq!(choice.message.content.as_deref(), Some(""));
    let calls = choice.message.tool_calls.as_deref().expect("tool calls");
    let [ToolCall::Function(call)] = calls else {
        panic!("expected one function call, got {calls:?}");
    };
    assert_eq!(call.id, "call__0_get_weather_cmpl-1");
    assert_eq!(call.function.name, "get_weather");
    assert_eq!(call.function.arguments, r#"{"location": "Paris"}"#);
    #[allow(deprecated)] // the legacy field llama-cpp-python still fills
    let legacy = choice
        .message
        .function_call
        .as_ref()
        .expect("function_call");
    #[allow(deprecated)]
    let (legacy_name, legacy_args) = (&legacy.name, &legacy.arguments);
    assert_eq!(legacy_name, "get_weather");
    assert_eq!(legacy_args, r#"{"location": "Paris"}"#);
}

#[tokio::test]
async fn final_completion_reports_an_error_sent_inside_the_stream() {
    let body = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n\
                data: {\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\"}}\n\n";
    let (chunks, completion) = stream_through_server(body.to_owned()).await;
    assert_eq!(chunks.len(), 1);
    match completion {
        Err(Error::Api(e)) => {
            assert_eq!(e.message, "The server had an error");
            assert_eq!(e.request_id.as_deref(), Some("req_acc"));
        }
        other => panic!("expected the in-stream API error, got {other:?}"),
    }
}

#[tokio::test]
async fn final_completion_before_the_stream_ends_is_an_error() {
    let (base_url, _request) = serve_once(llama_cpp_python_stream()).await;
    let mut stream = client(&base_url)
        .create_chat_completion_stream(&request())
        .await
        .expect("stream starts");
    let first = stream.next().await.expect("a chunk").expect("decodes");
    assert_eq!(first.id, "chatcmpl-llama");
    let partial = stream.current_completion().expect("one chunk folded");
    assert_eq!(partial.choices.len(), 1);
    assert!(matches!(
        stream.final_completion(),
        Err(Error::Stream { .. })
    ));
}
