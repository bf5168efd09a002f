//! Properties of the generator's output as a whole: it depends only on the
//! spec, and writing it never leaves a half-updated directory behind.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use xtask::codegen::{self, Generated};

fn real_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(codegen::SPEC)
}

#[test]
fn generating_twice_gives_identical_files() {
    // The lowering uses hash maps, each seeded differently; the real spec
    // exercises every rule at once, so any order leaking from one shows here.
    let first = codegen::generate(&real_spec()).expect("the checked-in spec generates");
    let second = codegen::generate(&real_spec()).expect("the checked-in spec generates");
    let names = |g: &Generated| g.files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&first), names(&second));
    for ((name, a), (_, b)) in first.files.iter().zip(&second.files) {
        assert!(a == b, "{name} differs between two runs");
    }
}

/// A fresh, empty directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("xtask-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn small() -> Generated {
    let doc = serde_json::json!({
        "paths": {},
        "components": { "schemas": { "Thing": { "type": "object", "properties": { "id": { "type": "string" } } } } }
    });
    codegen::generate_from_str(&doc.to_string()).expect("generates")
}

/// Fills `dir` with an old version of every generated file.
fn write_old(generated: &Generated, dir: &Path) {
    for (name, _) in &generated.files {
        std::fs::write(dir.join(name), format!("old {name}\n")).expect("write old file");
    }
}

fn assert_old(generated: &Generated, dir: &Path, except: &str) {
    for (name, _) in &generated.files {
        if name == except {
            continue;
        }
        let content =
            std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            content,
            format!("old {name}\n"),
            "{name} was changed although the write failed"
        );
    }
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("read temp dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect()
}

#[test]
fn write_replaces_and_reports_changed_files() {
    let generated = small();
    let dir = TempDir::new("write");
    write_old(&generated, &dir.0);
    let written = codegen::write(&generated, &dir.0).expect("write succeeds");
    assert_eq!(written, generated.files.len());
    for (name, content) in &generated.files {
        assert_eq!(&std::fs::read_to_string(dir.0.join(name)).unwrap(), content);
    }
    assert_eq!(
        codegen::write(&generated, &dir.0),
        Ok(0),
        "unchanged files are not rewritten"
    );
    assert!(codegen::check(&generated, &dir.0).is_empty());
    assert!(leftovers(&dir.0).is_empty(), "{:?}", leftovers(&dir.0));
}

#[test]
fn failed_rename_leaves_every_file_as_it_was() {
    let generated = small();
    let dir = TempDir::new("rename");
    write_old(&generated, &dir.0);
    // The last file's target is a directory: staging succeeds, but renaming
    // onto it fails after the other files have been moved into place.
    let last = generated.files.last().map(|(n, _)| n.clone()).unwrap();
    std::fs::remove_file(dir.0.join(&last)).unwrap();
    std::fs::create_dir(dir.0.join(&last)).unwrap();
    std::fs::write(dir.0.join(&last).join("keep"), "").unwrap();

    let error = codegen::write(&generated, &dir.0).expect_err("renaming onto a directory fails");
    assert!(
        error.contains(&last),
        "the error should name the failing file: {error}"
    );
    assert_old(&generated, &dir.0, &last);
    assert!(
        leftovers(&dir.0).is_empty(),
        "staged files left behind: {:?}",
        leftovers(&dir.0)
    );
}

#[test]
fn failed_staging_leaves_every_file_as_it_was() {
    let generated = small();
    let dir = TempDir::new("stage");
    write_old(&generated, &dir.0);
    // The last file's staging path is taken by a directory, so writing it fails.
    let last = generated.files.last().map(|(n, _)| n.clone()).unwrap();
    let blocker = dir.0.join(format!(".{last}.tmp"));
    std::fs::create_dir(&blocker).unwrap();

    let error = codegen::write(&generated, &dir.0).expect_err("staging onto a directory fails");
    assert!(error.contains(&format!(".{last}.tmp")), "{error}");
    assert_old(&generated, &dir.0, "");
    std::fs::remove_dir(&blocker).unwrap();
    assert!(
        leftovers(&dir.0).is_empty(),
        "staged files left behind: {:?}",
        leftovers(&dir.0)
    );
}
