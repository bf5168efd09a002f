//! [`Schema`]: a JSON Schema object that is written in a fixed order.
//!
//! Models write an object's keys in the order its schema lists the
//! properties, so that order is part of what a tool author designs
//! (`reasoning` before `answer`). A `serde_json::Map` keeps insertion order
//! only when the program enables serde_json's `preserve_order` feature, which
//! cargo would then turn on for every crate in the program and which makes
//! every `serde_json::Value` slower to build. A strict schema already carries
//! the order in data instead: its `required` array lists every property, in
//! declaration order. [`Schema`] writes each object's `properties` in that
//! order, so the text sent is the same with or without the feature.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// A JSON Schema object (the `parameters` of a tool, the `schema` of a
/// `json_schema` response format).
///
/// It is a `serde_json::Map` (through `Deref`/`DerefMut`, or
/// [`into_map`](Self::into_map)) that serializes in a fixed order, whatever
/// order the map keeps its keys in:
///
/// - In every schema object (the root and every schema inside it:
///   `properties`, `items`, `anyOf`/`oneOf`/`allOf` members, `$defs`, …) the
///   members of `properties` come in the order of that object's `required`
///   array, then any property it does not list, in key order.
///   `#[derive(Tool)]` lists every property in `required` in declaration
///   order, so the model sees the fields as the struct declares them.
/// - A schema object's own keywords come in one readable order: `$ref`,
///   `type`, `title`, `description`, `properties`, `required`,
///   `additionalProperties`, `items`, …, `anyOf`, `enum`, `const`, …, `$defs`
///   (see [`KEYWORD_ORDER`]), then any other keyword in key order.
/// - The schemas in `$defs` (and `definitions`, `patternProperties`,
///   `dependentSchemas`) come sorted by name.
///
/// Values that are data rather than schemas (`enum` and `const` values,
/// `default`, `examples`) are written as they are.
///
/// "Key order" is alphabetical, or insertion order if the program enables
/// serde_json's `preserve_order` feature; a derived schema has no member
/// whose position depends on it. Converting a `Schema` into a
/// `serde_json::Value` keeps every key but not this order (a `Value` writes
/// its maps in key order): send the `Schema` itself.
///
/// # Example
///
/// ```
/// use chat_api::schema::Schema;
/// use serde_json::json;
///
/// let schema = Schema::try_from(json!({
///     "type": "object",
///     "required": ["reasoning", "answer"],
///     "additionalProperties": false,
///     "properties": {"answer": {"type": "string"}, "reasoning": {"type": "string"}},
/// }))
/// .expect("an object");
/// assert_eq!(
///     serde_json::to_string(&schema).unwrap(),
///     r#"{"type":"object","properties":{"reasoning":{"type":"string"},"answer":{"type":"string"}},"required":["reasoning","answer"],"additionalProperties":false}"#,
/// );
/// ```
///
/// # Cost
///
/// A `Schema` is shared, not copied: cloning it (as
/// [`Tool::tool`](super::Tool::tool) does for every request) is a reference
/// count. The first time it is serialized it is written in place; the
/// second time, its compact JSON text is written once more and kept, and
/// every later request (the same tools sent on every turn of a
/// conversation) copies that text instead of ordering the tree again. A
/// schema sent once (a request decoded and passed on) costs no more than
/// writing it. Changing the map through `DerefMut` makes it this schema's
/// own (cloned if shared) and forgets the text.
#[derive(Clone, Default)]
pub struct Schema(Arc<Inner>);

#[derive(Default)]
struct Inner {
    map: Map<String, Value>,
    /// Serialized to compact JSON text before.
    sent: AtomicBool,
    /// `map` as compact JSON in the order above, kept from the second
    /// serialization to compact JSON text on.
    text: OnceLock<Box<RawValue>>,
}

impl Inner {
    fn new(map: Map<String, Value>) -> Self {
        Self {
            map,
            sent: AtomicBool::new(false),
            text: OnceLock::new(),
        }
    }
}

/// Only the map: a clone about to be changed has no use for the text.
impl Clone for Inner {
    fn clone(&self) -> Self {
        Self::new(self.map.clone())
    }
}

impl Schema {
    /// An empty schema (`{}`).
    pub fn new() -> Self {
        Self::default()
    }

    /// The map, for code that wants it by value (copied if the schema is
    /// shared).
    pub fn into_map(self) -> Map<String, Value> {
        Arc::unwrap_or_clone(self.0).map
    }

    /// The schema as compact JSON text in the order described above, once
    /// it is sent a second time: kept from then on.
    fn text(&self) -> Option<&RawValue> {
        if let Some(text) = self.0.text.get() {
            return Some(text);
        }
        if !self.0.sent.swap(true, Ordering::Relaxed) {
            return None;
        }
        // Cannot fail: the keys are strings and a `Value` holds no
        // non-finite number. Were it to, serialization takes the long way.
        // `to_raw_value` takes the text as written; `RawValue::from_string`
        // would parse it again to check it.
        let text = serde_json::value::to_raw_value(&Object(&self.0.map)).ok()?;
        Some(self.0.text.get_or_init(|| text))
    }
}

impl Deref for Schema {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Self::Target {
        &self.0.map
    }
}

impl DerefMut for Schema {
    fn deref_mut(&mut self) -> &mut Self::Target {
        let inner = Arc::make_mut(&mut self.0);
        inner.text.take();
        *inner.sent.get_mut() = false;
        &mut inner.map
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Schema").field(&self.0.map).finish()
    }
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        self.0.map == other.0.map
    }
}

impl Eq for Schema {}

impl<'de> Deserialize<'de> for Schema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(Self::from)
    }
}

impl From<Map<String, Value>> for Schema {
    fn from(map: Map<String, Value>) -> Self {
        Self(Arc::new(Inner::new(map)))
    }
}

impl From<Schema> for Map<String, Value> {
    fn from(schema: Schema) -> Self {
        schema.into_map()
    }
}

/// The object, as a `Value` (which writes its keys in key order, not in the
/// schema's order).
impl From<Schema> for Value {
    fn from(schema: Schema) -> Self {
        Value::Object(schema.into_map())
    }
}

/// A JSON object is a schema; anything else is handed back.
impl TryFrom<Value> for Schema {
    type Error = Value;

    fn try_from(value: Value) -> Result<Self, Value> {
        match value {
            Value::Object(map) => Ok(Self::from(map)),
            other => Err(other),
        }
    }
}

impl FromIterator<(String, Value)> for Schema {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self::from(Map::from_iter(iter))
    }
}

impl Serialize for Schema {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if writes_compact_json::<S>()
            && let Some(text) = self.text()
        {
            return text.serialize(serializer);
        }
        Object(&self.0.map).serialize(serializer)
    }
}

/// Whether `S` is serde_json's writer with its compact formatter
/// (`serde_json::to_string`, `to_vec`, `to_writer`: how requests are sent),
/// the one serializer that copies a [`RawValue`] into its output as it is.
/// Any other (pretty JSON, `serde_json::to_value`, another format) is given
/// the schema member by member: a `RawValue` would come out there as a
/// struct, or re-indented text would be lost.
///
/// Serde has no way to ask a serializer what it is, so this reads the
/// type's name, where the default formatter is left out:
/// `&mut serde_json::ser::Serializer<&mut Vec<u8>>`. Were serde_json to
/// rename the type, schemas would still be written correctly, only without
/// the copy; a test pins the names.
fn writes_compact_json<S>() -> bool {
    let name = std::any::type_name::<S>();
    let Some(arguments) = name
        .strip_prefix("&mut serde_json::ser::Serializer<")
        .and_then(|rest| rest.strip_suffix('>'))
    else {
        return false;
    };
    // The usual `Serializer<W>`: no formatter named, so the compact one.
    if !arguments.contains(',') {
        return true;
    }
    // The formatter is what follows the writer, at the outermost level.
    let mut depth = 0usize;
    let mut previous = ' ';
    for (at, c) in arguments.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            // `->` in a function pointer type is not a closing bracket.
            '>' if previous == '-' => {}
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                return arguments[at + 1..].trim() == "serde_json::ser::CompactFormatter";
            }
            _ => {}
        }
        previous = c;
    }
    true
}

/// Writes [`KEYWORD_ORDER`] and [`rank`] from one list, so the lookup
/// is a `match` (a jump on the length, then a comparison) rather than a
/// search through the list for each keyword of each object.
macro_rules! keyword_order {
    ($($keyword:literal,)*) => {
        /// The order of a schema object's own keywords: identity, what it is,
        /// its parts, its constraints, annotations, then the definitions.
        /// Keywords not listed follow, in key order.
        pub const KEYWORD_ORDER: &[&str] = &[$($keyword,)*];

        /// Where `keyword` goes: its place in [`KEYWORD_ORDER`], or after
        /// all of those (in map order, the sort being stable).
        fn rank(keyword: &str) -> usize {
            match keyword {
                $($keyword => const { position($keyword) },)*
                _ => KEYWORD_ORDER.len(),
            }
        }
    };
}

keyword_order! {
    "$schema",
    "$id",
    "$ref",
    "type",
    "title",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "items",
    "prefixItems",
    "contains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "enum",
    "const",
    "format",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$defs",
    "definitions",
}

/// `keyword`'s place in [`KEYWORD_ORDER`], at compile time.
const fn position(keyword: &str) -> usize {
    let mut at = 0;
    while at < KEYWORD_ORDER.len() {
        if same(KEYWORD_ORDER[at].as_bytes(), keyword.as_bytes()) {
            return at;
        }
        at += 1;
    }
    at
}

const fn same(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut at = 0;
    while at < a.len() {
        if a[at] != b[at] {
            return false;
        }
        at += 1;
    }
    true
}

/// What a keyword's value is, for writing it.
enum Kind {
    /// One schema.
    Schema,
    /// An array of schemas.
    List,
    /// Schemas by name (`$defs`), written sorted by name.
    Named,
    /// `properties`: in the order of `required`.
    Properties,
    /// Data (`enum`, `const`, `required`, `default`, …), written as it is.
    Data,
}

fn kind(keyword: &str) -> Kind {
    match keyword {
        "properties" => Kind::Properties,
        "items"
        | "additionalProperties"
        | "additionalItems"
        | "not"
        | "if"
        | "then"
        | "else"
        | "contains"
        | "propertyNames"
        | "unevaluatedItems"
        | "unevaluatedProperties"
        | "contentSchema" => Kind::Schema,
        "anyOf" | "oneOf" | "allOf" | "prefixItems" => Kind::List,
        "$defs" | "definitions" | "patternProperties" | "dependentSchemas" => Kind::Named,
        _ => Kind::Data,
    }
}

/// A schema object, borrowed, written in the order the [`Schema`] docs give.
struct Object<'a>(&'a Map<String, Value>);

impl Serialize for Object<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let map = self.0;
        // One pass over the object, then a stable sort by rank (a schema
        // object has a handful of keywords): looking each keyword of
        // `KEYWORD_ORDER` up in the map instead made encoding a request with
        // two tools and a response format 4.5x slower (callgrind,
        // crates/chat-api-bench/examples/profile.rs encode).
        let mut out = serializer.serialize_map(Some(map.len()))?;
        let mut write = |keywords: &mut [(usize, &str, &Value)]| {
            keywords.sort_by_key(|&(rank, _, _)| rank);
            const REQUIRED: usize = position("required");
            let required = match keywords.iter().find(|&&(rank, _, _)| rank == REQUIRED) {
                Some((_, _, Value::Array(required))) => required.as_slice(),
                _ => &[],
            };
            keywords.iter().try_for_each(|&(_, keyword, value)| {
                out.serialize_entry(
                    keyword,
                    &Keyword {
                        keyword,
                        value,
                        required,
                    },
                )
            })
        };
        let entries = map
            .iter()
            .map(|(keyword, value)| (rank(keyword), keyword.as_str(), value));
        // On the stack for a schema object's usual handful of keywords.
        const INLINE: usize = 16;
        if map.len() <= INLINE {
            let mut keywords = [(0, "", &Value::Null); INLINE];
            let mut len = 0;
            for (slot, entry) in keywords.iter_mut().zip(entries) {
                *slot = entry;
                len += 1;
            }
            write(&mut keywords[..len])?;
        } else {
            write(&mut entries.collect::<Vec<_>>())?;
        }
        out.end()
    }
}

struct Keyword<'a> {
    keyword: &'a str,
    value: &'a Value,
    /// The `required` of the object the keyword is in, for `properties`.
    required: &'a [Value],
}

impl Serialize for Keyword<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (kind(self.keyword), self.value) {
            (Kind::Schema, value) => Any(value).serialize(serializer),
            (Kind::List, Value::Array(items)) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Any(item))?;
                }
                out.end()
            }
            (Kind::Named, Value::Object(named)) => {
                let mut names: Vec<&String> = named.keys().collect();
                names.sort_unstable();
                let mut out = serializer.serialize_map(Some(names.len()))?;
                for name in names {
                    out.serialize_entry(name, &Any(&named[name]))?;
                }
                out.end()
            }
            (Kind::Properties, Value::Object(properties)) => Properties {
                properties,
                required: self.required,
            }
            .serialize(serializer),
            // Data, or a keyword whose value has an unexpected shape: as it is.
            (_, value) => value.serialize(serializer),
        }
    }
}

/// A value in a schema position: an object is a schema object, `true` and
/// `false` are boolean schemas, an array is the tuple form of `items`.
struct Any<'a>(&'a Value);

impl Serialize for Any<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => Object(map).serialize(serializer),
            // The draft-04 tuple form of `items`.
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Any(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// `properties`: first the names `required` lists, in its order (each once,
/// those that are properties), then the others in key order.
struct Properties<'a> {
    properties: &'a Map<String, Value>,
    required: &'a [Value],
}

impl Serialize for Properties<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Every property once: as many as the map holds.
        let count = self.properties.len();
        let mut out = serializer.serialize_map(Some(count))?;
        for (name, schema) in property_order(self.properties, self.required).take(count) {
            out.serialize_entry(name, &Any(schema))?;
        }
        out.end()
    }
}

/// The order of an object's properties: the names its `required` lists, in
/// that order (each once, and only those that are properties), then the
/// others in key order. Every property appears once, with its schema.
///
/// The one statement of the rule: serialization and
/// `#[serde(flatten)]` in derived schemas both follow it.
pub(crate) fn property_order<'a>(
    properties: &'a Map<String, Value>,
    required: &'a [Value],
) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
    // Quadratic in the number of properties, which stays small (strict
    // mode allows 5,000 in a whole schema); no allocation, since this runs
    // for every object of every schema encoded. A consumer that stops after
    // `properties.len()` items never runs the search for unlisted ones
    // when `required` lists them all (it does, in a strict schema).
    let listed_before = |at: usize, name: &str| {
        required[..at]
            .iter()
            .any(|earlier| earlier.as_str() == Some(name))
    };
    let listed = required.iter().enumerate().filter_map(move |(at, name)| {
        let (name, schema) = properties.get_key_value(name.as_str()?)?;
        (!listed_before(at, name)).then_some((name.as_str(), schema))
    });
    let rest = properties
        .iter()
        .map(|(name, schema)| (name.as_str(), schema))
        .filter(move |(name, _)| !required.iter().any(|listed| listed.as_str() == Some(*name)));
    listed.chain(rest)
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = if f.alternate() {
            serde_json::to_string_pretty(self)
        } else {
            serde_json::to_string(self)
        };
        f.write_str(&text.map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A map filled in the order given, whatever order it keeps.
    fn object(members: Vec<(&str, Value)>) -> Value {
        Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    /// An object schema whose `properties` were inserted in an order that is
    /// neither `required`'s nor alphabetical, with its keywords scrambled
    /// too: `required` is `[zeta, alpha, mid]`, insertion `mid, zeta, alpha`,
    /// alphabetical `alpha, mid, zeta`.
    fn scrambled(zeta: Value, alpha: Value, mid: Value) -> Value {
        object(vec![
            ("additionalProperties", json!(false)),
            ("required", json!(["zeta", "alpha", "mid"])),
            (
                "properties",
                object(vec![("mid", mid), ("zeta", zeta), ("alpha", alpha)]),
            ),
            ("type", json!("object")),
        ])
    }

    fn string() -> Value {
        json!({"type": "string"})
    }

    const SCRAMBLED: &str = r#"{"type":"object","properties":{"zeta":Z,"alpha":A,"mid":M},"required":["zeta","alpha","mid"],"additionalProperties":false}"#;

    fn text(zeta: &str, alpha: &str, mid: &str) -> String {
        SCRAMBLED
            .replace('Z', zeta)
            .replace('A', alpha)
            .replace('M', mid)
    }

    #[test]
    fn properties_follow_required_at_every_level() {
        let leaf = scrambled(string(), string(), string());
        let leaf_text = text(
            r#"{"type":"string"}"#,
            r#"{"type":"string"}"#,
            r#"{"type":"string"}"#,
        );
        // Nested object, array items, an `anyOf` member and a `$defs` entry,
        // each itself scrambled.
        let array = object(vec![("items", leaf.clone()), ("type", json!("array"))]);
        let union = object(vec![("anyOf", json!([leaf.clone(), {"type": "null"}]))]);
        let Value::Object(mut root) = scrambled(leaf.clone(), array, union) else {
            unreachable!()
        };
        root.insert(
            "$defs".into(),
            object(vec![("Zed", leaf.clone()), ("Alf", leaf)]),
        );
        let schema = Schema::from(root);

        let array_text = format!(r#"{{"type":"array","items":{leaf_text}}}"#);
        let union_text = format!(r#"{{"anyOf":[{leaf_text},{{"type":"null"}}]}}"#);
        let root_text = text(&leaf_text, &array_text, &union_text);
        // `$defs` last, its entries by name.
        let expected = format!(
            r#"{},"$defs":{{"Alf":{leaf_text},"Zed":{leaf_text}}}}}"#,
            root_text.strip_suffix('}').unwrap()
        );
        assert_eq!(serde_json::to_string(&schema).unwrap(), expected);
        assert_eq!(schema.to_string(), expected);
    }

    #[test]
    fn properties_required_leaves_out_follow_in_key_order() {
        // `b` and `a` are not in `required`: after the listed ones, in key
        // order (here insertion and alphabetical order agree on `a`, `b`).
        let Value::Object(map) = object(vec![
            ("type", json!("object")),
            (
                "properties",
                object(vec![
                    ("a", string()),
                    ("b", string()),
                    ("y", string()),
                    ("x", string()),
                ]),
            ),
            // Listed twice, and a name that is not a property.
            ("required", json!(["y", "ghost", "x", "y"])),
        ]) else {
            unreachable!()
        };
        let text = serde_json::to_string(&Schema::from(map)).unwrap();
        assert_eq!(
            text,
            r#"{"type":"object","properties":{"y":{"type":"string"},"x":{"type":"string"},"a":{"type":"string"},"b":{"type":"string"}},"required":["y","ghost","x","y"]}"#
        );
    }

    #[test]
    fn keywords_come_in_one_order_and_data_is_left_alone() {
        let Value::Object(map) = object(vec![
            ("x-custom", json!(1)),
            ("enum", json!([{"b": 1, "a": 2}, "s"])),
            ("description", json!("d")),
            ("$ref", json!("#/$defs/T")),
            ("default", json!({"properties": {"z": 1}, "required": []})),
        ]) else {
            unreachable!()
        };
        let schema = Schema::from(map);
        let text = serde_json::to_string(&schema).unwrap();
        // Data objects are written as a `Value` writes them (key order).
        let data = serde_json::to_string(&json!({"b": 1, "a": 2})).unwrap();
        let default =
            serde_json::to_string(&json!({"properties": {"z": 1}, "required": []})).unwrap();
        assert_eq!(
            text,
            format!(
                r##"{{"$ref":"#/$defs/T","description":"d","enum":[{data},"s"],"default":{default},"x-custom":1}}"##
            )
        );
    }

    #[test]
    fn every_keyword_ranks_at_its_place_in_the_order() {
        for (at, keyword) in KEYWORD_ORDER.iter().enumerate() {
            assert_eq!(rank(keyword), at, "{keyword}");
        }
        for other in ["x-custom", "", "Type", "typ", "types"] {
            assert_eq!(rank(other), KEYWORD_ORDER.len(), "{other}");
        }
    }

    #[test]
    fn the_copy_is_taken_for_compact_json_text_only() {
        use serde_json::ser::{CompactFormatter, PrettyFormatter, Serializer as Json};
        assert!(writes_compact_json::<&mut Json<&mut Vec<u8>>>());
        assert!(writes_compact_json::<&mut Json<Vec<u8>, CompactFormatter>>());
        assert!(writes_compact_json::<&mut Json<std::io::Sink>>());
        assert!(!writes_compact_json::<
            &mut Json<&mut Vec<u8>, PrettyFormatter<'_>>,
        >());
        assert!(!writes_compact_json::<serde_json::value::Serializer>());
        // Commas and arrows inside the writer's type are not the formatter's.
        assert!(writes_compact_json::<&mut Json<(Vec<u8>, fn(u8) -> u8)>>());
        assert!(!writes_compact_json::<
            &mut Json<(Vec<u8>, fn(u8) -> u8), PrettyFormatter<'_>>,
        >());
        // A writer named after the formatter does not fool it.
        assert!(!writes_compact_json::<
            &mut Json<std::marker::PhantomData<CompactFormatter>, PrettyFormatter<'_>>,
        >());
    }

    fn nested() -> Schema {
        let leaf = scrambled(string(), string(), string());
        Schema::try_from(scrambled(leaf.clone(), leaf, string())).unwrap()
    }

    #[test]
    fn the_kept_text_is_what_ordering_writes_and_other_outputs_are_unaffected() {
        let schema = nested();
        let fresh = nested();
        let first = serde_json::to_string(&schema).unwrap();
        assert!(schema.0.text.get().is_none(), "written in place once");
        assert_eq!(serde_json::to_string(&schema).unwrap(), first);
        assert_eq!(
            schema.0.text.get().map(|text| text.get()),
            Some(first.as_str()),
            "kept from the second time"
        );
        assert_eq!(serde_json::to_vec(&schema).unwrap(), first.as_bytes());
        // Pretty output is still indented at every level.
        assert_eq!(
            serde_json::to_string_pretty(&schema).unwrap(),
            serde_json::to_string_pretty(&fresh).unwrap()
        );
        assert!(fresh.0.text.get().is_none(), "pretty text is not kept");
        // `to_value` sees the members, not a raw-text token.
        assert_eq!(
            serde_json::to_value(&schema).unwrap(),
            Value::Object(fresh.into_map())
        );
        // Inside a larger document.
        let outer = serde_json::to_string(&vec![&schema, &schema]).unwrap();
        assert_eq!(outer, format!("[{first},{first}]"));
    }

    #[test]
    fn clones_share_the_text_and_a_change_forgets_it() {
        let schema = nested();
        let shared = schema.clone();
        assert!(Arc::ptr_eq(&schema.0, &shared.0), "a clone is shared");
        let before = serde_json::to_string(&schema).unwrap();
        // The clone's first time is the schema's second.
        assert_eq!(serde_json::to_string(&shared).unwrap(), before);
        assert!(schema.0.text.get().is_some());

        let mut changed = shared.clone();
        changed.insert("description".into(), json!("changed"));
        assert!(
            changed.0.text.get().is_none(),
            "the change forgets the text"
        );
        let after = serde_json::to_string(&changed).unwrap();
        assert_eq!(serde_json::to_string(&changed).unwrap(), after);
        assert!(changed.0.text.get().is_some());
        assert_eq!(
            after,
            before.replacen(
                r#""type":"object","#,
                r#""type":"object","description":"changed","#,
                1
            )
        );
        // The others still hold the old schema and its text.
        assert_eq!(serde_json::to_string(&schema).unwrap(), before);
        assert_eq!(serde_json::to_string(&shared).unwrap(), before);
        assert!(!schema.contains_key("description"));
        assert_eq!(changed.clone().into_map()["description"], "changed");
        assert_eq!(format!("{schema:?}"), format!("Schema({:?})", *schema));
    }

    #[test]
    fn a_schema_round_trips_and_converts() {
        let value =
            json!({"type": "object", "properties": {"b": {"type": "string"}}, "required": ["b"]});
        let schema: Schema = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(Value::from(schema.clone()), value);
        assert_eq!(Schema::try_from(value.clone()).unwrap(), schema);
        assert_eq!(Schema::try_from(json!([1])), Err(json!([1])));
        assert_eq!(schema.clone().into_map(), *value.as_object().unwrap());
        let back: Schema = serde_json::from_str(&serde_json::to_string(&schema).unwrap()).unwrap();
        assert_eq!(back, schema);
        assert_eq!(Schema::new(), Schema::default());
        assert!(Schema::new().is_empty());
    }
}
