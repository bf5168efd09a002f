//! Replay: a recorded answer as a response the client reads like a live one.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderName, HeaderValue, StatusCode};

use super::CassetteError;
use super::file::Cassette;
use crate::error::BoxError;

/// The response `cassette` (read from `path`) recorded. Its body yields the
/// recorded chunks one by one, after their recorded delays if `timed`, then
/// the recorded error if the body broke off.
pub(crate) fn response(
    cassette: &Cassette,
    path: &Path,
    timed: bool,
) -> Result<reqwest::Response, CassetteError> {
    let recorded = &cassette.response;
    let status = StatusCode::from_u16(recorded.status).map_err(|_| {
        CassetteError::invalid(
            path,
            format!(
                "at `response.status`: {} is not an HTTP status",
                recorded.status
            ),
        )
    })?;
    let mut headers = http::HeaderMap::new();
    for (name, value) in &recorded.headers {
        let name = HeaderName::try_from(name.as_str()).map_err(|_| {
            CassetteError::invalid(
                path,
                format!("at `response.headers`: `{name}` is not a header name"),
            )
        })?;
        let value = HeaderValue::try_from(value.as_str()).map_err(|_| {
            CassetteError::invalid(
                path,
                format!("at `response.headers.{name}`: not a valid header value"),
            )
        })?;
        headers.append(name, value);
    }

    let chunks: Vec<(Duration, Bytes)> = match (&recorded.body, &recorded.chunks) {
        (Some(_), Some(_)) => {
            return Err(CassetteError::invalid(
                path,
                "the response has both `body` and `chunks`",
            ));
        }
        (Some(body), None) => {
            let bytes = serde_json::to_vec(body)
                .map_err(|e| CassetteError::invalid(path, e.to_string()))?;
            vec![(Duration::ZERO, Bytes::from(bytes))]
        }
        (None, Some(chunks)) => chunks
            .iter()
            .map(|c| {
                let delay = if timed {
                    Duration::from_millis(c.after_ms)
                } else {
                    Duration::ZERO
                };
                (delay, Bytes::from(c.data.clone()))
            })
            .collect(),
        (None, None) => Vec::new(),
    };
    let mut items: Vec<(Duration, Result<Bytes, BoxError>)> = chunks
        .into_iter()
        .map(|(delay, bytes)| (delay, Ok(bytes)))
        .collect();
    if let Some(error) = &recorded.error {
        items.push((Duration::ZERO, Err(format!("recorded: {error}").into())));
    }
    let body = futures_util::stream::unfold(items.into_iter(), |mut items| async move {
        let (delay, item) = items.next()?;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Some((item, items))
    });

    let mut replayed = http::Response::new(reqwest::Body::wrap_stream(body));
    *replayed.status_mut() = status;
    *replayed.headers_mut() = headers;
    Ok(reqwest::Response::from(replayed))
}
