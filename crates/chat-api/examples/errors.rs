//! Handle what can go wrong: match on the status of an API error, tell a
//! rate limit from an exhausted quota, and set how often to retry.
//!
//! It asks for a model that does not exist, so the server answers 404.
//!
//! ```sh
//! OPENAI_API_KEY=sk-... cargo run -p chat-api --example errors
//! ```

mod common;

use std::process::ExitCode;
use std::time::Duration;

use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use chat_api::{Client, Error, RequestOptions};

#[tokio::main]
async fn main() -> ExitCode {
    common::exit_code(run().await)
}

async fn run() -> chat_api::Result<()> {
    // By default a request times out after 600 s and is retried twice on
    // 408/409/429/5xx and connection failures, honouring `retry-after`.
    // `ClientBuilder::max_retries`/`timeout` change that for a client;
    // `RequestOptions` for the calls made through `with_options`.
    let client = Client::from_env()?.with_options(
        RequestOptions::new()
            .max_retries(4)
            .timeout(Duration::from_secs(30)),
    );
    let request = CreateChatCompletionRequest::new(
        "does-not-exist-model",
        [ChatCompletionRequestMessage::user("Hello?")],
    );
    match client.create_chat_completion(&request).await {
        Ok(completion) => println!("unexpectedly answered by {}", completion.model),
        Err(Error::Api(api)) => match api.status.as_u16() {
            // A 401 means the key is wrong: a configuration problem, not
            // something to handle here.
            401 | 403 => return Err(Error::Api(api)),
            404 => println!(
                "no such model: {} (code {}, request id {})",
                api.message,
                api.code.as_deref().unwrap_or("none"),
                api.request_id.as_deref().unwrap_or("none"),
            ),
            // Both are 429: only a rate limit goes away by waiting.
            429 if api.code.as_deref() == Some("insufficient_quota") => {
                println!("out of credit: {}", api.message)
            }
            429 => {
                let wait = api
                    .headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("unknown");
                println!("still rate limited after the retries; retry after {wait} s")
            }
            status if api.status.is_server_error() => {
                println!(
                    "the server failed ({status}) after the retries: {}",
                    api.message
                )
            }
            status => println!("the request was refused ({status}): {}", api.message),
        },
        Err(Error::Timeout) => println!("no answer within 30 s, even after the retries"),
        Err(other) => return Err(other),
    }
    Ok(())
}
