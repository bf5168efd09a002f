//! Objects and `allOf` merges → structs with one field per property.

use super::*;

impl<'a> Lowerer<'a> {
    pub(super) fn object_struct(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Struct> {
        let props: Vec<(String, Schema, String)> = schema
            .properties
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.clone(),
                    format!("{pointer}/properties/{}", escape_pointer(k)),
                )
            })
            .collect();
        let required: BTreeSet<String> = schema.required.iter().cloned().collect();
        let mut built = self.build_struct(name, &props, &required, pointer)?;
        built.open = allows_unknown(schema);
        Ok(built)
    }

    /// `allOf` → one struct holding every member's properties, in order.
    pub(super) fn merged_struct(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Struct> {
        let mut props: IndexMap<String, (Schema, String)> = IndexMap::new();
        let mut required: BTreeSet<String> = schema.required.iter().cloned().collect();
        let members = schema.all_of.as_deref().unwrap_or_default();
        for (i, member) in members.iter().enumerate() {
            let member_pointer = format!("{pointer}/allOf/{i}");
            self.collect_properties(member, &member_pointer, &mut props, &mut required, 0)
                .map_err(|e| {
                    err(
                        &member_pointer,
                        format!("in allOf at {pointer}: {}", e.message),
                    )
                })?;
        }
        for (k, v) in &schema.properties {
            props.insert(
                k.clone(),
                (
                    v.clone(),
                    format!("{pointer}/properties/{}", escape_pointer(k)),
                ),
            );
        }
        let props: Vec<(String, Schema, String)> =
            props.into_iter().map(|(k, (s, p))| (k, s, p)).collect();
        self.build_struct(name, &props, &required, pointer)
    }

    pub(super) fn collect_properties(
        &self,
        member: &Schema,
        pointer: &str,
        props: &mut IndexMap<String, (Schema, String)>,
        required: &mut BTreeSet<String>,
        depth: usize,
    ) -> Result<()> {
        if depth > 32 {
            return Err(err(pointer, "allOf nesting too deep (cycle?)"));
        }
        let Schema::Object(obj) = member else {
            return Ok(());
        };
        let (obj, base) = match &obj.reference {
            Some(reference) => {
                let (target, schema) = self.resolve(reference, pointer)?;
                let Schema::Object(target_obj) = schema else {
                    return Ok(());
                };
                (
                    target_obj.as_ref(),
                    format!("{SCHEMA_PREFIX}{}", escape_pointer(target)),
                )
            }
            None => (obj.as_ref(), pointer.to_owned()),
        };
        if let Some(members) = &obj.all_of {
            for (i, m) in members.iter().enumerate() {
                self.collect_properties(
                    m,
                    &format!("{base}/allOf/{i}"),
                    props,
                    required,
                    depth + 1,
                )?;
            }
        }
        if obj.any_of.is_some() || obj.one_of.is_some() {
            let stripped = self.strip_null(obj);
            if stripped.schema.any_of.is_some() || stripped.schema.one_of.is_some() {
                return Err(err(
                    &base,
                    "allOf member is a union; merging it into a struct is not supported",
                ));
            }
        }
        for (k, v) in &obj.properties {
            props.insert(
                k.clone(),
                (
                    v.clone(),
                    format!("{base}/properties/{}", escape_pointer(k)),
                ),
            );
        }
        required.extend(obj.required.iter().cloned());
        Ok(())
    }

    pub(super) fn build_struct(
        &mut self,
        name: &str,
        props: &[(String, Schema, String)],
        required: &BTreeSet<String>,
        pointer: &str,
    ) -> Result<Struct> {
        let mut fields = Vec::new();
        let mut rust_names: HashMap<String, String> = HashMap::new();
        for (json_name, schema, prop_pointer) in props {
            let is_required = required.contains(json_name);
            let constant = if is_required {
                self.single_value(schema)
            } else {
                None
            };
            let rust_name = names::field_name(json_name);
            if let Some(previous) = rust_names.insert(rust_name.clone(), json_name.clone()) {
                return Err(err(
                    prop_pointer,
                    format!(
                        "name clash: properties `{previous}` and `{json_name}` both map to field `{rust_name}`"
                    ),
                ));
            }
            // A property merged in from another component (through `allOf`)
            // is named after that component, so it is one type wherever it
            // is merged, not one copy per merging struct.
            let owner = if prop_pointer.starts_with(&format!("{pointer}/")) {
                name.to_owned()
            } else {
                self.owning_component(prop_pointer)
                    .unwrap_or_else(|| name.to_owned())
            };
            let hint = format!("{owner}{}", names::words(json_name));
            let (ty, nullable, doc, deprecated, constraints) = match schema {
                Schema::Object(obj) => {
                    let stripped = self.strip_null(obj);
                    let ty = self.use_of_stripped(&stripped.schema, prop_pointer, &hint)?;
                    let (ty, nullable) = match ty {
                        Ty::Option(inner) => (*inner, true),
                        ty => (ty, stripped.nullable),
                    };
                    (
                        ty,
                        nullable,
                        doc_of(&stripped.schema),
                        stripped.schema.deprecated,
                        constraints::of(&stripped.schema),
                    )
                }
                Schema::Bool(_) => (Ty::Value, false, Doc::default(), false, Default::default()),
            };
            fields.push(Field {
                json_name: json_name.clone(),
                rust_name,
                ty,
                required: is_required,
                nullable,
                doc,
                deprecated,
                boxed: false,
                constant,
                absence: Absence::Required,
                constraints,
            });
        }
        // Required fields first: a reader (and a struct literal) meets
        // `messages` and `model` before forty optional knobs merged in from
        // base schemas. The sort is stable, so the spec's order holds within
        // each group.
        fields.sort_by_key(|f| !f.required);
        Ok(Struct {
            fields,
            tag: None,
            open: false,
        })
    }

    /// The one string a property can hold (`enum: [x]`, `const: x`), if so.
    pub(super) fn single_value(&self, schema: &Schema) -> Option<String> {
        let obj = schema.object()?;
        let obj = self.deref(obj, "").ok()?;
        if obj.nullable {
            return None;
        }
        if let Some(Value::String(v)) = &obj.constant {
            return Some(v.clone());
        }
        match obj.enumeration.as_deref() {
            Some([Value::String(v)]) => Some(v.clone()),
            _ => None,
        }
    }
}

/// `additionalProperties: true`: the schema invites properties it does not
/// list, so the struct keeps them.
fn allows_unknown(schema: &SchemaObject) -> bool {
    matches!(schema.additional_properties, Some(Schema::Bool(true)))
}
