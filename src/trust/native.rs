//! The system stores of other platforms, for `--dry-run` only (certsmith runs store
//! commands on Linux): macOS's System keychain through `security` (as
//! smallstep/truststore does it), Windows' machine ROOT store through `certutil.exe`,
//! and from WSL the Windows store, after copying the CA where Windows can read it.

use super::anchor::Anchor;
use super::exec::Cmd;
pub use crate::report::data::trust::Platform;

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Linux => "linux",
            Self::Macos => "macos",
            Self::Windows => "windows",
            Self::Wsl => "wsl",
        }
    }

    /// Where certsmith runs.
    pub fn current() -> Self {
        if cfg!(target_os = "macos") {
            Self::Macos
        } else if cfg!(windows) {
            Self::Windows
        } else {
            Self::Linux
        }
    }

    /// What a person calls the store.
    pub fn store_label(self) -> &'static str {
        match self {
            Self::Linux => "Linux system store",
            Self::Macos => "macOS System keychain",
            Self::Windows => "Windows ROOT store (run from an administrator prompt)",
            Self::Wsl => "Windows ROOT store, from WSL (run from an administrator WSL session)",
        }
    }

    pub fn store_path(self) -> &'static str {
        match self {
            Self::Linux => "",
            Self::Macos => "/Library/Keychains/System.keychain",
            Self::Windows | Self::Wsl => "ROOT",
        }
    }
}

/// Where WSL copies the CA so that Windows' certutil.exe can read it.
fn wsl_copy(anchor: &Anchor) -> (String, String) {
    let name = format!("{}.crt", anchor.entry_name());
    (format!("/mnt/c/Users/Public/{name}"), format!("C:\\Users\\Public\\{name}"))
}

pub fn install(platform: Platform, anchor: &Anchor) -> Vec<Cmd> {
    let file = anchor.file.display().to_string();
    match platform {
        Platform::Linux => Vec::new(),
        Platform::Macos => vec![
            Cmd::new(
                "security",
                &["add-trusted-cert", "-d", "-r", "trustRoot", "-k", "/Library/Keychains/System.keychain", &file],
            )
            .privileged(true),
        ],
        Platform::Windows => vec![Cmd::new("certutil.exe", &["-addstore", "-f", "ROOT", &file])],
        Platform::Wsl => {
            let (linux, windows) = wsl_copy(anchor);
            vec![
                Cmd::new("cp", &[&file, &linux]),
                Cmd::new("certutil.exe", &["-addstore", "-f", "ROOT", &windows]),
                Cmd::new("rm", &["-f", &linux]),
            ]
        }
    }
}

pub fn uninstall(platform: Platform, anchor: &Anchor) -> Vec<Cmd> {
    let file = anchor.file.display().to_string();
    match platform {
        Platform::Linux => Vec::new(),
        Platform::Macos => vec![Cmd::new("security", &["remove-trusted-cert", "-d", &file]).privileged(true)],
        // certutil names a certificate in a store by its serial number.
        Platform::Windows | Platform::Wsl => vec![Cmd::new("certutil.exe", &["-delstore", "ROOT", &anchor.serial])],
    }
}
