//! Documentation a field inherits when the spec gives it none.

use std::collections::HashMap;

use crate::ir::*;

/// A property without its own description takes the first paragraph of the
/// description of the type it refers to; with neither, it has no doc (no
/// placeholder such as "The `metadata` property.": rustdoc links the type).
pub fn inherit(ir: &mut Ir) {
    let summaries: HashMap<String, String> = ir
        .types
        .values()
        .filter_map(|d| {
            let text = d.doc.description.as_deref()?;
            let first = text.split("\n\n").next()?.trim();
            (!first.is_empty()).then(|| (d.name.clone(), first.to_owned()))
        })
        .collect();
    for def in ir.types.values_mut() {
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        for field in &mut s.fields {
            if field.doc.description.is_some() || field.doc.title.is_some() {
                continue;
            }
            let mut names = Vec::new();
            field.ty.walk_names(&mut names);
            if let [name] = names[..] {
                field.doc.description = summaries.get(name).cloned();
            }
        }
    }
}
