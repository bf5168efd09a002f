//! The `Partial` impl: a companion `Partial<Name>` struct for structs with
//! named fields (every field optional, in its own partial form), the inner
//! type's partial form for transparent and `from` structs, and the complete
//! value for enums.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::DeriveInput;
use syn::spanned::Spanned;

use crate::ast::{Data, Field, Input, Style};

/// The fields a partial struct can hold: serde reads them, and their partial
/// form is their type's (a schema override hides how the value looks).
fn kept<'f, 'a>(fields: &'f [Field<'a>]) -> impl Iterator<Item = &'f Field<'a>> {
    fields
        .iter()
        .filter(|f| !f.attrs.skip && f.attrs.schema.is_none())
}

pub fn expand(node: &DeriveInput, input: &Input) -> TokenStream {
    let ident = input.ident;
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param
            .bounds
            .push(syn::parse_quote!(::chat_api::__derive::Partial));
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    // `whole`: the value is read whole, once complete.
    let (companion, partial_ty, body, whole) = match &input.data {
        Data::Struct(style, fields) => {
            let transparent =
                input.attrs.transparent || *style == Style::Newtype || input.attrs.from.is_some();
            let inner = match &input.attrs.from {
                Some(from) => Some(from.clone()),
                None => kept(fields).next().map(|f| f.ty.clone()),
            };
            match (transparent, inner) {
                (true, Some(inner)) => (
                    TokenStream::new(),
                    quote!(<#inner as ::chat_api::__derive::Partial>::Partial),
                    quote!(<#inner as ::chat_api::__derive::Partial>::from_partial(value)),
                    false,
                ),
                (false, _) if *style == Style::Named => {
                    let (companion, ty, body) = companion(node, input, &generics, fields);
                    (companion, ty, body, false)
                }
                _ => complete(),
            }
        }
        Data::Enum(_) => complete(),
    };
    // A type read whole needs `Deserialize`; without it there is no impl
    // (the `for<'__p>` keeps the bound from being a hard error).
    let mut where_clause = where_clause.cloned();
    if whole {
        where_clause
            .get_or_insert_with(|| syn::parse_quote!(where))
            .predicates
            .push(syn::parse_quote!(for<'__p> #ident #ty_generics: ::chat_api::__derive::serde::de::DeserializeOwned));
    }
    quote! {
        #companion
        #[automatically_derived]
        impl #impl_generics ::chat_api::__derive::Partial for #ident #ty_generics #where_clause {
            type Partial = #partial_ty;
            fn from_partial(
                value: ::chat_api::__derive::PartialValue<'_>,
            ) -> ::core::result::Result<
                ::core::option::Option<Self::Partial>,
                ::chat_api::__derive::PartialError,
            > {
                #body
            }
        }
    }
}

/// Enums (and shapes without fields to follow) appear once complete.
fn complete() -> (TokenStream, TokenStream, TokenStream, bool) {
    (
        TokenStream::new(),
        quote!(Self),
        quote!(value.complete::<Self>()),
        true,
    )
}

fn companion(
    node: &DeriveInput,
    input: &Input,
    generics: &syn::Generics,
    fields: &[Field],
) -> (TokenStream, TokenStream, TokenStream) {
    let ident = input.ident;
    let partial = format_ident!("Partial{}", ident);
    let vis = &node.vis;
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let has_generics = !generics.params.is_empty();
    let marker = has_generics.then(|| {
        quote! {
            #[doc(hidden)]
            pub __marker: ::core::marker::PhantomData<fn() -> #ident #ty_generics>,
        }
    });
    let marker_init = has_generics.then(|| quote!(__marker: ::core::marker::PhantomData,));
    let kept: Vec<&Field> = kept(fields).collect();
    let names: Vec<&syn::Ident> = kept
        .iter()
        .filter_map(|f| f.original.ident.as_ref())
        .collect();
    let decls = kept.iter().map(|f| {
        let name = &f.original.ident;
        let fvis = &f.original.vis;
        let ty = f.ty;
        let doc = format!("`{}` as far as it has streamed.", f.name);
        let partial_ty =
            quote_spanned!(ty.span()=> <#ty as ::chat_api::__derive::Partial>::Partial);
        quote! {
            #[doc = #doc]
            #fvis #name: ::core::option::Option<#partial_ty>,
        }
    });
    // The function is spanned on the field's type, so a type without
    // `Partial` is reported there; `value` keeps the macro's own hygiene (a
    // user span may come from a `macro_rules!` expansion, where it would not
    // resolve).
    let reads = kept.iter().map(|f| {
        let name = &f.original.ident;
        let ty = f.ty;
        let key = &f.name;
        if f.attrs.flatten.is_some() {
            let read =
                quote_spanned!(ty.span()=> ::chat_api::__derive::PartialValue::flatten::<#ty>);
            quote!(#name: #read(&value)?,)
        } else {
            let read = quote_spanned!(ty.span()=> ::chat_api::__derive::PartialValue::field::<#ty>);
            quote!(#name: #read(&value, #key)?,)
        }
    });
    // Each impl holds when every field's partial form has the trait. A
    // field that names the struct itself (a recursive type) is left out:
    // its bound would be a cycle the compiler cannot close; its partial form
    // has the trait exactly when the other fields' do. The `for<'__p>` keeps
    // a bound on a concrete type from being a hard error.
    let own = ident.to_string();
    let recursive = |ty: &syn::Type| mentions(quote!(#ty), &own);
    let bounds = |tr: TokenStream| {
        let preds = kept.iter().filter(|f| !recursive(f.ty)).map(|f| {
            let ty = f.ty;
            quote_spanned!(ty.span()=> for<'__p> <#ty as ::chat_api::__derive::Partial>::Partial: #tr,)
        });
        let existing = where_clause.map(|w| {
            let p = &w.predicates;
            quote!(#p,)
        });
        quote!(where #existing #(#preds)*)
    };
    let debug_bounds = bounds(quote!(::core::fmt::Debug));
    let clone_bounds = bounds(quote!(::core::clone::Clone));
    let eq_bounds = bounds(quote!(::core::cmp::PartialEq));
    let partial_name = partial.to_string();
    let doc = format!(
        "[`{ident}`] as far as its JSON has streamed: every field optional, strings may be \
         prefixes, lists grow. Built by `#[derive(Tool)]`; see `chat_api::schema::partial`."
    );
    let companion = quote! {
        #[doc = #doc]
        #vis struct #partial #impl_generics #where_clause {
            #(#decls)*
            #marker
        }

        #[automatically_derived]
        impl #impl_generics ::core::default::Default for #partial #ty_generics #where_clause {
            fn default() -> Self {
                Self { #(#names: ::core::option::Option::None,)* #marker_init }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #partial #ty_generics #debug_bounds {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.debug_struct(#partial_name)
                    #(.field(::core::stringify!(#names), &self.#names))*
                    .finish()
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::clone::Clone for #partial #ty_generics #clone_bounds {
            fn clone(&self) -> Self {
                Self { #(#names: ::core::clone::Clone::clone(&self.#names),)* #marker_init }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::cmp::PartialEq for #partial #ty_generics #eq_bounds {
            fn eq(&self, other: &Self) -> bool {
                true #(&& self.#names == other.#names)*
            }
        }
    };
    let body = quote! {
        value.object()?;
        ::core::result::Result::Ok(::core::option::Option::Some(#partial {
            #(#reads)*
            #marker_init
        }))
    };
    (companion, quote!(#partial #ty_generics), body)
}

/// Whether `tokens` name the identifier `own`, at any depth.
fn mentions(tokens: TokenStream, own: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == own,
        proc_macro2::TokenTree::Group(g) => mentions(g.stream(), own),
        _ => false,
    })
}
