//! The generated constraint checks (`constraints.rs`) and the request
//! structs that keep unknown fields (`additionalProperties: true`).

fn generate(schemas: serde_json::Value) -> Vec<(String, String)> {
    let spec = serde_json::json!({
        "openapi": "3.1.0",
        "paths": {"/things": {"post": {"operationId": "createThing",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res"}}}}}}}},
        "components": {"schemas": schemas}
    });
    xtask::codegen::generate_from_str(&spec.to_string())
        .unwrap_or_else(|e| panic!("{e}"))
        .files
}

fn file<'a>(files: &'a [(String, String)], name: &str) -> &'a str {
    &files.iter().find(|(n, _)| n == name).expect(name).1
}

#[test]
fn request_constraints_become_checks_that_fit_the_field_type() {
    let files = generate(serde_json::json!({
        "Req": {"type": "object", "required": ["items"], "properties": {
            "temperature": {"anyOf": [{"type": "number", "minimum": 0, "maximum": 2}, {"type": "null"}]},
            "n": {"type": "integer", "minimum": 1},
            "name": {"type": "string", "maxLength": 64},
            "items": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 4},
            "odd": {"type": "string", "minimum": 3}
        }},
        "Res": {"type": "object", "properties": {"score": {"type": "number", "maximum": 1}}}
    }));
    // Compared without layout: prettyplease breaks long calls with a trailing comma.
    let checks = file(&files, "constraints.rs")
        .replace(char::is_whitespace, "")
        .replace(",)", ")");
    for expected in [
        r#"check_range(out,"temperature",self.temperature,Some(0f64),Some(2f64));"#,
        r#"check_range(out,"n",self.n,Some(1f64),None);"#,
        r#"check_length(out,"name",self.name.as_deref(),None,Some(64u64));"#,
        r#"check_items(out,"items",Some(self.items.len()),Some(1u64),Some(4u64));"#,
    ] {
        assert!(
            checks.contains(expected),
            "{expected} missing from {checks}"
        );
    }
    assert!(
        !checks.contains("\"odd\""),
        "a range on a string is not checked"
    );
    assert!(
        !checks.contains("forcrate::types::Res"),
        "response types are not checked"
    );
    assert!(file(&files, "mod.rs").contains("mod constraints;"));
}

#[test]
fn additional_properties_true_keeps_unknown_fields_on_a_request_struct() {
    let files = generate(serde_json::json!({
        "Req": {"type": "object", "additionalProperties": true, "properties": {"role": {"type": "string"}}},
        "Res": {"type": "object", "properties": {"id": {"type": "string"}}}
    }));
    let types = file(&files, "types.rs");
    let req = &types[types.find("pub struct Req").expect("Req")..];
    let req = &req[..req.find('}').expect("end of Req")];
    assert!(req.contains("pub extra: crate::Extra"), "{req}");
}
