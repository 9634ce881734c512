//! What `verify` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::finding::Verdicts;
use crate::pki::describe::CertSummary;
use crate::pki::verify::ChainLink;

#[derive(Debug, Serialize)]
pub struct VerifyData {
    /// Every file together: a party fails when it fails on any file.
    pub verdicts: Verdicts,
    /// The parties whose failure is an error (`--client`; all by default).
    pub parties: Vec<&'static str>,
    pub files: Vec<VerifiedFile>,
}

/// One file as verified, as JSON `data.files[]`.
#[derive(Debug, Serialize)]
pub struct VerifiedFile {
    pub path: String,
    /// What each party does with this file.
    pub verdicts: Verdicts,
    /// The first certificate of the file: what the server presents as its own (absent
    /// when the file holds none that can be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leaf: Option<Box<CertSummary>>,
    /// From the leaf to the trust anchor (or as far as a chain was found).
    pub chain: Vec<ChainLink>,
    /// The `--host` names checked.
    pub names: Vec<String>,
    /// The `--key` file checked against the leaf, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}
