//! The command line, as clap derive types only: flags, help text, EXAMPLES and EXIT
//! STATUS sections. Nothing here does work; `app` turns these into plans.
//!
//! Conventions: explicit `short = 'x'` only; `long` implied; upper-case `value_name`;
//! the first doc line is the short help, the rest is `--help`.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;

const ABOUT: &str =
    "TLS certificates for rustls and Granian: generate, inspect, verify, match keys, probe servers, check deployments";

const TOP_EXAMPLES: &str = "\
EXAMPLES:
  Say what is in a certificate, key, CSR or CA bundle:
    certsmith inspect certs/certificate.pem certs/private_key.pem

  The same as JSON, for scripts:
    certsmith --json inspect certs/certificate.pem

  Evaluate expiry as of a given time:
    certsmith --at 2027-06-01T00:00:00Z inspect certs/certificate.pem

  Check that a key belongs to its certificate (any key type) and that Granian can load it:
    certsmith match-key certs/certificate.pem certs/private_key.pem

  Check that clients will accept a certificate for a name, as in CI:
    certsmith verify --ca certs/ca/ca.pem --host myapp.local certs/certificate.pem

  See what a running server serves, and whether a rustls client accepts it:
    certsmith connect --ca certs/ca/ca.pem localhost:8443

  Check a deployment's TLS settings and files before `docker compose up`:
    certsmith doctor --compose compose.yaml

EXIT STATUS:
  0  nothing at error severity was found
  1  the thing examined has a problem (an error finding; warnings too with --strict)
  2  certsmith could not do its job: bad usage, unreadable input, refused action, no server reached";

#[derive(Debug, Parser)]
#[command(name = "certsmith", version, about = ABOUT, after_help = TOP_EXAMPLES)]
#[command(propagate_version = true, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes, before or after the command name.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: `human` for people, `json` for scripts (one document on stdout)
    #[arg(long, global = true, value_enum, default_value_t = Format::Human, value_name = "FORMAT")]
    pub format: Format,

    /// Shorthand for --format json
    #[arg(long, global = true, conflicts_with = "format")]
    pub json: bool,

    /// When to colour output; colour is never used when NO_COLOR is set
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,

    /// Treat TIME as now for every time-dependent statement (RFC 3339, e.g. 2027-01-01T00:00:00Z)
    #[arg(long, global = true, value_name = "TIME", value_parser = crate::clock::parse_time)]
    pub at: Option<OffsetDateTime>,
}

/// Where a password comes from: a file or an environment variable (or a prompt on a
/// terminal where a command allows it), never the command line, where `ps` shows it.
#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// Read the password from the first line of FILE (one trailing newline is removed)
    #[arg(long, value_name = "FILE", conflicts_with = "password_env")]
    pub password_file: Option<PathBuf>,

    /// Read the password from the environment variable VAR
    #[arg(long, value_name = "VAR")]
    pub password_env: Option<String>,
}

impl PasswordArgs {
    /// Where the password comes from: the flags, else a prompt where a command allows one.
    pub fn source(&self) -> crate::pki::password::PasswordSource {
        crate::pki::password::PasswordSource::new(self.password_file.clone(), self.password_env.clone())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant, reason = "built once per run")]
pub enum Command {
    Gen(GenArgs),
    Ca(CaArgs),
    Inspect(InspectArgs),
    MatchKey(MatchKeyArgs),
    Verify(VerifyArgs),
    Connect(ConnectArgs),
    Doctor(DoctorArgs),
    Trust(TrustArgs),
    Completions(CompletionsArgs),
    Man(ManArgs),
}

impl Command {
    /// The name typed on the command line, as JSON `command` carries it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Gen(_) => "gen",
            Self::Ca(args) => match args.command {
                CaCommand::Create(_) => "ca create",
                CaCommand::Path => "ca path",
            },
            Self::Trust(args) => match args.command {
                TrustCommand::Install(_) => "trust install",
                TrustCommand::Uninstall(_) => "trust uninstall",
                TrustCommand::Status(_) => "trust status",
                TrustCommand::Bundle(_) => "trust bundle",
                TrustCommand::Compose(_) => "trust compose",
            },
            Self::Inspect(_) => "inspect",
            Self::MatchKey(_) => "match-key",
            Self::Verify(_) => "verify",
            Self::Connect(_) => "connect",
            Self::Doctor(_) => "doctor",
            Self::Completions(_) => "completions",
            Self::Man(_) => "man",
        }
    }
}

/// Key types for `gen` and `ca create`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeyTypeArg {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    #[value(name = "rsa-2048")]
    Rsa2048,
    #[value(name = "rsa-3072")]
    Rsa3072,
    #[value(name = "rsa-4096")]
    Rsa4096,
}

const GEN_HELP: &str = "\
EXAMPLES:
  A certificate for localhost, 127.0.0.1 and ::1 in certs/ (what the deployment guide expects):
    certsmith gen

  Your own names; a wildcard covers one label:
    certsmith gen myapp.local '*.myapp.local' 127.0.0.1

  Before every `docker compose up`: keep a valid pair, replace it when it must change:
    certsmith gen --if-needed myapp.local

  From the local CA in the CA home, so clients can verify instead of disabling verification
  (names first: a word right after --ca is taken as the CA folder):
    certsmith ca create
    certsmith gen myapp.local --ca

  From a CA in a folder of its own:
    certsmith ca create --out-dir ca
    certsmith gen --ca ca myapp.local

  The Granian variables for a .env file (container paths under /certs):
    certsmith gen --print-env >> .env

EXIT STATUS:
  0  the files were written (or, with --if-needed, kept because they are still good)
  2  nothing was written: bad names or options, an existing file without --force, an unusable CA or key";

/// Make a certificate and key that rustls, Granian, OpenSSL, curl and browsers accept
///
/// Writes an X.509 v3 certificate with the names in its subjectAltName, CA:FALSE,
/// serverAuth and a random serial, and a new unencrypted PKCS#8 key (mode 0600), by
/// default to certs/certificate.pem and certs/private_key.pem. NAMEs are DNS names
/// (IDNs become punycode; `*.example.test` covers one label), IP addresses, email
/// addresses or URIs.
///
/// Existing files are never replaced without --force (or --if-needed), and the refusal is
/// atomic: of two runs on one folder, one writes and the other exits 2. Runs on one
/// folder take turns (a lock on the folder). Each file is written to a temporary file,
/// synced and renamed, so a file is always the old one or the new one, never torn, and a
/// key is never readable by others. If a run is killed between renaming the key and the
/// certificate, the pair may not match until the next `certsmith gen` (or `ca create`)
/// in that folder, which first completes the interrupted change from its journal
/// (.certsmith-journal) and removes every temporary file.
#[derive(Debug, Args)]
#[command(after_long_help = GEN_HELP)]
pub struct GenArgs {
    /// Names the certificate is for [default: localhost 127.0.0.1 ::1]
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,

    /// Folder for the files (created if missing)
    #[arg(long, value_name = "DIR", default_value = "certs")]
    pub out_dir: PathBuf,

    /// Certificate path [default: DIR/certificate.pem]
    #[arg(long, value_name = "FILE")]
    pub cert_file: Option<PathBuf>,

    /// Private key path [default: DIR/private_key.pem]
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<PathBuf>,

    /// Type of the new key [default: ecdsa-p256]
    #[arg(long, value_enum, value_name = "TYPE")]
    pub key_type: Option<KeyTypeArg>,

    /// Reuse this key (any encoding inspect reads) instead of making one; it is not copied
    /// unless --key-file is given
    #[arg(long, value_name = "FILE", conflicts_with = "key_type")]
    pub key: Option<PathBuf>,

    /// Subject common name [default: the first DNS name]
    #[arg(long, value_name = "TEXT")]
    pub cn: Option<String>,

    /// Subject organization
    #[arg(long, value_name = "TEXT", default_value = "certsmith development certificate")]
    pub org: String,

    /// Days the certificate is valid (over 825 days, Apple platforms reject it)
    #[arg(long, value_name = "DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    /// Also allow the certificate for TLS client authentication (EKU clientAuth)
    #[arg(long)]
    pub client: bool,

    /// Issue from the local CA in DIR (ca.pem and ca-key.pem, as `certsmith ca create` makes);
    /// without DIR, the CA home (`certsmith ca path`)
    #[arg(long, value_name = "DIR", num_args = 0..=1, conflicts_with_all = ["ca_cert", "ca_key"])]
    pub ca: Option<Option<PathBuf>>,

    /// Issue from this CA certificate (with --ca-key)
    #[arg(long, value_name = "FILE", requires = "ca_key")]
    pub ca_cert: Option<PathBuf>,

    /// The CA's private key (with --ca-cert)
    #[arg(long, value_name = "FILE", requires = "ca_cert")]
    pub ca_key: Option<PathBuf>,

    /// Replace existing files
    #[arg(long, conflicts_with = "if_needed")]
    pub force: bool,

    /// Keep existing files when they still match, cover every NAME, chain to the requested
    /// issuer and stay valid beyond --renew-within (outputs added since, such as --der, are
    /// written from the kept pair); otherwise replace them and say why
    #[arg(long)]
    pub if_needed: bool,

    /// With --if-needed: renew when the certificate expires within DAYS
    #[arg(long, value_name = "DAYS", default_value_t = crate::pki::checks::WARN_DAYS, requires = "if_needed")]
    pub renew_within: u32,

    /// Mode of the private key file; 0644 lets a container user other than the owner read
    /// it (and every other local user too)
    #[arg(long, value_name = "MODE", default_value = "0600", value_parser = parse_mode)]
    pub key_mode: u32,

    /// Also write the certificate and key as DER (certificate.der, private_key.der)
    #[arg(long)]
    pub der: bool,

    /// Also write a PKCS#12 bundle (AES-256-CBC, PBKDF2-SHA256; for Java, Windows, browsers),
    /// protected by the password from --password-file or --password-env
    #[arg(long, value_name = "FILE")]
    pub p12: Option<PathBuf>,

    /// Accept an empty password for --p12 (refused otherwise: anyone could read the key in it)
    #[arg(long, requires = "p12")]
    pub p12_empty_password: bool,

    /// Unlocks an encrypted --key or CA key, and protects --p12
    #[command(flatten)]
    pub password: PasswordArgs,

    /// Also write a kubernetes.io/tls Secret manifest named NAME (DIR/NAME.secret.yaml, mode 0600)
    #[arg(long, value_name = "NAME")]
    pub k8s_secret: Option<String>,

    /// Print only the Granian environment lines (for `>> .env`)
    #[arg(long)]
    pub print_env: bool,

    /// Folder where the container sees the files, for the environment lines
    #[arg(long, value_name = "DIR", default_value = "/certs")]
    pub container_dir: String,
}

/// `0600`, `644`, `0o640` → permission bits.
fn parse_mode(text: &str) -> Result<u32, String> {
    let digits = text.trim_start_matches("0o");
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 && !digits.is_empty() => Ok(mode),
        _ => Err(format!("expected an octal file mode such as 0600 or 0644, found {text:?}")),
    }
}

const CA_HELP: &str = "\
EXAMPLES:
  A local CA in the CA home (outside the project), then a certificate issued from it:
    certsmith ca create
    certsmith gen myapp.local --ca

  Where the CA home is ($CERTSMITH_CAROOT, else $XDG_DATA_HOME/certsmith, else
  ~/.local/share/certsmith):
    certsmith ca path

  A CA in a folder of its own:
    certsmith ca create --out-dir ca
    certsmith gen --ca ca myapp.local

  A CA that can only vouch for names under .test and localhost:
    certsmith ca create --permit-dns test --permit-dns localhost

  Before every start (a compose init service): create the CA the first time only:
    certsmith ca create --if-missing

EXIT STATUS:
  0  the CA was written (or, with --if-missing, a usable one was kept)
  2  nothing was written (an existing file without --force, an unusable CA with
     --if-missing, bad options)";

/// Manage a local certificate authority for development
#[derive(Debug, Args)]
#[command(after_long_help = CA_HELP)]
pub struct CaArgs {
    #[command(subcommand)]
    pub command: CaCommand,
}

#[derive(Debug, Subcommand)]
pub enum CaCommand {
    Create(CaCreateArgs),
    /// Print the CA home: the folder `ca create` writes to and `gen --ca` and `trust` read
    ///
    /// $CERTSMITH_CAROOT, else $XDG_DATA_HOME/certsmith, else ~/.local/share/certsmith.
    /// It is outside every project, so the CA's private key is never inside a folder a
    /// container mounts.
    #[command(after_long_help = CA_PATH_HELP)]
    Path,
}

const CA_PATH_HELP: &str = "\
EXAMPLES:
  The folder, for scripts:
    certsmith ca path

  The CA certificate to give clients:
    echo \"$(certsmith ca path)/ca.pem\"

EXIT STATUS:
  0  the folder was printed (it may not exist yet: see JSON `exists`)
  2  no CERTSMITH_CAROOT, XDG_DATA_HOME or HOME to find it from";

/// Create a local CA (ca.pem and ca-key.pem) to issue development certificates from
///
/// By default in the CA home (`certsmith ca path`; folder mode 0700, key 0600), outside
/// the project, so the key never lands in a folder a container mounts.
///
/// Clients that trust ca.pem can verify every certificate `certsmith gen --ca` issues,
/// so nobody has to turn verification off. The CA is CA:TRUE with path length 0 and may
/// carry name constraints (--permit-dns), so a leaked development CA cannot vouch for
/// real sites.
#[derive(Debug, Args)]
#[command(after_long_help = CA_HELP)]
pub struct CaCreateArgs {
    /// Folder for ca.pem and ca-key.pem (created if missing) [default: the CA home]
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,

    /// Type of the CA key
    #[arg(long, value_enum, default_value_t = KeyTypeArg::EcdsaP256, value_name = "TYPE")]
    pub key_type: KeyTypeArg,

    /// Days the CA is valid
    #[arg(long, value_name = "DAYS", default_value_t = 3650, value_parser = clap::value_parser!(u32).range(1..=36500))]
    pub days: u32,

    /// Subject common name [default: certsmith development CA, with a unique suffix]
    #[arg(long, value_name = "TEXT")]
    pub cn: Option<String>,

    /// Only allow DNS names equal to or under SUFFIX (repeatable; name constraints), and
    /// then only loopback and private IP addresses
    #[arg(long, value_name = "SUFFIX")]
    pub permit_dns: Vec<String>,

    /// Replace existing files
    #[arg(long, conflicts_with = "if_missing")]
    pub force: bool,

    /// Keep a usable CA that is already there (exit 0); create one only when there is none
    #[arg(long)]
    pub if_missing: bool,
}

const INSPECT_HELP: &str = "\
EXAMPLES:
  A certificate and its key; the matching pair shows the same spki sha256:
    certsmith inspect certs/certificate.pem certs/private_key.pem

  Every certificate in the system CA bundle, as JSON:
    certsmith --json inspect /etc/ssl/certs/ca-certificates.crt

  Whatever another command prints:
    openssl s_client -connect localhost:8443 -showcerts </dev/null | certsmith inspect -

EXIT STATUS:
  0  every input was read (whatever was found in it: inspect states facts)
  2  an input could not be read; the others are still reported";

/// Say what is in certificate, key and CSR files (PEM or DER)
///
/// For every object in every file: a certificate's version, names, validity, keys,
/// usages, extensions and fingerprints; a private key's algorithm, size and encoding
/// (never its private material); a CSR's subject, requested names and key. Problems that
/// make rustls or Granian reject a certificate are reported as warnings.
///
/// inspect does not check chains, trust or host names: run `certsmith verify` for that.
#[derive(Debug, Args)]
#[command(after_long_help = INSPECT_HELP)]
pub struct InspectArgs {
    /// Files to read; `-` reads standard input
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

const MATCH_KEY_HELP: &str = "\
EXAMPLES:
  The pair Granian is configured with (GRANIAN_SSL_CERTIFICATE, GRANIAN_SSL_KEYFILE):
    certsmith match-key certs/certificate.pem certs/private_key.pem

  An encrypted key, with the password Granian gets:
    certsmith match-key --password-env GRANIAN_SSL_KEYFILE_PASSWORD \\
      certs/certificate.pem certs/private_key.pem

  The second certificate of a bundle, as JSON:
    certsmith --json match-key --index 1 certs/bundle.pem certs/intermediate.key

EXIT STATUS:
  0  the key belongs to the certificate (warnings about Granian may still be printed)
  1  it does not (finding key-mismatch), or it does and rustls still refuses the pair
     (finding compressed-public-key)
  2  certsmith could not compare: unreadable file, wrong password, not a certificate or key";

/// Check that a private key belongs to a certificate, and that Granian can load it
///
/// Derives the public key from the private key (decrypting it first when it is encrypted)
/// and compares it with the certificate's. Prints the verdict, both SubjectPublicKeyInfo
/// SHA-256 hashes (as `certsmith inspect` shows them) and, for RSA, the MD5 digest the
/// `openssl x509|rsa -noout -modulus | openssl md5` recipe prints. Works for RSA of any
/// size, ECDSA P-256/P-384/P-521 and Ed25519, in PKCS#8, PKCS#1, SEC1, encrypted PKCS#8
/// and legacy encrypted PEM, as PEM or DER.
///
/// Also says whether Granian (rustls with the ring provider) can load the key file as it
/// is, and what to run when it cannot.
///
/// An encrypted key's password comes from --password-file, --password-env, or a prompt
/// when standard input is a terminal; never from the command line.
#[derive(Debug, Args)]
#[command(after_long_help = MATCH_KEY_HELP)]
pub struct MatchKeyArgs {
    #[command(flatten)]
    pub password: PasswordArgs,

    /// Compare with certificate N of CERT, counted from 0 (0 is the first, the leaf)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub index: usize,

    /// The certificate file (PEM or DER; `-` reads standard input)
    #[arg(value_name = "CERT")]
    pub cert: PathBuf,

    /// The private key file (PEM or DER; `-` reads standard input)
    #[arg(value_name = "KEY")]
    pub key: PathBuf,
}

const VERIFY_HELP: &str = "\
EXAMPLES:
  A self-signed certificate, for the names clients use:
    certsmith verify --host localhost --host 127.0.0.1 certs/certificate.pem

  A certificate from `certsmith gen --ca certs/ca`, against that CA:
    certsmith verify --ca certs/ca/ca.pem --host myapp.local certs/certificate.pem

  A CA-issued chain (leaf, then intermediates) against the CA clients trust:
    certsmith verify --ca /etc/ssl/certs/ca-certificates.crt --host example.com fullchain.pem

  The pair Granian will load: the key must match and be in a form Granian reads:
    certsmith verify --key certs/private_key.pem --host localhost certs/certificate.pem

  Every service's certificate (gen --out-dir certs/SERVICE), failing on warnings too:
    certsmith verify --ca certs/ca/ca.pem --warn-days 14 --strict certs/*/certificate.pem

  As of a given time, as JSON:
    certsmith --json --at 2027-06-01T00:00:00Z verify --ca certs/ca/ca.pem certs/certificate.pem

EXIT STATUS:
  0  every file passes: no error finding (warnings allowed, unless --strict)
  1  a file has a problem: an error finding (or any warning with --strict)
  2  certsmith could not do its job: bad usage, an unreadable file (the others are
     still reported), an unusable --ca, --untrusted or --key, a wrong key password";

/// Check certificate files as rustls, Granian and clients will: chain, names, dates, keys
///
/// Each CERT file is what a server sends (Granian sends the whole file): the server's
/// certificate first, then its intermediates. The chain is verified with rustls-webpki,
/// the verifier rustls clients use, for server authentication: trust anchors from --ca,
/// intermediates from the file and from --untrusted. Without --ca, a self-signed
/// certificate is checked against itself (as a client told to trust it would), and a
/// CA-issued one gets a warning that trust was not checked.
///
/// Every problem is reported, not only the first: versions and extensions rustls cannot
/// load, CA certificates served as a server's, names (rustls' rules: a wildcard matches one
/// label, an IP address needs an IP SAN, the CN is ignored), usages, dates, key sizes and
/// types Granian cannot load, signatures, and the order of the file.
#[derive(Debug, Args)]
#[command(after_long_help = VERIFY_HELP)]
pub struct VerifyArgs {
    /// A name clients connect with (DNS name or IP address); repeat for several
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,

    /// Certificates clients trust (PEM or DER, one or many per file); repeatable
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<PathBuf>,

    /// Intermediate certificates to use besides those in each file; repeatable
    #[arg(long, value_name = "FILE")]
    pub untrusted: Vec<PathBuf>,

    /// Warn about certificates that expire within DAYS days (0: never)
    #[arg(long, value_name = "DAYS", default_value_t = crate::pki::checks::WARN_DAYS)]
    pub warn_days: u32,

    /// Count warnings as problems: exit 1 on any warning
    #[arg(long)]
    pub strict: bool,

    /// The private key served with the certificates: it must match each leaf, in a form
    /// Granian loads (an encrypted key's password from --password-file/--password-env)
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    #[command(flatten)]
    pub password: PasswordArgs,

    /// Certificate files as the server sends them (leaf first); `-` reads standard input
    #[arg(value_name = "CERT", required = true)]
    pub files: Vec<PathBuf>,
}

const COMPLETIONS_HELP: &str = "\
EXAMPLES:
  bash (for your user):
    mkdir -p ~/.local/share/bash-completion/completions
    certsmith completions bash > ~/.local/share/bash-completion/completions/certsmith

  zsh (a folder on your $fpath):
    certsmith completions zsh > ~/.zfunc/_certsmith

  fish:
    certsmith completions fish > ~/.config/fish/completions/certsmith.fish

EXIT STATUS:
  0  the script was printed
  2  bad usage";

/// Print a shell completion script
#[derive(Debug, Args)]
#[command(after_long_help = COMPLETIONS_HELP)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

const MAN_HELP: &str = "\
EXAMPLES:
  Read it now:
    certsmith man | man -l -

  Install the pages for every command (certsmith.1, certsmith-gen.1, …):
    mkdir -p ~/.local/share/man/man1
    for c in '' gen ca 'ca create' inspect verify match-key connect doctor; do
      certsmith man $c > ~/.local/share/man/man1/certsmith${c:+-${c/ /-}}.1
    done

EXIT STATUS:
  0  the page was printed
  2  bad usage (an unknown COMMAND)";

/// Print a man page (roff) for certsmith or one of its commands
#[derive(Debug, Args)]
#[command(after_long_help = MAN_HELP)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `gen` or `ca create` [default: the main page]
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}

const CONNECT_HELP: &str = "\
EXAMPLES:
  A local Granian with a certificate from `certsmith gen --ca certs/ca`:
    certsmith connect --ca certs/ca/ca.pem localhost:8443

  A server by address, checking the name clients use (as `curl --resolve` would):
    certsmith connect --servername myapp.local --ca certs/ca/ca.pem 127.0.0.1:8443

  What a server serves even when it does not verify (as `curl -k`, but saying why):
    certsmith connect --insecure https://staging.example.com/

  Does the server speak TLS 1.3, as Granian requires by default? As JSON:
    certsmith --json connect --tls-min 1.3 --alpn h2 example.com

EXIT STATUS:
  0  the handshake completed, the certificate verified for the name, no error finding
     (with --insecure: the handshake completed; verification problems are warnings)
  1  the server's TLS is wrong: verification failed, plain HTTP on the port, no common
     TLS version, a failed handshake, or another error finding
  2  no TLS server could be reached (the name did not resolve, the connection was refused,
     no answer within --timeout), or bad usage, or an unreadable --ca";

/// Connect to a TLS server and say what it serves and whether rustls clients accept it
///
/// Connects with rustls (the TLS stack Granian serves with; aws-lc-rs provider), offering
/// TLS 1.3 and 1.2 and ALPN h2, http/1.1, and reports the address connected to, the TLS
/// version, cipher suite, key exchange and ALPN protocol negotiated, and the certificate
/// chain exactly as served (each certificate described as `certsmith inspect` does).
///
/// The chain is verified as a rustls client verifies it, for the server name (SNI: the
/// host, or --servername), against --ca or else the system's trust store (SSL_CERT_FILE
/// and SSL_CERT_DIR are honoured, as by OpenSSL, curl and Python); then the checks of
/// `certsmith verify` run on the served chain, with its finding codes. Failures are
/// explained: nothing listening, plain HTTP where TLS was expected, no common TLS version,
/// an unknown CA, a name the certificate does not cover.
#[derive(Debug, Args)]
#[command(after_long_help = CONNECT_HELP)]
pub struct ConnectArgs {
    /// The name to send as SNI and to verify the certificate for [default: TARGET's host]
    #[arg(long, value_name = "NAME")]
    pub servername: Option<String>,

    /// Trust these CA certificates (PEM or DER) instead of the system's; repeatable
    #[arg(long, value_name = "FILE")]
    pub ca: Vec<PathBuf>,

    /// ALPN protocols to offer, comma-separated; an empty LIST offers none
    #[arg(long, value_name = "LIST", default_value = "h2,http/1.1")]
    pub alpn: String,

    /// The lowest TLS version to offer (TLS 1.3 is always offered)
    #[arg(long, value_enum, value_name = "VERSION", default_value_t = TlsMin::Tls12)]
    pub tls_min: TlsMin,

    /// Give up when resolving, connecting and the handshake together take longer (10s, 500ms, 2m)
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Complete the handshake even when the certificate does not verify (as `curl -k`);
    /// what would have failed is still reported, as warnings
    #[arg(long)]
    pub insecure: bool,

    /// `host`, `host:port`, `[IPv6]:port` or an `https://` URL; the port defaults to 443
    #[arg(value_name = "TARGET")]
    pub target: String,
}

/// The TLS versions `--tls-min` allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TlsMin {
    #[value(name = "1.2")]
    Tls12,
    #[value(name = "1.3")]
    Tls13,
}

/// `10s`, `500ms`, `2m`, or a bare number of seconds → a duration from 1 ms to 1 hour.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let millis_per_unit: u64 = match unit.trim() {
        "ms" => 1,
        "" | "s" => 1000,
        "m" | "min" => 60_000,
        _ => 0,
    };
    match number.parse::<u64>().ok().and_then(|n| n.checked_mul(millis_per_unit)) {
        Some(ms @ 1..=3_600_000) => Ok(Duration::from_millis(ms)),
        _ => Err(format!("expected a duration from 1ms to 60m such as 10s, 500ms or 2m, found {text:?}")),
    }
}

const DOCTOR_HELP: &str = "\
EXAMPLES:
  A compose deployment, as `docker compose up` will run it (reads the .env beside it):
    certsmith doctor --compose compose.yaml

  Only the service that runs Granian, whose container runs as uid 1000:
    certsmith doctor --compose compose.yaml --service core --container-uid 1000

  A .env file whose paths are container paths, without a compose file:
    certsmith doctor --env-file .env --map /certs=./certs --no-environ

  Granian run on this machine with exported variables, for the name clients use:
    certsmith doctor --host myapp.local

  As JSON, as of a given time:
    certsmith --json --at 2027-06-01T00:00:00Z doctor --compose compose.yaml

EXIT STATUS:
  0  nothing at error severity was found (warnings allowed)
  1  a problem: an error finding (Granian will not start, serves plain HTTP, or clients
     will reject it)
  2  certsmith could not do its job: a compose or .env file is missing or cannot be
     parsed (the message gives its line and column), bad usage, nothing to check";

/// Check a Granian deployment's TLS settings and files together, before it starts
///
/// Reads what the process will get: the process environment (unless --no-environ), .env
/// files in docker compose's syntax, and with --compose each service's environment,
/// env_file and volumes (interpolated from the .env beside the compose file, as compose
/// does). Then, per service: Granian's TLS variables (unknown names such as the guide's
/// GRANIAN_SSL_CA_CERTS, values Granian refuses, a certificate without a key, which makes
/// Granian serve plain HTTP); the files (mounted into the container, present, readable,
/// also by the container's user); what is in them (verify's checks, for the host names in
/// TARANIS_CORE_URL/TARANIS_CORE_API and --host, and match-key's, with the configured
/// password); and the clients (http:// core URLs, SSL_VERIFICATION=False).
///
/// The certificate's chain is checked against the CA bundles the clients are given
/// (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, CURL_CA_BUNDLE, NODE_EXTRA_CA_CERTS), or, when
/// none is, as verify checks a file without --ca.
#[derive(Debug, Args)]
#[command(after_long_help = DOCTOR_HELP)]
pub struct DoctorArgs {
    /// A .env file in docker compose's syntax (repeatable; later files win). With
    /// --compose, the files compose interpolates from instead of the .env beside the
    /// compose file, as with `docker compose --env-file`
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,

    /// A compose file: each service's environment, env_file and volumes
    #[arg(long, value_name = "FILE")]
    pub compose: Option<PathBuf>,

    /// Check only this service (repeatable) [default: every service with a Granian TLS,
    /// core URL or CA bundle variable]
    #[arg(long = "service", value_name = "NAME", requires = "compose")]
    pub services: Vec<String>,

    /// A container path and the host folder or file it is (repeatable); with --compose,
    /// in addition to each service's volumes
    #[arg(long = "map", value_name = "CONTAINER_PATH=HOST_PATH", value_parser = crate::deploy::env::parse_map)]
    pub maps: Vec<crate::deploy::env::Mount>,

    /// Ignore the process environment: read only the files given
    #[arg(long)]
    pub no_environ: bool,

    /// The user the containers run as, to check they can read the files [default: each
    /// service's `user:` when it is numeric]
    #[arg(long, value_name = "UID[:GID]", value_parser = parse_ids)]
    pub container_uid: Option<crate::deploy::env::Ids>,

    /// A name clients connect with, besides the hosts of the core URLs (repeatable)
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
}

fn parse_ids(text: &str) -> Result<crate::deploy::env::Ids, String> {
    crate::deploy::env::Ids::parse(text)
        .ok_or_else(|| format!("expected a numeric UID or UID:GID, such as 1000, found {text:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn durations_take_ms_s_and_m() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("3"), Ok(Duration::from_secs(3)));
        for bad in ["", "s", "0s", "1.5s", "-1s", "10h", "61m", "99999999999999999999s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}

const TRUST_HELP: &str = "\
EXAMPLES:
  Make the CA in the CA home trusted by this machine's stores (system, NSS, Java):
    certsmith trust install

  See the exact commands first, one per line, ready to paste:
    certsmith trust install --dry-run

  Check, as in CI (exit 1 when a store found does not trust the CA):
    certsmith trust status

  The system's roots plus the CA, for SSL_CERT_FILE / REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE:
    certsmith trust bundle --out certs/ca-bundle.pem

  Undo:
    certsmith trust uninstall

EXIT STATUS:
  see each subcommand's --help";

/// Make the local CA trusted: by the host's trust stores, or in a bundle for clients
///
/// `install`, `uninstall` and `status` work on the system store, NSS databases (Firefox,
/// Chromium) and Java's cacerts, as mkcert finds them. `bundle` writes the system's roots
/// plus the CA, the file a variable that replaces a client's roots must point at.
#[derive(Debug, Args)]
#[command(after_long_help = TRUST_HELP)]
pub struct TrustArgs {
    #[command(subcommand)]
    pub command: TrustCommand,
}

#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    Install(TrustChangeArgs),
    /// Remove certsmith's entry for the local CA from the host's trust stores
    ///
    /// Only the entry named `certsmith-<first 16 hex of the CA's SHA-256>` is removed;
    /// nothing else in a store is touched.
    #[command(after_long_help = TRUST_UNINSTALL_HELP)]
    Uninstall(TrustChangeArgs),
    Status(TrustStatusArgs),
    Bundle(TrustBundleArgs),
    Compose(TrustComposeArgs),
}

/// The trust stores `--store` chooses among.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StoreArg {
    /// The OS store OpenSSL, curl, Python, Go and rustls-native-certs read
    System,
    /// NSS databases: Firefox profiles, Chromium's ~/.pki/nssdb (certutil, libnss3-tools)
    Nss,
    /// $JAVA_HOME's cacerts (keytool)
    Java,
}

/// Whose native commands --dry-run prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlatformArg {
    Linux,
    Macos,
    Windows,
    Wsl,
}

const TRUST_INSTALL_HELP: &str = "\
EXAMPLES:
  Every store found on this machine (as root, or add --sudo):
    certsmith trust install

  Only the system store, asking sudo for the privileged commands:
    certsmith trust install --store system --sudo

  The exact commands, one per line, to read or paste:
    certsmith trust install --dry-run

  What to run on a Mac or in Windows, for the same CA:
    certsmith trust install --dry-run --platform macos
    certsmith trust install --dry-run --platform windows

  A CA kept elsewhere:
    certsmith trust install --ca certs/ca

EXIT STATUS:
  0  every chosen store trusts the CA now (or already did); with --dry-run, the commands were printed
  1  a store was left as it was: a missing tool (the package is named), a failed command,
     or root needed without --sudo (the command is printed)
  2  nothing was done: no CA, no store found, bad options";

const TRUST_UNINSTALL_HELP: &str = "\
EXAMPLES:
  Remove certsmith's entry (named certsmith-<fingerprint>) from every store found:
    certsmith trust uninstall

  The exact commands, without running them:
    certsmith trust uninstall --dry-run

EXIT STATUS:
  0  no chosen store holds certsmith's entry for the CA any more
  1  a store was left as it was (missing tool, failed command, root needed)
  2  nothing was done: no CA, no store found, bad options";

/// Add the local CA to the host's trust stores (system, NSS, Java)
///
/// Each store gets an entry named `certsmith-<first 16 hex of the CA's SHA-256>`, so
/// `uninstall` removes certsmith's entry and nothing else. Commands run without a shell;
/// privileged ones run through sudo only with --sudo. A store whose tool is missing is
/// reported with the package to install, and the other stores go on.
#[derive(Debug, Args)]
#[command(after_long_help = TRUST_INSTALL_HELP)]
pub struct TrustChangeArgs {
    /// The CA: its folder (with ca.pem) or its certificate file [default: the CA home]
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub ca: Option<PathBuf>,

    /// Only this kind of store (repeatable) [default: every store found]
    #[arg(long, value_enum, value_name = "STORE")]
    pub store: Vec<StoreArg>,

    /// Print the exact commands, one per line, instead of running them
    #[arg(long)]
    pub dry_run: bool,

    /// Run the commands that need root through sudo (when not root)
    #[arg(long)]
    pub sudo: bool,

    /// Print the commands of another platform's system store (with --dry-run)
    #[arg(long, value_enum, value_name = "PLATFORM", requires = "dry_run")]
    pub platform: Option<PlatformArg>,
}

const TRUST_STATUS_HELP: &str = "\
EXAMPLES:
  Does every store found trust the CA in the CA home?
    certsmith trust status

  Each store, its kind, path and state, for scripts:
    certsmith --json trust status

EXIT STATUS:
  0  every store found trusts the CA
  1  a store found does not (or cannot be asked: its tool is missing)
  2  no CA, or no store found";

/// Say whether each trust store on this host trusts the local CA
#[derive(Debug, Args)]
#[command(after_long_help = TRUST_STATUS_HELP)]
pub struct TrustStatusArgs {
    /// The CA: its folder (with ca.pem) or its certificate file [default: the CA home]
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub ca: Option<PathBuf>,

    /// Only this kind of store (repeatable) [default: every store found]
    #[arg(long, value_enum, value_name = "STORE")]
    pub store: Vec<StoreArg>,
}

const TRUST_BUNDLE_HELP: &str = "\
EXAMPLES:
  A bundle for a container's SSL_CERT_FILE, REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE:
    certsmith trust bundle --out certs/ca-bundle.pem

  On stdout:
    certsmith trust bundle > ca-bundle.pem

  From another set of roots (SSL_CERT_FILE is read as rustls-native-certs reads it):
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt certsmith trust bundle --out ca-bundle.pem

EXIT STATUS:
  0  the bundle was written (or was already up to date), or printed
  2  nothing was written: no CA, no system roots found, an existing file certsmith did not
     make (without --force)";

/// Write one PEM file holding the system's roots plus the local CA
///
/// SSL_CERT_FILE, REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE replace a client's roots: pointed
/// at the CA alone they break every public HTTPS call. Point them at this bundle instead.
/// The roots are what rustls-native-certs finds (SSL_CERT_FILE and SSL_CERT_DIR
/// respected); the CA appears once. The same inputs give the same bytes; a file is
/// replaced only when certsmith made it (its first line says so), or with --force.
#[derive(Debug, Args)]
#[command(after_long_help = TRUST_BUNDLE_HELP)]
pub struct TrustBundleArgs {
    /// The CA: its folder (with ca.pem) or its certificate file [default: the CA home]
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub ca: Option<PathBuf>,

    /// Write the bundle to FILE (mode 0644) instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace FILE even when certsmith did not make it
    #[arg(long, requires = "out")]
    pub force: bool,
}

const TRUST_COMPOSE_HELP: &str = "\
EXAMPLES:
  Every service of ./compose.yaml that makes HTTPS calls, then start as usual:
    certsmith trust compose
    docker compose up

  Another compose file, and only two services:
    certsmith trust compose --compose deploy/compose.yaml --service worker --service frontend

  A CA kept elsewhere:
    certsmith trust compose --ca certs/ca

EXIT STATUS:
  0  the override and the bundle were written (or were already up to date)
  2  nothing was written: no compose file, no CA, no system roots, a service that does not
     exist, an existing override without --force";

/// Write a compose override that gives client containers the CA, so verification stays on
///
/// For every service that makes HTTPS calls (an https URL or healthcheck, a CA bundle
/// variable, SSL_VERIFICATION, Granian serving HTTPS), or the services named: mounts the
/// bundle (the system's roots plus the CA, written beside the CA's ca.pem as
/// ca-bundle.pem) and the CA read-only under /etc/ssl/certsmith, points SSL_CERT_FILE,
/// REQUESTS_CA_BUNDLE and CURL_CA_BUNDLE (which replace a client's roots) at the bundle
/// and NODE_EXTRA_CA_CERTS (which adds to them) at the CA. Prints the settings that turn
/// verification off, which can then be deleted. compose.override.yaml is read by `docker
/// compose` by itself, beside compose.yaml.
#[derive(Debug, Args)]
#[command(after_long_help = TRUST_COMPOSE_HELP)]
pub struct TrustComposeArgs {
    /// The compose file [default: compose.yaml, compose.yml, docker-compose.yaml or docker-compose.yml here]
    #[arg(long, value_name = "FILE")]
    pub compose: Option<PathBuf>,

    /// Only this service (repeatable) [default: every service that makes HTTPS calls]
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,

    /// Write the override to FILE [default: compose.override.yaml beside the compose file]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Replace the override file when it exists and differs
    #[arg(long)]
    pub force: bool,

    /// The CA: its folder (with ca.pem) or its certificate file [default: the CA home]
    #[arg(long, value_name = "DIR_OR_FILE")]
    pub ca: Option<PathBuf>,

    /// Interpolate the compose file with these env files instead of the .env beside it (repeatable)
    #[arg(long = "env-file", value_name = "FILE")]
    pub env_files: Vec<PathBuf>,
}
