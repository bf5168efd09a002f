//! The derive's corpus: for every type, the schema is pinned (insta), passes
//! `chat_api::strict::validate`, and agrees with serde: arbitrary values
//! serialize to JSON the schema accepts and deserialize back equal.
#![allow(dead_code)]

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Debug;
use std::rc::Rc;
use std::sync::Arc;

use chat_api::Tool;
use chat_api::schema::{Schema, SchemaGenerator};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use proptest_derive::Arbitrary;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

fn schema_of<T: Tool>() -> Value {
    Value::from(T::parameters().clone())
}

/// Snapshot plus strict validation, for every corpus type.
///
/// The snapshot is of the `Schema` itself, as it is sent: it writes
/// `properties` in `required` order and keywords in one fixed order, so the
/// text is the same with or without serde_json's `preserve_order` (which a
/// `Value` would not be: it writes maps in key order).
fn pinned<T: Tool>(name: &str) -> Value {
    let schema = T::parameters();
    insta::assert_json_snapshot!(name, schema);
    let schema = schema_of::<T>();
    if T::STRICT
        && let Err(violations) = chat_api::strict::validate(&schema)
    {
        panic!("{name}: derived schema violates strict mode: {violations:#?}");
    }
    schema
}

/// Schema and serde agree on arbitrary values of `T`.
fn agrees<T>(name: &str, strategy: impl Strategy<Value = T>)
where
    T: Tool + Serialize + DeserializeOwned + PartialEq + Debug,
{
    let schema = pinned::<T>(name);
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| {
        let json = serde_json::to_value(&value).expect("serializes");
        let errors: Vec<String> = validator
            .iter_errors(&json)
            .map(|e| e.to_string())
            .collect();
        prop_assert!(errors.is_empty(), "{} rejects {}: {:?}", name, json, errors);
        let back: T = serde_json::from_value(json.clone()).expect("deserializes");
        prop_assert_eq!(back, value);
        Ok(())
    });
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
}

fn small_f64() -> impl Strategy<Value = f64> {
    -1.0e9f64..1.0e9
}

// 1. The API.md example: doc comments, a unit enum with documented variants.

/// Get the current weather for a city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct GetWeather {
    /// City name, e.g. "Paris".
    location: String,
    unit: Option<Unit>,
}

/// Temperature unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "lowercase")]
enum Unit {
    /// Degrees Celsius.
    Celsius,
    Fahrenheit,
}

#[test]
fn get_weather() {
    agrees("get_weather", any::<GetWeather>());
}

// 2. Integer widths carry their bounds and no `format`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Integers {
    a: i8,
    b: i16,
    c: i32,
    d: i64,
    e: u8,
    f: u16,
    g: u32,
    h: u64,
    i: usize,
    j: isize,
}

#[test]
fn integers() {
    agrees("integers", any::<Integers>());
}

// 3. Floats, booleans, chars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Scalars {
    #[proptest(strategy = "-1.0e6f32..1.0e6")]
    x: f32,
    #[proptest(strategy = "small_f64()")]
    y: f64,
    flag: bool,
    #[proptest(strategy = "schema_char()")]
    letter: char,
}

/// The characters a `char`'s schema asks for: all but the ones JSON escapes
/// (see `in_char_schema`).
fn schema_char() -> impl Strategy<Value = char> {
    any::<char>().prop_filter("escaped in JSON", |c| {
        !matches!(c, '"' | '\\' | '\0'..='\x1f')
    })
}

#[test]
fn scalars() {
    agrees("scalars", any::<Scalars>());
}

/// One pattern that OpenAI and llama.cpp both enforce means giving up the
/// characters JSON escapes: serde still reads them, the model is never asked
/// for them. Exactly one character, never two.
#[test]
fn char_schema_is_one_unescaped_character() {
    let schema = schema_of::<Scalars>();
    let letter = jsonschema::validator_for(&schema["properties"]["letter"]).expect("compiles");
    for accepted in ["a", "é", "😀", " ", "\u{7f}"] {
        assert!(letter.is_valid(&Value::from(accepted)), "{accepted:?}");
    }
    for rejected in ["", "ab", "\"", "\\", "\n", "\t", "\0"] {
        assert!(!letter.is_valid(&Value::from(rejected)), "{rejected:?}");
    }
    let escaped: Scalars =
        serde_json::from_str(r#"{"x": 0, "y": 0, "flag": true, "letter": "\n"}"#).unwrap();
    assert_eq!(escaped.letter, '\n');
}

/// A number outside the `f32` range is outside the schema, rather than
/// deserializing to infinity.
#[test]
fn f32_schema_is_bounded_to_the_f32_range() {
    let schema = schema_of::<Scalars>();
    let x = jsonschema::validator_for(&schema["properties"]["x"]).expect("compiles");
    assert!(x.is_valid(&serde_json::json!(f32::MAX)));
    assert!(x.is_valid(&serde_json::json!(f32::MIN)));
    assert!(!x.is_valid(&serde_json::json!(1e300)));
    assert!(!x.is_valid(&serde_json::json!(-1e39)));
}

// 4. `Option` is required and nullable: a type list for primitives, `anyOf` otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Inner {
    value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Optionals {
    text: Option<String>,
    number: Option<u32>,
    list: Option<Vec<String>>,
    /// A nested object, maybe.
    nested: Option<Inner>,
    command: Option<Command>,
}

#[test]
fn optionals() {
    agrees("optionals", any::<Optionals>());
}

// 5. Sequences, sets (uniqueness in the description), fixed-size arrays.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Collections {
    bytes: Vec<u8>,
    queue: VecDeque<String>,
    unique: HashSet<String>,
    /// Sorted labels.
    sorted: BTreeSet<i32>,
    rgb: [u8; 3],
    boxed: Box<Inner>,
    matrix: Vec<Vec<Option<Point>>>,
}

#[test]
fn collections() {
    agrees("collections", any::<Collections>());
}

// 6. Smart pointers are transparent (schema only: serde's `rc` feature is off, so
// `Deserialize` is not derived here).
#[derive(Tool)]
struct Pointers {
    rc: Rc<String>,
    arc: Arc<Inner>,
    boxed: Box<u8>,
    text: Box<str>,
}

#[test]
fn pointers() {
    pinned::<Pointers>("pointers");
}

// 7-10. `rename`, `rename_all` in every case, raw identifiers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "camelCase")]
struct CamelCase {
    first_name: String,
    last_name: String,
    #[serde(rename = "AGE")]
    age: u8,
    r#type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "SCREAMING-KEBAB-CASE")]
struct ScreamingKebab {
    first_name: String,
    x: u8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "PascalCase")]
struct Pascal {
    first_name: String,
    #[serde(rename = "second")]
    second_name: String,
}

/// Serde's deserialize-side name is the one in the schema.
#[derive(Deserialize, Tool)]
struct Asymmetric {
    #[serde(rename(serialize = "ignored", deserialize = "read"))]
    field: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
enum Casing {
    #[serde(rename = "lower")]
    Lower(
        #[proptest(strategy = "prop_oneof![Just(LowerCase::HttpRequest), Just(LowerCase::Ok)]")]
        LowerCase,
    ),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum LowerCase {
    HttpRequest,
    Ok,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "kebab-case")]
enum Kebab {
    HttpRequest,
    GetUrl,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Cases {
    casing: Casing,
    kebab: Kebab,
    screaming: ScreamingKebab,
    pascal: Pascal,
}

#[test]
fn renames() {
    agrees("camel_case", any::<CamelCase>());
    agrees("cases", any::<Cases>());
    assert_eq!(
        pinned::<Asymmetric>("asymmetric")["required"],
        serde_json::json!(["read"])
    );
}

// 11. `skip`, `skip_deserializing`, `default`, `alias`, `deny_unknown_fields`.
fn default_name() -> String {
    "anonymous".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(deny_unknown_fields)]
struct Attributes {
    #[serde(skip)]
    #[proptest(value = "0")]
    skipped: u32,
    #[serde(skip_deserializing, skip_serializing)]
    #[proptest(value = "String::new()")]
    server_side: String,
    /// Defaults still appear in `required`: strict mode has no optional keys.
    #[serde(default)]
    count: u32,
    #[serde(default = "default_name")]
    name: String,
    #[serde(alias = "colour")]
    color: String,
}

#[test]
fn attributes() {
    agrees("attributes", any::<Attributes>());
    let alias: Attributes =
        serde_json::from_str(r#"{"count":1,"name":"n","colour":"red"}"#).unwrap();
    assert_eq!(alias.color, "red");
}

// 12. `flatten` of structs, at any depth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Meta {
    author: String,
    #[serde(flatten)]
    stamp: Stamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Stamp {
    version: u16,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Flattened {
    id: u32,
    #[serde(flatten)]
    meta: Meta,
}

#[test]
fn flattened() {
    agrees("flattened", any::<Flattened>());
}

// 13. Newtypes and `transparent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(transparent)]
struct Email {
    address: String,
}

/// Distance in meters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Meters(#[proptest(strategy = "small_f64()")] f64);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Contact {
    email: Email,
    distance: Meters,
}

#[test]
fn newtypes() {
    agrees("contact", any::<Contact>());
}

// 14. Externally tagged data enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Point {
    x: i32,
    y: i32,
}

/// What the robot should do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "snake_case")]
enum Command {
    Stop,
    Wait,
    /// Drive forward.
    Go {
        speed: u8,
    },
    Say(String),
    MoveTo(Point),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Robot {
    command: Command,
}

#[test]
fn externally_tagged() {
    agrees("robot", any::<Robot>());
}

// 15. Internally tagged: the tag first in every branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct KeyPress {
    key: String,
    shift: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(tag = "type")]
enum Event {
    Click { x: i32, y: i32 },
    Key(KeyPress),
    Quit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Input {
    events: Vec<Event>,
}

#[test]
fn internally_tagged() {
    agrees("input", any::<Input>());
}

// 16. Adjacently tagged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(tag = "t", content = "c")]
enum Message {
    Text(String),
    Image { url: String, width: u16 },
    Ping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Chat {
    message: Message,
}

#[test]
fn adjacently_tagged() {
    agrees("chat", any::<Chat>());
}

// 17. Untagged, and a unit variant as `null`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(untagged)]
enum Loose {
    Flag(bool),
    Text(String),
    Named { a: String },
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct HasUntagged {
    value: Loose,
}

#[test]
fn untagged() {
    agrees("untagged", any::<HasUntagged>());
}

// 18. `rename_all_fields` and a variant's own `rename_all`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(
    tag = "kind",
    rename_all = "snake_case",
    rename_all_fields = "camelCase"
)]
enum Vehicle {
    Car {
        wheel_count: u8,
    },
    #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
    BigBoat {
        #[proptest(strategy = "small_f64()")]
        hull_length: f64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Garage {
    vehicle: Vehicle,
}

#[test]
fn rename_all_fields() {
    agrees("garage", any::<Garage>());
}

// 19. A variant-level `untagged` after tagged ones; a skipped variant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
enum Mixed {
    Known {
        x: i32,
    },
    #[serde(skip)]
    #[proptest(skip)]
    Internal,
    #[serde(untagged)]
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct HasMixed {
    mixed: Mixed,
}

#[test]
fn variant_untagged() {
    agrees("mixed", any::<HasMixed>());
}

// 20. A recursive root: references point at `#`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool)]
struct Tree {
    value: i32,
    children: Vec<Tree>,
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = any::<i32>().prop_map(|value| Tree {
        value,
        children: vec![],
    });
    leaf.prop_recursive(3, 16, 3, |inner| {
        (any::<i32>(), prop::collection::vec(inner, 0..3))
            .prop_map(|(value, children)| Tree { value, children })
    })
}

#[test]
fn recursive_root() {
    agrees("tree", tree());
}

// 21. A recursive nested type goes to `$defs`; a described reference is wrapped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool)]
struct Link {
    label: String,
    next: Option<Box<Link>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool)]
struct Chain {
    /// The first link.
    head: Link,
    links: Vec<Link>,
}

fn link() -> impl Strategy<Value = Link> {
    let leaf = ".*".prop_map(|label| Link { label, next: None });
    leaf.prop_recursive(4, 8, 1, |inner| {
        (".*", inner).prop_map(|(label, next)| Link {
            label,
            next: Some(Box::new(next)),
        })
    })
}

#[test]
fn recursive_defs() {
    agrees(
        "chain",
        (link(), prop::collection::vec(link(), 0..3))
            .prop_map(|(head, links)| Chain { head, links }),
    );
}

// 22. Recursion through an internally tagged enum.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Expr {
    Num { value: i64 },
    Add { left: Box<Expr>, right: Box<Expr> },
    Neg { inner: Box<Expr> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool)]
struct Calc {
    expr: Expr,
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = any::<i64>().prop_map(|value| Expr::Num { value });
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::Add {
                left: Box::new(l),
                right: Box::new(r)
            }),
            inner.prop_map(|i| Expr::Neg { inner: Box::new(i) }),
        ]
    })
}

#[test]
fn recursive_enum() {
    agrees("calc", expr().prop_map(|expr| Calc { expr }));
}

// 23. Generic types: one cached schema per instantiation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(bound = "T: Serialize + serde::de::DeserializeOwned")]
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

#[test]
fn generics() {
    agrees("page_of_inner", any::<Page<Inner>>());
    agrees("page_of_u8", any::<Page<u8>>());
    assert!(std::ptr::eq(
        Page::<u8>::parameters(),
        Page::<u8>::parameters()
    ));
    assert_ne!(Page::<u8>::parameters(), Page::<Inner>::parameters());
}

// 24. `#[tool(name, description)]` and field descriptions override docs.
/// Ignored: the attribute wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[tool(name = "custom-name_1", description = "Look a thing up.")]
struct Overrides {
    /// Ignored too.
    #[tool(description = "The query.")]
    query: String,
}

#[test]
fn overrides() {
    agrees("overrides", any::<Overrides>());
    assert_eq!(Overrides::NAME, "custom-name_1");
    assert_eq!(Overrides::description(), Some("Look a thing up."));
}

// 25. `from`/`into`: the schema is the one of the type serde reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct CelsiusRepr {
    celsius: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(from = "CelsiusRepr", into = "CelsiusRepr")]
struct Temperature {
    value: i32,
}

impl From<CelsiusRepr> for Temperature {
    fn from(r: CelsiusRepr) -> Self {
        Temperature { value: r.celsius }
    }
}

impl From<Temperature> for CelsiusRepr {
    fn from(t: Temperature) -> Self {
        CelsiusRepr { celsius: t.value }
    }
}

#[test]
fn from_into() {
    agrees("temperature", any::<Temperature>());
}

// 26. `deserialize_with` declared with `#[tool(schema = ...)]` / `schema_with`.
mod as_string {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

fn digits(_: &mut SchemaGenerator) -> Schema {
    let mut schema = Schema::new();
    schema.insert("type".into(), "string".into());
    schema.insert("pattern".into(), "^[0-9]+$".into());
    schema
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct CustomSchemas {
    #[serde(with = "as_string")]
    #[tool(schema = String)]
    count: u32,
    /// Digits only.
    #[tool(schema_with = digits)]
    #[proptest(strategy = "\"[0-9]{1,8}\"")]
    code: String,
}

#[test]
fn custom_schemas() {
    agrees("custom_schemas", any::<CustomSchemas>());
}

// 27. No arguments: still an object with `properties`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct NoArgs {}

#[test]
fn no_args() {
    agrees("no_args", any::<NoArgs>());
}

// 28. Opted out of strict mode: maps allowed, `strict: false`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[tool(strict = false)]
struct LooseArgs {
    labels: HashMap<String, String>,
}

#[test]
fn not_strict() {
    assert_eq!(LooseArgs::tool().function.strict, Some(false));
    agrees("loose_args", any::<LooseArgs>());
}

// 29. A set with a doc keeps the uniqueness note; nested optional enums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
struct Tagged {
    /// Labels on the item.
    labels: BTreeSet<String>,
    units: Vec<Option<Unit>>,
    event: Option<Event>,
}

#[test]
fn tagged() {
    agrees("tagged", any::<Tagged>());
}

// 30. A deeper document mixing everything.
/// Book a trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tool, Arbitrary)]
#[serde(rename_all = "camelCase")]
struct BookTrip {
    /// Who travels.
    travellers: Vec<Contact>,
    from_city: String,
    to_city: String,
    #[serde(flatten)]
    when: Stamp,
    transport: Option<Vehicle>,
    notes: Option<Message>,
}

#[test]
fn book_trip() {
    agrees("book_trip", any::<BookTrip>());
}
