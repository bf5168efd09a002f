//! The checked-in generated code is exactly what the checked-in spec gives;
//! fails, naming each stale file with a diff, when someone edits one without
//! the other. (`cargo xtask codegen --check` does the same from the shell.)

use std::path::Path;

use xtask::codegen;
use xtask::ir::{Ty, TypeKind};

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

/// Every entry of `settings::RUNTIME_TYPES` still names a component of the
/// checked-in spec, which is generated as an alias of the runtime type (the
/// table cannot rot when the spec changes).
#[test]
fn runtime_types_name_components_of_the_spec() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let generated = codegen::generate(&root.join(codegen::SPEC)).unwrap_or_else(|e| panic!("{e}"));
    for (component, path) in xtask::settings::RUNTIME_TYPES {
        let def = generated
            .ir
            .types
            .values()
            .find(|def| def.pointer == format!("#/components/schemas/{component}"))
            .unwrap_or_else(|| panic!("settings::RUNTIME_TYPES: no component `{component}`"));
        assert!(
            matches!(&def.kind, TypeKind::Alias(Ty::Runtime(p)) if p == path),
            "{component}: {:?}",
            def.kind
        );
    }
}

/// `spec/openapi.json` is exactly what `cargo xtask spec` makes of the
/// checked-in upstream document and overlay: neither was edited by hand.
#[test]
fn checked_in_spec_is_the_extraction_of_upstream_plus_overlay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (rendered, _, patches) = xtask::spec::render(
        &root.join(xtask::spec::UPSTREAM),
        &root.join(xtask::overlay::OVERLAY),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(patches > 0);
    let checked_in = std::fs::read_to_string(root.join(codegen::SPEC)).expect("spec/openapi.json");
    assert!(
        rendered == checked_in,
        "spec/openapi.json is stale: run `cargo xtask spec`"
    );
}

/// Every overlay patch cites evidence, and evidence that is a file of this
/// repository exists.
#[test]
fn overlay_evidence_in_the_repository_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join(xtask::overlay::OVERLAY)).expect("overlay");
    let overlay = xtask::overlay::Overlay::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    for patch in &overlay.patches {
        for evidence in &patch.evidence {
            let path = evidence.split(':').next().unwrap_or_default();
            if path.starts_with("tests/") || path.starts_with("spec/") {
                assert!(root.join(path).exists(), "{}: no {path}", patch.path);
            }
        }
    }
}
