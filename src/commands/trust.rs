//! `certsmith trust install | uninstall | status | bundle`: which CA, which stores, what
//! to do to each, as a report. The work is in `crate::trust`; this module only turns
//! arguments into calls and outcomes into findings, and never prints.

use std::path::PathBuf;

use serde::Serialize;

use crate::app::Context;
use crate::cli::{PlatformArg, StoreArg, TrustBundleArgs, TrustChangeArgs, TrustCommand, TrustStatusArgs};
use crate::error::Failure;
use crate::report::{Code, Data, Finding, Report, Severity, Subject};
use crate::trust::anchor::{self, Anchor};
use crate::trust::bundle::{self, Written};
use crate::trust::exec::Host;
use crate::trust::home;
use crate::trust::native::Platform;
use crate::trust::stores::{self, Change, Kind, Outcome, RunOptions, State, Store};

/// The CA a run is about, as JSON shows it.
#[derive(Debug, Serialize)]
pub struct CaRef {
    pub path: String,
    pub subject: String,
    pub fingerprint_sha256: String,
    /// The entry name in every store.
    pub entry_name: String,
}

/// One store and what became of it.
#[derive(Debug, Serialize)]
pub struct StoreData {
    pub kind: Kind,
    pub label: String,
    pub path: String,
    pub state: State,
    /// The commands that ran (or, with --dry-run or without root, would run), as shell lines.
    pub commands: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct TrustData {
    /// `install`, `uninstall` or `status`.
    pub action: &'static str,
    pub platform: Platform,
    pub dry_run: bool,
    pub ca: CaRef,
    pub stores: Vec<StoreData>,
}

#[derive(Debug, Serialize)]
pub struct BundleData {
    pub ca: CaRef,
    /// The file written, absent when the bundle went to stdout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written: Option<Written>,
    pub source: String,
    pub system_roots: usize,
    /// The system already trusted the CA, so it is not added a second time.
    pub ca_in_system: bool,
    /// What rustls-native-certs could not read.
    pub skipped: Vec<String>,
    /// The bundle itself, when it goes to stdout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
}

pub fn run(command: &TrustCommand, _ctx: &Context) -> Result<Report, Failure> {
    match command {
        TrustCommand::Install(args) => change(args, Change::Install),
        TrustCommand::Uninstall(args) => change(args, Change::Uninstall),
        TrustCommand::Status(args) => status(args),
        TrustCommand::Bundle(args) => make_bundle(args),
    }
}

fn load_ca(arg: Option<&PathBuf>) -> Result<Anchor, Failure> {
    match arg {
        Some(path) => anchor::load(path),
        None => anchor::load(&home::current()?.join("ca.pem")),
    }
}

fn ca_ref(anchor: &Anchor) -> CaRef {
    CaRef {
        path: anchor.file.display().to_string(),
        subject: anchor.subject.clone(),
        fingerprint_sha256: anchor.fingerprint_sha256.clone(),
        entry_name: anchor.entry_name(),
    }
}

fn kinds(args: &[StoreArg]) -> Vec<Kind> {
    args.iter()
        .map(|s| match s {
            StoreArg::System => Kind::System,
            StoreArg::Nss => Kind::Nss,
            StoreArg::Java => Kind::Java,
        })
        .collect()
}

fn no_store(platform: Platform, kinds: &[Kind]) -> Failure {
    let which = if kinds.is_empty() {
        "no trust store".to_owned()
    } else {
        format!(
            "none of the stores asked for ({})",
            kinds.iter().map(|k| format!("{k:?}").to_lowercase()).collect::<Vec<_>>().join(", ")
        )
    };
    Failure::new(format!(
        "found {which} on this {} host: expected a system anchor folder (e.g. /usr/local/share/ca-certificates), an NSS database under $HOME (~/.pki/nssdb, Firefox profiles) or $JAVA_HOME/lib/security/cacerts",
        platform.as_str()
    ))
    .hint("install ca-certificates, start Firefox or Chromium once, or set JAVA_HOME; `--platform` with --dry-run prints another platform's commands")
}

fn change(args: &TrustChangeArgs, what: Change) -> Result<Report, Failure> {
    let platform = match args.platform {
        None | Some(PlatformArg::Linux) => Platform::current(),
        Some(PlatformArg::Macos) => Platform::Macos,
        Some(PlatformArg::Windows) => Platform::Windows,
        Some(PlatformArg::Wsl) => Platform::Wsl,
    };
    if platform != Platform::Linux && !args.dry_run {
        return Err(Failure::new(format!(
            "certsmith runs store commands on Linux only; {} needs --dry-run",
            platform.as_str()
        ))
        .hint("add --dry-run and run the printed commands on that machine"));
    }
    let anchor = load_ca(args.ca.as_ref())?;
    let host = Host::current();
    let kinds = kinds(&args.store);
    let found = stores::detect(platform, &host, &kinds);
    if found.is_empty() {
        return Err(no_store(platform, &kinds));
    }
    let options = RunOptions { dry_run: args.dry_run, sudo: args.sudo };
    // Printed lines carry `sudo` when a person who is not root must paste them.
    let print_sudo = args.sudo || !host.is_root || platform != Platform::Linux;
    let mut findings = Vec::new();
    let mut data = Vec::with_capacity(found.len());
    for store in &found {
        let outcome = stores::change(store, &anchor, what, &host, options);
        findings.extend(finding(store, &outcome, print_sudo, what));
        data.push(store_data(store, outcome, print_sudo));
    }
    let action = if what == Change::Install { "install" } else { "uninstall" };
    let data = TrustData { action, platform, dry_run: args.dry_run, ca: ca_ref(&anchor), stores: data };
    Ok(Report {
        command: if what == Change::Install { "trust install" } else { "trust uninstall" },
        data: Data::Trust(data),
        findings,
        errors: Vec::new(),
    })
}

fn status(args: &TrustStatusArgs) -> Result<Report, Failure> {
    let anchor = load_ca(args.ca.as_ref())?;
    let host = Host::current();
    let kinds = kinds(&args.store);
    let platform = Platform::current();
    let found = stores::detect(platform, &host, &kinds);
    if found.is_empty() {
        return Err(no_store(platform, &kinds));
    }
    let mut findings = Vec::new();
    let mut data = Vec::with_capacity(found.len());
    for store in &found {
        let outcome = stores::status(store, &anchor, &host);
        findings.extend(finding(store, &outcome, !host.is_root, Change::Install));
        data.push(store_data(store, outcome, !host.is_root));
    }
    let data = TrustData { action: "status", platform, dry_run: false, ca: ca_ref(&anchor), stores: data };
    Ok(Report { command: "trust status", data: Data::Trust(data), findings, errors: Vec::new() })
}

fn store_data(store: &Store, outcome: Outcome, sudo: bool) -> StoreData {
    StoreData {
        kind: store.kind(),
        label: store.label(),
        path: store.path(),
        state: outcome.state,
        commands: outcome.commands.iter().map(|c| c.line(sudo)).collect(),
        detail: outcome.detail,
    }
}

fn store_flag(store: &Store) -> &'static str {
    match store.kind() {
        Kind::System => "system",
        Kind::Nss => "nss",
        Kind::Java => "java",
    }
}

/// The finding a store's outcome calls for, if any.
fn finding(store: &Store, outcome: &Outcome, sudo: bool, what: Change) -> Option<Finding> {
    let subject = Subject { path: Some(store.path()), ..Subject::default() };
    let label = store.label();
    let verb = if what == Change::Install { "install" } else { "uninstall" };
    let lines = outcome.commands.iter().map(|c| format!("`{}`", c.line(sudo))).collect::<Vec<_>>().join(", then ");
    let detail = outcome.detail.clone().unwrap_or_default();
    let found = match outcome.state {
        State::NeedsRoot => Finding::new(
            Code::TrustNeedsRoot,
            Severity::Error,
            subject,
            format!("the {label} needs root and certsmith is not running as root, so nothing was run; the commands are {lines}"),
        )
        .hint(format!("run those commands yourself, or run `certsmith trust {verb} --store {} --sudo`", store_flag(store))),
        State::ToolMissing => Finding::new(
            Code::TrustToolMissing,
            Severity::Error,
            subject,
            format!("the {label} was found but its tool is not: {}", detail.split("; ").next().unwrap_or_default()),
        )
        .hint(format!("{}, then run this again; the other stores were handled", detail.split("; ").nth(1).unwrap_or(&detail))),
        State::Failed => Finding::new(
            Code::TrustCommandFailed,
            Severity::Error,
            subject,
            format!("changing the {label} did not work: {detail}"),
        )
        .hint(format!("run the commands by hand to see why: {lines}")),
        State::NotTrusted => {
            let why = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
            Finding::new(Code::CaNotTrusted, Severity::Error, subject, format!("the {label} does not trust the CA{why}"))
                .hint(format!("certsmith trust install --store {}", store_flag(store)))
        }
        _ => return None,
    };
    Some(found)
}

fn make_bundle(args: &TrustBundleArgs) -> Result<Report, Failure> {
    let anchor = load_ca(args.ca.as_ref())?;
    let made = bundle::build(&anchor)?;
    let (path, written, pem) = match &args.out {
        Some(out) => (Some(out.display().to_string()), Some(bundle::write(out, &made, args.force)?), None),
        None => (None, None, Some(made.pem.clone())),
    };
    let data = BundleData {
        ca: ca_ref(&anchor),
        path,
        written,
        source: made.source,
        system_roots: made.system_roots,
        ca_in_system: made.ca_in_system,
        skipped: made.skipped,
        pem,
    };
    Ok(Report { command: "trust bundle", data: Data::TrustBundle(data), findings: Vec::new(), errors: Vec::new() })
}
