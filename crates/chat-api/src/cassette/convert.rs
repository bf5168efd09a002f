//! Cassettes from exchanges recorded elsewhere: the `<stem>.json|.sse`,
//! `<stem>.request.json` and `<stem>.headers.json` files of
//! `tests/fixtures/recorded/`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::CassetteError;
use super::file::{Cassette, Chunk, RecordedRequest, RecordedResponse, read_json};

/// OpenAI's base path: recorded paths are made relative to it, as the client
/// records them relative to its base URL.
const OPENAI_BASE_PATH: &str = "/v1";

/// `<stem>.headers.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Meta {
    method: String,
    path: String,
    status: u16,
    #[serde(default)]
    headers: BTreeMap<String, String>,
}

impl Cassette {
    /// Converts the exchange `stem` of a recorded-fixtures directory
    /// (`<stem>.headers.json` with method, path, status and headers;
    /// `<stem>.request.json` if the request had a body; `<stem>.json` or
    /// `<stem>.sse` for the response body) into a cassette.
    ///
    /// Paths lose OpenAI's `/v1` prefix, to match a client whose base URL
    /// ends in `/v1`. Those recordings do not keep chunk boundaries, so an
    /// event stream becomes one chunk per event, none delayed.
    ///
    /// ```no_run
    /// use chat_api::cassette::Cassette;
    ///
    /// let cassette = Cassette::from_recorded("tests/fixtures/recorded", "magentic__parallel_tool_calls_stream")?;
    /// cassette.save("tests/cassettes/converted/parallel_tool_calls_stream.json")?;
    /// # Ok::<_, chat_api::cassette::CassetteError>(())
    /// ```
    pub fn from_recorded(dir: impl AsRef<Path>, stem: &str) -> Result<Cassette, CassetteError> {
        let dir = dir.as_ref();
        let meta_path = dir.join(format!("{stem}.headers.json"));
        let meta: Meta = read_json(&meta_path)?;

        let request_path = dir.join(format!("{stem}.request.json"));
        let body = if request_path.exists() {
            Some(read_json::<Value>(&request_path)?)
        } else {
            None
        };
        let (path, query) = match meta.path.split_once('?') {
            Some((path, query)) => (path, parse_query(query)),
            None => (meta.path.as_str(), Vec::new()),
        };
        let path = path
            .strip_prefix(OPENAI_BASE_PATH)
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(path);
        let request = RecordedRequest {
            method: meta.method.to_ascii_uppercase(),
            path: path.to_owned(),
            query,
            headers: BTreeMap::new(),
            body,
        };

        let json_path = dir.join(format!("{stem}.json"));
        let sse_path = dir.join(format!("{stem}.sse"));
        let response = if json_path.exists() {
            RecordedResponse {
                status: meta.status,
                headers: meta.headers,
                body: Some(read_json(&json_path)?),
                chunks: None,
                error: None,
            }
        } else if sse_path.exists() {
            let text = std::fs::read(&sse_path).map_err(|e| CassetteError::io(&sse_path, e))?;
            RecordedResponse {
                status: meta.status,
                headers: meta.headers,
                body: None,
                chunks: Some(events(&text)),
                error: None,
            }
        } else {
            return Err(CassetteError::invalid(
                &json_path,
                format!("neither `{stem}.json` nor `{stem}.sse` exists"),
            ));
        };
        Ok(Cassette { request, response })
    }
}

/// `a=1&b=x%20y` as decoded pairs.
fn parse_query(query: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://recorded.invalid/?{query}"))
        .map(|url| {
            url.query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The SSE text cut after each blank line that ends an event, byte for byte.
fn events(text: &[u8]) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < text.len() {
        let end = if text[i..].starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if text[i..].starts_with(b"\n\n") {
            Some(i + 2)
        } else {
            None
        };
        match end {
            Some(end) => {
                chunks.push(Chunk::new(0, &text[start..end]));
                start = end;
                i = end;
            }
            None => i += 1,
        }
    }
    if start < text.len() {
        chunks.push(Chunk::new(0, &text[start..]));
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_keep_every_byte() {
        let text = b"data: 1\n\ndata: 2\r\n\r\n: c\ndata: [DONE]\n\n\ntrailing";
        let chunks = events(text);
        let texts: Vec<&[u8]> = chunks.iter().map(|c| c.data.as_slice()).collect();
        assert_eq!(
            texts,
            [
                &b"data: 1\n\n"[..],
                b"data: 2\r\n\r\n",
                b": c\ndata: [DONE]\n\n",
                b"\ntrailing"
            ]
        );
        assert_eq!(
            parse_query("limit=1&after=a%20b"),
            [("limit".into(), "1".into()), ("after".into(), "a b".into())]
        );
    }
}
