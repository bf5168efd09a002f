//! When a request matches a recording: method, path, query and the canonical
//! form of the JSON body, minus the fields the user chose to ignore.

use serde_json::{Map, Number, Value};

use super::file::RecordedRequest;

/// What two requests must share to match, as one string (also hashed into
/// file names, so it must not depend on anything but the request).
pub(crate) fn key(request: &RecordedRequest, ignored: &[String]) -> String {
    let body = request
        .body
        .as_ref()
        .map(|body| canonical_body(body, ignored).to_string())
        .unwrap_or_default();
    format!("{}\n{body}", request_line(request))
}

/// `POST /chat/completions?limit=1`: method, path and query as sent.
pub(crate) fn request_line(request: &RecordedRequest) -> String {
    let mut line = format!("{} {}", request.method, request.path);
    for (i, (name, value)) in request.query.iter().enumerate() {
        line.push(if i == 0 { '?' } else { '&' });
        line.push_str(name);
        line.push('=');
        line.push_str(value);
    }
    line
}

/// The body with ignored fields removed, object keys sorted and numbers in
/// one spelling.
pub(crate) fn canonical_body(body: &Value, ignored: &[String]) -> Value {
    let mut body = canonical(body);
    for path in ignored {
        let segments: Vec<&str> = path.split('.').collect();
        remove(&mut body, &segments);
    }
    body
}

fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        Value::Number(n) => Value::Number(canonical_number(n)),
        other => other.clone(),
    }
}

/// `1`, `1.0` and `1e0` are one number; so are `0.5` and `5e-1`.
fn canonical_number(n: &Number) -> Number {
    if n.is_i64() || n.is_u64() {
        return n.clone();
    }
    match n.as_f64() {
        // Below 2^53 an integral float is exactly that integer.
        Some(f) if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 => Number::from(f as i64),
        Some(f) => Number::from_f64(f).unwrap_or_else(|| n.clone()),
        None => n.clone(),
    }
}

/// Removes what `segments` (keys, indices, `*` for all) leads to.
fn remove(value: &mut Value, segments: &[&str]) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    match value {
        Value::Object(map) => {
            if rest.is_empty() {
                if *first == "*" {
                    map.clear();
                } else {
                    map.remove(*first);
                }
            } else if *first == "*" {
                map.values_mut().for_each(|v| remove(v, rest));
            } else if let Some(v) = map.get_mut(*first) {
                remove(v, rest);
            }
        }
        Value::Array(items) => {
            if *first == "*" {
                if rest.is_empty() {
                    items.clear();
                } else {
                    items.iter_mut().for_each(|v| remove(v, rest));
                }
            } else if let Ok(index) = first.parse::<usize>()
                && index < items.len()
            {
                if rest.is_empty() {
                    items[index] = Value::Null;
                } else {
                    remove(&mut items[index], rest);
                }
            }
        }
        _ => {}
    }
}

/// FNV-1a: a hash that is the same on every machine and Rust version, for file names.
pub(crate) fn fingerprint(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `post-chat-completions-<hash>-<n>.json`: readable, and unique per request
/// and sequence number.
pub(crate) fn file_name(request: &RecordedRequest, key: &str, sequence: usize) -> String {
    let mut slug = request.method.to_ascii_lowercase();
    for c in request.path.chars() {
        let c = if c.is_ascii_alphanumeric() {
            c.to_ascii_lowercase()
        } else {
            '-'
        };
        if !(c == '-' && slug.ends_with('-')) {
            slug.push(c);
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    format!("{slug}-{:016x}-{sequence}.json", fingerprint(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(body: Value) -> RecordedRequest {
        RecordedRequest {
            method: "POST".into(),
            path: "/chat/completions".into(),
            query: vec![],
            headers: Default::default(),
            body: Some(body),
        }
    }

    #[test]
    fn key_order_and_number_spelling_do_not_matter() {
        let a: Value =
            serde_json::from_str(r#"{"model": "m", "temperature": 1, "top_p": 0.5}"#).unwrap();
        let b: Value =
            serde_json::from_str(r#"{"top_p": 5e-1, "temperature": 1.0, "model": "m"}"#).unwrap();
        assert_eq!(key(&request(a), &[]), key(&request(b), &[]));
        let c = json!({"model": "m", "temperature": 2, "top_p": 0.5});
        assert_ne!(key(&request(c), &[]), key(&request(json!({})), &[]));
    }

    #[test]
    fn ignored_fields_are_left_out() {
        let ignored = ["user".to_owned(), "messages.*.name".to_owned()];
        let a = json!({"user": "a", "messages": [{"role": "user", "name": "x", "content": "hi"}]});
        let b = json!({"user": "b", "messages": [{"role": "user", "name": "y", "content": "hi"}]});
        assert_eq!(
            key(&request(a.clone()), &ignored),
            key(&request(b), &ignored)
        );
        let c = json!({"user": "a", "messages": [{"role": "user", "name": "x", "content": "ho"}]});
        assert_ne!(key(&request(a), &ignored), key(&request(c), &ignored));
    }

    #[test]
    fn file_names_are_stable_and_readable() {
        let r = request(json!({"model": "m"}));
        let name = file_name(&r, &key(&r, &[]), 2);
        assert!(name.starts_with("post-chat-completions-"), "{name}");
        assert!(name.ends_with("-2.json"), "{name}");
        assert_eq!(fingerprint("abc"), 0xe71f_a219_0541_574b);
    }
}
