//! Which fields are boxed to keep response types small.
//!
//! Response objects are decoded, moved into their parents and dropped in
//! bulk (every stream chunk, every logprob token). An optional member that
//! is itself a sizeable object (`logprobs`, `audio`, `function_call`,
//! `moderation`, the usage details) is absent from most of them, and inline
//! it makes every instance, present or not, as large as its contents. Boxed,
//! an absent one costs a word and a present one an allocation. Small objects
//! (`usage`: three integers and two boxes) stay inline, where a box would
//! cost more than it saves.

use std::collections::HashMap;

use crate::ir::*;

/// Inline objects up to this estimated size (bytes, 64-bit) are not boxed.
const INLINE_MAX: usize = 48;

pub fn mark(ir: &mut Ir) {
    let mut sizes = Sizes {
        ir,
        known: HashMap::new(),
    };
    let boxes: Vec<(String, usize)> = ir
        .types
        .values()
        .flat_map(|def| {
            let fields = match &def.kind {
                TypeKind::Struct(s) => s.fields.as_slice(),
                _ => &[],
            };
            fields
                .iter()
                .enumerate()
                .filter(|(_, f)| sizes.boxes(def, f))
                .map(|(i, _)| (def.name.clone(), i))
                .collect::<Vec<_>>()
        })
        .collect();
    for (name, i) in boxes {
        if let Some(TypeKind::Struct(s)) = ir.types.get_mut(&name).map(|def| &mut def.kind) {
            s.fields[i].boxed = true;
        }
    }
}

/// Estimated sizes, each computed once with the boxes this pass decides for
/// the type's own fields (recursive fields are already boxed, so the
/// recursion ends).
struct Sizes<'a> {
    ir: &'a Ir,
    known: HashMap<String, usize>,
}

impl Sizes<'_> {
    /// Whether this pass boxes `field` of `def`.
    fn boxes(&mut self, def: &TypeDef, field: &Field) -> bool {
        // Types also sent keep plain fields: users build those by hand.
        let compact = def.traits.response && !def.traits.request;
        compact
            && !field.boxed
            && field.is_option()
            && matches!(&field.ty, Ty::Named(n) if self.named(n) > INLINE_MAX)
    }

    fn named(&mut self, name: &str) -> usize {
        if let Some(&size) = self.known.get(name) {
            return size;
        }
        let size = match self.ir.types.get(name) {
            Some(def) => self.estimate(def),
            None => 24,
        };
        self.known.insert(name.to_owned(), size);
        size
    }

    /// A rough size: what decides boxing is only whether an object is more
    /// than a few words, not its exact layout.
    fn estimate(&mut self, def: &TypeDef) -> usize {
        match &def.kind {
            TypeKind::Struct(s) => {
                let extra = if def.traits.response { 8 } else { 0 };
                let mut size = extra;
                for f in &s.fields {
                    size += if f.boxed || self.boxes(def, f) {
                        8
                    } else {
                        self.ty(&f.ty, f.is_option())
                    };
                }
                size
            }
            TypeKind::Union(u) => {
                let mut largest = 0;
                for v in &u.variants {
                    largest = largest.max(if v.boxed { 8 } else { self.ty(&v.ty, false) });
                }
                8 + largest
            }
            TypeKind::StringEnum(_) => 24,
            TypeKind::Alias(ty) => self.ty(ty, false),
        }
    }

    fn ty(&mut self, ty: &Ty, option: bool) -> usize {
        let tag = if option { 8 } else { 0 };
        match ty {
            Ty::String | Ty::Vec(_) | Ty::Map(_) | Ty::Object | Ty::Runtime(_) | Ty::Value => 24,
            Ty::Integer | Ty::Number => 8 + tag,
            Ty::Bool | Ty::Byte => 1 + tag,
            Ty::Named(n) => self.named(n),
            Ty::Option(inner) => self.ty(inner, true),
        }
    }
}
