//! On error: the errors plus stub impls, so code using the type still
//! type-checks and the user sees only the real problems (as in thiserror).

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub fn expand(input: &DeriveInput, error: syn::Error) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let errors = error.to_compile_error();
    let tool = match input.data {
        syn::Data::Struct(_) => quote! {
            impl #impl_generics ::chat_api::__derive::Tool for #ident #ty_generics #where_clause {
                const NAME: &'static str = "";
                fn description() -> ::core::option::Option<&'static str> {
                    ::core::unreachable!()
                }
                fn try_parameters() -> ::core::result::Result<
                    &'static ::chat_api::__derive::Schema,
                    &'static ::chat_api::__derive::SchemaError,
                > {
                    ::core::unreachable!()
                }
            }
        },
        _ => TokenStream::new(),
    };
    quote! {
        #errors
        const _: () = {
            impl #impl_generics ::chat_api::__derive::StrictSchema for #ident #ty_generics #where_clause {
                fn strict_schema(
                    _: &mut ::chat_api::__derive::SchemaGenerator,
                ) -> ::chat_api::__derive::Schema {
                    ::core::unreachable!()
                }
            }
            #tool
            impl #impl_generics ::chat_api::__derive::Partial for #ident #ty_generics #where_clause {
                type Partial = Self;
                fn from_partial(
                    _: ::chat_api::__derive::PartialValue<'_>,
                ) -> ::core::result::Result<
                    ::core::option::Option<Self>,
                    ::chat_api::__derive::PartialError,
                > {
                    ::core::unreachable!()
                }
            }
        };
    }
}
