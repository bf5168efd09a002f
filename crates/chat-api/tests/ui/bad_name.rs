use chat_api::Tool;
use serde::Deserialize;

#[derive(Deserialize, Tool)]
#[tool(name = "get weather")]
struct Spaced {
    city: String,
}

#[derive(Deserialize, Tool)]
#[tool(name = "a_name_that_is_far_too_long_for_openai_because_it_has_more_than_64_chars")]
struct Long {
    city: String,
}

#[derive(Deserialize, Tool)]
#[tool(name = "")]
struct Empty {
    city: String,
}

fn main() {}
