//! The TLS backend the crate's features chose for the `reqwest::Client`
//! chat-api builds itself (see the crate docs, "TLS").

use crate::config::ConfigError;

/// Whether this build of chat-api has a TLS feature (`rustls`,
/// `rustls-aws-lc` or `native-tls`).
pub(crate) const ENABLED: bool = cfg!(any(
    feature = "rustls",
    feature = "rustls-aws-lc",
    feature = "native-tls"
));

/// Called before chat-api builds its own `reqwest::Client`.
///
/// With the `rustls` feature, reqwest is built without a crypto provider of
/// its own (`rustls-no-provider`) and panics in `build` unless rustls has a
/// process-wide default. So when none is installed yet, this installs ring
/// as that default. A provider the application installed first is left
/// alone, and so is a client passed to `ClientBuilder::http_client`. With
/// `rustls-aws-lc` reqwest falls back to aws-lc-rs itself, and with
/// `native-tls` reqwest uses the platform's library: nothing is installed.
///
/// reqwest 0.13 has no per-client provider setting short of a complete
/// `rustls::ClientConfig` (`tls_backend_preconfigured`), which would mean
/// rebuilding its certificate verifier and ALPN setup here, tied to its
/// exact rustls version; hence the process default.
pub(crate) fn ensure_provider() {
    #[cfg(all(
        feature = "rustls",
        not(feature = "rustls-aws-lc"),
        not(feature = "native-tls")
    ))]
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // An `Err` means another thread installed a default in between:
        // that one is used then, as it would have been anyway.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Whether a client built by chat-api (which has TLS when `tls_enabled`)
/// can send to `url`: without TLS an `https` URL is a configuration error
/// that names the features, instead of reqwest's opaque (and retried)
/// "invalid URL, scheme is not http" connection error.
pub(crate) fn check_scheme(url: &url::Url, tls_enabled: bool) -> Result<(), ConfigError> {
    if tls_enabled || url.scheme() != "https" {
        return Ok(());
    }
    Err(ConfigError::TlsNotEnabled {
        url: url.origin().ascii_serialization(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_without_tls_is_a_config_error_naming_the_features() {
        let url = url::Url::parse("https://api.openai.com/v1/chat/completions?x=1").unwrap();
        let err = check_scheme(&url, false).unwrap_err();
        assert!(
            matches!(&err, ConfigError::TlsNotEnabled { url } if url == "https://api.openai.com"),
            "{err:?}"
        );
        let shown = err.to_string();
        for feature in ["`rustls`", "`rustls-aws-lc`", "`native-tls`", "http_client"] {
            assert!(shown.contains(feature), "{shown}");
        }
        assert!(check_scheme(&url, true).is_ok());
        let plain = url::Url::parse("http://127.0.0.1:8080/v1/chat/completions").unwrap();
        assert!(check_scheme(&plain, false).is_ok());
        assert!(check_scheme(&plain, true).is_ok());
    }
}
