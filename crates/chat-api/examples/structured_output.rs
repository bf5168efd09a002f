//! Get a typed Rust value back instead of text.
//!
//! `response_format::<T>()` asks for JSON matching `T`'s strict schema, and
//! `parse::<T>()` reads the reply as a `T`; a refusal, a truncated reply or
//! a content filter is a distinct `ParseError`, inside `Error::Parse` after `?`.
//!
//! ```sh
//! OPENAI_API_KEY=sk-... cargo run -p chat-api --example structured_output
//! ```

mod common;

use std::process::ExitCode;

use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};
use chat_api::{Client, Tool};
use serde::Deserialize;

/// A recipe extracted from free text.
#[derive(Debug, Deserialize, Tool)]
struct Recipe {
    /// The dish.
    title: String,
    /// Minutes from start to plate.
    minutes: u32,
    ingredients: Vec<Ingredient>,
}

/// One ingredient and how much of it.
#[derive(Debug, Deserialize, Tool)]
struct Ingredient {
    name: String,
    /// e.g. "200 g", "2 tbsp".
    quantity: Option<String>,
}

#[tokio::main]
async fn main() -> ExitCode {
    common::exit_code(run().await)
}

async fn run() -> chat_api::Result<()> {
    let client = Client::from_env()?;
    let request = CreateChatCompletionRequest {
        response_format: Some(chat_api::response_format::<Recipe>()),
        ..CreateChatCompletionRequest::new(
            common::model(),
            [ChatCompletionRequestMessage::user(
                "My pancakes: 200 g flour, 2 eggs, 300 ml milk, a pinch of salt; \
                 whisk, rest, fry. About 25 minutes.",
            )],
        )
    };
    let recipe = client
        .create_chat_completion(&request)
        .await?
        .parse::<Recipe>()?;
    println!("{} ({} min)", recipe.title, recipe.minutes);
    for ingredient in &recipe.ingredients {
        let quantity = ingredient.quantity.as_deref().unwrap_or("some");
        println!("- {quantity} {}", ingredient.name);
    }
    Ok(())
}
