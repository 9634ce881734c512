//! What `trust install | uninstall | status | bundle | compose` report, as JSON `data` and
//! for the human renderer.

use serde::Serialize;

use crate::trust::bundle::Written;
use crate::trust::native::Platform;
use crate::trust::stores::{Kind, State};

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
    pub services: Vec<crate::trust::compose::Client>,
    /// `NAME=value` lines every chosen service gets.
    pub variables: Vec<String>,
    /// Settings that turn verification off, which can be deleted now.
    pub delete: Vec<crate::trust::compose::Insecure>,
    /// Commands to run next.
    pub next: Vec<String>,
}
