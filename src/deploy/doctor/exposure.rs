//! Private keys a container can read that it should not: a CA key (which vouches for
//! every name its clients trust) or any key other than the one Granian is given, inside a
//! folder or file bind-mounted into a service, or inside a service's build context (which
//! `docker build` copies into the image, unless `.dockerignore` leaves it out).
//!
//! Services that run certsmith itself (its image) hold the CA by design and are skipped.
//! A key whose name says it is a CA's is always reported. Another key is reported only
//! where the service serves no certificate of its own: beside a Granian certificate it is
//! that certificate's key, whatever the variables say (doctor's pair checks speak of those).
//!
//! Folders are walked with bounds (depth, entries, file size) and without following links;
//! a file is a key when its first bytes hold a PEM `PRIVATE KEY` label, or it is a PKCS#12
//! or Java keystore by its name.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::deploy::env::compose::Service;
use crate::deploy::env::{Located, MountKind, Origin, Target};
use crate::deploy::granian;
use crate::finding::{Code, Finding, Severity, Subject};

/// How deep and how wide a mounted folder is searched, and how much of a file is read.
const MAX_DEPTH: usize = 6;
const MAX_ENTRIES: usize = 5_000;
const HEAD_BYTES: u64 = 64 * 1024;

/// Folders that hold no deployment's keys and can be huge.
const SKIPPED_FOLDERS: &[&str] = &[".git", "node_modules", "target", "__pycache__", ".venv"];

/// Findings for every key a service can read or bakes into its image, but does not serve.
pub fn exposed_keys(services: &[Service]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for service in services.iter().filter(|s| !runs_certsmith(s)) {
        let target = Target {
            name: service.name.clone(),
            in_container: true,
            vars: service.vars.clone(),
            mounts: service.mounts.clone(),
            user: None,
            user_name: None,
            origin: service.origin.clone(),
        };
        let served: Vec<PathBuf> = [granian::KEYFILE]
            .iter()
            .filter_map(|name| service.vars.get(name))
            .filter_map(|var| match target.locate(&var.value) {
                Located::Mounted { host, .. } | Located::Host(host) => fs::canonicalize(host).ok(),
                _ => None,
            })
            .collect();
        let serves = service.vars.get(granian::CERTIFICATE).is_some_and(|v| !v.value.is_empty());
        let reported = |key: &Path| {
            looks_like_ca_key(key) || !(serves || served.contains(&fs::canonicalize(key).unwrap_or_default()))
        };
        for mount in service.mounts.iter().filter(|m| m.kind == MountKind::Bind) {
            for key in keys_under(Path::new(&mount.source), &[]).into_iter().filter(|k| reported(k)) {
                let how = format!("the mount {}:{} ", mount.source, mount.container);
                findings.push(finding(&key, service, &how, &mount.origin, MOUNT_HINT));
            }
        }
        if let Some((context, origin)) = &service.build_context {
            let ignored = dockerignore(context);
            for key in keys_under(context, &ignored).into_iter().filter(|k| reported(k)) {
                let how = format!("its build context {} (copied into the image) ", context.display());
                findings.push(finding(&key, service, &how, origin, BUILD_HINT));
            }
        }
    }
    findings
}

const MOUNT_HINT: &str = "keep the CA in certsmith's CA home, outside the project (`certsmith ca path` shows it; `certsmith ca create` writes there), and mount only the files the service needs, e.g. `- ./certs/certificate.pem:/certs/certificate.pem:ro`";
const BUILD_HINT: &str = "move the key out of the build context (a CA belongs in certsmith's CA home: `certsmith ca path`), or add it to .dockerignore";

fn finding(key: &Path, service: &Service, how: &str, origin: &Origin, hint: &str) -> Finding {
    let path = key.display().to_string();
    let (what, risk) = if looks_like_ca_key(key) {
        ("a CA private key", "whoever gets into it can issue certificates for any name this CA's clients trust")
    } else {
        ("a private key Granian is not given", "whoever gets into it can impersonate the server the key belongs to")
    };
    let mut subject = Subject::file(&path, None);
    subject.service = Some(service.name.clone());
    Finding::new(
        Code::CaKeyExposed,
        Severity::Error,
        subject,
        format!("{path} is {what}, and {} reaches it through {how}({}): {risk}", service.name, origin_text(origin)),
    )
    .hint(hint)
}

fn origin_text(origin: &Origin) -> String {
    match origin.position {
        Some(at) => format!("{}:{}:{}", origin.path, at.line, at.column),
        None => origin.path.clone(),
    }
}

/// `certsmith`, `certsmith:latest`, `ghcr.io/…/certsmith:1.2`: the image's own name.
pub fn runs_certsmith(service: &Service) -> bool {
    service.image.as_deref().is_some_and(|image| {
        let name = image.rsplit('/').next().unwrap_or(image);
        name.split([':', '@']).next() == Some("certsmith")
    })
}

/// certsmith's `ca-key.pem`, mkcert's `rootCA-key.pem`, minica's `minica-key.pem`, step's
/// `root_ca_key`: a word `ca` (or `rootca`, `minica`) in the file name.
fn looks_like_ca_key(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    name.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| matches!(word, "ca" | "rootca" | "minica" | "cakey"))
}

/// Key files at or below `root` (a file or a folder), except paths `.dockerignore` lists.
fn keys_under(root: &Path, ignored: &[String]) -> Vec<PathBuf> {
    let mut keys = Vec::new();
    let mut seen = 0usize;
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    while let Some((path, depth)) = stack.pop() {
        // The mount's own source is followed as Docker follows it; links below it are not.
        let meta = if depth == 0 { fs::metadata(&path) } else { fs::symlink_metadata(&path) };
        let Ok(meta) = meta else { continue };
        let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().into_owned();
        if !relative.is_empty() && ignored.iter().any(|pattern| ignores(pattern, &relative)) {
            continue;
        }
        if meta.is_file() {
            if is_key_file(&path, meta.len()) {
                keys.push(path);
            }
            continue;
        }
        if !meta.is_dir() || depth >= MAX_DEPTH {
            continue;
        }
        let Ok(entries) = fs::read_dir(&path) else { continue };
        for entry in entries.flatten() {
            seen += 1;
            if seen > MAX_ENTRIES {
                return keys;
            }
            let name = entry.file_name();
            if SKIPPED_FOLDERS.iter().any(|s| name == *s) {
                continue;
            }
            stack.push((entry.path(), depth + 1));
        }
    }
    keys.sort();
    keys
}

fn is_key_file(path: &Path, len: u64) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    if [".p12", ".pfx", ".jks", ".keystore"].iter().any(|ext| name.ends_with(ext)) {
        return true;
    }
    if len > crate::pki::load::MAX_INPUT_BYTES {
        return false;
    }
    let mut head = Vec::new();
    let read = fs::File::open(path).and_then(|f| f.take(HEAD_BYTES).read_to_end(&mut head));
    read.is_ok() && head.windows(b"PRIVATE KEY-----".len()).any(|w| w == b"PRIVATE KEY-----")
}

/// The patterns of `DIR/.dockerignore`, without comments and exceptions (`!`): a path an
/// exception would bring back is still reported.
fn dockerignore(dir: &Path) -> Vec<String> {
    let text = fs::read_to_string(dir.join(".dockerignore")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!'))
        .map(|l| l.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/').to_owned())
        .collect()
}

/// Whether a `.dockerignore` pattern covers `path` (relative, `/`-separated): the path
/// or a folder above it matches, `*` and `?` within one name, `**` across names.
fn ignores(pattern: &str, path: &str) -> bool {
    let mut prefix = String::new();
    path.split('/').any(|part| {
        if !prefix.is_empty() {
            prefix.push('/');
        }
        prefix.push_str(part);
        glob(pattern, &prefix)
    })
}

/// Whether `text` matches `pattern`: `**` anything, `*` anything but `/`, `?` one
/// character but `/`. A table of pattern prefix × text prefix, so time is their product,
/// never exponential in the number of stars.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    if p.len() > 256 || t.len() > 4096 {
        return false;
    }
    // at[j]: the pattern so far matches the first j characters of the text.
    let mut at: Vec<bool> = std::iter::once(true).chain(std::iter::repeat_n(false, t.len())).collect();
    let mut i = 0;
    while let Some(&c) = p.get(i) {
        let double = c == '*' && p.get(i + 1) == Some(&'*');
        at = if c == '*' {
            // Zero characters, or one more than a match one shorter (not `/` for `*`).
            let mut next: Vec<bool> = Vec::with_capacity(t.len() + 1);
            for (j, was) in at.iter().enumerate() {
                let longer = j > 0
                    && next.last().copied().unwrap_or(false)
                    && (double || t.get(j - 1).is_some_and(|ch| *ch != '/'));
                next.push(*was || longer);
            }
            if double {
                // `**`, and `**/`, which may also match nothing.
                i += if p.get(i + 2) == Some(&'/') { 2 } else { 1 };
            }
            next
        } else {
            let fits = |ch: &char| if c == '?' { *ch != '/' } else { *ch == c };
            std::iter::once(false).chain(t.iter().zip(&at).map(|(ch, was)| *was && fits(ch))).collect()
        };
        i += 1;
    }
    at.last().copied().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerignore_patterns() {
        assert!(ignores("certs", "certs/ca/ca-key.pem"));
        assert!(ignores("certs/ca", "certs/ca/ca-key.pem"));
        assert!(ignores("*.pem", "key.pem"));
        assert!(!ignores("*.pem", "certs/key.pem"));
        assert!(ignores("**/*.pem", "certs/ca/key.pem"));
        assert!(ignores("**/ca-key.pem", "ca-key.pem"));
        assert!(ignores("cert?", "certs/x"));
        assert!(!ignores("cert", "certs/x"));
        // Stars that backtracked exponentially match in time pattern × text.
        let pattern = format!("{}b", "*a".repeat(14));
        let started = std::time::Instant::now();
        assert!(!glob(&pattern, &"a".repeat(120)));
        assert!(started.elapsed() < std::time::Duration::from_secs(1), "{:?}", started.elapsed());
    }

    #[test]
    fn ca_keys_by_name() {
        for name in ["ca-key.pem", "rootCA-key.pem", "minica-key.pem", "root_ca_key", "ca.key"] {
            assert!(looks_like_ca_key(Path::new(name)), "{name}");
        }
        for name in ["private_key.pem", "cache.pem", "local.key"] {
            assert!(!looks_like_ca_key(Path::new(name)), "{name}");
        }
    }
}
