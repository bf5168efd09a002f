//! `cargo xtask codegen`: generate, compare, write.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::settings::{MAX_INVENTED_NAME, Settings};
use crate::{analyze, emit, ir, lower, openapi};

/// The checked-in spec, relative to the workspace root.
pub const SPEC: &str = "spec/openapi.json";
/// Where generated code goes, relative to the workspace root.
pub const OUT_DIR: &str = "crates/chat-api/src/generated";

/// The result of generating from one spec, before anything is written.
pub struct Generated {
    pub files: Vec<(String, String)>,
    pub ir: ir::Ir,
}

/// Reads and generates with the naming table beside the spec, if any;
/// writes nothing.
pub fn generate(spec: &Path) -> Result<Generated, String> {
    generate_with(spec, &Settings::beside(spec)?)
}

/// Reads and generates with explicit settings; writes nothing.
pub fn generate_with(spec: &Path, settings: &Settings) -> Result<Generated, String> {
    let text = std::fs::read_to_string(spec).map_err(|e| format!("{}: {e}", spec.display()))?;
    generate_from_str_with(&text, settings).map_err(|e| format!("{}: {e}", spec.display()))
}

/// Generates from spec text, with no naming table.
pub fn generate_from_str(text: &str) -> Result<Generated, String> {
    generate_from_str_with(text, &Settings::default())
}

/// Generates from spec text with `settings`.
pub fn generate_from_str_with(text: &str, settings: &Settings) -> Result<Generated, String> {
    // serde's derived structs also accept a JSON array (fields by position),
    // so `[]` would pass as an empty document and empty every generated file.
    if !text.trim_start().starts_with('{') {
        return Err("not an OpenAPI document: the top level is not a JSON object".to_owned());
    }
    let doc: openapi::Document =
        serde_json::from_str(text).map_err(|e| format!("not an OpenAPI document: {e}"))?;
    let mut ir = lower::lower(&doc, settings).map_err(|e| e.to_string())?;
    analyze::run(&mut ir).map_err(|e| e.to_string())?;
    if settings.strict {
        check_names(&ir, settings)?;
    }
    let files = emit::files(&ir)?;
    Ok(Generated { files, ir })
}

/// The naming table must still match the spec, and no invented name may be
/// longer than [`MAX_INVENTED_NAME`].
fn check_names(ir: &ir::Ir, settings: &Settings) -> Result<(), String> {
    if let Some((pointer, name, holder)) = settings.names.taken().into_iter().next() {
        return Err(format!(
            "names.json{pointer}: `{name}` is already the name of {holder}; choose another"
        ));
    }
    if let Some((pointer, name)) = settings.names.unused().into_iter().next() {
        return Err(format!(
            "names.json{pointer}: the entry for `{name}` matches no schema in the spec; update or remove it"
        ));
    }
    if let Some(def) = ir
        .types
        .values()
        .find(|d| d.origin != ir::NameOrigin::Spec && d.name.len() > MAX_INVENTED_NAME)
    {
        return Err(format!(
            "{}: the generated name `{}` is {} characters long (at most {MAX_INVENTED_NAME}); give it a shorter one in names.json",
            def.pointer,
            def.name,
            def.name.len()
        ));
    }
    Ok(())
}

/// The longest type names the generator invented (not the spec's own), longest first.
pub fn longest_invented_names(ir: &ir::Ir, count: usize) -> Vec<&str> {
    let mut names: Vec<&str> = ir
        .types
        .values()
        .filter(|d| d.origin != ir::NameOrigin::Spec)
        .map(|d| d.name.as_str())
        .collect();
    names.sort_by_key(|n| (std::cmp::Reverse(n.len()), *n));
    names.truncate(count);
    names
}

/// A file whose checked-in content differs from what the spec gives.
pub struct Stale {
    pub path: PathBuf,
    pub diff: String,
}

/// Compares generated files with those on disk.
pub fn check(generated: &Generated, out_dir: &Path) -> Vec<Stale> {
    let mut stale = Vec::new();
    for (name, content) in &generated.files {
        let path = out_dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != *content {
            stale.push(Stale {
                diff: short_diff(&current, content, 40),
                path,
            });
        }
    }
    stale
}

fn short_diff(old: &str, new: &str, max_lines: usize) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("checked in", "generated")
        .to_string();
    let mut out = String::new();
    let total = text.lines().count();
    for line in text.lines().take(max_lines) {
        let _ = writeln!(out, "    {line}");
    }
    if total > max_lines {
        let _ = writeln!(out, "    … {} more diff lines", total - max_lines);
    }
    out
}

/// Writes every file, or none: all contents are staged beside their
/// targets first and renamed into place only once every write succeeded;
/// if a rename still fails, the files already replaced get their previous
/// contents back.
pub fn write(generated: &Generated, out_dir: &Path) -> Result<usize, String> {
    std::fs::create_dir_all(out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    // (staged file, target, the target's previous bytes if it existed)
    let mut staged: Vec<(PathBuf, PathBuf, Option<Vec<u8>>)> = Vec::new();
    for (name, content) in &generated.files {
        let target = out_dir.join(name);
        let previous = std::fs::read(&target).ok();
        if previous.as_deref() == Some(content.as_bytes()) {
            continue;
        }
        let tmp = out_dir.join(format!(".{name}.tmp"));
        if let Err(e) = std::fs::write(&tmp, content) {
            for (tmp, _, _) in &staged {
                let _ = std::fs::remove_file(tmp);
            }
            let _ = std::fs::remove_file(&tmp);
            return Err(format!("{}: {e}", tmp.display()));
        }
        staged.push((tmp, target, previous));
    }
    for (i, (tmp, target, _)) in staged.iter().enumerate() {
        if let Err(e) = std::fs::rename(tmp, target) {
            for (tmp, _, _) in &staged[i..] {
                let _ = std::fs::remove_file(tmp);
            }
            for (_, target, previous) in staged[..i].iter().rev() {
                let _ = match previous {
                    Some(bytes) => std::fs::write(target, bytes),
                    None => std::fs::remove_file(target),
                };
            }
            return Err(format!("{}: {e}", target.display()));
        }
    }
    Ok(staged.len())
}

/// The one-line summary printed after a run.
pub fn summary(generated: &Generated, written: usize, started: Instant) -> String {
    let ir = &generated.ir;
    let streams = ir
        .operations
        .iter()
        .filter(|o| o.stream_event.is_some())
        .count();
    let mut line = format!(
        "codegen: {} types, {} endpoints ({} streaming), {} files written ({} unchanged) in {:.0?}",
        ir.types.len(),
        ir.operations.len(),
        streams,
        written,
        generated.files.len() - written,
        started.elapsed(),
    );
    let longest = longest_invented_names(ir, 3);
    if !longest.is_empty() {
        let _ = write!(line, "; longest invented names: {}", longest.join(", "));
    }
    if !ir.opaque.is_empty() {
        let _ = write!(
            line,
            "; {} schemas typed as serde_json::Value ({})",
            ir.opaque.len(),
            ir.opaque.join(", ")
        );
    }
    if !ir.unsupported.is_empty() {
        let list: Vec<String> = ir
            .unsupported
            .iter()
            .map(|u| format!("{} ({})", u.operation, u.reason))
            .collect();
        let _ = write!(
            line,
            "; {} endpoints not generated: {}",
            list.len(),
            list.join("; ")
        );
    }
    line
}
