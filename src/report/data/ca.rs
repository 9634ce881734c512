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

/// `ca crl`: the CRL written, and what it revokes.
#[derive(Debug, Serialize)]
pub struct CrlData {
    /// The CRL file (PEM).
    pub path: String,
    /// The record of revoked serials next to the CA (`revoked.json`).
    pub record: String,
    /// The CA certificate that signed it.
    pub ca: String,
    pub crl_number: u64,
    #[serde(serialize_with = "crate::clock::serialize_rfc3339")]
    pub this_update: time::OffsetDateTime,
    #[serde(serialize_with = "crate::clock::serialize_rfc3339")]
    pub next_update: time::OffsetDateTime,
    /// Every serial the CRL lists (lower-case hex), oldest revocation first.
    pub revoked: Vec<String>,
    /// The serials this run added (the others were revoked before).
    pub added: Vec<String>,
}
