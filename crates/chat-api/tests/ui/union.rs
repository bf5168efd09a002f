use chat_api::Tool;

#[derive(Tool)]
union Bits {
    a: u32,
    b: f32,
}

fn main() {}
