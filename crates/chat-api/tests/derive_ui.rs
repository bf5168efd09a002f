//! Compile-fail tests: every rejected shape and attribute error, with the
//! message pinned in `tests/ui/*.stderr`; and the `#[must_use]` messages of
//! the runtime's builders (`tests/ui/must_use/`), in the same run so the
//! crate is built for trybuild once.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.compile_fail("tests/ui/must_use/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
