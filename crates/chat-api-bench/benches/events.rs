//! The per-chunk cost of the stream layers above chunk decoding: typed
//! events (`ChatCompletionStream::events`) and the partial parser
//! (`partial_content`, `next_partial::<T>`), each against plain decoding of
//! the same chunks, in the same run.
//!
//! The events run over every recorded stream. The partial parser needs JSON
//! content, which no recorded stream has, so it runs over the recorded
//! structured answer of `openaidotnet__json_schema_strict.json` sent again in
//! 4-character deltas (about one token each).

use std::hint::black_box;
use std::time::Duration;

use chat_api::{ChatCompletionStream, Tool};
use chat_api_bench::{RecordedStream, chat_completion_streams, fixtures_dir, try_decode};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;
use futures::executor::block_on;
use serde::Deserialize;

type Chunk = chat_api::types::CreateChatCompletionStreamResponse;

/// The recorded answer's `response_format`.
#[derive(Deserialize, Tool)]
#[allow(dead_code)] // only its partial form is built
struct StepsAnswer {
    answer: String,
    steps: Vec<String>,
}

/// A stream's SSE text, as the client reads it.
fn sse(chunks: &[String]) -> bytes::Bytes {
    let mut text = String::new();
    for chunk in chunks {
        text.push_str("data: ");
        text.push_str(chunk);
        text.push_str("\n\n");
    }
    text.push_str("data: [DONE]\n\n");
    bytes::Bytes::from(text)
}

fn replay(body: &bytes::Bytes) -> ChatCompletionStream {
    let body = body.clone();
    ChatCompletionStream::from_bytes(futures::stream::iter([Ok::<_, std::io::Error>(body)]))
}

/// The structured answer in 4-character content deltas.
fn structured_stream() -> Vec<String> {
    let path = fixtures_dir().join("openaidotnet__json_schema_strict.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let body: serde_json::Value = serde_json::from_str(&text).expect("a JSON body");
    let content = body["choices"][0]["message"]["content"]
        .as_str()
        .expect("a structured answer");
    let chars: Vec<char> = content.chars().collect();
    let pieces: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
    let last = pieces.len() - 1;
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| {
            let finish = if i == last { "\"stop\"" } else { "null" };
            format!(
                r#"{{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{{"index":0,"delta":{{"content":{}}},"finish_reason":{finish}}}]}}"#,
                serde_json::to_string(piece).expect("a string")
            )
        })
        .collect()
}

/// The chunk layer alone: SSE, decoding and the fold, read to the end.
fn drain_chunks(body: &bytes::Bytes) {
    let mut stream = replay(body);
    block_on(async {
        while let Some(chunk) = stream.next().await {
            black_box(chunk.unwrap());
        }
    });
    black_box(stream.final_completion().unwrap());
}

fn decode_all<'a>(chunks: impl Iterator<Item = &'a String>) {
    for chunk in chunks {
        black_box(serde_json::from_str::<Chunk>(black_box(chunk)).unwrap());
    }
}

fn events(c: &mut Criterion) {
    let all = chat_completion_streams();
    let corpus: Vec<&RecordedStream> = all
        .iter()
        .filter(|s| {
            s.chunks
                .iter()
                .all(|c| try_decode::<Chunk>(c.as_bytes()).is_ok())
        })
        .collect();
    let chunks: u64 = corpus.iter().map(|s| s.chunks.len() as u64).sum();
    let bodies: Vec<bytes::Bytes> = corpus.iter().map(|s| sse(&s.chunks)).collect();
    eprintln!(
        "events: {} of {} streams, {chunks} chunks",
        corpus.len(),
        all.len()
    );

    let mut group = c.benchmark_group("stream_events");
    // Per chunk: criterion reports elements per second.
    group.throughput(Throughput::Elements(chunks));
    group.bench_function("decode_chunks", |b| {
        b.iter(|| decode_all(corpus.iter().flat_map(|s| &s.chunks)))
    });
    group.bench_function("chunk_stream", |b| {
        b.iter(|| {
            for body in &bodies {
                drain_chunks(body);
            }
        })
    });
    group.bench_function("events", |b| {
        b.iter(|| {
            for body in &bodies {
                let mut events = replay(body).events();
                block_on(async {
                    while let Some(event) = events.next().await {
                        black_box(event.unwrap());
                    }
                });
                black_box(events.into_inner().final_completion().unwrap());
            }
        })
    });
    group.finish();

    let structured = structured_stream();
    let body = sse(&structured);
    eprintln!("partial: {} chunks", structured.len());
    let mut group = c.benchmark_group("stream_partial");
    group.throughput(Throughput::Elements(structured.len() as u64));
    group.bench_function("decode_chunks", |b| {
        b.iter(|| decode_all(structured.iter()))
    });
    group.bench_function("chunk_stream", |b| b.iter(|| drain_chunks(&body)));
    // The untyped partial value after every chunk.
    group.bench_function("partial_json", |b| {
        b.iter(|| {
            let mut stream = replay(&body);
            block_on(async {
                while let Some(chunk) = stream.next().await {
                    black_box(chunk.unwrap());
                    black_box(stream.partial_content(0).unwrap());
                }
            });
        })
    });
    group.bench_function("next_partial_typed", |b| {
        b.iter(|| {
            let mut stream = replay(&body);
            block_on(async {
                while let Some(partial) = stream.next_partial::<StepsAnswer>().await {
                    black_box(partial.unwrap());
                }
            });
        })
    });
    group.finish();
}

fn config() -> Criterion {
    // Modest settings: the machine has 2 cores shared with other work.
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
}

criterion_group! {
    name = benches;
    config = config();
    targets = events
}
criterion_main!(benches);
