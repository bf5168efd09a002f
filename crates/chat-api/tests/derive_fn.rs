//! `#[chat_api::tool]` on functions.

use chat_api::Tool;
use serde_json::json;

/// Look a word up in the dictionary.
#[chat_api::tool]
async fn define(
    /// The word to look up.
    word: String,
    limit: Option<u8>,
) -> Result<String, std::io::Error> {
    Ok(format!("{word}:{limit:?}"))
}

struct Db {
    prefix: &'static str,
}

/// Add two numbers.
#[chat_api::tool(name = "add-numbers", strict = true)]
fn add(
    #[tool(context)] db: &Db,
    a: i64,
    #[tool(description = "The second operand.")] b: i64,
) -> String {
    format!("{}{}", db.prefix, a + b)
}

#[chat_api::tool]
fn undocumented(x: u32) -> u32 {
    x
}

#[test]
fn async_function_gets_args_type_and_tool() {
    assert_eq!(DefineArgs::NAME, "define");
    assert_eq!(
        DefineArgs::description(),
        Some("Look a word up in the dictionary.")
    );
    assert_eq!(
        serde_json::Value::from(DefineArgs::parameters().clone()),
        json!({
            "type": "object",
            "properties": {
                "word": {"description": "The word to look up.", "type": "string"},
                "limit": {"type": ["integer", "null"], "minimum": 0, "maximum": 255}
            },
            "required": ["word", "limit"],
            "additionalProperties": false
        })
    );
    let args: DefineArgs = serde_json::from_str(r#"{"word":"tool","limit":null}"#).unwrap();
    let out = futures_lite_block_on(args.call()).unwrap();
    assert_eq!(out, "tool:None");
    // Still callable as written.
    assert_eq!(
        futures_lite_block_on(define("x".into(), Some(1))).unwrap(),
        "x:Some(1)"
    );
}

#[test]
fn context_parameter_is_passed_through_and_left_out() {
    assert_eq!(AddArgs::NAME, "add-numbers");
    let schema = AddArgs::parameters();
    assert_eq!(schema["required"], json!(["a", "b"]));
    assert_eq!(
        schema["properties"]["b"]["description"],
        "The second operand."
    );
    let args: AddArgs = serde_json::from_str(r#"{"a":2,"b":3}"#).unwrap();
    let db = Db { prefix: "=" };
    assert_eq!(args.call(&db), "=5");
    assert_eq!(add(&db, 1, 1), "=2");
}

#[test]
fn undocumented_function_has_no_description() {
    assert_eq!(UndocumentedArgs::description(), None);
    assert_eq!(UndocumentedArgs::tool().function.description, None);
    assert_eq!(UndocumentedArgs { x: 7 }.call(), undocumented(7));
}

/// A minimal executor: the futures here never wait.
fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
