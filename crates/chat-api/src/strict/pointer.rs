//! RFC 6901 JSON pointer building.

/// Appends one reference token to `base`, escaping `~` and `/`.
pub(crate) fn push(base: &str, token: &str) -> String {
    let mut out = String::with_capacity(base.len() + token.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Appends an array index to `base`.
pub(crate) fn push_index(base: &str, index: usize) -> String {
    format!("{base}/{index}")
}

/// Resolves a local `$ref` (`#` or `#/...`) against `root`.
///
/// Only the JSON-pointer form of fragments is understood; percent-encoded
/// fragments are not decoded because schema generators emit plain names.
pub(crate) fn resolve<'a>(
    root: &'a serde_json::Value,
    reference: &str,
) -> Option<&'a serde_json::Value> {
    let fragment = reference.strip_prefix('#')?;
    if fragment.is_empty() {
        return Some(root);
    }
    if !fragment.starts_with('/') {
        return None;
    }
    root.pointer(fragment)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_tilde_and_slash() {
        assert_eq!(push("", "a/b~c"), "/a~1b~0c");
        assert_eq!(push("/x", "~1"), "/x/~01");
        assert_eq!(push_index("/anyOf", 2), "/anyOf/2");
    }
}
