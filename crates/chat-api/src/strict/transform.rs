//! Rewriting general schemas into the strict dialect.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use super::limit_check::MAX_WALK_DEPTH;
use super::limits::ALLOWED_FORMATS;
use super::pointer::{push, push_index};
use super::validate::{SUPPORTED_KEYWORDS, rejection_reason, validate};
use super::{Rule, Violation, Violations};

/// Annotations that carry no constraint, so dropping them loses nothing the
/// model needs (`description` is kept).
const DROPPED_ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "title",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
];

/// Rewrites a general JSON Schema (as `schemars` 1.x emits it) into one that
/// OpenAI strict mode accepts, or explains why that is impossible.
///
/// The result always passes [`validate`](super::validate). Rewrites:
///
/// - Objects are closed (`"additionalProperties": false`, `"properties": {}`
///   added when missing) and every property becomes required. A property that
///   was optional becomes nullable: `"type": [T, "null"]` for a primitive,
///   `{"anyOf": [T, {"type": "null"}]}` for objects, arrays, enums and `$ref`s.
///   **Your deserializer must accept `null` for those fields**: fine for
///   `Option<T>`, but a non-`Option` `#[serde(default)]` field needs a
///   null-to-default deserializer.
/// - `oneOf` becomes `anyOf`; a single-entry `allOf` is flattened, and a
///   multi-entry one is merged when its entries are inline objects that do not
///   conflict.
/// - A `$ref` with siblings becomes `{"description": ..., "anyOf": [{"$ref": ...}]}`.
/// - `definitions` becomes `$defs` and `$ref`s follow; a root `$ref` is inlined
///   and references to it become `#`.
/// - `title`, `$schema`, `$id`, `examples` and similar annotations are dropped;
///   a non-null `default`, `uniqueItems` and a non-standard string `format` are
///   moved into `description` text.
/// - Integer formats (`int32`, `uint8`, …) are dropped; 8/16/32-bit ones are
///   replaced by `minimum`/`maximum` bounds, unsigned 64-bit ones by
///   `minimum: 0`. `float`/`double` are dropped.
/// - `enum` with `null` in it (or with `"null"` in `type`) becomes
///   `{"anyOf": [{"type": T, "enum": [...]}, {"type": "null"}]}`; an `enum` or
///   `const` without `type` gets one inferred from its values.
///
/// Property order, which OpenAI generates keys in, is carried by the new
/// `required`: the properties the input's `required` listed come first, in
/// its order, then the others sorted by name (the order of a map's keys is
/// the insertion order only with serde_json's `preserve_order`, so the result
/// is the same with or without it). Send the result as a
/// [`Schema`](crate::schema::Schema) (`Schema::try_from(value)`), which writes
/// `properties` in that order; a `Value` writes them in key order.
///
/// # Errors
///
/// Shapes strict mode cannot express are reported, all at once, as
/// [`Violations`]: open maps (`additionalProperties: {schema}` or `true`),
/// `true` / `false` / `{}` schemas (e.g. `serde_json::Value`), tuples, a root
/// that is not an object (a Rust enum), unmergeable `allOf`, and keywords with
/// no strict equivalent. Their pointers refer to the **input** schema. If the
/// rewritten schema still fails [`validate`](super::validate) (size limits, a
/// dangling `$ref`, …) those violations are returned instead, and their
/// pointers refer to the rewritten schema.
///
/// # Example
///
/// ```
/// use chat_api::strict;
/// use serde_json::json;
///
/// // What schemars 1.x emits for
/// // `struct Args { city: String, days: Option<u8> }`.
/// let general = json!({
///     "$schema": "https://json-schema.org/draft/2020-12/schema",
///     "title": "Args",
///     "type": "object",
///     "properties": {
///         "city": { "type": "string" },
///         "days": { "type": ["integer", "null"], "format": "uint8",
///                   "minimum": 0, "maximum": 255 }
///     },
///     "required": ["city"]
/// });
/// let strict_schema = strict::transform(general)?;
/// assert_eq!(strict_schema, json!({
///     "type": "object",
///     "properties": {
///         "city": { "type": "string" },
///         "days": { "type": ["integer", "null"], "minimum": 0, "maximum": 255 }
///     },
///     "required": ["city", "days"],
///     "additionalProperties": false
/// }));
/// assert!(strict::validate(&strict_schema).is_ok());
///
/// // A HashMap field cannot be made strict.
/// let map = json!({
///     "type": "object",
///     "properties": { "env": { "type": "object",
///                              "additionalProperties": { "type": "string" } } }
/// });
/// let errors = strict::transform(map).unwrap_err();
/// assert_eq!(errors[0].pointer(), "/properties/env/additionalProperties");
/// # Ok::<(), strict::Violations>(())
/// ```
pub fn transform(schema: Value) -> Result<Value, Violations> {
    let mut t = Transformer::default();
    let out = t.run(schema);
    if !t.errors.is_empty() {
        drop_flat(out);
        return Err(Violations::from_vec(t.errors));
    }
    validate(&out)?;
    Ok(out)
}

/// Drops a value without recursing into it. A `Value` nested thousands of
/// levels deep (which code can build, past the parser's limit) would
/// overflow the stack dropping itself, sooner with serde_json's default
/// `BTreeMap` maps than with `preserve_order`'s `IndexMap`; the walk stops
/// at `MAX_WALK_DEPTH`, and so must the drop of what it gave up on.
fn drop_flat(value: Value) {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

#[derive(Default)]
struct Transformer {
    errors: Vec<Violation>,
    /// Escaped `$defs` name of the definition inlined as the root, whose
    /// references must become `#`.
    root_def: Option<String>,
    /// Escaped names of all definitions, to catch dangling references early.
    def_tokens: HashSet<String>,
    /// Current recursion depth of `node`.
    walking: usize,
}

fn escape_token(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

fn unescape_token(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends a sentence to `description`, creating it first if needed.
fn note(map: &mut Map<String, Value>, sentence: &str) {
    match map.get_mut("description") {
        Some(Value::String(d)) if !d.trim().is_empty() => {
            d.push_str("\n\n");
            d.push_str(sentence);
        }
        _ => {
            map.insert("description".to_owned(), Value::String(sentence.to_owned()));
        }
    }
}

/// Renames a key (where it is written is up to [`Schema`](crate::schema::Schema)).
fn rename_key(map: &mut Map<String, Value>, from: &str, to: &str) {
    if let Some(value) = map.remove(from) {
        map.insert(to.to_owned(), value);
    }
}

fn type_names(map: &Map<String, Value>) -> Vec<&str> {
    match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn admits_null(v: &Value) -> bool {
    let Value::Object(map) = v else {
        return matches!(v, Value::Bool(true));
    };
    type_names(map).contains(&"null")
        || matches!(map.get("const"), Some(Value::Null))
        || matches!(map.get("enum"), Some(Value::Array(vs)) if vs.iter().any(Value::is_null))
        || matches!(map.get("anyOf"), Some(Value::Array(bs)) if bs.iter().any(admits_null))
}

/// Makes a (transformed) schema accept `null` too.
fn make_nullable(v: Value) -> Value {
    if admits_null(&v) {
        return v;
    }
    let Value::Object(mut map) = v else {
        return v;
    };
    let compound = |t: &str| t == "object" || t == "array";
    if !map.contains_key("enum") && !map.contains_key("const") && !map.contains_key("$ref") {
        match map.get_mut("type") {
            Some(Value::String(t)) if !compound(t) => {
                let t = std::mem::take(t);
                map.insert("type".to_owned(), json!([t, "null"]));
                return Value::Object(map);
            }
            Some(Value::Array(ts)) if !ts.iter().any(|t| t.as_str().is_some_and(compound)) => {
                ts.push(json!("null"));
                return Value::Object(map);
            }
            None => {
                if let Some(Value::Array(branches)) = map.get_mut("anyOf") {
                    branches.push(json!({"type": "null"}));
                    return Value::Object(map);
                }
            }
            _ => {}
        }
    }
    wrap_nullable(map)
}

/// `{description?, anyOf: [inner, {type: null}]}`, keeping the description
/// outside where the model sees it first.
fn wrap_nullable(mut inner: Map<String, Value>) -> Value {
    let mut out = Map::new();
    if let Some(d) = inner.remove("description") {
        out.insert("description".to_owned(), d);
    }
    out.insert(
        "anyOf".to_owned(),
        // Built by hand: `json!` would deep-copy `inner` through `to_value`.
        Value::Array(vec![Value::Object(inner), json!({"type": "null"})]),
    );
    Value::Object(out)
}

/// The JSON Schema type shared by all `values`, if there is exactly one.
fn infer_type<'v>(values: impl Iterator<Item = &'v Value>) -> Option<&'static str> {
    let mut found: Option<&'static str> = None;
    for v in values {
        let t = match v {
            Value::Null => continue,
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            _ => return None,
        };
        found = match (found, t) {
            (None, t) => Some(t),
            (Some(a), b) if a == b => Some(a),
            (Some("integer"), "number") | (Some("number"), "integer") => Some("number"),
            _ => return None,
        };
    }
    found
}

/// `(minimum, maximum)` implied by schemars' integer formats, or `None` for
/// formats that only need removing.
fn integer_bounds(format: &str) -> Option<(Value, Option<Value>)> {
    Some(match format {
        "int8" => (json!(i8::MIN), Some(json!(i8::MAX))),
        "int16" => (json!(i16::MIN), Some(json!(i16::MAX))),
        "int32" => (json!(i32::MIN), Some(json!(i32::MAX))),
        "uint8" => (json!(0), Some(json!(u8::MAX))),
        "uint16" => (json!(0), Some(json!(u16::MAX))),
        "uint32" => (json!(0), Some(json!(u32::MAX))),
        // 64-bit bounds are left out: values that large are not exactly
        // representable as the doubles most JSON tooling uses.
        "uint64" | "uint128" | "uint" => (json!(0), None),
        _ => return None,
    })
}

const NUMERIC_FORMATS: &[&str] = &[
    "int8", "int16", "int32", "int64", "int128", "int", "uint8", "uint16", "uint32", "uint64",
    "uint128", "uint", "float", "double",
];

impl Transformer {
    fn err(&mut self, pointer: impl Into<String>, rule: Rule, message: impl Into<String>) {
        self.errors.push(Violation::new(pointer, rule, message));
    }

    fn run(&mut self, schema: Value) -> Value {
        let mut root = match schema {
            Value::Object(map) if !map.is_empty() => map,
            other => {
                let what = match &other {
                    Value::Object(_) => "`{}`".to_owned(),
                    Value::Bool(b) => format!("the boolean schema `{b}`"),
                    _ => "not a schema object".to_owned(),
                };
                self.err(
                    "",
                    Rule::RootNotObject,
                    format!("the root is {what}; strict mode needs a `\"type\": \"object\"` root"),
                );
                return other;
            }
        };

        // Definitions, with the keyword each came from (for input pointers).
        let mut defs: Vec<(String, Value, &'static str)> = Vec::new();
        for kw in ["$defs", "definitions"] {
            match root.remove(kw) {
                None => {}
                Some(Value::Object(m)) => {
                    for (name, def) in m {
                        if defs.iter().any(|(n, _, _)| *n == name) {
                            self.err(
                                push(&push("", kw), &name),
                                Rule::MalformedKeyword,
                                format!("definition {name:?} is in both `$defs` and `definitions`"),
                            );
                        } else {
                            defs.push((name, def, kw));
                        }
                    }
                }
                Some(_) => self.err(
                    push("", kw),
                    Rule::MalformedKeyword,
                    format!("`{kw}` must be an object of schemas"),
                ),
            }
        }
        self.def_tokens = defs.iter().map(|(n, _, _)| escape_token(n)).collect();

        let mut root_ip = String::new();
        if let Some(reference) = root.remove("$ref") {
            match self.inline_root_ref(&reference, &mut defs) {
                Some((target, ip)) => {
                    // Root siblings (e.g. `description`) override the target's.
                    let siblings = std::mem::replace(&mut root, target);
                    for (k, v) in siblings {
                        root.insert(k, v);
                    }
                    root_ip = ip;
                }
                None => {
                    self.err(
                        "/$ref",
                        Rule::RootNotObject,
                        format!(
                            "the root is `$ref` {reference}, which does not name an object \
                             schema in `$defs`/`definitions`, so it cannot be inlined"
                        ),
                    );
                    return Value::Object(root);
                }
            }
        }

        let root_value = self.node(Value::Object(root), &root_ip);
        let Value::Object(mut root) = root_value else {
            return root_value;
        };
        match root.get("type") {
            Some(Value::String(t)) if t == "object" => {}
            _ if ["anyOf", "enum", "const"]
                .iter()
                .any(|k| root.contains_key(*k)) =>
            {
                self.err(
                    root_ip.clone(),
                    Rule::RootComposition,
                    "the root is a union or enum; strict mode needs an object root (a Rust enum \
                 cannot be a root: wrap it in a struct field)",
                )
            }
            _ => self.err(
                root_ip.clone(),
                Rule::RootNotObject,
                "the root is not `\"type\": \"object\"`; strict mode needs an object root",
            ),
        }

        let mut out_defs = Map::new();
        for (name, def, kw) in defs {
            let ip = push(&push("", kw), &name);
            let def = self.node(def, &ip);
            out_defs.insert(name, def);
        }
        if !out_defs.is_empty() {
            root.insert("$defs".to_owned(), Value::Object(out_defs));
        }
        Value::Object(root)
    }

    /// Takes the definition a root `$ref` points at out of `defs`, returning
    /// it and its input pointer.
    fn inline_root_ref(
        &mut self,
        reference: &Value,
        defs: &mut Vec<(String, Value, &'static str)>,
    ) -> Option<(Map<String, Value>, String)> {
        let r = reference.as_str()?;
        let token = r
            .strip_prefix("#/$defs/")
            .or_else(|| r.strip_prefix("#/definitions/"))?;
        if token.contains('/') {
            return None;
        }
        let name = unescape_token(token);
        let index = defs.iter().position(|(n, _, _)| *n == name)?;
        if !defs[index].1.is_object() {
            return None;
        }
        let (_, def, kw) = defs.remove(index);
        let Value::Object(def) = def else {
            return None;
        };
        self.root_def = Some(token.to_owned());
        Some((def, push(&push("", kw), &name)))
    }

    fn rewrite_ref(&mut self, r: &str, ip: &str) -> String {
        let r = match r.strip_prefix("#/definitions/") {
            Some(rest) => format!("#/$defs/{rest}"),
            None => r.to_owned(),
        };
        if let Some(rest) = r.strip_prefix("#/$defs/") {
            let token = rest.split('/').next().unwrap_or(rest);
            if self.root_def.as_deref() == Some(token) {
                let tail = &rest[token.len()..];
                return if tail.is_empty() {
                    "#".to_owned()
                } else {
                    format!("#{tail}")
                };
            }
            if !self.def_tokens.contains(token) {
                self.err(
                    push(ip, "$ref"),
                    Rule::UnresolvedRef,
                    format!("`$ref` {r:?} names no definition in `$defs`/`definitions`"),
                );
            }
        } else if r != "#" {
            self.err(
                push(ip, "$ref"),
                Rule::RefNotLocal,
                format!("`$ref` {r:?} is not local; only `#` and `#/$defs/...` are supported"),
            );
        }
        r
    }

    /// Rewrites one schema node (and everything below it). `ip` is its
    /// pointer in the input, for error messages.
    fn node(&mut self, value: Value, ip: &str) -> Value {
        if self.walking >= MAX_WALK_DEPTH {
            self.err(
                ip,
                Rule::TooDeep,
                format!("the document nests more than {MAX_WALK_DEPTH} schemas deep here"),
            );
            return value;
        }
        self.walking += 1;
        let out = self.node_inner(value, ip);
        self.walking -= 1;
        out
    }

    fn node_inner(&mut self, value: Value, ip: &str) -> Value {
        let mut map = match value {
            Value::Object(map) if !map.is_empty() => map,
            Value::Object(map) => {
                self.err(
                    ip,
                    Rule::EmptySchema,
                    "`{}` accepts any JSON value, which strict mode cannot express; give it a \
                     concrete type",
                );
                return Value::Object(map);
            }
            Value::Bool(b) => {
                self.err(
                    ip,
                    Rule::BooleanSchema,
                    format!(
                        "the boolean schema `{b}` (e.g. from serde_json::Value) cannot be \
                         expressed in strict mode; give it a concrete type"
                    ),
                );
                return Value::Bool(b);
            }
            other => {
                self.err(ip, Rule::NotASchema, "expected a schema object");
                return other;
            }
        };

        for kw in DROPPED_ANNOTATIONS {
            map.remove(*kw);
        }
        if let Some(default) = map.remove("default")
            && !default.is_null()
        {
            note(&mut map, &format!("Default: {default}."));
        }

        let mut any_of_kw = "anyOf";
        if map.contains_key("oneOf") {
            if map.contains_key("anyOf") {
                self.err(
                    push(ip, "oneOf"),
                    Rule::UnsupportedKeyword,
                    "`oneOf` next to `anyOf` cannot be rewritten to `anyOf`",
                );
            } else {
                rename_key(&mut map, "oneOf", "anyOf");
                any_of_kw = "oneOf";
            }
        }

        self.children(&mut map, ip, any_of_kw);

        if let Some(all) = map.remove("allOf") {
            self.flatten_all_of(&mut map, all, ip);
        }
        self.format(&mut map, ip);
        if let Some(unique) = map.remove("uniqueItems")
            && unique == Value::Bool(true)
        {
            note(&mut map, "Items must be unique.");
        }
        if map.get("unevaluatedProperties") == Some(&Value::Bool(false)) {
            // Redundant once the object is closed below.
            map.remove("unevaluatedProperties");
        }
        if !map.contains_key("type") && !map.contains_key("anyOf") && !map.contains_key("$ref") {
            let inferred = match (map.get("enum"), map.get("const")) {
                (Some(Value::Array(vs)), _) => infer_type(vs.iter()),
                (None, Some(c)) => infer_type(std::iter::once(c)),
                _ if map.contains_key("properties") => Some("object"),
                _ => None,
            };
            if let Some(t) = inferred {
                map.insert("type".to_owned(), json!(t));
            }
        }
        if type_names(&map).contains(&"object") {
            self.close_object(&mut map, ip);
        }
        self.unsupported(&map, ip);

        let map = match nullable_enum(map) {
            Ok(rewritten) => return rewritten,
            Err(map) => map,
        };
        self.ref_siblings(map, ip)
    }

    fn children(&mut self, map: &mut Map<String, Value>, ip: &str, any_of_kw: &str) {
        if let Some(Value::Object(props)) = map.get_mut("properties") {
            let base = push(ip, "properties");
            let old = std::mem::take(props);
            *props = old
                .into_iter()
                .map(|(k, v)| {
                    let child = self.node(v, &push(&base, &k));
                    (k, child)
                })
                .collect();
        }
        match map.get_mut("items") {
            Some(Value::Array(_)) => self.err(
                push(ip, "items"),
                Rule::InvalidItems,
                "tuple `items` cannot be expressed in strict mode; use an object with named fields",
            ),
            Some(items) => *items = self.node(items.take(), &push(ip, "items")),
            None => {}
        }
        for (kw, input_kw) in [("anyOf", any_of_kw), ("allOf", "allOf")] {
            if let Some(Value::Array(branches)) = map.get_mut(kw) {
                let base = push(ip, input_kw);
                for (i, b) in branches.iter_mut().enumerate() {
                    *b = self.node(b.take(), &push_index(&base, i));
                }
            }
        }
        if let Some(Value::String(r)) = map.get("$ref") {
            let r = self.rewrite_ref(&r.clone(), ip);
            map.insert("$ref".to_owned(), Value::String(r));
        }
    }

    fn flatten_all_of(&mut self, map: &mut Map<String, Value>, all: Value, ip: &str) {
        let base = push(ip, "allOf");
        let Value::Array(entries) = all else {
            self.err(base, Rule::MalformedKeyword, "`allOf` must be an array");
            return;
        };
        let single = entries.len() == 1;
        for (i, entry) in entries.into_iter().enumerate() {
            let at = push_index(&base, i);
            let Value::Object(entry) = entry else {
                // Booleans were already reported by `node`.
                continue;
            };
            let pure_ref = entry.len() == 1 && entry.contains_key("$ref");
            if pure_ref && single && !map.contains_key("$ref") && !map.contains_key("anyOf") {
                // `{allOf: [{$ref}], description}` is schemars' older spelling
                // of a described reference; `ref_siblings` wraps it.
                map.extend(entry);
                continue;
            }
            if entry.contains_key("$ref") {
                self.err(
                    at,
                    Rule::UnsupportedKeyword,
                    "`allOf` with a `$ref` entry alongside other schemas cannot be merged; \
                     inline the referenced schema",
                );
                continue;
            }
            for (k, v) in entry {
                if let Err(why) = merge_keyword(map, &k, v) {
                    self.err(
                        push(&at, &k),
                        Rule::UnsupportedKeyword,
                        format!("`allOf` cannot be flattened: {why}"),
                    );
                }
            }
        }
    }

    fn format(&mut self, map: &mut Map<String, Value>, ip: &str) {
        let format = match map.get("format") {
            None => return,
            Some(Value::String(f)) if ALLOWED_FORMATS.contains(&f.as_str()) => return,
            Some(Value::String(f)) => f.clone(),
            Some(_) => {
                self.err(
                    push(ip, "format"),
                    Rule::MalformedKeyword,
                    "`format` must be a string",
                );
                return;
            }
        };
        map.remove("format");
        if NUMERIC_FORMATS.contains(&format.as_str()) {
            if type_names(map).contains(&"integer")
                && let Some((min, max)) = integer_bounds(&format)
            {
                if !map.contains_key("minimum") && !map.contains_key("exclusiveMinimum") {
                    map.insert("minimum".to_owned(), min);
                }
                if let Some(max) = max
                    && !map.contains_key("maximum")
                    && !map.contains_key("exclusiveMaximum")
                {
                    map.insert("maximum".to_owned(), max);
                }
            }
        } else {
            note(map, &format!("Format: {format}."));
        }
    }

    fn close_object(&mut self, map: &mut Map<String, Value>, ip: &str) {
        match map.remove("additionalProperties") {
            None | Some(Value::Bool(false)) => {}
            Some(Value::Bool(true)) => self.err(
                push(ip, "additionalProperties"),
                Rule::AdditionalPropertiesNotFalse,
                "`\"additionalProperties\": true` (an open object such as serde_json::Map) cannot \
                 be expressed in strict mode; use a struct",
            ),
            Some(_) => self.err(
                push(ip, "additionalProperties"),
                Rule::AdditionalPropertiesNotFalse,
                "`additionalProperties` with a schema is an open map (HashMap, BTreeMap) and \
                 cannot be expressed in strict mode; use a Vec of key/value structs, or turn \
                 strict mode off for this schema",
            ),
        }
        let required = match map.remove("required") {
            Some(Value::Array(keys)) => keys,
            _ => Vec::new(),
        };
        let props = match map.get_mut("properties") {
            Some(Value::Object(props)) => props,
            Some(_) => {
                self.err(
                    push(ip, "properties"),
                    Rule::MalformedKeyword,
                    "`properties` must be an object of schemas",
                );
                return;
            }
            None => {
                map.insert("properties".to_owned(), Value::Object(Map::new()));
                map.insert("required".to_owned(), json!([]));
                map.insert("additionalProperties".to_owned(), json!(false));
                return;
            }
        };
        for (key, schema) in props.iter_mut() {
            if !required.iter().any(|k| k == key.as_str()) {
                *schema = make_nullable(schema.take());
            }
        }
        // Every property: those the input required first, in its order, then
        // the others by name. Their order in `properties` is not known in
        // general (a map keeps insertion order only with serde_json's
        // `preserve_order`); by name, the result is the same either way.
        let mut order: Vec<&str> = crate::schema::property_order(props, &required)
            .map(|(name, _)| name)
            .collect();
        let listed = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|name| props.contains_key(*name))
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        order[listed..].sort_unstable();
        let all = order.into_iter().map(Value::from).collect();
        map.insert("required".to_owned(), Value::Array(all));
        map.insert("additionalProperties".to_owned(), json!(false));
    }

    /// Reports keywords that survived the rewrites but have no strict
    /// equivalent.
    fn unsupported(&mut self, map: &Map<String, Value>, ip: &str) {
        for kw in map.keys() {
            if kw == "$defs" {
                self.err(
                    push(ip, kw),
                    Rule::UnsupportedKeyword,
                    "nested `$defs` are not supported; move them to the root",
                );
            } else if !SUPPORTED_KEYWORDS.contains(&kw.as_str()) {
                let (rule, message) = match rejection_reason(kw) {
                    Some(reason) => (
                        Rule::UnsupportedKeyword,
                        format!("`{kw}` has no strict-mode equivalent: {reason}"),
                    ),
                    None => (
                        Rule::UnknownKeyword,
                        format!(
                            "`{kw}` is not in the strict-mode subset of JSON Schema and is not \
                             known to be a pure annotation, so it is not dropped silently"
                        ),
                    ),
                };
                self.err(push(ip, kw), rule, message);
            }
        }
    }

    fn ref_siblings(&mut self, mut map: Map<String, Value>, ip: &str) -> Value {
        if map.len() > 1
            && let Some(reference) = map.remove("$ref")
        {
            if map.contains_key("anyOf") {
                self.err(
                    ip,
                    Rule::RefWithSiblings,
                    "`$ref` next to `anyOf` cannot be rewritten",
                );
                map.insert("$ref".to_owned(), reference);
            } else {
                let mut only_ref = Map::new();
                only_ref.insert("$ref".to_owned(), reference);
                map.insert(
                    "anyOf".to_owned(),
                    Value::Array(vec![Value::Object(only_ref)]),
                );
            }
        }
        Value::Object(map)
    }
}

/// Rewrites the nullable-enum forms OpenAI rejects or misreads into
/// `anyOf: [{type: T, enum: [...]}, {type: null}]`; gives the map back
/// unchanged when it is not one.
fn nullable_enum(mut map: Map<String, Value>) -> Result<Value, Map<String, Value>> {
    let Some(Value::Array(values)) = map.get("enum") else {
        return Err(map);
    };
    let types = type_names(&map);
    let enum_has_null = values.iter().any(Value::is_null);
    let type_has_null = types.contains(&"null");
    if !(enum_has_null || type_has_null) || types == ["null"] {
        return Err(map);
    }
    let non_null: Vec<Value> = values.iter().filter(|v| !v.is_null()).cloned().collect();
    let non_null_types: Vec<Value> = types
        .iter()
        .filter(|t| **t != "null")
        .map(|t| json!(t))
        .collect();
    if non_null.is_empty() {
        let mut out = Map::new();
        if let Some(d) = map.remove("description") {
            out.insert("description".to_owned(), d);
        }
        out.insert("type".to_owned(), json!("null"));
        return Ok(Value::Object(out));
    }
    let ty = match non_null_types.len() {
        0 => infer_type(non_null.iter()).map(|t| json!(t)),
        1 => non_null_types.into_iter().next(),
        _ => Some(Value::Array(non_null_types)),
    };
    match ty {
        Some(ty) => {
            map.insert("type".to_owned(), ty);
        }
        None => {
            map.remove("type");
        }
    }
    map.insert("enum".to_owned(), Value::Array(non_null));
    Ok(wrap_nullable(map))
}

/// Merges one keyword of an `allOf` entry into the parent schema.
fn merge_keyword(map: &mut Map<String, Value>, key: &str, value: Value) -> Result<(), String> {
    match (key, map.get_mut(key)) {
        (_, None) => {
            map.insert(key.to_owned(), value);
            Ok(())
        }
        ("description", Some(_)) => Ok(()),
        ("properties", Some(Value::Object(existing))) => {
            let Value::Object(new) = value else {
                return Err("`properties` is not an object".to_owned());
            };
            for (k, v) in new {
                match existing.get(&k) {
                    Some(old) if *old != v => {
                        return Err(format!("property {k:?} is defined twice, differently"));
                    }
                    Some(_) => {}
                    None => {
                        existing.insert(k, v);
                    }
                }
            }
            Ok(())
        }
        ("required", Some(Value::Array(existing))) => {
            if let Value::Array(new) = value {
                for k in new {
                    if !existing.contains(&k) {
                        existing.push(k);
                    }
                }
            }
            Ok(())
        }
        (_, Some(old)) if *old == value => Ok(()),
        (_, Some(old)) => Err(format!("`{key}` is {old} here but {value} in the entry")),
    }
}
