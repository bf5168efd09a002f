//! Decoding recorded OpenAI responses: `chat-api` vs `async-openai` vs the
//! limit (minimal borrowed structs) vs `serde_json::Value`.
//!
//! Only the fixtures both libraries decode are timed; the counts and the
//! errors for the rest are printed to stderr before the measurements.

use std::hint::black_box;
use std::time::Duration;

use chat_api_bench::{
    Recorded, RecordedStream, Verdict, chat_completion_responses, chat_completion_streams, limit,
    stream_verdict, verdict,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

type OursResponse = chat_api::types::CreateChatCompletionResponse;
type TheirsResponse = async_openai::types::chat::CreateChatCompletionResponse;
type OursChunk = chat_api::types::CreateChatCompletionStreamResponse;
type TheirsChunk = async_openai::types::chat::CreateChatCompletionStreamResponse;

/// Prints the decode counts and failures, and returns whether each input is
/// timed (both libraries decode it).
fn report(corpus: &str, verdicts: &[(&str, Verdict)]) -> Vec<bool> {
    let ours = verdicts.iter().filter(|(_, v)| v.ours.is_none()).count();
    let theirs = verdicts.iter().filter(|(_, v)| v.theirs.is_none()).count();
    let both = verdicts.iter().filter(|(_, v)| v.both_ok()).count();
    eprintln!(
        "{corpus}: {} fixtures; chat-api decodes {ours}, async-openai decodes {theirs}; timing the {both} both decode",
        verdicts.len()
    );
    for (name, v) in verdicts {
        if let Some(e) = &v.ours {
            eprintln!("  chat-api fails on {name}: {e}");
        }
        if let Some(e) = &v.theirs {
            eprintln!("  async-openai fails on {name}: {e}");
        }
    }
    verdicts.iter().map(|(_, v)| v.both_ok()).collect()
}

fn decode_responses(c: &mut Criterion) {
    let all = chat_completion_responses();
    let verdicts: Vec<_> = all
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                verdict::<OursResponse, TheirsResponse>(&r.body),
            )
        })
        .collect();
    let timed = report("responses", &verdicts);
    let corpus: Vec<&Recorded> = all
        .iter()
        .zip(timed)
        .filter_map(|(r, ok)| ok.then_some(r))
        .collect();
    let bytes: u64 = corpus.iter().map(|r| r.body.len() as u64).sum();
    eprintln!(
        "responses: timed corpus is {} bodies, {bytes} bytes",
        corpus.len()
    );

    let mut group = c.benchmark_group("decode_response");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("chat_api", |b| {
        b.iter(|| {
            for r in &corpus {
                black_box(serde_json::from_slice::<OursResponse>(black_box(&r.body)).unwrap());
            }
        })
    });
    // What `chat_api::Client` itself does with a body: decode through
    // serde_path_to_error so a failure names the field.
    group.bench_function("chat_api_path_to_error", |b| {
        b.iter(|| {
            for r in &corpus {
                let mut de = serde_json::Deserializer::from_slice(black_box(&r.body));
                let v: OursResponse = serde_path_to_error::deserialize(&mut de).unwrap();
                de.end().unwrap();
                black_box(v);
            }
        })
    });
    group.bench_function("async_openai", |b| {
        b.iter(|| {
            for r in &corpus {
                black_box(serde_json::from_slice::<TheirsResponse>(black_box(&r.body)).unwrap());
            }
        })
    });
    group.bench_function("limit", |b| {
        b.iter(|| {
            for r in &corpus {
                black_box(
                    serde_json::from_slice::<limit::Response<'_>>(black_box(&r.body)).unwrap(),
                );
            }
        })
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for r in &corpus {
                black_box(serde_json::from_slice::<serde_json::Value>(black_box(&r.body)).unwrap());
            }
        })
    });
    group.finish();
}

fn decode_stream_chunks(c: &mut Criterion) {
    let all = chat_completion_streams();
    let verdicts: Vec<_> = all
        .iter()
        .map(|s| (s.name.as_str(), stream_verdict::<OursChunk, TheirsChunk>(s)))
        .collect();
    let timed = report("streams", &verdicts);
    let corpus: Vec<&RecordedStream> = all
        .iter()
        .zip(timed)
        .filter_map(|(s, ok)| ok.then_some(s))
        .collect();
    let chunks: usize = corpus.iter().map(|s| s.chunks.len()).sum();
    let bytes: u64 = corpus.iter().map(|s| s.payload_bytes()).sum();
    eprintln!(
        "streams: timed corpus is {} streams, {chunks} chunks, {bytes} bytes of chunk JSON",
        corpus.len()
    );

    let mut group = c.benchmark_group("decode_stream_chunks");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("chat_api", |b| {
        b.iter(|| {
            for chunk in corpus.iter().flat_map(|s| &s.chunks) {
                black_box(serde_json::from_str::<OursChunk>(black_box(chunk)).unwrap());
            }
        })
    });
    group.bench_function("async_openai", |b| {
        b.iter(|| {
            for chunk in corpus.iter().flat_map(|s| &s.chunks) {
                black_box(serde_json::from_str::<TheirsChunk>(black_box(chunk)).unwrap());
            }
        })
    });
    group.bench_function("limit", |b| {
        b.iter(|| {
            for chunk in corpus.iter().flat_map(|s| &s.chunks) {
                black_box(serde_json::from_str::<limit::Chunk<'_>>(black_box(chunk)).unwrap());
            }
        })
    });
    group.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for chunk in corpus.iter().flat_map(|s| &s.chunks) {
                black_box(serde_json::from_str::<serde_json::Value>(black_box(chunk)).unwrap());
            }
        })
    });
    group.finish();
}

fn config() -> Criterion {
    // Modest settings: the machine has 2 cores shared with other work.
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
}

criterion_group! {
    name = benches;
    config = config();
    targets = decode_responses, decode_stream_chunks
}
criterion_main!(benches);
