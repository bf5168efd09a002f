use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
#[tool(name = "a", name = "b")]
struct Duplicate {
    x: u32,
}

#[derive(Deserialize, Tool)]
#[tool(title = "nope")]
struct Unknown {
    #[tool(default = 3)]
    x: u32,
}

#[derive(Deserialize, Tool)]
#[tool]
struct Bare {
    x: u32,
}

#[derive(Deserialize, Tool)]
#[tool(strict = "no")]
struct NotBool {
    x: u32,
}

#[derive(Deserialize, Tool)]
#[serde(rename_all = "Title Case")]
struct BadRule {
    x: u32,
}

#[derive(Deserialize, Tool)]
struct Clash {
    #[serde(rename = "x")]
    a: u32,
    x: u32,
}

fn main() {}
