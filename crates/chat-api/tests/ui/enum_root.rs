use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
#[tool(name = "pick")]
enum Choice {
    A,
    B,
}

#[derive(Deserialize, Tool)]
#[serde(tag = "kind")]
enum Shape {
    Circle { radius: f64 },
}

fn needs_tool<T: Tool>() {}

fn main() {
    needs_tool::<Shape>();
}
