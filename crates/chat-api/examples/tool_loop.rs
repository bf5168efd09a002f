//! Let the model call Rust functions until it can answer.
//!
//! `#[chat_api::tool]` turns each function into a tool with a strict JSON
//! schema; `run_tools` sends the request, runs the calls the model makes,
//! returns their results to it, and repeats until it answers in text.
//!
//! ```sh
//! OPENAI_API_KEY=sk-... cargo run -p chat-api --example tool_loop
//! ```

mod common;

use std::process::ExitCode;

use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use chat_api::{Client, Toolbox};
use serde::Deserialize;

/// A temperature unit.
#[derive(Debug, Deserialize, chat_api::Tool)]
#[serde(rename_all = "lowercase")]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// Get the current weather for a city.
#[chat_api::tool]
async fn get_weather(
    /// City name, e.g. "Paris".
    city: String,
    /// The unit of the temperature; Celsius when absent.
    unit: Option<Unit>,
) -> String {
    // A real tool would call a weather service here.
    match unit {
        Some(Unit::Fahrenheit) => format!("{city}: 64°F, light rain"),
        _ => format!("{city}: 18°C, light rain"),
    }
}

/// The local time in a city.
#[chat_api::tool]
fn local_time(
    /// City name.
    city: String,
) -> String {
    format!("{city}: 14:05")
}

#[tokio::main]
async fn main() -> ExitCode {
    common::exit_code(run().await)
}

async fn run() -> chat_api::Result<()> {
    let client = Client::from_env()?;
    // The request's `tools` are filled from the toolbox.
    let tools = Toolbox::new()
        .handler(GetWeatherArgs::call)
        .handler(LocalTimeArgs::call);
    let request = CreateChatCompletionRequest::new(
        common::model(),
        [ChatCompletionRequestMessage::user(
            "Should I take an umbrella in Paris right now?",
        )],
    );
    let run = client.run_tools(request, &tools).await?;
    println!("{}", run.content().unwrap_or("(no text in the answer)"));
    println!(
        "[{} completions, {} messages in the conversation]",
        run.rounds,
        run.messages.len()
    );
    Ok(())
}
