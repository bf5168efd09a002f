//! Foreign types with a schemars `JsonSchema` impl (chrono, uuid, url via
//! schemars' features), used with `#[tool(schemars)]` on a field. Their
//! schema is rewritten into the strict dialect by [`crate::strict::transform`]
//! or every problem is reported when the tool's schema is first built.

use serde_json::{Value, json};

use super::{Schema, SchemaGenerator};

/// `T`'s schemars schema, made strict (or the problems recorded in `generator`).
pub fn schemars_schema<T: schemars::JsonSchema + ?Sized>(
    generator: &mut SchemaGenerator,
) -> Schema {
    let settings = schemars::generate::SchemaSettings::draft2020_12()
        .for_deserialize()
        .with(|s| {
            // Inline everything: the foreign schema's `$defs` would otherwise have
            // to be merged into ours.
            s.inline_subschemas = true;
        });
    let schema = settings
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value();
    let Value::Object(mut schema) = schema else {
        generator.error(format!(
            "the schemars schema of `{}` is not an object",
            T::schema_name()
        ));
        return Schema::new();
    };
    for key in ["$schema", "title", "$defs", "definitions"] {
        schema.remove(key);
    }
    if !generator.is_strict() {
        return schema.into();
    }
    // The transform wants an object root; wrap the field's schema in one.
    let wrapped = json!({"type": "object", "properties": {"value": schema}, "required": ["value"], "additionalProperties": false});
    match crate::strict::transform(wrapped) {
        Ok(Value::Object(mut root)) => match root
            .get_mut("properties")
            .and_then(|p| p.get_mut("value"))
            .map(Value::take)
        {
            Some(Value::Object(strict)) => strict.into(),
            _ => Schema::new(),
        },
        Ok(_) => Schema::new(),
        Err(violations) => {
            for violation in violations.iter() {
                let pointer = violation
                    .pointer()
                    .strip_prefix("/properties/value")
                    .unwrap_or(violation.pointer());
                generator.error(format!(
                    "the schemars schema of `{}` cannot be made strict: {} (at `{pointer}`)",
                    T::schema_name(),
                    violation.message()
                ));
            }
            Schema::new()
        }
    }
}
