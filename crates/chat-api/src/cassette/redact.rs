//! What a cassette must never contain: credentials in headers and queries.

use std::collections::BTreeMap;

use http::HeaderMap;

/// Stands in for a credential in a cassette.
pub(crate) const REDACTED: &str = "<redacted>";

/// Headers that carry credentials under any provider's convention.
const SECRET_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "api-key",
    "x-api-key",
    "cookie",
    "set-cookie",
    "openai-organization",
    "openai-project",
];

/// Framing headers: replay frames the body itself, and a re-serialized JSON
/// body would contradict a recorded `content-length`.
const FRAMING_HEADERS: &[&str] = &["content-length", "transfer-encoding", "connection"];

/// Whether a header or query parameter name looks like it carries a credential.
fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_HEADERS.contains(&name.as_str())
        // By word, so `x-ratelimit-remaining-tokens` stays readable.
        || name.split(['-', '_']).any(|word| {
            matches!(
                word,
                "key" | "apikey" | "token" | "secret" | "password" | "signature" | "sig" | "auth"
            )
        })
}

/// The headers as a cassette stores them: sorted, framing left out, and
/// credentials (by name, or marked sensitive by the client) redacted.
pub(crate) fn headers(headers: &HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.as_str();
        if FRAMING_HEADERS.contains(&name) {
            continue;
        }
        let value = if value.is_sensitive() || is_secret_name(name) {
            REDACTED.to_owned()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        out.entry(name.to_owned())
            .and_modify(|existing| {
                if existing != REDACTED {
                    existing.push_str(", ");
                    existing.push_str(&value);
                }
            })
            .or_insert(value);
    }
    out
}

/// Query parameters with credential-like ones (`api-key`, `token`, …) redacted.
pub(crate) fn query<'a>(
    pairs: impl Iterator<Item = (String, String)> + 'a,
) -> Vec<(String, String)> {
    pairs
        .map(|(name, value)| {
            if is_secret_name(&name) {
                (name, REDACTED.to_owned())
            } else {
                (name, value)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn credentials_are_redacted_and_framing_dropped() {
        let mut map = HeaderMap::new();
        map.insert("authorization", HeaderValue::from_static("Bearer sk-1"));
        map.insert("api-key", HeaderValue::from_static("azure-1"));
        map.insert("x-goog-api-key", HeaderValue::from_static("g-1"));
        let mut marked = HeaderValue::from_static("custom-1");
        marked.set_sensitive(true);
        map.insert("x-custom", marked);
        map.insert("content-length", HeaderValue::from_static("12"));
        map.insert("accept", HeaderValue::from_static("application/json"));
        map.insert(
            "x-ratelimit-remaining-tokens",
            HeaderValue::from_static("99"),
        );
        let out = headers(&map);
        let shown = format!("{out:?}");
        for secret in ["sk-1", "azure-1", "g-1", "custom-1"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(out["authorization"], REDACTED);
        assert_eq!(out["x-custom"], REDACTED);
        assert_eq!(out["accept"], "application/json");
        assert!(!out.contains_key("content-length"));
        assert_eq!(out["x-ratelimit-remaining-tokens"], "99");

        let pairs = query(
            [
                ("api-key".to_owned(), "q-1".to_owned()),
                ("limit".to_owned(), "1".to_owned()),
            ]
            .into_iter(),
        );
        assert_eq!(pairs[0].1, REDACTED);
        assert_eq!(pairs[1].1, "1");
    }
}
