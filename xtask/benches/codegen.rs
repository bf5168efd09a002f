//! How long `cargo xtask codegen` takes, excluding compilation of the xtask
//! and file I/O: the chat spec and the whole upstream spec, each beside the
//! cost of merely parsing its JSON (the baseline, measured in the same run).
//!
//! `cargo bench -p xtask --bench codegen`

use std::path::Path;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let chat = read(&root.join("spec/openapi.json"));
    let full = read(&root.join("spec/upstream/openapi.json"));
    for (name, text, samples) in [("chat", &chat, 50), ("upstream", &full, 10)] {
        let mut group = c.benchmark_group(name);
        group
            .sample_size(samples)
            .measurement_time(Duration::from_secs(if samples > 10 { 5 } else { 15 }));
        group.bench_function("parse_json_baseline", |b| {
            b.iter(|| {
                serde_json::from_str::<serde_json::Value>(text)
                    .map(drop)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        });
        group.bench_function("codegen", |b| {
            b.iter(|| {
                xtask::codegen::generate_from_str(text)
                    .map(drop)
                    .unwrap_or_else(|e| panic!("{e}"))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
