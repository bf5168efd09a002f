//! Identical string enums become one type.
//!
//! Two enums are identical when they list the same values (in any order) and
//! treat other values the same way (`Unknown` vs `Other`). The one kept is,
//! in this order: a spec component (users know it from OpenAI's docs), the
//! one the naming table named, or the shortest invented name. Spec
//! components are never merged with each other: each is documented on its
//! own, even where the values coincide (`Verbosity`, `WebSearchContextSize`).

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;

use crate::error::{SpecError, err};
use crate::ir::*;

pub fn string_enums(ir: &mut Ir) -> Result<(), SpecError> {
    let mut groups: IndexMap<(BTreeSet<String>, bool), Vec<String>> = IndexMap::new();
    for def in ir.types.values() {
        if let TypeKind::StringEnum(e) = &def.kind {
            let values = e.variants.iter().map(|v| v.value.clone()).collect();
            groups
                .entry((values, e.fallback == Fallback::Other))
                .or_default()
                .push(def.name.clone());
        }
    }
    let mut renames: HashMap<String, String> = HashMap::new();
    for members in groups.into_values().filter(|m| m.len() > 1) {
        let def = |name: &String| &ir.types[name];
        let specs: Vec<&String> = members
            .iter()
            .filter(|n| def(n).origin == NameOrigin::Spec)
            .collect();
        let tabled: Vec<&String> = members
            .iter()
            .filter(|n| def(n).origin == NameOrigin::Table)
            .collect();
        if tabled.len() > 1 {
            let list: Vec<String> = tabled
                .iter()
                .map(|n| format!("`{n}` ({})", def(n).pointer))
                .collect();
            return Err(err(
                &def(tabled[0]).pointer,
                format!(
                    "spec/names.json names identical enums differently: {}; they are one type, give it one name",
                    list.join(", ")
                ),
            ));
        }
        let keep = specs
            .first()
            .or(tabled.first())
            .copied()
            .or_else(|| members.iter().min_by_key(|n| (n.len(), n.as_str())))
            .cloned()
            .unwrap_or_default();
        for name in &members {
            if *name != keep && def(name).origin != NameOrigin::Spec {
                renames.insert(name.clone(), keep.clone());
            }
        }
    }
    if renames.is_empty() {
        return Ok(());
    }
    for (from, to) in &renames {
        if let Some(gone) = ir.types.shift_remove(from) {
            let kept = &mut ir.types[to];
            if kept.doc.description.is_none() {
                kept.doc = gone.doc;
            }
        }
    }
    for def in ir.types.values_mut() {
        match &mut def.kind {
            TypeKind::Struct(s) => s
                .fields
                .iter_mut()
                .for_each(|f| rename(&mut f.ty, &renames)),
            TypeKind::Union(u) => u
                .variants
                .iter_mut()
                .for_each(|v| rename(&mut v.ty, &renames)),
            TypeKind::Alias(ty) => rename(ty, &renames),
            TypeKind::StringEnum(_) => {}
        }
    }
    for op in &mut ir.operations {
        for ty in op
            .body
            .iter_mut()
            .chain(&mut op.response)
            .chain(&mut op.stream_event)
        {
            rename(ty, &renames);
        }
    }
    Ok(())
}

fn rename(ty: &mut Ty, renames: &HashMap<String, String>) {
    match ty {
        Ty::Named(n) => {
            if let Some(to) = renames.get(n) {
                *n = to.clone();
            }
        }
        Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) => rename(t, renames),
        _ => {}
    }
}
