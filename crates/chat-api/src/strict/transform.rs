//! Rewriting general schemas into the strict dialect.

use serde_json::Value;

use super::Violations;

/// Placeholder.
pub fn transform(schema: Value) -> Result<Value, Violations> {
    super::validate(&schema)?;
    Ok(schema)
}
