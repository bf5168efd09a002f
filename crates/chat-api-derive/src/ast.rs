//! The derive input with attributes resolved and serde names computed.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{DeriveInput, Generics, Ident, Type};

use crate::attr::{self, Container, Ctxt, FieldAttrs, VariantAttrs};
use crate::case::RenameRule;

pub struct Input<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub attrs: Container,
    pub data: Data<'a>,
    pub span: Span,
}

pub enum Data<'a> {
    Struct(Style, Vec<Field<'a>>),
    Enum(Vec<Variant<'a>>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Named,
    /// One unnamed field: serde reads the inner value.
    Newtype,
    /// Several unnamed fields: a JSON array, which strict mode cannot express.
    Tuple,
    Unit,
}

pub struct Field<'a> {
    pub original: &'a syn::Field,
    pub ty: &'a Type,
    pub attrs: FieldAttrs,
    /// The JSON property name serde reads.
    pub name: String,
}

pub struct Variant<'a> {
    pub original: &'a syn::Variant,
    pub attrs: VariantAttrs,
    pub style: Style,
    pub fields: Vec<Field<'a>>,
    /// The tag value serde reads.
    pub name: String,
}

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

fn fields<'a>(
    cx: &mut Ctxt,
    fields: &'a syn::Fields,
    rule: Option<RenameRule>,
) -> (Style, Vec<Field<'a>>) {
    let style = match fields {
        syn::Fields::Named(_) => Style::Named,
        syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => Style::Newtype,
        syn::Fields::Unnamed(_) => Style::Tuple,
        syn::Fields::Unit => Style::Unit,
    };
    let fields = fields
        .iter()
        .enumerate()
        .map(|(i, field)| {
            let attrs = attr::field(cx, &field.attrs, false);
            let name = match (&attrs.rename, &field.ident) {
                (Some(rename), _) => rename.clone(),
                (None, Some(ident)) => match rule {
                    Some(rule) => rule.apply_to_field(&unraw(ident)),
                    None => unraw(ident),
                },
                (None, None) => i.to_string(),
            };
            Field {
                original: field,
                ty: &field.ty,
                attrs,
                name,
            }
        })
        .collect();
    (style, fields)
}

impl<'a> Input<'a> {
    pub fn from_syn(cx: &mut Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let data = match &input.data {
            syn::Data::Struct(data) => {
                let attrs = attr::container(cx, &input.attrs, false);
                let (style, fields) = fields(cx, &data.fields, attrs.rename_all);
                return Some(Input {
                    ident: &input.ident,
                    generics: &input.generics,
                    attrs,
                    data: Data::Struct(style, fields),
                    span: input.ident.span(),
                });
            }
            syn::Data::Enum(data) => data,
            syn::Data::Union(_) => {
                cx.error(
                    input.ident.span(),
                    "`#[derive(Tool)]` does not support unions: serde cannot deserialize them",
                );
                return None;
            }
        };
        let attrs = attr::container(cx, &input.attrs, true);
        let variants = data
            .variants
            .iter()
            .map(|variant| {
                let vattrs = attr::variant(cx, &variant.attrs);
                let name = match (&vattrs.rename, attrs.rename_all) {
                    (Some(rename), _) => rename.clone(),
                    (None, Some(rule)) => rule.apply_to_variant(&unraw(&variant.ident)),
                    (None, None) => unraw(&variant.ident),
                };
                let rule = vattrs.rename_all.or(attrs.rename_all_fields);
                let (style, fields) = fields(cx, &variant.fields, rule);
                Variant {
                    original: variant,
                    attrs: vattrs,
                    style,
                    fields,
                    name,
                }
            })
            .collect();
        Some(Input {
            ident: &input.ident,
            generics: &input.generics,
            attrs,
            data: Data::Enum(variants),
            span: input.ident.span(),
        })
    }
}

impl Field<'_> {
    pub fn span(&self) -> Span {
        self.original.span()
    }

    pub fn description(&self) -> Option<&str> {
        self.attrs
            .description
            .as_deref()
            .or(self.attrs.doc.as_deref())
    }
}

impl Variant<'_> {
    pub fn description(&self) -> Option<&str> {
        self.attrs
            .description
            .as_deref()
            .or(self.attrs.doc.as_deref())
    }
}

impl Input<'_> {
    /// An explicit empty description means none (what `#[tool]` emits for
    /// an undocumented function).
    pub fn description(&self) -> Option<&str> {
        match self.attrs.description.as_deref() {
            Some("") => None,
            Some(description) => Some(description),
            None => self.attrs.doc.as_deref(),
        }
    }
}
