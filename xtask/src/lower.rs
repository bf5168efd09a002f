//! Lowering: OpenAPI schemas and operations → the IR.
//!
//! Every decision about Rust shapes lives here: which schemas become structs,
//! enums or aliases, how unions are represented, what inline schemas are
//! called. Errors name the JSON pointer of the offending spec node.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

use crate::ir::*;
use crate::names;
use crate::openapi::{self, Document, Schema, SchemaObject, escape_pointer};

/// A spec problem the generator refuses to guess about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl std::error::Error for SpecError {}

fn err(pointer: &str, message: impl Into<String>) -> SpecError {
    SpecError {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}

type Result<T, E = SpecError> = std::result::Result<T, E>;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Lowers a whole document.
pub fn lower(doc: &Document) -> Result<Ir> {
    let mut lowerer = Lowerer::new(doc)?;
    for (name, schema) in &doc.components.schemas {
        let pointer = format!("{SCHEMA_PREFIX}{}", escape_pointer(name));
        let rust = lowerer.component_names[name].clone();
        lowerer.define_component(&rust, schema, &pointer)?;
    }
    lowerer.lower_operations()?;
    let mut ir = Ir {
        types: lowerer.types,
        operations: lowerer.operations,
        unsupported: lowerer.unsupported,
        opaque: lowerer.opaque,
    };
    crate::analyze::run(&mut ir)?;
    Ok(ir)
}

struct Lowerer<'a> {
    doc: &'a Document,
    /// Spec schema name → Rust type name.
    component_names: HashMap<String, String>,
    /// Rust names of component types whose schema admits `null`; every use
    /// of them is an `Option`.
    nullable_components: HashSet<String>,
    /// Which pointer claimed each Rust name, to report clashes precisely.
    claimed: HashMap<String, String>,
    types: IndexMap<String, TypeDef>,
    /// Inline schemas already defined, by JSON pointer.
    inline_types: HashMap<String, Ty>,
    operations: Vec<Operation>,
    unsupported: Vec<Unsupported>,
    opaque: Vec<String>,
}

/// A schema with its `null` alternative taken off.
struct Stripped<'s> {
    schema: std::borrow::Cow<'s, SchemaObject>,
    nullable: bool,
}

impl<'a> Lowerer<'a> {
    fn new(doc: &'a Document) -> Result<Self> {
        let mut lowerer = Lowerer {
            doc,
            component_names: HashMap::new(),
            nullable_components: HashSet::new(),
            claimed: HashMap::new(),
            types: IndexMap::new(),
            inline_types: HashMap::new(),
            operations: Vec::new(),
            unsupported: Vec::new(),
            opaque: Vec::new(),
        };
        for (name, schema) in &doc.components.schemas {
            let pointer = format!("{SCHEMA_PREFIX}{}", escape_pointer(name));
            let rust = names::type_name(name);
            lowerer.claim(&rust, &pointer)?;
            lowerer.component_names.insert(name.clone(), rust.clone());
            if let Some(obj) = schema.object()
                && lowerer.strip_null(obj).nullable
            {
                lowerer.nullable_components.insert(rust);
            }
        }
        Ok(lowerer)
    }

    fn claim(&mut self, rust: &str, pointer: &str) -> Result<()> {
        if let Some(previous) = self.claimed.get(rust) {
            return Err(err(
                pointer,
                format!("name clash: Rust type `{rust}` is already generated for {previous}"),
            ));
        }
        self.claimed.insert(rust.to_owned(), pointer.to_owned());
        Ok(())
    }

    /// Resolves a `$ref` to a component schema: (spec name, schema).
    fn resolve(&self, reference: &str, pointer: &str) -> Result<(&'a str, &'a Schema)> {
        let name = reference.strip_prefix(SCHEMA_PREFIX).ok_or_else(|| {
            err(
                pointer,
                format!("unsupported $ref `{reference}`: only {SCHEMA_PREFIX}* is handled"),
            )
        })?;
        let name = name.replace("~1", "/").replace("~0", "~");
        self.doc
            .components
            .schemas
            .get_key_value(&name)
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| err(pointer, format!("unresolved $ref `{reference}`")))
    }

    /// Follows `$ref`s (and single-member `allOf`s) to the schema object that
    /// describes the shape.
    fn deref<'s>(
        &self,
        schema: &'s SchemaObject,
        pointer: &str,
    ) -> Result<std::borrow::Cow<'s, SchemaObject>>
    where
        'a: 's,
    {
        let mut current = std::borrow::Cow::Borrowed(schema);
        for _ in 0..64 {
            if let Some(reference) = &current.reference {
                let (_, target) = self.resolve(reference, pointer)?;
                match target {
                    Schema::Object(obj) => current = std::borrow::Cow::Borrowed(obj.as_ref()),
                    Schema::Bool(_) => return Ok(std::borrow::Cow::Owned(SchemaObject::default())),
                }
                continue;
            }
            return Ok(current);
        }
        Err(err(
            pointer,
            "$ref chain does not end (cycle of bare references)",
        ))
    }

    /// Takes every spelling of "or null" off a schema.
    fn strip_null<'s>(&self, schema: &'s SchemaObject) -> Stripped<'s> {
        let mut nullable = schema.nullable;
        let mut out = std::borrow::Cow::Borrowed(schema);
        if let Some(openapi::SchemaType::Many(types)) = &schema.ty
            && types.iter().any(|t| t == "null")
        {
            nullable = true;
            let rest: Vec<String> = types.iter().filter(|t| *t != "null").cloned().collect();
            let owned = out.to_mut();
            owned.ty = match rest.len() {
                0 => None,
                1 => Some(openapi::SchemaType::One(rest[0].clone())),
                _ => Some(openapi::SchemaType::Many(rest)),
            };
        }
        if let Some(openapi::SchemaType::One(t)) = &schema.ty
            && t == "null"
            && schema.properties.is_empty()
        {
            nullable = true;
            out.to_mut().ty = None;
        }
        // OpenAPI 3.0 idiom: `allOf: [{$ref: X}, {nullable: true}]`. Members
        // that only annotate (no shape) are dropped; their `nullable` counts.
        if let Some(members) = &schema.all_of
            && members
                .iter()
                .any(|m| m.object().is_some_and(is_annotation_only))
        {
            nullable |= members.iter().any(|m| {
                m.object()
                    .is_some_and(|o| is_annotation_only(o) && o.nullable)
            });
            let rest: Vec<Schema> = members
                .iter()
                .filter(|m| !m.object().is_some_and(is_annotation_only))
                .cloned()
                .collect();
            out.to_mut().all_of = Some(rest);
        }
        for which in [0, 1] {
            let branches = if which == 0 { &out.any_of } else { &out.one_of };
            let Some(branches) = branches else { continue };
            if !branches.iter().any(is_null_schema) {
                continue;
            }
            nullable = true;
            let rest: Vec<Schema> = branches
                .iter()
                .filter(|b| !is_null_schema(b))
                .cloned()
                .collect();
            let owned = out.to_mut();
            let slot = if which == 0 {
                &mut owned.any_of
            } else {
                &mut owned.one_of
            };
            if rest.len() == 1 {
                *slot = None;
                // Merge the single remaining branch into the outer schema,
                // keeping the outer annotations (they describe the property).
                if let Schema::Object(inner) = &rest[0] {
                    let mut merged = (**inner).clone();
                    merged.description = owned.description.clone().or(merged.description);
                    merged.title = owned.title.clone().or(merged.title);
                    merged.default = owned.default.clone().or(merged.default);
                    merged.deprecated |= owned.deprecated;
                    merged.nullable |= owned.nullable;
                    *owned = merged;
                    // The merged branch may itself be nullable.
                    let again = self.strip_null(owned);
                    let mut schema = again.schema;
                    self.strip_branch_nulls(&mut schema);
                    let schema = schema.into_owned();
                    return Stripped {
                        schema: std::borrow::Cow::Owned(schema),
                        nullable: true,
                    };
                }
            } else {
                *slot = Some(rest);
            }
        }
        if nullable && out.nullable {
            out.to_mut().nullable = false;
        }
        if nullable {
            self.strip_branch_nulls(&mut out);
        }
        Stripped {
            schema: out,
            nullable,
        }
    }

    /// Once null is taken off a union as a whole, a branch that also admits
    /// null says nothing more: the use site is already an `Option`, so
    /// `StopConfiguration::String` holds a `String`, not an `Option<String>`.
    fn strip_branch_nulls(&self, schema: &mut std::borrow::Cow<'_, SchemaObject>) {
        let nullable_branch = |b: &Schema| {
            b.object()
                .is_some_and(|o| o.reference.is_none() && self.strip_null(o).nullable)
        };
        for which in [0, 1] {
            let branches = if which == 0 {
                &schema.any_of
            } else {
                &schema.one_of
            };
            let Some(branches) = branches else { continue };
            if !branches.iter().any(nullable_branch) {
                continue;
            }
            let stripped: Vec<Schema> = branches
                .iter()
                .map(|b| match b.object() {
                    Some(o) if o.reference.is_none() => {
                        Schema::Object(Box::new(self.strip_null(o).schema.into_owned()))
                    }
                    _ => b.clone(),
                })
                .collect();
            let owned = schema.to_mut();
            if which == 0 {
                owned.any_of = Some(stripped);
            } else {
                owned.one_of = Some(stripped);
            }
        }
    }

    // ---------------------------------------------------------------- types

    fn define_component(&mut self, rust: &str, schema: &Schema, pointer: &str) -> Result<()> {
        let obj = match schema {
            Schema::Object(obj) => obj,
            Schema::Bool(_) => {
                return self.insert(
                    rust,
                    pointer,
                    Doc::default(),
                    false,
                    TypeKind::Alias(Ty::Value),
                );
            }
        };
        let stripped = self.strip_null(obj);
        // Reserve the slot so the type is emitted before the inline types
        // its fields create.
        self.insert(rust, pointer, Doc::default(), false, placeholder())?;
        let kind = self.shape(rust, &stripped.schema, pointer, true)?;
        match kind {
            Shape::Def(kind) => self.insert(
                rust,
                pointer,
                doc_of(&stripped.schema),
                stripped.schema.deprecated,
                kind,
            ),
            Shape::Use(ty) => self.insert(
                rust,
                pointer,
                doc_of(&stripped.schema),
                stripped.schema.deprecated,
                TypeKind::Alias(ty),
            ),
        }
    }

    fn insert(
        &mut self,
        rust: &str,
        pointer: &str,
        doc: Doc,
        deprecated: bool,
        kind: TypeKind,
    ) -> Result<()> {
        self.types.insert(
            rust.to_owned(),
            TypeDef {
                name: rust.to_owned(),
                pointer: pointer.to_owned(),
                doc,
                deprecated,
                kind,
                traits: Traits::default(),
            },
        );
        Ok(())
    }

    /// Defines an inline schema as a new named type and returns its use.
    fn define_inline(&mut self, name: &str, schema: &SchemaObject, pointer: &str) -> Result<Ty> {
        // One spec location, one type: `allOf` merging reaches the same
        // inline schema from every struct that includes its component.
        if let Some(ty) = self.inline_types.get(pointer) {
            return Ok(ty.clone());
        }
        let ty = self.define_inline_uncached(name, schema, pointer)?;
        self.inline_types.insert(pointer.to_owned(), ty.clone());
        Ok(ty)
    }

    /// The Rust name of the component a pointer lies in.
    fn owning_component(&self, pointer: &str) -> Option<String> {
        let rest = pointer.strip_prefix(SCHEMA_PREFIX)?;
        let raw = rest.split('/').next()?;
        let name = raw.replace("~1", "/").replace("~0", "~");
        self.component_names.get(&name).cloned()
    }

    fn define_inline_uncached(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Ty> {
        self.claim(name, pointer)?;
        self.insert(name, pointer, Doc::default(), false, placeholder())?;
        match self.shape(name, schema, pointer, true)? {
            Shape::Def(kind) => {
                self.insert(name, pointer, doc_of(schema), schema.deprecated, kind)?;
                Ok(Ty::Named(name.to_owned()))
            }
            Shape::Use(ty) => {
                self.claimed.remove(name);
                self.types.shift_remove(name);
                Ok(ty)
            }
        }
    }

    /// The Rust type for a schema at a use site. `hint` names any type that
    /// has to be created for an inline schema.
    fn use_of(&mut self, schema: &Schema, pointer: &str, hint: &str) -> Result<Ty> {
        let obj = match schema {
            Schema::Object(obj) => obj,
            Schema::Bool(_) => return Ok(Ty::Value),
        };
        let stripped = self.strip_null(obj);
        let ty = self.use_of_stripped(&stripped.schema, pointer, hint)?;
        Ok(if stripped.nullable { option(ty) } else { ty })
    }

    fn use_of_stripped(&mut self, schema: &SchemaObject, pointer: &str, hint: &str) -> Result<Ty> {
        if let Some(reference) = &schema.reference {
            let (name, _) = self.resolve(reference, pointer)?;
            let rust = self.component_names[name].clone();
            let nullable = self.nullable_components.contains(&rust);
            let ty = Ty::Named(rust);
            return Ok(if nullable { option(ty) } else { ty });
        }
        match self.shape(hint, schema, pointer, false)? {
            Shape::Use(ty) => Ok(ty),
            Shape::Def(_) => self.define_inline(hint, schema, pointer),
        }
    }

    /// Decides what a (null-stripped) schema is. With `define` false, only
    /// reports whether a definition is needed (cheaply) and returns `Def` with
    /// a placeholder; the caller then defines it under its name.
    fn shape(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        pointer: &str,
        define: bool,
    ) -> Result<Shape> {
        if schema.not.is_some() || schema.recursive_ref.is_some() || schema.prefix_items.is_some() {
            self.opaque.push(pointer.to_owned());
            return Ok(Shape::Use(Ty::Value));
        }
        if let Some(reference) = &schema.reference {
            // A component that is only a reference: an alias.
            let (target, _) = self.resolve(reference, pointer)?;
            let rust = self.component_names[target].clone();
            let nullable = self.nullable_components.contains(&rust);
            let ty = Ty::Named(rust);
            return Ok(Shape::Use(if nullable { option(ty) } else { ty }));
        }
        if let Some(members) = &schema.all_of {
            if members.len() == 1 && schema.properties.is_empty() {
                return self.single(
                    name,
                    schema,
                    &members[0],
                    &format!("{pointer}/allOf/0"),
                    define,
                );
            }
            if members.iter().any(|m| self.is_union(m, pointer)) {
                // A union intersected with more properties has no faithful
                // serde shape; it is typed as JSON and listed in the summary.
                self.opaque.push(pointer.to_owned());
                return Ok(Shape::Use(Ty::Value));
            }
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return Ok(Shape::Def(TypeKind::Struct(
                self.merged_struct(name, schema, pointer)?,
            )));
        }
        let branches = schema
            .one_of
            .as_ref()
            .map(|b| ("oneOf", b))
            .or(schema.any_of.as_ref().map(|b| ("anyOf", b)));
        if let Some((keyword, branches)) = branches {
            if branches.len() == 1 {
                return self.single(
                    name,
                    schema,
                    &branches[0],
                    &format!("{pointer}/{keyword}/0"),
                    define,
                );
            }
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return self
                .union(name, schema, keyword, branches, pointer)
                .map(Shape::Def);
        }
        if let Some(values) = &schema.enumeration
            && values.iter().all(Value::is_string)
            && !values.is_empty()
        {
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            return Ok(Shape::Def(TypeKind::StringEnum(self.string_enum(
                &values,
                Fallback::Unknown,
                schema,
                pointer,
            )?)));
        }
        if let Some(Value::String(value)) = &schema.constant {
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return Ok(Shape::Def(TypeKind::StringEnum(self.string_enum(
                &[value],
                Fallback::Unknown,
                schema,
                pointer,
            )?)));
        }
        let types: Vec<&str> = schema.ty.as_ref().map(|t| t.names()).unwrap_or_default();
        if types.len() > 1 {
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return Ok(Shape::Def(
                self.multi_type_union(name, schema, &types, pointer)?,
            ));
        }
        let ty = types.first().copied().or(if !schema.properties.is_empty() {
            Some("object")
        } else if schema.items.is_some() {
            Some("array")
        } else {
            None
        });
        Ok(match ty {
            Some("string") => Shape::Use(Ty::String),
            Some("integer") => Shape::Use(Ty::Integer),
            Some("number") => Shape::Use(Ty::Number),
            Some("boolean") => Shape::Use(Ty::Bool),
            Some("null") | None => Shape::Use(Ty::Value),
            Some("array") => {
                let item = match &schema.items {
                    Some(items) => {
                        self.use_of(items, &format!("{pointer}/items"), &format!("{name}Item"))?
                    }
                    None => Ty::Value,
                };
                Shape::Use(Ty::Vec(Box::new(item)))
            }
            Some("object") => {
                if schema.properties.is_empty() {
                    match &schema.additional_properties {
                        Some(Schema::Object(values)) => {
                            let value = self.use_of(
                                &Schema::Object(values.clone()),
                                &format!("{pointer}/additionalProperties"),
                                &format!("{name}Value"),
                            )?;
                            Shape::Use(if value == Ty::Value {
                                Ty::Object
                            } else {
                                Ty::Map(Box::new(value))
                            })
                        }
                        _ => Shape::Use(Ty::Object),
                    }
                } else if !define {
                    Shape::Def(placeholder())
                } else {
                    Shape::Def(TypeKind::Struct(self.object_struct(name, schema, pointer)?))
                }
            }
            Some(other) => return Err(err(pointer, format!("unsupported type `{other}`"))),
        })
    }

    /// A composition with one member is that member; an inline member keeps
    /// the outer name (and the outer description, which is about the use).
    fn single(
        &mut self,
        name: &str,
        outer: &SchemaObject,
        member: &Schema,
        pointer: &str,
        define: bool,
    ) -> Result<Shape> {
        match member {
            Schema::Object(obj) if obj.reference.is_none() => {
                let stripped = self.strip_null(obj);
                let mut inner = stripped.schema.into_owned();
                inner.description = outer.description.clone().or(inner.description);
                let shape = self.shape(name, &inner, pointer, define)?;
                Ok(match shape {
                    Shape::Use(ty) if stripped.nullable => Shape::Use(option(ty)),
                    Shape::Def(_) if stripped.nullable && !define => Shape::Def(placeholder()),
                    shape => shape,
                })
            }
            _ => Ok(Shape::Use(self.use_of(member, pointer, name)?)),
        }
    }

    fn is_union(&self, member: &Schema, pointer: &str) -> bool {
        let Some(obj) = member.object() else {
            return false;
        };
        let Ok(obj) = self.deref(obj, pointer) else {
            return false;
        };
        let stripped = self.strip_null(&obj);
        stripped.schema.any_of.as_ref().is_some_and(|b| b.len() > 1)
            || stripped.schema.one_of.as_ref().is_some_and(|b| b.len() > 1)
    }

    fn string_enum(
        &mut self,
        values: &[&str],
        fallback: Fallback,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<StringEnum> {
        let mut seen = HashMap::new();
        let mut variants = Vec::new();
        for value in values {
            if seen.contains_key(*value) {
                continue;
            }
            let mut rust_name = names::words(value);
            if rust_name == fallback_name(fallback) {
                rust_name.push_str("Value");
            }
            if let Some(previous) = seen
                .values()
                .find(|(r, _): &&(String, String)| *r == rust_name)
            {
                return Err(err(
                    pointer,
                    format!(
                        "enum values `{}` and `{value}` both map to variant `{rust_name}`",
                        previous.1
                    ),
                ));
            }
            seen.insert(
                (*value).to_owned(),
                (rust_name.clone(), (*value).to_owned()),
            );
            variants.push(EnumValue {
                value: (*value).to_owned(),
                rust_name,
            });
        }
        let default = schema
            .default
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|d| variants.iter().position(|v| v.value == d));
        Ok(StringEnum {
            variants,
            fallback,
            default,
        })
    }

    fn object_struct(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Struct> {
        let props: Vec<(String, Schema, String)> = schema
            .properties
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.clone(),
                    format!("{pointer}/properties/{}", escape_pointer(k)),
                )
            })
            .collect();
        let required: BTreeSet<String> = schema.required.iter().cloned().collect();
        self.build_struct(name, &props, &required, pointer)
    }

    /// `allOf` → one struct holding every member's properties, in order.
    fn merged_struct(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Struct> {
        let mut props: IndexMap<String, (Schema, String)> = IndexMap::new();
        let mut required: BTreeSet<String> = schema.required.iter().cloned().collect();
        let members = schema.all_of.as_deref().unwrap_or_default();
        for (i, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/allOf/{i}");
            self.collect_properties(member, &member_pointer, &mut props, &mut required, 0)
                .map_err(|e| {
                    err(
                        &member_pointer,
                        format!("in allOf at {pointer}: {}", e.message),
                    )
                })?;
        }
        for (k, v) in &schema.properties {
            props.insert(
                k.clone(),
                (
                    v.clone(),
                    format!("{pointer}/properties/{}", escape_pointer(k)),
                ),
            );
        }
        let props: Vec<(String, Schema, String)> =
            props.into_iter().map(|(k, (s, p))| (k, s, p)).collect();
        self.build_struct(name, &props, &required, pointer)
    }

    fn collect_properties(
        &self,
        member: &Schema,
        pointer: &str,
        props: &mut IndexMap<String, (Schema, String)>,
        required: &mut BTreeSet<String>,
        depth: usize,
    ) -> Result<()> {
        if depth > 32 {
            return Err(err(pointer, "allOf nesting too deep (cycle?)"));
        }
        let Schema::Object(obj) = member else {
            return Ok(());
        };
        let (obj, base) = match &obj.reference {
            Some(reference) => {
                let (target, schema) = self.resolve(reference, pointer)?;
                let Schema::Object(target_obj) = schema else {
                    return Ok(());
                };
                (
                    target_obj.as_ref(),
                    format!("{SCHEMA_PREFIX}{}", escape_pointer(target)),
                )
            }
            None => (obj.as_ref(), pointer.to_owned()),
        };
        if let Some(members) = &obj.all_of {
            for (i, m) in members.iter().enumerate() {
                self.collect_properties(
                    m,
                    &format!("{base}/allOf/{i}"),
                    props,
                    required,
                    depth + 1,
                )?;
            }
        }
        if obj.any_of.is_some() || obj.one_of.is_some() {
            let stripped = self.strip_null(obj);
            if stripped.schema.any_of.is_some() || stripped.schema.one_of.is_some() {
                return Err(err(
                    &base,
                    "allOf member is a union; merging it into a struct is not supported",
                ));
            }
        }
        for (k, v) in &obj.properties {
            props.insert(
                k.clone(),
                (
                    v.clone(),
                    format!("{base}/properties/{}", escape_pointer(k)),
                ),
            );
        }
        required.extend(obj.required.iter().cloned());
        Ok(())
    }

    fn build_struct(
        &mut self,
        name: &str,
        props: &[(String, Schema, String)],
        required: &BTreeSet<String>,
        pointer: &str,
    ) -> Result<Struct> {
        let mut fields = Vec::new();
        let mut rust_names: HashMap<String, String> = HashMap::new();
        for (json_name, schema, prop_pointer) in props {
            let is_required = required.contains(json_name);
            let constant = if is_required {
                self.single_value(schema)
            } else {
                None
            };
            let rust_name = names::field_name(json_name);
            if let Some(previous) = rust_names.insert(rust_name.clone(), json_name.clone()) {
                return Err(err(
                    prop_pointer,
                    format!(
                        "name clash: properties `{previous}` and `{json_name}` both map to field `{rust_name}`"
                    ),
                ));
            }
            // A property merged in from another component (through `allOf`)
            // is named after that component, so it is one type wherever it
            // is merged, not one copy per merging struct.
            let owner = if prop_pointer.starts_with(&format!("{pointer}/")) {
                name.to_owned()
            } else {
                self.owning_component(prop_pointer)
                    .unwrap_or_else(|| name.to_owned())
            };
            let hint = format!("{owner}{}", names::words(json_name));
            let (ty, nullable, doc, deprecated) = match schema {
                Schema::Object(obj) => {
                    let stripped = self.strip_null(obj);
                    let ty = self.use_of_stripped(&stripped.schema, prop_pointer, &hint)?;
                    let (ty, nullable) = match ty {
                        Ty::Option(inner) => (*inner, true),
                        ty => (ty, stripped.nullable),
                    };
                    (
                        ty,
                        nullable,
                        doc_of(&stripped.schema),
                        stripped.schema.deprecated,
                    )
                }
                Schema::Bool(_) => (Ty::Value, false, Doc::default(), false),
            };
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name,
                ty,
                required: is_required,
                nullable,
                doc,
                deprecated,
                boxed: false,
                constant,
            });
        }
        Ok(Struct { fields, tag: None })
    }

    /// The one string a property can hold (`enum: [x]`, `const: x`), if so.
    fn single_value(&self, schema: &Schema) -> Option<String> {
        let obj = schema.object()?;
        let obj = self.deref(obj, "").ok()?;
        if obj.nullable {
            return None;
        }
        if let Some(Value::String(v)) = &obj.constant {
            return Some(v.clone());
        }
        match obj.enumeration.as_deref() {
            Some([Value::String(v)]) => Some(v.clone()),
            _ => None,
        }
    }

    fn union(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        keyword: &str,
        branches: &[Schema],
        pointer: &str,
    ) -> Result<TypeKind> {
        // `anyOf: [string, enum…]`: an open set of strings with known values.
        if let Some(kind) = self.open_string_enum(branches, schema, pointer)? {
            return Ok(kind);
        }
        let property = schema
            .discriminator
            .as_ref()
            .map(|d| d.property_name.clone());
        if let Some(union) =
            self.tagged_union(name, keyword, branches, property, schema, pointer)?
        {
            return Ok(TypeKind::Union(union));
        }
        // A discriminator no branch set can honour (e.g. a `$recursiveRef`
        // branch) is only a hint in OpenAPI: fall back to trying each branch.
        let mut variants = Vec::new();
        let mut used = HashSet::new();
        for (i, branch) in branches.iter().enumerate() {
            let branch_pointer = format!("{pointer}/{keyword}/{i}");
            let variant_name = self.untagged_variant_name(branch, &branch_pointer, i, &used)?;
            used.insert(variant_name.clone());
            let ty = self.use_of(branch, &branch_pointer, &format!("{name}{variant_name}"))?;
            let doc = branch.object().map(doc_of).unwrap_or_default();
            variants.push(Variant {
                rust_name: variant_name,
                ty,
                tags: Vec::new(),
                doc,
                boxed: false,
            });
        }
        Ok(TypeKind::Union(Union {
            repr: UnionRepr::Untagged,
            variants,
        }))
    }

    fn open_string_enum(
        &mut self,
        branches: &[Schema],
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Option<TypeKind>> {
        let mut open = false;
        let mut values: Vec<String> = Vec::new();
        for branch in branches {
            let Some(obj) = branch.object() else {
                return Ok(None);
            };
            let obj = self.deref(obj, pointer)?;
            let obj = self.strip_null(&obj).schema.into_owned();
            let is_string = matches!(&obj.ty, Some(openapi::SchemaType::One(t)) if t == "string");
            match (&obj.enumeration, &obj.any_of) {
                (Some(e), _) if is_string || obj.ty.is_none() => {
                    if !e.iter().all(Value::is_string) {
                        return Ok(None);
                    }
                    values.extend(e.iter().filter_map(|v| v.as_str().map(str::to_owned)));
                }
                (None, Some(inner)) => match self.open_string_enum(inner, &obj, pointer)? {
                    Some(TypeKind::StringEnum(e)) => {
                        open |= e.fallback == Fallback::Other;
                        values.extend(e.variants.into_iter().map(|v| v.value));
                    }
                    _ => return Ok(None),
                },
                (None, None) if is_string && obj.format.is_none() && obj.properties.is_empty() => {
                    open = true
                }
                _ => return Ok(None),
            }
        }
        if values.is_empty() {
            return Ok(None);
        }
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let fallback = if open {
            Fallback::Other
        } else {
            Fallback::Unknown
        };
        Ok(Some(TypeKind::StringEnum(
            self.string_enum(&refs, fallback, schema, pointer)?,
        )))
    }

    fn tagged_union(
        &mut self,
        name: &str,
        keyword: &str,
        branches: &[Schema],
        property: Option<String>,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Option<Union>> {
        // Resolve each branch to the object that describes it.
        let mut resolved = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            let Some(obj) = branch.object() else {
                return Ok(None);
            };
            let target = self
                .deref(obj, &format!("{pointer}/{keyword}/{i}"))?
                .into_owned();
            let mut props = IndexMap::new();
            let mut required = BTreeSet::new();
            self.collect_properties(
                &Schema::Object(Box::new(target.clone())),
                pointer,
                &mut props,
                &mut required,
                0,
            )
            .ok();
            resolved.push((props, required));
        }
        let candidates: Vec<String> = match &property {
            Some(p) => vec![p.clone()],
            None => resolved
                .first()
                .map(|(props, _)| props.keys().cloned().collect())
                .unwrap_or_default(),
        };
        let mapping: HashMap<String, Vec<String>> = schema
            .discriminator
            .as_ref()
            .map(|d| {
                let mut by_target: HashMap<String, Vec<String>> = HashMap::new();
                for (value, target) in &d.mapping {
                    by_target
                        .entry(target.clone())
                        .or_default()
                        .push(value.clone());
                }
                by_target
            })
            .unwrap_or_default();
        'candidate: for candidate in candidates {
            let mut tags_per_branch = Vec::new();
            for (i, (props, _)) in resolved.iter().enumerate() {
                let from_mapping = branches[i]
                    .object()
                    .and_then(|o| o.reference.as_ref())
                    .and_then(|r| mapping.get(r))
                    .cloned();
                let values = match (from_mapping, props.get(&candidate)) {
                    (Some(values), _) => values,
                    (None, Some((prop, _))) => match self.string_values(prop) {
                        Some(values) => values,
                        None => continue 'candidate,
                    },
                    (None, None) => continue 'candidate,
                };
                tags_per_branch.push(values);
            }
            let mut all = HashSet::new();
            if !tags_per_branch
                .iter()
                .flatten()
                .all(|t| all.insert(t.clone()))
            {
                continue;
            }
            let mut variants = Vec::new();
            let mut used = HashSet::new();
            for (i, (branch, tags)) in branches.iter().zip(tags_per_branch).enumerate() {
                let branch_pointer = format!("{pointer}/{keyword}/{i}");
                let mut variant_name = names::words(&tags[0]);
                if !used.insert(variant_name.clone()) {
                    variant_name.push_str(&i.to_string());
                }
                let ty = self.use_of(branch, &branch_pointer, &format!("{name}{variant_name}"))?;
                let doc = branch.object().map(doc_of).unwrap_or_default();
                variants.push(Variant {
                    rust_name: variant_name,
                    ty,
                    tags,
                    doc,
                    boxed: false,
                });
            }
            return Ok(Some(Union {
                repr: UnionRepr::Tagged {
                    property: candidate,
                },
                variants,
            }));
        }
        Ok(None)
    }

    /// The string values a property may take, if it is a string enum/const.
    fn string_values(&self, schema: &Schema) -> Option<Vec<String>> {
        let obj = schema.object()?;
        let obj = self.deref(obj, "").ok()?;
        if let Some(Value::String(v)) = &obj.constant {
            return Some(vec![v.clone()]);
        }
        let values = obj.enumeration.as_ref()?;
        values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    fn untagged_variant_name(
        &self,
        branch: &Schema,
        pointer: &str,
        index: usize,
        used: &HashSet<String>,
    ) -> Result<String> {
        let base = match branch {
            Schema::Bool(_) => "Any".to_owned(),
            Schema::Object(obj) => {
                if let Some(title) = &obj.title {
                    names::words(title)
                } else if let Some(reference) = &obj.reference {
                    let (target, _) = self.resolve(reference, pointer)?;
                    self.component_names[target].clone()
                } else {
                    let stripped = self.strip_null(obj);
                    kind_name(&stripped.schema)
                }
            }
        };
        let mut name = base.clone();
        if used.contains(&name) {
            name = format!("{base}{}", index + 1);
        }
        Ok(name)
    }

    fn multi_type_union(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        types: &[&str],
        pointer: &str,
    ) -> Result<TypeKind> {
        let mut variants = Vec::new();
        for t in types {
            let mut single = schema.clone();
            single.ty = Some(openapi::SchemaType::One((*t).to_owned()));
            let variant_name = names::words(t);
            let ty = self.use_of_stripped(&single, pointer, &format!("{name}{variant_name}"))?;
            variants.push(Variant {
                rust_name: variant_name,
                ty,
                tags: Vec::new(),
                doc: Doc::default(),
                boxed: false,
            });
        }
        Ok(TypeKind::Union(Union {
            repr: UnionRepr::Untagged,
            variants,
        }))
    }

    // ----------------------------------------------------------- operations

    fn lower_operations(&mut self) -> Result<()> {
        let doc = self.doc;
        for (path, item) in &doc.paths {
            let path_pointer = format!("#/paths/{}", escape_pointer(path));
            for (method, raw) in &item.operations {
                if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    continue;
                }
                let pointer = format!("{path_pointer}/{method}");
                let op: openapi::Operation = serde_json::from_value(raw.clone())
                    .map_err(|e| err(&pointer, format!("malformed operation: {e}")))?;
                let id = op
                    .operation_id
                    .clone()
                    .ok_or_else(|| err(&pointer, "operation has no operationId"))?;
                let mut params = item.parameters.clone();
                params.extend(op.parameters.iter().cloned());
                match self.lower_operation(&id, method, path, &op, &params, &pointer)? {
                    Ok(operation) => self.operations.push(operation),
                    Err(reason) => self.unsupported.push(Unsupported {
                        operation: id,
                        reason,
                    }),
                }
            }
        }
        Ok(())
    }

    /// Outer error: a broken spec. Inner error: a valid operation the client
    /// cannot express (reported, not generated).
    fn lower_operation(
        &mut self,
        id: &str,
        method: &str,
        path: &str,
        op: &openapi::Operation,
        params: &[openapi::Parameter],
        pointer: &str,
    ) -> Result<Result<Operation, String>> {
        let type_base = names::type_name(&names::words(id));
        let mut path_params = Vec::new();
        let mut query_fields = Vec::new();
        for (i, param) in params.iter().enumerate() {
            let param_pointer = format!("{pointer}/parameters/{i}");
            let param = resolve_component(
                &self.doc.components.parameters,
                "parameters",
                param.reference.as_deref(),
                param,
                &param_pointer,
            )?;
            let doc = Doc {
                description: param.description.clone(),
                ..Doc::default()
            };
            match param.location.as_str() {
                "path" => path_params.push(PathParam {
                    json_name: param.name.clone(),
                    rust_name: names::field_name(&param.name),
                    doc,
                }),
                "query" => {
                    let schema = param.schema.clone().unwrap_or(Schema::Bool(true));
                    query_fields.push((
                        param.name.clone(),
                        schema,
                        param.required,
                        doc,
                        format!("{param_pointer}/schema"),
                    ));
                }
                "header" | "cookie" => {
                    if param.required {
                        return Ok(Err(format!(
                            "required {} parameter `{}`",
                            param.location, param.name
                        )));
                    }
                }
                other => {
                    return Err(err(
                        &param_pointer,
                        format!("unknown parameter location `{other}`"),
                    ));
                }
            }
        }
        for segment in path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                && !path_params.iter().any(|p| p.json_name == name)
            {
                return Err(err(
                    pointer,
                    format!("path parameter `{name}` is not declared"),
                ));
            }
        }
        let query = if query_fields.is_empty() {
            None
        } else {
            let name = format!("{type_base}Query");
            self.claim(&name, pointer)?;
            let mut fields = Vec::new();
            for (json_name, schema, required, doc, schema_pointer) in query_fields {
                let hint = format!("{name}{}", names::words(&json_name));
                let ty = self.use_of(&schema, &schema_pointer, &hint)?;
                let (ty, nullable) = match ty {
                    Ty::Option(inner) => (*inner, true),
                    ty => (ty, false),
                };
                let mut doc = doc;
                if let Some(obj) = schema.object() {
                    doc.default = obj.default.clone();
                }
                fields.push(Field {
                    rust_name: names::field_name(&json_name),
                    json_name,
                    ty,
                    required,
                    nullable,
                    doc,
                    deprecated: false,
                    boxed: false,
                    constant: None,
                });
            }
            let doc = Doc {
                description: Some(format!("Query parameters of `{id}`.")),
                ..Doc::default()
            };
            self.insert(
                &name,
                pointer,
                doc,
                false,
                TypeKind::Struct(Struct { fields, tag: None }),
            )?;
            Some(name)
        };
        let body = match &op.request_body {
            None => None,
            Some(body) => {
                let body_pointer = format!("{pointer}/requestBody");
                let body = resolve_component(
                    &self.doc.components.request_bodies,
                    "requestBodies",
                    body.reference.as_deref(),
                    body,
                    &body_pointer,
                )?;
                match body.content.get("application/json") {
                    Some(media) => match &media.schema {
                        Some(schema) => Some(self.use_of(
                            schema,
                            &format!("{body_pointer}/content/application~1json/schema"),
                            &format!("{type_base}Request"),
                        )?),
                        None => Some(Ty::Value),
                    },
                    None => {
                        let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
                        return Ok(Err(format!(
                            "request body is {} (only application/json is supported)",
                            types.join(", ")
                        )));
                    }
                }
            }
        };
        let mut response = None;
        let mut stream_event = None;
        let mut saw_success = false;
        for (status, resp) in &op.responses {
            if !status.starts_with('2') {
                continue;
            }
            saw_success = true;
            let resp_pointer = format!("{pointer}/responses/{status}");
            let resp = resolve_component(
                &self.doc.components.responses,
                "responses",
                resp.reference.as_deref(),
                resp,
                &resp_pointer,
            )?;
            if resp.content.is_empty() {
                continue;
            }
            for (media_type, media) in &resp.content {
                let schema_pointer = format!(
                    "{resp_pointer}/content/{}/schema",
                    escape_pointer(media_type)
                );
                match media_type.as_str() {
                    "application/json" if response.is_none() => {
                        response = Some(match &media.schema {
                            Some(s) => {
                                self.use_of(s, &schema_pointer, &format!("{type_base}Response"))?
                            }
                            None => Ty::Value,
                        });
                    }
                    "text/event-stream" if stream_event.is_none() => {
                        stream_event = Some(match &media.schema {
                            Some(s) => {
                                self.use_of(s, &schema_pointer, &format!("{type_base}Event"))?
                            }
                            None => Ty::Value,
                        });
                    }
                    _ => {}
                }
            }
            if response.is_none() && stream_event.is_none() {
                let types: Vec<&str> = resp.content.keys().map(String::as_str).collect();
                return Ok(Err(format!(
                    "response body is {} (only application/json and text/event-stream are supported)",
                    types.join(", ")
                )));
            }
        }
        if !saw_success {
            return Ok(Err("no 2xx response declared".to_owned()));
        }
        Ok(Ok(Operation {
            id: id.to_owned(),
            method_name: names::field_name(id),
            http_method: method.to_uppercase(),
            path: path.to_owned(),
            doc: Doc {
                title: op.summary.clone(),
                description: op.description.clone(),
                default: None,
            },
            deprecated: op.deprecated,
            path_params,
            query,
            body,
            response,
            stream_event,
        }))
    }
}

/// A parameter, request body or response, following its `$ref` into
/// `#/components/<kind>/` if it has one.
fn resolve_component<T: Clone>(
    section: &IndexMap<String, T>,
    kind: &str,
    reference: Option<&str>,
    inline: &T,
    pointer: &str,
) -> Result<T> {
    let Some(reference) = reference else {
        return Ok(inline.clone());
    };
    let name = reference
        .strip_prefix("#/components/")
        .and_then(|rest| rest.strip_prefix(kind))
        .and_then(|rest| rest.strip_prefix('/'))
        .ok_or_else(|| err(pointer, format!("unsupported $ref `{reference}`")))?;
    section
        .get(name)
        .cloned()
        .ok_or_else(|| err(pointer, format!("unresolved $ref `{reference}`")))
}

enum Shape {
    /// Needs its own named definition.
    Def(TypeKind),
    /// Expressible directly at the use site.
    Use(Ty),
}

fn placeholder() -> TypeKind {
    TypeKind::Alias(Ty::Value)
}

fn option(ty: Ty) -> Ty {
    match ty {
        Ty::Option(_) => ty,
        ty => Ty::Option(Box::new(ty)),
    }
}

fn fallback_name(fallback: Fallback) -> &'static str {
    match fallback {
        Fallback::Unknown => "Unknown",
        Fallback::Other => "Other",
    }
}

fn is_null_schema(schema: &Schema) -> bool {
    match schema {
        Schema::Object(obj) => {
            matches!(&obj.ty, Some(openapi::SchemaType::One(t)) if t == "null")
                && obj.reference.is_none()
        }
        Schema::Bool(_) => false,
    }
}

/// A schema that constrains nothing: only annotations (and maybe `nullable`).
fn is_annotation_only(schema: &SchemaObject) -> bool {
    schema.reference.is_none()
        && schema.ty.is_none()
        && schema.properties.is_empty()
        && schema.items.is_none()
        && schema.all_of.is_none()
        && schema.any_of.is_none()
        && schema.one_of.is_none()
        && schema.enumeration.is_none()
        && schema.constant.is_none()
        && schema.additional_properties.is_none()
        && schema.not.is_none()
        && schema.recursive_ref.is_none()
}

fn kind_name(schema: &SchemaObject) -> String {
    let ty = schema.ty.as_ref().map(|t| t.names().join("_"));
    match ty.as_deref() {
        Some("string") if schema.enumeration.is_some() => "Known".to_owned(),
        Some("array") => "Array".to_owned(),
        Some(t) => names::words(t),
        None if !schema.properties.is_empty() => "Object".to_owned(),
        None => "Value".to_owned(),
    }
}

fn doc_of(schema: &SchemaObject) -> Doc {
    Doc {
        title: schema.title.clone(),
        description: schema.description.clone(),
        default: schema.default.clone(),
    }
}
