//! What a schema becomes: a use of an existing type, or a new definition
//! (struct, enum, union, alias), decided one schema at a time.

use super::*;

impl<'a> Lowerer<'a> {
    /// Decides what a (null-stripped) schema is. With `define` false, only
    /// reports whether a definition is needed (cheaply) and returns `Def` with
    /// a placeholder; the caller then defines it under its name.
    pub(super) fn shape(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        pointer: &str,
        define: bool,
    ) -> Result<Shape> {
        if schema.not.is_some() || schema.recursive_ref.is_some() || schema.prefix_items.is_some() {
            self.opaque.push(pointer.to_owned());
            return Ok(Shape::Use(Ty::Value));
        }
        if let Some(reference) = &schema.reference {
            // A component that is only a reference: an alias.
            let (target, _) = self.resolve(reference, pointer)?;
            let rust = self.component_names[target].clone();
            let nullable = self.nullable_components.contains(&rust);
            let ty = Ty::Named(rust);
            return Ok(Shape::Use(if nullable { option(ty) } else { ty }));
        }
        if let Some(members) = &schema.all_of {
            if members.len() == 1 && schema.properties.is_empty() {
                return self.single(
                    name,
                    schema,
                    &members[0],
                    &format!("{pointer}/allOf/0"),
                    define,
                );
            }
            if members.iter().any(|m| self.is_union(m, pointer)) {
                // A union intersected with more properties has no faithful
                // serde shape; it is typed as JSON and listed in the summary.
                self.opaque.push(pointer.to_owned());
                return Ok(Shape::Use(Ty::Value));
            }
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return Ok(Shape::Def(TypeKind::Struct(
                self.merged_struct(name, schema, pointer)?,
            )));
        }
        let branches = schema
            .one_of
            .as_ref()
            .map(|b| ("oneOf", b))
            .or(schema.any_of.as_ref().map(|b| ("anyOf", b)));
        if let Some((keyword, branches)) = branches {
            if branches.len() == 1 {
                return self.single(
                    name,
                    schema,
                    &branches[0],
                    &format!("{pointer}/{keyword}/0"),
                    define,
                );
            }
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return self
                .union(name, schema, keyword, branches, pointer)
                .map(Shape::Def);
        }
        if let Some(values) = &schema.enumeration
            && values.iter().all(Value::is_string)
            && !values.is_empty()
        {
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
            return Ok(Shape::Def(TypeKind::StringEnum(self.string_enum(
                &values,
                Fallback::Unknown,
                schema,
                pointer,
            )?)));
        }
        if let Some(Value::String(value)) = &schema.constant {
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return Ok(Shape::Def(TypeKind::StringEnum(self.string_enum(
                &[value],
                Fallback::Unknown,
                schema,
                pointer,
            )?)));
        }
        let types: Vec<&str> = schema.ty.as_ref().map(|t| t.names()).unwrap_or_default();
        if types.len() > 1 {
            if !define {
                return Ok(Shape::Def(placeholder()));
            }
            return Ok(Shape::Def(
                self.multi_type_union(name, schema, &types, pointer)?,
            ));
        }
        let ty = types.first().copied().or(if !schema.properties.is_empty() {
            Some("object")
        } else if schema.items.is_some() {
            Some("array")
        } else {
            None
        });
        Ok(match ty {
            Some("string") => Shape::Use(Ty::String),
            Some("integer") if is_byte(schema) => Shape::Use(Ty::Byte),
            Some("integer") => Shape::Use(Ty::Integer),
            Some("number") => Shape::Use(Ty::Number),
            Some("boolean") => Shape::Use(Ty::Bool),
            Some("null") | None => Shape::Use(Ty::Value),
            Some("array") => {
                let item = match &schema.items {
                    Some(items) => {
                        self.use_of(items, &format!("{pointer}/items"), &format!("{name}Item"))?
                    }
                    None => Ty::Value,
                };
                Shape::Use(Ty::Vec(Box::new(item)))
            }
            Some("object") => {
                if schema.properties.is_empty() {
                    match &schema.additional_properties {
                        Some(Schema::Object(values)) => {
                            let value = self.use_of(
                                &Schema::Object(values.clone()),
                                &format!("{pointer}/additionalProperties"),
                                &format!("{name}Value"),
                            )?;
                            Shape::Use(if value == Ty::Value {
                                Ty::Object
                            } else {
                                Ty::Map(Box::new(value))
                            })
                        }
                        _ => Shape::Use(Ty::Object),
                    }
                } else if !define {
                    Shape::Def(placeholder())
                } else {
                    Shape::Def(TypeKind::Struct(self.object_struct(name, schema, pointer)?))
                }
            }
            Some(other) => return Err(err(pointer, format!("unsupported type `{other}`"))),
        })
    }

    /// A composition with one member is that member; an inline member keeps
    /// the outer name (and the outer description, which is about the use).
    pub(super) fn single(
        &mut self,
        name: &str,
        outer: &SchemaObject,
        member: &Schema,
        pointer: &str,
        define: bool,
    ) -> Result<Shape> {
        match member {
            Schema::Object(obj) if obj.reference.is_none() => {
                let stripped = self.strip_null(obj);
                let mut inner = stripped.schema.into_owned();
                inner.description = outer.description.clone().or(inner.description);
                let shape = self.shape(name, &inner, pointer, define)?;
                Ok(match shape {
                    Shape::Use(ty) if stripped.nullable => Shape::Use(option(ty)),
                    Shape::Def(_) if stripped.nullable && !define => Shape::Def(placeholder()),
                    shape => shape,
                })
            }
            _ => Ok(Shape::Use(self.use_of(member, pointer, name)?)),
        }
    }

    pub(super) fn is_union(&self, member: &Schema, pointer: &str) -> bool {
        let Some(obj) = member.object() else {
            return false;
        };
        let Ok(obj) = self.deref(obj, pointer) else {
            return false;
        };
        let stripped = self.strip_null(&obj);
        stripped.schema.any_of.as_ref().is_some_and(|b| b.len() > 1)
            || stripped.schema.one_of.as_ref().is_some_and(|b| b.len() > 1)
    }
}

/// An integer bounded to `0..=255`, such as the UTF-8 bytes of a logprob
/// token: typed `u8`, so a value outside the range fails to decode.
fn is_byte(schema: &crate::openapi::SchemaObject) -> bool {
    schema.minimum.is_some_and(|min| min >= 0.0) && schema.maximum.is_some_and(|max| max <= 255.0)
}
