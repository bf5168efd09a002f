//! List the completions stored with `store: true`, one page at a time and
//! then all of them.
//!
//! ```sh
//! OPENAI_API_KEY=sk-... cargo run -p chat-api --example stored_completions
//! ```

mod common;

use std::process::ExitCode;

use chat_api::Client;
use chat_api::types::{ListChatCompletionsQuery, Order};
use futures::StreamExt;

/// Stop after this many, however many are stored.
const AT_MOST: usize = 50;

#[tokio::main]
async fn main() -> ExitCode {
    common::exit_code(run().await)
}

async fn run() -> chat_api::Result<()> {
    let client = Client::from_env()?;

    // One page: its items, and where the next one starts.
    let query = ListChatCompletionsQuery {
        limit: Some(2),
        order: Some(Order::Desc),
        ..Default::default()
    };
    let page = client.list_chat_completions(&query).await?;
    println!(
        "first page: {} completions, more: {}",
        page.data.len(),
        page.has_more
    );
    if page.has_more {
        let next = ListChatCompletionsQuery {
            after: Some(page.last_id.clone()),
            ..query.clone()
        };
        let second = client.list_chat_completions(&next).await?;
        println!("second page: {} completions", second.data.len());
    }

    // Every page, fetched as the stream is read; `limit` is the page size.
    let mut all = std::pin::pin!(client.list_chat_completions_stream(query).take(AT_MOST));
    let mut count = 0;
    while let Some(completion) = all.next().await {
        let completion = completion?;
        count += 1;
        let answer = completion.content().unwrap_or("");
        println!("{} {}: {answer}", completion.id, completion.model);
    }
    println!("[{count} stored completions]");
    Ok(())
}
