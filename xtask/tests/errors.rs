//! Specs the generator must refuse, and what it must say: the JSON pointer of
//! the offending node (so a maintainer can find it in a megabyte of spec) and
//! the reason.

mod common;

use common::{document, generate_err};
use serde_json::json;
use xtask::codegen::generate_from_str;

fn assert_names(error: &str, pointer: &str, reason: &str) {
    assert!(
        error.contains(pointer),
        "error does not name `{pointer}`: {error}"
    );
    assert!(
        error.contains(reason),
        "error does not say `{reason}`: {error}"
    );
}

fn plain_resp() -> serde_json::Value {
    json!({ "type": "object", "properties": { "id": { "type": "string" } } })
}

#[test]
fn unresolved_ref() {
    let error = generate_err(&document(json!({
        "Req": { "type": "object", "properties": { "thing": { "$ref": "#/components/schemas/Missing" } } },
        "Resp": plain_resp()
    })));
    assert_names(
        &error,
        "#/components/schemas/Req/properties/thing",
        "unresolved $ref `#/components/schemas/Missing`",
    );
}

#[test]
fn two_schemas_with_one_rust_name() {
    let error = generate_err(&document(json!({
        "Req": { "type": "object", "properties": { "a": { "type": "string" } } },
        "foo_bar": { "type": "object", "properties": { "a": { "type": "string" } } },
        "FooBar": { "type": "object", "properties": { "b": { "type": "string" } } },
        "Resp": plain_resp()
    })));
    assert_names(
        &error,
        "#/components/schemas/FooBar",
        "name clash: Rust type `FooBar`",
    );
    assert!(
        error.contains("#/components/schemas/foo_bar"),
        "the first claimant is not named: {error}"
    );
}

#[test]
fn inline_type_name_clashing_with_a_component() {
    // `Req.config` would be called `ReqConfig`, which a component already is.
    let error = generate_err(&document(json!({
        "Req": {
            "type": "object",
            "properties": { "config": { "type": "object", "properties": { "a": { "type": "string" } } } }
        },
        "ReqConfig": { "type": "object", "properties": { "b": { "type": "string" } } },
        "Resp": plain_resp()
    })));
    assert_names(
        &error,
        "#/components/schemas/Req/properties/config",
        "name clash: Rust type `ReqConfig`",
    );
}

#[test]
fn two_properties_with_one_field_name() {
    let error = generate_err(&document(json!({
        "Req": {
            "type": "object",
            "properties": { "fooBar": { "type": "string" }, "foo_bar": { "type": "string" } }
        },
        "Resp": plain_resp()
    })));
    assert_names(
        &error,
        "#/components/schemas/Req/properties/foo_bar",
        "properties `fooBar` and `foo_bar` both map to field `foo_bar`",
    );
}

#[test]
fn enum_values_with_one_variant_name() {
    let error = generate_err(&document(json!({
        "Req": { "type": "object", "properties": { "mode": { "$ref": "#/components/schemas/Mode" } } },
        "Mode": { "type": "string", "enum": ["low-high", "low_high"] },
        "Resp": plain_resp()
    })));
    assert_names(
        &error,
        "#/components/schemas/Mode",
        "enum values `low-high` and `low_high` both map to variant `LowHigh`",
    );
}

#[test]
fn property_named_extra_on_a_response_struct() {
    let error = generate_err(&document(json!({
        "Req": { "type": "object", "properties": { "a": { "type": "string" } } },
        "Resp": { "type": "object", "properties": { "extra": { "type": "string" } } }
    })));
    assert_names(
        &error,
        "#/components/schemas/Resp",
        "property `extra` clashes with the generated `extra` field",
    );
}

#[test]
fn malformed_operation() {
    let mut doc = document(json!({ "Req": plain_resp(), "Resp": plain_resp() }));
    doc["paths"]["/things"]["post"]["parameters"] = json!("not a list");
    let error = generate_err(&doc);
    assert_names(&error, "#/paths/~1things/post", "malformed operation");
}

#[test]
fn operation_without_an_id() {
    let mut doc = document(json!({ "Req": plain_resp(), "Resp": plain_resp() }));
    doc["paths"]["/things"]["post"]
        .as_object_mut()
        .unwrap()
        .remove("operationId");
    let error = generate_err(&doc);
    assert_names(
        &error,
        "#/paths/~1things/post",
        "operation has no operationId",
    );
}

#[test]
fn undeclared_path_parameter() {
    let mut doc = document(json!({ "Req": plain_resp(), "Resp": plain_resp() }));
    let operation = doc["paths"]["/things"].take();
    doc["paths"] = json!({ "/things/{thing_id}": operation });
    let error = generate_err(&doc);
    assert_names(
        &error,
        "#/paths/~1things~1{thing_id}/post",
        "path parameter `thing_id` is not declared",
    );
}

#[test]
fn unknown_parameter_location() {
    let mut doc = document(json!({ "Req": plain_resp(), "Resp": plain_resp() }));
    doc["paths"]["/things"]["post"]["parameters"] =
        json!([{ "name": "x", "in": "body", "schema": { "type": "string" } }]);
    let error = generate_err(&doc);
    assert_names(
        &error,
        "#/paths/~1things/post/parameters/0",
        "unknown parameter location `body`",
    );
}

#[test]
fn unsupported_schema_type() {
    let error = generate_err(&document(json!({
        "Req": { "type": "object", "properties": { "when": { "type": "datetime" } } },
        "Resp": plain_resp()
    })));
    assert_names(
        &error,
        "#/components/schemas/Req/properties/when",
        "unsupported type `datetime`",
    );
}

#[test]
fn not_json() {
    let error = generate_from_str("{ \"paths\": ")
        .err()
        .expect("truncated JSON must be rejected");
    assert!(error.contains("not an OpenAPI document"), "{error}");
    assert!(
        error.contains("line 1 column"),
        "the error should locate the problem: {error}"
    );
}

#[test]
fn not_an_object() {
    for text in ["[]", "42", "\"openapi\"", "null"] {
        let error = generate_from_str(text)
            .err()
            .unwrap_or_else(|| panic!("`{text}` must be rejected"));
        assert!(error.contains("not an OpenAPI document"), "{text}: {error}");
    }
}

#[test]
fn a_property_named_extra_is_fine_on_request_only_structs() {
    // Only response structs gain the `extra` map of unknown properties.
    let spec = serde_json::json!({
        "openapi": "3.1.0",
        "paths": {"/things": {"post": {"operationId": "createThing",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
            "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"Req": {"type": "object", "properties": {"extra": {"type": "string"}}}}}
    });
    let generated =
        xtask::codegen::generate_from_str(&spec.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let types = &generated
        .files
        .iter()
        .find(|(n, _)| n == "types.rs")
        .expect("types.rs")
        .1;
    assert!(types.contains("pub extra: Option<String>"), "{types}");
}

#[test]
fn unresolved_references_to_parameters_bodies_and_responses_name_their_pointer() {
    // Each kind is resolved by the same code; each must report where it failed.
    let cases = [
        (
            serde_json::json!({"operationId": "op", "parameters": [{"$ref": "#/components/parameters/Nope"}],
                "responses": {"200": {"description": "ok"}}}),
            "#/paths/~1things/get/parameters/0",
        ),
        (
            serde_json::json!({"operationId": "op", "requestBody": {"$ref": "#/components/requestBodies/Nope"},
                "responses": {"200": {"description": "ok"}}}),
            "#/paths/~1things/get/requestBody",
        ),
        (
            serde_json::json!({"operationId": "op", "responses": {"200": {"$ref": "#/components/responses/Nope"}}}),
            "#/paths/~1things/get/responses/200",
        ),
    ];
    for (operation, pointer) in cases {
        let spec =
            serde_json::json!({"openapi": "3.1.0", "paths": {"/things": {"get": operation}}});
        let e = generate_err(&spec);
        assert!(e.contains(pointer) && e.contains("unresolved $ref"), "{e}");
    }
}
