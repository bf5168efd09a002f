use chat_api::Tool;
use serde::{Deserialize, Deserializer};

fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    u32::deserialize(d)
}

#[derive(Deserialize, Tool)]
struct Args {
    #[serde(deserialize_with = "lenient")]
    count: u32,
    #[serde(with = "some_module")]
    other: u32,
    // Declared: accepted.
    #[serde(deserialize_with = "lenient")]
    #[tool(schema = u32)]
    fine: u32,
}

mod some_module {
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        super::lenient(d)
    }
}

fn main() {}
