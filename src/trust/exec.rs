//! Store commands as data: a program, its arguments, and whether it needs root. The
//! same value is printed for `--dry-run` (one pasteable shell line) and run for real
//! (std::process::Command with explicit arguments, never through a shell). `sudo` is
//! only ever added when the caller asks for it.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::finding::place::shell_word;

/// One command a store needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cmd {
    pub program: String,
    pub args: Vec<String>,
    /// Needs root (writes outside the user's files).
    pub privileged: bool,
}

impl Cmd {
    pub fn new(program: impl Into<String>, args: &[&str]) -> Self {
        Self { program: program.into(), args: args.iter().map(|a| (*a).to_owned()).collect(), privileged: false }
    }

    pub fn privileged(mut self, yes: bool) -> Self {
        self.privileged = yes;
        self
    }

    /// The shell line, quoted so it can be pasted; `sudo ` in front when `sudo` and the
    /// command needs root.
    pub fn line(&self, sudo: bool) -> String {
        let mut words = Vec::with_capacity(self.args.len() + 2);
        if sudo && self.privileged {
            words.push("sudo".to_owned());
        }
        words.push(shell_word(&self.program));
        words.extend(self.args.iter().map(|a| shell_word(a)));
        words.join(" ")
    }
}

/// What a command did.
#[derive(Debug, Clone)]
pub struct Ran {
    pub success: bool,
    /// stdout then stderr, trimmed: what the tool said.
    pub output: String,
}

/// Runs `cmd` (through `sudo` when `sudo` and it needs root), stdin closed, output
/// captured. `Err` when it could not be started at all.
pub fn run(cmd: &Cmd, sudo: bool) -> Result<Ran, String> {
    let mut command = if sudo && cmd.privileged {
        let mut c = Command::new("sudo");
        c.arg("--").arg(&cmd.program);
        c
    } else {
        Command::new(&cmd.program)
    };
    let out = command
        .args(&cmd.args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", command.get_program().to_string_lossy()))?;
    let mut output = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let err = String::from_utf8_lossy(&out.stderr);
    if !err.trim().is_empty() {
        if !output.is_empty() {
            output.push('\n');
        }
        output.push_str(err.trim());
    }
    Ok(Ran { success: out.status.success(), output })
}

/// The facts about the machine and user that decide which stores exist and how to reach
/// them, gathered once so plans can be built (and tested) from plain values.
#[derive(Debug, Clone, Default)]
pub struct Host {
    pub home: Option<PathBuf>,
    pub java_home: Option<PathBuf>,
    pub path: Option<OsString>,
    pub is_root: bool,
}

impl Host {
    /// This process's environment and user.
    pub fn current() -> Self {
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        Self {
            home: var("HOME").map(PathBuf::from),
            java_home: var("JAVA_HOME").map(PathBuf::from),
            path: var("PATH"),
            is_root: effective_uid() == Some(0),
        }
    }

    /// A program on PATH, as the shell would find it.
    pub fn which(&self, program: &str) -> Option<PathBuf> {
        let path = self.path.as_ref()?;
        std::env::split_paths(path).map(|dir| dir.join(program)).find(|p| is_executable(p))
    }
}

/// The effective user id: `/proc/self` belongs to it (no libc call needed).
fn effective_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The Linux distribution family's package for a missing tool, for hints.
pub fn package_hint(debian: &str, fedora: &str, suse: &str, arch: &str) -> String {
    let exists = |p: &str| Path::new(p).exists();
    if exists("/etc/debian_version") {
        format!("apt-get install {debian}")
    } else if exists("/etc/fedora-release") || exists("/etc/redhat-release") {
        format!("dnf install {fedora}")
    } else if exists("/usr/bin/zypper") {
        format!("zypper install {suse}")
    } else if exists("/etc/arch-release") {
        format!("pacman -S {arch}")
    } else {
        format!("install {debian} (Debian/Ubuntu), {fedora} (Fedora/RHEL), {suse} (SUSE) or {arch} (Arch)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_quoted_and_sudo_only_when_asked_and_needed() {
        let cmd = Cmd::new("install", &["-m", "0644", "/a b/ca.pem", "/x/y.crt"]).privileged(true);
        assert_eq!(cmd.line(false), "install -m 0644 '/a b/ca.pem' /x/y.crt");
        assert_eq!(cmd.line(true), "sudo install -m 0644 '/a b/ca.pem' /x/y.crt");
        assert_eq!(Cmd::new("certutil", &["-L"]).line(true), "certutil -L", "no sudo for a user's own files");
    }
}
