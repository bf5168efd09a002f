//! The `tracing` feature: one span per request and per attempt, with the
//! OpenTelemetry GenAI attribute names, and nothing secret in them. A
//! capturing subscriber records every span field and event of the test's
//! thread; the server is the local scripted one (`support/`).

mod support;

use std::sync::{Arc, Mutex};

use chat_api::Client;
use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use futures::StreamExt;
use serde_json::json;
use support::{Reply, Server};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const KEY: &str = "sk-test-never-in-a-span";
const PROMPT: &str = "my secret prompt";
const ANSWER: &str = "a private answer";

#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    fields: Vec<(String, String)>,
}

impl Captured {
    fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(name, _)| name == field)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_owned(), value.to_owned()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut all = self.0.lock().unwrap();
        let mut span = Captured {
            name: attrs.metadata().name().to_owned(),
            ..Default::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        all.push(span);
        Id::from_u64(all.len() as u64)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut all = self.0.lock().unwrap();
        let index = id.into_u64() as usize - 1;
        values.record(&mut Fields(&mut all[index].fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut captured = Captured {
            name: format!("event {}", event.metadata().target()),
            ..Default::default()
        };
        event.record(&mut Fields(&mut captured.fields));
        self.0.lock().unwrap().push(captured);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

impl Capture {
    fn named(&self, name: &str) -> Vec<Captured> {
        let all = self.0.lock().unwrap();
        all.iter().filter(|s| s.name == name).cloned().collect()
    }
    fn everything(&self) -> String {
        format!("{:?}", self.0.lock().unwrap())
    }
}

fn request() -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: "gpt-4o-mini".into(),
        messages: vec![ChatCompletionRequestMessage::user(PROMPT)],
        ..Default::default()
    }
}

fn completion() -> serde_json::Value {
    json!({
        "id": "chatcmpl-42", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": ANSWER, "refusal": null}}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    })
}

fn client(server: &Server, contents: bool) -> Client {
    Client::builder()
        .base_url(&server.base_url)
        .api_key(KEY)
        .max_retries(1)
        .trace_contents(contents)
        .build()
        .unwrap()
}

// A current-thread runtime: the subscriber is the thread's default.
#[tokio::test(flavor = "current_thread")]
async fn a_request_and_its_attempts_are_spans_without_secrets() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = Server::start(|n| match n {
        0 => Reply::Json(
            500,
            json!({"error": {"message": "boom", "type": "server_error"}}),
        ),
        _ => completion().into(),
    })
    .await;
    client(&server, false)
        .create_chat_completion(&request())
        .await
        .expect("answered on the retry");

    let requests = capture.named("chat_api.request");
    assert_eq!(requests.len(), 1);
    let span = &requests[0];
    for (field, value) in [
        ("otel.name", "chat gpt-4o-mini"),
        ("otel.kind", "client"),
        ("gen_ai.operation.name", "chat"),
        ("gen_ai.provider.name", "openai"),
        ("gen_ai.request.model", "gpt-4o-mini"),
        ("gen_ai.request.stream", "false"),
        ("server.address", "127.0.0.1"),
        ("http.request.method", "POST"),
        ("http.response.status_code", "200"),
        ("chat_api.retries", "1"),
        ("gen_ai.response.id", "chatcmpl-42"),
        ("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
        ("gen_ai.response.finish_reasons", r#"["stop"]"#),
        ("gen_ai.usage.input_tokens", "11"),
        ("gen_ai.usage.output_tokens", "7"),
    ] {
        assert_eq!(span.get(field), Some(value), "{field} in {span:?}");
    }
    let attempts = capture.named("chat_api.attempt");
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].get("http.request.resend_count"), Some("0"));
    assert_eq!(attempts[0].get("http.response.status_code"), Some("500"));
    assert_eq!(attempts[0].get("error.type"), Some("server_error"));
    assert_eq!(attempts[1].get("http.request.resend_count"), Some("1"));
    assert_eq!(attempts[1].get("http.response.status_code"), Some("200"));

    let everything = capture.everything();
    assert!(!everything.contains(KEY), "the API key was recorded");
    assert!(
        !everything.contains(PROMPT),
        "a prompt was recorded without opting in"
    );
    assert!(
        !everything.contains(ANSWER),
        "an answer was recorded without opting in"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn contents_only_when_opted_in_and_never_the_key() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = Server::start(|_| completion()).await;
    client(&server, true)
        .create_chat_completion(&request())
        .await
        .expect("an answer");
    let span = &capture.named("chat_api.request")[0];
    assert!(span.get("gen_ai.input.messages").unwrap().contains(PROMPT));
    assert!(span.get("gen_ai.output.messages").unwrap().contains(ANSWER));
    assert!(!capture.everything().contains(KEY));
}

#[tokio::test(flavor = "current_thread")]
async fn a_stream_records_time_to_first_chunk_and_its_end() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let server = Server::start(|_| {
        Reply::Sse(vec![
            "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n".into(),
            "data: {\"id\":\"chatcmpl-s\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n".into(),
            "data: [DONE]\n\n".into(),
        ])
    })
    .await;
    let mut stream = client(&server, false)
        .create_chat_completion_stream(&request())
        .await
        .expect("a stream");
    while let Some(chunk) = stream.next().await {
        chunk.expect("a chunk");
    }
    let span = &capture.named("chat_api.request")[0];
    assert_eq!(span.get("gen_ai.request.stream"), Some("true"));
    let first: f64 = span
        .get("gen_ai.response.time_to_first_chunk")
        .expect("time to first chunk")
        .parse()
        .unwrap();
    assert!(first >= 0.0);
    assert_eq!(span.get("gen_ai.response.id"), Some("chatcmpl-s"));
    assert_eq!(
        span.get("gen_ai.response.finish_reasons"),
        Some(r#"["length"]"#)
    );
    assert!(!capture.everything().contains(KEY));
}
