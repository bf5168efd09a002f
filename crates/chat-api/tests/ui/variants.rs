use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
enum Tuple {
    Point(i32, i32),
    Fine { x: i32 },
}

#[derive(Deserialize, Tool)]
#[serde(tag = "type")]
enum Internal {
    Number(u32),
}

fn main() {}
