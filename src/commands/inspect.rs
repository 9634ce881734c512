//! `certsmith inspect`: what is in each file, object by object, plus the warnings that
//! make rustls or Granian reject a certificate. States facts: exit 0 whatever it finds,
//! 2 when an input could not be read.

use std::path::Path;

use super::fix::{self, Situation};
use crate::cli::InspectArgs;
use crate::commands::Context;
use crate::finding::Failure;
use crate::finding::{Finding, Severity};
use crate::pki::checks;
use crate::pki::describe::{self};
use crate::pki::key::{self, KeyAlgorithm, KeySummary};
use crate::pki::load::{self, Input, LoadedFile, Object};
use crate::pki::password::PasswordSource;
use crate::report::data::inspect::{InspectData, InspectObject, Item, PublicKeySummary};
use crate::report::{Data, Report};

/// What inspect will read, in order (`-` is standard input).
struct Plan {
    inputs: Vec<Input>,
    /// For PKCS#12 bundles that an empty password does not open.
    password: PasswordSource,
}

impl Plan {
    fn from_args(args: &InspectArgs) -> Self {
        Self { inputs: args.files.iter().map(|p| Input::from_arg(p)).collect(), password: args.password.source() }
    }
}

pub fn run(args: &InspectArgs, ctx: &Context) -> Result<Report, Failure> {
    let Plan { inputs, password } = Plan::from_args(args);
    let mut report = Report {
        command: "inspect",
        data: Data::Inspect(InspectData { objects: Vec::new() }),
        findings: Vec::new(),
        errors: Vec::new(),
        strict: false,
    };
    let mut objects = Vec::new();
    for input in &inputs {
        // A Secret manifest's parts are described one after the other, each under its key.
        let described = load::load_parts(input, None, &|name| password.read(name)).and_then(|parts| {
            let lone = parts.len() == 1;
            parts.iter().try_for_each(|part| {
                let path = input.path().filter(|_| lone && part.file.container.is_none());
                describe_file(&part.file, path, ctx, &mut objects, &mut report.findings)
            })
        });
        if let Err(failure) = described {
            report.errors.push(failure);
        }
    }
    report.data = Data::Inspect(InspectData { objects });
    Ok(report)
}

fn describe_file(
    file: &LoadedFile,
    path: Option<&Path>,
    ctx: &Context,
    objects: &mut Vec<InspectObject>,
    findings: &mut Vec<Finding>,
) -> Result<(), Failure> {
    for loaded in &file.objects {
        let source = file.subject(loaded.index);
        let broken = |what: &str, detail: String| {
            Failure::new(format!("{source}: cannot describe this {what}: {detail}"))
                .hint("the data is damaged; regenerate it or copy it again from its source")
                .about(source.clone())
        };
        let item = match &loaded.object {
            Object::Certificate(der) => {
                let summary = describe::certificate(der).map_err(|e| broken("certificate", e))?;
                let mut found: Vec<Finding> = checks::certificate_issues(&summary, ctx.now)
                    .into_iter()
                    .map(|issue| issue.into_finding(Severity::Warning, source.clone()))
                    .collect();
                // A file of one certificate can be replaced by gen; a bundle cannot.
                let lone = file.objects.len() == 1;
                let situation =
                    Situation { cert_file: path.filter(|_| lone).map(Path::to_path_buf), ..Situation::default() };
                fix::apply(&mut found, &situation);
                findings.extend(found);
                Item::Certificate(Box::new(summary))
            }
            Object::PrivateKey(private) => {
                let facts = key::facts(private).map_err(|e| broken("private key", e.to_string()))?;
                Item::PrivateKey(KeySummary {
                    algorithm: facts.algorithm,
                    encoding: facts.encoding,
                    encrypted: private.is_encrypted(),
                    protection: facts.protection,
                    spki_sha256: facts.spki.as_deref().map(describe::sha256_hex),
                })
            }
            Object::Csr(der) => Item::Csr(describe::csr(der).map_err(|e| broken("CSR", e))?),
            Object::PublicKey(spki) => Item::PublicKey(PublicKeySummary {
                algorithm: key::algorithm_of_spki(spki).unwrap_or(KeyAlgorithm::Unknown { oid: String::new() }),
                spki_sha256: describe::sha256_hex(spki),
            }),
            Object::Other(label) => Item::Other { label: label.clone() },
        };
        objects.push(InspectObject { item, source });
    }
    Ok(())
}
