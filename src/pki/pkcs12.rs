//! PKCS#12 bundles (`.p12`, `.pfx`): what `certsmith gen --p12`, `openssl pkcs12 -export`
//! (AES by default, RC2/3DES with `-legacy`) and Java's keytool write. Read with
//! p12-keystore, the crate gen writes them with; its decoder checks the MAC and caps the
//! KDF iterations.
//!
//! A bundle is opened with an empty password first (`-passout pass:` makes those), then
//! with the one the caller reads. Before any key derivation runs, the bundle's outer
//! structure is counted: each safe and each bag can cost a KDF run, so a bundle of more
//! than [`MAX_SAFES`] safes or [`MAX_BAGS`] bags is refused. This module never prints.

use p12_keystore::Pkcs12Archive;
use pkcs8::der::Decode;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::key::PrivateKey;
use super::password::Password;
use crate::finding::Failure;

/// OpenSSL writes two safes (certificates, key); keytool one per entry. Each encrypted
/// safe or key costs one key derivation of up to 1,000,000 PBKDF2 iterations (the
/// p12-keystore crate's cap, about 0.12 s here): these two limits keep a hostile bundle
/// to about 3 s of CPU (64 keys took 7.8 s before).
const MAX_SAFES: usize = 8;
/// Bags in the unencrypted safes: a key and a chain.
const MAX_BAGS: usize = 16;

/// id-data: a safe stored as is (its bags can be counted), not encrypted.
const ID_DATA: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");

/// Whether `der` has PKCS#12's outer shape: SEQUENCE { INTEGER 3, SEQUENCE { OID
/// pkcs7-data, … } … }.
pub fn looks_like(der: &[u8]) -> bool {
    // 06 09 2a 86 48 86 f7 0d 01 07 01: id-data, right after the version.
    const DATA_OID: &[u8] = &[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    if der.first() != Some(&0x30) {
        return false;
    }
    let head = der.get(..64.min(der.len())).unwrap_or_default();
    // After the outer header: 02 01 03 (version 3), 30 .. (authSafe), its OID.
    head.windows(3).position(|w| w == [0x02, 0x01, 0x03]).is_some_and(|at| {
        head.get(at + 3..).is_some_and(|rest| rest.windows(DATA_OID.len()).take(8).any(|w| w == DATA_OID))
    })
}

/// What opening a bundle can run into.
#[derive(Debug)]
pub enum OpenError {
    /// The empty password did not open it and the caller's did not either (or was not
    /// given: the failure from reading it).
    Password(Failure),
    /// The bundle is damaged, too large, or uses what the decoder does not know.
    Structure(String),
}

/// The certificates (the one with the key's id first, then file order) and keys of a bundle.
pub fn open(
    der: &[u8],
    name: &str,
    password: &dyn Fn(&str) -> Result<Password, Failure>,
) -> Result<(Vec<CertificateDer<'static>>, Vec<PrivateKey>), OpenError> {
    count(der)?;
    let archive = match Pkcs12Archive::from_pkcs12(der, "") {
        Ok(archive) => archive,
        Err(e) if is_password_error(&e) => {
            let given = password(name).map_err(OpenError::Password)?;
            let text = std::str::from_utf8(given.as_bytes()).map_err(|_| {
                OpenError::Password(
                    Failure::new(format!("the password for {name} is not UTF-8 text, which PKCS#12 needs"))
                        .hint("check the password file or variable"),
                )
            })?;
            Pkcs12Archive::from_pkcs12(der, text).map_err(|e| {
                if is_password_error(&e) {
                    OpenError::Password(wrong_password(name))
                } else {
                    OpenError::Structure(e.to_string())
                }
            })?
        }
        Err(e) => return Err(OpenError::Structure(e.to_string())),
    };
    let key_ids: Vec<&[u8]> =
        archive.keys.iter().filter_map(|k| k.local_key_id.as_ref().map(|id| id.0.as_slice())).collect();
    let (mut with_key, mut others) = (Vec::new(), Vec::new());
    for bag in &archive.certs {
        let der = CertificateDer::from(bag.cert.as_der().to_vec());
        let belongs = bag.local_key_id.as_deref().is_some_and(|id| key_ids.contains(&id));
        if belongs { with_key.push(der) } else { others.push(der) }
    }
    with_key.extend(others);
    let keys =
        archive.keys.iter().map(|k| PrivateKey::Plain(PrivateKeyDer::Pkcs8(k.key.as_der().to_vec().into()))).collect();
    Ok((with_key, keys))
}

/// A MAC that does not verify is a wrong password; without a MAC, a wrong password shows
/// as bad padding or garbage after decryption.
fn is_password_error(e: &p12_keystore::error::Error) -> bool {
    use p12_keystore::error::Error;
    matches!(e, Error::MacError(_) | Error::UnpadError | Error::Pkcs5Error(_) | Error::DerError(_))
}

fn wrong_password(name: &str) -> Failure {
    Failure::new(format!("wrong password for {name}: the PKCS#12 bundle's MAC does not verify with it"))
        .hint(format!(
            "check the password (--password-file removes only one trailing newline); `openssl pkcs12 -in {name} -info -noout` asks for the same password"
        ))
        .code(crate::finding::Code::WrongKeyPassword)
}

/// Refuses a bundle with more safes or plain bags than a real one has, before any KDF runs.
fn count(der: &[u8]) -> Result<(), OpenError> {
    use ::pkcs12::cms::content_info::ContentInfo;
    let der_error = |e: pkcs8::der::Error| OpenError::Structure(format!("not a valid PKCS#12 structure: {e}"));
    let pfx = ::pkcs12::pfx::Pfx::from_der(der).map_err(der_error)?;
    // The explicit [0] is already stripped: the value is the AuthenticatedSafe's DER.
    let safes = Vec::<ContentInfo>::from_der(pfx.auth_safe.content.value()).map_err(der_error)?;
    if safes.len() > MAX_SAFES {
        return Err(OpenError::Structure(format!(
            "it holds {} safes, more than the {MAX_SAFES} a real bundle has",
            safes.len()
        )));
    }
    let mut bags = 0;
    for safe in safes.iter().filter(|s| s.content_type == ID_DATA) {
        bags += Vec::<pkcs8::der::Any>::from_der(safe.content.value()).map_err(der_error)?.len();
    }
    if bags > MAX_BAGS {
        return Err(OpenError::Structure(format!("it holds {bags} bags, more than the {MAX_BAGS} a real bundle has")));
    }
    Ok(())
}
