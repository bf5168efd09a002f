#!/usr/bin/env bash
# Clean release build cost of a small HTTPS chat program, per HTTP client
# choice: see README.md next to this script.
#
#   bash crates/chat-api-bench/build-cost/run.sh            # all contenders
#   bash crates/chat-api-bench/build-cost/run.sh chat-api-default async-openai
#
# Environment: JOBS (cargo -j, default 2), KEEP_TIMINGS=<dir> to keep each
# contender's cargo-timing.html there (otherwise nothing is kept).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
jobs="${JOBS:-2}"
work="$(mktemp -d "${TMPDIR:-/tmp}/chat-api-build-cost.XXXXXX")"
trap 'rm -rf "$work"' EXIT

all=(async-openai chat-api-default chat-api-rustls-aws-lc chat-api-native-tls chat-api-no-tls reqwest-baseline)
if [ "$#" -gt 0 ]; then contenders=("$@"); else contenders=("${all[@]}"); fi

tokio_dep='tokio = { version = "1", features = ["rt-multi-thread", "macros"] }'

# The same program for every chat-api contender: one chat completion, over
# HTTPS with the default base URL (only built, never run).
chat_api_main='use chat_api::types::{ChatCompletionRequestMessage, CreateChatCompletionRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = chat_api::Client::from_env()?; // OPENAI_API_KEY, https://api.openai.com/v1
    let request = CreateChatCompletionRequest::new(
        "gpt-4o-mini",
        [ChatCompletionRequestMessage::user("Say hello.")],
    );
    let completion = client.create_chat_completion(&request).await?;
    println!("{:?}", completion.choices[0].message.content);
    Ok(())
}
'

async_openai_main='use async_openai::Client;
use async_openai::types::chat::{ChatCompletionRequestUserMessageArgs, CreateChatCompletionRequestArgs};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::new(); // OPENAI_API_KEY, https://api.openai.com/v1
    let request = CreateChatCompletionRequestArgs::default()
        .model("gpt-4o-mini")
        .messages([ChatCompletionRequestUserMessageArgs::default()
            .content("Say hello.")
            .build()?
            .into()])
        .build()?;
    let response = client.chat().create(request).await?;
    println!("{:?}", response.choices[0].message.content);
    Ok(())
}
'

baseline_main='use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Message<'"'"'a> {
    role: &'"'"'a str,
    content: &'"'"'a str,
}

#[derive(Serialize)]
struct Request<'"'"'a> {
    model: &'"'"'a str,
    messages: Vec<Message<'"'"'a>>,
}

#[derive(Deserialize)]
struct Response {
    choices: Vec<Choice>,
}

#[derive(Deserialize)]
struct Choice {
    message: Reply,
}

#[derive(Deserialize)]
struct Reply {
    content: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let key = std::env::var("OPENAI_API_KEY")?;
    let request = Request {
        model: "gpt-4o-mini",
        messages: vec![Message { role: "user", content: "Say hello." }],
    };
    let body = reqwest::Client::new()
        .post("https://api.openai.com/v1/chat/completions")
        .bearer_auth(key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(serde_json::to_vec(&request)?)
        .send()
        .await?
        .error_for_status()?
        .bytes()
        .await?;
    let response: Response = serde_json::from_slice(&body)?;
    println!("{:?}", response.choices[0].message.content);
    Ok(())
}
'

chat_api_dep() { # $1: extra keys for the dependency table
  printf 'chat-api = { path = "%s/crates/chat-api"%s }\n' "$repo" "$1"
}

# Writes the project of contender $1 into directory $2.
project() {
  local name="$1" dir="$2" deps main
  case "$name" in
    async-openai)
      # `cargo add async-openai` gives the default features (`rustls`:
      # reqwest's rustls with aws-lc-rs); `chat-completion` adds `client.chat()`.
      deps='async-openai = { version = "0.43", features = ["chat-completion"] }'
      main="$async_openai_main" ;;
    chat-api-default) deps="$(chat_api_dep '')"; main="$chat_api_main" ;;
    chat-api-rustls-aws-lc) deps="$(chat_api_dep ', default-features = false, features = ["rustls-aws-lc"]')"; main="$chat_api_main" ;;
    chat-api-native-tls) deps="$(chat_api_dep ', default-features = false, features = ["native-tls"]')"; main="$chat_api_main" ;;
    chat-api-no-tls) deps="$(chat_api_dep ', default-features = false')"; main="$chat_api_main" ;;
    reqwest-baseline)
      deps='reqwest = "0.13"
serde = { version = "1", features = ["derive"] }
serde_json = "1"'
      main="$baseline_main" ;;
    *) echo "unknown contender: $name (known: ${all[*]})" >&2; exit 2 ;;
  esac
  mkdir -p "$dir/src"
  cat > "$dir/Cargo.toml" <<TOML
[package]
name = "build-cost-${name}"
version = "0.0.0"
edition = "2024"
publish = false

# Not a member of any enclosing workspace.
[workspace]

[dependencies]
$deps
$tokio_dep
TOML
  printf '%s' "$main" > "$dir/src/main.rs"
  # The repository's pinned versions where they apply; cargo drops the rest.
  cp "$repo/Cargo.lock" "$dir/Cargo.lock"
}

load1() { cut -d' ' -f1 /proc/loadavg; }

# The slowest units of a cargo-timing.html: "name version: seconds", top $2.
top_units() {
  python3 - "$1" "$2" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"const UNIT_DATA = (\[.*?\]);\n", html, re.S)
if not m:
    sys.exit(0)
units = json.loads(m.group(1))
units.sort(key=lambda u: u["duration"], reverse=True)
def label(u):
    target = u.get("target", "")
    if u.get("mode") == "run-custom-build":
        return u["name"] + " (build script run)"
    if "build-script" in target:
        return u["name"] + " (build script compile)"
    if '"bin"' in target:
        return u["name"] + " (bin)"
    return u["name"]
print(", ".join(f'{label(u)} {u["duration"]:.1f}s' for u in units[: int(sys.argv[2])]))
PY
}

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "rustc: $(rustc --version)"
echo "cargo: $(cargo --version)"
echo "cores: $(nproc), cargo -j $jobs"
echo

results="$work/results"
: > "$results"
for name in "${contenders[@]}"; do
  dir="$work/$name"
  project "$name" "$dir"
  export CARGO_TARGET_DIR="$dir/target"
  # Resolve and download outside the timed build (offline when the local
  # registry has everything).
  (cd "$dir" && { cargo fetch --offline -q 2>/dev/null || cargo fetch -q; })
  before="$(load1)"
  (cd "$dir" && /usr/bin/time -f '%e %U %S' -o "$dir/time" \
     cargo build --release --timings --offline -j "$jobs" 2> "$dir/build.log") || {
    echo "$name: build failed" >&2; tail -30 "$dir/build.log" >&2; exit 1; }
  after="$(load1)"
  read -r wall user sys < "$dir/time"
  crates="$(grep -c '^ *Compiling ' "$dir/build.log")"
  timing="$(ls "$CARGO_TARGET_DIR"/cargo-timings/cargo-timing-*.html 2>/dev/null | head -1 || true)"
  top=""
  if [ -n "$timing" ]; then
    top="$(top_units "$timing" 5)"
    if [ -n "${KEEP_TIMINGS:-}" ]; then
      mkdir -p "$KEEP_TIMINGS"; cp "$timing" "$KEEP_TIMINGS/$name.html"
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$crates" "$wall" "$user" "$sys" "$before" "$after" "$top" >> "$results"
  printf '%-24s %3s crates  wall %6ss  user %7ss  sys %6ss  load %s -> %s\n' "$name" "$crates" "$wall" "$user" "$sys" "$before" "$after"
  [ -n "$top" ] && echo "    slowest: $top"
  rm -rf "$CARGO_TARGET_DIR"
done

echo
python3 - "$results" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
base = next((float(r[3]) + float(r[4]) for r in rows if r[0] == "async-openai"), None)
print("| contender | crates | wall s | CPU s (user+sys) | CPU vs async-openai | load 1-min before → after |")
print("| --- | ---: | ---: | ---: | ---: | --- |")
for name, crates, wall, user, sys_, before, after, _top in rows:
    cpu = float(user) + float(sys_)
    ratio = f"{cpu / base:.2f}x" if base else "n/a"
    print(f"| {name} | {crates} | {float(wall):.1f} | {cpu:.1f} | {ratio} | {before} → {after} |")
PY
