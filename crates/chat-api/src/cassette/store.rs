//! A client's cassettes at run time: answers a request from a recording, or
//! sends it and records the answer, as the mode says.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use http::{HeaderMap, Method};
use serde_json::Value;

use super::error::Miss;
use super::file::{Cassette, RecordedRequest};
use super::{CassetteError, Cassettes, Mode, diff, matching, record, redact, replay};
use crate::error::{Error, Result};

/// A request as the client is about to send it.
pub(crate) struct Outgoing<'a> {
    pub(crate) method: &'a Method,
    pub(crate) url: &'a reqwest::Url,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: Option<&'a [u8]>,
}

/// The cassettes of one client (shared by its clones).
pub(crate) struct Store {
    dir: PathBuf,
    mode: Mode,
    ignored: Vec<String>,
    timed: bool,
    /// The base URL's path (`/v1`): recorded paths are relative to it, so a
    /// cassette does not depend on the host it was recorded against.
    base_path: String,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The recordings in `dir`, read on first use.
    loaded: Option<Vec<Entry>>,
    /// How many requests with each key this client has sent: the n-th gets
    /// the n-th recording.
    seen: HashMap<String, usize>,
}

struct Entry {
    path: PathBuf,
    key: String,
    cassette: Arc<Cassette>,
}

enum Decision {
    Replay(Arc<Cassette>, PathBuf),
    Record(PathBuf),
}

impl Store {
    /// The store for `config`, or `None` when the mode in force is live.
    pub(crate) fn new(config: &Cassettes, base_url: &reqwest::Url) -> Result<Option<Store>> {
        let mode = config.effective_mode()?;
        if mode == Mode::Live {
            return Ok(None);
        }
        Ok(Some(Store {
            dir: config.dir.clone(),
            mode,
            ignored: config.ignored.clone(),
            timed: config.timed,
            base_path: base_url.path().trim_end_matches('/').to_owned(),
            state: Mutex::new(State::default()),
        }))
    }

    /// Answers `outgoing` from a recording, or through `live` (recording the
    /// answer as it is read).
    pub(crate) async fn send<F, Fut>(
        &self,
        outgoing: Outgoing<'_>,
        live: F,
    ) -> Result<reqwest::Response>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<reqwest::Response>>,
    {
        let request = self.recorded_request(&outgoing)?;
        match self.decide(&request)? {
            Decision::Replay(cassette, path) => {
                replay::response(&cassette, &path, self.timed).map_err(Error::from)
            }
            Decision::Record(path) => {
                let response = live().await?;
                Ok(record::tee(response, request, path))
            }
        }
    }

    fn recorded_request(&self, outgoing: &Outgoing<'_>) -> Result<RecordedRequest> {
        let path = outgoing.url.path();
        let path = path
            .strip_prefix(self.base_path.as_str())
            .filter(|rest| rest.starts_with('/'))
            .unwrap_or(path);
        let body = match outgoing.body {
            None => None,
            Some(bytes) => Some(
                serde_json::from_slice::<Value>(bytes)
                    .map_err(|e| Error::invalid_with("cassettes need a JSON request body", e))?,
            ),
        };
        Ok(RecordedRequest {
            method: outgoing.method.as_str().to_owned(),
            path: path.to_owned(),
            query: redact::query(
                outgoing
                    .url
                    .query_pairs()
                    .map(|(k, v)| (k.into_owned(), v.into_owned())),
            ),
            headers: redact::headers(outgoing.headers),
            body,
        })
    }

    fn decide(&self, request: &RecordedRequest) -> Result<Decision> {
        let key = matching::key(request, &self.ignored);
        // A poisoned lock only means another request panicked mid-decision;
        // the counters are still usable.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let sequence = {
            let seen = state.seen.entry(key.clone()).or_default();
            *seen += 1;
            *seen
        };
        if self.mode == Mode::Record {
            return Ok(Decision::Record(
                self.dir.join(matching::file_name(request, &key, sequence)),
            ));
        }
        if state.loaded.is_none() {
            state.loaded = Some(load(&self.dir, &self.ignored)?);
        }
        let entries = state.loaded.as_deref().unwrap_or_default();
        let mut matching: Vec<&Entry> = entries.iter().filter(|e| e.key == key).collect();
        // `-2.json` before `-10.json`: shorter names first, then by name.
        matching.sort_by(|a, b| {
            let (a, b) = (a.path.as_os_str(), b.path.as_os_str());
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        });
        let hit = match self.mode {
            // Past the last recording, the last one answers again.
            Mode::Replay => matching.get(sequence - 1).or(matching.last()),
            _ => matching.get(sequence - 1),
        };
        match (hit, self.mode) {
            (Some(entry), _) => Ok(Decision::Replay(
                Arc::clone(&entry.cassette),
                entry.path.clone(),
            )),
            (None, Mode::Replay) => Err(self.miss(request, entries).into()),
            (None, _) => Ok(Decision::Record(
                self.dir.join(matching::file_name(request, &key, sequence)),
            )),
        }
    }

    /// The miss error for `request`, naming the nearest of `entries`.
    fn miss(&self, request: &RecordedRequest, entries: &[Entry]) -> CassetteError {
        let line = matching::request_line(request);
        let body = canonical(request, &self.ignored);
        let nearest = entries
            .iter()
            .map(|entry| {
                let recorded = &entry.cassette.request;
                let recorded_line = matching::request_line(recorded);
                let mut differences = Vec::new();
                if recorded_line != line {
                    differences.push(super::error::Difference {
                        path: "<request line>".to_owned(),
                        recorded: Some(Value::String(recorded_line)),
                        sent: Some(Value::String(line.clone())),
                    });
                }
                let line_differs = !differences.is_empty();
                differences.extend(diff::differences(
                    &canonical(recorded, &self.ignored),
                    &body,
                ));
                (line_differs, differences, entry)
            })
            .min_by(|a, b| (a.0, a.1.len(), &a.2.path).cmp(&(b.0, b.1.len(), &b.2.path)));
        let (nearest, differences) = match nearest {
            Some((_, differences, entry)) => (Some(entry.path.clone()), differences),
            None => (None, Vec::new()),
        };
        CassetteError::Miss(Box::new(Miss {
            dir: self.dir.clone(),
            request: line,
            nearest,
            differences,
        }))
    }
}

fn canonical(request: &RecordedRequest, ignored: &[String]) -> Value {
    request
        .body
        .as_ref()
        .map_or(Value::Null, |body| matching::canonical_body(body, ignored))
}

/// Every `*.json` cassette in `dir`; a missing directory holds none.
fn load(dir: &Path, ignored: &[String]) -> Result<Vec<Entry>, CassetteError> {
    let listing = match std::fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(CassetteError::io(dir, e)),
    };
    let mut entries = Vec::new();
    for item in listing {
        let path = item.map_err(|e| CassetteError::io(dir, e))?.path();
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let cassette = Cassette::load(&path)?;
        entries.push(Entry {
            key: matching::key(&cassette.request, ignored),
            cassette: Arc::new(cassette),
            path,
        });
    }
    Ok(entries)
}
