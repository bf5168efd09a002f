// The arguments need one concrete schema, so `#[tool]` functions cannot be
// generic, in any spelling.
#[chat_api::tool]
fn type_param<T: serde::de::DeserializeOwned>(value: T) -> usize {
    let _ = value;
    0
}

#[chat_api::tool]
fn const_param<const N: usize>(values: [u8; N]) -> usize {
    values.len()
}

struct Db;

#[chat_api::tool]
fn lifetime_param<'a>(word: String, #[tool(context)] db: &'a Db) -> String {
    let _ = db;
    word
}

#[chat_api::tool]
fn impl_trait(word: impl Into<String>) -> String {
    word.into()
}

fn main() {}
