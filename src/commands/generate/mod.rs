//! `certsmith gen`: a certificate and key that every TLS stack accepts, written safely.
//!
//! Args → [`Plan`] (names parsed, paths and sources resolved, nothing touched) → the CA
//! and key are loaded, targets checked, the certificate made and checked by webpki →
//! files written in one go → a [`GenData`] summary.

mod outputs;

use outputs::{files_to_write, is_k8s_name, p12_password, pkcs12, written_files};

use std::path::{Path, PathBuf};

use base64::Engine;
use rcgen::KeyPair;
use rustls_pki_types::CertificateDer;
use time::{Duration, OffsetDateTime};

use super::fix::{self, Situation};
use crate::cli::{GenArgs, KeyTypeArg};
use crate::commands::Context;
use crate::finding::Failure;
use crate::finding::{Code, Finding, Remedy, Severity, Subject};
use crate::output::{self, Planned, Replace};
use crate::pki::build::{self, KeyType, LeafSpec};
use crate::pki::ca::{self, LocalCa};
use crate::pki::describe::{self, CertSummary};
use crate::pki::key::{self, KeyAlgorithm, PrivateKey};
use crate::pki::keymatch;
use crate::pki::load::{self, Input};
use crate::pki::names::{self, SubjectName};
use crate::pki::password::{Password, PasswordSource};
use crate::pki::pem;
use crate::pki::renewal::{self, Requirements, Verdict};
use crate::report::data::generate::GenData;
use crate::report::data::generate::WrittenFile;
use crate::report::{Data, Report};

/// Apple platforms reject TLS server certificates valid for more than 825 days
/// (https://support.apple.com/en-us/103769); verify warns about the same limit.
pub use crate::pki::checks::MAX_VALIDITY_DAYS as APPLE_MAX_DAYS;

const DEFAULT_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

impl From<KeyTypeArg> for KeyType {
    fn from(arg: KeyTypeArg) -> Self {
        match arg {
            KeyTypeArg::EcdsaP256 => Self::EcdsaP256,
            KeyTypeArg::EcdsaP384 => Self::EcdsaP384,
            KeyTypeArg::Ed25519 => Self::Ed25519,
            KeyTypeArg::Rsa2048 => Self::Rsa2048,
            KeyTypeArg::Rsa3072 => Self::Rsa3072,
            KeyTypeArg::Rsa4096 => Self::Rsa4096,
        }
    }
}

/// Where the key comes from.
#[derive(Debug)]
enum KeySource {
    Generate(KeyType),
    File(PathBuf),
}

/// The key, once the inputs are read: a given one with its warnings, or one to make.
enum KeyToUse<'p> {
    Given((KeyPair, Vec<Finding>), &'p Path),
    Generate(KeyType),
}

/// Everything gen will do, decided before anything is read or written.
#[derive(Debug)]
struct Plan {
    names: Vec<SubjectName>,
    /// Addresses given as names, and the host taken from each (`https://x:8443/` → `x`).
    from_addresses: Vec<(String, String)>,
    spec: LeafSpec,
    key: KeySource,
    /// `None` when an existing key is reused in place.
    key_path: Option<PathBuf>,
    cert_path: PathBuf,
    ca: Option<(PathBuf, PathBuf)>,
    key_mode: u32,
    force: bool,
    /// `Some(window)`: keep a pair that is still good for longer than `window`.
    if_needed: Option<Duration>,
    /// The key type, when given explicitly (--if-needed replaces a key of another type).
    explicit_key_type: Option<KeyType>,
    der: bool,
    k8s_secret: Option<(String, PathBuf)>,
    p12: Option<PathBuf>,
    /// An empty --p12 password was asked for.
    p12_empty_password: bool,
    password: PasswordSource,
    container_dir: String,
    print_env: bool,
    now: OffsetDateTime,
}

impl Plan {
    fn from_args(args: &GenArgs, ctx: &Context) -> Result<Self, Failure> {
        let given: Vec<&str> = if args.names.is_empty() {
            DEFAULT_NAMES.to_vec()
        } else {
            args.names.iter().map(String::as_str).collect()
        };
        // A URL or NAME:PORT pasted from a configuration means its host.
        let from_addresses: Vec<(String, String)> = given
            .iter()
            .filter_map(|name| names::host_of_address(name).map(|host| ((*name).to_owned(), host)))
            .collect();
        let hosts: Vec<&str> = given
            .iter()
            .map(|name| from_addresses.iter().find(|(a, _)| a == name).map_or(*name, |(_, host)| host.as_str()))
            .collect();
        let names = names::parse_all(&hosts).map_err(|e| {
            Failure::new(format!("invalid name: {e}"))
                .hint("names are DNS names (app.local, *.app.local), IP addresses (127.0.0.1, ::1), emails or URIs")
        })?;
        if let Some((name, suffix)) = names.iter().find_map(|n| names::wildcard_public_suffix(n).map(|s| (n, s))) {
            return Err(Failure::new(format!(
                "{name} is a wildcard directly under the public suffix {suffix}: no CA may issue it and clients refuse to match it"
            ))
            .hint(format!("name your hosts (app.example.{suffix}), or a wildcard under your own domain (*.example.{suffix})")));
        }
        let common_name = match &args.cn {
            Some(cn) if cn.trim().is_empty() => {
                return Err(Failure::new("--cn is empty").hint("leave it out to use the first DNS name"));
            }
            Some(cn) => cn.clone(),
            None => names
                .iter()
                .find(|n| matches!(n, SubjectName::Dns(_)))
                .or(names.first())
                .map(ToString::to_string)
                .unwrap_or_default(),
        };
        let out = &args.out_dir;
        let (key, key_path) = match &args.key {
            Some(path) => (KeySource::File(path.clone()), args.key_file.clone()),
            None => (
                KeySource::Generate(args.key_type.map_or(KeyType::EcdsaP256, KeyType::from)),
                Some(args.key_file.clone().unwrap_or_else(|| out.join("private_key.pem"))),
            ),
        };
        let ca = match (&args.ca, &args.ca_cert, &args.ca_key) {
            (Some(dir), _, _) => {
                let dir = match dir {
                    Some(dir) if !dir.exists() => {
                        return Err(Failure::new(format!("--ca {}: no such CA folder", dir.display())).hint(format!(
                            "give the folder holding ca.pem and ca-key.pem; to issue from the CA home, put the names first: `certsmith gen {} --ca`",
                            dir.display()
                        )));
                    }
                    Some(dir) => dir.clone(),
                    None => {
                        let home = crate::trust::home::current()?;
                        if !home.join("ca.pem").exists() {
                            return Err(Failure::new(format!(
                                "--ca: the CA home {} holds no CA (ca.pem)",
                                home.display()
                            ))
                            .hint("create it with `certsmith ca create`, or name a CA folder: --ca DIR"));
                        }
                        home
                    }
                };
                Some((dir.join("ca.pem"), dir.join("ca-key.pem")))
            }
            (None, Some(cert), Some(key)) => Some((cert.clone(), key.clone())),
            _ => None,
        };
        let k8s_secret = match &args.k8s_secret {
            Some(name) if is_k8s_name(name) => Some((name.clone(), out.join(format!("{name}.secret.yaml")))),
            Some(name) => {
                return Err(Failure::new(format!("{name:?} is not a valid Kubernetes object name"))
                    .hint("use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (e.g. myapp-tls)"));
            }
            None => None,
        };
        let now = ctx.now;
        let spec = LeafSpec {
            names: names.clone(),
            common_name,
            organization: args.org.clone(),
            not_before: crate::clock::backdated(now),
            not_after: crate::clock::days_after(now, args.days)?,
            client_auth: args.client,
        };
        Ok(Self {
            names,
            from_addresses,
            spec,
            key,
            key_path,
            cert_path: args.cert_file.clone().unwrap_or_else(|| out.join("certificate.pem")),
            ca,
            key_mode: args.key_mode,
            force: args.force,
            if_needed: args.if_needed.then(|| Duration::days(i64::from(args.renew_within))),
            explicit_key_type: args.key_type.map(KeyType::from),
            der: args.der,
            k8s_secret,
            p12: args.p12.clone(),
            p12_empty_password: args.p12_empty_password,
            password: args.password.source(),
            container_dir: args.container_dir.trim_end_matches('/').to_owned(),
            print_env: args.print_env,
            now,
        })
    }

    /// The key the pair uses: the key file gen writes, or the --key file it reuses in place.
    fn pair_key_path(&self) -> Option<&Path> {
        match (&self.key_path, &self.key) {
            (Some(path), _) | (None, KeySource::File(path)) => Some(path),
            (None, KeySource::Generate(_)) => None,
        }
    }

    /// Every path this run writes, key first.
    fn outputs(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = self.key_path.iter().cloned().collect();
        paths.push(self.cert_path.clone());
        if self.der {
            paths.extend(self.key_path.as_ref().map(|k| k.with_extension("der")));
            paths.push(self.cert_path.with_extension("der"));
        }
        paths.extend(self.k8s_secret.as_ref().map(|(_, path)| path.clone()));
        paths.extend(self.p12.clone());
        paths
    }
}

pub fn run(args: &GenArgs, ctx: &Context) -> Result<Report, Failure> {
    let plan = Plan::from_args(args, ctx)?;
    let mut findings = name_warnings(&plan.names, args.days, &plan.cert_path);
    findings.extend(plan.from_addresses.iter().map(|(address, host)| {
        Finding::new(
            Code::NameFromAddress,
            Severity::Warning,
            Subject::file(&plan.cert_path.display().to_string(), None),
            format!("{address} is an address, not a name: the certificate names its host, {host} (ports and paths are not part of a certificate)"),
        )
        // Nothing to paste: the pair names the host already, and gen again in this folder
        // would refuse to replace it.
        .hint(format!("nothing to do: the certificate is for {host}; next time, give the host name alone"))
    }));

    // Read everything first: a bad CA or key must not leave anything half done.
    let ca = plan
        .ca
        .as_ref()
        .map(|(cert, key)| {
            ca::load(&Input::File(cert.clone()), &Input::File(key.clone()), plan.now, || {
                plan.password.read(&key.display().to_string())
            })
        })
        .transpose()?;
    if let Some(ca) = &ca {
        check_name_constraints(&plan.names, ca)?;
    }
    // A given key is read (and its password asked for) before anything is locked or made.
    let key = match &plan.key {
        KeySource::File(path) => KeyToUse::Given(load_key(&plan, path, ca.as_ref())?, path),
        KeySource::Generate(kind) => KeyToUse::Generate(*kind),
    };
    let p12_password = plan.p12.as_ref().map(|path| p12_password(path, &plan)).transpose()?;
    // Held to the end of the run: another gen writing these folders waits its turn, and
    // a change a killed run left half done is completed first.
    let outputs = plan.outputs();
    let output_refs: Vec<&Path> = outputs.iter().map(PathBuf::as_path).collect();
    let _lock = output::lock::lock_folders(&output_refs, output::lock::CERT_FOLDER_MODE)?;
    let (force, reasons) = match plan.if_needed {
        None => (plan.force, Vec::new()),
        Some(window) => match assess(&plan, ca.as_ref(), window) {
            Verdict::Missing => (false, Vec::new()),
            Verdict::Renew(reasons) => (true, reasons),
            Verdict::Keep(summary) => {
                let written = complete_outputs(&plan, ca.as_ref(), p12_password.as_ref())?;
                return Ok(kept(&plan, summary, ca.as_ref(), findings, written));
            }
        },
    };
    let key = match key {
        KeyToUse::Given((pair, warnings), path) => {
            findings.extend(warnings);
            findings.extend(key_outside_warning(&plan, path));
            pair
        }
        KeyToUse::Generate(kind) => build::generate_key(kind)?,
    };
    output::check_targets(
        &output_refs,
        force,
        "use --if-needed to keep a valid pair and replace it only when it must change, or --force to replace it now",
    )?;
    let replacing = output_refs.iter().any(|p| p.exists());

    let mut spec = plan.spec.clone();
    if let Some(ca) = &ca
        && spec.not_after > ca.summary.not_after
    {
        spec.not_after = ca.summary.not_after;
        findings.push(
            Finding::new(
                Code::ClampedToCaExpiry,
                Severity::Warning,
                Subject::file(&ca.cert_path, None),
                format!(
                    "the certificate would outlive its CA; it now ends with the CA, on {}",
                    crate::clock::human(ca.summary.not_after)
                ),
            )
            .hint("make a CA that lasts longer (`certsmith ca create --days N --force`) and reissue"),
        );
    }

    let chain = issue(&spec, &key, ca.as_ref(), plan.now)?;
    let mut files = files_to_write(&plan, &key, &chain, ca.as_ref());
    if let (Some(path), Some(password)) = (&plan.p12, &p12_password) {
        // Encrypted, but it holds the key: same care as the key file.
        files.push(Planned { path: path.clone(), contents: pkcs12(path, &key, &chain, password)?, mode: 0o600 });
    }
    output::write_files(&files, if force { Replace::Existing } else { Replace::Never })?;
    if plan.key_mode & 0o044 != 0 && plan.key_path.is_some() {
        findings.push(key_mode_warning(&plan));
    }
    let summary = describe::certificate(chain.first().map(|c| c.as_ref()).unwrap_or_default())
        .map_err(|e| Failure::new(format!("certsmith could not read the certificate it made: {e}")))?;
    let written = written_files(&files, &plan);
    let action = if replacing { "replaced" } else { "created" };
    let data = summarize(&plan, summary, ca.as_ref(), action, reasons, written);
    give_fixes(&plan, &mut findings);
    Ok(Report { command: "gen", data: Data::Gen(data), findings, errors: Vec::new(), strict: false })
}

/// The existing pair judged against what this run asks for.
fn assess(plan: &Plan, ca: Option<&LocalCa>, window: Duration) -> Verdict {
    let Some(key_path) = plan.pair_key_path() else { return Verdict::Missing };
    let requirements = Requirements {
        names: &plan.names,
        now: plan.now,
        renew_within: window,
        client_auth: plan.spec.client_auth,
        issuer: ca.map(|ca| (&ca.anchor, ca.intermediates.as_slice())),
        key_algorithm: plan.explicit_key_type.map(KeyType::algorithm),
        password: &|| plan.password.read(&key_path.display().to_string()),
    };
    renewal::assess(&plan.cert_path, key_path, &requirements)
}

/// Outputs asked for since the kept pair was made (--der, --p12, --k8s-secret), written
/// from that pair: the key and certificate stay as they are, byte for byte.
fn complete_outputs(
    plan: &Plan,
    ca: Option<&LocalCa>,
    p12_password: Option<&Password>,
) -> Result<Vec<WrittenFile>, Failure> {
    let missing: Vec<PathBuf> = plan.outputs().into_iter().filter(|path| path.symlink_metadata().is_err()).collect();
    let Some(key_path) = plan.pair_key_path().filter(|_| !missing.is_empty()) else { return Ok(Vec::new()) };
    let (key, _) = load_key(plan, key_path, ca)?;
    let cert_file = load::load(&Input::File(plan.cert_path.clone()))?;
    let chain: Vec<CertificateDer<'static>> = cert_file.certificates().map(|(_, der)| der.clone()).collect();
    let mut files: Vec<Planned> =
        files_to_write(plan, &key, &chain, ca).into_iter().filter(|f| missing.contains(&f.path)).collect();
    if let (Some(path), Some(password)) = (plan.p12.as_ref().filter(|p| missing.contains(p)), p12_password) {
        files.push(Planned { path: path.clone(), contents: pkcs12(path, &key, &chain, password)?, mode: 0o600 });
    }
    let targets: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
    output::check_targets(&targets, false, "another run wrote it meanwhile; run gen again")?;
    output::write_files(&files, Replace::Never)?;
    Ok(written_files(&files, plan))
}

/// Commands in the warnings' hints, for the files this run wrote and the CA it used.
fn give_fixes(plan: &Plan, findings: &mut [Finding]) {
    let situation = Situation {
        cert_file: Some(plan.cert_path.clone()),
        key_file: plan.pair_key_path().map(Path::to_path_buf),
        ca_files: plan.ca.iter().map(|(cert, _)| cert.clone()).collect(),
        ..Situation::default()
    };
    fix::apply(findings, &situation);
}

/// The report for a pair --if-needed keeps: the same summary, and any output that was
/// missing and has now been written from it.
fn kept(
    plan: &Plan,
    summary: Box<CertSummary>,
    ca: Option<&LocalCa>,
    findings: Vec<Finding>,
    written: Vec<WrittenFile>,
) -> Report {
    let until = summary.not_after;
    let reason = format!(
        "{} matches its key, covers every requested name and is valid until {} (renewal starts {})",
        plan.cert_path.display(),
        crate::clock::human(until),
        crate::clock::relative(plan.now, until - plan.if_needed.unwrap_or_default())
    );
    let mut reasons = vec![reason];
    reasons.extend(written.iter().map(|f| format!("{} was missing: written from the kept pair", f.path)));
    let data = summarize(plan, *summary, ca, "kept", reasons, written);
    let mut findings = findings;
    give_fixes(plan, &mut findings);
    Report { command: "gen", data: Data::Gen(data), findings, errors: Vec::new(), strict: false }
}

fn summarize(
    plan: &Plan,
    certificate: CertSummary,
    ca: Option<&LocalCa>,
    action: &'static str,
    reasons: Vec<String>,
    files: Vec<WrittenFile>,
) -> GenData {
    let cert_path = plan.cert_path.display().to_string();
    let key_file = plan.pair_key_path().map(|p| p.display().to_string()).unwrap_or_default();
    let trust = ca.map_or_else(|| cert_path.clone(), |ca| ca.cert_path.clone());
    let file_name = |p: &str| Path::new(p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let next = next_steps(&plan.names, &trust, &cert_path, &key_file);
    GenData {
        action,
        reasons,
        key: match &plan.key {
            KeySource::Generate(kind) => kind.as_str().to_owned(),
            KeySource::File(_) => certificate.public_key.to_string(),
        },
        env: granian_env(plan, &file_name(&cert_path), &file_name(&key_file)),
        key_file,
        certificate_file: cert_path,
        files,
        issued_by: ca.map_or_else(|| "self-signed".to_owned(), |ca| ca.cert_path.clone()),
        next,
        trust,
        certificate: Box::new(certificate),
        print_env: plan.print_env,
    }
}

/// Granian's variables, with the paths the container sees. A Secret mounted as a volume
/// holds its keys as files named after them (`tls.crt`, `tls.key`), not after gen's files.
fn granian_env(plan: &Plan, cert_name: &str, key_name: &str) -> Vec<String> {
    let (cert, key) = if plan.k8s_secret.is_some() { ("tls.crt", "tls.key") } else { (cert_name, key_name) };
    vec![
        format!("GRANIAN_SSL_CERTIFICATE={}/{cert}", plan.container_dir),
        format!("GRANIAN_SSL_KEYFILE={}/{key}", plan.container_dir),
    ]
}

/// A CA with name constraints cannot vouch for names outside them: say which, before
/// webpki would refuse the result.
fn check_name_constraints(names: &[SubjectName], ca: &LocalCa) -> Result<(), Failure> {
    let forbidden = ca.forbidden_names(names);
    if forbidden.is_empty() {
        return Ok(());
    }
    Err(Failure::new(format!(
        "the CA {} may only vouch for {}; {} {} outside them",
        ca.cert_path,
        ca.permitted_text(),
        forbidden.join(", "),
        if forbidden.len() == 1 { "is" } else { "are" }
    ))
    .hint("use names the CA permits, or a CA without --permit-dns limits")
    .about(Subject::file(&ca.cert_path, None)))
}

/// A reused key stays where it is; the env line assumes the container sees it next to the
/// certificate. Say so when it is not there.
fn key_outside_warning(plan: &Plan, key: &Path) -> Option<Finding> {
    let same_folder = plan.key_path.is_some() || key.parent() == plan.cert_path.parent();
    (!same_folder).then(|| {
        let name = key.display().to_string();
        let base = key.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        Finding::new(
            Code::KeyOutsideCertificateFolder,
            Severity::Warning,
            Subject::file(&name, None),
            format!(
                "the key stays at {name}, not beside {}: GRANIAN_SSL_KEYFILE={}/{base} assumes the container sees it in the same folder as the certificate",
                plan.cert_path.display(),
                plan.container_dir
            ),
        )
        .hint(format!("mount {name} there, or add `--key-file {}` to write a copy beside the certificate", plan.cert_path.with_file_name("private_key.pem").display()))
    })
}

fn key_mode_warning(plan: &Plan) -> Finding {
    let key_file = plan.key_path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    Finding::new(
        Code::KeyReadableByOthers,
        Severity::Warning,
        Subject::file(&key_file, None),
        format!(
            "the private key is mode {}: {} can read it, and with it impersonate this server",
            output::mode_text(plan.key_mode),
            if plan.key_mode & 0o004 != 0 {
                "every local user (and every container user)"
            } else {
                "every member of its group (in a container, of the group with that id)"
            }
        ),
    )
    .hint("prefer 0600 and run the container as the file's owner, or give the container user the file with chown")
}

/// Warnings about what was asked for, about the certificate file being written.
fn name_warnings(names: &[SubjectName], days: u32, cert_path: &Path) -> Vec<Finding> {
    let subject = Subject::file(&cert_path.display().to_string(), None);
    let mut findings: Vec<Finding> = names
        .iter()
        .filter(|n| names::is_wildcard_under_tld(n))
        .map(|n| {
            Finding::new(
                Code::WildcardUnderTld,
                Severity::Warning,
                subject.clone(),
                format!("{n} is a wildcard directly under a top-level domain: browsers, rustls and most clients refuse to match it"),
            )
            .hint("name the hosts, or use a wildcard one level lower (*.app.test)")
        })
        .collect();
    if days > APPLE_MAX_DAYS {
        findings.push(
            Finding::new(
                Code::ValidityTooLong,
                Severity::Warning,
                subject,
                format!("{days} days is more than {APPLE_MAX_DAYS}: Safari, iOS and macOS reject TLS certificates valid that long"),
            )
            .hint(format!("use --days {APPLE_MAX_DAYS} or less, and `certsmith gen --if-needed` to renew")),
        );
    }
    findings
}

/// A `--key` to sign with, and warnings when Granian could not load the key file that
/// ends up beside the certificate: the file itself when it is reused in place, else the
/// PKCS#8 copy gen writes (whose only possible problem is the key's type or size).
fn load_key(plan: &Plan, path: &Path, ca: Option<&LocalCa>) -> Result<(KeyPair, Vec<Finding>), Failure> {
    let file = load::load(&Input::File(path.to_path_buf()))?;
    let der = keymatch::first_private_key(&file, || plan.password.read(&file.name))?;
    let pair =
        build::key_from_der(&der).map_err(|e| Failure::new(format!("{}: {e}", file.name)).about(file.subject(None)))?;
    let Some((index, stored)) = file.private_keys().next() else { return Ok((pair, Vec::new())) };
    let algorithm = key::derive_spki(&der)
        .ok()
        .and_then(|spki| key::algorithm_of_spki(&spki))
        .unwrap_or(KeyAlgorithm::Unknown { oid: String::new() });
    let copy = PrivateKey::Plain(der.clone_key());
    let (served, in_pem, served_name) = match &plan.key_path {
        None => (stored, index.is_some(), file.name.clone()),
        Some(copy_path) => (&copy, true, copy_path.display().to_string()),
    };
    let names = plan.names.iter().map(ToString::to_string).collect();
    let reissue = Remedy::Reissue { names, issuer: ca.map(|ca| ca.summary.subject.clone()), keep_key: false };
    let findings = keymatch::granian_issues(served, in_pem, &der, &served_name, &algorithm, &reissue)
        .into_iter()
        .map(|issue| issue.into_finding(Severity::Warning, Subject::file(&served_name, None)))
        .collect();
    Ok((pair, findings))
}

/// Signs the leaf and checks it as a rustls client would; returns leaf + intermediates.
fn issue(
    spec: &LeafSpec,
    key: &KeyPair,
    ca: Option<&LocalCa>,
    now: OffsetDateTime,
) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let params = build::leaf_params(spec, build::is_rsa(key), ca.is_some())?;
    let (leaf, anchor, intermediates) = match ca {
        Some(ca) => {
            let leaf = build::signed_by(&params, key, &ca.cert, &ca.key)?;
            (leaf, ca.anchor.clone(), ca.intermediates.clone())
        }
        None => {
            let leaf = build::self_signed(&params, key)?;
            (leaf.clone(), leaf, Vec::new())
        }
    };
    build::self_check(&leaf, &anchor, &intermediates, &spec.names, now).map_err(|e| {
        Failure::new(e.to_string()).hint(if ca.is_some() {
            "check the CA's name constraints (`certsmith inspect` on ca.pem shows them) and the requested names"
        } else {
            "this is a certsmith bug; please report it with the command line"
        })
    })?;
    let mut chain = vec![leaf];
    chain.extend(intermediates);
    Ok(chain)
}

/// What to run next: a client that verifies, by name, against the file to trust.
fn next_steps(names: &[SubjectName], trust: &str, cert: &str, key: &str) -> Vec<String> {
    let host = names
        .iter()
        .find_map(|n| match n {
            SubjectName::Dns(d) if !d.starts_with('*') => Some(d.clone()),
            SubjectName::Ip(std::net::IpAddr::V6(ip)) => Some(format!("[{ip}]")),
            SubjectName::Ip(ip) => Some(ip.to_string()),
            _ => None,
        })
        // Only wildcards: a name one of them covers.
        .or_else(|| {
            names.iter().find_map(|n| match n {
                SubjectName::Dns(d) => d.strip_prefix("*.").map(|rest| format!("www.{rest}")),
                _ => None,
            })
        });
    let Some(host) = host else { return Vec::new() };
    // Paths as the shell needs them: a folder may have spaces or quotes in its name.
    let (trust, cert, key) = (
        crate::finding::place::shell_word(trust),
        crate::finding::place::shell_word(cert),
        crate::finding::place::shell_word(key),
    );
    let verify = |ca: &str| format!("certsmith verify {ca}--key {key} --host {} {cert}", host.trim_matches(['[', ']']));
    if trust == cert {
        // Self-signed: each client must be given the certificate itself.
        return vec![
            verify(""),
            format!("curl --cacert {trust} https://{host}:8443/"),
            format!(
                "SSL_CERT_FILE={trust} python3 -c \"import urllib.request; urllib.request.urlopen('https://{host}:8443/')\""
            ),
        ];
    }
    // From a CA: trusted once by the host (and by containers through `trust compose`),
    // clients then verify with no option at all.
    vec![
        verify(&format!("--ca {trust} ")),
        "certsmith trust install".to_owned(),
        format!("curl https://{host}:8443/"),
        "certsmith trust compose".to_owned(),
    ]
}
