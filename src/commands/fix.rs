//! Remedies into commands: the one place that turns a finding's [`Remedy`] into the
//! command to paste, knowing the run: the certificate and key files in play, the CA the
//! user passed or certsmith's CA home, the names asked about, the compose file. A
//! command is given only when it works as printed (files exist: `--force`; the CA's folder
//! is known); otherwise the hint keeps the remedy's template, with placeholders, and the
//! finding has no `fix`.

use std::path::{Path, PathBuf};

use crate::finding::place::shell_word;
use crate::finding::{FIX, Finding, Remedy};
use crate::pki::describe;
use crate::pki::load::{self, Input};
use crate::report::Report;
use crate::trust::home;

/// What a command knows about the run, for the commands it suggests.
#[derive(Debug, Default, Clone)]
pub struct Situation {
    /// The certificate file examined; `None` for standard input or a server.
    pub cert_file: Option<PathBuf>,
    /// Its key file, when known (`--key`, the key gen wrote, the file doctor located).
    pub key_file: Option<PathBuf>,
    /// CA certificate files the user gave (`--ca`).
    pub ca_files: Vec<PathBuf>,
    /// Names a re-check should ask about (`--host`).
    pub hosts: Vec<String>,
    /// The compose file of the run.
    pub compose: Option<String>,
}

/// Gives each finding with a remedy its command (`fix`), and its hint the command (or the
/// template) where it says [`FIX`].
pub fn apply(findings: &mut [Finding], situation: &Situation) {
    for finding in findings.iter_mut() {
        if let Some(remedy) = &finding.remedy
            && finding.fix.is_none()
        {
            finding.fix = command(remedy, situation);
        }
        settle(finding);
    }
}

/// Every hint of a report with its placeholder filled: the fix, else the template. Run
/// before rendering, so a command that made no [`Situation`] still shows a whole hint.
pub fn settle_report(report: &mut Report) {
    for finding in &mut report.findings {
        settle(finding);
    }
}

fn settle(finding: &mut Finding) {
    let Some(remedy) = &finding.remedy else { return };
    let shown = finding.fix.as_ref().map_or_else(|| remedy.template(), |fix| format!("`{fix}`"));
    if let Some(hint) = &mut finding.hint {
        *hint = hint.replace(FIX, &shown);
    }
}

/// The command for `remedy` in `situation`, when one works as printed.
pub fn command(remedy: &Remedy, situation: &Situation) -> Option<String> {
    match remedy {
        Remedy::Reissue { names, issuer, keep_key } => reissue(names, issuer.as_deref(), *keep_key, situation),
        Remedy::TrustIssuer { issuer } => trust_issuer(issuer.as_deref(), situation),
        Remedy::TrustedPath { names, compose } => {
            // No names of its own: every name the run's clients use.
            let names = if names.is_empty() { &situation.hosts } else { names };
            Some(trusted_path(names, compose.as_ref().or(situation.compose.as_ref()), situation))
        }
        Remedy::TrustCompose { compose } => {
            let compose = compose.as_ref().or(situation.compose.as_ref())?;
            Some(format!("certsmith trust compose --compose {}", shell_word(compose)))
        }
        Remedy::MakePair { file, is_key } => make_pair(Path::new(file), *is_key, situation),
        Remedy::ToPem { file, is_key } => Some(to_pem(Path::new(file), *is_key)),
        Remedy::GiveTo { uid, file } => {
            // Root has no need of sudo (and a container may have none).
            let sudo = if is_root() { "" } else { "sudo " };
            Some(format!("{sudo}chown {uid} {}", word(Path::new(file))))
        }
    }
}

/// gen's words for where a pair goes: nothing for certs/ (its default), `--out-dir` for
/// gen's own file names in another folder, else both files by name.
fn pair_words(cert: &Path, key: &Path) -> Vec<String> {
    let dir = parent(cert);
    if cert == dir.join("certificate.pem") && key == dir.join("private_key.pem") {
        if dir == Path::new("certs") { Vec::new() } else { vec!["--out-dir".to_owned(), word(dir)] }
    } else {
        vec!["--cert-file".to_owned(), word(cert), "--key-file".to_owned(), word(key)]
    }
}

/// `certsmith gen` writing the pair where the configuration expects it: the missing file,
/// and its partner from the run (or the name gen gives it, beside), for the names clients
/// use (gen's own defaults when none is known).
fn make_pair(file: &Path, is_key: bool, situation: &Situation) -> Option<String> {
    let dir = parent(file);
    let (cert, key) = if is_key {
        (situation.cert_file.clone().unwrap_or_else(|| dir.join("certificate.pem")), file.to_path_buf())
    } else {
        (file.to_path_buf(), situation.key_file.clone().unwrap_or_else(|| dir.join("private_key.pem")))
    };
    // Its partner is there: a new pair would replace a certificate (perhaps a CA's) with
    // a self-signed one. Which file is missing is for a person to find out.
    if cert.exists() || key.exists() {
        return None;
    }
    let mut words = vec!["certsmith".to_owned(), "gen".to_owned()];
    words.extend(pair_words(&cert, &key));
    words.extend(situation.hosts.iter().map(|h| shell_word(h)));
    Some(words.join(" "))
}

/// openssl rewriting a DER file as PEM under the same name (through a temp file; a key
/// readable only by its owner throughout).
fn to_pem(file: &Path, is_key: bool) -> String {
    let (f, tmp) = (word(file), word(&PathBuf::from(format!("{}.pem-tmp", file.display()))));
    if is_key {
        format!("(umask 077 && openssl pkey -inform DER -in {f} -out {tmp}) && mv {tmp} {f}")
    } else {
        format!("openssl x509 -inform DER -in {f} -out {tmp} && mv {tmp} {f}")
    }
}

#[cfg(unix)]
fn is_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[cfg(not(unix))]
fn is_root() -> bool {
    false
}

/// `certsmith gen --force` with the names, the files of the run and the CA that issued
/// the certificate.
fn reissue(names: &[String], issuer: Option<&str>, keep_key: bool, situation: &Situation) -> Option<String> {
    let cert = situation.cert_file.as_deref()?;
    if names.is_empty() {
        return None;
    }
    let mut words = vec!["certsmith".to_owned(), "gen".to_owned()];
    if cert.exists() {
        words.push("--force".to_owned());
    }
    let dir = parent(cert);
    let default_key = dir.join("private_key.pem");
    if keep_key {
        let key = situation.key_file.as_deref()?;
        words.extend(["--key".to_owned(), word(key), "--cert-file".to_owned(), word(cert)]);
    } else {
        words.extend(pair_words(cert, situation.key_file.as_deref().unwrap_or(&default_key)));
    }
    words.extend(names.iter().map(|n| shell_word(n)));
    if let Some(issuer) = issuer {
        // The CA folder the user gave, else certsmith's CA home (`--ca` alone, last, so it
        // does not take a name as its folder).
        match ca_folder(issuer, &situation.ca_files) {
            Some(folder) => words.extend(["--ca".to_owned(), word(&folder)]),
            None if home_ca(issuer).is_some() => words.push("--ca".to_owned()),
            None => return None,
        }
    }
    Some(words.join(" "))
}

/// `certsmith verify --ca FILE …` against the certificate itself (self-signed) or the CA
/// in certsmith's CA home that issued it.
fn trust_issuer(issuer: Option<&str>, situation: &Situation) -> Option<String> {
    let cert = situation.cert_file.as_deref()?;
    let ca = match issuer {
        None => cert.to_path_buf(),
        Some(issuer) => home_ca(issuer)?,
    };
    let mut words = vec!["certsmith".to_owned(), "verify".to_owned(), "--ca".to_owned(), word(&ca)];
    if let Some(key) = &situation.key_file {
        words.extend(["--key".to_owned(), word(key)]);
    }
    for host in &situation.hosts {
        words.extend(["--host".to_owned(), shell_word(host)]);
    }
    words.push(word(cert));
    Some(words.join(" "))
}

/// A CA in certsmith's CA home (kept when there), trusted by the host, a certificate from
/// it for every name clients use, written where the server's configuration names its
/// pair (replacing it), and (with compose) the clients' override.
pub fn trusted_path(names: &[String], compose: Option<&String>, situation: &Situation) -> String {
    let mut names: Vec<String> = names.iter().map(|n| shell_word(n)).collect();
    for default in ["localhost", "127.0.0.1"] {
        if !names.iter().any(|n| n == default) {
            names.push(default.to_owned());
        }
    }
    let mut steps = vec!["certsmith ca create --if-needed".to_owned(), "certsmith trust install --sudo".to_owned(), {
        let place = match (&situation.cert_file, &situation.key_file) {
            (Some(cert), Some(key)) => pair_words(cert, key),
            _ => Vec::new(),
        };
        let place = place.iter().map(|w| format!("{w} ")).collect::<String>();
        format!("certsmith gen --force {place}{} --ca", names.join(" "))
    }];
    if let Some(compose) = compose {
        steps.push(format!("certsmith trust compose --compose {}", shell_word(compose)));
    }
    steps.join(" && ")
}

/// A folder holding `ca.pem` (with `issuer` as its subject) and `ca-key.pem`, among the
/// folders of the `--ca` files given.
fn ca_folder(issuer: &str, ca_files: &[PathBuf]) -> Option<PathBuf> {
    ca_files
        .iter()
        .map(|f| parent(f).to_path_buf())
        .find(|dir| dir.join("ca-key.pem").is_file() && subject_of(&dir.join("ca.pem")).is_some_and(|s| s == issuer))
}

/// The CA home's `ca.pem`, when `issuer` is its subject and its key is there.
pub fn home_ca(issuer: &str) -> Option<PathBuf> {
    let dir = home::current().ok()?;
    let ca = dir.join("ca.pem");
    (dir.join("ca-key.pem").is_file() && subject_of(&ca).is_some_and(|s| s == issuer)).then_some(ca)
}

fn subject_of(path: &Path) -> Option<String> {
    let file = load::load(&Input::File(path.to_path_buf())).ok()?;
    let (_, der) = file.certificates().next()?;
    describe::certificate(der.as_ref()).ok().map(|c| c.subject)
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn word(path: &Path) -> String {
    shell_word(&path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reissue_in(cert: &str, key: Option<&str>, names: &[&str]) -> Option<String> {
        let situation = Situation {
            cert_file: Some(PathBuf::from(cert)),
            key_file: key.map(PathBuf::from),
            ..Situation::default()
        };
        let names = names.iter().map(|n| (*n).to_owned()).collect();
        command(&Remedy::Reissue { names, issuer: None, keep_key: false }, &situation)
    }

    #[test]
    fn reissue_commands_name_the_files_and_quote_for_the_shell() {
        let dir = "/nonexistent-certsmith";
        assert_eq!(
            reissue_in("certs/certificate.pem", None, &["*.a.test", "a.test"]).unwrap(),
            "certsmith gen '*.a.test' a.test"
        );
        assert_eq!(
            reissue_in(&format!("{dir}/certificate.pem"), None, &["my host"]).unwrap(),
            format!("certsmith gen --out-dir {dir} 'my host'")
        );
        assert_eq!(
            reissue_in("srv/tls.crt", Some("srv/tls.key"), &["a.test"]).unwrap(),
            "certsmith gen --cert-file srv/tls.crt --key-file srv/tls.key a.test"
        );
        assert_eq!(reissue_in("certs/certificate.pem", None, &[]), None, "no names: nothing to paste");
        let from_unknown_ca =
            Remedy::Reissue { names: vec!["a.test".into()], issuer: Some("CN=nobody".into()), keep_key: false };
        let situation = Situation { cert_file: Some(PathBuf::from("c.pem")), ..Situation::default() };
        assert_eq!(command(&from_unknown_ca, &situation), None, "a CA whose folder is unknown");
        assert_eq!(from_unknown_ca.template(), "`certsmith gen --force a.test --ca CA_FOLDER`");
    }

    #[test]
    fn hints_get_the_fix_or_the_template() {
        let mut findings = vec![
            Finding::new(crate::finding::Code::Expired, crate::finding::Severity::Error, Default::default(), "m")
                .hint(format!("issue a new one: {FIX}"))
                .remedy(Remedy::Reissue { names: vec!["a.test".into()], issuer: None, keep_key: false }),
        ];
        let mut without = findings.clone();
        apply(
            &mut findings,
            &Situation { cert_file: Some(PathBuf::from("certs/certificate.pem")), ..Situation::default() },
        );
        assert_eq!(findings[0].fix.as_deref(), Some("certsmith gen a.test"));
        assert_eq!(findings[0].hint.as_deref(), Some("issue a new one: `certsmith gen a.test`"));
        apply(&mut without, &Situation::default());
        assert_eq!(
            (without[0].fix.as_deref(), without[0].hint.as_deref()),
            (None, Some("issue a new one: `certsmith gen --force a.test`"))
        );
    }

    #[test]
    fn the_trusted_path_writes_the_pair_where_the_server_reads_it() {
        let names = vec!["core".to_owned()];
        let compose = "compose.yaml".to_owned();
        let at = |cert: &str, key: &str| Situation {
            cert_file: Some(PathBuf::from(cert)),
            key_file: Some(PathBuf::from(key)),
            ..Situation::default()
        };
        let default = trusted_path(&names, Some(&compose), &Situation::default());
        assert!(default.contains("&& certsmith gen --force core localhost 127.0.0.1 --ca &&"), "{default}");
        let tls = trusted_path(&names, None, &at("tls/certificate.pem", "tls/private_key.pem"));
        assert!(tls.contains("certsmith gen --force --out-dir tls core localhost"), "{tls}");
        let named = trusted_path(&names, None, &at("srv/tls.crt", "srv/tls.key"));
        assert!(named.contains("--cert-file srv/tls.crt --key-file srv/tls.key core"), "{named}");
    }
}
