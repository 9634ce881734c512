//! The one error type commands return: a sentence saying what failed and why, the
//! subject it is about, and a hint saying what to do. Printed as
//! `certsmith: error: <message>` then `hint: <hint>`; carried in JSON under `errors`.

use serde::Serialize;

use crate::report::Subject;

/// A failure the person at the terminal can act on (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub subject: Subject,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self { subject: Subject::default(), message: message.into(), hint: None }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn about(mut self, subject: Subject) -> Self {
        self.subject = subject;
        self
    }
}
