//! What `doctor` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::doctor::{HostUse, TargetData};

/// JSON `data` of doctor.
#[derive(Debug, Serialize)]
pub struct DoctorData {
    /// What was read, in order.
    pub sources: Vec<SourceInfo>,
    /// Each service (or the environment) checked.
    pub targets: Vec<TargetData>,
    /// The host names clients use, which the certificate must cover.
    pub hosts: Vec<HostUse>,
    /// Compose services with no variable doctor checks.
    pub skipped: Vec<String>,
}

/// One source of variables.
#[derive(Debug, Serialize)]
pub struct SourceInfo {
    /// The file, or `<environment>`.
    pub path: String,
    /// `compose`, `env-file` or `environment`.
    pub kind: &'static str,
    /// `services` (the compose file), `interpolation` (what compose interpolates from) or
    /// `variables` (what the process gets).
    pub used_for: &'static str,
}
