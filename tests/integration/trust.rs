//! `certsmith ca create`/`ca path` (the CA home) and `certsmith trust`, against the real
//! programs of this machine: curl and Python's default context for the system store,
//! NSS's certutil, Java's keytool, and Python with `SSL_CERT_FILE` for the bundle.
//!
//! Tests that change the system store need root (CI runs as root on a throwaway
//! machine); they run one at a time, and a guard undoes the change even when they fail.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

use crate::connect::OpensslServer;
use crate::util::*;

/// One system-store test at a time: they share /usr/local/share/ca-certificates.
static SYSTEM_STORE: Mutex<()> = Mutex::new(());

/// Client variables of this machine that would replace the system store under test.
const CLIENT_VARS: &[&str] = &[
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
];

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn have(program: &str) -> bool {
    Command::new("sh").args(["-c", &format!("command -v {program}")]).output().is_ok_and(|o| o.status.success())
}

/// A temp folder with a CA home (CERTSMITH_CAROOT), a HOME and a working folder.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Self {
        let env = Self { dir: tempfile::tempdir().unwrap() };
        std::fs::create_dir_all(env.work()).unwrap();
        std::fs::create_dir_all(env.home()).unwrap();
        env
    }
    fn caroot(&self) -> PathBuf {
        self.dir.path().join("caroot")
    }
    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }
    fn work(&self) -> PathBuf {
        self.dir.path().join("work")
    }
    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = certsmith();
        cmd.current_dir(self.work()).env("CERTSMITH_CAROOT", self.caroot()).env("HOME", self.home()).args(args);
        cmd
    }
    fn run(&self, args: &[&str]) -> Run {
        self.cmd(args).output().unwrap().into()
    }
    /// `ca create` in the CA home, then a localhost certificate from it in work/certs.
    fn ca_and_leaf(&self) {
        let made = self.run(&["ca", "create"]);
        assert_eq!(made.code, 0, "{}", made.stderr);
        let leaf = self.run(&["gen", "localhost", "127.0.0.1", "--ca"]);
        assert_eq!(leaf.code, 0, "{}", leaf.stderr);
    }
    fn server(&self) -> OpensslServer {
        let certs = self.work().join("certs");
        OpensslServer::start(&certs.join("certificate.pem"), &certs.join("private_key.pem"), &[])
    }
    fn entry_name(&self) -> String {
        let fp = openssl(
            &["x509", "-in", self.caroot().join("ca.pem").to_str().unwrap(), "-noout", "-fingerprint", "-sha256"],
            None,
        );
        let hex = normalise_hex(String::from_utf8_lossy(&fp).split('=').nth(1).unwrap());
        format!("certsmith-{}", &hex[..16])
    }
}

/// Undoes a system-store install however the test ends: certsmith's uninstall, then the
/// file itself and the update command, in case certsmith is what failed.
struct SystemStoreGuard {
    ca: PathBuf,
    file: PathBuf,
}

impl Drop for SystemStoreGuard {
    fn drop(&mut self) {
        let _ = certsmith().args(["trust", "uninstall", "--store", "system", "--ca"]).arg(&self.ca).output();
        if self.file.exists() {
            let _ = std::fs::remove_file(&self.file);
            let _ = Command::new("update-ca-certificates").output();
        }
    }
}

fn guard(env: &Env) -> SystemStoreGuard {
    SystemStoreGuard {
        ca: env.caroot().join("ca.pem"),
        file: Path::new("/usr/local/share/ca-certificates").join(format!("{}.crt", env.entry_name())),
    }
}

/// curl with the system store alone: exit 0 when it verified the server.
fn curl_verifies(port: u16) -> bool {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-o", "/dev/null", "--max-time", "10", &format!("https://localhost:{port}/")]);
    for var in CLIENT_VARS {
        cmd.env_remove(var);
    }
    cmd.output().unwrap().status.success()
}

/// Python's urllib with its default context and the given extra variables.
fn python_verifies(port: u16, vars: &[(&str, &Path)]) -> bool {
    let mut cmd = Command::new("python3");
    cmd.args([
        "-c",
        "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)",
        &format!("https://localhost:{port}/"),
    ]);
    for var in CLIENT_VARS {
        cmd.env_remove(var);
    }
    cmd.envs(vars.iter().map(|(k, v)| (*k, *v)));
    let out = cmd.output().unwrap();
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("CERTIFICATE_VERIFY_FAILED"), "python failed for another reason: {err}");
    }
    out.status.success()
}

#[test]
fn ca_create_with_no_arguments_writes_only_into_the_ca_home() {
    let env = Env::new();
    // umask 000 would give 0777/0666: the home must still be 0700 and the key 0600.
    let bin = env!("CARGO_BIN_EXE_certsmith");
    let out = Command::new("sh")
        .args(["-c", &format!("umask 000 && exec {bin} ca create")])
        .current_dir(env.work())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap())
        .env("HOME", env.home())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read_dir(env.work()).unwrap().count(), 0, "ca create wrote under the current folder");
    let home = env.home().join(".local/share/certsmith");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home), 0o700);
    assert_eq!(mode(&home.join("ca-key.pem")), 0o600);
    assert!(home.join("ca.pem").is_file());

    // ca path says the same folder; XDG_DATA_HOME and CERTSMITH_CAROOT come first.
    let path = certsmith().env("HOME", env.home()).args(["ca", "path"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&path.stdout).trim(), home.to_str().unwrap());
    let xdg = env.dir.path().join("xdg");
    let json: Run = certsmith()
        .env("HOME", env.home())
        .env("XDG_DATA_HOME", &xdg)
        .args(["--json", "ca", "path"])
        .output()
        .unwrap()
        .into();
    assert_eq!(json.json()["data"]["path"], xdg.join("certsmith").to_str().unwrap());
    assert_eq!(json.json()["data"]["exists"], false);
    let caroot: Run = env.cmd(&["--json", "ca", "path"]).output().unwrap().into();
    assert_eq!(caroot.json()["data"]["path"], env.caroot().to_str().unwrap());

    // gen --ca without a folder issues from the CA home; openssl agrees.
    let leaf =
        certsmith().current_dir(env.work()).env("HOME", env.home()).args(["gen", "app.test", "--ca"]).output().unwrap();
    assert!(leaf.status.success(), "{}", String::from_utf8_lossy(&leaf.stderr));
    let cert = env.work().join("certs/certificate.pem");
    let verified =
        Command::new("openssl").args(["verify", "-CAfile"]).arg(home.join("ca.pem")).arg(&cert).output().unwrap();
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stdout));

    // A name right after --ca is read as the CA folder: the hint says to put names first.
    let swapped: Run = certsmith()
        .current_dir(env.work())
        .env("HOME", env.home())
        .args(["gen", "--ca", "other.test"])
        .output()
        .unwrap()
        .into();
    assert_eq!(swapped.code, 2);
    assert!(swapped.stderr.contains("certsmith gen other.test --ca"), "{}", swapped.stderr);

    // No variable to find the home from: a usage error that says what to set.
    let lost = run(["ca", "create"]);
    assert_eq!(lost.code, 2);
    assert!(lost.stderr.contains("CERTSMITH_CAROOT") && lost.stderr.contains("hint:"), "{}", lost.stderr);
}

#[test]
fn system_store_install_makes_curl_and_python_verify_and_uninstall_undoes_it() {
    if !is_root() {
        eprintln!("SKIPPED: changing the system store needs root (CI runs as root)");
        return;
    }
    let _one = SYSTEM_STORE.lock().unwrap_or_else(|e| e.into_inner());
    let env = Env::new();
    env.ca_and_leaf();
    let server = env.server();
    let _undo = guard(&env);
    assert!(!curl_verifies(server.port), "curl trusted the CA before install");
    assert!(!python_verifies(server.port, &[]), "python trusted the CA before install");

    let install = env.run(&["--json", "trust", "install", "--store", "system"]);
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    let store = &install.json()["data"]["stores"][0];
    assert_eq!(store["state"], "installed", "{store}");
    assert_eq!(store["commands"][1], "update-ca-certificates");
    let file = Path::new("/usr/local/share/ca-certificates").join(format!("{}.crt", env.entry_name()));
    assert!(file.is_file(), "{} is missing", file.display());
    assert!(curl_verifies(server.port), "curl does not verify after install");
    assert!(python_verifies(server.port, &[]), "python does not verify after install");
    // Again: nothing to do.
    let again = env.run(&["--json", "trust", "install", "--store", "system"]);
    assert_eq!(again.json()["data"]["stores"][0]["state"], "already-installed");

    let uninstall = env.run(&["--json", "trust", "uninstall", "--store", "system"]);
    assert_eq!(uninstall.code, 0, "{}{}", uninstall.stdout, uninstall.stderr);
    assert_eq!(uninstall.json()["data"]["stores"][0]["state"], "removed");
    assert!(!file.exists());
    assert!(!curl_verifies(server.port), "curl still trusts the CA after uninstall");
    assert!(!python_verifies(server.port, &[]), "python still trusts the CA after uninstall");
}

/// A HOME holding Chromium's NSS database, made by certutil itself.
fn nss_home(env: &Env) -> PathBuf {
    let db = env.home().join(".pki/nssdb");
    std::fs::create_dir_all(&db).unwrap();
    let made = Command::new("certutil")
        .args(["-N", "--empty-password", "-d"])
        .arg(format!("sql:{}", db.display()))
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    db
}

fn certutil_lists(db: &Path, name: &str) -> bool {
    Command::new("certutil")
        .args(["-L", "-d", &format!("sql:{}", db.display()), "-n", name])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn nss_install_adds_a_trusted_entry_and_uninstall_removes_it() {
    if !have("certutil") {
        panic!("certutil is needed (Debian package libnss3-tools; .ci/run installs it)");
    }
    let env = Env::new();
    env.ca_and_leaf();
    let db = nss_home(&env);
    let name = env.entry_name();
    assert!(!certutil_lists(&db, &name));

    let install = env.run(&["--json", "trust", "install", "--store", "nss"]);
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    assert_eq!(install.json()["data"]["stores"][0]["path"], format!("sql:{}", db.display()));
    assert!(certutil_lists(&db, &name), "certutil -L does not list {name}");
    let verify = Command::new("certutil")
        .args(["-V", "-u", "L", "-d", &format!("sql:{}", db.display()), "-n", &name])
        .output()
        .unwrap();
    assert!(verify.status.success(), "certutil -V -u L: {}", String::from_utf8_lossy(&verify.stdout));

    let uninstall = env.run(&["--json", "trust", "uninstall", "--store", "nss"]);
    assert_eq!(uninstall.code, 0, "{}{}", uninstall.stdout, uninstall.stderr);
    assert!(!certutil_lists(&db, &name), "{name} is still in the database");
}

#[test]
fn a_missing_certutil_names_its_package_and_changes_nothing() {
    let env = Env::new();
    env.ca_and_leaf();
    if have("certutil") {
        nss_home(&env);
    } else {
        // Without certutil, a file named as NSS names it is enough to be found.
        std::fs::create_dir_all(env.home().join(".pki/nssdb")).unwrap();
        std::fs::write(env.home().join(".pki/nssdb/cert9.db"), b"").unwrap();
    }
    let empty = env.dir.path().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let out: Run =
        env.cmd(&["--json", "trust", "install", "--store", "nss"]).env("PATH", &empty).output().unwrap().into();
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(out.json()["data"]["stores"][0]["state"], "tool-missing");
    let found = finding(&out.json(), "trust-tool-missing").clone();
    assert!(found["hint"].as_str().unwrap().contains("libnss3-tools"), "{found}");
}

/// A JAVA_HOME of our own: a copy of the JRE's cacerts and a link to its keytool.
fn java_home(env: &Env) -> Option<PathBuf> {
    let keytool = std::fs::canonicalize(
        String::from_utf8(Command::new("sh").args(["-c", "command -v keytool"]).output().ok()?.stdout).ok()?.trim(),
    )
    .ok()?;
    let jre = keytool.parent()?.parent()?;
    let home = env.dir.path().join("java");
    std::fs::create_dir_all(home.join("lib/security")).unwrap();
    std::fs::create_dir_all(home.join("bin")).unwrap();
    std::fs::copy(jre.join("lib/security/cacerts"), home.join("lib/security/cacerts")).unwrap();
    std::os::unix::fs::symlink(&keytool, home.join("bin/keytool")).unwrap();
    Some(home)
}

fn keytool_lists(java: &Path, name: &str) -> bool {
    Command::new(java.join("bin/keytool"))
        .args(["-list", "-keystore"])
        .arg(java.join("lib/security/cacerts"))
        .args(["-storepass", "changeit", "-alias", name])
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn java_install_imports_the_ca_and_uninstall_deletes_it() {
    let env = Env::new();
    env.ca_and_leaf();
    let java = java_home(&env).expect("keytool is needed (Debian package default-jre-headless; .ci/run installs it)");
    let name = env.entry_name();
    assert!(!keytool_lists(&java, &name));
    let install: Run =
        env.cmd(&["--json", "trust", "install", "--store", "java"]).env("JAVA_HOME", &java).output().unwrap().into();
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    assert_eq!(install.json()["data"]["stores"][0]["state"], "installed");
    assert!(keytool_lists(&java, &name), "keytool -list does not find {name}");
    let uninstall: Run =
        env.cmd(&["trust", "uninstall", "--store", "java"]).env("JAVA_HOME", &java).output().unwrap().into();
    assert_eq!(uninstall.code, 0, "{}{}", uninstall.stdout, uninstall.stderr);
    assert!(!keytool_lists(&java, &name), "{name} is still in cacerts");
}

fn states(json: &Value) -> Vec<(String, String)> {
    json["data"]["stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["kind"].as_str().unwrap().to_owned(), s["state"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn status_says_every_store_trusts_the_ca_after_install_and_exits_1_after_uninstall() {
    if !is_root() || !have("certutil") {
        eprintln!("SKIPPED: needs root (the system store) and certutil");
        return;
    }
    let _one = SYSTEM_STORE.lock().unwrap_or_else(|e| e.into_inner());
    let env = Env::new();
    env.ca_and_leaf();
    nss_home(&env);
    let java = java_home(&env).unwrap();
    let _undo = guard(&env);
    let with_java = |args: &[&str]| -> Run { env.cmd(args).env("JAVA_HOME", &java).output().unwrap().into() };

    let before = with_java(&["--json", "trust", "status"]);
    assert_eq!(before.code, 1, "{}", before.stdout);
    assert!(states(&before.json()).iter().all(|(_, s)| s == "not-trusted"), "{}", before.stdout);

    let install = with_java(&["trust", "install"]);
    assert_eq!(install.code, 0, "{}{}", install.stdout, install.stderr);
    let after = with_java(&["--json", "trust", "status"]);
    assert_eq!(after.code, 0, "{}", after.stdout);
    let found = states(&after.json());
    let kinds: Vec<&str> = found.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["system", "nss", "java"], "{}", after.stdout);
    assert!(found.iter().all(|(_, s)| s == "trusted"), "{}", after.stdout);
    for store in after.json()["data"]["stores"].as_array().unwrap() {
        assert!(!store["path"].as_str().unwrap().is_empty());
    }

    let uninstall = with_java(&["trust", "uninstall"]);
    assert_eq!(uninstall.code, 0, "{}{}", uninstall.stdout, uninstall.stderr);
    let gone = with_java(&["--json", "trust", "status"]);
    assert_eq!(gone.code, 1, "{}", gone.stdout);
    assert!(states(&gone.json()).iter().all(|(_, s)| s == "not-trusted"), "{}", gone.stdout);
    assert_eq!(gone.finding_codes().iter().filter(|c| *c == "ca-not-trusted").count(), 3);
}

#[test]
fn dry_run_prints_the_exact_commands_and_changes_nothing() {
    let env = Env::new();
    env.ca_and_leaf();
    let ca = env.caroot().join("ca.pem");
    let ca = ca.to_str().unwrap();
    let name = env.entry_name();
    let out = env.run(&["trust", "install", "--store", "system", "--dry-run"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let commands: Vec<&str> = out.stdout.lines().filter(|l| !l.starts_with('#')).collect();
    let sudo = if is_root() { "" } else { "sudo " };
    assert_eq!(
        commands,
        [
            format!("{sudo}install -m 0644 {ca} /usr/local/share/ca-certificates/{name}.crt"),
            format!("{sudo}update-ca-certificates")
        ]
    );
    assert!(!Path::new(&format!("/usr/local/share/ca-certificates/{name}.crt")).exists());

    let mac = env.run(&["trust", "install", "--dry-run", "--platform", "macos"]);
    assert!(
        mac.stdout.lines().any(|l| l
            == format!("sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain {ca}")),
        "{}",
        mac.stdout
    );
    let windows = env.run(&["trust", "install", "--dry-run", "--platform", "windows"]);
    assert!(windows.stdout.lines().any(|l| l == format!("certutil.exe -addstore -f ROOT {ca}")), "{}", windows.stdout);
    let wsl = env.run(&["trust", "uninstall", "--dry-run", "--platform", "wsl"]);
    assert!(wsl.stdout.lines().any(|l| l.starts_with("certutil.exe -delstore ROOT ")), "{}", wsl.stdout);
    // Every line is a comment or a command a shell can parse.
    for line in mac.stdout.lines().chain(windows.stdout.lines()) {
        assert!(line.starts_with('#') || shlex::split(line).is_some(), "{line}");
    }
    // No store of the kind asked for: exit 2, saying what was looked for.
    let none = env.run(&["trust", "status", "--store", "nss"]);
    assert_eq!(none.code, 2, "{}", none.stdout);
    assert!(none.stderr.contains("~/.pki/nssdb") && none.stderr.contains("hint:"), "{}", none.stderr);
    // Another platform's commands are only ever printed.
    let refused = env.run(&["trust", "install", "--platform", "macos"]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
}

#[test]
fn bundle_holds_the_system_roots_and_the_ca_once_and_python_verifies_both_kinds_of_server() {
    let env = Env::new();
    env.ca_and_leaf();
    // A root only the (test) system bundle holds, and a server whose certificate it issued.
    let other = env.dir.path().join("other");
    let made = certsmith()
        .current_dir(other.parent().unwrap())
        .args(["ca", "create", "--out-dir", "other/ca"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let leaf = certsmith()
        .current_dir(&other)
        .args(["gen", "--ca", "ca", "--out-dir", "leaf", "localhost", "127.0.0.1"])
        .output()
        .unwrap();
    assert!(leaf.status.success());
    let system = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap();
    let test_system = env.dir.path().join("system-bundle.pem");
    std::fs::write(&test_system, format!("{system}{}", std::fs::read_to_string(other.join("ca/ca.pem")).unwrap()))
        .unwrap();

    let bundle = env.work().join("ca-bundle.pem");
    let make = |extra: &[&str]| -> Run {
        let mut args = vec!["--json", "trust", "bundle", "--out", bundle.to_str().unwrap()];
        args.extend(extra);
        env.cmd(&args).env("SSL_CERT_FILE", &test_system).output().unwrap().into()
    };
    let first = make(&[]);
    assert_eq!(first.code, 0, "{}{}", first.stdout, first.stderr);
    assert_eq!(first.json()["data"]["written"], "created");
    let text = std::fs::read_to_string(&bundle).unwrap();
    let squash = |b: &String| b.split_whitespace().collect::<String>();
    let in_bundle: Vec<String> = pem_blocks(&text, "CERTIFICATE").iter().map(squash).collect();
    let from_system = pem_blocks(&std::fs::read_to_string(&test_system).unwrap(), "CERTIFICATE");
    for block in &from_system {
        assert!(in_bundle.contains(&squash(block)), "a system certificate is missing from the bundle");
    }
    let ca = squash(&std::fs::read_to_string(env.caroot().join("ca.pem")).unwrap());
    assert_eq!(in_bundle.iter().filter(|b| **b == ca).count(), 1, "the CA must appear exactly once");
    assert_eq!(in_bundle.len(), from_system.len() + 1);

    // Idempotent: the same bytes, and a bundle certsmith made is brought up to date.
    let again = make(&[]);
    assert_eq!(again.json()["data"]["written"], "unchanged");
    assert_eq!(std::fs::read_to_string(&bundle).unwrap(), text);
    std::fs::write(&bundle, text.replace("system roots", "roots")).unwrap();
    assert_eq!(make(&[]).json()["data"]["written"], "replaced");
    assert_eq!(std::fs::read_to_string(&bundle).unwrap(), text);
    // Someone else's file is kept unless --force.
    std::fs::write(&bundle, "mine\n").unwrap();
    let refused = make(&[]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(&bundle).unwrap(), "mine\n");
    assert_eq!(make(&["--force"]).code, 0);
    assert_eq!(std::fs::read_to_string(&bundle).unwrap(), text);
    // On stdout without --out: the same PEM.
    let stdout: Run = env.cmd(&["trust", "bundle"]).env("SSL_CERT_FILE", &test_system).output().unwrap().into();
    assert_eq!(stdout.stdout, text);

    // Python with SSL_CERT_FILE at the bundle verifies both servers; at the CA alone
    // (the mistake the bundle avoids) it refuses the other one.
    let ours = env.server();
    let theirs = OpensslServer::start(&other.join("leaf/certificate.pem"), &other.join("leaf/private_key.pem"), &[]);
    assert!(python_verifies(ours.port, &[("SSL_CERT_FILE", &bundle)]));
    assert!(python_verifies(theirs.port, &[("SSL_CERT_FILE", &bundle)]));
    let ca_only = env.caroot().join("ca.pem");
    assert!(python_verifies(ours.port, &[("SSL_CERT_FILE", &ca_only)]));
    assert!(!python_verifies(theirs.port, &[("SSL_CERT_FILE", &ca_only)]));
}

/// A YAML mapping's value at `key` (saphyr), for reading the override back.
fn yaml_get<'a>(node: &'a saphyr::Yaml<'a>, key: &str) -> &'a saphyr::Yaml<'a> {
    node.as_mapping_get(key).unwrap_or_else(|| panic!("no {key} in {node:?}"))
}

/// `trust compose` on the guide's compose file: an override that is valid YAML (and that
/// docker-compose accepts, where it is installed), mounting the bundle and the CA into
/// core, worker and frontend and setting the four variables; it names the settings that
/// turn verification off; a second run changes nothing, and a changed override is only
/// replaced with --force.
#[test]
fn trust_compose_writes_an_override_for_every_https_client_of_the_guide() {
    use saphyr::LoadableYamlNode;
    let env = Env::new();
    assert_eq!(env.run(&["ca", "create"]).code, 0);
    std::fs::copy(fixture("env/guide-compose.yaml"), env.work().join("compose.yaml")).unwrap();
    let out = env.run(&["--json", "trust", "compose"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["data"]["written"], "created");
    let delete: Vec<String> = json["data"]["delete"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| format!("{}: {}", d["service"].as_str().unwrap(), d["setting"].as_str().unwrap()))
        .collect();
    assert_eq!(
        delete,
        ["core: --insecure in the healthcheck", "worker: SSL_VERIFICATION=False", "frontend: SSL_VERIFICATION=False"]
    );

    let text = std::fs::read_to_string(env.work().join("compose.override.yaml")).unwrap();
    let docs = saphyr::Yaml::load_from_str(&text).unwrap();
    let services = yaml_get(&docs[0], "services");
    let bundle = env.caroot().join("ca-bundle.pem");
    for name in ["core", "worker", "frontend"] {
        let service = yaml_get(services, name);
        let env_vars = yaml_get(service, "environment");
        for (var, file) in [
            ("SSL_CERT_FILE", "ca-bundle.pem"),
            ("REQUESTS_CA_BUNDLE", "ca-bundle.pem"),
            ("CURL_CA_BUNDLE", "ca-bundle.pem"),
            ("NODE_EXTRA_CA_CERTS", "ca.pem"),
        ] {
            assert_eq!(
                yaml_get(env_vars, var).as_str(),
                Some(format!("/etc/ssl/certsmith/{file}").as_str()),
                "{name} {var}"
            );
        }
        let volumes = yaml_get(service, "volumes").as_sequence().unwrap();
        let mounted: Vec<(&str, &str, bool)> = volumes
            .iter()
            .map(|v| {
                (
                    yaml_get(v, "source").as_str().unwrap(),
                    yaml_get(v, "target").as_str().unwrap(),
                    yaml_get(v, "read_only").as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            mounted,
            [
                (bundle.to_str().unwrap(), "/etc/ssl/certsmith/ca-bundle.pem", true),
                (env.caroot().join("ca.pem").to_str().unwrap(), "/etc/ssl/certsmith/ca.pem", true)
            ],
            "{name}"
        );
    }
    assert!(services.as_mapping_get("database").is_none(), "services without HTTPS calls are left alone");
    // The bundle mounted holds the system's roots and the CA.
    let in_bundle = std::fs::read_to_string(&bundle).unwrap();
    assert!(in_bundle.matches("BEGIN CERTIFICATE").count() > 50, "the system's roots are in the bundle");

    if have("docker-compose") {
        let config = std::process::Command::new("docker-compose")
            .args(["-f", "compose.yaml", "-f", "compose.override.yaml", "config"])
            .current_dir(env.work())
            .output()
            .unwrap();
        let merged = String::from_utf8_lossy(&config.stdout);
        assert!(config.status.success(), "docker-compose config: {}", String::from_utf8_lossy(&config.stderr));
        assert_eq!(merged.matches("SSL_CERT_FILE: /etc/ssl/certsmith/ca-bundle.pem").count(), 4, "{merged}");
        assert!(
            merged.contains("SSL_VERIFICATION: 'False'") || merged.contains("SSL_VERIFICATION: \"False\""),
            "the base is merged, not replaced"
        );
    } else {
        eprintln!("docker-compose is not installed: the override is checked as YAML only");
    }

    let again = env.run(&["--json", "trust", "compose"]);
    assert_eq!((again.code, again.json()["data"]["written"].as_str()), (0, Some("unchanged")));
    std::fs::write(env.work().join("compose.override.yaml"), "services: {}\n").unwrap();
    let refused = env.run(&["trust", "compose"]);
    assert_eq!(refused.code, 2, "{}", refused.stdout);
    assert!(refused.stderr.contains("already exists") && refused.stderr.contains("--force"), "{}", refused.stderr);
    let forced = env.run(&["--json", "trust", "compose", "--force"]);
    assert_eq!((forced.code, forced.json()["data"]["written"].as_str()), (0, Some("replaced")));
}

/// doctor's remedy for `SSL_VERIFICATION=False` on the guide's compose file, pasted as
/// printed (`sh -c`): it exits 0, the certificate it makes chains to the CA for every name
/// the clients use, the host trusts the CA, the override exists, and once the line the
/// hint names is deleted, doctor finds verification on and the chain verified.
#[test]
fn doctors_remedy_for_verification_off_works_when_pasted() {
    if !is_root() {
        eprintln!("SKIPPED: the remedy installs the CA into the system store, which needs root (CI runs as root)");
        return;
    }
    let _one = SYSTEM_STORE.lock().unwrap_or_else(|e| e.into_inner());
    let env = Env::new();
    std::fs::copy(fixture("env/guide-compose.yaml"), env.work().join("compose.yaml")).unwrap();
    let doctor = |env: &Env| env.run(&["--json", "doctor", "--no-environ", "--compose", "compose.yaml"]);
    let before = doctor(&env);
    let json = before.json();
    let finding = finding(&json, "ssl-verification-disabled").clone();
    let command = finding["fix"].as_str().unwrap();
    assert!(finding["hint"].as_str().unwrap().contains(&format!("`{command}`")), "{finding:#}");
    assert!(command.starts_with("certsmith ca create"), "{command}");
    // The insecure healthcheck has the same fix.
    assert_eq!(crate::util::finding(&json, "healthcheck-insecure")["fix"].as_str(), Some(command));

    // The CA first, so the guard knows what to remove; the remedy's `--if-needed` keeps it.
    assert_eq!(env.run(&["ca", "create"]).code, 0);
    let _undo = guard(&env);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_certsmith")).parent().unwrap();
    let pasted = Command::new("sh")
        .args(["-c", command])
        .current_dir(env.work())
        .env_clear()
        .env("PATH", format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()))
        .env("HOME", env.home())
        .env("CERTSMITH_CAROOT", env.caroot())
        .output()
        .unwrap();
    assert!(pasted.status.success(), "`{command}` failed:\n{}", String::from_utf8_lossy(&pasted.stderr));
    assert!(env.work().join("compose.override.yaml").is_file());
    let ca = env.caroot().join("ca.pem");
    for host in ["your-domain.com", "core", "localhost"] {
        let verified = env.run(&["verify", "--ca", ca.to_str().unwrap(), "--host", host, "certs/certificate.pem"]);
        assert_eq!(verified.code, 0, "{host}: {}", verified.stdout);
    }
    let status = env.run(&["--json", "trust", "status", "--store", "system"]);
    assert_eq!(status.code, 0, "{}", status.stdout);

    // "then delete SSL_VERIFICATION=False": the lines go, and doctor agrees.
    let compose = std::fs::read_to_string(env.work().join("compose.yaml")).unwrap();
    let kept: Vec<&str> = compose.lines().filter(|l| !l.contains("SSL_VERIFICATION=False")).collect();
    // "then delete --insecure from the healthcheck"
    std::fs::write(env.work().join("compose.yaml"), kept.join("\n").replace("--insecure ", "")).unwrap();
    let after = doctor(&env);
    let codes = after.finding_codes();
    for gone in [
        "ssl-verification-disabled",
        "healthcheck-insecure",
        "unknown-issuer",
        "ca-bundle-replaces-system-roots",
        "name-mismatch",
    ] {
        assert!(!codes.iter().any(|c| c == gone), "{gone} is still there: {codes:?}");
    }
}

/// `trust status` on an NSS database without the CA: `ca-not-trusted`, whose fix, pasted
/// (`sh -c`), installs it; status then exits 0. The user's own --ca stays in the fix.
#[test]
fn ca_not_trusted_is_fixed_by_its_fix_pasted() {
    if !have("certutil") {
        panic!("certutil is needed (Debian package libnss3-tools; .ci/run installs it)");
    }
    let env = Env::new();
    env.ca_and_leaf();
    nss_home(&env);
    let own_ca = env.caroot().join("ca.pem");
    let status = ["--json", "trust", "status", "--store", "nss", "--ca", own_ca.to_str().unwrap()];
    let before = env.run(&status);
    assert_eq!(before.code, 1, "{}", before.stdout);
    let json = before.json();
    let fix = finding(&json, "ca-not-trusted")["fix"].as_str().unwrap().to_owned();
    assert_eq!(fix, format!("certsmith trust install --store nss --ca {}", own_ca.display()));
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_certsmith")).parent().unwrap();
    let pasted = Command::new("sh")
        .args(["-c", &fix])
        .current_dir(env.work())
        .env("PATH", format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default()))
        .env("HOME", env.home())
        .env("CERTSMITH_CAROOT", env.caroot())
        .output()
        .unwrap();
    assert!(pasted.status.success(), "`{fix}`: {}", String::from_utf8_lossy(&pasted.stderr));
    let after = env.run(&status);
    assert_eq!((after.code, after.finding_codes()), (0, vec![]), "{}", after.stdout);
}
