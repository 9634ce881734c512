//! What `ca create` and `ca path` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::pki::describe::CertSummary;
use crate::report::data::generate::WrittenFile;

#[derive(Debug, Serialize)]
pub struct CaData {
    /// `created`, `replaced` (--force) or `kept` (--if-needed found a usable CA).
    pub action: &'static str,
    pub certificate: Box<CertSummary>,
    pub files: Vec<WrittenFile>,
    /// Commands to try next.
    pub next: Vec<String>,
}

/// `ca path`: the CA home, and whether it holds a CA yet.
#[derive(Debug, Serialize)]
pub struct CaPathData {
    pub path: String,
    pub exists: bool,
    pub ca_pem_exists: bool,
}
