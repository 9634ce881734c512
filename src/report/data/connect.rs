//! What `connect` reports, as JSON `data` and for the human renderer.

use serde::Serialize;

use crate::pki::describe::CertSummary;
use crate::pki::verify::ChainLink;

/// JSON `data` of connect.
#[derive(Debug, Serialize)]
pub struct ConnectData {
    /// TARGET as given.
    pub target: String,
    pub host: String,
    pub port: u16,
    /// The name sent as SNI (for a DNS name) and verified.
    pub server_name: String,
    /// The address connected to (`ip:port`).
    pub address: String,
    /// `TLSv1.3` or `TLSv1.2`; null when the handshake failed before the server chose.
    pub tls_version: Option<String>,
    /// IANA name, such as `TLS_AES_256_GCM_SHA384`.
    pub cipher_suite: Option<String>,
    /// The key exchange group, such as `X25519` (known once the handshake completes).
    pub key_exchange: Option<String>,
    /// The ALPN protocol the server chose; null when it chose none.
    pub alpn: Option<String>,
    pub alpn_offered: Vec<String>,
    pub handshake_complete: bool,
    /// The trust anchors used: `--ca` files, or the system trust store.
    pub trust: String,
    /// The certificates as the server sent them, each described as inspect does.
    pub chain: Vec<ServedCertificate>,
    /// The handshake completed, the chain reaches a trust anchor and the certificate covers
    /// `server_name`, as a rustls client decides (also computed with `--insecure`).
    pub verified: bool,
    /// rustls' verdict on the chain and on the name; null when no certificate was received.
    pub chain_verified: Option<bool>,
    pub name_verified: Option<bool>,
    /// `--insecure`: the verdict did not stop the handshake; its findings are warnings.
    pub verification_skipped: bool,
    /// The chain as verify builds it, from the server's certificate to the trust anchor.
    pub trust_path: Vec<ChainLink>,
    /// Mutual TLS: whether the server asked for a client certificate, and what became of it.
    pub client_certificate: ClientCertificate,
}

/// Client authentication as it happened.
#[derive(Debug, Serialize)]
pub struct ClientCertificate {
    /// The server sent a CertificateRequest.
    pub requested: bool,
    /// The CA names it listed as acceptable issuers (`CN=…, O=…`); empty when it listed none.
    pub acceptable_cas: Vec<String>,
    /// `--cert` as given; null without it.
    pub presented: Option<String>,
    /// The subject of the `--cert` certificate; null without it.
    pub presented_subject: Option<String>,
    /// A certificate was sent (the server asked and `--cert` was given).
    pub sent: bool,
    /// The server accepted the connection with what was sent (or without one): true, false
    /// (it ended the connection with an alert), or null when it did not ask or it could not
    /// be told (the handshake failed for another reason, or the server closed silently).
    pub accepted: Option<bool>,
    /// The alert the server refused with, such as `certificate_required`, `unknown_ca`.
    pub alert: Option<String>,
}

/// JSON `data` of connect with more than one target.
#[derive(Debug, Serialize)]
pub struct ConnectManyData {
    /// In the order given; each is connect's one-target `data`, or, for a target not
    /// reached, `{"target", "reached": false, "error": {"code", "message"}}`.
    pub targets: Vec<TargetResult>,
    pub summary: Summary,
}

/// One target's result.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum TargetResult {
    Reached {
        #[serde(flatten)]
        data: Box<ConnectData>,
        /// Which of the report's findings are this target's (for renderers).
        #[serde(skip)]
        findings: std::ops::Range<usize>,
    },
    Unreached {
        target: String,
        reached: bool,
        error: Unreached,
    },
}

/// Why a target could not be reached.
#[derive(Debug, Serialize)]
pub struct Unreached {
    pub code: Option<String>,
    pub message: String,
}

/// How many targets ended how.
#[derive(Debug, Serialize, Default)]
pub struct Summary {
    pub targets: usize,
    /// Reached, with no error finding.
    pub ok: usize,
    /// Reached, with an error finding.
    pub failed: usize,
    /// Not reached (in `errors`).
    pub unreachable: usize,
}

/// One certificate as served, with its position (0 is the server's own).
#[derive(Debug, Serialize)]
pub struct ServedCertificate {
    pub position: usize,
    #[serde(flatten)]
    pub certificate: Box<CertSummary>,
}

/// At most ten of the CA names a server lists, for people (JSON keeps them all): a server
/// may list thousands.
pub fn first_names(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("; ");
    if names.len() > SHOWN {
        text.push_str(&format!("; and {} more", names.len() - SHOWN));
    }
    text
}
