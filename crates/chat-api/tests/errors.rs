//! One error type for user code: every error a user meets converts into
//! `chat_api::Error` with `?`, keeps its typed cause (by match and through
//! `source()`), and configuration mistakes are `Error::Config`.

use std::error::Error as _;

use chat_api::types::{ChatCompletionMessageToolCall, CreateChatCompletionResponse};
use chat_api::{
    Client, ConfigError, Error, JsonError, ParseError, RequestOptions, Tool, Toolbox, ToolboxError,
};
use serde::Deserialize;

/// A person mentioned in the text.
#[derive(Debug, Deserialize, Tool)]
struct Person {
    name: String,
    age: Option<u8>,
}

fn completion(message: &str, finish_reason: &str) -> CreateChatCompletionResponse {
    serde_json::from_str(&format!(
        r#"{{"choices": [{{"index": 0, "finish_reason": "{finish_reason}", "message": {message}}}]}}"#
    ))
    .expect("a completion")
}

// What users write: `?` on every call, in a function returning `chat_api::Result`.
fn read_person(completion: &CreateChatCompletionResponse) -> chat_api::Result<Person> {
    Ok(completion.parse::<Person>()?)
}

fn read_arguments(call: &ChatCompletionMessageToolCall) -> chat_api::Result<Person> {
    Ok(call.parse_arguments::<Person>()?)
}

fn add_twice() -> chat_api::Result<Toolbox> {
    let tools = Toolbox::new().try_with(Person::handler(|p: Person| p.name))?;
    Ok(tools.try_with(Person::handler(|p: Person| p.age))?)
}

#[test]
fn a_parsed_reply_passes_through_question_mark() {
    let ok = completion(
        r#"{"role": "assistant", "content": "{\"name\": \"Ada\", \"age\": 36}"}"#,
        "stop",
    );
    let person = read_person(&ok).expect("a person");
    assert_eq!((person.name.as_str(), person.age), ("Ada", Some(36)));
}

#[test]
fn a_parse_error_becomes_error_parse_with_its_reason() {
    let refused = completion(
        r#"{"role": "assistant", "content": null, "refusal": "I can't help."}"#,
        "stop",
    );
    let err = read_person(&refused).unwrap_err();
    assert!(
        matches!(&err, Error::Parse(ParseError::Refusal(text)) if text == "I can't help."),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    let source = err.source().expect("the ParseError is the source");
    assert!(matches!(
        source.downcast_ref::<ParseError>(),
        Some(ParseError::Refusal(_))
    ));
    assert_eq!(
        err.to_string(),
        "could not read the reply: the model refused: I can't help."
    );

    let cut = completion(r#"{"role": "assistant", "content": "{\"na"}"#, "length");
    assert!(matches!(
        read_person(&cut),
        Err(Error::Parse(ParseError::Truncated { content: Some(c) })) if c == "{\"na"
    ));
}

#[test]
fn arguments_that_do_not_fit_become_error_parse_json_with_the_path() {
    let call: ChatCompletionMessageToolCall = serde_json::from_str(
        r#"{"id": "call_1", "type": "function",
            "function": {"name": "person", "arguments": "{\"name\": \"Ada\", \"age\": 300}"}}"#,
    )
    .expect("a tool call");
    let err = read_arguments(&call).unwrap_err();
    match &err {
        Error::Parse(ParseError::Json(json)) => assert_eq!(json.path(), "age"),
        other => panic!("expected Error::Parse(ParseError::Json), got {other:?}"),
    }
    // The whole chain is typed: Error -> ParseError -> JsonError -> serde_json::Error.
    let parse = err.source().expect("ParseError");
    let json = parse.source().expect("JsonError");
    assert!(json.downcast_ref::<JsonError>().is_some());
    let serde = json.source().expect("serde_json::Error");
    assert!(serde.downcast_ref::<serde_json::Error>().is_some());
}

#[test]
fn a_toolbox_error_becomes_error_toolbox() {
    let err = add_twice().unwrap_err();
    assert!(
        matches!(&err, Error::Toolbox(ToolboxError::DuplicateName(name)) if name == "person"),
        "{err:?}"
    );
    assert!(
        err.source()
            .and_then(|s| s.downcast_ref::<ToolboxError>())
            .is_some()
    );
}

#[test]
fn a_malformed_base_url_is_a_config_error_with_the_parse_error_as_source() {
    let err = Client::builder().base_url("not a url").build().unwrap_err();
    match &err {
        Error::Config(ConfigError::InvalidBaseUrl { url, source }) => {
            assert_eq!(url, "not a url");
            assert_eq!(*source, Some(url::ParseError::RelativeUrlWithoutBase));
        }
        other => panic!("expected Error::Config(InvalidBaseUrl), got {other:?}"),
    }
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "configuration error: base URL `not a url` must be an absolute http(s) URL without a query"
    );
    let config = err.source().expect("the ConfigError is the source");
    assert!(config.downcast_ref::<ConfigError>().is_some());
    assert!(
        config
            .source()
            .and_then(|s| s.downcast_ref::<url::ParseError>())
            .is_some()
    );
}

#[tokio::test]
async fn invalid_options_fail_every_request_with_a_config_error_before_sending() {
    // Nothing listens on port 9 (discard): were a request sent, the error
    // would be a connection error, not a configuration error.
    let client = Client::builder()
        .base_url("http://127.0.0.1:9/v1")
        .max_retries(0)
        .build()
        .expect("a client");
    let bad_header = client.with_options(RequestOptions::new().header("api-key", "sk-secret\n"));
    for _ in 0..2 {
        let err = bad_header
            .get::<serde_json::Value>("/models")
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::Config(ConfigError::InvalidHeaderValue { name }) if name == "api-key"),
            "{err:?}"
        );
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("sk-secret"), "{shown}");
    }
    let bad_body = client.with_options(RequestOptions::new().extra_body(serde_json::json!([1])));
    let err = bad_body
        .post::<_, serde_json::Value>("/chat/completions", &serde_json::json!({}))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config(ConfigError::ExtraBodyNotAnObject { found: "an array" })
        ),
        "{err:?}"
    );
}
