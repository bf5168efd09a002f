//! Which operations page through results, decided from their shapes.

use crate::ir::*;

/// OpenAI's cursor pagination: a query with a string `after`, a response
/// with `data: [T]`, a boolean `has_more` and a string `last_id`. An
/// operation that streams SSE already owns the `_stream` method name, so it
/// does not also get a paging stream.
pub fn mark(ir: &mut Ir) {
    let found: Vec<Option<Pagination>> = ir
        .operations
        .iter()
        .map(|op| detect(ir, op).filter(|_| op.stream_event.is_none()))
        .collect();
    for (op, pagination) in ir.operations.iter_mut().zip(found) {
        op.pagination = pagination;
    }
}

fn detect(ir: &Ir, op: &Operation) -> Option<Pagination> {
    let query_name = op.query.as_ref()?;
    let TypeKind::Struct(query) = &ir.types.get(query_name)?.kind else {
        return None;
    };
    let Some(Ty::Named(page_name)) = &op.response else {
        return None;
    };
    let TypeKind::Struct(page) = &ir.types.get(page_name)?.kind else {
        return None;
    };
    let field = |s: &Struct, name: &str, ty: &Ty| -> Option<FieldAccess> {
        let f = s
            .fields
            .iter()
            .find(|f| f.json_name == name && f.ty == *ty)?;
        Some(FieldAccess {
            rust_name: f.rust_name.clone(),
            option: f.is_option(),
        })
    };
    let data = page.fields.iter().find(|f| f.json_name == "data")?;
    let Ty::Vec(item) = &data.ty else { return None };
    Some(Pagination {
        item: (**item).clone(),
        page: page_name.clone(),
        query: query_name.clone(),
        data: field(page, "data", &data.ty)?,
        has_more: field(page, "has_more", &Ty::Bool)?,
        last_id: field(page, "last_id", &Ty::String)?,
        after: field(query, "after", &Ty::String)?,
    })
}
