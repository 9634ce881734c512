//! The CA a trust run is about: its certificate file, DER, subject and fingerprint, and
//! the name certsmith gives its entry in every store (`certsmith-<first 16 hex of the
//! SHA-256 fingerprint>`), so uninstall finds certsmith's own entry and nothing else.

use std::path::{Path, PathBuf};

use crate::finding::Failure;
use crate::finding::Subject;
use crate::pki::describe;
use crate::pki::load::{self, Input};

/// A CA certificate to add to trust stores.
#[derive(Debug, Clone)]
pub struct Anchor {
    /// The PEM file holding it (what store tools are given).
    pub file: PathBuf,
    pub der: Vec<u8>,
    pub subject: String,
    pub fingerprint_sha256: String,
    /// The serial as hex, as Windows' certutil names a certificate.
    pub serial: String,
}

impl Anchor {
    /// The entry name in every store: unique per CA, recognisably certsmith's.
    pub fn entry_name(&self) -> String {
        format!("certsmith-{}", self.fingerprint_sha256.get(..16).unwrap_or(&self.fingerprint_sha256))
    }
}

/// Loads the CA from a folder holding `ca.pem` (as `ca create` makes) or a PEM file; the
/// first certificate must be a CA.
pub fn load(dir_or_file: &Path) -> Result<Anchor, Failure> {
    let file = if dir_or_file.is_dir() { dir_or_file.join("ca.pem") } else { dir_or_file.to_path_buf() };
    let name = file.display().to_string();
    if !file.exists() {
        return Err(Failure::new(format!("no CA certificate at {name}"))
            .hint("create the CA first (`certsmith ca create`), or name its folder or ca.pem with --ca")
            .about(Subject::file(&name, None)));
    }
    let loaded = load::load(&Input::File(file.clone()))?;
    let Some((index, der)) = loaded.certificates().next() else {
        return Err(Failure::new(format!("{name} holds no certificate; expected the CA certificate (ca.pem)"))
            .hint("give the CA's certificate, not its key")
            .about(Subject::file(&name, None)));
    };
    let summary = describe::certificate(der.as_ref()).map_err(|e| {
        Failure::new(format!("{name} cannot be read as a certificate: {e}")).about(Subject::file(&name, index))
    })?;
    if !summary.is_ca {
        return Err(Failure::new(format!(
            "{name} is not a CA certificate (expected CA:TRUE, found {}); a trust store entry must be the CA that issues the server's certificate",
            summary.subject
        ))
        .hint("give the CA's ca.pem (`certsmith ca path` says where it is), not a server certificate")
        .about(Subject::file(&name, index)));
    }
    Ok(Anchor {
        file,
        der: der.as_ref().to_vec(),
        subject: summary.subject.clone(),
        fingerprint_sha256: summary.fingerprint_sha256.clone(),
        serial: summary.serial.clone(),
    })
}
