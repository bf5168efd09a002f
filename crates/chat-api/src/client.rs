//! The API client: configuration, request preparation and the retry loop.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};

use crate::config::{
    ConfigError, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES,
    DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT, EnvConfig, Secret, header,
};
use crate::error::{ApiError, Error, Result};
use crate::options::RequestOptions;
use crate::request::{Call, encode_query};
use crate::retry;
use crate::telemetry::RequestSpan;

/// A client for the Chat Completions API, or any OpenAI-compatible server.
///
/// Cloning is cheap and clones share one connection pool. Endpoint methods
/// (`create_chat_completion`, …) are generated from the OpenAPI spec; for
/// anything else use [`get`](Client::get), [`post`](Client::post) or
/// [`send_raw`](Client::send_raw).
///
/// Failed attempts are retried like OpenAI's official SDKs do: on
/// connection errors, timeouts and statuses 408, 409, 429 and 5xx, honouring
/// `x-should-retry`, `retry-after-ms` and `retry-after`, with exponential
/// backoff (0.5 s to 8 s, with jitter). A stream is only retried until its
/// response headers arrive.
///
/// ```no_run
/// # fn demo() -> chat_api::Result<()> {
/// use std::time::Duration;
///
/// let openai = chat_api::Client::from_env()?; // OPENAI_API_KEY, …
/// let local = chat_api::Client::builder()
///     .base_url("http://127.0.0.1:8080/v1") // e.g. llama-server: no API key needed
///     .max_retries(0)
///     .timeout(Duration::from_secs(120))
///     .build()?;
/// # let _ = (openai, local); Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    options: Arc<RequestOptions>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    has_api_key: bool,
    organization: Option<String>,
    project: Option<String>,
    max_retries: u32,
    max_retry_after: Duration,
    timeout: Duration,
    stream_idle_timeout: Duration,
    /// Authorization, organization, project, user agent and the caller's defaults.
    headers: HeaderMap,
    /// Asked for the `Authorization` bearer token of each attempt.
    token_source: Option<Arc<dyn crate::TokenSource>>,
    /// Whether spans record message contents (`tracing` feature).
    trace_contents: bool,
    /// Whether `http` was built here without a TLS feature, so that an
    /// `https` request is a configuration error (a caller's client may have TLS).
    plain_http_only: bool,
    /// Record and replay; `None` when live.
    #[cfg(feature = "cassettes")]
    cassettes: Option<crate::cassette::Store>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field(
                "api_key",
                &if self.inner.has_api_key {
                    Some("***")
                } else {
                    None
                },
            )
            .field("organization", &self.inner.organization)
            .field("project", &self.inner.project)
            .field("max_retries", &self.inner.max_retries)
            .field("timeout", &self.inner.timeout)
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]. Start from [`Client::builder`].
#[derive(Debug, Clone)]
#[must_use = "a ClientBuilder does nothing until .build() is called"]
pub struct ClientBuilder {
    api_key: Option<Secret>,
    base_url: Option<String>,
    organization: Option<String>,
    project: Option<String>,
    max_retries: u32,
    max_retry_after: Duration,
    timeout: Duration,
    stream_idle_timeout: Duration,
    connect_timeout: Duration,
    headers: Vec<(HeaderName, HeaderValue)>,
    default_query: Vec<(String, String)>,
    region: Option<crate::Region>,
    token_source: Option<Arc<dyn crate::TokenSource>>,
    trace_contents: bool,
    http: Option<reqwest::Client>,
    #[cfg(feature = "cassettes")]
    cassettes: Option<crate::cassette::Cassettes>,
    /// The first invalid input, reported by `build` (as reqwest does).
    error: Option<ConfigError>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            api_key: None,
            base_url: None,
            organization: None,
            project: None,
            max_retries: DEFAULT_MAX_RETRIES,
            max_retry_after: crate::retry::MAX_RETRY_AFTER,
            timeout: DEFAULT_TIMEOUT,
            stream_idle_timeout: DEFAULT_STREAM_IDLE_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            headers: Vec::new(),
            default_query: Vec::new(),
            region: None,
            token_source: None,
            trace_contents: false,
            http: None,
            #[cfg(feature = "cassettes")]
            cassettes: None,
            error: None,
        }
    }
}

impl ClientBuilder {
    /// A builder preset from `OPENAI_API_KEY`, `OPENAI_BASE_URL`,
    /// `OPENAI_ORG_ID` and `OPENAI_PROJECT_ID`, where set. Unlike
    /// [`Client::from_env`], a missing key is not an error.
    pub fn from_env() -> Self {
        Self::from_env_config(EnvConfig::from_lookup(|name| std::env::var(name).ok()))
    }

    fn from_env_config(env: EnvConfig) -> Self {
        ClientBuilder {
            api_key: env.api_key,
            base_url: env.base_url,
            organization: env.organization,
            project: env.project,
            ..Self::default()
        }
    }

    /// The API key, sent as `Authorization: Bearer <key>`. Without one no
    /// `Authorization` header is sent, as local servers expect.
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// The base URL; paths such as `/chat/completions` are appended to it.
    /// Defaults to `https://api.openai.com/v1`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// Sent as the `OpenAI-Organization` header.
    pub fn organization(mut self, organization: impl Into<String>) -> Self {
        self.organization = Some(organization.into());
        self
    }

    /// Sent as the `OpenAI-Project` header.
    pub fn project(mut self, project: impl Into<String>) -> Self {
        self.project = Some(project.into());
        self
    }

    /// Retries after the first attempt (default 2; 0 disables retrying).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = max_retries;
        self
    }

    /// The longest `retry-after` (or `retry-after-ms`) the client waits for
    /// before retrying (default 60 s).
    ///
    /// A server asking for longer (a quota exhausted for the hour, say) gets
    /// its error returned at once, not retried and not retried sooner than
    /// asked: the caller reads the wait from
    /// [`Error::rate_limits`](crate::Error::rate_limits)`.retry_after` and
    /// decides. openai-python behaves the same with a ceiling of 120 s;
    /// openai-go instead clamps the wait to 8 s and retries early, which a
    /// rate limiter answers with another 429. Within the ceiling the wait is
    /// honoured exactly; without the header, exponential backoff applies.
    ///
    /// ```
    /// let client = chat_api::Client::builder()
    ///     .max_retry_after(std::time::Duration::from_secs(120))
    ///     .build()?;
    /// # let _ = client; Ok::<(), chat_api::Error>(())
    /// ```
    pub fn max_retry_after(mut self, ceiling: Duration) -> Self {
        self.max_retry_after = ceiling;
        self
    }

    /// Sends every request to an OpenAI data-residency [`Region`](crate::Region)'s
    /// endpoint. Giving a base URL as well is a configuration error at
    /// [`build`](Self::build).
    pub fn region(mut self, region: crate::Region) -> Self {
        self.region = Some(region);
        self
    }

    /// A query parameter sent with every request (Azure's `api-version`).
    pub fn default_query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_query.push((key.into(), value.into()));
        self
    }

    /// Asks `source` for an `Authorization: Bearer` token before each
    /// attempt, instead of a fixed API key (see [`TokenSource`](crate::TokenSource)).
    pub fn token_source(self, source: impl crate::TokenSource + 'static) -> Self {
        self.token_source_arc(Arc::new(source))
    }

    /// Records message contents in the request spans
    /// (`gen_ai.input.messages`, `gen_ai.output.messages`); off by default,
    /// since prompts and answers may hold personal data. Headers, and so the
    /// API key, are never recorded.
    ///
    /// ```
    /// let client = chat_api::Client::builder().trace_contents(true).build()?;
    /// # let _ = client; Ok::<(), chat_api::Error>(())
    /// ```
    #[cfg(feature = "tracing")]
    pub fn trace_contents(mut self, record: bool) -> Self {
        self.trace_contents = record;
        self
    }

    pub(crate) fn token_source_arc(mut self, source: Arc<dyn crate::TokenSource>) -> Self {
        self.token_source = Some(source);
        self
    }

    /// A default header whose value is already checked and marked sensitive.
    pub(crate) fn sensitive_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Timeout for each attempt (default 600 s): until the whole body is
    /// read, or for a stream, until the headers arrive (then
    /// [`stream_idle_timeout`](Self::stream_idle_timeout) takes over).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long a stream may stay silent, between the headers and the first
    /// chunk or between two chunks, before it ends with
    /// [`Error::Stalled`] (default 120 s; `Duration::MAX` waits forever).
    ///
    /// Chunks normally arrive every few tens of milliseconds; the longest
    /// legitimate silence is a reasoning model thinking before its first
    /// visible token, which stays well under two minutes at default effort.
    /// 120 s leaves it that room and still ends a dead stream five times
    /// sooner than the 600 s request timeout. Raise it for long high-effort
    /// reasoning; [`RequestOptions::stream_idle_timeout`] sets it per request.
    pub fn stream_idle_timeout(mut self, timeout: Duration) -> Self {
        self.stream_idle_timeout = timeout;
        self
    }

    /// Timeout for establishing a connection (default 5 s). Ignored when a
    /// custom [`http_client`](Self::http_client) is given: configure that one instead.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A header sent with every request. An invalid name or value makes
    /// [`build`](Self::build) fail.
    pub fn default_header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        match header(name.as_ref(), value.as_ref()) {
            Ok(header) => self.headers.push(header),
            Err(error) => {
                self.error.get_or_insert(error);
            }
        }
        self
    }

    /// Uses this `reqwest::Client` (proxies, TLS roots, pool settings, …)
    /// instead of building one.
    ///
    /// chat-api then leaves TLS entirely to it: the `rustls` feature's
    /// provider setup (see [`build`](Self::build)) and the no-TLS check
    /// apply only to the client chat-api builds itself.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Records exchanges to, and replays them from, the cassettes in `dir`,
    /// as `mode` says; the `CHAT_API_CASSETTES` environment variable, when
    /// set, overrides the mode. See [`crate::cassette`], and
    /// [`cassette_config`](Self::cassette_config) for the other settings.
    ///
    /// ```no_run
    /// use chat_api::cassette::Mode;
    ///
    /// let client = chat_api::Client::builder()
    ///     .cassettes("tests/cassettes/weather", Mode::ReplayOrRecord)
    ///     .build()?;
    /// # Ok::<_, chat_api::Error>(())
    /// ```
    #[cfg(feature = "cassettes")]
    pub fn cassettes(
        self,
        dir: impl Into<std::path::PathBuf>,
        mode: crate::cassette::Mode,
    ) -> Self {
        self.cassette_config(crate::cassette::Cassettes::new(dir, mode))
    }

    /// Records and replays as `cassettes` configures (ignored fields, timed
    /// replay, whether the environment may override the mode).
    #[cfg(feature = "cassettes")]
    pub fn cassette_config(mut self, cassettes: crate::cassette::Cassettes) -> Self {
        self.cassettes = Some(cassettes);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] on a base URL that is not an absolute `http(s)`
    /// URL, a key or header that cannot be sent in a header, or when the
    /// HTTP client cannot be created; the [`ConfigError`] says which.
    ///
    /// # TLS
    ///
    /// Unless a client was given to [`http_client`](Self::http_client),
    /// `build` creates a `reqwest::Client` with the TLS backend of the
    /// crate's features (crate docs, "TLS"). With the default `rustls`
    /// feature (ring provider) and no rustls crypto provider installed yet,
    /// `build` installs ring's as rustls's **process-wide default**
    /// (`CryptoProvider::install_default`), because reqwest reads only that
    /// one; a provider the application installed before is kept. Without
    /// any TLS feature, requests to an `https` URL fail with
    /// [`ConfigError::TlsNotEnabled`].
    ///
    /// ```
    /// use chat_api::{Client, ConfigError, Error};
    ///
    /// let error = Client::builder().default_header("x-trace id", "1").build().unwrap_err();
    /// assert!(matches!(error, Error::Config(ConfigError::InvalidHeaderName { .. })));
    /// ```
    pub fn build(self) -> Result<Client> {
        if let Some(error) = self.error {
            return Err(error.into());
        }
        let base_url = match (self.region, self.base_url.as_deref()) {
            (Some(_), Some(_)) => return Err(ConfigError::RegionWithBaseUrl.into()),
            (Some(region), None) => region.base_url(),
            (None, base_url) => base_url.unwrap_or(DEFAULT_BASE_URL),
        };
        let base_url = crate::config::base_url(base_url)?;
        #[cfg(feature = "cassettes")]
        let cassettes = match &self.cassettes {
            Some(config) => {
                // `config::base_url` has checked that it parses.
                let parsed = reqwest::Url::parse(&base_url).map_err(|source| {
                    ConfigError::InvalidBaseUrl {
                        url: base_url.clone(),
                        source: Some(source),
                    }
                })?;
                crate::cassette::Store::new(config, &parsed)?
            }
            None => None,
        };

        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("chat-api-rust/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(key) = &self.api_key {
            let mut value = HeaderValue::try_from(format!("Bearer {}", key.expose()))
                // Never echo the key, not even in part.
                .map_err(|_| ConfigError::InvalidApiKey)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        for (name, value) in [
            ("openai-organization", &self.organization),
            ("openai-project", &self.project),
        ] {
            if let Some(value) = value {
                let value = HeaderValue::try_from(value.as_str()).map_err(|_| {
                    ConfigError::InvalidHeaderValue {
                        name: name.to_owned(),
                    }
                })?;
                headers.insert(HeaderName::from_static(name), value);
            }
        }
        for (name, value) in self.headers {
            headers.insert(name, value);
        }

        let plain_http_only = self.http.is_none() && !crate::tls::ENABLED;
        let http = match self.http {
            Some(http) => http,
            None => {
                crate::tls::ensure_provider();
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .build()
                    .map_err(|e| ConfigError::HttpClient(Arc::new(e)))?
            }
        };

        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                has_api_key: self.api_key.is_some(),
                organization: self.organization,
                project: self.project,
                max_retries: self.max_retries,
                max_retry_after: self.max_retry_after,
                timeout: self.timeout,
                stream_idle_timeout: self.stream_idle_timeout,
                headers,
                token_source: self.token_source,
                trace_contents: self.trace_contents,
                plain_http_only,
                #[cfg(feature = "cassettes")]
                cassettes,
            }),
            options: Arc::new(RequestOptions {
                extra_query: self.default_query,
                ..RequestOptions::default()
            }),
        })
    }
}

/// A successful response with its status and headers, from
/// [`Client::get`], [`Client::post`] and [`Client::execute_with_response`].
#[derive(Debug, Clone)]
pub struct Response<T> {
    status: StatusCode,
    headers: HeaderMap,
    body: T,
}

impl<T> Response<T> {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (rate limits: `x-ratelimit-remaining-requests`, …).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The `x-request-id` header.
    pub fn request_id(&self) -> Option<&str> {
        crate::error::request_id(&self.headers)
    }

    /// The decoded body.
    pub fn body(&self) -> &T {
        &self.body
    }

    /// The rate limits the response reports (`x-ratelimit-*`), or `None` if
    /// it sent none that parse.
    ///
    /// ```no_run
    /// # async fn demo(client: chat_api::Client, request: chat_api::types::CreateChatCompletionRequest) -> chat_api::Result<()> {
    /// use chat_api::types::CreateChatCompletionResponse;
    ///
    /// // `post` keeps the headers the typed `create_chat_completion` drops.
    /// let response = client
    ///     .post::<_, CreateChatCompletionResponse>("/chat/completions", &request)
    ///     .await?;
    /// if let Some(tokens) = response.rate_limits().and_then(|l| l.tokens) {
    ///     println!("{:?} tokens left, reset in {:?}", tokens.remaining, tokens.reset);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn rate_limits(&self) -> Option<crate::RateLimits> {
        crate::RateLimits::from_headers(&self.headers)
    }

    /// The decoded body, dropping status and headers.
    pub fn into_body(self) -> T {
        self.body
    }
}

/// A request ready to be sent any number of times.
struct Prepared {
    method: Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Option<Bytes>,
    timeout: Duration,
    stream_idle_timeout: Duration,
    max_event_size: usize,
    max_retries: u32,
    /// The span of this call (nothing without the `tracing` feature).
    telemetry: RequestSpan,
}

impl Client {
    /// A client configured from the environment: `OPENAI_API_KEY` (required),
    /// and `OPENAI_BASE_URL`, `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID` where set.
    ///
    /// For a server that needs no key, use [`ClientBuilder::from_env`] or
    /// [`Client::builder`].
    ///
    /// # Errors
    ///
    /// [`Error::Config`]: [`ConfigError::MissingApiKey`] without a key, or
    /// any error of [`ClientBuilder::build`] (a malformed `OPENAI_BASE_URL`, say).
    ///
    /// ```
    /// use chat_api::{Client, ConfigError, Error};
    ///
    /// // Use OpenAI when a key is configured, else a local server.
    /// fn client() -> chat_api::Result<Client> {
    ///     match Client::from_env() {
    ///         Err(Error::Config(ConfigError::MissingApiKey)) => {
    ///             Client::builder().base_url("http://127.0.0.1:8080/v1").build()
    ///         }
    ///         other => other,
    ///     }
    /// }
    /// # let _ = client;
    /// ```
    pub fn from_env() -> Result<Client> {
        Self::from_env_config(EnvConfig::from_lookup(|name| std::env::var(name).ok()))
    }

    fn from_env_config(env: EnvConfig) -> Result<Client> {
        if env.api_key.is_none() {
            return Err(ConfigError::MissingApiKey.into());
        }
        ClientBuilder::from_env_config(env).build()
    }

    /// A builder with the defaults: OpenAI's URL, no key, 2 retries, 600 s timeout.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A cheap copy of this client whose requests carry `options` on top of
    /// any options this client already has (later values win; extra body
    /// fields, query parameters and headers accumulate).
    #[must_use = "with_options returns a new client; the one it is called on is unchanged"]
    pub fn with_options(&self, options: RequestOptions) -> Client {
        Client {
            inner: Arc::clone(&self.inner),
            options: Arc::new(self.options.merged(options)),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Sends `GET {base_url}{path}` (the path may carry a query string) and
    /// decodes the JSON answer, keeping status and headers.
    ///
    /// ```no_run
    /// # async fn demo(client: chat_api::Client) -> chat_api::Result<()> {
    /// let models = client.get::<serde_json::Value>("/models").await?;
    /// println!("{:?} {}", models.request_id(), models.body());
    /// # Ok(()) }
    /// ```
    pub async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<Response<T>> {
        self.execute_with_response(Call::new(Method::GET, path.to_owned()))
            .await
    }

    /// Sends `POST {base_url}{path}` with a JSON body and decodes the JSON
    /// answer, keeping status and headers. Useful for endpoints or fields the
    /// generated methods do not cover, or to read headers of a typed call.
    pub async fn post<B, T>(&self, path: &str, body: &B) -> Result<Response<T>>
    where
        B: serde::Serialize + ?Sized,
        T: serde::de::DeserializeOwned,
    {
        self.execute_with_response(Call::new(Method::POST, path.to_owned()).json(body))
            .await
    }

    /// Sends a request with the client's headers, options and retries, and
    /// returns the successful response unread (for non-JSON or custom
    /// streaming bodies). Error statuses still become [`Error::Api`].
    ///
    /// The timeout covers the wait for the response headers only.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<reqwest::Response> {
        let mut call = Call::new(method, path.to_owned());
        if let Some(body) = body {
            call = call.json(body);
        }
        let prepared = self.prepare(call, false)?;
        self.run(&prepared, |response| async move { Ok(response) })
            .await
    }

    /// Sends `call` and decodes the JSON answer. Called by generated code.
    #[doc(hidden)]
    pub async fn execute<T: serde::de::DeserializeOwned>(&self, call: Call) -> Result<T> {
        self.execute_with_response(call)
            .await
            .map(Response::into_body)
    }

    /// Sends `call` and decodes the JSON answer, keeping status and headers.
    #[doc(hidden)]
    pub async fn execute_with_response<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
    ) -> Result<Response<T>> {
        let prepared = self.prepare(call, false)?;
        let (status, headers, body) = self.run(&prepared, read_body).await?;
        prepared.telemetry.response_body(&body);
        Ok(Response {
            status,
            headers,
            body: Error::decode(&body)?,
        })
    }

    /// Sends `call` and ignores the answer's body. Called by generated code.
    #[doc(hidden)]
    pub async fn execute_unit(&self, call: Call) -> Result<()> {
        let prepared = self.prepare(call, false)?;
        // The body is read anyway so the connection can be reused.
        self.run(&prepared, read_body).await.map(drop)
    }

    /// Sends `call` with `"stream": true` and `Accept: text/event-stream` and
    /// returns the stream (a [`ChatCompletionStream`](crate::ChatCompletionStream)
    /// or an [`EventStream`](crate::sse::EventStream)) with the request's idle
    /// timeout and event size bound. Called by generated code.
    #[doc(hidden)]
    pub async fn execute_stream<S: crate::__private::FromResponse>(&self, call: Call) -> Result<S> {
        let prepared = self.prepare(call, true)?;
        let response = self
            .run(&prepared, |response| async move { Ok(response) })
            .await?;
        Ok(S::from_response(
            response,
            Some(prepared.stream_idle_timeout),
            prepared.max_event_size,
        )
        .with_telemetry(prepared.telemetry))
    }

    fn prepare(&self, call: Call, stream: bool) -> Result<Prepared> {
        if let Some(error) = call.error {
            return Err(error);
        }
        let options = &*self.options;
        if let Some(error) = &options.error {
            return Err(error.clone().into());
        }

        let mut body = call.body;
        if stream && body.is_none() {
            body = Some(b"{}".to_vec());
        }
        let body = match body {
            None => None,
            Some(text) if !stream && options.extra_body.is_none() => Some(Bytes::from(text)),
            Some(text) => {
                // Set as members of the body's text, never through a
                // `serde_json::Value`, which would write the tools' schemas
                // in key order (see `Call`).
                let stream_flag = serde_json::Value::Bool(true);
                let mut set: Vec<(&str, &serde_json::Value)> = options
                    .extra_body
                    .iter()
                    .flatten()
                    .map(|(key, value)| (key.as_str(), value))
                    .collect();
                // After extra_body: an EventStream needs an event stream.
                if stream {
                    set.retain(|(key, _)| *key != "stream");
                    set.push(("stream", &stream_flag));
                }
                let text = crate::request::set_members(&text, &set).ok_or_else(|| {
                    Error::invalid(
                        "extra_body and streaming need a request body that is a JSON object",
                    )
                })?;
                Some(Bytes::from(text))
            }
        };

        let mut url = format!("{}{}", self.inner.base_url, call.path);
        let mut pairs = call.query;
        pairs.extend(options.extra_query.iter().cloned());
        if !pairs.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&encode_query(&pairs));
        }
        let url = reqwest::Url::parse(&url)
            .map_err(|e| Error::invalid_with(format!("invalid request URL `{url}`"), e))?;

        let mut headers = self.inner.headers.clone();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static(if stream {
                "text/event-stream"
            } else {
                "application/json"
            }),
        );
        if body.is_some() {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        }
        for (name, value) in &options.headers {
            headers.insert(name.clone(), value.clone());
        }

        let telemetry = RequestSpan::start(
            &call.method,
            &url,
            body.as_deref(),
            stream,
            self.inner.trace_contents,
        );
        Ok(Prepared {
            method: call.method,
            url,
            headers,
            body,
            timeout: options.timeout.unwrap_or(self.inner.timeout),
            stream_idle_timeout: options
                .stream_idle_timeout
                .unwrap_or(self.inner.stream_idle_timeout),
            max_event_size: options
                .max_event_size
                .unwrap_or(crate::sse::DEFAULT_MAX_EVENT_SIZE),
            max_retries: options.max_retries.unwrap_or(self.inner.max_retries),
            telemetry,
        })
    }

    /// Sends `prepared` until an attempt succeeds, fails for good or the
    /// retries run out. `on_success` finishes a 2xx attempt (reads the body,
    /// say) inside the attempt's timeout; its errors are retried like any other.
    async fn run<T, F, Fut>(&self, prepared: &Prepared, on_success: F) -> Result<T>
    where
        F: FnMut(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        prepared
            .telemetry
            .instrument(self.run_attempts(prepared, on_success))
            .await
    }

    async fn run_attempts<T, F, Fut>(&self, prepared: &Prepared, mut on_success: F) -> Result<T>
    where
        F: FnMut(reqwest::Response) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let telemetry = &prepared.telemetry;
        let mut retries = 0;
        loop {
            let span = telemetry.attempt(retries);
            let attempt = async {
                let response = self.send(prepared).await?;
                let status = response.status();
                span.status(status);
                if !status.is_success() {
                    let headers = response.headers().clone();
                    let body = response.bytes().await.map_err(Error::from_reqwest)?;
                    return Err(ApiError::from_response(status, headers, &body).into());
                }
                telemetry.succeeded(status, retries);
                on_success(response).await
            };
            let result =
                match tokio::time::timeout(prepared.timeout, span.instrument(attempt)).await {
                    Ok(result) => result,
                    Err(_elapsed) => Err(Error::Timeout),
                };
            let error = match result {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            span.failed(&error);
            if retries >= prepared.max_retries || !error.is_retryable() {
                telemetry.failed(&error, retries);
                return Err(error);
            }
            let headers = error.as_api_error().map(|e| &e.headers);
            let ceiling = self.inner.max_retry_after;
            match retry::delay(
                retries,
                headers,
                ceiling,
                SystemTime::now(),
                fastrand::f64(),
            ) {
                Some(delay) => tokio::time::sleep(delay).await,
                None => {
                    telemetry.failed(&error, retries);
                    return Err(error);
                }
            }
            retries += 1;
        }
    }
}

impl Client {
    /// The transport seam: one attempt at `prepared`, up to the response
    /// headers. Record and replay plug in here, so everything after it
    /// (status handling, retries, decoding, streams, timeouts) runs as live.
    async fn send(&self, prepared: &Prepared) -> Result<reqwest::Response> {
        #[cfg(feature = "cassettes")]
        if let Some(cassettes) = &self.inner.cassettes {
            let outgoing = crate::cassette::Outgoing {
                method: &prepared.method,
                url: &prepared.url,
                headers: &prepared.headers,
                body: prepared.body.as_deref(),
            };
            return cassettes.send(outgoing, || self.send_live(prepared)).await;
        }
        self.send_live(prepared).await
    }

    async fn send_live(&self, prepared: &Prepared) -> Result<reqwest::Response> {
        // After the cassette seam: a replay needs no TLS.
        crate::tls::check_scheme(&prepared.url, !self.inner.plain_http_only)?;
        let mut request = self
            .inner
            .http
            .request(prepared.method.clone(), prepared.url.clone())
            .headers(prepared.headers.clone());
        if let Some(source) = &self.inner.token_source {
            // Asked per attempt, after the cassette seam: a token is never
            // recorded, and a retry gets a fresh one.
            let token = source.token().await.map_err(Error::TokenSource)?;
            let mut value = HeaderValue::try_from(format!("Bearer {}", token.expose()))
                .map_err(|_| ConfigError::InvalidApiKey)?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(body) = &prepared.body {
            request = request.body(body.clone());
        }
        request.send().await.map_err(Error::from_reqwest)
    }
}

async fn read_body(response: reqwest::Response) -> Result<(StatusCode, HeaderMap, Bytes)> {
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(Error::from_reqwest)?;
    Ok((status, headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() {
        let client = Client::builder()
            .api_key("sk-top-secret-123")
            .default_header("x-api-key", "also-secret-456")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(
            !shown.contains("sk-top-secret-123") && !shown.contains("also-secret-456"),
            "{shown}"
        );
        assert!(shown.contains("***"), "{shown}");
        assert!(shown.contains("api.openai.com"), "{shown}");

        let builder = Client::builder().api_key("sk-top-secret-123");
        assert!(!format!("{builder:?}").contains("sk-top-secret-123"));
        let headers = format!("{:?}", client.inner.headers);
        assert!(!headers.contains("sk-top-secret-123"), "{headers}");
    }

    #[test]
    fn bad_key_error_does_not_echo_the_key() {
        let err = Client::builder()
            .api_key("sk-secret\nwith-newline")
            .build()
            .unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(matches!(err, Error::Config(ConfigError::InvalidApiKey)));
        assert!(!shown.contains("sk-secret"), "{shown}");
    }

    #[test]
    fn headers_for_key_org_project_and_no_key() {
        let client = Client::builder()
            .api_key("sk-1")
            .organization("org-1")
            .project("proj-1")
            .build()
            .unwrap();
        let h = &client.inner.headers;
        assert_eq!(h.get(AUTHORIZATION).unwrap(), "Bearer sk-1");
        assert!(h.get(AUTHORIZATION).unwrap().is_sensitive());
        assert_eq!(h.get("openai-organization").unwrap(), "org-1");
        assert_eq!(h.get("openai-project").unwrap(), "proj-1");

        let local = Client::builder()
            .base_url("http://127.0.0.1:8080/v1/")
            .build()
            .unwrap();
        assert!(local.inner.headers.get(AUTHORIZATION).is_none());
        assert_eq!(local.base_url(), "http://127.0.0.1:8080/v1");
    }

    #[test]
    fn env_builder_and_missing_key() {
        let env = EnvConfig::from_lookup(|n| {
            (n == "OPENAI_BASE_URL").then(|| "http://127.0.0.1:9/v1".to_owned())
        });
        let client = ClientBuilder::from_env_config(env.clone()).build().unwrap();
        assert_eq!(client.base_url(), "http://127.0.0.1:9/v1");
        assert!(!client.inner.has_api_key);
        assert!(matches!(
            Client::from_env_config(env),
            Err(Error::Config(ConfigError::MissingApiKey))
        ));
    }

    #[test]
    fn env_client_with_a_key_and_a_malformed_base_url() {
        let lookup = |url: &'static str| {
            move |n: &str| match n {
                "OPENAI_API_KEY" => Some("sk-env".to_owned()),
                "OPENAI_BASE_URL" => Some(url.to_owned()),
                _ => None,
            }
        };
        let client =
            Client::from_env_config(EnvConfig::from_lookup(lookup("http://127.0.0.1:9/v1")));
        assert!(client.unwrap().inner.has_api_key);
        let err =
            Client::from_env_config(EnvConfig::from_lookup(lookup("localhost:8080"))).unwrap_err();
        assert!(
            matches!(&err, Error::Config(ConfigError::InvalidBaseUrl { url, .. }) if url == "localhost:8080"),
            "{err:?}"
        );
    }

    #[test]
    fn organization_and_project_values_are_checked() {
        let err = Client::builder().project("proj\n1").build().unwrap_err();
        assert!(
            matches!(&err, Error::Config(ConfigError::InvalidHeaderValue { name }) if name == "openai-project"),
            "{err:?}"
        );
    }

    #[test]
    fn invalid_base_url_is_a_config_error_with_its_cause() {
        // Not a URL at all: the parse error is the source.
        for bad in ["api.openai.com/v1", "not a url", ""] {
            match Client::builder().base_url(bad).build() {
                Err(Error::Config(ConfigError::InvalidBaseUrl { url, source })) => {
                    assert_eq!(url, bad);
                    assert!(source.is_some(), "{bad}");
                }
                other => panic!("{bad}: expected InvalidBaseUrl, got {other:?}"),
            }
        }
        // A URL, but not one requests can go to.
        for bad in ["ftp://x/v1", "http://x/v1?a=b"] {
            assert!(
                matches!(
                    Client::builder().base_url(bad).build(),
                    Err(Error::Config(ConfigError::InvalidBaseUrl {
                        source: None,
                        ..
                    }))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn prepare_merges_body_query_headers_and_stream_flag() {
        let client = Client::builder()
            .base_url("http://127.0.0.1:1/v1")
            .build()
            .unwrap()
            .with_options(
                RequestOptions::new()
                    .extra_body(
                        serde_json::json!({"top_k": 20, "stream": false, "model": "override"}),
                    )
                    .query("api-version", "2024 01")
                    .header("x-custom", "1")
                    .timeout(Duration::from_secs(3))
                    .max_retries(7),
            );
        let call = Call::new(Method::POST, "/chat/completions".into())
            .json(&serde_json::json!({"model": "gpt-4o", "messages": []}))
            .query(&serde_json::json!({"metadata": {"k": "v"}}));
        let p = client.prepare(call, true).unwrap();
        let body: serde_json::Value = serde_json::from_slice(p.body.as_ref().unwrap()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"model": "override", "messages": [], "top_k": 20, "stream": true})
        );
        assert_eq!(
            p.url.as_str(),
            "http://127.0.0.1:1/v1/chat/completions?metadata%5Bk%5D=v&api-version=2024%2001"
        );
        assert_eq!(p.headers.get(ACCEPT).unwrap(), "text/event-stream");
        assert_eq!(p.headers.get("x-custom").unwrap(), "1");
        assert_eq!(p.timeout, Duration::from_secs(3));
        assert_eq!(p.max_retries, 7);
    }

    #[test]
    fn prepare_reports_call_and_option_errors() {
        let client = Client::builder().build().unwrap();
        let call = Call::new(Method::GET, "/x".into()).query(&1);
        assert!(matches!(
            client.prepare(call, false),
            Err(Error::InvalidRequest { .. })
        ));
        let bad = client.with_options(RequestOptions::new().extra_body(serde_json::json!("nope")));
        assert!(matches!(
            bad.prepare(Call::new(Method::GET, "/x".into()), false),
            Err(Error::Config(ConfigError::ExtraBodyNotAnObject {
                found: "a string"
            }))
        ));
        let call = Call::new(Method::POST, "/x".into()).json(&[1, 2]);
        assert!(matches!(
            client.prepare(call, true),
            Err(Error::InvalidRequest { .. })
        ));
    }
}
