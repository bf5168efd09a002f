//! Contract tests: the generated client against Stoplight Prism, a mock
//! server that validates every request against `spec/openapi.json` and
//! answers with a body built from the spec.
//!
//! Each test starts its own Prism (`tests/prism/node_modules`, installed by
//! `npm ci --prefix tests/prism`) on a free loopback port and kills it when
//! the test ends. Without Prism the tests fail; they never skip.
//!
//! Prism accepts every body when it cannot compile a schema, so
//! `validation_is_effective` proves that invalid requests get 422 first.

use std::fs::File;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chat_api::types::*;
use chat_api::{ApiError, Client, Error, RequestOptions, Tool};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

/// How long Prism may take to start listening (about 1.5 s on an idle machine).
const STARTUP_LIMIT: Duration = Duration::from_secs(60);
/// Per-request bound: Prism never answers some malformed requests.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A running Prism, killed when dropped (also when a test panics).
struct Prism {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Prism {
    fn start() -> Prism {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let bin = root.join("prism/node_modules/.bin/prism");
        let spec = root.join("../spec/openapi.json");
        assert!(
            bin.exists(),
            "Prism is not installed ({} is missing): run `npm ci --prefix tests/prism` \
             from the workspace root (needs Node.js >= 18.20 and npm)",
            bin.display()
        );
        // The port is free when chosen but could be taken before Prism binds
        // it: try a few ports before giving up.
        let mut last_failure = String::new();
        for _ in 0..3 {
            let port = free_port();
            let log = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("prism-{port}.log"));
            // Prism logs every request: a pipe nobody reads would fill up and
            // block it, so the log goes to a file.
            let out = File::create(&log).expect("create the Prism log file");
            let err = out.try_clone().expect("clone the Prism log file");
            let child = Command::new(&bin)
                .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
                .arg(&spec)
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .unwrap_or_else(|e| {
                    panic!(
                        "could not start {}: {e} (is `node` on PATH? \
                         run `npm ci --prefix tests/prism`)",
                        bin.display()
                    )
                });
            let mut prism = Prism { child, port, log };
            match prism.wait_until_listening() {
                Ok(()) => return prism,
                Err(failure) => last_failure = failure,
            }
        }
        panic!("Prism did not start: {last_failure}");
    }

    fn wait_until_listening(&mut self) -> Result<(), String> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let deadline = Instant::now() + STARTUP_LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll Prism") {
                return Err(format!(
                    "it exited with {status}; log:\n{}",
                    self.log_text()
                ));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "port {} not answering after {STARTUP_LIMIT:?}; log:\n{}",
                    self.port,
                    self.log_text()
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    fn base_url(&self) -> String {
        // Prism routes on the spec's path keys (`/chat/completions`), without `/v1`.
        format!("http://127.0.0.1:{}", self.port)
    }

    /// A client as users build one, with an API key (Prism answers 401
    /// without one) and no retries, so every response is seen as sent.
    fn client(&self) -> Client {
        self.builder()
            .api_key("sk-contract-test")
            .build()
            .expect("client")
    }

    fn builder(&self) -> chat_api::ClientBuilder {
        Client::builder()
            .base_url(self.base_url())
            .max_retries(0)
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Keep the log of a failed test for diagnosis.
        if !std::thread::panicking() {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// The API error of a failed call; panics on success or another error.
#[track_caller]
fn api_error<T: std::fmt::Debug>(result: chat_api::Result<T>) -> Box<ApiError> {
    match result {
        Err(Error::Api(api)) => api,
        other => panic!("expected Error::Api, got {other:?}"),
    }
}

/// The base of every create request: a system and a user message.
fn chat(prompt: &str) -> CreateChatCompletionRequest {
    CreateChatCompletionRequest {
        model: "gpt-4o".into(),
        messages: vec![
            ChatCompletionRequestMessage::system("You are a terse assistant."),
            ChatCompletionRequestMessage::user(prompt),
        ],
        ..Default::default()
    }
}

/// Get the current weather for a city.
#[derive(Deserialize, Tool)]
#[allow(dead_code)] // only the schema is used
struct GetWeather {
    /// City and country, e.g. "Paris, France".
    city: String,
    /// Temperature unit.
    unit: Option<Unit>,
}

#[derive(Deserialize, Tool)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum Unit {
    Celsius,
    Fahrenheit,
}

/// A person mentioned in the text.
#[derive(Deserialize, Tool)]
#[allow(dead_code)]
struct Person {
    name: String,
    age: Option<u8>,
    tags: Vec<String>,
}

/// Typed requests as users write them, each expected to pass validation.
#[allow(deprecated)] // `seed`, `max_tokens` and `user` are deprecated but still sent by users
fn valid_requests() -> Vec<(&'static str, CreateChatCompletionRequest)> {
    let hand_written_tool = ChatCompletionTool {
        function: FunctionObject {
            name: "lookup_order".into(),
            description: Some("Look an order up by id.".into()),
            parameters: Some(
                chat_api::schema::Schema::try_from(json!({
                    "type": "object",
                    "properties": {"order_id": {"type": "string"}},
                    "required": ["order_id"],
                    "additionalProperties": false
                }))
                .expect("object"),
            ),
            strict: Some(true),
        },
    };
    vec![
        ("minimal", chat("Hello!")),
        (
            "tools and a json_schema response format",
            CreateChatCompletionRequest {
                tools: Some(vec![GetWeather::tool().into(), hand_written_tool.into()]),
                tool_choice: Some(ToolChoiceMode::Auto.into()),
                parallel_tool_calls: Some(false),
                response_format: Some(chat_api::response_format::<Person>()),
                ..chat("Who is mentioned, and what is the weather there?")
            },
        ),
        (
            "a named tool choice",
            CreateChatCompletionRequest {
                tools: Some(vec![GetWeather::tool().into()]),
                tool_choice: Some(
                    ChatCompletionNamedToolChoice {
                        function: NamedFunction {
                            name: GetWeather::NAME.into(),
                        },
                    }
                    .into(),
                ),
                ..chat("Weather in Paris?")
            },
        ),
        (
            "sampling, stop, logit_bias, metadata and store",
            CreateChatCompletionRequest {
                temperature: Some(0.2),
                top_p: Some(0.9),
                n: Some(2),
                max_completion_tokens: Some(256),
                presence_penalty: Some(0.5),
                frequency_penalty: Some(-0.5),
                stop: Some(vec!["\n\n".to_owned(), "END".to_owned()].into()),
                logit_bias: Some([("50256".to_owned(), -100), ("1000".to_owned(), 5)].into()),
                logprobs: Some(true),
                top_logprobs: Some(3),
                metadata: Some([("user".to_owned(), "alice".to_owned())].into()),
                store: Some(true),
                seed: Some(42),
                safety_identifier: Some("user-hash-1".into()),
                prompt_cache_key: Some("faq-v1".into()),
                service_tier: Some(ServiceTier::from("auto")),
                ..chat("Write a haiku.")
            },
        ),
        (
            "a single stop string",
            CreateChatCompletionRequest {
                stop: Some("END".into()),
                ..chat("Count to three.")
            },
        ),
        (
            "json_object response format and legacy fields",
            CreateChatCompletionRequest {
                response_format: Some(ResponseFormat::JsonObject(ResponseFormatJsonObject {})),
                max_tokens: Some(100),
                user: Some("user-1".into()),
                ..chat("Reply with a JSON object.")
            },
        ),
        (
            "text response format, reasoning effort and verbosity",
            CreateChatCompletionRequest {
                model: "o3".into(),
                messages: vec![
                    ChatCompletionRequestMessage::developer("Think step by step."),
                    ChatCompletionRequestMessage::user("What is 17 * 23?"),
                ],
                response_format: Some(ResponseFormat::Text(ResponseFormatText {})),
                reasoning_effort: Some(ReasoningEffort::from("low")),
                verbosity: Some(Verbosity::from("low")),
                ..Default::default()
            },
        ),
        (
            "an image content part",
            CreateChatCompletionRequest {
                messages: vec![ChatCompletionRequestMessage::user(UserContent::Parts(
                    vec![
                        ChatCompletionRequestUserMessageContentPart::Text(
                            ChatCompletionRequestMessageContentPartText {
                                text: "What is in this image?".into(),
                                ..Default::default()
                            },
                        ),
                        ChatCompletionRequestUserMessageContentPart::ImageUrl(
                            ChatCompletionRequestMessageContentPartImage {
                                image_url: ImageUrl {
                                    url: "https://example.com/cat.png".into(),
                                    ..Default::default()
                                },
                                ..Default::default()
                            },
                        ),
                    ],
                ))],
                ..chat("unused")
            },
        ),
        (
            "an audio and a file content part",
            CreateChatCompletionRequest {
                messages: vec![ChatCompletionRequestMessage::user(UserContent::Parts(
                    vec![
                        ChatCompletionRequestUserMessageContentPart::InputAudio(
                            ChatCompletionRequestMessageContentPartAudio {
                                input_audio: InputAudio {
                                    data: "UklGRg==".into(),
                                    format: InputAudioFormat::Wav,
                                },
                                prompt_cache_breakpoint: None,
                            },
                        ),
                        ChatCompletionRequestUserMessageContentPart::File(
                            ChatCompletionRequestMessageContentPartFile {
                                file: InputFile {
                                    file_id: Some("file-abc".into()),
                                    ..Default::default()
                                },
                                ..Default::default()
                            },
                        ),
                    ],
                ))],
                ..chat("unused")
            },
        ),
        (
            "audio output",
            CreateChatCompletionRequest {
                model: "gpt-4o-audio-preview".into(),
                modalities: Some(vec![Modality::Text, Modality::Audio]),
                audio: Some(AudioOutput {
                    voice: VoiceIdsShared::Alloy.into(),
                    format: AudioFormat::Mp3,
                }),
                ..chat("Say hello.")
            },
        ),
        (
            "a predicted output",
            CreateChatCompletionRequest {
                prediction: Some(PredictionContent {
                    content: "fn main() {}".to_owned().into(),
                }),
                ..chat("Rename main to start.")
            },
        ),
        (
            "web search options",
            CreateChatCompletionRequest {
                model: "gpt-4o-search-preview".into(),
                web_search_options: Some(WebSearchOptions {
                    user_location: Some(WebSearchUserLocation {
                        approximate: WebSearchLocation {
                            country: Some("FR".into()),
                            city: Some("Paris".into()),
                            ..Default::default()
                        },
                    }),
                    search_context_size: Some(WebSearchContextSize::from("low")),
                }),
                ..chat("News today?")
            },
        ),
        (
            "a custom tool with a grammar",
            CreateChatCompletionRequest {
                tools: Some(vec![ToolDefinition::Custom(CustomToolChatCompletions {
                    custom: CustomToolSpec {
                        name: "math".into(),
                        description: Some("Evaluate an expression.".into()),
                        format: Some(CustomToolFormat::Grammar(CustomGrammarFormat {
                            grammar: Grammar {
                                definition: "start: NUMBER".into(),
                                syntax: GrammarSyntax::Lark,
                            },
                        })),
                    },
                })]),
                ..chat("What is 2 + 2?")
            },
        ),
        (
            "legacy functions and function_call",
            CreateChatCompletionRequest {
                functions: Some(vec![ChatCompletionFunctions {
                    name: GetWeather::NAME.into(),
                    description: GetWeather::description().map(str::to_owned),
                    parameters: GetWeather::tool().function.parameters,
                }]),
                function_call: Some(FunctionChoice::Named(ChatCompletionFunctionCallOption {
                    name: GetWeather::NAME.into(),
                })),
                ..chat("Weather in Paris?")
            },
        ),
        (
            "an assistant turn and a tool result",
            CreateChatCompletionRequest {
                messages: vec![
                    ChatCompletionRequestMessage::user("Weather in Paris?"),
                    ChatCompletionRequestMessage::assistant("Let me check."),
                    ChatCompletionRequestMessage::tool("call_1", "22 degrees, sunny"),
                ],
                ..chat("unused")
            },
        ),
    ]
}

/// Prism rejects invalid requests with 422, so the acceptance tests below
/// mean something (it accepts everything when it cannot compile a schema).
#[tokio::test]
async fn validation_is_effective() {
    let prism = Prism::start();
    let client = prism.client();

    let invalid = [
        (
            "an unknown role",
            json!({"model": "gpt-4o", "messages": [{"role": "narrator", "content": "hi"}]}),
            "messages",
        ),
        (
            "no model",
            json!({"messages": [{"role": "user", "content": "hi"}]}),
            "model",
        ),
        (
            "a user message without content",
            json!({"model": "gpt-4o", "messages": [{"role": "user"}]}),
            "content",
        ),
        (
            "a stop array of five strings",
            json!({"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}],
                   "stop": ["a", "b", "c", "d", "e"]}),
            "stop",
        ),
    ];
    for (what, body, mentioned) in invalid {
        let err = api_error(
            client
                .post::<Value, Value>("/chat/completions", &body)
                .await,
        );
        assert_eq!(err.status, 422, "{what}: {err:?}");
        assert!(err.body.contains(mentioned), "{what}: {}", err.body);
    }

    // A typed request can carry out-of-range values: the spec's bounds are
    // checked too (temperature is at most 2).
    let err = api_error(
        client
            .create_chat_completion(&CreateChatCompletionRequest {
                temperature: Some(5.0),
                ..chat("Hello!")
            })
            .await,
    );
    assert_eq!(err.status, 422, "{err:?}");
    assert!(err.body.contains("temperature"), "{}", err.body);

    // Query parameters are validated as well, the metadata filter among
    // them (an object, sent as `metadata[key]=value`).
    let err = api_error(client.get::<Value>("/chat/completions?metadata=5").await);
    assert_eq!(err.status, 422, "{err:?}");
    assert!(err.body.contains("metadata"), "{}", err.body);
    let err = api_error(client.get::<Value>("/chat/completions?limit=many").await);
    assert_eq!(err.status, 422, "{err:?}");
    assert!(err.body.contains("limit"), "{}", err.body);
}

/// Every typed request above passes validation and the answer decodes into
/// `CreateChatCompletionResponse`. All are tried before failing, so one run
/// reports every rejected request with the JSON sent and Prism's reasons.
#[tokio::test]
async fn typed_create_requests_are_accepted() {
    let prism = Prism::start();
    let client = prism.client();

    let mut failures = Vec::new();
    for (what, request) in valid_requests() {
        match client.create_chat_completion(&request).await {
            Ok(response) => {
                assert!(!response.choices.is_empty(), "{what}: {response:?}");
            }
            Err(e) => {
                let body = serde_json::to_string(&request).expect("request encodes");
                let reason = match &e {
                    Error::Api(api) => format!("{} {}", api.status, api.body),
                    other => other.to_string(),
                };
                failures.push(format!("{what}\n  sent: {body}\n  got: {reason}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} request(s) rejected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The tool-calling loop: the model's answer is replayed as the assistant
/// turn (`From<ChatCompletionResponseMessage>`), followed by tool results.
#[tokio::test]
async fn replayed_assistant_turn_is_accepted() {
    let prism = Prism::start();
    let client = prism.client();

    let mut request = CreateChatCompletionRequest {
        tools: Some(vec![GetWeather::tool().into()]),
        ..chat("Weather in Paris?")
    };
    let first = client
        .create_chat_completion(&request)
        .await
        .expect("first turn");
    let message = first.choices[0].message.clone();
    let call_ids: Vec<String> = message
        .tool_calls
        .iter()
        .flatten()
        .filter_map(|call| match call {
            ToolCall::Function(f) => Some(f.id.clone()),
            _ => None,
        })
        .collect();
    request.messages.push(message.into());
    for id in &call_ids {
        request.messages.push(ChatCompletionRequestMessage::tool(
            id.as_str(),
            "22 degrees, sunny",
        ));
    }
    if let Err(e) = client.create_chat_completion(&request).await {
        panic!(
            "replayed turn rejected: {e:?}\n  sent: {}",
            serde_json::to_string(&request).expect("request encodes")
        );
    }
}

/// The stored-completion endpoints: get, update, delete, list (with a
/// metadata filter), list messages, and bounded auto-pagination.
#[tokio::test]
async fn stored_completion_endpoints_are_accepted() {
    let prism = Prism::start();
    let client = prism.client();
    let id = "chatcmpl-abc123";

    let completion = client.get_chat_completion(id).await.expect("get");
    assert!(!completion.choices.is_empty(), "{completion:?}");

    let updated = client
        .update_chat_completion(
            id,
            &UpdateChatCompletionRequest {
                metadata: Some([("reviewed".to_owned(), "yes".to_owned())].into()),
            },
        )
        .await
        .expect("update");
    assert!(!updated.choices.is_empty(), "{updated:?}");

    let deleted = client.delete_chat_completion(id).await.expect("delete");
    assert_eq!(deleted.object.as_str(), "chat.completion.deleted");

    let messages = client
        .get_chat_completion_messages(
            id,
            &GetChatCompletionMessagesQuery {
                limit: Some(2),
                order: Some(Order::Desc),
                after: Some("msg-1".into()),
            },
        )
        .await
        .expect("list messages");
    assert_eq!(messages.object.as_str(), "list");

    let list = client
        .list_chat_completions(&ListChatCompletionsQuery {
            model: Some("gpt-4o".into()),
            metadata: Some(
                [
                    ("user".to_owned(), "alice".to_owned()),
                    ("env".to_owned(), "test".to_owned()),
                ]
                .into(),
            ),
            limit: Some(2),
            order: Some(Order::Desc),
            ..Default::default()
        })
        .await
        .expect("list with a metadata filter");
    assert!(!list.data.is_empty(), "{list:?}");

    // Prism always says `has_more: true`: bound the walk.
    let items: Vec<_> = client
        .list_chat_completions_stream(ListChatCompletionsQuery {
            limit: Some(1),
            ..Default::default()
        })
        .take(3)
        .collect()
        .await;
    assert!(!items.is_empty());
    for item in items {
        item.expect("page item");
    }
}

/// The error statuses the spec declares come back as `Error::Api`.
#[tokio::test]
async fn error_statuses_become_api_errors() {
    let prism = Prism::start();

    // No API key: Prism enforces the spec's bearer auth.
    let anonymous = prism.builder().build().expect("client");
    let err = api_error(anonymous.create_chat_completion(&chat("Hello!")).await);
    assert_eq!(err.status, 401, "{err:?}");
    let err = api_error(anonymous.get_chat_completion("chatcmpl-1").await);
    assert_eq!(err.status, 401, "{err:?}");

    // The spec's 429 (`TooManyRequests`), forced with Prism's `Prefer` header;
    // no retry, so the call ends at once.
    let limited = prism.client().with_options(
        RequestOptions::new()
            .header("Prefer", "code=429")
            .max_retries(0),
    );
    let err = api_error(limited.create_chat_completion(&chat("Hello!")).await);
    assert_eq!(err.status, 429, "{err:?}");
    assert!(err.headers.contains_key("retry-after"), "{err:?}");
    assert!(Error::Api(err).is_retryable());
}
