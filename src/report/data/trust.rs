//! What `trust install | uninstall | status | bundle | compose` report, as JSON `data` and
//! for the human renderer.

use serde::Serialize;

use crate::finding::place::Origin;

/// The CA a run is about, as JSON shows it.
#[derive(Debug, Serialize)]
pub struct CaRef {
    pub path: String,
    pub subject: String,
    pub fingerprint_sha256: String,
    /// The entry name in every store.
    pub entry_name: String,
}

/// One store and what became of it.
#[derive(Debug, Serialize)]
pub struct StoreData {
    pub kind: Kind,
    pub label: String,
    pub path: String,
    pub state: State,
    /// The commands that ran (or, with --dry-run or without root, would run), as shell lines.
    pub commands: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TrustData {
    /// `install`, `uninstall` or `status`.
    pub action: &'static str,
    pub platform: Platform,
    pub dry_run: bool,
    pub ca: CaRef,
    pub stores: Vec<StoreData>,
}

#[derive(Debug, Serialize)]
pub struct BundleData {
    pub ca: CaRef,
    /// The file written, absent when the bundle went to stdout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<Written>,
    pub source: String,
    pub system_roots: usize,
    /// The system already trusted the CA, so it is not added a second time.
    pub ca_in_system: bool,
    /// What rustls-native-certs could not read.
    pub skipped: Vec<String>,
    /// The bundle itself, when it goes to stdout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
}

/// What `trust compose` wrote, as JSON `data`.
#[derive(Debug, Serialize)]
pub struct ComposeData {
    pub ca: CaRef,
    pub compose: String,
    /// The override file, and whether it was `created`, `replaced` or `unchanged`.
    pub override_file: String,
    pub written: Written,
    /// The bundle (beside the CA's ca.pem), and what writing it did.
    pub bundle_file: String,
    pub bundle_written: Written,
    pub system_roots: usize,
    /// The services the override changes, each with why it was chosen.
    pub services: Vec<Client>,
    /// `NAME=value` lines every chosen service gets.
    pub variables: Vec<String>,
    /// Settings that turn verification off, which can be deleted now.
    pub delete: Vec<Insecure>,
    /// Commands to run next.
    pub next: Vec<String>,
}

/// What writing the bundle did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Written {
    Created,
    Unchanged,
    /// A bundle certsmith made before (or any file, with force), brought up to date.
    Replaced,
}

/// A service the override changes, and why it was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct Client {
    pub service: String,
    pub why: String,
}

/// A setting that turns verification off, which the user can delete once the override is
/// in place.
#[derive(Debug, Clone, Serialize)]
pub struct Insecure {
    pub service: String,
    pub origin: Origin,
    /// The setting as written: `SSL_VERIFICATION=False`, or the healthcheck's flag.
    pub setting: String,
}

/// The platforms certsmith can print commands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Linux,
    Macos,
    Windows,
    Wsl,
}

/// The kinds `--store` chooses among.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    System,
    Nss,
    Java,
}

/// What became of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Installed,
    AlreadyInstalled,
    Removed,
    NotPresent,
    /// --dry-run: the commands were printed, not run.
    WouldRun,
    /// Root is needed and neither root nor --sudo: the commands were printed, not run.
    NeedsRoot,
    ToolMissing,
    Failed,
    Trusted,
    NotTrusted,
}
