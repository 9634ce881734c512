//! Writing files so that nothing is lost: never over an existing file unless asked,
//! each file through a temp file in the same folder (created with its final mode, so a
//! key is never readable by others, not even for a moment), fsync, then rename.
//!
//! A set of files is written all-or-nothing as far as the OS allows: every temp file is
//! complete before the first rename, and a failure removes the temps. Renames go in the
//! given order (callers put the key before the certificate: a certificate without its
//! key makes Granian serve plain HTTP silently; a key without a certificate does not).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::Failure;
use crate::report::Subject;

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
    Rename,
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

/// Writes every file (see the module comment). Parent folders are created.
pub fn write_files(files: &[Planned]) -> Result<(), Failure> {
    write_files_with(files, &mut kill_test_hook())
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
pub fn write_files_with(files: &[Planned], hook: &mut dyn FnMut(Step) -> io::Result<()>) -> Result<(), Failure> {
    let mut temps: Vec<PathBuf> = Vec::with_capacity(files.len());
    let result = (|| {
        for file in files {
            let parent = parent_of(&file.path);
            fs::create_dir_all(parent).map_err(|e| io_failure("create the folder", parent, &e))?;
            remove_stale_temps(&file.path);
            temps.push(write_temp(file, hook)?);
        }
        for (file, temp) in files.iter().zip(&temps) {
            hook(Step::Rename)
                .and_then(|()| fs::rename(temp, &file.path))
                .map_err(|e| io_failure("write", &file.path, &e))?;
        }
        let mut dirs: Vec<&Path> = files.iter().map(|f| parent_of(&f.path)).collect();
        dirs.dedup();
        for dir in dirs {
            // Persist the renames; a folder that cannot be synced (some filesystems) is not an error.
            let _ = File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    })();
    if result.is_err() {
        for temp in &temps {
            let _ = fs::remove_file(temp);
        }
    }
    result
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// `.NAME.certsmith-PID.tmp`: hidden, beside its target, unique per run.
fn temp_prefix(path: &Path) -> String {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    format!(".{name}.certsmith-")
}

/// Temp files of a run that was killed before it could clean up: they may hold part of
/// a key, so they go even when a run writes nothing (gen --if-needed keeping a pair). A
/// temp file of a run that is still going (two runs on one folder) is left alone.
pub fn remove_stale_temps(path: &Path) {
    let prefix = temp_prefix(path);
    let Ok(entries) = fs::read_dir(parent_of(path)) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Some(pid) = name.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".tmp")) else { continue };
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
    let temp = parent_of(&file.path).join(format!("{}{}.tmp", temp_prefix(&file.path), std::process::id()));
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
        write_files(&files).unwrap();
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
            (Step::Rename, 1),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let files = plan(dir.path());
            let mut seen = 0;
            let result = write_files_with(&files, &mut |s| {
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
    fn a_failed_second_rename_keeps_the_old_certificate_and_removes_temps() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        write_files(&files).unwrap();
        let replacement = vec![
            Planned { path: files[0].path.clone(), contents: b"KEY2".to_vec(), mode: 0o600 },
            Planned { path: files[1].path.clone(), contents: b"CERT2".to_vec(), mode: 0o644 },
        ];
        let mut renames = 0;
        let err = write_files_with(&replacement, &mut |s| {
            if s == Step::Rename {
                renames += 1;
                if renames == 2 {
                    return Err(io::Error::other("injected"));
                }
            }
            Ok(())
        });
        assert!(err.is_err());
        // The key was replaced, the certificate kept: each file whole, never torn.
        assert_eq!(fs::read(&files[0].path).unwrap(), b"KEY2");
        assert_eq!(fs::read(&files[1].path).unwrap(), b"CERT");
        assert_eq!(listing(&dir.path().join("sub")), ["cert.pem", "key.pem"]);
    }

    #[test]
    fn temps_of_a_running_run_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        // PID 1 is always running.
        fs::write(dir.path().join("sub/.key.pem.certsmith-1.tmp"), b"busy").unwrap();
        write_files(&files).unwrap();
        assert_eq!(listing(&dir.path().join("sub")), [".key.pem.certsmith-1.tmp", "cert.pem", "key.pem"]);
    }

    #[test]
    fn temps_of_a_killed_run_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        fs::create_dir_all(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/.key.pem.certsmith-99999.tmp"), b"half").unwrap();
        write_files(&files).unwrap();
        assert_eq!(listing(&dir.path().join("sub")), ["cert.pem", "key.pem"]);
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let files = plan(dir.path());
        write_files(&files).unwrap();
        let paths: Vec<&Path> = files.iter().map(|f| f.path.as_path()).collect();
        let err = check_targets(&paths, false, "use --force").unwrap_err();
        assert!(err.message.contains("already exist"), "{}", err.message);
        assert_eq!(err.hint.unwrap(), "use --force");
        check_targets(&paths, true, "").unwrap();
        assert!(check_targets(&[paths[0], paths[0]], true, "").unwrap_err().message.contains("same file"));
    }
}
