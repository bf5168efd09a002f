//! The validation keywords of a property schema → [`Constraints`].

use crate::ir::Constraints;
use crate::openapi::{Schema, SchemaObject};

/// The constraints a property's schema (its non-null member, for a nullable
/// one) states directly.
pub(super) fn of(schema: &SchemaObject) -> Constraints {
    Constraints {
        minimum: schema.minimum,
        maximum: schema.maximum,
        min_length: schema.min_length,
        max_length: schema.max_length,
        min_items: schema.min_items,
        max_items: schema.max_items,
    }
}

/// As [`of`], for a schema that may be a bare `true`/`false`.
pub(super) fn of_schema(schema: &Schema) -> Constraints {
    match schema {
        Schema::Object(obj) => of(obj),
        Schema::Bool(_) => Constraints::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ranges_lengths_and_item_counts() {
        let schema: SchemaObject = serde_json::from_value(serde_json::json!({
            "type": "number", "minimum": 0, "maximum": 2,
            "minLength": 1, "maxLength": 64, "minItems": 1, "maxItems": 4
        }))
        .unwrap();
        assert_eq!(
            of(&schema),
            Constraints {
                minimum: Some(0.0),
                maximum: Some(2.0),
                min_length: Some(1),
                max_length: Some(64),
                min_items: Some(1),
                max_items: Some(4),
            }
        );
        assert!(of_schema(&Schema::Bool(true)).is_empty());
    }
}
