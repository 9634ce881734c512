//! Output folders: created with an explicit mode whatever the umask, and locked for the
//! length of a run, so that two runs writing one folder (two `gen` in two terminals, a
//! Makefile's parallel jobs) take turns instead of mixing their files.
//!
//! The lock is `flock` on the folder itself (no lock file to leave behind), held until the
//! [`FolderLocks`] is dropped, which is at the end of the process. Taking it also completes
//! a change a killed run left half done ([`super::journal`]).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use super::journal;
use crate::finding::Failure;
use crate::finding::Subject;

/// Modes certsmith gives the folders it creates: certificates are read by a container
/// user; a CA folder holds the key that vouches for every name.
pub const CERT_FOLDER_MODE: u32 = 0o755;
pub const CA_FOLDER_MODE: u32 = 0o700;

/// Locks held for this run, and what taking them repaired.
#[derive(Debug)]
pub struct FolderLocks {
    _held: Vec<File>,
    /// Files an interrupted run had left half written and that are now in place.
    pub recovered: Vec<PathBuf>,
}

/// Creates the folder of each path (the folder itself with `mode`, missing parents 0755),
/// locks each folder exclusively, waiting for another run that holds it, and rolls an
/// interrupted change forward.
pub fn lock_folders(paths: &[&Path], mode: u32) -> Result<FolderLocks, Failure> {
    let mut folders: Vec<PathBuf> = Vec::new();
    for path in paths {
        let folder = super::parent_of(path);
        create_folder(folder, mode).map_err(|e| super::io_failure("create the folder", folder, &e))?;
        // One lock per folder, however it is spelled; taken in one order, so that two runs
        // locking the same two folders cannot wait for each other.
        let canonical = fs::canonicalize(folder).map_err(|e| super::io_failure("open the folder", folder, &e))?;
        if !folders.contains(&canonical) {
            folders.push(canonical);
        }
    }
    folders.sort();
    let mut held = Vec::with_capacity(folders.len());
    let mut recovered = Vec::new();
    for folder in &folders {
        let handle = File::open(folder).map_err(|e| super::io_failure("open the folder", folder, &e))?;
        // A filesystem without locks (some network mounts) still gets atomic, no-clobber
        // renames; only the turn-taking is lost.
        let _ = handle.lock();
        held.push(handle);
    }
    // Every folder's interrupted change first, then stale temps: a set may span folders.
    for folder in &folders {
        recovered.extend(journal::recover(folder).map_err(|e| {
            Failure::new(format!("cannot complete the change an interrupted run left in {}: {e}", folder.display()))
                .hint(format!(
                    "look at {} and the .*.certsmith-*.tmp files beside it, then remove them and run again",
                    folder.join(journal::NAME).display()
                ))
                .about(Subject::file(&folder.display().to_string(), None))
        })?);
    }
    for folder in &folders {
        super::remove_stale_temps(folder);
    }
    Ok(FolderLocks { _held: held, recovered })
}

/// Creates `folder` with exactly `mode` (and its missing parents with 0755); an existing
/// folder is left as it is.
pub fn create_folder(folder: &Path, mode: u32) -> io::Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    if let Some(parent) = folder.parent().filter(|p| !p.as_os_str().is_empty()) {
        create_folder(parent, CERT_FOLDER_MODE)?;
    }
    match make_dir(folder, mode) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => Ok(()),
        other => other,
    }
}

#[cfg(unix)]
fn make_dir(folder: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    fs::DirBuilder::new().mode(mode).create(folder)?;
    // The umask narrowed the mode (077) or left it wide (000): set it as asked.
    fs::set_permissions(folder, fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn make_dir(folder: &Path, _mode: u32) -> io::Result<()> {
    fs::create_dir(folder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn folders_get_their_mode_and_existing_ones_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let ca = dir.path().join("a/b/ca");
        create_folder(&ca, CA_FOLDER_MODE).unwrap();
        assert_eq!((mode(&dir.path().join("a")), mode(&dir.path().join("a/b")), mode(&ca)), (0o755, 0o755, 0o700));
        fs::set_permissions(&ca, fs::Permissions::from_mode(0o750)).unwrap();
        create_folder(&ca, CA_FOLDER_MODE).unwrap();
        assert_eq!(mode(&ca), 0o750);
    }

    #[test]
    fn one_lock_per_folder_however_spelled() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("certs/key.pem");
        let b = dir.path().join("certs/./sub/../cert.pem");
        fs::create_dir_all(dir.path().join("certs/sub")).unwrap();
        let locks = lock_folders(&[&a, &b], CERT_FOLDER_MODE).unwrap();
        assert_eq!(locks._held.len(), 1);
        // Another lock on the same folder would wait: a non-blocking try fails.
        let other = File::open(dir.path().join("certs")).unwrap();
        assert!(other.try_lock().is_err());
        drop(locks);
        assert!(other.try_lock().is_ok());
    }
}
