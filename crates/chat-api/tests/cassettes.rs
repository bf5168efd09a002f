//! Record and replay (`--features cassettes`) against a local scripted server.
//!
//! The server (`support/`) listens on 127.0.0.1:0 only and counts requests,
//! so tests assert what reached the network rather than timing. Recordings made here go to
//! `CARGO_TARGET_TMPDIR`; the ones checked in under `tests/cassettes/` are
//! replayed, and re-recorded against this server with
//! `CHAT_API_CASSETTES=record`.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chat_api::cassette::{Cassette, CassetteError, Cassettes, Mode};
use chat_api::types::{
    ChatCompletionRequestMessage, CreateChatCompletionRequest, CreateChatCompletionResponse,
};
use chat_api::{ChatEvent, Client, Error, Tool, Toolbox};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use support::{Reply, Server, answer, tool_calls};

// ----------------------------------------------------------------- helpers

/// A stream whose HTTP chunks cut events (and a JSON document) in the middle.
fn stream_chunks() -> Vec<String> {
    let events = [
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "test",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hel"}}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "test",
            "choices": [{"index": 0, "delta": {"content": "lo, "}}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": "test",
            "choices": [{"index": 0, "delta": {"content": "world"}, "finish_reason": "stop"}]}),
    ];
    let text: String = events
        .iter()
        .map(|e| format!("data: {e}\n\n"))
        .chain(["data: [DONE]\n\n".to_owned()])
        .collect();
    // Cut at fixed, odd places: inside `data:`, inside a JSON string, between events.
    let cuts = [3, 40, 150, 151, 260, text.len() - 5];
    let mut chunks = Vec::new();
    let mut start = 0;
    for cut in cuts {
        chunks.push(text[start..cut].to_owned());
        start = cut;
    }
    chunks.push(text[start..].to_owned());
    chunks
}

fn request(text: &str) -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: "test".into(),
        messages: vec![
            ChatCompletionRequestMessage::system("Be brief."),
            ChatCompletionRequestMessage::user(text),
        ],
        ..Default::default()
    }
}

/// An empty scratch directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("cassettes")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Cassettes in exactly `mode`, whatever `CHAT_API_CASSETTES` says.
fn pinned(dir: &Path, mode: Mode) -> Cassettes {
    Cassettes::new(dir, mode).env_override(false)
}

fn client(base_url: &str, cassettes: Cassettes) -> Client {
    Client::builder()
        .base_url(base_url)
        .max_retries(0)
        .cassette_config(cassettes)
        .build()
        .expect("client")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|listing| listing.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn cassette_error(error: &Error) -> &CassetteError {
    match error {
        Error::Cassette(e) => e,
        other => panic!("expected a cassette error, got {other:?}"),
    }
}

// ------------------------------------------------------- record and replay

#[tokio::test]
async fn recorded_exchanges_replay_with_the_server_gone() {
    let dir = scratch("record_then_replay");
    let server = Server::start(|n| Reply::Json(200, answer(&format!("answer {n}")))).await;
    let live = client(&server.base_url, pinned(&dir, Mode::Record));
    let first = live.create_chat_completion(&request("one")).await.unwrap();
    let second = live.create_chat_completion(&request("two")).await.unwrap();
    assert_eq!(server.request_count(), 2);
    assert_eq!(files(&dir).len(), 2, "one file per exchange");
    let base_url = server.stop().await;

    let replay = client(&base_url, pinned(&dir, Mode::Replay));
    // Out of order: matching is by request, not by position.
    assert_eq!(
        replay
            .create_chat_completion(&request("two"))
            .await
            .unwrap(),
        second
    );
    let again = replay
        .post::<_, CreateChatCompletionResponse>("/chat/completions", &request("one"))
        .await
        .unwrap();
    assert_eq!(again.body(), &first);
    // Status and headers are replayed too.
    assert_eq!(again.status(), 200);
    assert_eq!(again.request_id(), Some("req_0"));

    // The server is gone, so the live client now fails to connect.
    let gone = live
        .create_chat_completion(&request("one"))
        .await
        .unwrap_err();
    assert!(matches!(gone, Error::Connection(_)), "{gone:?}");
}

#[tokio::test]
async fn cassettes_are_readable_pretty_json_without_credentials() {
    let dir = scratch("redaction");
    let server = Server::start(|_| Reply::Json(200, answer("ok"))).await;
    let client = Client::builder()
        .base_url(&server.base_url)
        .api_key("sk-never-recorded-123")
        .default_header("api-key", "azure-never-recorded-456")
        .default_header("x-trace", "kept")
        .cassette_config(pinned(&dir, Mode::Record).ignore_field("user"))
        .build()
        .unwrap();
    let mut request = request("hi");
    request.temperature = Some(0.5);
    client.create_chat_completion(&request).await.unwrap();

    let [file] = &files(&dir)[..] else {
        panic!("one cassette expected in {dir:?}");
    };
    let text = std::fs::read_to_string(file).unwrap();
    for secret in [
        "sk-never-recorded-123",
        "azure-never-recorded-456",
        "cookie-secret",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into {text}");
    }
    let cassette: Value = serde_json::from_str(&text).unwrap();
    let headers = &cassette["request"]["headers"];
    assert_eq!(headers["authorization"], "<redacted>");
    assert_eq!(headers["api-key"], "<redacted>");
    assert_eq!(headers["x-trace"], "kept");
    assert_eq!(cassette["response"]["headers"]["set-cookie"], "<redacted>");
    assert_eq!(
        cassette["request"]["path"], "/chat/completions",
        "relative to the base URL"
    );
    assert_eq!(cassette["request"]["body"]["temperature"], 0.5);
    assert_eq!(
        cassette["response"]["body"]["choices"][0]["message"]["content"],
        "ok"
    );
    // Deterministic: what is saved again is byte for byte what was written.
    assert!(
        text.starts_with("{\n  \"request\": {\n    \"method\": \"POST\""),
        "{text}"
    );
    let reloaded = Cassette::load(file).unwrap();
    let resaved = dir.join("resaved.json");
    reloaded.save(&resaved).unwrap();
    assert_eq!(std::fs::read_to_string(&resaved).unwrap(), text);
}

#[tokio::test]
async fn a_stream_replays_with_its_exact_chunk_boundaries() {
    let dir = scratch("stream_boundaries");
    let server = Server::start(|_| Reply::Sse(stream_chunks())).await;
    let mut request = request("Say hello");
    request.stream_options = serde_json::from_value(json!({"include_usage": false})).unwrap();

    let live = client(&server.base_url, pinned(&dir, Mode::Record));
    let mut stream = live.create_chat_completion_stream(&request).await.unwrap();
    let mut live_chunks = Vec::new();
    while let Some(chunk) = stream.next().await {
        live_chunks.push(chunk.unwrap());
    }
    let live_completion = stream.final_completion().unwrap();
    assert_eq!(
        live_completion.choices[0].message.content.as_deref(),
        Some("Hello, world")
    );

    // The cassette holds the bytes as they arrived, boundaries included.
    let [file] = &files(&dir)[..] else {
        panic!("one cassette expected");
    };
    let cassette = Cassette::load(file).unwrap();
    let recorded: Vec<String> = cassette
        .response
        .chunks
        .as_ref()
        .expect("a stream is stored as chunks")
        .iter()
        .map(|c| String::from_utf8(c.data.clone()).unwrap())
        .collect();
    assert_eq!(recorded, stream_chunks());
    let base_url = server.stop().await;

    // Replayed, the body arrives in the same pieces…
    let replay = client(&base_url, pinned(&dir, Mode::Replay));
    let mut body = serde_json::to_value(&request).unwrap();
    body["stream"] = json!(true);
    let raw = replay
        .send_raw(
            chat_api::__private::Method::POST,
            "/chat/completions",
            Some(&body),
        )
        .await
        .unwrap();
    assert_eq!(raw.headers()["content-type"], "text/event-stream");
    let pieces: Vec<String> = raw
        .bytes_stream()
        .map(|b| String::from_utf8(b.unwrap().to_vec()).unwrap())
        .collect()
        .await;
    assert_eq!(pieces, stream_chunks());

    // …and the typed stream and its fold give what they gave live.
    let mut stream = replay
        .create_chat_completion_stream(&request)
        .await
        .unwrap();
    assert_eq!(stream.request_id(), Some("req_stream"));
    let mut replayed_chunks = Vec::new();
    while let Some(chunk) = stream.next().await {
        replayed_chunks.push(chunk.unwrap());
    }
    assert_eq!(replayed_chunks, live_chunks);
    assert_eq!(stream.final_completion().unwrap(), live_completion);
}

/// Every typed event of a stream, read to its end.
async fn all_events(client: &Client, request: &CreateChatCompletionRequest) -> Vec<ChatEvent> {
    let mut events = client
        .create_chat_completion_stream(request)
        .await
        .unwrap()
        .events();
    let mut out = Vec::new();
    while let Some(event) = events.next().await {
        out.push(event.unwrap());
    }
    out
}

#[tokio::test]
async fn typed_events_of_a_replayed_stream_equal_the_live_ones() {
    // A recorded stream with parallel tool calls, served in 97-byte pieces
    // that cut events and JSON mid-way.
    let text =
        std::fs::read_to_string(recorded_dir().join("magentic__parallel_tool_calls_stream.sse"))
            .expect("the recorded stream is in the repository");
    let mut pieces: Vec<String> = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + 97).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        pieces.push(text[start..end].to_owned());
        start = end;
    }
    let dir = scratch("stream_events");
    let server = Server::start(move |_| Reply::Sse(pieces.clone())).await;
    let request = request("Call both tools");

    let live = all_events(
        &client(&server.base_url, pinned(&dir, Mode::Record)),
        &request,
    )
    .await;
    assert_eq!(server.request_count(), 1);
    let base_url = server.stop().await;
    let done = live
        .iter()
        .filter(|e| matches!(e, ChatEvent::ToolCallArgumentsDone(_)))
        .count();
    assert_eq!(done, 2, "{live:?}");

    let replayed = all_events(&client(&base_url, pinned(&dir, Mode::Replay)), &request).await;
    assert_eq!(replayed, live);
}

#[tokio::test]
async fn timed_replay_keeps_the_delays_so_timeouts_fire_as_live() {
    let dir = scratch("timed");
    // Written by hand, as a user may: the third piece comes 400 ms late.
    let mut body = serde_json::to_value(request("slow")).unwrap();
    body["stream"] = json!(true);
    let chunks: Vec<Value> = stream_chunks()
        .into_iter()
        .enumerate()
        .map(|(i, text)| json!({"after_ms": if i == 2 { 400 } else { 0 }, "text": text}))
        .collect();
    let cassette = json!({
        "request": {"method": "POST", "path": "/chat/completions", "body": body},
        "response": {"status": 200, "headers": {"content-type": "text/event-stream"}, "chunks": chunks},
    });
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("slow.json"), cassette.to_string()).unwrap();

    let quick = Client::builder()
        .stream_idle_timeout(Duration::from_millis(100))
        .cassette_config(pinned(&dir, Mode::Replay))
        .build()
        .unwrap();
    let mut stream = quick
        .create_chat_completion_stream(&request("slow"))
        .await
        .unwrap();
    while let Some(chunk) = stream.next().await {
        chunk.expect("untimed replay delivers every chunk at once");
    }
    assert!(stream.final_completion().is_ok());

    let timed = Client::builder()
        .stream_idle_timeout(Duration::from_millis(100))
        .cassette_config(pinned(&dir, Mode::Replay).timed(true))
        .build()
        .unwrap();
    let mut stream = timed
        .create_chat_completion_stream(&request("slow"))
        .await
        .unwrap();
    let mut outcome = Vec::new();
    while let Some(chunk) = stream.next().await {
        outcome.push(chunk.map(|_| ()));
    }
    assert!(
        matches!(outcome.last(), Some(Err(Error::Stalled { .. }))),
        "the 400 ms gap outlasts the 100 ms idle timeout: {outcome:?}"
    );
}

#[tokio::test]
async fn a_miss_names_the_nearest_recording_and_the_difference() {
    let dir = scratch("miss");
    let server = Server::start(|_| Reply::Json(200, answer("ok"))).await;
    let live = client(&server.base_url, pinned(&dir, Mode::Record));
    live.create_chat_completion(&request("What is the capital of France?"))
        .await
        .unwrap();
    let mut other = request("Something else entirely");
    other.model = "other-model".into();
    other.n = Some(3);
    live.create_chat_completion(&other).await.unwrap();
    let recorded = server.request_count();

    let replay = client(&server.base_url, pinned(&dir, Mode::Replay));
    let mut changed = request("What is the capital of Italy?");
    changed.temperature = Some(0.0);
    let error = replay.create_chat_completion(&changed).await.unwrap_err();
    assert_eq!(
        server.request_count(),
        recorded,
        "replay never reaches the network"
    );
    let CassetteError::Miss(miss) = cassette_error(&error) else {
        panic!("expected a miss, got {error:?}");
    };
    let nearest = miss.nearest.as_ref().expect("a nearest recording");
    let first_file = live_file_for(&dir, "What is the capital of France?");
    assert_eq!(nearest, &first_file);
    let shown = error.to_string();
    let name = first_file
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(
        shown,
        format!(
            "no cassette in `{}` matches POST /chat/completions; the nearest recording, `{name}`, differs (recorded ≠ sent) at:\n  \
             messages[1].content: \"What is the capital of France?\" ≠ \"What is the capital of Italy?\"\n  \
             temperature: (absent) ≠ 0",
            dir.display()
        )
    );
    assert!(!error.is_retryable());

    // Nothing recorded at all says so.
    let empty = client(
        &server.base_url,
        pinned(&scratch("miss_empty"), Mode::Replay),
    );
    let error = empty.create_chat_completion(&changed).await.unwrap_err();
    assert!(
        error.to_string().ends_with("(there are no recordings)"),
        "{error}"
    );
}

/// The cassette in `dir` whose request's last message says `text`.
fn live_file_for(dir: &Path, text: &str) -> PathBuf {
    files(dir)
        .into_iter()
        .find(|f| {
            let cassette = Cassette::load(f).unwrap();
            let body = cassette.request.body.unwrap_or_default();
            body["messages"][1]["content"] == text
        })
        .expect("a cassette for that request")
}

#[tokio::test]
async fn replay_or_record_fills_in_only_the_missing_cassette() {
    let dir = scratch("replay_or_record");
    let server = Server::start(|n| Reply::Json(200, answer(&format!("answer {n}")))).await;
    let first = client(&server.base_url, pinned(&dir, Mode::ReplayOrRecord));
    first.create_chat_completion(&request("one")).await.unwrap();
    assert_eq!(server.request_count(), 1);
    let [kept] = &files(&dir)[..] else {
        panic!("one cassette expected");
    };
    let kept_text = std::fs::read_to_string(kept).unwrap();

    let second = client(&server.base_url, pinned(&dir, Mode::ReplayOrRecord));
    let one = second
        .create_chat_completion(&request("one"))
        .await
        .unwrap();
    let two = second
        .create_chat_completion(&request("two"))
        .await
        .unwrap();
    assert_eq!(
        server.request_count(),
        2,
        "only the missing exchange went out"
    );
    assert_eq!(one.choices[0].message.content.as_deref(), Some("answer 0"));
    assert_eq!(two.choices[0].message.content.as_deref(), Some("answer 1"));
    assert_eq!(files(&dir).len(), 2);
    assert_eq!(
        std::fs::read_to_string(kept).unwrap(),
        kept_text,
        "the existing cassette is untouched"
    );

    // Ignored fields do not make a request new.
    let ignoring = client(
        &server.base_url,
        pinned(&dir, Mode::ReplayOrRecord)
            .ignore_field("user")
            .ignore_field("metadata"),
    )
    .with_options(
        chat_api::RequestOptions::new()
            .extra_body(json!({"user": "someone-else", "metadata": {"run": "42"}})),
    );
    let with_user = request("one");
    ignoring.create_chat_completion(&with_user).await.unwrap();
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn retries_replay_in_the_order_they_were_recorded() {
    let dir = scratch("retries");
    let server = Server::start(|n| match n {
        0 => Reply::Json(
            500,
            json!({"error": {"message": "boom", "type": "server_error"}}),
        ),
        _ => Reply::Json(200, answer("after a retry")),
    })
    .await;
    let retrying = |base_url: &str, mode| {
        Client::builder()
            .base_url(base_url)
            .max_retries(1)
            .cassette_config(pinned(&dir, mode))
            .build()
            .unwrap()
    };
    let live = retrying(&server.base_url, Mode::Record);
    let answer = live
        .create_chat_completion(&request("flaky"))
        .await
        .unwrap();
    assert_eq!(server.request_count(), 2);
    assert_eq!(
        files(&dir).len(),
        2,
        "the failed attempt is an exchange too"
    );
    let base_url = server.stop().await;

    let replay = retrying(&base_url, Mode::Replay);
    assert_eq!(
        replay
            .create_chat_completion(&request("flaky"))
            .await
            .unwrap(),
        answer
    );
    // Without retries the recorded 500 is what the first attempt gets.
    let no_retry = client(&base_url, pinned(&dir, Mode::Replay));
    let error = no_retry
        .create_chat_completion(&request("flaky"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500), "{error:?}");
}

#[tokio::test]
async fn a_malformed_cassette_is_an_error_naming_file_and_field() {
    let dir = scratch("malformed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("broken.json"),
        r#"{"request": {"method": "POST", "path": "/chat/completions"}, "response": {"status": "ok"}}"#,
    )
    .unwrap();
    let replay = client("http://127.0.0.1:9/v1", pinned(&dir, Mode::Replay));
    let error = replay
        .create_chat_completion(&request("x"))
        .await
        .unwrap_err();
    let CassetteError::Invalid { path, message } = cassette_error(&error) else {
        panic!("expected an invalid cassette, got {error:?}");
    };
    assert_eq!(path, &dir.join("broken.json"));
    assert!(message.starts_with("at `response.status`"), "{message}");
}

#[test]
fn an_unknown_mode_is_rejected_with_the_value() {
    let error = "replay-sometimes".parse::<Mode>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "`replay-sometimes` is not a cassette mode (expected replay, record, live or replay-or-record)"
    );
    for mode in [Mode::Live, Mode::Record, Mode::Replay, Mode::ReplayOrRecord] {
        assert_eq!(mode.as_str().parse::<Mode>(), Ok(mode));
    }
}

// --------------------------------------------- converted recorded exchanges

fn recorded_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/recorded")
}

/// Converts `stems` from `tests/fixtures/recorded/` into cassettes in `dir`.
fn convert(dir: &Path, stems: &[&str]) {
    for stem in stems {
        let cassette =
            Cassette::from_recorded(recorded_dir(), stem).unwrap_or_else(|e| panic!("{stem}: {e}"));
        cassette.save(dir.join(format!("{stem}.json"))).unwrap();
    }
}

fn recorded_request(stem: &str) -> CreateChatCompletionRequest {
    let text = std::fs::read(recorded_dir().join(format!("{stem}.request.json"))).unwrap();
    serde_json::from_slice(&text).unwrap()
}

#[tokio::test]
async fn converted_recordings_replay_through_the_typed_client() {
    let dir = scratch("converted");
    let stems = [
        "openaidotnet__hello_world_gpt-4o-mini",
        "magentic__parallel_tool_calls_stream",
        "openaidotnet__stored_list_limit_1",
        "openaidotnet__error_401_invalid_api_key",
    ];
    convert(&dir, &stems);
    // OpenAI's default base URL: nothing is sent anywhere in replay.
    let client = Client::builder()
        .max_retries(0)
        .cassette_config(pinned(&dir, Mode::Replay))
        .build()
        .unwrap();

    let hello = client
        .create_chat_completion(&recorded_request(stems[0]))
        .await
        .unwrap();
    assert_eq!(hello.model, "gpt-4o-mini-2024-07-18");
    assert!(hello.choices[0].message.content.is_some());

    let mut stream = client
        .create_chat_completion_stream(&recorded_request(stems[1]))
        .await
        .unwrap();
    while let Some(chunk) = stream.next().await {
        chunk.unwrap();
    }
    let folded = stream.final_completion().unwrap();
    let calls: Vec<(String, String)> = folded.choices[0]
        .message
        .tool_calls
        .iter()
        .flatten()
        .map(|call| {
            let call = serde_json::to_value(call).unwrap();
            (
                call["function"]["name"].as_str().unwrap().to_owned(),
                call["function"]["arguments"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        (calls[0].0.as_str(), calls[1].0.as_str()),
        ("plus", "minus")
    );
    assert!(folded.usage.is_some(), "include_usage was requested");

    let page = client
        .get::<Value>("/chat/completions?limit=1")
        .await
        .unwrap();
    assert_eq!(page.body()["object"], "list");
    assert_eq!(page.body()["data"].as_array().map(Vec::len), Some(1));

    let error = client
        .create_chat_completion(&recorded_request(stems[3]))
        .await
        .unwrap_err();
    let api = error.as_api_error().expect("the recorded 401");
    assert_eq!(api.status, 401);
    assert_eq!(api.code.as_deref(), Some("invalid_api_key"));
}

/// Every recorded exchange converts, and replays with its recorded status.
#[tokio::test]
async fn every_recorded_exchange_converts_and_replays() {
    let dir = scratch("converted_all");
    let mut stems: Vec<String> = std::fs::read_dir(recorded_dir())
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.strip_suffix(".headers.json").map(str::to_owned)
        })
        .collect();
    stems.sort();
    assert!(stems.len() > 90, "{} exchanges", stems.len());
    // One HTTP client for all: building one per exchange is what takes time.
    let http = reqwest::Client::new();
    for stem in &stems {
        // One directory per exchange: some recordings repeat a request.
        let one = dir.join(stem);
        convert(&one, &[stem]);
        let cassette = Cassette::load(one.join(format!("{stem}.json"))).unwrap();
        let client = Client::builder()
            .max_retries(0)
            .http_client(http.clone())
            .cassette_config(pinned(&one, Mode::Replay))
            .build()
            .unwrap();
        let method = cassette.request.method.parse().unwrap();
        let mut url = reqwest::Url::parse("http://query.invalid/").unwrap();
        if !cassette.request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&cassette.request.query);
        }
        let path = match url.query() {
            Some(query) => format!("{}?{query}", cassette.request.path),
            None => cassette.request.path.clone(),
        };
        let outcome = client
            .send_raw(method, &path, cassette.request.body.as_ref())
            .await;
        let status = match outcome {
            Ok(response) => {
                let status = response.status();
                response.bytes().await.unwrap();
                status
            }
            Err(error) => error.status().unwrap_or_else(|| panic!("{stem}: {error}")),
        };
        assert_eq!(status.as_u16(), cassette.response.status, "{stem}");
    }
}

// ---------------------------------------------------- checked-in cassettes

/// `tests/cassettes/<name>`, replayed unless `CHAT_API_CASSETTES` says
/// otherwise (`record` re-records them against the local server).
fn checked_in(name: &str) -> (Cassettes, Mode) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/cassettes")
        .join(name);
    let mode = Mode::from_env().unwrap().unwrap_or(Mode::Replay);
    (Cassettes::new(dir, Mode::Replay), mode)
}

/// Get the current weather for a city.
#[derive(Debug, Deserialize, Tool)]
struct GetWeather {
    /// City name, e.g. "Paris".
    location: String,
}

/// Look a word up in the dictionary.
#[chat_api::tool]
fn define(
    /// The word to look up.
    word: String,
) -> String {
    format!("{word}: the smell of rain")
}

#[tokio::test]
async fn the_tool_loop_runs_from_checked_in_cassettes() {
    let server = Server::start(|n| match n {
        0 => Reply::Json(
            200,
            tool_calls(&[
                ("call_weather", "get_weather", r#"{"location": "Paris"}"#),
                ("call_define", "define", r#"{"word": "petrichor"}"#),
            ]),
        ),
        _ => Reply::Json(200, answer("It is 22°C; petrichor is the smell of rain.")),
    })
    .await;
    let (cassettes, mode) = checked_in("tool_loop");
    let client = client(&server.base_url, cassettes);
    let tools = Toolbox::new()
        .handler(|args: GetWeather| async move {
            Ok::<_, String>(format!("22°C in {}", args.location))
        })
        .handler(DefineArgs::call);

    let run = client
        .run_tools(request("Weather in Paris, and what is petrichor?"), &tools)
        .await
        .unwrap();
    assert_eq!(run.rounds, 2);
    assert_eq!(
        run.content(),
        Some("It is 22°C; petrichor is the smell of rain.")
    );
    // system, user, the assistant's calls, two results, the answer.
    assert_eq!(run.messages.len(), 6);
    let results: Vec<Value> = run.messages[3..5]
        .iter()
        .map(|m| serde_json::to_value(m).unwrap())
        .collect();
    assert_eq!(results[0]["content"], "22°C in Paris");
    assert_eq!(results[1]["content"], "petrichor: the smell of rain");
    if mode == Mode::Replay {
        assert_eq!(server.request_count(), 0, "answered from the cassettes");
    }
}

#[tokio::test]
async fn a_stream_runs_from_checked_in_cassettes() {
    let server = Server::start(|_| Reply::Sse(stream_chunks())).await;
    let (cassettes, mode) = checked_in("streaming");
    let client = client(&server.base_url, cassettes);
    let mut stream = client
        .create_chat_completion_stream(&request("Say hello"))
        .await
        .unwrap();
    let mut text = String::new();
    let mut chunks = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        chunks += 1;
        if let Some(delta) = chunk
            .choices
            .first()
            .and_then(|c| c.delta.content.as_deref())
        {
            text.push_str(delta);
        }
    }
    assert_eq!(chunks, 3);
    assert_eq!(text, "Hello, world");
    let completion = stream.final_completion().unwrap();
    assert_eq!(
        completion.choices[0].message.content.as_deref(),
        Some("Hello, world")
    );
    assert_eq!(completion.id, "c1");
    if mode == Mode::Replay {
        assert_eq!(server.request_count(), 0, "answered from the cassettes");
    }
}

#[tokio::test]
async fn a_body_that_broke_off_replays_as_a_broken_stream() {
    let dir = scratch("broken");
    let mut body = serde_json::to_value(request("cut")).unwrap();
    body["stream"] = json!(true);
    let all = stream_chunks().concat();
    let first_event = format!("{}\n\n", all.split("\n\n").next().unwrap());
    let cassette = json!({
        "request": {"method": "POST", "path": "/chat/completions", "body": body},
        "response": {
            "status": 200,
            "headers": {"content-type": "text/event-stream"},
            "chunks": [{"after_ms": 0, "text": first_event}],
            "error": "connection reset by peer",
        },
    });
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.json"), cassette.to_string()).unwrap();

    let client = client("http://127.0.0.1:9/v1", pinned(&dir, Mode::Replay));
    let mut stream = client
        .create_chat_completion_stream(&request("cut"))
        .await
        .unwrap();
    let outcome: Vec<_> = (&mut stream).collect().await;
    assert_eq!(outcome.len(), 2, "{outcome:?}");
    assert!(outcome[0].is_ok());
    assert!(
        matches!(outcome[1], Err(Error::Stream { .. })),
        "{outcome:?}"
    );
    assert!(matches!(
        stream.final_completion(),
        Err(Error::Stream { .. })
    ));
}

#[tokio::test]
async fn live_mode_neither_reads_nor_writes_cassettes() {
    let dir = scratch("live");
    let server = Server::start(|_| answer("live")).await;
    let live = client(&server.base_url, pinned(&dir, Mode::Live));
    let completion = live.create_chat_completion(&request("hi")).await.unwrap();
    assert_eq!(
        completion.choices[0].message.content.as_deref(),
        Some("live")
    );
    assert_eq!(server.request_count(), 1);
    assert!(!dir.exists(), "nothing recorded");
}
