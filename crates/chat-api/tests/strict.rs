//! Tests for `chat_api::strict`: one failing case per rule (pointer + rule),
//! valid schemas, limits, names, and the schemars-to-strict transform.

use chat_api::strict::{self, NameError, Rule, Violations, limits, transform, validate};
use serde_json::{Map, Value, json};

/// `(pointer, rule)` of every violation, in reported order.
fn found(schema: &Value) -> Vec<(String, Rule)> {
    match validate(schema) {
        Ok(()) => Vec::new(),
        Err(v) => v
            .iter()
            .map(|v| (v.pointer().to_owned(), v.rule()))
            .collect(),
    }
}

/// Violations compared in one order (by pointer, then rule): the order they
/// are reported in follows the order a map yields its keys, which is
/// insertion order only with serde_json's `preserve_order`.
fn sorted<P: AsRef<str>>(mut violations: Vec<(P, Rule)>) -> Vec<(P, Rule)> {
    violations.sort_by(|(p, r), (q, s)| (p.as_ref(), r.id()).cmp(&(q.as_ref(), s.id())));
    violations
}

#[track_caller]
fn assert_violations(schema: &Value, expected: &[(&str, Rule)]) {
    let got = found(schema);
    let expected: Vec<(String, Rule)> = expected
        .iter()
        .map(|(p, r)| ((*p).to_owned(), *r))
        .collect();
    let messages = validate(schema).err().map(|e| e.to_string());
    assert_eq!(
        sorted(got),
        sorted(expected),
        "schema: {schema:#}\n{messages:?}"
    );
}

/// A valid closed root object with the given properties, all required.
fn root_with(props: Value) -> Value {
    let keys: Vec<Value> = props
        .as_object()
        .map(|m| m.keys().map(|k| json!(k)).collect())
        .unwrap_or_default();
    json!({
        "type": "object",
        "properties": props,
        "required": keys,
        "additionalProperties": false
    })
}

/// A root whose only property `a` has the given schema.
fn prop(schema: Value) -> Value {
    root_with(json!({ "a": schema }))
}

fn closed(props: Value) -> Value {
    root_with(props)
}

// ---------------------------------------------------------------- valid

fn rich_valid_schema() -> Value {
    json!({
        "description": "Book a trip.",
        "type": "object",
        "properties": {
            "reasoning": { "type": "string" },
            "when": { "type": "string", "format": "date-time" },
            "email": { "type": ["string", "null"], "format": "email", "pattern": "^.+@.+$" },
            "guests": { "type": "integer", "minimum": 1, "maximum": 10, "multipleOf": 1 },
            "budget": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1e6 },
            "unit": { "anyOf": [
                { "type": "string", "enum": ["celsius", "fahrenheit"] },
                { "type": "null" }
            ]},
            "kind": { "type": "string", "const": "trip" },
            "tags": { "type": "array", "items": { "type": "string" }, "minItems": 0, "maxItems": 5 },
            "home": { "description": "Where from.", "anyOf": [{ "$ref": "#/$defs/Address" }] },
            "stops": { "type": "array", "items": { "$ref": "#/$defs/Address" } },
            "tree": { "$ref": "#/$defs/Node" },
            "again": { "anyOf": [{ "$ref": "#" }, { "type": "null" }] }
        },
        "required": ["reasoning", "when", "email", "guests", "budget", "unit", "kind", "tags",
                     "home", "stops", "tree", "again"],
        "additionalProperties": false,
        "$defs": {
            "Address": {
                "type": "object",
                "properties": { "city": { "type": "string" }, "zip": { "type": ["string", "null"] } },
                "required": ["city", "zip"],
                "additionalProperties": false
            },
            "Node": {
                "type": "object",
                "properties": {
                    "value": { "type": "integer" },
                    "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } }
                },
                "required": ["value", "children"],
                "additionalProperties": false
            }
        }
    })
}

#[test]
fn valid_schema_passes() {
    assert_violations(&rich_valid_schema(), &[]);
}

#[test]
fn empty_parameters_object_passes() {
    assert_violations(
        &json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}),
        &[],
    );
}

#[test]
fn all_nine_formats_pass() {
    for f in limits::ALLOWED_FORMATS {
        assert_violations(&prop(json!({"type": "string", "format": f})), &[]);
    }
}

// ---------------------------------------------------------------- root

#[test]
fn root_must_be_object_type() {
    assert_violations(
        &json!({"type": "string"}),
        &[("/type", Rule::RootNotObject)],
    );
    assert_violations(&json!(true), &[("", Rule::RootNotObject)]);
    assert_violations(&json!({}), &[("", Rule::RootNotObject)]);
    assert_violations(&json!([1]), &[("", Rule::RootNotObject)]);
}

#[test]
fn root_must_not_be_nullable() {
    let mut s = prop(json!({"type": "string"}));
    s["type"] = json!(["object", "null"]);
    assert_violations(&s, &[("/type", Rule::RootNotObject)]);
}

#[test]
fn root_must_not_be_any_of() {
    let branch = closed(json!({"x": {"type": "string"}}));
    let s = json!({"anyOf": [branch.clone(), branch]});
    assert_violations(&s, &[("/anyOf", Rule::RootComposition)]);
}

#[test]
fn root_must_not_be_a_ref() {
    let s = json!({
        "$ref": "#/$defs/A",
        "$defs": { "A": closed(json!({"x": {"type": "string"}})) }
    });
    assert_violations(&s, &[("", Rule::RootNotObject)]);
}

// ---------------------------------------------------------------- objects

#[test]
fn objects_must_be_closed() {
    let mut root = closed(json!({"x": {"type": "string"}}));
    root.as_object_mut().unwrap().remove("additionalProperties");
    assert_violations(&root, &[("", Rule::AdditionalPropertiesNotFalse)]);

    let nested = |ap: Option<Value>| {
        let mut inner = closed(json!({"y": {"type": "string"}}));
        match ap {
            Some(v) => inner["additionalProperties"] = v,
            None => {
                inner
                    .as_object_mut()
                    .unwrap()
                    .remove("additionalProperties");
            }
        }
        prop(inner)
    };
    assert_violations(
        &nested(None),
        &[("/properties/a", Rule::AdditionalPropertiesNotFalse)],
    );
    assert_violations(
        &nested(Some(json!(true))),
        &[(
            "/properties/a/additionalProperties",
            Rule::AdditionalPropertiesNotFalse,
        )],
    );
    assert_violations(
        &nested(Some(json!({"type": "integer"}))),
        &[(
            "/properties/a/additionalProperties",
            Rule::AdditionalPropertiesNotFalse,
        )],
    );
}

#[test]
fn defs_and_branches_and_items_must_be_closed_too() {
    let open = json!({"type": "object", "properties": {}, "required": []});
    let s = json!({
        "type": "object",
        "properties": {
            "u": { "anyOf": [open.clone(), {"type": "null"}] },
            "l": { "type": "array", "items": open.clone() },
            "d": { "$ref": "#/$defs/D" }
        },
        "required": ["u", "l", "d"],
        "additionalProperties": false,
        "$defs": { "D": open }
    });
    assert_violations(
        &s,
        &[
            ("/properties/u/anyOf/0", Rule::AdditionalPropertiesNotFalse),
            ("/properties/l/items", Rule::AdditionalPropertiesNotFalse),
            ("/$defs/D", Rule::AdditionalPropertiesNotFalse),
        ],
    );
}

#[test]
fn objects_need_properties() {
    let s = prop(json!({"type": "object", "additionalProperties": false}));
    assert_violations(&s, &[("/properties/a", Rule::MissingProperties)]);
    // For an open map, only the map itself is reported.
    let s = prop(json!({"type": "object", "additionalProperties": {"type": "string"}}));
    assert_violations(
        &s,
        &[(
            "/properties/a/additionalProperties",
            Rule::AdditionalPropertiesNotFalse,
        )],
    );
}

#[test]
fn required_must_list_exactly_the_properties() {
    let mut s = closed(json!({"a": {"type": "string"}, "b": {"type": "string"}}));
    s["required"] = json!(["a", "c", "a"]);
    let errors = validate(&s).unwrap_err();
    let got: Vec<_> = errors.iter().map(|v| (v.pointer(), v.rule())).collect();
    assert_eq!(
        got,
        [
            ("/required/1", Rule::RequiredMismatch),
            ("/required/2", Rule::RequiredMismatch),
            ("/properties/b", Rule::RequiredMismatch),
        ]
    );
    assert!(errors[0].message().contains("\"c\""), "{}", errors[0]);
    assert!(errors[1].message().contains("twice"), "{}", errors[1]);
    assert!(errors[2].message().contains("\"b\""), "{}", errors[2]);
}

#[test]
fn missing_required_reports_every_key() {
    let mut s = closed(json!({"a": {"type": "string"}, "b": {"type": "string"}}));
    s.as_object_mut().unwrap().remove("required");
    assert_violations(
        &s,
        &[
            ("/properties/a", Rule::RequiredMismatch),
            ("/properties/b", Rule::RequiredMismatch),
        ],
    );
}

#[test]
fn malformed_required_and_properties() {
    let mut s = closed(json!({"a": {"type": "string"}}));
    s["required"] = json!("a");
    assert_violations(
        &s,
        &[
            ("/required", Rule::MalformedKeyword),
            ("/properties/a", Rule::RequiredMismatch),
        ],
    );
    let mut s = closed(json!({}));
    s["properties"] = json!([]);
    assert_violations(&s, &[("/properties", Rule::MalformedKeyword)]);
}

// ---------------------------------------------------------------- keywords

#[test]
fn each_rejected_keyword_is_reported_where_it_is() {
    let cases: &[(&str, Value)] = &[
        ("oneOf", json!([{"type": "string"}])),
        ("allOf", json!([{"type": "string"}])),
        ("not", json!({"type": "integer"})),
        ("if", json!({"type": "string"})),
        ("then", json!({"type": "string"})),
        ("else", json!({"type": "string"})),
        ("default", json!("x")),
        ("title", json!("T")),
        (
            "$schema",
            json!("https://json-schema.org/draft/2020-12/schema"),
        ),
        ("$id", json!("urn:x")),
        ("discriminator", json!({"propertyName": "kind"})),
        ("uniqueItems", json!(true)),
        ("prefixItems", json!([{"type": "string"}])),
        ("additionalItems", json!(false)),
        ("contains", json!({"type": "string"})),
        ("minContains", json!(1)),
        ("maxContains", json!(1)),
        ("unevaluatedItems", json!(false)),
        ("patternProperties", json!({"^x": {"type": "string"}})),
        ("propertyNames", json!({"pattern": "^x"})),
        ("minProperties", json!(1)),
        ("maxProperties", json!(1)),
        ("dependentRequired", json!({})),
        ("dependentSchemas", json!({})),
        ("dependencies", json!({})),
        ("unevaluatedProperties", json!(false)),
        ("definitions", json!({})),
        ("examples", json!(["x"])),
        ("nullable", json!(true)),
    ];
    for (kw, value) in cases {
        let mut schema = json!({"type": "string"});
        schema[*kw] = value.clone();
        let s = prop(schema);
        let pointer = format!("/properties/a/{kw}");
        assert_violations(&s, &[(pointer.as_str(), Rule::UnsupportedKeyword)]);
        let message = validate(&s).unwrap_err()[0].message().to_owned();
        assert!(message.contains(kw), "{kw}: {message}");
    }
}

#[test]
fn unknown_keywords_are_reported_separately() {
    let s = prop(json!({"type": "string", "x-rust-type": "String"}));
    assert_violations(&s, &[("/properties/a/x-rust-type", Rule::UnknownKeyword)]);
}

#[test]
fn branches_of_rejected_composition_are_still_checked() {
    let s = prop(json!({"oneOf": [{"type": "string", "format": "uri"}, {"type": "null"}]}));
    assert_violations(
        &s,
        &[
            ("/properties/a/oneOf", Rule::UnsupportedKeyword),
            ("/properties/a/oneOf/0/format", Rule::UnsupportedFormat),
        ],
    );
}

#[test]
fn pointer_tokens_are_escaped() {
    let s = root_with(json!({"a/b~c": {"type": "string", "title": "T"}}));
    assert_violations(
        &s,
        &[("/properties/a~1b~0c/title", Rule::UnsupportedKeyword)],
    );
}

#[test]
fn nested_defs_are_rejected() {
    let mut inner = closed(json!({"x": {"type": "string"}}));
    inner["$defs"] = json!({});
    assert_violations(
        &prop(inner),
        &[("/properties/a/$defs", Rule::UnsupportedKeyword)],
    );
}

// ---------------------------------------------------------------- types

#[test]
fn formats_outside_the_allow_list_are_rejected() {
    for f in ["uint32", "int64", "double", "uri", "ip", "regex"] {
        let s = prop(json!({"type": "string", "format": f}));
        assert_violations(&s, &[("/properties/a/format", Rule::UnsupportedFormat)]);
    }
}

#[test]
fn boolean_and_empty_schemas_are_rejected() {
    assert_violations(
        &prop(json!(true)),
        &[("/properties/a", Rule::BooleanSchema)],
    );
    assert_violations(
        &prop(json!(false)),
        &[("/properties/a", Rule::BooleanSchema)],
    );
    assert_violations(&prop(json!({})), &[("/properties/a", Rule::EmptySchema)]);
    assert_violations(&prop(json!(3)), &[("/properties/a", Rule::NotASchema)]);
    assert_violations(
        &prop(json!({"anyOf": [{}, {"type": "null"}]})),
        &[("/properties/a/anyOf/0", Rule::EmptySchema)],
    );
}

#[test]
fn schemas_need_a_type() {
    assert_violations(
        &prop(json!({"description": "anything"})),
        &[("/properties/a", Rule::MissingType)],
    );
}

#[test]
fn type_must_be_known_and_at_most_one_non_null() {
    assert_violations(
        &prop(json!({"type": ["string", "integer"]})),
        &[("/properties/a/type", Rule::InvalidType)],
    );
    assert_violations(
        &prop(json!({"type": "str"})),
        &[("/properties/a/type", Rule::InvalidType)],
    );
    assert_violations(
        &prop(json!({"type": 1})),
        &[("/properties/a/type", Rule::InvalidType)],
    );
}

#[test]
fn arrays_need_one_typed_items_schema() {
    assert_violations(
        &prop(json!({"type": "array"})),
        &[("/properties/a", Rule::InvalidItems)],
    );
    assert_violations(
        &prop(json!({"type": "array", "items": [{"type": "string"}]})),
        &[("/properties/a/items", Rule::InvalidItems)],
    );
    assert_violations(
        &prop(json!({"type": "array", "items": {}})),
        &[("/properties/a/items", Rule::EmptySchema)],
    );
    assert_violations(
        &prop(json!({"type": "array", "items": true})),
        &[("/properties/a/items", Rule::BooleanSchema)],
    );
    assert_violations(
        &prop(json!({"type": "array", "items": {"description": "x"}})),
        &[("/properties/a/items", Rule::MissingType)],
    );
}

#[test]
fn any_of_must_be_a_non_empty_array() {
    assert_violations(
        &prop(json!({"anyOf": []})),
        &[("/properties/a/anyOf", Rule::MalformedKeyword)],
    );
}

// ---------------------------------------------------------------- $ref

fn with_def(property: Value) -> Value {
    let mut s = prop(property);
    s["$defs"] = json!({"D": closed(json!({"x": {"type": "string"}}))});
    s
}

#[test]
fn ref_must_stand_alone() {
    let s = with_def(json!({"$ref": "#/$defs/D", "description": "The D"}));
    assert_violations(&s, &[("/properties/a", Rule::RefWithSiblings)]);
    assert!(
        validate(&s).unwrap_err()[0]
            .message()
            .contains("`description`")
    );
}

#[test]
fn ref_must_be_local() {
    for r in [
        "https://example.com/s.json",
        "other.json#/$defs/D",
        "#/properties/b",
        "#/definitions/D",
    ] {
        let s = with_def(json!({"$ref": r}));
        assert_violations(&s, &[("/properties/a/$ref", Rule::RefNotLocal)]);
    }
}

#[test]
fn ref_must_resolve() {
    let s = with_def(json!({"$ref": "#/$defs/Missing"}));
    assert_violations(&s, &[("/properties/a/$ref", Rule::UnresolvedRef)]);
}

#[test]
fn recursive_refs_are_fine() {
    let s = with_def(json!({"anyOf": [{"$ref": "#"}, {"type": "null"}]}));
    assert_violations(&s, &[]);
}

// ---------------------------------------------------------------- enums

#[test]
fn nullable_enum_pitfalls() {
    assert_violations(
        &prop(json!({"type": "null", "enum": ["a", "b"]})),
        &[("/properties/a", Rule::NullableEnum)],
    );
    assert_violations(
        &prop(json!({"type": ["string", "null"], "enum": ["a", null]})),
        &[("/properties/a/enum", Rule::NullableEnum)],
    );
    assert_violations(
        &prop(json!({"type": ["string", "null"], "enum": ["a", "b"]})),
        &[("/properties/a", Rule::NullableEnum)],
    );
    // The safe form passes.
    assert_violations(
        &prop(json!({"anyOf": [{"type": "string", "enum": ["a"]}, {"type": "null"}]})),
        &[],
    );
}

#[test]
fn enum_values_must_match_type() {
    assert_violations(
        &prop(json!({"type": "string", "enum": ["a", 1]})),
        &[("/properties/a/enum/1", Rule::InvalidEnum)],
    );
    assert_violations(
        &prop(json!({"type": "string", "enum": []})),
        &[("/properties/a/enum", Rule::InvalidEnum)],
    );
    assert_violations(
        &prop(json!({"type": "integer", "const": "x"})),
        &[("/properties/a/const", Rule::InvalidEnum)],
    );
    assert_violations(&prop(json!({"type": "integer", "enum": [1, 2.0]})), &[]);
}

// ---------------------------------------------------------------- limits

fn many_props(n: usize) -> Value {
    let props: Map<String, Value> = (0..n)
        .map(|i| (format!("p{i}"), json!({"type": "string"})))
        .collect();
    root_with(Value::Object(props))
}

#[test]
fn property_count_limit() {
    assert_violations(&many_props(limits::MAX_PROPERTIES), &[]);
    assert_violations(
        &many_props(limits::MAX_PROPERTIES + 1),
        &[("", Rule::TooManyProperties)],
    );
}

/// `levels` nested objects (the root is level 1), innermost holding a string.
fn nested(levels: usize) -> Value {
    let mut s = json!({"type": "string"});
    for _ in 0..levels {
        s = closed(json!({"n": s}));
    }
    s
}

#[test]
fn nesting_limit_inline() {
    assert_violations(&nested(limits::MAX_NESTING_DEPTH), &[]);
    let deepest = "/properties/n".repeat(limits::MAX_NESTING_DEPTH);
    assert_violations(
        &nested(limits::MAX_NESTING_DEPTH + 1),
        &[(deepest.as_str(), Rule::TooDeep)],
    );
}

/// "Objects have limitations on nesting depth": arrays are not levels, an
/// object inside them is.
#[test]
fn nesting_limit_counts_objects_not_arrays() {
    let mut s = nested(limits::MAX_NESTING_DEPTH);
    let p = "/properties/n".repeat(limits::MAX_NESTING_DEPTH);
    let array_of =
        |items: Value| json!({"type": "array", "items": {"type": "array", "items": items}});
    *s.pointer_mut(&p).unwrap() = array_of(json!({"type": "string"}));
    assert_violations(&s, &[]);
    *s.pointer_mut(&p).unwrap() = array_of(nested(1));
    let deeper = format!("{p}/items/items");
    assert_violations(&s, &[(deeper.as_str(), Rule::TooDeep)]);
}

/// A root referencing `L1`, which references `L2`, …, `Ln`, each an object.
fn ref_chain(n: usize) -> Value {
    let mut defs = Map::new();
    for i in 1..=n {
        let inner = if i == n {
            json!({"type": "string"})
        } else {
            json!({"$ref": format!("#/$defs/L{}", i + 1)})
        };
        defs.insert(format!("L{i}"), closed(json!({"n": inner})));
    }
    let mut s = prop(json!({"$ref": "#/$defs/L1"}));
    s["$defs"] = Value::Object(defs);
    s
}

#[test]
fn nesting_limit_follows_refs() {
    // Root (1) + n levels of definitions.
    assert_violations(&ref_chain(limits::MAX_NESTING_DEPTH - 1), &[]);
    assert_violations(
        &ref_chain(limits::MAX_NESTING_DEPTH),
        &[("/properties/a", Rule::TooDeep)],
    );
}

#[test]
fn nesting_limit_survives_recursion_and_shared_defs() {
    // A binary tree of definitions referencing each other twice per level:
    // naive path enumeration would be 2^40.
    let mut defs = Map::new();
    for i in 0..40 {
        let next = if i == 39 {
            json!({"type": "string"})
        } else {
            json!({"$ref": format!("#/$defs/D{}", i + 1)})
        };
        defs.insert(
            format!("D{i}"),
            json!({"anyOf": [next.clone(), {"anyOf": [next, {"$ref": "#/$defs/D0"}]}]}),
        );
    }
    let mut s = prop(json!({"$ref": "#/$defs/D0"}));
    s["$defs"] = Value::Object(defs);
    assert_violations(&s, &[]);
}

#[test]
fn enum_value_count_limit() {
    let values = |n: usize| (0..n).map(|i| json!(format!("v{i}"))).collect::<Vec<_>>();
    let s = |a: usize, b: usize| {
        root_with(json!({
            "a": {"type": "string", "enum": values(a)},
            "b": {"type": "string", "enum": values(b)}
        }))
    };
    assert_violations(&s(500, 500), &[]);
    assert_violations(&s(500, 501), &[("", Rule::TooManyEnumValues)]);
}

#[test]
fn total_characters_limit() {
    let props = |n: usize, len: usize| {
        let m: Map<String, Value> = (0..n)
            .map(|i| (format!("{i:0>len$}"), json!({"type": "string"})))
            .collect();
        root_with(Value::Object(m))
    };
    assert_violations(&props(12, 10_000), &[]);
    assert_violations(&props(13, 10_000), &[("", Rule::TooManyCharacters)]);
}

#[test]
fn large_string_enum_length_limit() {
    let e = |len: usize| {
        let values: Vec<Value> = (0..251).map(|i| json!(format!("{i:0>len$}"))).collect();
        prop(json!({"type": "string", "enum": values}))
    };
    assert_violations(&e(59), &[]); // 251 * 59 = 14,809
    assert_violations(&e(60), &[("/properties/a/enum", Rule::LargeEnumTooLong)]); // 15,060
}

// ---------------------------------------------------------------- reporting

#[test]
fn every_violation_is_reported_at_once() {
    let s = json!({
        "title": "Args",
        "type": "object",
        "properties": {
            "a": {"type": "integer", "format": "int32"},
            "b": true
        },
        "required": ["a"]
    });
    assert_violations(
        &s,
        &[
            ("/title", Rule::UnsupportedKeyword),
            ("", Rule::AdditionalPropertiesNotFalse),
            ("/properties/b", Rule::RequiredMismatch),
            ("/properties/a/format", Rule::UnsupportedFormat),
            ("/properties/b", Rule::BooleanSchema),
        ],
    );
}

#[test]
fn display_and_error_impls() {
    let errors: Violations =
        validate(&prop(json!({"type": "string", "format": "uri"}))).unwrap_err();
    let one = errors[0].to_string();
    assert!(one.starts_with("/properties/a/format: "), "{one}");
    assert!(one.ends_with("[unsupported-format]"), "{one}");
    let all = errors.to_string();
    assert!(
        all.starts_with("schema is not valid in OpenAI strict mode (1 violation)"),
        "{all}"
    );
    assert!(all.contains(&one), "{all}");
    assert!(errors.contains_rule(Rule::UnsupportedFormat));
    assert!(!errors.contains_rule(Rule::TooDeep));

    let root = validate(&json!(false)).unwrap_err();
    assert!(root[0].to_string().starts_with("(root): "), "{}", root[0]);

    let boxed: Box<dyn std::error::Error> = Box::new(errors.clone());
    assert_eq!(boxed.to_string(), all);
    assert_eq!(errors.into_vec().len(), 1);
}

// ---------------------------------------------------------------- names

#[test]
fn names() {
    for ok in ["get_weather", "a", "A-b_9", &"x".repeat(64)] {
        assert_eq!(strict::validate_name(ok), Ok(()), "{ok}");
        assert!(strict::is_valid_name(ok), "{ok}");
    }
    let bad: &[(&str, NameError)] = &[
        ("", NameError::Empty),
        (&"x".repeat(65), NameError::TooLong { len: 65 }),
        ("get weather", NameError::InvalidChar { ch: ' ', index: 3 }),
        ("ns.fn", NameError::InvalidChar { ch: '.', index: 2 }),
        ("café", NameError::InvalidChar { ch: 'é', index: 3 }),
    ];
    for (name, err) in bad {
        assert_eq!(strict::validate_name(name).as_ref(), Err(err), "{name}");
        assert!(!strict::is_valid_name(name), "{name}");
    }
    assert!(
        NameError::Empty
            .to_string()
            .contains("^[a-zA-Z0-9_-]{1,64}$")
    );
}

// ================================================================ transform

#[track_caller]
fn assert_transforms_to(input: Value, expected: Value) {
    let out = match transform(input) {
        Ok(out) => out,
        Err(e) => panic!("transform failed: {e}"),
    };
    assert_eq!(out, expected, "got: {out:#}");
    assert_violations(&out, &[]);
    // Idempotent: a strict schema is left alone.
    assert_eq!(transform(out.clone()).ok(), Some(out));
}

#[track_caller]
fn assert_transform_fails(input: Value, expected: &[(&str, Rule)]) {
    let errors = match transform(input) {
        Ok(out) => panic!("transform unexpectedly succeeded: {out:#}"),
        Err(e) => e,
    };
    let got: Vec<(&str, Rule)> = errors.iter().map(|v| (v.pointer(), v.rule())).collect();
    assert_eq!(sorted(got), sorted(expected.to_vec()), "{errors}");
}

/// Roughly what schemars 1.x emits for:
///
/// ```ignore
/// /// Get the current weather.
/// struct GetWeather {
///     /// City name.
///     location: String,
///     unit: Option<Unit>,
///     #[serde(default)] days: u8,
///     limit: Option<i32>,
///     /// The inner
///     inner: Inner,
///     tags: HashSet<String>,
/// }
/// ```
fn schemars_get_weather() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "GetWeather",
        "description": "Get the current weather.",
        "type": "object",
        "properties": {
            "location": { "description": "City name.", "type": "string" },
            "unit": { "anyOf": [{ "$ref": "#/$defs/Unit" }, { "type": "null" }] },
            "days": { "type": "integer", "format": "uint8", "minimum": 0, "maximum": 255, "default": 0 },
            "limit": { "type": ["integer", "null"], "format": "int32" },
            "inner": { "description": "The inner", "$ref": "#/$defs/Inner" },
            "tags": { "type": "array", "uniqueItems": true, "items": { "type": "string" } }
        },
        "required": ["location", "inner", "tags"],
        "$defs": {
            "Unit": {
                "description": "Temperature unit.",
                "type": "string",
                "enum": ["celsius", "fahrenheit"]
            },
            "Inner": {
                "type": "object",
                "properties": {
                    "x": { "type": "number", "format": "double" },
                    "note": { "type": ["string", "null"] }
                },
                "required": ["x"]
            }
        }
    })
}

#[test]
fn transform_schemars_struct() {
    let expected = json!({
        "description": "Get the current weather.",
        "type": "object",
        "properties": {
            "location": { "description": "City name.", "type": "string" },
            "unit": { "anyOf": [{ "$ref": "#/$defs/Unit" }, { "type": "null" }] },
            "days": {
                "description": "Default: 0.",
                "type": ["integer", "null"],
                "minimum": 0,
                "maximum": 255
            },
            "limit": {
                "type": ["integer", "null"],
                "minimum": -2147483648_i64,
                "maximum": 2147483647
            },
            "inner": { "description": "The inner", "anyOf": [{ "$ref": "#/$defs/Inner" }] },
            "tags": {
                "description": "Items must be unique.",
                "type": "array",
                "items": { "type": "string" }
            }
        },
        // What the input required first, in its order; then the rest by name.
        "required": ["location", "inner", "tags", "days", "limit", "unit"],
        "additionalProperties": false,
        "$defs": {
            "Unit": {
                "description": "Temperature unit.",
                "type": "string",
                "enum": ["celsius", "fahrenheit"]
            },
            "Inner": {
                "type": "object",
                "properties": {
                    "x": { "type": "number" },
                    "note": { "type": ["string", "null"] }
                },
                "required": ["x", "note"],
                "additionalProperties": false
            }
        }
    });
    assert_transforms_to(schemars_get_weather(), expected);
}

#[test]
fn transform_keeps_key_order() {
    // The order a model answers in is the order `required` lists the
    // properties: what the input required, in its order, then the rest by
    // name. A `Schema` writes `properties` in that order and its keywords in
    // one fixed order, so the text is checked, not `Value` equality (which
    // ignores order) or a map's key order (which depends on serde_json's
    // `preserve_order`).
    let out = transform(schemars_get_weather()).unwrap();
    assert_eq!(
        out["required"],
        json!(["location", "inner", "tags", "days", "limit", "unit"])
    );
    let schema = chat_api::schema::Schema::try_from(out).unwrap();
    let text = serde_json::to_string(&schema).unwrap();
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("no {needle} in {text}"))
    };
    let properties = [
        r#""location":{"#,
        r#""inner":{"#,
        r#""tags":{"#,
        r#""days":{"#,
        r#""limit":{"#,
        r#""unit":{"#,
    ]
    .map(at);
    assert!(properties.is_sorted(), "{properties:?} in {text}");
    assert!(
        text.starts_with(r##"{"type":"object","description":"Get the current weather.","properties":{"location":{"type":"string","description":"City name."},"inner":{"description":"The inner","anyOf":[{"$ref":"#/$defs/Inner"}]},"##),
        "{text}"
    );
    assert!(
        text.contains(r#""required":["location","inner","tags","days","limit","unit"],"additionalProperties":false,"$defs":{"Inner":"#),
        "{text}"
    );
}

#[test]
fn transform_externally_tagged_enum() {
    let input = json!({
        "type": "object",
        "properties": { "shape": { "$ref": "#/$defs/Shape" } },
        "required": ["shape"],
        "$defs": {
            "Shape": { "oneOf": [
                { "type": "string", "enum": ["Empty"] },
                {
                    "type": "object",
                    "properties": {
                        "Circle": {
                            "type": "object",
                            "properties": { "radius": { "type": "number", "format": "double" } },
                            "required": ["radius"]
                        }
                    },
                    "required": ["Circle"],
                    "additionalProperties": false
                }
            ]}
        }
    });
    let expected = json!({
        "type": "object",
        "properties": { "shape": { "$ref": "#/$defs/Shape" } },
        "required": ["shape"],
        "additionalProperties": false,
        "$defs": {
            "Shape": { "anyOf": [
                { "type": "string", "enum": ["Empty"] },
                {
                    "type": "object",
                    "properties": {
                        "Circle": {
                            "type": "object",
                            "properties": { "radius": { "type": "number" } },
                            "required": ["radius"],
                            "additionalProperties": false
                        }
                    },
                    "required": ["Circle"],
                    "additionalProperties": false
                }
            ]}
        }
    });
    assert_transforms_to(input, expected);
}

#[test]
fn transform_internally_tagged_enum_and_optional_enum_field() {
    let input = json!({
        "type": "object",
        "properties": {
            "command": { "oneOf": [
                {
                    "description": "Move by an offset.",
                    "type": "object",
                    "properties": {
                        "kind": { "type": "string", "const": "Move" },
                        "dx": { "type": "integer", "format": "int16" }
                    },
                    "required": ["kind", "dx"]
                },
                {
                    "type": "object",
                    "properties": { "kind": { "type": "string", "const": "Stop" } },
                    "required": ["kind"]
                }
            ]},
            "speed": { "type": ["string", "null"], "enum": ["slow", "fast", null] }
        },
        "required": ["command"]
    });
    let expected = json!({
        "type": "object",
        "properties": {
            "command": { "anyOf": [
                {
                    "description": "Move by an offset.",
                    "type": "object",
                    "properties": {
                        "kind": { "type": "string", "const": "Move" },
                        "dx": { "type": "integer", "minimum": -32768, "maximum": 32767 }
                    },
                    "required": ["kind", "dx"],
                    "additionalProperties": false
                },
                {
                    "type": "object",
                    "properties": { "kind": { "type": "string", "const": "Stop" } },
                    "required": ["kind"],
                    "additionalProperties": false
                }
            ]},
            "speed": { "anyOf": [
                { "type": "string", "enum": ["slow", "fast"] },
                { "type": "null" }
            ]}
        },
        "required": ["command", "speed"],
        "additionalProperties": false
    });
    assert_transforms_to(input, expected);
}

#[test]
fn transform_optional_compound_fields_use_any_of() {
    let input = json!({
        "type": "object",
        "properties": {
            "list": { "description": "Some items.", "type": "array", "items": { "type": "string" } },
            "obj": { "type": "object", "properties": {} },
            "color": { "type": "string", "enum": ["red", "green"] },
            "tag": { "type": "string", "const": "t" },
            "r": { "$ref": "#/$defs/R" },
            "described_ref": { "description": "An R.", "$ref": "#/$defs/R" },
            "u": { "anyOf": [{ "type": "string" }, { "type": "integer", "format": "uint32" }] }
        },
        "$defs": { "R": { "type": "object", "properties": {}, "additionalProperties": false } }
    });
    let expected = json!({
        "type": "object",
        "properties": {
            "list": { "description": "Some items.", "anyOf": [
                { "type": "array", "items": { "type": "string" } }, { "type": "null" }
            ]},
            "obj": { "anyOf": [
                { "type": "object", "properties": {}, "required": [], "additionalProperties": false },
                { "type": "null" }
            ]},
            "color": { "anyOf": [{ "type": "string", "enum": ["red", "green"] }, { "type": "null" }] },
            "tag": { "anyOf": [{ "type": "string", "const": "t" }, { "type": "null" }] },
            "r": { "anyOf": [{ "$ref": "#/$defs/R" }, { "type": "null" }] },
            "described_ref": { "description": "An R.", "anyOf": [
                { "$ref": "#/$defs/R" }, { "type": "null" }
            ]},
            "u": { "anyOf": [
                { "type": "string" },
                { "type": "integer", "minimum": 0, "maximum": 4294967295_u64 },
                { "type": "null" }
            ]}
        },
        // None was required: all of them, by name.
        "required": ["color", "described_ref", "list", "obj", "r", "tag", "u"],
        "additionalProperties": false,
        "$defs": { "R": { "type": "object", "properties": {}, "required": [], "additionalProperties": false } }
    });
    assert_transforms_to(input, expected);
}

#[test]
fn transform_inlines_recursive_root_ref_and_renames_definitions() {
    // Draft-07 style (schemars 0.8, or `definitions` from other generators).
    let input = json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "Node",
        "description": "A linked list.",
        "$ref": "#/definitions/Node",
        "definitions": {
            "Node": {
                "type": "object",
                "properties": {
                    "value": { "type": "integer", "format": "int64" },
                    "next": { "anyOf": [{ "$ref": "#/definitions/Node" }, { "type": "null" }] },
                    "meta": { "$ref": "#/definitions/Meta" }
                },
                "required": ["value", "meta"]
            },
            "Meta": { "title": "Meta", "type": "object", "properties": { "id": { "type": "string", "format": "uuid" } }, "required": ["id"] }
        }
    });
    let expected = json!({
        "type": "object",
        "description": "A linked list.",
        "properties": {
            "value": { "type": "integer" },
            "next": { "anyOf": [{ "$ref": "#" }, { "type": "null" }] },
            "meta": { "$ref": "#/$defs/Meta" }
        },
        "required": ["value", "meta", "next"],
        "additionalProperties": false,
        "$defs": {
            "Meta": {
                "type": "object",
                "properties": { "id": { "type": "string", "format": "uuid" } },
                "required": ["id"],
                "additionalProperties": false
            }
        }
    });
    assert_transforms_to(input, expected);
}

#[test]
fn transform_flattens_all_of() {
    let input = json!({
        "type": "object",
        "properties": {
            // Older schemars spelling of a described reference.
            "a": { "description": "The A.", "allOf": [{ "$ref": "#/$defs/A" }] },
            // Flattened struct: inline objects merged.
            "b": {
                "allOf": [
                    { "type": "object", "properties": { "x": { "type": "string" } }, "required": ["x"] },
                    { "type": "object", "properties": { "y": { "type": "boolean" } } }
                ],
                "unevaluatedProperties": false
            }
        },
        "required": ["a", "b"],
        "$defs": { "A": { "type": "string" } }
    });
    let expected = json!({
        "type": "object",
        "properties": {
            "a": { "description": "The A.", "anyOf": [{ "$ref": "#/$defs/A" }] },
            "b": {
                "type": "object",
                "properties": { "x": { "type": "string" }, "y": { "type": ["boolean", "null"] } },
                "required": ["x", "y"],
                "additionalProperties": false
            }
        },
        "required": ["a", "b"],
        "additionalProperties": false,
        "$defs": { "A": { "type": "string" } }
    });
    assert_transforms_to(input, expected);
}

#[test]
fn transform_formats_and_notes() {
    let input = root_with(json!({
        "link": { "description": "A page.", "type": "string", "format": "uri" },
        "size": { "type": "integer", "format": "uint64", "minimum": 0 },
        "big": { "type": "integer", "format": "int64" },
        "ratio": { "type": "number", "format": "float" },
        "when": { "type": "string", "format": "date" },
        "level": { "enum": [1, 2, 3] },
        "flag": { "const": true }
    }));
    let expected = root_with(json!({
        "link": { "description": "A page.\n\nFormat: uri.", "type": "string" },
        "size": { "type": "integer", "minimum": 0 },
        "big": { "type": "integer" },
        "ratio": { "type": "number" },
        "when": { "type": "string", "format": "date" },
        "level": { "type": "integer", "enum": [1, 2, 3] },
        "flag": { "type": "boolean", "const": true }
    }));
    assert_transforms_to(input, expected);
}

#[test]
fn transform_leaves_valid_schema_unchanged() {
    let s = rich_valid_schema();
    assert_eq!(transform(s.clone()).ok(), Some(s));
}

// ---------------------------------------------------------------- impossible

#[test]
fn transform_rejects_open_maps() {
    // HashMap<String, i32> and serde_json::Map fields.
    let input = json!({
        "type": "object",
        "properties": {
            "counts": { "type": "object", "additionalProperties": { "type": "integer", "format": "int32" } },
            "extra": { "type": "object", "additionalProperties": true }
        },
        "required": ["counts", "extra"]
    });
    assert_transform_fails(
        input,
        &[
            (
                "/properties/counts/additionalProperties",
                Rule::AdditionalPropertiesNotFalse,
            ),
            (
                "/properties/extra/additionalProperties",
                Rule::AdditionalPropertiesNotFalse,
            ),
        ],
    );
}

#[test]
fn transform_rejects_any_value_schemas() {
    // serde_json::Value fields, Vec<Value>, and an `{}` anyOf branch.
    let input = json!({
        "type": "object",
        "properties": {
            "v": true,
            "list": { "type": "array", "items": true },
            "e": {},
            "u": { "anyOf": [{ "type": "string" }, {}] }
        }
    });
    assert_transform_fails(
        input,
        &[
            ("/properties/v", Rule::BooleanSchema),
            ("/properties/list/items", Rule::BooleanSchema),
            ("/properties/e", Rule::EmptySchema),
            ("/properties/u/anyOf/1", Rule::EmptySchema),
        ],
    );
}

#[test]
fn transform_rejects_non_object_roots() {
    // A Rust enum as the root.
    let input = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Shape",
        "oneOf": [
            { "type": "object", "properties": { "kind": { "const": "A" } }, "required": ["kind"] },
            { "type": "object", "properties": { "kind": { "const": "B" } }, "required": ["kind"] }
        ]
    });
    assert_transform_fails(input, &[("", Rule::RootComposition)]);
    assert_transform_fails(json!({"type": "string"}), &[("", Rule::RootNotObject)]);
    assert_transform_fails(json!(true), &[("", Rule::RootNotObject)]);
    assert_transform_fails(json!({}), &[("", Rule::RootNotObject)]);
    assert_transform_fails(
        json!({"$ref": "#/$defs/Nope"}),
        &[("/$ref", Rule::RootNotObject)],
    );
}

#[test]
fn transform_rejects_tuples_and_unknown_keywords_with_input_pointers() {
    // `(i32, String)` and a HashSet-of-tuples in a `oneOf` branch: the
    // pointers name the input's `oneOf`, not the rewritten `anyOf`.
    let input = json!({
        "type": "object",
        "properties": {
            "pair": { "type": "array", "prefixItems": [{ "type": "integer" }, { "type": "string" }],
                      "minItems": 2, "maxItems": 2 },
            "either": { "oneOf": [{ "type": "string", "x-custom": 1 }, { "type": "null" }] },
            "old": { "type": "array", "items": [{ "type": "string" }] }
        },
        "required": ["pair", "either", "old"]
    });
    assert_transform_fails(
        input,
        &[
            ("/properties/pair/prefixItems", Rule::UnsupportedKeyword),
            ("/properties/either/oneOf/0/x-custom", Rule::UnknownKeyword),
            ("/properties/old/items", Rule::InvalidItems),
        ],
    );
}

#[test]
fn transform_rejects_conflicting_all_of_and_dangling_refs() {
    let input = json!({
        "type": "object",
        "properties": {
            "m": { "allOf": [
                { "type": "object", "properties": { "x": { "type": "string" } } },
                { "type": "object", "properties": { "x": { "type": "integer" } } }
            ]},
            "d": { "$ref": "#/$defs/Gone" }
        }
    });
    assert_transform_fails(
        input,
        &[
            ("/properties/m/allOf/1/properties", Rule::UnsupportedKeyword),
            ("/properties/d/$ref", Rule::UnresolvedRef),
        ],
    );
}

#[test]
fn transform_reports_limits_on_its_output() {
    // Nothing to rewrite structurally, but too big: the safety-net
    // validation reports it.
    let mut s = many_props(limits::MAX_PROPERTIES + 1);
    s.as_object_mut().unwrap().remove("required");
    assert_transform_fails(s, &[("", Rule::TooManyProperties)]);
}

#[test]
fn absurdly_deep_values_do_not_overflow_the_stack() {
    // Deeper than serde_json's parser allows, as a `Value` built in code can
    // be. Built without `json!`, which would deep-copy the tree every level.
    let levels = 3_000;
    let mut s = json!({"type": "string"});
    for _ in 0..levels {
        let mut m = Map::new();
        m.insert("type".to_owned(), json!("array"));
        m.insert("items".to_owned(), s);
        s = Value::Object(m);
    }
    let mut props = Map::new();
    props.insert("a".to_owned(), s);
    let mut root = Map::new();
    root.insert("type".to_owned(), json!("object"));
    root.insert("properties".to_owned(), Value::Object(props));
    root.insert("required".to_owned(), json!(["a"]));
    root.insert("additionalProperties".to_owned(), json!(false));
    let mut root = Value::Object(root);

    let errors = validate(&root).unwrap_err();
    assert!(errors.contains_rule(Rule::TooDeep), "{errors}");
    let errors = transform(root.take()).unwrap_err();
    assert!(errors.contains_rule(Rule::TooDeep), "{errors}");
}
