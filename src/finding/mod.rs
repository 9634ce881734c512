//! What a check found, the bottom of the layers: a [`Finding`] (code, severity, subject,
//! message, hint, remedy), the stable [`Code`]s, what to do about it ([`Remedy`]), and a
//! [`Failure`] (what kept a command from its job). Every other module may use these; this
//! module uses none of them.

pub mod codes;
mod failure;
pub mod parties;
pub mod place;
pub mod remedy;

use serde::Serialize;

pub use codes::Code;
pub use failure::Failure;
pub use parties::{Parties, Party, Verdict, Verdicts};
pub use remedy::{FIX, Remedy};

/// How much a finding matters. `Error` makes the exit status 1; `Warning` only with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Error => "error",
        }
    }
}

/// What a finding or failure is about: a file and the PEM block in it, or a place in a
/// configuration file (line and column), and for `doctor` the service and variable.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Subject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The part of a file that holds several: a Kubernetes Secret manifest's key (`tls.crt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    /// 0-based PEM block index (absent for DER files and whole-file statements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<usize>,
    /// 1-based line in a configuration file (compose file, `.env`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column, in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The compose service (doctor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The environment variable (doctor).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variable: Option<String>,
}

impl Subject {
    pub fn file(path: &str, index: Option<usize>) -> Self {
        Self { path: Some(path.to_owned()), index, ..Self::default() }
    }
}

/// `file #index`, `file:line:column`, then the variable: `.env:3:1 GRANIAN_SSL_CA_CERTS`.
impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut place = self.path.clone().unwrap_or_default();
        if let Some(entry) = &self.entry {
            place = format!("{place} {entry}");
        }
        match (self.index, self.line, self.column) {
            (Some(index), _, _) => place = format!("{place} #{index}").trim_start().to_owned(),
            (None, Some(line), Some(column)) => place = format!("{place}:{line}:{column}"),
            (None, Some(line), None) => place = format!("{place}:{line}"),
            _ => {}
        }
        match &self.variable {
            Some(variable) if place.is_empty() => f.write_str(variable),
            Some(variable) => write!(f, "{place} {variable}"),
            None => f.write_str(&place),
        }
    }
}

/// One check's result about one subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub code: Code,
    pub severity: Severity,
    pub subject: Subject,
    /// What is wrong and who rejects it; one sentence.
    pub message: String,
    /// What to run or change.
    pub hint: Option<String>,
    /// The command that fixes it, as the hint shows it, when there is one that can be
    /// pasted as it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// What must change, as data; `commands::fix` turns it into `fix`.
    #[serde(skip)]
    pub remedy: Option<Remedy>,
    /// Who fails because of it (verify's verdicts): Granian starting, and which clients.
    #[serde(skip_serializing_if = "Parties::is_empty")]
    pub affects: Parties,
}

impl Finding {
    pub fn new(code: Code, severity: Severity, subject: Subject, message: impl Into<String>) -> Self {
        Self {
            code,
            severity,
            subject,
            message: message.into(),
            hint: None,
            fix: None,
            remedy: None,
            affects: Parties::of(code),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A remedy; the hint says where its command goes with [`FIX`].
    pub fn remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }
}
