//! The cassette file: one exchange as readable, diff-stable JSON.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::CassetteError;

/// One recorded exchange: what was sent and what came back.
///
/// Stored as pretty JSON with a fixed field order and sorted headers, so a
/// re-recording shows up in review as a readable diff:
///
/// ```json
/// {
///   "request": {
///     "method": "POST",
///     "path": "/chat/completions",
///     "headers": { "accept": "application/json", "authorization": "<redacted>" },
///     "body": { "model": "gpt-4o", "messages": [ … ] }
///   },
///   "response": {
///     "status": 200,
///     "headers": { "content-type": "application/json" },
///     "body": { "id": "chatcmpl-1", … }
///   }
/// }
/// ```
///
/// A JSON response is stored as `body`; a stream (or any other body) as
/// `chunks`, the byte chunks exactly as they arrived, each with the delay
/// after the previous one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Cassette {
    /// What was sent.
    pub request: RecordedRequest,
    /// What came back.
    pub response: RecordedResponse,
}

/// The request half of a [`Cassette`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path relative to the client's base URL, e.g. `/chat/completions`.
    pub path: String,
    /// Query parameters in the order sent (credential-like ones redacted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<(String, String)>,
    /// Request headers by lower-case name; credentials are `<redacted>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body, if there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

/// The response half of a [`Cassette`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RecordedResponse {
    /// The HTTP status.
    pub status: u16,
    /// Response headers by lower-case name (framing headers such as
    /// `content-length` are left out: replay frames the body itself).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A JSON body, replayed as one chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Any other body (event streams in particular), chunk by chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chunks: Option<Vec<Chunk>>,
    /// Set when the body broke off: replay ends it with this error after the chunks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One piece of a body as it arrived.
///
/// Stored as `{"after_ms": 3, "text": "data: …\n\n"}`, or with `"bytes": [..]`
/// in place of `text` when the piece is not valid UTF-8 on its own (a network
/// may split a character between two chunks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "ChunkRepr", into = "ChunkRepr")]
#[non_exhaustive]
pub struct Chunk {
    /// Milliseconds after the previous chunk (after the headers, for the first).
    pub after_ms: u64,
    /// The bytes.
    pub data: Vec<u8>,
}

impl Chunk {
    /// A chunk of `data` arriving `after_ms` after the previous one.
    pub fn new(after_ms: u64, data: impl Into<Vec<u8>>) -> Self {
        Chunk {
            after_ms,
            data: data.into(),
        }
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChunkRepr {
    #[serde(default)]
    after_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bytes: Option<Vec<u8>>,
}

impl TryFrom<ChunkRepr> for Chunk {
    type Error = &'static str;

    fn try_from(repr: ChunkRepr) -> Result<Self, Self::Error> {
        let data = match (repr.text, repr.bytes) {
            (Some(text), None) => text.into_bytes(),
            (None, Some(bytes)) => bytes,
            _ => return Err("a chunk needs exactly one of `text` and `bytes`"),
        };
        Ok(Chunk::new(repr.after_ms, data))
    }
}

impl From<Chunk> for ChunkRepr {
    fn from(chunk: Chunk) -> Self {
        match String::from_utf8(chunk.data) {
            Ok(text) => ChunkRepr {
                after_ms: chunk.after_ms,
                text: Some(text),
                bytes: None,
            },
            Err(e) => ChunkRepr {
                after_ms: chunk.after_ms,
                text: None,
                bytes: Some(e.into_bytes()),
            },
        }
    }
}

impl Cassette {
    /// Reads a cassette file; a malformed one is an error naming the file
    /// and the field.
    pub fn load(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
        read_json(path.as_ref())
    }

    /// Writes the cassette as pretty JSON, creating the directory if needed.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), CassetteError> {
        let path = path.as_ref();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| CassetteError::io(dir, e))?;
        }
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| CassetteError::invalid(path, e.to_string()))?;
        text.push('\n');
        std::fs::write(path, text).map_err(|e| CassetteError::io(path, e))
    }
}

/// Reads a JSON file; an error names the file and the field.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, CassetteError> {
    let text = std::fs::read(path).map_err(|e| CassetteError::io(path, e))?;
    let mut de = serde_json::Deserializer::from_slice(&text);
    let value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| CassetteError::invalid(path, format!("at `{}`: {}", e.path(), e.inner())))?;
    de.end()
        .map_err(|e| CassetteError::invalid(path, e.to_string()))?;
    Ok(value)
}

impl RecordedResponse {
    /// A response whose body is `body`, stored as JSON when it is JSON and
    /// not an event stream, else as the given chunks.
    pub(crate) fn new(
        status: u16,
        headers: BTreeMap<String, String>,
        chunks: Vec<Chunk>,
        error: Option<String>,
    ) -> Self {
        let is_stream = headers
            .get("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream"));
        let json = if is_stream || error.is_some() {
            None
        } else {
            let whole: Vec<u8> = chunks.iter().flat_map(|c| c.data.iter().copied()).collect();
            serde_json::from_slice::<Value>(&whole).ok()
        };
        match json {
            Some(body) => RecordedResponse {
                status,
                headers,
                body: Some(body),
                chunks: None,
                error,
            },
            None => RecordedResponse {
                status,
                headers,
                body: None,
                chunks: Some(chunks),
                error,
            },
        }
    }
}
