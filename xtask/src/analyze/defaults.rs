//! Absence and `Default`: what a field does when its value is missing, and
//! which types can be built empty.
//!
//! The rule for the response side: lenient decoding never turns "absent"
//! into a real-looking value. A required field whose type has an empty value
//! (`""`, `0`, `[]`, a struct of such) decodes `null` or a missing key as
//! that value, so compatible servers that omit `object` or `created` still
//! decode. A required *enum* has no empty value (its first variant is a real
//! answer: `finish_reason` would read `stop`), so it is an `Option` instead:
//! `None` says the server sent `null` or nothing, and it is written back as
//! `null`. A *constant* (an enum of one value, such as `type: "function"` or
//! `object: "chat.completion"`) is the exception: the schema allows only
//! that value, so a missing one is not a guess, and its default is what a
//! request built with `..Default::default()` must send.

use std::collections::HashSet;

use crate::ir::*;

pub fn mark(ir: &mut Ir) {
    // Enums with more than one value: those have no value to assume.
    let enums: HashSet<String> = ir
        .types
        .values()
        .filter(|d| matches!(&d.kind, TypeKind::StringEnum(e) if e.variants.len() > 1))
        .map(|d| d.name.clone())
        .collect();
    for def in ir.types.values_mut() {
        let response = def.traits.response;
        match &mut def.kind {
            TypeKind::Struct(s) => {
                for field in &mut s.fields {
                    field.absence = field.spec_absence();
                    if response
                        && field.absence == Absence::Required
                        && matches!(&field.ty, Ty::Named(n) if enums.contains(n))
                    {
                        field.absence = Absence::Null;
                    }
                }
            }
            // An open id set (`model`) defaults to the empty id, so request
            // structs that carry one can still implement `Default`; a closed
            // enum defaults only to what the spec names.
            TypeKind::StringEnum(e) => {
                if e.default.is_none() && e.fallback == Fallback::Other {
                    e.default = Some(EnumDefault::EmptyOther);
                } else if e.default.is_none() && e.variants.len() == 1 {
                    e.default = Some(EnumDefault::Variant(0));
                }
            }
            TypeKind::Union(_) | TypeKind::Alias(_) => {}
        }
    }
    let defaults = default_types(ir);
    for def in ir.types.values_mut() {
        def.traits.default = defaults.contains(&def.name);
        let response = def.traits.response;
        match &mut def.kind {
            TypeKind::Union(u) if def.traits.default => {
                u.default_variant = u.variants.iter().position(|v| ty_default(&v.ty, &defaults));
            }
            TypeKind::Struct(s) if response => {
                for field in &mut s.fields {
                    if field.absence == Absence::Required && ty_default(&field.ty, &defaults) {
                        field.absence = Absence::Empty;
                    }
                }
            }
            _ => {}
        }
    }
}

/// A type can implement `Default` when every required part can: `Option`
/// fields always can; untagged unions default to their first variant that
/// can; tagged unions never do (no variant is more default than another);
/// string enums only when they have a default (the spec's, the one value of
/// a constant, or the empty id of an open set; see [`mark`]).
fn default_types(ir: &Ir) -> HashSet<String> {
    let mut defaults: HashSet<String> = HashSet::new();
    loop {
        let mut changed = false;
        for (name, def) in &ir.types {
            if defaults.contains(name) {
                continue;
            }
            let ok = match &def.kind {
                TypeKind::StringEnum(e) => e.default.is_some(),
                TypeKind::Alias(ty) => ty_default(ty, &defaults),
                TypeKind::Struct(s) => s
                    .fields
                    .iter()
                    .all(|f| f.is_option() || ty_default(&f.ty, &defaults)),
                TypeKind::Union(u) => {
                    matches!(u.repr, UnionRepr::Untagged)
                        && u.variants.iter().any(|v| ty_default(&v.ty, &defaults))
                }
            };
            if ok {
                defaults.insert(name.clone());
                changed = true;
            }
        }
        if !changed {
            return defaults;
        }
    }
}

fn ty_default(ty: &Ty, defaults: &HashSet<String>) -> bool {
    match ty {
        Ty::Named(n) => defaults.contains(n),
        _ => true,
    }
}
