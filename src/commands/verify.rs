//! `certsmith verify`: will rustls, Granian and clients accept each certificate file as a
//! server's chain? Exit 0 when no file has an error (warnings allowed), 1 when one has,
//! 2 when certsmith could not do its job (a bad `--host`, an unreadable `--ca` or
//! `--untrusted`, an unreadable file: the other files are still reported).

use std::collections::HashSet;

use std::path::Path;

use super::fix::{self, Situation};
use super::inputs::{certificates, certificates_of, parse_hosts};
use crate::cli::VerifyArgs;
use crate::commands::Context;
use crate::finding::{Code, FIX, Failure, Finding, Remedy, Severity};
use crate::pki::keymatch;
use crate::pki::load::{self, Input};
use crate::pki::password::{Password, PasswordSource};
use crate::pki::verify::{self, Host, Pool, Settings, Sourced, TrustSource};
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
    key: Option<ServedKey>,
    warn_days: u32,
    strict: bool,
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
            warn_days: args.warn_days,
            strict: args.strict,
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
    let Plan { hosts, untrusted, ca, inputs, key, warn_days, strict, situation } = &plan;
    let pool = Pool::new(untrusted, ca.as_deref())?;
    let settings = Settings { hosts, now: ctx.now, warn_days: *warn_days, trust_source: TrustSource::CaOption };
    let check = |input: &Input| {
        let file = load::load(input)?;
        let hint = "pass the certificate file the server uses (for Granian, GRANIAN_SSL_CERTIFICATE)";
        let certs = certificates(&file, "", hint)?;
        let verified = verify::verify_file(&certs, &pool, &settings).map_err(|e| {
            Failure::new(format!("{}: cannot verify it: {e}", file.name))
                .hint("the data is damaged; copy it again from its source")
                .about(file.subject(None))
        })?;
        let mut verified = match key {
            Some(key) => key.check(&file, verified)?,
            None => verified,
        };
        // Granian reads its certificate file only as PEM (Python's load_cert_chain
        // fails with "[SSL] PEM lib"); certsmith reads DER too.
        if file.objects.iter().all(|o| o.index.is_none()) {
            let mut finding = Finding::new(
                Code::CertificateNotPem,
                Severity::Error,
                file.subject(None),
                format!(
                    "{} is DER, not PEM: Granian reads certificates only as PEM, so it refuses to start with it",
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
            verified.findings.insert(0, finding);
        }
        Ok(verified)
    };

    let (mut files, mut findings, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for (input, checked) in inputs.iter().zip(in_parallel(inputs, check)) {
        match checked {
            Ok(mut verified) => {
                let situation = Situation { cert_file: input.path().map(Path::to_path_buf), ..situation.clone() };
                fix::apply(&mut verified.findings, &situation);
                findings.extend(verified.findings);
                files.push(VerifiedFile {
                    path: input.name(),
                    leaf: Box::new(verified.leaf),
                    chain: verified.chain,
                    names: hosts.iter().map(|h| h.text.clone()).collect(),
                    key: key.as_ref().map(|k| k.file.name.clone()),
                });
            }
            Err(failure) => errors.push(failure),
        }
    }
    Ok(Report { command: "verify", data: Data::Verify(VerifyData { files }), findings, errors, strict: *strict })
}

/// The `--key` file, read once; an encrypted key's password is read once too.
struct ServedKey {
    file: load::LoadedFile,
    password: Option<Password>,
}

impl ServedKey {
    fn load(path: &std::path::Path, source: &PasswordSource) -> Result<Self, Failure> {
        let file = load::load(&Input::from_arg(path))?;
        if file.private_keys().next().is_none() {
            let holds = if file.certificates().next().is_some() {
                "holds a certificate, not a private key"
            } else {
                "holds no private key"
            };
            return Err(Failure::new(format!("{} (--key) {holds}", file.name))
                .hint("--key takes the private key file (for Granian, the file GRANIAN_SSL_KEYFILE names); the certificate files are the other arguments")
                .about(file.subject(None)));
        }
        let encrypted = file.private_keys().next().is_some_and(|(_, key)| key.is_encrypted());
        let password = if encrypted { Some(source.read(&file.name)?) } else { None };
        Ok(Self { file, password })
    }

    /// match-key's check of the key against the file's leaf, as errors: Granian will not
    /// start with a mismatched pair or a key it cannot load. A key problem the leaf
    /// already has (its type, say) is not reported twice.
    fn check(&self, cert_file: &load::LoadedFile, mut verified: verify::Verified) -> Result<verify::Verified, Failure> {
        let password = || {
            self.password.clone().ok_or_else(|| {
                Failure::new(format!("{} is encrypted and no password was read for it", self.file.name))
                    .hint("pass --password-file FILE or --password-env VAR")
            })
        };
        let result = keymatch::check(cert_file, 0, &self.file, password)?;
        let subject = self.file.subject(None);
        for issue in result.issues {
            if !verified.findings.iter().any(|f| f.code == issue.code) {
                verified.findings.push(issue.into_finding(Severity::Error, subject.clone()));
            }
        }
        Ok(verified)
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
