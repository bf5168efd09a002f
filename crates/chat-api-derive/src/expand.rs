//! Code generation: one `StrictSchema` impl per derived type, plus a `Tool`
//! impl for structs (an enum cannot be a strict-mode root).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::ast::{Data, Field, Input, Style, Variant};
use crate::attr::{Ctxt, SchemaOverride};
use crate::case::snake_case_type;
use crate::{fallback, partial, valid};

pub fn derive(node: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let input = Input::from_syn(&mut cx, node);
    if let Some(input) = &input {
        valid::check(&mut cx, input);
    }
    match (cx.check(), input) {
        (Ok(()), Some(input)) => {
            let partial = partial::expand(node, &input);
            let rest = expand(&input);
            quote!(#partial #rest)
        }
        (Err(error), _) => fallback::expand(node, error),
        (Ok(()), None) => TokenStream::new(),
    }
}

fn opt_str(s: Option<&str>) -> TokenStream {
    match s {
        Some(s) => quote!(::core::option::Option::Some(#s)),
        None => quote!(::core::option::Option::None),
    }
}

fn expand(input: &Input) -> TokenStream {
    let ident = input.ident;
    let name = ident.to_string();
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param
            .bounds
            .push(syn::parse_quote!(::chat_api::__derive::StrictSchema));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let body = match &input.data {
        Data::Struct(style, fields) => struct_body(input, *style, fields),
        Data::Enum(variants) => enum_body(input, variants),
    };
    let schema_impl = quote! {
        #[automatically_derived]
        impl #impl_generics ::chat_api::__derive::StrictSchema for #ident #ty_generics #where_clause {
            fn strict_schema(
                generator: &mut ::chat_api::__derive::SchemaGenerator,
            ) -> ::chat_api::__derive::Schema {
                generator.named(::core::any::type_name::<Self>(), #name, |generator| { #body })
            }
        }
    };
    let tool_impl = match &input.data {
        Data::Struct(..) => tool_impl(input, &generics),
        Data::Enum(_) => TokenStream::new(),
    };
    let size_check = size_check(input);
    quote! {
        const _: () = {
            #schema_impl
            #tool_impl
            #size_check
        };
    }
}

/// A compile-time check of the one size limit a single type can break on its
/// own, against the figures in `chat_api::strict::limits` (totals across
/// types are checked when the schema is built).
fn size_check(input: &Input) -> TokenStream {
    let ident = input.ident;
    let (count, limit, what) = match &input.data {
        Data::Struct(_, fields) => (
            fields.iter().filter(|f| !f.attrs.skip).count(),
            quote!(::chat_api::__derive::MAX_PROPERTIES),
            "object properties (`chat_api::strict::limits::MAX_PROPERTIES`)",
        ),
        Data::Enum(variants) => (
            variants.iter().filter(|v| !v.attrs.skip).count(),
            quote!(::chat_api::__derive::MAX_ENUM_VALUES),
            "enum values (`chat_api::strict::limits::MAX_ENUM_VALUES`)",
        ),
    };
    let message = format!("`{ident}` has {count} {what}, more than strict mode allows");
    quote_spanned! {ident.span()=>
        const _: () = ::core::assert!(#count <= #limit, "{}", #message);
    }
}

/// A compile-time check of the tool name against OpenAI's rule, which is
/// `chat_api::strict::is_valid_name` (the one implementation, evaluated by the
/// compiler), reported on the name.
fn name_check(name: &syn::LitStr) -> TokenStream {
    let message = format!(
        "invalid tool name {:?}: OpenAI requires `^[a-zA-Z0-9_-]{{1,64}}$`; set one with \
         `#[tool(name = \"...\")]`",
        name.value()
    );
    quote_spanned! {name.span()=>
        const _: () = ::core::assert!(::chat_api::__derive::is_valid_name(#name), "{}", #message);
    }
}

fn tool_impl(input: &Input, generics: &syn::Generics) -> TokenStream {
    let ident = input.ident;
    let tool_name = match &input.attrs.name {
        Some(name) => name.clone(),
        None => syn::LitStr::new(&snake_case_type(&ident.to_string()), input.span),
    };
    let name_check = name_check(&tool_name);
    let strict = input.attrs.strict;
    let description = opt_str(input.description());
    let generic = generics.type_params().next().is_some();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let cache = if generic {
        // Statics in generic impls are shared by every instantiation.
        quote!(::chat_api::__derive::cached_generic::<Self>(
            <Self as ::chat_api::__derive::Tool>::STRICT
        ))
    } else {
        quote! {
            static CACHE: ::chat_api::__derive::Cached = ::chat_api::__derive::Cached::new();
            CACHE
                .get_or_init(|| ::chat_api::__derive::root_schema::<Self>(<Self as ::chat_api::__derive::Tool>::STRICT))
                .as_ref()
        }
    };
    let mut where_clause = where_clause.cloned();
    if generic {
        where_clause
            .get_or_insert_with(|| syn::parse_quote!(where))
            .predicates
            .push(syn::parse_quote!(Self: 'static));
    }
    quote! {
        #[automatically_derived]
        impl #impl_generics ::chat_api::__derive::Tool for #ident #ty_generics #where_clause {
            const NAME: &'static str = #tool_name;
            const STRICT: bool = #strict;
            fn description() -> ::core::option::Option<&'static str> {
                #description
            }
            fn try_parameters() -> ::core::result::Result<
                &'static ::chat_api::__derive::Schema,
                &'static ::chat_api::__derive::SchemaError,
            > {
                #cache
            }
        }
        #name_check
    }
}

/// The schema of a field's type, honouring `#[tool(schema...)]`.
fn type_schema(field: &Field) -> TokenStream {
    let ty = field.ty;
    // Spanned on the user's type so a missing impl points at the field, but
    // `generator` keeps the macro's own hygiene (user spans may come from a
    // `macro_rules!` expansion, where it would not resolve).
    let generator = quote!(generator);
    match &field.attrs.schema {
        Some(SchemaOverride::Type(other)) => {
            quote_spanned!(other.span()=> <#other as ::chat_api::__derive::StrictSchema>::strict_schema(#generator))
        }
        Some(SchemaOverride::With(path)) => quote_spanned!(path.span()=> #path(#generator)),
        Some(SchemaOverride::Schemars(span)) => {
            quote_spanned!(*span=> ::chat_api::__derive::schemars_schema::<#ty>(#generator))
        }
        None => {
            quote_spanned!(ty.span()=> <#ty as ::chat_api::__derive::StrictSchema>::strict_schema(#generator))
        }
    }
}

fn described_field_schema(field: &Field) -> TokenStream {
    let schema = type_schema(field);
    let name = &field.name;
    let described = match field.description() {
        Some(description) => quote!(::chat_api::__derive::describe(#schema, #description)),
        None => schema,
    };
    quote!(generator.in_field(#name, |generator| #described))
}

/// A closed object of the named fields, with optional leading tag.
fn object(fields: &[Field], tag: Option<(&str, &str)>, description: Option<&str>) -> TokenStream {
    let tag = tag.map(|(key, value)| {
        quote!(object.property(generator, #key, ::chat_api::__derive::string_enum(&[#value], ::core::option::Option::None));)
    });
    let properties = fields.iter().filter(|f| !f.attrs.skip).map(|field| {
        let schema = described_field_schema(field);
        let name = &field.name;
        if field.attrs.flatten.is_some() {
            quote! {
                let schema = #schema;
                object.flatten(generator, schema);
            }
        } else {
            quote! {
                let schema = #schema;
                object.property(generator, #name, schema);
            }
        }
    });
    let description = opt_str(description);
    quote! {{
        let mut object = ::chat_api::__derive::ObjectBuilder::new();
        #tag
        #( { #properties } )*
        object.finish(#description)
    }}
}

fn with_description(schema: TokenStream, description: Option<&str>) -> TokenStream {
    match description {
        Some(description) => quote!(::chat_api::__derive::describe(#schema, #description)),
        None => schema,
    }
}

fn struct_body(input: &Input, style: Style, fields: &[Field]) -> TokenStream {
    let description = input.description();
    if let Some(from) = &input.attrs.from {
        let schema =
            quote!(<#from as ::chat_api::__derive::StrictSchema>::strict_schema(generator));
        return with_description(schema, description);
    }
    let transparent = input.attrs.transparent || style == Style::Newtype;
    if transparent && let Some(field) = fields.iter().find(|f| !f.attrs.skip) {
        let schema = type_schema(field);
        return with_description(schema, description.or(field.description()));
    }
    object(fields, None, description)
}

/// Unit variants share one string `enum`, so their docs become a list in its description.
fn unit_enum_description(description: Option<&str>, units: &[&Variant]) -> Option<String> {
    let documented: Vec<String> = units
        .iter()
        .filter_map(|v| {
            v.description()
                .map(|d| format!("- `{}`: {}", v.name, d.replace('\n', " ")))
        })
        .collect();
    match (description, documented.is_empty()) {
        (description, true) => description.map(str::to_owned),
        (None, false) => Some(documented.join("\n")),
        (Some(description), false) => Some(format!("{description}\n{}", documented.join("\n"))),
    }
}

/// What a variant holds, as serde reads it without a tag.
fn variant_content(variant: &Variant) -> TokenStream {
    match variant.style {
        Style::Unit => quote!(::chat_api::__derive::null()),
        Style::Newtype => match variant.fields.first() {
            Some(field) => type_schema(field),
            None => quote!(::chat_api::__derive::null()),
        },
        Style::Named | Style::Tuple => object(&variant.fields, None, None),
    }
}

fn enum_body(input: &Input, variants: &[Variant]) -> TokenStream {
    let variants: Vec<&Variant> = variants.iter().filter(|v| !v.attrs.skip).collect();
    let (untagged, tagged): (Vec<&Variant>, Vec<&Variant>) = variants
        .iter()
        .partition(|v| v.attrs.untagged || input.attrs.untagged);
    let description = input.description();
    let mut branches = Vec::new();

    match (&input.attrs.tag, &input.attrs.content) {
        _ if tagged.is_empty() => {}
        (None, _) => {
            let units: Vec<&Variant> = tagged
                .iter()
                .copied()
                .filter(|v| v.style == Style::Unit)
                .collect();
            let data: Vec<&Variant> = tagged
                .iter()
                .copied()
                .filter(|v| v.style != Style::Unit)
                .collect();
            let unit_description = unit_enum_description(description, &units);
            let names: Vec<&str> = units.iter().map(|v| v.name.as_str()).collect();
            if data.is_empty() && untagged.is_empty() {
                let description = opt_str(unit_description.as_deref());
                return quote!(::chat_api::__derive::string_enum(&[#(#names),*], #description));
            }
            if !units.is_empty() {
                let branch_description = unit_enum_description(None, &units);
                let branch_description = opt_str(branch_description.as_deref());
                branches.push(
                    quote!(::chat_api::__derive::string_enum(&[#(#names),*], #branch_description)),
                );
            }
            for variant in data {
                let name = &variant.name;
                let content = variant_content(variant);
                let description = opt_str(variant.description());
                branches.push(quote! {
                    {
                        let content = generator.in_field(#name, |generator| #content);
                        ::chat_api::__derive::single_key(generator, #name, content, #description)
                    }
                });
            }
        }
        (Some(tag), None) => {
            for variant in &tagged {
                let name = &variant.name;
                let description = variant.description();
                let branch = match variant.style {
                    Style::Newtype => {
                        let content = variant_content(variant);
                        let description = opt_str(description);
                        quote! {{
                            let content = generator.in_field(#name, |generator| #content);
                            ::chat_api::__derive::internally_tagged(generator, #tag, #name, content, #description)
                        }}
                    }
                    _ => object(&variant.fields, Some((tag, name)), description),
                };
                branches.push(quote!(generator.in_field(#name, |generator| #branch)));
            }
        }
        (Some(tag), Some(content_key)) => {
            for variant in &tagged {
                let name = &variant.name;
                let description = opt_str(variant.description());
                let content = match variant.style {
                    Style::Unit => None,
                    _ => {
                        let content = variant_content(variant);
                        Some(quote! {
                            let content = #content;
                            object.property(generator, #content_key, content);
                        })
                    }
                };
                branches.push(quote! {
                    generator.in_field(#name, |generator| {
                        let mut object = ::chat_api::__derive::ObjectBuilder::new();
                        object.property(generator, #tag, ::chat_api::__derive::string_enum(&[#name], ::core::option::Option::None));
                        #content
                        object.finish(#description)
                    })
                });
            }
        }
    }

    // serde tries untagged variants after the tagged ones, in order.
    let mut null_done = false;
    for variant in untagged {
        if variant.style == Style::Unit {
            if null_done {
                continue;
            }
            null_done = true;
        }
        let name = &variant.name;
        let content = variant_content(variant);
        let content = with_description(content, variant.description());
        branches.push(quote!(generator.in_field(#name, |generator| #content)));
    }
    let description = opt_str(description);
    quote!(::chat_api::__derive::any_of(::std::vec![#(#branches),*], #description))
}
