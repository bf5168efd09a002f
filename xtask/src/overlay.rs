//! The spec overlay (`spec/overlay.json`): patches for what the published
//! spec lags behind or gets wrong, applied by `cargo xtask spec` after the
//! extraction, so the checked-in `spec/openapi.json` (what the generator
//! reads and Prism validates against) says what real traffic shows.
//!
//! Each patch is a JSON Patch operation (RFC 6902 `add` or `replace`) on the
//! extracted document, plus `why` and the `evidence` it rests on: a recorded
//! exchange in the repository or a public source. A patch whose target is
//! not where it says stops the extraction, naming the patch.

use serde::Deserialize;
use serde_json::Value;

use crate::openapi::unescape_pointer;

/// The overlay beside the checked-in spec, relative to the workspace root.
pub const OVERLAY: &str = "spec/overlay.json";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    #[serde(default, rename = "$comment")]
    _comment: Option<Value>,
    pub patches: Vec<Patch>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    pub op: Op,
    /// JSON pointer into the extracted spec (RFC 6901, without `#`).
    pub path: String,
    pub value: Value,
    /// What the published spec lacks or contradicts.
    pub why: String,
    /// Where the patch comes from: repository paths of recorded exchanges,
    /// or public sources.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Sets an object member (creating or replacing it); the parent must exist.
    Add,
    /// Replaces a value that must already exist.
    Replace,
}

impl Overlay {
    pub fn parse(text: &str) -> Result<Self, String> {
        let overlay: Overlay =
            serde_json::from_str(text).map_err(|e| format!("not an overlay: {e}"))?;
        for (i, patch) in overlay.patches.iter().enumerate() {
            if patch.evidence.is_empty() {
                return Err(format!("#/patches/{i}: a patch must cite its evidence"));
            }
        }
        Ok(overlay)
    }

    /// Applies every patch in order; errors name the patch (`#/patches/N`).
    pub fn apply(&self, doc: &mut Value) -> Result<usize, String> {
        for (i, patch) in self.patches.iter().enumerate() {
            apply(doc, patch).map_err(|e| format!("#/patches/{i} ({}): {e}", patch.path))?;
        }
        Ok(self.patches.len())
    }
}

fn apply(doc: &mut Value, patch: &Patch) -> Result<(), String> {
    let (parent, last) = match patch.path.rfind('/') {
        Some(i) if patch.path.starts_with('/') => (&patch.path[..i], &patch.path[i + 1..]),
        _ => return Err("the path must be a JSON pointer starting with `/`".to_owned()),
    };
    let key = unescape_pointer(last);
    let target = doc
        .pointer_mut(parent)
        .ok_or_else(|| format!("nothing at `{parent}` in the spec"))?;
    let Value::Object(members) = target else {
        return Err(format!("`{parent}` is not an object"));
    };
    if patch.op == Op::Replace && !members.contains_key(&key) {
        return Err(format!("`replace` needs an existing `{key}` member"));
    }
    members.insert(key, patch.value.clone());
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn overlay(patches: Value) -> Overlay {
        Overlay::parse(&json!({ "patches": patches }).to_string()).unwrap()
    }

    #[test]
    fn add_sets_a_member_and_replace_needs_one() {
        let mut doc = json!({"components": {"schemas": {"A~B": {"properties": {}}}}});
        let patch = |op: &str, name: &str| {
            json!([{"op": op, "path": format!("/components/schemas/A~0B/properties/{name}"),
                    "value": {"type": "string"}, "why": "test", "evidence": ["here"]}])
        };
        overlay(patch("add", "x")).apply(&mut doc).unwrap();
        assert_eq!(
            doc["components"]["schemas"]["A~B"]["properties"]["x"],
            json!({"type": "string"})
        );
        let err = overlay(patch("replace", "y")).apply(&mut doc).unwrap_err();
        assert_eq!(
            err,
            "#/patches/0 (/components/schemas/A~0B/properties/y): `replace` needs an existing `y` member"
        );
    }

    #[test]
    fn a_missing_parent_or_evidence_is_an_error() {
        let mut doc = json!({});
        let err = overlay(
            json!([{"op": "add", "path": "/nope/x", "value": 1, "why": "t", "evidence": ["e"]}]),
        )
        .apply(&mut doc)
        .unwrap_err();
        assert_eq!(err, "#/patches/0 (/nope/x): nothing at `/nope` in the spec");
        let err = Overlay::parse(
            &json!({"patches": [{"op": "add", "path": "/x", "value": 1, "why": "t", "evidence": []}]})
                .to_string(),
        )
        .unwrap_err();
        assert_eq!(err, "#/patches/0: a patch must cite its evidence");
    }
}
