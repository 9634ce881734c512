//! The journal that makes a set of renames all-or-nothing across a kill.
//!
//! Before the first rename of a set, each folder the set writes into gets a
//! `.certsmith-journal` (through a temp file, synced) naming the files the set puts there
//! and the process that wrote their temps; every temp is complete and synced by then.
//! After the last rename the journals are removed. A run killed between renames leaves
//! them, and the next run that writes into such a folder rolls the change forward: each
//! listed file whose temp (`.NAME.certsmith-PID.tmp`, beside it) is still there is renamed
//! into place, so the key and the certificate are again the pair one run made. Nothing is
//! decided from file contents.
//!
//! A journal names plain file names only, in its own folder: a journal someone else put
//! there can at most finish a certsmith temp file into its own name, never reach a path
//! elsewhere. Format: the line `certsmith-journal 2`, the line with the writer's PID, then
//! each file name ended by a NUL byte. A journal in any other form is left alone and
//! reported.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "certsmith-journal 2\n";

/// The journal's name, in each folder a set writes into.
pub const NAME: &str = ".certsmith-journal";

/// The temp file a run with `pid` writes for the target `name`.
pub fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.certsmith-{pid}.tmp")
}

/// Writes the journal for the files `names` (in `dir`) that this process is about to put
/// in place, synced, atomically.
pub fn write(dir: &Path, names: &[String]) -> io::Result<PathBuf> {
    let mut bytes = format!("{HEADER}{}\n", std::process::id()).into_bytes();
    for name in names {
        bytes.extend_from_slice(name.as_bytes());
        bytes.push(0);
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
    let (pid, names) = parse(&bytes).ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidData, format!("{} is not a journal certsmith wrote", journal.display()))
    })?;
    let mut done = Vec::new();
    for name in names {
        let temp = dir.join(temp_name(&name, pid));
        // A regular file only: a link planted under a temp's name is not followed.
        if temp.symlink_metadata().is_ok_and(|m| m.is_file()) {
            let target = dir.join(&name);
            fs::rename(&temp, &target)?;
            done.push(target);
        }
    }
    sync_dir(dir);
    remove(&journal);
    Ok(done)
}

/// The writer's PID and the file names; `None` for anything else, such as a name with a
/// path in it.
fn parse(bytes: &[u8]) -> Option<(u32, Vec<String>)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let body = text.strip_prefix(HEADER)?;
    let (pid, names) = body.split_once('\n')?;
    let names = names.strip_suffix('\0')?;
    let names: Vec<String> = names.split('\0').map(str::to_owned).collect();
    let plain = |n: &String| !n.is_empty() && n != "." && n != ".." && !n.contains(['/', '\\']);
    names.iter().all(plain).then_some((pid.parse().ok()?, names))
}

/// Persists renames in a folder; a folder that cannot be synced (some filesystems) is not
/// an error.
pub fn sync_dir(dir: &Path) {
    let _ = File::open(dir).and_then(|d| d.sync_all());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_written_journal_reads_back_and_recovery_rolls_forward() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let pid = std::process::id();
        fs::write(d.join(temp_name("key.pem", pid)), b"new key").unwrap();
        fs::write(d.join(temp_name("cert.pem", pid)), b"new cert").unwrap();
        fs::write(d.join("cert.pem"), b"old cert").unwrap();
        let names = vec!["key.pem".to_owned(), "cert.pem".to_owned(), "gone.pem".to_owned()];
        let journal = write(d, &names).unwrap();
        assert_eq!(parse(&fs::read(&journal).unwrap()), Some((pid, names)));
        // The first rename happened before the kill.
        fs::rename(d.join(temp_name("key.pem", pid)), d.join("key.pem")).unwrap();
        assert_eq!(recover(d).unwrap(), vec![d.join("cert.pem")]);
        assert_eq!(fs::read(d.join("cert.pem")).unwrap(), b"new cert");
        assert_eq!(fs::read(d.join("key.pem")).unwrap(), b"new key");
        assert_eq!(listing(d), ["cert.pem", "key.pem"]);
        assert!(recover(d).unwrap().is_empty(), "nothing to do the second time");
    }

    #[test]
    fn a_journal_names_files_in_its_own_folder_only() {
        let dir = tempfile::tempdir().unwrap();
        for bytes in [
            &b"certsmith-journal 2\n1\na\0"[..],
            b"certsmith-journal 2\n1\n../victim\0",
            b"certsmith-journal 2\n1\n/etc/passwd\0",
            b"certsmith-journal 1\nsomething\0victim\0",
            b"something else",
            b"certsmith-journal 2\n1\na\0\0",
        ] {
            let planted = bytes != b"certsmith-journal 2\n1\na\0";
            fs::write(dir.path().join(NAME), bytes).unwrap();
            match recover(dir.path()) {
                Err(e) => assert!(planted && e.to_string().contains("not a journal certsmith wrote"), "{e}"),
                Ok(done) => assert!(!planted && done.is_empty(), "{done:?}"),
            }
            let _ = fs::remove_file(dir.path().join(NAME));
        }
    }
}
