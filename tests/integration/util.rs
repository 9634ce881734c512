//! Shared test helpers: running certsmith with a clean environment, running openssl,
//! fixture paths, JSON parsing, and a small deterministic random generator.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

/// A time inside every fixture's validity (fixtures were made on 2026-11-26, for 365 days).
pub const AT: &str = "2027-01-01T00:00:00Z";

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(rel)
}

/// A fixture's path as text, for command lines.
pub fn fixture_str(rel: &str) -> String {
    fixture(rel).to_str().unwrap().to_owned()
}

/// certsmith with an empty environment apart from PATH (for openssl) and NO_COLOR.
pub fn certsmith() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_certsmith"));
    cmd.env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("NO_COLOR", "1");
    cmd.timeout(Duration::from_secs(30));
    cmd
}

/// The finished run: status, stdout and stderr as text.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The `code` of every finding in a JSON report.
    pub fn finding_codes(&self) -> Vec<String> {
        self.json()["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_owned()).collect()
    }
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// The first finding with `code` in a JSON report; panics when there is none.
pub fn finding<'a>(json: &'a Value, code: &str) -> &'a Value {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == code)
        .unwrap_or_else(|| panic!("no {code} finding in {json:#}"))
}

/// Runs certsmith with `args` and returns the result, whatever the status.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    certsmith().args(args).output().unwrap().into()
}

/// Runs `openssl` with `args` (and optional stdin) and returns stdout; panics on failure.
pub fn openssl(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openssl CLI is needed by the tests (.ci/run installs it)");
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        if let Some(bytes) = stdin {
            input.write_all(bytes).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// SHA-256 (lower-case hex) as openssl computes it.
pub fn openssl_sha256(bytes: &[u8]) -> String {
    let out = String::from_utf8(openssl(&["dgst", "-sha256", "-r"], Some(bytes))).unwrap();
    out.split_whitespace().next().unwrap().to_owned()
}

/// `AB:CD:…` → `abcd…`
pub fn normalise_hex(text: &str) -> String {
    text.chars().filter(|c| c.is_ascii_hexdigit()).collect::<String>().to_lowercase()
}

/// xorshift64*: deterministic, so a failing case can be reproduced from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every PEM block of a file, as text (BEGIN to END line inclusive).
pub fn pem_blocks(text: &str, label: &str) -> Vec<String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let line = line.trim_end();
        if line == begin {
            current = Some(String::new());
        }
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push('\n');
        }
        if line == end {
            blocks.extend(current.take());
        }
    }
    blocks
}

/// What of a private key must never appear in certsmith's output: each base64 line of
/// its file, every 16-byte run of its DER (and of its decrypted DER) in hex, its password.
pub struct Secrets {
    what: String,
    lines: Vec<String>,
    hex: Vec<String>,
    words: Vec<String>,
}

impl Secrets {
    pub fn of_key_file(path: &Path) -> Self {
        let bytes = std::fs::read(path).unwrap();
        let text = String::from_utf8(bytes.clone()).ok();
        let der = match &text {
            Some(text) => {
                let body: String =
                    text.lines().filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.is_empty()).collect();
                base64_decode(&body)
            }
            None => bytes,
        };
        let lines = text
            .map(|t| {
                t.lines()
                    .filter(|l| l.len() >= 16 && !l.starts_with("-----") && !l.contains(':'))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Self { what: path.display().to_string(), lines, hex: vec![hex(&der)], words: Vec::new() }
    }

    /// The key's plain DER too, for an encrypted key.
    pub fn and_der(mut self, der: &[u8]) -> Self {
        self.hex.push(hex(der));
        self
    }

    /// A password.
    pub fn and_word(mut self, word: &str) -> Self {
        self.words.push(word.to_owned());
        self
    }

    pub fn assert_absent(&self, out: &Run) {
        let all = format!("{}{}", out.stdout, out.stderr);
        let what = &self.what;
        for line in &self.lines {
            assert!(!all.contains(line.as_str()), "{what}: output contains a line of the key's base64");
        }
        for word in &self.words {
            assert!(!all.contains(word.as_str()), "{what}: output contains the password");
        }
        for hex in &self.hex {
            for window in (0..hex.len().saturating_sub(32)).step_by(2) {
                assert!(
                    !all.contains(&hex[window..window + 32]),
                    "{what}: output contains key bytes at {}",
                    window / 2
                );
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base64_decode(text: &str) -> Vec<u8> {
    use std::io::Write;
    let mut child = Command::new("base64").arg("-d").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    child.wait_with_output().unwrap().stdout
}
