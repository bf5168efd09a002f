//! Schema-wide size limits: property count, enum count, total characters and
//! nesting depth.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::limits::{MAX_ENUM_VALUES, MAX_NESTING_DEPTH, MAX_PROPERTIES, MAX_TOTAL_STRING_CHARS};
use super::pointer::{push, push_index, resolve};
use super::{Rule, Violation};

/// How many schemas deep the walkers recurse before giving up. Far above
/// [`MAX_NESTING_DEPTH`], so only already-invalid schemas reach it, and out of
/// reach of parsed JSON (serde_json stops at 128 nested arrays/objects, about
/// 64 schemas), it protects against stack overflow on `Value`s built in code.
/// 128 levels fit in a 1 MiB stack even in debug builds.
pub(crate) const MAX_WALK_DEPTH: usize = 128;

/// Totals gathered by the validator's single walk over the document.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) properties: usize,
    pub(crate) enum_values: usize,
    pub(crate) chars: usize,
}

pub(crate) fn check(root: &Value, stats: &Stats, out: &mut Vec<Violation>) {
    if stats.properties > MAX_PROPERTIES {
        out.push(Violation::new(
            "",
            Rule::TooManyProperties,
            format!(
                "the schema has {} object properties in total; the limit is {MAX_PROPERTIES}",
                stats.properties
            ),
        ));
    }
    if stats.enum_values > MAX_ENUM_VALUES {
        out.push(Violation::new(
            "",
            Rule::TooManyEnumValues,
            format!(
                "the schema has {} enum values in total; the limit is {MAX_ENUM_VALUES}",
                stats.enum_values
            ),
        ));
    }
    if stats.chars > MAX_TOTAL_STRING_CHARS {
        out.push(Violation::new(
            "",
            Rule::TooManyCharacters,
            format!(
                "property names, $defs names, enum and const values total {} characters; the \
                 limit is {MAX_TOTAL_STRING_CHARS}",
                stats.chars
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
        depth.walk(root, "", 0, out);
    }
}

/// Whether a schema node is one nesting level (an object or array schema).
fn level(map: &Map<String, Value>) -> usize {
    let is = |t: &str| t == "object" || t == "array";
    let nests = match map.get("type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(ts)) => ts.iter().any(|t| t.as_str().is_some_and(is)),
        _ => map.contains_key("properties") || map.contains_key("items"),
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
    /// Current recursion depth of `height`.
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
        // `walk` stops one level past the limit, so it needs no guard of its
        // own; `height` below does.
        let Value::Object(map) = node else {
            return;
        };
        let here = above + level(map);
        if here > MAX_NESTING_DEPTH {
            out.push(Violation::new(
                ptr,
                Rule::TooDeep,
                format!(
                    "nesting reaches {here} levels here (each object or array schema is one \
                     level); the limit is {MAX_NESTING_DEPTH}"
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
                        "following `$ref` {r:?} nests {total} levels deep (each object or array \
                         schema is one level); the limit is {MAX_NESTING_DEPTH}"
                    ),
                ));
            }
        }
        for (child, child_ptr) in children(map, ptr) {
            self.walk(child, &child_ptr, here, out);
        }
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
