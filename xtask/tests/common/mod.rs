//! Builders for the tiny synthetic specs the generator tests run on.

#![allow(dead_code)]

use serde_json::{Value, json};
use xtask::codegen::{Generated, generate_from_str};

/// A 3.1 document with one operation, `POST /things`, whose JSON body is the
/// component `Req` and whose 200 response is the component `Resp`: without
/// both, nothing would be on the request or response side and the
/// side-dependent rules (tags, `Default`, `extra`) would never fire.
pub fn document(schemas: Value) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": { "title": "test", "version": "1" },
        "paths": {
            "/things": {
                "post": {
                    "operationId": "createThing",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Req" } } }
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Resp" } } }
                        }
                    }
                }
            }
        },
        "components": { "schemas": schemas }
    })
}

/// Generates, failing the test with the generator's message on error.
pub fn generate(doc: &Value) -> Generated {
    generate_from_str(&doc.to_string()).unwrap_or_else(|e| panic!("generation failed: {e}"))
}

/// The generator's error for a document that must be rejected.
pub fn generate_err(doc: &Value) -> String {
    match generate_from_str(&doc.to_string()) {
        Ok(_) => panic!("the generator accepted a document it should reject"),
        Err(e) => e,
    }
}

pub fn file<'a>(generated: &'a Generated, name: &str) -> &'a str {
    generated
        .files
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, c)| c.as_str())
        .unwrap_or_else(|| panic!("no generated file `{name}`"))
}

/// `types.rs` without its fixed preamble (header, inner doc, lint allows,
/// `use`), which one test snapshots in full; elsewhere it is noise.
pub fn types_body(generated: &Generated) -> String {
    let types = file(generated, "types.rs");
    let marker = "use serde::{Deserialize, Serialize};\n";
    let start = types.find(marker).expect("types.rs has its serde import") + marker.len();
    types[start..].to_owned()
}

/// `types.rs` (body) for a document built by [`document`].
pub fn types_of(schemas: Value) -> String {
    types_body(&generate(&document(schemas)))
}
