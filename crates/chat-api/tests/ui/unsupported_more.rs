// Rejected shapes beyond `unsupported_fields.rs`: other map spellings, and
// the same shapes inside enum variants and behind `flatten`.
use std::collections::BTreeMap;

use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
struct Maps {
    object: serde_json::Map<String, serde_json::Value>,
    boxed: Box<std::collections::HashMap<String, u8>>,
    list: Vec<BTreeMap<String, u8>>,
}

#[derive(Deserialize, Tool)]
enum Event {
    Tagged { labels: BTreeMap<String, String> },
    Raw { payload: serde_json::Value },
    Pair { at: (f64, f64) },
}

#[derive(Deserialize, Tool)]
struct Flattened {
    #[serde(flatten)]
    rest: serde_json::Value,
}

#[derive(Deserialize, Tool)]
struct FlattenedBTree {
    #[serde(flatten)]
    rest: BTreeMap<String, String>,
}

fn main() {}
