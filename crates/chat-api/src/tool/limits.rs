//! OpenAI's size limits for strict schemas, checked once on the finished document.
//!
//! The guide does not say how nesting is counted across `$ref`, so this counts
//! conservatively: the root object is level 1, every object below it one more,
//! and references are followed (a reference back into a type being counted
//! adds nothing, as recursion is allowed).
//!
//! A total over the whole schema does not say what to shrink, so each message
//! also names the largest single contributor and where it is (JSON property
//! names joined by dots, `[]` for array items, `$defs.Name` in definitions).

use serde_json::{Map, Value};

// One set of figures for the derive's check and `strict::validate`; the
// names here are the ones this module has always exported.
pub use crate::strict::limits::{
    LARGE_ENUM_MAX_CHARS as MAX_LARGE_ENUM_CHARS, LARGE_ENUM_THRESHOLD as LARGE_ENUM,
    MAX_ENUM_VALUES, MAX_NESTING_DEPTH as MAX_NESTING, MAX_PROPERTIES,
    MAX_TOTAL_STRING_CHARS as MAX_TOTAL_CHARS,
};

#[derive(Default)]
struct Counts {
    properties: usize,
    enum_values: usize,
    chars: usize,
    /// The single largest contributor to each total, with where it is: a
    /// total over the whole schema says nothing about what to shrink.
    largest_object: Largest,
    largest_enum: Largest,
    most_chars: Largest,
    problems: Vec<String>,
}

/// The largest count seen so far and the path of the node that has it.
#[derive(Default)]
struct Largest(Option<(usize, String)>);

impl Largest {
    fn offer(&mut self, count: usize, path: &[String]) {
        if count > 0 && self.0.as_ref().is_none_or(|(best, _)| count > *best) {
            self.0 = Some((count, display(path)));
        }
    }

    /// `"; the largest <what> is at `a.b` (N <unit>)"`, or nothing.
    fn describe(&self, what: &str, unit: &str) -> String {
        match &self.0 {
            Some((count, path)) => format!("; the largest {what} is {path} ({count} {unit})"),
            None => String::new(),
        }
    }
}

/// A path as the user reads it: JSON property names joined by dots, `[]`
/// for array items, `$defs.Name` inside definitions.
fn display(path: &[String]) -> String {
    if path.is_empty() {
        return "the root".to_owned();
    }
    let mut out = String::new();
    for segment in path {
        if segment != "[]" && !out.is_empty() {
            out.push('.');
        }
        out.push_str(segment);
    }
    format!("at `{out}`")
}

pub(crate) fn check(root: &Map<String, Value>) -> Vec<String> {
    let mut counts = Counts::default();
    let mut path = Vec::new();
    count(root, &mut path, &mut counts);
    if let Some(Value::Object(defs)) = root.get("$defs") {
        for (name, def) in defs {
            counts.chars += name.chars().count();
            if let Value::Object(def) = def {
                let mut path = vec!["$defs".to_owned(), name.clone()];
                count(def, &mut path, &mut counts);
            }
        }
    }
    let mut problems = counts.problems;
    if counts.properties > MAX_PROPERTIES {
        problems.push(format!(
            "the schema has {} object properties; strict mode allows at most {MAX_PROPERTIES}{}",
            counts.properties,
            counts.largest_object.describe("object", "properties"),
        ));
    }
    if counts.enum_values > MAX_ENUM_VALUES {
        problems.push(format!(
            "the schema has {} enum values; strict mode allows at most {MAX_ENUM_VALUES}{}",
            counts.enum_values,
            counts.largest_enum.describe("enum", "values"),
        ));
    }
    if counts.chars > MAX_TOTAL_CHARS {
        problems.push(format!(
            "property names, definition names and enum values total {} characters; strict mode \
             allows at most {MAX_TOTAL_CHARS}{}",
            counts.chars,
            counts.most_chars.describe("contributor", "characters"),
        ));
    }
    let (depth, deepest) = nesting(root, root, &mut vec!["#"]);
    if depth > MAX_NESTING {
        problems.push(format!(
            "objects are nested {depth} levels deep, {}; strict mode allows at most {MAX_NESTING}",
            display(&deepest)
        ));
    }
    problems
}

/// Counts one schema node and everything inside it except `$defs`, which the
/// caller counts once. `path` is where the node is.
fn count(schema: &Map<String, Value>, path: &mut Vec<String>, counts: &mut Counts) {
    for (key, value) in schema {
        match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => {
                counts.properties += properties.len();
                counts.largest_object.offer(properties.len(), path);
                let names: usize = properties.keys().map(|name| name.chars().count()).sum();
                counts.chars += names;
                counts.most_chars.offer(names, path);
                for (name, property) in properties {
                    if let Value::Object(property) = property {
                        path.push(name.clone());
                        count(property, path, counts);
                        path.pop();
                    }
                }
            }
            ("enum", Value::Array(values)) => {
                counts.enum_values += values.len();
                counts.largest_enum.offer(values.len(), path);
                let chars: usize = values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| s.chars().count())
                    .sum();
                counts.chars += chars;
                counts.most_chars.offer(chars, path);
                if values.len() > LARGE_ENUM && chars > MAX_LARGE_ENUM_CHARS {
                    counts.problems.push(format!(
                        "the enum {} has {} values totalling {chars} characters; strict mode \
                         allows at most {MAX_LARGE_ENUM_CHARS} for enums of more than {LARGE_ENUM} \
                         values",
                        display(path),
                        values.len()
                    ));
                }
            }
            ("const", Value::String(s)) => counts.chars += s.chars().count(),
            ("items", Value::Object(items)) => {
                path.push("[]".to_owned());
                count(items, path, counts);
                path.pop();
            }
            // A branch is at the same place in the JSON as the union.
            ("anyOf", Value::Array(branches)) => {
                for branch in branches.iter().filter_map(Value::as_object) {
                    count(branch, path, counts);
                }
            }
            _ => {}
        }
    }
}

/// The deepest object nesting below `schema` and the path to the deepest
/// object.
fn nesting<'a>(
    root: &'a Map<String, Value>,
    schema: &'a Map<String, Value>,
    visiting: &mut Vec<&'a str>,
) -> (usize, Vec<String>) {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        if visiting.contains(&target) {
            return (0, Vec::new());
        }
        let resolved = if target == "#" {
            Some(root)
        } else {
            target
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs")?.get(name)?.as_object())
        };
        let Some(resolved) = resolved else {
            return (0, Vec::new());
        };
        visiting.push(target);
        let deepest = nesting(root, resolved, visiting);
        visiting.pop();
        return deepest;
    }
    let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
    let mut deepest = (0, Vec::new());
    let mut visit = |child: &'a Value, segment: Option<&str>, visiting: &mut Vec<&'a str>| {
        if let Value::Object(child) = child {
            let (depth, mut path) = nesting(root, child, visiting);
            if depth > deepest.0 {
                if let Some(segment) = segment {
                    path.insert(0, segment.to_owned());
                }
                deepest = (depth, path);
            }
        }
    };
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for (name, property) in properties {
            visit(property, Some(name), visiting);
        }
    }
    if let Some(items) = schema.get("items") {
        visit(items, Some("[]"), visiting);
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        for branch in branches {
            visit(branch, None, visiting);
        }
    }
    (deepest.0 + usize::from(is_object), deepest.1)
}

#[cfg(test)]
mod tests {
    use serde_json::{Map, Value, json};

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    /// A closed object with `n` integer properties named `{prefix}{i}`.
    fn wide(prefix: &str, n: usize) -> Value {
        let properties: Map<String, Value> = (0..n)
            .map(|i| (format!("{prefix}{i}"), json!({"type": "integer"})))
            .collect();
        let required: Vec<Value> = properties.keys().map(|k| Value::from(k.as_str())).collect();
        json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false
        })
    }

    fn string_enum(prefix: &str, n: usize) -> Value {
        let values: Vec<Value> = (0..n)
            .map(|i| Value::from(format!("{prefix}{i}")))
            .collect();
        json!({"type": "string", "enum": values})
    }

    fn root(properties: Vec<(&str, Value)>) -> Map<String, Value> {
        let properties: Map<String, Value> = properties
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let required: Vec<Value> = properties.keys().map(|k| Value::from(k.as_str())).collect();
        object(json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false
        }))
    }

    #[test]
    fn property_limit_is_inclusive_and_names_the_largest_object() {
        // 2 + 3000 + 1998 = 5000: at the limit.
        let at = root(vec![("a", wide("p", 3000)), ("b", wide("q", 1998))]);
        assert_eq!(check(&at), Vec::<String>::new());
        let over = root(vec![("a", wide("p", 3000)), ("b", wide("q", 1999))]);
        assert_eq!(
            check(&over),
            [
                "the schema has 5001 object properties; strict mode allows at most 5000; the \
              largest object is at `a` (3000 properties)"
            ]
        );
    }

    #[test]
    fn properties_in_defs_and_array_items_count_with_their_path() {
        let mut schema = root(vec![
            ("list", json!({"type": "array", "items": wide("p", 4000)})),
            ("node", json!({"$ref": "#/$defs/Node"})),
        ]);
        schema.insert("$defs".into(), json!({"Node": wide("q", 1000)}));
        let problems = check(&schema);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("the schema has 5002 object properties")
                && problems[0].ends_with("the largest object is at `list[]` (4000 properties)"),
            "{problems:?}"
        );
        // The definition itself is where its properties are.
        let mut schema = root(vec![("node", json!({"$ref": "#/$defs/Node"}))]);
        schema.insert("$defs".into(), json!({"Node": wide("q", 5000)}));
        assert!(
            check(&schema)[0].ends_with("at `$defs.Node` (5000 properties)"),
            "{:?}",
            check(&schema)
        );
    }

    #[test]
    fn enum_value_limit_is_inclusive_and_names_the_largest_enum() {
        let at = root(vec![
            ("a", string_enum("v", 600)),
            ("b", string_enum("w", 400)),
        ]);
        assert_eq!(check(&at), Vec::<String>::new());
        let over = root(vec![
            ("a", string_enum("v", 600)),
            (
                "b",
                json!({"anyOf": [string_enum("w", 401), {"type": "null"}]}),
            ),
        ]);
        assert_eq!(
            check(&over),
            [
                "the schema has 1001 enum values; strict mode allows at most 1000; the largest \
              enum is at `a` (600 values)"
            ]
        );
    }

    #[test]
    fn character_limit_counts_names_and_enum_values() {
        // 40 objects of 100 properties named `xx…x{i}_{j}` (at least 30
        // characters each): over 120,000 characters, but only 4040 properties.
        let long = "x".repeat(28);
        let fields: Vec<(String, Value)> = (0..40)
            .map(|i| (format!("f{i}"), wide(&format!("{long}{i}_"), 100)))
            .collect();
        let schema = root(
            fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect(),
        );
        let problems = check(&schema);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("property names, definition names and enum values total ")
                && problems[0].contains("characters; strict mode allows at most 120000")
                && problems[0].contains("the largest contributor is at `f"),
            "{problems:?}"
        );

        // Enum values count too: 600 values of 200 characters plus their
        // numbers (10 + 90 * 2 + 500 * 3 = 1690 digits).
        let value = "v".repeat(200);
        let values: Vec<Value> = (0..600)
            .map(|i| Value::from(format!("{value}{i}")))
            .collect();
        let mut schema = root(vec![("e", json!({"$ref": "#/$defs/E"}))]);
        schema.insert(
            "$defs".into(),
            json!({"E": {"type": "string", "enum": values}}),
        );
        let problems = check(&schema);
        assert!(
            problems.iter().any(
                |p| p.contains("characters; strict mode allows at most 120000")
                    && p.ends_with("the largest contributor is at `$defs.E` (121690 characters)")
            ),
            "{problems:?}"
        );
        // ... and the enum alone breaks the per-enum rule for large enums.
        assert!(
            problems.iter().any(|p| p.starts_with(
                "the enum at `$defs.E` has 600 values totalling 121690 characters; strict mode \
                 allows at most 15000"
            )),
            "{problems:?}"
        );
    }

    #[test]
    fn under_every_limit_reports_nothing() {
        let schema = root(vec![("a", wide("p", 10)), ("b", string_enum("v", 10))]);
        assert_eq!(check(&schema), Vec::<String>::new());
    }
}
