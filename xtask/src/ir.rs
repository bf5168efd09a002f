//! The generator's intermediate representation: Rust type definitions and
//! operations, decided but not yet spelled as tokens.
//!
//! Lowering (`lower.rs`) makes every decision about shapes, names and serde
//! representation; emission (`emit.rs`) only prints what is here. Keeping the
//! two apart is what lets the snapshot tests read like a specification.

use indexmap::IndexMap;
use serde_json::Value;

/// Everything generated from one spec.
#[derive(Debug, Default)]
pub struct Ir {
    pub types: IndexMap<String, TypeDef>,
    pub operations: Vec<Operation>,
    /// Operations the client cannot express, with the reason (never dropped silently).
    pub unsupported: Vec<Unsupported>,
    /// JSON pointers of schemas typed as `serde_json::Value` because they use
    /// a construct with no faithful Rust shape (`not`, `$recursiveRef`, tuples).
    pub opaque: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Unsupported {
    pub operation: String,
    pub reason: String,
}

/// Documentation carried from the spec onto a Rust item.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub title: Option<String>,
    pub description: Option<String>,
    pub default: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct TypeDef {
    pub name: String,
    /// Where the type came from, for error messages and doc links.
    pub pointer: String,
    /// Who chose `name`: the spec, the naming table, or a rule.
    pub origin: NameOrigin,
    pub doc: Doc,
    pub deprecated: bool,
    pub kind: TypeKind,
    /// Filled in by the analysis passes after lowering.
    pub traits: Traits,
}

/// Where a type's Rust name comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameOrigin {
    /// A spec component name, kept as users find it in OpenAI's docs.
    Spec,
    /// An entry of the naming table (`spec/names.json`).
    Table,
    /// Made up from the enclosing names (`{Parent}{Property}`).
    Rule,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Traits {
    /// Reachable from a response body: structs keep unknown fields and
    /// tolerate missing required ones; unions accept unknown tags.
    pub response: bool,
    /// Reachable from a request body or query.
    pub request: bool,
    pub default: bool,
}

#[derive(Debug, Clone)]
pub enum TypeKind {
    Struct(Struct),
    StringEnum(StringEnum),
    Union(Union),
    Alias(Ty),
}

#[derive(Debug, Clone)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// A required property with one possible value, on a type only ever
    /// sent: serde writes it, the user never sets it (`"type": "function"`).
    /// Response-side types keep such properties as fields instead, so a value
    /// the spec did not foresee is kept rather than overwritten.
    pub tag: Option<Tag>,
    /// Keeps properties the spec does not describe in an `extra` map: every
    /// response-side struct (so nothing a server sent is lost), and a
    /// request struct whose schema says `additionalProperties: true` (the
    /// assistant turn, which echoes provider fields such as
    /// `reasoning_content` back).
    pub open: bool,
}

#[derive(Debug, Clone)]
pub struct Tag {
    pub property: String,
    pub value: String,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub json_name: String,
    pub rust_name: String,
    pub ty: Ty,
    pub required: bool,
    pub nullable: bool,
    pub doc: Doc,
    pub deprecated: bool,
    /// Set by the recursion pass: the field must be boxed to give the type a size.
    pub boxed: bool,
    /// The one value a required property can hold (`enum: [x]` or `const`).
    pub constant: Option<String>,
    /// What the field does when the value is absent or `null`; decided by
    /// the analysis passes from `required`, `nullable` and the type's side.
    pub absence: Absence,
    /// What the spec constrains about the value (ranges, lengths, item
    /// counts), checked by the generated `constraints.rs`.
    pub constraints: Constraints,
}

/// The spec's validation keywords on one property. Only those whose kind
/// fits the field's type are checked (a range on a number, a length on a
/// string, an item count on an array).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

/// How a field represents "no value", and how it is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Absence {
    /// Optional: `Option<T>`, left out of the JSON when `None`.
    Omit,
    /// `Option<T>`, written as `null` when `None`: required nullable
    /// properties, and required response-side enums, which a compatible
    /// server may leave out or send as `null` and which have no empty value
    /// that could not be mistaken for a real one.
    Null,
    /// Required on the response side with an empty value (`""`, `0`, `[]`):
    /// `null` or a missing key decodes as that value, so compatible servers
    /// that omit `object` or `created` still decode.
    Empty,
    /// Must be present.
    Required,
}

impl Field {
    /// Whether the field is `Option<T>` in Rust.
    pub fn is_option(&self) -> bool {
        matches!(self.absence, Absence::Omit | Absence::Null)
    }

    /// The facts of the spec alone: optional, or nullable.
    pub fn spec_absence(&self) -> Absence {
        if !self.required {
            Absence::Omit
        } else if self.nullable {
            Absence::Null
        } else {
            Absence::Required
        }
    }
}

#[derive(Debug, Clone)]
pub struct StringEnum {
    pub variants: Vec<EnumValue>,
    pub fallback: Fallback,
    /// What `Default::default()` is, if the enum implements it.
    pub default: Option<EnumDefault>,
}

/// The default value of a string enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnumDefault {
    /// The variant the spec's `default` names (index into `variants`).
    Variant(usize),
    /// The empty catch-all (`Other(String::new())`) of an open id set, so a
    /// request struct with a `model` can still implement `Default`.
    EmptyOther,
}

#[derive(Debug, Clone)]
pub struct EnumValue {
    pub value: String,
    pub rust_name: String,
}

/// What a string enum does with a value the spec does not list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// A closed enum in the spec: new values are kept as `Unknown(String)`.
    Unknown,
    /// `anyOf: [string, enum]`: any string is valid, the enum only names the
    /// known ones, so the catch-all is `Other(String)`.
    Other,
}

impl Fallback {
    /// The name of the catch-all variant.
    pub fn variant_name(self) -> &'static str {
        match self {
            Fallback::Unknown => "Unknown",
            Fallback::Other => "Other",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Union {
    pub repr: UnionRepr,
    pub variants: Vec<Variant>,
    /// The variant `Default::default()` builds, if the union implements it.
    pub default_variant: Option<usize>,
}

#[derive(Debug, Clone)]
pub enum UnionRepr {
    /// Dispatch on the value of one string property.
    Tagged { property: String },
    /// Try each variant in order.
    Untagged,
}

#[derive(Debug, Clone)]
pub struct Variant {
    pub rust_name: String,
    pub ty: Ty,
    /// Tag values selecting this variant (tagged unions only).
    pub tags: Vec<String>,
    pub doc: Doc,
    pub boxed: bool,
}

/// A Rust type at a use site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    String,
    Bool,
    Integer,
    /// An integer the spec bounds to `0..=255`: a byte (`u8`).
    Byte,
    Number,
    /// Anything at all.
    Value,
    /// A free-form JSON object.
    Object,
    /// A type of the runtime crate, by path (`crate::schema::Schema`), that
    /// stands for a free-form JSON object ([`crate::settings::RUNTIME_TYPES`]).
    Runtime(String),
    Named(String),
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Option(Box<Ty>),
}

impl Ty {
    /// The named types this use refers to without indirection through a
    /// heap collection (what matters for recursive types).
    pub fn direct_names(&self) -> Option<&str> {
        match self {
            Ty::Named(n) => Some(n),
            Ty::Option(inner) => inner.direct_names(),
            _ => None,
        }
    }

    pub fn walk_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Ty::Named(n) => out.push(n),
            Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) => t.walk_names(out),
            _ => {}
        }
    }
}

/// An HTTP operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub id: String,
    pub method_name: String,
    pub http_method: String,
    pub path: String,
    pub doc: Doc,
    pub deprecated: bool,
    pub path_params: Vec<PathParam>,
    /// Name of the generated query struct, if the operation has query parameters.
    pub query: Option<String>,
    pub body: Option<Ty>,
    pub response: Option<Ty>,
    /// The typed event of a `text/event-stream` response, if one is declared.
    pub stream_event: Option<Ty>,
    /// The runtime's dedicated stream type for that event (a path such as
    /// `crate::ChatCompletionStream`); `None` means the generic
    /// `crate::sse::EventStream<event>`.
    pub stream_type: Option<String>,
    /// Cursor pagination, when the query and the response have its shape.
    pub pagination: Option<Pagination>,
}

/// OpenAI's cursor pagination: a query with `after`, a response with
/// `data: [T]`, `has_more` and `last_id`.
#[derive(Debug, Clone)]
pub struct Pagination {
    pub item: Ty,
    pub page: String,
    pub query: String,
    pub data: FieldAccess,
    pub has_more: FieldAccess,
    pub last_id: FieldAccess,
    pub after: FieldAccess,
}

/// How to reach one field: its Rust name, and whether it is an `Option`.
#[derive(Debug, Clone)]
pub struct FieldAccess {
    pub rust_name: String,
    pub option: bool,
}

#[derive(Debug, Clone)]
pub struct PathParam {
    pub json_name: String,
    pub rust_name: String,
    pub doc: Doc,
}
