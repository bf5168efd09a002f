use std::collections::HashMap;

use chat_api::Tool;
use serde::Deserialize;

/// Maps are fine once the tool opts out of strict mode.
#[derive(Deserialize, Tool)]
#[tool(strict = false)]
struct Loose {
    labels: HashMap<String, String>,
    raw: serde_json::Value,
}

fn main() {
    assert!(!Loose::STRICT);
    let schema = Loose::parameters();
    assert_eq!(schema["properties"]["labels"]["additionalProperties"]["type"], "string");
}
