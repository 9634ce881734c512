//! The journal that makes a set of renames all-or-nothing across a kill.
//!
//! Before the first rename of a set, `.certsmith-journal` is written (through a temp file,
//! synced) in the folder of the first target; it lists each complete, synced temp file and
//! the path it becomes. After the last rename it is removed. A run killed between the
//! renames leaves the journal, and the next run that locks that folder rolls the change
//! forward: every listed temp that is still there is renamed into place, so the key and
//! the certificate are again the pair one run made. Nothing is decided from file contents.
//!
//! Format: the line `certsmith-journal 1`, then for each rename its two paths, each ended
//! by a NUL byte (a path can hold any byte but NUL). A journal in any other form is left
//! alone and reported.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const HEADER: &[u8] = b"certsmith-journal 1\n";

/// The journal's name, in the folder of a set's first target.
pub const NAME: &str = ".certsmith-journal";

/// Writes the journal for `renames` (temp, target) into `dir`, synced, atomically.
pub fn write(dir: &Path, renames: &[(PathBuf, PathBuf)]) -> io::Result<PathBuf> {
    let mut bytes = HEADER.to_vec();
    for (from, to) in renames {
        for path in [from, to] {
            bytes.extend_from_slice(&path_bytes(path));
            bytes.push(0);
        }
    }
    let path = dir.join(NAME);
    let temp = dir.join(format!("{NAME}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        fs::rename(&temp, &path)?;
        sync_dir(dir);
        Ok(path)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

/// Removes a journal whose renames are all done.
pub fn remove(journal: &Path) {
    let _ = fs::remove_file(journal);
    if let Some(dir) = journal.parent() {
        sync_dir(dir);
    }
}

/// Completes the change a killed run left in `dir`, if any; returns the targets it put in
/// place. A journal certsmith cannot read is an error: its temps are kept for a person.
pub fn recover(dir: &Path) -> io::Result<Vec<PathBuf>> {
    // Journal temps of killed runs were never complete journals: nothing was renamed yet.
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&format!("{NAME}.")) && name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
    let journal = dir.join(NAME);
    let bytes = match fs::read(&journal) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let renames = parse(&bytes).ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidData, format!("{} is not a journal certsmith wrote", journal.display()))
    })?;
    let mut done = Vec::new();
    for (from, to) in renames {
        if from.symlink_metadata().is_ok() {
            fs::rename(&from, &to)?;
            done.push(to);
        }
    }
    sync_dir(dir);
    remove(&journal);
    Ok(done)
}

fn parse(bytes: &[u8]) -> Option<Vec<(PathBuf, PathBuf)>> {
    let body = bytes.strip_prefix(HEADER)?;
    let body = body.strip_suffix(b"\0")?;
    let paths: Vec<PathBuf> = body.split(|b| *b == 0).map(path_from_bytes).collect();
    if !paths.len().is_multiple_of(2) || paths.iter().any(|p| p.as_os_str().is_empty()) {
        return None;
    }
    Some(paths.chunks(2).filter_map(|pair| Some((pair.first()?.clone(), pair.get(1)?.clone()))).collect())
}

#[cfg(unix)]
fn path_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

#[cfg(not(unix))]
fn path_bytes(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(not(unix))]
fn path_from_bytes(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Persists renames in a folder; a folder that cannot be synced (some filesystems) is not
/// an error.
pub fn sync_dir(dir: &Path) {
    let _ = File::open(dir).and_then(|d| d.sync_all());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_journal_reads_back_and_recovery_rolls_forward() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::write(d.join("key.tmp"), b"new key").unwrap();
        fs::write(d.join("cert.tmp"), b"new cert").unwrap();
        fs::write(d.join("cert.pem"), b"old cert").unwrap();
        let odd = path_from_bytes(b"odd\nname\xff");
        let renames = vec![
            (d.join("key.tmp"), d.join("key.pem")),
            (d.join("cert.tmp"), d.join("cert.pem")),
            (d.join("gone.tmp"), d.join(&odd)),
        ];
        let journal = write(d, &renames).unwrap();
        assert_eq!(parse(&fs::read(&journal).unwrap()).unwrap(), renames);
        // The first rename happened before the kill.
        fs::rename(d.join("key.tmp"), d.join("key.pem")).unwrap();
        let done = recover(d).unwrap();
        assert_eq!(done, vec![d.join("cert.pem")]);
        assert_eq!(fs::read(d.join("cert.pem")).unwrap(), b"new cert");
        assert_eq!(fs::read(d.join("key.pem")).unwrap(), b"new key");
        let mut left: Vec<String> =
            fs::read_dir(d).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        left.sort();
        assert_eq!(left, ["cert.pem", "key.pem"]);
        assert!(recover(d).unwrap().is_empty(), "nothing to do the second time");
    }

    #[test]
    fn a_damaged_journal_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        for bytes in [&b"certsmith-journal 1\na\0"[..], b"something else", b"certsmith-journal 1\na\0\0"] {
            fs::write(dir.path().join(NAME), bytes).unwrap();
            let err = recover(dir.path()).unwrap_err();
            assert!(err.to_string().contains("not a journal certsmith wrote"), "{err}");
            assert!(dir.path().join(NAME).exists());
        }
    }
}
