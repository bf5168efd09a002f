//! With the `rustls` feature (ring), a rustls provider the application
//! installed before building a client is kept: chat-api installs ring as
//! the process default only when there is none. Its own test binary, as the
//! provider is process-wide.
#![cfg(all(
    feature = "rustls",
    not(feature = "rustls-aws-lc"),
    not(feature = "native-tls")
))]

#[test]
fn an_installed_provider_is_kept() {
    let mut own = rustls::crypto::ring::default_provider();
    own.cipher_suites.truncate(1);
    own.install_default()
        .expect("nothing installed yet in this process");
    let _client = chat_api::Client::builder().build().unwrap();
    let installed = rustls::crypto::CryptoProvider::get_default().unwrap();
    assert_eq!(installed.cipher_suites.len(), 1);
}
