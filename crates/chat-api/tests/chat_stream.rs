//! `ChatCompletionStream` and its typed events: every recorded stream replayed
//! from bytes, and streams that stall, are cut off or send a huge event,
//! through a loopback server.

use std::collections::BTreeMap;
mod recorded;

use recorded::recorded_streams;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest, ToolCall};
use chat_api::{ChatCompletionStream, ChatEvent, Client, Error, RequestOptions};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A replay of `text` in `piece`-byte pieces (splitting lines and characters).
fn replay(text: &str, piece: usize) -> ChatCompletionStream {
    let pieces: Vec<Result<Bytes, std::io::Error>> = text
        .as_bytes()
        .chunks(piece)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    ChatCompletionStream::from_bytes(futures_util::stream::iter(pieces))
}

#[derive(Default, Debug)]
struct PerChoice {
    content_deltas: String,
    content_done: Vec<String>,
    refusal_deltas: String,
    refusal_done: Vec<String>,
    /// By call index: concatenated deltas, done events.
    arguments: BTreeMap<i64, (String, Vec<chat_api::ToolCallDone>)>,
    logprob_tokens: usize,
    logprobs_done: Vec<usize>,
    finish: Vec<String>,
    /// An event for this choice after its `Finish`.
    after_finish: bool,
}

#[tokio::test]
async fn events_of_every_recorded_stream_agree_with_the_fold() {
    for (name, text) in recorded_streams() {
        let mut events = replay(&text, 97).events();
        let mut choices: BTreeMap<i64, PerChoice> = BTreeMap::new();
        let (mut chunks, mut usage) = (0, 0);
        // Finish reasons as the raw chunks carry them (an audio stream sends none).
        let mut sent_finish: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        while let Some(event) = events.next().await {
            let event = event.unwrap_or_else(|e| panic!("{name}: {e}"));
            let choice_of = |event: &ChatEvent| match event {
                ChatEvent::ContentDelta { choice, .. }
                | ChatEvent::ContentDone { choice, .. }
                | ChatEvent::RefusalDelta { choice, .. }
                | ChatEvent::RefusalDone { choice, .. }
                | ChatEvent::ToolCallArgumentsDelta { choice, .. }
                | ChatEvent::LogprobsContentDelta { choice, .. }
                | ChatEvent::LogprobsContentDone { choice, .. }
                | ChatEvent::LogprobsRefusalDelta { choice, .. }
                | ChatEvent::LogprobsRefusalDone { choice, .. }
                | ChatEvent::Finish { choice, .. } => Some(*choice),
                ChatEvent::ToolCallArgumentsDone(done) => Some(done.choice),
                _ => None,
            };
            if let Some(choice) = choice_of(&event) {
                let c = choices.entry(choice).or_default();
                if !c.finish.is_empty() {
                    c.after_finish = true;
                }
            }
            match event {
                ChatEvent::Chunk(chunk) => {
                    chunks += 1;
                    for choice in &chunk.choices {
                        if let Some(reason) = &choice.finish_reason {
                            let reasons = sent_finish.entry(choice.index).or_default();
                            reasons.push(reason.as_str().to_owned());
                        }
                    }
                }
                ChatEvent::Usage(_) => usage += 1,
                ChatEvent::ContentDelta { choice, delta } => {
                    choices.entry(choice).or_default().content_deltas += &delta;
                }
                ChatEvent::ContentDone { choice, content } => {
                    choices
                        .entry(choice)
                        .or_default()
                        .content_done
                        .push(content);
                }
                ChatEvent::RefusalDelta { choice, delta } => {
                    choices.entry(choice).or_default().refusal_deltas += &delta;
                }
                ChatEvent::RefusalDone { choice, refusal } => {
                    choices
                        .entry(choice)
                        .or_default()
                        .refusal_done
                        .push(refusal);
                }
                ChatEvent::ToolCallArgumentsDelta {
                    choice,
                    index,
                    delta,
                    name: tool,
                    ..
                } => {
                    assert!(!tool.is_empty(), "{name}: the name precedes the arguments");
                    let entry = choices.entry(choice).or_default();
                    entry.arguments.entry(index).or_default().0 += &delta;
                }
                ChatEvent::ToolCallArgumentsDone(done) => {
                    let entry = choices.entry(done.choice).or_default();
                    entry.arguments.entry(done.index).or_default().1.push(done);
                }
                ChatEvent::LogprobsContentDelta { choice, tokens } => {
                    choices.entry(choice).or_default().logprob_tokens += tokens.len();
                }
                ChatEvent::LogprobsContentDone { choice, tokens } => {
                    choices
                        .entry(choice)
                        .or_default()
                        .logprobs_done
                        .push(tokens.len());
                }
                ChatEvent::Finish { choice, reason } => {
                    choices
                        .entry(choice)
                        .or_default()
                        .finish
                        .push(reason.as_str().to_owned());
                }
                other => panic!("{name}: unexpected {other:?}"),
            }
        }
        let expected_chunks = text.lines().filter(|l| l.starts_with("data: {")).count();
        assert_eq!(chunks, expected_chunks, "{name}");
        let completion = events.into_inner().final_completion().expect(&name);
        assert_eq!(usage, usize::from(completion.usage.is_some()), "{name}");
        let none = PerChoice::default();
        for folded in &completion.choices {
            let got = choices.get(&folded.index).unwrap_or(&none);
            let message = &folded.message;
            assert!(!got.after_finish, "{name}: Finish is a choice's last event");
            let sent = sent_finish.remove(&folded.index).unwrap_or_default();
            assert!(sent.len() <= 1, "{name}: {sent:?}");
            assert_eq!(got.finish, sent, "{name}");
            let content = message.content.clone().unwrap_or_default();
            assert_eq!(got.content_deltas, content, "{name}");
            let expected_done: Vec<String> = if content.is_empty() {
                vec![]
            } else {
                vec![content]
            };
            assert_eq!(got.content_done, expected_done, "{name}: ContentDone once");
            let refusal = message.refusal.clone().unwrap_or_default();
            assert_eq!(got.refusal_deltas, refusal, "{name}");
            assert_eq!(
                got.refusal_done.len(),
                usize::from(!refusal.is_empty()),
                "{name}"
            );
            let calls = message.tool_calls.as_deref().unwrap_or_default();
            assert_eq!(got.arguments.len(), calls.len(), "{name}");
            for ((deltas, done), call) in got.arguments.values().zip(calls) {
                let ToolCall::Function(call) = call else {
                    panic!("{name}: {call:?}");
                };
                let [done] = &done[..] else {
                    panic!("{name}: one done event per call, got {done:?}");
                };
                assert_eq!(deltas, &call.function.arguments, "{name}");
                assert_eq!(
                    (
                        done.id.as_str(),
                        done.name.as_str(),
                        done.arguments.as_str()
                    ),
                    (
                        call.id.as_str(),
                        call.function.name.as_str(),
                        call.function.arguments.as_str()
                    ),
                    "{name}"
                );
                let parsed: Value = done.parse_arguments().expect("recorded arguments are JSON");
                assert!(parsed.is_object(), "{name}");
            }
            let tokens = folded
                .logprobs
                .as_ref()
                .and_then(|l| l.content.as_ref())
                .map_or(0, Vec::len);
            assert_eq!(got.logprob_tokens, tokens, "{name}");
            let expected_done: &[usize] = if tokens == 0 { &[] } else { &[tokens] };
            assert_eq!(got.logprobs_done, expected_done, "{name}");
        }
    }
}

/// One streamed turn per connection: the head, then `parts` (a pause of
/// `gap` after each), then a proper end of the body or `hang` open.
async fn serve(parts: Vec<String>, gap: Duration, hang: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let Ok((mut socket, _)) = listener.accept().await else {
            return;
        };
        let mut buf = vec![0; 64 * 1024];
        let _ = socket.read(&mut buf).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\nx-request-id: req_cs\r\nconnection: close\r\n\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        for part in parts {
            let framed = format!("{:x}\r\n{part}\r\n", part.len());
            if socket.write_all(framed.as_bytes()).await.is_err() {
                return;
            }
            let _ = socket.flush().await;
            tokio::time::sleep(gap).await;
        }
        if hang {
            tokio::time::sleep(Duration::from_secs(30)).await;
        } else {
            let _ = socket.write_all(b"0\r\n\r\n").await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}/v1")
}

fn client(base_url: &str) -> Client {
    Client::builder()
        .base_url(base_url)
        .max_retries(0)
        .build()
        .expect("client")
}

fn request() -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: "gpt-4o".into(),
        messages: vec![ChatCompletionRequestMessage::user("Hi")],
        ..Default::default()
    }
}

fn content_chunk(text: &str) -> String {
    format!(
        "data: {{\"id\":\"c\",\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":{}}}}}]}}\n\n",
        Value::from(text)
    )
}

#[tokio::test]
async fn a_stall_mid_stream_ends_within_the_idle_bound_with_the_partial_completion() {
    let base_url = serve(
        vec![content_chunk("Hel"), content_chunk("lo")],
        Duration::from_millis(20),
        true,
    )
    .await;
    // The client default is long; the per-request option wins.
    let client = client(&base_url)
        .with_options(RequestOptions::new().stream_idle_timeout(Duration::from_millis(400)));
    let started = Instant::now();
    let mut stream = client
        .create_chat_completion_stream(&request())
        .await
        .unwrap();
    assert_eq!(stream.request_id(), Some("req_cs"));
    let mut items = Vec::new();
    while let Some(item) = stream.next().await {
        items.push(item);
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(5),
        "{elapsed:?}"
    );
    assert_eq!(items.len(), 3, "{items:?}");
    let error = items.pop().unwrap().unwrap_err();
    assert!(matches!(error, Error::Stalled { idle, .. } if idle == Duration::from_millis(400)));
    assert!(error.to_string().contains("stalled"), "{error}");
    assert!(!error.is_retryable());
    let partial = error.partial_completion().expect("the fold so far");
    assert_eq!(partial.choices[0].message.content.as_deref(), Some("Hello"));
    // final_completion repeats the stall, with the same partial completion.
    match stream.final_completion() {
        Err(Error::Stalled {
            partial: Some(p), ..
        }) => {
            assert_eq!(p.choices[0].message.content.as_deref(), Some("Hello"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_stream_cut_without_done_or_finish_reason_ends_with_an_error() {
    let base_url = serve(vec![content_chunk("Hel")], Duration::ZERO, false).await;
    let mut events = client(&base_url)
        .create_chat_completion_stream(&request())
        .await
        .unwrap()
        .events();
    let mut got = Vec::new();
    while let Some(event) = events.next().await {
        got.push(event);
    }
    // Chunk, ContentDelta, then the error in place of ContentDone.
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(matches!(got[1], Ok(ChatEvent::ContentDelta { .. })));
    match &got[2] {
        Err(error @ Error::Incomplete { .. }) => {
            let partial = error.partial_completion().expect("partial");
            assert_eq!(partial.choices[0].message.content.as_deref(), Some("Hel"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        events.into_inner().final_completion(),
        Err(Error::Incomplete { partial: Some(_) })
    ));
}

#[tokio::test]
async fn a_finish_reason_without_done_is_a_complete_stream() {
    let finish = "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    let base_url = serve(
        vec![content_chunk("Hi"), finish.to_owned()],
        Duration::ZERO,
        false,
    )
    .await;
    let mut stream = client(&base_url)
        .create_chat_completion_stream(&request())
        .await
        .unwrap();
    while let Some(item) = stream.next().await {
        item.unwrap();
    }
    let completion = stream.final_completion().unwrap();
    assert_eq!(completion.choices[0].message.content.as_deref(), Some("Hi"));
}

#[tokio::test]
async fn an_event_over_the_size_bound_ends_the_stream() {
    let huge = content_chunk(&"x".repeat(200_000));
    let base_url = serve(vec![content_chunk("a"), huge], Duration::ZERO, false).await;
    let client = client(&base_url).with_options(RequestOptions::new().max_event_size(64 * 1024));
    let stream = client
        .create_chat_completion_stream(&request())
        .await
        .unwrap();
    let items: Vec<_> = stream.collect().await;
    assert_eq!(items.len(), 2, "{items:?}");
    match &items[1] {
        Err(Error::Stream { message, .. }) => {
            assert!(message.contains("65536 bytes"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn done_events_close_open_parts_once_when_a_server_sends_no_finish_reason() {
    let text = format!(
        "{}{}data: [DONE]\n\n",
        content_chunk("a"),
        content_chunk("b")
    );
    let events: Vec<_> = replay(&text, 5).events().collect().await;
    let done: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Ok(ChatEvent::ContentDone { content, .. }) => Some(content.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(done, ["ab"]);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Ok(ChatEvent::Finish { .. })))
    );
}

/// `partial` says nothing `full` contradicts: strings are prefixes, arrays
/// grow, objects gain members.
fn consistent(partial: &Value, full: &Value) -> bool {
    match (partial, full) {
        (Value::String(p), Value::String(f)) => f.starts_with(p.as_str()),
        (Value::Array(p), Value::Array(f)) => {
            p.len() <= f.len() && p.iter().zip(f).all(|(p, f)| consistent(p, f))
        }
        (Value::Object(p), Value::Object(f)) => p
            .iter()
            .all(|(k, p)| f.get(k).is_some_and(|f| consistent(p, f))),
        (p, f) => p == f,
    }
}

#[tokio::test]
async fn partial_arguments_of_recorded_tool_call_streams_only_grow_towards_the_final_ones() {
    let mut checked = 0;
    for (name, text) in recorded_streams() {
        let final_calls = {
            let mut stream = replay(&text, 4096);
            while stream.next().await.is_some() {}
            stream.final_completion().expect(&name)
        };
        let mut stream = replay(&text, 61);
        let mut previous: BTreeMap<(i64, i64), Value> = BTreeMap::new();
        while let Some(chunk) = stream.next().await {
            chunk.expect(&name);
            for choice in &final_calls.choices {
                for (index, call) in choice.message.tool_calls.iter().flatten().enumerate() {
                    let ToolCall::Function(call) = call else {
                        continue;
                    };
                    let full: Value = serde_json::from_str(&call.function.arguments).unwrap();
                    let index = i64::try_from(index).unwrap();
                    let Some(partial) = stream.partial_arguments(choice.index, index).expect(&name)
                    else {
                        continue;
                    };
                    assert!(consistent(&partial, &full), "{name}: {partial} vs {full}");
                    if let Some(before) = previous.get(&(choice.index, index)) {
                        assert!(
                            consistent(before, &partial),
                            "{name}: {before} then {partial}"
                        );
                    }
                    previous.insert((choice.index, index), partial);
                    checked += 1;
                }
            }
        }
        for ((choice, index), last) in previous {
            let call = &final_calls.choices[usize::try_from(choice).unwrap()]
                .message
                .tool_calls
                .as_ref()
                .unwrap()[usize::try_from(index).unwrap()];
            let ToolCall::Function(call) = call else {
                unreachable!("only function calls were recorded");
            };
            let full: Value = serde_json::from_str(&call.function.arguments).unwrap();
            assert_eq!(last, full, "{name}: the last partial is the whole");
        }
    }
    assert!(checked > 20, "tool-call streams were checked: {checked}");
}

#[tokio::test]
async fn partial_content_of_a_synthetic_nested_structured_output() {
    let document = r#"{"trip": {"city": "Paris", "days": [{"n": 1, "plan": ["Louvre", "Seine"]}, {"n": 2, "plan": []}], "ok": true}}"#;
    let full: Value = serde_json::from_str(document).unwrap();
    let mut text = String::new();
    for piece in document.as_bytes().chunks(3) {
        text += &content_chunk(std::str::from_utf8(piece).unwrap());
    }
    text += "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    let mut stream = replay(&text, 50);
    let mut seen = Vec::new();
    while let Some(chunk) = stream.next().await {
        chunk.unwrap();
        if let Some(partial) = stream.partial_content(0).unwrap() {
            assert!(consistent(&partial, &full), "{partial}");
            seen.push(partial);
        }
    }
    assert!(seen.windows(2).all(|w| consistent(&w[0], &w[1])));
    assert!(seen.contains(&serde_json::json!({"trip": {"city": "Pa"}})));
    assert_eq!(seen.last(), Some(&full));
}

/// What the stream yields for `body`: each item's chunk content or error message.
async fn yielded(body: &str) -> Vec<Result<String, String>> {
    replay(body, 7)
        .map(|item| match item {
            Ok(chunk) => Ok(chunk
                .choices
                .first()
                .and_then(|c| c.delta.content.clone())
                .unwrap_or_default()),
            Err(Error::Api(api)) => Err(api.message.clone()),
            Err(other) => Err(format!("not an API error: {other}")),
        })
        .collect()
        .await
}

#[tokio::test]
async fn error_objects_mid_stream_are_api_errors_and_the_word_error_in_content_is_not() {
    let chunk = |content: &str| {
        format!(
            "data: {{\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\
             \"choices\":[{{\"index\":0,\"delta\":{{\"content\":{}}},\"finish_reason\":null}}]}}\n\n",
            serde_json::to_string(content).unwrap()
        )
    };
    // OpenAI's own: a bare error object, no `event:` line.
    let bare = format!(
        "{}data: {{\"error\": {{\"message\": \"overloaded\", \"type\": \"server_error\"}}}}\n\n",
        chunk("Hi")
    );
    assert_eq!(
        yielded(&bare).await,
        [Ok("Hi".to_owned()), Err("overloaded".to_owned())]
    );
    // A gateway's error chunk: a whole chunk that also carries `error`.
    let gateway = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\
        \"error\":{\"code\":\"server_error\",\"message\":\"upstream died\"},\
        \"choices\":[{\"index\":0,\"delta\":{\"content\":\"\"},\"finish_reason\":\"error\"}]}\n\n";
    assert_eq!(yielded(gateway).await, [Err("upstream died".to_owned())]);
    // An error object that does not decode as a chunk is still the error.
    let odd = "data: {\"error\": {\"message\": \"bad\"}, \"choices\": 5}\n\n";
    assert_eq!(yielded(odd).await, [Err("bad".to_owned())]);
    // The model writing `"error"` (or a null `error`) is content, not an error.
    let quoted = format!(
        "{}{}data: [DONE]\n\n",
        chunk("say \"error\""),
        "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\
         \"error\":null,\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\n\n"
    );
    assert_eq!(
        yielded(&quoted).await,
        [Ok("say \"error\"".to_owned()), Ok("!".to_owned())]
    );
}
