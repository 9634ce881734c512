//! The journal that makes a set of renames all-or-nothing across a kill.
//!
//! Before the first rename of a set, every folder the set writes into gets the same
//! `.certsmith-journal` (through a temp file, synced): the PID whose temps these are and
//! each target as folder and file name. Every temp is complete and synced by then. After
//! the last rename the journals are removed. A run killed between renames leaves them, and
//! the next run that writes into any of those folders rolls the whole set forward before
//! it clears stale temps anywhere: each target whose temp (`.NAME.certsmith-PID.tmp`,
//! beside it) is still there is renamed into place, so the key and the certificate are
//! again the pair one run made, also when they live in two folders.
//!
//! A journal only ever renames a certsmith temp file to its own name in its own folder,
//! and only in folders that hold the same journal: one someone else planted cannot move
//! or remove a file anywhere they could not write already, or follow a link. Format:
//! the line `certsmith-journal 3`, the line with the writer's PID, then for each target
//! its absolute folder and its file name, each ended by a NUL byte. A journal in any other
//! form is left alone and reported.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

const HEADER: &str = "certsmith-journal 3\n";

/// The journal's name, in each folder a set writes into.
pub const NAME: &str = ".certsmith-journal";

/// The temp file a run with `pid` writes for the target `name`.
pub fn temp_name(name: &str, pid: u32) -> String {
    format!(".{name}.certsmith-{pid}.tmp")
}

/// Writes the journal for `targets` (absolute folder, file name), which this process is
/// about to put in place, into `dir`, synced, atomically.
pub fn write(dir: &Path, targets: &[(PathBuf, String)]) -> io::Result<PathBuf> {
    let mut bytes = format!("{HEADER}{}\n", std::process::id()).into_bytes();
    for (folder, name) in targets {
        bytes.extend_from_slice(&path_bytes(folder));
        bytes.push(0);
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

/// Removes a journal whose renames are all done. Not synced: a journal that comes back
/// after a power cut finds its temps gone and is removed again.
pub fn remove(journal: &Path) {
    let _ = fs::remove_file(journal);
}

/// Completes the set a killed run left a journal for in `dir`, if any, in every folder it
/// names; returns the targets it put in place. A journal certsmith cannot read is an
/// error: its temps are kept for a person.
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
    let (pid, targets) = parse(&bytes).ok_or_else(|| {
        io::Error::new(io::ErrorKind::InvalidData, format!("{} is not a journal certsmith wrote", journal.display()))
    })?;
    // A folder is part of the set only when it holds this very journal: writing that
    // takes write access to the folder, so a journal planted elsewhere that names it
    // renames nothing there and removes nothing there.
    let mut folders: Vec<&PathBuf> = targets.iter().map(|(folder, _)| folder).collect();
    folders.sort();
    folders.dedup();
    folders.retain(|folder| fs::read(folder.join(NAME)).is_ok_and(|other| other == bytes));
    let mut done = Vec::new();
    for (folder, name) in targets.iter().filter(|(folder, _)| folders.contains(&folder)) {
        let temp = folder.join(temp_name(name, pid));
        // A regular file only: a link planted under a temp's name is not followed.
        if temp.symlink_metadata().is_ok_and(|m| m.is_file()) {
            let target = folder.join(name);
            fs::rename(&temp, &target)?;
            done.push(target);
        }
    }
    for folder in folders {
        sync_dir(folder);
        // The same journal in the set's other folders has nothing left to do.
        remove(&folder.join(NAME));
    }
    remove(&journal);
    Ok(done)
}

/// The writer's PID and the targets; `None` for anything else, such as a file name with a
/// path in it or a folder that is not absolute.
fn parse(bytes: &[u8]) -> Option<(u32, Vec<(PathBuf, String)>)> {
    let header = HEADER.as_bytes();
    let body = bytes.strip_prefix(header)?;
    let newline = body.iter().position(|b| *b == b'\n')?;
    let pid: u32 = std::str::from_utf8(body.get(..newline)?).ok()?.parse().ok()?;
    let fields = body.get(newline + 1..)?.strip_suffix(b"\0")?;
    let fields: Vec<&[u8]> = fields.split(|b| *b == 0).collect();
    if !fields.len().is_multiple_of(2) {
        return None;
    }
    let plain = |n: &str| !n.is_empty() && n != "." && n != ".." && !n.contains(['/', '\\']);
    fields
        .chunks(2)
        .map(|pair| {
            let folder = path_from_bytes(pair.first()?);
            let name = std::str::from_utf8(pair.get(1)?).ok()?.to_owned();
            (folder.is_absolute() && plain(&name)).then_some((folder, name))
        })
        .collect::<Option<Vec<_>>>()
        .map(|targets| (pid, targets))
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

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn a_set_in_two_folders_is_completed_from_either() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        let pid = std::process::id();
        fs::write(a.join(temp_name("key.pem", pid)), b"new key").unwrap();
        fs::write(b.join(temp_name("cert.pem", pid)), b"new cert").unwrap();
        fs::write(b.join("cert.pem"), b"old cert").unwrap();
        let targets = vec![(a.clone(), "key.pem".to_owned()), (b.clone(), "cert.pem".to_owned())];
        let journal = write(&a, &targets).unwrap();
        write(&b, &targets).unwrap();
        assert_eq!(parse(&fs::read(&journal).unwrap()), Some((pid, targets)));
        // The key was renamed before the kill; recovery from the key's folder finishes
        // the certificate in the other one, and both journals go.
        fs::rename(a.join(temp_name("key.pem", pid)), a.join("key.pem")).unwrap();
        assert_eq!(recover(&a).unwrap(), vec![b.join("cert.pem")]);
        assert_eq!(fs::read(b.join("cert.pem")).unwrap(), b"new cert");
        assert_eq!((listing(&a), listing(&b)), (vec!["key.pem".to_owned()], vec!["cert.pem".to_owned()]));
        assert!(recover(&b).unwrap().is_empty(), "nothing to do the second time");
    }

    #[test]
    fn a_journal_renames_temps_into_their_own_names_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        for (bytes, planted) in [
            (format!("certsmith-journal 3\n1\n{d}\0a\0"), false),
            (format!("certsmith-journal 3\n1\n{d}\0../victim\0"), true),
            ("certsmith-journal 3\n1\nrelative\0a\0".to_owned(), true),
            (format!("certsmith-journal 3\n1\n{d}\0"), true),
            ("something else".to_owned(), true),
        ] {
            fs::write(dir.path().join(NAME), bytes).unwrap();
            match recover(dir.path()) {
                Err(e) => assert!(planted && e.to_string().contains("not a journal certsmith wrote"), "{e}"),
                Ok(done) => assert!(!planted && done.is_empty(), "{done:?}"),
            }
            let _ = fs::remove_file(dir.path().join(NAME));
        }
    }

    #[test]
    fn a_journal_names_a_folder_only_if_that_folder_holds_the_same_journal() {
        let dir = tempfile::tempdir().unwrap();
        let (planted, victim) = (dir.path().join("planted"), dir.path().join("victim"));
        fs::create_dir_all(&planted).unwrap();
        fs::create_dir_all(&victim).unwrap();
        // The victim's own killed run: its temp and its journal, which name only itself.
        fs::write(victim.join(temp_name("cert.pem", 7)), b"victim's temp").unwrap();
        fs::write(victim.join(NAME), format!("certsmith-journal 3\n7\n{}\0cert.pem\0", victim.display())).unwrap();
        // A journal planted elsewhere that names the victim's temp as part of its own set.
        let set = format!("{}\0key.pem\0{}\0cert.pem\0", planted.display(), victim.display());
        fs::write(planted.join(NAME), format!("certsmith-journal 3\n7\n{set}")).unwrap();
        assert!(recover(&planted).unwrap().is_empty());
        assert_eq!(listing(&planted), Vec::<String>::new());
        assert_eq!(listing(&victim), [temp_name("cert.pem", 7), NAME.to_owned()]);
    }
}
