use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
struct Pair(i32, String);

#[derive(Deserialize, Tool)]
struct Nothing;

fn main() {}
