//! The generator's mapping rules, one snapshot test per rule, each on a tiny
//! synthetic spec. The snapshots are the reviewed specification of what each
//! rule produces; a change to any of them is a change to the public API of
//! `chat-api` and should be read as such.

mod common;

use common::{document, file, generate, generate_err, types_body, types_of};
use serde_json::json;

fn r(name: &str) -> serde_json::Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

#[test]
fn objects_become_structs_required_fields_first() {
    // Field order is deliberately not alphabetical, and `required` lists
    // the fields in another order again: required fields come first, each
    // group in `properties` order.
    let generated = generate(&document(json!({
        "Req": {
            "type": "object",
            "properties": {
                "zeta": { "type": "string" },
                "alpha": { "type": "integer" },
                "mid": { "type": "array", "items": { "type": "string" } },
                "flag": { "type": "boolean" }
            },
            "required": ["flag", "zeta"]
        },
        "Resp": {
            "type": "object",
            "properties": {
                "id": { "type": "string" },
                "count": { "type": "integer" }
            },
            "required": ["id"]
        }
    })));
    // The one snapshot with the preamble, so its lint allows are covered too.
    insta::assert_snapshot!("objects_types", file(&generated, "types.rs"));
}

#[test]
fn every_spelling_of_nullable_is_an_option() {
    let nullable_fields = json!({
        "openapi30": { "type": "string", "nullable": true },
        "type_array": { "type": ["string", "null"] },
        "any_of_null": { "anyOf": [{ "type": "string" }, { "type": "null" }] },
        "one_of_null": { "oneOf": [r("Thing"), { "type": "null" }] },
        "all_of_ref_nullable": { "allOf": [r("Thing"), { "nullable": true }] },
        "nullable_component": r("MaybeThing"),
        "optional_and_nullable": { "type": ["integer", "null"] }
    });
    let required = json!([
        "openapi30",
        "type_array",
        "any_of_null",
        "one_of_null",
        "all_of_ref_nullable",
        "nullable_component"
    ]);
    let types = types_of(json!({
        "Req": { "type": "object", "properties": nullable_fields, "required": required },
        "Resp": { "type": "object", "properties": nullable_fields, "required": required },
        "Thing": { "type": "object", "properties": { "x": { "type": "integer" } } },
        "MaybeThing": { "type": ["object", "null"], "properties": { "y": { "type": "integer" } } }
    }));
    for field in [
        "openapi30",
        "type_array",
        "any_of_null",
        "one_of_null",
        "all_of_ref_nullable",
        "nullable_component",
    ] {
        assert!(
            types.contains(&format!("pub {field}: Option<")),
            "`{field}` is not an Option:\n{types}"
        );
    }
    // A nullable component is its non-null shape; only its uses are optional.
    assert!(types.contains("pub struct MaybeThing {"), "{types}");
    insta::assert_snapshot!("nullable_types", types);
}

#[test]
fn all_of_merges_members_into_one_struct() {
    let types = types_of(json!({
        "Base": {
            "type": "object",
            "properties": { "id": { "type": "string" }, "note": { "type": "string" } },
            "required": ["id"]
        },
        "Req": {
            "description": "Base plus a name.",
            "allOf": [
                r("Base"),
                {
                    "type": "object",
                    "properties": { "name": { "type": "string" }, "size": { "type": "integer" } },
                    "required": ["name"]
                }
            ]
        },
        "Resp": { "allOf": [r("Base"), { "properties": { "done": { "type": "boolean" } }, "required": ["done"] }] }
    }));
    insta::assert_snapshot!("all_of_types", types);
}

#[test]
fn one_of_with_a_discriminator_is_an_internally_tagged_enum() {
    let types = types_of(json!({
        "Circle": {
            "type": "object",
            "properties": { "kind": { "type": "string", "enum": ["circle"] }, "radius": { "type": "number" } },
            "required": ["kind", "radius"]
        },
        "Square": {
            "type": "object",
            "properties": { "kind": { "type": "string", "const": "square" }, "side": { "type": "number" } },
            "required": ["kind", "side"]
        },
        "Shape": {
            "oneOf": [r("Circle"), r("Square")],
            "discriminator": { "propertyName": "kind" }
        },
        "Req": { "type": "object", "properties": { "shape": r("Shape") }, "required": ["shape"] },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } }
    }));
    insta::assert_snapshot!("one_of_discriminator_request_types", types);
}

#[test]
fn discriminator_mapping_names_the_tag_values() {
    // The branch schemas say nothing about the tag; the mapping alone does.
    let types = types_of(json!({
        "Cat": { "type": "object", "properties": { "meow": { "type": "boolean" } } },
        "Dog": { "type": "object", "properties": { "woof": { "type": "boolean" } } },
        "Pet": {
            "oneOf": [r("Cat"), r("Dog")],
            "discriminator": {
                "propertyName": "pet_type",
                "mapping": { "cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog" }
            }
        },
        "Req": { "type": "object", "properties": { "pet": r("Pet") } },
        "Resp": { "type": "object", "properties": { "pet": r("Pet") } }
    }));
    insta::assert_snapshot!("discriminator_mapping_types", types);
}

#[test]
fn discriminator_mapping_tags_request_only_branches() {
    // Without a serde tag, `Pet::Cat(Cat::default())` would be sent as `{}`
    // and the server could not tell which pet it is.
    let types = types_of(json!({
        "Cat": { "type": "object", "properties": { "meow": { "type": "boolean" } } },
        "Dog": { "type": "object", "properties": { "woof": { "type": "boolean" } } },
        "Pet": {
            "oneOf": [r("Cat"), r("Dog")],
            "discriminator": {
                "propertyName": "pet_type",
                "mapping": { "cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog" }
            }
        },
        "Req": { "type": "object", "properties": { "pet": r("Pet") } },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } }
    }));
    assert!(
        types.contains("#[serde(tag = \"pet_type\", rename = \"cat\")]\npub struct Cat"),
        "{types}"
    );
    assert!(
        types.contains("#[serde(tag = \"pet_type\", rename = \"dog\")]\npub struct Dog"),
        "{types}"
    );
    insta::assert_snapshot!("discriminator_mapping_request_types", types);
}

#[test]
fn one_of_without_discriminator_is_tagged_on_a_shared_const_property() {
    // Response side: the enum gets `Unknown(Value)` and the variant structs
    // keep `type` as a field.
    let types = types_of(json!({
        "TextPart": {
            "type": "object",
            "properties": {
                "type": { "type": "string", "enum": ["text"], "x-stainless-const": true },
                "text": { "type": "string" }
            },
            "required": ["type", "text"]
        },
        "ImagePart": {
            "type": "object",
            "properties": {
                "type": { "const": "image_url" },
                "url": { "type": "string" }
            },
            "required": ["type", "url"]
        },
        "Part": { "oneOf": [r("TextPart"), r("ImagePart")] },
        "Req": { "type": "object", "properties": { "id": { "type": "string" } } },
        "Resp": { "type": "object", "properties": { "parts": { "type": "array", "items": r("Part") } } }
    }));
    insta::assert_snapshot!("one_of_const_tag_response_types", types);
}

#[test]
fn untagged_unions_name_variants_from_titles_and_get_from_impls() {
    let types = types_of(json!({
        "Part": { "type": "object", "properties": { "text": { "type": "string" } } },
        "Content": {
            "oneOf": [
                { "type": "string", "title": "Text content" },
                { "type": "array", "title": "Array of parts", "items": r("Part") }
            ]
        },
        // Without titles, variants are named after the JSON kind (never `Variant0`).
        "Stop": { "anyOf": [{ "type": "string" }, { "type": "array", "items": { "type": "string" } }] },
        "Req": {
            "type": "object",
            "properties": { "content": r("Content"), "stop": r("Stop") },
            "required": ["content"]
        },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } }
    }));
    assert!(!types.contains("Variant0"), "{types}");
    insta::assert_snapshot!("untagged_types", types);
}

#[test]
fn any_of_string_or_enum_is_an_open_enum() {
    let types = types_of(json!({
        "Model": {
            "anyOf": [
                { "type": "string" },
                { "type": "string", "enum": ["gpt-4o", "gpt-4.1-mini"] }
            ]
        },
        "Req": { "type": "object", "properties": { "model": r("Model") }, "required": ["model"] },
        "Resp": { "type": "object", "properties": { "model": { "type": "string" } } }
    }));
    insta::assert_snapshot!("open_enum_types", types);
}

#[test]
fn string_enums_keep_unknown_values_and_honour_the_spec_default() {
    let types = types_of(json!({
        "Detail": { "type": "string", "enum": ["auto", "low", "high"], "default": "low" },
        "Status": { "type": "string", "enum": ["in_progress", "completed"] },
        "Req": { "type": "object", "properties": { "detail": r("Detail") } },
        "Resp": { "type": "object", "properties": { "status": r("Status") } }
    }));
    insta::assert_snapshot!("string_enum_types", types);
}

#[test]
fn single_value_properties_are_tags_when_sent_and_fields_when_received() {
    // Request-only structs get a serde tag (the user cannot get it wrong).
    // Response structs keep a typed field, because real data carries values
    // the spec says are impossible (a compatible server's `object`, a new
    // `type`), and a tag would reject or overwrite them. A struct used on
    // both sides is a response struct.
    let types = types_of(json!({
        "ToolIn": {
            "type": "object",
            "properties": {
                "type": { "type": "string", "enum": ["function"], "x-stainless-const": true },
                "name": { "type": "string" }
            },
            "required": ["type", "name"]
        },
        "ConstIn": {
            "type": "object",
            "properties": { "kind": { "const": "fixed" }, "n": { "type": "integer" } },
            "required": ["kind"]
        },
        "Shared": {
            "type": "object",
            "properties": { "object": { "type": "string", "enum": ["shared"] } },
            "required": ["object"]
        },
        "Req": {
            "type": "object",
            "properties": { "tool": r("ToolIn"), "fixed": r("ConstIn"), "shared": r("Shared") }
        },
        "Resp": {
            "type": "object",
            "properties": {
                "object": { "type": "string", "enum": ["thing"], "x-stainless-const": true },
                "shared": r("Shared")
            },
            "required": ["object"]
        }
    }));
    assert!(
        types.contains("#[serde(tag = \"type\", rename = \"function\")]"),
        "{types}"
    );
    assert!(
        types.contains("#[serde(tag = \"kind\", rename = \"fixed\")]"),
        "{types}"
    );
    assert!(
        !types.contains("pub struct ToolInType"),
        "the tag's one-value enum should be dropped:\n{types}"
    );
    insta::assert_snapshot!("const_tag_types", types);
}

#[test]
fn maps_and_scalars() {
    let types = types_of(json!({
        "Req": {
            "type": "object",
            "properties": {
                "metadata": { "type": "object", "additionalProperties": { "type": "string" } },
                "bias": { "type": "object", "additionalProperties": { "type": "integer" } },
                "nested": { "type": "object", "additionalProperties": r("Thing") },
                "free_true": { "type": "object", "additionalProperties": true },
                "free_bare": { "type": "object" },
                "anything": {},
                "count": { "type": "integer", "format": "int32" },
                "ratio": { "type": "number" },
                "on": { "type": "boolean" }
            }
        },
        "Thing": { "type": "object", "properties": { "x": { "type": "integer" } } },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } }
    }));
    insta::assert_snapshot!("maps_and_scalars_types", types);
}

/// The components `settings::RUNTIME_TYPES` names are aliases of the
/// runtime's type (a JSON Schema that keeps its property order), wherever
/// they are used; a schema that is not a free-form object cannot be one.
#[test]
fn runtime_types_replace_free_form_components() {
    let types = types_of(json!({
        "Req": {
            "type": "object",
            "properties": {
                "parameters": r("FunctionParameters"),
                "schema": r("ResponseFormatJsonSchemaSchema"),
                "other": { "type": "object", "additionalProperties": true }
            }
        },
        "FunctionParameters": { "type": "object", "description": "A JSON Schema.", "additionalProperties": true },
        "ResponseFormatJsonSchemaSchema": { "type": "object", "additionalProperties": true },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } }
    }));
    insta::assert_snapshot!("runtime_types_types", types);

    let error = generate_err(&document(json!({
        "Req": { "type": "object", "properties": { "p": r("FunctionParameters") } },
        "FunctionParameters": { "type": "object", "properties": { "a": { "type": "string" } } },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } }
    })));
    assert!(
        error.starts_with("#/components/schemas/FunctionParameters: settings::RUNTIME_TYPES maps"),
        "{error}"
    );
}

#[test]
fn descriptions_become_rustdoc() {
    let types = types_of(json!({
        "Req": {
            "type": "object",
            "description": "A request. Ends with [DONE]; see https://example.com/a. and the [guide](/docs/guides/x).\n\n```\n{\"a\": [1]}\n```",
            "properties": {
                "temperature": { "type": "number", "default": 1, "description": "Sampling temperature." },
                "old": { "type": "string", "deprecated": true, "description": "Use `new`. Values like <id> are placeholders." },
                "undocumented": { "type": "string" }
            }
        },
        "Legacy": {
            "type": "object",
            "deprecated": true,
            "description": "Gone soon.",
            "properties": { "x": { "type": "integer" } }
        },
        "Resp": { "type": "object", "properties": { "legacy": r("Legacy") } }
    }));
    insta::assert_snapshot!("docs_types", types);
}

#[test]
fn names_keywords_renames_and_inline_types() {
    let types = types_of(json!({
        "Req": {
            "type": "object",
            "properties": {
                "type": { "type": "string" },
                "self": { "type": "string" },
                "snake_case": { "type": "string" },
                "camelCase": { "type": "string" },
                "dotted.name": { "type": "string" },
                "config": {
                    "type": "object",
                    "properties": { "level": { "type": "string", "enum": ["low", "high"] } }
                },
                "entries": {
                    "type": "array",
                    "items": { "type": "object", "properties": { "key": { "type": "string" } } }
                }
            }
        },
        "lower_case.schema": { "type": "object", "properties": { "x": { "type": "integer" } } },
        "Resp": { "type": "object", "properties": { "other": r("lower_case.schema") } }
    }));
    insta::assert_snapshot!("names_types", types);
}

#[test]
fn response_structs_keep_extra_and_recursive_types_are_boxed() {
    let types = types_of(json!({
        "Node": {
            "type": "object",
            "properties": {
                "value": { "type": "string" },
                "next": r("Node"),
                "children": { "type": "array", "items": r("Node") }
            },
            "required": ["value"]
        },
        // Mutual recursion through an untagged union.
        "Expr": { "anyOf": [{ "type": "integer" }, r("Sum")] },
        "Sum": {
            "type": "object",
            "properties": { "left": r("Expr"), "right": r("Expr") },
            "required": ["left", "right"]
        },
        "Req": { "type": "object", "properties": { "expr": r("Expr") } },
        "Resp": { "type": "object", "properties": { "root": r("Node") }, "required": ["root"] }
    }));
    insta::assert_snapshot!("extra_and_boxes_types", types);
}

#[test]
fn endpoints_path_query_body_streaming_pagination_and_unsupported() {
    let doc = json!({
        "openapi": "3.1.0",
        "info": { "title": "test", "version": "1" },
        "paths": {
            "/things": {
                "get": {
                    "operationId": "listThings",
                    "summary": "List things.",
                    "parameters": [
                        { "name": "after", "in": "query", "schema": { "type": "string" } },
                        { "name": "limit", "in": "query", "schema": { "type": "integer", "default": 20 } },
                        { "name": "order", "in": "query", "schema": { "type": "string", "enum": ["asc", "desc"] } }
                    ],
                    "responses": {
                        "200": { "description": "ok", "content": { "application/json": { "schema": r("ThingList") } } }
                    }
                },
                "post": {
                    "operationId": "createThing",
                    "summary": "Create a thing.",
                    "requestBody": { "required": true, "content": { "application/json": { "schema": r("Req") } } },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": { "schema": r("Thing") },
                                "text/event-stream": { "schema": r("ThingEvent") }
                            }
                        }
                    }
                }
            },
            "/things/{thing_id}": {
                "parameters": [{ "name": "thing_id", "in": "path", "required": true, "schema": { "type": "string" } }],
                "get": {
                    "operationId": "getThing",
                    "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": r("Thing") } } } }
                },
                "delete": {
                    "operationId": "deleteThing",
                    "deprecated": true,
                    "responses": { "204": { "description": "gone" } }
                }
            },
            "/uploads": {
                "post": {
                    "operationId": "createUpload",
                    "requestBody": {
                        "content": { "multipart/form-data": { "schema": { "type": "object" } } }
                    },
                    "responses": { "200": { "description": "ok", "content": { "application/json": { "schema": r("Thing") } } } }
                }
            }
        },
        "components": {
            "schemas": {
                "Req": { "type": "object", "properties": { "name": { "type": "string" } } },
                "Thing": { "type": "object", "properties": { "id": { "type": "string" } }, "required": ["id"] },
                "ThingEvent": { "type": "object", "properties": { "delta": { "type": "string" } } },
                "ThingList": {
                    "type": "object",
                    "properties": {
                        "data": { "type": "array", "items": r("Thing") },
                        "has_more": { "type": "boolean" },
                        "last_id": { "type": "string" }
                    },
                    "required": ["data", "has_more"]
                }
            }
        }
    });
    let generated = generate(&doc);
    let summary = xtask::codegen::summary(&generated, 0, std::time::Instant::now());
    assert!(
        summary.contains(
            "1 endpoints not generated: createUpload (request body is multipart/form-data (only application/json is supported))"
        ),
        "{summary}"
    );
    assert!(summary.contains("4 endpoints (1 streaming)"), "{summary}");
    let endpoints = file(&generated, "endpoints.rs");
    assert!(!endpoints.contains("create_upload"), "{endpoints}");
    insta::assert_snapshot!("endpoints_endpoints", endpoints);
    insta::assert_snapshot!("endpoints_types", types_body(&generated));
}

#[test]
fn a_branch_null_is_dropped_when_the_whole_union_is_nullable() {
    // StopConfiguration's shape: `anyOf: [{oneOf: [string|null, array]}, null]`.
    // The field is already an `Option`; a second `Option` inside the
    // `String` variant would only make users write `Some(Some(..))`.
    let doc = common::document(serde_json::json!({
        "Stop": {"anyOf": [
            {"oneOf": [{"type": ["string", "null"]}, {"type": "array", "items": {"type": "string"}}]},
            {"type": "null"}
        ]},
        "Req": {"type": "object", "properties": {"stop": {"$ref": "#/components/schemas/Stop"}}},
        "Resp": {"type": "object", "properties": {"stop": {"$ref": "#/components/schemas/Stop"}}}
    }));
    let generated = common::generate(&doc);
    let types = &generated
        .files
        .iter()
        .find(|(n, _)| n == "types.rs")
        .expect("types.rs")
        .1;
    assert!(types.contains("String(String)"), "{types}");
    assert!(!types.contains("Option<Option"), "{types}");
    assert!(types.contains("pub stop: Option<Stop>"), "{types}");
}

#[test]
fn integers_bounded_to_a_byte_are_u8_and_large_optional_response_objects_are_boxed() {
    let types = types_of(json!({
        "Req": { "type": "object", "properties": { "n": { "type": "integer" } } },
        "Resp": {
            "type": "object",
            "properties": {
                "bytes": { "type": "array", "items": { "type": "integer", "minimum": 0, "maximum": 255 } },
                "count": { "type": "integer", "minimum": 0 },
                "usage": r("Usage"),
                "audio": r("Audio")
            }
        },
        "Usage": { "type": "object", "properties": { "total": { "type": "integer" } } },
        "Audio": {
            "type": "object",
            "properties": { "id": { "type": "string" }, "data": { "type": "string" }, "transcript": { "type": "string" } }
        }
    }));
    assert!(types.contains("pub bytes: Option<Vec<u8>>,"), "{types}");
    assert!(types.contains("pub count: Option<i64>,"), "{types}");
    // A small object stays inline; a larger one is boxed.
    assert!(types.contains("pub usage: Option<Usage>,"), "{types}");
    assert!(types.contains("pub audio: Option<Box<Audio>>,"), "{types}");
}
