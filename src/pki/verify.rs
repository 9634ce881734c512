//! Verifying what a server sends, as a rustls client would: the path to a trust anchor and
//! the host names by rustls-webpki (the verifier rustls clients use), plus certsmith's own
//! checks (`checks`) on every certificate of the chain, so that every problem is
//! reported, not only the one webpki returns. webpki's errors are mapped onto the same
//! finding codes, never shown as its Debug text alone, and never twice.
//!
//! The chain is the one webpki verified; when webpki finds none, certsmith builds the
//! chain a client would try (issuer names and signatures) to say where it breaks.
//! Nothing here prints or sees command-line types.

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
use crate::finding::{Code, FIX, Finding, Remedy, Severity, Subject};

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

/// The certificates every file is checked against (`--untrusted`, `--ca`), parsed once per run.
pub struct Pool<'a> {
    untrusted: Vec<Parsed<'a>>,
    /// `None` without `--ca`.
    trust: Option<Trust<'a>>,
}

struct Trust<'a> {
    certs: Vec<Parsed<'a>>,
    anchors: Vec<TrustAnchor<'a>>,
}

impl<'a> Pool<'a> {
    /// Fails when a `--ca` certificate cannot be a trust anchor for rustls.
    pub fn new(untrusted: &'a [Sourced], ca: Option<&'a [Sourced]>) -> Result<Self, Failure> {
        let parse = |cert: &'a Sourced| {
            Parsed::new(cert).map_err(|e| {
                Failure::new(format!("{}: cannot read this certificate: {e}", cert.source))
                    .hint("the data is damaged; copy it again from its source")
                    .about(cert.source.clone())
            })
        };
        let untrusted = untrusted.iter().map(parse).collect::<Result<_, _>>()?;
        let trust = match ca {
            None => None,
            Some(ca) => {
                let certs = ca.iter().map(parse).collect::<Result<_, _>>()?;
                let anchors = ca
                    .iter()
                    .map(|cert| {
                        webpki::anchor_from_trusted_cert(&cert.der).map_err(|_| {
                            Failure::new(format!(
                                "{}: rustls cannot use this certificate as a trust anchor: rustls-webpki cannot read it",
                                cert.source
                            ))
                            .hint("pass the CA certificate clients trust, as PEM or DER; `certsmith inspect` shows what is in the file")
                            .about(cert.source.clone())
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Some(Trust { certs, anchors })
            }
        };
        Ok(Self { untrusted, trust })
    }
}

/// A certificate of the pool a file is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    /// The file's n-th certificate (0 is the leaf).
    File(usize),
    Untrusted(usize),
    Anchor(usize),
}

/// Whether a certificate's signature verifies with the key of the next one in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Signature {
    Bad,
    /// An algorithm or key certsmith cannot check (other findings say why).
    Unknown,
    Good,
}

/// The certificates of one file and the pool, with the chain found through them.
struct Chain<'p, 'a> {
    file: Vec<Parsed<'p>>,
    pool: &'p Pool<'a>,
}

/// Chains longer than this are not built: webpki stops at 6 intermediates.
const MAX_CHAIN: usize = 8;

/// How a chain built by name and signature ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Anchor,
    /// At a self-signed certificate that is not trusted.
    SelfSigned,
    /// At a certificate whose issuer is nowhere.
    NoIssuer,
}

struct Built {
    /// Each certificate, with the verdict on the signature of the one before it.
    links: Vec<(Node, Signature)>,
    end: End,
}

impl<'p, 'a: 'p> Chain<'p, 'a> {
    fn get(&self, node: Node) -> Option<&Parsed<'p>> {
        match node {
            Node::File(i) => self.file.get(i),
            Node::Untrusted(i) => self.pool.untrusted.get(i),
            Node::Anchor(i) => self.pool.trust.as_ref().and_then(|t| t.certs.get(i)),
        }
    }

    /// Issuer candidates in the order a client prefers them: trust anchors, then what the
    /// server sent, then the extra intermediates.
    fn candidates(&self) -> impl Iterator<Item = Node> + '_ {
        let anchors = self.pool.trust.as_ref().map_or(0, |t| t.certs.len());
        (0..anchors)
            .map(Node::Anchor)
            .chain((1..self.file.len()).map(Node::File))
            .chain((0..self.pool.untrusted.len()).map(Node::Untrusted))
    }

    /// From the leaf, each issuer by name (RFC 5280 §6.1: issuer = subject of the next),
    /// preferring one whose signature verifies; stops at a trust anchor.
    fn build(&self) -> Built {
        let mut links = vec![(Node::File(0), Signature::Good)];
        while let Some(&(last, _)) = links.last() {
            if matches!(last, Node::Anchor(_)) {
                return Built { links, end: End::Anchor };
            }
            let Some(current) = self.get(last) else { break };
            let mut best: Option<(Node, Signature)> = None;
            for node in self.candidates() {
                let Some(candidate) = self.get(node) else { continue };
                let used = links.iter().any(|(n, _)| {
                    *n == node
                        || (!matches!(node, Node::Anchor(_))
                            && self.get(*n).is_some_and(|p| p.cert.der == candidate.cert.der))
                });
                if used || candidate.x509.subject().as_raw() != current.x509.issuer().as_raw() {
                    continue;
                }
                let signature = signature(&current.x509, &candidate.x509);
                if best.is_none_or(|(_, s)| signature > s) {
                    best = Some((node, signature));
                }
                if signature == Signature::Good {
                    break;
                }
            }
            match best {
                Some(link) if links.len() < MAX_CHAIN => links.push(link),
                Some(_) => return Built { links, end: End::NoIssuer },
                None if current.summary().self_signed => return Built { links, end: End::SelfSigned },
                None => return Built { links, end: End::NoIssuer },
            }
        }
        Built { links, end: End::NoIssuer }
    }

    /// The subject of a finding about `node`: its block when it is in the file, else the file.
    fn subject(&self, node: Node) -> Subject {
        match (node, self.get(node)) {
            (Node::File(_), Some(p)) => p.cert.source.clone(),
            _ => self.file_subject(),
        }
    }

    fn file_subject(&self) -> Subject {
        Subject { index: None, ..self.file.first().map(|p| p.cert.source.clone()).unwrap_or_default() }
    }

    /// How a message names a certificate other than the leaf.
    fn describe(&self, node: Node) -> String {
        let Some(p) = self.get(node) else { return String::new() };
        match node {
            Node::File(_) => format!("the CA certificate {}", p.name()),
            Node::Untrusted(_) => format!("the intermediate {} ({})", p.name(), p.cert.source),
            Node::Anchor(_) => format!("the trusted CA {} ({})", p.name(), p.cert.source),
        }
    }

    /// A finding about one certificate of the chain; messages about others than the leaf
    /// say which certificate they are about.
    fn finding(&self, node: Node, issue: Issue) -> Finding {
        let mut finding = issue.into_own_finding(self.subject(node));
        if node != Node::File(0) {
            finding.message = format!("{}: {}", self.describe(node), finding.message);
        }
        finding
    }
}

/// Verdict on `child`'s signature with `issuer`'s key. aws-lc-rs refuses RSA keys under
/// 2048 bits, which is a weak key (reported as such), not a bad signature.
fn signature(child: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Signature {
    if matches!(key::algorithm_of(issuer.public_key()), KeyAlgorithm::Rsa { bits } if bits < 2048) {
        return Signature::Unknown;
    }
    match child.verify_signature(Some(issuer.public_key())) {
        Ok(()) => Signature::Good,
        Err(X509Error::SignatureUnsupportedAlgorithm) => Signature::Unknown,
        Err(_) => Signature::Bad,
    }
}

/// A time as rustls and webpki take it (times before 1970 become 1970).
/// Whether `leaf` chains to `anchor` through `intermediates` for TLS server authentication
/// at `at`, as a rustls client decides it (names are checked separately). For gen's
/// self-check and --if-needed; `verify_file` does the same with every problem explained.
pub fn chains_to(
    leaf: &EndEntityCert<'_>,
    anchor: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    at: OffsetDateTime,
) -> Result<(), webpki::Error> {
    let anchors = [webpki::anchor_from_trusted_cert(anchor)?];
    leaf.verify_for_usage(
        verification_algorithms(),
        &anchors,
        intermediates,
        unix_time(at),
        KeyUsage::server_auth(),
        None,
        None,
    )
    .map(drop)
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

    findings.extend(names(leaf, settings.hosts, &findings));
    findings.extend(chain_order(&chain, &nodes));

    let links = chain_links(&chain, &nodes, anchored, provisional);
    Ok(Verified { leaf: leaf.summary().clone(), chain: links, findings })
}

impl<'p, 'a: 'p> Chain<'p, 'a> {
    /// The node holding this DER: the file's certificates first, then `--untrusted`.
    fn find(&self, der: &[u8]) -> Option<Node> {
        let in_file = self.file.iter().position(|p| p.cert.der.as_ref() == der).map(Node::File);
        in_file.or_else(|| self.pool.untrusted.iter().position(|p| p.cert.der.as_ref() == der).map(Node::Untrusted))
    }

    /// webpki's path validation for server authentication, as a rustls client runs it
    /// (intermediates: the rest of the file, then `--untrusted`): the leaf and the
    /// intermediates it used, and the index of the anchor it reached.
    fn webpki_path(
        &self,
        anchors: &[TrustAnchor<'_>],
        time: UnixTime,
    ) -> Result<(Vec<Node>, Option<usize>), webpki::Error> {
        let intermediates: Vec<CertificateDer<'_>> = self
            .file
            .iter()
            .skip(1)
            .chain(&self.pool.untrusted)
            .map(|p| CertificateDer::from(p.cert.der.as_ref()))
            .collect();
        let leaf = self.file.first().map(|p| &p.cert.der).ok_or(webpki::Error::BadDer)?;
        let ee = EndEntityCert::try_from(leaf)?;
        let path = ee.verify_for_usage(
            verification_algorithms(),
            anchors,
            &intermediates,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )?;
        let mut nodes = vec![Node::File(0)];
        nodes.extend(path.intermediate_certificates().filter_map(|c| self.find(c.der().as_ref())));
        let anchor = anchors.iter().position(|a| std::ptr::eq(a, path.anchor()));
        Ok((nodes, anchor))
    }

    /// Links of a built chain whose signature does not verify with the next one's key.
    fn bad_signatures(&self, built: &Built) -> Vec<Finding> {
        built
            .links
            .windows(2)
            .filter_map(|pair| match pair {
                [(child, _), (issuer, Signature::Bad)] => Some(self.finding(
                    *child,
                    Issue::new(
                        Code::BadSignature,
                        format!(
                            "its signature does not verify with the key of its issuer, {}: every client rejects the chain (rustls: InvalidSignatureForPublicKey)",
                            self.describe(*issuer).trim_start_matches("the ")
                        ),
                        "the certificate was not issued by that CA, or was altered: get the certificate and its chain again from the CA".to_owned(),
                    ),
                )),
                _ => None,
            })
            .collect()
    }

    /// certsmith's own checks on each certificate of the chain in its role (each once: a
    /// self-signed leaf in --ca is also its own anchor).
    fn own_checks(&self, nodes: &[Node], with_ca: bool, settings: &Settings<'_>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let last = nodes.len().saturating_sub(1);
        for (position, node) in nodes.iter().enumerate() {
            let Some(parsed) = self.get(*node) else { continue };
            let seen = nodes.iter().take(position).filter_map(|n| self.get(*n));
            if seen.map(|p| &p.cert.der).any(|der| *der == parsed.cert.der) {
                continue;
            }
            let self_signed_top = position == last && position > 0 && parsed.summary().self_signed;
            let role = match node {
                _ if position == 0 => Role::Leaf,
                Node::Anchor(_) => Role::Anchor,
                // Without --ca, a self-signed top is what a client would have to trust.
                _ if self_signed_top && !with_ca => Role::Anchor,
                _ => Role::Intermediate,
            };
            findings.extend(
                checks::chain_issues(parsed.summary(), role, settings.now, settings.warn_days)
                    .into_iter()
                    .map(|issue| self.finding(*node, issue)),
            );
        }
        findings
    }
}

/// No trusted certificate issued the chain: an error with --ca; without it, a warning
/// that trust was not checked.
fn unknown_issuer(chain: &Chain<'_, '_>, top: Node, with_ca: bool, source: TrustSource) -> Option<Finding> {
    let top_cert = chain.get(top)?;
    let (name, issuer, self_signed) = (top_cert.name(), &top_cert.summary().issuer, top_cert.summary().self_signed);
    if !with_ca {
        let path = chain.file_subject().path.unwrap_or_default();
        let end = if self_signed {
            format!("the self-signed {name}")
        } else {
            format!("{name}, whose issuer ({issuer}) is not in the file")
        };
        let trusted = if self_signed { "the certificate itself" } else { "the CA that issued it" };
        let (nothing_says, hint) = match source {
            TrustSource::CaOption => (
                "no --ca says which CA clients trust",
                format!("check it against what clients trust, {trusted}: {FIX}"),
            ),
            TrustSource::ClientBundles => (
                "no client's CA bundle (REQUESTS_CA_BUNDLE, SSL_CERT_FILE) says which CA they trust",
                format!(
                    "give the clients {trusted} in a bundle with the system's roots, mounted, with SSL_CERT_FILE and REQUESTS_CA_BUNDLE pointing at it (certsmith then checks the chain against it): {FIX}; {path} alone: `certsmith verify --ca CA.pem {}`",
                    checks::shell_word(&path)
                ),
            ),
        };
        let remedy = match source {
            TrustSource::CaOption => Remedy::TrustIssuer { issuer: (!self_signed).then(|| issuer.clone()) },
            TrustSource::ClientBundles => Remedy::TrustCompose { compose: None },
        };
        let finding = Issue::warning(
            Code::UnknownIssuer,
            format!(
                "trust was not checked: the chain ends at {end}, and {nothing_says}; every client rejects the certificate unless it trusts that CA"
            ),
            hint,
        )
        .remedy(remedy);
        return Some(finding.into_own_finding(chain.file_subject()));
    }
    let message = if self_signed {
        format!(
            "{name} is self-signed and not among the trusted certificates (--ca): rustls clients reject the chain with UnknownIssuer, as does every client that does not trust it"
        )
    } else {
        format!(
            "no trusted certificate (--ca) or certificate in the chain issued {name} (its issuer is {issuer}): rustls clients reject the chain with UnknownIssuer"
        )
    };
    let issue = Issue::new(
        Code::UnknownIssuer,
        message,
        "pass the CA that issued it with --ca, and put any missing intermediate certificate in the file after the leaf (or pass it with --untrusted)".to_owned(),
    );
    Some(issue.into_own_finding(chain.subject(top)))
}

/// Whether a finding at error severity already says what webpki's error says.
fn explained(findings: &[Finding], code: Code) -> bool {
    // A weak key or a SHA-1 signature is why webpki cannot verify a signature; no SAN is
    // why no name matches.
    let causes: &[Code] = match code {
        Code::BadSignature => &[Code::WeakKey],
        Code::UnsupportedSignatureAlgorithm => &[Code::WeakSignatureAlgorithm, Code::WeakKey],
        Code::NameMismatch => &[Code::NoSubjectAltName],
        _ => &[],
    };
    findings.iter().any(|f| f.severity == Severity::Error && (f.code == code || causes.contains(&f.code)))
}

/// webpki errors that can only be about the leaf.
fn leaf_only(error: &webpki::Error) -> bool {
    matches!(error, webpki::Error::CaUsedAsEndEntity | webpki::Error::CertNotValidForName(_))
}

/// Each `--host` as rustls matches it (RFC 6125 as webpki implements it: wildcards match
/// one leftmost label, an IP address needs an IP SAN, the CN is ignored).
fn names(leaf: &Parsed<'_>, hosts: &[Host], findings: &[Finding]) -> Vec<Finding> {
    let Ok(ee) = EndEntityCert::try_from(&leaf.cert.der) else {
        return Vec::new(); // webpki cannot read the leaf: already reported.
    };
    let summary = leaf.summary();
    let covered: Vec<&str> = summary.san.dns.iter().chain(&summary.san.ip).map(String::as_str).collect();
    let mut out = Vec::new();
    for host in hosts {
        let Err(error) = ee.verify_is_valid_for_subject_name(&host.name) else { continue };
        let (code, why, hint) = match error {
            webpki::Error::CertNotValidForName(_) => (
                Code::NameMismatch,
                format!(
                    "it is not valid for {}: rustls clients and browsers reject it for that name; it covers {}",
                    host.text,
                    if covered.is_empty() { "no DNS name or IP address".to_owned() } else { covered.join(", ") }
                ),
                format!("connect with a name it covers, or issue one that also covers {}: {FIX}", host.text),
            ),
            other => webpki_error(&other),
        };
        let remedy = (code == Code::NameMismatch).then(|| checks::reissue(summary, Some(&host.text)));
        // One finding per name that does not match; other errors (a SAN webpki cannot
        // read) are the same for every name.
        let repeated = code != Code::NameMismatch && out.iter().any(|f: &Finding| f.code == code);
        if !explained(findings, code) && !repeated {
            let issue = Issue::new(code, why, hint);
            let issue = match remedy {
                Some(remedy) => issue.remedy(remedy),
                None => issue,
            };
            out.push(issue.into_own_finding(leaf.cert.source.clone()));
        }
    }
    out
}

/// RFC 5246 §7.4.2: the sender's certificate comes first and each following certificate
/// must directly certify the one preceding it. TLS 1.3 (RFC 8446 §4.4.2) lets clients
/// accept other orders, but rustls and Granian always serve the first certificate as the
/// server's own, and strict TLS 1.2 clients reject an out-of-order chain.
fn chain_order(chain: &Chain<'_, '_>, nodes: &[Node]) -> Vec<Finding> {
    let mut findings = Vec::new();
    let ders: Vec<&[u8]> = nodes.iter().filter_map(|n| chain.get(*n)).map(|p| p.cert.der.as_ref()).collect();
    let position = |p: &Parsed<'_>| ders.iter().position(|d| *d == p.cert.der.as_ref());
    let leaf_is_ca = chain.file.first().is_some_and(|p| p.summary().is_ca);
    let mut in_chain = Vec::new();
    for parsed in chain.file.iter().skip(1) {
        match position(parsed) {
            Some(at) => in_chain.push(at),
            None if leaf_is_ca && !parsed.summary().is_ca => findings.push(Finding::new(
                Code::ChainOrder,
                Severity::Error,
                parsed.cert.source.clone(),
                format!(
                    "the server certificate {} comes after a CA certificate: rustls and Granian serve the first certificate of the file as the server's own, so its key does not match and clients reject it as CaUsedAsEndEntity",
                    parsed.name()
                ),
            )
            .hint("put the server certificate first, then its issuers: `cat server.pem intermediate.pem > chain.pem`")),
            None => findings.push(Finding::new(
                Code::ChainOrder,
                Severity::Error,
                parsed.cert.source.clone(),
                format!(
                    "{} is not part of the chain from the leaf to its trust anchor: strict TLS 1.2 clients reject a chain with a certificate that does not certify the one before it",
                    parsed.name()
                ),
            )
            .hint("remove it from the file")),
        }
    }
    if in_chain.windows(2).any(|w| matches!(w, [a, b] if a > b)) {
        // The file's certificates in chain order, by their place in the file.
        let mut order: Vec<(usize, String)> = chain
            .file
            .iter()
            .filter_map(|p| {
                position(p).map(|at| (at, p.cert.source.index.map_or_else(|| p.name(), |i| format!("#{i}"))))
            })
            .collect();
        order.sort();
        let order: Vec<String> = order.into_iter().map(|(_, place)| place).collect();
        findings.push(
            Finding::new(
                Code::ChainOrder,
                Severity::Error,
                chain.file_subject(),
                format!(
                    "the certificates are out of order: each must be followed by the one that issued it (the chain is {}); strict TLS 1.2 clients reject the chain",
                    order.join(", ")
                ),
            )
            .hint("reorder the file: the leaf first, then each issuer in turn"),
        );
    }
    findings
}

/// The chain as JSON shows it. The anchor is marked; a self-signed leaf trusted as itself
/// is one link.
fn chain_links(
    chain: &Chain<'_, '_>,
    nodes: &[Node],
    anchored: Option<Node>,
    provisional: Option<Node>,
) -> Vec<ChainLink> {
    let self_trusted = provisional == Some(Node::File(0));
    nodes
        .iter()
        .filter_map(|n| chain.get(*n).map(|p| (n, p)))
        .map(|(node, p)| ChainLink {
            subject: p.summary().subject.clone(),
            source: p.cert.source.clone(),
            fingerprint_sha256: p.summary().fingerprint_sha256.clone(),
            trust_anchor: matches!(node, Node::Anchor(_)) && anchored == Some(*node)
                || (self_trusted && *node == Node::File(0)),
        })
        .collect()
}

/// A webpki error as (code, message, hint): what it means and who rejects the certificate.
#[allow(deprecated)] // webpki keeps old variants beside their `…Context` forms.
pub(crate) fn webpki_error(error: &webpki::Error) -> (Code, String, String) {
    use webpki::Error as E;
    let rejects = |what: &str| format!("rustls clients reject the chain with {what}");
    let malformed = |what: &str, variant: &str| {
        (
            Code::MalformedCertificate,
            format!("a certificate of the chain is malformed ({what}): {}", rejects(variant)),
            "regenerate the certificate, or get it again from its CA; `certsmith inspect FILE` shows what is in it"
                .to_owned(),
        )
    };
    match error {
        E::UnsupportedCertVersion => (
            Code::UnsupportedCertVersion,
            format!("a certificate of the chain is not X.509 v3: {}", rejects("UnsupportedCertVersion")),
            "make v3 certificates: `openssl x509 -req` needs `-extfile` (or use `certsmith gen`)".to_owned(),
        ),
        E::UnsupportedCriticalExtension => (
            Code::UnknownCriticalExtension,
            format!(
                "a certificate of the chain has a critical extension rustls does not understand: {}",
                rejects("UnsupportedCriticalExtension")
            ),
            "reissue it without that extension, or with it marked non-critical".to_owned(),
        ),
        E::CaUsedAsEndEntity => (
            Code::CaUsedAsEndEntity,
            format!("the leaf is a CA certificate: {}", rejects("CaUsedAsEndEntity")),
            "make a server certificate (CA:FALSE) for the leaf".to_owned(),
        ),
        E::EndEntityUsedAsCa => (
            Code::IssuerNotCa,
            format!(
                "a certificate that is not a CA (no basicConstraints CA:TRUE) issued another certificate of the chain: {}",
                rejects("EndEntityUsedAsCa")
            ),
            "issue the server certificate from a CA certificate (basicConstraints CA:TRUE), and put that CA's certificate after the leaf".to_owned(),
        ),
        E::CertExpired { not_after, .. } => (
            Code::Expired,
            format!(
                "a certificate of the chain expired at {}: {}, as does every client",
                clock::human(from_unix(*not_after)),
                rejects("CertExpired")
            ),
            "renew the expired certificate, and deploy the current chain from the CA".to_owned(),
        ),
        E::CertNotValidYet { not_before, .. } => (
            Code::NotYetValid,
            format!(
                "a certificate of the chain is not valid until {}: {}, as does every client",
                clock::human(from_unix(*not_before)),
                rejects("CertNotValidYet")
            ),
            "check the clock of the machine that made it, or wait".to_owned(),
        ),
        E::InvalidCertValidity => malformed("its validity ends before it begins", "InvalidCertValidity"),
        E::CertNotValidForName(_) => (
            Code::NameMismatch,
            format!("the certificate is not valid for the name: {}", rejects("CertNotValidForName")),
            "issue a certificate that covers the name".to_owned(),
        ),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => (
            Code::MissingServerAuthEku,
            format!(
                "a certificate of the chain has an extendedKeyUsage without serverAuth: {}",
                rejects("RequiredEkuNotFound")
            ),
            "issue the certificates with extendedKeyUsage serverAuth (or, for CAs, without extendedKeyUsage)".to_owned(),
        ),
        E::UnknownIssuer => (
            Code::UnknownIssuer,
            format!("no chain from the leaf reaches a trusted certificate: {}", rejects("UnknownIssuer")),
            "pass the CA that issued it with --ca, and put any missing intermediate in the file after the leaf".to_owned(),
        ),
        E::InvalidSignatureForPublicKey => (
            Code::BadSignature,
            format!(
                "a signature in the chain does not verify with its issuer's key: {}",
                rejects("InvalidSignatureForPublicKey")
            ),
            "get the certificate and its chain again from the CA".to_owned(),
        ),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => (
            Code::UnsupportedSignatureAlgorithm,
            format!(
                "a certificate of the chain is signed with an algorithm or key rustls does not support: {}",
                rejects("UnsupportedSignatureAlgorithm")
            ),
            "use RSA (2048 to 8192 bits), ECDSA P-256/P-384/P-521 or Ed25519 keys with SHA-256 or better".to_owned(),
        ),
        E::SignatureAlgorithmMismatch => {
            malformed("its two signature algorithm fields differ", "SignatureAlgorithmMismatch")
        }
        E::PathLenConstraintViolated | E::MaximumPathDepthExceeded => (
            Code::PathLenExceeded,
            format!(
                "the chain has more intermediate certificates than a CA's pathLenConstraint, or rustls, allows: {}",
                rejects(if *error == E::PathLenConstraintViolated {
                    "PathLenConstraintViolated"
                } else {
                    "MaximumPathDepthExceeded"
                })
            ),
            "issue the leaf from a CA nearer the root, or reissue the CA without that pathLenConstraint".to_owned(),
        ),
        E::NameConstraintViolation => (
            Code::NameConstraintViolation,
            format!(
                "a CA's name constraints forbid a name of a certificate below it: {}",
                rejects("NameConstraintViolation")
            ),
            "issue the certificate for names the CA is allowed to certify".to_owned(),
        ),
        E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => {
            malformed("a CA's name constraints cannot be read", "MalformedNameConstraint")
        }
        E::BadDer | E::BadDerTime | E::TrailingData(_) => malformed("its DER encoding is invalid", "BadDer"),
        E::MalformedExtensions | E::ExtensionValueInvalid => {
            malformed("an extension cannot be read", "MalformedExtensions")
        }
        E::InvalidSerialNumber => malformed("its serial number is invalid", "InvalidSerialNumber"),
        E::MalformedDnsIdentifier => malformed("a DNS name in it is malformed", "MalformedDnsIdentifier"),
        E::CertDistrusted => (
            Code::ChainRejected,
            format!("a certificate of the chain has a key rustls distrusts: {}", rejects("CertDistrusted")),
            "use a CA whose key is not distrusted".to_owned(),
        ),
        E::MaximumSignatureChecksExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumNameConstraintComparisonsExceeded => (
            Code::ChainRejected,
            format!("the chain is too complex to verify: rustls gives up ({error:?})"),
            "send only the leaf and the intermediates of its chain, and trust fewer overlapping CAs".to_owned(),
        ),
        other => (
            Code::ChainRejected,
            format!("rustls clients reject the chain (webpki error {other:?})"),
            "run `certsmith inspect` on each certificate of the chain to see what is in it".to_owned(),
        ),
    }
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
