//! The report model every command returns: its data, the findings about what it
//! examined, and the failures that kept it from examining something. Exit status and the
//! JSON `status` are derived from these, never stored. Renderers live in `human` and `json`.

pub mod codes;
pub mod data;
mod failure;
pub mod human;
pub mod json;
pub mod remedy;

use serde::Serialize;

pub use codes::Code;
pub use failure::Failure;
pub use remedy::{FIX, Remedy};

use crate::pki::keymatch::KeyMatch as MatchKeyData;
use crate::report::data::ca::{CaData, CaPathData};
use crate::report::data::connect::ConnectData;
use crate::report::data::doctor::DoctorData;
use crate::report::data::generate::GenData;
use crate::report::data::inspect::InspectData;
use crate::report::data::trust::{BundleData, ComposeData, TrustData};
use crate::report::data::verify::VerifyData;

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
}

impl Finding {
    pub fn new(code: Code, severity: Severity, subject: Subject, message: impl Into<String>) -> Self {
        Self { code, severity, subject, message: message.into(), hint: None, fix: None, remedy: None }
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

/// Per-command data, serialised as the JSON `data` member.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Data {
    Gen(GenData),
    Ca(CaData),
    Inspect(InspectData),
    MatchKey(Box<MatchKeyData>),
    /// The command could not run far enough to have data (JSON `null`); see `errors`.
    None,
    Verify(VerifyData),
    Connect(Box<ConnectData>),
    Doctor(DoctorData),
    CaPath(CaPathData),
    Trust(TrustData),
    TrustBundle(BundleData),
    TrustCompose(ComposeData),
}

/// The overall verdict, as JSON `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warning,
    Error,
}

#[derive(Debug)]
pub struct Report {
    pub command: &'static str,
    pub data: Data,
    pub findings: Vec<Finding>,
    /// Inputs the command could not examine (exit status 2).
    pub errors: Vec<Failure>,
    /// `--strict`: warnings are problems too, for the exit status and the JSON `status`.
    pub strict: bool,
}

impl Report {
    /// The report of a command that could not do its job at all (exit status 2).
    pub fn failed(command: &'static str, failure: Failure) -> Self {
        Self { command, data: Data::None, findings: Vec::new(), errors: vec![failure], strict: false }
    }

    pub fn status(&self) -> Status {
        match self.worst() {
            _ if !self.errors.is_empty() => Status::Error,
            Some(Severity::Error) => Status::Error,
            // With --strict a warning fails the run (exit 1): the status says so too.
            Some(Severity::Warning) if self.strict => Status::Error,
            Some(Severity::Warning) => Status::Warning,
            _ => Status::Ok,
        }
    }

    /// 0 nothing at error severity; 1 the thing examined has a problem; 2 the tool could not
    /// do its job. `--strict` counts warnings as problems.
    pub fn exit_code(&self) -> u8 {
        let threshold = if self.strict { Severity::Warning } else { Severity::Error };
        if !self.errors.is_empty() {
            2
        } else if self.worst().is_some_and(|s| s >= threshold) {
            1
        } else {
            0
        }
    }

    fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(severities: &[Severity], errors: usize) -> Report {
        Report {
            command: "inspect",
            data: Data::Inspect(InspectData { objects: vec![] }),
            findings: severities.iter().map(|s| Finding::new(Code::Expired, *s, Subject::default(), "m")).collect(),
            errors: (0..errors).map(|_| Failure::new("x")).collect(),
            strict: false,
        }
    }

    #[test]
    fn status_and_exit_code_follow_the_worst_finding() {
        assert_eq!((report(&[], 0).status(), report(&[], 0).exit_code()), (Status::Ok, 0));
        let mut warn = report(&[Severity::Info, Severity::Warning], 0);
        assert_eq!((warn.status(), warn.exit_code()), (Status::Warning, 0));
        warn.strict = true;
        assert_eq!((warn.status(), warn.exit_code()), (Status::Error, 1), "--strict: status and exit agree");
        let err = report(&[Severity::Error], 0);
        assert_eq!((err.status(), err.exit_code()), (Status::Error, 1));
        let failed = report(&[Severity::Warning], 1);
        assert_eq!((failed.status(), failed.exit_code()), (Status::Error, 2));
    }
}
