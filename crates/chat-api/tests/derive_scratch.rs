#![allow(dead_code)]
use chat_api::Tool;
use serde::Deserialize;

/// Get the current weather for a city.
#[derive(Deserialize, Tool)]
struct GetWeather {
    /// City name, e.g. "Paris".
    location: String,
    unit: Option<Unit>,
    days: u8,
    tags: std::collections::BTreeSet<String>,
    /// Next node
    next: Option<Box<Node>>,
    shape: Shape,
}

#[derive(Deserialize, Tool)]
#[serde(rename_all = "lowercase")]
enum Unit { Celsius, /// hot
 Fahrenheit }

#[derive(Deserialize, Tool)]
struct Node { value: i32, children: Vec<Node> }

#[derive(Deserialize, Tool)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Shape { Circle { radius: f64 }, Square { side: f64 }, Empty }

#[test]
fn show() {
    println!("{}", serde_json::to_string_pretty(GetWeather::parameters()).unwrap());
}
