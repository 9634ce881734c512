//! Judgements about one certificate at a given time: the problems that make rustls,
//! Granian or clients reject it. Each rule names who rejects the certificate and cites
//! where the rule comes from. Commands choose the severity (inspect only warns).

use time::OffsetDateTime;

use super::describe::CertSummary;
use crate::clock;
use crate::report::{Code, Finding, Severity, Subject};

/// A problem found, before a command gives it a severity and a subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub code: Code,
    pub message: String,
    pub hint: Option<String>,
}

impl Issue {
    pub fn new(code: Code, message: String, hint: String) -> Self {
        Self { code, message, hint: Some(hint) }
    }

    pub fn into_finding(self, severity: Severity, subject: Subject) -> Finding {
        Finding { code: self.code, severity, subject, message: self.message, hint: self.hint }
    }
}

/// Extensions rustls-webpki understands (webpki 0.103 `cert.rs`, `remember_cert_extension`):
/// a critical extension outside this list makes it fail with `UnsupportedCriticalExtension`.
const WEBPKI_KNOWN_EXTENSIONS: &[&str] = &[
    "2.5.29.15",               // keyUsage
    "2.5.29.17",               // subjectAltName
    "2.5.29.19",               // basicConstraints
    "2.5.29.30",               // nameConstraints
    "2.5.29.31",               // cRLDistributionPoints
    "2.5.29.37",               // extKeyUsage
    "1.3.6.1.4.1.11129.2.4.2", // Certificate Transparency SCT list
];

/// The command that makes a replacement with the same names.
pub fn regenerate_command(cert: &CertSummary) -> String {
    let mut names: Vec<&str> = cert.san.dns.iter().chain(&cert.san.ip).map(String::as_str).collect();
    if names.is_empty() {
        names.extend(cert.common_name.as_deref());
    }
    if names.is_empty() { "certsmith gen NAME...".to_owned() } else { format!("certsmith gen {}", names.join(" ")) }
}

/// Problems any certificate can have, whatever its place in a chain.
pub fn certificate_issues(cert: &CertSummary, now: OffsetDateTime) -> Vec<Issue> {
    let mut issues = Vec::new();
    let regen = regenerate_command(cert);

    // webpki accepts only v3 end-entity and intermediate certificates (RFC 5280 §4.1.2.1
    // allows v1 only without extensions); rustls reports `UnsupportedCertVersion`.
    if cert.version != 3 {
        issues.push(Issue::new(
            Code::UnsupportedCertVersion,
            format!(
                "this is an X.509 version {} certificate: rustls rejects it with UnsupportedCertVersion, so Granian refuses to start with it and rustls clients refuse to connect",
                cert.version
            ),
            format!(
                "make a v3 certificate instead: `{regen}` (OpenSSL before 3.2 makes v1 certificates when `x509 -req` runs without `-extfile`)"
            ),
        ));
    }

    for ext in cert.extensions.iter().filter(|e| e.critical && !WEBPKI_KNOWN_EXTENSIONS.contains(&e.oid.as_str())) {
        issues.push(Issue::new(
            Code::UnknownCriticalExtension,
            format!(
                "it has a critical {} extension ({}) that rustls does not understand: rustls rejects it with UnsupportedCriticalExtension, so Granian refuses to start with it",
                ext.name, ext.oid
            ),
            format!("issue it without that extension, or with the extension marked non-critical: `{regen}`"),
        ));
    }

    // RFC 5280 §4.1.2.5: a certificate is valid from notBefore through notAfter inclusive.
    if now > cert.not_after {
        issues.push(Issue::new(
            Code::Expired,
            format!(
                "it expired {} ({}): every client rejects it, although Granian still starts with it",
                clock::relative(now, cert.not_after),
                clock::human(cert.not_after)
            ),
            format!("issue a new one: `{regen}`"),
        ));
    } else if now < cert.not_before {
        issues.push(Issue::new(
            Code::NotYetValid,
            format!(
                "it is not valid until {} ({}): every client rejects it until then",
                clock::human(cert.not_before),
                clock::relative(now, cert.not_before)
            ),
            "check the clock of the machine that made it; `certsmith gen` back-dates notBefore by a few minutes for clock skew".to_owned(),
        ));
    }

    // Since RFC 2818 / CA/B Forum BR §7.1.4.2.1 names live in the SAN; browsers, Go and
    // rustls ignore the CN entirely. CA certificates need no SAN.
    if !cert.is_ca && cert.san.is_empty() {
        let cn = cert.common_name.as_deref().map(|cn| format!(" (the CN says {cn})")).unwrap_or_default();
        issues.push(Issue::new(
            Code::NoSubjectAltName,
            format!(
                "it has no subjectAltName{cn}: browsers, Go and rustls clients ignore the CN and reject it for every name; only curl and Python still fall back to the CN"
            ),
            format!("put the names in the SAN: `{regen}`"),
        ));
    }
    issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::describe::{Extension, Sans};
    use crate::pki::key::KeyAlgorithm;
    use time::macros::datetime;

    fn cert() -> CertSummary {
        CertSummary {
            version: 3,
            subject: "CN=a.test".into(),
            issuer: "CN=a.test".into(),
            serial: "01".into(),
            not_before: datetime!(2027-01-01 0:00 UTC),
            not_after: datetime!(2028-01-01 0:00 UTC),
            san: Sans { dns: vec!["a.test".into()], ..Sans::default() },
            public_key: KeyAlgorithm::Ed25519,
            signature_algorithm: "ED25519".into(),
            is_ca: false,
            path_len: None,
            key_usage: vec![],
            extended_key_usage: vec![],
            extensions: vec![],
            self_signed: true,
            fingerprint_sha256: String::new(),
            spki_sha256: String::new(),
            common_name: Some("a.test".into()),
        }
    }

    fn codes(c: &CertSummary, now: OffsetDateTime) -> Vec<Code> {
        certificate_issues(c, now).into_iter().map(|i| i.code).collect()
    }

    #[test]
    fn a_good_certificate_has_no_issues() {
        assert_eq!(codes(&cert(), datetime!(2027-06-01 0:00 UTC)), vec![]);
    }

    #[test]
    fn validity_is_inclusive_at_both_ends() {
        let c = cert();
        assert_eq!(codes(&c, c.not_after), vec![]);
        assert_eq!(codes(&c, c.not_before), vec![]);
        assert_eq!(codes(&c, datetime!(2028-01-01 0:00:01 UTC)), vec![Code::Expired]);
        assert_eq!(codes(&c, datetime!(2026-12-31 23:59:59 UTC)), vec![Code::NotYetValid]);
    }

    #[test]
    fn flags_v1_missing_san_and_unknown_critical_extensions() {
        let mut c = cert();
        c.version = 1;
        c.san = Sans::default();
        c.extensions.push(Extension { name: "x".into(), oid: "1.2.3.4".into(), critical: true });
        c.extensions.push(Extension { name: "keyUsage".into(), oid: "2.5.29.15".into(), critical: true });
        let issues = certificate_issues(&c, datetime!(2027-06-01 0:00 UTC));
        let got: Vec<Code> = issues.iter().map(|i| i.code).collect();
        assert_eq!(got, vec![Code::UnsupportedCertVersion, Code::UnknownCriticalExtension, Code::NoSubjectAltName]);
        assert!(issues[0].message.contains("UnsupportedCertVersion"));
        assert!(issues[0].hint.as_deref().unwrap().contains("certsmith gen a.test"));
    }

    #[test]
    fn expiry_message_says_when() {
        let issues = certificate_issues(&cert(), datetime!(2028-01-04 0:00 UTC));
        assert!(issues[0].message.contains("expired 3 days ago (2028-01-01 00:00:00 UTC)"), "{}", issues[0].message);
    }
}
