//! The trust stores found on a host and what happens to each: detection, the commands
//! that install or remove certsmith's entry, and the checks that say whether the store
//! trusts the CA. Each store's outcome is recorded, and one store's missing tool or
//! failed command never stops the others.

use std::path::PathBuf;

use super::anchor::Anchor;
use super::exec::{self, Cmd, Host};
use super::java::{self, Keystore};
use super::native::{self, Platform};
use super::nss::{self, Db};
use super::system::{self, Distro};
pub use crate::report::data::trust::{Kind, State};

/// One store found on the host.
#[derive(Debug, Clone)]
pub enum Store {
    System(&'static Distro),
    Nss(Db),
    Java(Keystore),
    /// Another platform's system store (printed, never run).
    Native(Platform),
}

/// A store's outcome: its state, the commands that did (or would) change it, and what a
/// person needs to know when it did not work (a tool's output, the package to install).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub state: State,
    pub commands: Vec<Cmd>,
    pub detail: Option<String>,
}

impl Store {
    pub fn kind(&self) -> Kind {
        match self {
            Self::System(_) | Self::Native(_) => Kind::System,
            Self::Nss(_) => Kind::Nss,
            Self::Java(_) => Kind::Java,
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::System(d) => format!("{} system store", d.name),
            Self::Nss(db) => format!("NSS database ({})", db.label),
            Self::Java(_) => "Java cacerts".to_owned(),
            Self::Native(p) => p.store_label().to_owned(),
        }
    }

    /// The folder, database or keystore, as the tool addresses it.
    pub fn path(&self) -> String {
        match self {
            Self::System(d) => d.anchor_dir.to_owned(),
            Self::Nss(db) => db.address(),
            Self::Java(k) => k.cacerts.display().to_string(),
            Self::Native(p) => p.store_path().to_owned(),
        }
    }

    /// The tool a store needs and is not there, with how to get it.
    fn missing_tool(&self, host: &Host) -> Option<String> {
        let (tool, hint) = match self {
            Self::System(d) => {
                let tool = d.update.first().copied().unwrap_or_default();
                (tool.to_owned(), exec::package_hint(d.package, d.package, d.package, d.package))
            }
            Self::Nss(_) => {
                ("certutil".to_owned(), exec::package_hint("libnss3-tools", "nss-tools", "mozilla-nss-tools", "nss"))
            }
            Self::Java(k) if !k.keytool.is_file() => (
                k.keytool.display().to_string(),
                format!(
                    "point JAVA_HOME at a full Java runtime ({})",
                    exec::package_hint(
                        "default-jre-headless",
                        "java-17-openjdk-headless",
                        "java-17-openjdk-headless",
                        "jre-openjdk-headless"
                    )
                ),
            ),
            Self::Java(_) | Self::Native(_) => return None,
        };
        let found = match self {
            Self::System(_) | Self::Nss(_) => host.which(&tool).is_some(),
            _ => false,
        };
        (!found).then(|| format!("{tool} is not installed; {hint}"))
    }

    /// certutil's path (NSS), once found.
    fn certutil(host: &Host) -> String {
        host.which("certutil").map_or_else(|| "certutil".to_owned(), |p| p.display().to_string())
    }

    pub fn install_commands(&self, anchor: &Anchor, host: &Host) -> Vec<Cmd> {
        match self {
            Self::System(d) => system::install(d, anchor),
            Self::Nss(db) => nss::install(&Self::certutil(host), db, anchor),
            Self::Java(k) => k.install(anchor),
            Self::Native(p) => native::install(*p, anchor),
        }
    }

    pub fn uninstall_commands(&self, anchor: &Anchor, host: &Host) -> Vec<Cmd> {
        match self {
            Self::System(d) => system::uninstall(d, anchor),
            Self::Nss(db) => nss::uninstall(&Self::certutil(host), db, anchor),
            Self::Java(k) => k.uninstall(anchor),
            Self::Native(p) => native::uninstall(*p, anchor),
        }
    }

    /// certsmith's entry is in the store (what uninstall removes).
    fn present(&self, anchor: &Anchor, host: &Host) -> bool {
        match self {
            Self::System(d) => system::present(d, anchor),
            Self::Nss(db) => succeeds(&nss::present(&Self::certutil(host), db, anchor)),
            Self::Java(k) => succeeds(&k.present(anchor)),
            Self::Native(_) => false,
        }
    }

    /// The store trusts the CA for TLS servers.
    fn trusted(&self, anchor: &Anchor, host: &Host) -> bool {
        match self {
            Self::System(d) => system::trusted(d, anchor),
            Self::Nss(db) => succeeds(&nss::trusted(&Self::certutil(host), db, anchor)),
            Self::Java(k) => succeeds(&k.present(anchor)),
            Self::Native(_) => false,
        }
    }
}

/// Checks are read-only: never through sudo.
fn succeeds(cmd: &Cmd) -> bool {
    exec::run(cmd, false).is_ok_and(|ran| ran.success)
}

/// Every store of `platform` on this host, of the `kinds` asked for (all when empty).
pub fn detect(platform: Platform, host: &Host, kinds: &[Kind]) -> Vec<Store> {
    let wanted = |kind: Kind| kinds.is_empty() || kinds.contains(&kind);
    if platform != Platform::Linux {
        return if wanted(Kind::System) { vec![Store::Native(platform)] } else { Vec::new() };
    }
    let mut stores = Vec::new();
    if wanted(Kind::System) {
        stores.extend(system::detect().map(Store::System));
    }
    if let (true, Some(home)) = (wanted(Kind::Nss), &host.home) {
        stores.extend(nss::detect(home).into_iter().map(Store::Nss));
    }
    if let (true, Some(java_home)) = (wanted(Kind::Java), &host.java_home) {
        stores.extend(java::detect(java_home).map(Store::Java));
    }
    stores
}

/// Install or uninstall.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Install,
    Uninstall,
}

/// How commands may run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub dry_run: bool,
    pub sudo: bool,
}

/// Installs or removes certsmith's entry in one store, checking before (nothing to do)
/// and after (the store says what was meant).
pub fn change(store: &Store, anchor: &Anchor, what: Change, host: &Host, options: RunOptions) -> Outcome {
    let commands = match what {
        Change::Install => store.install_commands(anchor, host),
        Change::Uninstall => store.uninstall_commands(anchor, host),
    };
    let outcome = |state, commands, detail| Outcome { state, commands, detail };
    if options.dry_run || matches!(store, Store::Native(_)) {
        return outcome(State::WouldRun, commands, None);
    }
    if let Some(missing) = store.missing_tool(host) {
        return outcome(State::ToolMissing, commands, Some(missing));
    }
    match what {
        Change::Install if store.present(anchor, host) && store.trusted(anchor, host) => {
            return outcome(State::AlreadyInstalled, Vec::new(), None);
        }
        Change::Uninstall if !store.present(anchor, host) => return outcome(State::NotPresent, Vec::new(), None),
        _ => {}
    }
    if commands.iter().any(|c| c.privileged) && !host.is_root && !options.sudo {
        return outcome(State::NeedsRoot, commands, None);
    }
    for cmd in &commands {
        let failed = match exec::run(cmd, options.sudo) {
            Ok(ran) if ran.success => continue,
            Ok(ran) => format!("`{}` failed: {}", cmd.line(options.sudo), ran.output),
            Err(e) => e,
        };
        return outcome(State::Failed, commands, Some(failed));
    }
    let (done, state) = match what {
        Change::Install => (store.trusted(anchor, host), State::Installed),
        Change::Uninstall => (!store.present(anchor, host), State::Removed),
    };
    if done {
        outcome(state, commands, None)
    } else {
        let expected = if what == Change::Install { "trusts the CA" } else { "no longer holds certsmith's entry" };
        let detail = format!("the commands succeeded, but the store still does not say it {expected}");
        outcome(State::Failed, commands, Some(detail))
    }
}

/// Whether one store trusts the CA (its tool must be there to ask it).
pub fn status(store: &Store, anchor: &Anchor, host: &Host) -> Outcome {
    if let Some(missing) = store.missing_tool(host) {
        return Outcome { state: State::ToolMissing, commands: Vec::new(), detail: Some(missing) };
    }
    let trusted = store.trusted(anchor, host);
    let detail = match store {
        Store::System(d) if !trusted && store.present(anchor, host) => Some(format!(
            "{} is there, but {} does not hold it yet: run {}",
            system::anchor_file(d, anchor).display(),
            d.bundle,
            d.update.join(" ")
        )),
        _ => None,
    };
    let state = if trusted { State::Trusted } else { State::NotTrusted };
    Outcome { state, commands: Vec::new(), detail }
}

/// The file path a store keeps certsmith's entry in, when it is a file of its own.
pub fn entry_file(store: &Store, anchor: &Anchor) -> Option<PathBuf> {
    match store {
        Store::System(d) => Some(system::anchor_file(d, anchor)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchor() -> Anchor {
        Anchor {
            file: PathBuf::from("/home/me/.local/share/certsmith/ca.pem"),
            der: Vec::new(),
            subject: "CN=test".to_owned(),
            fingerprint_sha256: "0123456789abcdef0123456789abcdef".to_owned(),
            serial: "0a1b".to_owned(),
        }
    }

    fn lines(cmds: &[Cmd], sudo: bool) -> Vec<String> {
        cmds.iter().map(|c| c.line(sudo)).collect()
    }

    #[test]
    fn debian_system_store_commands() {
        let debian = &system::DISTROS[1];
        let store = Store::System(debian);
        let host = Host::default();
        assert_eq!(
            lines(&store.install_commands(&anchor(), &host), true),
            [
                "sudo install -m 0644 /home/me/.local/share/certsmith/ca.pem /usr/local/share/ca-certificates/certsmith-0123456789abcdef.crt",
                "sudo update-ca-certificates"
            ]
        );
        assert_eq!(
            lines(&store.uninstall_commands(&anchor(), &host), false),
            ["rm -f /usr/local/share/ca-certificates/certsmith-0123456789abcdef.crt", "update-ca-certificates"]
        );
    }

    #[test]
    fn not_root_without_sudo_runs_nothing_and_returns_the_privileged_commands() {
        let store = Store::System(&system::DISTROS[1]);
        // A PATH holding the update tool, so the check reaches the privilege decision.
        let tools = std::env::temp_dir().join(format!("certsmith-stores-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&tools);
        let tool = tools.join("update-ca-certificates");
        let _ = std::fs::write(&tool, "#!/bin/sh\nexit 99\n");
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755));
        let host = Host { path: Some(tools.clone().into_os_string()), is_root: false, ..Host::default() };
        let options = RunOptions { dry_run: false, sudo: false };
        let out = change(&store, &anchor(), Change::Install, &host, options);
        let _ = std::fs::remove_dir_all(&tools);
        assert_eq!(out.state, State::NeedsRoot, "{out:?}");
        assert!(out.commands.iter().all(|c| c.privileged) && out.commands.len() == 2);
    }

    #[test]
    fn a_missing_certutil_names_its_package() {
        let db = Db { dir: PathBuf::from("/home/me/.pki/nssdb"), prefix: "sql", label: "Chromium" };
        let host = Host { path: Some("/nonexistent".into()), ..Host::default() };
        let out =
            change(&Store::Nss(db), &anchor(), Change::Install, &host, RunOptions { dry_run: false, sudo: false });
        assert_eq!(out.state, State::ToolMissing);
        let detail = out.detail.unwrap_or_default();
        assert!(detail.contains("certutil") && detail.contains("nss"), "{detail}");
    }

    #[test]
    fn nss_and_java_commands() {
        let db = Db { dir: PathBuf::from("/h/.pki/nssdb"), prefix: "sql", label: "Chromium" };
        let host = Host { path: Some("/nonexistent".into()), ..Host::default() };
        assert_eq!(
            lines(&Store::Nss(db).install_commands(&anchor(), &host), true),
            [
                "certutil -A -d sql:/h/.pki/nssdb -t 'C,,' -n certsmith-0123456789abcdef -i /home/me/.local/share/certsmith/ca.pem"
            ]
        );
        let keystore =
            Keystore { cacerts: PathBuf::from("/nonexistent/cacerts"), keytool: PathBuf::from("/j/bin/keytool") };
        assert_eq!(
            lines(&Store::Java(keystore).uninstall_commands(&anchor(), &host), false),
            [
                "/j/bin/keytool -delete -keystore /nonexistent/cacerts -storepass changeit -alias certsmith-0123456789abcdef"
            ]
        );
    }

    #[test]
    fn other_platforms_print_their_native_commands() {
        let host = Host::default();
        let mac = Store::Native(Platform::Macos).install_commands(&anchor(), &host);
        assert_eq!(
            lines(&mac, true),
            [
                "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain /home/me/.local/share/certsmith/ca.pem"
            ]
        );
        let win = Store::Native(Platform::Windows).install_commands(&anchor(), &host);
        assert_eq!(lines(&win, true), ["certutil.exe -addstore -f ROOT /home/me/.local/share/certsmith/ca.pem"]);
        let wsl = lines(&Store::Native(Platform::Wsl).install_commands(&anchor(), &host), true);
        assert!(
            wsl.iter().any(|l| l.starts_with("certutil.exe -addstore -f ROOT \"C:\\\\Users\\\\Public\\\\certsmith-")),
            "{wsl:?}"
        );
    }
}
