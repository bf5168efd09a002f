//! Client configuration: credentials, endpoint and defaults.

use std::fmt;
use std::time::Duration;

/// The default API endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Default number of retries after the first attempt (as the official SDKs).
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default request timeout (as the official SDKs).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a stream may stay silent between two chunks (and between the
/// headers and the first chunk) before it is ended as stalled.
///
/// While a model writes, chunks arrive every few tens of milliseconds; the
/// longest legitimate silence is a reasoning model thinking before its first
/// visible token, which stays well under two minutes at default effort.
/// 120 s leaves that room while ending a dead stream five times sooner than
/// the 600 s request timeout would. Raise it for long high-effort reasoning.
pub const DEFAULT_STREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(120);
/// Default TCP/TLS connect timeout (as the official Python SDK).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A string that never shows up in `Debug` or `Display` output.
///
/// Holds the API key so that printing a [`Client`](crate::Client), its builder
/// or an error cannot leak it.
///
/// ```
/// let key = chat_api::Secret::new("sk-very-secret");
/// assert_eq!(format!("{key:?}"), "Secret(\"***\")");
/// assert_eq!(key.expose(), "sk-very-secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself; use only to put it on the wire.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

/// Settings read from the environment by [`Client::from_env`](crate::Client::from_env).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct EnvConfig {
    pub api_key: Option<Secret>,
    pub base_url: Option<String>,
    pub organization: Option<String>,
    pub project: Option<String>,
}

impl EnvConfig {
    /// Reads the settings through `lookup`, so tests need not mutate the process
    /// environment (unsafe in edition 2024). Empty values count as unset.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        EnvConfig {
            api_key: get("OPENAI_API_KEY").map(Secret::new),
            base_url: get("OPENAI_BASE_URL"),
            organization: get("OPENAI_ORG_ID"),
            project: get("OPENAI_PROJECT_ID"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted() {
        let s = Secret::new("sk-abc123");
        assert!(!format!("{s:?}").contains("abc123"));
        assert!(!format!("{s}").contains("abc123"));
        assert_eq!(s.expose(), "sk-abc123");
    }

    #[test]
    fn env_lookup_reads_all_names_and_ignores_empty() {
        let env = EnvConfig::from_lookup(|name| match name {
            "OPENAI_API_KEY" => Some("sk-1".into()),
            "OPENAI_BASE_URL" => Some("http://127.0.0.1:1/v1".into()),
            "OPENAI_ORG_ID" => Some("org-1".into()),
            "OPENAI_PROJECT_ID" => Some("  ".into()),
            _ => None,
        });
        assert_eq!(env.api_key.as_ref().map(Secret::expose), Some("sk-1"));
        assert_eq!(env.base_url.as_deref(), Some("http://127.0.0.1:1/v1"));
        assert_eq!(env.organization.as_deref(), Some("org-1"));
        assert_eq!(env.project, None);
    }
}
