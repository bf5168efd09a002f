//! Pre-flight checks: the spec's constraints (generated) and the model
//! table, reported or rewritten by the caller's choice, never by default.

mod support;

use chat_api::preflight::{self, Problem};
use chat_api::types::{
    ChatCompletionRequestMessage, ChatCompletionToolChoiceOption, CreateChatCompletionRequest,
    ToolChoiceMode,
};
use support::{Server, answer};

fn request(model: &str) -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: model.into(),
        messages: vec![ChatCompletionRequestMessage::user("hi")],
        ..Default::default()
    }
}

fn problems(request: &CreateChatCompletionRequest) -> Vec<(&'static str, Problem)> {
    preflight::check(request)
        .into_iter()
        .map(|f| (f.field, f.problem))
        .collect()
}

#[test]
fn spec_constraints_are_checked_at_their_bounds() {
    let mut ok = request("gpt-4o");
    ok.temperature = Some(2.0);
    ok.top_p = Some(0.0);
    ok.top_logprobs = Some(20);
    ok.n = Some(1);
    ok.safety_identifier = Some("x".repeat(64));
    assert_eq!(problems(&ok), []);

    let mut bad = ok.clone();
    bad.messages.clear();
    bad.temperature = Some(2.5);
    bad.top_logprobs = Some(21);
    bad.n = Some(0);
    bad.presence_penalty = Some(-2.1);
    bad.safety_identifier = Some("é".repeat(65));
    let found = problems(&bad);
    let fields: Vec<&str> = found.iter().map(|(f, _)| *f).collect();
    for field in [
        "messages",
        "temperature",
        "top_logprobs",
        "n",
        "presence_penalty",
        "safety_identifier",
    ] {
        assert!(fields.contains(&field), "{field} not reported: {found:?}");
    }
    assert!(found.contains(&(
        "temperature",
        Problem::OutOfRange {
            value: 2.5,
            minimum: Some(0.0),
            maximum: Some(2.0)
        }
    )));
    assert!(
        found.contains(&(
            "safety_identifier",
            Problem::Length {
                length: 65,
                min: None,
                max: Some(64)
            }
        )),
        "lengths count characters, not bytes: {found:?}"
    );
    assert!(found.contains(&(
        "messages",
        Problem::ItemCount {
            count: 0,
            min: Some(1),
            max: None
        }
    )));
    let message = preflight::check(&bad)
        .iter()
        .find(|f| f.field == "temperature")
        .map(ToString::to_string)
        .unwrap();
    assert!(
        message.contains("`temperature` is 2.5, outside 0..=2"),
        "{message}"
    );
}

#[test]
#[allow(deprecated)]
fn the_model_table_catches_reasoning_model_400s() {
    let mut o3 = request("o3-mini");
    o3.max_tokens = Some(100);
    o3.temperature = Some(0.7);
    o3.top_p = Some(1.0); // the default is accepted
    assert_eq!(
        problems(&o3),
        [
            ("max_tokens", Problem::MaxTokensUnsupported),
            ("temperature", Problem::SamplingUnsupported { value: 0.7 }),
        ]
    );
    // Not a reasoning model, though its name starts like one.
    let mut chat = request("gpt-5-chat-latest");
    chat.max_tokens = Some(100);
    chat.temperature = Some(0.7);
    assert_eq!(problems(&chat), []);
    let mut gpt4o = o3.clone();
    gpt4o.model = "gpt-4o".into();
    assert_eq!(problems(&gpt4o), []);

    let mut thinking = request("deepseek-reasoner");
    thinking.tool_choice = Some(ChatCompletionToolChoiceOption::Mode(
        ToolChoiceMode::Required,
    ));
    assert_eq!(
        problems(&thinking),
        [("tool_choice", Problem::ForcedToolChoiceWithThinking)]
    );
    thinking.tool_choice = Some(ChatCompletionToolChoiceOption::Mode(ToolChoiceMode::Auto));
    assert_eq!(problems(&thinking), []);
}

#[tokio::test]
#[allow(deprecated)]
async fn check_changes_nothing_and_rewrite_sends_max_completion_tokens() {
    let mut request = request("o4-mini");
    request.max_tokens = Some(256);
    let before = request.clone();
    let findings = preflight::check(&request);
    assert_eq!(request, before, "check never changes the request");
    assert!(findings.iter().all(|f| !f.rewritten));

    let findings = preflight::rewrite(&mut request);
    assert_eq!(findings.len(), 1);
    assert!(findings[0].rewritten);

    let server = Server::start(|_| answer("ok")).await;
    server
        .client()
        .create_chat_completion(&request)
        .await
        .expect("an answer");
    let body = &server.bodies()[0];
    assert_eq!(body["max_completion_tokens"], 256);
    assert!(body.get("max_tokens").is_none(), "{body}");

    // An explicit max_completion_tokens is kept; the legacy field just goes.
    let mut both = before.clone();
    both.max_completion_tokens = Some(64);
    preflight::rewrite(&mut both);
    assert_eq!(
        (both.max_tokens, both.max_completion_tokens),
        (None, Some(64))
    );
}
