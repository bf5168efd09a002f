//! `cargo xtask spec`: extract the Chat Completions part of the upstream
//! OpenAPI document, normalised to clean OpenAPI 3.1.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::overlay::Overlay;

/// The checked-in upstream document `cargo xtask spec` reads by default.
pub const UPSTREAM: &str = "spec/upstream/openapi.json";

/// Paths this project covers.
pub const PATH_PREFIX: &str = "/chat/completions";

/// What an extraction produced.
#[derive(Debug)]
pub struct Extracted {
    pub document: Value,
    pub operations: usize,
    pub schemas: usize,
    pub responses: usize,
    pub nullable_rewrites: usize,
}

/// Reads `upstream`, extracts, applies the overlay at `overlay`, writes
/// `out` (pretty JSON, trailing newline).
pub fn extract_file(upstream: &Path, overlay: &Path, out: &Path) -> Result<String, String> {
    let (rendered, extracted, patches) = render(upstream, overlay)?;
    std::fs::write(out, rendered).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(format!(
        "spec: {} operations, {} schemas, {} shared responses, {} `nullable` rewrites, {} overlay patches → {}",
        extracted.operations,
        extracted.schemas,
        extracted.responses,
        extracted.nullable_rewrites,
        patches,
        out.display()
    ))
}

/// What `cargo xtask spec` writes for `upstream` and `overlay`, without
/// writing it: the text, the extraction's counts, and the patches applied.
pub fn render(upstream: &Path, overlay: &Path) -> Result<(String, Extracted, usize), String> {
    let read =
        |path: &Path| std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&read(upstream)?)
        .map_err(|e| format!("{}: not JSON: {e}", upstream.display()))?;
    let overlay_doc =
        Overlay::parse(&read(overlay)?).map_err(|e| format!("{}: {e}", overlay.display()))?;
    let mut extracted = extract(&doc)?;
    let patches = overlay_doc
        .apply(&mut extracted.document)
        .map_err(|e| format!("{}{e}", overlay.display()))?;
    let mut rendered =
        serde_json::to_string_pretty(&extracted.document).map_err(|e| e.to_string())?;
    rendered.push('\n');
    Ok((rendered, extracted, patches))
}

/// Extracts every path under [`PATH_PREFIX`] and, transitively, every
/// component those paths reference; nothing else.
pub fn extract(doc: &Value) -> Result<Extracted, String> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .ok_or("#/paths: missing or not an object")?;
    let mut selected: Vec<(&String, &Value)> = paths
        .iter()
        .filter(|(p, _)| *p == PATH_PREFIX || p.starts_with(&format!("{PATH_PREFIX}/")))
        .collect();
    selected.sort_by(|a, b| a.0.cmp(b.0));
    if selected.is_empty() {
        return Err(format!("#/paths: no path starts with {PATH_PREFIX}"));
    }
    let operations = selected
        .iter()
        .map(|(_, item)| {
            item.as_object()
                .map(|o| {
                    o.keys()
                        .filter(|k| {
                            matches!(k.as_str(), "get" | "post" | "put" | "patch" | "delete")
                        })
                        .count()
                })
                .unwrap_or(0)
        })
        .sum();

    // Transitive closure of component references.
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    let mut queue: Vec<(String, String)> = Vec::new();
    for (path, item) in &selected {
        collect_refs(
            item,
            &format!("#/paths/{}", crate::openapi::escape_pointer(path)),
            &mut queue,
        )?;
    }
    while let Some((kind, name)) = queue.pop() {
        if !wanted.insert((kind.clone(), name.clone())) {
            continue;
        }
        let pointer = format!("#/components/{kind}/{name}");
        let target = doc
            .pointer(&format!("/components/{kind}/{name}"))
            .ok_or_else(|| format!("{pointer}: unresolved $ref"))?;
        collect_refs(target, &pointer, &mut queue)?;
    }

    let mut components = Map::new();
    let mut counts = (0, 0);
    for kind in ["schemas", "responses", "parameters", "requestBodies"] {
        let mut section = Map::new();
        for (k, name) in &wanted {
            if k == kind {
                let value = doc
                    .pointer(&format!("/components/{kind}/{name}"))
                    .cloned()
                    .unwrap_or(Value::Null);
                section.insert(name.clone(), value);
            }
        }
        match kind {
            "schemas" => counts.0 = section.len(),
            "responses" => counts.1 = section.len(),
            _ => {}
        }
        if !section.is_empty() {
            components.insert(kind.to_owned(), Value::Object(section));
        }
    }
    // Only the security scheme the operations use.
    let security = doc.get("security").cloned().unwrap_or(json!([]));
    let mut schemes = Map::new();
    if let Some(all) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        for requirement in security.as_array().into_iter().flatten() {
            for name in requirement.as_object().into_iter().flat_map(|o| o.keys()) {
                if let Some(s) = all.get(name) {
                    schemes.insert(name.clone(), s.clone());
                }
            }
        }
    }
    if !schemes.is_empty() {
        components.insert("securitySchemes".to_owned(), Value::Object(schemes));
    }

    let mut out = Map::new();
    out.insert("openapi".to_owned(), json!("3.1.0"));
    for key in ["info", "servers"] {
        if let Some(v) = doc.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    out.insert("security".to_owned(), security);
    out.insert(
        "paths".to_owned(),
        Value::Object(
            selected
                .into_iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
    );
    out.insert("components".to_owned(), Value::Object(components));
    let mut document = Value::Object(out);
    let nullable_rewrites = normalize_nullable(&mut document);
    Ok(Extracted {
        document,
        operations,
        schemas: counts.0,
        responses: counts.1,
        nullable_rewrites,
    })
}

fn collect_refs(
    value: &Value,
    pointer: &str,
    out: &mut Vec<(String, String)>,
) -> Result<(), String> {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "$ref" {
                    let target = v
                        .as_str()
                        .ok_or_else(|| format!("{pointer}/$ref: not a string"))?;
                    let rest = target.strip_prefix("#/components/").ok_or_else(|| {
                        format!("{pointer}/$ref: external reference `{target}` is not supported")
                    })?;
                    let (kind, name) = rest
                        .split_once('/')
                        .ok_or_else(|| format!("{pointer}/$ref: malformed reference `{target}`"))?;
                    out.push((kind.to_owned(), name.to_owned()));
                } else if k != "example" && k != "examples" && k != "x-oaiMeta" {
                    collect_refs(
                        v,
                        &format!("{pointer}/{}", crate::openapi::escape_pointer(k)),
                        out,
                    )?;
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect_refs(v, &format!("{pointer}/{i}"), out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// Annotations that describe a property rather than its value's shape; when
/// a nullable schema is wrapped in `anyOf`, they stay on the outside.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "default",
    "deprecated",
    "example",
    "examples",
];

/// Rewrites OpenAPI 3.0 `nullable: true` into 3.1 spellings, bottom-up:
/// a plain typed schema gets `"null"` added to its `type`; anything else
/// (a `$ref`, a composition, an enum) becomes `anyOf: [schema, {type: null}]`
/// with annotations kept outside. Returns how many nodes were rewritten.
pub fn normalize_nullable(value: &mut Value) -> usize {
    let mut count = 0;
    match value {
        Value::Array(items) => {
            for item in items {
                count += normalize_nullable(item);
            }
        }
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if k != "example"
                    && k != "examples"
                    && k != "x-oaiMeta"
                    && k != "default"
                    && k != "enum"
                {
                    count += normalize_nullable(v);
                }
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                count += 1;
                map.remove("nullable");
                let plain_type = map.get("type").and_then(Value::as_str).map(str::to_owned);
                let is_enum = map.contains_key("enum") || map.contains_key("const");
                match plain_type {
                    Some(t) if !is_enum => {
                        map.insert("type".to_owned(), json!([t, "null"]));
                    }
                    _ => {
                        let mut outer = Map::new();
                        for key in ANNOTATIONS {
                            if let Some(v) = map.remove(*key) {
                                outer.insert((*key).to_owned(), v);
                            }
                        }
                        let inner = std::mem::take(map);
                        outer.insert("anyOf".to_owned(), json!([inner, {"type": "null"}]));
                        *map = outer;
                    }
                }
            } else if map.get("nullable") == Some(&Value::Bool(false)) {
                map.remove("nullable");
            }
        }
        _ => {}
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_typed_schema_gains_a_null_type() {
        let mut v = json!({"type": "integer", "nullable": true, "description": "d"});
        assert_eq!(normalize_nullable(&mut v), 1);
        assert_eq!(v, json!({"type": ["integer", "null"], "description": "d"}));
    }

    #[test]
    fn nullable_without_type_is_wrapped_in_any_of() {
        let mut v = json!({"$ref": "#/components/schemas/X", "nullable": true, "description": "d"});
        normalize_nullable(&mut v);
        assert_eq!(
            v,
            json!({"description": "d", "anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]})
        );
    }

    #[test]
    fn nullable_enum_is_wrapped_so_null_is_not_an_enum_value() {
        let mut v = json!({"type": "string", "enum": ["a"], "nullable": true});
        normalize_nullable(&mut v);
        assert_eq!(
            v,
            json!({"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]})
        );
    }

    #[test]
    fn extraction_keeps_only_referenced_components() {
        let doc = json!({
            "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {
                "/chat/completions": {"post": {"operationId": "create", "responses": {"200": {"description": "ok",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}}}},
                "/other": {"get": {"operationId": "other", "responses": {}}}
            },
            "components": {"schemas": {
                "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
                "B": {"type": "string", "nullable": true},
                "Unused": {"type": "string"}
            }}
        });
        let out = extract(&doc).expect("extracts");
        let schemas = out
            .document
            .pointer("/components/schemas")
            .and_then(Value::as_object)
            .expect("schemas");
        assert_eq!(schemas.keys().collect::<Vec<_>>(), ["A", "B"]);
        assert!(out.document.pointer("/paths/~1other").is_none());
        assert_eq!(out.nullable_rewrites, 1);
    }

    #[test]
    fn unresolved_reference_names_its_pointer() {
        let doc = json!({"paths": {"/chat/completions": {"get": {"responses": {"200": {"content": {"application/json":
            {"schema": {"$ref": "#/components/schemas/Missing"}}}}}}}}});
        let e = extract(&doc).expect_err("must fail");
        assert!(e.contains("#/components/schemas/Missing"), "{e}");
    }
}
