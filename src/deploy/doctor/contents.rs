//! What is in the files: the certificate file gets verify's checks (`pki::verify`), the key
//! file match-key's (`pki::keymatch`), with the password the configuration gives Granian.
//! Granian reads both only as PEM (`granian/src/tls.rs`: `CertificateDer::pem_file_iter`,
//! `rustls_pemfile::private_key`), and with a password only `ENCRYPTED PRIVATE KEY` blocks.

use super::files::Found;
use crate::deploy::env::Variable;
use crate::deploy::granian;
use crate::finding::{Code, FIX, Finding, Remedy, Severity, Subject};
use crate::pki::key::{self, KeyAlgorithm};
use crate::pki::keymatch;
use crate::pki::load::{self, Input, LoadedFile};
use crate::pki::password::Password;
use crate::pki::verify::{self, Pool, Settings, Sourced};

fn subject(file: &LoadedFile) -> Subject {
    file.subject(None)
}

fn load(found: &Found) -> Result<LoadedFile, crate::finding::Failure> {
    load::load(&Input::File(found.host.clone()))
}

/// The PEM certificates of a file a variable names: a finding when it is DER, unreadable,
/// or holds no certificate.
pub(super) fn pem_certificates(var: &Variable, found: &Found) -> Result<(LoadedFile, Vec<Sourced>), Box<Finding>> {
    let not_pem = |message: String, hint: String, subject: Subject| {
        Box::new(Finding::new(Code::CertificateNotPem, Severity::Error, subject, message).hint(hint))
    };
    let who = if var.name.starts_with(granian::PREFIX) {
        "Granian reads certificates only as PEM, so it refuses to start with it"
    } else {
        "clients read CA bundles as PEM certificates"
    };
    let file = load(found).map_err(|failure| {
        let hint = failure.hint.clone().unwrap_or_default();
        not_pem(format!("{}: {}; {who}", var.name, failure.message), hint, *failure.subject.clone())
    })?;
    let host = found.host.display();
    if file.objects.iter().all(|o| o.index.is_none()) {
        let mut finding = not_pem(
            format!("{}={}: {host} is DER, not PEM: {who}", var.name, var.value),
            format!("rewrite it as PEM: {FIX}"),
            subject(&file),
        );
        finding.remedy = Some(Remedy::ToPem { file: found.host.display().to_string(), is_key: false });
        return Err(finding);
    }
    let certs: Vec<Sourced> =
        file.certificates().map(|(index, der)| Sourced { der: der.clone(), source: file.subject(index) }).collect();
    if certs.is_empty() {
        let swapped = var.name == granian::CERTIFICATE && file.private_keys().next().is_some();
        return Err(not_pem(
            format!(
                "{}={}: {host} holds no certificate{}: {who}",
                var.name,
                var.value,
                if swapped { ", but a private key" } else { "" }
            ),
            if swapped {
                format!(
                    "{} names the certificate file and {} the key: are they swapped?",
                    granian::CERTIFICATE,
                    granian::KEYFILE
                )
            } else {
                format!(
                    "point {} at the PEM certificate file (`certsmith inspect {host}` shows what this one holds)",
                    var.name
                )
            },
            subject(&file),
        ));
    }
    Ok((file, certs))
}

/// match-key's command to write a key decrypted (`keymatch`'s hints give the same):
/// `certs/key.pem` → `certs/key.unencrypted.pem`, private from the start.
fn decrypt_command(key: &str) -> String {
    let stem = [".pem", ".der", ".key"].iter().find_map(|ext| key.strip_suffix(ext)).unwrap_or(key);
    format!("(umask 077; openssl pkey -in {key} -out {stem}.unencrypted.pem)")
}

/// verify's findings on the certificate file, for the names clients use.
pub(super) fn certificate(
    certs: &[Sourced],
    file: &LoadedFile,
    pool: &Pool<'_>,
    settings: &Settings<'_>,
) -> Vec<Finding> {
    match verify::verify_file(certs, pool, settings) {
        Ok(verified) => verified.findings,
        Err(e) => vec![
            Finding::new(
                Code::MalformedCertificate,
                Severity::Error,
                subject(file),
                format!("{}: rustls cannot read the certificate: {e}", file.name),
            )
            .hint("the data is damaged; copy it again from its source, or make a new one with `certsmith gen`"),
        ],
    }
}

/// match-key's findings on the key file (against the certificate, when it could be read),
/// and what the password variable does to it. Every problem keeps Granian from starting,
/// so all are errors, as in `verify --key`. `already` are the certificate's findings: a
/// key problem the certificate shows (its type) is not reported twice.
pub(super) fn key(
    var: &Variable,
    found: &Found,
    password: Option<&Variable>,
    cert: Option<&LoadedFile>,
    already: &[Finding],
) -> Vec<Finding> {
    let no_key = |message: String, hint: String, subject: Subject| {
        vec![Finding::new(Code::NoPrivateKey, Severity::Error, subject, message).hint(hint)]
    };
    let file = match load(found) {
        Ok(file) => file,
        Err(failure) => {
            return no_key(
                format!("{}: {}; Granian cannot load a key from it", var.name, failure.message),
                failure.hint.clone().unwrap_or_default(),
                *failure.subject,
            );
        }
    };
    let host = found.host.display().to_string();
    let Some((index, stored)) = file.private_keys().next() else {
        let certificate = file.certificates().next().is_some();
        return no_key(
            format!(
                "{}={}: {host} holds no private key{}: Granian refuses to start (\"invalid key\")",
                var.name,
                var.value,
                if certificate { ", but a certificate" } else { "" }
            ),
            if certificate {
                format!(
                    "{} names the key file and {} the certificate: are they swapped?",
                    granian::KEYFILE,
                    granian::CERTIFICATE
                )
            } else {
                format!(
                    "point {} at the PEM private key (`certsmith inspect {host}` shows what this one holds)",
                    var.name
                )
            },
            subject(&file),
        );
    };
    let key_subject = file.subject(index);
    let password = password.filter(|p| !p.value.is_empty());
    let mut findings = Vec::new();
    let decrypted = decrypt_command(&host);
    if let (Some(pw), false) = (password, stored.is_encrypted()) {
        findings.push(
            Finding::new(
                Code::KeyFormatUnsupportedByGranian,
                Severity::Error,
                key_subject.clone(),
                format!(
                    "{} is set ({}), and with a password Granian reads only ENCRYPTED PRIVATE KEY blocks (granian/src/tls.rs): this key is not encrypted, so Granian's worker finds no key and panics (\"invalid key\")",
                    granian::KEYFILE_PASSWORD,
                    pw.origin
                ),
            )
            .hint(format!("remove {}: the key needs no password", granian::KEYFILE_PASSWORD)),
        );
    }
    if stored.is_encrypted() && password.is_none() {
        findings.push(
            Finding::new(
                Code::EncryptedKeyWithoutPassword,
                Severity::Error,
                key_subject.clone(),
                format!(
                    "{host} is encrypted and {} is not set: Granian cannot load the key and refuses to start (Python's ssl asks a terminal the container does not have; the worker panics \"invalid key\")",
                    granian::KEYFILE_PASSWORD
                ),
            )
            .hint(format!(
                "write the key decrypted, readable only by its owner: `{decrypted}`, and point {} at it; or set {} (Granian decrypts only PBES2 PKCS#8 keys)",
                granian::KEYFILE,
                granian::KEYFILE_PASSWORD
            )),
        );
        return findings;
    }
    // The key is decrypted once, by match-key's own check; the password is asked for only
    // when the key is encrypted, and then it is set (see above).
    let password_fn = || {
        password.map(|p| Password::new(p.value.as_bytes().to_vec())).ok_or_else(|| {
            crate::finding::Failure::new(format!("{host} is encrypted and {} is not set", granian::KEYFILE_PASSWORD))
                .hint(format!("set {}, or write the key decrypted: `{decrypted}`", granian::KEYFILE_PASSWORD))
        })
    };
    let issues = match cert {
        Some(cert_file) => keymatch::check(cert_file, 0, &file, password_fn).map(|m| m.issues),
        // Without a certificate to compare with, what Granian makes of the key alone.
        None => keymatch::unlock(stored, &file.name, password_fn).map(|plain| {
            let algorithm = key::derive_spki(&plain)
                .ok()
                .and_then(|spki| key::algorithm_of_spki(&spki))
                .unwrap_or(KeyAlgorithm::Unknown { oid: String::new() });
            let reissue = crate::finding::Remedy::Reissue { names: Vec::new(), issuer: None, keep_key: false };
            keymatch::granian_issues(stored, index.is_some(), &plain, &file.name, &algorithm, &reissue)
        }),
    };
    match (issues, password) {
        // keymatch's words for a password that does not decrypt the key.
        (Err(failure), Some(pw)) if failure.message.starts_with("wrong password for") => findings.push(
            Finding::new(
                Code::WrongKeyPassword,
                Severity::Error,
                key_subject,
                format!(
                    "{} ({}) does not decrypt {host}: Granian refuses to start (\"Cannot decrypt key\")",
                    pw.name, pw.origin
                ),
            )
            .hint(format!(
                "set the key's password, or write the key decrypted, readable only by its owner: `{decrypted}`"
            )),
        ),
        (Ok(issues), _) => findings.extend(
            issues
                .into_iter()
                .filter(|issue| !already.iter().any(|f| f.code == issue.code))
                .map(|issue| issue.into_finding(Severity::Error, key_subject.clone())),
        ),
        (Err(failure), _) => findings.push(
            Finding::new(
                Code::NoPrivateKey,
                Severity::Error,
                key_subject,
                format!("{}: {}; Granian cannot load this key", var.name, failure.message),
            )
            .hint(failure.hint.unwrap_or_default()),
        ),
    }
    findings
}

/// What Granian 2.8.9's worker prints when a CRL file holds no PEM CRL (measured: DER,
/// text, an empty file), right before it panics and Granian shuts down.
pub(super) const GRANIAN_CRL_PANIC: &str = "cannot read CRL file: NoItemsFound";

/// The checks of one `GRANIAN_SSL_CRL` file: it holds PEM CRLs (Granian reads them with
/// `rustls_pemfile` and panics on anything else), each issued and signed by a
/// `GRANIAN_SSL_CA` certificate (rustls-webpki uses a CRL only for certificates of its
/// issuer, RFC 5280 §6.3.3 (b), and refuses a client whose status it does not know), and
/// each not past its nextUpdate at `now` (RFC 5280 §5.1.2.5). `verifying`: Granian reads
/// the file at all (client verification on); otherwise a problem is only a warning.
pub(super) fn crl(
    var: &Variable,
    found: &Found,
    ca: Option<&[Sourced]>,
    now: time::OffsetDateTime,
    verifying: bool,
) -> Vec<Finding> {
    use crate::pki::crl;
    let host = found.host.display();
    let subject = Subject::file(&host.to_string(), None);
    let (severity, when) = if verifying {
        (Severity::Error, String::new())
    } else {
        (
            Severity::Warning,
            format!(
                " (Granian reads it only with {}=true and {}; as configured it ignores it)",
                granian::CLIENT_VERIFY,
                granian::CA
            ),
        )
    };
    let remake = "make a CRL with `certsmith ca crl --ca DIR --out FILE` (DIR: the folder of the CA that issues the client certificates)";
    let not_pem = |found_what: String| {
        Finding::new(
            Code::CrlNotPem,
            severity,
            subject.clone(),
            format!(
                "{}={}: expected a PEM CRL (-----BEGIN {}-----), found {found_what}: Granian's worker panics at start with \"{GRANIAN_CRL_PANIC}\" and Granian shuts down{when}",
                var.name,
                var.value,
                crl::PEM_LABEL
            ),
        )
        .hint(format!("{remake}; `openssl crl -inform DER -in {host} -out crl.pem` converts a DER CRL"))
    };
    // Bounded as every input is: a CRL is kilobytes, not the 54 MB a hostile file holds.
    let limit = crate::pki::load::MAX_INPUT_BYTES;
    if std::fs::metadata(&found.host).is_ok_and(|m| m.len() > limit) {
        return vec![not_pem(format!("a file larger than {} MiB", limit >> 20))];
    }
    let bytes = match std::fs::read(&found.host) {
        Ok(bytes) => bytes,
        Err(e) => return vec![not_pem(format!("a file certsmith cannot read ({e})"))],
    };
    let blocks = crate::pki::pem::blocks(&bytes).unwrap_or_default();
    let crls: Vec<_> = blocks.iter().filter(|b| b.label == crl::PEM_LABEL).collect();
    if crls.is_empty() {
        let what = if bytes.is_empty() {
            "an empty file".to_owned()
        } else if blocks.is_empty() {
            "no PEM block (DER or text)".to_owned()
        } else {
            let labels: Vec<&str> = blocks.iter().map(|b| b.label).collect();
            format!("only {}", labels.join(", "))
        };
        return vec![not_pem(what)];
    }
    let mut findings = Vec::new();
    for block in crls {
        let at = Subject::file(&host.to_string(), Some(block.index));
        let Some(der) = block.decode().ok() else {
            findings.push(not_pem(format!("a damaged PEM block at line {}", block.line)));
            continue;
        };
        let info = match crl::describe(&der) {
            Ok(info) => info,
            Err(e) => {
                findings.push(not_pem(format!("a block at line {} that is {e}", block.line)));
                continue;
            }
        };
        if let Some(ca) = ca
            && !ca.iter().any(|c| crl::signed_by(&der, &c.der))
        {
            findings.push(
                Finding::new(
                    Code::CrlNotFromCa,
                    severity,
                    at.clone(),
                    format!(
                        "{}={}: the CRL is issued by {}, but no certificate in {} issued and signed it: rustls then knows no revocation status for a client certificate and refuses every client (measured: curl gets \"tlsv1 alert unknown ca\"){when}",
                        var.name, var.value, info.issuer, granian::CA
                    ),
                )
                .hint(remake),
            );
        }
        if let Some(next) = info.next_update
            && now > next
        {
            findings.push(
                Finding::new(
                    Code::CrlExpired,
                    Severity::Warning,
                    at,
                    format!(
                        "{}={}: the CRL's nextUpdate was {} ({}): Granian still loads it and refuses what it lists, but client certificates revoked since it was made are accepted",
                        var.name,
                        var.value,
                        crate::clock::human(next),
                        crate::clock::relative(now, next)
                    ),
                )
                .hint(format!("{remake}, and restart Granian; do it again before each nextUpdate")),
            );
        }
    }
    findings
}
