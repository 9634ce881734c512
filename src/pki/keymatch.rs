//! Does a private key belong to a certificate, and can Granian load the key file as it is.
//! The one implementation behind `match-key`, `verify --key` and `doctor`.
//!
//! The key's public key is derived from its private material (decrypting it first when it
//! is encrypted) and compared with the certificate's SubjectPublicKeyInfo. An EC point the
//! certificate stores compressed still belongs to the key, but rustls compares encodings
//! and refuses the pair, so that is said as well. "Can Granian load it" is asked of the
//! code Granian runs: rustls with the ring provider, after the file format checks
//! Granian's own loader makes (`granian/src/tls.rs`: PEM only; with a password, only
//! `ENCRYPTED PRIVATE KEY` blocks).
//!
//! Nothing here prints; no private byte or password leaves this module except to a crypto
//! call.

use rustls_pki_types::PrivateKeyDer;
use serde::Serialize;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::checks::{self, Issue};
use super::decrypt::{self, DecryptError};
use super::describe;
use super::key::{self, KeyAlgorithm, KeySummary, PrivateKey, oid};
use super::load::{LoadedFile, Object};
use crate::finding::Failure;
use crate::finding::{Code, FIX, Remedy, Subject};
use crate::pki::password::Password;

/// The certificate side of a comparison.
#[derive(Debug, Clone, Serialize)]
pub struct CertSide {
    pub source: Subject,
    pub subject: String,
    pub public_key: KeyAlgorithm,
    /// SHA-256 of the certificate's SubjectPublicKeyInfo (as `inspect` shows it).
    pub spki_sha256: String,
    /// RSA only: what `openssl x509 -noout -modulus -in CERT | openssl md5` prints after `MD5(stdin)= `.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modulus_md5: Option<String>,
}

/// The key side of a comparison; never any private material.
#[derive(Debug, Clone, Serialize)]
pub struct KeySide {
    pub source: Subject,
    /// The decrypted key's facts: `spki_sha256` is always there.
    #[serde(flatten)]
    pub summary: KeySummary,
    /// RSA only: what `openssl rsa -noout -modulus -in KEY | openssl md5` prints after `MD5(stdin)= `.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modulus_md5: Option<String>,
}

/// The answer about one certificate and one key.
#[derive(Debug, Clone, Serialize)]
pub struct KeyMatch {
    /// The key's public key is the certificate's.
    pub matches: bool,
    pub certificate: CertSide,
    pub key: KeySide,
    /// rustls with the ring provider, as Granian runs it, loads the key file as it is
    /// (without a password). When false, `issues` says why and what to run.
    pub granian_loads_key: bool,
    /// rustls, as Granian runs it, loads the certificate as a server's (X.509 v3, no
    /// critical extension it does not know). When false, `certificate_issues` says why.
    pub granian_loads_certificate: bool,
    /// Why Granian refuses the certificate, whatever the key.
    #[serde(skip)]
    pub certificate_issues: Vec<Issue>,
    /// `key-mismatch` or `compressed-public-key` first, then what keeps Granian from
    /// loading the key.
    #[serde(skip)]
    pub issues: Vec<Issue>,
}

/// Compares the certificate at `cert_position` (0 = the first, the leaf) of `cert_file`
/// with the first private key of `key_file`. `password` is called only when the key is
/// encrypted. Fails (exit status 2) when a file holds the wrong kind of object (swapped
/// arguments are named as such), on a wrong password, or when a key cannot be used at all.
pub fn check(
    cert_file: &LoadedFile,
    cert_position: usize,
    key_file: &LoadedFile,
    password: impl FnOnce() -> Result<Password, Failure>,
) -> Result<KeyMatch, Failure> {
    let certificates: Vec<_> = cert_file.certificates().collect();
    let key_found = key_file.private_keys().next();
    let (Some(&(cert_index, cert_der)), Some((key_index, stored))) = (certificates.get(cert_position), key_found)
    else {
        return Err(wrong_inputs(cert_file, certificates.len(), cert_position, key_file));
    };
    let cert_subject = cert_file.subject(cert_index);
    let key_subject = key_file.subject(key_index);
    let cert = describe::certificate(cert_der).map_err(|e| {
        Failure::new(format!("{cert_subject}: cannot read this certificate: {e}"))
            .hint("the data is damaged; copy the certificate again from its source")
            .about(cert_subject.clone())
    })?;

    let key_name = &key_file.name;
    let plain = unlock(stored, key_name, password)
        .map_err(|f| if *f.subject == Subject::default() { f.about(key_subject.clone()) } else { f })?;
    let key_spki = key::derive_spki(&plain).map_err(|e| {
        Failure::new(format!("{key_subject}: cannot use this private key: {e}"))
            .hint(format!("check the file with `openssl pkey -check -in {key_name} -noout`; if openssl accepts it, please report it"))
            .about(key_subject.clone())
            .code(Code::KeyUnsupportedByGranian)
    })?;
    let cert_spki = cert_spki_der(cert_der);
    let key_algorithm = key::algorithm_of_spki(&key_spki).unwrap_or(KeyAlgorithm::Unknown { oid: String::new() });
    // Not key::facts: for a plain key that derives the public key a second time.
    let protection = key::protection(stored);

    let reissue = checks::reissue(&cert, None);
    let relation = pairing(&cert_spki, &key_spki);
    let matches = relation != Pairing::Different;
    let mut issues = Vec::new();
    if relation == Pairing::Compressed {
        issues.push(compressed_public_key(&cert_subject, key_name, &reissue));
    }
    if !matches {
        let other = certificates
            .iter()
            .enumerate()
            .find(|(_, (_, der))| pairing(&cert_spki_der(der), &key_spki) == Pairing::Same)
            .map(|(position, _)| position);
        issues.push(mismatch(&cert_subject, &cert.public_key, key_name, &key_algorithm, other));
    }
    let mut granian = granian_issues(stored, key_index.is_some(), &plain, key_name, &key_algorithm, &reissue);
    if key_file.container == Some(super::load::Container::Pkcs12) {
        granian.insert(0, pkcs12_not_pem(key_name, Code::KeyFormatUnsupportedByGranian));
    }
    let granian_loads_key = granian.is_empty();
    issues.extend(granian);
    // Granian loads the whole certificate file, in PEM only.
    let served: Vec<_> = certificates.iter().filter_map(|(_, der)| describe::certificate(der).ok()).collect();
    let mut certificate_issues = checks::server_loading(&served);
    if cert_file.container == Some(super::load::Container::Pkcs12) {
        certificate_issues.insert(0, pkcs12_not_pem(&cert_file.name, Code::CertificateNotPem));
    } else if cert_file.objects.iter().all(|o| o.index.is_none()) {
        certificate_issues.insert(0, not_pem(&cert_file.name));
    }

    Ok(KeyMatch {
        matches,
        certificate: CertSide {
            source: cert_subject,
            subject: cert.subject,
            public_key: cert.public_key,
            spki_sha256: cert.spki_sha256,
            modulus_md5: openssl_modulus_md5(&cert_spki),
        },
        key: KeySide {
            source: key_subject,
            summary: KeySummary {
                algorithm: key_algorithm,
                encoding: stored.encoding(),
                encrypted: stored.is_encrypted(),
                protection,
                spki_sha256: Some(describe::sha256_hex(&key_spki)),
            },
            modulus_md5: openssl_modulus_md5(&key_spki),
        },
        granian_loads_key,
        granian_loads_certificate: certificate_issues.is_empty(),
        certificate_issues,
        issues,
    })
}

/// The first private key of a file, decrypted when it is encrypted (`password` is called
/// only then). For commands that sign or compare with a key file (gen --key, a CA key).
pub fn first_private_key(
    file: &LoadedFile,
    password: impl FnOnce() -> Result<Password, Failure>,
) -> Result<PrivateKeyDer<'static>, Failure> {
    let Some((index, stored)) = file.private_keys().next() else {
        let found =
            if file.certificates().next().is_some() { "a certificate, not a private key" } else { "no private key" };
        return Err(Failure::new(format!("{} holds {found}", file.name))
            .hint("pass the private key file (PKCS#8, PKCS#1, SEC1 or encrypted PKCS#8)")
            .about(file.subject(None)));
    };
    unlock(stored, &file.name, password)
        .map_err(|f| if *f.subject == Subject::default() { f.about(file.subject(index)) } else { f })
}

/// The key as plain DER: decrypted with the password when it is encrypted.
pub fn unlock(
    key: &PrivateKey,
    key_name: &str,
    password: impl FnOnce() -> Result<Password, Failure>,
) -> Result<PrivateKeyDer<'static>, Failure> {
    let failure = |e: DecryptError| {
        match e {
        DecryptError::WrongPassword => Failure::new(format!("wrong password for {key_name}")).hint(format!(
            "check the password (--password-file removes only one trailing newline: spaces and further lines count); `openssl pkey -in {key_name} -noout` asks for the same password"
        )).code(Code::WrongKeyPassword),
        DecryptError::Unsupported(_) => Failure::new(format!("cannot decrypt {key_name}: {e}"))
            .hint(format!("decrypt it with openssl: `{}`", decrypt_command(key_name)))
            .code(Code::KeyFormatUnsupportedByGranian),
        DecryptError::Damaged(_) => Failure::new(format!("cannot decrypt {key_name}: {e}"))
            .hint("the file was damaged (an editor, a copy-paste): copy the key again from its source")
            .code(Code::NoPrivateKey),
    }
    };
    let sealed = decrypt::seal(key).map_err(failure)?;
    let password = if sealed.needs_password() { Some(password()?) } else { None };
    sealed.open(password.as_ref().map_or(&[], Password::as_bytes)).map_err(failure)
}

/// A PKCS#12 bundle: Granian reads the certificate and the key only from PEM files.
pub fn pkcs12_not_pem(name: &str, code: Code) -> Issue {
    let word = crate::finding::place::shell_word(name);
    Issue::new(
        code,
        format!(
            "{name} is a PKCS#12 bundle, not PEM: Granian reads the certificate and the key only from PEM files, so it refuses to start with it"
        ),
        format!(
            "write its parts as PEM: `openssl pkcs12 -in {word} -clcerts -nokeys -out certificate.pem` and `openssl pkcs12 -in {word} -nocerts -noenc -out private_key.pem` (add -legacy for an RC2/3DES bundle)"
        ),
    )
}

/// A DER certificate file: Python's load_cert_chain reads PEM only.
fn not_pem(name: &str) -> Issue {
    let issue = Issue::new(
        Code::CertificateNotPem,
        format!(
            "{name} is DER, not PEM: Granian reads certificates only as PEM, so it refuses to start with it (Python's load_cert_chain: \"[SSL] PEM lib\")"
        ),
        format!("rewrite it as PEM: {FIX}"),
    );
    if name == "<stdin>" {
        // No file to rewrite: the hint says what to do instead.
        return Issue { hint: Some("give Granian the certificate as PEM: save it to a file and run match-key on that file for the command that converts it".to_owned()), ..issue };
    }
    issue.remedy(Remedy::ToPem { file: name.to_owned(), is_key: false })
}

/// How a key's public key relates to a certificate's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// The same key, as rustls compares them.
    Same,
    /// The same EC point, stored compressed on one side: the key belongs, but rustls
    /// compares encodings and refuses the pair.
    Compressed,
    /// Different keys.
    Different,
}

/// How the DER SubjectPublicKeyInfos of a certificate and of a key relate.
pub fn pairing(cert_spki: &[u8], key_spki: &[u8]) -> Pairing {
    if same_public_key(cert_spki, key_spki) {
        Pairing::Same
    } else if same_point_encoded_differently(cert_spki, key_spki) {
        Pairing::Compressed
    } else {
        Pairing::Different
    }
}

/// Whether two DER SubjectPublicKeyInfos hold the same public key. DER is canonical, so
/// equal keys have equal bytes, except that an RSA key may be labelled rsaEncryption or
/// RSASSA-PSS (RFC 4055): RSA keys are compared by (n, e).
fn same_public_key(a: &[u8], b: &[u8]) -> bool {
    a == b || matches!((rsa_numbers(a), rsa_numbers(b)), (Some(x), Some(y)) if x == y)
}

/// Whether two EC SubjectPublicKeyInfos hold the same point on the same curve, one
/// compressed and one not (SEC 1 §2.3.3: compressed `02|03 x`, uncompressed `04 x y`).
/// The uncompressed one is compressed and the two compared: compressing is exact, and
/// the curve equation gives one y of each parity for an x.
fn same_point_encoded_differently(a: &[u8], b: &[u8]) -> bool {
    let ec = |der: &[u8]| {
        let (_, spki) = SubjectPublicKeyInfo::from_der(der).ok()?;
        (spki.algorithm.algorithm.to_id_string() == oid::EC).then(|| {
            let curve = spki.algorithm.parameters.as_ref().map(|p| p.data.to_vec());
            (curve, spki.subject_public_key.data.to_vec())
        })
    };
    match (ec(a), ec(b)) {
        (Some((curve_a, point_a)), Some((curve_b, point_b))) if curve_a == curve_b => {
            let is_compressed = |p: &[u8]| matches!(p.first(), Some(0x02 | 0x03));
            is_compressed(&point_a) != is_compressed(&point_b)
                && compressed(&point_a).is_some_and(|c| compressed(&point_b) == Some(c))
        }
        _ => false,
    }
}

/// An EC point in compressed form: the parity of y as prefix, then x.
fn compressed(point: &[u8]) -> Option<Vec<u8>> {
    match point.split_first()? {
        (0x02 | 0x03, _) => Some(point.to_vec()),
        (0x04, xy) if !xy.is_empty() && xy.len() % 2 == 0 => {
            let (x, y) = xy.split_at(xy.len() / 2);
            let prefix = 0x02 | (y.last()? & 1);
            Some([&[prefix], x].concat())
        }
        _ => None,
    }
}

/// (n, e) without leading zero bytes, for RSA SPKIs.
fn rsa_numbers(spki_der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, spki) = SubjectPublicKeyInfo::from_der(spki_der).ok()?;
    let alg = spki.algorithm.algorithm.to_id_string();
    if alg != oid::RSA && alg != oid::RSA_PSS {
        return None;
    }
    let (_, rsa) = RSAPublicKey::from_der(&spki.subject_public_key.data).ok()?;
    let strip = |n: &[u8]| n.iter().skip_while(|b| **b == 0).copied().collect::<Vec<u8>>();
    Some((strip(rsa.modulus), strip(rsa.exponent)))
}

/// The digest the guide's recipe prints, for RSA keys: `openssl x509|rsa -noout -modulus`
/// writes `Modulus=<n in upper-case hex, no leading zero digits>\n` (OpenSSL's `BN_print`)
/// and `openssl md5` hashes that line. Lower-case hex, as `openssl md5` shows it.
pub fn openssl_modulus_md5(spki_der: &[u8]) -> Option<String> {
    use md5::{Digest, Md5};
    let (modulus, _) = rsa_numbers(spki_der)?;
    let hex = describe::hex(&modulus).to_ascii_uppercase();
    let digits = hex.trim_start_matches('0');
    let line = format!("Modulus={}\n", if digits.is_empty() { "0" } else { digits });
    Some(describe::hex(&Md5::digest(line.as_bytes())))
}

/// A certificate's DER SubjectPublicKeyInfo (empty when the DER does not parse).
pub fn cert_spki_der(cert_der: &[u8]) -> Vec<u8> {
    x509_parser::certificate::X509Certificate::from_der(cert_der)
        .map(|(_, cert)| cert.public_key().raw.to_vec())
        .unwrap_or_default()
}

/// The `key-mismatch` issue; `other` is the position of another certificate in the same
/// file that the key does belong to.
pub fn mismatch(
    cert: &Subject,
    cert_algorithm: &KeyAlgorithm,
    key_name: &str,
    key_algorithm: &KeyAlgorithm,
    other: Option<usize>,
) -> Issue {
    let kinds = if cert_algorithm == key_algorithm {
        String::new()
    } else {
        format!(" (the certificate's key is {cert_algorithm}, this key is {key_algorithm})")
    };
    let hint = match other {
        Some(position) => format!(
            "the key belongs to certificate {position} of the same file (counted from 0): Granian serves the first one, so put that certificate first, or pass --index {position} to compare with it"
        ),
        None => "find the key this certificate was issued for (`certsmith inspect` shows each file's spki sha256: a certificate and its key share it), or issue a new certificate for this key".to_owned(),
    };
    Issue::new(
        Code::KeyMismatch,
        format!(
            "the private key in {key_name} does not belong to the certificate in {cert}: their public keys differ{kinds}. Granian refuses to start with this pair ([X509: KEY_VALUES_MISMATCH] key values mismatch), as any TLS server does"
        ),
        hint,
    )
}

/// The `compressed-public-key` issue: the pair belongs together, but rustls compares the
/// certificate's SubjectPublicKeyInfo with the one it derives from the key, byte for byte,
/// and refuses the pair (measured: `with_single_cert` → `InconsistentKeys(KeyMismatch)`).
fn compressed_public_key(cert: &Subject, key_name: &str, reissue: &Remedy) -> Issue {
    let for_this_key = match reissue.clone() {
        Remedy::Reissue { names, issuer, .. } => Remedy::Reissue { names, issuer, keep_key: true },
        other => other,
    };
    Issue::new(
        Code::CompressedPublicKey,
        format!(
            "the private key in {key_name} belongs to the certificate in {cert}, but the certificate stores its EC public key compressed. OpenSSL accepts the pair; rustls compares the two encodings and refuses it (InconsistentKeys(KeyMismatch)), so Granian's workers do not start"
        ),
        format!("issue a new certificate for this key; certsmith writes the public key uncompressed: {FIX}"),
    )
    .remedy(for_this_key)
}

/// What keeps Granian from loading the key file as it is: its format (`stored`, and whether
/// the file is PEM), then its type and size, asked of rustls's ring provider with the
/// decrypted key `plain`.
pub fn granian_issues(
    stored: &PrivateKey,
    in_pem: bool,
    plain: &PrivateKeyDer<'_>,
    key_name: &str,
    algorithm: &KeyAlgorithm,
    reissue: &Remedy,
) -> Vec<Issue> {
    let mut issues = Vec::new();
    let decrypted = decrypt_command(key_name);
    if !in_pem {
        // Granian reads the key with rustls-pemfile, and Python's ssl module first: PEM only.
        issues.push(
            Issue::new(
                Code::KeyFormatUnsupportedByGranian,
                format!("{key_name} is DER, and Granian reads keys only as PEM: it refuses to start with this file"),
                format!("rewrite it as PEM, readable only by its owner: {FIX}"),
            )
            .remedy(Remedy::ToPem { file: key_name.to_owned(), is_key: true }),
        );
    }
    match stored {
        PrivateKey::Plain(_) => {}
        PrivateKey::LegacyEncrypted { dek_info, .. } => issues.push(Issue::new(
            Code::KeyFormatUnsupportedByGranian,
            format!(
                "{key_name} uses OpenSSL's legacy PEM encryption (Proc-Type: 4,ENCRYPTED, {}): Granian cannot load it. With GRANIAN_SSL_KEYFILE_PASSWORD it reads only ENCRYPTED PRIVATE KEY (PKCS#8) blocks, and without it the key does not parse",
                dek_info.split(',').next().unwrap_or(dek_info)
            ),
            format!("write it decrypted, as PKCS#8 readable only by its owner: `{decrypted}`"),
        )),
        PrivateKey::EncryptedPkcs8(der) if !decrypt::granian_can_decrypt(der) => issues.push(Issue::new(
            Code::KeyFormatUnsupportedByGranian,
            format!(
                "{key_name} is encrypted with {}, which Granian cannot decrypt even with GRANIAN_SSL_KEYFILE_PASSWORD (it decrypts only PBES2 with AES and PBKDF2-HMAC-SHA2 or scrypt): it refuses to start",
                key::encryption_scheme(der).unwrap_or_default()
            ),
            format!("write it decrypted, readable only by its owner: `{decrypted}`"),
        )),
        PrivateKey::EncryptedPkcs8(_) => issues.push(Issue::new(
            Code::KeyFormatUnsupportedByGranian,
            format!(
                "{key_name} is an encrypted PKCS#8 key: Granian loads it only with GRANIAN_SSL_KEYFILE_PASSWORD set, and Granian 2.8.9's worker panicked on an OpenSSL 3 `-v2 aes-256-cbc` encrypted key when measured; an unencrypted PKCS#8 key loads reliably"
            ),
            format!("write it decrypted, readable only by its owner: `{decrypted}`"),
        )),
    }
    if !ring_loads(plain) {
        issues.push(
            Issue::new(
                Code::KeyUnsupportedByGranian,
                format!(
                    "the key is {algorithm}: rustls with the ring provider, which Granian uses, loads only RSA keys of 2048 to 4096 bits, ECDSA P-256 and P-384, and Ed25519, so Granian's worker fails at start (\"failed to parse private key as RSA, ECDSA, or EdDSA\")"
                ),
                format!("make a new key Granian can load (P-256 by default) and a certificate for it: {FIX}"),
            )
            .remedy(reissue.clone()),
        );
    }
    issues
}

/// rustls's own key loading with the ring provider: the call `ServerConfig::with_single_cert`
/// makes in Granian's worker (rustls 0.23 `CertifiedKey::from_der`).
fn ring_loads(plain: &PrivateKeyDer<'_>) -> bool {
    rustls::crypto::ring::default_provider().key_provider.load_private_key(plain.clone_key()).is_ok()
}

/// `openssl pkey` writes PKCS#8 and asks for the password; umask keeps the output private.
fn decrypt_command(key_name: &str) -> String {
    format!("(umask 077; openssl pkey -in {key_name} -out {})", sibling(key_name, "unencrypted.pem"))
}

/// `certs/key.der` → `certs/key.pem`; `certs/key.pem` → `certs/key.unencrypted.pem`.
fn sibling(name: &str, suffix: &str) -> String {
    let stem = [".pem", ".der", ".key"].iter().find_map(|ext| name.strip_suffix(ext)).unwrap_or(name);
    format!("{stem}.{suffix}")
}

/// The failure when the files do not hold a certificate and a key, in that order.
fn wrong_inputs(cert_file: &LoadedFile, certificates: usize, position: usize, key_file: &LoadedFile) -> Failure {
    let (cert, key) = (&cert_file.name, &key_file.name);
    let key_has_cert = key_file.certificates().next().is_some();
    let cert_has_key = cert_file.private_keys().next().is_some();
    let about_cert = Subject::file(cert, None);
    if certificates == 0 && cert_has_key && key_has_cert {
        return Failure::new(format!("the arguments are swapped: {cert} holds a private key and {key} a certificate"))
            .hint(format!("the certificate comes first: `certsmith match-key {key} {cert}`"))
            .about(about_cert);
    }
    if certificates == 0 {
        return Failure::new(format!("{cert} holds {}, not a certificate", holds(cert_file)))
            .hint(match kinds(cert_file).first() {
                Some(Kind::Csr) => format!(
                    "match-key needs the certificate issued from this request; `certsmith inspect {cert} {key}` shows whether the request and the key share an spki sha256"
                ),
                _ => "the first argument is the certificate file (for Granian, the file GRANIAN_SSL_CERTIFICATE names), the second its key".to_owned(),
            })
            .about(about_cert);
    }
    if position >= certificates {
        return Failure::new(format!(
            "{cert} holds {certificates} certificate{}: there is no certificate {position} (they are counted from 0)",
            if certificates == 1 { "" } else { "s" }
        ))
        .hint(format!("choose one of 0 to {} with --index", certificates - 1))
        .about(about_cert);
    }
    Failure::new(format!("{key} holds {}, not a private key", holds(key_file)))
        .hint(
            "the second argument is the private key file (for Granian, the file GRANIAN_SSL_KEYFILE names), the first the certificate",
        )
        .about(Subject::file(key, None))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Certificate,
    PrivateKey,
    Csr,
    PublicKey,
    Other,
}

fn kinds(file: &LoadedFile) -> Vec<Kind> {
    file.objects
        .iter()
        .map(|o| match o.object {
            Object::Certificate(_) => Kind::Certificate,
            Object::PrivateKey(_) => Kind::PrivateKey,
            Object::Csr(_) => Kind::Csr,
            Object::PublicKey(_) => Kind::PublicKey,
            Object::Other(_) => Kind::Other,
        })
        .collect()
}

/// `a private key`, `a certificate request (CSR) and a public key`, `only X509 CRL blocks`.
fn holds(file: &LoadedFile) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    for kind in kinds(file) {
        if seen.contains(&kind) {
            continue;
        }
        seen.push(kind);
        parts.push(
            match kind {
                Kind::Certificate => "a certificate",
                Kind::PrivateKey => "a private key",
                Kind::Csr => "a certificate request (CSR)",
                Kind::PublicKey => "a public key",
                Kind::Other => "PEM blocks certsmith does not read",
            }
            .to_owned(),
        );
    }
    if parts.is_empty() { "nothing".to_owned() } else { parts.join(" and ") }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An EC SubjectPublicKeyInfo (DER, short lengths) for a curve OID and point.
    fn ec_spki(curve_oid: &[u8], point: &[u8]) -> Vec<u8> {
        let tlv = |tag: u8, body: &[u8]| [&[tag, body.len() as u8], body].concat();
        let algorithm =
            tlv(0x30, &[tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]), tlv(0x06, curve_oid)].concat());
        tlv(0x30, &[algorithm, tlv(0x03, &[&[0x00], point].concat())].concat())
    }

    #[test]
    fn only_one_point_compressed_and_one_not_count_as_one_key() {
        const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        const P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
        let (x, y_odd, y_odd_too) = ([0x11u8; 32], [0x21u8; 32], [0x23u8; 32]);
        let full = ec_spki(P256, &[&[0x04], &x[..], &y_odd].concat());
        assert!(same_point_encoded_differently(&full, &ec_spki(P256, &[&[0x03], &x[..]].concat())));
        // The point with the same x and the other y, the other key.
        assert!(!same_point_encoded_differently(&full, &ec_spki(P256, &[&[0x02], &x[..]].concat())));
        // Two uncompressed points with the same x and y's of one parity are two points.
        assert!(!same_point_encoded_differently(&full, &ec_spki(P256, &[&[0x04], &x[..], &y_odd_too].concat())));
        // Another curve.
        assert!(!same_point_encoded_differently(&full, &ec_spki(P384, &[&[0x03], &x[..]].concat())));
        assert!(!same_point_encoded_differently(&full, &full));
    }

    #[test]
    fn points_compress_by_the_parity_of_y() {
        assert_eq!(compressed(&[0x04, 0xaa, 0xbb, 0x10, 0x21]), Some(vec![0x03, 0xaa, 0xbb]));
        assert_eq!(compressed(&[0x04, 0xaa, 0xbb, 0x10, 0x20]), Some(vec![0x02, 0xaa, 0xbb]));
        assert_eq!(compressed(&[0x03, 0xaa, 0xbb]), Some(vec![0x03, 0xaa, 0xbb]));
        // Odd length, the point at infinity, hybrid form: not compared.
        assert_eq!(compressed(&[0x04, 0xaa, 0xbb, 0x10]), None);
        assert_eq!(compressed(&[0x00]), None);
        assert_eq!(compressed(&[0x06, 0xaa, 0x10]), None);
    }

    #[test]
    fn sibling_names_replace_the_extension() {
        assert_eq!(sibling("certs/key.der", "pem"), "certs/key.pem");
        assert_eq!(sibling("key.pem", "unencrypted.pem"), "key.unencrypted.pem");
        assert_eq!(sibling("key", "pem"), "key.pem");
    }

    #[test]
    fn modulus_digest_drops_leading_zero_digits_as_bn_print_does() {
        // A 12-bit modulus 0x0ABC: OpenSSL prints `Modulus=ABC`.
        let spki = spki::SubjectPublicKeyInfoRef {
            algorithm: pkcs1::ALGORITHM_ID,
            subject_public_key: pkcs8::der::asn1::BitStringRef::from_bytes(&[
                0x30, 0x08, 0x02, 0x02, 0x0a, 0xbc, 0x02, 0x02, 0x01, 0x01,
            ])
            .unwrap(),
        };
        let der = pkcs8::der::Encode::to_der(&spki).unwrap();
        use md5::{Digest, Md5};
        assert_eq!(openssl_modulus_md5(&der), Some(describe::hex(&Md5::digest(b"Modulus=ABC\n"))));
    }
}
