//! Whole-IR passes that need every type defined first: which types are on
//! the request or response side, which identical enums become one, how each
//! field treats absence, which types implement `Default`, which fields must
//! be boxed to break recursion or to keep response types small, and which
//! operations paginate.
//!
//! Every decision lands in the IR; emission only prints it.

mod compact;
mod dedupe;
mod defaults;
mod docs;
mod pagination;

use std::collections::{HashMap, HashSet};

use crate::error::SpecError;
use crate::ir::*;

pub fn run(ir: &mut Ir) -> Result<(), SpecError> {
    mark_directions(ir);
    check_extra(ir)?;
    assign_tags(ir);
    dedupe::string_enums(ir)?;
    // Merged enums serve both sides of the types that used them.
    mark_directions(ir);
    defaults::mark(ir);
    mark_boxes(ir);
    compact::mark(ir);
    pagination::mark(ir);
    docs::inherit(ir);
    Ok(())
}

/// Response structs (and request structs the spec leaves open) gain an
/// `extra` field for unknown properties, so a property of that name would
/// collide.
fn check_extra(ir: &Ir) -> Result<(), SpecError> {
    for def in ir.types.values() {
        let TypeKind::Struct(s) = &def.kind else {
            continue;
        };
        if !s.open {
            continue;
        }
        if let Some(field) = s.fields.iter().find(|f| f.rust_name == "extra") {
            return Err(SpecError {
                pointer: def.pointer.clone(),
                message: format!(
                    "property `{}` clashes with the generated `extra` field that keeps unknown properties",
                    field.json_name
                ),
            });
        }
    }
    Ok(())
}

fn mark_directions(ir: &mut Ir) {
    let mut request_roots = Vec::new();
    let mut response_roots = Vec::new();
    for op in &ir.operations {
        if let Some(body) = &op.body {
            body.walk_names(&mut request_roots);
        }
        if let Some(query) = &op.query {
            request_roots.push(query.as_str());
        }
        for ty in op.response.iter().chain(&op.stream_event) {
            ty.walk_names(&mut response_roots);
        }
    }
    let request = reachable(ir, request_roots.into_iter().map(str::to_owned).collect());
    let response = reachable(ir, response_roots.into_iter().map(str::to_owned).collect());
    for (name, def) in ir.types.iter_mut() {
        def.traits.request = request.contains(name);
        def.traits.response = response.contains(name);
        if let TypeKind::Struct(s) = &mut def.kind {
            s.open |= def.traits.response;
        }
    }
}

/// On types that are only ever sent, a required single-value property
/// becomes the struct's serde tag: written automatically, never set by hand.
/// The one-variant enum made for it is dropped when nothing else uses it.
fn assign_tags(ir: &mut Ir) {
    let mut candidates = Vec::new();
    for def in ir.types.values_mut() {
        if def.traits.response {
            continue;
        }
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        let Some(i) = s
            .fields
            .iter()
            .position(|f| f.constant.is_some() && f.required && !f.nullable)
        else {
            continue;
        };
        let field = s.fields.remove(i);
        if let Ty::Named(n) = &field.ty {
            candidates.push(n.clone());
        }
        s.tag = Some(Tag {
            property: field.json_name,
            value: field.constant.unwrap_or_default(),
        });
    }
    // A branch picked by a discriminator's `mapping` need not declare the
    // tag property; a request-only struct must still write it, or neither
    // the server nor our own deserializer can tell the variants apart.
    let mut mapped = Vec::new();
    for def in ir.types.values() {
        let TypeKind::Union(Union {
            repr: UnionRepr::Tagged { property },
            variants,
            ..
        }) = &def.kind
        else {
            continue;
        };
        for v in variants {
            if let (Ty::Named(n), Some(value)) = (&v.ty, v.tags.first()) {
                mapped.push((n.clone(), property.clone(), value.clone()));
            }
        }
    }
    for (name, property, value) in mapped {
        let Some(def) = ir.types.get_mut(&name) else {
            continue;
        };
        let TypeKind::Struct(s) = &mut def.kind else {
            continue;
        };
        if !def.traits.response
            && s.tag.is_none()
            && !s.fields.iter().any(|f| f.json_name == property)
        {
            s.tag = Some(Tag { property, value });
        }
    }
    let mut used = Vec::new();
    for def in ir.types.values() {
        for ty in referenced(def) {
            ty.walk_names(&mut used);
        }
    }
    for op in &ir.operations {
        for ty in op.body.iter().chain(&op.response).chain(&op.stream_event) {
            ty.walk_names(&mut used);
        }
    }
    let used: HashSet<String> = used.into_iter().map(str::to_owned).collect();
    for name in candidates {
        if !used.contains(&name) {
            ir.types.shift_remove(&name);
        }
    }
}

fn reachable(ir: &Ir, mut stack: Vec<String>) -> HashSet<String> {
    let mut seen = HashSet::new();
    while let Some(name) = stack.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(def) = ir.types.get(&name) {
            let mut out = Vec::new();
            for ty in referenced(def) {
                ty.walk_names(&mut out);
            }
            stack.extend(out.into_iter().map(str::to_owned));
        }
    }
    seen
}

pub(crate) fn referenced(def: &TypeDef) -> Vec<&Ty> {
    match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
        TypeKind::Alias(ty) => vec![ty],
        TypeKind::StringEnum(_) => Vec::new(),
    }
}

/// Boxes every field or variant whose type reaches back to its own
/// definition without passing through a `Vec` or map (which already
/// allocate), so recursive types have a size.
fn mark_boxes(ir: &mut Ir) {
    let edges: HashMap<String, Vec<String>> = ir
        .types
        .iter()
        .map(|(name, def)| {
            let direct = referenced(def)
                .into_iter()
                .filter_map(|t| t.direct_names().map(str::to_owned))
                .collect();
            (name.clone(), direct)
        })
        .collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = HashSet::new();
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n.clone())
                && let Some(next) = edges.get(&n)
            {
                stack.extend(next.iter().cloned());
            }
        }
        false
    };
    let mut boxes: Vec<(String, usize)> = Vec::new();
    for (name, def) in &ir.types {
        for (i, ty) in referenced(def).into_iter().enumerate() {
            if let Some(target) = ty.direct_names()
                && reaches(target, name)
            {
                boxes.push((name.clone(), i));
            }
        }
    }
    for (name, i) in boxes {
        let Some(def) = ir.types.get_mut(&name) else {
            continue;
        };
        match &mut def.kind {
            TypeKind::Struct(s) => s.fields[i].boxed = true,
            TypeKind::Union(u) => u.variants[i].boxed = true,
            TypeKind::Alias(_) | TypeKind::StringEnum(_) => {}
        }
    }
}
