//! Encoding a realistic request: `chat-api` vs `async-openai` vs
//! `serde_json::to_vec(&Value)`.
//!
//! All three hold the same request, parsed from
//! [`chat_api_bench::REQUEST_JSON`]; before timing, each library's encoding is
//! checked to round-trip to the same JSON value.

use std::hint::black_box;
use std::time::Duration;

use chat_api_bench::REQUEST_JSON;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};

type OursRequest = chat_api::types::CreateChatCompletionRequest;
type TheirsRequest = async_openai::types::chat::CreateChatCompletionRequest;

fn encode_request(c: &mut Criterion) {
    let value: serde_json::Value = serde_json::from_str(REQUEST_JSON).unwrap();
    let ours: OursRequest = serde_json::from_str(REQUEST_JSON).unwrap();
    let theirs: TheirsRequest = serde_json::from_str(REQUEST_JSON).unwrap();
    // Same content, so the timings compare like with like.
    assert_eq!(
        serde_json::to_value(&ours).unwrap(),
        value,
        "chat-api re-encodes differently"
    );
    assert_eq!(
        serde_json::to_value(&theirs).unwrap(),
        value,
        "async-openai re-encodes differently"
    );
    let bytes = serde_json::to_vec(&value).unwrap().len() as u64;
    eprintln!("request: {bytes} bytes of compact JSON");

    let mut group = c.benchmark_group("encode_request");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("chat_api", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&ours)).unwrap()))
    });
    // The first encoding of a request: each schema is ordered and written in
    // place (from its second encoding on it copies the text it kept; see
    // `chat_api::schema::Schema`).
    group.bench_function("chat_api_first", |b| {
        b.iter_batched_ref(
            || serde_json::from_str::<OursRequest>(REQUEST_JSON).unwrap(),
            |fresh| black_box(serde_json::to_vec(black_box(&*fresh)).unwrap()),
            BatchSize::SmallInput,
        )
    });
    // The same set-up for async-openai: a request decoded just before, in
    // a batch (memory that the warm loops find in cache).
    group.bench_function("async_openai_first", |b| {
        b.iter_batched_ref(
            || serde_json::from_str::<TheirsRequest>(REQUEST_JSON).unwrap(),
            |fresh| black_box(serde_json::to_vec(black_box(&*fresh)).unwrap()),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("async_openai", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&theirs)).unwrap()))
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| black_box(serde_json::to_vec(black_box(&value)).unwrap()))
    });
    group.finish();
}

fn config() -> Criterion {
    // Modest settings: the machine has 2 cores shared with other work.
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = encode_request
}
criterion_main!(benches);
