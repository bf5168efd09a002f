//! Generator settings: the naming table (`spec/names.json`) and the rules
//! that check it, in the spirit of typify's per-type renames.
//!
//! The table is data, keyed by where a schema sits in the spec, so every
//! rename is visible in one place and survives regeneration:
//!
//! ```json
//! {
//!   "types":    { "#/components/schemas/CreateChatCompletionResponse/properties/choices/items": "ChatCompletionChoice" },
//!   "variants": { "#/components/schemas/ChatCompletionToolChoiceOption/oneOf/0": "Mode" },
//!   "titles":   { "Text content": "Text" }
//! }
//! ```
//!
//! - `types`: the JSON pointer of a schema → its Rust type name. Inline
//!   schemas get short names; a component may be renamed too, but only when
//!   its spec name collides with something users import (`Error`).
//! - `variants`: the JSON pointer of a `oneOf`/`anyOf` branch → the name of
//!   its union variant.
//! - `titles`: a branch `title` → the variant name every branch with that
//!   title gets (`"Text content"` appears on five unions).
//!
//! In strict mode (the checked-in spec) an entry that matches nothing is an
//! error naming the entry, so the table cannot rot when the spec changes.

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use indexmap::IndexMap;
use serde::Deserialize;

use crate::openapi::escape_pointer;

/// The file name of the naming table, beside the spec it applies to.
pub const NAMES_FILE: &str = "names.json";

/// Longest Rust name the generator may invent (spec component names are
/// kept as they are, whatever their length: users search the docs by them).
pub const MAX_INVENTED_NAME: usize = 40;

/// Stream events the runtime wraps in a dedicated stream type, which folds
/// them as they arrive; any other event gets the generic `sse::EventStream`.
pub const STREAM_TYPES: &[(&str, &str)] = &[(
    "CreateChatCompletionStreamResponse",
    "crate::ChatCompletionStream",
)];

/// The dedicated stream type for events of type `event`, if there is one.
pub fn stream_type(event: &crate::ir::Ty) -> Option<&'static str> {
    let crate::ir::Ty::Named(name) = event else {
        return None;
    };
    STREAM_TYPES
        .iter()
        .find(|(event, _)| event == name)
        .map(|(_, stream)| *stream)
}

/// Components the runtime gives a type of its own instead of the free-form
/// JSON object their schema describes: (spec component name, Rust path).
/// The generated alias names the runtime type (`pub type FunctionParameters
/// = crate::schema::Schema;`).
///
/// Both are JSON Schemas sent to the model: `crate::schema::Schema` writes
/// their properties in `required` order, the order the model answers in,
/// without serde_json's `preserve_order` (which a plain map would need, and
/// which cargo would turn on for every user of the crate).
pub const RUNTIME_TYPES: &[(&str, &str)] = &[
    ("FunctionParameters", "crate::schema::Schema"),
    ("ResponseFormatJsonSchemaSchema", "crate::schema::Schema"),
];

/// The runtime type that stands for the spec component `component`, if any.
pub fn runtime_type(component: &str) -> Option<&'static str> {
    RUNTIME_TYPES
        .iter()
        .find(|(name, _)| *name == component)
        .map(|(_, path)| *path)
}

/// What the generator is told beyond the spec itself.
#[derive(Debug, Default)]
pub struct Settings {
    pub names: NameTable,
    /// Unused table entries and invented names longer than
    /// [`MAX_INVENTED_NAME`] are errors. Off for specs the table was not
    /// written for (the whole upstream spec in `cargo xtask scratch`), where
    /// it applies wherever its entries happen to match.
    pub strict: bool,
}

impl Settings {
    /// The settings for `spec`: its `names.json` neighbour if there is one,
    /// applied strictly.
    pub fn beside(spec: &Path) -> Result<Self, String> {
        let path = spec.with_file_name(NAMES_FILE);
        if !path.exists() {
            return Ok(Settings::default());
        }
        Ok(Settings {
            names: NameTable::read(&path)?,
            strict: true,
        })
    }
}

/// The parsed `names.json`, remembering which entries were used.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameTable {
    #[serde(default, rename = "$comment")]
    _comment: Option<serde_json::Value>,
    #[serde(default)]
    types: IndexMap<String, String>,
    #[serde(default)]
    variants: IndexMap<String, String>,
    #[serde(default)]
    titles: IndexMap<String, String>,
    #[serde(skip)]
    used: RefCell<BTreeSet<(Section, String)>>,
    /// Type entries whose name another schema already had: (entry, holder).
    #[serde(skip)]
    taken: RefCell<Vec<(String, String)>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Types,
    Variants,
    Titles,
}

impl Section {
    fn key(self) -> &'static str {
        match self {
            Section::Types => "types",
            Section::Variants => "variants",
            Section::Titles => "titles",
        }
    }
}

impl NameTable {
    /// Reads and checks a table: every name must be a Rust type identifier.
    pub fn read(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("{}{e}", path.display()))
    }

    /// Parses table text; errors start with the JSON pointer of the entry.
    pub fn parse(text: &str) -> Result<Self, String> {
        let table: NameTable =
            serde_json::from_str(text).map_err(|e| format!(": not a naming table: {e}"))?;
        for (section, map) in [
            (Section::Types, &table.types),
            (Section::Variants, &table.variants),
            (Section::Titles, &table.titles),
        ] {
            for (key, name) in map {
                if !is_type_ident(name) {
                    return Err(format!(
                        "#/{}/{}: `{name}` is not an UpperCamelCase Rust identifier",
                        section.key(),
                        escape_pointer(key)
                    ));
                }
            }
        }
        Ok(table)
    }

    /// The Rust name the table gives the schema at `pointer`.
    pub fn type_name(&self, pointer: &str) -> Option<&str> {
        self.lookup(Section::Types, &self.types, pointer)
    }

    /// The variant name the table gives the union branch at `pointer`.
    pub fn variant_name(&self, pointer: &str) -> Option<&str> {
        self.lookup(Section::Variants, &self.variants, pointer)
    }

    /// The variant name the table gives branches titled `title`.
    pub fn title_name(&self, title: &str) -> Option<&str> {
        self.lookup(Section::Titles, &self.titles, title)
    }

    fn lookup<'t>(
        &'t self,
        section: Section,
        map: &'t IndexMap<String, String>,
        key: &str,
    ) -> Option<&'t str> {
        let name = map.get(key)?;
        self.used.borrow_mut().insert((section, key.to_owned()));
        Some(name)
    }

    /// Records that the type entry for `pointer` could not be applied
    /// because `holder` already has its name (in a spec the table was not
    /// written for, the rule-made name is used instead).
    pub fn name_taken(&self, pointer: &str, holder: &str) {
        self.used
            .borrow_mut()
            .remove(&(Section::Types, pointer.to_owned()));
        self.taken
            .borrow_mut()
            .push((pointer.to_owned(), holder.to_owned()));
    }

    /// Type entries that could not be applied, as `(pointer into
    /// names.json, name, the schema that has the name)`.
    pub fn taken(&self) -> Vec<(String, String, String)> {
        self.taken
            .borrow()
            .iter()
            .map(|(key, holder)| {
                (
                    format!("#/types/{}", escape_pointer(key)),
                    self.types.get(key).cloned().unwrap_or_default(),
                    holder.clone(),
                )
            })
            .collect()
    }

    /// Entries no schema matched, as `(pointer into names.json, name)`.
    pub fn unused(&self) -> Vec<(String, String)> {
        let used = self.used.borrow();
        let mut out = Vec::new();
        for (section, map) in [
            (Section::Types, &self.types),
            (Section::Variants, &self.variants),
            (Section::Titles, &self.titles),
        ] {
            for (key, name) in map {
                if !used.contains(&(section, key.clone())) {
                    out.push((
                        format!("#/{}/{}", section.key(), escape_pointer(key)),
                        name.clone(),
                    ));
                }
            }
        }
        out
    }

    /// Whether the table named this type (rather than the spec or a rule).
    pub fn gives(&self, name: &str) -> bool {
        self.types.values().any(|n| n == name)
    }
}

fn is_type_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_mark_entries_used() {
        let table = NameTable::parse(
            r##"{"types": {"#/a": "A", "#/b": "B"}, "titles": {"Text content": "Text"}}"##,
        )
        .unwrap();
        assert_eq!(table.type_name("#/a"), Some("A"));
        assert_eq!(table.type_name("#/c"), None);
        assert_eq!(
            table.unused(),
            vec![
                ("#/types/#~1b".to_owned(), "B".to_owned()),
                ("#/titles/Text content".to_owned(), "Text".to_owned())
            ]
        );
    }

    #[test]
    fn bad_names_and_sections_are_rejected_with_their_entry() {
        let err = NameTable::parse(r##"{"types": {"#/a": "not a name"}}"##).unwrap_err();
        assert_eq!(
            err,
            "#/types/#~1a: `not a name` is not an UpperCamelCase Rust identifier"
        );
        let err = NameTable::parse(r#"{"type": {}}"#).unwrap_err();
        assert!(err.contains("unknown field `type`"), "{err}");
    }
}
