//! Derive and attribute macros for `chat-api`; use them through `chat_api`,
//! which documents them and re-exports them.

mod ast;
mod attr;
mod case;
mod expand;
mod fallback;
mod func;
mod partial;
mod valid;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Implements `chat_api::Tool` (structs), `chat_api::schema::StrictSchema`
/// and `chat_api::schema::Partial` (structs and enums). Documented on `chat_api::Tool`.
#[proc_macro_derive(Tool, attributes(tool, __chat_api_tool))]
pub fn derive_tool(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}

/// Turns a function into a tool. Documented on `chat_api::tool` (the attribute macro).
#[proc_macro_attribute]
pub fn tool(args: TokenStream, input: TokenStream) -> TokenStream {
    func::expand(args.into(), input.into()).into()
}
