// Tool names must match OpenAI's `^[a-zA-Z0-9_-]{1,64}$`.
#[chat_api::tool(name = "get weather")]
fn spaced(city: String) -> String {
    city
}

#[chat_api::tool(name = "")]
fn empty(city: String) -> String {
    city
}

// The default name is the function's, which may be any Rust identifier.
#[chat_api::tool]
fn météo(city: String) -> String {
    city
}

#[chat_api::tool]
fn a_function_name_that_is_far_too_long_for_openai_because_it_exceeds_sixty_four(city: String) -> String {
    city
}

fn main() {}
