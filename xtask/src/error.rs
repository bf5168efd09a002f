//! The generator's one error type for bad spec input.

use std::fmt;

/// A spec problem the generator refuses to guess about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl std::error::Error for SpecError {}

pub fn err(pointer: &str, message: impl Into<String>) -> SpecError {
    SpecError {
        pointer: pointer.to_owned(),
        message: message.into(),
    }
}
