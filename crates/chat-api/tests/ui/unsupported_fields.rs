use std::collections::{BTreeMap, HashMap};

use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
struct Args {
    scores: HashMap<String, i32>,
    ordered: Option<BTreeMap<String, String>>,
    anything: serde_json::Value,
    pair: (i32, String),
    pairs: Vec<(String, u8)>,
    fine: Vec<String>,
}

fn main() {
    // The stub impl keeps call sites free of follow-on errors.
    let _ = Args::parameters();
}
