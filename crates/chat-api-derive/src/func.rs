pub fn expand(_args: proc_macro2::TokenStream, input: proc_macro2::TokenStream) -> proc_macro2::TokenStream { input }
