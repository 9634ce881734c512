//! Writing files so that nothing is lost: never over an existing file unless asked,
//! each file through a temp file in the same folder (created with its final mode, so a
//! key is never readable by others, not even for a moment), fsync, then rename.
//!
//! A set of files is all-or-nothing, also across a kill: every temp file is complete and
//! synced before the first rename, a journal then lists the renames ([`journal`]), and the
//! next run that locks the folder ([`lock`]) finishes them. Renames go in the given order
//! (callers put the key before the certificate: a certificate without its key makes
//! Granian serve plain HTTP silently; a key without a certificate does not).
//!
//! "Never overwrite" is the rename itself refusing (`renameat2` with `RENAME_NOREPLACE`,
//! else `link` then `unlink`), not a check made before it.

pub mod journal;
pub mod lock;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::finding::Failure;
use crate::finding::Subject;

/// One file to write.
#[derive(Debug)]
pub struct Planned {
    pub path: PathBuf,
    pub contents: Vec<u8>,
    /// Unix permission bits, e.g. 0o600.
    pub mode: u32,
}

/// The steps of a write, for fault-injection tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    CreateTemp,
    Write,
    Sync,
    /// Before the journal is written (sets of more than one file).
    Journal,
    Rename,
    /// After the last rename, before the journal is removed.
    Done,
}

/// Whether a write may replace files that are there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Fail, atomically, if any target exists; nothing is changed then.
    Never,
    Existing,
}

/// Refuses to replace existing files unless `force`; refuses folders and duplicates always.
/// `keep_hint` says how the command keeps or replaces what is there (its flags).
pub fn check_targets(paths: &[&Path], force: bool, keep_hint: &str) -> Result<(), Failure> {
    for (i, path) in paths.iter().enumerate() {
        if paths.iter().skip(i + 1).any(|other| other == path) {
            return Err(Failure::new(format!("two outputs would be written to the same file, {}", path.display()))
                .hint("give each output its own path"));
        }
    }
    let existing: Vec<&Path> = paths.iter().copied().filter(|p| p.symlink_metadata().is_ok()).collect();
    if let Some(dir) = existing.iter().find(|p| p.is_dir()) {
        return Err(Failure::new(format!("{} is a folder; certsmith will not replace it with a file", dir.display()))
            .hint("choose another output path (--out-dir)")
            .about(Subject::file(&dir.display().to_string(), None)));
    }
    if !force && !existing.is_empty() {
        let names: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
        return Err(Failure::new(format!(
            "{} already exist{}; nothing was written",
            names.join(" and "),
            if names.len() == 1 { "s" } else { "" }
        ))
        .hint(keep_hint)
        .about(Subject::file(names.first().map(String::as_str).unwrap_or_default(), None)));
    }
    Ok(())
}

/// Writes every file (see the module comment). Parent folders are created; callers that
/// may run concurrently lock them first ([`lock::lock_folders`]).
pub fn write_files(files: &[Planned], replace: Replace) -> Result<(), Failure> {
    write_files_with(files, replace, &mut kill_test_hook())
}

/// Debug builds only (the test suite's): `CERTSMITH_TEST_HOLD_AT=N` stops the process at
/// its Nth write step and says so on stderr, so the kill test can SIGKILL it right there.
/// Release builds have no such hook.
#[cfg(debug_assertions)]
fn kill_test_hook() -> impl FnMut(Step) -> io::Result<()> {
    let hold_at: Option<usize> = std::env::var("CERTSMITH_TEST_HOLD_AT").ok().and_then(|v| v.parse().ok());
    let mut count = 0;
    move |step| {
        count += 1;
        if Some(count) == hold_at {
            let _ = writeln!(io::stderr(), "certsmith-test: holding at step {count} ({step:?})");
            loop {
                std::thread::sleep(std::time::Duration::from_secs(60));
            }
        }
        Ok(())
    }
}

#[cfg(not(debug_assertions))]
fn kill_test_hook() -> impl FnMut(Step) -> io::Result<()> {
    |_| Ok(())
}

/// [`write_files`] with a hook called before each step; tests make it fail.
pub fn write_files_with(
    files: &[Planned],
    replace: Replace,
    hook: &mut dyn FnMut(Step) -> io::Result<()>,
) -> Result<(), Failure> {
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    let mut renamed = 0;
    let mut journals: Vec<PathBuf> = Vec::new();
    let mut dirs: Vec<&Path> = files.iter().map(|f| parent_of(&f.path)).collect();
    dirs.sort();
    dirs.dedup();
    let result = (|| {
        for dir in &dirs {
            lock::create_folder(dir, lock::CERT_FOLDER_MODE).map_err(|e| io_failure("create the folder", dir, &e))?;
        }
        // Changes killed runs left are finished first, in every folder, so that no temp
        // one still needs is taken for a stale one.
        for dir in &dirs {
            journal::recover(dir).map_err(|e| io_failure("complete the interrupted change in", dir, &e))?;
        }
        for dir in &dirs {
            remove_stale_temps(dir);
        }
        for file in files {
            temps.push(write_temp(file, hook)?);
        }
        if files.len() > 1 {
            // Every folder gets the journal of the whole set, so a run that next writes
            // into any one of them completes the pair.
            let targets = files
                .iter()
                .map(|f| {
                    let dir = std::path::absolute(parent_of(&f.path))
                        .map_err(|e| io_failure("resolve the folder of", &f.path, &e))?;
                    let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                    Ok((dir, name))
                })
                .collect::<Result<Vec<_>, Failure>>()?;
            for dir in &dirs {
                hook(Step::Journal).map_err(|e| io_failure("write", &dir.join(journal::NAME), &e))?;
                journals.push(
                    journal::write(dir, &targets).map_err(|e| io_failure("write", &dir.join(journal::NAME), &e))?,
                );
            }
        }
        for (file, temp) in files.iter().zip(&temps) {
            hook(Step::Rename).map_err(|e| io_failure("write", &file.path, &e))?;
            match replace {
                Replace::Existing => fs::rename(temp, &file.path).map_err(|e| io_failure("write", &file.path, &e))?,
                Replace::Never => rename_no_clobber(temp, &file.path).map_err(|e| refused_or_failed(&file.path, &e))?,
            }
            renamed += 1;
        }
        for dir in &dirs {
            journal::sync_dir(dir);
        }
        let first = files.first().map_or(Path::new("."), |f| f.path.as_path());
        hook(Step::Done).map_err(|e| io_failure("write", first, &e))
    })();
    match (&result, replace) {
        // A set half renamed over old files cannot be undone (the old files are gone):
        // the journal and the remaining temps stay, and the next run completes the set.
        (Err(_), Replace::Existing) if renamed > 0 && renamed < files.len() && !journals.is_empty() => {
            return result.map_err(|f| {
                f.hint(
                    "the next `certsmith gen` or `certsmith ca create` in this folder completes the interrupted change",
                )
            });
        }
        (Err(_), _) => {
            // Under `Replace::Never` the targets renamed so far were created by this run.
            let created = files.iter().take(renamed).map(|f| f.path.as_path()).filter(|_| replace == Replace::Never);
            for path in temps.iter().map(PathBuf::as_path).chain(created) {
                let _ = fs::remove_file(path);
            }
        }
        (Ok(()), _) => {}
    }
    for journal in &journals {
        journal::remove(journal);
    }
    result
}

/// Renames `from` to `to` unless `to` exists, in one step.
#[cfg(target_os = "linux")]
fn rename_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    use rustix::io::Errno;
    match renameat_with(CWD, from, CWD, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // Filesystems without RENAME_NOREPLACE (some network and FUSE mounts).
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => link_then_unlink(from, to),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn rename_no_clobber(from: &Path, to: &Path) -> io::Result<()> {
    link_then_unlink(from, to)
}

/// `link` fails when `to` exists; the temp name then goes.
fn link_then_unlink(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to)?;
    fs::remove_file(from)
}

/// A target that appeared after the check (another program wrote it): the same words as
/// [`check_targets`], exit 2, and nothing of this run left.
fn refused_or_failed(path: &Path, e: &io::Error) -> Failure {
    if e.kind() != io::ErrorKind::AlreadyExists {
        return io_failure("write", path, e);
    }
    let shown = path.display().to_string();
    Failure::new(format!(
        "{shown} already exists (written by another program while certsmith worked); nothing was written"
    ))
    .hint("run the command again; add --force to replace the file")
    .about(Subject::file(&shown, None))
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.NAME.certsmith-PID.tmp`: hidden, beside its target, unique per run.
fn temp_name(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    journal::temp_name(&name, std::process::id())
}

/// Temp files of runs that were killed before they could clean up: they may hold part of
/// a key, so they go even when a run writes nothing (gen --if-needed keeping a pair, gen
/// refusing to overwrite). A temp file of a run that is still going is left alone.
pub fn remove_stale_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(pid) = name
            .strip_prefix('.')
            .and_then(|rest| rest.strip_suffix(".tmp"))
            .and_then(|rest| rest.rsplit_once(".certsmith-"))
            .map(|(_, pid)| pid)
        else {
            continue;
        };
        if !still_running(pid, &entry) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether the run that made a temp file may still be writing it: its process exists
/// (where /proc tells), else the file changed in the last ten minutes.
fn still_running(pid: &str, entry: &fs::DirEntry) -> bool {
    if Path::new("/proc/self").exists() {
        return pid.parse::<u32>().is_ok_and(|pid| Path::new("/proc").join(pid.to_string()).exists());
    }
    let recent =
        |m: fs::Metadata| m.modified().ok().and_then(|t| t.elapsed().ok()).is_some_and(|age| age.as_secs() < 600);
    entry.metadata().is_ok_and(recent)
}

fn write_temp(file: &Planned, hook: &mut dyn FnMut(Step) -> io::Result<()>) -> Result<PathBuf, Failure> {
    let temp = parent_of(&file.path).join(temp_name(&file.path));
    let fail = |e: io::Error| io_failure("write", &file.path, &e);
    hook(Step::CreateTemp).map_err(fail)?;
    let mut out = create_with_mode(&temp, file.mode).map_err(fail)?;
    let written = (|| {
        // Written in two halves, the Write step between them: a run killed there leaves a
        // torn temp file, which the next run must clean up.
        let (first, second) = file.contents.split_at(file.contents.len() / 2);
        out.write_all(first)?;
        hook(Step::Write)?;
        out.write_all(second)?;
        hook(Step::Sync)?;
        out.sync_all()
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(fail(e));
    }
    Ok(temp)
}

/// Creates a new file with exactly `mode`: set at creation (umask can only narrow it) and
/// then fixed, so a 0644 certificate is 0644 even under umask 077.
#[cfg(unix)]
fn create_with_mode(path: &Path, mode: u32) -> io::Result<File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    // A temp file left by a killed run is ours to replace.
    let _ = fs::remove_file(path);
    let file = OpenOptions::new().write(true).create_new(true).mode(mode & 0o600).open(path)?;
    file.set_permissions(fs::Permissions::from_mode(mode))?;
    Ok(file)
}

#[cfg(not(unix))]
fn create_with_mode(path: &Path, _mode: u32) -> io::Result<File> {
    let _ = fs::remove_file(path);
    OpenOptions::new().write(true).create_new(true).open(path)
}

fn io_failure(action: &str, path: &Path, e: &io::Error) -> Failure {
    let shown = path.display().to_string();
    Failure::new(format!(
        "cannot {action} {shown}: {}",
        e.to_string().split(" (os error").next().unwrap_or_default().to_lowercase()
    ))
    .hint("check that the folder exists or can be created, is writable, and the disk is not full; nothing was replaced")
    .about(Subject::file(&shown, None))
}

/// `0644` for messages and JSON.
pub fn mode_text(mode: u32) -> String {
    format!("{mode:04o}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn plan(dir: &Path) -> Vec<Planned> {
        vec![
            Planned { path: dir.join("sub/key.pem"), contents: b"KEY".to_vec(), mode: 0o600 },
            Planned { path: dir.join("sub/cert.pem"), contents: b"CERT".to_vec(), mode: 0o644 },
        ]
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .map(|rd| rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn writes_with_exact_modes() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        write_files(&files, Replace::Existing).unwrap();
        assert_eq!(fs::read(&files[0].path).unwrap(), b"KEY");
        assert_eq!(fs::metadata(&files[0].path).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::metadata(&files[1].path).unwrap().permissions().mode() & 0o777, 0o644);
        assert_eq!(listing(&dir.path().join("sub")), ["cert.pem", "key.pem"]);
    }

    #[test]
    fn a_failure_at_any_step_leaves_no_file_behind() {
        for (step, nth) in [
            (Step::CreateTemp, 1),
            (Step::Write, 1),
            (Step::Sync, 1),
            (Step::CreateTemp, 2),
            (Step::Write, 2),
            (Step::Sync, 2),
            (Step::Journal, 1),
            (Step::Rename, 1),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let files = plan(dir.path());
            let mut seen = 0;
            let result = write_files_with(&files, Replace::Existing, &mut |s| {
                if s == step {
                    seen += 1;
                    if seen == nth {
                        return Err(io::Error::other("injected"));
                    }
                }
                Ok(())
            });
            let err = result.unwrap_err();
            assert!(err.message.contains("injected"), "{step:?}#{nth}: {}", err.message);
            assert_eq!(listing(&dir.path().join("sub")), Vec::<String>::new(), "{step:?}#{nth}");
        }
    }

    #[test]
    fn a_failed_second_rename_is_completed_by_the_next_run() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        write_files(&files, Replace::Existing).unwrap();
        let replacement = vec![
            Planned { path: files[0].path.clone(), contents: b"KEY2".to_vec(), mode: 0o600 },
            Planned { path: files[1].path.clone(), contents: b"CERT2".to_vec(), mode: 0o644 },
        ];
        let mut renames = 0;
        let err = write_files_with(&replacement, Replace::Existing, &mut |s| {
            if s == Step::Rename {
                renames += 1;
                if renames == 2 {
                    return Err(io::Error::other("injected"));
                }
            }
            Ok(())
        })
        .unwrap_err();
        assert!(err.hint.unwrap().contains("completes the interrupted change"));
        // The key was replaced, the certificate not yet: the journal says how to finish.
        assert_eq!(fs::read(&files[0].path).unwrap(), b"KEY2");
        assert_eq!(fs::read(&files[1].path).unwrap(), b"CERT");
        let sub = dir.path().join("sub");
        let locks = lock::lock_folders(&[&files[0].path], lock::CERT_FOLDER_MODE).unwrap();
        assert_eq!(locks.recovered, vec![fs::canonicalize(&files[1].path).unwrap()]);
        assert_eq!(fs::read(&files[1].path).unwrap(), b"CERT2");
        assert_eq!(listing(&sub), ["cert.pem", "key.pem"]);
    }

    #[test]
    fn never_replace_is_atomic_and_undoes_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        // Another program writes the certificate while certsmith works.
        fs::write(&files[1].path, b"THEIRS").unwrap();
        let err = write_files(&files, Replace::Never).unwrap_err();
        assert!(err.message.contains("already exists"), "{}", err.message);
        assert_eq!(fs::read(&files[1].path).unwrap(), b"THEIRS");
        assert_eq!(listing(&dir.path().join("sub")), ["cert.pem"], "the key this run placed is gone again");
        fs::remove_file(&files[1].path).unwrap();
        write_files(&files, Replace::Never).unwrap();
        assert_eq!(fs::read(&files[1].path).unwrap(), b"CERT");
    }

    #[test]
    fn temps_of_a_running_run_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        // PID 1 is always running.
        fs::write(dir.path().join("sub/.key.pem.certsmith-1.tmp"), b"busy").unwrap();
        write_files(&files, Replace::Existing).unwrap();
        assert_eq!(listing(&dir.path().join("sub")), [".key.pem.certsmith-1.tmp", "cert.pem", "key.pem"]);
    }

    #[test]
    fn temps_of_a_killed_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/.key.pem.certsmith-99999.tmp"), b"half").unwrap();
        write_files(&files, Replace::Existing).unwrap();
        assert_eq!(listing(&dir.path().join("sub")), ["cert.pem", "key.pem"]);
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        write_files(&files, Replace::Existing).unwrap();
        let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
        let err = check_targets(&paths, false, "use --force").unwrap_err();
        assert!(err.message.contains("already exist"), "{}", err.message);
        assert_eq!(err.hint.unwrap(), "use --force");
        check_targets(&paths, true, "").unwrap();
        assert!(check_targets(&[paths[0], paths[0]], true, "").unwrap_err().message.contains("same file"));
    }

    #[test]
    fn any_write_into_a_folder_first_completes_what_a_killed_run_left_there() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        write_files(&files, Replace::Existing).unwrap();
        // Killed between the renames: the key is new, the certificate's temp is waiting.
        let sub = dir.path().join("sub");
        fs::write(sub.join("key.pem"), b"KEY2").unwrap();
        fs::write(sub.join(journal::temp_name("cert.pem", 4242)), b"CERT2").unwrap();
        let abs = sub.canonicalize().unwrap();
        let abs = abs.display();
        fs::write(sub.join(journal::NAME), format!("certsmith-journal 3\n4242\n{abs}\0key.pem\0{abs}\0cert.pem\0"))
            .unwrap();
        // Another writer (trust bundle, say) that does not lock: the pair is finished, not
        // its temp thrown away as stale.
        let other = [Planned { path: sub.join("bundle.pem"), contents: b"B".to_vec(), mode: 0o644 }];
        write_files(&other, Replace::Never).unwrap();
        assert_eq!(fs::read(sub.join("cert.pem")).unwrap(), b"CERT2");
        assert_eq!(listing(&sub), ["bundle.pem", "cert.pem", "key.pem"]);
    }
}
