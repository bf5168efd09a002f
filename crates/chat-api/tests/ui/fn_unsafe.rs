// The generated `call` would make an `unsafe fn` callable from the model's
// arguments without an `unsafe` block.
#[chat_api::tool]
unsafe fn dangerous(count: u32) -> u32 {
    count
}

fn main() {}
