//! Print an answer as it is written, then read the completion the stream
//! folded; and the same with typed events.
//!
//! ```sh
//! OPENAI_API_KEY=sk-... cargo run -p chat-api --example streaming
//! ```

mod common;

use std::io::Write;
use std::process::ExitCode;

use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use chat_api::{ChatEvent, Client};
use futures::StreamExt;

#[tokio::main]
async fn main() -> ExitCode {
    common::exit_code(run().await)
}

async fn run() -> chat_api::Result<()> {
    let client = Client::from_env()?;
    let request = CreateChatCompletionRequest::new(
        common::model(),
        [ChatCompletionRequestMessage::user(
            "Count from one to five in words.",
        )],
    );

    // 1. Chunks: print each piece of text as it arrives. The stream folds
    //    them as they pass, so the whole completion is there at the end.
    let mut stream = client.create_chat_completion_stream(&request).await?;
    while let Some(chunk) = stream.next().await {
        for choice in chunk?.choices {
            if let Some(text) = choice.delta.content {
                print!("{text}");
                // Shows the text as it comes rather than a line at a time.
                std::io::stdout().flush().ok();
            }
        }
    }
    let completion = stream.final_completion()?;
    let finish = completion
        .choices
        .first()
        .and_then(|c| c.finish_reason.as_ref())
        .map_or("none", |reason| reason.as_str());
    println!(
        "\n[chunks folded into {}: finish reason {finish}]",
        completion.id
    );

    // 2. Typed events: deltas, whole pieces, and the finish reason.
    let mut events = client
        .create_chat_completion_stream(&request)
        .await?
        .events();
    while let Some(event) = events.next().await {
        match event? {
            ChatEvent::ContentDelta { delta, .. } => print!("{delta}"),
            ChatEvent::ContentDone { content, .. } => {
                println!("\n[content done: {} characters]", content.chars().count())
            }
            ChatEvent::Finish { reason, .. } => println!("[finish: {}]", reason.as_str()),
            _ => {}
        }
    }
    Ok(())
}
