//! Making keys and certificates (rcgen on aws-lc-rs) with certsmith's defaults, which
//! are not rcgen's: a random serial, explicit validity, CA:FALSE, key usage by key type,
//! serverAuth, SKI/AKI (see DESIGN.md: rcgen's serial is derived from the key and its
//! validity runs 1975–4096). Every certificate made here is checked by rustls-webpki
//! before anyone writes it.

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, NameConstraints, SanType, SerialNumber,
};
use rustls_pki_types::{CertificateDer, ServerName};
use serde::Serialize;
use time::OffsetDateTime;

use super::key::KeyAlgorithm;
use super::names::SubjectName;

/// The key types gen and ca make. P-256 is the default: fast, small, loaded by every
/// client and by Granian (rustls with ring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyType {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl KeyType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EcdsaP256 => "ecdsa-p256",
            Self::EcdsaP384 => "ecdsa-p384",
            Self::Ed25519 => "ed25519",
            Self::Rsa2048 => "rsa-2048",
            Self::Rsa3072 => "rsa-3072",
            Self::Rsa4096 => "rsa-4096",
        }
    }

    /// The public-key algorithm a key of this type has.
    pub fn algorithm(self) -> KeyAlgorithm {
        let ec = |curve: &str| KeyAlgorithm::Ec { curve: curve.to_owned() };
        match self {
            Self::EcdsaP256 => ec("P-256"),
            Self::EcdsaP384 => ec("P-384"),
            Self::Ed25519 => KeyAlgorithm::Ed25519,
            Self::Rsa2048 => KeyAlgorithm::Rsa { bits: 2048 },
            Self::Rsa3072 => KeyAlgorithm::Rsa { bits: 3072 },
            Self::Rsa4096 => KeyAlgorithm::Rsa { bits: 4096 },
        }
    }
}

/// Why a key or certificate could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot generate a {0} key: {1}")]
    KeyGeneration(&'static str, String),
    #[error("cannot use the key: {0}")]
    Key(String),
    #[error("cannot build the certificate: {0}")]
    Certificate(String),
    #[error("the CA certificate cannot issue certificates: {0}")]
    Ca(String),
    #[error("the new certificate would not be accepted by rustls: {0}")]
    SelfCheck(String),
}

impl From<BuildError> for crate::finding::Failure {
    fn from(e: BuildError) -> Self {
        let hint = match &e {
            BuildError::Ca(_) => {
                "check the CA files (`certsmith inspect` shows what is in them), or make a CA with `certsmith ca create`"
            }
            BuildError::Key(_) => "pass a key of a type certsmith signs with, or leave --key out to make a new one",
            _ => "this is unexpected: please report it with the command line",
        };
        crate::finding::Failure::new(e.to_string()).hint(hint)
    }
}

pub fn generate_key(kind: KeyType) -> Result<KeyPair, BuildError> {
    let failed = |e: String| BuildError::KeyGeneration(kind.as_str(), e);
    match kind {
        KeyType::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| failed(e.to_string())),
        KeyType::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).map_err(|e| failed(e.to_string())),
        KeyType::Ed25519 => {
            // rcgen writes Ed25519 keys as PKCS#8 v2, which OpenSSL 3.0 cannot read; v1 it can.
            let pair = aws_lc_rs::signature::Ed25519KeyPair::generate().map_err(|e| failed(e.to_string()))?;
            let v1 = pair.to_pkcs8v1().map_err(|e| failed(e.to_string()))?;
            KeyPair::try_from(v1.as_ref()).map_err(|e| failed(e.to_string()))
        }
        KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
            let size = match kind {
                KeyType::Rsa2048 => rcgen::RsaKeySize::_2048,
                KeyType::Rsa3072 => rcgen::RsaKeySize::_3072,
                _ => rcgen::RsaKeySize::_4096,
            };
            KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size).map_err(|e| failed(e.to_string()))
        }
    }
}

/// A key from a file as rcgen's signing key, normalised to PKCS#8 v1 so that writing it
/// out again (`serialize_pem`) gives a file every tool reads.
pub fn key_from_der(der: &rustls_pki_types::PrivateKeyDer<'_>) -> Result<KeyPair, BuildError> {
    let unusable = |e: String| {
        BuildError::Key(format!(
            "{e}; certsmith signs with RSA (2048 to 8192 bits), ECDSA P-256/P-384/P-521 and Ed25519 keys"
        ))
    };
    let v1 = super::key::to_pkcs8v1(der).map_err(|e| unusable(e.to_string()))?;
    KeyPair::try_from(v1.as_slice()).map_err(|e| unusable(e.to_string()))
}

pub fn is_rsa(key: &KeyPair) -> bool {
    key.algorithm() == &rcgen::PKCS_RSA_SHA256
        || key.algorithm() == &rcgen::PKCS_RSA_SHA384
        || key.algorithm() == &rcgen::PKCS_RSA_SHA512
}

/// 16 random bytes, first bit clear (positive, RFC 5280 §4.1.2.2) and first byte non-zero
/// (so the encoding keeps all 16 bytes): 126 bits of entropy, well over CA/B Forum's 64.
fn random_serial() -> Result<SerialNumber, BuildError> {
    let mut bytes = [0u8; 16];
    aws_lc_rs::rand::fill(&mut bytes)
        .map_err(|e| BuildError::Certificate(format!("no randomness for the serial: {e}")))?;
    if let Some(first) = bytes.first_mut() {
        *first = (*first & 0x7f) | 0x40;
    }
    Ok(SerialNumber::from_slice(&bytes))
}

fn distinguished_name(common_name: &str, organization: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, organization);
    dn
}

/// What a leaf certificate says.
#[derive(Debug, Clone)]
pub struct LeafSpec {
    pub names: Vec<SubjectName>,
    pub common_name: String,
    pub organization: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub client_auth: bool,
}

/// A server leaf: CA:FALSE critical (a served CA:TRUE certificate makes rustls clients fail
/// with CaUsedAsEndEntity), keyUsage digitalSignature plus keyEncipherment for RSA only
/// (RFC 8813 and RFC 8410 forbid it for EC and Ed25519), EKU serverAuth (+clientAuth),
/// SKI, and AKI when a CA signs it.
pub fn leaf_params(spec: &LeafSpec, rsa: bool, ca_signed: bool) -> Result<CertificateParams, BuildError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(&spec.common_name, &spec.organization);
    params.serial_number = Some(random_serial()?);
    params.not_before = spec.not_before;
    params.not_after = spec.not_after;
    params.is_ca = IsCa::ExplicitNoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    if rsa {
        params.key_usages.push(KeyUsagePurpose::KeyEncipherment);
    }
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    if spec.client_auth {
        params.extended_key_usages.push(ExtendedKeyUsagePurpose::ClientAuth);
    }
    params.use_authority_key_identifier_extension = ca_signed;
    params.subject_alt_names = spec.names.iter().map(san).collect::<Result<_, _>>()?;
    Ok(params)
}

fn san(name: &SubjectName) -> Result<SanType, BuildError> {
    let ia5 = |s: &str| s.try_into().map_err(|_| BuildError::Certificate(format!("{s} is not ASCII")));
    Ok(match name {
        SubjectName::Dns(n) => SanType::DnsName(ia5(n)?),
        SubjectName::Ip(ip) => SanType::IpAddress(*ip),
        SubjectName::Email(n) => SanType::Rfc822Name(ia5(n)?),
        SubjectName::Uri(n) => SanType::URI(ia5(n)?),
    })
}

/// What a local CA says.
#[derive(Debug, Clone)]
pub struct CaSpec {
    pub common_name: String,
    pub organization: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    /// DNS name constraints (RFC 5280 §4.2.1.10): the CA can vouch only for these subtrees,
    /// and then only for loopback and private IP addresses.
    pub permitted_dns: Vec<String>,
}

/// A root for development: CA:TRUE critical with pathLenConstraint 0 (it signs leaves,
/// never other CAs), keyUsage keyCertSign + cRLSign (RFC 5280 §4.2.1.3), SKI.
pub fn ca_params(spec: &CaSpec) -> Result<CertificateParams, BuildError> {
    let mut params = CertificateParams::default();
    params.distinguished_name = distinguished_name(&spec.common_name, &spec.organization);
    params.serial_number = Some(random_serial()?);
    params.not_before = spec.not_before;
    params.not_after = spec.not_after;
    params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    if !spec.permitted_dns.is_empty() {
        let ip_ranges = super::ca::PERMITTED_IP_RANGES
            .iter()
            .map(|(address, prefix)| GeneralSubtree::IpAddress(rcgen::CidrSubnet::from_addr_prefix(*address, *prefix)));
        params.name_constraints = Some(NameConstraints {
            permitted_subtrees: spec
                .permitted_dns
                .iter()
                .cloned()
                .map(GeneralSubtree::DnsName)
                .chain(ip_ranges)
                .collect(),
            excluded_subtrees: Vec::new(),
        });
    }
    Ok(params)
}

pub fn self_signed(params: &CertificateParams, key: &KeyPair) -> Result<CertificateDer<'static>, BuildError> {
    params.self_signed(key).map(|c| c.der().clone()).map_err(|e| BuildError::Certificate(e.to_string()))
}

pub fn signed_by(
    params: &CertificateParams,
    key: &KeyPair,
    ca_cert: &CertificateDer<'_>,
    ca_key: &KeyPair,
) -> Result<CertificateDer<'static>, BuildError> {
    let issuer = Issuer::from_ca_cert_der(ca_cert, ca_key).map_err(|e| BuildError::Ca(e.to_string()))?;
    params.signed_by(key, &issuer).map(|c| c.der().clone()).map_err(|e| BuildError::Certificate(e.to_string()))
}

/// Checks a new leaf as a rustls client will: path to `anchor` for server auth at `now`,
/// and every DNS/IP name (a wildcard through a sample name under it).
pub fn self_check(
    leaf: &CertificateDer<'_>,
    anchor: &CertificateDer<'_>,
    intermediates: &[CertificateDer<'_>],
    names: &[SubjectName],
    now: OffsetDateTime,
) -> Result<(), BuildError> {
    let fail = |what: String| BuildError::SelfCheck(what);
    let explain = |e: webpki::Error| match e {
        webpki::Error::NameConstraintViolation => {
            fail("a name is outside the CA's permitted names (--permit-dns)".into())
        }
        other => fail(super::verify::webpki_error(&other).1),
    };
    let ee = webpki::EndEntityCert::try_from(leaf).map_err(explain)?;
    super::verify::chains_to(&ee, anchor, intermediates, now).map_err(explain)?;
    // A wildcard right under a TLD matches nothing in rustls (gen warns about it).
    for name in names.iter().filter(|n| !super::names::is_wildcard_under_tld(n)) {
        let host = match name {
            SubjectName::Dns(n) => match n.strip_prefix("*.") {
                Some(rest) => format!("certsmith-check.{rest}"),
                None => n.clone(),
            },
            SubjectName::Ip(ip) => ip.to_string(),
            SubjectName::Email(_) | SubjectName::Uri(_) => continue,
        };
        let server_name =
            ServerName::try_from(host.as_str()).map_err(|_| fail(format!("{host} is not a server name")))?;
        ee.verify_is_valid_for_subject_name(&server_name)
            .map_err(|_| fail(format!("rustls does not match the name {host} against the certificate's names")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn spec(names: &[&str]) -> LeafSpec {
        LeafSpec {
            names: super::super::names::parse_all(names).unwrap(),
            common_name: names[0].into(),
            organization: "t".into(),
            not_before: datetime!(2027-01-01 0:00 UTC),
            not_after: datetime!(2028-01-01 0:00 UTC),
            client_auth: false,
        }
    }

    #[test]
    fn serials_are_random_positive_and_16_bytes() {
        let a = random_serial().unwrap().to_bytes();
        let b = random_serial().unwrap().to_bytes();
        assert_ne!(a, b);
        assert_eq!(a.len(), 16);
        assert!(a[0] & 0x80 == 0 && a[0] != 0);
    }

    #[test]
    fn a_self_signed_leaf_passes_its_own_check() {
        let key = generate_key(KeyType::EcdsaP256).unwrap();
        let s = spec(&["a.test", "*.b.test", "127.0.0.1"]);
        let der = self_signed(&leaf_params(&s, false, false).unwrap(), &key).unwrap();
        self_check(&der, &der, &[], &s.names, datetime!(2027-06-01 0:00 UTC)).unwrap();
        assert!(self_check(&der, &der, &[], &s.names, datetime!(2029-01-01 0:00 UTC)).is_err());
    }

    #[test]
    fn name_constraints_are_enforced_by_the_check() {
        let ca_key = generate_key(KeyType::EcdsaP256).unwrap();
        let ca = CaSpec {
            common_name: "ca".into(),
            organization: "t".into(),
            not_before: datetime!(2027-01-01 0:00 UTC),
            not_after: datetime!(2030-01-01 0:00 UTC),
            permitted_dns: vec!["test".into()],
        };
        let ca_der = self_signed(&ca_params(&ca).unwrap(), &ca_key).unwrap();
        let key = generate_key(KeyType::Ed25519).unwrap();
        let at = datetime!(2027-06-01 0:00 UTC);
        let inside = spec(&["api.test"]);
        let leaf = signed_by(&leaf_params(&inside, false, true).unwrap(), &key, &ca_der, &ca_key).unwrap();
        self_check(&leaf, &ca_der, &[], &inside.names, at).unwrap();
        let outside = spec(&["example.com"]);
        let leaf = signed_by(&leaf_params(&outside, false, true).unwrap(), &key, &ca_der, &ca_key).unwrap();
        let err = self_check(&leaf, &ca_der, &[], &outside.names, at).unwrap_err();
        assert!(err.to_string().contains("permitted"), "{err}");
    }
}
