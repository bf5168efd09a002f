//! Emission of `constraints.rs`: the spec's ranges, lengths and item counts
//! as checks, one `SpecConstraints` impl per request-side struct with
//! constrained fields. A constraint whose kind does not fit the field's type
//! (a range on a union, say) is not checked: only what the type can state
//! is compared.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::ident;
use crate::ir::*;

/// The tokens of `constraints.rs`.
pub fn file(ir: &Ir) -> TokenStream {
    let impls = ir.types.values().filter_map(|def| {
        let TypeKind::Struct(s) = &def.kind else {
            return None;
        };
        if !def.traits.request {
            return None;
        }
        let checks: Vec<TokenStream> = s.fields.iter().filter_map(check).collect();
        if checks.is_empty() {
            return None;
        }
        let name = ident(&def.name);
        Some(quote! {
            impl crate::preflight::SpecConstraints for crate::types::#name {
                fn check_spec(&self, out: &mut Vec<crate::preflight::Finding>) {
                    #(#checks)*
                }
            }
        })
    });
    quote! {
        //! The spec's constraints on request fields, checked by
        //! `chat_api::preflight`.
        // Deprecated fields are still sent, so they are still checked.
        #![allow(deprecated)]
        #(#impls)*
    }
}

fn bound<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

fn check(field: &Field) -> Option<TokenStream> {
    let c = &field.constraints;
    if c.is_empty() {
        return None;
    }
    let rust = ident(&field.rust_name);
    let json = &field.json_name;
    let optional = field.is_option();
    match &field.ty {
        Ty::Integer | Ty::Byte | Ty::Number if c.minimum.is_some() || c.maximum.is_some() => {
            let (min, max) = (bound(c.minimum), bound(c.maximum));
            let value = if optional {
                quote!(self.#rust)
            } else {
                quote!(Some(self.#rust))
            };
            Some(quote! {
                crate::__private::check_range(out, #json, #value, #min, #max);
            })
        }
        Ty::String if c.min_length.is_some() || c.max_length.is_some() => {
            let (min, max) = (bound(c.min_length), bound(c.max_length));
            let value = if optional {
                quote!(self.#rust.as_deref())
            } else {
                quote!(Some(self.#rust.as_str()))
            };
            Some(quote! {
                crate::__private::check_length(out, #json, #value, #min, #max);
            })
        }
        Ty::Vec(_) if c.min_items.is_some() || c.max_items.is_some() => {
            let (min, max) = (bound(c.min_items), bound(c.max_items));
            let value = if optional {
                quote!(self.#rust.as_ref().map(Vec::len))
            } else {
                quote!(Some(self.#rust.len()))
            };
            Some(quote! {
                crate::__private::check_items(out, #json, #value, #min, #max);
            })
        }
        _ => None,
    }
}
