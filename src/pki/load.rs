//! Reading input files, one module for every command: a path or `-` (stdin), PEM (any
//! number of blocks, any order, text around them, CRLF) or DER, into typed objects; for
//! inspect, verify and match-key also the files that hold several ([`load_parts`]): a
//! Kubernetes Secret manifest (`secret`) and a PKCS#12 bundle (`pkcs12`).
//!
//! Every failure names the file (and the PEM block and line), says what was expected and
//! what was found, and carries a hint. Reads are bounded ([`MAX_INPUT_BYTES`]) and only
//! regular files are opened, so a FIFO or `/dev/zero` cannot hang a run.

use std::fmt;
use std::io::{self, IsTerminal, Read};
use std::path::{Path, PathBuf};

use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use x509_parser::certificate::X509Certificate;
use x509_parser::certification_request::X509CertificationRequest;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::key::{self, PrivateKey};
use super::password::Password;
use super::pem::{self, Block, DecodeError, FramingError};
use super::secret::ManifestError;
use super::{jks, pkcs12, secret};
use crate::finding::place::shell_word;
use crate::finding::{Code, Failure, Subject};

/// Certificate and key files are a few KB; the largest CA bundles are under 1 MB.
pub const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Where input comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// `-` means standard input, as everywhere.
    pub fn from_arg(arg: &Path) -> Self {
        if arg.as_os_str() == "-" { Self::Stdin } else { Self::File(arg.to_path_buf()) }
    }

    /// The file's path; `None` for standard input.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Stdin => None,
            Self::File(path) => Some(path),
        }
    }

    /// The name used in messages and JSON (the path as given).
    pub fn name(&self) -> String {
        match self {
            Self::Stdin => "<stdin>".to_owned(),
            Self::File(path) => path.display().to_string(),
        }
    }
}

/// One object found in a file.
#[derive(Debug)]
pub struct Loaded {
    /// 0-based PEM block index; `None` for a DER file.
    pub index: Option<usize>,
    pub object: Object,
}

#[derive(Debug)]
pub enum Object {
    /// DER that x509-parser accepts as a certificate.
    Certificate(CertificateDer<'static>),
    PrivateKey(PrivateKey),
    /// DER that x509-parser accepts as a PKCS#10 request.
    Csr(Vec<u8>),
    /// A DER SubjectPublicKeyInfo (`PUBLIC KEY`).
    PublicKey(Vec<u8>),
    /// A PEM block certsmith does not read (CRL, PKCS#7, OpenSSH key, …), by label.
    Other(String),
}

/// A file that holds several files' worth: each part is loaded on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A Kubernetes Secret manifest: one part per key (`tls.crt`, `tls.key`, `ca.crt`).
    KubernetesSecret,
    /// A PKCS#12 bundle: one part, its certificates (the key's first) then its keys.
    Pkcs12,
}

/// The objects of one input (or of one part of it), in file order.
#[derive(Debug)]
pub struct LoadedFile {
    /// For messages: the input as given, and the entry of a manifest (`secret.yaml tls.crt`).
    pub name: String,
    /// The input as given.
    pub path: String,
    /// The key of a Secret manifest this part is.
    pub entry: Option<String>,
    pub container: Option<Container>,
    pub objects: Vec<Loaded>,
}

impl LoadedFile {
    fn plain(name: String, objects: Vec<Loaded>) -> Self {
        Self { path: name.clone(), name, entry: None, container: None, objects }
    }

    pub fn subject(&self, index: Option<usize>) -> Subject {
        Subject { entry: self.entry.clone(), ..Subject::file(&self.path, index) }
    }

    pub fn certificates(&self) -> impl Iterator<Item = (Option<usize>, &CertificateDer<'static>)> {
        self.objects.iter().filter_map(|o| match &o.object {
            Object::Certificate(der) => Some((o.index, der)),
            _ => None,
        })
    }

    pub fn private_keys(&self) -> impl Iterator<Item = (Option<usize>, &PrivateKey)> {
        self.objects.iter().filter_map(|o| match &o.object {
            Object::PrivateKey(key) => Some((o.index, key)),
            _ => None,
        })
    }
}

/// Reads and parses one input of PEM or DER. A Secret manifest or a PKCS#12 bundle is
/// refused with a hint: only the commands that take them call [`load_parts`].
pub fn load(input: &Input) -> Result<LoadedFile, Failure> {
    let name = input.name();
    let fail = |index: Option<usize>, problem: Problem| problem.into_failure(&name, index);
    let bytes = read(input).map_err(|p| fail(None, p))?;
    if matches!(secret::entries(&bytes), Ok(Some(_)) | Err(_)) {
        return Err(fail(None, Problem::ContainerHere("a Kubernetes Secret manifest")));
    }
    if pkcs12::looks_like(&bytes) {
        return Err(fail(None, Problem::ContainerHere("a PKCS#12 bundle")));
    }
    let objects = parse(&bytes).map_err(|(index, p)| fail(index, p))?;
    Ok(LoadedFile::plain(name, objects))
}

/// One part of an input, as [`load_parts`] reads it.
#[derive(Debug)]
pub struct Part {
    pub file: LoadedFile,
    /// A UTF-8 byte order mark was skipped before its first PEM block (see [`load_served`]).
    pub byte_order_mark: bool,
}

/// Reads an input that may hold several files: a Secret manifest gives a part per key,
/// in [`secret::KEYS`] order; a PKCS#12 bundle one part, opened with an empty password
/// or, when that fails, with `password(name)`; anything else one part, as [`load`] reads
/// it, or [`load_served`] with `served`. With `served`, a problem with what the input holds carries that code (as
/// [`load_served`]); a wrong password does not: certsmith could not look inside.
pub fn load_parts(
    input: &Input,
    served: Option<Code>,
    password: &dyn Fn(&str) -> Result<Password, Failure>,
) -> Result<Vec<Part>, Failure> {
    let name = input.name();
    let bytes = read(input).map_err(|p| p.into_failure(&name, None))?;
    let content = |f: Failure| match served {
        Some(code) => f.code(code),
        None => f,
    };
    match secret::entries(&bytes) {
        Ok(Some(entries)) => {
            return entries
                .into_iter()
                .map(|(key, data)| {
                    let label = format!("{name} {key}");
                    let at = |index| Subject { entry: Some(key.clone()), ..Subject::file(&name, index) };
                    let (objects, byte_order_mark) = parse_for(&data, served.is_some())
                        .map_err(|(index, p)| content(p.into_failure_at(&label, at(index))))?;
                    let file = LoadedFile {
                        name: label,
                        path: name.clone(),
                        entry: Some(key),
                        container: Some(Container::KubernetesSecret),
                        objects,
                    };
                    Ok(Part { file, byte_order_mark })
                })
                .collect();
        }
        Ok(None) => {}
        Err(e) => return Err(content(Problem::Manifest(e).into_failure(&name, None))),
    }
    if pkcs12::looks_like(&bytes) {
        let (certs, keys) = pkcs12::open(&bytes, &name, password).map_err(|e| match e {
            pkcs12::OpenError::Password(failure) => failure.about(Subject::file(&name, None)),
            pkcs12::OpenError::Structure(detail) => content(Problem::Pkcs12(detail).into_failure(&name, None)),
        })?;
        let objects = certs
            .into_iter()
            .map(Object::Certificate)
            .chain(keys.into_iter().map(Object::PrivateKey))
            .enumerate()
            .map(|(i, object)| Loaded { index: Some(i), object })
            .collect();
        let mut file = LoadedFile::plain(name, objects);
        file.container = Some(Container::Pkcs12);
        return Ok(vec![Part { file, byte_order_mark: false }]);
    }
    let (objects, byte_order_mark) =
        parse_for(&bytes, served.is_some()).map_err(|(index, p)| content(p.into_failure(&name, index)))?;
    Ok(vec![Part { file: LoadedFile::plain(name, objects), byte_order_mark }])
}

/// [`parse`], past a UTF-8 byte order mark before the first BEGIN line (flagged) when
/// the input is `served`; without, the mark is the problem [`load`] reports.
fn parse_for(bytes: &[u8], served: bool) -> Result<(Vec<Loaded>, bool), (Option<usize>, Problem)> {
    if served { parse_served(bytes) } else { Ok((parse(bytes)?, false)) }
}

/// [`parse`], past a UTF-8 byte order mark before the first BEGIN line (flagged).
fn parse_served(bytes: &[u8]) -> Result<(Vec<Loaded>, bool), (Option<usize>, Problem)> {
    let past_mark = bytes.strip_prefix(b"\xef\xbb\xbf").filter(|rest| rest.starts_with(b"-----BEGIN "));
    Ok((parse(past_mark.unwrap_or(bytes))?, past_mark.is_some()))
}

/// What a server would be given: read as [`load`] reads it, but a UTF-8 byte order mark
/// before the first PEM block is skipped (OpenSSL skips it; whether rustls does is the
/// caller's finding: the flag says it was there), and a problem with what the input holds,
/// rather than with reaching it, carries `code`, so that verify can report it as a
/// finding (Granian fails with it) instead of giving up on the input.
pub fn load_served(input: &Input, code: Code) -> Result<(LoadedFile, bool), Failure> {
    let name = input.name();
    let bytes = read(input).map_err(|p| p.into_failure(&name, None))?;
    let (objects, byte_order_mark) =
        parse_served(&bytes).map_err(|(index, p)| p.into_failure(&name, index).code(code))?;
    Ok((LoadedFile::plain(name, objects), byte_order_mark))
}

/// The bytes of an input, bounded by [`MAX_INPUT_BYTES`].
pub fn read(input: &Input) -> Result<Vec<u8>, Problem> {
    match input {
        Input::Stdin => {
            let stdin = io::stdin();
            if stdin.is_terminal() {
                return Err(Problem::StdinIsTerminal);
            }
            read_bounded(stdin.lock())
        }
        Input::File(path) => {
            let meta = std::fs::metadata(path).map_err(Problem::Io)?;
            if meta.is_dir() {
                return Err(Problem::NotAFile("a folder"));
            }
            // A pipe (`<(cat cert.pem)`, a named pipe): read as standard input is, bounded.
            if is_fifo(&meta) {
                return read_bounded(open_fifo(path).map_err(Problem::Io)?);
            }
            if !meta.is_file() {
                return Err(Problem::NotAFile(special_kind(&meta)));
            }
            if meta.len() > MAX_INPUT_BYTES {
                return Err(Problem::TooLarge(Some(meta.len())));
            }
            read_bounded(std::fs::File::open(path).map_err(Problem::Io)?)
        }
    }
}

/// How long a FIFO may wait for a program to open it for writing.
pub const FIFO_WRITER_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens a FIFO for reading. Nobody opening it for writing would block `open` forever, so
/// it is opened on a thread and given up after [`FIFO_WRITER_WAIT`]. Process
/// substitution's pipe already has its writer, so it opens at once; reading it then
/// waits for the writer, without a time limit, as `cat` would.
pub fn open_fifo(path: &Path) -> io::Result<std::fs::File> {
    let (tx, rx) = std::sync::mpsc::channel();
    let fifo = path.to_path_buf();
    std::thread::Builder::new().name("fifo".to_owned()).spawn(move || {
        let _ = tx.send(std::fs::File::open(fifo));
    })?;
    rx.recv_timeout(FIFO_WRITER_WAIT).unwrap_or_else(|_| {
        Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "it is a FIFO (named pipe) that no program opened for writing within {} seconds",
                FIFO_WRITER_WAIT.as_secs()
            ),
        ))
    })
}

#[cfg(unix)]
pub fn is_fifo(meta: &std::fs::Metadata) -> bool {
    std::os::unix::fs::FileTypeExt::is_fifo(&meta.file_type())
}

#[cfg(not(unix))]
pub fn is_fifo(_: &std::fs::Metadata) -> bool {
    false
}

fn read_bounded(reader: impl Read) -> Result<Vec<u8>, Problem> {
    let mut bytes = Vec::new();
    reader.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).map_err(Problem::Io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES { Err(Problem::TooLarge(None)) } else { Ok(bytes) }
}

#[cfg(unix)]
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_socket() {
        "a socket"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::Metadata) -> &'static str {
    "not a regular file"
}

/// Everything that can be wrong with an input, before the file name is attached.
#[derive(Debug)]
pub enum Problem {
    Io(io::Error),
    StdinIsTerminal,
    NotAFile(&'static str),
    /// Larger than [`MAX_INPUT_BYTES`]: the size when it is known (not for stdin).
    TooLarge(Option<u64>),
    Empty,
    /// A UTF-8 byte order mark right before the first BEGIN line.
    ByteOrderMark,
    OnlyWhitespace,
    TextWithoutPem,
    NeitherPemNorDer {
        first_bytes: String,
    },
    UnknownDer,
    TruncatedDer,
    Framing(FramingError),
    Decode {
        block: BlockRef,
        error: DecodeError,
    },
    Malformed {
        block: Option<BlockRef>,
        expected: &'static str,
        detail: String,
    },
    EncryptedUnknown {
        block: BlockRef,
    },
    NothingUsable,
    /// A Java keystore (`JKS` or `JCEKS`), with the entries that could be listed.
    JavaKeystore {
        format: &'static str,
        entries: Vec<(String, jks::EntryKind)>,
    },
    Manifest(ManifestError),
    /// A PKCS#12 bundle that cannot be decoded: what the decoder says.
    Pkcs12(String),
    /// A Secret manifest or PKCS#12 bundle where a command reads only PEM or DER.
    ContainerHere(&'static str),
}

/// Which block a problem is in, for messages: `block 2 (CERTIFICATE, line 30)`.
#[derive(Debug, Clone)]
pub struct BlockRef {
    pub index: usize,
    pub label: String,
    pub line: usize,
}

impl fmt::Display for BlockRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "block {} ({}, line {})", self.index, self.label, self.line)
    }
}

impl From<&Block<'_>> for BlockRef {
    fn from(b: &Block<'_>) -> Self {
        Self { index: b.index, label: b.label.to_owned(), line: b.line }
    }
}

const PEM_OR_DER: &str =
    "certsmith reads PEM files (-----BEGIN CERTIFICATE----- and the like) and DER certificates, keys and CSRs";

impl Problem {
    fn into_failure(self, name: &str, index: Option<usize>) -> Failure {
        self.into_failure_at(name, Subject::file(name, index))
    }

    /// `name` is what messages call the input (a manifest's entry: `secret.yaml tls.crt`).
    fn into_failure_at(self, name: &str, subject: Subject) -> Failure {
        let (message, hint) = self.describe(name);
        Failure::new(message).hint(hint).about(subject)
    }

    /// (message naming the file, hint).
    fn describe(&self, name: &str) -> (String, String) {
        match self {
            Self::Io(e) if e.kind() == io::ErrorKind::NotFound => (
                format!("cannot read {name}: no such file"),
                "check the path; relative paths start from the current folder".to_owned(),
            ),
            Self::Io(e) if e.kind() == io::ErrorKind::TimedOut => (
                format!(
                    "cannot read {name}: it is a FIFO (named pipe) that no program opened for writing within {} seconds",
                    FIFO_WRITER_WAIT.as_secs()
                ),
                "start the program that writes to it first (`<(cat cert.pem)` does both), or pipe the data in and name the input `-`".to_owned(),
            ),
            Self::Io(e) if e.kind() == io::ErrorKind::PermissionDenied => (
                format!("cannot read {name}: permission denied"),
                format!("check its owner and mode with `ls -l {name}`, or run as a user who can read it"),
            ),
            Self::Io(e) => (format!("cannot read {name}: {}", io_reason(e)), "check the path and the file".to_owned()),
            Self::StdinIsTerminal => (
                "standard input is a terminal, not a file".to_owned(),
                "pipe a file in (`certsmith inspect - < cert.pem`) or pass its path".to_owned(),
            ),
            Self::NotAFile(kind) => (
                format!("{name} is {kind}, not a regular file"),
                if *kind == "a folder" {
                    format!("pass the files inside it, e.g. `{name}/*.pem`")
                } else {
                    "give the file itself, or pipe its contents in and name the input `-`".to_owned()
                },
            ),
            Self::TooLarge(size) => (
                format!(
                    "{name} is larger than {} MiB{}",
                    MAX_INPUT_BYTES / (1024 * 1024),
                    size.map(|bytes| format!(" ({bytes} bytes)")).unwrap_or_default()
                ),
                "certificate and key files are a few KB and CA bundles under 1 MB: is this the right file?".to_owned(),
            ),
            Self::Empty => (
                format!("{name} is empty"),
                format!("{PEM_OR_DER}; was the file written by a command that failed?"),
            ),
            // OpenSSL skips text before a BEGIN line; rustls reads only lines that start
            // with one (measured: Granian 2.8.9 loads the file in Python, then its worker
            // panics with NoCertificatesPresented).
            Self::ByteOrderMark => (
                format!(
                    "{name} starts with a UTF-8 byte order mark (bytes ef bb bf) before its first -----BEGIN line: \
                     OpenSSL (curl, Python) reads past it, but rustls does not see that block, so Granian fails at start"
                ),
                byte_order_mark_hint(name),
            ),
            Self::OnlyWhitespace => (
                format!("{name} holds only whitespace"),
                format!("{PEM_OR_DER}; was the file written by a command that failed?"),
            ),
            Self::TextWithoutPem => (
                format!("{name} is text without any PEM block: expected a line such as -----BEGIN CERTIFICATE-----"),
                PEM_OR_DER.to_owned(),
            ),
            Self::NeitherPemNorDer { first_bytes } => (
                format!("{name} is neither PEM nor DER: it is binary data starting with bytes {first_bytes}"),
                PEM_OR_DER.to_owned(),
            ),
            Self::UnknownDer => (
                format!("{name} holds DER data that is not a certificate, private key, public key or CSR"),
                "a PKCS#12 bundle (.p12/.pfx) is read by inspect, verify and match-key; other DER structures (PKCS#7, CRLs) are not".to_owned(),
            ),
            Self::TruncatedDer => (
                format!("{name}: the DER data ends before the structure it starts is complete (truncated file)"),
                "copy or download the file again; compare its size with the original".to_owned(),
            ),
            Self::Framing(e) => (
                format!("{name}: {e}"),
                match e {
                    FramingError::Unterminated { label, .. } => {
                        format!("the file is cut short: copy the whole block again, through -----END {label}-----")
                    }
                    FramingError::MalformedBegin { .. } => {
                        "a BEGIN line reads -----BEGIN LABEL----- with five dashes on each side".to_owned()
                    }
                    _ => "each -----BEGIN X----- needs a matching -----END X-----; copy the blocks again".to_owned(),
                },
            ),
            Self::Decode { block, error } => (
                format!("{name}: {block}: {error}"),
                match error {
                    DecodeError::UnknownLabel(_) => PEM_OR_DER.to_owned(),
                    _ => "the block was damaged (an editor, a copy-paste, a line break in the wrong place): copy it again from its source".to_owned(),
                },
            ),
            Self::Malformed { block, expected, detail } => (
                match block {
                    Some(block) => format!("{name}: {block} is not a valid {expected}: {detail}"),
                    None => format!("{name} is not a valid {expected}: {detail}"),
                },
                "the data was damaged or is not what its label says: regenerate it, or copy it again from its source".to_owned(),
            ),
            Self::EncryptedUnknown { block } => (
                format!("{name}: {block} is encrypted, and certsmith does not know what it holds"),
                "decrypt it with openssl first".to_owned(),
            ),
            Self::NothingUsable => (
                format!("{name} holds PEM blocks, but no certificate, key or CSR (only EC PARAMETERS)"),
                "the EC PRIVATE KEY block that goes with the parameters is missing".to_owned(),
            ),
            Self::JavaKeystore { format, entries } => java_keystore(name, format, entries),
            Self::Manifest(e) => (
                format!("{name} is a Kubernetes Secret manifest that certsmith cannot read: {e}"),
                match e {
                    ManifestError::NoTlsKeys(_) => "a kubernetes.io/tls Secret keeps the certificate in tls.crt and the key in tls.key, under data (base64) or stringData".to_owned(),
                    _ => "`kubectl apply --dry-run=client -f FILE` shows what Kubernetes makes of it; `certsmith gen --k8s-secret NAME` writes a valid one".to_owned(),
                },
            ),
            Self::Pkcs12(detail) => (
                format!("{name} looks like a PKCS#12 bundle, but it cannot be read: {detail}"),
                format!("check it with `openssl pkcs12 -in {} -info -noout` (add -legacy for RC2/DES bundles)", shell_word(name)),
            ),
            Self::ContainerHere(what) => (
                format!("{name} is {what}, and this option takes a PEM or DER file"),
                "certsmith inspect, verify and match-key read it: run `certsmith inspect` on it to see what it holds, and save the part needed as PEM".to_owned(),
            ),
        }
    }
}

/// A Java keystore: its entries, and the keytool command that exports a certificate as PEM
/// (keytool asks for the store password itself, so it is in neither the shell history nor `ps`).
fn java_keystore(name: &str, format: &str, entries: &[(String, jks::EntryKind)]) -> (String, String) {
    let listed: Vec<String> = entries.iter().map(|(alias, kind)| format!("{alias:?} ({})", kind.as_str())).collect();
    let holds = if listed.is_empty() { String::new() } else { format!(" holding {}", listed.join(", ")) };
    let message = format!(
        "{name} is a Java keystore ({format}, magic bytes {}){holds}: certsmith reads PEM, DER and PKCS#12, not Java keystores",
        if format == "JKS" { "fe ed fe ed" } else { "ce ce ce ce" }
    );
    let alias = entries
        .iter()
        .find(|(_, kind)| *kind == jks::EntryKind::PrivateKey)
        .or(entries.first())
        .map_or("ALIAS", |(alias, _)| alias.as_str());
    let hint = format!(
        "export the certificate as PEM (keytool asks for the store's password): `keytool -exportcert -rfc -keystore {file} -alias {alias} -file cert.pem`{others}, then run certsmith on cert.pem; or convert the whole store to PKCS#12, which certsmith reads: `keytool -importkeystore -srckeystore {file} -destkeystore store.p12 -deststoretype PKCS12`",
        file = shell_word(name),
        alias = shell_word(alias),
        others = if entries.len() > 1 { " (the other aliases likewise)" } else { "" },
    );
    (message, hint)
}

/// The OS reason without Rust's `(os error N)` suffix.
pub(crate) fn io_reason(e: &io::Error) -> String {
    let text = e.to_string();
    text.split(" (os error").next().unwrap_or(&text).to_lowercase()
}

/// How to remove a UTF-8 byte order mark from the file `name`.
pub fn byte_order_mark_hint(name: &str) -> String {
    if name == "<stdin>" {
        "remove the first three bytes (an editor on Windows adds them)".to_owned()
    } else {
        let (file, temp) = (shell_word(name), shell_word(&format!("{name}.certsmith-tmp")));
        format!(
            "remove the mark (an editor on Windows adds it): `tail -c +4 -- {file} > {temp} && mv -- {temp} {file}`"
        )
    }
}

/// Parses the bytes of one input into objects. The error carries the block index.
pub fn parse(bytes: &[u8]) -> Result<Vec<Loaded>, (Option<usize>, Problem)> {
    if bytes.strip_prefix(b"\xef\xbb\xbf").is_some_and(|rest| rest.starts_with(b"-----BEGIN ")) {
        return Err((Some(0), Problem::ByteOrderMark));
    }
    if pem::looks_like_pem(bytes) {
        return parse_pem(bytes);
    }
    let no_block = |p| (None, p);
    if bytes.is_empty() {
        return Err(no_block(Problem::Empty));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(no_block(Problem::OnlyWhitespace));
    }
    if looks_like_text(bytes) {
        return Err(no_block(Problem::TextWithoutPem));
    }
    if let Some(format) = jks::kind(bytes) {
        return Err(no_block(Problem::JavaKeystore { format, entries: jks::entries(bytes) }));
    }
    if bytes.first() != Some(&0x30) {
        let first_bytes = bytes.iter().take(4).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ");
        return Err(no_block(Problem::NeitherPemNorDer { first_bytes }));
    }
    parse_der(bytes).map(|object| vec![Loaded { index: None, object }]).map_err(no_block)
}

fn looks_like_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.chars().all(|c| !c.is_control() || c.is_whitespace()))
}

fn parse_pem(bytes: &[u8]) -> Result<Vec<Loaded>, (Option<usize>, Problem)> {
    let blocks = pem::blocks(bytes).map_err(|e| (e.block_index(), Problem::Framing(e)))?;
    let mut objects = Vec::with_capacity(blocks.len());
    for block in &blocks {
        if block.label == "EC PARAMETERS" {
            continue; // OpenSSL writes these before SEC1 keys; the key names its curve itself.
        }
        let object = parse_block(block).map_err(|p| (Some(block.index), p))?;
        objects.push(Loaded { index: Some(block.index), object });
    }
    if objects.is_empty() {
        return Err((None, Problem::NothingUsable));
    }
    Ok(objects)
}

fn parse_block(block: &Block<'_>) -> Result<Object, Problem> {
    let at = || BlockRef::from(block);
    if block.header("Proc-Type").is_some_and(|v| v.contains("ENCRYPTED")) {
        if !block.label.ends_with("PRIVATE KEY") {
            return Err(Problem::EncryptedUnknown { block: at() });
        }
        return Ok(Object::PrivateKey(PrivateKey::LegacyEncrypted {
            label: block.label.to_owned(),
            dek_info: block.header("DEK-Info").unwrap_or("unknown").to_owned(),
            base64: block.body().to_vec(),
        }));
    }
    let der = match block.decode() {
        Ok(der) => der,
        Err(DecodeError::UnknownLabel(label)) => return Ok(Object::Other(label)),
        Err(error) => return Err(Problem::Decode { block: at(), error }),
    };
    let malformed = |expected, detail: String| Problem::Malformed { block: Some(at()), expected, detail };
    let object = match block.label {
        "CERTIFICATE" | "X509 CERTIFICATE" => {
            Object::Certificate(certificate(der, false).map_err(|d| malformed("X.509 certificate", d))?)
        }
        // OpenSSL's trusted form appends trust settings after the certificate.
        "TRUSTED CERTIFICATE" => {
            Object::Certificate(certificate(der, true).map_err(|d| malformed("X.509 certificate", d))?)
        }
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            Object::Csr(csr(der).map_err(|d| malformed("PKCS#10 certificate request", d))?)
        }
        "PUBLIC KEY" => Object::PublicKey(public_key(der).map_err(|d| malformed("public key", d))?),
        "PRIVATE KEY" => private_key(PrivateKey::Plain(PrivateKeyDer::Pkcs8(der.into())), &at)?,
        "RSA PRIVATE KEY" => private_key(PrivateKey::Plain(PrivateKeyDer::Pkcs1(der.into())), &at)?,
        "EC PRIVATE KEY" => private_key(PrivateKey::Plain(PrivateKeyDer::Sec1(der.into())), &at)?,
        "ENCRYPTED PRIVATE KEY" => private_key(PrivateKey::EncryptedPkcs8(der), &at)?,
        other => Object::Other(other.to_owned()),
    };
    Ok(object)
}

fn private_key(key: PrivateKey, at: &dyn Fn() -> BlockRef) -> Result<Object, Problem> {
    match key::check_structure(&key) {
        Ok(()) => Ok(Object::PrivateKey(key)),
        Err(e) => Err(Problem::Malformed { block: Some(at()), expected: "private key", detail: e.to_string() }),
    }
}

/// Tries each DER structure in turn; a DER file carries no label.
fn parse_der(der: &[u8]) -> Result<Object, Problem> {
    let cert = X509Certificate::from_der(der);
    if let Ok((rest, _)) = cert {
        return if rest.is_empty() {
            Ok(Object::Certificate(CertificateDer::from(der.to_vec())))
        } else {
            Err(Problem::Malformed { block: None, expected: "DER certificate", detail: trailing(rest.len()) })
        };
    }
    if X509CertificationRequest::from_der(der).is_ok_and(|(rest, _)| rest.is_empty()) {
        return Ok(Object::Csr(der.to_vec()));
    }
    let keys = [
        PrivateKey::Plain(PrivateKeyDer::Pkcs8(der.to_vec().into())),
        PrivateKey::EncryptedPkcs8(der.to_vec()),
        PrivateKey::Plain(PrivateKeyDer::Pkcs1(der.to_vec().into())),
        PrivateKey::Plain(PrivateKeyDer::Sec1(der.to_vec().into())),
    ];
    if let Some(key) = keys.into_iter().find(|k| key::check_structure(k).is_ok()) {
        return Ok(Object::PrivateKey(key));
    }
    if SubjectPublicKeyInfo::from_der(der).is_ok_and(|(rest, _)| rest.is_empty()) {
        return Ok(Object::PublicKey(der.to_vec()));
    }
    match cert {
        Err(x509_parser::nom::Err::Incomplete(_)) => Err(Problem::TruncatedDer),
        _ if declared_length_exceeds(der) => Err(Problem::TruncatedDer),
        _ => Err(Problem::UnknownDer),
    }
}

/// Whether the outer DER header promises more bytes than there are.
fn declared_length_exceeds(der: &[u8]) -> bool {
    use pkcs8::der::{Decode, Header, Reader, SliceReader};
    let Ok(mut reader) = SliceReader::new(der) else { return false };
    match Header::decode(&mut reader) {
        Ok(header) => header.length() > reader.remaining_len(),
        Err(_) => false,
    }
}

fn trailing(n: usize) -> String {
    format!("{n} unexpected bytes follow it")
}

fn nom_detail(e: x509_parser::nom::Err<x509_parser::error::X509Error>) -> String {
    match e {
        x509_parser::nom::Err::Incomplete(_) => "the data ends early (truncated)".to_owned(),
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => format!("x509-parser says: {e}"),
    }
}

fn certificate(mut der: Vec<u8>, allow_trailing: bool) -> Result<CertificateDer<'static>, String> {
    use x509_parser::certificate::X509CertificateParser;
    use x509_parser::nom::Parser;
    // The structure is checked here; extension values are read where they are used.
    let rest = X509CertificateParser::new()
        .with_deep_parse_extensions(false)
        .parse(&der)
        .map(|(rest, _)| rest.len())
        .map_err(nom_detail)?;
    if rest > 0 {
        if !allow_trailing {
            return Err(trailing(rest));
        }
        der.truncate(der.len() - rest);
    }
    Ok(CertificateDer::from(der))
}

fn csr(der: Vec<u8>) -> Result<Vec<u8>, String> {
    match X509CertificationRequest::from_der(&der).map_err(nom_detail)? {
        (rest, _) if !rest.is_empty() => Err(trailing(rest.len())),
        _ => Ok(der),
    }
}

fn public_key(der: Vec<u8>) -> Result<Vec<u8>, String> {
    match SubjectPublicKeyInfo::from_der(&der).map_err(nom_detail)? {
        (rest, _) if !rest.is_empty() => Err(trailing(rest.len())),
        _ => Ok(der),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_what_is_not_pem() {
        assert!(matches!(parse(b""), Err((None, Problem::Empty))));
        assert!(matches!(parse(b" \n\t"), Err((None, Problem::OnlyWhitespace))));
        assert!(matches!(parse(b"hello\n"), Err((None, Problem::TextWithoutPem))));
        assert!(matches!(parse(b"\x7fELF\x02\x01"), Err((None, Problem::NeitherPemNorDer { .. }))));
        assert!(matches!(parse(b"\x30\x82\x05\x00\x01"), Err((None, Problem::TruncatedDer))));
        assert!(matches!(parse(b"\x30\x03\x02\x01\x05"), Err((None, Problem::UnknownDer))));
    }

    #[test]
    fn keeps_unknown_labels_and_skips_ec_parameters() {
        let text = b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n";
        let objects = parse(text).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].index, Some(1));
        assert!(matches!(&objects[0].object, Object::Other(label) if label == "X509 CRL"));
        let only_params = b"-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        assert!(matches!(parse(only_params), Err((None, Problem::NothingUsable))));
    }
}
