//! OpenAI's size limits for strict schemas, checked once on the finished document.
//!
//! The guide does not say how nesting is counted across `$ref`, so this counts
//! conservatively: the root object is level 1, every object below it one more,
//! and references are followed (a reference back into a type being counted
//! adds nothing, as recursion is allowed).

use serde_json::{Map, Value};

/// At most this many object properties in the whole schema.
pub const MAX_PROPERTIES: usize = 5000;
/// At most this many levels of object nesting.
pub const MAX_NESTING: usize = 10;
/// At most this many enum values in the whole schema.
pub const MAX_ENUM_VALUES: usize = 1000;
/// Total characters of property names, definition names and enum values.
pub const MAX_TOTAL_CHARS: usize = 120_000;
/// A single enum with more than [`LARGE_ENUM`] values may total this many characters.
pub const MAX_LARGE_ENUM_CHARS: usize = 15_000;
/// Above this many values an enum counts as large.
pub const LARGE_ENUM: usize = 250;

#[derive(Default)]
struct Counts {
    properties: usize,
    enum_values: usize,
    chars: usize,
    problems: Vec<String>,
}

pub(crate) fn check(root: &Map<String, Value>) -> Vec<String> {
    let mut counts = Counts::default();
    count(root, &mut counts);
    if let Some(Value::Object(defs)) = root.get("$defs") {
        for (name, def) in defs {
            counts.chars += name.chars().count();
            if let Value::Object(def) = def {
                count(def, &mut counts);
            }
        }
    }
    let mut problems = counts.problems;
    if counts.properties > MAX_PROPERTIES {
        problems.push(format!(
            "the schema has {} object properties; strict mode allows at most {MAX_PROPERTIES}",
            counts.properties
        ));
    }
    if counts.enum_values > MAX_ENUM_VALUES {
        problems.push(format!(
            "the schema has {} enum values; strict mode allows at most {MAX_ENUM_VALUES}",
            counts.enum_values
        ));
    }
    if counts.chars > MAX_TOTAL_CHARS {
        problems.push(format!(
            "property names, definition names and enum values total {} characters; strict mode \
             allows at most {MAX_TOTAL_CHARS}",
            counts.chars
        ));
    }
    let depth = nesting(root, root, &mut vec!["#"]);
    if depth > MAX_NESTING {
        problems.push(format!(
            "objects are nested {depth} levels deep; strict mode allows at most {MAX_NESTING}"
        ));
    }
    problems
}

/// Counts one schema node and everything inside it except `$defs`, which the
/// caller counts once.
fn count(schema: &Map<String, Value>, counts: &mut Counts) {
    for (key, value) in schema {
        match (key.as_str(), value) {
            ("properties", Value::Object(properties)) => {
                counts.properties += properties.len();
                for (name, property) in properties {
                    counts.chars += name.chars().count();
                    if let Value::Object(property) = property {
                        count(property, counts);
                    }
                }
            }
            ("enum", Value::Array(values)) => {
                counts.enum_values += values.len();
                let chars: usize = values
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|s| s.chars().count())
                    .sum();
                counts.chars += chars;
                if values.len() > LARGE_ENUM && chars > MAX_LARGE_ENUM_CHARS {
                    counts.problems.push(format!(
                        "an enum with {} values totals {chars} characters; strict mode allows at \
                         most {MAX_LARGE_ENUM_CHARS} for enums of more than {LARGE_ENUM} values",
                        values.len()
                    ));
                }
            }
            ("const", Value::String(s)) => counts.chars += s.chars().count(),
            ("items", Value::Object(items)) => count(items, counts),
            ("anyOf", Value::Array(branches)) => {
                for branch in branches.iter().filter_map(Value::as_object) {
                    count(branch, counts);
                }
            }
            _ => {}
        }
    }
}

fn nesting<'a>(
    root: &'a Map<String, Value>,
    schema: &'a Map<String, Value>,
    visiting: &mut Vec<&'a str>,
) -> usize {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        if visiting.contains(&target) {
            return 0;
        }
        let resolved = if target == "#" {
            Some(root)
        } else {
            target
                .strip_prefix("#/$defs/")
                .and_then(|name| root.get("$defs")?.get(name)?.as_object())
        };
        let Some(resolved) = resolved else { return 0 };
        visiting.push(target);
        let depth = nesting(root, resolved, visiting);
        visiting.pop();
        return depth;
    }
    let is_object = schema.get("type").and_then(Value::as_str) == Some("object");
    let mut deepest = 0;
    let mut visit = |child: &'a Value, visiting: &mut Vec<&'a str>| {
        if let Value::Object(child) = child {
            deepest = deepest.max(nesting(root, child, visiting));
        }
    };
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for property in properties.values() {
            visit(property, visiting);
        }
    }
    if let Some(items) = schema.get("items") {
        visit(items, visiting);
    }
    if let Some(Value::Array(branches)) = schema.get("anyOf") {
        for branch in branches {
            visit(branch, visiting);
        }
    }
    deepest + usize::from(is_object)
}
