//! Talk to an OpenAI-compatible server on your machine (llama.cpp's
//! `llama-server`, vLLM, Ollama, …), sending sampling fields the OpenAI
//! spec does not have through `extra_body`.
//!
//! ```sh
//! llama-server -m model.gguf --port 8080 &
//! OPENAI_BASE_URL=http://127.0.0.1:8080/v1 cargo run -p chat-api --example local_server
//! ```
//!
//! `OPENAI_API_KEY` is sent when set; most local servers need none.

mod common;

use std::process::ExitCode;

use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use chat_api::{ClientBuilder, RequestOptions};
use serde_json::json;

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::var_os("OPENAI_BASE_URL").is_none() {
        eprintln!(
            "error: OPENAI_BASE_URL is not set; point it at your server, \
             e.g. OPENAI_BASE_URL=http://127.0.0.1:8080/v1"
        );
        return ExitCode::FAILURE;
    }
    common::exit_code(run().await)
}

async fn run() -> chat_api::Result<()> {
    // Unlike `Client::from_env`, the builder takes a missing key as "send none".
    let client = ClientBuilder::from_env()
        // A local server is up or it is not: fail fast instead of retrying.
        .max_retries(0)
        .build()?;
    println!("server: {}", client.base_url());
    let client = client.with_options(
        RequestOptions::new().extra_body(json!({"top_k": 20, "repeat_penalty": 1.1})),
    );
    let request = CreateChatCompletionRequest {
        temperature: Some(0.7),
        ..CreateChatCompletionRequest::new(
            common::model(),
            [ChatCompletionRequestMessage::user(
                "Name three rivers in Europe.",
            )],
        )
    };
    let completion = client.create_chat_completion(&request).await?;
    let answer = completion.content().unwrap_or("(no text in the answer)");
    println!("{}: {answer}", completion.model);
    Ok(())
}
