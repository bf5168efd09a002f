//! [`StrictSchema`] for the standard library types serde (de)serializes.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, LinkedList, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::{Schema, SchemaGenerator, StrictSchema};

fn object(value: Value) -> Schema {
    match value {
        Value::Object(map) => map.into(),
        _ => Schema::new(),
    }
}

macro_rules! integer {
    ($($ty:ty),*) => {$(
        impl StrictSchema for $ty {
            // No `format`: schemars' `int32`/`uint64`/... are not in strict mode's
            // allow-list. The width is expressed with bounds instead.
            fn strict_schema(_: &mut SchemaGenerator) -> Schema {
                object(json!({"type": "integer", "minimum": <$ty>::MIN, "maximum": <$ty>::MAX}))
            }
        }
    )*};
}
integer!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl StrictSchema for f32 {
    // A number past the f32 range would deserialize to infinity, which
    // serializes back as `null`; the bounds keep the model inside it.
    fn strict_schema(_: &mut SchemaGenerator) -> Schema {
        object(json!({"type": "number", "minimum": f32::MIN, "maximum": f32::MAX}))
    }
}

/// The schema of a `char`: one character, spelled so that OpenAI's strict
/// mode and llama.cpp's grammar converter both enforce it (see the
/// [module docs](super#what-each-engine-enforces)).
///
/// OpenAI documents only `pattern` and `format` for strings (not
/// `minLength`/`maxLength`); llama.cpp turns a pattern into grammar rules over
/// the raw JSON text between the quotes and cannot translate `\s`/`\S`. A
/// class that excludes the characters JSON must escape (`"`, `\`, U+0000 to
/// U+001F) means the same single character to both: one decoded character
/// for OpenAI, one unescaped character between the quotes for llama.cpp.
/// Those excluded characters still deserialize; the model is only never
/// asked for them.
pub(crate) const CHAR_PATTERN: &str = r#"^[^"\\\u0000-\u001F]$"#;

macro_rules! simple {
    ($($ty:ty => $schema:tt),* $(,)?) => {$(
        impl StrictSchema for $ty {
            fn strict_schema(_: &mut SchemaGenerator) -> Schema {
                object(json!($schema))
            }
        }
    )*};
}
simple! {
    f64 => {"type": "number"},
    bool => {"type": "boolean"},
    String => {"type": "string"},
    str => {"type": "string"},
    char => {"type": "string", "pattern": CHAR_PATTERN},
}

impl StrictSchema for Cow<'_, str> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        str::strict_schema(g)
    }
}

impl<T: StrictSchema> StrictSchema for Option<T> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        nullable(T::strict_schema(g))
    }
}

/// Makes a schema admit `null`, the strict-mode spelling of an optional field.
///
/// Primitives get a type list; everything else (objects, arrays, enums,
/// references, unions) is wrapped in `anyOf` with a `null` branch, which is
/// the form llama.cpp's grammar converter and the API both accept.
pub(crate) fn nullable(mut schema: Schema) -> Schema {
    if admits_null(&schema) {
        return schema;
    }
    let primitive = matches!(
        schema.get("type").and_then(Value::as_str),
        Some("string" | "number" | "integer" | "boolean")
    );
    if primitive && !schema.contains_key("enum") {
        if let Some(ty) = schema.get_mut("type") {
            *ty = json!([ty.clone(), "null"]);
        }
        return schema;
    }
    let description = schema.remove("description");
    let mut out = Schema::new();
    if let Some(description) = description {
        out.insert("description".into(), description);
    }
    let branches = match (schema.len(), schema.remove("anyOf")) {
        (1, Some(Value::Array(mut branches))) => {
            branches.push(json!({"type": "null"}));
            branches
        }
        (_, any_of) => {
            if let Some(any_of) = any_of {
                schema.insert("anyOf".into(), any_of);
            }
            vec![schema.into(), json!({"type": "null"})]
        }
    };
    out.insert("anyOf".into(), Value::Array(branches));
    out
}

fn admits_null(schema: &Map<String, Value>) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
        _ => schema
            .get("anyOf")
            .and_then(Value::as_array)
            .is_some_and(|branches| {
                branches
                    .iter()
                    .filter_map(Value::as_object)
                    .any(admits_null)
            }),
    }
}

fn array<T: StrictSchema + ?Sized>(g: &mut SchemaGenerator) -> Schema {
    let items = T::strict_schema(g);
    let mut schema = Schema::new();
    schema.insert("type".into(), "array".into());
    schema.insert("items".into(), items.into());
    schema
}

/// The note that replaces `uniqueItems`, which strict mode rejects.
pub(crate) const UNIQUE_NOTE: &str = "Items are unique.";

fn set<T: StrictSchema>(g: &mut SchemaGenerator) -> Schema {
    let mut schema = array::<T>(g);
    schema.insert("description".into(), UNIQUE_NOTE.into());
    schema
}

impl<T: StrictSchema> StrictSchema for Vec<T> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        array::<T>(g)
    }
}
impl<T: StrictSchema> StrictSchema for [T] {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        array::<T>(g)
    }
}
impl<T: StrictSchema> StrictSchema for VecDeque<T> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        array::<T>(g)
    }
}
impl<T: StrictSchema> StrictSchema for LinkedList<T> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        array::<T>(g)
    }
}
impl<T: StrictSchema, S> StrictSchema for HashSet<T, S> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        set::<T>(g)
    }
}
impl<T: StrictSchema> StrictSchema for BTreeSet<T> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        set::<T>(g)
    }
}
impl<T: StrictSchema, const N: usize> StrictSchema for [T; N] {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        let mut schema = array::<T>(g);
        schema.insert("minItems".into(), N.into());
        schema.insert("maxItems".into(), N.into());
        schema
    }
}

macro_rules! transparent {
    ($($ty:ident),*) => {$(
        impl<T: StrictSchema + ?Sized> StrictSchema for $ty<T> {
            fn strict_schema(g: &mut SchemaGenerator) -> Schema {
                T::strict_schema(g)
            }
        }
    )*};
}
transparent!(Box, Rc, Arc);

/// Maps are open objects, which strict mode cannot express; they are allowed
/// only in types that opted out with `#[tool(strict = false)]`.
fn map<V: StrictSchema>(g: &mut SchemaGenerator) -> Schema {
    if g.is_strict() {
        g.error(
            "maps cannot be expressed in strict mode (every object must have \
             `additionalProperties: false`); use a Vec of key/value structs or \
             `#[tool(strict = false)]`",
        );
    }
    let values = V::strict_schema(g);
    let mut schema = Schema::new();
    schema.insert("type".into(), "object".into());
    schema.insert("additionalProperties".into(), values.into());
    schema
}

impl<K, V: StrictSchema, S> StrictSchema for HashMap<K, V, S> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        map::<V>(g)
    }
}
impl<K, V: StrictSchema> StrictSchema for BTreeMap<K, V> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        map::<V>(g)
    }
}
impl StrictSchema for Map<String, Value> {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        if g.is_strict() {
            g.error(
                "`serde_json::Map` is an open object, which strict mode cannot express; \
                 use a struct or `#[tool(strict = false)]`",
            );
        }
        object(json!({"type": "object"}))
    }
}
impl StrictSchema for Value {
    fn strict_schema(g: &mut SchemaGenerator) -> Schema {
        if g.is_strict() {
            g.error(
                "`serde_json::Value` accepts any JSON, which strict mode cannot express; \
                 use a typed field or `#[tool(strict = false)]`",
            );
        }
        Schema::new()
    }
}
