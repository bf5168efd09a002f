// Parameter types strict mode cannot express, as on struct fields.
use std::collections::{BTreeMap, HashMap};

#[chat_api::tool]
fn shapes(
    scores: HashMap<String, i32>,
    ordered: Option<BTreeMap<String, String>>,
    anything: serde_json::Value,
    pair: (i32, String),
) -> usize {
    let _ = (scores, ordered, anything, pair);
    0
}

// Opting out of strict mode allows maps, but a tuple still has no schema.
#[chat_api::tool(strict = false)]
fn loose(labels: HashMap<String, String>, pair: (i32, String)) -> usize {
    let _ = (labels, pair);
    0
}

fn main() {}
