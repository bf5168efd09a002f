//! Record once against a server, then replay with no server at all.
//!
//! A tiny local server stands in for the API, so the example runs offline:
//! `cargo run -p chat-api --features cassettes --example cassettes`.
//! In a real test suite the first run records against the real API (with
//! `Mode::ReplayOrRecord`, or `CHAT_API_CASSETTES=record`), the cassettes are
//! committed, and every later run replays them.

use chat_api::Client;
use chat_api::cassette::{Cassettes, Mode};
use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::temp_dir().join("chat-api-cassettes-example");
    let _ = std::fs::remove_dir_all(&dir);
    let request = CreateChatCompletionRequest {
        model: "gpt-4o-mini".into(),
        messages: vec![ChatCompletionRequestMessage::user("Say hello")],
        ..Default::default()
    };

    // 1. Record: the request goes to the server, the exchange to `dir`.
    let (base_url, server) = serve_once().await?;
    let recording = Client::builder()
        .base_url(&base_url)
        .api_key("sk-example-never-recorded")
        .cassette_config(Cassettes::new(&dir, Mode::Record).env_override(false))
        .build()?;
    let live = recording.create_chat_completion(&request).await?;
    server.await??;
    println!("recorded: {:?}", live.choices[0].message.content);

    // 2. Replay: the server is gone; the answer comes from the cassette.
    let replaying = Client::builder()
        .base_url(&base_url)
        .cassette_config(Cassettes::new(&dir, Mode::Replay).env_override(false))
        .build()?;
    let replayed = replaying.create_chat_completion(&request).await?;
    assert_eq!(replayed, live);
    println!("replayed: {:?}", replayed.choices[0].message.content);

    // 3. A request that was never recorded fails and says what differs.
    let other = CreateChatCompletionRequest {
        messages: vec![ChatCompletionRequestMessage::user("Say goodbye")],
        ..request
    };
    if let Err(miss) = replaying.create_chat_completion(&other).await {
        println!("{miss}");
    }
    for file in std::fs::read_dir(&dir)? {
        println!("cassette: {}", file?.path().display());
    }
    Ok(())
}

/// A server on 127.0.0.1 that answers one chat completion, then goes away.
async fn serve_once() -> std::io::Result<(String, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base_url = format!("http://{}/v1", listener.local_addr()?);
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await?;
        // Read the head and the body it announces.
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = socket.read(&mut buf).await?;
            seen.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&seen).to_ascii_lowercase();
            if let Some(end) = text.find("\r\n\r\n") {
                let length: usize = text
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if n == 0 || seen.len() >= end + 4 + length {
                    break;
                }
            } else if n == 0 {
                break;
            }
        }
        let body = serde_json::json!({
            "id": "chatcmpl-example", "object": "chat.completion", "created": 0, "model": "gpt-4o-mini",
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Hello!", "refusal": null}}]
        })
        .to_string();
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        socket.write_all(reply.as_bytes()).await?;
        socket.shutdown().await
    });
    Ok((base_url, server))
}
