//! Paths and operations → endpoint methods, query structs and their
//! request and response types.

use super::*;

impl<'a> Lowerer<'a> {
    pub(super) fn lower_operations(&mut self) -> Result<()> {
        let doc = self.doc;
        for (path, item) in &doc.paths {
            let path_pointer = format!("#/paths/{}", escape_pointer(path));
            for (method, raw) in &item.operations {
                if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                    continue;
                }
                let pointer = format!("{path_pointer}/{method}");
                let op: openapi::Operation = serde_json::from_value(raw.clone())
                    .map_err(|e| err(&pointer, format!("malformed operation: {e}")))?;
                let id = op
                    .operation_id
                    .clone()
                    .ok_or_else(|| err(&pointer, "operation has no operationId"))?;
                let mut params = item.parameters.clone();
                params.extend(op.parameters.iter().cloned());
                match self.lower_operation(&id, method, path, &op, &params, &pointer)? {
                    Ok(operation) => self.operations.push(operation),
                    Err(reason) => self.unsupported.push(Unsupported {
                        operation: id,
                        reason,
                    }),
                }
            }
        }
        Ok(())
    }

    /// Outer error: a broken spec. Inner error: a valid operation the client
    /// cannot express (reported, not generated).
    pub(super) fn lower_operation(
        &mut self,
        id: &str,
        method: &str,
        path: &str,
        op: &openapi::Operation,
        params: &[openapi::Parameter],
        pointer: &str,
    ) -> Result<Result<Operation, String>> {
        let type_base = names::type_name(&names::words(id));
        let mut path_params = Vec::new();
        let mut query_fields = Vec::new();
        for (i, param) in params.iter().enumerate() {
            let param_pointer = format!("{pointer}/parameters/{i}");
            let param = resolve_component(
                &self.doc.components.parameters,
                "parameters",
                param.reference.as_deref(),
                param,
                &param_pointer,
            )?;
            let doc = Doc {
                description: param.description.clone(),
                ..Doc::default()
            };
            match param.location.as_str() {
                "path" => path_params.push(PathParam {
                    json_name: param.name.clone(),
                    rust_name: names::field_name(&param.name),
                    doc,
                }),
                "query" => {
                    let schema = param.schema.clone().unwrap_or(Schema::Bool(true));
                    query_fields.push((
                        param.name.clone(),
                        schema,
                        param.required,
                        doc,
                        format!("{param_pointer}/schema"),
                    ));
                }
                "header" | "cookie" => {
                    if param.required {
                        return Ok(Err(format!(
                            "required {} parameter `{}`",
                            param.location, param.name
                        )));
                    }
                }
                other => {
                    return Err(err(
                        &param_pointer,
                        format!("unknown parameter location `{other}`"),
                    ));
                }
            }
        }
        for segment in path.split('/') {
            if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                && !path_params.iter().any(|p| p.json_name == name)
            {
                return Err(err(
                    pointer,
                    format!("path parameter `{name}` is not declared"),
                ));
            }
        }
        let query = if query_fields.is_empty() {
            None
        } else {
            let name = format!("{type_base}Query");
            self.claim(&name, pointer)?;
            let mut fields = Vec::new();
            for (json_name, schema, required, doc, schema_pointer) in query_fields {
                let hint = format!("{name}{}", names::words(&json_name));
                let ty = self.use_of(&schema, &schema_pointer, &hint)?;
                let (ty, nullable) = match ty {
                    Ty::Option(inner) => (*inner, true),
                    ty => (ty, false),
                };
                let mut doc = doc;
                if let Some(obj) = schema.object() {
                    doc.default = obj.default.clone();
                }
                fields.push(Field {
                    rust_name: names::field_name(&json_name),
                    json_name,
                    ty,
                    required,
                    nullable,
                    doc,
                    deprecated: false,
                    boxed: false,
                    constant: None,
                    absence: Absence::Required,
                    constraints: constraints::of_schema(&schema),
                });
            }
            let doc = Doc {
                description: Some(format!("Query parameters of `{id}`.")),
                ..Doc::default()
            };
            self.insert(
                &name,
                pointer,
                doc,
                false,
                TypeKind::Struct(Struct {
                    fields,
                    tag: None,
                    open: false,
                }),
            )?;
            Some(name)
        };
        let body = match &op.request_body {
            None => None,
            Some(body) => {
                let body_pointer = format!("{pointer}/requestBody");
                let body = resolve_component(
                    &self.doc.components.request_bodies,
                    "requestBodies",
                    body.reference.as_deref(),
                    body,
                    &body_pointer,
                )?;
                match body.content.get("application/json") {
                    Some(media) => match &media.schema {
                        Some(schema) => Some(self.use_of(
                            schema,
                            &format!("{body_pointer}/content/application~1json/schema"),
                            &format!("{type_base}Request"),
                        )?),
                        None => Some(Ty::Value),
                    },
                    None => {
                        let types: Vec<&str> = body.content.keys().map(String::as_str).collect();
                        return Ok(Err(format!(
                            "request body is {} (only application/json is supported)",
                            types.join(", ")
                        )));
                    }
                }
            }
        };
        let mut response = None;
        let mut stream_event = None;
        let mut saw_success = false;
        for (status, resp) in &op.responses {
            if !status.starts_with('2') {
                continue;
            }
            saw_success = true;
            let resp_pointer = format!("{pointer}/responses/{status}");
            let resp = resolve_component(
                &self.doc.components.responses,
                "responses",
                resp.reference.as_deref(),
                resp,
                &resp_pointer,
            )?;
            if resp.content.is_empty() {
                continue;
            }
            for (media_type, media) in &resp.content {
                let schema_pointer = format!(
                    "{resp_pointer}/content/{}/schema",
                    escape_pointer(media_type)
                );
                match media_type.as_str() {
                    "application/json" if response.is_none() => {
                        response = Some(match &media.schema {
                            Some(s) => {
                                self.use_of(s, &schema_pointer, &format!("{type_base}Response"))?
                            }
                            None => Ty::Value,
                        });
                    }
                    "text/event-stream" if stream_event.is_none() => {
                        stream_event = Some(match &media.schema {
                            Some(s) => {
                                self.use_of(s, &schema_pointer, &format!("{type_base}Event"))?
                            }
                            None => Ty::Value,
                        });
                    }
                    _ => {}
                }
            }
            if response.is_none() && stream_event.is_none() {
                let types: Vec<&str> = resp.content.keys().map(String::as_str).collect();
                return Ok(Err(format!(
                    "response body is {} (only application/json and text/event-stream are supported)",
                    types.join(", ")
                )));
            }
        }
        if !saw_success {
            return Ok(Err("no 2xx response declared".to_owned()));
        }
        Ok(Ok(Operation {
            id: id.to_owned(),
            method_name: names::field_name(id),
            http_method: method.to_uppercase(),
            path: path.to_owned(),
            doc: Doc {
                title: op.summary.clone(),
                description: op.description.clone(),
                default: None,
            },
            deprecated: op.deprecated,
            path_params,
            query,
            body,
            response,
            stream_type: stream_event
                .as_ref()
                .and_then(|ty| crate::settings::stream_type(ty))
                .map(str::to_owned),
            stream_event,
            pagination: None,
        }))
    }
}

/// A parameter, request body or response, following its `$ref` into
/// `#/components/<kind>/` if it has one.
fn resolve_component<T: Clone>(
    section: &IndexMap<String, T>,
    kind: &str,
    reference: Option<&str>,
    inline: &T,
    pointer: &str,
) -> Result<T> {
    let Some(reference) = reference else {
        return Ok(inline.clone());
    };
    let name = reference
        .strip_prefix("#/components/")
        .and_then(|rest| rest.strip_prefix(kind))
        .and_then(|rest| rest.strip_prefix('/'))
        .ok_or_else(|| err(pointer, format!("unsupported $ref `{reference}`")))?;
    section
        .get(name)
        .cloned()
        .ok_or_else(|| err(pointer, format!("unresolved $ref `{reference}`")))
}
