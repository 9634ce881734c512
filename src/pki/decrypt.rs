//! Decrypting private keys: PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2 with PBKDF2 or scrypt,
//! AES-CBC/GCM or DES-EDE3-CBC; RFC 8018, by the pkcs8 crate) and OpenSSL's legacy PEM
//! encryption (`Proc-Type: 4,ENCRYPTED`, RFC 1421 framing with OpenSSL's key derivation).
//!
//! A wrong password is told apart from a damaged file: the password is wrong when the
//! ciphertext is well-formed but decrypts to bad padding or to bytes that are not the key
//! structure the file promises. Decrypted bytes live in memory that is wiped on drop
//! until they become the returned key. Nothing here prints.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockCipherDecrypt, BlockModeDecrypt, KeyInit, KeyIvInit};
use md5::{Digest, Md5};
use pkcs8::der::Decode;
use pkcs8::pkcs5::{self, pbes2};
use rustls_pki_types::PrivateKeyDer;
use zeroize::Zeroizing;

use super::key::{self, PrivateKey};
use super::pem;

/// Why a key could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    #[error("wrong password")]
    WrongPassword,
    /// What the key is encrypted with, named as OpenSSL names it.
    #[error("it is encrypted with {0}, which certsmith cannot decrypt")]
    Unsupported(String),
    #[error("its encrypted data is damaged: {0}")]
    Damaged(String),
}

/// A key checked as far as it can be without its password: if encrypted, the scheme is one
/// certsmith decrypts and the ciphertext is well-formed. So a password is asked for only
/// when it is needed and can be used.
pub struct Sealed {
    inner: Inner,
}

enum Inner {
    Plain(PrivateKeyDer<'static>),
    Pkcs8 { params: pbes2::Parameters, ciphertext: Vec<u8> },
    Legacy { structure: fn(Vec<u8>) -> PrivateKeyDer<'static>, cipher: LegacyCipher, iv: Vec<u8>, ciphertext: Vec<u8> },
}

/// The key, ready to open; or why it cannot be decrypted whatever the password.
pub fn seal(key: &PrivateKey) -> Result<Sealed, DecryptError> {
    let inner = match key {
        PrivateKey::Plain(der) => Inner::Plain(der.clone_key()),
        PrivateKey::EncryptedPkcs8(der) => pkcs8(der)?,
        PrivateKey::LegacyEncrypted { label, dek_info, base64 } => legacy(label, dek_info, base64)?,
    };
    Ok(Sealed { inner })
}

impl Sealed {
    pub fn needs_password(&self) -> bool {
        !matches!(self.inner, Inner::Plain(_))
    }

    /// The plain key, decrypted with `password` when it is encrypted.
    pub fn open(&self, password: &[u8]) -> Result<PrivateKeyDer<'static>, DecryptError> {
        match &self.inner {
            Inner::Plain(der) => Ok(der.clone_key()),
            Inner::Pkcs8 { params, ciphertext } => {
                let plain = match params.decrypt(password, ciphertext) {
                    Ok(plain) => Zeroizing::new(plain),
                    // CBC padding or the GCM tag did not check out: the key from the password is wrong.
                    Err(pkcs5::Error::DecryptFailed) => return Err(DecryptError::WrongPassword),
                    Err(e) => return Err(DecryptError::Damaged(format!("invalid encryption parameters ({e})"))),
                };
                checked(PrivateKey::Plain(PrivateKeyDer::Pkcs8(plain.to_vec().into())))
            }
            Inner::Legacy { structure, cipher, iv, ciphertext } => {
                let salt = iv.get(..8).unwrap_or(iv);
                let key = evp_bytes_to_key(password, salt, cipher.key_len());
                let mut buffer = Zeroizing::new(ciphertext.clone());
                let plain = cipher.decrypt(&key, iv, &mut buffer)?;
                checked(PrivateKey::Plain(structure(plain.to_vec())))
            }
        }
    }
}

fn pkcs8(der: &[u8]) -> Result<Inner, DecryptError> {
    let unsupported =
        || DecryptError::Unsupported(key::encryption_scheme(der).unwrap_or_else(|| "an unknown scheme".to_owned()));
    // PKCS#12 PBEs and PBES1 do not parse as pkcs5 schemes (the loader still recognised them).
    let info = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der).map_err(|_| unsupported())?;
    let pkcs5::EncryptionScheme::Pbes2(params) = info.encryption_algorithm else {
        return Err(unsupported());
    };
    let block = match params.encryption {
        pbes2::EncryptionScheme::Aes128Cbc { .. }
        | pbes2::EncryptionScheme::Aes192Cbc { .. }
        | pbes2::EncryptionScheme::Aes256Cbc { .. } => 16,
        pbes2::EncryptionScheme::DesEde3Cbc { .. } => 8,
        _ => 1,
    };
    check_kdf_cost(&params.kdf)?;
    let ciphertext = info.encrypted_data.as_bytes().to_vec();
    whole_blocks(&ciphertext, block)?;
    Ok(Inner::Pkcs8 { params, ciphertext })
}

/// PBKDF2 rounds certsmith will run: OpenSSL writes 2,048, OWASP advises 600,000; two
/// million take about a second.
const MAX_PBKDF2_ITERATIONS: u32 = 2_000_000;
/// scrypt memory, as OpenSSL bounds it by default (`SCRYPT_MAX_MEM`, 32 MiB): a key OpenSSL
/// reads, certsmith reads.
const MAX_SCRYPT_MEMORY: u64 = 32 * 1024 * 1024;
/// scrypt work N·r·p: OpenSSL's default is 2^17 (0.03 s); 2^20 takes about a quarter of a
/// second. The fuzzer found N = 2^14, r = 8, p = 81 (2^23.3) taking 2.3 s under the old
/// limit of 2^25 (fixtures/fuzz/decrypt-scrypt-p81.pem).
const MAX_SCRYPT_WORK: u64 = 1 << 20;

/// The parameters of a key file are chosen by whoever wrote it: refuse ones that would
/// take hours or gigabytes (or are malformed: pkcs5 panics on N = 0) before deriving.
fn check_kdf_cost(kdf: &pbes2::Kdf) -> Result<(), DecryptError> {
    match kdf {
        pbes2::Kdf::Pbkdf2(p) => check_pbkdf2(p.iteration_count),
        pbes2::Kdf::Scrypt(p) => check_scrypt(p.cost_parameter, p.block_size, p.parallelization),
        _ => Ok(()),
    }
}

fn check_pbkdf2(iterations: u32) -> Result<(), DecryptError> {
    match iterations {
        0 => Err(DecryptError::Damaged("PBKDF2 with 0 iterations".into())),
        n if n > MAX_PBKDF2_ITERATIONS => Err(DecryptError::Unsupported(format!(
            "PBKDF2 with {n} iterations, more than the {MAX_PBKDF2_ITERATIONS} certsmith runs"
        ))),
        _ => Ok(()),
    }
}

fn check_scrypt(n: u64, r: u16, p: u16) -> Result<(), DecryptError> {
    let (r, p) = (u64::from(r), u64::from(p));
    if n < 2 || !n.is_power_of_two() || r == 0 || p == 0 {
        return Err(DecryptError::Damaged(format!("invalid scrypt parameters N={n}, r={r}, p={p}")));
    }
    let memory = 128u64.saturating_mul(r).saturating_mul(n.saturating_add(p));
    let work = n.saturating_mul(r).saturating_mul(p);
    if memory > MAX_SCRYPT_MEMORY || work > MAX_SCRYPT_WORK {
        return Err(DecryptError::Unsupported(format!(
            "scrypt with N={n}, r={r}, p={p}, which needs more memory or time than OpenSSL allows by default"
        )));
    }
    Ok(())
}

/// Whether Granian can decrypt this `ENCRYPTED PRIVATE KEY` at all: it builds the pkcs8
/// crate with `encryption` only (granian's Cargo.toml), which is PBES2 with AES and
/// PBKDF2-HMAC-SHA2 or scrypt; no 3DES, no SHA-1, no PBES1 or PKCS#12 schemes.
pub fn granian_can_decrypt(der: &[u8]) -> bool {
    let Ok(info) = pkcs8::EncryptedPrivateKeyInfoRef::from_der(der) else { return false };
    let pkcs5::EncryptionScheme::Pbes2(params) = &info.encryption_algorithm else { return false };
    let kdf = match &params.kdf {
        pbes2::Kdf::Pbkdf2(p) => p.prf != pbes2::Pbkdf2Prf::HmacWithSha1,
        pbes2::Kdf::Scrypt(_) => true,
        _ => false,
    };
    kdf && !matches!(params.encryption, pbes2::EncryptionScheme::DesEde3Cbc { .. })
}

/// The decrypted bytes must be the structure the encoding promises; anything else means
/// the password was wrong and the padding happened to look valid (about 1 time in 256).
fn checked(key: PrivateKey) -> Result<PrivateKeyDer<'static>, DecryptError> {
    match (key::check_structure(&key), key) {
        (Ok(()), PrivateKey::Plain(der)) => Ok(der),
        _ => Err(DecryptError::WrongPassword),
    }
}

/// OpenSSL's `PEM_write_bio_PrivateKey_traditional` with a cipher: the body is the key
/// structure the label names, encrypted with `DEK-Info`'s cipher and IV under a key from
/// `EVP_BytesToKey(cipher, MD5, salt = IV[0..8], password, count = 1)`.
fn legacy(label: &str, dek_info: &str, base64: &[u8]) -> Result<Inner, DecryptError> {
    let structure: fn(Vec<u8>) -> PrivateKeyDer<'static> = match label {
        "RSA PRIVATE KEY" => |der| PrivateKeyDer::Pkcs1(der.into()),
        "EC PRIVATE KEY" => |der| PrivateKeyDer::Sec1(der.into()),
        "PRIVATE KEY" => |der| PrivateKeyDer::Pkcs8(der.into()),
        other => return Err(DecryptError::Unsupported(format!("legacy PEM encryption of a {other} block"))),
    };
    let (cipher_name, iv_hex) = dek_info.split_once(',').unwrap_or((dek_info, ""));
    let cipher = LegacyCipher::from_name(cipher_name.trim())
        .ok_or_else(|| DecryptError::Unsupported(format!("legacy PEM encryption with {cipher_name}")))?;
    let iv = from_hex(iv_hex.trim()).filter(|iv| iv.len() == cipher.iv_len()).ok_or_else(|| {
        DecryptError::Damaged(format!("DEK-Info does not end with a {}-byte hex IV", cipher.iv_len()))
    })?;
    let ciphertext = pem::decode_body(label, base64).map_err(|e| {
        DecryptError::Damaged(match e {
            // Its line counts from the body, which is not where the file's lines start.
            pem::DecodeError::BadCharacter { found, .. } => {
                format!("the PEM body holds {found:?}, which base64 cannot")
            }
            other => format!("the PEM body: {other}"),
        })
    })?;
    whole_blocks(&ciphertext, cipher.iv_len())?;
    Ok(Inner::Legacy { structure, cipher, iv, ciphertext })
}

/// CBC ciphertext is a whole number of blocks; otherwise the file was cut or edited.
fn whole_blocks(ciphertext: &[u8], block: usize) -> Result<(), DecryptError> {
    if ciphertext.is_empty() || !ciphertext.len().is_multiple_of(block) {
        return Err(DecryptError::Damaged(format!(
            "{} bytes of ciphertext, not a whole number of {block}-byte cipher blocks",
            ciphertext.len()
        )));
    }
    Ok(())
}

/// The `DEK-Info` ciphers OpenSSL writes (`openssl rsa|ec -des|-des3|-aes128|-aes192|-aes256`),
/// all in CBC mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LegacyCipher {
    Des,
    DesEde3,
    Aes128,
    Aes192,
    Aes256,
}

impl LegacyCipher {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_uppercase().as_str() {
            "DES-CBC" => Self::Des,
            "DES-EDE3-CBC" => Self::DesEde3,
            "AES-128-CBC" => Self::Aes128,
            "AES-192-CBC" => Self::Aes192,
            "AES-256-CBC" => Self::Aes256,
            _ => return None,
        })
    }

    fn key_len(self) -> usize {
        match self {
            Self::Des => 8,
            Self::DesEde3 | Self::Aes192 => 24,
            Self::Aes128 => 16,
            Self::Aes256 => 32,
        }
    }

    /// Also the cipher's block size.
    fn iv_len(self) -> usize {
        match self {
            Self::Des | Self::DesEde3 => 8,
            Self::Aes128 | Self::Aes192 | Self::Aes256 => 16,
        }
    }

    fn decrypt<'b>(self, key: &[u8], iv: &[u8], buffer: &'b mut [u8]) -> Result<&'b [u8], DecryptError> {
        match self {
            Self::Des => cbc_decrypt::<des::Des>(key, iv, buffer),
            Self::DesEde3 => cbc_decrypt::<des::TdesEde3>(key, iv, buffer),
            Self::Aes128 => cbc_decrypt::<aes::Aes128>(key, iv, buffer),
            Self::Aes192 => cbc_decrypt::<aes::Aes192>(key, iv, buffer),
            Self::Aes256 => cbc_decrypt::<aes::Aes256>(key, iv, buffer),
        }
    }
}

fn cbc_decrypt<'b, C: BlockCipherDecrypt + KeyInit>(
    key: &[u8],
    iv: &[u8],
    buffer: &'b mut [u8],
) -> Result<&'b [u8], DecryptError> {
    let decryptor = cbc::Decryptor::<C>::new_from_slices(key, iv)
        .map_err(|_| DecryptError::Damaged("the key or IV has the wrong length for the cipher".to_owned()))?;
    // The length was checked before, so a failure here is bad padding: a wrong key.
    decryptor.decrypt_padded::<Pkcs7>(buffer).map_err(|_| DecryptError::WrongPassword)
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration:
/// `D_1 = MD5(password ‖ salt)`, `D_i = MD5(D_{i-1} ‖ password ‖ salt)`, key = `D_1 ‖ D_2 ‖ …`.
fn evp_bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    let mut key = Zeroizing::new(Vec::with_capacity(len + 16));
    let mut previous: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::new());
    while key.len() < len {
        let digest = Md5::new().chain_update(&*previous).chain_update(password).chain_update(salt).finalize();
        key.extend_from_slice(&digest);
        previous = Zeroizing::new(digest.to_vec());
    }
    key.truncate(len);
    key
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| text.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok())).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hostile_key_derivation_parameters_are_refused_before_any_work() {
        use super::{DecryptError, check_pbkdf2, check_scrypt};
        assert!(check_scrypt(16384, 8, 1).is_ok(), "OpenSSL's default");
        assert!(matches!(check_scrypt(0, 8, 1), Err(DecryptError::Damaged(_))));
        assert!(matches!(check_scrypt(1000, 8, 1), Err(DecryptError::Damaged(_))));
        assert!(matches!(check_scrypt(1 << 30, 8, 1), Err(DecryptError::Unsupported(_))));
        assert!(matches!(check_scrypt(16384, 8, 60000), Err(DecryptError::Unsupported(_))));
        assert!(check_pbkdf2(600_000).is_ok());
        assert!(matches!(check_pbkdf2(0), Err(DecryptError::Damaged(_))));
        assert!(matches!(check_pbkdf2(u32::MAX), Err(DecryptError::Unsupported(_))));
    }

    use super::*;

    #[test]
    fn evp_bytes_to_key_matches_openssl() {
        // `openssl enc -aes-256-cbc -k password -S 0102030405060708 -md md5 -P` prints
        // key=E7B0…CE02 and iv=8D45…226B: the same derivation, 48 bytes long.
        let key = evp_bytes_to_key(b"password", &[1, 2, 3, 4, 5, 6, 7, 8], 48);
        let hex: String = key.iter().map(|b| format!("{b:02X}")).collect();
        assert_eq!(
            hex,
            "E7B0971E52CA5CC8D0539FB3412F6316F7BA2E6EE293D9F3457B99436B51CE028D450E2ED75A84A923D4EAC9FE49226B"
        );
    }

    #[test]
    fn parses_dek_info_ivs() {
        assert_eq!(from_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(from_hex("0"), None);
        assert_eq!(from_hex("zz"), None);
        assert_eq!(LegacyCipher::from_name("aes-256-cbc"), Some(LegacyCipher::Aes256));
        assert_eq!(LegacyCipher::from_name("BF-CBC"), None);
    }
}
