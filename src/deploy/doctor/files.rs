//! Can the process open the file a variable names: is the container path mounted from the
//! host, does the file exist, is it a file, can certsmith read it, and can the container's
//! user (`--container-uid`, compose `user:`) read it. Granian checks the last three at
//! start-up with click (`click.Path(exists=True, dir_okay=False, readable=True)`) and
//! refuses to start with click's message, which the findings quote.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::deploy::env::{Ids, Located, Mount, MountKind, Target, Variable};
use crate::deploy::granian;
use crate::finding::{Code, FIX, Finding, Remedy, Severity};
use crate::pki::load::io_reason;

/// A file a variable names, found on the host.
#[derive(Debug, Clone)]
pub(super) struct Found {
    pub(super) host: PathBuf,
    /// The mount it came through (none for a host path).
    pub(super) mount: Option<Mount>,
}

/// What the process does when the file is not there: Granian's click message for its own
/// options, else "fails".
fn who_fails(var: &Variable, problem: &str) -> String {
    match granian::option(&var.name) {
        Some(option) => {
            format!("Granian refuses to start: Invalid value for '{}': File '{}' {problem}", option.flag, var.value)
        }
        None => format!("the client fails when it opens it ('{}' {problem})", var.value),
    }
}

/// `certs/certificate.pem (through ./certs:/certs at compose.yaml:12:9)`.
fn on_host(found: &Found) -> String {
    match &found.mount {
        Some(mount) if mount.kind == MountKind::Map => {
            format!("{} here (through {})", found.host.display(), mount.origin)
        }
        Some(mount) => format!("{} here (mounted from {} at {})", found.host.display(), mount.source, mount.origin),
        None => found.host.display().to_string(),
    }
}

/// The label of the PEM text in a value (`PRIVATE KEY`), when the value holds PEM text
/// rather than a path.
pub(super) fn pem_label(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("-----BEGIN ")?;
    rest.split_once("-----").map(|(label, _)| label)
}

/// Where a variable's file is, and whether certsmith can read it; a finding when not.
pub(super) fn check(target: &Target, var: &Variable) -> Result<Found, Box<Finding>> {
    let subject = var.subject();
    let finding = |code, severity, message: String, hint: String| {
        Box::new(Finding::new(code, severity, subject.clone(), message).hint(hint))
    };
    // PEM text pasted where a path belongs: never echoed (it may be a private key).
    if let Some(label) = pem_label(&var.value) {
        let who = match granian::option(&var.name) {
            Some(option) => {
                format!("Granian refuses to start: Invalid value for '{}': File '…' does not exist.", option.flag)
            }
            None => "the client fails when it opens it".to_owned(),
        };
        let private = if label.contains("PRIVATE KEY") { " readable only by its owner" } else { "" };
        let example = match var.name.as_str() {
            granian::CERTIFICATE | granian::KEYFILE | granian::CA => format!(" ({})", suggested_name(&var.name)),
            _ => String::new(),
        };
        return Err(finding(
            Code::FileNotFound,
            Severity::Error,
            format!("{} holds PEM text ({label}), not the path of a file: {who}", var.name),
            format!("write the text to a file{private}{example}, and set {} to its path", var.name),
        ));
    }
    let found = match target.locate(&var.value) {
        Located::Host(host) => Found { host, mount: None },
        Located::Mounted { host, mount } => Found { host, mount: Some(mount.clone()) },
        Located::InVolume(mount) => {
            return Err(finding(
                Code::FileNotChecked,
                Severity::Info,
                format!(
                    "{}={} is in the docker volume {} ({}): certsmith cannot look into volumes",
                    var.name,
                    var.value,
                    if mount.source.is_empty() { "(anonymous)" } else { &mount.source },
                    mount.origin
                ),
                format!(
                    "check the file from inside: `docker compose run --rm {} ls -l {}`, or bind-mount a host folder instead",
                    crate::finding::place::shell_word(&target.name),
                    crate::finding::place::shell_word(&var.value)
                ),
            ));
        }
        Located::Relative => {
            return Err(finding(
                Code::PathNotMounted,
                Severity::Error,
                format!(
                    "{}={} is a relative path: the process resolves it from the container's working folder, which no mount of {} covers",
                    var.name, var.value, target.name
                ),
                format!(
                    "use an absolute container path inside a mounted folder, such as /certs/{}",
                    file_name(&var.value)
                ),
            ));
        }
        Located::NotMounted => {
            let folder = Path::new(&var.value).parent().map(|p| p.display().to_string()).unwrap_or_default();
            let local = Path::new(&folder).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            return Err(finding(
                Code::PathNotMounted,
                Severity::Error,
                format!(
                    "{}={}: no volume of the service {} brings {folder} in from the host, so the container does not have this file (unless the image does): {}",
                    var.name,
                    var.value,
                    target.name,
                    who_fails(var, "does not exist.")
                ),
                format!(
                    "mount the host folder that holds it: add `- ./{local}:{folder}:ro` under services.{}.volumes ({})",
                    target.name, target.origin
                ),
            ));
        }
    };
    let where_ = on_host(&found);
    let meta = match std::fs::metadata(&found.host) {
        Ok(meta) => meta,
        Err(e) if e.kind() == ErrorKind::NotFound => {
            let parent_missing = found.host.parent().is_some_and(|p| !p.as_os_str().is_empty() && !p.exists());
            let container_hint = if target.in_container || found.mount.is_some() {
                String::new()
            } else if var.value.starts_with('/') {
                format!(
                    "; if {} is a path in a container, pass --compose FILE, or --map {}=HOST_FOLDER",
                    var.value,
                    Path::new(&var.value).parent().map(|p| p.display().to_string()).unwrap_or_default()
                )
            } else {
                String::new()
            };
            let pair = match granian::option(&var.name).map(|o| o.name) {
                Some(granian::CERTIFICATE) => Some(false),
                Some(granian::KEYFILE) => Some(true),
                _ => None,
            };
            let hint = match pair {
                Some(_) => format!("make the pair there: {FIX}, or fix the path{container_hint}"),
                None => format!("fix the path, or put the file there{container_hint}"),
            };
            let remedy = pair.map(|is_key| Remedy::MakePair { file: found.host.display().to_string(), is_key });
            let mut finding = finding(
                Code::FileNotFound,
                Severity::Error,
                format!(
                    "{}={}: there is no such file at {where_}{}: {}",
                    var.name,
                    var.value,
                    if parent_missing { ", nor its folder" } else { "" },
                    who_fails(var, "does not exist.")
                ),
                hint,
            );
            finding.remedy = remedy;
            return Err(finding);
        }
        Err(e) => {
            return Err(finding(
                Code::FileNotReadable,
                Severity::Error,
                format!("{}={}: certsmith cannot reach {where_}: {}", var.name, var.value, io_reason(&e)),
                format!("check the folders' modes with `ls -ld` on each folder of {}", found.host.display()),
            ));
        }
    };
    if !meta.is_file() {
        let kind = if meta.is_dir() { "a folder" } else { "not a regular file" };
        return Err(finding(
            Code::NotAFile,
            Severity::Error,
            format!(
                "{}={}: {where_} is {kind}: {}",
                var.name,
                var.value,
                who_fails(var, if meta.is_dir() { "is a directory." } else { "is not a file." })
            ),
            format!("name the file itself, such as {}/{}", var.value.trim_end_matches('/'), suggested_name(&var.name)),
        ));
    }
    if let Err(e) = std::fs::File::open(&found.host) {
        return Err(finding(
            Code::FileNotReadable,
            Severity::Error,
            format!(
                "{}={}: certsmith cannot read {where_}: {}{}",
                var.name,
                var.value,
                io_reason(&e),
                current_uid().map(|u| format!(" (it runs as uid {u})")).unwrap_or_default()
            ),
            format!(
                "run certsmith as a user who can read it (the container's user must too), or check `ls -l {}`",
                crate::finding::place::shell_word(&found.host.display().to_string())
            ),
        ));
    }
    Ok(found)
}

/// Whether the container's user `ids` can read a file certsmith found: a finding when the
/// permission bits (of the file, and of the mounted folders above it) keep it out.
pub(super) fn container_can_read(var: &Variable, found: &Found, ids: Ids) -> Option<Finding> {
    let meta = std::fs::metadata(&found.host).ok()?;
    let blocked = unreadable_for(found, &meta, ids)?;
    Some(
        Finding::new(
            Code::FileNotReadable,
            Severity::Error,
            var.subject(),
            format!(
                "{}={}: the container runs as uid {}, and {blocked}: {}",
                var.name,
                var.value,
                ids.uid,
                who_fails(var, "is not readable.")
            ),
        )
        .hint(format!(
            "give the container's user the file and keep it private: {FIX} (mode 0600), or make it readable by every user, as the guide does: `chmod 644 {}` (any local user can then read it)",
            crate::finding::place::shell_word(&found.host.display().to_string())
        ))
        .remedy(Remedy::GiveTo { uid: ids.uid, file: found.host.display().to_string() }),
    )
}

fn file_name(path: &str) -> String {
    Path::new(path).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// The file name `certsmith gen` writes for a variable, for hints.
fn suggested_name(var: &str) -> &'static str {
    match var {
        granian::KEYFILE => "private_key.pem",
        granian::CA => "ca.pem",
        _ => "certificate.pem",
    }
}

/// This process's uid, on Linux: `/proc/self` belongs to it.
#[cfg(unix)]
fn current_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

#[cfg(not(unix))]
fn current_uid() -> Option<u32> {
    None
}

/// Why `ids` cannot read the file (or reach it through the mounted folders), by the
/// permission bits (root reads everything).
#[cfg(unix)]
fn unreadable_for(found: &Found, meta: &std::fs::Metadata, ids: Ids) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let allowed = |meta: &std::fs::Metadata, bit: u32| {
        let mode = meta.mode();
        if ids.uid == 0 {
            true
        } else if meta.uid() == ids.uid {
            mode & (bit << 6) != 0
        } else if ids.gid == Some(meta.gid()) {
            mode & (bit << 3) != 0
        } else {
            mode & bit != 0
        }
    };
    let owner = |meta: &std::fs::Metadata| format!("mode {:04o} owned by uid {}", meta.mode() & 0o7777, meta.uid());
    // Folders between the mount and the file must be searchable (x) in the container.
    if let Some(mount) = &found.mount {
        let top = Path::new(&mount.source);
        let mut dir = found.host.parent();
        while let Some(d) = dir.filter(|d| d.starts_with(top)) {
            if let Ok(m) = std::fs::metadata(d)
                && !allowed(&m, 0o1)
            {
                return Some(format!("the folder {} is {}, which it cannot enter", d.display(), owner(&m)));
            }
            dir = d.parent();
        }
    }
    (!allowed(meta, 0o4)).then(|| format!("{} is {}", found.host.display(), owner(meta)))
}

#[cfg(not(unix))]
fn unreadable_for(_: &Found, _: &std::fs::Metadata, _: Ids) -> Option<String> {
    None
}

/// Who may read the key file Granian gets, by its mode: every user (`o+r`) is a leak; only
/// its host owner, in a container whose user doctor does not know, is the guide's
/// Troubleshooting item 2 (Granian, running as another uid, cannot read it). A key readable
/// by its group is taken as shared on purpose (`chgrp` and the container's group).
#[cfg(unix)]
pub(super) fn key_mode(target: &Target, var: &Variable, found: &Found, ids: Option<Ids>) -> Option<Finding> {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&found.host).ok()?;
    let mode = meta.mode() & 0o7777;
    let file = crate::finding::place::shell_word(&found.host.display().to_string());
    let shown = crate::output::mode_text(mode);
    if mode & 0o004 != 0 {
        let (who, hint) = match (ids, target.in_container) {
            (Some(ids), _) => (
                "every user of this machine can read the private key, and so can every container that mounts it",
                format!("give it to the container's user alone: `sudo chown {} {file} && chmod 600 {file}`", ids.uid),
            ),
            (None, true) => (
                "every user of this machine can read the private key, and so can every container that mounts it",
                format!(
                    "make it private, `chmod 600 {file}`, and give it to the uid Granian runs as in {}: `chown UID {file}`, with that uid as the service's `user:` (or doctor's --container-uid UID)",
                    target.name
                ),
            ),
            (None, false) => (
                "every user of this machine can read the private key",
                format!("make it readable by its owner alone, the user Granian runs as: `chmod 600 {file}`"),
            ),
        };
        return Some(
            Finding::new(
                Code::KeyReadableByOthers,
                Severity::Warning,
                var.subject(),
                format!(
                    "{}={}: {} is mode {shown}: {who}, and with it impersonate the server",
                    var.name,
                    var.value,
                    found.host.display()
                ),
            )
            .hint(hint),
        );
    }
    if !target.in_container || ids.is_some() || mode & 0o044 != 0 {
        return None;
    }
    let owner = meta.uid();
    let readers = if owner == 0 { "only root can read it" } else { "only that user (and root) can read it" };
    let user = match &target.user_name {
        Some(name) => format!("{} runs as the user {name}, whose uid certsmith cannot know", target.name),
        None => format!("{} sets no `user:`", target.name),
    };
    Some(
        Finding::new(
            Code::KeyUnreadableInContainer,
            Severity::Warning,
            var.subject(),
            format!(
                "{}={}: {} is mode {shown} owned by uid {owner}, so {readers}, and {user}: in the container Granian usually runs as another uid, and then {}",
                var.name,
                var.value,
                found.host.display(),
                who_fails(var, "is not readable.")
            ),
        )
        .hint(format!(
            "tell doctor the uid Granian runs as: `user: \"UID\"` on the service, or --container-uid UID (`docker compose run --rm --no-deps --entrypoint id {} -u` prints the image's); then give that uid the file: `chown UID {file}`",
            crate::finding::place::shell_word(&target.name)
        )),
    )
}

#[cfg(not(unix))]
pub(super) fn key_mode(_: &Target, _: &Variable, _: &Found, _: Option<Ids>) -> Option<Finding> {
    None
}
