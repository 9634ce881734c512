//! Verifying what a server sends, as a rustls client would: the path to a trust anchor and
//! the host names by rustls-webpki (the verifier rustls clients use), plus certsmith's own
//! checks (`checks`) on every certificate of the chain, so that every problem is
//! reported, not only the one webpki returns. webpki's errors are mapped onto the same
//! finding codes, never shown as its Debug text alone, and never twice.
//!
//! The chain is the one webpki verified; when webpki finds none, certsmith builds the
//! chain a client would try (issuer names and signatures) to say where it breaks.
//! Nothing here prints or sees command-line types.

mod chain;
mod errors;
mod names;
mod pool;

pub use chain::chains_to;
use chain::*;
pub(crate) use errors::webpki_error;
use names::names;
pub use pool::Pool;

use std::sync::OnceLock;
use std::time::Duration as StdDuration;

use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use serde::Serialize;
use time::OffsetDateTime;
use webpki::{EndEntityCert, KeyUsage};
use x509_parser::certificate::X509Certificate;
use x509_parser::error::X509Error;
use x509_parser::prelude::FromDer;

use super::checks::{self, Issue, Role};
use super::describe::{self, CertSummary};
use super::key::{self, KeyAlgorithm};
use crate::clock;
use crate::finding::Failure;
use crate::finding::{Code, FIX, Finding, Parties, Remedy, Severity, Subject};

/// The signature algorithms rustls clients accept with the aws-lc-rs provider (the one
/// `connect` uses). Not `webpki::ALL_VERIFICATION_ALGS`: with rustls's `ring` feature on
/// (for the Granian key check) it tries ring's algorithms first, whose constant-time P-256
/// verification takes twice as long, and that is most of what verify spends.
pub fn verification_algorithms() -> &'static [&'static dyn rustls_pki_types::SignatureVerificationAlgorithm] {
    rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms.all
}

/// A certificate and where it came from (file and PEM block).
#[derive(Debug, Clone)]
pub struct Sourced {
    pub der: CertificateDer<'static>,
    pub source: Subject,
}

/// A name clients connect with: a DNS name or an IP address, parsed as rustls parses it.
#[derive(Debug, Clone)]
pub struct Host {
    pub text: String,
    name: ServerName<'static>,
}

impl Host {
    pub fn parse(text: &str) -> Option<Self> {
        let name = ServerName::try_from(text).ok()?.to_owned();
        Some(Self { text: text.to_owned(), name })
    }

    /// The name as rustls clients take it (SNI and the name verified).
    pub fn server_name(&self) -> &ServerName<'static> {
        &self.name
    }
}

/// What every file is checked with.
#[derive(Debug, Clone)]
pub struct Settings<'a> {
    pub hosts: &'a [Host],
    pub now: OffsetDateTime,
    /// Warn about certificates expiring within this many days (0: never).
    pub warn_days: u32,
    /// Where trusted CAs would come from, for the words of the warning when none did.
    pub trust_source: TrustSource,
}

/// How the person running certsmith says which CAs clients trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustSource {
    /// `--ca` (verify, connect).
    CaOption,
    /// The clients' CA bundle variables, REQUESTS_CA_BUNDLE or SSL_CERT_FILE (doctor).
    ClientBundles,
}

/// One certificate of a chain as built, as JSON `data.files[].chain[]`.
#[derive(Debug, Clone, Serialize)]
pub struct ChainLink {
    pub subject: String,
    /// Where it came from: the file itself, an `--untrusted` file or a `--ca` file.
    pub source: Subject,
    pub fingerprint_sha256: String,
    /// The chain ends at a certificate the client trusts: from `--ca`, or without `--ca`
    /// a self-signed leaf (trusted as itself, as by a client told to trust it).
    pub trust_anchor: bool,
}

/// What verifying one file found.
#[derive(Debug)]
pub struct Verified {
    pub leaf: CertSummary,
    pub chain: Vec<ChainLink>,
    pub findings: Vec<Finding>,
}

/// A certificate parsed once, described on demand.
struct Parsed<'a> {
    cert: &'a Sourced,
    x509: X509Certificate<'a>,
    summary: OnceLock<CertSummary>,
}

impl<'a> Parsed<'a> {
    fn new(cert: &'a Sourced) -> Result<Self, String> {
        let (_, x509) = X509Certificate::from_der(&cert.der).map_err(|e| e.to_string())?;
        Ok(Self { cert, x509, summary: OnceLock::new() })
    }

    fn summary(&self) -> &CertSummary {
        self.summary.get_or_init(|| describe::summarize(&self.x509, &self.cert.der))
    }

    /// `CN=…` or the whole subject, for messages.
    fn name(&self) -> String {
        let summary = self.summary();
        summary.common_name.as_ref().map_or_else(|| summary.subject.clone(), |cn| format!("CN={cn}"))
    }
}

pub fn unix_time(t: OffsetDateTime) -> UnixTime {
    UnixTime::since_unix_epoch(StdDuration::from_secs(u64::try_from(t.unix_timestamp()).unwrap_or(0)))
}

fn from_unix(t: UnixTime) -> OffsetDateTime {
    i64::try_from(t.as_secs())
        .ok()
        .and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Verifies one file: `file` is what the server sends, the leaf first (never empty).
pub fn verify_file(file: &[Sourced], pool: &Pool<'_>, settings: &Settings<'_>) -> Result<Verified, String> {
    let chain = Chain { file: file.iter().map(Parsed::new).collect::<Result<_, _>>()?, pool };
    let leaf = chain.get(Node::File(0)).ok_or("the file holds no certificate")?;
    let self_signed = leaf.summary().self_signed;
    let with_ca = pool.trust.is_some();

    // Without --ca a client told to trust the certificate has it as its anchor: the leaf
    // itself when self-signed, else the top of the chain (trust is then not checked).
    let mut built = None;
    let provisional: Option<Node> = if with_ca {
        None
    } else if self_signed {
        Some(Node::File(0))
    } else {
        let b = built.insert(chain.build());
        b.links.last().map(|(n, _)| *n).filter(|n| *n != Node::File(0))
    };
    let provisional_anchor: Vec<TrustAnchor<'_>> = provisional
        .and_then(|n| chain.get(n))
        .and_then(|p| webpki::anchor_from_trusted_cert(&p.cert.der).ok())
        .into_iter()
        .collect();
    let anchors = match &pool.trust {
        Some(trust) => trust.anchors.as_slice(),
        None => provisional_anchor.as_slice(),
    };

    // webpki's verdict and the chain it verified; else the chain a client would try.
    let mut findings = Vec::new();
    let verdict = chain.webpki_path(anchors, unix_time(settings.now));
    let (nodes, anchored) = match &verdict {
        Ok((nodes, anchor)) => {
            let anchor = anchor.and_then(|i| if with_ca { Some(Node::Anchor(i)) } else { provisional });
            let mut nodes = nodes.clone();
            nodes.extend(anchor.filter(|a| nodes.last() != Some(a)));
            (nodes, anchor)
        }
        Err(_) => {
            let b = built.get_or_insert_with(|| chain.build());
            findings.extend(chain.bad_signatures(b));
            let nodes: Vec<Node> = b.links.iter().map(|(n, _)| *n).collect();
            let anchor = if b.end == End::Anchor { nodes.last().copied() } else { None };
            (nodes, anchor)
        }
    };

    findings.extend(chain.own_checks(&nodes, with_ca, settings));

    // Trust: without --ca it is not checked (a warning); with it, webpki decides.
    let top = nodes.last().copied().unwrap_or(Node::File(0));
    if (!with_ca && !self_signed) || (with_ca && anchored.is_none() && verdict.is_err()) {
        findings.extend(unknown_issuer(&chain, top, with_ca, settings.trust_source));
    }

    // webpki's own answer, unless a finding already says the same or explains it.
    if let Err(error) = &verdict {
        let unchecked_trust = !with_ca && *error == webpki::Error::UnknownIssuer;
        let (code, why, hint) = webpki_error(error);
        if !unchecked_trust && !explained(&findings, code) {
            let subject = if leaf_only(error) { leaf.cert.source.clone() } else { chain.file_subject() };
            findings.push(Issue::new(code, why, hint).into_own_finding(subject));
        }
    }

    // The signature error webpki reports for a self-signed certificate that is not
    // trusted, when a different trusted certificate has its name, hides the cause.
    if with_ca
        && self_signed
        && verdict.is_err()
        && let Some(collision) = name_collision(&chain, leaf)
    {
        let hidden = [Code::BadSignature, Code::UnsupportedSignatureAlgorithm, Code::UnknownIssuer];
        findings.retain(|f| !hidden.contains(&f.code));
        findings.push(collision);
    }

    findings.extend(names(leaf, settings.hosts, &findings));
    findings.extend(chain_order(&chain, &nodes));

    let links = chain_links(&chain, &nodes, anchored, provisional);
    Ok(Verified { leaf: leaf.summary().clone(), chain: links, findings })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_dns_names_or_ip_addresses_as_rustls_parses_them() {
        assert!(matches!(Host::parse("example.com").unwrap().name, ServerName::DnsName(_)));
        assert!(matches!(Host::parse("127.0.0.1").unwrap().name, ServerName::IpAddress(_)));
        assert!(matches!(Host::parse("::1").unwrap().name, ServerName::IpAddress(_)));
        for bad in ["https://example.com/", "example.com:8443", "*.example.com", "", "a b"] {
            assert!(Host::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn webpki_errors_say_who_rejects_and_never_only_debug_text() {
        use webpki::Error as E;
        let errors = [
            E::UnsupportedCertVersion,
            E::CaUsedAsEndEntity,
            E::EndEntityUsedAsCa,
            E::UnknownIssuer,
            E::InvalidSignatureForPublicKey,
            E::PathLenConstraintViolated,
            E::NameConstraintViolation,
            E::BadDer,
            E::CertDistrusted,
            E::MaximumPathBuildCallsExceeded,
            E::CertExpired {
                time: UnixTime::since_unix_epoch(StdDuration::ZERO),
                not_after: UnixTime::since_unix_epoch(StdDuration::ZERO),
            },
        ];
        for error in errors {
            let (_, message, hint) = webpki_error(&error);
            assert!(message.contains("rustls"), "{error:?}: {message}");
            assert_ne!(message, format!("{error:?}"));
            assert!(!hint.is_empty());
        }
        assert_eq!(webpki_error(&E::EndEntityUsedAsCa).0, Code::IssuerNotCa);
        assert!(
            webpki_error(&E::CertExpired {
                time: unix_time(OffsetDateTime::UNIX_EPOCH),
                not_after: UnixTime::since_unix_epoch(StdDuration::from_secs(86_400))
            })
            .1
            .contains("1970-01-02 00:00:00 UTC")
        );
    }

    #[test]
    fn an_error_finding_explains_webpki_errors_it_causes() {
        let at = |code, severity| vec![Finding::new(code, severity, Subject::default(), "m")];
        assert!(explained(&at(Code::WeakKey, Severity::Error), Code::BadSignature));
        assert!(explained(&at(Code::WeakSignatureAlgorithm, Severity::Error), Code::UnsupportedSignatureAlgorithm));
        assert!(explained(&at(Code::Expired, Severity::Error), Code::Expired));
        assert!(!explained(&at(Code::Expired, Severity::Error), Code::BadSignature));
        assert!(!explained(&at(Code::MissingServerAuthEku, Severity::Warning), Code::MissingServerAuthEku));
    }
}
