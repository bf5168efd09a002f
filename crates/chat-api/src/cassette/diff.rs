//! How a request differs from a recording, as JSON paths, for miss errors.

use serde_json::Value;

use super::error::Difference;

/// The places where `recorded` and `sent` differ, in document order; both
/// are compared as given (callers pass canonical bodies).
pub(crate) fn differences(recorded: &Value, sent: &Value) -> Vec<Difference> {
    let mut out = Vec::new();
    walk(String::new(), Some(recorded), Some(sent), &mut out);
    out
}

fn walk(path: String, recorded: Option<&Value>, sent: Option<&Value>, out: &mut Vec<Difference>) {
    match (recorded, sent) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            for (key, value) in a {
                walk(field(&path, key), Some(value), b.get(key), out);
            }
            for (key, value) in b.iter().filter(|(k, _)| !a.contains_key(*k)) {
                walk(field(&path, key), None, Some(value), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                walk(format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(Difference {
            path: if path.is_empty() {
                ".".to_owned()
            } else {
                path
            },
            recorded: a.cloned(),
            sent: b.cloned(),
        }),
    }
}

/// `parent.key`, or `parent["odd key"]` when the key is not a plain name.
fn field(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (plain, parent.is_empty()) {
        (true, true) => key.to_owned(),
        (true, false) => format!("{parent}.{key}"),
        (false, _) => format!("{parent}[{}]", Value::from(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_fields_and_elements() {
        let recorded =
            json!({"model": "m", "messages": [{"content": "x"}, {"content": "a"}], "odd key": 1});
        let sent = json!({"model": "m", "messages": [{"content": "y"}, {"content": "a"}, {"content": "z"}], "n": 2});
        let shown: Vec<String> = differences(&recorded, &sent)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            shown,
            [
                r#"messages[0].content: "x" ≠ "y""#,
                r#"messages[2]: (absent) ≠ {"content":"z"}"#,
                r#"["odd key"]: 1 ≠ (absent)"#,
                "n: (absent) ≠ 2",
            ]
        );
        assert!(differences(&recorded, &recorded).is_empty());
        assert_eq!(differences(&json!(1), &json!(2))[0].path, ".");
    }
}
