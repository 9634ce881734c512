//! Keys: the public-key algorithm of a SubjectPublicKeyInfo, and what a private key is
//! (algorithm, size, encoding, the public key derived from it).
//!
//! Public keys are derived from the private material, never copied from a field that
//! could disagree with it: RSA from (n, e) of the key once aws-lc-rs has checked them
//! against the private numbers, EC and Ed25519 by aws-lc-rs.
//! Nothing here prints, and no private byte leaves this module except to a crypto call.

use aws_lc_rs::encoding::{AsDer, PublicKeyX509Der};
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use pkcs8::der::{Decode, Encode, asn1::BitStringRef, asn1::ObjectIdentifier};
use rustls_pki_types::PrivateKeyDer;
use serde::Serialize;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

/// OIDs used here (RFC 3279, RFC 5480, RFC 8410).
pub(super) mod oid {
    pub(crate) const RSA: &str = "1.2.840.113549.1.1.1";
    pub(crate) const RSA_PSS: &str = "1.2.840.113549.1.1.10";
    pub(crate) const EC: &str = "1.2.840.10045.2.1";
    pub(crate) const DSA: &str = "1.2.840.10040.4.1";
    pub(crate) const ED25519: &str = "1.3.101.112";
    pub(crate) const ED448: &str = "1.3.101.113";
    pub(crate) const P192: &str = "1.2.840.10045.3.1.1";
    pub(crate) const P224: &str = "1.3.132.0.33";
    pub(crate) const P256: &str = "1.2.840.10045.3.1.7";
    pub(crate) const P384: &str = "1.3.132.0.34";
    pub(crate) const P521: &str = "1.3.132.0.35";
    pub(crate) const SECP192K1: &str = "1.3.132.0.31";
    pub(crate) const SECP224K1: &str = "1.3.132.0.32";
    pub(crate) const SECP256K1: &str = "1.3.132.0.10";
}

/// A public-key algorithm with its size, as JSON `{"algorithm": "rsa", "bits": 2048}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "algorithm", rename_all = "kebab-case")]
pub enum KeyAlgorithm {
    /// `bits` is 0 when unknown (a legacy encrypted RSA key).
    Rsa {
        #[serde(skip_serializing_if = "is_zero")]
        bits: usize,
    },
    RsaPss {
        bits: usize,
    },
    /// `curve` is empty when unknown (a legacy encrypted EC key).
    Ec {
        #[serde(skip_serializing_if = "String::is_empty")]
        curve: String,
    },
    Ed25519,
    Ed448,
    /// `bits` is 0 when unknown (a DSA private key states only its parameters).
    Dsa {
        #[serde(skip_serializing_if = "is_zero")]
        bits: usize,
    },
    /// An algorithm certsmith has no name for (`oid` is empty while a key is encrypted).
    Unknown {
        #[serde(skip_serializing_if = "String::is_empty")]
        oid: String,
    },
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl std::fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rsa { bits: 0 } => f.write_str("RSA"),
            Self::Rsa { bits } => write!(f, "RSA {bits} bits"),
            Self::RsaPss { bits } => write!(f, "RSA-PSS {bits} bits"),
            Self::Ec { curve } if curve.is_empty() => f.write_str("ECDSA"),
            Self::Ec { curve } => write!(f, "ECDSA {curve}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Ed448 => f.write_str("Ed448"),
            Self::Dsa { bits: 0 } => f.write_str("DSA"),
            Self::Dsa { bits } => write!(f, "DSA {bits} bits"),
            Self::Unknown { oid } if oid.is_empty() => f.write_str("unknown algorithm"),
            Self::Unknown { oid } => write!(f, "unknown algorithm {oid}"),
        }
    }
}

fn curve_name(oid: &str) -> String {
    match oid {
        oid::P192 => "P-192",
        oid::P224 => "P-224",
        oid::P256 => "P-256",
        oid::P384 => "P-384",
        oid::P521 => "P-521",
        oid::SECP192K1 => "secp192k1",
        oid::SECP224K1 => "secp224k1",
        oid::SECP256K1 => "secp256k1",
        other => other,
    }
    .to_owned()
}

/// Bit length of a big-endian unsigned integer (leading zero bytes and bits ignored).
fn bit_length(be: &[u8]) -> usize {
    let mut bytes = be.iter().skip_while(|b| **b == 0);
    match bytes.next() {
        Some(first) => (8 - first.leading_zeros() as usize) + 8 * bytes.count(),
        None => 0,
    }
}

/// The algorithm of a DER SubjectPublicKeyInfo, or `None` when it does not parse.
pub fn algorithm_of_spki(spki_der: &[u8]) -> Option<KeyAlgorithm> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der).ok()?;
    Some(algorithm_of(&spki))
}

/// The algorithm of a parsed SubjectPublicKeyInfo.
pub fn algorithm_of(spki: &SubjectPublicKeyInfo<'_>) -> KeyAlgorithm {
    let alg = spki.algorithm.algorithm.to_id_string();
    // Read the key itself: x509-parser's `parsed()` knows only rsaEncryption, and an
    // RSA-PSS key holds the same RSAPublicKey under another OID.
    let rsa_bits =
        || RSAPublicKey::from_der(&spki.subject_public_key.data).map_or(0, |(_, rsa)| bit_length(rsa.modulus));
    match alg.as_str() {
        oid::RSA => KeyAlgorithm::Rsa { bits: rsa_bits() },
        oid::RSA_PSS => KeyAlgorithm::RsaPss { bits: rsa_bits() },
        oid::EC => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                // Explicit curve parameters are a SEQUENCE, which `as_oid` would read as an OID.
                .filter(|p| p.tag() == x509_parser::der_parser::asn1_rs::Tag::Oid)
                .and_then(|p| p.as_oid().ok())
                .map(|oid| curve_name(&oid.to_id_string()))
                .unwrap_or_else(|| "explicit parameters".to_owned());
            KeyAlgorithm::Ec { curve }
        }
        oid::ED25519 => KeyAlgorithm::Ed25519,
        oid::ED448 => KeyAlgorithm::Ed448,
        oid::DSA => KeyAlgorithm::Dsa { bits: spki.parsed().map(|k| k.key_size()).unwrap_or(0) },
        _ => KeyAlgorithm::Unknown { oid: alg },
    }
}

/// How a private key is stored, as JSON `encoding` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyEncoding {
    Pkcs8,
    Pkcs1,
    Sec1,
    EncryptedPkcs8,
    LegacyEncryptedPem,
}

impl KeyEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pkcs8 => "pkcs8",
            Self::Pkcs1 => "pkcs1",
            Self::Sec1 => "sec1",
            Self::EncryptedPkcs8 => "encrypted-pkcs8",
            Self::LegacyEncryptedPem => "legacy-encrypted-pem",
        }
    }
}

/// A private key as read from a file: plain DER, or still encrypted.
#[derive(Debug)]
pub enum PrivateKey {
    /// PKCS#8, PKCS#1 or SEC1 DER.
    Plain(PrivateKeyDer<'static>),
    /// A DER `EncryptedPrivateKeyInfo` (PKCS#8 with PBES1/PBES2).
    EncryptedPkcs8(Vec<u8>),
    /// OpenSSL's pre-PKCS#8 encryption (`Proc-Type: 4,ENCRYPTED`), kept as found.
    LegacyEncrypted { label: String, dek_info: String, base64: Vec<u8> },
}

impl PrivateKey {
    pub fn encoding(&self) -> KeyEncoding {
        match self {
            Self::Plain(PrivateKeyDer::Pkcs1(_)) => KeyEncoding::Pkcs1,
            Self::Plain(PrivateKeyDer::Sec1(_)) => KeyEncoding::Sec1,
            Self::Plain(_) => KeyEncoding::Pkcs8,
            Self::EncryptedPkcs8(_) => KeyEncoding::EncryptedPkcs8,
            Self::LegacyEncrypted { .. } => KeyEncoding::LegacyEncryptedPem,
        }
    }

    pub fn is_encrypted(&self) -> bool {
        !matches!(self, Self::Plain(_))
    }
}

/// A private key's facts as JSON shows them (inspect's `private_key` objects, match-key's
/// `key`); never any private material.
#[derive(Debug, Clone, Serialize)]
pub struct KeySummary {
    #[serde(flatten)]
    pub algorithm: KeyAlgorithm,
    pub encoding: KeyEncoding,
    pub encrypted: bool,
    /// How an encrypted key is protected (PBES2 parameters, legacy cipher).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protection: Option<String>,
    /// SHA-256 of the SubjectPublicKeyInfo derived from the key (once it is decrypted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spki_sha256: Option<String>,
}

/// What can be said about a private key without decrypting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFacts {
    /// Partly unknown for encrypted keys: the algorithm is inside the ciphertext.
    pub algorithm: KeyAlgorithm,
    pub encoding: KeyEncoding,
    /// DER SubjectPublicKeyInfo derived from the private key (plain keys only).
    pub spki: Option<Vec<u8>>,
    /// How an encrypted key is protected, e.g. `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`.
    pub protection: Option<String>,
}

/// Why a private key's contents are unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a valid {0} private key")]
    Malformed(&'static str),
    #[error("the EC key does not name its curve")]
    NoCurve,
    #[error("the key is inconsistent: its public key cannot be derived ({0})")]
    Rejected(String),
    #[error("certsmith cannot use {0} keys")]
    Unsupported(String),
}

/// Checks that DER has the structure its encoding promises (used when loading).
pub fn check_structure(key: &PrivateKey) -> Result<(), KeyError> {
    match key {
        PrivateKey::Plain(PrivateKeyDer::Pkcs1(der)) => pkcs1::RsaPrivateKeyRef::from_der(der.secret_pkcs1_der())
            .map(drop)
            .map_err(|_| KeyError::Malformed("PKCS#1")),
        PrivateKey::Plain(PrivateKeyDer::Sec1(der)) => {
            sec1::EcPrivateKey::from_der(der.secret_sec1_der()).map(drop).map_err(|_| KeyError::Malformed("SEC1"))
        }
        PrivateKey::Plain(der) => {
            pkcs8::PrivateKeyInfoRef::from_der(der.secret_der()).map(drop).map_err(|_| KeyError::Malformed("PKCS#8"))
        }
        PrivateKey::EncryptedPkcs8(der) => {
            encryption_scheme(der).map(drop).ok_or(KeyError::Malformed("encrypted PKCS#8"))
        }
        PrivateKey::LegacyEncrypted { .. } => Ok(()),
    }
}

/// Describes a private key; plain keys get their public key derived.
pub fn facts(key: &PrivateKey) -> Result<KeyFacts, KeyError> {
    let encoding = key.encoding();
    let (algorithm, spki, protection) = match key {
        PrivateKey::Plain(der) => match derive_spki(der) {
            Ok(spki) => (algorithm_of_spki(&spki).ok_or(KeyError::Malformed("derived public"))?, Some(spki), None),
            // Described from what the key says it is; its public key stays unknown.
            Err(KeyError::Unsupported(_)) => (stated_algorithm(der)?, None, None),
            Err(e) => return Err(e),
        },
        PrivateKey::EncryptedPkcs8(_) => {
            let scheme = protection(key).ok_or(KeyError::Malformed("encrypted PKCS#8"))?;
            (KeyAlgorithm::Unknown { oid: String::new() }, None, Some(scheme))
        }
        PrivateKey::LegacyEncrypted { label, .. } => {
            // The label names the algorithm; the size is inside the ciphertext.
            let algorithm = match label.as_str() {
                "RSA PRIVATE KEY" => KeyAlgorithm::Rsa { bits: 0 },
                "EC PRIVATE KEY" => KeyAlgorithm::Ec { curve: String::new() },
                _ => KeyAlgorithm::Unknown { oid: String::new() },
            };
            (algorithm, None, protection(key))
        }
    };
    Ok(KeyFacts { algorithm, encoding, spki, protection })
}

/// How a stored key is encrypted, in words: `None` for a plain key, or an encrypted
/// PKCS#8 whose scheme cannot be read.
pub fn protection(key: &PrivateKey) -> Option<String> {
    match key {
        PrivateKey::Plain(_) => None,
        PrivateKey::EncryptedPkcs8(der) => encryption_scheme(der),
        PrivateKey::LegacyEncrypted { dek_info, .. } => {
            let cipher = dek_info.split(',').next().unwrap_or("unknown cipher");
            Some(format!("OpenSSL legacy PEM encryption ({cipher})"))
        }
    }
}

/// What a plain private key is, as its encoding states it: the PKCS#8 algorithm
/// identifier, the SEC1 curve, PKCS#1's modulus. One reading for every use below.
enum Stated<'a> {
    Rsa(&'a [u8]),
    Ec(ObjectIdentifier),
    Ed25519,
    Other(ObjectIdentifier),
}

fn stated<'a>(key: &'a PrivateKeyDer<'_>) -> Result<Stated<'a>, KeyError> {
    match key {
        PrivateKeyDer::Pkcs1(der) => Ok(Stated::Rsa(der.secret_pkcs1_der())),
        PrivateKeyDer::Sec1(der) => sec1_curve(der.secret_sec1_der()).map(Stated::Ec),
        _ => {
            let info =
                pkcs8::PrivateKeyInfoRef::from_der(key.secret_der()).map_err(|_| KeyError::Malformed("PKCS#8"))?;
            Ok(match info.algorithm.oid.to_string().as_str() {
                oid::RSA | oid::RSA_PSS => Stated::Rsa(info.private_key.as_bytes()),
                // Some encoders put the curve only inside the SEC1 structure.
                oid::EC => {
                    Stated::Ec(info.algorithm.parameters_oid().or_else(|_| sec1_curve(info.private_key.as_bytes()))?)
                }
                oid::ED25519 => Stated::Ed25519,
                _ => Stated::Other(info.algorithm.oid),
            })
        }
    }
}

fn sec1_curve(sec1_der: &[u8]) -> Result<ObjectIdentifier, KeyError> {
    let ec = sec1::EcPrivateKey::from_der(sec1_der).map_err(|_| KeyError::Malformed("SEC1"))?;
    ec.parameters.map(|sec1::EcParameters::NamedCurve(oid)| oid).ok_or(KeyError::NoCurve)
}

/// The algorithm a key says it is, for keys certsmith cannot derive a public key from
/// (Ed448, DSA, curves aws-lc-rs lacks): inspect still says what they are.
fn stated_algorithm(key: &PrivateKeyDer<'_>) -> Result<KeyAlgorithm, KeyError> {
    Ok(match stated(key)? {
        Stated::Rsa(pkcs1) => {
            let private = pkcs1::RsaPrivateKeyRef::from_der(pkcs1).map_err(|_| KeyError::Malformed("PKCS#1"))?;
            KeyAlgorithm::Rsa { bits: bit_length(private.modulus.as_bytes()) }
        }
        Stated::Ec(curve) => KeyAlgorithm::Ec { curve: curve_name(&curve.to_string()) },
        Stated::Ed25519 => KeyAlgorithm::Ed25519,
        Stated::Other(oid) => match oid.to_string().as_str() {
            oid::ED448 => KeyAlgorithm::Ed448,
            oid::DSA => KeyAlgorithm::Dsa { bits: 0 },
            other => KeyAlgorithm::Unknown { oid: other.to_owned() },
        },
    })
}

/// The SubjectPublicKeyInfo (DER) that belongs to a plain private key.
pub fn derive_spki(key: &PrivateKeyDer<'_>) -> Result<Vec<u8>, KeyError> {
    let rejected = |e: &dyn std::fmt::Display| KeyError::Rejected(e.to_string());
    match stated(key)? {
        Stated::Rsa(pkcs1) => rsa_spki(key, pkcs1),
        Stated::Ec(curve) => public_der(ecdsa_pair(key, curve)?.public_key()),
        // `maybe_unchecked` accepts PKCS#8 v1 (OpenSSL) as well as v2 (rcgen).
        Stated::Ed25519 => public_der(
            Ed25519KeyPair::from_pkcs8_maybe_unchecked(key.secret_der()).map_err(|e| rejected(&e))?.public_key(),
        ),
        Stated::Other(_) => Err(KeyError::Unsupported(stated_algorithm(key)?.to_string())),
    }
}

/// The key re-encoded as unencrypted PKCS#8 v1 DER, the form every consumer reads:
/// OpenSSL 3.0 cannot read Ed25519 PKCS#8 v2, and Granian's encrypted path wants PKCS#8.
/// Sizes and curves are those aws-lc-rs signs with (RSA 2048–8192, P-256/384/521, Ed25519).
pub fn to_pkcs8v1(key: &PrivateKeyDer<'_>) -> Result<Vec<u8>, KeyError> {
    use aws_lc_rs::encoding::Pkcs8V1Der;
    let rejected = |e: &dyn std::fmt::Display| KeyError::Rejected(e.to_string());
    let v1 = |doc: Result<aws_lc_rs::pkcs8::Document, aws_lc_rs::error::Unspecified>| {
        doc.map(|d| d.as_ref().to_vec()).map_err(|e| rejected(&e))
    };
    match stated(key)? {
        Stated::Rsa(_) => {
            AsDer::<Pkcs8V1Der<'static>>::as_der(&rsa_pair(key)?).map(|d| d.as_ref().to_vec()).map_err(|e| rejected(&e))
        }
        Stated::Ec(curve) => v1(ecdsa_pair(key, curve)?.to_pkcs8v1()),
        Stated::Ed25519 => {
            v1(Ed25519KeyPair::from_pkcs8_maybe_unchecked(key.secret_der()).map_err(|e| rejected(&e))?.to_pkcs8v1())
        }
        Stated::Other(_) => Err(KeyError::Unsupported(stated_algorithm(key)?.to_string())),
    }
}

/// An RSA key as aws-lc-rs loads it, from PKCS#1 or PKCS#8 (which checks its numbers).
fn rsa_pair(key: &PrivateKeyDer<'_>) -> Result<aws_lc_rs::rsa::KeyPair, KeyError> {
    match key {
        PrivateKeyDer::Pkcs1(der) => aws_lc_rs::rsa::KeyPair::from_der(der.secret_pkcs1_der()),
        _ => aws_lc_rs::rsa::KeyPair::from_pkcs8(key.secret_der()),
    }
    .map_err(|e| KeyError::Rejected(e.to_string()))
}

/// An EC key as aws-lc-rs loads it, from SEC1 or PKCS#8 (which validates the key).
fn ecdsa_pair(key: &PrivateKeyDer<'_>, curve: ObjectIdentifier) -> Result<EcdsaKeyPair, KeyError> {
    let alg = ecdsa_signing(curve)?;
    match key {
        PrivateKeyDer::Sec1(der) => EcdsaKeyPair::from_private_key_der(alg, der.secret_sec1_der()),
        _ => EcdsaKeyPair::from_pkcs8(alg, key.secret_der()),
    }
    .map_err(|e| KeyError::Rejected(e.to_string()))
}

fn ecdsa_signing(curve: ObjectIdentifier) -> Result<&'static signature::EcdsaSigningAlgorithm, KeyError> {
    Ok(match curve.to_string().as_str() {
        oid::P256 => &signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        oid::P384 => &signature::ECDSA_P384_SHA384_ASN1_SIGNING,
        oid::P521 => &signature::ECDSA_P521_SHA512_ASN1_SIGNING,
        oid::SECP256K1 => &signature::ECDSA_P256K1_SHA256_ASN1_SIGNING,
        other => return Err(KeyError::Unsupported(format!("ECDSA {}", curve_name(other)))),
    })
}

fn public_der<K: AsDer<PublicKeyX509Der<'static>>>(key: &K) -> Result<Vec<u8>, KeyError> {
    key.as_der().map(|d| d.as_ref().to_vec()).map_err(|e| KeyError::Rejected(e.to_string()))
}

/// RSA public key = (n, e) of the private key, wrapped as rsaEncryption SPKI (RFC 3279 §2.3.1).
/// Sizes aws-lc-rs loads (2048–8192 bits, all a TLS server uses) must first pass its
/// consistency check (n = pq, d and the CRT values agree), so a damaged key is never
/// called a match. Other sizes are read structurally, so they are still described.
fn rsa_spki(key: &PrivateKeyDer<'_>, pkcs1_der: &[u8]) -> Result<Vec<u8>, KeyError> {
    let private = pkcs1::RsaPrivateKeyRef::from_der(pkcs1_der).map_err(|_| KeyError::Malformed("PKCS#1"))?;
    // The inner PKCS#1 is checked, not the PKCS#8 around it: aws-lc-rs refuses PKCS#8
    // labelled RSASSA-PSS, whose numbers are those of any RSA key.
    if (2048..=8192).contains(&bit_length(private.modulus.as_bytes())) {
        aws_lc_rs::rsa::KeyPair::from_der(pkcs1_der).map_err(|e| KeyError::Rejected(e.to_string()))?;
    }
    let public = private.public_key().to_der().map_err(|_| KeyError::Malformed("PKCS#1"))?;
    let pss = !matches!(key, PrivateKeyDer::Pkcs1(_))
        && pkcs8::PrivateKeyInfoRef::from_der(key.secret_der())
            .is_ok_and(|info| info.algorithm.oid.to_string() == oid::RSA_PSS);
    let spki = spki::SubjectPublicKeyInfoRef {
        // RSASSA-PSS without parameters: any hash (RFC 4055 §3.1).
        algorithm: if pss {
            spki::AlgorithmIdentifierRef { oid: ObjectIdentifier::new_unwrap(oid::RSA_PSS), parameters: None }
        } else {
            pkcs1::ALGORITHM_ID
        },
        subject_public_key: BitStringRef::from_bytes(&public).map_err(|_| KeyError::Malformed("PKCS#1"))?,
    };
    spki.to_der().map_err(|_| KeyError::Malformed("PKCS#1"))
}

/// How a DER `EncryptedPrivateKeyInfo` (RFC 5958 §3) is protected, e.g.
/// `PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC)`; `None` when it is not one. Schemes the pkcs8
/// crate does not parse (PKCS#12 PBEs, PBES1 of OpenSSL 1.0) are still recognised by the
/// outer structure, and named by OID.
pub fn encryption_scheme(der: &[u8]) -> Option<String> {
    use pkcs8::der::{Reader, SliceReader, asn1::OctetStringRef};
    if let Ok(info) = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der) {
        return Some(describe_scheme(&info.encryption_algorithm));
    }
    let mut reader = SliceReader::new(der).ok()?;
    let oid = reader
        .sequence(|r| {
            let algorithm = spki::AlgorithmIdentifierRef::decode(r)?;
            <&OctetStringRef>::decode(r)?;
            Ok::<_, pkcs8::der::Error>(algorithm.oid)
        })
        .ok()?;
    reader.finish().ok()?;
    Some(match oid.to_string().as_str() {
        "1.2.840.113549.1.12.1.3" => "PKCS#12 PBE (SHA-1, 3-key triple DES)".to_owned(),
        "1.2.840.113549.1.12.1.6" => "PKCS#12 PBE (SHA-1, 40-bit RC2)".to_owned(),
        other => format!("the password-based encryption scheme {other}"),
    })
}

fn describe_scheme(scheme: &pkcs8::pkcs5::EncryptionScheme) -> String {
    use pkcs8::pkcs5::pbes2::{EncryptionScheme as Cipher, Kdf, Pbkdf2Prf};
    let pkcs8::pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return "PBES1 (legacy PKCS#5 v1.5 encryption)".to_owned();
    };
    let kdf = match &params.kdf {
        Kdf::Pbkdf2(p) => match p.prf {
            Pbkdf2Prf::HmacWithSha1 => "PBKDF2-HMAC-SHA1",
            Pbkdf2Prf::HmacWithSha224 => "PBKDF2-HMAC-SHA224",
            Pbkdf2Prf::HmacWithSha256 => "PBKDF2-HMAC-SHA256",
            Pbkdf2Prf::HmacWithSha384 => "PBKDF2-HMAC-SHA384",
            Pbkdf2Prf::HmacWithSha512 => "PBKDF2-HMAC-SHA512",
            _ => "PBKDF2",
        },
        Kdf::Scrypt(_) => "scrypt",
        _ => "unknown key derivation",
    };
    let cipher = match &params.encryption {
        Cipher::Aes128Cbc { .. } => "AES-128-CBC",
        Cipher::Aes192Cbc { .. } => "AES-192-CBC",
        Cipher::Aes256Cbc { .. } => "AES-256-CBC",
        Cipher::Aes128Gcm { .. } => "AES-128-GCM",
        Cipher::Aes256Gcm { .. } => "AES-256-GCM",
        Cipher::DesEde3Cbc { .. } => "DES-EDE3-CBC",
        _ => "unknown cipher",
    };
    format!("PBES2 ({kdf}, {cipher})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_length_ignores_leading_zeros() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x01, 0xff]), 9);
        assert_eq!(bit_length(&[0, 0]), 0);
    }

    #[test]
    fn an_rsa_pss_key_reports_its_modulus_size() {
        let der = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keys/rsa2048.pkcs1.der")).unwrap();
        let mut spki = derive_spki(&PrivateKeyDer::Pkcs1(der.into())).unwrap();
        assert_eq!(algorithm_of_spki(&spki), Some(KeyAlgorithm::Rsa { bits: 2048 }));
        // rsaEncryption (1.2.840.113549.1.1.1) becomes id-RSASSA-PSS (1.2.840.113549.1.1.10):
        // the same key under the OID `openssl genpkey -algorithm RSA-PSS` writes.
        let rsa_oid = [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
        let at = spki.windows(rsa_oid.len()).position(|w| w == rsa_oid).unwrap() + rsa_oid.len() - 1;
        spki[at] = 0x0a;
        assert_eq!(algorithm_of_spki(&spki), Some(KeyAlgorithm::RsaPss { bits: 2048 }));
    }

    #[test]
    fn an_rsa_pss_private_key_gives_the_public_key_openssl_writes() {
        let fixture =
            |name: &str| std::fs::read(format!("{}/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let key = PrivateKeyDer::Pkcs8(fixture("rsa2048.pss.pkcs8.der").into());
        let spki = derive_spki(&key).unwrap();
        assert_eq!(spki, fixture("rsa2048.pss.spki.der"));
        assert_eq!(facts(&PrivateKey::Plain(key)).unwrap().algorithm, KeyAlgorithm::RsaPss { bits: 2048 });
    }

    #[test]
    fn a_damaged_rsa_key_is_rejected_not_matched() {
        let good = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/keys/rsa2048.pkcs1.der")).unwrap();
        assert!(derive_spki(&PrivateKeyDer::Pkcs1(good.clone().into())).is_ok());
        // Byte 20 is inside the modulus, byte 400 inside the private exponent: the DER
        // still parses, the numbers no longer belong together.
        for at in [20, 400] {
            let mut damaged = good.clone();
            damaged[at] ^= 0x01;
            let result = derive_spki(&PrivateKeyDer::Pkcs1(damaged.into()));
            assert!(matches!(result, Err(KeyError::Rejected(_))), "byte {at}: {result:?}");
        }
    }

    #[test]
    fn derives_the_same_spki_as_aws_lc_for_generated_keys() {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let doc = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P384_SHA384_ASN1_SIGNING, doc.as_ref()).unwrap();
        let key = PrivateKeyDer::Pkcs8(doc.as_ref().to_vec().into());
        let spki = derive_spki(&key).unwrap();
        assert_eq!(spki, pair.public_key().as_der().unwrap().as_ref());
        assert_eq!(algorithm_of_spki(&spki), Some(KeyAlgorithm::Ec { curve: "P-384".into() }));
    }
}
