//! A throwaway crate generated from any spec (the whole upstream one, an
//! older one), to prove the generator's output compiles beyond the chat
//! subset. The generated modules are used unchanged; a thin `Client` wrapper
//! gives the endpoint methods the runtime they call.

use std::path::Path;

use quote::quote;

use crate::codegen::{self, Generated};
use crate::settings::{NAMES_FILE, NameTable, Settings};

/// Generates `spec` into a new crate at `dir`, depending on the `chat-api`
/// crate at `chat_api` for its runtime.
pub fn write(spec: &Path, dir: &Path, chat_api: &Path) -> Result<Generated, String> {
    // The chat naming table applies wherever its entries match; a whole
    // upstream spec has many inline schemas it was not written for.
    let settings = Settings {
        names: NameTable::read(&chat_api.join("../../spec").join(NAMES_FILE))?,
        strict: false,
    };
    let generated = codegen::generate_with(spec, &settings)?;
    let src = dir.join("src");
    codegen::write(&generated, &src.join("generated"))?;
    let manifest = format!(
        "[package]\nname = \"scratch-generated\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nchat-api = {{ path = {:?} }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\
         serde_json = \"1\"\nfutures-core = \"0.3\"\n\n[workspace]\n",
        chat_api.display().to_string()
    );
    let lib = quote! {
        //! Generated from a whole OpenAPI spec by `cargo xtask scratch`.
        pub use chat_api::{ChatCompletionStream, Extra, Result, preflight, schema, sse};
        #[doc(hidden)]
        pub use chat_api::__private;

        /// The chat-api client, wrapped so generated endpoints can extend it.
        pub struct Client(pub chat_api::Client);

        impl Client {
            async fn execute<T: serde::de::DeserializeOwned>(&self, call: __private::Call) -> Result<T> {
                self.0.execute(call).await
            }
            async fn execute_unit(&self, call: __private::Call) -> Result<()> {
                self.0.execute_unit(call).await
            }
            async fn execute_stream<S: __private::FromResponse>(&self, call: __private::Call) -> Result<S> {
                self.0.execute_stream(call).await
            }
        }

        #[rustfmt::skip]
        mod generated;
        pub use generated::types;
    };
    let file: syn::File = syn::parse2(lib).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(src.join("lib.rs"), prettyplease::unparse(&file)).map_err(|e| e.to_string())?;
    Ok(generated)
}
