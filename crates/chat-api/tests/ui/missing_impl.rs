use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize)]
struct NotDerived {
    x: u32,
}

#[derive(Deserialize, Tool)]
struct Args {
    inner: NotDerived,
}

fn main() {}
