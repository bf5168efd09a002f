//! A local scripted chat-completions server for the integration tests.
//!
//! It listens on 127.0.0.1:0 only, serves one request per connection
//! (`connection: close`), accepts a bounded number of connections, and keeps
//! every request body, so tests assert on what the client sent, never on
//! timing. (`client_runtime.rs` has its own, fault-injecting server.)

// Each test target uses a part of this module.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chat_api::Client;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const MAX_CONNECTIONS: usize = 16;
const MAX_HEAD: usize = 64 * 1024;

/// What the server answers one request with.
pub enum Reply {
    /// A JSON body with this status.
    Json(u16, Value),
    /// An event stream, each string one HTTP chunk, written apart from the others.
    Sse(Vec<String>),
    /// A JSON body with this status and these extra response headers.
    WithHeaders(u16, Vec<(&'static str, String)>, Value),
}

impl From<Value> for Reply {
    fn from(body: Value) -> Self {
        Reply::Json(200, body)
    }
}

type Script = dyn Fn(usize, &Value) -> Reply + Send + Sync;

/// What the server received: the request line's target, the headers
/// (names lower-cased) and the JSON body (parsed, and as sent).
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    /// Path and query, as sent (`/openai/deployments/d/chat/completions?api-version=…`).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    /// The body's text as it came over the wire (key order included).
    pub text: String,
}

impl Received {
    /// The value of header `name` (lower case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Server {
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Answers request `n` (0-based) with `script(n)`.
    pub async fn start<R: Into<Reply>>(
        script: impl Fn(usize) -> R + Send + Sync + 'static,
    ) -> Server {
        Self::start_with_body(move |n, _| script(n)).await
    }

    /// Answers request `n` (0-based), whose JSON body is `body`, with
    /// `script(n, body)`: a server that checks what it is sent.
    pub async fn start_with_body<R: Into<Reply>>(
        script: impl Fn(usize, &Value) -> R + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&received);
        let script: Arc<Script> = Arc::new(move |n, body| script(n, body).into());
        let accept = tokio::spawn(async move {
            for _ in 0..MAX_CONNECTIONS {
                let Ok((socket, _)) = listener.accept().await else {
                    return;
                };
                let recorded = Arc::clone(&recorded);
                let script = Arc::clone(&script);
                tokio::spawn(async move {
                    let _ = serve_one(socket, &recorded, script.as_ref()).await;
                });
            }
        });
        Server {
            base_url: format!("http://{addr}/v1"),
            received,
            accept,
        }
    }

    /// A client for this server, without retries.
    pub fn client(&self) -> Client {
        Client::builder()
            .base_url(&self.base_url)
            .max_retries(0)
            .build()
            .expect("client")
    }

    /// The JSON bodies received so far (`null` for none).
    pub fn bodies(&self) -> Vec<Value> {
        self.received().into_iter().map(|r| r.body).collect()
    }

    /// The requests received so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The server's origin (`http://127.0.0.1:port`), without `/v1`.
    pub fn origin(&self) -> &str {
        self.base_url.trim_end_matches("/v1")
    }

    /// How many requests reached the server.
    pub fn request_count(&self) -> usize {
        self.received.lock().unwrap().len()
    }

    /// Stops listening, so a request that reaches the network fails from
    /// now on; returns the base URL it had.
    pub async fn stop(self) -> String {
        self.accept.abort();
        let _ = self.accept.await;
        self.base_url
    }
}

async fn serve_one(
    mut socket: TcpStream,
    recorded: &Mutex<Vec<Received>>,
    script: &Script,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = socket.read(&mut chunk).await?;
        if n == 0 || buf.len() > MAX_HEAD {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let raw_head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let head = raw_head.to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
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
    let mut lines = raw_head.lines();
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let received = Received {
        method: request_line.next().unwrap_or_default().to_owned(),
        target: request_line.next().unwrap_or_default().to_owned(),
        headers: lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(&body).into_owned(),
    };
    let body = received.body.clone();
    let n = {
        let mut all = recorded.lock().unwrap();
        all.push(received);
        all.len() - 1
    };
    let (status, headers, value) = match script(n, &body) {
        Reply::Json(status, value) => (status, Vec::new(), value),
        Reply::WithHeaders(status, headers, value) => (status, headers, value),
        Reply::Sse(chunks) => return write_sse(&mut socket, chunks).await,
    };
    let body = value.to_string();
    let extra: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    // The cookie stands for a response header no recording may keep.
    let out = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nx-request-id: req_{n}\r\nset-cookie: session=cookie-secret\r\n{extra}connection: close\r\n\r\n{body}",
        body.len()
    );
    socket.write_all(out.as_bytes()).await?;
    socket.shutdown().await
}

async fn write_sse(socket: &mut TcpStream, chunks: Vec<String>) -> std::io::Result<()> {
    socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nx-request-id: req_stream\r\nx-ratelimit-remaining-requests: 41\r\nconnection: close\r\n\r\n")
        .await?;
    for chunk in chunks {
        socket
            .write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes())
            .await?;
        socket.flush().await?;
        // Separate reads on the client side, so boundaries are real.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    socket.write_all(b"0\r\n\r\n").await?;
    socket.shutdown().await
}

/// Guards against a hang (e.g. calls run one after the other waiting on each
/// other); it is not a timing assertion.
pub async fn within<F: std::future::Future>(future: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(30), future)
        .await
        .expect("the run finished")
}

/// A completion whose first choice calls `calls` (id, name, arguments).
pub fn tool_calls(calls: &[(&str, &str, &str)]) -> Value {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(id, name, arguments)| {
            json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments}})
        })
        .collect();
    json!({
        "id": "chatcmpl-tools", "object": "chat.completion", "created": 0, "model": "test",
        "choices": [{"index": 0, "finish_reason": "tool_calls",
            "message": {"role": "assistant", "content": null, "refusal": null, "tool_calls": calls}}]
    })
}

/// A completion whose first choice answers `text`.
pub fn answer(text: &str) -> Value {
    json!({
        "id": "chatcmpl-answer", "object": "chat.completion", "created": 0, "model": "test",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": text, "refusal": null}}]
    })
}
