//! Human layout of `match-key`: the verdict first, then each side's public key hashes
//! (and, for RSA, the digest the guide's openssl recipe prints), then whether Granian
//! loads the key. Findings follow, from the shared renderer.

use std::io::{self, Write};

use super::{BOLD, DIM, GREEN, RED, field};
use crate::finding::{Code, Subject};
use crate::pki::keymatch::KeyMatch as MatchKeyData;

pub(super) fn render(out: &mut dyn Write, data: &MatchKeyData) -> io::Result<()> {
    let cert = &data.certificate;
    let key = &data.key;
    let (cert_path, key_path) = (path(&cert.source), path(&key.source));
    let refused = data.issues.iter().any(|issue| issue.code == Code::CompressedPublicKey);
    if data.matches && refused {
        writeln!(
            out,
            "{RED}REFUSED{RED:#}: the private key in {key_path} belongs to the certificate in {cert_path}, but rustls refuses the pair (below)"
        )?;
    } else if data.matches {
        writeln!(
            out,
            "{GREEN}match{GREEN:#}: the private key in {key_path} belongs to the certificate in {cert_path}"
        )?;
    } else {
        writeln!(
            out,
            "{RED}MISMATCH{RED:#}: the private key in {key_path} does not belong to the certificate in {cert_path}"
        )?;
    }
    writeln!(out)?;

    writeln!(out, "  {BOLD}certificate{BOLD:#} {}", cert.source)?;
    field(out, "subject", &cert.subject)?;
    field(out, "public key", &cert.public_key)?;
    field(out, "spki sha256", &cert.spki_sha256)?;
    if let Some(md5) = &cert.modulus_md5 {
        modulus(out, md5, &format!("openssl x509 -noout -modulus -in {cert_path} | openssl md5"))?;
    }

    writeln!(out, "  {BOLD}private key{BOLD:#} {}", key.source)?;
    let summary = &key.summary;
    field(out, "public key", &summary.algorithm)?;
    let encrypted = match &summary.protection {
        Some(protection) => format!(" (encrypted: {protection})"),
        None => String::new(),
    };
    field(out, "encoding", format_args!("{}{encrypted}", summary.encoding.as_str()))?;
    field(out, "spki sha256", summary.spki_sha256.as_deref().unwrap_or_default())?;
    if let Some(md5) = &key.modulus_md5 {
        modulus(out, md5, &format!("openssl rsa -noout -modulus -in {key_path} | openssl md5"))?;
    }
    let granian = match (data.granian_loads_key, refused) {
        (true, false) if !data.granian_loads_certificate => "loads the key, but refuses the certificate (see below)",
        (true, false) => "loads it as it is",
        (true, true) => "loads the key, but not with this certificate (see below)",
        (false, _) => "cannot load it as it is (see below)",
    };
    field(out, "Granian", granian)
}

/// `MD5(stdin)= …`, as `openssl md5` prints it, with the command that prints it.
fn modulus(out: &mut dyn Write, md5: &str, command: &str) -> io::Result<()> {
    field(out, "modulus md5", format_args!("MD5(stdin)= {md5}"))?;
    field(out, "", format_args!("{DIM}(as `{command}` prints it){DIM:#}"))
}

/// The file, and the entry of a Secret manifest: `secret.yaml tls.key`.
fn path(subject: &Subject) -> String {
    let path = subject.path.as_deref().unwrap_or("");
    subject.entry.as_ref().map_or_else(|| path.to_owned(), |entry| format!("{path} {entry}"))
}
