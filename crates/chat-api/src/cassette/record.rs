//! Recording: the live body passes through untouched while its chunks, and
//! the time between them, are kept; the cassette is written when the body ends.

use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_core::Stream;

use super::file::{Cassette, Chunk, RecordedRequest, RecordedResponse};
use super::redact;
use crate::error::BoxError;

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// `response` with a body that records itself into `path` as it is read.
pub(crate) fn tee(
    response: reqwest::Response,
    request: RecordedRequest,
    path: PathBuf,
) -> reqwest::Response {
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let recorder = Recorder {
        body: Box::pin(response.bytes_stream()),
        pending: Some(Pending {
            request,
            status: status.as_u16(),
            headers: redact::headers(&headers),
            chunks: Vec::new(),
            last: Instant::now(),
            path,
        }),
    };
    let mut live = http::Response::new(reqwest::Body::wrap_stream(recorder));
    *live.status_mut() = status;
    *live.version_mut() = version;
    *live.headers_mut() = headers;
    reqwest::Response::from(live)
}

struct Recorder {
    body: Body,
    /// What is recorded so far; taken when the cassette is written.
    pending: Option<Pending>,
}

struct Pending {
    request: RecordedRequest,
    status: u16,
    headers: std::collections::BTreeMap<String, String>,
    chunks: Vec<Chunk>,
    last: Instant,
    path: PathBuf,
}

impl Pending {
    fn write(self, error: Option<String>) -> Result<(), super::CassetteError> {
        let cassette = Cassette {
            request: self.request,
            response: RecordedResponse::new(self.status, self.headers, self.chunks, error),
        };
        cassette.save(&self.path)
    }
}

impl Stream for Recorder {
    type Item = Result<Bytes, BoxError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let polled = self.body.as_mut().poll_next(cx);
        match polled {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(bytes))) => {
                if let Some(pending) = self.pending.as_mut() {
                    let now = Instant::now();
                    pending
                        .chunks
                        .push(Chunk::new(millis(now - pending.last), bytes.to_vec()));
                    pending.last = now;
                }
                Poll::Ready(Some(Ok(bytes)))
            }
            Poll::Ready(Some(Err(err))) => {
                if let Some(pending) = self.pending.take() {
                    // The body's own error is what the caller needs to see;
                    // a failed write would only hide it.
                    let _ = pending.write(Some(err.to_string()));
                }
                Poll::Ready(Some(Err(Box::new(err))))
            }
            Poll::Ready(None) => match self.pending.take().map(|p| p.write(None)) {
                Some(Err(err)) => Poll::Ready(Some(Err(Box::new(err)))),
                _ => Poll::Ready(None),
            },
        }
    }
}

impl Drop for Recorder {
    /// A body dropped before its end is recorded as far as it was read, as a
    /// complete body: a chat stream is dropped at `data: [DONE]` without
    /// reading on, and a caller that stopped reading never gets further on
    /// replay either. There is no one left to tell about a failed write.
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            let _ = pending.write(None);
        }
    }
}

/// A delay in whole milliseconds, as cassettes store it.
fn millis(delay: Duration) -> u64 {
    u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)
}
