//! The recorded OpenAI exchanges of `tests/fixtures/recorded/`, for the test
//! files that replay them (one reader, so the path and the checks live once).

#![allow(dead_code)] // each test file uses what it needs

use std::path::{Path, PathBuf};

/// The folder of recorded exchanges (see its `SOURCES.md`).
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/recorded")
}

/// One recorded file's text.
pub fn fixture(name: &str) -> String {
    let path = fixtures().join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (tests/fixtures/recorded)", path.display()))
}

/// Every recorded stream, as (file name, SSE text), sorted by name.
pub fn recorded_streams() -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures())
        .expect("tests/fixtures/recorded is in the repository")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".sse"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 20,
        "expected the recorded streams, found {names:?}"
    );
    names
        .into_iter()
        .map(|name| {
            let text = fixture(&name);
            (name, text)
        })
        .collect()
}
