//! Lowering: OpenAPI schemas and operations → the IR.
//!
//! Every decision about Rust shapes lives here: which schemas become structs,
//! enums or aliases, how unions are represented, what inline schemas are
//! called. Errors name the JSON pointer of the offending spec node.
//!
//! One concern per file, as in typify: `refs` (`$ref` and nullability),
//! `convert` (what a schema becomes), `structs` (objects and `allOf`),
//! `constraints` (validation keywords), `unions`, `enums`, `operations`.

mod constraints;
mod convert;
mod enums;
mod operations;
mod refs;
mod structs;
mod unions;

use std::collections::{BTreeSet, HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::Value;

use crate::error::{SpecError, err};
use crate::ir::*;
use crate::names;
use crate::openapi::{self, Document, Schema, SchemaObject, escape_pointer, unescape_pointer};
use crate::settings::{NameTable, Settings};

type Result<T, E = SpecError> = std::result::Result<T, E>;

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// Lowers a whole document, naming types by the settings' table where it
/// has an entry.
pub fn lower(doc: &Document, settings: &Settings) -> Result<Ir> {
    let mut lowerer = Lowerer::new(doc, &settings.names)?;
    lowerer.strict = settings.strict;
    for (name, schema) in &doc.components.schemas {
        let pointer = format!("{SCHEMA_PREFIX}{}", escape_pointer(name));
        let rust = lowerer.component_names[name].clone();
        match crate::settings::runtime_type(name) {
            Some(path) => lowerer.define_runtime(&rust, schema, &pointer, path)?,
            None => lowerer.define_component(&rust, schema, &pointer)?,
        }
    }
    lowerer.lower_operations()?;
    let ir = Ir {
        types: lowerer.types,
        operations: lowerer.operations,
        unsupported: lowerer.unsupported,
        opaque: lowerer.opaque,
    };
    Ok(ir)
}

struct Lowerer<'a> {
    doc: &'a Document,
    table: &'a NameTable,
    /// Whether the table was written for this spec; if not, a name it took
    /// that a rule would also make gets a number instead of failing.
    strict: bool,
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
    fn new(doc: &'a Document, table: &'a NameTable) -> Result<Self> {
        let mut lowerer = Lowerer {
            doc,
            table,
            strict: false,
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
            let rust = match table.type_name(&pointer) {
                Some(renamed) => renamed.to_owned(),
                None => names::type_name(name),
            };
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

    /// A component the runtime has a type for (`settings::RUNTIME_TYPES`):
    /// an alias of that type, which must stand for what the schema is, a
    /// free-form JSON object.
    fn define_runtime(
        &mut self,
        rust: &str,
        schema: &Schema,
        pointer: &str,
        path: &str,
    ) -> Result<()> {
        let not_free_form = || {
            err(
                pointer,
                format!(
                    "settings::RUNTIME_TYPES maps this component to `{path}`, which stands for a \
                     free-form JSON object, but the schema is something else"
                ),
            )
        };
        let obj = schema.object().ok_or_else(not_free_form)?;
        let stripped = self.strip_null(obj);
        let free_form = !stripped.nullable
            && matches!(
                self.shape(rust, &stripped.schema, pointer, false)?,
                Shape::Use(Ty::Object)
            );
        if !free_form {
            return Err(not_free_form());
        }
        if syn::parse_str::<syn::Path>(path).is_err() {
            return Err(err(pointer, format!("`{path}` is not a Rust path")));
        }
        self.insert(
            rust,
            pointer,
            doc_of(&stripped.schema),
            stripped.schema.deprecated,
            TypeKind::Alias(Ty::Runtime(path.to_owned())),
        )
    }

    fn insert(
        &mut self,
        rust: &str,
        pointer: &str,
        doc: Doc,
        deprecated: bool,
        kind: TypeKind,
    ) -> Result<()> {
        let origin = if self.table.gives(rust) {
            NameOrigin::Table
        } else if pointer
            .strip_prefix(SCHEMA_PREFIX)
            .is_some_and(|n| !n.contains('/'))
        {
            NameOrigin::Spec
        } else {
            NameOrigin::Rule
        };
        self.types.insert(
            rust.to_owned(),
            TypeDef {
                name: rust.to_owned(),
                pointer: pointer.to_owned(),
                origin,
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
        let name = match self.table.type_name(pointer) {
            Some(renamed) => match self.claimed.get(renamed) {
                Some(holder) => {
                    self.table.name_taken(pointer, holder);
                    name.to_owned()
                }
                None => renamed.to_owned(),
            },
            None => self.unique_beside_table(name),
        };
        let ty = self.define_inline_uncached(&name, schema, pointer)?;
        self.inline_types.insert(pointer.to_owned(), ty.clone());
        Ok(ty)
    }

    /// A rule-made name, numbered when a name from the table already holds
    /// it in a spec the table was not written for (the whole upstream spec).
    fn unique_beside_table(&self, name: &str) -> String {
        if self.strict || !self.claimed.contains_key(name) || !self.table.gives(name) {
            return name.to_owned();
        }
        (2..)
            .map(|n| format!("{name}{n}"))
            .find(|candidate| !self.claimed.contains_key(candidate))
            .unwrap_or_else(|| name.to_owned())
    }

    /// The Rust name of the component a pointer lies in.
    fn owning_component(&self, pointer: &str) -> Option<String> {
        let rest = pointer.strip_prefix(SCHEMA_PREFIX)?;
        let raw = rest.split('/').next()?;
        let name = unescape_pointer(raw);
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
