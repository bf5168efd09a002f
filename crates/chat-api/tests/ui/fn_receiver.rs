// `#[tool]` turns a free function into a tool; a method has no `Args` type
// that could hold `self`.
struct Service;

impl Service {
    #[chat_api::tool]
    fn by_ref(&self, city: String) -> String {
        city
    }

    #[chat_api::tool]
    fn by_value(self: Box<Self>, city: String) -> String {
        city
    }
}

fn main() {}
