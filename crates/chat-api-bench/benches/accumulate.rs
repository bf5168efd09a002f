//! `chat_api::ChatCompletionAccumulator` folding recorded streams.
//!
//! async-openai has no equivalent; the baseline is decoding the same chunks
//! without folding them, so the difference is the cost of the fold.

use std::hint::black_box;
use std::time::Duration;

use chat_api::ChatCompletionAccumulator;
use chat_api_bench::{RecordedStream, chat_completion_streams, try_decode};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

type Chunk = chat_api::types::CreateChatCompletionStreamResponse;

fn accumulate(c: &mut Criterion) {
    let all = chat_completion_streams();
    let corpus: Vec<&RecordedStream> = all
        .iter()
        .filter(|s| {
            s.chunks
                .iter()
                .all(|c| try_decode::<Chunk>(c.as_bytes()).is_ok())
        })
        .collect();
    let bytes: u64 = corpus.iter().map(|s| s.payload_bytes()).sum();
    eprintln!(
        "accumulate: chat-api decodes {} of {} streams; folding those ({bytes} bytes of chunk JSON)",
        corpus.len(),
        all.len()
    );
    let decoded: Vec<Vec<Chunk>> = corpus
        .iter()
        .map(|s| {
            s.chunks
                .iter()
                .map(|c| serde_json::from_str(c).unwrap())
                .collect()
        })
        .collect();

    let mut group = c.benchmark_group("accumulate_stream");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("decode_only", |b| {
        b.iter(|| {
            for s in &corpus {
                for chunk in &s.chunks {
                    black_box(serde_json::from_str::<Chunk>(black_box(chunk)).unwrap());
                }
            }
        })
    });
    group.bench_function("decode_and_fold", |b| {
        b.iter(|| {
            for s in &corpus {
                let mut acc = ChatCompletionAccumulator::new();
                for chunk in &s.chunks {
                    acc.push(&serde_json::from_str::<Chunk>(black_box(chunk)).unwrap());
                }
                black_box(acc.finish());
            }
        })
    });
    // The fold alone, over chunks decoded beforehand.
    group.bench_function("fold_only", |b| {
        b.iter(|| {
            for chunks in &decoded {
                let mut acc = ChatCompletionAccumulator::new();
                for chunk in chunks {
                    acc.push(black_box(chunk));
                }
                black_box(acc.finish());
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
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = accumulate
}
criterion_main!(benches);
