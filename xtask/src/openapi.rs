//! A typed view of the parts of an OpenAPI 3.x document the generator reads.
//!
//! Only keywords that change the generated Rust are modelled; everything else
//! (examples, vendor extensions we do not use) is ignored on purpose so that a
//! new upstream annotation never breaks code generation.

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// The document root.
#[derive(Debug, Deserialize)]
pub struct Document {
    #[serde(default)]
    pub paths: IndexMap<String, PathItem>,
    #[serde(default)]
    pub components: Components,
}

#[derive(Debug, Default, Deserialize)]
pub struct Components {
    #[serde(default)]
    pub schemas: IndexMap<String, Schema>,
    #[serde(default)]
    pub responses: IndexMap<String, Response>,
    #[serde(default)]
    pub parameters: IndexMap<String, Parameter>,
    #[serde(default, rename = "requestBodies")]
    pub request_bodies: IndexMap<String, RequestBody>,
}

/// One path's operations, keyed by lower-case HTTP method.
#[derive(Debug, Default, Deserialize)]
pub struct PathItem {
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(flatten)]
    pub operations: IndexMap<String, Value>,
}

#[derive(Debug, Deserialize)]
pub struct Operation {
    #[serde(rename = "operationId")]
    pub operation_id: Option<String>,
    pub summary: Option<String>,
    pub description: Option<String>,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub parameters: Vec<Parameter>,
    #[serde(rename = "requestBody")]
    pub request_body: Option<RequestBody>,
    #[serde(default)]
    pub responses: IndexMap<String, Response>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Parameter {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "in")]
    pub location: String,
    pub description: Option<String>,
    #[serde(default)]
    pub required: bool,
    pub schema: Option<Schema>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RequestBody {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub content: IndexMap<String, MediaType>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Response {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(default)]
    pub content: IndexMap<String, MediaType>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct MediaType {
    pub schema: Option<Schema>,
}

/// A JSON Schema (OpenAPI 3.0 and 3.1 dialects both accepted).
///
/// `Bool` is the 3.1 boolean schema (`true` accepts anything, `false` nothing).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Schema {
    Bool(bool),
    Object(Box<SchemaObject>),
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SchemaObject {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    #[serde(rename = "type")]
    pub ty: Option<SchemaType>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub format: Option<String>,
    pub default: Option<Value>,
    #[serde(default)]
    pub nullable: bool,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(rename = "enum")]
    pub enumeration: Option<Vec<Value>>,
    #[serde(rename = "const")]
    pub constant: Option<Value>,
    #[serde(default)]
    pub properties: IndexMap<String, Schema>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(rename = "additionalProperties")]
    pub additional_properties: Option<Schema>,
    pub items: Option<Schema>,
    #[serde(rename = "allOf")]
    pub all_of: Option<Vec<Schema>>,
    #[serde(rename = "anyOf")]
    pub any_of: Option<Vec<Schema>>,
    #[serde(rename = "oneOf")]
    pub one_of: Option<Vec<Schema>>,
    pub discriminator: Option<Discriminator>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    #[serde(rename = "minLength")]
    pub min_length: Option<u64>,
    #[serde(rename = "maxLength")]
    pub max_length: Option<u64>,
    #[serde(rename = "minItems")]
    pub min_items: Option<u64>,
    #[serde(rename = "maxItems")]
    pub max_items: Option<u64>,
    /// Constructs the generator cannot type precisely; their presence makes
    /// the node opaque (`serde_json::Value`) and is reported in the summary.
    pub not: Option<Value>,
    #[serde(rename = "$recursiveRef")]
    pub recursive_ref: Option<String>,
    #[serde(rename = "prefixItems")]
    pub prefix_items: Option<Value>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum SchemaType {
    One(String),
    Many(Vec<String>),
}

impl SchemaType {
    pub fn names(&self) -> Vec<&str> {
        match self {
            SchemaType::One(t) => vec![t.as_str()],
            SchemaType::Many(ts) => ts.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Discriminator {
    #[serde(rename = "propertyName")]
    pub property_name: String,
    #[serde(default)]
    pub mapping: IndexMap<String, String>,
}

impl Schema {
    pub fn object(&self) -> Option<&SchemaObject> {
        match self {
            Schema::Object(o) => Some(o),
            Schema::Bool(_) => None,
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Undoes [`escape_pointer`]: `~1` → `/`, then `~0` → `~` (RFC 6901's order).
pub fn unescape_pointer(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}
