// Attribute errors beyond `attributes.rs`: duplicates and unknown keys at
// every level, keys that belong elsewhere, and malformed values.
use chat_api::Tool;
use serde::{Deserialize, Deserializer};

#[derive(Deserialize, Tool)]
#[tool(strict = false, strict = true)]
#[tool(description = "a")]
#[tool(description = "b")]
struct Containers {
    x: u32,
}

#[derive(Deserialize, Tool)]
struct Fields {
    #[tool(schema = u32, schema_with = path::to::f)]
    both: u32,
    #[tool(description = "a", description = "b")]
    twice: u32,
    // `context` is for `#[tool]` function parameters only.
    #[tool(context)]
    context: u32,
    #[tool(schema = "u32")]
    quoted: u32,
}

fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    u32::deserialize(d)
}

/// An enum has no root, so `description` on it is as wrong as `name`.
#[derive(Deserialize, Tool)]
#[tool(description = "Pick one.")]
enum Variants {
    #[tool(name = "a")]
    A,
    #[tool(description = "x", description = "y")]
    B,
    #[serde(deserialize_with = "lenient")]
    C(u32),
}

fn main() {}
