// Parameters become JSON properties: they need a name, and an owned type
// serde can deserialize into.
#[chat_api::tool]
fn borrowed(word: &str, words: &mut Vec<String>) -> usize {
    word.len() + words.len()
}

struct Point {
    x: i32,
    y: i32,
}

#[chat_api::tool]
fn patterns((a, b): (i32, i32), Point { x, y }: Point, _: u32) -> i32 {
    a + b + x + y
}

fn main() {}
