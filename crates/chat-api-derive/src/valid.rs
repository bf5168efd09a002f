//! Shapes strict mode cannot express, found from the syntax alone, each
//! reported on the offending field with a hint. Every error is collected.

use std::collections::HashMap;

use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

use crate::ast::{Data, Field, Input, Style};
use crate::attr::Ctxt;

const OPT_OUT: &str = "or opt the type out of strict mode with `#[tool(strict = false)]`";

pub fn check(cx: &mut Ctxt, input: &Input) {
    let strict = input.attrs.strict;
    match &input.data {
        Data::Struct(style, fields) => {
            if input.attrs.from.is_none() && !input.attrs.transparent {
                match style {
                    Style::Tuple => cx.error(
                        input.span,
                        "tuple structs are JSON arrays, which strict mode cannot express (no `prefixItems`); \
                         use named fields",
                    ),
                    Style::Unit => cx.error(
                        input.span,
                        "a unit struct deserializes from `null`, which cannot be a tool's arguments; \
                         add named fields",
                    ),
                    Style::Named | Style::Newtype => {}
                }
            }
            check_fields(cx, fields, strict);
        }
        Data::Enum(variants) => {
            if let Some(span) = input.attrs.root_attr {
                cx.error(
                    span,
                    "an enum cannot be a tool's arguments or a response format: strict mode requires \
                     the root to be an object; wrap the enum in a struct field",
                );
            }
            let internally_tagged = input.attrs.tag.is_some() && input.attrs.content.is_none();
            for variant in variants.iter().filter(|v| !v.attrs.skip) {
                if let Some(span) = variant.attrs.de_with {
                    cx.error(
                        span,
                        "`deserialize_with`/`with` on a variant changes what serde accepts in a way the \
                         derive cannot see; give the variant a single field with `#[tool(schema = Type)]`, \
                         or remove the attribute",
                    );
                }
                match variant.style {
                    Style::Tuple => cx.error(
                        variant.original.span(),
                        "tuple variants are JSON arrays, which strict mode cannot express (no \
                         `prefixItems`); use named fields",
                    ),
                    Style::Newtype if internally_tagged && !variant.attrs.untagged => {
                        if let Some(field) = variant.fields.first()
                            && is_primitive(field.ty)
                        {
                            cx.error(
                                    field.ty.span(),
                                    "an internally tagged newtype variant must hold a struct (serde merges \
                                     the tag into it); use a struct variant",
                                );
                        }
                    }
                    _ => {}
                }
                check_fields(cx, &variant.fields, strict);
            }
        }
    }
}

pub fn check_fields(cx: &mut Ctxt, fields: &[Field], strict: bool) {
    let mut seen: HashMap<&str, ()> = HashMap::new();
    for field in fields.iter().filter(|f| !f.attrs.skip) {
        if field.attrs.flatten.is_none() && seen.insert(&field.name, ()).is_some() {
            cx.error(
                field.span(),
                format_args!("property `{}` appears twice after renaming", field.name),
            );
        }
        if let Some(span) = field.attrs.de_with
            && field.attrs.schema.is_none()
        {
            cx.error(
                    span,
                    "`deserialize_with`/`with` changes what serde accepts in a way the derive cannot see; \
                     add `#[tool(schema = Type)]` or `#[tool(schema_with = path)]` describing what it accepts",
                );
        }
        if let Some(span) = field.attrs.flatten {
            if let Some(kind) = unwrap_last(field.ty)
                && kind == "Option"
            {
                cx.error(
                        span,
                        "`flatten` of an `Option` makes all its fields optional together, which strict mode \
                         cannot express (every property is required); flatten the struct itself",
                    );
                continue;
            }
            if let Some(what) = unsupported(field.ty)
                && what.is_map()
            {
                cx.error_spanned(
                    field.ty,
                    "`flatten` of a map collects arbitrary keys, which strict mode cannot express \
                         (objects must be closed); flatten a struct with named fields",
                );
                continue;
            }
        }
        if field.attrs.schema.is_none() {
            // Tuples have no schema at all; maps and `Value` only in strict mode.
            if let Some(what) = unsupported(field.ty)
                && (strict || !what.is_map())
            {
                cx.error_spanned(what.tokens(), what.message());
            }
        }
    }
}

pub enum Unsupported {
    // The offending type's tokens, so the error spans all of it (a `Span`
    // covers only the first token on stable).
    Map(proc_macro2::TokenStream, String),
    Value(proc_macro2::TokenStream),
    Tuple(proc_macro2::TokenStream),
}

impl Unsupported {
    pub fn is_map(&self) -> bool {
        matches!(self, Unsupported::Map(..) | Unsupported::Value(..))
    }

    pub fn tokens(&self) -> &proc_macro2::TokenStream {
        match self {
            Unsupported::Map(tokens, _)
            | Unsupported::Value(tokens)
            | Unsupported::Tuple(tokens) => tokens,
        }
    }

    pub fn message(&self) -> String {
        match self {
            Unsupported::Map(_, name) => format!(
                "`{name}` cannot be expressed in OpenAI strict mode: a map is an open object and every object \
                 must have `additionalProperties: false`; use a `Vec` of key/value structs, {OPT_OUT}"
            ),
            Unsupported::Value(_) => format!(
                "`serde_json::Value` accepts any JSON, which OpenAI strict mode cannot express; use a typed \
                 field, {OPT_OUT}"
            ),
            Unsupported::Tuple(_) => {
                "tuples are JSON arrays of mixed items, which OpenAI strict mode cannot \
                 express (no `prefixItems`); use a struct with named fields"
                    .to_owned()
            }
        }
    }
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last(),
        _ => None,
    }
}

fn unwrap_last(ty: &Type) -> Option<String> {
    last_segment(ty).map(|s| s.ident.to_string())
}

fn is_primitive(ty: &Type) -> bool {
    matches!(
        unwrap_last(ty).as_deref(),
        Some(
            "String"
                | "str"
                | "bool"
                | "char"
                | "f32"
                | "f64"
                | "i8"
                | "i16"
                | "i32"
                | "i64"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "usize"
                | "Vec"
        )
    )
}

/// Finds a map, `Value` or tuple anywhere in the type, including inside
/// `Option`, `Vec`, `Box` and the like. A proc macro cannot resolve imports,
/// so this goes by name; `#[tool(schema = Type)]` overrides a false positive.
pub fn unsupported(ty: &Type) -> Option<Unsupported> {
    match ty {
        Type::Tuple(tuple) if !tuple.elems.is_empty() => {
            Some(Unsupported::Tuple(ty.to_token_stream()))
        }
        Type::Array(array) => unsupported(&array.elem),
        Type::Slice(slice) => unsupported(&slice.elem),
        Type::Reference(reference) => unsupported(&reference.elem),
        Type::Paren(paren) => unsupported(&paren.elem),
        Type::Group(group) => unsupported(&group.elem),
        Type::Path(path) if path.qself.is_none() => {
            let segments: Vec<String> = path
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            let last = segments.last()?;
            let from_serde_json =
                segments.len() >= 2 && segments[segments.len() - 2] == "serde_json";
            match last.as_str() {
                "HashMap" | "BTreeMap" | "IndexMap" => {
                    return Some(Unsupported::Map(ty.to_token_stream(), last.clone()));
                }
                "Map" if from_serde_json => {
                    return Some(Unsupported::Map(
                        ty.to_token_stream(),
                        "serde_json::Map".into(),
                    ));
                }
                "Value" if segments.len() == 1 || from_serde_json => {
                    return Some(Unsupported::Value(ty.to_token_stream()));
                }
                _ => {}
            }
            let segment = path.path.segments.last()?;
            if let PathArguments::AngleBracketed(args) = &segment.arguments {
                for arg in &args.args {
                    if let GenericArgument::Type(inner) = arg
                        && let Some(found) = unsupported(inner)
                    {
                        return Some(found);
                    }
                }
            }
            None
        }
        _ => None,
    }
}
