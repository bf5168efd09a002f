//! Foreign types through their schemars schema (`--features schemars`).
#![cfg(feature = "schemars")]
#![allow(dead_code)]

use std::borrow::Cow;
use std::net::Ipv4Addr;

use chat_api::Tool;
use serde::Deserialize;
use serde_json::json;

/// A foreign type whose schemars schema uses a format strict mode rejects.
struct Link;

impl schemars::JsonSchema for Link {
    fn schema_name() -> Cow<'static, str> {
        "Link".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "uri"})
    }
}

impl<'de> Deserialize<'de> for Link {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|_| Link)
    }
}

#[derive(Deserialize, Tool)]
struct Server {
    #[tool(schemars)]
    address: Ipv4Addr,
    /// Where to look.
    #[tool(schemars)]
    backup: Option<Ipv4Addr>,
}

#[derive(Deserialize, Tool)]
struct WithLink {
    #[tool(schemars)]
    link: Link,
}

#[test]
fn allowed_format_passes_through() {
    let schema = serde_json::Value::from(Server::parameters().clone());
    assert_eq!(
        schema["properties"]["address"],
        json!({"type": "string", "format": "ipv4"})
    );
    assert!(chat_api::strict::validate(&schema).is_ok(), "{schema}");
}

#[test]
fn disallowed_format_is_made_strict_or_reported() {
    match WithLink::try_parameters() {
        Ok(schema) => {
            let schema = serde_json::Value::from(schema.clone());
            assert!(
                schema["properties"]["link"].get("format").is_none(),
                "{schema}"
            );
            assert!(chat_api::strict::validate(&schema).is_ok(), "{schema}");
        }
        Err(error) => assert!(
            error.to_string().contains("schemars schema of `Link`"),
            "{error}"
        ),
    }
}
