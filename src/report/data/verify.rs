//! What `verify` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::pki::describe::CertSummary;
use crate::pki::verify::ChainLink;

#[derive(Debug, Serialize)]
pub struct VerifyData {
    pub files: Vec<VerifiedFile>,
}

/// One file as verified, as JSON `data.files[]`.
#[derive(Debug, Serialize)]
pub struct VerifiedFile {
    pub path: String,
    /// The first certificate of the file: what the server presents as its own.
    pub leaf: Box<CertSummary>,
    /// From the leaf to the trust anchor (or as far as a chain was found).
    pub chain: Vec<ChainLink>,
    /// The `--host` names checked.
    pub names: Vec<String>,
    /// The `--key` file checked against the leaf, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}
