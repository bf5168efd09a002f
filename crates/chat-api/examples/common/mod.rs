//! What every example shares: the model it asks and how it reports a failure.

use std::process::ExitCode;

use chat_api::{ConfigError, Error};

/// The model to ask: `OPENAI_MODEL`, or `gpt-4o-mini`. Local servers
/// usually serve one model whatever the name.
// Each example is its own crate and uses only part of this module.
#[allow(dead_code)]
pub fn model() -> String {
    std::env::var("OPENAI_MODEL").unwrap_or_else(|_| "gpt-4o-mini".to_owned())
}

/// Exit status 0 on success; otherwise prints the error, with what to do
/// when the environment is the problem, and exits with 1.
pub fn exit_code(result: chat_api::Result<()>) -> ExitCode {
    let Err(err) = result else {
        return ExitCode::SUCCESS;
    };
    eprintln!("error: {err}");
    match &err {
        Error::Config(ConfigError::MissingApiKey) => eprintln!(
            "hint: export OPENAI_API_KEY=sk-... (any value for a local server), and \
             OPENAI_BASE_URL=http://127.0.0.1:8080/v1 for a server other than OpenAI"
        ),
        Error::Config(ConfigError::InvalidBaseUrl { .. }) => {
            eprintln!("hint: OPENAI_BASE_URL must look like http://127.0.0.1:8080/v1")
        }
        Error::Connection(_) | Error::Timeout => {
            eprintln!("hint: is the server at OPENAI_BASE_URL (default api.openai.com) reachable?")
        }
        Error::Api(api) if api.status.as_u16() == 401 => {
            eprintln!("hint: the server rejected OPENAI_API_KEY")
        }
        _ => {}
    }
    ExitCode::FAILURE
}
