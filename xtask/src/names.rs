//! Rust names for spec names: types, fields, variants and methods.

use heck::{ToSnakeCase, ToUpperCamelCase};

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Identifiers that cannot be raw identifiers either.
const RESERVED: &[&str] = &["self", "Self", "super", "crate", "_"];

/// A type name: schema names that are already valid Rust type names are kept
/// verbatim (so `OpenAIFile` stays `OpenAIFile`, matching the spec); anything
/// else is converted to UpperCamelCase.
pub fn type_name(spec_name: &str) -> String {
    let valid = spec_name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_uppercase())
        && spec_name.chars().all(|c| c.is_ascii_alphanumeric());
    if valid {
        spec_name.to_owned()
    } else {
        words(spec_name)
    }
}

/// A variant or inline-type name part from an arbitrary string
/// (`"chat.completion"` → `ChatCompletion`, `"gpt-4.1-mini"` → `Gpt4_1Mini`).
///
/// Digit groups that the source separated stay separated by `_`, so distinct
/// model ids never collapse into one name.
pub fn words(s: &str) -> String {
    let mut out = String::new();
    for segment in s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|s| !s.is_empty())
    {
        let part = segment.to_upper_camel_case();
        if out.ends_with(|c: char| c.is_ascii_digit())
            && part.starts_with(|c: char| c.is_ascii_digit())
        {
            out.push('_');
        }
        out.push_str(&part);
    }
    if out.is_empty() {
        return "Empty".to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `name` without the CamelCase words that also occur in `context`, so a
/// variant does not repeat its enum (`ChatCompletionNamedToolChoice` in
/// `ChatCompletionToolChoiceOption` → `Named`). Keeps `name` whole when
/// nothing, or only a digit-led rest, would remain.
pub fn without_words_of(name: &str, context: &str) -> String {
    let theirs: Vec<&str> = camel_words(context);
    let rest: String = camel_words(name)
        .into_iter()
        .filter(|w| !theirs.contains(w))
        .collect();
    if rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit()) {
        name.to_owned()
    } else {
        rest
    }
}

/// Splits an UpperCamelCase name into its words (`ToolChoice2` → `Tool`, `Choice2`).
fn camel_words(name: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&name[start..i]);
            start = i;
        }
    }
    if !name.is_empty() {
        words.push(&name[start..]);
    }
    words
}

/// A field, parameter or method name (snake_case, keywords made raw).
pub fn field_name(spec_name: &str) -> String {
    let mut name = spec_name
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
        .to_snake_case();
    if name.is_empty() {
        name = "field".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    if RESERVED.contains(&name.as_str()) {
        name.push('_');
    } else if KEYWORDS.contains(&name.as_str()) {
        name.insert_str(0, "r#");
    }
    name
}

/// The name as it is spelled on the wire by serde (a raw identifier's `r#` stripped).
pub fn unraw(name: &str) -> &str {
    name.strip_prefix("r#").unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_keep_spec_spelling() {
        assert_eq!(type_name("OpenAIFile"), "OpenAIFile");
        assert_eq!(type_name("chat.completion"), "ChatCompletion");
        assert_eq!(type_name("Foo_Bar"), "FooBar");
    }

    #[test]
    fn words_separate_digit_groups() {
        assert_eq!(words("gpt-4.1-mini"), "Gpt4_1Mini");
        assert_eq!(words("gpt-41-mini"), "Gpt41Mini");
        assert_eq!(words("gpt-4o"), "Gpt4o");
        assert_eq!(words("1024x1024"), "V1024x1024");
        assert_eq!(words(""), "Empty");
        assert_eq!(words("in_progress"), "InProgress");
    }

    #[test]
    fn variants_drop_the_words_of_their_enum() {
        let union = "ChatCompletionToolChoiceOption";
        assert_eq!(
            without_words_of("ChatCompletionNamedToolChoice", union),
            "Named"
        );
        assert_eq!(
            without_words_of("ChatCompletionNamedToolChoiceCustom", union),
            "NamedCustom"
        );
        assert_eq!(
            without_words_of("ChatCompletionAllowedToolsChoice", union),
            "AllowedTools"
        );
        assert_eq!(without_words_of("ToolChoiceMode", union), "Mode");
        // Nothing would be left: the name stays whole.
        assert_eq!(without_words_of("ToolChoice", union), "ToolChoice");
        assert_eq!(without_words_of("String", "StopConfiguration"), "String");
    }

    #[test]
    fn field_names_escape_keywords() {
        assert_eq!(field_name("type"), "r#type");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("logitBias"), "logit_bias");
        assert_eq!(field_name("1st"), "_1st");
        assert_eq!(field_name("a.b-c"), "a_b_c");
    }
}
