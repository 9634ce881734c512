//! `certsmith verify`: will Granian start with each certificate file, and will rustls
//! clients, OpenSSL clients and browsers accept it as a server's chain? One verdict per
//! party. Exit 0 when no party asked about fails (warnings allowed), 1 when one does, 2
//! when certsmith could not do its job (a bad `--host`, an unreadable `--ca` or
//! `--untrusted`, a file it cannot reach: the other files are still reported). A file
//! that can be read always gets verdicts: one Granian cannot load fails Granian's.

use std::borrow::Borrow;
use std::collections::HashSet;

use std::path::Path;

use super::fix::{self, Situation};
use super::inputs::{certificates, certificates_of, parse_hosts};
use crate::cli::VerifyArgs;
use crate::commands::Context;
use crate::finding::{Code, FIX, Failure, Finding, Parties, Remedy, Severity, Verdicts};
use crate::pki::describe::CertSummary;
use crate::pki::keymatch;
use crate::pki::load::{self, Input};
use crate::pki::password::{Password, PasswordSource};
use crate::pki::verify::{self, ChainLink, Host, Pool, Settings, Sourced, TrustSource};
use crate::report::data::verify::{VerifiedFile, VerifyData};
use crate::report::{Data, Report};

/// Everything verify will do, decided and read before the first file is checked: the
/// names, the trust pool's certificates, the files (each once), the key and its password,
/// how strict the verdict is.
struct Plan {
    hosts: Vec<Host>,
    untrusted: Vec<Sourced>,
    ca: Option<Vec<Sourced>>,
    inputs: Vec<Input>,
    /// The `--key` file, or why Granian cannot load it (a finding for every file).
    key: Option<Result<ServedKey, Failure>>,
    /// For the key a Secret manifest or PKCS#12 bundle holds, and for the bundle itself.
    password: PasswordSource,
    warn_days: u32,
    strict: bool,
    /// The parties whose failure is an error (`--client`).
    parties: Parties,
    /// What the findings' commands know of the run (each file's path is added).
    situation: Situation,
}

impl Plan {
    fn from_args(args: &VerifyArgs) -> Result<Self, Failure> {
        // The same file twice is checked once.
        let mut seen = HashSet::new();
        Ok(Self {
            hosts: parse_hosts(&args.hosts)?,
            untrusted: certificates_of(&args.untrusted, "--untrusted")?,
            ca: if args.ca.is_empty() { None } else { Some(certificates_of(&args.ca, "--ca")?) },
            inputs: args.files.iter().map(|p| Input::from_arg(p)).filter(|i| seen.insert(i.name())).collect(),
            key: args.key.as_ref().map(|path| ServedKey::load(path, &args.password.source())).transpose()?,
            password: args.password.source(),
            warn_days: args.monitor.warn_days,
            strict: args.strict,
            parties: args.parties(),
            situation: Situation {
                key_file: args.key.clone(),
                ca_files: args.ca.clone(),
                hosts: args.hosts.clone(),
                ..Situation::default()
            },
        })
    }
}

pub fn run(args: &VerifyArgs, ctx: &Context) -> Result<Report, Failure> {
    let plan = Plan::from_args(args)?;
    let Plan { hosts, untrusted, ca, inputs, key, password, warn_days, strict, parties, situation } = &plan;
    let pool = Pool::new(untrusted, ca.as_deref())?;
    let settings = Settings { hosts, now: ctx.now, warn_days: *warn_days, trust_source: TrustSource::CaOption };
    // A --key Granian cannot load is a finding for every file, served or not.
    let key_finding = match key {
        Some(Err(failure)) => Some(granian_finding(failure.clone())),
        _ => None,
    };
    let read = |name: &str| password.read(name);
    let check = |input: &Input| -> Result<Checked, Failure> {
        let unserved = |failure| Ok(Checked::unserved(failure, key_finding.clone()));
        let parts = match load::load_parts(input, Some(Code::NoCertificate), &read) {
            Ok(parts) => parts,
            Err(failure) if failure.code.is_some() => return unserved(failure),
            Err(failure) => return Err(failure),
        };
        // A Secret manifest is what its volume mounts: tls.crt is the certificate file,
        // tls.key the key (unless --key names another), ca.crt the CA (unless --ca).
        let Some(load::Part { file, byte_order_mark }) =
            parts.iter().find(|p| p.file.certificates().next().is_some()).or(parts.first())
        else {
            return Err(Failure::new(format!("{} holds nothing to verify", input.name())));
        };
        let byte_order_mark = *byte_order_mark;
        let own_key = match key {
            Some(_) => None,
            None => parts
                .iter()
                .find(|p| p.file.container.is_some() && p.file.private_keys().next().is_some())
                .map(|p| ServedKey::from_loaded(&p.file, p.byte_order_mark, password)),
        };
        let own_ca: Option<Vec<Sourced>> =
            parts.iter().find(|p| ca.is_none() && p.file.entry.as_deref() == Some("ca.crt")).map(|p| {
                p.file
                    .certificates()
                    .map(|(index, der)| Sourced { der: der.clone(), source: p.file.subject(index) })
                    .collect()
            });
        let own_pool = own_ca.as_deref().map(|anchors| Pool::new(untrusted, Some(anchors))).transpose()?;
        let pool = own_pool.as_ref().unwrap_or(&pool);
        let hint = "pass the certificate file the server uses (for Granian, GRANIAN_SSL_CERTIFICATE)";
        let certs = match certificates(file, "", hint) {
            Ok(certs) => certs,
            Err(failure) => return unserved(failure.code(Code::NoCertificate)),
        };
        let verified = match verify::verify_file(&certs, pool, &settings) {
            Ok(verified) => verified,
            Err(e) => {
                let failure = Failure::new(format!(
                    "{}: a certificate cannot be read as X.509 ({e}): Granian, OpenSSL and rustls refuse it",
                    file.name
                ))
                .hint("the data is damaged, or was made by a broken tool; copy it again from its source or issue it again")
                .about(file.subject(None))
                .code(Code::MalformedCertificate);
                return unserved(failure);
            }
        };
        let mut findings = verified.findings;
        let key_name = match (key, own_key) {
            (Some(Ok(key)), _) => {
                key.check(file, &mut findings)?;
                Some(key.file.name.clone())
            }
            (_, Some(Ok(key))) => {
                key.check(file, &mut findings)?;
                Some(key.file.borrow().name.clone())
            }
            (_, Some(Err(failure))) => {
                findings.push(granian_finding(failure));
                None
            }
            _ => None,
        };
        findings.extend(key_finding.clone());
        if byte_order_mark {
            findings.insert(0, byte_order_mark_finding(file));
        }
        // Granian reads its certificate file only as PEM (Python's load_cert_chain
        // fails with "[SSL] PEM lib"); certsmith reads DER and PKCS#12 too.
        if file.container == Some(load::Container::Pkcs12) {
            findings.insert(
                0,
                keymatch::pkcs12_not_pem(&file.name, Code::CertificateNotPem)
                    .into_finding(Severity::Error, file.subject(None)),
            );
        } else if file.objects.iter().all(|o| o.index.is_none()) {
            findings.insert(0, not_pem(input, file));
        }
        Ok(Checked { leaf: Some(verified.leaf), chain: verified.chain, findings, key: key_name })
    };

    let (mut files, mut findings, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for (input, checked) in inputs.iter().zip(in_parallel(inputs, check)) {
        match checked {
            Ok(mut checked) => {
                let situation = Situation { cert_file: input.path().map(Path::to_path_buf), ..situation.clone() };
                let key_name = checked.key.clone().or_else(|| args.key.as_ref().map(|k| Input::from_arg(k).name()));
                fix::apply(&mut checked.findings, &situation);
                let verdicts = Verdicts::of(&checked.findings);
                judge(&mut checked.findings, *parties);
                files.push(VerifiedFile {
                    path: input.name(),
                    verdicts,
                    leaf: checked.leaf.map(Box::new),
                    chain: checked.chain,
                    names: hosts.iter().map(|h| h.text.clone()).collect(),
                    key: key_name,
                });
                findings.extend(checked.findings);
            }
            Err(failure) => errors.push(failure),
        }
    }
    let verdicts = Verdicts::all(files.iter().map(|f| &f.verdicts));
    let data = VerifyData { verdicts, parties: parties.iter().map(|p| p.as_str()).collect(), files };
    Ok(Report { command: "verify", data: Data::Verify(data), findings, errors, strict: *strict })
}

/// What checking one file found; `leaf` is absent when the file holds no certificate
/// that can be read.
struct Checked {
    leaf: Option<CertSummary>,
    chain: Vec<ChainLink>,
    findings: Vec<Finding>,
    /// The key checked with the certificates, as messages name it.
    key: Option<String>,
}

impl Checked {
    /// A file a server cannot serve: every party fails with what is wrong with it.
    fn unserved(failure: Failure, key_finding: Option<Finding>) -> Self {
        let code = failure.code.unwrap_or(Code::NoCertificate);
        // What Python's load_cert_chain says (measured): X509V3 for a certificate it parses
        // and refuses, PEM lib for a file without one.
        let says = if code == Code::MalformedCertificate { "X509V3: INVALID_CERTIFICATE" } else { "[SSL] PEM lib" };
        let message = format!(
            "{}: Granian fails at start (Python's load_cert_chain: \"{says}\"), and there is no certificate for a client to accept",
            failure.message
        );
        let mut finding = Finding::new(code, Severity::Error, *failure.subject, message);
        finding.hint = failure.hint;
        finding.affects = Parties::ALL;
        Self { leaf: None, chain: Vec::new(), findings: [finding].into_iter().chain(key_finding).collect(), key: None }
    }
}

/// An error that makes only parties not asked about fail (`--client`) is a warning.
fn judge(findings: &mut [Finding], parties: Parties) {
    for finding in findings.iter_mut() {
        if finding.severity == Severity::Error && !finding.affects.is_empty() && !finding.affects.intersects(parties) {
            finding.severity = Severity::Warning;
        }
    }
}

/// A key problem that keeps Granian from starting, from the failure that says it.
fn granian_finding(failure: Failure) -> Finding {
    let code = failure.code.unwrap_or(Code::NoPrivateKey);
    // What Granian 2.8.9 prints (measured): Python reads the key first, rustls after.
    let granian = match code {
        Code::EncryptedKeyWithoutPassword => {
            "without GRANIAN_SSL_KEYFILE_PASSWORD, Granian asks \"Enter PEM pass phrase:\" and, with no terminal, fails at start (\"OSError: [Errno 22] Invalid argument\")"
        }
        Code::KeyFormatUnsupportedByGranian => {
            "Python decrypts it, then Granian's worker panics at start (\"Invalid key: Asn1(…)\")"
        }
        Code::KeyUnsupportedByGranian => {
            "Granian's worker panics at start (\"failed to parse private key as RSA, ECDSA, or EdDSA\")"
        }
        Code::NoPrivateKey => "Granian fails at start (Python's load_cert_chain: \"[SSL] PEM lib\")",
        _ => "Granian cannot start with this key",
    };
    let message = format!("{}: {granian}", failure.message);
    let mut finding = Finding::new(code, Severity::Error, *failure.subject, message);
    finding.hint = failure.hint;
    finding.affects = Parties::GRANIAN;
    finding
}

/// OpenSSL skips a byte order mark before a BEGIN line; rustls reads only lines that
/// start with one (measured: Granian 2.8.9 loads the file in Python, then its worker
/// panics with NoCertificatesPresented).
fn byte_order_mark_finding(file: &load::LoadedFile) -> Finding {
    let name = &file.name;
    Finding::new(
        Code::ByteOrderMark,
        Severity::Error,
        file.subject(Some(0)),
        format!(
            "{name} starts with a UTF-8 byte order mark (bytes ef bb bf) before its first -----BEGIN line: Python reads past it, but rustls does not see that block, so Granian's worker fails at start (NoCertificatesPresented); clients are judged on the certificates after it"
        ),
    )
    .hint(load::byte_order_mark_hint(name))
}

/// A DER certificate file: Granian reads certificates only as PEM.
fn not_pem(input: &Input, file: &load::LoadedFile) -> Finding {
    let mut finding = Finding::new(
        Code::CertificateNotPem,
        Severity::Error,
        file.subject(None),
        format!(
            "{} is DER, not PEM: Granian reads certificates only as PEM, so it refuses to start with it (Python's load_cert_chain: \"[SSL] PEM lib\")",
            file.name
        ),
    )
    .hint(match input {
        Input::File(_) => format!("rewrite it as PEM: {FIX}"),
        Input::Stdin => "give Granian the certificate as PEM: save it to a file and run verify on that file for the command that converts it".to_owned(),
    });
    if let Input::File(path) = input {
        finding.remedy = Some(Remedy::ToPem { file: path.display().to_string(), is_key: false });
    }
    finding
}

/// The `--key` file, read once; an encrypted key's password is read once too.
struct ServedKey<F: Borrow<load::LoadedFile> = load::LoadedFile> {
    file: F,
    password: Option<Password>,
}

impl ServedKey {
    /// The key, or (Ok(Err)) why Granian cannot load it; Err when it cannot be reached.
    fn load(path: &std::path::Path, source: &PasswordSource) -> Result<Result<Self, Failure>, Failure> {
        match Self::read(path, source) {
            Err(failure) if failure.code.is_some() => Ok(Err(failure)),
            other => other.map(Ok),
        }
    }

    fn read(path: &std::path::Path, source: &PasswordSource) -> Result<Self, Failure> {
        let parts = load::load_parts(&Input::from_arg(path), Some(Code::NoPrivateKey), &|name| source.read(name))?;
        // A Secret manifest's tls.key, a bundle's key; else the file, to say what it holds.
        let index = parts.iter().position(|p| p.file.private_keys().next().is_some()).unwrap_or(0);
        let Some(load::Part { file, byte_order_mark }) = parts.into_iter().nth(index) else {
            return Err(
                Failure::new(format!("{} (--key) holds no private key", path.display())).code(Code::NoPrivateKey)
            );
        };
        Self::from_loaded(file, byte_order_mark, source)
    }
}

impl<F: Borrow<load::LoadedFile>> ServedKey<F> {
    /// The key of a file read (by `--key`, or the one a Secret manifest or PKCS#12 bundle
    /// holds beside the certificates), or why Granian cannot load it.
    fn from_loaded(file: F, byte_order_mark: bool, source: &PasswordSource) -> Result<Self, Failure> {
        let loaded = file.borrow();
        if byte_order_mark {
            return Err(Failure::new(format!(
                "{} starts with a UTF-8 byte order mark (bytes ef bb bf) before its first -----BEGIN line, which rustls does not read past",
                loaded.name
            ))
            .hint(load::byte_order_mark_hint(&loaded.name))
            .about(loaded.subject(Some(0)))
            .code(Code::ByteOrderMark));
        }
        if loaded.private_keys().next().is_none() {
            let holds = if loaded.certificates().next().is_some() {
                "holds a certificate, not a private key"
            } else {
                "holds no private key"
            };
            return Err(Failure::new(format!("{} (--key) {holds}", loaded.name))
                .hint("--key takes the private key file (for Granian, the file GRANIAN_SSL_KEYFILE names); the certificate files are the other arguments")
                .about(loaded.subject(None))
                .code(Code::NoPrivateKey));
        }
        let encrypted = loaded.private_keys().next().is_some_and(|(_, key)| key.is_encrypted());
        let password = if encrypted { Some(source.read(&loaded.name)?) } else { None };
        Ok(Self { file, password })
    }

    /// match-key's check of the key against the file's leaf, as errors: Granian will not
    /// start with a mismatched pair or a key it cannot load. A key problem the leaf
    /// already has (its type, say) is not reported twice.
    fn check(&self, cert_file: &load::LoadedFile, findings: &mut Vec<Finding>) -> Result<(), Failure> {
        let password = || {
            self.password.clone().ok_or_else(|| {
                Failure::new(format!("{} is encrypted and no password was read for it", self.file.borrow().name))
                    .hint("pass --password-file FILE or --password-env VAR")
            })
        };
        let result = match keymatch::check(cert_file, 0, self.file.borrow(), password) {
            Ok(result) => result,
            Err(failure) if failure.code.is_some() => {
                findings.push(granian_finding(failure));
                return Ok(());
            }
            Err(failure) => return Err(failure),
        };
        let subject = self.file.borrow().subject(None);
        for issue in result.issues {
            if !findings.iter().any(|f| f.code == issue.code) {
                findings.push(issue.into_finding(Severity::Error, subject.clone()));
            }
        }
        Ok(())
    }
}

/// `f` applied to every item, in order, on as many threads as there are cores: files are
/// independent, and a CI job checks hundreds at once.
fn in_parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(threads).max(1);
    if threads == 1 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> =
            items.chunks(chunk).map(|part| scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())).collect();
        // A worker's panic is the run's, as it would be on one thread.
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e))).collect()
    })
}
