//! The toolbox (dispatch, outputs, errors fed back to the model) and
//! `Client::run_tools` against a local scripted server.
//!
//! The server (`support/`) listens on 127.0.0.1:0 only and records every
//! request body, so tests assert on what the client sent, never on timing.

mod support;

use std::sync::Arc;
use std::time::Duration;

use chat_api::types::{
    ChatCompletionMessageToolCall, ChatCompletionRequestMessage, CreateChatCompletionRequest,
};
use chat_api::{Client, Error, Json, Tool, ToolOutput, ToolResult, Toolbox, ToolboxError};
use serde::Deserialize;
use serde_json::json;
use support::{Server, answer, tool_calls, within};

// ------------------------------------------------------------------- tools

/// Get the current weather for a city.
#[derive(Debug, Deserialize, Tool)]
struct GetWeather {
    /// City name, e.g. "Paris".
    location: String,
}

#[derive(Debug, thiserror::Error)]
#[error("no weather station in {0}")]
struct NoStation(String);

async fn get_weather(args: GetWeather) -> Result<String, NoStation> {
    if args.location == "Atlantis" {
        return Err(NoStation(args.location));
    }
    Ok(format!("22°C in {}", args.location))
}

/// Look a word up in the dictionary.
#[chat_api::tool]
async fn define(
    /// The word to look up.
    word: String,
) -> Result<String, std::io::Error> {
    Ok(format!("{word}: the smell of rain"))
}

/// Double a number.
#[chat_api::tool]
fn double(n: i64) -> i64 {
    n * 2
}

#[derive(serde::Serialize)]
struct Forecast {
    celsius: f64,
    sky: &'static str,
}

/// The forecast as a structure.
#[derive(Deserialize, Tool)]
struct Forecasts {
    days: u8,
}

fn toolbox() -> Toolbox {
    Toolbox::new()
        .with(GetWeather::handler(get_weather))
        .handler(DefineArgs::call)
        .handler(DoubleArgs::call)
        .handler(|f: Forecasts| {
            let all: Vec<_> = (0..f.days)
                .map(|_| Forecast {
                    celsius: 21.5,
                    sky: "clear",
                })
                .collect();
            Ok::<_, std::convert::Infallible>(all)
        })
}

fn call(id: &str, name: &str, arguments: &str) -> ChatCompletionMessageToolCall {
    serde_json::from_value(json!({
        "id": id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }))
    .expect("a tool call")
}

// ----------------------------------------------------------------- toolbox

#[test]
fn tools_are_listed_in_order_with_their_schemas() {
    let tools = toolbox();
    assert_eq!(
        tools.names().collect::<Vec<_>>(),
        ["get_weather", "define", "double", "forecasts"]
    );
    let json = serde_json::to_value(tools.tools()).unwrap();
    assert_eq!(json[0]["type"], "function");
    assert_eq!(json[0]["function"]["name"], "get_weather");
    assert_eq!(json[0]["function"]["strict"], true);
    assert_eq!(
        json[0]["function"]["description"],
        "Get the current weather for a city."
    );
    assert_eq!(
        json[1]["function"]["parameters"]["properties"]["word"]["description"],
        "The word to look up."
    );
}

#[tokio::test]
async fn calls_are_dispatched_by_name() {
    let tools = toolbox();
    assert_eq!(
        tools
            .call(&call("1", "get_weather", r#"{"location": "Paris"}"#))
            .await,
        ToolResult::Output("22°C in Paris".to_owned())
    );
    assert_eq!(
        tools
            .call(&call("2", "define", r#"{"word": "petrichor"}"#))
            .await,
        ToolResult::Output("petrichor: the smell of rain".to_owned())
    );
    assert_eq!(
        tools.call(&call("3", "double", r#"{"n": 21}"#)).await,
        ToolResult::Output("42".to_owned())
    );
    assert_eq!(
        tools.call(&call("4", "forecasts", r#"{"days": 2}"#)).await,
        ToolResult::Output(
            r#"[{"celsius":21.5,"sky":"clear"},{"celsius":21.5,"sky":"clear"}]"#.to_owned()
        )
    );
}

#[tokio::test]
async fn bad_arguments_are_reported_to_the_model() {
    let tools = toolbox();
    let wrong_type = tools
        .call(&call("1", "double", r#"{"n": "twenty"}"#))
        .await
        .into_error();
    assert!(
        wrong_type.starts_with(
            "Error: the arguments do not match the parameters of `double`: at `n`: invalid type"
        ),
        "{wrong_type}"
    );
    let missing = tools
        .call(&call("2", "get_weather", "{}"))
        .await
        .into_error();
    assert!(missing.contains("missing field `location`"), "{missing}");
    let not_json = tools
        .call(&call("3", "define", "not json"))
        .await
        .into_error();
    assert!(
        not_json.starts_with(
            "Error: the arguments do not match the parameters of `define`: expected ident at line 1"
        ),
        "{not_json}"
    );
}

#[tokio::test]
async fn handler_errors_are_reported_to_the_model() {
    let error = toolbox()
        .call(&call("1", "get_weather", r#"{"location": "Atlantis"}"#))
        .await;
    assert_eq!(
        error,
        ToolResult::Error("Error: no weather station in Atlantis".to_owned())
    );
}

#[tokio::test]
async fn unknown_tools_are_reported_to_the_model() {
    let error = toolbox()
        .call(&call("1", "get_time", "{}"))
        .await
        .into_error();
    assert_eq!(
        error,
        "Error: there is no tool named `get_time`; the tools are: `get_weather`, `define`, \
         `double`, `forecasts`"
    );
}

#[tokio::test]
async fn an_empty_toolbox_says_so() {
    let error = Toolbox::new().call(&call("1", "anything", "{}")).await;
    assert_eq!(
        error,
        ToolResult::Error(
            "Error: there is no tool named `anything`; no tools are available".to_owned()
        )
    );
}

#[test]
fn duplicate_names_are_rejected() {
    let tools = Toolbox::new().handler(DoubleArgs::call);
    let error = tools
        .clone()
        .try_with(DoubleArgs::handler(|args: DoubleArgs| args.n))
        .unwrap_err();
    assert!(matches!(&error, ToolboxError::DuplicateName(name) if name == "double"));
    assert_eq!(
        error.to_string(),
        "the toolbox already has a tool named `double`"
    );
    // The toolbox is unchanged by a rejected handler.
    assert_eq!(tools.names().collect::<Vec<_>>(), ["double"]);
}

#[test]
#[should_panic(expected = "the toolbox already has a tool named `define`")]
fn with_panics_on_a_duplicate_name() {
    let _ = Toolbox::new()
        .handler(DefineArgs::call)
        .handler(DefineArgs::call);
}

#[test]
fn outputs_strings_as_is_and_other_values_as_json() {
    assert_eq!(
        "plain".into_content(),
        ToolResult::Output("plain".to_owned())
    );
    assert_eq!(
        String::from("x\"y").into_content(),
        ToolResult::Output("x\"y".to_owned())
    );
    assert_eq!(
        Ok::<_, String>("inside".to_owned()).into_content(),
        ToolResult::Output("inside".to_owned())
    );
    assert_eq!(
        Json("quoted").into_content(),
        ToolResult::Output("\"quoted\"".to_owned())
    );
    assert_eq!(1.5.into_content(), ToolResult::Output("1.5".to_owned()));
    assert_eq!(true.into_content(), ToolResult::Output("true".to_owned()));
    assert_eq!(().into_content(), ToolResult::Output("null".to_owned()));
    assert_eq!(
        None::<u8>.into_content(),
        ToolResult::Output("null".to_owned())
    );
    assert_eq!(
        json!({"a": [1, 2]}).into_content(),
        ToolResult::Output(r#"{"a":[1,2]}"#.to_owned())
    );
    assert_eq!(
        Err::<u8, _>("bad input").into_content(),
        ToolResult::Error("bad input".to_owned())
    );
    // A map with non-string keys cannot be JSON: an error for the model, not a panic.
    let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
    let error = Json(map).into_content().into_error();
    assert!(
        error.starts_with("the tool's result could not be serialized"),
        "{error}"
    );
}

/// The error text of a failed call; a test failure when the call succeeded.
trait ExpectError {
    fn into_error(self) -> String;
}

impl ExpectError for ToolResult {
    fn into_error(self) -> String {
        assert!(self.is_error(), "expected an error, got {self:?}");
        self.into_string()
    }
}

fn request(text: &str) -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: "test".into(),
        messages: vec![ChatCompletionRequestMessage::user(text)],
        ..Default::default()
    }
}

// -------------------------------------------------------------------- loop

#[tokio::test]
async fn parallel_calls_then_answer() {
    let server = Server::start(|n| match n {
        0 => tool_calls(&[
            ("call_weather", "meet_weather", r#"{"location": "Paris"}"#),
            ("call_define", "meet_define", r#"{"word": "petrichor"}"#),
        ]),
        _ => answer("It is 22°C; petrichor is the smell of rain."),
    })
    .await;

    // Each handler waits for the other to start: this run only finishes if
    // the two calls execute concurrently.
    let barrier = Arc::new(tokio::sync::Barrier::new(2));
    let (b1, b2) = (Arc::clone(&barrier), Arc::clone(&barrier));
    /// Weather, after meeting the other call.
    #[derive(Deserialize, Tool)]
    struct MeetWeather {
        location: String,
    }
    /// Definition, after meeting the other call.
    #[derive(Deserialize, Tool)]
    struct MeetDefine {
        word: String,
    }
    let tools = Toolbox::new()
        .handler(move |args: MeetWeather| {
            let barrier = Arc::clone(&b1);
            async move {
                barrier.wait().await;
                Ok::<_, String>(format!("22°C in {}", args.location))
            }
        })
        .handler(move |args: MeetDefine| {
            let barrier = Arc::clone(&b2);
            async move {
                barrier.wait().await;
                Ok::<_, String>(format!("{}: the smell of rain", args.word))
            }
        });

    let run = within(
        server
            .client()
            .run_tools(request("Weather and a word?"), &tools),
    )
    .await
    .expect("the run succeeds");
    assert_eq!(run.rounds, 2);
    assert_eq!(
        run.content(),
        Some("It is 22°C; petrichor is the smell of rain.")
    );

    let bodies = server.bodies();
    assert_eq!(bodies.len(), 2);
    // The toolbox's tools were sent, both rounds.
    for body in &bodies {
        let names: Vec<&str> = body["tools"]
            .as_array()
            .expect("tools")
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["meet_weather", "meet_define"]);
    }
    assert_eq!(
        bodies[0]["messages"],
        json!([{"role": "user", "content": "Weather and a word?"}])
    );
    let messages = bodies[1]["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 4, "{messages:#?}");
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[1]["role"], "assistant");
    let replayed: Vec<&str> = messages[1]["tool_calls"]
        .as_array()
        .expect("the assistant turn keeps its tool calls")
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(replayed, ["call_weather", "call_define"]);
    assert_eq!(
        messages[1]["tool_calls"][0]["function"]["arguments"],
        r#"{"location": "Paris"}"#
    );
    assert_eq!(
        messages[2],
        json!({"role": "tool", "tool_call_id": "call_weather", "content": "22°C in Paris"})
    );
    assert_eq!(
        messages[3],
        json!({"role": "tool", "tool_call_id": "call_define", "content": "petrichor: the smell of rain"})
    );

    // The history is what was sent, plus the final answer.
    assert_eq!(run.messages.len(), 5);
    assert_eq!(
        serde_json::to_value(&run.messages[..4]).unwrap(),
        bodies[1]["messages"]
    );
    assert_eq!(
        serde_json::to_value(&run.messages[4]).unwrap()["content"],
        "It is 22°C; petrichor is the smell of rain."
    );
}

#[tokio::test]
async fn failures_inside_a_round_go_back_to_the_model() {
    let server = Server::start(|n| match n {
        0 => tool_calls(&[
            ("call_unknown", "get_time", "{}"),
            ("call_bad", "double", r#"{"n": "two"}"#),
            ("call_err", "get_weather", r#"{"location": "Atlantis"}"#),
        ]),
        _ => answer("Sorry."),
    })
    .await;
    let run = within(server.client().run_tools(request("?"), &toolbox()))
        .await
        .expect("tool failures do not fail the run");
    assert_eq!(run.content(), Some("Sorry."));
    let messages = server.bodies()[1]["messages"].clone();
    let tool_messages: Vec<(&str, &str)> = messages
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| {
            (
                m["tool_call_id"].as_str().unwrap(),
                m["content"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(tool_messages.len(), 3);
    assert_eq!(tool_messages[0].0, "call_unknown");
    assert!(
        tool_messages[0]
            .1
            .starts_with("Error: there is no tool named `get_time`")
    );
    assert_eq!(tool_messages[1].0, "call_bad");
    assert!(
        tool_messages[1]
            .1
            .starts_with("Error: the arguments do not match the parameters of `double`: at `n`")
    );
    assert_eq!(
        tool_messages[2],
        ("call_err", "Error: no weather station in Atlantis")
    );
}

#[tokio::test]
async fn max_rounds_stops_a_model_that_keeps_calling() {
    let server = Server::start(|n| {
        let id = format!("call_{n}");
        tool_calls(&[(&id, "double", r#"{"n": 1}"#)])
    })
    .await;
    let tools = toolbox().max_rounds(3);
    let mut request = request("Loop forever");
    // A forced call applies to the first round only.
    request.tool_choice = Some(serde_json::from_value(json!("required")).unwrap());

    let error = within(server.client().run_tools(request, &tools))
        .await
        .unwrap_err();
    let Error::ToolRounds(run) = &error else {
        panic!("expected ToolRounds, got {error:?}");
    };
    assert_eq!(run.rounds, 3);
    assert_eq!(
        error.to_string(),
        "the model was still calling tools after 3 rounds (the toolbox's `max_rounds`)"
    );
    let bodies = server.bodies();
    assert_eq!(bodies.len(), 3, "no request beyond max_rounds");
    assert_eq!(bodies[0]["tool_choice"], "required");
    assert!(bodies[1].get("tool_choice").is_none(), "{}", bodies[1]);
    // user + 3 × (assistant turn, tool result): the last round's calls were
    // answered, so the history can be sent again as it is.
    assert_eq!(run.messages.len(), 7);
    let last = serde_json::to_value(run.messages.last()).unwrap();
    assert_eq!(
        last,
        json!({"role": "tool", "tool_call_id": "call_2", "content": "2"})
    );
}

#[tokio::test]
async fn request_tools_are_kept_when_given() {
    let server = Server::start(|_| answer("ok")).await;
    let mut request = request("hi");
    request.tools = Some(Toolbox::new().handler(DoubleArgs::call).tools());
    let run = within(server.client().run_tools(request, &toolbox()))
        .await
        .unwrap();
    assert_eq!(run.rounds, 1);
    assert_eq!(run.messages.len(), 2);
    let tools = &server.bodies()[0]["tools"];
    assert_eq!(tools.as_array().map(Vec::len), Some(1));
    assert_eq!(tools[0]["function"]["name"], "double");
}

/// The loop future can be spawned on a multi-threaded runtime.
#[test]
fn run_tools_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let client = Client::builder().build().unwrap();
    let tools = toolbox();
    let future = client.run_tools(request("hi"), &tools);
    assert_send(&future);
}

// ------------------------------------------------------- totals and hooks

fn with_usage(mut completion: serde_json::Value, usage: serde_json::Value) -> serde_json::Value {
    completion["usage"] = usage;
    completion
}

#[tokio::test]
async fn usage_is_added_up_over_the_rounds() {
    let server = Server::start(|n| match n {
        0 => with_usage(
            tool_calls(&[("c1", "double", r#"{"n": 2}"#)]),
            json!({"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
                "prompt_tokens_details": {"cached_tokens": 64, "cache_write_tokens": 30},
                "completion_tokens_details": {"reasoning_tokens": 12}}),
        ),
        _ => with_usage(
            answer("4"),
            json!({"prompt_tokens": 150, "completion_tokens": 5, "total_tokens": 155,
                "prompt_tokens_details": {"cached_tokens": 100},
                "completion_tokens_details": {"reasoning_tokens": 3}}),
        ),
    })
    .await;
    let run = within(server.client().run_tools(request("Double 2"), &toolbox()))
        .await
        .expect("the run succeeds");
    let usage = run.usage.expect("both rounds reported usage");
    assert_eq!(
        (
            usage.prompt_tokens,
            usage.completion_tokens,
            usage.total_tokens
        ),
        (250, 25, 275)
    );
    let prompt = usage.prompt_tokens_details.expect("prompt details");
    assert_eq!(prompt.cached_tokens, Some(164));
    assert_eq!(prompt.cache_write_tokens, Some(30));
    assert_eq!(prompt.audio_tokens, None, "never reported, never invented");
    assert_eq!(
        usage
            .completion_tokens_details
            .expect("details")
            .reasoning_tokens,
        Some(15)
    );
}

#[tokio::test]
async fn no_usage_reported_is_none() {
    let server = Server::start(|_| answer("hi")).await;
    let run = within(server.client().run_tools(request("hi"), &toolbox()))
        .await
        .expect("the run succeeds");
    assert!(run.usage.is_none());
}

#[tokio::test]
async fn hooks_see_each_call_and_can_veto_one() {
    use chat_api::{CallDecision, Flow};
    use std::sync::Mutex;

    let server = Server::start(|n| match n {
        0 => tool_calls(&[
            ("c1", "double", r#"{"n": 21}"#),
            ("c2", "define", r#"{"word": "secret"}"#),
        ]),
        _ => answer("done"),
    })
    .await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let completions = Arc::new(Mutex::new(0));
    let (seen_after, counted) = (Arc::clone(&seen), Arc::clone(&completions));
    let tools = toolbox()
        .on_completion(move |_| {
            *counted.lock().unwrap() += 1;
            Flow::Continue
        })
        .before_tool_call(|call| {
            if call.name == "define" {
                CallDecision::Veto(format!("`{}` is not allowed", call.arguments))
            } else {
                CallDecision::Run
            }
        })
        .after_tool_call(move |done| {
            seen_after.lock().unwrap().push((
                done.call.id.to_owned(),
                done.call.name.to_owned(),
                done.call.arguments.to_owned(),
                done.result.clone(),
                done.duration == Duration::ZERO,
            ));
            Flow::Continue
        });
    let run = within(server.client().run_tools(request("go"), &tools))
        .await
        .expect("the run succeeds");
    assert!(!run.stopped);
    assert_eq!(*completions.lock().unwrap(), 2);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[0].0.as_str(), seen[0].1.as_str(), seen[0].2.as_str()),
        ("c1", "double", r#"{"n": 21}"#)
    );
    assert_eq!(seen[0].3, ToolResult::Output("42".to_owned()));
    let veto = r#"Error: `{"word": "secret"}` is not allowed"#;
    assert_eq!(seen[1].3, ToolResult::Error(veto.to_owned()));
    assert!(seen[1].4, "a vetoed call took no time");
    assert_eq!(
        server.bodies()[1]["messages"][3],
        json!({"role": "tool", "tool_call_id": "c2", "content": veto})
    );
}

#[tokio::test]
async fn a_hook_stops_the_run() {
    use chat_api::{CallDecision, Flow};

    let script = |n: usize| match n {
        0 => tool_calls(&[("c1", "double", r#"{"n": 1}"#)]),
        _ => answer("done"),
    };
    // Before the call: nothing runs, the turn's calls stay unanswered.
    let server = Server::start(script).await;
    let tools = toolbox().before_tool_call(|_| CallDecision::Stop);
    let run = within(server.client().run_tools(request("go"), &tools))
        .await
        .expect("a stop is not an error");
    assert!(run.stopped);
    assert_eq!((run.rounds, run.messages.len()), (1, 2));
    assert_eq!(server.request_count(), 1);

    // After the call: its result is in the history, no further round.
    let server = Server::start(script).await;
    let tools = toolbox().after_tool_call(|_| Flow::Stop);
    let run = within(server.client().run_tools(request("go"), &tools))
        .await
        .expect("a stop is not an error");
    assert!(run.stopped);
    assert_eq!(run.messages.len(), 3);
    assert_eq!(
        serde_json::to_value(&run.messages[2]).unwrap()["content"],
        "2"
    );
    assert_eq!(server.request_count(), 1);

    // After the completion.
    let server = Server::start(script).await;
    let tools = toolbox().on_completion(|_| Flow::Stop);
    let run = within(server.client().run_tools(request("go"), &tools))
        .await
        .expect("a stop is not an error");
    assert!(run.stopped);
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn allowed_tools_required_becomes_auto_after_the_first_round() {
    let server = Server::start(|n| match n {
        0 => tool_calls(&[("c1", "double", r#"{"n": 1}"#)]),
        _ => answer("done"),
    })
    .await;
    let mut request = request("go");
    request.tool_choice = Some(
        serde_json::from_value(json!({"type": "allowed_tools", "allowed_tools": {
            "mode": "required", "tools": [{"type": "function", "function": {"name": "double"}}]}}))
        .unwrap(),
    );
    within(server.client().run_tools(request, &toolbox()))
        .await
        .expect("the run succeeds");
    let bodies = server.bodies();
    assert_eq!(
        bodies[0]["tool_choice"]["allowed_tools"]["mode"],
        "required"
    );
    assert_eq!(
        bodies[1]["tool_choice"],
        json!({"type": "allowed_tools", "allowed_tools": {
            "mode": "auto", "tools": [{"type": "function", "function": {"name": "double"}}]}})
    );
}
