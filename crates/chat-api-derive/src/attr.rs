//! Attributes: `#[tool(...)]` (ours) and `#[serde(...)]` (read exactly as
//! serde reads them for deserialization, so the schema matches what serde
//! accepts). Unknown serde keys are skipped, as serde itself validates them.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Lit, LitBool, LitStr, Token, Type};

use crate::case::RenameRule;

/// Errors collected across the whole input, so one compile shows all of them.
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    pub fn error(&mut self, span: Span, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// An error spanning all of `tokens` (a type, a pattern), not just their
    /// first token as `Spanned::span` does on stable.
    pub fn error_spanned(&mut self, tokens: impl quote::ToTokens, message: impl std::fmt::Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    pub fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    pub fn check(self) -> Result<(), syn::Error> {
        let mut errors = self.errors.into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            first.combine(error);
        }
        Err(first)
    }
}

/// A value that may be given once.
struct Once<T> {
    name: &'static str,
    value: Option<T>,
}

impl<T> Once<T> {
    fn new(name: &'static str) -> Self {
        Self { name, value: None }
    }

    fn set(&mut self, cx: &mut Ctxt, span: Span, value: T) {
        if self.value.is_some() {
            cx.error(span, format_args!("duplicate `{}` attribute", self.name));
        } else {
            self.value = Some(value);
        }
    }
}

/// How a field's schema is obtained when it is not `<T as StrictSchema>`.
pub enum SchemaOverride {
    /// `#[tool(schema = Type)]`: the schema of another type.
    Type(Type),
    /// `#[tool(schema_with = path)]`: `fn(&mut SchemaGenerator) -> Schema`.
    With(syn::Path),
    /// `#[tool(schemars)]`: the type's schemars `JsonSchema`, made strict.
    Schemars(Span),
}

pub struct Container {
    pub name: Option<LitStr>,
    pub description: Option<String>,
    pub strict: bool,
    /// Span of a `name`/`description` given on an enum, which cannot be a root.
    pub root_attr: Option<Span>,
    pub doc: Option<String>,
    pub rename_all: Option<RenameRule>,
    pub rename_all_fields: Option<RenameRule>,
    pub tag: Option<String>,
    pub content: Option<String>,
    pub untagged: bool,
    pub transparent: bool,
    pub from: Option<Type>,
}

pub struct FieldAttrs {
    pub rename: Option<String>,
    pub skip: bool,
    pub flatten: Option<Span>,
    /// `deserialize_with`/`with`: what serde accepts is unknown to us.
    pub de_with: Option<Span>,
    pub doc: Option<String>,
    pub description: Option<String>,
    pub schema: Option<SchemaOverride>,
    /// Only on `#[tool]` function parameters.
    pub context: Option<Span>,
    /// Span of the first `description`/`schema*` key, which a context
    /// parameter (not sent to the model) cannot have.
    pub described: Option<Span>,
}

pub struct VariantAttrs {
    pub rename: Option<String>,
    pub rename_all: Option<RenameRule>,
    pub skip: bool,
    pub untagged: bool,
    pub de_with: Option<Span>,
    pub doc: Option<String>,
    pub description: Option<String>,
}

/// The doc comment, with rustdoc's leading space removed and lines joined.
pub fn doc(attrs: &[Attribute]) -> Option<String> {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) = &nv.value
        {
            for line in s.value().lines() {
                lines.push(line.strip_prefix(' ').unwrap_or(line).trim_end().to_owned());
            }
        }
    }
    let text = lines.join("\n");
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Skips the value of a serde key we do not need: `= expr` or `(...)`.
fn skip_value(meta: &ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}

/// `key = "x"` or `key(deserialize = "x", serialize = "y")`: the deserialize side.
fn de_string(meta: &ParseNestedMeta) -> syn::Result<Option<LitStr>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(meta.value()?.parse()?));
    }
    let mut de = None;
    meta.parse_nested_meta(|inner| {
        if inner.path.is_ident("deserialize") {
            de = Some(inner.value()?.parse()?);
        } else {
            skip_value(&inner)?;
        }
        Ok(())
    })?;
    Ok(de)
}

/// An unknown rule is left to serde's derive, which reports it.
fn rename_rule(lit: Option<LitStr>) -> Option<RenameRule> {
    RenameRule::from_str(&lit?.value())
}

fn parse_serde(
    cx: &mut Ctxt,
    attrs: &[Attribute],
    mut each: impl FnMut(&mut Ctxt, &ParseNestedMeta) -> syn::Result<bool>,
) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let result = attr.parse_nested_meta(|meta| {
            if !each(cx, &meta)? {
                skip_value(&meta)?;
            }
            Ok(())
        });
        // A malformed serde attribute is reported by serde's own derive.
        drop(result);
    }
}

fn parse_tool(
    cx: &mut Ctxt,
    attrs: &[Attribute],
    mut each: impl FnMut(&mut Ctxt, &ParseNestedMeta) -> syn::Result<bool>,
    expected: &str,
) {
    // `__chat_api_tool` is what `#[tool]` on a function emits: a user who
    // imported the `tool` attribute macro would make `tool` ambiguous there.
    for attr in attrs
        .iter()
        .filter(|a| a.path().is_ident("tool") || a.path().is_ident("__chat_api_tool"))
    {
        if let syn::Meta::Path(_) = attr.meta {
            cx.error(
                attr.span(),
                format_args!("expected `#[tool(...)]` with one of: {expected}"),
            );
            continue;
        }
        let result = attr.parse_nested_meta(|meta| {
            if each(cx, &meta)? {
                Ok(())
            } else {
                let key = meta
                    .path
                    .get_ident()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                Err(meta.error(format_args!(
                    "unknown tool attribute `{key}`, expected one of: {expected}"
                )))
            }
        });
        if let Err(error) = result {
            cx.syn_error(error);
        }
    }
}

fn lit_str(meta: &ParseNestedMeta) -> syn::Result<LitStr> {
    meta.value()?.parse()
}

pub fn container(cx: &mut Ctxt, attrs: &[Attribute], is_enum: bool) -> Container {
    let mut name = Once::new("name");
    let mut description = Once::new("description");
    let mut strict = Once::new("strict");
    let mut root_attr = None;
    parse_tool(
        cx,
        attrs,
        |cx, meta| {
            let span = meta.path.span();
            if meta.path.is_ident("name") {
                name.set(cx, span, lit_str(meta)?);
                root_attr.get_or_insert(span);
            } else if meta.path.is_ident("description") {
                description.set(cx, span, lit_str(meta)?.value());
                root_attr.get_or_insert(span);
            } else if meta.path.is_ident("strict") {
                strict.set(cx, span, meta.value()?.parse::<LitBool>()?.value);
            } else {
                return Ok(false);
            }
            Ok(true)
        },
        "`name = \"...\"`, `description = \"...\"`, `strict = false`",
    );

    let mut rename_all = Once::new("rename_all");
    let mut rename_all_fields = Once::new("rename_all_fields");
    let mut tag = Once::new("tag");
    let mut content = Once::new("content");
    let mut from = Once::new("from");
    let mut untagged = false;
    let mut transparent = false;
    parse_serde(cx, attrs, |cx, meta| {
        let span = meta.path.span();
        let p = &meta.path;
        if p.is_ident("rename_all") {
            let rule = rename_rule(de_string(meta)?);
            rename_all.set(cx, span, rule);
        } else if p.is_ident("rename_all_fields") {
            let rule = rename_rule(de_string(meta)?);
            rename_all_fields.set(cx, span, rule);
        } else if p.is_ident("tag") {
            tag.set(cx, span, lit_str(meta)?.value());
        } else if p.is_ident("content") {
            content.set(cx, span, lit_str(meta)?.value());
        } else if p.is_ident("untagged") {
            untagged = true;
        } else if p.is_ident("transparent") {
            transparent = true;
        } else if p.is_ident("from") || p.is_ident("try_from") {
            let ty: Type = lit_str(meta)?.parse()?;
            from.set(cx, span, ty);
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    let _ = is_enum;
    Container {
        name: name.value,
        description: description.value,
        strict: strict.value.unwrap_or(true),
        root_attr,
        doc: doc(attrs),
        rename_all: rename_all.value.flatten(),
        rename_all_fields: rename_all_fields.value.flatten(),
        tag: tag.value,
        content: content.value,
        untagged,
        transparent,
        from: from.value,
    }
}

/// `schema`, `schema_with` and `schemars` are three ways to say one thing.
fn set_schema(cx: &mut Ctxt, slot: &mut Once<SchemaOverride>, span: Span, value: SchemaOverride) {
    if slot.value.is_some() {
        cx.error(
            span,
            "only one of `schema = Type`, `schema_with = path` and `schemars` may be given",
        );
    } else {
        slot.value = Some(value);
    }
}

/// Field attributes; `param` allows `#[tool(context)]` (function parameters).
pub fn field(cx: &mut Ctxt, attrs: &[Attribute], param: bool) -> FieldAttrs {
    let mut description = Once::new("description");
    let mut schema = Once::new("schema");
    let mut context = None;
    let mut described = None;
    let expected = if param {
        "`context`, `description = \"...\"`, `schema = Type`, `schema_with = path`, `schemars`"
    } else {
        "`description = \"...\"`, `schema = Type`, `schema_with = path`, `schemars`"
    };
    parse_tool(
        cx,
        attrs,
        |cx, meta| {
            let span = meta.path.span();
            let p = &meta.path;
            if ["description", "schema", "schema_with", "schemars"]
                .iter()
                .any(|key| p.is_ident(key))
            {
                described.get_or_insert(span);
            }
            if p.is_ident("description") {
                description.set(cx, span, lit_str(meta)?.value());
            } else if p.is_ident("schema") {
                let value = meta.value()?;
                // serde writes types as strings; ours are plain tokens, and
                // syn's "expected one of: `for`, parentheses, ..." says little.
                if value.peek(LitStr) {
                    return Err(value.error("`schema` takes a type, not a string: `schema = u32`"));
                }
                let ty: Type = value.parse()?;
                set_schema(cx, &mut schema, span, SchemaOverride::Type(ty));
            } else if p.is_ident("schema_with") {
                let value = meta.value()?;
                if value.peek(LitStr) {
                    return Err(value.error(
                        "`schema_with` takes a path, not a string: `schema_with = my_schema`",
                    ));
                }
                let path: syn::Path = value.parse()?;
                set_schema(cx, &mut schema, span, SchemaOverride::With(path));
            } else if p.is_ident("schemars") {
                set_schema(cx, &mut schema, span, SchemaOverride::Schemars(span));
            } else if param && p.is_ident("context") {
                if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                    // Reported, then treated as a context parameter anyway,
                    // so its (likely borrowed) type does not add an error.
                    cx.syn_error(meta.error("`context` takes no value: write `#[tool(context)]`"));
                    skip_value(meta)?;
                }
                if context.is_some() {
                    cx.error(span, "duplicate `context` attribute");
                }
                context = Some(span);
            } else {
                return Ok(false);
            }
            Ok(true)
        },
        expected,
    );

    let mut rename = Once::new("rename");
    let mut skip = false;
    let mut flatten = None;
    let mut de_with = None;
    parse_serde(cx, attrs, |cx, meta| {
        let span = meta.path.span();
        let p = &meta.path;
        if p.is_ident("rename") {
            if let Some(name) = de_string(meta)? {
                rename.set(cx, span, name.value());
            }
        } else if p.is_ident("skip") || p.is_ident("skip_deserializing") {
            skip = true;
        } else if p.is_ident("flatten") {
            flatten = Some(span);
        } else if p.is_ident("deserialize_with") || p.is_ident("with") {
            de_with = Some(span);
            skip_value(meta)?;
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    FieldAttrs {
        rename: rename.value,
        skip,
        flatten,
        de_with,
        doc: doc(attrs),
        description: description.value,
        schema: schema.value,
        context,
        described,
    }
}

pub fn variant(cx: &mut Ctxt, attrs: &[Attribute]) -> VariantAttrs {
    let mut description = Once::new("description");
    parse_tool(
        cx,
        attrs,
        |cx, meta| {
            if meta.path.is_ident("description") {
                description.set(cx, meta.path.span(), lit_str(meta)?.value());
                Ok(true)
            } else {
                Ok(false)
            }
        },
        "`description = \"...\"`",
    );
    let mut rename = Once::new("rename");
    let mut rename_all = Once::new("rename_all");
    let mut skip = false;
    let mut untagged = false;
    let mut de_with = None;
    parse_serde(cx, attrs, |cx, meta| {
        let span = meta.path.span();
        let p = &meta.path;
        if p.is_ident("rename") {
            if let Some(name) = de_string(meta)? {
                rename.set(cx, span, name.value());
            }
        } else if p.is_ident("rename_all") {
            let rule = rename_rule(de_string(meta)?);
            rename_all.set(cx, span, rule);
        } else if p.is_ident("skip") || p.is_ident("skip_deserializing") {
            skip = true;
        } else if p.is_ident("untagged") {
            untagged = true;
        } else if p.is_ident("deserialize_with") || p.is_ident("with") {
            de_with = Some(span);
            skip_value(meta)?;
        } else {
            return Ok(false);
        }
        Ok(true)
    });
    VariantAttrs {
        rename: rename.value,
        rename_all: rename_all.value.flatten(),
        skip,
        untagged,
        de_with,
        doc: doc(attrs),
        description: description.value,
    }
}
