//! The derive's runtime side: the request envelope, caching, and problems
//! found only when a schema is first built.
#![allow(dead_code)]

use std::collections::HashMap;

use chat_api::Tool;
use chat_api::schema::{SchemaGenerator, StrictSchema};
use chat_api::strict;
use chat_api::types::{CreateChatCompletionRequest, ToolDefinition};
use serde::Deserialize;
use serde_json::{Value, json};

/// Get the current weather for a city.
#[derive(Deserialize, Tool)]
struct GetWeather {
    /// City name, e.g. "Paris".
    location: String,
    unit: Option<Unit>,
}

#[derive(Deserialize, Tool)]
#[serde(rename_all = "lowercase")]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// A person mentioned in the text.
#[derive(Deserialize, Tool)]
struct Person {
    name: String,
    age: Option<u8>,
}

#[derive(Deserialize, Tool)]
#[tool(strict = false)]
struct Loose {
    labels: HashMap<String, String>,
}

#[test]
fn request_carries_tools_and_response_format() {
    let tools: Vec<ToolDefinition> = vec![GetWeather::tool().into(), Loose::tool().into()];
    let request = CreateChatCompletionRequest {
        tools: Some(tools),
        response_format: Some(chat_api::response_format::<Person>()),
        ..Default::default()
    };
    let json = serde_json::to_value(&request).unwrap();
    assert_eq!(
        json["tools"][0],
        json!({
            "type": "function",
            "function": {
                "description": "Get the current weather for a city.",
                "name": "get_weather",
                "parameters": {
                    "type": "object",
                    "properties": {
                        "location": {"description": "City name, e.g. \"Paris\".", "type": "string"},
                        "unit": {"anyOf": [{"type": "string", "enum": ["celsius", "fahrenheit"]}, {"type": "null"}]}
                    },
                    "required": ["location", "unit"],
                    "additionalProperties": false
                },
                "strict": true
            }
        })
    );
    assert_eq!(json["tools"][1]["function"]["strict"], false);
    assert_eq!(
        json["response_format"],
        json!({
            "type": "json_schema",
            "json_schema": {
                "description": "A person mentioned in the text.",
                "name": "person",
                "schema": {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "age": {"type": ["integer", "null"], "minimum": 0, "maximum": 255}
                    },
                    "required": ["name", "age"],
                    "additionalProperties": false
                },
                "strict": true
            }
        })
    );
}

#[test]
fn schema_is_built_once() {
    let first = GetWeather::parameters();
    let second = GetWeather::parameters();
    assert!(
        std::ptr::eq(first, second),
        "the second call must return the cached schema"
    );
}

// A map reached through a generic parameter is invisible to the derive, so it
// is caught when the schema is first built.
#[derive(Deserialize, Tool)]
struct Wrapper<T> {
    inner: T,
}

#[test]
fn runtime_problem_is_an_error_from_try_tool() {
    let error = Wrapper::<HashMap<String, u32>>::try_tool().unwrap_err();
    assert!(error.type_name().contains("Wrapper"));
    assert_eq!(error.problems().len(), 1);
    assert!(
        error.problems()[0].starts_with("at `inner`: maps cannot be expressed in strict mode"),
        "{error}"
    );
    // Cached: the same error, not a rebuild.
    assert!(std::ptr::eq(
        error,
        Wrapper::<HashMap<String, u32>>::try_parameters().unwrap_err()
    ));
    assert!(chat_api::try_response_format::<Wrapper<HashMap<String, u32>>>().is_err());
    assert!(Wrapper::<u32>::try_tool().is_ok());
}

#[test]
#[should_panic(
    expected = "is not valid in OpenAI strict mode\n  - at `inner`: maps cannot be expressed"
)]
fn runtime_problem_panics_from_tool() {
    let _ = Wrapper::<HashMap<String, u32>>::tool();
}

#[test]
fn newtype_root_is_rejected_at_runtime() {
    #[derive(Deserialize, Tool)]
    struct Count(u32);
    let error = Count::try_parameters().unwrap_err();
    assert!(
        error.problems()[0].starts_with("the root must be a JSON object"),
        "{error}"
    );
}

// Eleven levels of objects: over OpenAI's limit of ten.
macro_rules! nest {
    ($name:ident) => {
        #[derive(Deserialize, Tool)]
        struct $name {
            leaf: u8,
        }
    };
    ($name:ident, $inner:ident $(, $rest:ident)*) => {
        #[derive(Deserialize, Tool)]
        struct $name {
            next: $inner,
        }
        nest!($inner $(, $rest)*);
    };
}
nest!(L1, L2, L3, L4, L5, L6, L7, L8, L9, L10, L11);
nest!(M1, M2, M3, M4, M5, M6, M7, M8, M9, M10);

#[test]
fn nesting_limit_is_checked_once_at_build() {
    assert!(M1::try_parameters().is_ok(), "ten levels are allowed");
    let error = L1::try_parameters().unwrap_err();
    assert_eq!(
        error.problems(),
        [format!(
            "at `{}`: nesting reaches 11 levels here (each object schema is one level); the \
             limit is 10",
            "/properties/next".repeat(10)
        )]
    );
}

/// Like `nest!`, with each level holding the next in `Vec<Vec<_>>`.
macro_rules! nest_in_vecs {
    ($name:ident) => {
        #[derive(Deserialize, Tool)]
        struct $name {
            leaf: u8,
        }
    };
    ($name:ident, $inner:ident $(, $rest:ident)*) => {
        #[derive(Deserialize, Tool)]
        struct $name {
            next: Vec<Vec<$inner>>,
        }
        nest_in_vecs!($inner $(, $rest)*);
    };
}
nest_in_vecs!(V1, V2, V3, V4, V5, V6, V7, V8, V9, V10);
nest_in_vecs!(W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11);

/// The derive's check and `strict::validate` are one engine: they judge a
/// `Vec<Vec<_>>`-heavy type alike, counting object levels only (arrays are
/// not levels), and report the same place in the same words.
#[test]
fn derive_and_validate_judge_nested_arrays_alike() {
    let ten = V1::try_parameters().expect("ten object levels, 28 schemas deep");
    assert_eq!(strict::validate(&Value::from(ten.clone())), Ok(()));

    let problems = W1::try_parameters().unwrap_err().problems().to_vec();
    let document = Value::from(W1::strict_schema(&mut SchemaGenerator::new(true)));
    let violations = strict::validate(&document).unwrap_err();
    let judged: Vec<String> = violations
        .iter()
        .map(|v| format!("at `{}`: {}", v.pointer(), v.message()))
        .collect();
    assert_eq!(judged, problems);
    assert_eq!(violations[0].rule(), strict::Rule::TooDeep);
    assert_eq!(
        violations[0].pointer(),
        "/properties/next/items/items".repeat(10)
    );
}

#[derive(Deserialize, Tool)]
enum Big {
    V0,
    V1,
    V2,
    V3,
    V4,
    V5,
    V6,
    V7,
    V8,
    V9,
}

#[derive(Deserialize, Tool)]
struct ManyEnums {
    a: [Big; 1],
}

#[test]
fn nesting_through_recursion_counts_once() {
    #[derive(Deserialize, Tool)]
    struct Node {
        children: Vec<Node>,
    }
    assert!(Node::try_parameters().is_ok());
}
