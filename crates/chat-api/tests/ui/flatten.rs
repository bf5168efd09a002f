use std::collections::HashMap;

use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
struct Common {
    id: u32,
}

#[derive(Deserialize, Tool)]
struct Args {
    #[serde(flatten)]
    extra: HashMap<String, String>,
    #[serde(flatten)]
    common: Option<Common>,
}

fn main() {}
