//! The TLS features: an `https` request reaches the TLS backend the features
//! chose (no network: a loopback listener that answers garbage), and
//! without a TLS feature it is a configuration error naming the features.
//!
//! Its own test binary, so its one test runs in a process where nothing
//! else has built a client, and can check what `build` installs.

use chat_api::{Client, Error};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A loopback listener that reads whatever a connection sends first (a TLS
/// ClientHello) and answers bytes that are no TLS record. Returns its port.
async fn garbage_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        // Bounded: the test makes one attempt.
        for _ in 0..4 {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\nthis is not TLS\r\n\r\n")
                    .await;
                let _ = socket.shutdown().await;
            });
        }
    });
    port
}

fn request() -> chat_api::types::CreateChatCompletionRequest {
    chat_api::types::CreateChatCompletionRequest::new(
        "gpt-4o-mini",
        [chat_api::types::ChatCompletionRequestMessage::user("hi")],
    )
}

#[tokio::test]
async fn an_https_request_reaches_the_tls_backend_or_names_the_missing_feature() {
    // rustls with ring only: nothing is installed before the first client.
    #[cfg(all(
        feature = "rustls",
        not(feature = "rustls-aws-lc"),
        not(feature = "native-tls")
    ))]
    assert!(rustls::crypto::CryptoProvider::get_default().is_none());

    let port = garbage_server().await;
    let client = Client::builder()
        .api_key("sk-test")
        .base_url(format!("https://127.0.0.1:{port}/v1"))
        .max_retries(0)
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("a client builds with the default features, without any setup");

    // `build` installed ring as rustls's process default.
    #[cfg(all(
        feature = "rustls",
        not(feature = "rustls-aws-lc"),
        not(feature = "native-tls")
    ))]
    {
        let installed = rustls::crypto::CryptoProvider::get_default().expect("installed");
        let ring = rustls::crypto::ring::default_provider();
        let names = |p: &rustls::crypto::CryptoProvider| {
            p.cipher_suites
                .iter()
                .map(|s| s.suite())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(installed), names(&ring));
    }

    let err = client
        .create_chat_completion(&request())
        .await
        .expect_err("the server speaks no TLS");
    if cfg!(any(
        feature = "rustls",
        feature = "rustls-aws-lc",
        feature = "native-tls"
    )) {
        // The handshake failed: a connection error, not a panic, not a
        // configuration error.
        assert!(matches!(err, Error::Connection(_)), "{err:?}");
    } else {
        match &err {
            Error::Config(chat_api::ConfigError::TlsNotEnabled { url }) => {
                assert_eq!(url, &format!("https://127.0.0.1:{port}"));
            }
            other => panic!("expected TlsNotEnabled, got {other:?}"),
        }
        assert!(err.to_string().contains("`native-tls`"), "{err}");
        // Plain http still goes out (and fails here only because the
        // server's answer is not a valid HTTP response).
        let plain = Client::builder()
            .base_url(format!("http://127.0.0.1:{port}/v1"))
            .max_retries(0)
            .build()
            .unwrap();
        let err = plain.create_chat_completion(&request()).await.unwrap_err();
        assert!(!matches!(err, Error::Config(_)), "{err:?}");
    }
}
