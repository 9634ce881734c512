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

/// JSON `data` of match-key: the comparison, as `pki::keymatch` states it.
pub type MatchKeyData = KeyMatch;

/// The pair to compare, which certificate of the file, and where the key's password
/// comes from; at most one of the two from standard input.
struct Plan {
    cert: Input,
    key: Input,
    index: usize,
    password: PasswordSource,
}

impl Plan {
    fn from_args(args: &MatchKeyArgs) -> Result<Self, Failure> {
        let (cert, key) = (Input::from_arg(&args.cert), Input::from_arg(&args.key));
        if cert == Input::Stdin && key == Input::Stdin {
            return Err(Failure::new("CERT and KEY cannot both be standard input (`-`)")
                .hint("pass at least one of them as a file path"));
        }
        Ok(Self { cert, key, index: args.index, password: args.password.source() })
    }
}

pub fn run(args: &MatchKeyArgs, _ctx: &Context) -> Result<Report, Failure> {
    let Plan { cert: cert_input, key: key_input, index, password: source } = Plan::from_args(args)?;
    let cert_file = load::load(&cert_input)?;
    let key_file = load::load(&key_input)?;
    let answer = keymatch::check(&cert_file, index, &key_file, || source.read(&key_file.name))?;

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
    let situation = Situation {
        cert_file: cert_input.path().map(Path::to_path_buf),
        key_file: key_input.path().map(Path::to_path_buf),
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
