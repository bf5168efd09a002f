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
    pub doc: Doc,
    pub deprecated: bool,
    pub kind: TypeKind,
    /// Filled in by the analysis passes after lowering.
    pub traits: Traits,
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
}

impl Field {
    /// Optional or nullable fields are `Option<T>` in Rust.
    pub fn is_option(&self) -> bool {
        !self.required || self.nullable
    }
}

#[derive(Debug, Clone)]
pub struct StringEnum {
    pub variants: Vec<EnumValue>,
    pub fallback: Fallback,
    /// Index of the variant named by the spec's `default`, if any.
    pub default: Option<usize>,
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

#[derive(Debug, Clone)]
pub struct Union {
    pub repr: UnionRepr,
    pub variants: Vec<Variant>,
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
    Number,
    /// Anything at all.
    Value,
    /// A free-form JSON object.
    Object,
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
}

#[derive(Debug, Clone)]
pub struct PathParam {
    pub json_name: String,
    pub rust_name: String,
    pub doc: Doc,
}
