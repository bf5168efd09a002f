//! The strict-mode validator.

use serde_json::{Map, Value};

use super::limit_check::{self, MAX_WALK_DEPTH};
use super::limits::ALLOWED_FORMATS;
use super::pointer::{push, push_index, resolve};
use super::{Rule, Violation, Violations};

/// Keywords inside OpenAI's documented strict-mode subset.
pub(crate) const SUPPORTED_KEYWORDS: &[&str] = &[
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "anyOf",
    "enum",
    "const",
    "$ref",
    "$defs",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
];

const KNOWN_TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "object", "array", "null",
];

/// Why OpenAI rejects a keyword we know about, or `None` for keywords that are
/// merely outside the documented subset.
pub(crate) fn rejection_reason(keyword: &str) -> Option<&'static str> {
    Some(match keyword {
        "oneOf" => "use `anyOf` instead",
        "allOf" => "merge the schemas into one (a single-entry `allOf` can be flattened)",
        "not" | "if" | "then" | "else" => "negated and conditional schemas are not supported",
        "default" => "mention the default value in `description` instead",
        "title" | "$schema" | "$id" | "$anchor" | "$comment" | "examples" | "deprecated"
        | "readOnly" | "writeOnly" | "discriminator" => {
            "`description` is the only annotation strict mode accepts"
        }
        "definitions" => "use `$defs` (at the root) instead",
        "uniqueItems" => "uniqueness cannot be expressed; say it in `description`",
        "prefixItems" | "additionalItems" => {
            "tuples cannot be expressed; use an object with named fields"
        }
        "contains" | "minContains" | "maxContains" | "unevaluatedItems" => {
            "arrays support only `items`, `minItems` and `maxItems`"
        }
        "patternProperties"
        | "propertyNames"
        | "minProperties"
        | "maxProperties"
        | "dependentRequired"
        | "dependentSchemas"
        | "dependencies"
        | "unevaluatedProperties" => "objects must be closed, with fixed and required `properties`",
        "nullable" => "this is OpenAPI, not JSON Schema; use `anyOf` with `{\"type\": \"null\"}`",
        "$dynamicRef" | "$dynamicAnchor" | "$recursiveRef" | "$recursiveAnchor" => {
            "only plain local `$ref` is supported"
        }
        "contentEncoding" | "contentMediaType" | "contentSchema" => {
            "content keywords are not supported"
        }
        _ => return None,
    })
}

/// Checks `schema` against every OpenAI strict-mode rule and returns all
/// violations (a parent's before its children's), or `Ok(())` if there are none.
///
/// Use it on schemas meant for `tools[].function.parameters` or
/// `response_format.json_schema.schema` with `"strict": true`. It does not
/// modify the schema; see [`transform`](super::transform) to repair one.
///
/// `Violations` dereferences to `[Violation]`; each [`Violation`] carries the
/// JSON pointer of the offending node, the [`Rule`] and a message.
///
/// # Example
///
/// ```
/// use chat_api::strict::{self, Rule};
/// use serde_json::json;
///
/// let ok = json!({
///     "type": "object",
///     "properties": {
///         "city": { "type": "string", "description": "City name" },
///         "unit": { "anyOf": [
///             { "type": "string", "enum": ["celsius", "fahrenheit"] },
///             { "type": "null" }
///         ]}
///     },
///     "required": ["city", "unit"],
///     "additionalProperties": false
/// });
/// assert!(strict::validate(&ok).is_ok());
///
/// let bad = json!({
///     "type": "object",
///     "properties": { "count": { "type": "integer", "format": "uint32" } },
///     "required": []
/// });
/// let errors = strict::validate(&bad).unwrap_err();
/// let found: Vec<_> = errors.iter().map(|v| (v.pointer(), v.rule())).collect();
/// assert_eq!(found, [
///     ("", Rule::AdditionalPropertiesNotFalse),
///     ("/properties/count", Rule::RequiredMismatch),
///     ("/properties/count/format", Rule::UnsupportedFormat),
/// ]);
/// println!("{errors}"); // one line per violation
/// ```
pub fn validate(schema: &Value) -> Result<(), Violations> {
    let mut v = Validator {
        root: schema,
        out: Vec::new(),
        walking: 0,
    };
    v.root();
    v.out.extend(limit_check::check(schema));
    if v.out.is_empty() {
        Ok(())
    } else {
        Err(Violations::from_vec(v.out))
    }
}

struct Validator<'a> {
    root: &'a Value,
    out: Vec<Violation>,
    /// Current recursion depth of `schema`.
    walking: usize,
}

/// How an error message names the kind of a JSON value: "a string", "null".
pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether a JSON value is an instance of a JSON Schema type name.
fn value_has_type(v: &Value, ty: &str) -> bool {
    match ty {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "null" => v.is_null(),
        _ => false,
    }
}

impl<'a> Validator<'a> {
    fn report(&mut self, pointer: impl Into<String>, rule: Rule, message: impl Into<String>) {
        self.out.push(Violation::new(pointer, rule, message));
    }

    fn root(&mut self) {
        let root = self.root;
        let map = match root {
            Value::Object(map) if !map.is_empty() => map,
            Value::Object(_) => {
                self.report(
                    "",
                    Rule::RootNotObject,
                    "the root is `{}`; it must be `{\"type\": \"object\", ...}`",
                );
                return;
            }
            other => {
                self.report(
                    "",
                    Rule::RootNotObject,
                    format!(
                        "the root is {}; it must be a `{{\"type\": \"object\", ...}}` schema",
                        kind_of(other)
                    ),
                );
                return;
            }
        };
        if map.contains_key("$ref") {
            self.report(
                "",
                Rule::RootNotObject,
                "the root is a `$ref`; inline the referenced object at the root \
                 (self-references become `#`)",
            );
        } else {
            match map.get("type") {
                Some(Value::String(t)) if t == "object" => {}
                None if ["anyOf", "enum", "const"]
                    .iter()
                    .any(|k| map.contains_key(*k)) => {}
                Some(t) => self.report(
                    "/type",
                    Rule::RootNotObject,
                    format!("the root has `\"type\": {t}`; it must be exactly `\"object\"`"),
                ),
                None => self.report(
                    "",
                    Rule::RootNotObject,
                    "the root has no `type`; it must be `\"type\": \"object\"`",
                ),
            }
        }
        for kw in ["anyOf", "enum", "const"] {
            if map.contains_key(kw) {
                self.report(
                    push("", kw),
                    Rule::RootComposition,
                    format!(
                        "`{kw}` is not allowed at the root: the root must be a plain object \
                         (wrap an enum in a struct field)"
                    ),
                );
            }
        }
        self.schema(root, "", true);
        match map.get("$defs") {
            None => {}
            Some(Value::Object(defs)) => {
                for (name, def) in defs {
                    self.schema(def, &push("/$defs", name), false);
                }
            }
            Some(other) => self.report(
                "/$defs",
                Rule::MalformedKeyword,
                format!(
                    "`$defs` must be an object of schemas, found {}",
                    kind_of(other)
                ),
            ),
        }
    }

    fn schema(&mut self, node: &'a Value, ptr: &str, is_root: bool) {
        if self.walking >= MAX_WALK_DEPTH {
            self.report(
                ptr,
                Rule::TooDeep,
                format!("the document nests more than {MAX_WALK_DEPTH} schemas deep here"),
            );
            return;
        }
        self.walking += 1;
        self.schema_inner(node, ptr, is_root);
        self.walking -= 1;
    }

    fn schema_inner(&mut self, node: &'a Value, ptr: &str, is_root: bool) {
        let map = match node {
            Value::Object(map) => map,
            Value::Bool(b) => {
                self.report(
                    ptr,
                    Rule::BooleanSchema,
                    format!(
                        "`{b}` is a boolean schema; strict mode needs an object schema with a \
                         `type` (any-JSON values such as serde_json::Value cannot be expressed)"
                    ),
                );
                return;
            }
            other => {
                self.report(
                    ptr,
                    Rule::NotASchema,
                    format!("expected a schema object, found {}", kind_of(other)),
                );
                return;
            }
        };
        if map.is_empty() {
            self.report(
                ptr,
                Rule::EmptySchema,
                "`{}` accepts any value; strict mode needs a schema with a `type`",
            );
            return;
        }

        if let Some(reference) = map.get("$ref") {
            self.reference(reference, ptr);
            let siblings: Vec<&str> = map
                .keys()
                .map(String::as_str)
                .filter(|k| *k != "$ref" && !(is_root && *k == "$defs"))
                .collect();
            if !siblings.is_empty() && !is_root {
                self.report(
                    ptr,
                    Rule::RefWithSiblings,
                    format!(
                        "`$ref` must stand alone, but has sibling keyword(s) {}; wrap it as \
                         `{{\"description\": ..., \"anyOf\": [{{\"$ref\": ...}}]}}`",
                        quote_list(&siblings)
                    ),
                );
            }
            return;
        }

        self.keywords(map, ptr, is_root);
        let types = self.types(map, ptr);

        // `oneOf` / `allOf` are reported above; a second report about the
        // same node's missing type would only be noise.
        if !["type", "anyOf", "enum", "const", "oneOf", "allOf"]
            .iter()
            .any(|k| map.contains_key(*k))
        {
            self.report(
                ptr,
                Rule::MissingType,
                "schema has no `type` (nor `anyOf`, `enum`, `const` or `$ref`); strict mode \
                 needs every schema to state its type",
            );
        }

        let is_object = types.contains(&"object");
        if is_object {
            self.object(map, ptr);
        }
        if let Some(Value::Object(props)) = map.get("properties") {
            for (name, sub) in props {
                self.schema(sub, &push(&push(ptr, "properties"), name), false);
            }
        } else if let Some(other) = map.get("properties") {
            self.report(
                push(ptr, "properties"),
                Rule::MalformedKeyword,
                format!(
                    "`properties` must be an object of schemas, found {}",
                    kind_of(other)
                ),
            );
        }

        match map.get("items") {
            None if types.contains(&"array") => self.report(
                ptr,
                Rule::InvalidItems,
                "array schema has no `items`; strict mode needs exactly one typed item schema",
            ),
            None => {}
            Some(Value::Array(_)) => self.report(
                push(ptr, "items"),
                Rule::InvalidItems,
                "tuple-style `items` (an array of schemas) is not supported; use one schema",
            ),
            Some(items) => self.schema(items, &push(ptr, "items"), false),
        }

        for kw in ["anyOf", "oneOf", "allOf"] {
            match map.get(kw) {
                None => {}
                Some(Value::Array(branches)) if !branches.is_empty() => {
                    let base = push(ptr, kw);
                    for (i, b) in branches.iter().enumerate() {
                        self.schema(b, &push_index(&base, i), false);
                    }
                }
                Some(_) => self.report(
                    push(ptr, kw),
                    Rule::MalformedKeyword,
                    format!("`{kw}` must be a non-empty array of schemas"),
                ),
            }
        }

        match map.get("format") {
            None => {}
            Some(Value::String(f)) if ALLOWED_FORMATS.contains(&f.as_str()) => {}
            Some(Value::String(f)) => self.report(
                push(ptr, "format"),
                Rule::UnsupportedFormat,
                format!(
                    "`format: {f:?}` is not supported; strict mode allows only {}",
                    ALLOWED_FORMATS.join(", ")
                ),
            ),
            Some(other) => self.report(
                push(ptr, "format"),
                Rule::MalformedKeyword,
                format!("`format` must be a string, found {}", kind_of(other)),
            ),
        }

        self.enumeration(map, ptr, &types);
    }

    /// Reports keywords outside the strict subset.
    fn keywords(&mut self, map: &Map<String, Value>, ptr: &str, is_root: bool) {
        for kw in map.keys() {
            if kw == "$defs" {
                if !is_root {
                    self.report(
                        push(ptr, kw),
                        Rule::UnsupportedKeyword,
                        "`$defs` is only supported at the root",
                    );
                }
                continue;
            }
            if SUPPORTED_KEYWORDS.contains(&kw.as_str()) {
                continue;
            }
            let (rule, message) = match rejection_reason(kw) {
                Some(reason) => (
                    Rule::UnsupportedKeyword,
                    format!("`{kw}` is not permitted in strict mode: {reason}"),
                ),
                None => (
                    Rule::UnknownKeyword,
                    format!(
                        "`{kw}` is not in the strict-mode subset of JSON Schema; remove it or \
                         move its meaning into `description`"
                    ),
                ),
            };
            self.report(push(ptr, kw), rule, message);
        }
    }

    /// Checks `type` and returns the type names it lists.
    fn types(&mut self, map: &'a Map<String, Value>, ptr: &str) -> Vec<&'a str> {
        let at = push(ptr, "type");
        let mut names = Vec::new();
        match map.get("type") {
            None => {}
            Some(Value::String(t)) => names.push(t.as_str()),
            Some(Value::Array(list)) => {
                for t in list {
                    match t {
                        Value::String(t) if !names.contains(&t.as_str()) => names.push(t.as_str()),
                        Value::String(t) => self.report(
                            at.clone(),
                            Rule::InvalidType,
                            format!("`type` lists {t:?} twice"),
                        ),
                        other => self.report(
                            at.clone(),
                            Rule::InvalidType,
                            format!("`type` entries must be strings, found {}", kind_of(other)),
                        ),
                    }
                }
                if list.is_empty() {
                    self.report(at.clone(), Rule::InvalidType, "`type` is an empty list");
                }
                let non_null: Vec<&str> = names.iter().copied().filter(|t| *t != "null").collect();
                if non_null.len() > 1 {
                    self.report(
                        at.clone(),
                        Rule::InvalidType,
                        format!(
                            "`type` lists several non-null types ({}); a type list may only \
                             pair one type with \"null\", use `anyOf` for unions",
                            quote_list(&non_null)
                        ),
                    );
                }
            }
            Some(other) => self.report(
                at.clone(),
                Rule::InvalidType,
                format!(
                    "`type` must be a string or a list of strings, found {}",
                    kind_of(other)
                ),
            ),
        }
        for t in &names {
            if !KNOWN_TYPES.contains(t) {
                self.report(
                    at.clone(),
                    Rule::InvalidType,
                    format!(
                        "unknown type {t:?}; expected one of {}",
                        KNOWN_TYPES.join(", ")
                    ),
                );
            }
        }
        names
    }

    fn object(&mut self, map: &Map<String, Value>, ptr: &str) {
        let open_map = matches!(
            map.get("additionalProperties"),
            Some(ap) if *ap != Value::Bool(false)
        );
        match map.get("additionalProperties") {
            Some(Value::Bool(false)) => {}
            None => self.report(
                ptr,
                Rule::AdditionalPropertiesNotFalse,
                "object schema lacks `\"additionalProperties\": false`; strict mode requires \
                 every object to be closed",
            ),
            Some(Value::Bool(true)) => self.report(
                push(ptr, "additionalProperties"),
                Rule::AdditionalPropertiesNotFalse,
                "`\"additionalProperties\": true` leaves the object open; strict mode requires \
                 `false`",
            ),
            Some(_) => self.report(
                push(ptr, "additionalProperties"),
                Rule::AdditionalPropertiesNotFalse,
                "`additionalProperties` is a schema (an open map such as HashMap); strict mode \
                 requires `false`, so model the map as an array of key/value objects",
            ),
        }
        let Some(props) = map.get("properties") else {
            if open_map {
                // A map has no fixed keys; the open-map report above is the
                // actionable one.
                return;
            }
            self.report(
                ptr,
                Rule::MissingProperties,
                "object schema has no `properties`; OpenAI needs it even when empty \
                 (`\"properties\": {}`)",
            );
            return;
        };
        let Value::Object(props) = props else {
            // Reported by the caller as MalformedKeyword.
            return;
        };
        let mut listed: Vec<&str> = Vec::new();
        match map.get("required") {
            None => {}
            Some(Value::Array(required)) => {
                let base = push(ptr, "required");
                for (i, key) in required.iter().enumerate() {
                    let at = push_index(&base, i);
                    match key {
                        Value::String(k) if listed.contains(&k.as_str()) => self.report(
                            at,
                            Rule::RequiredMismatch,
                            format!("`required` lists {k:?} twice"),
                        ),
                        Value::String(k) => {
                            if !props.contains_key(k) {
                                self.report(
                                    at,
                                    Rule::RequiredMismatch,
                                    format!("extra required key {k:?}: it is not in `properties`"),
                                );
                            }
                            listed.push(k);
                        }
                        other => self.report(
                            at,
                            Rule::MalformedKeyword,
                            format!(
                                "`required` entries must be strings, found {}",
                                kind_of(other)
                            ),
                        ),
                    }
                }
            }
            Some(other) => self.report(
                push(ptr, "required"),
                Rule::MalformedKeyword,
                format!(
                    "`required` must be an array of strings, found {}",
                    kind_of(other)
                ),
            ),
        }
        let props_ptr = push(ptr, "properties");
        for key in props.keys() {
            if !listed.contains(&key.as_str()) {
                self.report(
                    push(&props_ptr, key),
                    Rule::RequiredMismatch,
                    format!(
                        "property {key:?} is missing from `required`; strict mode requires every \
                         property (make it nullable to keep it optional)"
                    ),
                );
            }
        }
    }

    fn enumeration(&mut self, map: &Map<String, Value>, ptr: &str, types: &[&str]) {
        let non_null: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
        let type_has_null = types.contains(&"null");
        const SAFE: &str =
            "use `{\"anyOf\": [{\"type\": T, \"enum\": [...]}, {\"type\": \"null\"}]}`";

        if let Some(c) = map.get("const")
            && !types.is_empty()
            && !types.iter().any(|t| value_has_type(c, t))
        {
            self.report(
                push(ptr, "const"),
                Rule::InvalidEnum,
                format!(
                    "`const` value {c} does not match `type` {}",
                    quote_list(types)
                ),
            );
        }

        let Some(values) = map.get("enum") else {
            return;
        };
        let at = push(ptr, "enum");
        let Value::Array(values) = values else {
            self.report(
                at,
                Rule::InvalidEnum,
                format!("`enum` must be an array, found {}", kind_of(values)),
            );
            return;
        };
        if values.is_empty() {
            self.report(
                at,
                Rule::InvalidEnum,
                "`enum` is empty, so no value is valid",
            );
            return;
        }
        let enum_has_null = values.iter().any(Value::is_null);

        if types == ["null"] && values.iter().any(|v| !v.is_null()) {
            self.report(
                ptr,
                Rule::NullableEnum,
                format!(
                    "`\"type\": \"null\"` with a non-null `enum` is rejected by OpenAI; {SAFE}"
                ),
            );
        } else if enum_has_null {
            self.report(
                at.clone(),
                Rule::NullableEnum,
                format!(
                    "`enum` contains null; OpenAI is not known to accept this form of a \
                     nullable enum, {SAFE}"
                ),
            );
        } else if type_has_null && !non_null.is_empty() {
            self.report(
                ptr,
                Rule::NullableEnum,
                format!(
                    "`type` allows null but `enum` does not list it, so null is not actually \
                     valid; {SAFE}"
                ),
            );
        }

        if !non_null.is_empty() {
            for (i, v) in values.iter().enumerate() {
                if !v.is_null() && !non_null.iter().any(|t| value_has_type(v, t)) {
                    self.report(
                        push_index(&at, i),
                        Rule::InvalidEnum,
                        format!(
                            "`enum` value {v} does not match `type` {}",
                            quote_list(&non_null)
                        ),
                    );
                }
            }
        }
    }

    fn reference(&mut self, reference: &Value, ptr: &str) {
        let at = push(ptr, "$ref");
        let Value::String(r) = reference else {
            self.report(
                at,
                Rule::MalformedKeyword,
                format!("`$ref` must be a string, found {}", kind_of(reference)),
            );
            return;
        };
        if r != "#" && !r.starts_with("#/$defs/") {
            self.report(
                at,
                Rule::RefNotLocal,
                format!("`$ref` {r:?} is not supported; only `#` and `#/$defs/...` are"),
            );
            return;
        }
        if resolve(self.root, r).is_none() {
            self.report(
                at,
                Rule::UnresolvedRef,
                format!("`$ref` {r:?} does not resolve to anything in the schema"),
            );
        }
    }
}

pub(crate) fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
