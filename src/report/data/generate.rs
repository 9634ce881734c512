//! What `gen` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::pki::describe::CertSummary;

#[derive(Debug, Serialize)]
pub struct GenData {
    /// `created` (no file was there), `replaced` (--force, or --if-needed with reasons) or
    /// `kept` (--if-needed found the pair still good).
    pub action: &'static str,
    /// Why the pair was replaced or kept (--if-needed).
    pub reasons: Vec<String>,
    pub certificate: Box<CertSummary>,
    /// The key's type (`ecdsa-p256`, …) when generated; its algorithm when reused.
    pub key: String,
    /// The certificate file (written, or kept).
    pub certificate_file: String,
    /// The key file (written, or reused in place).
    pub key_file: String,
    pub files: Vec<WrittenFile>,
    /// `self-signed`, or the CA certificate file that issued it.
    pub issued_by: String,
    /// The file clients must trust to verify this certificate.
    pub trust: String,
    /// `GRANIAN_SSL_CERTIFICATE=…` and `GRANIAN_SSL_KEYFILE=…`, with container paths.
    pub env: Vec<String>,
    /// Commands to try next.
    pub next: Vec<String>,
    /// Human output is only the env lines (`--print-env`).
    #[serde(skip)]
    pub print_env: bool,
}

/// One file written, as reports show it.
#[derive(Debug, Serialize)]
pub struct WrittenFile {
    pub path: String,
    /// `certificate`, `private_key`, `certificate_der`, `private_key_der`, `kubernetes_secret`, `pkcs12`.
    pub kind: &'static str,
    /// Octal permission bits, e.g. `0600`.
    pub mode: String,
}
