//! What can go wrong with cassettes.

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A cassette could not be used: no recording matches the request, or a
/// cassette file cannot be read or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// No recording matches the request (in [`Mode::Replay`](super::Mode::Replay)).
    #[error(transparent)]
    Miss(Box<Miss>),
    /// A cassette file is not a valid cassette.
    #[error("cassette `{}`: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the field where known.
        message: String,
    },
    /// A cassette file or directory could not be read or written.
    #[error("cassette `{}`: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl CassetteError {
    pub(crate) fn invalid(path: &Path, message: impl Into<String>) -> Self {
        CassetteError::Invalid {
            path: path.to_owned(),
            message: message.into(),
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        CassetteError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// A request no recording matches, with the nearest recording and how it differs.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Miss {
    /// The cassette directory.
    pub dir: PathBuf,
    /// Method and path of the request, e.g. `POST /chat/completions`.
    pub request: String,
    /// The recording closest to the request, if there is any recording.
    pub nearest: Option<PathBuf>,
    /// How the nearest recording differs from the request.
    pub differences: Vec<Difference>,
}

/// Most differences listed in a [`Miss`] message; the rest are counted.
const SHOWN_DIFFERENCES: usize = 10;

impl fmt::Display for Miss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "no cassette in `{}` matches {}",
            self.dir.display(),
            self.request
        )?;
        let Some(nearest) = &self.nearest else {
            return f.write_str(" (there are no recordings)");
        };
        let name = nearest.file_name().map_or_else(
            || nearest.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        write!(
            f,
            "; the nearest recording, `{name}`, differs (recorded ≠ sent) at:"
        )?;
        for difference in self.differences.iter().take(SHOWN_DIFFERENCES) {
            write!(f, "\n  {difference}")?;
        }
        if self.differences.len() > SHOWN_DIFFERENCES {
            write!(
                f,
                "\n  … and {} more",
                self.differences.len() - SHOWN_DIFFERENCES
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for Miss {}

/// One place where two requests differ, e.g. `messages[2].content: "x" ≠ "y"`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Difference {
    /// Where: a JSON path into the body (`messages[2].content`), or
    /// `<request line>` for method, path and query.
    pub path: String,
    /// The recorded value; `None` where the recording has no such field.
    pub recorded: Option<Value>,
    /// The value sent; `None` where the request has no such field.
    pub sent: Option<Value>,
}

/// Longest value shown in a [`Difference`], in characters.
const SHOWN_VALUE: usize = 80;

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |value: &Option<Value>| match value {
            None => "(absent)".to_owned(),
            Some(value) => {
                let text = value.to_string();
                if text.chars().count() > SHOWN_VALUE {
                    let cut: String = text.chars().take(SHOWN_VALUE).collect();
                    format!("{cut}…")
                } else {
                    text
                }
            }
        };
        write!(
            f,
            "{}: {} ≠ {}",
            self.path,
            show(&self.recorded),
            show(&self.sent)
        )
    }
}
