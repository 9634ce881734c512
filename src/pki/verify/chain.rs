//! Building the chain a client would try (issuer names and signatures) when webpki finds
//! none, and the findings about it: where it breaks (`unknown-issuer`), its order, and
//! its links as reports show them.

use super::*;

/// A certificate of the pool a file is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Node {
    /// The file's n-th certificate (0 is the leaf).
    File(usize),
    Untrusted(usize),
    Anchor(usize),
}

/// Whether a certificate's signature verifies with the key of the next one in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Signature {
    Bad,
    /// An algorithm or key certsmith cannot check (other findings say why).
    Unknown,
    Good,
}

/// The certificates of one file and the pool, with the chain found through them.
pub(super) struct Chain<'p, 'a> {
    pub(super) file: Vec<Parsed<'p>>,
    pub(super) pool: &'p Pool<'a>,
}

/// Chains longer than this are not built: webpki stops at 6 intermediates.
pub(super) const MAX_CHAIN: usize = 8;

/// How a chain built by name and signature ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum End {
    Anchor,
    /// At a self-signed certificate that is not trusted.
    SelfSigned,
    /// At a certificate whose issuer is nowhere.
    NoIssuer,
}

pub(super) struct Built {
    /// Each certificate, with the verdict on the signature of the one before it.
    pub(super) links: Vec<(Node, Signature)>,
    pub(super) end: End,
}

impl<'p, 'a: 'p> Chain<'p, 'a> {
    pub(super) fn get(&self, node: Node) -> Option<&Parsed<'p>> {
        match node {
            Node::File(i) => self.file.get(i),
            Node::Untrusted(i) => self.pool.untrusted.get(i),
            Node::Anchor(i) => self.pool.trust.as_ref().and_then(|t| t.certs.get(i)),
        }
    }

    /// Issuer candidates in the order a client prefers them: trust anchors, then what the
    /// server sent, then the extra intermediates.
    pub(super) fn candidates(&self) -> impl Iterator<Item = Node> + '_ {
        let anchors = self.pool.trust.as_ref().map_or(0, |t| t.certs.len());
        (0..anchors)
            .map(Node::Anchor)
            .chain((1..self.file.len()).map(Node::File))
            .chain((0..self.pool.untrusted.len()).map(Node::Untrusted))
    }

    /// From the leaf, each issuer by name (RFC 5280 §6.1: issuer = subject of the next),
    /// preferring one whose signature verifies; stops at a trust anchor.
    pub(super) fn build(&self) -> Built {
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
    pub(super) fn subject(&self, node: Node) -> Subject {
        match (node, self.get(node)) {
            (Node::File(_), Some(p)) => p.cert.source.clone(),
            _ => self.file_subject(),
        }
    }

    pub(super) fn file_subject(&self) -> Subject {
        Subject { index: None, ..self.file.first().map(|p| p.cert.source.clone()).unwrap_or_default() }
    }

    /// How a message names a certificate other than the leaf.
    pub(super) fn describe(&self, node: Node) -> String {
        let Some(p) = self.get(node) else { return String::new() };
        match node {
            Node::File(_) => format!("the CA certificate {}", p.name()),
            Node::Untrusted(_) => format!("the intermediate {} ({})", p.name(), p.cert.source),
            Node::Anchor(_) => format!("the trusted CA {} ({})", p.name(), p.cert.source),
        }
    }

    /// A finding about one certificate of the chain; messages about others than the leaf
    /// say which certificate they are about.
    pub(super) fn finding(&self, node: Node, issue: Issue) -> Finding {
        let mut finding = issue.into_own_finding(self.subject(node));
        if node != Node::File(0) {
            finding.message = format!("{}: {}", self.describe(node), finding.message);
        }
        finding
    }
}

/// Verdict on `child`'s signature with `issuer`'s key. aws-lc-rs refuses RSA keys under
/// 2048 bits, which is a weak key (reported as such), not a bad signature.
pub(super) fn signature(child: &X509Certificate<'_>, issuer: &X509Certificate<'_>) -> Signature {
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

impl<'p, 'a: 'p> Chain<'p, 'a> {
    /// The node holding this DER: the file's certificates first, then `--untrusted`.
    pub(super) fn find(&self, der: &[u8]) -> Option<Node> {
        let in_file = self.file.iter().position(|p| p.cert.der.as_ref() == der).map(Node::File);
        in_file.or_else(|| self.pool.untrusted.iter().position(|p| p.cert.der.as_ref() == der).map(Node::Untrusted))
    }

    /// webpki's path validation for server authentication, as a rustls client runs it
    /// (intermediates: the rest of the file, then `--untrusted`): the leaf and the
    /// intermediates it used, and the index of the anchor it reached.
    pub(super) fn webpki_path(
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
    pub(super) fn bad_signatures(&self, built: &Built) -> Vec<Finding> {
        built
            .links
            .windows(2)
            .filter_map(|pair| match pair {
                [(child, _), (issuer, Signature::Bad)] => {
                    // A trusted certificate served as it is: OpenSSL never checks a trust
                    // anchor's own signature (measured with curl and Python), rustls does.
                    let trusted_itself = self.get(*child).zip(self.get(*issuer)).is_some_and(|(c, i)| c.cert.der == i.cert.der);
                    let (who, parties) = if trusted_itself {
                        ("rustls clients reject it, while curl and Python, which trust the certificate as it is, accept it", Parties::RUSTLS)
                    } else {
                        ("every client rejects the chain", Parties::CLIENTS)
                    };
                    let issue = Issue::new(
                        Code::BadSignature,
                        format!(
                            "its signature does not verify with the key of its issuer, {}: {who} (rustls: InvalidSignatureForPublicKey)",
                            self.describe(*issuer).trim_start_matches("the ")
                        ),
                        "the certificate was not issued by that CA, or was altered: get the certificate and its chain again from the CA".to_owned(),
                    );
                    Some(self.finding(*child, issue.affecting(parties)))
                }
                _ => None,
            })
            .collect()
    }

    /// certsmith's own checks on each certificate of the chain in its role (each once: a
    /// self-signed leaf in --ca is also its own anchor).
    pub(super) fn own_checks(&self, nodes: &[Node], with_ca: bool, settings: &Settings<'_>) -> Vec<Finding> {
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
pub(super) fn unknown_issuer(chain: &Chain<'_, '_>, top: Node, with_ca: bool, source: TrustSource) -> Option<Finding> {
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
                    crate::finding::place::shell_word(&path)
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
        .remedy(remedy)
        // Unknown, not failed: no party's verdict depends on it.
        .affecting(Parties::NONE);
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

/// A trusted certificate with the self-signed leaf's name that is not the leaf: Debian's
/// `ssl-cert-snakeoil.pem` (CN = the host's name) beside a self-signed `localhost`
/// certificate, say. rustls tries it as the issuer and fails with a signature error; curl
/// says "self-signed certificate".
pub(super) fn name_collision(chain: &Chain<'_, '_>, leaf: &Parsed<'_>) -> Option<Finding> {
    let trust = chain.pool.trust.as_ref()?;
    let other = trust.certs.iter().find(|t| t.x509.subject() == leaf.x509.issuer() && t.cert.der != leaf.cert.der)?;
    let summary = other.summary();
    let issue = Issue::new(
        Code::TrustedNameCollision,
        format!(
            "the self-signed {} is not trusted, and a different trusted certificate has the same name: {} in {} (SHA-256 {}…); rustls clients try that one as its issuer and fail with a signature error, curl and Python say \"self-signed certificate\"",
            leaf.name(),
            other.name(),
            other.cert.source,
            summary.fingerprint_sha256.get(..16).unwrap_or_default()
        ),
        "trust this certificate itself (pass the file the server serves with --ca), or serve one from certsmith's CA (`certsmith gen NAME... --ca`, then `certsmith trust install`); if the other certificate is stale, remove it from the store".to_owned(),
    );
    Some(issue.into_own_finding(leaf.cert.source.clone()))
}

/// Whether a finding at error severity already says what webpki's error says.
pub(super) fn explained(findings: &[Finding], code: Code) -> bool {
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
pub(super) fn leaf_only(error: &webpki::Error) -> bool {
    matches!(error, webpki::Error::CaUsedAsEndEntity | webpki::Error::CertNotValidForName(_))
}

/// RFC 5246 §7.4.2: the sender's certificate comes first and each following certificate
/// must directly certify the one preceding it. TLS 1.3 (RFC 8446 §4.4.2) lets clients
/// accept other orders, but rustls and Granian always serve the first certificate as the
/// server's own, and strict TLS 1.2 clients reject an out-of-order chain.
pub(super) fn chain_order(chain: &Chain<'_, '_>, nodes: &[Node]) -> Vec<Finding> {
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
pub(super) fn chain_links(
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
