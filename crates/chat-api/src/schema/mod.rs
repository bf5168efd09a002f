//! Strict JSON Schemas for tools and structured outputs.
//!
//! [`Tool`] is implemented by `#[derive(Tool)]` on a struct, or by
//! `#[chat_api::tool]` on a function; [`StrictSchema`] by the same derive on
//! every struct and enum used inside one. Schemas are emitted directly in the
//! dialect OpenAI's strict mode accepts (closed objects, every property
//! required, `Option` as nullable, unions as `anyOf`, recursion through
//! `$defs`), built once per type and cached.
//!
//! # Property order
//!
//! Models write an object's keys in the order its schema lists the
//! properties. A derived schema lists them in declaration order, in
//! `properties` and in `required` (flattened fields where the flatten is,
//! enum variants' fields and `$defs` alike). [`Schema`] writes every
//! object's `properties` in the order of its `required`, so that order
//! reaches the API without serde_json's `preserve_order` feature, which
//! chat-api does not enable (cargo would turn it on for the whole program).
//! Send a schema as a `Schema` ([`Tool::tool`], [`response_format`], the
//! generated `FunctionParameters`): a `serde_json::Value` made from one
//! writes its keys in key order.
//!
//! # Errors at runtime
//!
//! Every shape the derive can see is checked at compile time. What only shows
//! up when the schema is assembled (a map reached through a generic
//! parameter, a foreign schemars schema that cannot be made strict, OpenAI's
//! size limits) is found the first time the schema is built: the `try_`
//! functions return it as a [`SchemaError`], the others panic with its
//! message. Either way the result is cached, so the check runs once. The
//! size limits are checked by the same code as
//! [`strict::validate`](crate::strict::validate), so a derived schema never
//! passes one and fails the other.
//!
//! # What each engine enforces
//!
//! Derived schemas are sent to OpenAI (strict mode) and to the grammar
//! engines of compatible servers; llama.cpp's `llama-server` turns a
//! `response_format` schema into a grammar. They do not honour the same
//! keywords:
//!
//! | keyword (emitted for) | OpenAI strict mode | llama.cpp |
//! | --- | --- | --- |
//! | `$ref: "#/$defs/T"` (recursive types) | yes | yes |
//! | `$ref: "#"` | yes | rejected (400), so never emitted |
//! | `anyOf`, `enum`, `const`, `required`, `additionalProperties: false` | yes | yes |
//! | `minimum`/`maximum` on `integer` (integer widths) | yes | yes |
//! | `minimum`/`maximum` on `number` (`f32`) | yes | ignored |
//! | `pattern` (`char`) | yes | yes, over the raw JSON text |
//! | `format` (`date-time`, `uuid`, …) | yes | only `date`, `time`, `date-time`, `uuid` |
//! | `minItems`/`maxItems` (arrays `[T; N]`) | yes | yes |
//! | `minLength`/`maxLength` | not documented as supported, never emitted | yes |
//!
//! A `char` is a string with the `pattern` `^[^"\\\u0000-\u001F]$`: one
//! character other than `"`, `\` and control characters, which both engines
//! enforce with the same meaning (llama.cpp applies a pattern to the JSON
//! text, where those characters would be escapes). The `f32` bounds hold on
//! OpenAI only: on llama.cpp a number past the `f32` range still
//! deserializes, to infinity.

mod generator;
mod impls;
mod order;
pub mod partial;
#[doc(hidden)]
pub mod private;
#[cfg(feature = "schemars")]
mod schemars_adapter;

use std::fmt;

use crate::types::{
    ChatCompletionTool, FunctionObject, JsonSchemaFormat, ResponseFormat, ResponseFormatJsonSchema,
};

pub use generator::SchemaGenerator;
pub(crate) use order::property_order;
pub use order::{KEYWORD_ORDER, Schema};
pub use partial::{Partial, PartialError, PartialValue, parse_partial};
#[cfg(feature = "schemars")]
pub use schemars_adapter::schemars_schema;

/// Types with a JSON Schema in OpenAI's strict dialect.
///
/// Derived by `#[derive(Tool)]` for structs and enums; implemented here for
/// primitives, strings, `Option`, sequences, sets, arrays and smart pointers.
/// The schema describes exactly what the type's `Deserialize` impl accepts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no strict JSON Schema",
    label = "no `StrictSchema` impl",
    note = "derive `chat_api::Tool` on it; a foreign type with a schemars `JsonSchema` impl \
            can be used with `#[tool(schemars)]` on the field (feature `schemars`)"
)]
pub trait StrictSchema {
    /// Writes this type's schema, registering definitions in `generator`.
    fn strict_schema(generator: &mut SchemaGenerator) -> Schema;
}

/// A tool whose arguments (or a structured output) are `Self`.
///
/// # Example
///
/// ```
/// use chat_api::Tool;
/// use serde::Deserialize;
///
/// /// Get the current weather for a city.
/// #[derive(Deserialize, Tool)]
/// struct GetWeather {
///     /// City name, e.g. "Paris".
///     location: String,
///     unit: Option<Unit>,
/// }
///
/// #[derive(Deserialize, Tool)]
/// #[serde(rename_all = "lowercase")]
/// enum Unit {
///     Celsius,
///     Fahrenheit,
/// }
///
/// assert_eq!(GetWeather::NAME, "get_weather");
/// assert_eq!(GetWeather::description(), Some("Get the current weather for a city."));
/// let parameters = GetWeather::parameters();
/// assert_eq!(parameters["required"], serde_json::json!(["location", "unit"]));
/// assert_eq!(parameters["additionalProperties"], false);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a tool's arguments or a response format",
    note = "derive `chat_api::Tool` on a struct with named fields; strict mode requires the root \
            to be an object, so an enum must be wrapped in a struct field"
)]
pub trait Tool: StrictSchema {
    /// The function name (`^[a-zA-Z0-9_-]{1,64}$`, checked at compile time by the derive).
    const NAME: &'static str;

    /// Whether the tool is sent with `strict: true`.
    const STRICT: bool = true;

    /// The description sent to the model: the doc comment or `#[tool(description = "...")]`.
    fn description() -> Option<&'static str>;

    /// The parameters schema, built on first use and cached.
    ///
    /// # Errors
    ///
    /// Problems found only while building the schema (see the [module docs](self)).
    fn try_parameters() -> Result<&'static Schema, &'static SchemaError>;

    /// The parameters schema, built on first use and cached.
    ///
    /// # Panics
    ///
    /// If [`try_parameters`](Tool::try_parameters) fails: the type cannot be
    /// sent as it is, which is a programming error.
    fn parameters() -> &'static Schema {
        match Self::try_parameters() {
            Ok(schema) => schema,
            Err(error) => panic!("{error}"),
        }
    }

    /// The tool for a request's `tools`, from the cached schema.
    ///
    /// # Errors
    ///
    /// As [`try_parameters`](Tool::try_parameters).
    fn try_tool() -> Result<ChatCompletionTool, &'static SchemaError> {
        Ok(ChatCompletionTool {
            function: FunctionObject {
                description: Self::description().map(str::to_owned),
                name: Self::NAME.to_owned(),
                parameters: Some(Self::try_parameters()?.clone()),
                // Always explicit: Chat Completions is non-strict when omitted.
                strict: Some(Self::STRICT),
            },
        })
    }

    /// The tool for a request's `tools` (`.into()` makes it a tools item).
    ///
    /// # Panics
    ///
    /// As [`parameters`](Tool::parameters).
    fn tool() -> ChatCompletionTool {
        match Self::try_tool() {
            Ok(tool) => tool,
            Err(error) => panic!("{error}"),
        }
    }

    /// Pairs this tool with the code that runs it, for a
    /// [`Toolbox`](crate::Toolbox): a function or closure taking `Self`,
    /// sync or async, returning a [`ToolOutput`](crate::ToolOutput) (a
    /// string, a number, a `Result<impl Serialize, impl Display>`, …). For a
    /// `#[chat_api::tool]` function, pass the generated `call`.
    ///
    /// ```
    /// use chat_api::{Tool, Toolbox};
    /// use serde::Deserialize;
    ///
    /// /// Get the current weather for a city.
    /// #[derive(Deserialize, Tool)]
    /// struct GetWeather {
    ///     location: String,
    /// }
    ///
    /// async fn get_weather(args: GetWeather) -> Result<String, std::io::Error> {
    ///     Ok(format!("22°C in {}", args.location))
    /// }
    ///
    /// /// Look a word up in the dictionary.
    /// #[chat_api::tool]
    /// fn define(word: String) -> String {
    ///     format!("{word}: a word")
    /// }
    ///
    /// let tools = Toolbox::new()
    ///     .with(GetWeather::handler(get_weather))
    ///     .with(DefineArgs::handler(DefineArgs::call));
    /// # assert_eq!(tools.names().collect::<Vec<_>>(), ["get_weather", "define"]);
    /// ```
    fn handler<F, R, M>(handler: F) -> crate::ToolHandler
    where
        Self: serde::de::DeserializeOwned + Sized + 'static,
        F: Fn(Self) -> R + Send + Sync + 'static,
        R: crate::HandlerReturn<M>,
    {
        crate::ToolHandler::new(handler)
    }
}

/// A `response_format` of type `json_schema` whose schema is `T`'s, so the
/// model's reply deserializes into `T`.
///
/// # Errors
///
/// As [`Tool::try_parameters`].
pub fn try_response_format<T: Tool>() -> Result<ResponseFormat, &'static SchemaError> {
    Ok(ResponseFormat::JsonSchema(ResponseFormatJsonSchema {
        json_schema: JsonSchemaFormat {
            description: T::description().map(str::to_owned),
            name: T::NAME.to_owned(),
            schema: Some(T::try_parameters()?.clone()),
            strict: Some(T::STRICT),
        },
    }))
}

/// A `response_format` of type `json_schema` whose schema is `T`'s, so the
/// model's reply deserializes into `T`.
///
/// # Example
///
/// ```
/// use chat_api::Tool;
/// use chat_api::types::CreateChatCompletionRequest;
/// use serde::Deserialize;
///
/// /// A person mentioned in the text.
/// #[derive(Deserialize, Tool)]
/// struct Person {
///     name: String,
///     age: Option<u8>,
/// }
///
/// let request = CreateChatCompletionRequest {
///     response_format: Some(chat_api::response_format::<Person>()),
///     ..Default::default()
/// };
/// let json = serde_json::to_value(&request).unwrap();
/// assert_eq!(json["response_format"]["type"], "json_schema");
/// assert_eq!(json["response_format"]["json_schema"]["name"], "person");
/// assert_eq!(json["response_format"]["json_schema"]["strict"], true);
/// ```
///
/// # Panics
///
/// As [`Tool::parameters`].
pub fn response_format<T: Tool>() -> ResponseFormat {
    match try_response_format::<T>() {
        Ok(format) => format,
        Err(error) => panic!("{error}"),
    }
}

/// Why a schema could not be built: every problem found, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaError {
    type_name: &'static str,
    problems: Vec<String>,
}

impl SchemaError {
    /// The Rust type whose schema failed.
    pub fn type_name(&self) -> &'static str {
        self.type_name
    }

    /// Every problem, one sentence each.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the JSON Schema of `{}` is not valid in OpenAI strict mode",
            self.type_name
        )?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for SchemaError {}
