//! Facts about certificates and CSRs, as a person debugging TLS needs them: names,
//! validity, keys, usages, extensions, fingerprints. Pure data (serialised as JSON
//! `data.objects[]`); judging the facts is `checks`' job.

use std::net::{Ipv4Addr, Ipv6Addr};

use aws_lc_rs::digest;
use serde::Serialize;
use time::OffsetDateTime;
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::objects::{oid_registry, oid2sn};
use x509_parser::oid_registry::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::x509::{AlgorithmIdentifier, X509Version};

use super::key::{self, KeyAlgorithm};
use crate::clock::serialize_rfc3339;
use crate::finding::place::visible;

/// Lower-case hex without separators, as fingerprints are shown everywhere.
pub fn hex(bytes: &[u8]) -> String {
    // Not `format!("{b:02x}")`: a CA bundle's fingerprints are thousands of bytes.
    let digit = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('?');
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(digit(b >> 4));
        s.push(digit(b & 0x0f));
    }
    s
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, bytes).as_ref())
}

/// Subject alternative names by kind (always lists, possibly empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sans {
    pub dns: Vec<String>,
    pub ip: Vec<String>,
    pub email: Vec<String>,
    pub uri: Vec<String>,
    /// Other name forms (directoryName, otherName, …), described.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other: Vec<String>,
}

impl Sans {
    pub fn is_empty(&self) -> bool {
        self.dns.is_empty()
            && self.ip.is_empty()
            && self.email.is_empty()
            && self.uri.is_empty()
            && self.other.is_empty()
    }

    /// `DNS localhost, IP 127.0.0.1`, in kind order.
    pub fn describe(&self) -> Vec<String> {
        let kinds: [(&str, &Vec<String>); 5] =
            [("DNS", &self.dns), ("IP", &self.ip), ("email", &self.email), ("URI", &self.uri), ("other", &self.other)];
        kinds.iter().flat_map(|(kind, names)| names.iter().map(move |n| format!("{kind} {n}"))).collect()
    }

    fn from_names<'a>(names: impl IntoIterator<Item = &'a GeneralName<'a>>) -> Self {
        let mut sans = Self::default();
        for name in names {
            match name {
                GeneralName::DNSName(n) => sans.dns.push(visible(n).into_owned()),
                GeneralName::IPAddress(bytes) => sans.ip.push(ip_text(bytes)),
                GeneralName::RFC822Name(n) => sans.email.push(visible(n).into_owned()),
                GeneralName::URI(n) => sans.uri.push(visible(n).into_owned()),
                GeneralName::DirectoryName(n) => sans.other.push(format!("directoryName {}", visible(&n.to_string()))),
                GeneralName::OtherName(oid, _) => sans.other.push(format!("otherName {oid}")),
                GeneralName::RegisteredID(oid) => sans.other.push(format!("registeredID {oid}")),
                other => sans.other.push(format!("{other:?}")),
            }
        }
        sans
    }
}

fn ip_text(bytes: &[u8]) -> String {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        Ipv4Addr::from(v4).to_string()
    } else if let Ok(v6) = <[u8; 16]>::try_from(bytes) {
        Ipv6Addr::from(v6).to_string()
    } else {
        format!("invalid IP address ({})", hex(bytes))
    }
}

/// One extension, by name (or dotted OID when certsmith has no name for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    pub name: String,
    pub oid: String,
    pub critical: bool,
}

/// Everything inspect reports about a certificate.
#[derive(Debug, Clone, Serialize)]
pub struct CertSummary {
    /// 1, 2 or 3 (the encoded value plus one, as people say it).
    pub version: u32,
    pub subject: String,
    pub issuer: String,
    /// Lower-case hex of the serial number's magnitude.
    pub serial: String,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub not_after: OffsetDateTime,
    pub san: Sans,
    pub public_key: KeyAlgorithm,
    pub signature_algorithm: String,
    pub is_ca: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_len: Option<u32>,
    pub key_usage: Vec<&'static str>,
    pub extended_key_usage: Vec<String>,
    /// Every extension, in certificate order, with its criticality.
    pub extensions: Vec<Extension>,
    pub self_signed: bool,
    pub fingerprint_sha256: String,
    pub spki_sha256: String,
    /// The subject's CN, for one-line summaries (not in JSON: `subject` has it).
    #[serde(skip)]
    pub common_name: Option<String>,
}

impl CertSummary {
    /// The named extension's criticality, if the certificate has it.
    pub fn critical(&self, name: &str) -> Option<bool> {
        self.extensions.iter().find(|e| e.name == name).map(|e| e.critical)
    }
}

/// Parses and describes a certificate already known to parse (see `load`).
pub fn certificate(der: &[u8]) -> Result<CertSummary, String> {
    let (_, cert) = X509Certificate::from_der(der).map_err(|e| e.to_string())?;
    Ok(summarize(&cert, der))
}

/// Describes a parsed certificate; `der` is its encoding (for the fingerprint).
pub fn summarize(cert: &X509Certificate<'_>, der: &[u8]) -> CertSummary {
    let san = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|ext| Sans::from_names(&ext.value.general_names))
        .unwrap_or_default();
    let bc = cert.basic_constraints().ok().flatten().map(|b| b.value.clone());
    let key_usage = cert.key_usage().ok().flatten().map(|ku| key_usage_names(ku.value)).unwrap_or_default();
    let extended_key_usage =
        cert.extended_key_usage().ok().flatten().map(|eku| eku_names(eku.value)).unwrap_or_default();
    let extensions = cert
        .extensions()
        .iter()
        .map(|e| Extension { name: oid_name(&e.oid), oid: e.oid.to_id_string(), critical: e.critical })
        .collect();
    let serial = cert.raw_serial().iter().skip_while(|b| **b == 0).copied().collect::<Vec<_>>();
    CertSummary {
        version: cert.version().0 + 1,
        // Names are shown, never interpreted: a newline or a bidi override in one is
        // written as an escape, so it cannot forge a line of output or read backwards.
        subject: visible(&cert.subject().to_string()).into_owned(),
        issuer: visible(&cert.issuer().to_string()).into_owned(),
        serial: if serial.is_empty() { "00".to_owned() } else { hex(&serial) },
        not_before: cert.validity().not_before.to_datetime(),
        not_after: cert.validity().not_after.to_datetime(),
        san,
        public_key: key::algorithm_of(cert.public_key()),
        signature_algorithm: signature_name(&cert.signature_algorithm),
        is_ca: bc.as_ref().is_some_and(|b| b.ca),
        path_len: bc.and_then(|b| b.path_len_constraint),
        key_usage,
        extended_key_usage,
        extensions,
        self_signed: is_self_signed(cert),
        fingerprint_sha256: sha256_hex(der),
        spki_sha256: sha256_hex(cert.public_key().raw),
        common_name: cert
            .subject()
            .iter_common_name()
            .next()
            .and_then(|cn| cn.as_str().ok())
            .map(|cn| visible(cn).into_owned()),
    }
}

/// Version 3 is encoded as 2; anything else is what rustls calls `UnsupportedCertVersion`.
pub fn is_v3(cert: &X509Certificate<'_>) -> bool {
    cert.version() == X509Version::V3
}

/// Self-signed as OpenSSL's `X509_check_issued` judges it without the signature: the
/// issuer is the subject, and the authority key identifier, when present, names the
/// certificate's own key (RFC 5280 §4.2.1.1). Checking the signature is verify's job; it
/// would cost more than the rest of the summary put together.
fn is_self_signed(cert: &X509Certificate<'_>) -> bool {
    use x509_parser::extensions::ParsedExtension;
    if cert.subject().as_raw() != cert.issuer().as_raw() {
        return false;
    }
    let mut aki = None;
    let mut ski = None;
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => aki = a.key_identifier.as_ref().map(|k| k.0),
            ParsedExtension::SubjectKeyIdentifier(s) => ski = Some(s.0),
            _ => {}
        }
    }
    match (aki, ski) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => true,
    }
}

/// RFC 5280 §4.2.1.3 names.
fn key_usage_names(ku: &x509_parser::extensions::KeyUsage) -> Vec<&'static str> {
    let bits: [(bool, &str); 9] = [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ];
    bits.iter().filter(|(set, _)| *set).map(|(_, name)| *name).collect()
}

/// RFC 5280 §4.2.1.12 names; other purposes as dotted OIDs.
fn eku_names(eku: &x509_parser::extensions::ExtendedKeyUsage<'_>) -> Vec<String> {
    let known: [(bool, &str); 7] = [
        (eku.server_auth, "serverAuth"),
        (eku.client_auth, "clientAuth"),
        (eku.code_signing, "codeSigning"),
        (eku.email_protection, "emailProtection"),
        (eku.time_stamping, "timeStamping"),
        (eku.ocsp_signing, "OCSPSigning"),
        (eku.any, "anyExtendedKeyUsage"),
    ];
    let mut names: Vec<String> = known.iter().filter(|(set, _)| *set).map(|(_, n)| (*n).to_owned()).collect();
    names.extend(eku.other.iter().map(|oid| oid.to_id_string()));
    names
}

fn oid_name(oid: &Oid<'_>) -> String {
    match oid2sn(oid, oid_registry()) {
        Ok(name) => name.to_owned(),
        // Certificate Transparency SCTs are in most public certificates but not in the registry.
        Err(_) if oid.to_id_string() == "1.3.6.1.4.1.11129.2.4.2" => "ctSignedCertificateTimestamps".to_owned(),
        Err(_) => oid.to_id_string(),
    }
}

/// `sha256WithRSAEncryption`, `ecdsa-with-SHA256`, `ED25519` (OpenSSL's names).
pub fn signature_name(alg: &AlgorithmIdentifier<'_>) -> String {
    oid_name(&alg.algorithm)
}

/// Everything inspect reports about a CSR.
#[derive(Debug, Clone, Serialize)]
pub struct CsrSummary {
    pub subject: String,
    pub san: Sans,
    pub public_key: KeyAlgorithm,
    pub signature_algorithm: String,
    /// Whether the request's self-signature verifies with the key it carries.
    pub signature_valid: bool,
    pub spki_sha256: String,
}

pub fn csr(der: &[u8]) -> Result<CsrSummary, String> {
    let (_, csr) = X509CertificationRequest::from_der(der).map_err(|e| e.to_string())?;
    let info = &csr.certification_request_info;
    let san = csr
        .requested_extensions()
        .into_iter()
        .flatten()
        .find_map(|ext| match ext {
            ParsedExtension::SubjectAlternativeName(san) => Some(Sans::from_names(&san.general_names)),
            _ => None,
        })
        .unwrap_or_default();
    Ok(CsrSummary {
        subject: visible(&info.subject.to_string()).into_owned(),
        san,
        public_key: key::algorithm_of(&info.subject_pki),
        signature_algorithm: signature_name(&csr.signature_algorithm),
        signature_valid: csr.verify_signature().is_ok(),
        spki_sha256: sha256_hex(info.subject_pki.raw),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_lower_case_without_separators() {
        assert_eq!(hex(&[0x00, 0xab, 0x10]), "00ab10");
    }

    #[test]
    fn ip_addresses_are_written_in_their_usual_form() {
        assert_eq!(ip_text(&[127, 0, 0, 1]), "127.0.0.1");
        let mut v6 = [0u8; 16];
        v6[15] = 1;
        assert_eq!(ip_text(&v6), "::1");
        assert!(ip_text(&[1, 2, 3]).starts_with("invalid"));
    }
}
