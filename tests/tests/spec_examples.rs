//! Every example object in the checked-in spec decodes into its generated
//! type: component examples, and each operation's documented response.

use std::path::Path;

use chat_api::types::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("spec readable"))
        .expect("spec is JSON")
}

fn decode<T: DeserializeOwned>(text: &str, what: &str) -> Result<usize, String> {
    // Streaming examples are one JSON chunk per line (sometimes `data:`-prefixed).
    let docs: Vec<&str> = if text.trim_start().starts_with("data:")
        || text.trim().lines().all(|l| l.trim().starts_with('{'))
    {
        text.lines()
            .map(|l| l.trim().trim_start_matches("data:").trim())
            .filter(|l| !l.is_empty() && *l != "[DONE]" && *l != "...")
            .collect()
    } else {
        vec![text]
    };
    for doc in &docs {
        let mut de = serde_json::Deserializer::from_str(doc);
        serde_path_to_error::deserialize::<_, T>(&mut de)
            .map_err(|e| format!("{what}: fails at `{}`: {}", e.path(), e.inner()))?;
    }
    Ok(docs.len())
}

fn decode_as(type_name: &str, text: &str, what: &str) -> Result<usize, String> {
    match type_name {
        "ChatCompletionList" => decode::<ChatCompletionList>(text, what),
        "ChatCompletionMessageList" => decode::<ChatCompletionMessageList>(text, what),
        "CreateChatCompletionResponse" => decode::<CreateChatCompletionResponse>(text, what),
        "CreateChatCompletionStreamResponse" => {
            decode::<CreateChatCompletionStreamResponse>(text, what)
        }
        "ChatCompletionDeleted" => decode::<ChatCompletionDeleted>(text, what),
        "ModelIdsShared" => decode::<ModelIdsShared>(text, what),
        "VoiceIdsShared" => decode::<VoiceIdsShared>(text, what),
        other => Err(format!(
            "{what}: the test has no decoder for `{other}`; add one"
        )),
    }
}

#[test]
fn component_examples_decode() {
    let spec = spec();
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, schema) in schemas {
        let examples = [
            schema
                .get("example")
                .map(|e| (e, format!("#/components/schemas/{name}/example"))),
            schema
                .pointer("/x-oaiMeta/example")
                .map(|e| (e, format!("#/components/schemas/{name}/x-oaiMeta/example"))),
        ];
        for (example, what) in examples.into_iter().flatten() {
            let text = match example {
                Value::String(s) if name.ends_with("Shared") => {
                    serde_json::to_string(s).expect("string")
                }
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match decode_as(name, &text, &what) {
                Ok(n) => checked += n,
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 6, "only {checked} examples found");
}

#[test]
fn operation_response_examples_decode() {
    let spec = spec();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().unwrap_or_default();
            let examples: Vec<&Value> = match op.pointer("/x-oaiMeta/examples") {
                Some(Value::Array(list)) => list.iter().collect(),
                Some(one @ Value::Object(_)) => vec![one],
                _ => continue,
            };
            for (i, example) in examples.into_iter().enumerate() {
                let Some(text) = example["response"].as_str() else {
                    continue;
                };
                let what = format!("{method} {path} ({id}) example {i}");
                let streaming = example["title"]
                    .as_str()
                    .is_some_and(|t| t.to_lowercase().contains("stream"));
                let type_name = match (id, streaming) {
                    ("createChatCompletion", true) => "CreateChatCompletionStreamResponse",
                    ("createChatCompletion" | "getChatCompletion" | "updateChatCompletion", _) => {
                        "CreateChatCompletionResponse"
                    }
                    ("listChatCompletions", _) => "ChatCompletionList",
                    ("deleteChatCompletion", _) => "ChatCompletionDeleted",
                    ("getChatCompletionMessages", _) => "ChatCompletionMessageList",
                    (other, _) => {
                        failures.push(format!("{what}: no response type known for `{other}`"));
                        continue;
                    }
                };
                match decode_as(type_name, text, &what) {
                    Ok(n) => checked += n,
                    Err(e) => failures.push(e),
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 10, "only {checked} examples found");
}
