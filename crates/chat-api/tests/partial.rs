//! Typed partial structured output: `#[derive(Tool)]`'s companion
//! `Partial<Name>` types, built while a structured answer or a tool call's
//! arguments stream, on a recorded answer, a recorded tool-call stream and a
//! synthetic nested one.

use std::path::{Path, PathBuf};

use chat_api::schema::{PartialError, parse_partial};
use chat_api::{ChatCompletionStream, ChatEvent, Error, ParseError, Tool};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/recorded")
}

/// A stream whose choice 0 writes `content` in `piece`-character deltas.
fn content_stream(content: &str, piece: usize) -> ChatCompletionStream {
    let chars: Vec<char> = content.chars().collect();
    let mut sse = String::new();
    for (i, part) in chars.chunks(piece).enumerate() {
        let part: String = part.iter().collect();
        let finish = if (i + 1) * piece >= chars.len() {
            json!("stop")
        } else {
            Value::Null
        };
        let chunk = json!({
            "id": "c", "model": "m", "created": 1,
            "choices": [{"index": 0, "delta": {"content": part}, "finish_reason": finish}],
        });
        sse.push_str(&format!("data: {chunk}\n\n"));
    }
    sse.push_str("data: [DONE]\n\n");
    let bytes = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(sse))]);
    ChatCompletionStream::from_bytes(bytes)
}

/// The response format of the recorded `openaidotnet__json_schema_strict` exchange.
#[derive(Debug, Deserialize, PartialEq, Tool)]
struct StepsAnswer {
    answer: String,
    steps: Vec<String>,
}

#[tokio::test]
async fn a_recorded_structured_answer_streams_as_a_growing_typed_partial() {
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("openaidotnet__json_schema_strict.json"))
            .expect("the recorded exchange is in the repository"),
    )
    .expect("JSON");
    let content = recorded["choices"][0]["message"]["content"]
        .as_str()
        .expect("a structured answer");
    let complete: StepsAnswer = serde_json::from_str(content).expect("the recorded answer");

    let mut stream = content_stream(content, 3);
    let mut partials: Vec<PartialStepsAnswer> = Vec::new();
    while let Some(partial) = stream.next_partial::<StepsAnswer>().await {
        partials.push(partial.expect("a prefix of a valid answer"));
    }
    // One per change of the settled JSON (closing a string is one), at
    // most one per delta.
    let deltas = content.chars().count().div_ceil(3);
    assert!(
        partials.len() > 50 && partials.len() <= deltas,
        "{}",
        partials.len()
    );
    for pair in partials.windows(2) {
        grows(&pair[0], &pair[1]);
    }
    let last = partials.last().expect("partials");
    assert_eq!(last.answer.as_deref(), Some(complete.answer.as_str()));
    assert_eq!(last.steps.as_ref(), Some(&complete.steps));
    let parsed: StepsAnswer = stream
        .final_completion()
        .expect("complete")
        .parse::<StepsAnswer>()
        .expect("valid");
    assert_eq!(parsed, complete);
}

/// `before` says nothing `after` contradicts.
fn grows(before: &PartialStepsAnswer, after: &PartialStepsAnswer) {
    if let Some(answer) = &before.answer {
        assert!(
            after
                .answer
                .as_ref()
                .is_some_and(|a| a.starts_with(answer.as_str()))
        );
    }
    if let Some(steps) = &before.steps {
        let later = after.steps.as_ref().expect("steps stay");
        assert!(steps.len() <= later.len());
        for (b, a) in steps.iter().zip(later) {
            assert!(a.starts_with(b.as_str()), "{b:?} then {a:?}");
        }
    }
}

/// The first tool of the recorded `magentic__tool_call_stream_gpt-4-1106-preview` stream.
#[derive(Debug, Deserialize, Tool)]
struct ReturnListOfInt {
    value: Vec<i64>,
}

#[tokio::test]
async fn recorded_tool_call_arguments_stream_as_a_typed_partial() {
    let text = std::fs::read_to_string(
        fixtures().join("magentic__tool_call_stream_gpt-4-1106-preview.sse"),
    )
    .expect("the recorded stream is in the repository");
    let bytes = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(text))]);
    let mut events = ChatCompletionStream::from_bytes(bytes).events();
    let mut seen: Vec<Vec<i64>> = Vec::new();
    let mut done = None;
    while let Some(event) = events.next().await {
        match event.expect("a valid stream") {
            ChatEvent::ToolCallArgumentsDelta {
                choice,
                index,
                name,
                ..
            } => {
                assert_eq!(name, ReturnListOfInt::NAME);
                let partial: Option<PartialReturnListOfInt> = events
                    .get_ref()
                    .partial_arguments_as::<ReturnListOfInt>(choice, index)
                    .expect("a prefix of valid arguments");
                if let Some(value) = partial.and_then(|p| p.value) {
                    seen.push(value);
                }
            }
            ChatEvent::ToolCallArgumentsDone(call) => {
                done = Some(call.parse_arguments::<ReturnListOfInt>().expect("valid"));
            }
            _ => {}
        }
    }
    let done = done.expect("the call completes").value;
    assert!(seen.len() >= 2, "{seen:?}");
    for pair in seen.windows(2) {
        assert!(pair[1].starts_with(&pair[0]), "{seen:?}");
    }
    assert!(done.starts_with(seen.last().expect("seen")));
}

/// How urgent.
#[derive(Debug, Clone, PartialEq, Deserialize, Tool)]
#[serde(rename_all = "lowercase")]
enum Level {
    Low,
    Lowest,
}

/// A step of a plan.
#[derive(Debug, Deserialize, Tool)]
#[serde(rename_all = "camelCase")]
struct Step {
    step_title: String,
    minutes: u32,
    level: Level,
}

/// Who wrote it.
#[derive(Debug, Deserialize, Tool)]
struct Author {
    #[serde(rename = "authorName")]
    name: String,
}

/// A plan.
#[derive(Debug, Deserialize, Tool)]
struct Plan {
    #[serde(rename = "planTitle")]
    title: String,
    steps: Vec<Step>,
    note: Option<String>,
    #[serde(flatten)]
    author: Author,
    #[serde(skip)]
    #[allow(dead_code)]
    local: u8,
}

#[tokio::test]
async fn a_nested_answer_streams_character_by_character() {
    let content = r#"{"planTitle": "Tri\"p", "steps": [{"stepTitle": "Pack", "minutes": 15, "level": "lowest"}, {"stepTitle": "Go", "minutes": 120, "level": "low"}], "note": null, "authorName": "Ada"}"#;
    let mut stream = content_stream(content, 1);
    let mut partials: Vec<PartialPlan> = Vec::new();
    while let Some(partial) = stream.next_partial::<Plan>().await {
        partials.push(partial.expect("a prefix of a valid plan"));
    }
    let levels: Vec<Level> = partials
        .iter()
        .filter_map(|p| p.steps.as_ref()?.first()?.level.clone())
        .collect();
    // "low" is a prefix of "lowest": the enum appears only once complete.
    assert!(!levels.is_empty());
    assert!(levels.iter().all(|l| *l == Level::Lowest), "{levels:?}");
    let minutes: Vec<u32> = partials
        .iter()
        .filter_map(|p| p.steps.as_ref()?.get(1)?.minutes)
        .collect();
    assert!(minutes.iter().all(|m| *m == 120), "{minutes:?}"); // never 1 or 12
    let titles: Vec<&str> = partials.iter().filter_map(|p| p.title.as_deref()).collect();
    assert_eq!(titles.first(), Some(&""));
    assert!(titles.contains(&"Tri\""));
    assert!(titles.iter().all(|t| "Tri\"p".starts_with(t)));
    let last = partials.last().expect("partials");
    assert_eq!(last.title.as_deref(), Some("Tri\"p"));
    let steps = last.steps.as_ref().expect("steps");
    assert_eq!(steps.len(), 2);
    assert_eq!(steps[1].step_title.as_deref(), Some("Go"));
    assert_eq!(steps[1].level, Some(Level::Low));
    assert_eq!(last.note, None);
    let author = last.author.as_ref().expect("the flattened author");
    assert_eq!(author.name.as_deref(), Some("Ada"));
    let plan = stream.final_completion().unwrap().parse::<Plan>().unwrap();
    let first = &plan.steps[0];
    assert_eq!(
        (first.step_title.as_str(), first.minutes, &first.level),
        ("Pack", 15, &Level::Lowest)
    );
    assert_eq!(
        (plan.title.as_str(), plan.note, plan.author.name.as_str()),
        ("Tri\"p", None, "Ada")
    );
}

#[tokio::test]
async fn content_that_does_not_fit_is_a_parse_error_naming_the_path() {
    let mut stream = content_stream(r#"{"planTitle": "T", "steps": [{"minutes": "ten"}]}"#, 4);
    let error = loop {
        match stream.next_partial::<Plan>().await {
            Some(Ok(_)) => {}
            Some(Err(error)) => break error,
            None => panic!("expected an error"),
        }
    };
    match error {
        Error::Parse(ParseError::Partial(PartialError::Mismatch { path, message })) => {
            assert_eq!(path, ".steps[0].minutes");
            assert!(message.contains("string"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_partial::<Plan>(r#"["#),
        Err(PartialError::Mismatch { path, .. }) if path == "."
    ));
    assert!(matches!(
        parse_partial::<Plan>(r#"{"a" 1"#),
        Err(PartialError::Json(_))
    ));
}

/// A recursive type: its partial form nests (boxed or in a `Vec`).
#[expect(dead_code, reason = "only its partial form is read")]
#[derive(Debug, Deserialize, Tool)]
struct Tree {
    label: String,
    children: Vec<Tree>,
    parent: Option<Box<Tree>>,
}

/// A generic type, and a newtype whose partial form is its inner type's.
#[expect(dead_code, reason = "only its partial form is read")]
#[derive(Debug, Deserialize, Tool)]
struct Tagged<T> {
    tag: Label,
    item: T,
}

/// A label.
#[expect(dead_code, reason = "only its partial form is read")]
#[derive(Debug, Deserialize, Tool)]
struct Label(String);

/// An enum with no `Debug`, `Clone` or `PartialEq`.
#[derive(Deserialize, Tool)]
enum Bare {
    A,
}

/// Holds a `Bare`: its partial form has no `Debug` either, but it builds.
#[expect(dead_code, reason = "only its partial form is read")]
#[derive(Deserialize, Tool)]
struct HoldsBare {
    bare: Bare,
    count: u8,
}

#[test]
fn recursive_generic_and_newtype_partials() {
    let tree = parse_partial::<Tree>(
        r#"{"label": "a", "children": [{"label": "b", "children": [], "parent": {"la"#,
    )
    .unwrap()
    .unwrap();
    let child = &tree.children.as_ref().unwrap()[0];
    assert_eq!(child.label.as_deref(), Some("b"));
    let parent: &PartialTree = child.parent.as_deref().unwrap();
    assert_eq!(parent.label, None);
    assert!(format!("{tree:?}").starts_with("PartialTree { label: Some(\"a\")"));

    let tagged: PartialTagged<Vec<u16>> =
        parse_partial::<Tagged<Vec<u16>>>(r#"{"tag": "ur", "item": [1, 2"#)
            .unwrap()
            .unwrap();
    assert_eq!(tagged.tag.as_deref(), Some("ur")); // `Label`'s partial form is a `String`
    assert_eq!(tagged.item, Some(vec![1]));
    assert_eq!(tagged.clone(), tagged);

    let bare = parse_partial::<HoldsBare>(r#"{"bare": "A", "count": 3}"#)
        .unwrap()
        .unwrap();
    assert!(matches!(bare.bare, Some(Bare::A)));
    assert_eq!(bare.count, Some(3));
}
