//! Typed reading of recorded API responses: tool-call arguments and
//! structured-output replies, including refusal, truncation and content
//! filtering.
#![allow(dead_code)]

use std::path::Path;

use chat_api::types::{
    ChatCompletionMessageToolCall, ChatCompletionMessageToolCallsItem, CreateChatCompletionResponse,
};
use chat_api::{ParseError, Tool};
use serde::Deserialize;
use serde_json::{Value, json};

/// A recorded response from `tests/fixtures/recorded`.
fn recorded(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/recorded")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (tests/fixtures/recorded)", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn completion(value: Value) -> CreateChatCompletionResponse {
    serde_json::from_value(value).expect("a valid CreateChatCompletionResponse")
}

/// The structured output requested in `openaidotnet__json_schema_strict`.
#[derive(Debug, Deserialize, Tool)]
struct MathAnswer {
    answer: String,
    steps: Vec<String>,
}

#[derive(Debug, Deserialize, Tool)]
struct GetWeatherForCity {
    city_name: String,
}

#[test]
fn structured_reply_parses_into_the_type() {
    let response = completion(recorded("openaidotnet__json_schema_strict.json"));
    let answer: MathAnswer = response.parse().expect("the recorded reply fits");
    assert_eq!(
        answer.answer,
        "A pound of feathers and sixteen ounces of steel weigh the same."
    );
    assert_eq!(answer.steps.len(), 5);
    assert_eq!(
        answer.steps[4],
        "Conclude that neither is heavier; they weigh the same."
    );
}

#[test]
fn refusal_is_its_own_error() {
    let response = completion(recorded("openaidotnet__json_schema_refusal.json"));
    // The recorded refusal ends with `finish_reason: "stop"` and no content:
    // it must not be reported as missing content.
    assert_eq!(response.choices[0].message.content, None);
    match response.parse::<MathAnswer>() {
        Err(ParseError::Refusal(text)) => {
            assert_eq!(
                text,
                "I'm very sorry, but I can't assist with that request."
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let message = response.parse::<MathAnswer>().unwrap_err().to_string();
    assert_eq!(
        message,
        "the model refused: I'm very sorry, but I can't assist with that request."
    );
}

#[test]
fn truncation_is_its_own_error_and_keeps_the_partial_reply() {
    let mut value = recorded("openaidotnet__json_schema_strict.json");
    let partial = "{\"answer\":\"A pound of feathers and sixteen ounces of steel weigh";
    value["choices"][0]["finish_reason"] = json!("length");
    value["choices"][0]["message"]["content"] = json!(partial);
    let response = completion(value);
    match response.parse::<MathAnswer>() {
        Err(ParseError::Truncated { content }) => assert_eq!(content.as_deref(), Some(partial)),
        other => panic!("expected truncation, got {other:?}"),
    }
    // Even when the cut happens to leave valid JSON, a `length` finish is
    // not trusted.
    let mut value = recorded("openaidotnet__json_schema_strict.json");
    value["choices"][0]["finish_reason"] = json!("length");
    assert!(matches!(
        completion(value).parse::<MathAnswer>(),
        Err(ParseError::Truncated { .. })
    ));
}

#[test]
fn content_filter_is_its_own_error() {
    let mut value = recorded("openaidotnet__json_schema_strict.json");
    value["choices"][0]["finish_reason"] = json!("content_filter");
    value["choices"][0]["message"]["content"] = Value::Null;
    let error = completion(value).parse::<MathAnswer>().unwrap_err();
    assert!(matches!(error, ParseError::ContentFilter), "{error:?}");
    assert!(error.to_string().contains("content filter"), "{error}");
}

#[test]
fn mismatched_reply_names_the_json_path() {
    let mut value = recorded("openaidotnet__json_schema_strict.json");
    value["choices"][0]["message"]["content"] = json!(r#"{"answer": "same", "steps": ["one", 2]}"#);
    let error = completion(value).parse::<MathAnswer>().unwrap_err();
    let ParseError::Json(json) = &error else {
        panic!("expected a JSON error, got {error:?}");
    };
    assert_eq!(json.path(), "steps[1]");
    assert!(
        error.to_string().starts_with(
            "the reply does not match the expected type: at `steps[1]`: invalid type: integer `2`"
        ),
        "{error}"
    );
    assert!(std::error::Error::source(&error).is_some());
}

#[test]
fn reply_that_is_not_json_or_has_trailing_text_is_a_json_error() {
    for content in [
        "Sure! Here is the JSON:",
        r#"{"answer": "x", "steps": []} and more"#,
    ] {
        let mut value = recorded("openaidotnet__json_schema_strict.json");
        value["choices"][0]["message"]["content"] = json!(content);
        match completion(value).parse::<MathAnswer>() {
            Err(ParseError::Json(error)) => assert_eq!(error.path(), ".", "{error}"),
            other => panic!("{content:?}: expected a JSON error, got {other:?}"),
        }
    }
}

#[test]
fn no_choices_and_no_content_are_errors() {
    let response = completion(json!({"id": "x", "object": "chat.completion", "choices": []}));
    assert!(matches!(
        response.parse::<MathAnswer>(),
        Err(ParseError::NoChoices)
    ));
    // A tool-call turn has no content to parse.
    let response = completion(recorded("openaidotnet__parallel_tool_calls.json"));
    assert!(matches!(
        response.parse::<MathAnswer>(),
        Err(ParseError::NoContent)
    ));
}

#[test]
fn recorded_tool_call_arguments_parse() {
    let response = completion(recorded("openaidotnet__parallel_tool_calls.json"));
    let calls = response.choices[0]
        .message
        .tool_calls
        .as_ref()
        .expect("the recorded turn has tool calls");
    let cities: Vec<String> = calls
        .iter()
        .map(|call| match call {
            ChatCompletionMessageToolCallsItem::Function(call) => {
                assert_eq!(call.function.name, "get_weather_for_city");
                call.parse_arguments::<GetWeatherForCity>()
                    .expect("recorded arguments fit")
                    .city_name
            }
            other => panic!("expected a function call, got {other:?}"),
        })
        .collect();
    assert_eq!(cities, ["Santiago", "Karachi"]);
}

#[test]
fn tool_call_argument_errors_name_the_path() {
    let call = |arguments: &str| -> ChatCompletionMessageToolCall {
        serde_json::from_value(json!({
            "id": "call_1",
            "type": "function",
            "function": {"name": "get_weather_for_city", "arguments": arguments}
        }))
        .expect("a valid tool call")
    };
    let error = call(r#"{"city_name": 7}"#)
        .parse_arguments::<GetWeatherForCity>()
        .unwrap_err();
    assert_eq!(error.path(), "city_name");
    assert!(
        error
            .to_string()
            .starts_with("at `city_name`: invalid type: integer `7`, expected a string"),
        "{error}"
    );

    let error = call("{}")
        .parse_arguments::<GetWeatherForCity>()
        .unwrap_err();
    assert_eq!(error.path(), ".");
    assert!(
        error.to_string().starts_with("missing field `city_name`"),
        "{error}"
    );

    // Truncated arguments (the model ran out of tokens mid-call).
    let error = call(r#"{"city_name": "Sant"#)
        .parse_arguments::<GetWeatherForCity>()
        .unwrap_err();
    assert!(error.json_error().is_eof(), "{error}");
}
