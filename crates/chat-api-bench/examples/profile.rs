//! One decode case in a loop, for a profiler (the benches time; this
//! counts): `valgrind --tool=callgrind target/release/examples/profile
//! logprobs chat_api 20` gives instructions per decode to compare between
//! contenders, independent of the machine's load.
//!
//! Cases: `logprobs` (1,000 tokens), `tools` (64 parallel calls), `chunks`
//! (2,002 content chunks), `stream` (the whole stream path over them),
//! `recorded` (every recorded response body both libraries decode, as
//! `benches/decode.rs` times them), `recorded_chunks` (the same for every
//! recorded stream's chunks), `encode` (the request of
//! `benches/encode.rs`; `limit` encodes it as a `serde_json::Value`;
//! `chat_api_cold` makes its schemas write themselves again each time).
//! Contenders: `chat_api`, `async_openai`, `limit` (and `chat_api_cold`).

use std::hint::black_box;

use chat_api_bench::{limit, synthetic};

type OursResponse = chat_api::types::CreateChatCompletionResponse;
type TheirsResponse = async_openai::types::chat::CreateChatCompletionResponse;
type OursChunk = chat_api::types::CreateChatCompletionStreamResponse;
type TheirsChunk = async_openai::types::chat::CreateChatCompletionStreamResponse;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, case, contender, rest @ ..] = args.as_slice() else {
        eprintln!(
            "usage: profile <logprobs|tools|chunks|stream|recorded|recorded_chunks|encode> <chat_api|async_openai|limit> [iterations]"
        );
        std::process::exit(2);
    };
    let iterations: usize = rest.first().map_or(10, |n| n.parse().expect("iterations"));
    match case.as_str() {
        "logprobs" | "tools" => {
            let body = if case == "logprobs" {
                synthetic::logprobs(1000)
            } else {
                synthetic::parallel_tool_calls(64)
            };
            for _ in 0..iterations {
                match contender.as_str() {
                    "chat_api" => drop(black_box(
                        serde_json::from_slice::<OursResponse>(&body).unwrap(),
                    )),
                    "async_openai" => drop(black_box(
                        serde_json::from_slice::<TheirsResponse>(&body).unwrap(),
                    )),
                    _ => drop(black_box(
                        serde_json::from_slice::<limit::Response<'_>>(&body).unwrap(),
                    )),
                }
            }
        }
        "encode" => {
            let request = chat_api_bench::REQUEST_JSON;
            let mut ours: chat_api::types::CreateChatCompletionRequest =
                serde_json::from_str(request).unwrap();
            let theirs: async_openai::types::chat::CreateChatCompletionRequest =
                serde_json::from_str(request).unwrap();
            let value: serde_json::Value = serde_json::from_str(request).unwrap();
            for _ in 0..iterations * 100 {
                match contender.as_str() {
                    "chat_api" => drop(black_box(serde_json::to_vec(&ours).unwrap())),
                    "chat_api_cold" => {
                        forget_schema_texts(&mut ours);
                        drop(black_box(serde_json::to_vec(&ours).unwrap()))
                    }
                    "async_openai" => drop(black_box(serde_json::to_vec(&theirs).unwrap())),
                    _ => drop(black_box(serde_json::to_vec(&value).unwrap())),
                }
            }
        }
        "recorded" => {
            let bodies: Vec<Vec<u8>> = chat_api_bench::chat_completion_responses()
                .into_iter()
                .filter(|r| {
                    chat_api_bench::verdict::<OursResponse, TheirsResponse>(&r.body).both_ok()
                })
                .map(|r| r.body)
                .collect();
            for _ in 0..iterations {
                for body in &bodies {
                    match contender.as_str() {
                        "chat_api" => drop(black_box(
                            serde_json::from_slice::<OursResponse>(body).unwrap(),
                        )),
                        "async_openai" => drop(black_box(
                            serde_json::from_slice::<TheirsResponse>(body).unwrap(),
                        )),
                        _ => drop(black_box(
                            serde_json::from_slice::<limit::Response<'_>>(body).unwrap(),
                        )),
                    }
                }
            }
        }
        "chunks" | "recorded_chunks" => {
            let chunks: Vec<String> = if case == "chunks" {
                synthetic::content_chunks(2000)
            } else {
                chat_api_bench::chat_completion_streams()
                    .into_iter()
                    .filter(|s| {
                        chat_api_bench::stream_verdict::<OursChunk, TheirsChunk>(s).both_ok()
                    })
                    .flat_map(|s| s.chunks)
                    .collect()
            };
            for _ in 0..iterations {
                for chunk in &chunks {
                    match contender.as_str() {
                        "chat_api" => {
                            drop(black_box(serde_json::from_str::<OursChunk>(chunk).unwrap()))
                        }
                        "async_openai" => drop(black_box(
                            serde_json::from_str::<TheirsChunk>(chunk).unwrap(),
                        )),
                        _ => drop(black_box(
                            serde_json::from_str::<limit::Chunk<'_>>(chunk).unwrap(),
                        )),
                    }
                }
            }
        }
        "stream" => {
            let body = synthetic::sse_body(&synthetic::content_chunks(2000));
            let bytes = bytes::Bytes::from(body.clone());
            for _ in 0..iterations {
                match contender.as_str() {
                    "chat_api" => drop(black_box(chat_api_stream(&bytes))),
                    _ => drop(black_box(limit::fold_stream(&body))),
                }
            }
        }
        other => panic!("unknown case {other}"),
    }
}

/// The same stream path as `benches/synthetic.rs`: 1,400-byte pieces
/// through `ChatCompletionStream` (SSE parse, typed decode, fold).
fn chat_api_stream(body: &bytes::Bytes) -> OursResponse {
    use futures::StreamExt;
    let pieces: Vec<Result<bytes::Bytes, std::io::Error>> = (0..body.len())
        .step_by(1400)
        .map(|start| Ok(body.slice(start..(start + 1400).min(body.len()))))
        .collect();
    let mut stream = chat_api::ChatCompletionStream::from_bytes(futures::stream::iter(pieces));
    futures::executor::block_on(async {
        while let Some(chunk) = stream.next().await {
            black_box(chunk.unwrap());
        }
    });
    stream.final_completion().unwrap()
}

/// Makes every schema of `request` write itself again on its next
/// serialization, as on a request's first encoding (each schema is owned
/// here, so this copies nothing).
fn forget_schema_texts(request: &mut chat_api::types::CreateChatCompletionRequest) {
    use chat_api::types::{ResponseFormat, ToolDefinition};
    for tool in request.tools.iter_mut().flatten() {
        if let ToolDefinition::Function(tool) = tool
            && let Some(parameters) = &mut tool.function.parameters
        {
            std::ops::DerefMut::deref_mut(parameters);
        }
    }
    if let Some(ResponseFormat::JsonSchema(format)) = &mut request.response_format
        && let Some(schema) = &mut format.json_schema.schema
    {
        std::ops::DerefMut::deref_mut(schema);
    }
}
