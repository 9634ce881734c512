//! The Linux system store: a PEM file in the distribution's anchor folder, then its
//! update command, which rebuilds the bundle OpenSSL, curl, Python and Go read. The
//! families and paths are the ones mkcert (truststore_linux.go) and smallstep/truststore
//! detect, in mkcert's order.

use std::path::{Path, PathBuf};

use super::anchor::Anchor;
use super::exec::Cmd;

/// One distribution family's way of adding an anchor.
#[derive(Debug, PartialEq, Eq)]
pub struct Distro {
    pub name: &'static str,
    /// Where anchors go (must exist for the family to be detected).
    pub anchor_dir: &'static str,
    /// The command that rebuilds the bundle from the anchors.
    pub update: &'static [&'static str],
    /// The bundle that command writes: the CA is trusted when it is in there.
    pub bundle: &'static str,
    /// The package providing `update[0]`, for hints.
    pub package: &'static str,
}

/// mkcert's order: a Fedora machine may also have /usr/local/share/ca-certificates.
pub const DISTROS: &[Distro] = &[
    Distro {
        name: "Fedora/RHEL",
        anchor_dir: "/etc/pki/ca-trust/source/anchors",
        update: &["update-ca-trust", "extract"],
        bundle: "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
        package: "ca-certificates",
    },
    Distro {
        name: "Debian/Ubuntu",
        anchor_dir: "/usr/local/share/ca-certificates",
        update: &["update-ca-certificates"],
        bundle: "/etc/ssl/certs/ca-certificates.crt",
        package: "ca-certificates",
    },
    Distro {
        name: "Arch",
        anchor_dir: "/etc/ca-certificates/trust-source/anchors",
        update: &["trust", "extract-compat"],
        bundle: "/etc/ca-certificates/extracted/tls-ca-bundle.pem",
        package: "p11-kit",
    },
    Distro {
        name: "SUSE",
        anchor_dir: "/usr/share/pki/trust/anchors",
        update: &["update-ca-certificates"],
        bundle: "/var/lib/ca-certificates/ca-bundle.pem",
        package: "ca-certificates",
    },
];

/// The family whose anchor folder exists on this machine, if any.
pub fn detect() -> Option<&'static Distro> {
    DISTROS.iter().find(|d| Path::new(d.anchor_dir).is_dir())
}

/// `<anchor_dir>/certsmith-<fp16>.crt` (`.crt`: Debian's update-ca-certificates reads
/// nothing else; the other families read any name).
pub fn anchor_file(distro: &Distro, anchor: &Anchor) -> PathBuf {
    Path::new(distro.anchor_dir).join(format!("{}.crt", anchor.entry_name()))
}

pub fn install(distro: &Distro, anchor: &Anchor) -> Vec<Cmd> {
    let target = anchor_file(distro, anchor);
    vec![
        Cmd::new("install", &["-m", "0644", &anchor.file.display().to_string(), &target.display().to_string()])
            .privileged(true),
        update(distro),
    ]
}

pub fn uninstall(distro: &Distro, anchor: &Anchor) -> Vec<Cmd> {
    vec![Cmd::new("rm", &["-f", &anchor_file(distro, anchor).display().to_string()]).privileged(true), update(distro)]
}

fn update(distro: &Distro) -> Cmd {
    let (program, args) = distro.update.split_first().map_or(("", &[][..]), |(p, a)| (*p, a));
    Cmd::new(program, args).privileged(true)
}

/// certsmith's file is in the anchor folder.
pub fn present(distro: &Distro, anchor: &Anchor) -> bool {
    anchor_file(distro, anchor).exists()
}

/// The rebuilt bundle holds the CA: what clients read.
pub fn trusted(distro: &Distro, anchor: &Anchor) -> bool {
    super::bundle::file_holds(Path::new(distro.bundle), &anchor.der)
}
