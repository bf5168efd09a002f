//! Ask one question and print the answer.
//!
//! ```sh
//! OPENAI_API_KEY=sk-... cargo run -p chat-api --example chat -- "Why is the sky blue?"
//! ```

mod common;

use std::process::ExitCode;

use chat_api::Client;
use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};

#[tokio::main]
async fn main() -> ExitCode {
    common::exit_code(run().await)
}

async fn run() -> chat_api::Result<()> {
    // OPENAI_API_KEY, and OPENAI_BASE_URL for another server.
    let client = Client::from_env()?;
    let question = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "Say hello in three languages.".to_owned());
    let request = CreateChatCompletionRequest::new(
        common::model(),
        [
            ChatCompletionRequestMessage::system("You are a concise assistant."),
            ChatCompletionRequestMessage::user(question),
        ],
    );
    let completion = client.create_chat_completion(&request).await?;
    let answer = completion.content().unwrap_or("(no text in the answer)");
    println!("{answer}");
    if let Some(usage) = &completion.usage {
        println!(
            "[{} prompt + {} completion tokens]",
            usage.prompt_tokens, usage.completion_tokens
        );
    }
    Ok(())
}
