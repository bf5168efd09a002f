//! Every real exchange recorded against api.openai.com decodes into the
//! generated types, and re-encodes to the same JSON: nothing the server or
//! the client sent is lost or invented.

use std::path::{Path, PathBuf};

use chat_api::types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/recorded")
}

fn files(suffix: &str) -> Vec<PathBuf> {
    let dir = fixtures();
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (tests/fixtures/recorded)", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("readable fixture");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// Decodes with the failing field's path in the message, then re-encodes and
/// compares as JSON values.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value, what: &str) -> Result<(), String> {
    let decoded: T = serde_path_to_error::deserialize(value)
        .map_err(|e| format!("{what}: decode failed at `{}`: {}", e.path(), e.inner()))?;
    let encoded =
        serde_json::to_value(&decoded).map_err(|e| format!("{what}: encode failed: {e}"))?;
    match first_difference(value, &encoded, String::new()) {
        None => Ok(()),
        Some(diff) => Err(format!("{what}: round trip changed the JSON: {diff}")),
    }
}

/// The first place two JSON values differ, as a JSON pointer and both sides
/// (abbreviated). Numbers compare by value (`0` and `0.0` are one JSON
/// number), and a member that is `null` equals an absent one: the spec gives
/// optional nullable fields no separate meaning for `null`, and the types
/// keep them as one `Option`. A `null` the server sent for a field the
/// spec calls required (`choices`, `first_id`) decodes as the field's empty
/// value on purpose, so it may come back as `""`, `[]`, `0` or `false`.
fn first_difference(a: &Value, b: &Value, at: String) -> Option<String> {
    let empty = |v: &Value| match v {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Bool(b) => !b,
        Value::Null => true,
    };
    match (a, b) {
        (Value::Null, b) if empty(b) => None,
        (Value::Number(x), Value::Number(y)) if x.as_f64() == y.as_f64() => None,
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                let (l, r) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                first_difference(l, r, format!("{at}/{k}"))
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (l, r))| first_difference(l, r, format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!(
            "at `{at}`: {} became {}",
            abbreviate(a),
            abbreviate(b)
        )),
    }
}

fn abbreviate(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 120 {
        format!(
            "{}…",
            &s[..s.char_indices().nth(120).map_or(s.len(), |(i, _)| i)]
        )
    } else {
        s
    }
}

struct Exchange {
    method: String,
    path: String,
    status: u64,
}

fn exchange(stem: &Path) -> Exchange {
    let headers = read_json(&PathBuf::from(format!("{}.headers.json", stem.display())));
    Exchange {
        method: headers["method"].as_str().unwrap_or_default().to_owned(),
        path: headers["path"]
            .as_str()
            .unwrap_or_default()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned(),
        status: headers["status"].as_u64().unwrap_or_default(),
    }
}

fn stem(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(path.to_string_lossy().trim_end_matches(suffix).to_owned())
}

fn decode_response(ex: &Exchange, body: &Value, what: &str) -> Result<(), String> {
    if ex.status >= 400 {
        return round_trip::<ErrorResponse>(body, what);
    }
    let segments: Vec<&str> = ex
        .path
        .trim_start_matches("/v1")
        .trim_matches('/')
        .split('/')
        .collect();
    match (ex.method.as_str(), segments.as_slice()) {
        ("POST", ["chat", "completions"]) => round_trip::<CreateChatCompletionResponse>(body, what),
        ("GET", ["chat", "completions"]) => round_trip::<ChatCompletionList>(body, what),
        ("GET" | "POST", ["chat", "completions", _]) => {
            round_trip::<CreateChatCompletionResponse>(body, what)
        }
        ("DELETE", ["chat", "completions", _]) => round_trip::<ChatCompletionDeleted>(body, what),
        ("GET", ["chat", "completions", _, "messages"]) => {
            round_trip::<ChatCompletionMessageList>(body, what)
        }
        _ => Err(format!(
            "{what}: no response type for {} {}",
            ex.method, ex.path
        )),
    }
}

#[test]
fn every_recorded_response_decodes_and_round_trips() {
    let paths = files(".json");
    let responses: Vec<&PathBuf> = paths
        .iter()
        .filter(|p| {
            let s = p.to_string_lossy();
            !s.ends_with(".request.json") && !s.ends_with(".headers.json")
        })
        .collect();
    assert!(
        responses.len() >= 50,
        "expected the recorded fixtures, found {}",
        responses.len()
    );
    let failures: Vec<String> = responses
        .iter()
        .filter_map(|p| {
            let ex = exchange(&stem(p, ".json"));
            decode_response(&ex, &read_json(p), &p.file_name()?.to_string_lossy()).err()
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} responses failed:\n{}",
        failures.len(),
        responses.len(),
        failures.join("\n")
    );
}

#[test]
fn every_recorded_stream_chunk_decodes_and_round_trips() {
    let streams = files(".sse");
    assert!(
        streams.len() >= 20,
        "expected recorded streams, found {}",
        streams.len()
    );
    let mut chunks = 0;
    let mut failures = Vec::new();
    for path in &streams {
        let text = std::fs::read_to_string(path).expect("readable");
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut saw_done = false;
        for (i, line) in text.lines().enumerate() {
            let Some(data) = line.strip_prefix("data:").map(str::trim_start) else {
                continue;
            };
            if data == "[DONE]" {
                saw_done = true;
                continue;
            }
            chunks += 1;
            let value: Value = serde_json::from_str(data)
                .unwrap_or_else(|e| panic!("{name}:{}: not JSON: {e}", i + 1));
            if let Err(e) = round_trip::<CreateChatCompletionStreamResponse>(
                &value,
                &format!("{name}:{}", i + 1),
            ) {
                failures.push(e);
            }
        }
        assert!(saw_done, "{name}: stream has no [DONE]");
    }
    assert!(
        failures.is_empty(),
        "{} of {chunks} chunks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_recorded_request_round_trips_through_the_request_types() {
    let requests = files(".request.json");
    assert!(
        requests.len() >= 50,
        "expected recorded requests, found {}",
        requests.len()
    );
    let failures: Vec<String> = requests
        .iter()
        .filter_map(|p| {
            let ex = exchange(&stem(p, ".request.json"));
            let what = p.file_name()?.to_string_lossy().into_owned();
            let body = read_json(p);
            let is_update = ex.method == "POST"
                && ex
                    .path
                    .trim_start_matches("/v1")
                    .trim_matches('/')
                    .split('/')
                    .count()
                    == 3;
            if is_update {
                round_trip::<UpdateChatCompletionRequest>(&body, &what).err()
            } else {
                round_trip::<CreateChatCompletionRequest>(&body, &what).err()
            }
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} requests failed:\n{}",
        failures.len(),
        requests.len(),
        failures.join("\n")
    );
}
