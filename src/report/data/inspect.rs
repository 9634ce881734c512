//! What `inspect` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::finding::Subject;
use crate::pki::describe::{CertSummary, CsrSummary};
use crate::pki::key::{KeyAlgorithm, KeySummary};

#[derive(Debug, Serialize)]
pub struct InspectData {
    pub objects: Vec<InspectObject>,
}

/// One object of one file, with where it came from.
#[derive(Debug, Serialize)]
pub struct InspectObject {
    #[serde(flatten)]
    pub item: Item,
    pub source: Subject,
}

/// JSON `kind` and the object's facts.
#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    Certificate(Box<CertSummary>),
    PrivateKey(KeySummary),
    Csr(CsrSummary),
    PublicKey(PublicKeySummary),
    /// A PEM block certsmith does not describe (a CRL, PKCS#7, an OpenSSH key, …).
    Other {
        label: String,
    },
}

#[derive(Debug, Serialize)]
pub struct PublicKeySummary {
    #[serde(flatten)]
    pub algorithm: KeyAlgorithm,
    pub spki_sha256: String,
}
