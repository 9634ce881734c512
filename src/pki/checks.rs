//! Judgements about one certificate at a given time and in a given place in a chain: the
//! problems that make rustls, Granian or clients reject it. Each rule names who rejects
//! the certificate and cites where the rule comes from. Each problem carries the severity
//! it has for a server (`verify`); `inspect` reports everything as a warning.

use time::{Duration, OffsetDateTime};

use super::describe::CertSummary;
use super::key::KeyAlgorithm;
use crate::clock;
use crate::finding::{Code, FIX, Finding, Remedy, Severity, Subject};

/// A problem found, before a command gives it a subject (and, if it wants, a severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
    /// What must change, when a command can do it; the hint says where with [`FIX`].
    pub remedy: Option<Remedy>,
}

impl Issue {
    /// A problem someone rejects the certificate for (error severity).
    pub fn new(code: Code, message: String, hint: String) -> Self {
        Self { code, severity: Severity::Error, message, hint: Some(hint), remedy: None }
    }

    /// A problem only some clients have, or will have (warning severity).
    pub fn warning(code: Code, message: String, hint: String) -> Self {
        Self { code, severity: Severity::Warning, message, hint: Some(hint), remedy: None }
    }

    pub fn remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }

    /// A finding with the severity the command chooses (inspect only warns).
    pub fn into_finding(self, severity: Severity, subject: Subject) -> Finding {
        let mut finding = Finding::new(self.code, severity, subject, self.message);
        finding.hint = self.hint;
        finding.remedy = self.remedy;
        finding
    }

    /// A finding with the issue's own severity: what the problem means for a server.
    pub fn into_own_finding(self, subject: Subject) -> Finding {
        let severity = self.severity;
        self.into_finding(severity, subject)
    }
}

/// Where a certificate sits in what a client checks. Which rules apply depends on it:
/// clients check the leaf and the intermediates, but of a trust anchor only its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The server's own certificate: the first one the server sends.
    Leaf,
    /// A CA certificate between the leaf and the trust anchor.
    Intermediate,
    /// The trusted certificate the chain ends at (RFC 5280 §6.1.1: only its name and key are used).
    Anchor,
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

/// Expiry warnings start this many days ahead (verify's `--warn-days` default, connect,
/// doctor) and gen --if-needed renews this many days ahead: time to redeploy calmly.
pub const WARN_DAYS: u32 = 30;

/// Apple platforms (iOS 13, macOS 10.15 and later) reject TLS server certificates valid for
/// longer than this: https://support.apple.com/en-us/103769. mkcert uses the same limit.
pub const MAX_VALIDITY_DAYS: u32 = 825;

/// A replacement with the same names (and `extra`, when one more is needed), from the
/// same issuer, so that clients trusting that issuer keep trusting the replacement.
pub fn reissue(cert: &CertSummary, extra: Option<&str>) -> Remedy {
    let mut names: Vec<String> = cert.san.dns.iter().chain(&cert.san.ip).cloned().collect();
    if names.is_empty() {
        names.extend(cert.common_name.clone());
    }
    if let Some(extra) = extra.filter(|e| !names.iter().any(|n| n == e)) {
        names.push(extra.to_owned());
    }
    Remedy::Reissue { names, issuer: (!cert.self_signed).then(|| cert.issuer.clone()), keep_key: false }
}

/// A name or path as one shell word, for commands in hints and next steps (as it is when
/// it cannot be quoted: a NUL byte).
pub fn shell_word(text: &str) -> String {
    shlex::try_quote(text).map_or_else(|_| text.to_owned(), |q| q.into_owned())
}

/// Problems any certificate can have, whatever its place in a chain (`inspect`).
pub fn certificate_issues(cert: &CertSummary, now: OffsetDateTime) -> Vec<Issue> {
    let mut issues = loadability(cert, Role::Leaf);
    issues.extend(dates(cert, now, 0));
    if !cert.is_ca {
        issues.extend(no_subject_alt_name(cert));
    }
    issues
}

/// Problems of a certificate in its place in a served chain (`verify`): `warn_days` is the
/// expiry warning window.
pub fn chain_issues(cert: &CertSummary, role: Role, now: OffsetDateTime, warn_days: u32) -> Vec<Issue> {
    let mut issues = Vec::new();
    match role {
        Role::Leaf => {
            issues.extend(loadability(cert, role));
            issues.extend(dates(cert, now, warn_days));
            issues.extend(ca_used_as_end_entity(cert));
            issues.extend(no_subject_alt_name(cert));
            issues.extend(server_auth_eku(cert, role));
            issues.extend(signing_key_usage(cert));
            issues.extend(lifetime(cert));
            issues.extend(weak_signature(cert, role));
            issues.extend(leaf_key(cert));
        }
        Role::Intermediate => {
            issues.extend(loadability(cert, role));
            issues.extend(dates(cert, now, warn_days));
            issues.extend(server_auth_eku(cert, role));
            issues.extend(weak_signature(cert, role));
            issues.extend(issuer_key(cert));
        }
        Role::Anchor => issues.extend(issuer_key(cert)),
    }
    issues
}

/// What rustls-webpki refuses to parse.
fn loadability(cert: &CertSummary, role: Role) -> Vec<Issue> {
    let mut issues = Vec::new();
    // rustls refuses the leaf when loading it (so Granian does not start); clients refuse
    // the chain for an intermediate.
    let leaf = role == Role::Leaf;
    let who = "rustls clients reject the chain with";

    // webpki accepts only v3 end-entity and intermediate certificates (RFC 5280 §4.1.2.1
    // allows v1 only without extensions); rustls reports `UnsupportedCertVersion`.
    if cert.version != 3 {
        let issue = Issue::new(
            Code::UnsupportedCertVersion,
            if leaf {
                format!(
                    "this is an X.509 version {} certificate: rustls rejects it with UnsupportedCertVersion, so Granian refuses to start with it and rustls clients refuse to connect",
                    cert.version
                )
            } else {
                format!("this is an X.509 version {} CA certificate: {who} UnsupportedCertVersion", cert.version)
            },
            if leaf {
                format!(
                    "make a v3 certificate instead: {FIX} (OpenSSL before 3.2 makes v1 certificates when `x509 -req` runs without `-extfile`)"
                )
            } else {
                "reissue the CA certificate as X.509 v3 with basicConstraints CA:TRUE (`openssl x509 -req … -extfile` with `basicConstraints=critical,CA:TRUE`)".to_owned()
            },
        );
        issues.push(if leaf { issue.remedy(reissue(cert, None)) } else { issue });
    }

    for ext in cert.extensions.iter().filter(|e| e.critical && !WEBPKI_KNOWN_EXTENSIONS.contains(&e.oid.as_str())) {
        let what = if ext.name == ext.oid { ext.oid.clone() } else { format!("{} ({})", ext.name, ext.oid) };
        let issue = Issue::new(
            Code::UnknownCriticalExtension,
            if leaf {
                format!(
                    "it has a critical extension rustls does not understand, {what}: rustls rejects it with UnsupportedCriticalExtension, so Granian refuses to start with it"
                )
            } else {
                format!(
                    "it has a critical extension rustls does not understand, {what}: {who} UnsupportedCriticalExtension"
                )
            },
            if leaf {
                format!("issue it without that extension, or with the extension marked non-critical: {FIX}")
            } else {
                "have the CA reissue it without that extension, or with the extension marked non-critical".to_owned()
            },
        );
        issues.push(if leaf { issue.remedy(reissue(cert, None)) } else { issue });
    }
    issues
}

/// Validity at `now` (RFC 5280 §4.1.2.5: valid from notBefore through notAfter inclusive),
/// and expiry within `warn_days` days (0: no warning window).
fn dates(cert: &CertSummary, now: OffsetDateTime, warn_days: u32) -> Option<Issue> {
    // Certificate times have whole seconds; compare at that granularity, as webpki does
    // (x509-limbo `rfc5280::validity::notafter-fractional`).
    let now = now.replace_nanosecond(0).unwrap_or(now);
    // A server certificate can be reissued by a command; a CA is replaced by its owner.
    let (renew, remedy) = match (cert.is_ca, cert.self_signed) {
        (true, true) => (
            "make a new CA (`certsmith ca create --force`) and issue new certificates from it; clients must trust the new CA".to_owned(),
            None,
        ),
        (true, false) => {
            ("renew it at the CA that issued it, and deploy the new one with the server certificate".to_owned(), None)
        }
        (false, true) => (format!("issue a new one: {FIX}"), Some(reissue(cert, None))),
        (false, false) => {
            (format!("issue a new one from the CA that issued it ({}): {FIX}", cert.issuer), Some(reissue(cert, None)))
        }
    };
    let with_remedy = |issue: Issue| match &remedy {
        Some(remedy) => issue.remedy(remedy.clone()),
        None => issue,
    };
    if now > cert.not_after {
        Some(with_remedy(Issue::new(
            Code::Expired,
            format!(
                "it expired {} ({}): every client rejects it, although Granian still starts with it",
                clock::relative(now, cert.not_after),
                clock::human(cert.not_after)
            ),
            renew,
        )))
    } else if now < cert.not_before {
        Some(Issue::new(
            Code::NotYetValid,
            format!(
                "it is not valid until {} ({}): every client rejects it until then",
                clock::human(cert.not_before),
                clock::relative(now, cert.not_before)
            ),
            "check the clock of the machine that made it; `certsmith gen` back-dates notBefore by a few minutes for clock skew".to_owned(),
        ))
    } else if warn_days > 0 && cert.not_after - now <= Duration::days(i64::from(warn_days)) {
        Some(with_remedy(Issue::warning(
            Code::ExpiresSoon,
            format!(
                "it expires {} ({}), within the {warn_days}-day warning window: every client rejects it from then on",
                clock::relative(now, cert.not_after),
                clock::human(cert.not_after)
            ),
            renew,
        )))
    } else {
        None
    }
}

/// Since RFC 2818 / CA/B Forum BR §7.1.4.2.1 names live in the SAN; browsers, Go and
/// rustls ignore the CN entirely.
fn no_subject_alt_name(cert: &CertSummary) -> Option<Issue> {
    if !cert.san.is_empty() {
        return None;
    }
    let cn = cert.common_name.as_deref().map(|cn| format!(" (the CN says {cn})")).unwrap_or_default();
    Some(Issue::new(
        Code::NoSubjectAltName,
        format!(
            "it has no subjectAltName{cn}: browsers, Go and rustls clients ignore the CN and reject it for every name; only curl and Python still fall back to the CN"
        ),
        format!("put the names in the SAN: {FIX}"),
    ).remedy(reissue(cert, None)))
}

/// webpki refuses a CA certificate as the end entity (`CaUsedAsEndEntity`), which
/// `openssl req -x509` makes by default (basicConstraints CA:TRUE).
fn ca_used_as_end_entity(cert: &CertSummary) -> Option<Issue> {
    cert.is_ca.then(|| {
        Issue::new(
            Code::CaUsedAsEndEntity,
            "it is a CA certificate (basicConstraints CA:TRUE) served as the server's own: rustls clients reject it with CaUsedAsEndEntity (Granian starts, but connections fail)".to_owned(),
            format!(
                "make a server certificate (CA:FALSE): {FIX}; `openssl req -x509` adds CA:TRUE unless told `-addext basicConstraints=critical,CA:FALSE`"
            ),
        )
        .remedy(reissue(cert, None))
    })
}

/// A TLS 1.3 server (Granian's default minimum) signs the handshake with its key, so a
/// keyUsage without digitalSignature is wrong for it (RFC 5280 §4.2.1.3, RFC 8446 §4.4.3).
/// rustls and OpenSSL clients do not check; Chrome (BoringSSL) refuses the certificate
/// with ERR_SSL_KEY_USAGE_INCOMPATIBLE (apple/cups#5506, quay/mirror-registry#5). The
/// deployment guide's own config file writes `keyUsage = keyEncipherment, dataEncipherment`.
fn signing_key_usage(cert: &CertSummary) -> Option<Issue> {
    if cert.key_usage.is_empty() || cert.key_usage.contains(&"digitalSignature") {
        return None;
    }
    Some(Issue::warning(
        Code::KeyUsageLacksDigitalSignature,
        format!(
            "its keyUsage ({}) lacks digitalSignature: with TLS 1.3 the server signs the handshake, and Chrome rejects it (ERR_SSL_KEY_USAGE_INCOMPATIBLE); rustls and OpenSSL clients do not check",
            cert.key_usage.join(", ")
        ),
        format!("issue it with keyUsage digitalSignature: {FIX}"),
    ).remedy(reissue(cert, None)))
}

/// RFC 5280 §4.2.1.12: with an extendedKeyUsage, the key may be used only for the listed
/// purposes; webpki requires serverAuth in every certificate of the chain that has the
/// extension (`RequiredEkuNotFound`), anyExtendedKeyUsage does not count. Without the
/// extension rustls accepts it, but Apple platforms require serverAuth in server
/// certificates (https://support.apple.com/en-us/103769).
fn server_auth_eku(cert: &CertSummary, role: Role) -> Option<Issue> {
    let has_eku = cert.critical("extendedKeyUsage").is_some();
    if has_eku && !cert.extended_key_usage.iter().any(|u| u == "serverAuth") {
        let present =
            if cert.extended_key_usage.is_empty() { "none".to_owned() } else { cert.extended_key_usage.join(", ") };
        let issue = Issue::new(
            Code::MissingServerAuthEku,
            format!(
                "its extendedKeyUsage ({present}) does not allow TLS servers (serverAuth): rustls clients reject it with RequiredEkuNotFound, and browsers reject it too"
            ),
            if role == Role::Leaf {
                format!("issue it with extendedKeyUsage serverAuth: {FIX}")
            } else {
                "use a CA certificate whose extendedKeyUsage includes serverAuth, or none at all".to_owned()
            },
        );
        return Some(if role == Role::Leaf { issue.remedy(reissue(cert, None)) } else { issue });
    }
    (role == Role::Leaf && !has_eku).then(|| {
        Issue::warning(
            Code::MissingServerAuthEku,
            "it has no extendedKeyUsage: rustls accepts that, but iOS and macOS reject server certificates without serverAuth".to_owned(),
            format!("issue it with extendedKeyUsage serverAuth: {FIX}"),
        )
        .remedy(reissue(cert, None))
    })
}

/// Apple's 825-day limit for TLS server certificates (see [`MAX_VALIDITY_DAYS`]).
fn lifetime(cert: &CertSummary) -> Option<Issue> {
    let days = (cert.not_after - cert.not_before).whole_days();
    (days > i64::from(MAX_VALIDITY_DAYS)).then(|| {
        Issue::warning(
            Code::ValidityTooLong,
            format!(
                "it is valid for {days} days ({} to {}): iOS and macOS reject server certificates valid for more than {MAX_VALIDITY_DAYS} days",
                clock::human(cert.not_before),
                clock::human(cert.not_after)
            ),
            format!("issue one valid for {MAX_VALIDITY_DAYS} days or fewer: {FIX}"),
        )
        .remedy(reissue(cert, None))
    })
}

/// Signature algorithms with MD2, MD4, MD5 or SHA-1, by name or, where the OID registry
/// has no name, by OID (ecdsa-with-SHA1, md4WithRSAEncryption).
const WEAK_SIGNATURES: &[&str] = &[
    "md2WithRSAEncryption",
    "md5WithRSAEncryption",
    "md5WithRSASignature",
    "sha1WithRSAEncryption",
    "dsa-with-sha1",
    "1.2.840.10045.4.1",
    "1.2.840.113549.1.1.3",
];

/// MD5 and SHA-1 signatures are forged in practice (CA/B Forum BR §7.1.3.2 forbids them);
/// rustls has no algorithm for them, browsers and OpenSSL 3 at its default level reject them.
fn weak_signature(cert: &CertSummary, role: Role) -> Option<Issue> {
    WEAK_SIGNATURES.contains(&cert.signature_algorithm.as_str()).then(|| {
        let reissued = role == Role::Leaf && cert.self_signed;
        let issue = Issue::new(
            Code::WeakSignatureAlgorithm,
            format!(
                "it is signed with {}: rustls clients reject the signature (UnsupportedSignatureAlgorithm), as do browsers",
                cert.signature_algorithm
            ),
            if reissued {
                format!("issue a new one, signed with SHA-256: {FIX}")
            } else {
                "have the issuer sign it again with SHA-256 or better (`openssl x509 -req -sha256 …`)".to_owned()
            },
        );
        if reissued { issue.remedy(reissue(cert, None)) } else { issue }
    })
}

/// Size in bits of the named elliptic curves certsmith knows.
fn curve_bits(curve: &str) -> Option<u32> {
    Some(match curve {
        "P-192" | "secp192k1" => 192,
        "P-224" | "secp224k1" => 224,
        "P-256" | "secp256k1" => 256,
        "P-384" => 384,
        "P-521" => 521,
        _ => return None,
    })
}

/// A key too small to be trusted: RSA under 2048 bits (NIST SP 800-131A; webpki verifies
/// RSA signatures only from 2048 bits) or an elliptic curve under 256 bits.
fn weak_key(key: &KeyAlgorithm) -> bool {
    match key {
        KeyAlgorithm::Rsa { bits } | KeyAlgorithm::RsaPss { bits } => (1..2048).contains(bits),
        KeyAlgorithm::Ec { curve } => curve_bits(curve).is_some_and(|bits| bits < 256),
        _ => false,
    }
}

/// The server's key: weak, or not one Granian can load. Granian uses rustls with ring,
/// which loads RSA keys of 2048 to 4096 bits (rsaEncryption only), ECDSA P-256 and P-384,
/// and Ed25519 (research/deps.md §5.2 and §7, measured).
fn leaf_key(cert: &CertSummary) -> Option<Issue> {
    let key = &cert.public_key;
    if weak_key(key) {
        return Some(
            Issue::new(
                Code::WeakKey,
                format!(
                    "its key ({key}) is too weak: rustls and browsers refuse RSA keys under 2048 bits and curves under 256 bits, and Granian cannot load it"
                ),
                format!("make a new key and certificate (P-256 by default): {FIX}"),
            )
            .remedy(reissue(cert, None)),
        );
    }
    let supported = match key {
        KeyAlgorithm::Rsa { bits } => *bits <= 4096,
        KeyAlgorithm::Ec { curve } => curve == "P-256" || curve == "P-384",
        KeyAlgorithm::Ed25519 => true,
        _ => false,
    };
    (!supported).then(|| {
        Issue::new(
            Code::KeyUnsupportedByGranian,
            format!(
                "its key ({key}) is one Granian cannot load: Granian uses rustls with ring, which loads only RSA keys of 2048 to 4096 bits, ECDSA P-256 and P-384, and Ed25519, so its worker fails at start"
            ),
            format!("make a new key and certificate (P-256 by default): {FIX}"),
        )
        .remedy(reissue(cert, None))
    })
}

/// An issuer's key: clients cannot verify signatures made with a weak one.
fn issuer_key(cert: &CertSummary) -> Option<Issue> {
    let key = &cert.public_key;
    weak_key(key).then(|| {
        Issue::new(
            Code::WeakKey,
            format!(
                "its key ({key}) is too weak: rustls clients and browsers refuse to verify signatures made with RSA keys under 2048 bits or curves under 256 bits"
            ),
            "use a CA with an RSA key of at least 2048 bits or an ECDSA P-256 or P-384 key".to_owned(),
        )
    })
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
        assert!(issues[0].hint.as_deref().unwrap().contains(FIX));
        let reissue = Remedy::Reissue { names: vec!["a.test".into()], issuer: None, keep_key: false };
        assert_eq!(issues[0].remedy, Some(reissue));
    }

    #[test]
    fn replacement_hints_keep_the_issuer() {
        let expired = datetime!(2029-01-01 0:00 UTC);
        let hint = |c: &CertSummary| dates(c, expired, 0).and_then(|i| i.hint).unwrap();
        let self_signed = cert();
        assert_eq!(hint(&self_signed), format!("issue a new one: {FIX}"));
        let ca_issued = CertSummary { self_signed: false, issuer: "CN=dev CA".into(), ..cert() };
        let from_ca =
            Remedy::Reissue { names: vec!["a.test".into()], issuer: Some("CN=dev CA".into()), keep_key: false };
        assert_eq!(dates(&ca_issued, expired, 0).and_then(|i| i.remedy), Some(from_ca));
        assert!(hint(&ca_issued).contains("CN=dev CA"), "{}", hint(&ca_issued));
        let root = CertSummary { is_ca: true, ..cert() };
        assert!(hint(&root).contains("certsmith ca create"), "{}", hint(&root));
        assert_eq!(dates(&root, expired, 0).and_then(|i| i.remedy), None, "a CA is not reissued by gen");
        let intermediate = CertSummary { is_ca: true, self_signed: false, ..cert() };
        assert!(hint(&intermediate).contains("renew it at the CA that issued it"), "{}", hint(&intermediate));
    }

    /// A good server certificate: v3, SAN, EKU serverAuth, one year, P-256.
    fn leaf() -> CertSummary {
        let mut c = cert();
        c.public_key = KeyAlgorithm::Ec { curve: "P-256".into() };
        c.extended_key_usage = vec!["serverAuth".into()];
        c.extensions.push(Extension { name: "extendedKeyUsage".into(), oid: "2.5.29.37".into(), critical: false });
        c
    }

    fn chain_codes(c: &CertSummary, role: Role, now: OffsetDateTime, warn_days: u32) -> Vec<(Code, Severity)> {
        chain_issues(c, role, now, warn_days).into_iter().map(|i| (i.code, i.severity)).collect()
    }

    const MID_2027: OffsetDateTime = datetime!(2027-06-01 0:00 UTC);

    #[test]
    fn a_good_leaf_has_no_chain_issues() {
        assert_eq!(chain_codes(&leaf(), Role::Leaf, MID_2027, 30), vec![]);
    }

    #[test]
    fn expiry_warning_window_is_inclusive_and_can_be_off() {
        let c = leaf();
        let ten_days_before = datetime!(2027-12-22 0:00 UTC);
        assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 30), vec![(Code::ExpiresSoon, Severity::Warning)]);
        assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 10), vec![(Code::ExpiresSoon, Severity::Warning)]);
        assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 9), vec![]);
        assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 0), vec![]);
        assert_eq!(
            chain_codes(&c, Role::Intermediate, ten_days_before, 30),
            vec![(Code::ExpiresSoon, Severity::Warning)]
        );
        assert_eq!(chain_codes(&c, Role::Anchor, ten_days_before, 30), vec![], "trust anchors' dates are not checked");
    }

    #[test]
    fn times_compare_in_whole_seconds_as_webpki_does() {
        let c = leaf();
        let just_after = c.not_after + time::Duration::milliseconds(5);
        assert_eq!(codes(&c, just_after), vec![]);
        assert_eq!(codes(&c, c.not_after + time::Duration::seconds(1)), vec![Code::Expired]);
    }

    #[test]
    fn server_certificate_rules_apply_to_the_leaf_only() {
        let mut c = leaf();
        c.is_ca = true;
        c.san = Sans::default();
        assert_eq!(
            chain_codes(&c, Role::Leaf, MID_2027, 30),
            vec![(Code::CaUsedAsEndEntity, Severity::Error), (Code::NoSubjectAltName, Severity::Error)]
        );
        assert_eq!(chain_codes(&c, Role::Intermediate, MID_2027, 30), vec![]);
    }

    #[test]
    fn extended_key_usage_without_server_auth_fails_and_none_at_all_warns() {
        let mut c = leaf();
        c.extended_key_usage = vec!["clientAuth".into()];
        let issues = chain_issues(&c, Role::Leaf, MID_2027, 30);
        assert_eq!(
            issues.iter().map(|i| (i.code, i.severity)).collect::<Vec<_>>(),
            vec![(Code::MissingServerAuthEku, Severity::Error)]
        );
        assert!(issues[0].message.contains("(clientAuth)") && issues[0].message.contains("RequiredEkuNotFound"));
        assert_eq!(
            chain_codes(&c, Role::Intermediate, MID_2027, 30),
            vec![(Code::MissingServerAuthEku, Severity::Error)]
        );
        c.extended_key_usage = vec!["anyExtendedKeyUsage".into()];
        assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![(Code::MissingServerAuthEku, Severity::Error)]);
        c.extensions.clear();
        c.extended_key_usage.clear();
        assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![(Code::MissingServerAuthEku, Severity::Warning)]);
        assert_eq!(chain_codes(&c, Role::Intermediate, MID_2027, 30), vec![]);
    }

    #[test]
    fn lifetime_over_825_days_warns() {
        let mut c = leaf();
        c.not_after = c.not_before + time::Duration::days(825);
        assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![]);
        c.not_after = c.not_before + time::Duration::days(826);
        assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![(Code::ValidityTooLong, Severity::Warning)]);
        assert_eq!(chain_codes(&c, Role::Intermediate, MID_2027, 30), vec![]);
    }

    #[test]
    fn weak_signatures_by_name_or_oid() {
        for alg in ["sha1WithRSAEncryption", "md5WithRSAEncryption", "1.2.840.10045.4.1"] {
            let mut c = leaf();
            c.signature_algorithm = alg.into();
            assert_eq!(
                chain_codes(&c, Role::Leaf, MID_2027, 30),
                vec![(Code::WeakSignatureAlgorithm, Severity::Error)]
            );
            assert_eq!(chain_codes(&c, Role::Anchor, MID_2027, 30), vec![], "an anchor's own signature is not checked");
        }
    }

    #[test]
    fn keys_weak_or_unloadable_by_granian() {
        let key_codes = |key: KeyAlgorithm, role: Role| {
            let mut c = leaf();
            c.public_key = key;
            chain_codes(&c, role, MID_2027, 30).into_iter().map(|(code, _)| code).collect::<Vec<_>>()
        };
        let ec = |curve: &str| KeyAlgorithm::Ec { curve: curve.into() };
        for ok in
            [KeyAlgorithm::Rsa { bits: 2048 }, KeyAlgorithm::Rsa { bits: 4096 }, ec("P-384"), KeyAlgorithm::Ed25519]
        {
            assert_eq!(key_codes(ok.clone(), Role::Leaf), vec![], "{ok}");
        }
        assert_eq!(key_codes(KeyAlgorithm::Rsa { bits: 1024 }, Role::Leaf), vec![Code::WeakKey]);
        assert_eq!(key_codes(ec("P-192"), Role::Leaf), vec![Code::WeakKey]);
        for granian in
            [KeyAlgorithm::Rsa { bits: 8192 }, ec("P-521"), ec("secp256k1"), KeyAlgorithm::Dsa { bits: 2048 }]
        {
            assert_eq!(key_codes(granian.clone(), Role::Leaf), vec![Code::KeyUnsupportedByGranian], "{granian}");
        }
        // An issuer's key only signs: Granian never loads it, clients only verify with it.
        assert_eq!(key_codes(ec("P-521"), Role::Intermediate), vec![]);
        assert_eq!(key_codes(KeyAlgorithm::Rsa { bits: 1024 }, Role::Anchor), vec![Code::WeakKey]);
    }

    #[test]
    fn a_replacement_keeps_the_names_or_the_cn() {
        let mut c = cert();
        c.san.dns = vec!["*.a.test".into(), "a.test".into()];
        let names = |r: Remedy| match r {
            Remedy::Reissue { names, .. } => names,
            _ => Vec::new(),
        };
        assert_eq!(names(reissue(&c, Some("b.test"))), ["*.a.test", "a.test", "b.test"]);
        assert_eq!(names(reissue(&c, Some("a.test"))), ["*.a.test", "a.test"]);
        c.san.dns.clear();
        c.common_name = Some("my host".into());
        assert_eq!(names(reissue(&c, None)), ["my host"]);
    }

    #[test]
    fn expiry_message_says_when() {
        let issues = certificate_issues(&cert(), datetime!(2028-01-04 0:00 UTC));
        assert!(issues[0].message.contains("expired 3 days ago (2028-01-01 00:00:00 UTC)"), "{}", issues[0].message);
    }
}
