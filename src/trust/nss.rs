//! NSS databases, which Firefox and Chromium read instead of the system store: Chromium's
//! `~/.pki/nssdb` (and snap Chromium's), every Firefox profile (and snap Firefox's), as
//! mkcert (truststore_nss.go) finds them. `sql:` for cert9.db, `dbm:` for the old
//! cert8.db. The tool is NSS's `certutil` (Debian package libnss3-tools).

use std::path::{Path, PathBuf};

use super::anchor::Anchor;
use super::exec::Cmd;

/// One NSS database folder and how certutil must address it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Db {
    pub dir: PathBuf,
    /// `sql` or `dbm`.
    pub prefix: &'static str,
    /// Chromium or a Firefox profile, for people.
    pub label: &'static str,
}

impl Db {
    /// `sql:/home/me/.pki/nssdb`, as certutil's -d takes it.
    pub fn address(&self) -> String {
        format!("{}:{}", self.prefix, self.dir.display())
    }
}

/// Every database under `home`, in a stable order.
pub fn detect(home: &Path) -> Vec<Db> {
    let mut dbs = Vec::new();
    for (dir, label) in [(".pki/nssdb", "Chromium"), ("snap/chromium/current/.pki/nssdb", "Chromium (snap)")] {
        dbs.extend(db(&home.join(dir), label));
    }
    for (dir, label) in
        [(".mozilla/firefox", "Firefox profile"), ("snap/firefox/common/.mozilla/firefox", "Firefox profile (snap)")]
    {
        let Ok(entries) = std::fs::read_dir(home.join(dir)) else { continue };
        let mut profiles: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        profiles.sort();
        dbs.extend(profiles.iter().filter_map(|p| db(p, label)));
    }
    dbs
}

fn db(dir: &Path, label: &'static str) -> Option<Db> {
    let prefix = if dir.join("cert9.db").is_file() {
        "sql"
    } else if dir.join("cert8.db").is_file() {
        "dbm"
    } else {
        return None;
    };
    Some(Db { dir: dir.to_path_buf(), prefix, label })
}

/// Trusted as a CA for TLS servers (`C,,`), under certsmith's name.
pub fn install(certutil: &str, db: &Db, anchor: &Anchor) -> Vec<Cmd> {
    let file = anchor.file.display().to_string();
    vec![Cmd::new(certutil, &["-A", "-d", &db.address(), "-t", "C,,", "-n", &anchor.entry_name(), "-i", &file])]
}

pub fn uninstall(certutil: &str, db: &Db, anchor: &Anchor) -> Vec<Cmd> {
    vec![Cmd::new(certutil, &["-D", "-d", &db.address(), "-n", &anchor.entry_name()])]
}

/// Lists the entry: exits 0 when certsmith's entry is in the database.
pub fn present(certutil: &str, db: &Db, anchor: &Anchor) -> Cmd {
    Cmd::new(certutil, &["-L", "-d", &db.address(), "-n", &anchor.entry_name()])
}

/// Verifies the entry as an SSL server CA (`-u L`), as mkcert checks it.
pub fn trusted(certutil: &str, db: &Db, anchor: &Anchor) -> Cmd {
    Cmd::new(certutil, &["-V", "-u", "L", "-d", &db.address(), "-n", &anchor.entry_name()])
}
