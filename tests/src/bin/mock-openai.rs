//! A scripted stand-in for the Chat Completions API, for running the
//! examples of `crates/chat-api/examples/` in CI (`.ci/examples`).
//!
//! Prism answers every request with the spec's one example, so it can drive
//! neither a tool loop nor a stream; this server answers from the request:
//!
//! - a conversation ending in tool results gets a reply quoting them;
//! - a request with tools (and `tool_choice` other than `none`) gets a call
//!   to the named or first tool, with arguments made from its schema;
//! - a `json_schema` response format gets content made from the schema;
//! - anything else gets a greeting quoting the last user message and naming
//!   the body fields the spec does not know (`extra_body`);
//! - `"stream": true` gets the same reply as SSE chunks;
//! - a model whose name contains `does-not-exist` gets OpenAI's 404;
//! - `GET /chat/completions` pages through five stored completions;
//! - a request without `Authorization: Bearer …` gets OpenAI's 401.
//!
//! It listens on loopback, prints `listening on http://127.0.0.1:<port>/v1`
//! and exits by itself after `--max-seconds` (default 300), so a CI job that
//! dies cannot leave it behind.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Map, Value, json};

const STORED: usize = 5;
/// How deep a made-up value nests before recursion stops.
const MAX_DEPTH: usize = 4;
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn main() {
    let max_seconds = match parse_args() {
        Ok(seconds) => seconds,
        Err(message) => {
            eprintln!("mock-openai: {message}\nusage: mock-openai [--max-seconds N]");
            std::process::exit(2);
        }
    };
    let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)) {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("mock-openai: cannot listen on 127.0.0.1: {err}");
            std::process::exit(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
    println!("listening on http://127.0.0.1:{port}/v1");
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(max_seconds));
        eprintln!("mock-openai: stopping after {max_seconds} s (--max-seconds)");
        std::process::exit(0);
    });
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            if let Err(err) = serve(stream) {
                eprintln!("mock-openai: {err}");
            }
        });
    }
}

fn parse_args() -> Result<u64, String> {
    let mut args = std::env::args().skip(1);
    let mut max_seconds = 300;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--max-seconds" => {
                let value = args.next().ok_or("--max-seconds needs a value")?;
                max_seconds = value
                    .parse()
                    .map_err(|_| format!("--max-seconds: `{value}` is not a whole number"))?;
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(max_seconds)
}

struct Request {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    authorized: bool,
    body: Vec<u8>,
}

/// One request per connection: the answer says `Connection: close`.
fn serve(stream: TcpStream) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let request = read_request(&mut reader)?;
    let mut out = stream;
    let (status, body) = match route(&request) {
        Answer::Json(status, body) => (status, body),
        Answer::Sse(events) => return write_sse(&mut out, &events),
    };
    let body = body.to_string();
    write!(
        out,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         x-request-id: req_mock_{}\r\nconnection: close\r\n\r\n{body}",
        body.len(),
        NEXT_ID.fetch_add(1, Ordering::Relaxed),
    )
}

fn read_request(reader: &mut impl BufRead) -> std::io::Result<Request> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (mut length, mut authorized) = (0, false);
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
            if name == "content-length" {
                length = value.parse().unwrap_or(0);
            } else if name == "authorization" {
                authorized = value.len() > "Bearer ".len() && value.starts_with("Bearer ");
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query = query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Ok(Request {
        method,
        path: path.to_owned(),
        query,
        authorized,
        body,
    })
}

enum Answer {
    Json(&'static str, Value),
    Sse(Vec<Value>),
}

fn error(status: &'static str, message: String, r#type: &str, code: Option<&str>) -> Answer {
    Answer::Json(
        status,
        json!({"error": {"message": message, "type": r#type, "param": null, "code": code}}),
    )
}

fn route(request: &Request) -> Answer {
    if !request.authorized {
        return error(
            "401 Unauthorized",
            "You didn't provide an API key.".into(),
            "invalid_request_error",
            None,
        );
    }
    if !request.path.ends_with("/chat/completions") {
        return error(
            "404 Not Found",
            format!("Invalid URL ({} {})", request.method, request.path),
            "invalid_request_error",
            None,
        );
    }
    match request.method.as_str() {
        "GET" => list(&request.query),
        "POST" => match serde_json::from_slice::<Value>(&request.body) {
            Ok(body) => create(&body),
            Err(err) => error(
                "400 Bad Request",
                format!("We could not parse the JSON body of your request: {err}"),
                "invalid_request_error",
                None,
            ),
        },
        _ => error(
            "405 Method Not Allowed",
            format!("{} is not allowed here", request.method),
            "invalid_request_error",
            None,
        ),
    }
}

struct Reply {
    content: Option<String>,
    tool_calls: Vec<Value>,
}

fn create(body: &Value) -> Answer {
    let model = body["model"].as_str().unwrap_or_default();
    if model.contains("does-not-exist") {
        return error(
            "404 Not Found",
            format!("The model `{model}` does not exist or you do not have access to it."),
            "invalid_request_error",
            Some("model_not_found"),
        );
    }
    let reply = reply(body);
    let id = format!("chatcmpl-mock-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    if body["stream"] == json!(true) {
        Answer::Sse(chunks(
            &id,
            model,
            reply,
            body["stream_options"]["include_usage"] == json!(true),
        ))
    } else {
        Answer::Json("200 OK", completion(&id, model, reply))
    }
}

fn reply(body: &Value) -> Reply {
    let messages = body["messages"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let tool_results: Vec<&str> = messages
        .iter()
        .rev()
        .take_while(|m| m["role"] == "tool")
        .filter_map(|m| m["content"].as_str())
        .collect();
    if !tool_results.is_empty() {
        return text(format!("The tools answered: {}.", tool_results.join("; ")));
    }
    let tools = body["tools"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    if !tools.is_empty() && body["tool_choice"] != "none" {
        let named = body["tool_choice"]["function"]["name"].as_str();
        let tool = tools
            .iter()
            .find(|t| named.is_none_or(|name| t["function"]["name"] == name))
            .unwrap_or(&tools[0]);
        let parameters = &tool["function"]["parameters"];
        let arguments = example(parameters, parameters, "", 0).to_string();
        let call = json!({
            "id": format!("call_mock_{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)),
            "type": "function",
            "function": {
                "name": tool["function"]["name"],
                "arguments": arguments,
            },
        });
        return Reply {
            content: None,
            tool_calls: vec![call],
        };
    }
    let format = &body["response_format"];
    if format["type"] == "json_schema" {
        let schema = &format["json_schema"]["schema"];
        return text(example(schema, schema, "", 0).to_string());
    }
    let said = messages
        .iter()
        .rev()
        .find(|m| m["role"] == "user")
        .map(|m| match &m["content"] {
            Value::String(s) => s.clone(),
            parts => parts
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|p| p["text"].as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
        .unwrap_or_default();
    let mut answer = format!("Hello from the mock server! You said: {said}");
    let unknown: Vec<&str> = body
        .as_object()
        .into_iter()
        .flat_map(Map::keys)
        .map(String::as_str)
        .filter(|key| !KNOWN_FIELDS.contains(key))
        .collect();
    if !unknown.is_empty() {
        answer.push_str(&format!(
            " (fields outside the spec: {})",
            unknown.join(", ")
        ));
    }
    text(answer)
}

/// The request fields the examples send that OpenAI documents; anything
/// else arrived through `extra_body`.
const KNOWN_FIELDS: &[&str] = &[
    "model",
    "messages",
    "stream",
    "stream_options",
    "tools",
    "tool_choice",
    "response_format",
    "temperature",
    "top_p",
    "max_tokens",
    "max_completion_tokens",
    "store",
    "metadata",
    "n",
    "parallel_tool_calls",
    "seed",
    "stop",
    "user",
];

fn text(content: String) -> Reply {
    Reply {
        content: Some(content),
        tool_calls: Vec::new(),
    }
}

/// A value valid for `schema` (the property `name`, or the root for `""`),
/// resolving `$ref`s against `root`.
fn example(schema: &Value, root: &Value, name: &str, depth: usize) -> Value {
    if let Some(pointer) = schema["$ref"].as_str() {
        let target = pointer
            .strip_prefix('#')
            .and_then(|p| root.pointer(p))
            .unwrap_or(&Value::Null);
        // A recursive type ends in `null` (or an empty list) a few levels down.
        return if depth > MAX_DEPTH {
            Value::Null
        } else {
            example(target, root, name, depth + 1)
        };
    }
    if let Some(first) = schema["enum"].as_array().and_then(|v| v.first()) {
        return first.clone();
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    if let Some(first) = schema["anyOf"].as_array().and_then(|v| v.first()) {
        return example(first, root, name, depth);
    }
    let r#type = match &schema["type"] {
        Value::Array(types) => types
            .iter()
            .find(|t| *t != "null")
            .cloned()
            .unwrap_or_default(),
        other => other.clone(),
    };
    match r#type.as_str().unwrap_or("object") {
        // Cities make a weather tool's call read naturally.
        "string" if name == "city" || name == "location" => json!("Paris"),
        "string" => json!(format!("sample {name}")),
        "integer" => json!(42),
        "number" => json!(21.5),
        "boolean" => json!(true),
        "null" => Value::Null,
        "array" => {
            if depth > MAX_DEPTH {
                json!([])
            } else {
                json!([example(&schema["items"], root, name, depth + 1)])
            }
        }
        _ => Value::Object(
            schema["properties"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(name, property)| (name.clone(), example(property, root, name, depth)))
                .collect(),
        ),
    }
}

fn finish_reason(reply: &Reply) -> &'static str {
    if reply.tool_calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    }
}

fn usage() -> Value {
    json!({"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20})
}

fn completion(id: &str, model: &str, reply: Reply) -> Value {
    let finish = finish_reason(&reply);
    let mut message = json!({"role": "assistant", "content": reply.content, "refusal": null});
    if !reply.tool_calls.is_empty() {
        message["tool_calls"] = Value::Array(reply.tool_calls);
    }
    json!({
        "id": id,
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": null}],
        "usage": usage(),
    })
}

fn chunks(id: &str, model: &str, reply: Reply, include_usage: bool) -> Vec<Value> {
    let chunk = |delta: Value, finish: Value| {
        json!({
            "id": id, "object": "chat.completion.chunk", "created": 1_764_000_000, "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": null}],
        })
    };
    let finish = finish_reason(&reply);
    let mut events = vec![chunk(
        json!({"role": "assistant", "content": ""}),
        Value::Null,
    )];
    for word in reply.content.iter().flat_map(|c| c.split_inclusive(' ')) {
        events.push(chunk(json!({"content": word}), Value::Null));
    }
    for (index, call) in reply.tool_calls.iter().enumerate() {
        let arguments = call["function"]["arguments"].as_str().unwrap_or_default();
        let (head, tail) = arguments.split_at(arguments.len() / 2);
        events.push(chunk(
            json!({"tool_calls": [{"index": index, "id": call["id"], "type": "function",
                                    "function": {"name": call["function"]["name"], "arguments": head}}]}),
            Value::Null,
        ));
        events.push(chunk(
            json!({"tool_calls": [{"index": index, "function": {"arguments": tail}}]}),
            Value::Null,
        ));
    }
    events.push(chunk(json!({}), json!(finish)));
    if include_usage {
        let mut last = chunk(json!({}), Value::Null);
        last["choices"] = json!([]);
        last["usage"] = usage();
        events.push(last);
    }
    events
}

fn write_sse(out: &mut TcpStream, events: &[Value]) -> std::io::Result<()> {
    write!(
        out,
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\n\
         x-request-id: req_mock_{}\r\nconnection: close\r\n\r\n",
        NEXT_ID.fetch_add(1, Ordering::Relaxed),
    )?;
    for event in events {
        write!(out, "data: {event}\n\n")?;
        out.flush()?;
    }
    write!(out, "data: [DONE]\n\n")?;
    out.flush()
}

fn list(query: &[(String, String)]) -> Answer {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let limit = param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(20_usize)
        .max(1);
    let ids: Vec<String> = (1..=STORED)
        .map(|n| format!("chatcmpl-stored-{n}"))
        .collect();
    let start = param("after")
        .and_then(|after| ids.iter().position(|id| id == after))
        .map_or(0, |i| i + 1);
    let page: Vec<Value> = ids
        .iter()
        .skip(start)
        .take(limit)
        .enumerate()
        .map(|(i, id)| {
            let mut stored = completion(
                id,
                "gpt-4o-mini",
                text(format!("Stored answer number {}.", start + i + 1)),
            );
            stored["metadata"] = json!({"topic": "demo"});
            stored
        })
        .collect();
    Answer::Json(
        "200 OK",
        json!({
            "object": "list",
            "first_id": page.first().map(|c| c["id"].clone()),
            "last_id": page.last().map(|c| c["id"].clone()),
            "has_more": start + page.len() < STORED,
            "data": page,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_up_values_follow_the_schema_and_stop_recursing() {
        let schema = json!({
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"anyOf": [{"type": "string", "enum": ["celsius", "fahrenheit"]}, {"type": "null"}]},
                "children": {"type": "array", "items": {"$ref": "#"}},
            },
        });
        let value = example(&schema, &schema, "", 0);
        assert_eq!(value["city"], "Paris");
        assert_eq!(value["unit"], "celsius");
        let mut depth = 0;
        let mut node = &value;
        while let Some(child) = node["children"].get(0) {
            node = child;
            depth += 1;
        }
        assert!(depth <= MAX_DEPTH + 1, "recursion went {depth} levels deep");
    }

    #[test]
    fn stored_completions_page_after_the_last_id() {
        let query = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let Answer::Json(_, first) = list(&query(&[("limit", "2")])) else {
            panic!("a list is JSON")
        };
        assert_eq!(first["last_id"], "chatcmpl-stored-2");
        assert_eq!(first["has_more"], true);
        let Answer::Json(_, last) = list(&query(&[("limit", "2"), ("after", "chatcmpl-stored-4")]))
        else {
            panic!("a list is JSON")
        };
        assert_eq!(last["data"].as_array().map(Vec::len), Some(1));
        assert_eq!(last["has_more"], false);
    }

    #[test]
    fn tool_results_end_the_loop_and_tools_get_called() {
        let tools = json!([{"type": "function", "function": {"name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]);
        let call = reply(&json!({"messages": [{"role": "user", "content": "hi"}], "tools": tools}));
        assert_eq!(
            call.tool_calls[0]["function"]["arguments"],
            r#"{"city":"Paris"}"#
        );
        let answer = reply(&json!({"tools": tools, "messages": [
            {"role": "user", "content": "hi"},
            {"role": "tool", "tool_call_id": "call_1", "content": "18°C"},
        ]}));
        assert!(answer.tool_calls.is_empty());
        assert_eq!(answer.content.as_deref(), Some("The tools answered: 18°C."));
    }
}
