//! The names users type: the naming table, merged enums, variants without
//! stutter, and the rules that keep the checked-in table honest. Also the
//! rules a reader meets in every struct: required fields first, no
//! placeholder docs, and response-side enums that never invent a value.

mod common;

use common::{document, types_body, types_of};
use serde_json::{Value, json};
use xtask::codegen::{Generated, generate_from_str_with};
use xtask::settings::{NameTable, Settings};

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn with_table(doc: &Value, table: Value) -> Result<Generated, String> {
    try_with_table(doc, table)
}

/// The generator's error, failing the test if it accepted the document.
fn table_err(doc: &Value, table: Value) -> String {
    match try_with_table(doc, table) {
        Ok(_) => panic!("the generator accepted a table it should reject"),
        Err(e) => e,
    }
}

fn try_with_table(doc: &Value, table: Value) -> Result<Generated, String> {
    let settings = Settings {
        names: NameTable::parse(&table.to_string()).expect("a valid table"),
        strict: true,
    };
    generate_from_str_with(&doc.to_string(), &settings)
}

/// A response with two choice lists whose inline `finish_reason` enums are
/// identical, as in `CreateChatCompletionResponse` and its stream chunk.
fn two_choice_lists() -> Value {
    let reason = json!({ "type": "string", "enum": ["stop", "length"] });
    let choices = |reason: Value| {
        json!({
            "type": "array",
            "items": {
                "type": "object",
                "properties": { "index": { "type": "integer" }, "finish_reason": reason },
                "required": ["index", "finish_reason"]
            }
        })
    };
    document(json!({
        "Req": { "type": "object", "properties": { "model": { "type": "string" } } },
        "Resp": {
            "type": "object",
            "properties": {
                "choices": choices(reason.clone()),
                "chunk_choices": choices(reason)
            },
            "required": ["choices"]
        }
    }))
}

#[test]
fn the_table_names_inline_types_and_identical_enums_become_one() {
    let generated = with_table(
        &two_choice_lists(),
        json!({ "types": {
            "#/components/schemas/Resp/properties/choices/items": "Choice",
            "#/components/schemas/Resp/properties/choices/items/properties/finish_reason": "FinishReason"
        }}),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let types = types_body(&generated);
    assert!(types.contains("pub struct Choice {"), "{types}");
    // The child of a renamed parent takes the short name as its prefix.
    assert!(
        types.contains("pub struct RespChunkChoicesItem {"),
        "{types}"
    );
    // One enum, used by both lists: the other copy is gone.
    assert_eq!(types.matches("pub enum ").count(), 1, "{types}");
    assert!(types.contains("pub enum FinishReason {"), "{types}");
    assert_eq!(
        types
            .matches("pub finish_reason: Option<FinishReason>,")
            .count(),
        2,
        "{types}"
    );
}

#[test]
fn without_a_table_entry_the_shortest_name_is_kept_and_components_win() {
    let types =
        types_body(&with_table(&two_choice_lists(), json!({})).unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(types.matches("pub enum ").count(), 1, "{types}");
    assert!(
        types.contains("pub enum RespChoicesItemFinishReason {"),
        "{types}"
    );
    // A component with the same values absorbs the inline copies; two
    // components with the same values both stay (each is documented).
    let types = types_of(json!({
        "Req": { "type": "object", "properties": { "a": r("Level"), "b": r("Size") } },
        "Resp": {
            "type": "object",
            "properties": { "inline": { "type": "string", "enum": ["low", "high"] }, "level": r("Level") }
        },
        "Level": { "type": "string", "enum": ["low", "high"] },
        "Size": { "type": "string", "enum": ["high", "low"] }
    }));
    assert!(types.contains("pub enum Level {"), "{types}");
    assert!(types.contains("pub enum Size {"), "{types}");
    assert!(!types.contains("RespInline"), "{types}");
    assert!(types.contains("pub inline: Option<Level>,"), "{types}");
}

#[test]
fn table_entries_that_match_nothing_or_disagree_are_errors() {
    let err = table_err(
        &two_choice_lists(),
        json!({ "types": { "#/components/schemas/Resp/properties/gone": "Gone" } }),
    );
    assert_eq!(
        err,
        "names.json#/types/#~1components~1schemas~1Resp~1properties~1gone: the entry for `Gone` matches no schema in the spec; update or remove it"
    );
    let err = table_err(
        &two_choice_lists(),
        json!({ "types": {
            "#/components/schemas/Resp/properties/choices/items/properties/finish_reason": "FinishReason",
            "#/components/schemas/Resp/properties/chunk_choices/items/properties/finish_reason": "StopReason"
        }}),
    );
    assert!(
        err.starts_with("#/components/schemas/Resp/properties/choices/items/properties/finish_reason: spec/names.json names identical enums differently: `FinishReason`"),
        "{err}"
    );
}

#[test]
fn invented_names_longer_than_forty_characters_are_errors_in_strict_mode() {
    let doc = document(json!({
        "Req": { "type": "object", "properties": { "x": { "type": "string" } } },
        "Resp": {
            "type": "object",
            "properties": {
                "an_unusually_long_property_name_that_is_long": {
                    "type": "object", "properties": { "x": { "type": "string" } }
                }
            }
        }
    }));
    let err = table_err(&doc, json!({}));
    assert_eq!(
        err,
        "#/components/schemas/Resp/properties/an_unusually_long_property_name_that_is_long: the generated name `RespAnUnusuallyLongPropertyNameThatIsLong` is 41 characters long (at most 40); give it a shorter one in names.json"
    );
    // The table is the fix; without strict mode (a spec the table was not
    // written for) long names pass.
    let pointer =
        "#/components/schemas/Resp/properties/an_unusually_long_property_name_that_is_long";
    if let Err(e) = with_table(&doc, json!({ "types": { pointer: "Long" } })) {
        panic!("{e}");
    }
    if let Err(e) = generate_from_str_with(&doc.to_string(), &Settings::default()) {
        panic!("{e}");
    }
}

#[test]
fn untagged_variants_drop_their_enums_words_and_the_table_names_the_rest() {
    let doc = document(json!({
        "Req": {
            "type": "object",
            "properties": {
                "tool_choice": r("ToolChoiceOption"),
                "content": {
                    "oneOf": [
                        { "type": "string", "title": "Text content" },
                        { "type": "array", "items": { "type": "string" }, "title": "Array of content parts" }
                    ]
                }
            }
        },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } },
        "ToolChoiceOption": {
            "oneOf": [
                { "type": "string", "enum": ["none", "auto"], "title": "Tool choice mode" },
                r("NamedToolChoice"),
                r("AllowedToolsChoice")
            ]
        },
        "NamedToolChoice": { "type": "object", "properties": { "name": { "type": "string" } }, "required": ["name"] },
        "AllowedToolsChoice": { "type": "object", "properties": { "tools": { "type": "array", "items": { "type": "string" } } } }
    }));
    let generated = with_table(
        &doc,
        json!({
            "variants": { "#/components/schemas/ToolChoiceOption/oneOf/2": "Allowed" },
            "titles": { "Text content": "Text", "Array of content parts": "Parts" }
        }),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let types = types_body(&generated);
    for variant in [
        "Mode(ToolChoiceOptionMode)",
        "Named(NamedToolChoice)",
        "Allowed(AllowedToolsChoice)",
        "Text(String)",
        "Parts(Vec<String>)",
    ] {
        assert!(types.contains(variant), "no `{variant}` in\n{types}");
    }
}

#[test]
fn response_enums_are_options_and_never_default_to_a_real_value() {
    let types = types_of(json!({
        "Req": {
            "type": "object",
            "properties": {
                "mode": { "type": "string", "enum": ["auto", "manual"] },
                "level": { "type": "string", "enum": ["low", "high"], "default": "high" }
            },
            "required": ["mode"]
        },
        "Resp": {
            "type": "object",
            "properties": {
                "reason": { "type": "string", "enum": ["stop", "length"] },
                "count": { "type": "integer" }
            },
            "required": ["reason", "count"]
        }
    }));
    // Absent or null: `None`, written back as `null`; an integer keeps its
    // empty value (`0`) for lenient servers.
    assert!(
        types.contains("    pub reason: Option<RespReason>,")
            && types.contains("reason: reason.flatten(),"),
        "{types}"
    );
    assert!(
        types.contains("    pub count: i64,")
            && types.contains("count: crate::__private::or_empty(count),"),
        "{types}"
    );
    // A closed enum without a spec default has no `Default` (the first
    // variant would be a lie), so neither has the request that requires it.
    assert!(
        types.contains("#[derive(Debug, Clone, PartialEq, Eq, Hash)]\npub enum RespReason"),
        "{types}"
    );
    assert!(
        types.contains("#[derive(Debug, Clone, PartialEq, Serialize)]\npub struct Req "),
        "{types}"
    );
    // The spec's default is honoured.
    assert!(types.contains("#[default]\n    High,"), "{types}");
    // A constant has one possible value: a missing one is that value, and
    // it is what a request built with `..Default::default()` sends.
    let types = types_of(json!({
        "Req": { "type": "object", "properties": { "part": r("Part") } },
        "Resp": { "type": "object", "properties": { "part": r("Part") } },
        "Part": {
            "type": "object",
            "properties": { "type": { "type": "string", "enum": ["text"] }, "text": { "type": "string" } },
            "required": ["type", "text"]
        }
    }));
    assert!(
        types.contains("    pub r#type: PartType,")
            && types.contains("r#type: crate::__private::or_empty(r#type),"),
        "{types}"
    );
    assert!(types.contains("#[default]\n    Text,"), "{types}");
}

#[test]
fn required_fields_come_first_and_undocumented_ones_have_no_placeholder() {
    let types = types_of(json!({
        "Req": {
            "allOf": [
                { "type": "object", "properties": { "temperature": { "type": "number" }, "metadata": r("Metadata") } },
                {
                    "type": "object",
                    "properties": { "user": { "type": "string" }, "messages": { "type": "array", "items": { "type": "string" } }, "model": { "type": "string" } },
                    "required": ["model", "messages"]
                }
            ]
        },
        "Resp": { "type": "object", "properties": { "id": { "type": "string" } } },
        "Metadata": {
            "type": "object",
            "additionalProperties": { "type": "string" },
            "description": "Key-value pairs.\n\nMore detail that stays on the type."
        }
    }));
    let order: Vec<usize> = [
        "pub messages:",
        "pub model:",
        "pub temperature:",
        "pub metadata:",
        "pub user:",
    ]
    .iter()
    .map(|f| {
        types
            .find(f)
            .unwrap_or_else(|| panic!("no `{f}` in\n{types}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{types}");
    assert!(!types.contains("property."), "{types}");
    assert!(!types.contains("from the OpenAPI spec"), "{types}");
    // A field without a description takes its type's first paragraph.
    assert!(types.contains("/// Key-value pairs.\n    #[serde(skip_serializing_if = \"Option::is_none\")]\n    pub metadata:"), "{types}");
}
