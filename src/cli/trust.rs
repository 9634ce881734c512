//! `certsmith trust install | uninstall | status | bundle | compose`: their flags, help and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

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
