//! Criterion benchmarks of `chat-api` against `async-openai`.
//!
//! The benchmarks live in `benches/`; this library holds the helpers they
//! share: loading the recorded OpenAI responses from
//! `tests/fixtures/recorded`, splitting recorded SSE bodies into their chunk
//! payloads, sorting fixtures by which decoders accept them, the request
//! the encoding benchmark serializes, the **limit** baseline ([`limit`]) and
//! the synthetic inputs ([`synthetic`]). See `README.md` for the command and the
//! measured figures.

pub mod limit;
pub mod synthetic;

use std::path::PathBuf;

/// The directory holding the recorded OpenAI exchanges.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/recorded"
    ))
}

/// A recorded non-streaming response body.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The file name, e.g. `openaidotnet__hello_world_gpt-4o-mini.json`.
    pub name: String,
    /// The body bytes as stored.
    pub body: Vec<u8>,
}

/// A recorded streaming response: the `data:` payloads of one `.sse` file.
#[derive(Debug, Clone)]
pub struct RecordedStream {
    /// The file name, e.g. `magentic__parallel_tool_calls_stream.sse`.
    pub name: String,
    /// Each chunk's JSON text, in order, without the final `[DONE]`.
    pub chunks: Vec<String>,
}

impl RecordedStream {
    /// Total bytes of the chunk payloads (the JSON text that gets decoded).
    pub fn payload_bytes(&self) -> u64 {
        self.chunks.iter().map(|c| c.len() as u64).sum()
    }
}

/// The HTTP status recorded in `<stem>.headers.json`, if that file exists.
fn recorded_status(stem: &str) -> Option<u64> {
    let path = fixtures_dir().join(format!("{stem}.headers.json"));
    let text = std::fs::read_to_string(path).ok()?;
    let headers: serde_json::Value = serde_json::from_str(&text).ok()?;
    headers.get("status")?.as_u64()
}

/// The recorded files whose name ends in `suffix` and whose exchange
/// returned status 200, sorted by name.
fn ok_files(suffix: &str) -> Vec<String> {
    let dir = fixtures_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read fixtures at {}: {e}", dir.display()));
    let mut files: Vec<String> = entries
        .filter_map(|entry| {
            let name = entry.ok()?.file_name().into_string().ok()?;
            let stem = name.strip_suffix(suffix)?;
            // `<stem>.request.json` and `<stem>.headers.json` are not bodies.
            if stem.ends_with(".request") || stem.ends_with(".headers") {
                return None;
            }
            let ok = recorded_status(stem) == Some(200);
            ok.then_some(name)
        })
        .collect();
    files.sort();
    files
}

/// Every recorded 200 response whose body is a chat completion object
/// (`"object": "chat.completion"`): the `POST /v1/chat/completions`
/// responses plus the stored-completion `GET`/update responses. List and
/// delete responses are left out.
pub fn chat_completion_responses() -> Vec<Recorded> {
    ok_files(".json")
        .into_iter()
        .filter_map(|name| {
            let body = std::fs::read(fixtures_dir().join(&name)).ok()?;
            let value: serde_json::Value = serde_json::from_slice(&body).ok()?;
            (value.get("object")?.as_str()? == "chat.completion").then_some(Recorded { name, body })
        })
        .collect()
}

/// Every recorded 200 streaming response, split into chunk payloads.
pub fn chat_completion_streams() -> Vec<RecordedStream> {
    ok_files(".sse")
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(fixtures_dir().join(&name))
                .unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            RecordedStream {
                chunks: sse_data(&text).map(str::to_owned).collect(),
                name,
            }
        })
        .collect()
}

/// The `data:` payloads of an SSE body, without the terminating `[DONE]`.
///
/// The recorded bodies use one `data:` line per event, so this does not join
/// multi-line data fields; the full WHATWG parser in `chat-api` is private.
pub fn sse_data(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(|data| data.strip_prefix(' ').unwrap_or(data))
        .filter(|data| *data != "[DONE]")
}

/// Which of two decoders accept an input: the first error each one gave.
#[derive(Debug, Clone, Default)]
pub struct Verdict {
    /// `chat-api`'s error, if it failed.
    pub ours: Option<String>,
    /// `async-openai`'s error, if it failed.
    pub theirs: Option<String>,
}

impl Verdict {
    /// Whether both decoders accepted the input.
    pub fn both_ok(&self) -> bool {
        self.ours.is_none() && self.theirs.is_none()
    }
}

/// Decodes `json` as `T`, returning the error text on failure.
pub fn try_decode<T: serde::de::DeserializeOwned>(json: &[u8]) -> Result<(), String> {
    serde_json::from_slice::<T>(json)
        .map(drop)
        .map_err(|e| e.to_string())
}

/// Runs two decoders over `json` and records their errors.
pub fn verdict<A, B>(json: &[u8]) -> Verdict
where
    A: serde::de::DeserializeOwned,
    B: serde::de::DeserializeOwned,
{
    Verdict {
        ours: try_decode::<A>(json).err(),
        theirs: try_decode::<B>(json).err(),
    }
}

/// Runs two decoders over every chunk of a stream; the first error of each
/// names the failing chunk's 0-based position.
pub fn stream_verdict<A, B>(stream: &RecordedStream) -> Verdict
where
    A: serde::de::DeserializeOwned,
    B: serde::de::DeserializeOwned,
{
    let mut out = Verdict::default();
    for (i, chunk) in stream.chunks.iter().enumerate() {
        let v = verdict::<A, B>(chunk.as_bytes());
        if out.ours.is_none() {
            out.ours = v.ours.map(|e| format!("chunk {i}: {e}"));
        }
        if out.theirs.is_none() {
            out.theirs = v.theirs.map(|e| format!("chunk {i}: {e}"));
        }
    }
    out
}

/// A realistic Chat Completions request: a system and a user message, two
/// function tools with JSON Schema parameters, a strict `json_schema`
/// response format and a few sampling options.
///
/// The temperature is 0.5 because async-openai holds it as an `f32`: 0.2
/// would re-encode as `0.20000000298023224`, so the two libraries would not
/// be encoding the same request.
pub const REQUEST_JSON: &str = r#"{
  "model": "gpt-4o-2024-08-06",
  "messages": [
    {
      "role": "system",
      "content": "You are a travel assistant. Use the tools to look up weather and flights, then answer with the itinerary as JSON that matches the schema. Be concise and do not invent flight numbers."
    },
    {
      "role": "user",
      "content": "I want to fly from Berlin to Lisbon next Friday morning and come back on Sunday evening. What will the weather be like, and which flights fit?"
    }
  ],
  "tools": [
    {
      "type": "function",
      "function": {
        "name": "get_weather",
        "description": "Get the weather forecast for a city on a date.",
        "parameters": {
          "type": "object",
          "properties": {
            "city": { "type": "string", "description": "City name, e.g. Lisbon" },
            "date": { "type": "string", "description": "ISO 8601 date" },
            "unit": { "type": "string", "enum": ["celsius", "fahrenheit"] }
          },
          "required": ["city", "date", "unit"],
          "additionalProperties": false
        },
        "strict": true
      }
    },
    {
      "type": "function",
      "function": {
        "name": "search_flights",
        "description": "Search scheduled flights between two airports.",
        "parameters": {
          "type": "object",
          "properties": {
            "from": { "type": "string", "description": "IATA code of the departure airport" },
            "to": { "type": "string", "description": "IATA code of the arrival airport" },
            "date": { "type": "string", "description": "ISO 8601 date" },
            "time_of_day": { "type": "string", "enum": ["morning", "afternoon", "evening"] },
            "max_stops": { "type": "integer", "minimum": 0, "maximum": 2 }
          },
          "required": ["from", "to", "date", "time_of_day", "max_stops"],
          "additionalProperties": false
        },
        "strict": true
      }
    }
  ],
  "tool_choice": "auto",
  "parallel_tool_calls": true,
  "response_format": {
    "type": "json_schema",
    "json_schema": {
      "name": "itinerary",
      "description": "A round trip with the weather at the destination.",
      "strict": true,
      "schema": {
        "type": "object",
        "properties": {
          "outbound": {
            "type": "object",
            "properties": {
              "flight": { "type": "string" },
              "departs": { "type": "string" },
              "arrives": { "type": "string" }
            },
            "required": ["flight", "departs", "arrives"],
            "additionalProperties": false
          },
          "return": {
            "type": "object",
            "properties": {
              "flight": { "type": "string" },
              "departs": { "type": "string" },
              "arrives": { "type": "string" }
            },
            "required": ["flight", "departs", "arrives"],
            "additionalProperties": false
          },
          "weather": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {
                "date": { "type": "string" },
                "summary": { "type": "string" },
                "high_celsius": { "type": "number" }
              },
              "required": ["date", "summary", "high_celsius"],
              "additionalProperties": false
            }
          }
        },
        "required": ["outbound", "return", "weather"],
        "additionalProperties": false
      }
    }
  },
  "temperature": 0.5,
  "max_completion_tokens": 800,
  "user": "user-1234"
}"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_data_skips_done_and_blank_lines() {
        let text = "data: {\"a\":1}\n\ndata:{\"b\":2}\n\ndata: [DONE]\n\n";
        assert_eq!(
            sse_data(text).collect::<Vec<_>>(),
            [r#"{"a":1}"#, r#"{"b":2}"#]
        );
    }

    #[test]
    fn fixtures_are_found() {
        assert!(!chat_completion_responses().is_empty());
        assert!(!chat_completion_streams().is_empty());
    }
}
