//! The CA home: the folder outside any project where `certsmith ca create` keeps the
//! local CA, as mkcert's CAROOT. `$CERTSMITH_CAROOT`, else `$XDG_DATA_HOME/certsmith`,
//! else `~/.local/share/certsmith`. Outside the project, so a compose bind mount of
//! `./certs` never carries the CA's private key into a container.
//!
//! Owns the lookup and the folder's creation (mode 0700 whatever the umask); knows
//! nothing of the command line and never prints.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use crate::finding::Failure;
use crate::finding::Subject;

/// The variable that names the CA home outright.
pub const CAROOT_VAR: &str = "CERTSMITH_CAROOT";

/// The CA home, from the variables `env` returns (the process environment in use).
pub fn resolve(env: &dyn Fn(&str) -> Option<OsString>) -> Result<PathBuf, Failure> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set(CAROOT_VAR) {
        return Ok(dir);
    }
    // The XDG Base Directory spec: a relative XDG_DATA_HOME is invalid and is ignored.
    if let Some(data) = set("XDG_DATA_HOME").filter(|p| p.is_absolute()) {
        return Ok(data.join("certsmith"));
    }
    if let Some(home) = set("HOME") {
        return Ok(home.join(".local/share/certsmith"));
    }
    Err(Failure::new(format!("cannot tell where the CA home is: {CAROOT_VAR}, XDG_DATA_HOME and HOME are all unset"))
        .hint(format!(
            "set {CAROOT_VAR} to a private folder outside the project, or name the CA folder (--out-dir, --ca)"
        )))
}

/// The CA home of this process's environment.
pub fn current() -> Result<PathBuf, Failure> {
    resolve(&|name| std::env::var_os(name))
}

/// Creates `dir` (and its parents) if missing; a folder certsmith creates gets mode 0700
/// however the umask is set, since it holds the CA's private key. An existing folder is
/// left as it is.
pub fn ensure_private_dir(dir: &Path) -> Result<(), Failure> {
    // As every output folder is made: exactly 0700, parents 0755, whatever the umask, and
    // a folder another run made meanwhile is fine.
    crate::output::lock::create_folder(dir, crate::output::lock::CA_FOLDER_MODE).map_err(|e| {
        Failure::new(format!("cannot create the CA home {}: {e}", dir.display()))
            .hint(format!("create it yourself (mkdir -m 0700), or point {CAROOT_VAR} at a folder you can write"))
            .about(Subject::file(&dir.display().to_string(), None))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> Result<PathBuf, Failure> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        resolve(&move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| OsString::from(v)))
    }

    #[test]
    fn caroot_then_xdg_then_home() {
        let all = [("CERTSMITH_CAROOT", "/c"), ("XDG_DATA_HOME", "/x"), ("HOME", "/h")];
        assert_eq!(with(&all).ok(), Some(PathBuf::from("/c")));
        assert_eq!(with(&all[1..]).ok(), Some(PathBuf::from("/x/certsmith")));
        assert_eq!(with(&all[2..]).ok(), Some(PathBuf::from("/h/.local/share/certsmith")));
        // Empty and relative values do not count.
        let odd = [("CERTSMITH_CAROOT", ""), ("XDG_DATA_HOME", "rel"), ("HOME", "/h")];
        assert_eq!(with(&odd).ok(), Some(PathBuf::from("/h/.local/share/certsmith")));
        let none = with(&[]).err().map(|f| f.message).unwrap_or_default();
        assert!(none.contains("CERTSMITH_CAROOT") && none.contains("HOME"), "{none}");
    }

    #[test]
    fn the_folder_is_0700_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = std::env::temp_dir().join(format!("certsmith-home-test-{}", std::process::id()));
        let dir = tmp.join("a/b/certsmith");
        assert!(ensure_private_dir(&dir).is_ok());
        let mode = std::fs::metadata(&dir).map(|m| m.permissions().mode() & 0o777).ok();
        assert_eq!(mode, Some(0o700));
        assert!(ensure_private_dir(&dir).is_ok(), "an existing folder is fine");
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
