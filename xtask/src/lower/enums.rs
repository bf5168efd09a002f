//! String enums: variant names and the spec's default.

use super::*;

impl<'a> Lowerer<'a> {
    pub(super) fn string_enum(
        &mut self,
        values: &[&str],
        fallback: Fallback,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<StringEnum> {
        let mut seen = HashMap::new();
        let mut variants = Vec::new();
        for value in values {
            if seen.contains_key(*value) {
                continue;
            }
            let mut rust_name = names::words(value);
            if rust_name == fallback.variant_name() {
                rust_name.push_str("Value");
            }
            if let Some(previous) = seen
                .values()
                .find(|(r, _): &&(String, String)| *r == rust_name)
            {
                return Err(err(
                    pointer,
                    format!(
                        "enum values `{}` and `{value}` both map to variant `{rust_name}`",
                        previous.1
                    ),
                ));
            }
            seen.insert(
                (*value).to_owned(),
                (rust_name.clone(), (*value).to_owned()),
            );
            variants.push(EnumValue {
                value: (*value).to_owned(),
                rust_name,
            });
        }
        let default = schema
            .default
            .as_ref()
            .and_then(Value::as_str)
            .and_then(|d| variants.iter().position(|v| v.value == d))
            .map(EnumDefault::Variant);
        Ok(StringEnum {
            variants,
            fallback,
            default,
        })
    }
}
