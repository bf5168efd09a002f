//! OpenAI's schema-wide size limits: property count, enum count and sizes,
//! total characters and nesting depth. The one implementation behind both
//! [`validate`](super::validate) and the schemas `#[derive(Tool)]` builds.
//!
//! A total over the whole schema does not say what to shrink, so each
//! message also names the largest single contributor, by JSON pointer.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::limits::{
    LARGE_ENUM_MAX_CHARS, LARGE_ENUM_THRESHOLD, MAX_ENUM_VALUES, MAX_NESTING_DEPTH, MAX_PROPERTIES,
    MAX_TOTAL_STRING_CHARS,
};
use super::pointer::{push, push_index, resolve};
use super::{Rule, Violation};

/// How many schemas deep the walkers recurse before giving up. Far above
/// [`MAX_NESTING_DEPTH`], so only already-invalid schemas reach it, and out of
/// reach of parsed JSON (serde_json stops at 128 nested arrays/objects, about
/// 64 schemas), it protects against stack overflow on `Value`s built in code.
/// 128 levels fit in a 1 MiB stack even in debug builds.
pub(crate) const MAX_WALK_DEPTH: usize = 128;

/// Every size-limit violation of `root`: the totals (pointing at the root),
/// each oversized string enum, and the first place nesting goes too deep.
pub(crate) fn check(root: &Value) -> Vec<Violation> {
    let mut counts = Counts::default();
    counts.walk(root, "", 0);
    if let Some(Value::Object(defs)) = root.get("$defs") {
        for (name, def) in defs {
            counts.chars += name.chars().count();
            counts.walk(def, &push("/$defs", name), 0);
        }
    }
    let mut out = std::mem::take(&mut counts.out);
    if counts.properties > MAX_PROPERTIES {
        out.push(Violation::new(
            "",
            Rule::TooManyProperties,
            format!(
                "the schema has {} object properties; strict mode allows at most \
                 {MAX_PROPERTIES}{}",
                counts.properties,
                counts.largest_object.describe("object", "properties"),
            ),
        ));
    }
    if counts.enum_values > MAX_ENUM_VALUES {
        out.push(Violation::new(
            "",
            Rule::TooManyEnumValues,
            format!(
                "the schema has {} enum values; strict mode allows at most {MAX_ENUM_VALUES}{}",
                counts.enum_values,
                counts.largest_enum.describe("enum", "values"),
            ),
        ));
    }
    if counts.chars > MAX_TOTAL_STRING_CHARS {
        out.push(Violation::new(
            "",
            Rule::TooManyCharacters,
            format!(
                "property names, `$defs` names, enum and const values total {} characters; \
                 strict mode allows at most {MAX_TOTAL_STRING_CHARS}{}",
                counts.chars,
                counts.most_chars.describe("contributor", "characters"),
            ),
        ));
    }
    if root.is_object() {
        let mut depth = Depth {
            root,
            walking: 0,
            memo: HashMap::new(),
            in_progress: Vec::new(),
        };
        depth.walk(root, "", 0, &mut out);
    }
    out
}

/// Character count of an enum / const value, as OpenAI's limit counts it.
fn value_chars(v: &Value) -> usize {
    match v {
        Value::String(s) => s.chars().count(),
        other => other.to_string().chars().count(),
    }
}

/// Totals over one document, `$defs` counted once where they are defined.
#[derive(Default)]
struct Counts {
    properties: usize,
    enum_values: usize,
    chars: usize,
    largest_object: Largest,
    largest_enum: Largest,
    most_chars: Largest,
    out: Vec<Violation>,
}

impl Counts {
    /// Counts `node` and every schema below it except `$defs`.
    fn walk(&mut self, node: &Value, ptr: &str, walking: usize) {
        let Value::Object(map) = node else {
            return;
        };
        if walking >= MAX_WALK_DEPTH {
            // `validate` reports the document as too deep here.
            return;
        }
        if let Some(Value::Object(properties)) = map.get("properties") {
            self.properties += properties.len();
            self.largest_object.offer(properties.len(), ptr);
            let names: usize = properties.keys().map(|name| name.chars().count()).sum();
            self.chars += names;
            self.most_chars.offer(names, ptr);
        }
        if let Some(c) = map.get("const") {
            self.chars += value_chars(c);
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            self.enumeration(values, ptr);
        }
        for (child, child_ptr) in children(map, ptr) {
            self.walk(child, &child_ptr, walking + 1);
        }
    }

    fn enumeration(&mut self, values: &[Value], ptr: &str) {
        self.enum_values += values.len();
        self.largest_enum.offer(values.len(), ptr);
        let chars: usize = values.iter().map(value_chars).sum();
        self.chars += chars;
        self.most_chars.offer(chars, ptr);
        let all_strings = values.iter().all(Value::is_string);
        if all_strings && values.len() > LARGE_ENUM_THRESHOLD && chars > LARGE_ENUM_MAX_CHARS {
            self.out.push(Violation::new(
                push(ptr, "enum"),
                Rule::LargeEnumTooLong,
                format!(
                    "string `enum` has {} values totalling {chars} characters; an enum with \
                     more than {LARGE_ENUM_THRESHOLD} values may total at most \
                     {LARGE_ENUM_MAX_CHARS}",
                    values.len()
                ),
            ));
        }
    }
}

/// The largest count seen so far and the pointer of the node that has it.
#[derive(Default)]
struct Largest(Option<(usize, String)>);

impl Largest {
    fn offer(&mut self, count: usize, ptr: &str) {
        if count > 0 && self.0.as_ref().is_none_or(|(best, _)| count > *best) {
            self.0 = Some((count, ptr.to_owned()));
        }
    }

    /// `"; the largest <what> is at `/a/b` (N <unit>)"`, or nothing.
    fn describe(&self, what: &str, unit: &str) -> String {
        match &self.0 {
            Some((count, ptr)) => {
                let at = if ptr.is_empty() { "the root" } else { ptr };
                format!("; the largest {what} is at `{at}` ({count} {unit})")
            }
            None => String::new(),
        }
    }
}

/// Whether a schema node is one nesting level: an object schema. The guide
/// states the limit under "Objects have limitations on nesting depth and
/// size", so arrays (`Vec<Vec<T>>`) and unions are not levels of their own.
fn level(map: &Map<String, Value>) -> usize {
    let nests = match map.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        _ => map.contains_key("properties"),
    };
    usize::from(nests)
}

/// Sub-schemas that sit one step below `map`, with their pointers. Rejected
/// composition keywords are followed too, so the count stays conservative.
fn children<'a>(map: &'a Map<String, Value>, ptr: &str) -> Vec<(&'a Value, String)> {
    let mut out = Vec::new();
    if let Some(Value::Object(props)) = map.get("properties") {
        let base = push(ptr, "properties");
        out.extend(props.iter().map(|(k, v)| (v, push(&base, k))));
    }
    for kw in ["items", "additionalProperties"] {
        if let Some(v @ Value::Object(_)) = map.get(kw) {
            out.push((v, push(ptr, kw)));
        }
    }
    for kw in ["anyOf", "oneOf", "allOf"] {
        if let Some(Value::Array(branches)) = map.get(kw) {
            let base = push(ptr, kw);
            out.extend(
                branches
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v, push_index(&base, i))),
            );
        }
    }
    out
}

struct Depth<'a> {
    root: &'a Value,
    /// Current recursion depth of `walk` and `height`.
    walking: usize,
    /// Height (levels at and below) of each `$ref` target, computed once so
    /// that shared definitions do not make the walk exponential.
    memo: HashMap<&'a str, usize>,
    /// `$ref` targets on the current path: a reference back into one of them
    /// is recursion, which OpenAI allows, so it adds nothing.
    in_progress: Vec<&'a str>,
}

impl<'a> Depth<'a> {
    /// Top-down over the document (not into `$defs`, which are measured where
    /// they are referenced), reporting where the limit is first exceeded.
    fn walk(&mut self, node: &'a Value, ptr: &str, above: usize, out: &mut Vec<Violation>) {
        let Value::Object(map) = node else {
            return;
        };
        // Arrays are not levels, so the level limit alone does not bound the
        // recursion; past the walk limit `validate` has reported the document.
        if self.walking >= MAX_WALK_DEPTH {
            return;
        }
        let here = above + level(map);
        if here > MAX_NESTING_DEPTH {
            out.push(Violation::new(
                ptr,
                Rule::TooDeep,
                format!(
                    "nesting reaches {here} levels here (each object schema is one level); the limit is {MAX_NESTING_DEPTH}"
                ),
            ));
            return;
        }
        if let Some(Value::String(r)) = map.get("$ref") {
            let total = here + self.ref_height(r);
            if total > MAX_NESTING_DEPTH {
                out.push(Violation::new(
                    ptr,
                    Rule::TooDeep,
                    format!(
                        "following `$ref` {r:?} nests {total} levels deep (each object schema is \
                         one level); the limit is {MAX_NESTING_DEPTH}"
                    ),
                ));
            }
        }
        self.walking += 1;
        for (child, child_ptr) in children(map, ptr) {
            self.walk(child, &child_ptr, here, out);
        }
        self.walking -= 1;
    }

    fn height(&mut self, node: &'a Value) -> usize {
        let Value::Object(map) = node else {
            return 0;
        };
        if self.walking >= MAX_WALK_DEPTH {
            // Certainly over the limit; report it rather than recurse on.
            return MAX_WALK_DEPTH;
        }
        self.walking += 1;
        let h = self.height_inner(map);
        self.walking -= 1;
        h
    }

    fn height_inner(&mut self, map: &'a Map<String, Value>) -> usize {
        let mut below = 0;
        if let Some(Value::String(r)) = map.get("$ref") {
            below = self.ref_height(r);
        }
        for (child, _) in children(map, "") {
            below = below.max(self.height(child));
        }
        level(map) + below
    }

    fn ref_height(&mut self, reference: &'a str) -> usize {
        if let Some(&h) = self.memo.get(reference) {
            return h;
        }
        if self.in_progress.contains(&reference) {
            return 0;
        }
        let Some(target) = resolve(self.root, reference) else {
            return 0;
        };
        self.in_progress.push(reference);
        let h = self.height(target);
        self.in_progress.pop();
        self.memo.insert(reference, h);
        h
    }
}
