//! What `doctor` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::finding::place::Origin;

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
    /// Compose services `--service` left out (empty without `--service`).
    pub not_selected: Vec<String>,
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

/// One line of a target's checklist; JSON `checked` lists those that applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    Variables,
    Pair,
    Files,
    Certificate,
    Key,
    Crl,
    Clients,
}

/// A file a variable names, and where certsmith found it.
#[derive(Debug, Clone, Serialize)]
pub struct FileInfo {
    pub variable: String,
    /// The path as the process sees it.
    pub path: String,
    /// The same file on this machine (absent when it could not be located).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_path: Option<String>,
}

/// A host name clients use, and who uses it.
#[derive(Debug, Clone, Serialize)]
pub struct HostUse {
    pub name: String,
    /// `service: VARIABLE=url`, or `--host`.
    pub used_by: Vec<String>,
}

/// One target as checked, as JSON `data.targets[]`.
#[derive(Debug, Clone, Serialize)]
pub struct TargetData {
    pub name: String,
    /// `service` or `environment`.
    pub kind: &'static str,
    pub origin: Origin,
    /// Granian is configured to serve HTTPS here: certificate and key are both set.
    pub serves_tls: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_user: Option<User>,
    /// The variables doctor reads; passwords are never shown.
    pub variables: Vec<Setting>,
    pub files: Vec<FileInfo>,
    pub checked: Vec<Check>,
}

/// A variable as doctor shows it (a secret's value replaced), and where it is set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting {
    pub name: String,
    pub value: String,
    pub origin: Origin,
}

/// The numeric user (and group) a container runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct User {
    pub uid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
}
