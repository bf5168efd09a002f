//! `#[tool]` on a free function: an arguments struct (deriving `Tool`) and a
//! `call` method, with the function itself left callable as written.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{FnArg, ItemFn, LitBool, LitStr, Pat};

use crate::attr::{self, Ctxt, SchemaOverride};
use crate::case::RenameRule;
use crate::valid;

struct Args {
    name: Option<LitStr>,
    description: Option<LitStr>,
    strict: Option<LitBool>,
}

fn parse_args(args: TokenStream) -> syn::Result<Args> {
    let mut out = Args {
        name: None,
        description: None,
        strict: None,
    };
    let parser = syn::meta::parser(|meta| {
        let duplicate = |m: &syn::meta::ParseNestedMeta| m.error("duplicate attribute");
        if meta.path.is_ident("name") {
            if out.name.is_some() {
                return Err(duplicate(&meta));
            }
            out.name = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("description") {
            if out.description.is_some() {
                return Err(duplicate(&meta));
            }
            out.description = Some(meta.value()?.parse()?);
        } else if meta.path.is_ident("strict") {
            if out.strict.is_some() {
                return Err(duplicate(&meta));
            }
            out.strict = Some(meta.value()?.parse()?);
        } else {
            return Err(meta.error(
                "unknown tool attribute, expected one of: `name = \"...\"`, `description = \"...\"`, `strict = false`",
            ));
        }
        Ok(())
    });
    syn::parse::Parser::parse2(parser, args)?;
    Ok(out)
}

pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    match try_expand(args, input.clone()) {
        Ok(tokens) => tokens,
        // Keep the function so its callers do not cascade into errors.
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#error #input)
        }
    }
}

fn try_expand(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let args = parse_args(args)?;
    let mut function: ItemFn = syn::parse2(input)?;
    let mut cx = Ctxt::default();
    let sig = &function.sig;
    if let Some(param) = sig.generics.params.first() {
        cx.error(
            param.span(),
            "`#[tool]` functions cannot be generic: the arguments need one concrete schema",
        );
    }
    let fn_ident = sig.ident.clone();
    let name = args
        .name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| unraw(&fn_ident));
    match &args.name {
        Some(lit) => valid::check_default_name(&mut cx, lit.span(), &lit.value()),
        None => valid::check_default_name(&mut cx, fn_ident.span(), &name),
    }

    let mut fields = Vec::new();
    let mut call_args = Vec::new();
    let mut context_params = Vec::new();
    for input in &sig.inputs {
        let typed = match input {
            FnArg::Receiver(receiver) => {
                cx.error(
                    receiver.span(),
                    "`#[tool]` is for free functions; methods (`self`) are not supported",
                );
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        let Pat::Ident(pat) = &*typed.pat else {
            cx.error(typed.pat.span(), "`#[tool]` parameters must be plain identifiers: their names are the JSON properties");
            continue;
        };
        let ident = &pat.ident;
        let ty = &typed.ty;
        let attrs = attr::field(&mut cx, &typed.attrs, true);
        if attrs.context.is_some() {
            context_params.push(quote!(#ident: #ty));
            call_args.push(quote!(#ident));
            continue;
        }
        if let syn::Type::Reference(reference) = &**ty {
            cx.error(
                reference.span(),
                "tool arguments are deserialized into owned values; use an owned type, or mark a context \
                 parameter with `#[tool(context)]`",
            );
        }
        if attrs.schema.is_none()
            && let Some(what) = valid::unsupported(ty)
            && args.strict.as_ref().is_none_or(|s| s.value)
        {
            cx.error(ty.span(), what_message(&what));
        }
        let doc = attrs.description.clone().or(attrs.doc.clone());
        let doc = doc.map(|d| quote!(#[doc = #d]));
        let schema = match &attrs.schema {
            Some(SchemaOverride::Type(t)) => quote!(#[__chat_api_tool(schema = #t)]),
            Some(SchemaOverride::With(p)) => quote!(#[__chat_api_tool(schema_with = #p)]),
            Some(SchemaOverride::Schemars(_)) => quote!(#[__chat_api_tool(schemars)]),
            None => TokenStream::new(),
        };
        fields.push(quote!(#doc #schema pub #ident: #ty));
        call_args.push(quote!(self.#ident));
    }
    cx.check()?;

    // Parameter docs and `#[tool(...)]` are consumed here: rustc rejects doc
    // comments on parameters.
    for input in &mut function.sig.inputs {
        if let FnArg::Typed(typed) = input {
            typed
                .attrs
                .retain(|a| !a.path().is_ident("doc") && !a.path().is_ident("tool"));
        }
    }

    let vis = &function.vis;
    let args_ident = format_ident!(
        "{}Args",
        RenameRule::Pascal.apply_to_field(&unraw(&fn_ident)),
        span = fn_ident.span()
    );
    let description = args
        .description
        .map(|d| d.value())
        .or_else(|| attr::doc(&function.attrs));
    // Passed explicitly (empty for none) so the struct's own doc below does
    // not become the tool's description.
    let description = description.unwrap_or_default();
    let strict = args.strict.map(|s| s.value).unwrap_or(true);
    let output = &function.sig.output;
    let (asyncness, awaited) = match function.sig.asyncness {
        Some(_) => (quote!(async), quote!(.await)),
        None => (TokenStream::new(), TokenStream::new()),
    };
    let summary = format!(
        "The arguments of [`{fn_ident}`] as the model sends them (generated by `#[tool]`)."
    );
    let call_doc = format!("Calls [`{fn_ident}`] with these arguments.");
    Ok(quote! {
        #function

        #[doc = #summary]
        #[derive(::chat_api::__derive::serde::Deserialize, ::chat_api::Tool)]
        #[serde(crate = "::chat_api::__derive::serde")]
        #[__chat_api_tool(name = #name, description = #description, strict = #strict)]
        #vis struct #args_ident {
            #(#fields,)*
        }

        impl #args_ident {
            #[doc = #call_doc]
            #vis #asyncness fn call(self, #(#context_params),*) #output {
                #fn_ident(#(#call_args),*) #awaited
            }
        }
    })
}

fn what_message(what: &valid::Unsupported) -> String {
    what.message()
}

fn unraw(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}
