//! Record and replay: deterministic tests for programs built on the client.
//!
//! With cassettes configured, every request goes through them at the
//! client's transport seam: the request is already built (method, URL,
//! headers, JSON body) and the answer is status, headers and a stream of body
//! bytes. Replayed answers therefore run through the same retries, decoding,
//! SSE parsing, stream fold and timeouts as live ones.
//!
//! ```no_run
//! # async fn demo(request: chat_api::types::CreateChatCompletionRequest) -> chat_api::Result<()> {
//! use chat_api::Client;
//! use chat_api::cassette::Mode;
//!
//! // Answers from tests/cassettes, asks the server only for what is missing
//! // there; `CHAT_API_CASSETTES=replay|record|live|replay-or-record` overrides the mode.
//! let client = Client::builder()
//!     .cassettes("tests/cassettes", Mode::ReplayOrRecord)
//!     .build()?;
//! let completion = client.create_chat_completion(&request).await?;
//! # let _ = completion; Ok(()) }
//! ```
//!
//! Each exchange is one pretty JSON [`Cassette`] file. A request matches a
//! recording by method, path, query and the canonical form of its JSON body
//! (key order and number spelling ignored, and the fields given to
//! [`Cassettes::ignore_field`] left out). The n-th identical request of a
//! client gets the n-th recording, so a retried 500 replays as it happened.

mod convert;
mod diff;
mod error;
mod file;
mod matching;
mod record;
mod redact;
mod replay;
mod store;

use std::fmt;
use std::path::PathBuf;

pub use error::{CassetteError, Difference, Miss};
pub use file::{Cassette, Chunk, RecordedRequest, RecordedResponse};
pub(crate) use store::{Outgoing, Store};

/// The environment variable that, when set, overrides the [`Mode`] given in
/// code: `replay`, `record`, `live` or `replay-or-record`.
pub const MODE_ENV: &str = "CHAT_API_CASSETTES";

/// Where answers come from.
///
/// ```
/// use chat_api::cassette::Mode;
///
/// assert_eq!("replay-or-record".parse::<Mode>(), Ok(Mode::ReplayOrRecord));
/// assert!("sometimes".parse::<Mode>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The network only; cassettes are neither read nor written.
    Live,
    /// The network, writing every exchange to a cassette (overwriting the
    /// file of the same request and sequence number).
    Record,
    /// Cassettes only: no network. A request without a recording fails with
    /// [`CassetteError::Miss`].
    Replay,
    /// Cassettes where there is a recording; the network, recording the
    /// answer, where there is none.
    ReplayOrRecord,
}

impl Mode {
    /// The mode [`MODE_ENV`] selects, if it is set.
    ///
    /// Fails on a value that names no mode, quoting it.
    pub fn from_env() -> crate::Result<Option<Mode>> {
        match std::env::var(MODE_ENV) {
            Ok(value) => value.parse().map(Some).map_err(|e: ParseModeError| {
                crate::ConfigError::InvalidEnvironment {
                    name: MODE_ENV,
                    problem: e.to_string(),
                }
                .into()
            }),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(crate::ConfigError::InvalidEnvironment {
                name: MODE_ENV,
                problem: "not valid UTF-8".to_owned(),
            }
            .into()),
        }
    }

    /// The spelling [`MODE_ENV`] uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Live => "live",
            Mode::Record => "record",
            Mode::Replay => "replay",
            Mode::ReplayOrRecord => "replay-or-record",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`Mode`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseModeError(String);

impl fmt::Display for ParseModeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "`{}` is not a cassette mode (expected replay, record, live or replay-or-record)",
            self.0
        )
    }
}

impl std::error::Error for ParseModeError {}

impl std::str::FromStr for Mode {
    type Err = ParseModeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "live" => Ok(Mode::Live),
            "record" => Ok(Mode::Record),
            "replay" => Ok(Mode::Replay),
            "replay-or-record" => Ok(Mode::ReplayOrRecord),
            _ => Err(ParseModeError(s.to_owned())),
        }
    }
}

/// Where a client's cassettes live and how they are used; give it to
/// [`ClientBuilder::cassette_config`](crate::ClientBuilder::cassette_config),
/// or use the shorthand [`ClientBuilder::cassettes`](crate::ClientBuilder::cassettes).
///
/// ```
/// use std::time::Duration;
/// use chat_api::cassette::{Cassettes, Mode};
///
/// let cassettes = Cassettes::new("tests/cassettes/weather", Mode::Replay)
///     .ignore_field("user")             // a field anywhere at the top level of the body
///     .ignore_field("metadata.run_id")  // a nested field
///     .ignore_field("messages.*.name")  // `*`: every element or key
///     .timed(true);                     // replay stream chunks with their recorded delays
/// let client = chat_api::Client::builder().cassette_config(cassettes).build()?;
/// # Ok::<_, chat_api::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct Cassettes {
    pub(crate) dir: PathBuf,
    pub(crate) mode: Mode,
    pub(crate) ignored: Vec<String>,
    pub(crate) timed: bool,
    pub(crate) env_override: bool,
}

impl Cassettes {
    /// Cassettes in `dir` (created when the first one is written), used in `mode`.
    pub fn new(dir: impl Into<PathBuf>, mode: Mode) -> Self {
        Cassettes {
            dir: dir.into(),
            mode,
            ignored: Vec::new(),
            timed: false,
            env_override: true,
        }
    }

    /// Leaves a request body field out of matching (it is still recorded).
    /// The path is dot-separated keys or array indices; `*` stands for every
    /// key or element at that level: `user`, `metadata`, `stream_options`,
    /// `messages.*.name`.
    pub fn ignore_field(mut self, path: impl Into<String>) -> Self {
        self.ignored.push(path.into());
        self
    }

    /// Whether replayed stream chunks wait for their recorded delays (default
    /// `false`: every chunk is ready at once, with its recorded boundaries).
    pub fn timed(mut self, timed: bool) -> Self {
        self.timed = timed;
        self
    }

    /// Whether [`MODE_ENV`] may override the mode (default `true`, so one
    /// test suite runs live or recorded by setting the variable). Tests of a
    /// particular mode turn it off.
    pub fn env_override(mut self, allowed: bool) -> Self {
        self.env_override = allowed;
        self
    }

    /// The mode in force: [`MODE_ENV`] if allowed and set, else the one given.
    pub(crate) fn effective_mode(&self) -> crate::Result<Mode> {
        if self.env_override
            && let Some(mode) = Mode::from_env()?
        {
            return Ok(mode);
        }
        Ok(self.mode)
    }
}
