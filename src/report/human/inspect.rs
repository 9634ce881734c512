//! Human layout of `inspect`: one heading per file, one section per object.

use std::io::{self, Write};

use time::OffsetDateTime;

use super::{BOLD, DIM, field};
use crate::clock;
use crate::pki::describe::CertSummary;
use crate::pki::key::KeyAlgorithm;
use crate::report::data::inspect::{InspectData, Item};

pub(super) fn render(out: &mut dyn Write, data: &InspectData, now: OffsetDateTime) -> io::Result<()> {
    let mut current_file: Option<String> = None;
    for object in &data.objects {
        // A Secret manifest's entries are headed like files of their own: `secret.yaml tls.crt`.
        let path = object.source.path.as_deref().unwrap_or("");
        let file = object.source.entry.as_ref().map_or_else(|| path.to_owned(), |entry| format!("{path} {entry}"));
        if current_file.as_ref() != Some(&file) {
            if current_file.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{BOLD}{file}{BOLD:#}")?;
            current_file = Some(file);
        }
        let position = object.source.index.map(|i| format!("#{i} ")).unwrap_or_default();
        match &object.item {
            Item::Certificate(cert) => {
                let name = cert.common_name.as_deref().unwrap_or(&cert.subject);
                writeln!(out, "  {position}{BOLD}certificate{BOLD:#} {name}")?;
                certificate(out, cert, now)?;
            }
            Item::PrivateKey(key) => {
                let heading = if key.encrypted { "encrypted".to_owned() } else { key.algorithm.to_string() };
                writeln!(out, "  {position}{BOLD}private key{BOLD:#} {heading}")?;
                if key.encrypted {
                    let algorithm = match &key.algorithm {
                        KeyAlgorithm::Unknown { .. } => "hidden until decrypted".to_owned(),
                        known => format!("{known} (size hidden until decrypted)"),
                    };
                    field(out, "algorithm", algorithm)?;
                }
                field(out, "encoding", key.encoding.as_str())?;
                if let Some(protection) = &key.protection {
                    field(out, "protection", protection)?;
                }
                match &key.spki_sha256 {
                    Some(spki) => field(out, "spki sha256", spki)?,
                    None if !key.encrypted => {
                        field(out, "spki sha256", "unknown: certsmith does not derive public keys of this type")?;
                    }
                    None => {}
                }
            }
            Item::Csr(csr) => {
                writeln!(out, "  {position}{BOLD}certificate request{BOLD:#} {}", csr.subject)?;
                field(out, "subject", &csr.subject)?;
                field(out, "names", list_or(&csr.san.describe(), "none requested"))?;
                field(out, "public key", &csr.public_key)?;
                field(out, "signature", &csr.signature_algorithm)?;
                field(out, "self-signature", if csr.signature_valid { "valid" } else { "INVALID" })?;
                field(out, "spki sha256", &csr.spki_sha256)?;
            }
            Item::PublicKey(key) => {
                writeln!(out, "  {position}{BOLD}public key{BOLD:#} {}", key.algorithm)?;
                field(out, "spki sha256", &key.spki_sha256)?;
            }
            Item::Other { label } => {
                writeln!(
                    out,
                    "  {position}{BOLD}{label}{BOLD:#} {DIM}(certsmith does not describe this kind of block){DIM:#}"
                )?;
            }
        }
    }
    Ok(())
}

/// A certificate's fields, as inspect lists them (connect shows served certificates so).
pub(super) fn certificate(out: &mut dyn Write, cert: &CertSummary, now: OffsetDateTime) -> io::Result<()> {
    let crit = |name: &str| if cert.critical(name) == Some(true) { " (critical)" } else { "" };
    field(out, "version", cert.version)?;
    field(out, "subject", &cert.subject)?;
    let issuer_note = if cert.self_signed { " (self-signed)" } else { "" };
    field(out, "issuer", format_args!("{}{issuer_note}", cert.issuer))?;
    field(out, "serial", &cert.serial)?;
    field(
        out,
        "not before",
        format_args!("{} ({})", clock::human(cert.not_before), clock::relative(now, cert.not_before)),
    )?;
    let expiry = if now > cert.not_after {
        format!("expired {}", clock::relative(now, cert.not_after))
    } else {
        format!("expires {}", clock::relative(now, cert.not_after))
    };
    field(out, "not after", format_args!("{} ({expiry})", clock::human(cert.not_after)))?;
    field(out, "names", list_or(&cert.san.describe(), "none (no subjectAltName)"))?;
    field(out, "public key", &cert.public_key)?;
    field(out, "signature", &cert.signature_algorithm)?;
    let ca = match (cert.is_ca, cert.path_len) {
        (true, Some(n)) => format!("CA:TRUE, pathlen:{n}"),
        (true, None) => "CA:TRUE".to_owned(),
        (false, _) if cert.critical("basicConstraints").is_some() => "CA:FALSE".to_owned(),
        (false, _) => "none (not a CA)".to_owned(),
    };
    field(out, "basic constr.", format_args!("{ca}{}", crit("basicConstraints")))?;
    field(out, "key usage", format_args!("{}{}", list_or(&cert.key_usage, "none"), crit("keyUsage")))?;
    field(
        out,
        "ext key usage",
        format_args!("{}{}", list_or(&cert.extended_key_usage, "none"), crit("extendedKeyUsage")),
    )?;
    const SHOWN: [&str; 4] = ["subjectAltName", "basicConstraints", "keyUsage", "extendedKeyUsage"];
    let others: Vec<String> = cert
        .extensions
        .iter()
        .filter(|e| !SHOWN.contains(&e.name.as_str()))
        .map(|e| if e.critical { format!("{} (critical)", e.name) } else { e.name.clone() })
        .collect();
    if !others.is_empty() {
        field(out, "extensions", others.join(", "))?;
    }
    field(out, "sha256", &cert.fingerprint_sha256)?;
    field(out, "spki sha256", &cert.spki_sha256)
}

fn list_or<T: AsRef<str>>(items: &[T], empty: &str) -> String {
    if items.is_empty() { empty.to_owned() } else { items.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(", ") }
}
