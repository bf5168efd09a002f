//! The `$defs` collector every [`StrictSchema`](super::StrictSchema) impl writes into.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::{Schema, SchemaError};
use crate::strict::limit_check;

/// Collects the definitions (`$defs`) and problems while one root schema is built.
///
/// A type's schema is inlined where it is used; only types that refer to
/// themselves (directly or through other types) are moved to `$defs` and
/// referenced, because inlining them would never terminate. A recursive root
/// type is both: inlined at the root (strict mode wants the root to be a
/// plain object, not a `$ref`) and defined in `$defs`, where its
/// self-references point. Recursion never goes through `"#"`, which
/// llama.cpp's grammar converter rejects ("unsupported $ref #").
#[derive(Debug)]
pub struct SchemaGenerator {
    strict: bool,
    defs: Map<String, Value>,
    /// Type key (from `std::any::type_name`) to its name in `$defs`.
    def_names: HashMap<&'static str, String>,
    /// Types whose schema is being built right now, outermost first.
    stack: Vec<&'static str>,
    recursive: HashSet<&'static str>,
    root: Option<&'static str>,
    path: Vec<String>,
    problems: Vec<String>,
}

impl SchemaGenerator {
    /// A generator for a strict (`strict: true`) or non-strict schema.
    pub fn new(strict: bool) -> Self {
        Self {
            strict,
            defs: Map::new(),
            def_names: HashMap::new(),
            stack: Vec::new(),
            recursive: HashSet::new(),
            root: None,
            path: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Whether the schema being built must satisfy OpenAI's strict mode.
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// Records a problem that makes the schema unusable; it is reported with
    /// the path of the field being built.
    pub fn error(&mut self, message: impl Into<String>) {
        let message = message.into();
        if self.path.is_empty() {
            self.problems.push(message);
        } else {
            self.problems
                .push(format!("at `{}`: {message}", self.path.join(".")));
        }
    }

    /// Builds the schema of the field (or variant) `name`, so that problems
    /// found inside it name it.
    pub fn in_field(&mut self, name: &str, build: impl FnOnce(&mut Self) -> Schema) -> Schema {
        self.path.push(name.to_owned());
        let schema = build(self);
        self.path.pop();
        schema
    }

    /// Builds the schema of a named type once per use, detecting recursion.
    ///
    /// `key` identifies the type (its `std::any::type_name`), `name` is the
    /// short name used in `$defs` if the type turns out to be recursive.
    pub fn named(
        &mut self,
        key: &'static str,
        name: &str,
        build: impl FnOnce(&mut Self) -> Schema,
    ) -> Schema {
        if self.stack.contains(&key) || self.def_names.contains_key(key) {
            self.recursive.insert(key);
            return self.reference(key, name);
        }
        if self.root.is_none() {
            self.root = Some(key);
        }
        self.stack.push(key);
        let schema = build(self);
        self.stack.pop();
        if !self.recursive.contains(key) {
            return schema;
        }
        if self.root == Some(key) {
            // The root stays inline; its copy in `$defs` is what the
            // self-references inside it resolve to.
            let def_name = self.def_name(key, name);
            self.defs.insert(def_name, schema.clone().into());
            return schema;
        }
        let reference = self.reference(key, name);
        let def_name = self.def_names[key].clone();
        self.defs.insert(def_name, schema.into());
        reference
    }

    fn reference(&mut self, key: &'static str, name: &str) -> Schema {
        let target = format!("#/$defs/{}", self.def_name(key, name));
        let mut schema = Schema::new();
        schema.insert("$ref".into(), Value::String(target));
        schema
    }

    /// The `$defs` name of a type: its short name, numbered when two types
    /// share one.
    fn def_name(&mut self, key: &'static str, name: &str) -> String {
        if let Some(existing) = self.def_names.get(key) {
            return existing.clone();
        }
        let taken: HashSet<&str> = self.def_names.values().map(String::as_str).collect();
        let mut candidate = name.to_owned();
        let mut n = 2;
        while taken.contains(candidate.as_str()) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.def_names.insert(key, candidate.clone());
        candidate
    }

    /// Looks a `$ref` produced by this generator up, for `flatten` of a type
    /// that was already moved to `$defs`.
    pub(crate) fn resolve<'a>(&'a self, schema: &'a Schema) -> Option<&'a Map<String, Value>> {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(target) => {
                let name = target.strip_prefix("#/$defs/")?;
                self.defs.get(name).and_then(Value::as_object)
            }
            None => Some(&**schema),
        }
    }

    /// Turns the root schema into the final document, or every problem found.
    pub(crate) fn finish(
        mut self,
        type_name: &'static str,
        mut root: Schema,
    ) -> Result<Schema, SchemaError> {
        if root.get("type").and_then(Value::as_str) != Some("object") {
            self.problems.push(
                "the root must be a JSON object (`\"type\": \"object\"`); enums, newtypes and \
                 primitives cannot be a tool's arguments or a response format: wrap them in a \
                 struct field"
                    .into(),
            );
        }
        // The root's description is sent beside the schema (function or
        // response format description); repeating it costs tokens.
        root.remove("description");
        if !self.defs.is_empty() {
            root.insert(
                "$defs".into(),
                Value::Object(std::mem::take(&mut self.defs)),
            );
        }
        if self.strict {
            // Once per type (the result is cached), so the copy is cheap enough.
            let document = Value::from(root.clone());
            self.problems
                .extend(limit_check::check(&document).iter().map(|violation| {
                    match violation.pointer() {
                        "" => violation.message().to_owned(),
                        at => format!("at `{at}`: {}", violation.message()),
                    }
                }));
        }
        if self.problems.is_empty() {
            Ok(root)
        } else {
            Err(SchemaError {
                type_name,
                problems: self.problems,
            })
        }
    }
}
