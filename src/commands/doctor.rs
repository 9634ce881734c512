//! `certsmith doctor`: check a Granian deployment's TLS settings and files together, as
//! the containers will get them, before anything starts. Reads the sources (`env`), asks
//! `doctor` to judge them, and returns the report. Exit 0 when nothing is at error
//! severity, 1 when something is, 2 when a source could not be read or parsed.

use std::path::PathBuf;

use super::fix::{self, Situation};
use crate::cli::DoctorArgs;
use crate::commands::Context;
use crate::deploy::doctor;
use crate::deploy::env::interpolate::Budget;
use crate::deploy::env::{self, ENVIRONMENT, Origin, Target, Unset, Vars, compose};
use crate::deploy::granian;
use crate::finding::Failure;
use crate::finding::{Code, Finding, Severity};
use crate::pki::verify::Host;
use crate::report::data::doctor::{DoctorData, SourceInfo};
use crate::report::data::doctor::{HostUse, TargetData};
use crate::report::{Data, Report};

/// What doctor will check, decided before any file is read: the names clients use
/// (`--host`), the environment the processes inherit (none with `--no-environ`), and the
/// arguments that say where the configuration comes from.
struct Plan<'a> {
    hosts: Vec<Host>,
    process: Vars,
    args: &'a DoctorArgs,
}

impl<'a> Plan<'a> {
    fn from_args(args: &'a DoctorArgs) -> Result<Self, Failure> {
        let hosts = super::inputs::parse_hosts(&args.hosts)?;
        let process = if args.no_environ { Vars::default() } else { Vars::from_process() };
        Ok(Self { hosts, process, args })
    }
}

pub fn run(args: &DoctorArgs, ctx: &Context) -> Result<Report, Failure> {
    let Plan { hosts, process, args } = Plan::from_args(args)?;
    let mut sources = Vec::new();
    let mut unset: Vec<Unset> = Vec::new();
    // One budget for every file this run interpolates (see env::interpolate).
    let budget = Budget::default();
    let mut not_followed = Vec::new();
    let mut exposed = Vec::new();
    let (mut names, mut ports) = (Vec::new(), Vec::new());

    let (targets, skipped, not_selected) = match &args.compose {
        Some(path) => {
            let (loaded, files, missing) = compose::load_project(path, &args.env_files, &process, &budget)?;
            for file in files {
                sources.push(SourceInfo {
                    path: file.display().to_string(),
                    kind: "env-file",
                    used_for: "interpolation",
                });
            }
            if !args.no_environ {
                sources.push(SourceInfo {
                    path: ENVIRONMENT.to_owned(),
                    kind: "environment",
                    used_for: "interpolation",
                });
            }
            sources.push(SourceInfo { path: loaded.file.clone(), kind: "compose", used_for: "services" });
            for file in &loaded.overrides {
                sources.push(SourceInfo { path: file.clone(), kind: "compose-override", used_for: "services" });
            }
            unset.extend(missing);
            not_followed = loaded.not_followed;
            exposed = doctor::exposed_keys(&loaded.services);
            exposed.extend(doctor::insecure_healthchecks(&loaded.services, &loaded.file));
            // Every service, selected or not: a worker's URL may name the core's port.
            for service in &loaded.services {
                names.push(service.name.clone());
                ports.extend(service.ports.iter().map(|p| doctor::Published {
                    service: service.name.clone(),
                    host: p.published,
                    container: p.target,
                }));
            }
            services(loaded.services, args)?
        }
        None => {
            let mut vars = Vars::default();
            for file in &args.env_files {
                let (read, missing) =
                    env::read_env_file(file, &|n| process.value(n).or_else(|| vars.value(n)), &budget)?;
                sources.push(SourceInfo { path: file.display().to_string(), kind: "env-file", used_for: "variables" });
                unset.extend(missing);
                vars.update(read);
            }
            if !args.no_environ {
                sources.push(SourceInfo { path: ENVIRONMENT.to_owned(), kind: "environment", used_for: "variables" });
            }
            // The process environment wins over the files, as it does for compose and
            // for dotenv loaders.
            let mut all = process;
            all.fill_from(vars);
            let names: Vec<&str> = sources.iter().map(|s| s.path.as_str()).collect();
            let target = Target {
                name: "environment".to_owned(),
                in_container: false,
                vars: all,
                mounts: args.maps.clone(),
                user: None,
                user_name: None,
                origin: Origin { path: names.join(", "), position: None },
            };
            if !target.vars.iter().any(|v| doctor::relevant(&v.name)) {
                let read = if names.is_empty() {
                    "nothing (--no-environ and no --env-file)".to_owned()
                } else {
                    names.join(", ")
                };
                return Err(Failure::new(format!(
                    "nothing to check: no Granian TLS variable (GRANIAN_SSL_*), core URL or CA bundle variable in {read}"
                ))
                .hint("pass the configuration Granian gets: --env-file .env, or --compose compose.yaml"));
            }
            (vec![target], Vec::new(), Vec::new())
        }
    };

    let compose_file = args.compose.as_ref().map(|p| p.display().to_string());
    let settings = doctor::Settings {
        now: ctx.now,
        hosts: &hosts,
        ids: args.container_uid,
        compose: compose_file.as_deref(),
        services: &names,
        ports: &ports,
    };
    let checked = doctor::check(&targets, &settings);
    let mut findings = unset_findings(unset);
    findings.extend(exposed);
    findings.extend(not_followed.into_iter().map(|skip: compose::NotFollowed| {
        let mut subject = skip.origin.subject();
        subject.service = skip.service;
        Finding::new(Code::ComposeNotFollowed, Severity::Warning, subject, skip.why)
            .hint("move the file into the project folder, or run certsmith doctor on that file's own project")
    }));
    findings.extend(checked.findings);
    give_fixes(&mut findings, &checked.targets, &checked.hosts, compose_file);
    let data = DoctorData { sources, targets: checked.targets, hosts: checked.hosts, skipped, not_selected };
    Ok(Report { command: "doctor", data: Data::Doctor(data), findings, errors: Vec::new(), strict: false })
}

/// Each finding's command, from the files its target uses: the certificate and key
/// doctor located, every name clients use, the compose file.
fn give_fixes(findings: &mut [Finding], targets: &[TargetData], hosts: &[HostUse], compose: Option<String>) {
    let hosts: Vec<String> = hosts.iter().map(|h| h.name.clone()).collect();
    let located = |target: &TargetData, variable: &str| {
        target.files.iter().find(|f| f.variable == variable).and_then(|f| f.host_path.as_ref()).map(PathBuf::from)
    };
    // A client's fixes (verification switched off) make the server's pair: where the
    // serving target's configuration names it.
    let server = targets.iter().find(|t| t.serves_tls);
    let general = Situation {
        hosts,
        compose,
        cert_file: server.and_then(|t| located(t, granian::CERTIFICATE)),
        key_file: server.and_then(|t| located(t, granian::KEYFILE)),
        ..Situation::default()
    };
    for target in targets {
        let situation = Situation {
            cert_file: located(target, granian::CERTIFICATE).or(general.cert_file.clone()),
            key_file: located(target, granian::KEYFILE).or(general.key_file.clone()),
            ..general.clone()
        };
        let mine = |f: &&mut Finding| match &f.subject.service {
            Some(service) => *service == target.name,
            None => targets.len() == 1 && target.kind == "environment",
        };
        for finding in findings.iter_mut().filter(mine) {
            fix::apply(std::slice::from_mut(finding), &situation);
        }
    }
    fix::apply(findings, &general);
}

/// The services to check: those named with `--service`, else every service with a
/// variable doctor reads. Returns them, the names of the services without such a
/// variable, and those `--service` left out (kept apart: they may well have one).
type Chosen = (Vec<Target>, Vec<String>, Vec<String>);

fn services(all: Vec<compose::Service>, args: &DoctorArgs) -> Result<Chosen, Failure> {
    let file = args.compose.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
    for wanted in &args.services {
        if !all.iter().any(|s| &s.name == wanted) {
            let names: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
            return Err(Failure::new(format!("{file} has no service {wanted:?}"))
                .hint(format!("its services are: {}", names.join(", "))));
        }
    }
    let (mut targets, mut skipped, mut not_selected) = (Vec::new(), Vec::new(), Vec::new());
    for service in all {
        if !args.services.is_empty() && !args.services.contains(&service.name) {
            not_selected.push(service.name);
            continue;
        }
        if args.services.is_empty() && !service.vars.iter().any(|v| doctor::relevant(&v.name)) {
            skipped.push(service.name);
            continue;
        }
        let mut mounts = service.mounts;
        mounts.extend(args.maps.iter().cloned());
        targets.push(Target {
            user: service.user.as_deref().and_then(env::Ids::parse),
            user_name: service.user.clone().filter(|u| env::Ids::parse(u).is_none()),
            name: service.name,
            in_container: true,
            vars: service.vars,
            mounts,
            origin: service.origin,
        });
    }
    if targets.is_empty() {
        return Err(Failure::new(format!(
            "nothing to check: no service of {file} sets a Granian TLS variable (GRANIAN_SSL_*), a core URL or a CA bundle variable"
        ))
        .hint("pass the compose file that runs Granian, or name a service with --service"));
    }
    Ok((targets, skipped, not_selected))
}

/// Compose's warning for each variable interpolation used without a value, once per place.
fn unset_findings(mut unset: Vec<Unset>) -> Vec<Finding> {
    unset.sort_by(|a, b| {
        (a.1.path.as_str(), a.1.position.map(|p| (p.line, p.column)), &a.0).cmp(&(
            b.1.path.as_str(),
            b.1.position.map(|p| (p.line, p.column)),
            &b.0,
        ))
    });
    unset.dedup();
    unset
        .into_iter()
        .map(|(name, origin)| {
            Finding::new(
                Code::UnsetVariable,
                Severity::Warning,
                origin.subject(),
                format!("{name} is not set, so compose puts an empty string in its place (\"The {name} variable is not set. Defaulting to a blank string.\")"),
            )
            .hint(format!("set {name} in the .env file or the environment, or give a default: ${{{name}:-value}}"))
        })
        .collect()
}
