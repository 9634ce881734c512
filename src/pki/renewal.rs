//! Whether an existing certificate and key still do the job, for `gen --if-needed`: the
//! pair must be readable, match, be v3 with serverAuth, chain to the requested issuer,
//! cover every requested name the way rustls matches names, and stay valid beyond the
//! renewal window. Every shortfall is a reason, in words a person can act on.

use std::path::Path;

use rustls_pki_types::{CertificateDer, ServerName};
use time::{Duration, OffsetDateTime};

use super::describe::{self, CertSummary};
use super::key::{self, KeyAlgorithm};
use super::keymatch::{self, Pairing};
use super::load::{self, Input};
use super::names::SubjectName;
use crate::clock;
use crate::finding::Failure;
use crate::pki::password::Password;

/// What the pair must satisfy.
pub struct Requirements<'a> {
    pub names: &'a [SubjectName],
    pub now: OffsetDateTime,
    /// Renew when the certificate expires sooner than this.
    pub renew_within: Duration,
    pub client_auth: bool,
    /// The trust anchor it must chain to, with the intermediates between; `None`: it
    /// must be self-signed.
    pub issuer: Option<(&'a CertificateDer<'a>, &'a [CertificateDer<'a>])>,
    /// The key algorithm asked for, when it was asked for explicitly.
    pub key_algorithm: Option<KeyAlgorithm>,
    /// Unlocks an encrypted key file.
    pub password: &'a dyn Fn() -> Result<Password, Failure>,
}

#[derive(Debug)]
pub enum Verdict {
    /// Neither file exists: nothing to keep or replace.
    Missing,
    /// Good as it is.
    Keep(Box<CertSummary>),
    /// Must be replaced, for these reasons.
    Renew(Vec<String>),
}

pub fn assess(cert_path: &Path, key_path: &Path, req: &Requirements<'_>) -> Verdict {
    let (cert_exists, key_exists) = (cert_path.exists(), key_path.exists());
    if !cert_exists && !key_exists {
        return Verdict::Missing;
    }
    let mut reasons = Vec::new();
    for (path, exists) in [(cert_path, cert_exists), (key_path, key_exists)] {
        if !exists {
            reasons.push(format!("{} does not exist", path.display()));
        }
    }
    if !reasons.is_empty() {
        return Verdict::Renew(reasons);
    }
    let leaf = match load::load(&Input::File(cert_path.to_path_buf())) {
        Ok(file) => file.certificates().next().map(|(_, der)| der.clone()),
        Err(e) => return Verdict::Renew(vec![e.message]),
    };
    let Some(leaf) = leaf else {
        return Verdict::Renew(vec![format!("{} holds no certificate", cert_path.display())]);
    };
    let summary = match describe::certificate(&leaf) {
        Ok(s) => s,
        Err(e) => return Verdict::Renew(vec![format!("{}: {e}", cert_path.display())]),
    };
    key_reasons(key_path, &leaf, &summary, req, &mut reasons);
    certificate_reasons(&leaf, &summary, req, &mut reasons);
    if reasons.is_empty() { Verdict::Keep(Box::new(summary)) } else { Verdict::Renew(reasons) }
}

fn key_reasons(key_path: &Path, leaf: &[u8], cert: &CertSummary, req: &Requirements<'_>, reasons: &mut Vec<String>) {
    let file = match load::load(&Input::File(key_path.to_path_buf())) {
        Ok(file) => file,
        Err(e) => return reasons.push(e.message),
    };
    let der = match keymatch::first_private_key(&file, req.password) {
        Ok(der) => der,
        Err(e) => return reasons.push(e.message),
    };
    match key::derive_spki(&der).map(|spki| keymatch::pairing(&keymatch::cert_spki_der(leaf), &spki)) {
        Ok(Pairing::Same) => {}
        Ok(Pairing::Compressed) => {
            reasons.push("the certificate stores its public key compressed, which rustls refuses".to_owned())
        }
        Ok(Pairing::Different) => reasons.push("the key does not match the certificate".to_owned()),
        Err(e) => reasons.push(format!("{}: {e}", key_path.display())),
    }
    if let Some(wanted) = &req.key_algorithm
        && &cert.public_key != wanted
    {
        reasons.push(format!("the key is {}, not {wanted}", cert.public_key));
    }
}

fn certificate_reasons(
    leaf: &CertificateDer<'_>,
    cert: &CertSummary,
    req: &Requirements<'_>,
    reasons: &mut Vec<String>,
) {
    if cert.version != 3 {
        reasons.push(format!("it is an X.509 v{} certificate, which rustls rejects", cert.version));
        return; // webpki cannot say more about it
    }
    if cert.is_ca {
        reasons.push("it is a CA certificate (CA:TRUE), which rustls clients refuse as a server's".to_owned());
    }
    if !cert.extended_key_usage.iter().any(|e| e == "serverAuth") {
        reasons.push("it is not for TLS servers (no serverAuth extended key usage)".to_owned());
    }
    if req.client_auth && !cert.extended_key_usage.iter().any(|e| e == "clientAuth") {
        reasons.push("it is not for TLS clients (no clientAuth), which --client asks for".to_owned());
    }
    if req.now < cert.not_before {
        reasons.push(format!("it is not valid until {}", clock::human(cert.not_before)));
    } else if req.now > cert.not_after {
        reasons.push(format!("it expired {}", clock::relative(req.now, cert.not_after)));
    } else if cert.not_after - req.now < req.renew_within {
        reasons.push(format!(
            "it expires {}, within the renewal window of {}",
            clock::relative(req.now, cert.not_after),
            clock::span(req.renew_within)
        ));
    }
    let Ok(ee) = webpki::EndEntityCert::try_from(leaf) else {
        return reasons.push("rustls cannot parse it".to_owned());
    };
    let (anchor, intermediates) = req.issuer.unwrap_or((leaf, &[]));
    // Checked at the start of its validity: expiry is judged above, with the window.
    let issued = super::verify::chains_to(&ee, anchor, intermediates, cert.not_before);
    match issued {
        // Said above, in words about the certificate itself.
        Ok(_) | Err(webpki::Error::CaUsedAsEndEntity) => {}
        Err(e) => reasons.push(match req.issuer {
            Some(_) => "it was not issued by the requested CA".to_owned(),
            None if cert.self_signed => format!("as its own issuer: {}", super::verify::webpki_error(&e).1),
            None => format!("it is issued by {}, not self-signed", cert.issuer),
        }),
    }
    for name in req.names {
        if !covers(&ee, cert, name) {
            reasons.push(format!("it does not cover {name}"));
        }
    }
}

/// DNS and IP names as rustls matches them; a requested wildcard, emails and URIs must be
/// present as such.
fn covers(ee: &webpki::EndEntityCert<'_>, cert: &CertSummary, name: &SubjectName) -> bool {
    match name {
        SubjectName::Dns(n) if n.starts_with('*') => cert.san.dns.iter().any(|d| d.eq_ignore_ascii_case(n)),
        SubjectName::Dns(n) => {
            ServerName::try_from(n.as_str()).is_ok_and(|sn| ee.verify_is_valid_for_subject_name(&sn).is_ok())
        }
        SubjectName::Ip(ip) => ee.verify_is_valid_for_subject_name(&ServerName::IpAddress((*ip).into())).is_ok(),
        SubjectName::Email(n) => cert.san.email.iter().any(|e| e.eq_ignore_ascii_case(n)),
        SubjectName::Uri(n) => cert.san.uri.iter().any(|u| u == n),
    }
}
