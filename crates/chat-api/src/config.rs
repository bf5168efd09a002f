//! Client configuration: credentials, endpoint and defaults, and what can
//! be wrong with them ([`ConfigError`]).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderName, HeaderValue};

/// The default API endpoint.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// An OpenAI data-residency region: requests go to its regional endpoint
/// instead of `api.openai.com` (the project's key must belong to a project
/// of that region). The regions and URLs of openai-node's `dataResidency`
/// option and OpenAI's data-residency guide.
///
/// ```
/// use chat_api::{Client, Region};
///
/// let client = Client::builder().api_key("sk-…").region(Region::Eu).build()?;
/// assert_eq!(client.base_url(), "https://eu.api.openai.com/v1");
/// # Ok::<(), chat_api::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Region {
    /// `https://api.openai.com/v1`, the default.
    Global,
    /// `https://us.api.openai.com/v1`.
    Us,
    /// `https://eu.api.openai.com/v1`.
    Eu,
    /// `https://ae.api.openai.com/v1` (United Arab Emirates).
    Ae,
}

impl Region {
    /// The region's base URL.
    pub fn base_url(self) -> &'static str {
        match self {
            Region::Global => DEFAULT_BASE_URL,
            Region::Us => "https://us.api.openai.com/v1",
            Region::Eu => "https://eu.api.openai.com/v1",
            Region::Ae => "https://ae.api.openai.com/v1",
        }
    }
}

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

/// A value the [`Client`](crate::Client), its builder or its
/// [`RequestOptions`](crate::RequestOptions) were given that cannot be used.
///
/// Returned inside [`Error::Config`](crate::Error::Config): by
/// [`ClientBuilder::build`](crate::ClientBuilder::build) and
/// [`Client::from_env`](crate::Client::from_env), or, for an invalid
/// [`RequestOptions`](crate::RequestOptions) value, by every request made
/// with those options. Sending again cannot help, so it is never retried.
/// Secrets (the API key, header values) are never part of the message.
///
/// ```
/// use chat_api::{Client, ConfigError, Error};
///
/// match Client::builder().base_url("not a url").build() {
///     Err(Error::Config(ConfigError::InvalidBaseUrl { url, .. })) => assert_eq!(url, "not a url"),
///     other => panic!("expected a configuration error, got {other:?}"),
/// }
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// [`Client::from_env`](crate::Client::from_env) found no
    /// `OPENAI_API_KEY` (or an empty one).
    #[error(
        "the OPENAI_API_KEY environment variable is not set (a server that needs no key: use \
         `Client::builder()` or `ClientBuilder::from_env()`)"
    )]
    MissingApiKey,
    /// The base URL is not an absolute `http(s)` URL without a query string.
    #[error("base URL `{url}` must be an absolute http(s) URL without a query")]
    InvalidBaseUrl {
        /// The URL as given (trimmed, without trailing `/`).
        url: String,
        /// Why it does not parse as a URL, when it does not; `None` when it
        /// parses but has another scheme or a query.
        #[source]
        source: Option<url::ParseError>,
    },
    /// The API key has characters an HTTP header cannot carry.
    #[error("the API key contains characters that cannot be sent in a header")]
    InvalidApiKey,
    /// A header name (default header or [`RequestOptions::header`](crate::RequestOptions::header))
    /// is not a valid HTTP header name.
    #[error("`{name}` is not a valid header name")]
    InvalidHeaderName {
        /// The name as given.
        name: String,
    },
    /// A header value (a default or per-request header, the organization or
    /// the project) has characters an HTTP header cannot carry. The value is
    /// left out: it may be a credential.
    #[error("the value of the `{name}` header contains characters that cannot be sent in a header")]
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// [`RequestOptions::extra_body`](crate::RequestOptions::extra_body) was
    /// given a JSON value that is not an object.
    #[error("extra_body must be a JSON object, got {found}")]
    ExtraBodyNotAnObject {
        /// What it was given: `an array`, `a string`, ….
        found: &'static str,
    },
    /// The HTTP client could not be created (for instance its TLS backend).
    // In an `Arc` so that the error, like the options holding it, can be cloned.
    #[error("could not create the HTTP client")]
    HttpClient(#[source] Arc<reqwest::Error>),
    /// Both a [`Region`] and a base URL were given: they say the same thing
    /// differently, and one would silently win.
    #[error("a region and a base URL were both given; use one")]
    RegionWithBaseUrl,
    /// [`AzureBuilder::build`](crate::AzureBuilder::build) lacks a setting.
    #[error("Azure OpenAI needs {name}")]
    MissingAzureSetting {
        /// The setting, with the environment variable that provides it.
        name: &'static str,
    },
    /// A request would go to an `https` URL, but chat-api was built
    /// without a TLS feature (`default-features = false`), so the client it
    /// built speaks plain `http://` only. Returned by the first request
    /// that would go over the network, not retried.
    #[error(
        "`{url}` needs TLS, but chat-api was built without a TLS feature: enable `rustls` \
         (the default), `rustls-aws-lc` or `native-tls`, or pass a reqwest client with TLS to \
         `ClientBuilder::http_client`"
    )]
    TlsNotEnabled {
        /// The origin (scheme, host, port) the request was for.
        url: String,
    },
    /// An environment variable the client reads holds a value it cannot use
    /// (`CHAT_API_CASSETTES=sometimes`).
    #[error("environment variable {name}: {problem}")]
    InvalidEnvironment {
        /// The variable.
        name: &'static str,
        /// What is wrong with its value.
        problem: String,
    },
}

/// The base URL requests go to, trimmed and without a trailing `/`, or why it cannot be one.
pub(crate) fn base_url(raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim().trim_end_matches('/').to_owned();
    match url::Url::parse(&url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.query().is_none() => {
            Ok(url)
        }
        Ok(_) => Err(ConfigError::InvalidBaseUrl { url, source: None }),
        Err(source) => Err(ConfigError::InvalidBaseUrl {
            url,
            source: Some(source),
        }),
    }
}

/// A header to send, its value marked sensitive when it may be a credential
/// (so it never shows in `Debug` output).
pub(crate) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), ConfigError> {
    let name = HeaderName::try_from(name).map_err(|_| ConfigError::InvalidHeaderName {
        name: name.to_owned(),
    })?;
    let mut value = HeaderValue::try_from(value).map_err(|_| ConfigError::InvalidHeaderValue {
        name: name.as_str().to_owned(),
    })?;
    value.set_sensitive(is_sensitive(&name));
    Ok((name, value))
}

/// Whether a header's value may be a credential.
fn is_sensitive(name: &HeaderName) -> bool {
    name == http::header::AUTHORIZATION
        || name == http::header::PROXY_AUTHORIZATION
        || name.as_str() == "api-key"
        || name.as_str() == "x-api-key"
}

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
