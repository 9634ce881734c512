//! `certsmith trust install | uninstall | status | bundle`: which CA, which stores, what
//! to do to each, as a report. The work is in `crate::trust`; this module only turns
//! arguments into calls and outcomes into findings, and never prints.

use std::path::{Path, PathBuf};

use crate::cli::{
    PlatformArg, StoreArg, TrustBundleArgs, TrustChangeArgs, TrustCommand, TrustComposeArgs, TrustStatusArgs,
};
use crate::commands::Context;
use crate::deploy::env::compose as env_compose;
use crate::finding::Failure;
use crate::finding::{Code, Finding, Severity, Subject};
use crate::report::data::trust::{BundleData, CaRef, ComposeData, StoreData, TrustData};
use crate::report::{Data, Report};
use crate::trust::anchor::{self, Anchor};
use crate::trust::bundle::{self, Written};
use crate::trust::compose;
use crate::trust::exec::Host;
use crate::trust::home;
use crate::trust::native::Platform;
use crate::trust::stores::{self, Change, Kind, Outcome, RunOptions, State, Store};

pub fn run(command: &TrustCommand, _ctx: &Context) -> Result<Report, Failure> {
    match command {
        TrustCommand::Install(args) => change(args, Change::Install),
        TrustCommand::Uninstall(args) => change(args, Change::Uninstall),
        TrustCommand::Status(args) => status(args),
        TrustCommand::Bundle(args) => make_bundle(args),
        TrustCommand::Compose(args) => compose(args),
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

/// The CA a trust command is about and the stores it works on, found before any store is
/// asked or changed.
struct Plan {
    anchor: Anchor,
    host: Host,
    platform: Platform,
    stores: Vec<Store>,
}

impl Plan {
    fn new(ca: Option<&PathBuf>, store_args: &[StoreArg], platform: Platform) -> Result<Self, Failure> {
        let anchor = load_ca(ca)?;
        let host = Host::current();
        let kinds = kinds(store_args);
        let stores = stores::detect(platform, &host, &kinds);
        if stores.is_empty() {
            return Err(no_store(platform, &kinds));
        }
        Ok(Self { anchor, host, platform, stores })
    }
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
    let Plan { anchor, host, platform, stores: found } = Plan::new(args.ca.as_ref(), &args.store, platform)?;
    // Root runs the commands itself: --sudo is for the person who is not (and root may
    // have no sudo at all, as in containers).
    let options = RunOptions { dry_run: args.dry_run, sudo: args.sudo && !host.is_root };
    // Printed lines carry `sudo` when a person who is not root must paste them.
    let print_sudo = options.sudo || !host.is_root || platform != Platform::Linux;
    let mut findings = Vec::new();
    let mut data = Vec::with_capacity(found.len());
    for store in &found {
        let outcome = stores::change(store, &anchor, what, &host, options);
        findings.extend(finding(store, &outcome, print_sudo, what, args.ca.as_deref()));
        data.push(store_data(store, outcome, print_sudo));
    }
    let action = if what == Change::Install { "install" } else { "uninstall" };
    let data = TrustData { action, platform, dry_run: args.dry_run, ca: ca_ref(&anchor), stores: data };
    Ok(Report {
        command: if what == Change::Install { "trust install" } else { "trust uninstall" },
        data: Data::Trust(data),
        findings,
        errors: Vec::new(),
        strict: false,
    })
}

fn status(args: &TrustStatusArgs) -> Result<Report, Failure> {
    let Plan { anchor, host, platform, stores: found } = Plan::new(args.ca.as_ref(), &args.store, Platform::current())?;
    let mut findings = Vec::new();
    let mut data = Vec::with_capacity(found.len());
    for store in &found {
        let outcome = stores::status(store, &anchor, &host);
        findings.extend(finding(store, &outcome, !host.is_root, Change::Install, args.ca.as_deref()));
        data.push(store_data(store, outcome, !host.is_root));
    }
    let data = TrustData { action: "status", platform, dry_run: false, ca: ca_ref(&anchor), stores: data };
    Ok(Report { command: "trust status", data: Data::Trust(data), findings, errors: Vec::new(), strict: false })
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
fn finding(store: &Store, outcome: &Outcome, sudo: bool, what: Change, ca: Option<&Path>) -> Option<Finding> {
    // The user's own --ca stays in the commands suggested.
    let ca = ca
        .map(|c| format!(" --ca {}", crate::finding::place::shell_word(&c.display().to_string())))
        .unwrap_or_default();
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
            // The system store and Java's cacerts are root's; a user's NSS database is not.
            let sudo = if sudo && store.kind() != Kind::Nss { " --sudo" } else { "" };
            let fix = format!("certsmith trust install --store {}{ca}{sudo}", store_flag(store));
            let mut finding =
                Finding::new(Code::CaNotTrusted, Severity::Error, subject, format!("the {label} does not trust the CA{why}"))
                    .hint(format!("install it: `{fix}`"));
            finding.fix = Some(fix);
            finding
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
    Ok(Report {
        command: "trust bundle",
        data: Data::TrustBundle(data),
        findings: Vec::new(),
        errors: Vec::new(),
        strict: false,
    })
}

fn compose(args: &TrustComposeArgs) -> Result<Report, Failure> {
    let file = match &args.compose {
        Some(file) => file.clone(),
        None => env_compose::find_default(std::path::Path::new(".")).ok_or_else(|| {
            Failure::new(
                "no compose file here: expected compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml",
            )
            .hint("run it in the folder of the compose file, or name it: --compose FILE")
        })?,
    };
    let budget = crate::deploy::env::interpolate::Budget::default();
    let (project, _, _) =
        env_compose::load_project(&file, &args.env_files, &crate::deploy::env::Vars::from_process(), &budget)?;
    let shown = file.display().to_string();
    let chosen = choose_services(&project.services, &args.services, &shown)?;
    let anchor = load_ca(args.ca.as_ref())?;
    let made = bundle::build(&anchor)?;
    let bundle_path = anchor.file.with_file_name("ca-bundle.pem");
    let bundle_written = bundle::write(&bundle_path, &made, false)?;

    let dir = env_compose::project_dir(&file);
    let yaml = compose::override_yaml(
        &crate::finding::place::shell_word(&shown),
        project.version.as_deref(),
        &chosen,
        &compose::compose_path(&bundle_path, &dir),
        &compose::compose_path(&anchor.file, &dir),
    );
    let automatic = env_compose::default_override(&file);
    let out = match &args.out {
        Some(out) => out.clone(),
        None if automatic.as_os_str().is_empty() => file.with_file_name("compose.override.yaml"),
        None => automatic.clone(),
    };
    let written = write_override(&out, &yaml, args.force)?;
    // compose finds the override by itself only beside a default-named file, in the
    // folder it runs in; elsewhere both files are named.
    let here = env_compose::project_dir(&file) == Path::new(".");
    let next = if out == automatic && here {
        vec!["docker compose up".to_owned()]
    } else {
        let word = |p: &std::path::Path| crate::finding::place::shell_word(&p.display().to_string());
        vec![format!("docker compose -f {} -f {} up", word(&file), word(&out))]
    };
    let data = ComposeData {
        ca: ca_ref(&anchor),
        compose: shown,
        override_file: out.display().to_string(),
        written,
        bundle_file: bundle_path.display().to_string(),
        bundle_written,
        system_roots: made.system_roots,
        delete: compose::insecure_settings(&project.services, &chosen),
        services: chosen,
        variables: compose::VARIABLES
            .iter()
            .map(|(name, file)| format!("{name}={}/{file}", compose::CONTAINER_DIR))
            .collect(),
        next,
    };
    Ok(Report {
        command: "trust compose",
        data: Data::TrustCompose(data),
        findings: Vec::new(),
        errors: Vec::new(),
        strict: false,
    })
}

/// The services named with --service (each must exist), else those making HTTPS calls.
fn choose_services(
    services: &[crate::deploy::env::compose::Service],
    named: &[String],
    file: &str,
) -> Result<Vec<compose::Client>, Failure> {
    let all: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    if let Some(missing) = named.iter().find(|n| !all.contains(&n.as_str())) {
        return Err(Failure::new(format!("{file} has no service {missing:?}"))
            .hint(format!("its services are: {}", all.join(", ")))
            .about(Subject::file(file, None)));
    }
    if !named.is_empty() {
        return Ok(named
            .iter()
            .map(|n| compose::Client { service: n.clone(), why: "named with --service".to_owned() })
            .collect());
    }
    let chosen = compose::clients(services);
    if chosen.is_empty() {
        return Err(Failure::new(format!(
            "no service of {file} makes HTTPS calls (no https URL, CA bundle variable, SSL_VERIFICATION or Granian certificate)"
        ))
        .hint("name the services that need the CA: --service NAME")
        .about(Subject::file(file, None)));
    }
    Ok(chosen)
}

/// Writes the override: an identical file is left alone; another is replaced only with
/// `force` (it may hold the user's own settings).
fn write_override(path: &std::path::Path, yaml: &str, force: bool) -> Result<Written, Failure> {
    let existing = std::fs::read(path).ok();
    if existing.as_deref() == Some(yaml.as_bytes()) {
        return Ok(Written::Unchanged);
    }
    crate::output::check_targets(
        &[path],
        force,
        "it may hold settings of your own: merge by hand, choose another --out, or add --force to replace it",
    )?;
    let replace = if existing.is_some() { crate::output::Replace::Existing } else { crate::output::Replace::Never };
    let file = crate::output::Planned { path: path.to_path_buf(), contents: yaml.as_bytes().to_vec(), mode: 0o644 };
    crate::output::write_files(&[file], replace)?;
    Ok(if existing.is_some() { Written::Replaced } else { Written::Created })
}
