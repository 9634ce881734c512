//! A certificate authority read from files, checked before anything is issued from it:
//! it must be a CA (RFC 5280 §4.2.1.9 basicConstraints cA, §4.2.1.3 keyCertSign), valid
//! now, and its key must belong to it.

use rcgen::KeyPair;
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

use super::describe::{self, CertSummary};
use super::key;
use super::keymatch;
use super::load::{self, Input};
use crate::clock;
use crate::error::Failure;
use crate::password::Password;
use crate::report::Subject;

/// An issuer ready to sign.
pub struct LocalCa {
    /// The CA certificate that signs (the first certificate of its file).
    pub cert: CertificateDer<'static>,
    /// What the server must send after the leaf: the signing certificate when it is an
    /// intermediate, then the file's other certificates that are not self-signed roots.
    /// A root is never part of a served chain (clients have it; RFC 8446 §4.4.2).
    pub intermediates: Vec<CertificateDer<'static>>,
    /// What clients trust: the file's self-signed root when it has one, else the signing
    /// certificate itself.
    pub anchor: CertificateDer<'static>,
    pub key: KeyPair,
    pub summary: CertSummary,
    /// The file clients must trust: the CA file as given.
    pub cert_path: String,
    /// Permitted DNS subtrees of its name constraints (empty: no DNS constraint).
    pub permitted_dns: Vec<String>,
}

impl LocalCa {
    /// The requested DNS names its name constraints forbid, by RFC 5280 §4.2.1.10 rules:
    /// a name matches a subtree when it equals it or ends with "." + subtree.
    pub fn forbidden_names<'a>(&self, names: &'a [String]) -> Vec<&'a str> {
        if self.permitted_dns.is_empty() {
            return Vec::new();
        }
        let allowed = |name: &str| {
            let name = name.trim_start_matches("*.");
            self.permitted_dns.iter().any(|p| {
                let p = p.trim_start_matches('.');
                name.eq_ignore_ascii_case(p)
                    || name.to_ascii_lowercase().ends_with(&format!(".{}", p.to_ascii_lowercase()))
            })
        };
        names.iter().map(String::as_str).filter(|n| !allowed(n)).collect()
    }
}

fn permitted_dns(der: &[u8]) -> Vec<String> {
    use x509_parser::extensions::GeneralName;
    use x509_parser::prelude::FromDer;
    let Ok((_, cert)) = x509_parser::certificate::X509Certificate::from_der(der) else { return Vec::new() };
    let Ok(Some(nc)) = cert.name_constraints() else { return Vec::new() };
    nc.value
        .permitted_subtrees
        .iter()
        .flatten()
        .filter_map(|s| match s.base {
            GeneralName::DNSName(n) => Some(n.to_owned()),
            _ => None,
        })
        .collect()
}

/// Reads and checks a CA; `password` unlocks an encrypted CA key.
pub fn load(
    cert_input: &Input,
    key_input: &Input,
    now: OffsetDateTime,
    password: impl FnOnce() -> Result<Password, Failure>,
) -> Result<LocalCa, Failure> {
    let cert_file = load::load(cert_input)?;
    let name = cert_file.name.clone();
    let subject = Subject::file(&name, None);
    let bad = |message: String, hint: &str| Failure::new(message).hint(hint).about(subject.clone());
    let mut certs = cert_file.certificates().map(|(_, der)| der.clone());
    let cert =
        certs.next().ok_or_else(|| bad(format!("{name} holds no certificate"), "pass the CA certificate (ca.pem)"))?;
    let summary =
        describe::certificate(&cert).map_err(|e| bad(format!("{name}: {e}"), "pass the CA certificate (ca.pem)"))?;
    let (roots, others): (Vec<_>, Vec<_>) =
        certs.partition(|der| describe::certificate(der).is_ok_and(|s| s.self_signed));
    let anchor =
        if summary.self_signed { cert.clone() } else { roots.first().cloned().unwrap_or_else(|| cert.clone()) };
    let intermediates =
        if summary.self_signed { others } else { std::iter::once(cert.clone()).chain(others).collect() };

    if !summary.is_ca {
        return Err(bad(
            format!("{name} is not a CA certificate (no basicConstraints CA:TRUE): it cannot issue certificates"),
            "create a CA with `certsmith ca create` and pass its folder with --ca",
        ));
    }
    if !summary.key_usage.is_empty() && !summary.key_usage.contains(&"keyCertSign") {
        return Err(bad(
            format!("{name} is a CA certificate whose keyUsage lacks keyCertSign: clients reject what it signs"),
            "create a CA with `certsmith ca create`",
        ));
    }
    if now > summary.not_after || now < summary.not_before {
        return Err(bad(
            format!(
                "the CA {name} is not valid now (valid {} to {}): clients reject what it signs",
                clock::human(summary.not_before),
                clock::human(summary.not_after)
            ),
            "create a new CA with `certsmith ca create --force`, and have clients trust the new ca.pem",
        ));
    }

    let key_file = load::load(key_input)?;
    let key_name = key_file.name.clone();
    let key_subject = Subject::file(&key_name, None);
    let der = keymatch::first_private_key(&key_file, password)?;
    let spki = key::derive_spki(&der).map_err(|e| {
        Failure::new(format!("{key_name}: {e}")).hint("pass the CA's key (ca-key.pem)").about(key_subject.clone())
    })?;
    if !keymatch::same_public_key(&spki, &keymatch::cert_spki_der(&cert)) {
        return Err(Failure::new(format!("{key_name} is not the key of {name}"))
            .hint("pass the key that was created with the CA certificate (certsmith writes them side by side)")
            .about(key_subject));
    }
    let key =
        super::build::key_from_der(&der).map_err(|e| Failure::new(format!("{key_name}: {e}")).about(key_subject))?;
    let permitted_dns = permitted_dns(&cert);
    Ok(LocalCa { cert, intermediates, anchor, key, summary, cert_path: name, permitted_dns })
}
