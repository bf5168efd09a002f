//! `#[tool]` on a free function: an arguments struct (deriving `Tool`) and a
//! `call` method, with the function itself left callable as written.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{FnArg, ItemFn, LitBool, LitStr, Pat};

use crate::attr::{self, Ctxt, SchemaOverride};
use crate::case::RenameRule;
use crate::valid;

struct Args {
    name: Option<LitStr>,
    description: Option<LitStr>,
    strict: Option<LitBool>,
}

const EXPECTED_ARGS: &str = "`name = \"...\"`, `description = \"...\"`, `strict = false`";

fn parse_args(args: TokenStream) -> syn::Result<Args> {
    let mut out = Args {
        name: None,
        description: None,
        strict: None,
    };
    let parser = syn::meta::parser(|meta| {
        let key = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        let slot_taken = match key.as_str() {
            "name" => out.name.is_some(),
            "description" => out.description.is_some(),
            "strict" => out.strict.is_some(),
            _ => {
                return Err(meta.error(format_args!(
                    "unknown `#[tool]` argument `{key}`, expected one of: {EXPECTED_ARGS}"
                )));
            }
        };
        if slot_taken {
            return Err(meta.error(format_args!("duplicate `{key}` argument")));
        }
        // Without this, syn's "expected `=`" points at the whole attribute.
        if !meta.input.peek(syn::Token![=]) {
            let example = if key == "strict" { "false" } else { "\"...\"" };
            return Err(meta.error(format_args!("expected `{key} = {example}`")));
        }
        let value = meta.value()?;
        // syn's "expected string literal" does not say which form is wanted.
        let expected = |error: syn::Error| {
            let wanted = match key.as_str() {
                "strict" => "`strict = true` or `strict = false`",
                "name" => "a string literal: `name = \"get_weather\"`",
                _ => "a string literal: `description = \"...\"`",
            };
            syn::Error::new(error.span(), format_args!("expected {wanted}"))
        };
        match key.as_str() {
            "name" => out.name = Some(value.parse().map_err(expected)?),
            "description" => out.description = Some(value.parse().map_err(expected)?),
            _ => out.strict = Some(value.parse().map_err(expected)?),
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
            match syn::parse2::<ItemFn>(input.clone()) {
                Ok(mut function) => {
                    strip_param_attrs(&mut function);
                    quote!(#error #function)
                }
                Err(_) => quote!(#error #input),
            }
        }
    }
}

/// Parameter docs and `#[tool(...)]` are ours to consume: rustc rejects doc
/// comments on parameters and knows no `tool` attribute there. Also done on
/// error, so the real error is not followed by one per parameter attribute.
fn strip_param_attrs(function: &mut ItemFn) {
    for input in &mut function.sig.inputs {
        if let FnArg::Typed(typed) = input {
            typed
                .attrs
                .retain(|a| !a.path().is_ident("doc") && !a.path().is_ident("tool"));
        }
    }
}

fn try_expand(args: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    let args = parse_args(args)?;
    let mut function: ItemFn = syn::parse2(input)?;
    let mut cx = Ctxt::default();
    let sig = &function.sig;
    if let syn::Safety::Unsafe(unsafety) = &sig.safety {
        cx.error(
            unsafety.span,
            "`#[tool]` functions cannot be `unsafe`: the generated `call` would run it on the \
             model's arguments without an `unsafe` block; wrap it in a safe function",
        );
    }
    for param in &sig.generics.params {
        match param {
            syn::GenericParam::Lifetime(_) => cx.error_spanned(
                param,
                "`#[tool]` functions cannot have lifetime parameters: arguments are deserialized \
                 into owned values, and a context parameter can elide its lifetime (`&Db`)",
            ),
            _ => cx.error_spanned(
                param,
                "`#[tool]` functions cannot be generic: the arguments need one concrete schema",
            ),
        }
    }
    let fn_ident = sig.ident.clone();
    let name = args
        .name
        .as_ref()
        .map(LitStr::value)
        .unwrap_or_else(|| unraw(&fn_ident));
    // Checked by the derive, on the name as the user wrote it or on the
    // function whose name it is.
    let name = match &args.name {
        Some(lit) => lit.clone(),
        None => LitStr::new(&name, fn_ident.span()),
    };

    let mut fields = Vec::new();
    let mut call_args = Vec::new();
    let mut context_params = Vec::new();
    for input in &sig.inputs {
        let typed = match input {
            FnArg::Receiver(receiver) => {
                cx.error_spanned(
                    receiver,
                    "`#[tool]` is for free functions; methods (`self`) are not supported",
                );
                continue;
            }
            FnArg::Typed(typed) => typed,
        };
        let Pat::Ident(pat) = &*typed.pat else {
            cx.error_spanned(
                &typed.pat,
                "`#[tool]` parameters must be plain identifiers: their names are the JSON properties",
            );
            continue;
        };
        let ident = &pat.ident;
        let ty = &typed.ty;
        let attrs = attr::field(&mut cx, &typed.attrs, true);
        if attrs.context.is_some() {
            if let Some(span) = attrs.described {
                cx.error(
                    span,
                    "a `#[tool(context)]` parameter is passed to `call`, not sent to the model, so it \
                     has no description or schema; remove this key",
                );
            }
            context_params.push(quote!(#ident: #ty));
            call_args.push(quote!(#ident));
            continue;
        }
        if let syn::Type::ImplTrait(_) = &**ty {
            cx.error_spanned(
                ty,
                "`impl Trait` parameters are generic, and the arguments need one concrete schema; \
                 use a concrete type",
            );
            continue;
        }
        if let syn::Type::Reference(reference) = &**ty {
            cx.error_spanned(
                reference,
                "tool arguments are deserialized into owned values; use an owned type, or mark a context \
                 parameter with `#[tool(context)]`",
            );
        }
        // As for struct fields: tuples have no schema at all, maps and
        // `Value` only in strict mode.
        if attrs.schema.is_none()
            && let Some(what) = valid::unsupported(ty)
            && (args.strict.as_ref().is_none_or(|s| s.value) || !what.is_map())
        {
            cx.error_spanned(what.tokens(), what.message());
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

    strip_param_attrs(&mut function);

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
        #[derive(::chat_api::__private::serde::Deserialize, ::chat_api::__private::Tool)]
        #[serde(crate = "::chat_api::__private::serde")]
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

fn unraw(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}
