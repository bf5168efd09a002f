//! Per-request options: extra body fields, query parameters and headers, timeout and retries.

use std::time::Duration;

use http::{HeaderName, HeaderValue};

use crate::config::{ConfigError, header};

/// Options applied to requests made through [`Client::with_options`](crate::Client::with_options).
///
/// OpenAI-compatible servers often take parameters the spec does not know
/// (`top_k`, `chat_template_kwargs`, …): put them in [`extra_body`](Self::extra_body).
///
/// ```no_run
/// # async fn demo(client: chat_api::Client) -> chat_api::Result<()> {
/// use chat_api::RequestOptions;
/// use serde_json::json;
///
/// let local = client.with_options(
///     RequestOptions::new()
///         .extra_body(json!({"top_k": 20, "chat_template_kwargs": {"enable_thinking": false}}))
///         .header("x-trace-id", "abc")
///         .timeout(std::time::Duration::from_secs(30))
///         .max_retries(0),
/// );
/// // every call on `local` carries these options
/// # let _ = local; Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "RequestOptions do nothing until passed to Client::with_options"]
pub struct RequestOptions {
    pub(crate) extra_body: Option<serde_json::Map<String, serde_json::Value>>,
    pub(crate) extra_query: Vec<(String, String)>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) stream_idle_timeout: Option<Duration>,
    pub(crate) max_event_size: Option<usize>,
    pub(crate) max_retries: Option<u32>,
    /// The first invalid input, reported when a request is made (as reqwest does).
    pub(crate) error: Option<ConfigError>,
}

impl RequestOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// JSON fields merged into the top level of the request body, replacing
    /// fields of the same name. Repeated calls merge. Anything but a JSON
    /// object makes every request with these options fail with
    /// [`Error::Config`](crate::Error::Config).
    pub fn extra_body(mut self, fields: serde_json::Value) -> Self {
        match fields {
            serde_json::Value::Object(map) => {
                self.extra_body
                    .get_or_insert_with(Default::default)
                    .extend(map);
            }
            // The value is not quoted: it may be large, or hold a secret.
            other => self.fail(ConfigError::ExtraBodyNotAnObject {
                found: json_kind(&other),
            }),
        }
        self
    }

    /// Appends a query parameter (added after those of the request itself).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra_query.push((key.into(), value.into()));
        self
    }

    /// Sets a header, replacing any value the client would send for it.
    ///
    /// An invalid name or value makes every request with these options
    /// fail with [`Error::Config`](crate::Error::Config).
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        match header(name.as_ref(), value.as_ref()) {
            Ok(header) => self.headers.push(header),
            Err(error) => self.fail(error),
        }
        self
    }

    /// Timeout for each attempt: until the whole body is read, or for a
    /// stream, until the headers arrive.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long a stream may stay silent before it ends with
    /// [`Error::Stalled`](crate::Error::Stalled); see
    /// [`ClientBuilder::stream_idle_timeout`](crate::ClientBuilder::stream_idle_timeout)
    /// for the default and why.
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = Some(timeout);
        self
    }

    /// Largest event a stream accepts, in bytes (default 16 MiB): a larger
    /// one ends the stream with an [`Error::Stream`](crate::Error::Stream)
    /// saying so, instead of buffering without limit.
    pub fn max_event_size(mut self, bytes: usize) -> Self {
        self.max_event_size = Some(bytes);
        self
    }

    /// Retries after the first attempt (0 disables retrying).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    fn fail(&mut self, error: ConfigError) {
        self.error.get_or_insert(error);
    }

    /// `other` layered over `self`: scalars from `other` win, collections merge.
    pub(crate) fn merged(&self, other: RequestOptions) -> RequestOptions {
        let mut out = self.clone();
        if let Some(extra) = other.extra_body {
            out.extra_body
                .get_or_insert_with(Default::default)
                .extend(extra);
        }
        out.extra_query.extend(other.extra_query);
        out.headers.extend(other.headers);
        out.timeout = other.timeout.or(out.timeout);
        out.stream_idle_timeout = other.stream_idle_timeout.or(out.stream_idle_timeout);
        out.max_event_size = other.max_event_size.or(out.max_event_size);
        out.max_retries = other.max_retries.or(out.max_retries);
        if out.error.is_none() {
            out.error = other.error;
        }
        out
    }
}

/// How a JSON value's kind reads in a message.
fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_layers_options() {
        let base = RequestOptions::new()
            .extra_body(json!({"a": 1, "b": 1}))
            .query("q", "1")
            .timeout(Duration::from_secs(1))
            .max_retries(5);
        let over = RequestOptions::new()
            .extra_body(json!({"b": 2}))
            .query("q", "2")
            .max_retries(0);
        let m = base.merged(over);
        assert_eq!(
            serde_json::Value::Object(m.extra_body.clone().unwrap()),
            json!({"a": 1, "b": 2})
        );
        assert_eq!(
            m.extra_query,
            vec![("q".into(), "1".into()), ("q".into(), "2".into())]
        );
        assert_eq!(m.timeout, Some(Duration::from_secs(1)));
        assert_eq!(m.max_retries, Some(0));
        assert!(m.error.is_none());
    }

    #[test]
    fn invalid_input_is_kept_for_later_without_the_value() {
        let o = RequestOptions::new().extra_body(json!(["sk-secret"]));
        assert!(matches!(
            o.error,
            Some(ConfigError::ExtraBodyNotAnObject { found: "an array" })
        ));
        assert!(!o.error.unwrap().to_string().contains("sk-secret"));
        let o = RequestOptions::new().header("authorization", "Bearer sk-secret\n");
        let error = o.error.unwrap();
        assert!(
            matches!(&error, ConfigError::InvalidHeaderValue { name } if name == "authorization")
        );
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("sk-secret"), "{shown}");
        let o = RequestOptions::new().header("bad name", "v");
        assert!(
            matches!(o.error, Some(ConfigError::InvalidHeaderName { name }) if name == "bad name")
        );
    }

    #[test]
    fn authorization_header_is_marked_sensitive() {
        let o = RequestOptions::new().header("Authorization", "Bearer sk-secret");
        assert!(o.headers[0].1.is_sensitive());
        assert!(!format!("{o:?}").contains("sk-secret"));
    }
}
