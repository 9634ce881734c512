//! The one error type commands return: a sentence saying what failed and why, the
//! subject it is about, and a hint saying what to do. Printed as
//! `certsmith: error: <message>` then `hint: <hint>`; carried in JSON under `errors`.
//! A failure scripts tell apart (connect's refused, unresolved, timed out) carries a code.

use serde::Serialize;

use super::{Code, Subject};

/// A failure the person at the terminal can act on (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    /// Set where scripts need to tell failures apart; documented with the finding codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<Code>,
    /// Boxed: a failure travels in every `Result` and should stay small.
    pub subject: Box<Subject>,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self { code: None, subject: Box::default(), message: message.into(), hint: None }
    }

    pub fn code(mut self, code: Code) -> Self {
        self.code = Some(code);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn about(mut self, subject: Subject) -> Self {
        self.subject = Box::new(subject);
        self
    }
}
