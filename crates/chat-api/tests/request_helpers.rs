//! The request helpers beside the generated types write exactly the JSON the
//! API documents, and read back as the same value.

use chat_api::types::{
    AllowedToolsMode, ChatCompletionRequestMessage, CreateChatCompletionRequest, ImageDetail,
};
use chat_api::{ContentPart, ToolChoice};
use serde_json::json;

fn round_trip<T>(value: &T) -> serde_json::Value
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_value(value).expect("serializes");
    let back: T = serde_json::from_value(json.clone()).expect("reads back");
    assert_eq!(&back, value);
    json
}

#[test]
fn content_parts_write_their_tags_and_nothing_else() {
    let cases = [
        (
            ContentPart::text("hi"),
            json!({"type": "text", "text": "hi"}),
        ),
        (
            ContentPart::image_url("https://example.com/a.png"),
            json!({"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}),
        ),
        (
            ContentPart::image_url_with_detail("data:image/png;base64,AA==", ImageDetail::High),
            json!({"type": "image_url", "image_url": {"url": "data:image/png;base64,AA==", "detail": "high"}}),
        ),
        (
            ContentPart::file_data("a.pdf", "data:application/pdf;base64,AA=="),
            json!({"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,AA=="}}),
        ),
    ];
    for (part, expected) in cases {
        assert_eq!(round_trip(&part), expected);
    }
}

#[test]
fn tool_choice_constructors_cover_every_form() {
    let cases = [
        (ToolChoice::auto(), json!("auto")),
        (ToolChoice::none(), json!("none")),
        (ToolChoice::required(), json!("required")),
        (
            ToolChoice::function("get_weather"),
            json!({"type": "function", "function": {"name": "get_weather"}}),
        ),
        (
            ToolChoice::custom("grammar"),
            json!({"type": "custom", "custom": {"name": "grammar"}}),
        ),
        (
            ToolChoice::allowed_tools(AllowedToolsMode::Auto, Vec::<String>::new()),
            json!({"type": "allowed_tools", "allowed_tools": {"mode": "auto", "tools": []}}),
        ),
    ];
    for (choice, expected) in cases {
        assert_eq!(round_trip(&choice), expected);
    }
}

#[test]
fn a_request_built_from_helpers_serializes_as_documented() {
    let request = CreateChatCompletionRequest {
        tool_choice: Some(ToolChoice::function("describe")),
        ..CreateChatCompletionRequest::new(
            "gpt-4o",
            vec![ChatCompletionRequestMessage::user(vec![
                ContentPart::text("What is this?"),
                ContentPart::image_url("https://example.com/a.png"),
            ])],
        )
    };
    assert_eq!(
        round_trip(&request),
        json!({
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
            ]}],
            "model": "gpt-4o",
            "tool_choice": {"type": "function", "function": {"name": "describe"}},
        })
    );
}
