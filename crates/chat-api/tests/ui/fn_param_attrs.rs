// `#[tool(...)]` on parameters, including `context` misuse: a context
// parameter is passed to `call`, not sent to the model, so it has no
// description or schema.
struct Db;

#[chat_api::tool]
fn unknown_key(#[tool(default = 3)] count: u32) -> u32 {
    count
}

#[chat_api::tool]
fn duplicate_description(
    #[tool(description = "a", description = "b")] count: u32,
) -> u32 {
    count
}

#[chat_api::tool]
fn context_with_description(#[tool(context, description = "The database.")] db: &Db, count: u32) -> u32 {
    let _ = db;
    count
}

#[chat_api::tool]
fn context_with_schema(#[tool(context, schema = String)] db: &Db, count: u32) -> u32 {
    let _ = db;
    count
}

#[chat_api::tool]
fn context_twice(#[tool(context, context)] db: &Db, count: u32) -> u32 {
    let _ = db;
    count
}

#[chat_api::tool]
fn context_with_value(#[tool(context = true)] db: &Db, count: u32) -> u32 {
    let _ = db;
    count
}

#[chat_api::tool]
fn bare_tool(#[tool] count: u32) -> u32 {
    count
}

fn main() {}
