//! Spec descriptions → rustdoc that passes `cargo doc` with `-D warnings`.
//!
//! The spec's Markdown is written for OpenAI's docs site: relative links,
//! bare URLs, `[DONE]`-style brackets, `<placeholders>` and unlabelled code
//! fences. Each would be a rustdoc warning (or a failing doctest), so they
//! are rewritten here.

use crate::ir::Doc;

const DOCS_SITE: &str = "https://platform.openai.com";

/// The doc lines for an item: description (or title), then its default.
pub fn item_doc(doc: &Doc) -> Vec<String> {
    let text = doc
        .description
        .as_deref()
        .or(doc.title.as_deref())
        .unwrap_or("")
        .trim();
    let mut lines = markdown(text);
    if let Some(default) = &doc.default
        && !default.is_null()
    {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        let rendered = serde_json::to_string(default).unwrap_or_default();
        lines.push(format!("Defaults to `{}`.", rendered.replace('`', "'")));
    }
    lines
}

/// Rewrites Markdown line by line, leaving code (fenced or inline) alone.
pub fn markdown(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for raw in text.lines() {
        let trimmed = raw.trim_start();
        if trimmed.starts_with("```") {
            if in_fence {
                out.push("```".to_owned());
            } else {
                // Unlabelled or Rust-looking fences would become doctests.
                out.push("```text".to_owned());
            }
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(raw.trim_end().to_owned());
            continue;
        }
        // Four spaces of indentation start an (untested but warned-about)
        // indented code block in rustdoc; the spec only indents list items.
        let indent = raw.len() - trimmed.len();
        let kept = if indent >= 4 { "  " } else { &raw[..indent] };
        out.push(format!("{kept}{}", inline(trimmed.trim_end())));
    }
    if in_fence {
        out.push("```".to_owned());
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

/// Rewrites one line outside code spans.
fn inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('`') {
            // Copy a code span verbatim (or a lone backtick, escaped).
            match after.find('`') {
                Some(end) => {
                    out.push('`');
                    out.push_str(&after[..=end]);
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str("\\`");
                    rest = after;
                }
            }
            continue;
        }
        if rest.starts_with('[') {
            if let Some((text, url, len)) = link(rest) {
                let url = if url.starts_with('/') {
                    format!("{DOCS_SITE}{url}")
                } else {
                    url.to_owned()
                };
                out.push('[');
                out.push_str(&inline(text));
                out.push_str("](");
                out.push_str(&url);
                out.push(')');
                rest = &rest[len..];
                continue;
            }
            out.push_str("\\[");
            rest = &rest[1..];
            continue;
        }
        if rest.starts_with("https://") || rest.starts_with("http://") {
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, ')' | '>' | '"' | '\'' | ','))
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        match c {
            ']' => out.push_str("\\]"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' if rest.starts_with("**") || rest[1..].starts_with(char::is_alphanumeric) => {
                out.push('*')
            }
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Parses `[text](url)` at the start of `s`: (text, url, bytes consumed).
fn link(s: &str) -> Option<(&str, &str, usize)> {
    let close = s.find("](")?;
    let text = &s[1..close];
    if text.contains('[') || text.contains(']') {
        return None;
    }
    let url_start = close + 2;
    let url_len = s[url_start..].find(')')?;
    let url = &s[url_start..url_start + url_len];
    if url.contains(char::is_whitespace) || url.is_empty() {
        return None;
    }
    Some((text, url, url_start + url_len + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_point_at_the_docs_site() {
        assert_eq!(
            markdown("See the [guide](/docs/guides/x)."),
            ["See the [guide](https://platform.openai.com/docs/guides/x)."]
        );
    }

    #[test]
    fn bare_urls_and_brackets_are_escaped() {
        assert_eq!(
            markdown("Ends with [DONE] at https://x.org/a."),
            ["Ends with \\[DONE\\] at <https://x.org/a>."]
        );
        assert_eq!(markdown("a <b> c"), ["a &lt;b&gt; c"]);
    }

    #[test]
    fn code_is_left_alone_and_fences_are_labelled() {
        assert_eq!(markdown("`metadata[k]=<v>`"), ["`metadata[k]=<v>`"]);
        assert_eq!(
            markdown("```\nfn x() {}\n```"),
            ["```text", "fn x() {}", "```"]
        );
    }

    #[test]
    fn deep_indentation_does_not_start_a_code_block() {
        assert_eq!(markdown("- a\n      - b"), ["- a", "  - b"]);
    }
}
