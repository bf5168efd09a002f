//! `$ref` resolution and nullability: following references to the schema
//! that describes a shape, and taking every spelling of "or null" off it.

use std::borrow::Cow;

use super::*;

impl<'a> Lowerer<'a> {
    /// Resolves a `$ref` to a component schema: (spec name, schema).
    pub(super) fn resolve(&self, reference: &str, pointer: &str) -> Result<(&'a str, &'a Schema)> {
        let name = reference.strip_prefix(SCHEMA_PREFIX).ok_or_else(|| {
            err(
                pointer,
                format!("unsupported $ref `{reference}`: only {SCHEMA_PREFIX}* is handled"),
            )
        })?;
        let name = unescape_pointer(name);
        self.doc
            .components
            .schemas
            .get_key_value(&name)
            .map(|(k, v)| (k.as_str(), v))
            .ok_or_else(|| err(pointer, format!("unresolved $ref `{reference}`")))
    }

    /// Follows `$ref`s (chains of them too) to the schema object that
    /// describes the shape.
    pub(super) fn deref<'s>(
        &self,
        schema: &'s SchemaObject,
        pointer: &str,
    ) -> Result<Cow<'s, SchemaObject>>
    where
        'a: 's,
    {
        let mut current = Cow::Borrowed(schema);
        for _ in 0..64 {
            if let Some(reference) = &current.reference {
                let (_, target) = self.resolve(reference, pointer)?;
                match target {
                    Schema::Object(obj) => current = Cow::Borrowed(obj.as_ref()),
                    Schema::Bool(_) => return Ok(Cow::Owned(SchemaObject::default())),
                }
                continue;
            }
            return Ok(current);
        }
        Err(err(
            pointer,
            "$ref chain does not end (cycle of bare references)",
        ))
    }

    /// Takes every spelling of "or null" off a schema.
    pub(super) fn strip_null<'s>(&self, schema: &'s SchemaObject) -> Stripped<'s> {
        let mut nullable = schema.nullable;
        let mut out = Cow::Borrowed(schema);
        if let Some(openapi::SchemaType::Many(types)) = &schema.ty
            && types.iter().any(|t| t == "null")
        {
            nullable = true;
            let rest: Vec<String> = types.iter().filter(|t| *t != "null").cloned().collect();
            let owned = out.to_mut();
            owned.ty = match rest.len() {
                0 => None,
                1 => Some(openapi::SchemaType::One(rest[0].clone())),
                _ => Some(openapi::SchemaType::Many(rest)),
            };
        }
        if let Some(openapi::SchemaType::One(t)) = &schema.ty
            && t == "null"
            && schema.properties.is_empty()
        {
            nullable = true;
            out.to_mut().ty = None;
        }
        // OpenAPI 3.0 idiom: `allOf: [{$ref: X}, {nullable: true}]`. Members
        // that only annotate (no shape) are dropped; their `nullable` counts.
        if let Some(members) = &schema.all_of
            && members
                .iter()
                .any(|m| m.object().is_some_and(is_annotation_only))
        {
            nullable |= members.iter().any(|m| {
                m.object()
                    .is_some_and(|o| is_annotation_only(o) && o.nullable)
            });
            let rest: Vec<Schema> = members
                .iter()
                .filter(|m| !m.object().is_some_and(is_annotation_only))
                .cloned()
                .collect();
            out.to_mut().all_of = Some(rest);
        }
        for which in [0, 1] {
            let branches = if which == 0 { &out.any_of } else { &out.one_of };
            let Some(branches) = branches else { continue };
            if !branches.iter().any(is_null_schema) {
                continue;
            }
            nullable = true;
            let rest: Vec<Schema> = branches
                .iter()
                .filter(|b| !is_null_schema(b))
                .cloned()
                .collect();
            let owned = out.to_mut();
            let slot = if which == 0 {
                &mut owned.any_of
            } else {
                &mut owned.one_of
            };
            if rest.len() == 1 {
                *slot = None;
                // Merge the single remaining branch into the outer schema,
                // keeping the outer annotations (they describe the property).
                if let Schema::Object(inner) = &rest[0] {
                    let mut merged = (**inner).clone();
                    merged.description = owned.description.clone().or(merged.description);
                    merged.title = owned.title.clone().or(merged.title);
                    merged.default = owned.default.clone().or(merged.default);
                    merged.deprecated |= owned.deprecated;
                    merged.nullable |= owned.nullable;
                    *owned = merged;
                    // The merged branch may itself be nullable.
                    let again = self.strip_null(owned);
                    let mut schema = again.schema;
                    self.strip_branch_nulls(&mut schema);
                    let schema = schema.into_owned();
                    return Stripped {
                        schema: Cow::Owned(schema),
                        nullable: true,
                    };
                }
            } else {
                *slot = Some(rest);
            }
        }
        if nullable && out.nullable {
            out.to_mut().nullable = false;
        }
        if nullable {
            self.strip_branch_nulls(&mut out);
        }
        Stripped {
            schema: out,
            nullable,
        }
    }

    /// Once null is taken off a union as a whole, a branch that also admits
    /// null says nothing more: the use site is already an `Option`, so
    /// `StopConfiguration::String` holds a `String`, not an `Option<String>`.
    pub(super) fn strip_branch_nulls(&self, schema: &mut Cow<'_, SchemaObject>) {
        let nullable_branch = |b: &Schema| {
            b.object()
                .is_some_and(|o| o.reference.is_none() && self.strip_null(o).nullable)
        };
        for which in [0, 1] {
            let branches = if which == 0 {
                &schema.any_of
            } else {
                &schema.one_of
            };
            let Some(branches) = branches else { continue };
            if !branches.iter().any(nullable_branch) {
                continue;
            }
            let stripped: Vec<Schema> = branches
                .iter()
                .map(|b| match b.object() {
                    Some(o) if o.reference.is_none() => {
                        Schema::Object(Box::new(self.strip_null(o).schema.into_owned()))
                    }
                    _ => b.clone(),
                })
                .collect();
            let owned = schema.to_mut();
            if which == 0 {
                owned.any_of = Some(stripped);
            } else {
                owned.one_of = Some(stripped);
            }
        }
    }
}
