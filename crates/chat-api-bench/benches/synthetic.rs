//! Synthetic decodes (many parallel tool calls, 1,000 logprob tokens, 2,000
//! small content chunks) and the whole streaming path per chunk: chat-api,
//! async-openai and the limit ([`chat_api_bench::limit`]) on the same input.

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use chat_api::ChatCompletionStream;
use chat_api_bench::{limit, synthetic};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures::StreamExt;

type OursResponse = chat_api::types::CreateChatCompletionResponse;
type TheirsResponse = async_openai::types::chat::CreateChatCompletionResponse;
type OursChunk = chat_api::types::CreateChatCompletionStreamResponse;
type TheirsChunk = async_openai::types::chat::CreateChatCompletionStreamResponse;

/// Times one response body decoded by each of the three.
fn response_group(c: &mut Criterion, name: &str, body: &[u8]) {
    // Every contender must decode the input, or the comparison is void.
    serde_json::from_slice::<OursResponse>(body).expect("chat-api decodes");
    serde_json::from_slice::<TheirsResponse>(body).expect("async-openai decodes");
    serde_json::from_slice::<limit::Response<'_>>(body).expect("the limit decodes");
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("chat_api", |b| {
        b.iter(|| black_box(serde_json::from_slice::<OursResponse>(black_box(body)).unwrap()))
    });
    group.bench_function("async_openai", |b| {
        b.iter(|| black_box(serde_json::from_slice::<TheirsResponse>(black_box(body)).unwrap()))
    });
    group.bench_function("limit", |b| {
        b.iter(|| {
            black_box(serde_json::from_slice::<limit::Response<'_>>(black_box(body)).unwrap())
        })
    });
    group.finish();
}

fn synthetic_responses(c: &mut Criterion) {
    response_group(
        c,
        "synthetic_parallel_tool_calls_64",
        &synthetic::parallel_tool_calls(64),
    );
    response_group(c, "synthetic_logprobs_1000", &synthetic::logprobs(1000));
}

fn synthetic_chunks(c: &mut Criterion) {
    let chunks = synthetic::content_chunks(2000);
    let bytes: u64 = chunks.iter().map(|c| c.len() as u64).sum();
    let mut group = c.benchmark_group("synthetic_content_chunks_2000");
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("chat_api", |b| {
        b.iter(|| {
            for chunk in &chunks {
                black_box(serde_json::from_str::<OursChunk>(black_box(chunk)).unwrap());
            }
        })
    });
    group.bench_function("async_openai", |b| {
        b.iter(|| {
            for chunk in &chunks {
                black_box(serde_json::from_str::<TheirsChunk>(black_box(chunk)).unwrap());
            }
        })
    });
    group.bench_function("limit", |b| {
        b.iter(|| {
            for chunk in &chunks {
                black_box(serde_json::from_str::<limit::Chunk<'_>>(black_box(chunk)).unwrap());
            }
        })
    });
    group.finish();
}

/// chat-api's whole stream path over an in-memory body, as a user reads
/// it: `ChatCompletionStream` (SSE parse, typed decode, fold into the
/// completion). The body arrives in 1,400-byte pieces, as TCP segments
/// would deliver it.
fn chat_api_stream(body: &Bytes) -> OursResponse {
    let pieces: Vec<Result<Bytes, std::io::Error>> = (0..body.len())
        .step_by(1400)
        .map(|start| Ok(body.slice(start..(start + 1400).min(body.len()))))
        .collect();
    let mut stream = ChatCompletionStream::from_bytes(futures::stream::iter(pieces));
    futures::executor::block_on(async {
        while let Some(chunk) = stream.next().await {
            black_box(chunk.unwrap());
        }
    });
    stream.final_completion().unwrap()
}

fn stream_path(c: &mut Criterion) {
    let payloads = synthetic::content_chunks(2000);
    let body = synthetic::sse_body(&payloads);
    let bytes = Bytes::from(body.clone());
    let folded = chat_api_stream(&bytes);
    let (text, chunks) = limit::fold_stream(&body);
    assert_eq!(
        folded.choices[0].message.content.as_deref(),
        Some(text.as_str())
    );
    assert_eq!(chunks, payloads.len());
    let mut group = c.benchmark_group("stream_path_2000_chunks");
    group.throughput(Throughput::Elements(chunks as u64));
    group.bench_function("chat_api", |b| {
        b.iter(|| black_box(chat_api_stream(black_box(&bytes))))
    });
    group.bench_function("limit", |b| {
        b.iter(|| black_box(limit::fold_stream(black_box(&body))))
    });
    group.finish();
}

fn config() -> Criterion {
    // Modest settings: the machine has 2 cores shared with other work.
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = synthetic_responses, synthetic_chunks, stream_path
}
criterion_main!(benches);
