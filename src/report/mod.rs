//! The report model every command returns: its data (`data`, one plain serde struct per
//! command), the findings about what it examined, and the failures that kept it from
//! examining something. Exit status and the
//! JSON `status` are derived from these, never stored. Renderers live in `human` and `json`.

pub mod data;
pub mod human;
pub mod json;
pub mod monitor;

use serde::Serialize;

use data::ca::{CaData, CaPathData, CrlData};
use data::connect::{ConnectData, ConnectManyData};
use data::doctor::DoctorData;
use data::generate::GenData;
use data::inspect::InspectData;
use data::trust::{BundleData, ComposeData, TrustData};
use data::verify::VerifyData;

use crate::finding::{Failure, Finding, Severity};
use crate::pki::keymatch::KeyMatch as MatchKeyData;

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
    /// connect with more than one target.
    ConnectMany(Box<ConnectManyData>),
    Doctor(DoctorData),
    CaPath(CaPathData),
    Crl(CrlData),
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
    use crate::finding::{Code, Subject};

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
