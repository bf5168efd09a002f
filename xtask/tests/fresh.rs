//! The checked-in generated code is exactly what the checked-in spec gives;
//! fails, naming each stale file with a diff, when someone edits one without
//! the other. (`cargo xtask codegen --check` does the same from the shell.)

use std::path::Path;

use xtask::codegen;

#[test]
fn generated_code_is_fresh() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let generated = codegen::generate(&root.join(codegen::SPEC)).unwrap_or_else(|e| panic!("{e}"));
    let stale = codegen::check(&generated, &root.join(codegen::OUT_DIR));
    let report: Vec<String> = stale
        .iter()
        .map(|s| format!("stale: {}\n{}", s.path.display(), s.diff))
        .collect();
    assert!(
        report.is_empty(),
        "run `cargo xtask codegen`:\n{}",
        report.join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let a = codegen::generate(&root.join(codegen::SPEC)).unwrap_or_else(|e| panic!("{e}"));
    let b = codegen::generate(&root.join(codegen::SPEC)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a.files, b.files);
}
