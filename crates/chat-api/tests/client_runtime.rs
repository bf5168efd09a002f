//! The client runtime against a local fault-injecting HTTP/1.1 server.
//!
//! The server listens on 127.0.0.1:0 only, serves one request per connection
//! (`connection: close`), accepts a bounded number of connections, and
//! records every request so tests assert on attempts rather than on timing.

mod recorded;

use recorded::{fixture, recorded_streams};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chat_api::__private::{Call, CursorQuery, Method, Page};
use chat_api::sse::EventStream;
use chat_api::{Client, Error, RequestOptions};
use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAX_CONNECTIONS: usize = 32;
const MAX_HEAD: usize = 64 * 1024;
const HANG: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
struct Recorded {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    at: Instant,
}

impl Recorded {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("request body is JSON")
    }
}

enum SseEnd {
    /// Terminate the chunked body properly.
    Finish,
    /// Close the socket in the middle of the chunked body.
    Drop,
    /// Keep the connection open without sending anything more.
    Hang,
}

enum Reply {
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    Sse {
        chunks: Vec<String>,
        end: SseEnd,
    },
    /// An endless SSE stream (bounded to 1000 events, 10 ms apart); sets the
    /// flag once a write fails because the client went away.
    SseForever(Arc<std::sync::atomic::AtomicBool>),
    /// Read the request, never answer.
    Hang,
    /// Read the request, close the connection without answering.
    Close,
}

fn sse(chunks: &[&str], end: SseEnd) -> Reply {
    Reply::Sse {
        chunks: chunks.iter().map(|c| (*c).to_owned()).collect(),
        end,
    }
}

fn json_reply(status: u16, body: Value) -> Reply {
    Reply::Full {
        status,
        headers: vec![],
        body: body.to_string(),
    }
}

fn reply_with(status: u16, headers: &[(&'static str, &str)], body: Value) -> Reply {
    Reply::Full {
        status,
        headers: headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect(),
        body: body.to_string(),
    }
}

struct Server {
    base_url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    /// Starts a server whose `handler` gets the 0-based attempt number and the request.
    async fn start<H>(handler: H) -> Server
    where
        H: Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let handler = Arc::new(handler);
        let recorded = Arc::clone(&requests);
        tokio::spawn(async move {
            for _ in 0..MAX_CONNECTIONS {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let handler = Arc::clone(&handler);
                let recorded = Arc::clone(&recorded);
                tokio::spawn(async move {
                    let _ = serve_one(socket, handler.as_ref(), &recorded).await;
                });
            }
        });
        Server {
            base_url: format!("http://{addr}/v1"),
            requests,
        }
    }

    fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }

    fn client(&self) -> chat_api::ClientBuilder {
        Client::builder()
            .base_url(&self.base_url)
            .api_key("sk-test-key")
    }
}

async fn serve_one<H>(
    mut socket: TcpStream,
    handler: &H,
    recorded: &Mutex<Vec<Recorded>>,
) -> std::io::Result<()>
where
    H: Fn(usize, &Recorded) -> Reply,
{
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > MAX_HEAD {
            return Ok(());
        }
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let target = request_line.next().unwrap_or_default().to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length.min(1 << 20) {
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let request = Recorded {
        method,
        target,
        headers,
        body,
        at: Instant::now(),
    };
    let attempt = {
        let mut all = recorded.lock().unwrap();
        all.push(request.clone());
        all.len() - 1
    };
    match handler(attempt, &request) {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            out.push_str(&body);
            socket.write_all(out.as_bytes()).await?;
            socket.shutdown().await?;
        }
        Reply::Sse { chunks, end } => {
            socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nx-request-id: req_stream\r\nconnection: close\r\n\r\n")
                .await?;
            for chunk in chunks {
                socket
                    .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
                    .await?;
                socket.flush().await?;
                // Let the client see separate reads, so chunk boundaries are real.
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            match end {
                SseEnd::Finish => {
                    socket.write_all(b"0\r\n\r\n").await?;
                    socket.shutdown().await?;
                }
                SseEnd::Drop => drop(socket),
                SseEnd::Hang => tokio::time::sleep(HANG).await,
            }
        }
        Reply::SseForever(disconnected) => {
            socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
                .await?;
            for n in 0..1000 {
                let event = format!("data: {{\"n\":{n}}}\n\n");
                let written = socket
                    .write_all(format!("{:x}\r\n{event}\r\n", event.len()).as_bytes())
                    .await;
                if written.is_err() || socket.flush().await.is_err() {
                    disconnected.store(true, std::sync::atomic::Ordering::SeqCst);
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
        Reply::Hang => tokio::time::sleep(HANG).await,
        Reply::Close => drop(socket),
    }
    Ok(())
}

fn post(path: &str, body: Value) -> Call {
    Call::new(Method::POST, path.to_owned()).json(&body)
}

fn api_error(err: &Error) -> &chat_api::ApiError {
    err.as_api_error()
        .unwrap_or_else(|| panic!("expected an API error, got {err:?}"))
}

// ---------------------------------------------------------------- retries

#[tokio::test]
async fn retries_500_with_backoff_then_succeeds() {
    let server = Server::start(|attempt, _| match attempt {
        0 | 1 => json_reply(
            500,
            json!({"error": {"message": "boom", "type": "server_error"}}),
        ),
        _ => json_reply(200, json!({"ok": true})),
    })
    .await;
    let client = server.client().build().unwrap();
    let out: Value = client
        .execute(post("/chat/completions", json!({"model": "m"})))
        .await
        .unwrap();
    assert_eq!(out, json!({"ok": true}));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "two retries, then success");
    // The same prepared body every time.
    assert!(
        reqs.iter()
            .all(|r| r.body == reqs[0].body && r.method == "POST")
    );
    // Default backoff waits at least 0.5 s × 0.75 before the first retry and 1 s × 0.75 before the second.
    assert!(reqs[1].at - reqs[0].at >= Duration::from_millis(375));
    assert!(reqs[2].at - reqs[1].at >= Duration::from_millis(750));
}

#[tokio::test]
async fn retry_after_is_honoured_on_429() {
    let server = Server::start(|attempt, _| match attempt {
        0 => reply_with(
            429,
            &[("retry-after", "1")],
            json!({"error": {"message": "slow down", "code": "rate_limit_exceeded"}}),
        ),
        _ => json_reply(200, json!({"ok": true})),
    })
    .await;
    let client = server.client().build().unwrap();
    let _: Value = client
        .execute(post("/chat/completions", json!({})))
        .await
        .unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    // Backoff alone would have waited at most 0.5 s.
    assert!(
        reqs[1].at - reqs[0].at >= Duration::from_secs(1),
        "waited {:?}",
        reqs[1].at - reqs[0].at
    );
}

#[tokio::test]
async fn retry_after_beyond_the_cap_returns_the_error_at_once() {
    let server = Server::start(|_, _| {
        reply_with(
            429,
            &[
                ("retry-after", "3600"),
                ("x-ratelimit-remaining-requests", "0"),
            ],
            json!({"error": {"message": "quota"}}),
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let err = client
        .execute::<Value>(post("/chat/completions", json!({})))
        .await
        .unwrap_err();
    let api = api_error(&err);
    assert_eq!(api.status, 429);
    assert_eq!(
        api.headers.get("x-ratelimit-remaining-requests").unwrap(),
        "0"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn no_retry_on_400_and_error_fields_are_parsed() {
    let server = Server::start(|_, _| {
        reply_with(
            400,
            &[("x-request-id", "req_abc")],
            json!({"error": {"message": "Invalid 'messages'", "type": "invalid_request_error", "param": "messages", "code": "invalid_value"}}),
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let err = client
        .execute::<Value>(post("/chat/completions", json!({})))
        .await
        .unwrap_err();
    assert_eq!(server.requests().len(), 1);
    assert_eq!(err.status(), Some(http::StatusCode::BAD_REQUEST));
    assert_eq!(err.request_id(), Some("req_abc"));
    assert!(!err.is_retryable());
    let api = api_error(&err);
    assert_eq!(api.message, "Invalid 'messages'");
    assert_eq!(api.r#type.as_deref(), Some("invalid_request_error"));
    assert_eq!(api.param.as_deref(), Some("messages"));
    assert_eq!(api.code.as_deref(), Some("invalid_value"));
}

#[tokio::test]
async fn x_should_retry_overrides_status() {
    let server = Server::start(|attempt, _| match attempt {
        0 => reply_with(
            500,
            &[("x-should-retry", "false")],
            json!({"error": {"message": "no"}}),
        ),
        _ => json_reply(200, json!({})),
    })
    .await;
    let client = server.client().build().unwrap();
    assert!(
        client
            .execute::<Value>(post("/x", json!({})))
            .await
            .is_err()
    );
    assert_eq!(server.requests().len(), 1);

    let server = Server::start(|attempt, _| match attempt {
        0 => reply_with(
            400,
            &[("x-should-retry", "true"), ("retry-after-ms", "0")],
            json!({"error": {"message": "again"}}),
        ),
        _ => json_reply(200, json!({"ok": 1})),
    })
    .await;
    let client = server.client().build().unwrap();
    assert_eq!(
        client
            .execute::<Value>(post("/x", json!({})))
            .await
            .unwrap(),
        json!({"ok": 1})
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn retries_are_bounded_by_max_retries_per_request() {
    let server = Server::start(|_, _| {
        reply_with(
            503,
            &[("retry-after-ms", "0")],
            json!({"error": {"message": "busy"}}),
        )
    })
    .await;
    let client = server.client().max_retries(1).build().unwrap();
    let err = client
        .with_options(RequestOptions::new().max_retries(3))
        .execute::<Value>(post("/x", json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::SERVICE_UNAVAILABLE));
    assert_eq!(
        server.requests().len(),
        4,
        "1 attempt + 3 retries from the request options"
    );

    let before = server.requests().len();
    let _ = client
        .with_options(RequestOptions::new().max_retries(0))
        .execute::<Value>(post("/x", json!({})))
        .await;
    assert_eq!(server.requests().len() - before, 1);
}

#[tokio::test]
async fn steady_style_string_error_falls_back_to_the_string() {
    let server = Server::start(|_, _| {
        json_reply(
            400,
            json!({"error": "Validation failed", "details": [{"path": "$.model"}]}),
        )
    })
    .await;
    let err = server
        .client()
        .build()
        .unwrap()
        .execute::<Value>(post("/x", json!({})))
        .await
        .unwrap_err();
    let api = api_error(&err);
    assert_eq!(api.message, "Validation failed");
    assert!(api.body.contains("$.model"));
}

// ------------------------------------------------------ timeouts, connections

#[tokio::test]
async fn timeout_maps_to_timeout_and_is_retried() {
    let server = Server::start(|_, _| Reply::Hang).await;
    let client = server
        .client()
        .timeout(Duration::from_millis(200))
        .max_retries(1)
        .build()
        .unwrap();
    let err = client
        .execute::<Value>(post("/x", json!({})))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(server.requests().len(), 2, "a timed-out attempt is retried");
}

#[tokio::test]
async fn connection_closed_before_answer_is_retried_transparently() {
    // llama-server closes connections after a stream; the next request on it fails.
    let server = Server::start(|attempt, _| match attempt {
        0 => Reply::Close,
        _ => json_reply(200, json!({"ok": true})),
    })
    .await;
    let out: Value = server
        .client()
        .build()
        .unwrap()
        .execute(post("/x", json!({})))
        .await
        .unwrap();
    assert_eq!(out, json!({"ok": true}));
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn connection_refused_is_a_connection_error() {
    let addr = {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        listener.local_addr().unwrap()
    }; // closed again: nothing listens there now
    let client = Client::builder()
        .base_url(format!("http://{addr}/v1"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client
        .execute::<Value>(post("/x", json!({})))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert!(err.is_retryable());
}

// ------------------------------------------------------------ request shape

#[tokio::test]
async fn headers_auth_org_project_and_options_are_sent() {
    let server = Server::start(|_, _| json_reply(200, json!({}))).await;
    let client = server
        .client()
        .organization("org-1")
        .project("proj-1")
        .default_header("x-default", "d")
        .build()
        .unwrap()
        .with_options(
            RequestOptions::new()
                .extra_body(
                    json!({"top_k": 20, "chat_template_kwargs": {"enable_thinking": false}}),
                )
                .query("api-version", "1")
                .header("x-default", "overridden")
                .header("x-extra", "e"),
        );
    let _: Value = client
        .execute(post("/chat/completions", json!({"model": "m", "top_k": 1})))
        .await
        .unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.target, "/v1/chat/completions?api-version=1");
    assert_eq!(
        req.json(),
        json!({"model": "m", "top_k": 20, "chat_template_kwargs": {"enable_thinking": false}})
    );
    assert_eq!(req.header("authorization"), Some("Bearer sk-test-key"));
    assert_eq!(req.header("openai-organization"), Some("org-1"));
    assert_eq!(req.header("openai-project"), Some("proj-1"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.header("accept"), Some("application/json"));
    assert_eq!(req.header("x-default"), Some("overridden"));
    assert_eq!(req.header("x-extra"), Some("e"));
}

#[tokio::test]
async fn no_api_key_means_no_authorization_header() {
    let server = Server::start(|_, _| json_reply(200, json!({}))).await;
    let client = Client::builder()
        .base_url(&server.base_url)
        .build()
        .unwrap();
    client
        .execute_unit(Call::new(Method::DELETE, "/chat/completions/a%2Fb".into()))
        .await
        .unwrap();
    let req = &server.requests()[0];
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.method, "DELETE");
    assert_eq!(req.target, "/v1/chat/completions/a%2Fb");
    assert_eq!(req.header("content-type"), None, "no body, no content type");
}

#[tokio::test]
async fn query_uses_openai_bracket_style() {
    let server = Server::start(|_, _| json_reply(200, json!({}))).await;
    let call = Call::new(Method::GET, "/chat/completions".into())
        .query(&json!({"limit": 2, "after": null, "metadata": {"user": "u 1"}, "order": "asc"}));
    let _: Value = server
        .client()
        .build()
        .unwrap()
        .execute(call)
        .await
        .unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/v1/chat/completions?limit=2&metadata%5Buser%5D=u%201&order=asc"
    );
}

#[tokio::test]
async fn response_exposes_request_id_and_headers() {
    let server = Server::start(|_, _| {
        reply_with(
            200,
            &[("x-request-id", "req_ok"), ("openai-processing-ms", "12")],
            json!({"id": "x"}),
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let response = client.get::<Value>("/models?limit=1").await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.request_id(), Some("req_ok"));
    assert_eq!(
        response.headers().get("openai-processing-ms").unwrap(),
        "12"
    );
    assert_eq!(response.body(), &json!({"id": "x"}));
    assert_eq!(server.requests()[0].target, "/v1/models?limit=1");

    let raw = client
        .send_raw(Method::POST, "/files", Some(&json!({"a": 1})))
        .await
        .unwrap();
    assert_eq!(raw.headers().get("x-request-id").unwrap(), "req_ok");
    assert_eq!(raw.text().await.unwrap(), r#"{"id":"x"}"#);
}

#[tokio::test]
async fn decode_error_names_the_field() {
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Completion {
        id: String,
        choices: Vec<Choice>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Choice {
        index: u32,
    }
    let server =
        Server::start(|_, _| json_reply(200, json!({"id": "c", "choices": [{"index": "zero"}]})))
            .await;
    let err = server
        .client()
        .build()
        .unwrap()
        .execute::<Completion>(post("/x", json!({})))
        .await
        .unwrap_err();
    match err {
        Error::Decode { path, snippet, .. } => {
            assert_eq!(path, "choices[0].index");
            assert!(snippet.contains("zero"), "{snippet}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1, "decode errors are not retried");
}

#[tokio::test]
async fn serialization_error_is_returned_without_sending() {
    let server = Server::start(|_, _| json_reply(200, json!({}))).await;
    let mut bad = std::collections::HashMap::new();
    bad.insert((1, 2), 3);
    let err = server
        .client()
        .build()
        .unwrap()
        .execute::<Value>(Call::new(Method::POST, "/x".into()).json(&bad))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------- streaming

#[tokio::test]
async fn stream_yields_chunks_until_done() {
    let server = Server::start(|_, _| {
        sse(
            &[
                ": keepalive\n\n",
                "data: {\"n\":",
                "1}\r\n\r\ndata: {\"n\":2}\n",
                "\ndata: [DONE]\n\n",
                // Steady's trailer, then something that must never be read.
                "event: done\ndata: {}\n\n",
                "data: {\"n\":3}\n\n",
            ],
            SseEnd::Finish,
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let mut stream = client
        .execute_stream::<EventStream<Value>>(post("/chat/completions", json!({"model": "m"})))
        .await
        .unwrap();
    assert_eq!(stream.request_id(), Some("req_stream"));
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item.unwrap());
    }
    assert_eq!(items, vec![json!({"n": 1}), json!({"n": 2})]);

    let req = &server.requests()[0];
    assert_eq!(req.header("accept"), Some("text/event-stream"));
    assert_eq!(req.json(), json!({"model": "m", "stream": true}));
}

#[tokio::test]
async fn in_stream_error_event_is_an_api_error() {
    let server = Server::start(|_, _| sse(&[
            "data: {\"n\":1}\n\n",
            "event: error\ndata: {\"error\": {\"message\": \"The server had an error\", \"type\": \"server_error\"}}\n\n",
            "data: {\"n\":2}\n\n",
        ], SseEnd::Finish))
    .await;
    let client = server.client().build().unwrap();
    let stream = client
        .execute_stream::<EventStream<Value>>(post("/chat/completions", json!({})))
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2, "the error ends the stream: {items:?}");
    assert_eq!(items[0].as_ref().unwrap(), &json!({"n": 1}));
    let err = items[1].as_ref().unwrap_err();
    let api = api_error(err);
    assert_eq!(api.message, "The server had an error");
    assert_eq!(api.r#type.as_deref(), Some("server_error"));
    assert_eq!(api.request_id.as_deref(), Some("req_stream"));
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn connection_drop_mid_stream_is_a_stream_error() {
    let server =
        Server::start(|_, _| sse(&["data: {\"n\":1}\n\n", "data: {\"n\""], SseEnd::Drop)).await;
    let client = server.client().build().unwrap();
    let stream = client
        .execute_stream::<EventStream<Value>>(post("/chat/completions", json!({})))
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().unwrap(), &json!({"n": 1}));
    assert!(
        matches!(items[1], Err(Error::Stream { .. })),
        "{:?}",
        items[1]
    );
    assert_eq!(
        server.requests().len(),
        1,
        "a half-read stream is never retried"
    );
}

#[tokio::test]
async fn silent_stream_stalls_after_the_idle_timeout_not_the_request_timeout() {
    let server = Server::start(|_, _| sse(&["data: {\"n\":1}\n\n"], SseEnd::Hang)).await;
    let client = server
        .client()
        .timeout(Duration::from_secs(20))
        .stream_idle_timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let stream = client
        .execute_stream::<EventStream<Value>>(post("/chat/completions", json!({})))
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok());
    assert!(
        matches!(items[1], Err(Error::Stalled { idle, partial: None }) if idle == Duration::from_millis(300)),
        "{:?}",
        items[1]
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn stream_request_with_error_status_fails_at_the_call() {
    let server = Server::start(|_, _| {
        json_reply(
            401,
            json!({"error": {"message": "Incorrect API key provided", "code": "invalid_api_key"}}),
        )
    })
    .await;
    let client = server.client().build().unwrap();
    let err = client
        .execute_stream::<EventStream<Value>>(post("/chat/completions", json!({})))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert_eq!(api_error(&err).code.as_deref(), Some("invalid_api_key"));
    assert!(
        !format!("{err} {err:?}").contains("sk-test-key"),
        "the key never shows up in errors"
    );
}

#[tokio::test]
async fn stream_is_retried_before_the_headers_arrive() {
    let server = Server::start(|attempt, _| match attempt {
        0 => reply_with(
            503,
            &[("retry-after-ms", "0")],
            json!({"error": {"message": "busy"}}),
        ),
        _ => sse(&["data: {\"n\":1}\n\ndata: [DONE]\n\n"], SseEnd::Finish),
    })
    .await;
    let client = server.client().build().unwrap();
    let stream = client
        .execute_stream::<EventStream<Value>>(post("/chat/completions", json!({})))
        .await
        .unwrap();
    let items: Vec<Value> = stream.map(|r| r.unwrap()).collect().await;
    assert_eq!(items, vec![json!({"n": 1})]);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let disconnected = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = Arc::clone(&disconnected);
    let server = Server::start(move |_, _| Reply::SseForever(Arc::clone(&flag))).await;
    let client = server.client().build().unwrap();
    let mut stream = client
        .execute_stream::<EventStream<Value>>(post("/chat/completions", json!({})))
        .await
        .unwrap();
    assert_eq!(stream.next().await.unwrap().unwrap(), json!({"n": 0}));
    drop(stream);
    // Left alone the server would write for 10 s; after the drop its writes
    // must start failing. Bounded wait, asserting the outcome, not the timing.
    for _ in 0..500 {
        if disconnected.load(std::sync::atomic::Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(
        disconnected.load(std::sync::atomic::Ordering::SeqCst),
        "the server never noticed the client leaving"
    );
}

// --------------------------------------------------------------- pagination

#[derive(Clone, serde::Serialize)]
struct ListQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    after: Option<String>,
    limit: u32,
    metadata: std::collections::BTreeMap<String, String>,
}

impl CursorQuery for ListQuery {
    fn set_cursor(&mut self, cursor: String) {
        self.after = Some(cursor);
    }
}

#[derive(serde::Deserialize)]
struct ListPage {
    data: Vec<Item>,
    has_more: bool,
    last_id: Option<String>,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Item {
    id: String,
}

impl Page for ListPage {
    type Item = Item;
    fn into_parts(self) -> (Vec<Item>, bool, Option<String>) {
        (self.data, self.has_more, self.last_id)
    }
}

#[tokio::test]
async fn pagination_follows_three_pages() {
    let server = Server::start(|_, req| {
        let page = |ids: &[&str], has_more: bool| {
            json_reply(200, json!({"object": "list", "data": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(), "first_id": ids[0], "last_id": ids[ids.len() - 1], "has_more": has_more}))
        };
        if req.target.contains("after=b") {
            page(&["c", "d"], true)
        } else if req.target.contains("after=d") {
            page(&["e"], false)
        } else {
            page(&["a", "b"], true)
        }
    })
    .await;
    let client = server.client().build().unwrap();
    let query = ListQuery {
        after: None,
        limit: 2,
        metadata: [("k".to_owned(), "v".to_owned())].into(),
    };
    let stream = chat_api::__private::paginate(query, |q: ListQuery| {
        let client = &client;
        async move {
            client
                .execute::<ListPage>(Call::new(Method::GET, "/chat/completions".into()).query(&q))
                .await
        }
    });
    let mut stream = std::pin::pin!(stream);
    assert!(
        server.requests().is_empty(),
        "nothing is fetched before the stream is polled"
    );

    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        ids.push(item.unwrap().id);
    }
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/v1/chat/completions?limit=2&metadata%5Bk%5D=v",
            "/v1/chat/completions?after=b&limit=2&metadata%5Bk%5D=v",
            "/v1/chat/completions?after=d&limit=2&metadata%5Bk%5D=v",
        ]
    );
}

// ------------------------------------------------------ generated types

/// Every recorded OpenAI stream, cut into odd-sized chunks, decodes into the
/// generated chunk type: no decode errors, one item per `data: {…}` event.
#[tokio::test]
async fn recorded_streams_decode_into_generated_chunks() {
    use chat_api::types::CreateChatCompletionStreamResponse;

    for (name, text) in recorded_streams() {
        let expected = text.lines().filter(|l| l.starts_with("data: {")).count();
        // 1009 bytes: splits events, lines and multi-byte characters at arbitrary places.
        let chunks: Vec<String> = text
            .as_bytes()
            .chunks(1009)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect();
        // Lossy splitting would corrupt multi-byte characters: keep only exact splits.
        let chunks = if chunks.concat() == text {
            chunks
        } else {
            vec![text.clone()]
        };
        let server = Server::start(move |_, _| Reply::Sse {
            chunks: chunks.clone(),
            end: SseEnd::Finish,
        })
        .await;
        let client = server.client().build().unwrap();
        let stream = client
            .execute_stream::<EventStream<CreateChatCompletionStreamResponse>>(post(
                "/chat/completions",
                json!({"model": "m"}),
            ))
            .await
            .unwrap();
        let items: Vec<_> = stream.collect().await;
        let errors: Vec<String> = items
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert_eq!(items.len(), expected, "{name}");
        let ids: std::collections::BTreeSet<String> =
            items.into_iter().map(|r| r.unwrap().id).collect();
        assert_eq!(
            ids.len(),
            1,
            "{name}: one completion id per stream, got {ids:?}"
        );
    }
}

#[tokio::test]
async fn recorded_response_decodes_with_headers() {
    use chat_api::types::CreateChatCompletionResponse;

    let body = fixture("langchaingo__chat_gpt-3.5-turbo.json");
    let server = Server::start(move |_, _| Reply::Full {
        status: 200,
        headers: vec![("x-request-id", "req_recorded".to_owned())],
        body: body.clone(),
    })
    .await;
    let client = server.client().build().unwrap();
    let response = client
        .post::<_, CreateChatCompletionResponse>(
            "/chat/completions",
            &json!({"model": "gpt-3.5-turbo"}),
        )
        .await
        .unwrap();
    assert_eq!(response.request_id(), Some("req_recorded"));
    assert!(
        response.body().id.starts_with("chatcmpl-"),
        "{}",
        response.body().id
    );
    assert!(!response.body().choices.is_empty());
}
