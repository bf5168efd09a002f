//! Derived schemas reach the model with their properties in declaration
//! order, with or without serde_json's `preserve_order`.
//!
//! The model writes an object's keys in the order its schema lists them, so
//! `reasoning` declared before `answer` must be sent before it. chat-api does
//! not enable `preserve_order` (cargo would impose it on every program that
//! uses the crate); `chat_api::schema::Schema` writes `properties` in the
//! order of `required` instead. These tests read what was serialized with an
//! order-keeping reader of their own, so they mean the same in a build with
//! the feature (`cargo test --workspace`, where xtask turns it on) and
//! without it (`cargo test -p chat-api`, which CI runs too).

mod support;

use chat_api::types::{ChatCompletionTool, CreateChatCompletionRequest};
use chat_api::{RequestOptions, Tool};
use serde::Deserialize;
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};
use support::{Reply, Server, answer, within};

// ------------------------------------------------------------- the types

/// An answer with its reasoning first, so the model thinks before answering.
#[derive(Debug, Deserialize, Tool)]
#[allow(dead_code)]
struct Verdict {
    /// Think step by step first.
    reasoning: String,
    answer: String,
    confidence: f64,
    evidence: Evidence,
    steps: Vec<Step>,
    kind: Option<Kind>,
    thread: Thread,
    #[serde(flatten)]
    source: Source,
}

#[derive(Debug, Deserialize, Tool)]
#[allow(dead_code)]
struct Evidence {
    quote: String,
    page: u32,
    author: String,
}

#[derive(Debug, Deserialize, Tool)]
#[allow(dead_code)]
struct Step {
    why: String,
    action: String,
}

#[derive(Debug, Deserialize, Tool)]
#[allow(dead_code)]
enum Kind {
    Claim { statement: String, basis: String },
    Guess,
}

/// Recursive, so it is defined in `$defs`.
#[derive(Debug, Deserialize, Tool)]
#[allow(dead_code)]
struct Thread {
    text: String,
    replies: Vec<Thread>,
}

#[derive(Debug, Deserialize, Tool)]
#[allow(dead_code)]
struct Source {
    url: String,
    accessed: String,
}

/// A tool that is not strict: its schema is sent as derived all the same.
#[derive(Debug, Deserialize, Tool)]
#[tool(strict = false)]
#[allow(dead_code)]
struct Loose {
    zebra: String,
    apple: Option<String>,
    mango: u8,
}

// ------------------------------------------------- an order-keeping reader

/// JSON with every object's keys in the order they were written.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    Scalar(Value),
}

impl Node {
    fn read(text: &str) -> Node {
        serde_json::from_str(text).expect("valid JSON")
    }

    fn get(&self, key: &str) -> &Node {
        match self {
            Node::Object(members) => members
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("no `{key}` in {self:?}")),
            _ => panic!("`{key}` looked up in a non-object {self:?}"),
        }
    }

    fn keys(&self) -> Vec<&str> {
        match self {
            Node::Object(members) => members.iter().map(|(k, _)| k.as_str()).collect(),
            _ => panic!("not an object: {self:?}"),
        }
    }

    fn strings(&self) -> Vec<&str> {
        match self {
            Node::Array(items) => items
                .iter()
                .map(|item| match item {
                    Node::Scalar(Value::String(s)) => s.as_str(),
                    other => panic!("not a string: {other:?}"),
                })
                .collect(),
            _ => panic!("not an array: {self:?}"),
        }
    }

    /// Every object that has both `properties` and `required`, anywhere.
    fn objects_with_properties<'a>(&'a self, out: &mut Vec<&'a Node>) {
        match self {
            Node::Object(members) => {
                let has = |key| members.iter().any(|(k, _)| k == key);
                if has("properties") && has("required") {
                    out.push(self);
                }
                for (_, value) in members {
                    value.objects_with_properties(out);
                }
            }
            Node::Array(items) => {
                for item in items {
                    item.objects_with_properties(out);
                }
            }
            Node::Scalar(_) => {}
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut members = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Node>()? {
                    members.push((key, value));
                }
                Ok(Node::Object(members))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(Node::Array(items))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_str<E>(self, v: &str) -> Result<Node, E> {
                Ok(Node::Scalar(v.into()))
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Scalar(Value::Null))
            }
        }
        deserializer.deserialize_any(NodeVisitor)
    }
}

// ------------------------------------------------------------- the checks

const VERDICT_FIELDS: [&str; 9] = [
    "reasoning",
    "answer",
    "confidence",
    "evidence",
    "steps",
    "kind",
    "thread",
    "url",
    "accessed",
];

/// The `Verdict` schema as written: every field in declaration order, at
/// every level (nested struct, array items, enum variant, `$defs`,
/// flattened fields), and `required` in that order too.
fn assert_verdict_order(schema: &Node) {
    assert_eq!(schema.get("required").strings(), VERDICT_FIELDS);
    let properties = schema.get("properties");
    assert_eq!(properties.keys(), VERDICT_FIELDS);
    assert_eq!(
        properties.get("evidence").get("properties").keys(),
        ["quote", "page", "author"]
    );
    assert_eq!(
        properties
            .get("steps")
            .get("items")
            .get("properties")
            .keys(),
        ["why", "action"]
    );
    let thread = schema.get("$defs").get("Thread");
    assert_eq!(thread.get("properties").keys(), ["text", "replies"]);
    assert_eq!(thread.get("required").strings(), ["text", "replies"]);

    // Everywhere, including the `Claim` variant's object: `properties` in
    // `required` order, and `required` lists them all.
    let mut objects = Vec::new();
    schema.objects_with_properties(&mut objects);
    // The root, `evidence`, the `steps` items, the `Claim` variant's
    // `{"Claim": …}` and its content, and `Thread` in `$defs`.
    assert_eq!(objects.len(), 6, "{objects:?}");
    let mut claim = false;
    for object in objects {
        let required = object.get("required").strings();
        assert_eq!(object.get("properties").keys(), required, "in {object:?}");
        claim |= required == ["statement", "basis"];
    }
    assert!(claim, "the `Claim` variant's object is in the schema");

    // And a schema object's own keywords in one fixed order.
    assert_eq!(
        schema.keys(),
        [
            "type",
            "properties",
            "required",
            "additionalProperties",
            "$defs"
        ]
    );
    assert_eq!(
        properties.get("reasoning").keys(),
        ["type", "description"],
        "`type` first, then `description`"
    );
}

#[test]
fn a_tool_lists_its_fields_in_declaration_order() {
    let tool: ChatCompletionTool = Verdict::tool();
    let text = serde_json::to_string(&tool).unwrap();
    let sent = Node::read(&text);
    assert_verdict_order(sent.get("function").get("parameters"));
    // The cached schema serializes the same way on its own.
    let alone = Node::read(&serde_json::to_string(Verdict::parameters()).unwrap());
    assert_eq!(&alone, sent.get("function").get("parameters"));
}

#[test]
fn a_request_keeps_the_order_in_tools_and_response_format() {
    let request = CreateChatCompletionRequest {
        tools: Some(vec![Verdict::tool().into(), Loose::tool().into()]),
        response_format: Some(chat_api::response_format::<Verdict>()),
        ..Default::default()
    };
    let text = serde_json::to_string(&request).unwrap();
    // The schemas are written in place, then kept as text, then copied:
    // every encoding is the same text (in whichever state other tests left
    // the shared derived schemas).
    for _ in 0..2 {
        assert_eq!(serde_json::to_string(&request).unwrap(), text);
    }
    let sent = Node::read(&text);
    let Node::Array(tools) = sent.get("tools") else {
        panic!("tools is an array");
    };
    assert_verdict_order(tools[0].get("function").get("parameters"));
    assert_verdict_order(sent.get("response_format").get("json_schema").get("schema"));
    // Not strict, still in declaration order.
    let loose = tools[1].get("function").get("parameters");
    assert_eq!(loose.get("properties").keys(), ["zebra", "apple", "mango"]);
}

/// What reaches the server: the client writes the body straight to text,
/// also when it adds `extra_body` members and `"stream": true`.
#[tokio::test]
async fn the_wire_keeps_the_order() {
    let server = Server::start(|n| match n {
        0 => Reply::Json(200, answer("ok")),
        _ => Reply::Sse(vec!["data: [DONE]\n\n".to_owned()]),
    })
    .await;
    let request = CreateChatCompletionRequest {
        model: "gpt-4o".into(),
        tools: Some(vec![Verdict::tool().into()]),
        response_format: Some(chat_api::response_format::<Verdict>()),
        ..Default::default()
    };
    let client = server.client();
    within(client.create_chat_completion(&request))
        .await
        .unwrap();
    let extra = client.with_options(RequestOptions::new().extra_body(json!({"top_k": 5})));
    let stream = within(extra.create_chat_completion_stream(&request)).await;
    drop(stream);

    let received = server.received();
    assert_eq!(received.len(), 2);
    // The second request's schemas are copied from the text the first left.
    let [first, second] = [0, 1].map(|n| Node::read(&received[n].text));
    assert_eq!(first.get("tools"), second.get("tools"));
    assert_eq!(first.get("response_format"), second.get("response_format"));
    for (n, sent) in received.iter().enumerate() {
        let body = Node::read(&sent.text);
        let Node::Array(tools) = body.get("tools") else {
            panic!("tools is an array");
        };
        assert_verdict_order(tools[0].get("function").get("parameters"));
        assert_verdict_order(body.get("response_format").get("json_schema").get("schema"));
        if n == 1 {
            assert_eq!(body.get("top_k"), &Node::Scalar(json!(5)));
            assert_eq!(body.get("stream"), &Node::Scalar(json!(true)));
        }
    }
}

/// Whether this build has serde_json's `preserve_order` on, found by
/// behaviour rather than `cfg` (the feature belongs to serde_json). CI runs
/// this file with `CHAT_API_EXPECT_PRESERVE_ORDER=0` under
/// `cargo test -p chat-api`, to prove the order tests ran without it.
#[test]
fn reports_whether_preserve_order_is_on() {
    let mut map = serde_json::Map::new();
    map.insert("b".into(), Value::Null);
    map.insert("a".into(), Value::Null);
    let on = map.keys().next().map(String::as_str) == Some("b");
    eprintln!("serde_json preserve_order in this build: {on}");
    match std::env::var("CHAT_API_EXPECT_PRESERVE_ORDER").as_deref() {
        Ok("0") => assert!(!on, "this build has preserve_order on"),
        Ok("1") => assert!(on, "this build has preserve_order off"),
        _ => {}
    }
}
