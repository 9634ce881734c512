//! Who a finding affects: Granian starting, and each kind of client connecting to it.
//! `verify` gives one verdict per party from its findings' parties. Each code has the
//! parties it affects by default; a check overrides them where a certificate's place in
//! the chain changes who rejects it (a SHA-1 self-signed leaf trusted as itself, say).
//! Every default below was measured against the real program where one runs here
//! (Granian 2.8.9, curl and Python with OpenSSL 3.0, a rustls 0.23 client); browsers
//! follow their published rules.

use serde::Serialize;

use super::{Code, Finding, Severity};

/// One party to a TLS connection with a Granian server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// Granian starting with the pair: Python's `ssl.load_cert_chain` (OpenSSL 3 at
    /// security level 2), then rustls in each worker.
    Granian,
    /// Clients verifying with rustls-webpki (rustls, reqwest with rustls, uv, Deno).
    RustlsClients,
    /// Clients verifying with OpenSSL: curl, Python's ssl, requests, httpx.
    OpensslClients,
    /// Chrome, Firefox and Safari.
    Browsers,
}

impl Party {
    pub const ALL: [Party; 4] = [Party::Granian, Party::RustlsClients, Party::OpensslClients, Party::Browsers];

    /// The JSON key and `--client` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Granian => "granian",
            Self::RustlsClients => "rustls_clients",
            Self::OpensslClients => "openssl_clients",
            Self::Browsers => "browsers",
        }
    }

    /// How a person calls them, in sentences.
    pub fn label(self) -> &'static str {
        match self {
            Self::Granian => "Granian",
            Self::RustlsClients => "rustls clients",
            Self::OpensslClients => "curl and Python",
            Self::Browsers => "browsers",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of parties.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Parties(u8);

impl Parties {
    pub const NONE: Parties = Parties(0);
    pub const GRANIAN: Parties = Parties(1 << Party::Granian as u8);
    pub const RUSTLS: Parties = Parties(1 << Party::RustlsClients as u8);
    pub const OPENSSL: Parties = Parties(1 << Party::OpensslClients as u8);
    pub const BROWSERS: Parties = Parties(1 << Party::Browsers as u8);
    /// Every client, whatever its TLS library.
    pub const CLIENTS: Parties = Parties(Self::RUSTLS.0 | Self::OPENSSL.0 | Self::BROWSERS.0);
    pub const ALL: Parties = Parties(Self::GRANIAN.0 | Self::CLIENTS.0);

    pub const fn with(self, other: Parties) -> Parties {
        Parties(self.0 | other.0)
    }

    pub const fn without(self, other: Parties) -> Parties {
        Parties(self.0 & !other.0)
    }

    pub fn contains(self, party: Party) -> bool {
        self.0 & party.bit() != 0
    }

    pub fn intersects(self, other: Parties) -> bool {
        self.0 & other.0 != 0
    }

    // By reference, for serde's skip_serializing_if.
    #[allow(clippy::trivially_copy_pass_by_ref)]
    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = Party> {
        Party::ALL.into_iter().filter(move |p| self.contains(*p))
    }

    /// Who a finding with `code` affects, unless its check says otherwise.
    pub fn of(code: Code) -> Parties {
        use Code::*;
        match code {
            // rustls refuses these when loading the server's certificate or key, and
            // OpenSSL (Python's load_cert_chain) refuses some of them first.
            CertificateNotPem
            | ByteOrderMark
            | KeyMismatch
            | CompressedPublicKey
            | KeyUnsupportedByGranian
            | KeyFormatUnsupportedByGranian
            | NoPrivateKey
            | EncryptedKeyWithoutPassword
            | WrongKeyPassword => Self::GRANIAN,
            // A version or critical extension rustls does not know: the leaf's stops
            // Granian; OpenSSL reads v1 certificates, not unknown critical extensions.
            UnsupportedCertVersion => Self::GRANIAN.with(Self::RUSTLS),
            UnknownCriticalExtension | MalformedCertificate | NoCertificate => Self::ALL,
            // OpenSSL clients fall back to the CN (a name mismatch, when there is one,
            // says so for them), and accept CA certificates as leaves.
            NoSubjectAltName | CaUsedAsEndEntity => Self::RUSTLS.with(Self::BROWSERS),
            // Chrome alone (BoringSSL) checks a leaf's keyUsage; Apple platforms alone
            // limit lifetimes and require serverAuth.
            KeyUsageLacksDigitalSignature | ValidityTooLong => Self::BROWSERS,
            NameMismatch
            | MissingServerAuthEku
            | Expired
            | NotYetValid
            | BadSignature
            | UnknownIssuer
            | TrustedNameCollision
            | IssuerNotCa
            | PathLenExceeded
            | NameConstraintViolation
            | WeakKey => Self::CLIENTS,
            // Signatures with SHA-1 under a CA: OpenSSL at security level 2 refuses them
            // when Python loads the chain (CA_MD_TOO_WEAK), and every client after.
            WeakSignatureAlgorithm => Self::ALL,
            // What only webpki refuses; OpenSSL checks keyCertSign, webpki does not.
            UnsupportedSignatureAlgorithm | ChainRejected => Self::RUSTLS.with(Self::BROWSERS),
            IssuerLacksKeyCertSign => Self::OPENSSL.with(Self::BROWSERS),
            // curl cannot read an empty issuer name; Python and rustls do not mind.
            EmptyIssuerName => Self::OPENSSL,
            // Warnings about the future or the file's order, and the other commands' codes.
            _ => Self::NONE,
        }
    }
}

/// One party's verdict and the finding codes behind it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// `starts` or `fails` for Granian; `accept` or `reject` for clients.
    pub result: &'static str,
    /// The error findings that make it fail.
    pub codes: Vec<Code>,
    /// Warnings about some of the party only (Safari's lifetime limit, Chrome's keyUsage
    /// check): the rest accept.
    pub warnings: Vec<Code>,
}

impl Verdict {
    fn new(party: Party, codes: Vec<Code>, warnings: Vec<Code>) -> Self {
        let result = match (party, codes.is_empty()) {
            (Party::Granian, true) => "starts",
            (Party::Granian, false) => "fails",
            (_, true) => "accept",
            (_, false) => "reject",
        };
        Self { result, codes, warnings }
    }

    pub fn fails(&self) -> bool {
        !self.codes.is_empty()
    }
}

/// What each party does with what was checked, as JSON `verdicts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdicts {
    pub granian: Verdict,
    pub rustls_clients: Verdict,
    pub openssl_clients: Verdict,
    pub browsers: Verdict,
}

impl Verdicts {
    /// The verdicts the findings make: a party fails on any error finding that affects it;
    /// a warning that affects it is about some of it only.
    pub fn of<'a>(findings: impl IntoIterator<Item = &'a Finding> + Clone) -> Self {
        let verdict = |party: Party| {
            let affecting = |severity: Severity| {
                let mut codes: Vec<Code> = findings
                    .clone()
                    .into_iter()
                    .filter(|f| f.affects.contains(party) && f.severity == severity)
                    .map(|f| f.code)
                    .collect();
                codes.sort();
                codes.dedup();
                codes
            };
            let (codes, warnings) = (affecting(Severity::Error), affecting(Severity::Warning));
            Verdict::new(party, codes, warnings)
        };
        Self {
            granian: verdict(Party::Granian),
            rustls_clients: verdict(Party::RustlsClients),
            openssl_clients: verdict(Party::OpensslClients),
            browsers: verdict(Party::Browsers),
        }
    }

    /// Several files' verdicts together: a party fails when it fails on one of them.
    pub fn all<'a>(each: impl Iterator<Item = &'a Verdicts> + Clone) -> Self {
        let merge = |party: Party| {
            let (mut codes, mut warnings) = (Vec::new(), Vec::new());
            for verdicts in each.clone() {
                codes.extend(verdicts.get(party).codes.iter().copied());
                warnings.extend(verdicts.get(party).warnings.iter().copied());
            }
            for list in [&mut codes, &mut warnings] {
                list.sort();
                list.dedup();
            }
            Verdict::new(party, codes, warnings)
        };
        Self {
            granian: merge(Party::Granian),
            rustls_clients: merge(Party::RustlsClients),
            openssl_clients: merge(Party::OpensslClients),
            browsers: merge(Party::Browsers),
        }
    }

    pub fn get(&self, party: Party) -> &Verdict {
        match party {
            Party::Granian => &self.granian,
            Party::RustlsClients => &self.rustls_clients,
            Party::OpensslClients => &self.openssl_clients,
            Party::Browsers => &self.browsers,
        }
    }
}

impl Serialize for Parties {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter().map(Party::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_party_fails_on_the_findings_that_affect_it_only() {
        let finding = |code, severity| Finding::new(code, severity, Default::default(), "m");
        let findings = [
            finding(Code::CaUsedAsEndEntity, Severity::Error),
            finding(Code::KeyMismatch, Severity::Error),
            finding(Code::ExpiresSoon, Severity::Warning),
            finding(Code::ValidityTooLong, Severity::Warning),
        ];
        let verdicts = Verdicts::of(&findings);
        assert_eq!(verdicts.granian, Verdict { result: "fails", codes: vec![Code::KeyMismatch], warnings: vec![] });
        let rustls = Verdict { result: "reject", codes: vec![Code::CaUsedAsEndEntity], warnings: vec![] };
        assert_eq!(verdicts.rustls_clients, rustls);
        assert_eq!(verdicts.openssl_clients, Verdict { result: "accept", codes: vec![], warnings: vec![] });
        assert!(verdicts.browsers.fails() && !verdicts.openssl_clients.fails());
        assert_eq!(verdicts.browsers.warnings, [Code::ValidityTooLong], "Safari's rule is a warning");
    }

    #[test]
    fn sets_hold_what_was_put_in() {
        let set = Parties::GRANIAN.with(Parties::BROWSERS);
        assert_eq!(set.iter().collect::<Vec<_>>(), [Party::Granian, Party::Browsers]);
        assert!(set.intersects(Parties::BROWSERS) && !set.intersects(Parties::RUSTLS));
        assert_eq!(set.without(Parties::GRANIAN), Parties::BROWSERS);
        assert_eq!(Parties::ALL.iter().count(), 4);
        assert_eq!(
            serde_json::to_string(&Parties::CLIENTS).unwrap(),
            r#"["rustls_clients","openssl_clients","browsers"]"#
        );
    }
}
