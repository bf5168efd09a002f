//! The generator handles the whole upstream OpenAPI spec (182 paths, 1422
//! schemas) and an older one, not just the chat subset: each is generated
//! into a scratch crate that must pass `cargo check`. Endpoints the client
//! cannot express are reported, never dropped silently.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn generate_and_check(spec_file: &str) {
    let spec = root().join("spec/upstream").join(spec_file);
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let dir = target.join(format!("scratch-{}", spec_file.trim_end_matches(".json")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let generated = xtask::scratch::write(&spec, &dir, &root().join("crates/chat-api"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        generated.ir.types.len() > 900,
        "{spec_file}: only {} types",
        generated.ir.types.len()
    );
    assert!(
        generated.ir.operations.len() > 100,
        "{spec_file}: only {} endpoints",
        generated.ir.operations.len()
    );
    // Multipart uploads exist in both specs and cannot be sent as JSON: they
    // must be listed with a reason.
    let summary = xtask::codegen::summary(&generated, 0, std::time::Instant::now());
    assert!(
        summary.contains("createFile (request body is multipart/form-data"),
        "{summary}"
    );

    let output = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", target.join("scratch-target"))
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{spec_file}: generated crate does not compile:\n{}",
        &stderr[..stderr.len().min(20_000)]
    );
}

#[test]
fn whole_current_upstream_spec_compiles() {
    generate_and_check("openapi.json");
}

#[test]
fn whole_older_upstream_spec_compiles() {
    generate_and_check("openapi-2025-03-21.json");
}
