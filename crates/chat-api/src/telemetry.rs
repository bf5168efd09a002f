//! Spans for the optional `tracing` feature, named and attributed after the
//! OpenTelemetry GenAI semantic conventions
//! (<https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/>).
//!
//! One `chat_api.request` span per call (`otel.name` = `chat gpt-4o`) and one
//! `chat_api.attempt` span per attempt inside it. Recorded: operation,
//! model, server address and port, status, retries, response id and model,
//! finish reasons, token usage, and for streams the time to the first
//! chunk. Never recorded: headers (so never the API key or a token), and
//! bodies; message contents (`gen_ai.input.messages`,
//! `gen_ai.output.messages`) only after
//! [`ClientBuilder::trace_contents`](crate::ClientBuilder::trace_contents).
//!
//! Without the feature every type here is empty and every call a no-op, so
//! the client code has no `cfg` of its own.

#[cfg(not(feature = "tracing"))]
use {crate::types::CreateChatCompletionResponse, http::Method};

/// The span of one call, or nothing without the feature. Public only so
/// `__private::FromResponse` can hand it to a stream.
#[derive(Debug, Clone, Default)]
pub struct RequestSpan {
    #[cfg(feature = "tracing")]
    inner: Option<imp::Inner>,
}

/// The span of one attempt, or nothing without the feature.
#[derive(Debug)]
pub(crate) struct AttemptSpan {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
}

#[cfg(not(feature = "tracing"))]
impl RequestSpan {
    pub(crate) fn start(
        _method: &Method,
        _url: &reqwest::Url,
        _body: Option<&[u8]>,
        _stream: bool,
        _contents: bool,
    ) -> Self {
        RequestSpan {}
    }
    pub(crate) fn attempt(&self, _resend_count: u32) -> AttemptSpan {
        AttemptSpan {}
    }
    pub(crate) fn instrument<F: std::future::Future>(&self, future: F) -> F {
        future
    }
    pub(crate) fn response_body(&self, _body: &[u8]) {}
    pub(crate) fn failed(&self, _error: &crate::Error, _retries: u32) {}
    pub(crate) fn succeeded(&self, _status: http::StatusCode, _retries: u32) {}
    pub(crate) fn first_chunk(&mut self) {}
    pub(crate) fn completion(&self, _completion: &CreateChatCompletionResponse) {}
}

#[cfg(not(feature = "tracing"))]
impl AttemptSpan {
    pub(crate) fn instrument<F: std::future::Future>(&self, future: F) -> F {
        future
    }
    pub(crate) fn status(&self, _status: http::StatusCode) {}
    pub(crate) fn failed(&self, _error: &crate::Error) {}
}

#[cfg(feature = "tracing")]
mod imp {
    use std::time::Instant;

    use http::{Method, StatusCode};
    use serde::Deserialize;
    use tracing::field::Empty;
    use tracing::{Instrument, Span};

    use super::{AttemptSpan, RequestSpan};
    use crate::types::CreateChatCompletionResponse;

    #[derive(Debug, Clone)]
    pub(super) struct Inner {
        span: Span,
        started: Instant,
        first_chunk: bool,
        contents: bool,
    }

    /// The few fields of a request body the span records.
    #[derive(Deserialize)]
    struct RequestSummary {
        model: Option<String>,
        messages: Option<serde_json::Value>,
    }

    /// The few fields of a completion the span records; anything else in
    /// the body is skipped, not parsed into values.
    #[derive(Deserialize)]
    struct ResponseSummary {
        id: Option<String>,
        model: Option<String>,
        #[serde(default)]
        choices: Vec<ChoiceSummary>,
        usage: Option<UsageSummary>,
    }

    #[derive(Deserialize)]
    struct ChoiceSummary {
        finish_reason: Option<String>,
        message: Option<serde_json::Value>,
    }

    #[derive(Deserialize)]
    struct UsageSummary {
        prompt_tokens: Option<i64>,
        completion_tokens: Option<i64>,
    }

    impl RequestSpan {
        pub(crate) fn start(
            method: &Method,
            url: &reqwest::Url,
            body: Option<&[u8]>,
            stream: bool,
            contents: bool,
        ) -> Self {
            let summary = body.and_then(|b| serde_json::from_slice::<RequestSummary>(b).ok());
            let model = summary.as_ref().and_then(|s| s.model.clone());
            let chat = *method == Method::POST && url.path().ends_with("/chat/completions");
            let operation = if chat { "chat" } else { url.path() };
            let name = match &model {
                Some(model) => format!("{operation} {model}"),
                None => operation.to_owned(),
            };
            let span = tracing::info_span!(
                target: "chat_api",
                "chat_api.request",
                otel.name = %name,
                otel.kind = "client",
                gen_ai.operation.name = operation,
                gen_ai.provider.name = "openai",
                gen_ai.request.model = model.as_deref(),
                gen_ai.request.stream = stream,
                server.address = url.host_str(),
                server.port = url.port_or_known_default(),
                http.request.method = %method,
                http.response.status_code = Empty,
                chat_api.retries = Empty,
                error.type = Empty,
                gen_ai.response.id = Empty,
                gen_ai.response.model = Empty,
                gen_ai.response.finish_reasons = Empty,
                gen_ai.usage.input_tokens = Empty,
                gen_ai.usage.output_tokens = Empty,
                gen_ai.response.time_to_first_chunk = Empty,
                gen_ai.input.messages = Empty,
                gen_ai.output.messages = Empty,
            );
            if contents && let Some(messages) = summary.and_then(|s| s.messages) {
                span.record("gen_ai.input.messages", messages.to_string());
            }
            RequestSpan {
                inner: Some(Inner {
                    span,
                    started: Instant::now(),
                    first_chunk: false,
                    contents,
                }),
            }
        }

        fn span(&self) -> Option<&Span> {
            self.inner.as_ref().map(|i| &i.span)
        }

        pub(crate) fn attempt(&self, resend_count: u32) -> AttemptSpan {
            let span = match self.span() {
                Some(parent) => tracing::info_span!(
                    target: "chat_api",
                    parent: parent,
                    "chat_api.attempt",
                    http.request.resend_count = resend_count,
                    http.response.status_code = Empty,
                    error.type = Empty,
                ),
                None => Span::none(),
            };
            AttemptSpan { span }
        }

        pub(crate) fn instrument<F: std::future::Future>(
            &self,
            future: F,
        ) -> tracing::instrument::Instrumented<F> {
            future.instrument(self.span().cloned().unwrap_or_else(Span::none))
        }

        pub(crate) fn succeeded(&self, status: StatusCode, retries: u32) {
            if let Some(span) = self.span() {
                span.record("http.response.status_code", status.as_u16());
                span.record("chat_api.retries", retries);
            }
        }

        pub(crate) fn failed(&self, error: &crate::Error, retries: u32) {
            if let Some(span) = self.span() {
                if let Some(status) = error.status() {
                    span.record("http.response.status_code", status.as_u16());
                }
                span.record("chat_api.retries", retries);
                span.record("error.type", error_type(error));
            }
        }

        /// Records what a JSON completion body says, if it is one.
        pub(crate) fn response_body(&self, body: &[u8]) {
            let Some(span) = self.span().filter(|s| !s.is_disabled()) else {
                return;
            };
            let Ok(summary) = serde_json::from_slice::<ResponseSummary>(body) else {
                return;
            };
            if let Some(id) = &summary.id {
                span.record("gen_ai.response.id", id.as_str());
            }
            if let Some(model) = &summary.model {
                span.record("gen_ai.response.model", model.as_str());
            }
            if !summary.choices.is_empty() {
                let reasons: Vec<&str> = summary
                    .choices
                    .iter()
                    .filter_map(|c| c.finish_reason.as_deref())
                    .collect();
                span.record("gen_ai.response.finish_reasons", format!("{reasons:?}"));
            }
            if let Some(usage) = &summary.usage {
                if let Some(input) = usage.prompt_tokens {
                    span.record("gen_ai.usage.input_tokens", input);
                }
                if let Some(output) = usage.completion_tokens {
                    span.record("gen_ai.usage.output_tokens", output);
                }
            }
            if self.inner.as_ref().is_some_and(|i| i.contents) {
                let messages: Vec<_> = summary
                    .choices
                    .iter()
                    .filter_map(|c| c.message.as_ref())
                    .collect();
                if let Ok(json) = serde_json::to_string(&messages) {
                    span.record("gen_ai.output.messages", json);
                }
            }
        }

        pub(crate) fn first_chunk(&mut self) {
            if let Some(inner) = &mut self.inner
                && !inner.first_chunk
            {
                inner.first_chunk = true;
                inner.span.record(
                    "gen_ai.response.time_to_first_chunk",
                    inner.started.elapsed().as_secs_f64(),
                );
            }
        }

        /// Records a streamed completion, folded, once the stream ends.
        pub(crate) fn completion(&self, completion: &CreateChatCompletionResponse) {
            if self.span().is_none_or(Span::is_disabled) {
                return;
            }
            if let Ok(body) = serde_json::to_vec(completion) {
                self.response_body(&body);
            }
        }
    }

    impl AttemptSpan {
        pub(crate) fn instrument<F: std::future::Future>(
            &self,
            future: F,
        ) -> tracing::instrument::Instrumented<F> {
            future.instrument(self.span.clone())
        }

        pub(crate) fn status(&self, status: StatusCode) {
            self.span
                .record("http.response.status_code", status.as_u16());
        }

        pub(crate) fn failed(&self, error: &crate::Error) {
            self.span.record("error.type", error_type(error));
        }
    }

    /// A low-cardinality error class, as `error.type` asks: the API's error
    /// type or the kind of failure, never a message (which may quote input).
    fn error_type(error: &crate::Error) -> String {
        match error {
            crate::Error::Api(api) => api
                .r#type
                .clone()
                .unwrap_or_else(|| api.status.as_u16().to_string()),
            crate::Error::Timeout => "timeout".to_owned(),
            crate::Error::Connection(_) => "connection".to_owned(),
            crate::Error::Decode { .. } => "decode".to_owned(),
            crate::Error::TokenSource(_) => "token_source".to_owned(),
            _ => "other".to_owned(),
        }
    }
}
