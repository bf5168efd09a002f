//! `oneOf`/`anyOf` → tagged unions, untagged unions and open string enums.

use super::*;

impl<'a> Lowerer<'a> {
    pub(super) fn union(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        keyword: &str,
        branches: &[Schema],
        pointer: &str,
    ) -> Result<TypeKind> {
        // `anyOf: [string, enum…]`: an open set of strings with known values.
        if let Some(kind) = self.open_string_enum(branches, schema, pointer)? {
            return Ok(kind);
        }
        let property = schema
            .discriminator
            .as_ref()
            .map(|d| d.property_name.clone());
        if let Some(union) =
            self.tagged_union(name, keyword, branches, property, schema, pointer)?
        {
            return Ok(TypeKind::Union(union));
        }
        // A discriminator no branch set can honour (e.g. a `$recursiveRef`
        // branch) is only a hint in OpenAPI: fall back to trying each branch.
        let mut variants = Vec::new();
        let mut used = HashSet::new();
        for (i, branch) in branches.iter().enumerate() {
            let branch_pointer = format!("{pointer}/{keyword}/{i}");
            let variant_name =
                self.untagged_variant_name(name, branch, &branch_pointer, i, &used)?;
            used.insert(variant_name.clone());
            let ty = self.use_of(branch, &branch_pointer, &format!("{name}{variant_name}"))?;
            let doc = branch.object().map(doc_of).unwrap_or_default();
            variants.push(Variant {
                rust_name: variant_name,
                ty,
                tags: Vec::new(),
                doc,
                boxed: false,
            });
        }
        Ok(TypeKind::Union(Union {
            repr: UnionRepr::Untagged,
            variants,
            default_variant: None,
        }))
    }

    pub(super) fn open_string_enum(
        &mut self,
        branches: &[Schema],
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Option<TypeKind>> {
        let mut open = false;
        let mut values: Vec<String> = Vec::new();
        for branch in branches {
            let Some(obj) = branch.object() else {
                return Ok(None);
            };
            let obj = self.deref(obj, pointer)?;
            let obj = self.strip_null(&obj).schema.into_owned();
            let is_string = matches!(&obj.ty, Some(openapi::SchemaType::One(t)) if t == "string");
            match (&obj.enumeration, &obj.any_of) {
                (Some(e), _) if is_string || obj.ty.is_none() => {
                    if !e.iter().all(Value::is_string) {
                        return Ok(None);
                    }
                    values.extend(e.iter().filter_map(|v| v.as_str().map(str::to_owned)));
                }
                (None, Some(inner)) => match self.open_string_enum(inner, &obj, pointer)? {
                    Some(TypeKind::StringEnum(e)) => {
                        open |= e.fallback == Fallback::Other;
                        values.extend(e.variants.into_iter().map(|v| v.value));
                    }
                    _ => return Ok(None),
                },
                (None, None) if is_string && obj.format.is_none() && obj.properties.is_empty() => {
                    open = true
                }
                _ => return Ok(None),
            }
        }
        if values.is_empty() {
            return Ok(None);
        }
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let fallback = if open {
            Fallback::Other
        } else {
            Fallback::Unknown
        };
        Ok(Some(TypeKind::StringEnum(
            self.string_enum(&refs, fallback, schema, pointer)?,
        )))
    }

    pub(super) fn tagged_union(
        &mut self,
        name: &str,
        keyword: &str,
        branches: &[Schema],
        property: Option<String>,
        schema: &SchemaObject,
        pointer: &str,
    ) -> Result<Option<Union>> {
        // Resolve each branch to the object that describes it.
        let mut resolved = Vec::new();
        for (i, branch) in branches.iter().enumerate() {
            let Some(obj) = branch.object() else {
                return Ok(None);
            };
            let target = self
                .deref(obj, &format!("{pointer}/{keyword}/{i}"))?
                .into_owned();
            let mut props = IndexMap::new();
            let mut required = BTreeSet::new();
            self.collect_properties(
                &Schema::Object(Box::new(target.clone())),
                pointer,
                &mut props,
                &mut required,
                0,
            )
            .ok();
            resolved.push((props, required));
        }
        let candidates: Vec<String> = match &property {
            Some(p) => vec![p.clone()],
            None => resolved
                .first()
                .map(|(props, _)| props.keys().cloned().collect())
                .unwrap_or_default(),
        };
        let mapping: HashMap<String, Vec<String>> = schema
            .discriminator
            .as_ref()
            .map(|d| {
                let mut by_target: HashMap<String, Vec<String>> = HashMap::new();
                for (value, target) in &d.mapping {
                    by_target
                        .entry(target.clone())
                        .or_default()
                        .push(value.clone());
                }
                by_target
            })
            .unwrap_or_default();
        'candidate: for candidate in candidates {
            let mut tags_per_branch = Vec::new();
            for (i, (props, _)) in resolved.iter().enumerate() {
                let from_mapping = branches[i]
                    .object()
                    .and_then(|o| o.reference.as_ref())
                    .and_then(|r| mapping.get(r))
                    .cloned();
                let values = match (from_mapping, props.get(&candidate)) {
                    (Some(values), _) => values,
                    (None, Some((prop, _))) => match self.string_values(prop) {
                        Some(values) => values,
                        None => continue 'candidate,
                    },
                    (None, None) => continue 'candidate,
                };
                tags_per_branch.push(values);
            }
            let mut all = HashSet::new();
            if !tags_per_branch
                .iter()
                .flatten()
                .all(|t| all.insert(t.clone()))
            {
                continue;
            }
            let mut variants = Vec::new();
            let mut used = HashSet::new();
            for (i, (branch, tags)) in branches.iter().zip(tags_per_branch).enumerate() {
                let branch_pointer = format!("{pointer}/{keyword}/{i}");
                let mut variant_name = match self.table.variant_name(&branch_pointer) {
                    Some(renamed) => renamed.to_owned(),
                    None => names::words(&tags[0]),
                };
                if !used.insert(variant_name.clone()) {
                    variant_name.push_str(&i.to_string());
                }
                let ty = self.use_of(branch, &branch_pointer, &format!("{name}{variant_name}"))?;
                let doc = branch.object().map(doc_of).unwrap_or_default();
                variants.push(Variant {
                    rust_name: variant_name,
                    ty,
                    tags,
                    doc,
                    boxed: false,
                });
            }
            return Ok(Some(Union {
                repr: UnionRepr::Tagged {
                    property: candidate,
                },
                variants,
                default_variant: None,
            }));
        }
        Ok(None)
    }

    /// The string values a property may take, if it is a string enum/const.
    pub(super) fn string_values(&self, schema: &Schema) -> Option<Vec<String>> {
        let obj = schema.object()?;
        let obj = self.deref(obj, "").ok()?;
        if let Some(Value::String(v)) = &obj.constant {
            return Some(vec![v.clone()]);
        }
        let values = obj.enumeration.as_ref()?;
        values
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect()
    }

    /// The naming table's choice, else the branch's title, component name or
    /// kind, without the words it repeats from the union's own name
    /// (`ChatCompletionToolChoiceOption::Named`, not
    /// `::ChatCompletionNamedToolChoice`).
    pub(super) fn untagged_variant_name(
        &self,
        union: &str,
        branch: &Schema,
        pointer: &str,
        index: usize,
        used: &HashSet<String>,
    ) -> Result<String> {
        if let Some(renamed) = self.table.variant_name(pointer) {
            return Ok(renamed.to_owned());
        }
        let base = match branch {
            Schema::Bool(_) => "Any".to_owned(),
            Schema::Object(obj) => {
                if let Some(title) = &obj.title {
                    match self.table.title_name(title) {
                        Some(renamed) => return Ok(renamed.to_owned()),
                        None => names::words(title),
                    }
                } else if let Some(reference) = &obj.reference {
                    let (target, _) = self.resolve(reference, pointer)?;
                    self.component_names[target].clone()
                } else {
                    let stripped = self.strip_null(obj);
                    kind_name(&stripped.schema)
                }
            }
        };
        let base = names::without_words_of(&base, union);
        let mut name = base.clone();
        if used.contains(&name) {
            name = format!("{base}{}", index + 1);
        }
        Ok(name)
    }

    pub(super) fn multi_type_union(
        &mut self,
        name: &str,
        schema: &SchemaObject,
        types: &[&str],
        pointer: &str,
    ) -> Result<TypeKind> {
        let mut variants = Vec::new();
        for t in types {
            let mut single = schema.clone();
            single.ty = Some(openapi::SchemaType::One((*t).to_owned()));
            let variant_name = names::words(t);
            let ty = self.use_of_stripped(&single, pointer, &format!("{name}{variant_name}"))?;
            variants.push(Variant {
                rust_name: variant_name,
                ty,
                tags: Vec::new(),
                doc: Doc::default(),
                boxed: false,
            });
        }
        Ok(TypeKind::Union(Union {
            repr: UnionRepr::Untagged,
            variants,
            default_variant: None,
        }))
    }
}
