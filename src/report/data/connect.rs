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
}

/// One certificate as served, with its position (0 is the server's own).
#[derive(Debug, Serialize)]
pub struct ServedCertificate {
    pub position: usize,
    #[serde(flatten)]
    pub certificate: Box<CertSummary>,
}
