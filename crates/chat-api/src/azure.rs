//! Azure OpenAI: deployment URLs with `api-version`, the `/openai/v1/` form,
//! the `api-key` header or a bearer token from a caller's token source
//! (Microsoft Entra ID), configured as the official SDKs read it from
//! `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY` and `OPENAI_API_VERSION`.
//!
//! Based on Microsoft's REST reference
//! (<https://learn.microsoft.com/azure/ai-foundry/openai/reference>: deployment
//! URLs, `api-key`, `Authorization: Bearer` for Entra ID), its v1 API guide
//! (<https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle>:
//! `{endpoint}/openai/v1/`, no `api-version` needed) and openai-python's
//! `AzureOpenAI` (environment variables, `azure_ad_token_provider`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::{HeaderName, HeaderValue};

use crate::client::{Client, ClientBuilder};
use crate::config::{ConfigError, Secret};
use crate::error::{BoxError, Result};

/// A future returned by a [`TokenSource`].
pub type TokenFuture<'a> =
    Pin<Box<dyn Future<Output = std::result::Result<Secret, BoxError>> + Send + 'a>>;

/// Supplies the bearer token of each attempt (an Entra ID token, say), so a
/// token is refreshed by the caller's code, never cached past its life here.
///
/// Any `Fn() -> impl Future<Output = Result<Secret, BoxError>>` is one.
///
/// ```
/// use chat_api::{BoxError, Secret};
///
/// let source = || async { Ok::<_, BoxError>(Secret::new("token-from-entra-id")) };
/// let client = chat_api::Client::azure()
///     .endpoint("https://my-resource.openai.azure.com")
///     .deployment("gpt-4o")
///     .api_version("2024-10-21")
///     .token_source(source)
///     .build()?;
/// # let _ = client; Ok::<(), chat_api::Error>(())
/// ```
pub trait TokenSource: Send + Sync {
    /// The token for the next attempt.
    fn token(&self) -> TokenFuture<'_>;
}

// Tokens are secrets: a source shows only that it is there.
impl fmt::Debug for dyn TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenSource")
    }
}

impl<F, Fut> TokenSource for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = std::result::Result<Secret, BoxError>> + Send + 'static,
{
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(self())
    }
}

/// Builds a [`Client`] for Azure OpenAI. Start from [`Client::azure`].
///
/// With a [`deployment`](Self::deployment), requests go to
/// `{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=…`
/// and an [`api_version`](Self::api_version) is required; without one, to
/// the v1 API, `{endpoint}/openai/v1/chat/completions` (with `api-version`
/// only if given), where the request's `model` names the deployment.
///
/// ```
/// let azure = chat_api::Client::azure()
///     .endpoint("https://my-resource.openai.azure.com")
///     .deployment("gpt-4o")
///     .api_version("2024-10-21")
///     .api_key("azure-key")
///     .build()?;
/// assert_eq!(azure.base_url(), "https://my-resource.openai.azure.com/openai/deployments/gpt-4o");
/// # Ok::<(), chat_api::Error>(())
/// ```
#[derive(Clone, Default)]
#[must_use = "an AzureBuilder does nothing until .build() is called"]
pub struct AzureBuilder {
    endpoint: Option<String>,
    deployment: Option<String>,
    api_version: Option<String>,
    api_key: Option<Secret>,
    token_source: Option<Arc<dyn TokenSource>>,
    client: ClientBuilder,
}

impl fmt::Debug for AzureBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AzureBuilder")
            .field("endpoint", &self.endpoint)
            .field("deployment", &self.deployment)
            .field("api_version", &self.api_version)
            .field("api_key", &self.api_key)
            .field("token_source", &self.token_source.is_some())
            .finish_non_exhaustive()
    }
}

impl AzureBuilder {
    /// A builder preset from `AZURE_OPENAI_ENDPOINT`, `AZURE_OPENAI_API_KEY`
    /// and `OPENAI_API_VERSION`, where set.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        AzureBuilder {
            endpoint: get("AZURE_OPENAI_ENDPOINT"),
            api_key: get("AZURE_OPENAI_API_KEY").map(Secret::new),
            api_version: get("OPENAI_API_VERSION"),
            ..Self::default()
        }
    }

    /// The resource endpoint, `https://{resource}.openai.azure.com`.
    pub fn endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// The deployment to call: selects the deployment URL form.
    pub fn deployment(mut self, deployment: impl Into<String>) -> Self {
        self.deployment = Some(deployment.into());
        self
    }

    /// The `api-version` query parameter (`2024-10-21`, `preview`, …).
    pub fn api_version(mut self, api_version: impl Into<String>) -> Self {
        self.api_version = Some(api_version.into());
        self
    }

    /// The resource key, sent as the `api-key` header.
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// A bearer token source (Microsoft Entra ID), asked before each
    /// attempt; replaces the API key.
    pub fn token_source(mut self, source: impl TokenSource + 'static) -> Self {
        self.token_source = Some(Arc::new(source));
        self
    }

    /// Everything else (retries, timeouts, default headers, an HTTP client)
    /// as on a [`ClientBuilder`].
    ///
    /// ```
    /// let azure = chat_api::Client::azure()
    ///     .endpoint("https://my-resource.openai.azure.com")
    ///     .api_key("azure-key")
    ///     .configure(|client| client.max_retries(5))
    ///     .build()?;
    /// # let _ = azure; Ok::<(), chat_api::Error>(())
    /// ```
    pub fn configure(mut self, configure: impl FnOnce(ClientBuilder) -> ClientBuilder) -> Self {
        self.client = configure(self.client);
        self
    }

    /// The client.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingAzureSetting`] without an endpoint, a key or
    /// token source, or (for a deployment URL) an API version;
    /// [`ConfigError::InvalidBaseUrl`] for an endpoint that is not a URL;
    /// [`ConfigError::InvalidApiKey`] for a key a header cannot carry.
    pub fn build(self) -> Result<Client> {
        let missing = |name| ConfigError::MissingAzureSetting { name };
        let endpoint = self
            .endpoint
            .ok_or(missing("endpoint (AZURE_OPENAI_ENDPOINT)"))?;
        let endpoint = endpoint.trim().trim_end_matches('/');
        let (base_url, api_version) = match &self.deployment {
            Some(deployment) => (
                format!(
                    "{endpoint}/openai/deployments/{}",
                    crate::request::encode_path(deployment)
                ),
                Some(
                    self.api_version
                        .ok_or(missing("api_version (OPENAI_API_VERSION)"))?,
                ),
            ),
            None => (format!("{endpoint}/openai/v1"), self.api_version),
        };
        let mut client = self.client.base_url(base_url);
        if let Some(version) = api_version {
            client = client.default_query("api-version", version);
        }
        client = match (self.token_source, self.api_key) {
            (Some(source), _) => client.token_source_arc(source),
            (None, Some(key)) => {
                let mut value =
                    HeaderValue::try_from(key.expose()).map_err(|_| ConfigError::InvalidApiKey)?;
                value.set_sensitive(true);
                client.sensitive_header(HeaderName::from_static("api-key"), value)
            }
            (None, None) => {
                return Err(missing("api_key (AZURE_OPENAI_API_KEY) or token_source").into());
            }
        };
        client.build()
    }
}

impl Client {
    /// A builder for Azure OpenAI (see [`AzureBuilder`]).
    pub fn azure() -> AzureBuilder {
        AzureBuilder::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_environment_as_the_official_sdks() {
        let env = |name: &str| match name {
            "AZURE_OPENAI_ENDPOINT" => Some("https://res.openai.azure.com/".to_owned()),
            "AZURE_OPENAI_API_KEY" => Some("azure-secret".to_owned()),
            "OPENAI_API_VERSION" => Some("2024-10-21".to_owned()),
            _ => None,
        };
        let builder = AzureBuilder::from_lookup(env);
        assert!(!format!("{builder:?}").contains("azure-secret"));
        let client = builder.deployment("my gpt").build().unwrap();
        assert_eq!(
            client.base_url(),
            "https://res.openai.azure.com/openai/deployments/my%20gpt"
        );
    }

    #[test]
    fn missing_settings_are_named() {
        let err = AzureBuilder::default().build().unwrap_err();
        assert!(err.to_string().contains("AZURE_OPENAI_ENDPOINT"), "{err}");
        let err = Client::azure()
            .endpoint("https://res.openai.azure.com")
            .deployment("d")
            .api_key("k")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("OPENAI_API_VERSION"), "{err}");
        let err = Client::azure()
            .endpoint("https://res.openai.azure.com")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("AZURE_OPENAI_API_KEY"), "{err}");
    }
}
