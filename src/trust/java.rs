//! Java's trust store: the `cacerts` keystore of `$JAVA_HOME` (`jre/lib/security/cacerts`
//! for a JDK 8 layout, else `lib/security/cacerts`), changed with that Java's own
//! `keytool` and the well-known store password `changeit`, as mkcert
//! (truststore_java.go) does.

use std::path::{Path, PathBuf};

use super::anchor::Anchor;
use super::exec::Cmd;

/// The default password of every JDK's cacerts.
pub const STOREPASS: &str = "changeit";

/// A Java installation's keystore and tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keystore {
    pub cacerts: PathBuf,
    pub keytool: PathBuf,
}

/// The keystore under `java_home`, if there is one.
pub fn detect(java_home: &Path) -> Option<Keystore> {
    let cacerts = [java_home.join("jre/lib/security/cacerts"), java_home.join("lib/security/cacerts")]
        .into_iter()
        .find(|p| p.is_file())?;
    Some(Keystore { cacerts, keytool: java_home.join("bin/keytool") })
}

impl Keystore {
    /// Root is needed when this user cannot write the keystore (a system JDK).
    pub fn needs_root(&self) -> bool {
        std::fs::OpenOptions::new().append(true).open(&self.cacerts).is_err()
    }

    fn cmd(&self, args: &[&str], anchor: &Anchor) -> Cmd {
        let keystore = self.cacerts.display().to_string();
        let mut all = args.to_vec();
        let alias = anchor.entry_name();
        all.extend(["-keystore", &keystore, "-storepass", STOREPASS, "-alias", &alias]);
        Cmd::new(self.keytool.display().to_string(), &all).privileged(self.needs_root())
    }

    pub fn install(&self, anchor: &Anchor) -> Vec<Cmd> {
        let file = anchor.file.display().to_string();
        let mut cmd = self.cmd(&["-importcert", "-noprompt"], anchor);
        cmd.args.extend(["-file".to_owned(), file]);
        vec![cmd]
    }

    pub fn uninstall(&self, anchor: &Anchor) -> Vec<Cmd> {
        vec![self.cmd(&["-delete"], anchor)]
    }

    /// Exits 0 when the alias is in the keystore (a cacerts entry is a trusted certificate).
    pub fn present(&self, anchor: &Anchor) -> Cmd {
        self.cmd(&["-list"], anchor)
    }
}
