//! `certsmith match-key`: does this key belong to this certificate, and can Granian load
//! it as it is. Exit 0 when it belongs, 1 when it does not (`key-mismatch`) or when rustls
//! refuses the pair anyway (`compressed-public-key`), 2 when the files could not be
//! compared. The work is `pki::keymatch`'s; this module wires the
//! arguments to it and turns its answer into a report.

use std::path::Path;

use super::fix::{self, Situation};
use crate::cli::MatchKeyArgs;
use crate::commands::Context;
use crate::finding::Failure;
use crate::finding::{Code, Severity};
use crate::pki::keymatch::{self, KeyMatch};
use crate::pki::load::{self, Input};
use crate::pki::password::PasswordSource;
use crate::report::{Data, Report};

/// The part that holds what is looked for (a manifest's tls.crt or tls.key), else the
/// first, for keymatch to say what it holds instead.
fn pick<'p>(
    parts: &'p [load::Part],
    input: &Input,
    holds: impl Fn(&load::LoadedFile) -> bool,
) -> Result<&'p load::LoadedFile, Failure> {
    let files = || parts.iter().map(|p| &p.file);
    files()
        .find(|f| holds(f))
        .or_else(|| files().next())
        .ok_or_else(|| Failure::new(format!("{} holds nothing to compare", input.name())))
}

/// JSON `data` of match-key: the comparison, as `pki::keymatch` states it.
pub type MatchKeyData = KeyMatch;

/// The pair to compare, which certificate of the file, and where the key's password
/// comes from; at most one of the two from standard input.
struct Plan {
    cert: Input,
    /// `None`: the key in CERT (a Secret manifest's tls.key, a PKCS#12 bundle's key).
    key: Option<Input>,
    index: usize,
    password: PasswordSource,
}

impl Plan {
    fn from_args(args: &MatchKeyArgs) -> Result<Self, Failure> {
        let (cert, key) = (Input::from_arg(&args.cert), args.key.as_deref().map(Input::from_arg));
        if cert == Input::Stdin && key == Some(Input::Stdin) {
            return Err(Failure::new("CERT and KEY cannot both be standard input (`-`)")
                .hint("pass at least one of them as a file path"));
        }
        Ok(Self { cert, key, index: args.index, password: args.password.source() })
    }
}

pub fn run(args: &MatchKeyArgs, _ctx: &Context) -> Result<Report, Failure> {
    let Plan { cert: cert_input, key: key_input, index, password: source } = Plan::from_args(args)?;
    let read = |name: &str| source.read(name);
    let cert_parts = load::load_parts(&cert_input, None, &read)?;
    let cert_file = pick(&cert_parts, &cert_input, |f| f.certificates().next().is_some())?;
    let key_parts = match &key_input {
        Some(input) => load::load_parts(input, None, &read)?,
        None => Vec::new(),
    };
    let key_file = match &key_input {
        Some(input) => pick(&key_parts, input, |f| f.private_keys().next().is_some())?,
        None => cert_parts.iter().map(|p| &p.file).find(|f| f.private_keys().next().is_some()).ok_or_else(|| {
            Failure::new(format!("{} holds no private key, and no KEY file was given", cert_input.name()))
                .hint("pass the key file as the second argument: `certsmith match-key CERT KEY`")
                .about(cert_file.subject(None))
        })?,
    };
    let answer = keymatch::check(cert_file, index, key_file, || source.read(&key_file.name))?;

    let mut findings: Vec<_> = answer
        .issues
        .iter()
        .cloned()
        .map(|issue| {
            // A pair a TLS server refuses is the problem match-key looks for; what Granian
            // makes of the key file alone is advice (exit 0).
            let refused = [Code::KeyMismatch, Code::CompressedPublicKey].contains(&issue.code);
            let severity = if refused { Severity::Error } else { Severity::Warning };
            issue.into_finding(severity, answer.key.source.clone())
        })
        .collect();
    // What Granian makes of the certificate alone is advice too, as for the key.
    findings.extend(
        answer
            .certificate_issues
            .iter()
            .cloned()
            .map(|issue| issue.into_finding(Severity::Warning, answer.certificate.source.clone())),
    );
    // Commands that rewrite a file apply to PEM and DER files, not to a manifest's entry.
    let situation = Situation {
        cert_file: cert_input.path().filter(|_| cert_file.container.is_none()).map(Path::to_path_buf),
        key_file: key_input
            .as_ref()
            .and_then(Input::path)
            .filter(|_| key_file.container.is_none())
            .map(Path::to_path_buf),
        ..Situation::default()
    };
    fix::apply(&mut findings, &situation);
    Ok(Report {
        command: "match-key",
        data: Data::MatchKey(Box::new(answer)),
        findings,
        errors: Vec::new(),
        strict: false,
    })
}
