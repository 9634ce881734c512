//! Judgements about one certificate at a given time and in a given place in a chain: the
//! problems that make rustls, Granian or clients reject it. Each rule names who rejects
//! the certificate and cites where the rule comes from. Each problem carries the severity
//! it has for a server (`verify`); `inspect` reports everything as a warning.

use time::{Duration, OffsetDateTime};

use super::describe::CertSummary;
use super::key::KeyAlgorithm;
use crate::clock;
use crate::finding::{Code, FIX, Finding, Parties, Party, Remedy, Severity, Subject};

/// A problem found, before a command gives it a subject (and, if it wants, a severity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
    /// What must change, when a command can do it; the hint says where with [`FIX`].
    pub remedy: Option<Remedy>,
    /// Who fails because of it; by default the code's parties.
    pub affects: Parties,
}

impl Issue {
    /// A problem someone rejects the certificate for (error severity).
    pub fn new(code: Code, message: String, hint: String) -> Self {
        Self { code, severity: Severity::Error, message, hint: Some(hint), remedy: None, affects: Parties::of(code) }
    }

    /// A problem only some clients have, or will have (warning severity).
    pub fn warning(code: Code, message: String, hint: String) -> Self {
        Self { code, severity: Severity::Warning, message, hint: Some(hint), remedy: None, affects: Parties::of(code) }
    }

    pub fn remedy(mut self, remedy: Remedy) -> Self {
        self.remedy = Some(remedy);
        self
    }

    /// Who fails because of it, where the certificate's place changes that.
    pub fn affecting(mut self, parties: Parties) -> Self {
        self.affects = parties;
        self
    }

    /// A finding with the severity the command chooses (inspect only warns).
    pub fn into_finding(self, severity: Severity, subject: Subject) -> Finding {
        let mut finding = Finding::new(self.code, severity, subject, self.message);
        finding.hint = self.hint;
        finding.remedy = self.remedy;
        finding.affects = self.affects;
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

const SUBJECT_ALT_NAME: &str = "2.5.29.17";

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
            issues.extend(empty_issuer(cert));
        }
        Role::Intermediate => {
            issues.extend(loadability(cert, role));
            issues.extend(dates(cert, now, warn_days));
            issues.extend(server_auth_eku(cert, role));
            issues.extend(weak_signature(cert, role));
            issues.extend(issuer_key(cert, role));
            issues.extend(certificate_signing(cert));
        }
        Role::Anchor => {
            issues.extend(issuer_key(cert, role));
            issues.extend(certificate_signing(cert));
        }
    }
    issues
}

/// Why Granian refuses to start with `file` as its certificate file (the leaf first):
/// rustls refuses the leaf, or Python's OpenSSL at security level 2 refuses a SHA-1 or MD5
/// signature on a certificate of the file that is not self-signed (CA_MD_TOO_WEAK).
pub fn server_loading(file: &[CertSummary]) -> Vec<Issue> {
    let Some(leaf) = file.first() else { return Vec::new() };
    let mut issues = loadability(leaf, Role::Leaf);
    for (position, cert) in file.iter().enumerate() {
        let role = if position == 0 { Role::Leaf } else { Role::Intermediate };
        issues.extend(weak_signature(cert, role).filter(|issue| issue.affects.contains(Party::Granian)));
        if position > 0 {
            issues.extend(issuer_key(cert, role));
        }
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
                    "this is an X.509 version {} certificate: rustls rejects it with UnsupportedCertVersion, so Granian refuses to start with it (its worker panics) and rustls clients refuse to connect; curl and Python accept it",
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
        issues.push(if leaf { issue.remedy(reissue(cert, None)) } else { issue.affecting(Parties::CLIENTS) });
    }

    // RFC 5280 §4.2: an extension appears at most once. OpenSSL refuses the certificate
    // (Python's load_cert_chain, so Granian does not start; Python clients), and so does
    // webpki; curl accepts it when it is the very certificate its CA file holds (measured).
    let mut seen = std::collections::HashSet::new();
    if let Some(twice) = cert.extensions.iter().find(|e| !seen.insert(e.oid.as_str())) {
        let issue = Issue::new(
            Code::MalformedCertificate,
            format!(
                "its {} extension appears twice, which X.509 forbids: OpenSSL refuses it (\"X509V3: INVALID_CERTIFICATE\"), so Granian fails at start and Python clients reject it, as do rustls clients",
                twice.name
            ),
            if leaf {
                format!("issue it again with each extension once: {FIX}")
            } else {
                "have the CA issue it again with each extension once".to_owned()
            },
        );
        issues.push(if leaf { issue.remedy(reissue(cert, None)) } else { issue.affecting(Parties::CLIENTS) });
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
        issues.push(if leaf { issue.remedy(reissue(cert, None)) } else { issue.affecting(Parties::CLIENTS) });
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
    let (when, until) = (clock::relative(now, cert.not_after), clock::human(cert.not_after));
    if now > cert.not_after {
        let message =
            format!("it expired {when} ({until}): every client rejects it, although Granian still starts with it");
        Some(with_remedy(Issue::new(Code::Expired, message, renew)))
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
        let message = format!(
            "it expires {when} ({until}), within the {warn_days}-day warning window: every client rejects it from then on"
        );
        Some(with_remedy(Issue::warning(Code::ExpiresSoon, message, renew)))
    } else {
        None
    }
}

/// Since RFC 2818 / CA/B Forum BR §7.1.4.2.1 names live in the SAN; browsers, Go and
/// rustls ignore the CN entirely.
fn no_subject_alt_name(cert: &CertSummary) -> Option<Issue> {
    // A SAN that cannot be read (one given twice) is malformed-certificate's to report.
    if !cert.san.is_empty() || cert.extensions.iter().any(|e| e.oid == SUBJECT_ALT_NAME) {
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
            "it is a CA certificate (basicConstraints CA:TRUE) served as the server's own: rustls clients reject it with CaUsedAsEndEntity, as does Firefox; Granian starts, and curl and Python accept it".to_owned(),
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
        .affecting(Parties::BROWSERS)
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
/// rustls has no algorithm for them. OpenSSL 3 at security level 2 refuses them in a chain
/// (Python's `load_cert_chain` too, so Granian fails at start with CA_MD_TOO_WEAK), but
/// it never checks a self-signed certificate's own signature: trusted as itself, curl and
/// Python accept it, and Granian starts (measured).
fn weak_signature(cert: &CertSummary, role: Role) -> Option<Issue> {
    WEAK_SIGNATURES.contains(&cert.signature_algorithm.as_str()).then(|| {
        // The OID registry has no names for these two.
        let algorithm = match cert.signature_algorithm.as_str() {
            "1.2.840.10045.4.1" => "ecdsa-with-SHA1",
            "1.2.840.113549.1.1.3" => "md4WithRSAEncryption",
            other => other,
        };
        if cert.self_signed {
            let issue = Issue::new(
                Code::WeakSignatureAlgorithm,
                format!(
                    "it is signed with {algorithm}: rustls clients reject it (UnsupportedSignatureAlgorithm); curl and Python accept it when told to trust it, since OpenSSL does not check a self-signed certificate's own signature"
                ),
                format!("issue a new one, signed with SHA-256: {FIX}"),
            )
            .affecting(Parties::RUSTLS);
            return if role == Role::Leaf { issue.remedy(reissue(cert, None)) } else { issue };
        }
        Issue::new(
            Code::WeakSignatureAlgorithm,
            format!(
                "it is signed with {algorithm}: Granian fails at start (Python's OpenSSL refuses it with CA_MD_TOO_WEAK), and rustls clients, curl, Python and browsers reject it"
            ),
            "have the issuer sign it again with SHA-256 or better (`openssl x509 -req -sha256 …`)".to_owned(),
        )
    })
}

/// OpenSSL (and browsers) accept an issuer only if its keyUsage, when it has one, allows
/// certificate signing (RFC 5280 §4.2.1.3; X509 error 32, "key usage does not include
/// certificate signing"); rustls-webpki does not check it.
fn certificate_signing(cert: &CertSummary) -> Option<Issue> {
    (!cert.key_usage.is_empty() && !cert.key_usage.contains(&"keyCertSign")).then(|| {
        Issue::new(
            Code::IssuerLacksKeyCertSign,
            format!(
                "it issues certificates, but its keyUsage ({}) lacks keyCertSign: curl, Python and browsers reject the chain (\"key usage does not include certificate signing\"); rustls clients do not check",
                cert.key_usage.join(", ")
            ),
            "reissue the CA certificate with keyUsage keyCertSign, cRLSign (`certsmith ca create` makes one)".to_owned(),
        )
    })
}

/// curl reads the issuer's name of the server's certificate and fails when it is empty
/// ("couldn't get X509-issuer name", measured with curl 7.88 and OpenSSL 3.0).
fn empty_issuer(cert: &CertSummary) -> Option<Issue> {
    cert.issuer.is_empty().then(|| {
        Issue::new(
            Code::EmptyIssuerName,
            "its issuer name is empty: curl fails (\"couldn't get X509-issuer name\"); Python and rustls clients accept it".to_owned(),
            format!("issue it with a subject and issuer name (a CN): {FIX}"),
        )
        .remedy(reissue(cert, None))
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
                    "its key ({key}) is too weak: Granian cannot load it (Python's OpenSSL refuses it with EE_KEY_TOO_SMALL), and every client refuses the server's signature made with it (rustls: BadSignature)"
                ),
                format!("make a new key and certificate (P-256 by default): {FIX}"),
            )
            .remedy(reissue(cert, None))
            .affecting(Parties::ALL),
        );
    }
    let supported = match key {
        KeyAlgorithm::Rsa { bits } => *bits <= 4096,
        KeyAlgorithm::Ec { curve } => curve == "P-256" || curve == "P-384",
        KeyAlgorithm::Ed25519 => true,
        _ => false,
    };
    // rustls clients (aws-lc-rs, rustls' default) verify larger RSA keys and P-521, but
    // no signature by an RSA-PSS-only, Ed448 or DSA key: the handshake fails (measured).
    let clients_verify = matches!(key, KeyAlgorithm::Rsa { .. } | KeyAlgorithm::Ec { .. });
    (!supported).then(|| {
        let (clients, parties) = if clients_verify {
            ("", Parties::GRANIAN)
        } else {
            (
                "; rustls clients and browsers cannot verify its signatures either, so the handshake fails",
                Parties::GRANIAN.with(Parties::RUSTLS).with(Parties::BROWSERS),
            )
        };
        Issue::new(
            Code::KeyUnsupportedByGranian,
            format!(
                "its key ({key}) is one Granian cannot load: Granian uses rustls with ring, which loads only RSA keys of 2048 to 4096 bits, ECDSA P-256 and P-384, and Ed25519, so its worker panics at start (\"failed to parse private key as RSA, ECDSA, or EdDSA\"){clients}"
            ),
            format!("make a new key and certificate (P-256 by default): {FIX}"),
        )
        .remedy(reissue(cert, None))
        .affecting(parties)
    })
}

/// An issuer's key: clients cannot verify signatures made with a weak one.
/// An intermediate is served from the certificate file, which Python's OpenSSL loads at
/// security level 2: a weak key there stops Granian too (CA_KEY_TOO_SMALL, measured).
fn issuer_key(cert: &CertSummary, role: Role) -> Option<Issue> {
    let key = &cert.public_key;
    weak_key(key).then(|| {
        let served = role == Role::Intermediate;
        let granian = if served { "Granian fails at start with it in the certificate file (CA_KEY_TOO_SMALL), and " } else { "" };
        Issue::new(
            Code::WeakKey,
            format!(
                "its key ({key}) is too weak: {granian}rustls clients, curl, Python and browsers refuse signatures made with RSA keys under 2048 bits or curves under 256 bits"
            ),
            "use a CA with an RSA key of at least 2048 bits or an ECDSA P-256 or P-384 key".to_owned(),
        )
        .affecting(if served { Parties::ALL } else { Parties::CLIENTS })
    })
}

#[cfg(test)]
mod tests;
