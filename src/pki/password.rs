//! Where the password of an encrypted private key comes from: a file, an environment
//! variable, or a prompt on the terminal, never the command line (argv is visible to
//! every user of the machine through `ps`).
//!
//! The password is held in memory that is wiped when dropped, and never appears in a
//! message. The prompt is written to the terminal itself (`/dev/tty`), not to stdout or
//! stderr, and only when standard input is a terminal, so scripts and CI never hang.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::load::{self, io_reason};
use crate::finding::Failure;

/// Password files hold one line; anything much larger is the wrong file.
const MAX_PASSWORD_FILE_BYTES: u64 = 64 * 1024;

/// A password's bytes, wiped on drop.
#[derive(Clone)]
pub struct Password(Zeroizing<Vec<u8>>);

impl Password {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(Zeroizing::new(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Never shows the password, whatever asks.
impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// Where to get a password when a key turns out to be encrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordSource {
    /// The first line of a file (`--password-file`); one trailing newline is not part of it.
    File(PathBuf),
    /// An environment variable (`--password-env`), e.g. `GRANIAN_SSL_KEYFILE_PASSWORD`.
    Env(String),
    /// Ask on the terminal, when there is one.
    Prompt,
}

/// The flags every command that reads keys offers, for hints.
const PASSWORD_FLAGS_HINT: &str = "pass --password-file FILE (its first line is the password) or --password-env VAR, e.g. --password-env GRANIAN_SSL_KEYFILE_PASSWORD";

impl PasswordSource {
    pub fn new(file: Option<PathBuf>, env: Option<String>) -> Self {
        match (file, env) {
            (Some(file), _) => Self::File(file),
            (None, Some(var)) => Self::Env(var),
            (None, None) => Self::Prompt,
        }
    }

    /// A password that protects a new file: from a file or a variable only, since a single
    /// unconfirmed prompt would let a typo lock the file for good.
    pub fn read_new(&self, file_name: &str) -> Result<Password, Failure> {
        match self {
            Self::Prompt => {
                Err(Failure::new(format!("{file_name} needs a password to protect it")).hint(PASSWORD_FLAGS_HINT))
            }
            _ => self.read(file_name),
        }
    }

    /// The password for the key in `key_name` (named in the prompt and in errors).
    pub fn read(&self, key_name: &str) -> Result<Password, Failure> {
        match self {
            Self::File(path) => read_file(path),
            Self::Env(var) => read_env(var, key_name),
            Self::Prompt => prompt(key_name),
        }
    }
}

fn read_file(path: &std::path::Path) -> Result<Password, Failure> {
    let name = path.display();
    let cannot = |why: String| {
        Failure::new(format!("cannot read password file {name}: {why}"))
            .hint("check the path given to --password-file; the file's first line is the password")
    };
    // Not `load::read`: a pipe is fine here (`--password-file <(pass show key)`).
    let file = open_password_file(path).map_err(cannot)?;
    let mut bytes = Zeroizing::new(Vec::new());
    file.take(MAX_PASSWORD_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| cannot(io_reason(&e)))?;
    if bytes.len() as u64 > MAX_PASSWORD_FILE_BYTES {
        return Err(cannot(format!("it is larger than {} KiB, which no password is", MAX_PASSWORD_FILE_BYTES / 1024)));
    }
    Ok(Password::new(strip_one_newline(&bytes).to_vec()))
}

/// A FIFO (`--password-file <(pass show key)`) is opened as `load` opens one: waiting a
/// bounded time for its writer.
fn open_password_file(path: &Path) -> Result<std::fs::File, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if meta.is_dir() {
        return Err("it is a folder".to_owned());
    }
    let opened = if load::is_fifo(&meta) { load::open_fifo(path) } else { std::fs::File::open(path) };
    opened.map_err(|e| if e.kind() == std::io::ErrorKind::TimedOut { e.to_string() } else { io_reason(&e) })
}

/// `echo pw > file` writes `pw\n`; Windows editors write `pw\r\n`. Only one line end goes.
fn strip_one_newline(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

fn read_env(var: &str, key_name: &str) -> Result<Password, Failure> {
    let Some(value) = std::env::var_os(var) else {
        return Err(Failure::new(format!(
            "the environment variable {var} is not set; it should hold the password for {key_name}"
        ))
        .hint(format!("export {var} in this shell first, or pass --password-file FILE")));
    };
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStringExt::into_vec(value);
    #[cfg(not(unix))]
    let bytes = value
        .into_string()
        .map_err(|_| Failure::new(format!("the environment variable {var} is not valid Unicode")))?
        .into_bytes();
    Ok(Password::new(bytes))
}

fn prompt(key_name: &str) -> Result<Password, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::new(format!(
            "{key_name} is encrypted and no password was given (certsmith asks for one only when standard input is a terminal)"
        ))
        .hint(PASSWORD_FLAGS_HINT)
        .code(crate::finding::Code::EncryptedKeyWithoutPassword));
    }
    let typed = rpassword::prompt_password(format!("Password for {key_name}: ")).map_err(|e| {
        Failure::new(format!("cannot read the password from the terminal: {}", io_reason(&e))).hint(PASSWORD_FLAGS_HINT)
    })?;
    Ok(Password::new(typed.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_line_end_is_stripped() {
        assert_eq!(strip_one_newline(b"pw\n"), b"pw");
        assert_eq!(strip_one_newline(b"pw\r\n"), b"pw");
        assert_eq!(strip_one_newline(b"pw\n\n"), b"pw\n");
        assert_eq!(strip_one_newline(b"pw"), b"pw");
        assert_eq!(strip_one_newline(b" pw \n"), b" pw ");
    }

    #[test]
    fn debug_never_shows_the_password() {
        assert_eq!(format!("{:?}", Password::new(b"secret".to_vec())), "Password(..)");
    }
}
