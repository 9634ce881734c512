//! Certificate revocation lists (RFC 5280 §5): signing a v2 CRL from a local CA (rcgen),
//! with the record of what the CA has revoked that makes repeated runs accumulate, and
//! reading a CRL back to check it against its CA (x509-parser).
//!
//! RFC 5280 §5.2 requires the authority key identifier and the CRL number in every CRL;
//! §5.2.3 a CRL number that increases. The key identifier must be the CA's own subject
//! key identifier, so it is taken from the CA certificate, not derived anew.
//!
//! Nothing here reads or writes files; `commands::ca` does.

use rcgen::{CertificateRevocationListParams, Issuer, KeyIdMethod, RevokedCertParams, SerialNumber};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use x509_parser::prelude::FromDer;

use super::ca::LocalCa;
use super::describe::hex;

/// The PEM label of a CRL (RFC 7468 §6).
pub const PEM_LABEL: &str = "X509 CRL";

/// One revoked certificate in the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoked {
    /// The serial number in lower-case hex, without leading zero bytes.
    pub serial: String,
    #[serde(with = "time::serde::rfc3339")]
    pub revoked_at: OffsetDateTime,
}

/// What a CA has revoked, kept next to it (`revoked.json`), and the last CRL number used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub crl_number: u64,
    pub revoked: Vec<Revoked>,
}

impl Record {
    /// The record as read from a file someone may have edited: every serial written as
    /// [`Record::revoke`] writes it, repeats dropped; the first entry that is no serial
    /// is the error, so that no revocation leaves the CRL without a word.
    pub fn normalised(mut self) -> Result<Self, String> {
        let mut seen: Vec<Revoked> = Vec::with_capacity(self.revoked.len());
        for entry in self.revoked {
            let bytes = parse_serial(&entry.serial).ok_or_else(|| entry.serial.clone())?;
            let serial = hex(&bytes);
            if !seen.iter().any(|r| r.serial == serial) {
                seen.push(Revoked { serial, revoked_at: entry.revoked_at });
            }
        }
        self.revoked = seen;
        Ok(self)
    }

    /// Adds `serial` unless it is there already; whether it was added.
    pub fn revoke(&mut self, serial: &[u8], at: OffsetDateTime) -> bool {
        let serial = hex(serial);
        if self.revoked.iter().any(|r| r.serial == serial) {
            return false;
        }
        self.revoked.push(Revoked { serial, revoked_at: at });
        true
    }
}

/// A serial number's bytes as a positive integer is written: without leading zero bytes
/// (DER adds one back when the first bit is set).
pub fn normalise_serial(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    bytes.get(start..).unwrap_or_default().to_vec()
}

/// A serial typed as hex: `4a1f…`, `0x4A1F…` or `4a:1f:…` (as `openssl x509 -serial`
/// and `inspect` show it).
pub fn parse_serial(text: &str) -> Option<Vec<u8>> {
    let digits: String = text.trim().trim_start_matches("0x").trim_start_matches("0X").replace(':', "");
    if digits.is_empty() || digits.len() > 40 || !digits.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let padded = if digits.len() % 2 == 1 { format!("0{digits}") } else { digits };
    let bytes: Option<Vec<u8>> = padded
        .as_bytes()
        .chunks(2)
        .map(|pair| std::str::from_utf8(pair).ok().and_then(|s| u8::from_str_radix(s, 16).ok()))
        .collect();
    bytes.map(|b| normalise_serial(&b))
}

/// Why a CRL could not be signed.
#[derive(Debug, thiserror::Error)]
pub enum CrlError {
    #[error("{0}")]
    Sign(String),
    #[error("the CA certificate's keyUsage lacks cRLSign (RFC 5280 §4.2.1.3), so it may not sign CRLs")]
    NotCrlSigner,
}

/// A v2 CRL signed by `ca`: thisUpdate `this_update`, nextUpdate `next_update`, the given
/// CRL number, the AKI of the CA's subject key identifier, every revoked serial.
pub fn sign(
    ca: &LocalCa,
    record: &Record,
    this_update: OffsetDateTime,
    next_update: OffsetDateTime,
) -> Result<Vec<u8>, CrlError> {
    let issuer = Issuer::from_ca_cert_der(&ca.cert, &ca.key).map_err(|e| CrlError::Sign(e.to_string()))?;
    let key_identifier_method = subject_key_identifier(&ca.cert).map_or(KeyIdMethod::Sha256, KeyIdMethod::PreSpecified);
    let revoked_certs = record
        .revoked
        .iter()
        .filter_map(|r| {
            Some(RevokedCertParams {
                serial_number: SerialNumber::from_slice(&parse_serial(&r.serial)?),
                revocation_time: r.revoked_at,
                reason_code: None,
                invalidity_date: None,
            })
        })
        .collect();
    let params = CertificateRevocationListParams {
        this_update,
        next_update,
        crl_number: SerialNumber::from_slice(&normalise_serial(&record.crl_number.to_be_bytes())),
        issuing_distribution_point: None,
        revoked_certs,
        key_identifier_method,
    };
    match params.signed_by(&issuer) {
        Ok(crl) => Ok(crl.der().to_vec()),
        Err(rcgen::Error::IssuerNotCrlSigner) => Err(CrlError::NotCrlSigner),
        Err(e) => Err(CrlError::Sign(e.to_string())),
    }
}

fn subject_key_identifier(der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
    cert.iter_extensions().find_map(|ext| match ext.parsed_extension() {
        x509_parser::extensions::ParsedExtension::SubjectKeyIdentifier(id) => Some(id.0.to_vec()),
        _ => None,
    })
}

/// The serial number of a certificate, normalised.
pub fn certificate_serial(der: &[u8]) -> Option<Vec<u8>> {
    let (_, cert) = x509_parser::certificate::X509Certificate::from_der(der).ok()?;
    Some(normalise_serial(cert.raw_serial()))
}

/// Whether certificate `der` names `issuer_der`'s subject as its issuer.
pub fn issued_by(der: &[u8], issuer_der: &[u8]) -> bool {
    let parse = |d| x509_parser::certificate::X509Certificate::from_der(d).ok().map(|(_, c)| c);
    match (parse(der), parse(issuer_der)) {
        (Some(cert), Some(issuer)) => cert.issuer().as_raw() == issuer.subject().as_raw(),
        _ => false,
    }
}

/// What a CRL says, as far as doctor checks it.
#[derive(Debug, Clone)]
pub struct CrlInfo {
    pub issuer: String,
    pub this_update: OffsetDateTime,
    pub next_update: Option<OffsetDateTime>,
    pub revoked: usize,
}

/// A CRL from its DER bytes; the parser's complaint when it is not one.
pub fn describe(der: &[u8]) -> Result<CrlInfo, String> {
    let (_, crl) = x509_parser::revocation_list::CertificateRevocationList::from_der(der)
        .map_err(|e| format!("not an X.509 CRL ({e})"))?;
    Ok(CrlInfo {
        issuer: crl.issuer().to_string(),
        this_update: crl.last_update().to_datetime(),
        next_update: crl.next_update().map(|t| t.to_datetime()),
        revoked: crl.iter_revoked_certificates().count(),
    })
}

/// Whether the CRL `der` is issued and signed by the CA certificate `ca_der`: its issuer
/// is the CA's subject and the CA's key verifies its signature (RFC 5280 §6.3.3 (f)).
pub fn signed_by(der: &[u8], ca_der: &[u8]) -> bool {
    let Ok((_, crl)) = x509_parser::revocation_list::CertificateRevocationList::from_der(der) else { return false };
    let Ok((_, ca)) = x509_parser::certificate::X509Certificate::from_der(ca_der) else { return false };
    crl.issuer().as_raw() == ca.subject().as_raw() && crl.verify_signature(ca.public_key()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_read_in_every_usual_form() {
        assert_eq!(parse_serial("0x4A1f"), Some(vec![0x4a, 0x1f]));
        assert_eq!(parse_serial("00:4a:1f"), Some(vec![0x4a, 0x1f]));
        assert_eq!(parse_serial("a1f"), Some(vec![0x0a, 0x1f]));
        assert_eq!(parse_serial("cert.pem"), None);
        assert_eq!(parse_serial(""), None);
    }

    #[test]
    fn a_serial_is_recorded_once() {
        let mut record = Record::default();
        let at = time::macros::datetime!(2027-01-01 0:00 UTC);
        assert!(record.revoke(&[0x4a], at));
        assert!(!record.revoke(&[0x4a], at));
        assert_eq!(record.revoked.len(), 1);
    }
}
