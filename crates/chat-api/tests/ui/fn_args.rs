// Arguments of `#[chat_api::tool(...)]` itself.
#[chat_api::tool(title = "Weather")]
fn unknown(city: String) -> String {
    city
}

#[chat_api::tool(name = "a", name = "b")]
fn duplicate_name(city: String) -> String {
    city
}

#[chat_api::tool(description = "x", description = "y")]
fn duplicate_description(city: String) -> String {
    city
}

#[chat_api::tool(strict = "yes")]
fn strict_not_bool(city: String) -> String {
    city
}

#[chat_api::tool(name = get_weather)]
fn name_not_string(city: String) -> String {
    city
}

#[chat_api::tool(strict)]
fn missing_value(city: String) -> String {
    city
}

fn main() {}
