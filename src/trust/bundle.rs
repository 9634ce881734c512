//! The trust bundle: one PEM file holding the system's roots (what rustls-native-certs
//! finds, `SSL_CERT_FILE`/`SSL_CERT_DIR` respected) and then the local CA, once. It is
//! what `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE` and `CURL_CA_BUNDLE` must point at: those
//! variables replace a client's roots, so a file holding the CA alone would make every
//! public site fail.
//!
//! Deterministic: the same roots and CA give the same bytes, so a second run changes
//! nothing. A file is replaced only when it is a bundle certsmith made (its first line
//! says so) or with `force`.

use std::path::Path;

use super::anchor::Anchor;
use crate::finding::Failure;
use crate::finding::Subject;
use crate::output::{self, Planned, Replace};
use crate::pki::pem;
pub use crate::report::data::trust::Written;

/// The first line of every bundle certsmith writes; how it knows its own.
pub const MARK: &str = "# certsmith trust bundle:";

/// A bundle, ready to write.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub pem: String,
    /// Distinct system roots in it (the CA not counted unless the system already had it).
    pub system_roots: usize,
    /// The system already trusted the CA (it is not added twice).
    pub ca_in_system: bool,
    /// Where the roots came from: `SSL_CERT_FILE=…`, `SSL_CERT_DIR=…` or the platform.
    pub source: String,
    /// Files or certificates rustls-native-certs could not read (reported, not fatal).
    pub skipped: Vec<String>,
}

/// The system's roots plus `anchor`; fails when no root is found (a CA-only bundle is
/// exactly the mistake this command exists to avoid).
pub fn build(anchor: &Anchor) -> Result<Bundle, Failure> {
    let found = rustls_native_certs::load_native_certs();
    let set: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .iter()
        .filter_map(|v| std::env::var_os(v).map(|p| format!("{v}={}", p.to_string_lossy())))
        .collect();
    let source = if set.is_empty() { "the system's roots".to_owned() } else { set.join(" and ") };
    let mut seen: Vec<&[u8]> = Vec::with_capacity(found.certs.len());
    for cert in &found.certs {
        if !seen.contains(&cert.as_ref()) {
            seen.push(cert.as_ref());
        }
    }
    if seen.is_empty() {
        let why = found.errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ");
        return Err(Failure::new(format!(
            "found no root certificates in {source}{}; a bundle holding only the local CA would make every public HTTPS call fail",
            if why.is_empty() { String::new() } else { format!(" ({why})") }
        ))
        .hint("install the system's roots (Debian: apt-get install ca-certificates), or set SSL_CERT_FILE to a PEM bundle of them"));
    }
    let ca_in_system = seen.contains(&anchor.der.as_slice());
    let mut out = String::with_capacity(seen.len() * 2048);
    out.push_str(&format!(
        "{MARK} {} system roots, then the local CA {} (sha256 {}).\n",
        seen.len(),
        anchor.subject,
        anchor.fingerprint_sha256
    ));
    out.push_str("# For SSL_CERT_FILE, REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE, which replace a client's roots.\n");
    out.push_str("# Made again, byte for byte, by `certsmith trust bundle --out FILE`.\n");
    for der in &seen {
        out.push_str(&pem::encode("CERTIFICATE", der));
    }
    if !ca_in_system {
        out.push_str(&pem::encode("CERTIFICATE", &anchor.der));
    }
    Ok(Bundle {
        pem: out,
        system_roots: seen.len(),
        ca_in_system,
        source,
        skipped: found.errors.iter().map(ToString::to_string).collect(),
    })
}

/// Writes `bundle` to `path` (mode 0644, atomically). An identical file is left alone;
/// a different one is replaced only when certsmith made it, or with `force`.
pub fn write(path: &Path, bundle: &Bundle, force: bool) -> Result<Written, Failure> {
    let name = path.display().to_string();
    let action = match std::fs::read(path) {
        Ok(existing) if existing == bundle.pem.as_bytes() => return Ok(Written::Unchanged),
        Ok(existing) if force || existing.starts_with(MARK.as_bytes()) => Written::Replaced,
        Ok(_) => {
            return Err(Failure::new(format!(
                "{name} already exists and is not a bundle certsmith made (its first line is not `{MARK} …`); nothing was written"
            ))
            .hint("choose another file for the bundle, or remove this one (trust bundle: --force replaces it)")
            .about(Subject::file(&name, None)));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Written::Created,
        Err(e) if path.is_dir() => {
            return Err(Failure::new(format!("{name} is a folder ({e}); expected a file path for the bundle"))
                .hint("give a file name, e.g. --out certs/ca-bundle.pem")
                .about(Subject::file(&name, None)));
        }
        Err(e) => {
            return Err(Failure::new(format!("cannot read {name} to compare it with the new bundle: {e}"))
                .hint("check the file's permissions, or choose another file for the bundle")
                .about(Subject::file(&name, None)));
        }
    };
    // Created: fail rather than replace a file that appeared since it was checked.
    let replace = if action == Written::Created { Replace::Never } else { Replace::Existing };
    let file = Planned { path: path.to_path_buf(), contents: bundle.pem.as_bytes().to_vec(), mode: 0o644 };
    output::write_files(&[file], replace)?;
    Ok(action)
}

/// The PEM file at `path` holds a certificate with this DER (an unreadable file holds none).
pub fn file_holds(path: &Path, der: &[u8]) -> bool {
    let Ok(bytes) = std::fs::read(path) else { return false };
    let Ok(blocks) = pem::blocks(&bytes) else { return false };
    blocks.iter().filter(|b| b.label == "CERTIFICATE").any(|b| b.decode().is_ok_and(|d| d == der))
}
