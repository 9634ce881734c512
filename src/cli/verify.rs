//! `certsmith verify`: its flags, help and examples.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::*;
use crate::finding::Parties;

const VERIFY_HELP: &str = "\
EXAMPLES:
  A self-signed certificate, for the names clients use:
    certsmith verify --host localhost --host 127.0.0.1 certs/certificate.pem

  A certificate from certsmith's CA (`certsmith gen NAME --ca`), against that CA:
    certsmith verify --ca \"$(certsmith ca path)/ca.pem\" --host myapp.local certs/certificate.pem

  A CA-issued chain (leaf, then intermediates) against the CA clients trust:
    certsmith verify --ca /etc/ssl/certs/ca-certificates.crt --host example.com fullchain.pem

  The pair Granian will load: the key must match and be in a form Granian reads:
    certsmith verify --key certs/private_key.pem --host localhost certs/certificate.pem

  Only what curl and Python clients do decides the exit status:
    certsmith verify --client openssl --host localhost certs/certificate.pem

  Every service's certificate (gen --out-dir certs/SERVICE), failing on warnings too:
    certsmith verify --ca \"$(certsmith ca path)/ca.pem\" --warn-days 14 --strict certs/*/certificate.pem

  As of a given time, as JSON:
    certsmith --json --at 2027-06-01T00:00:00Z verify --ca \"$(certsmith ca path)/ca.pem\" certs/certificate.pem

VERDICTS:
  Each file gets a verdict per party: whether Granian starts with it (Python's
  load_cert_chain at OpenSSL security level 2, then rustls in its workers), and whether
  rustls clients, OpenSSL clients (curl, Python's ssl, requests, httpx) and browsers
  accept it. A finding that makes a party you asked about fail (--client; all of them by
  default) is an error; one that affects only the others is a warning.

EXIT STATUS:
  0  every file passes: no party asked about fails (warnings allowed, unless --strict)
  1  a party asked about fails on a file (or any warning with --strict)
  2  certsmith could not do its job: bad usage, a file it cannot reach (missing, a
     folder, no permission; the others are still reported), an unusable --ca or
     --untrusted. A file it can read always gets verdicts: one that holds no
     certificate, or a --key Granian cannot load (wrong or missing password), fails";

/// Check certificate files as rustls, Granian and clients will: chain, names, dates, keys
///
/// Each CERT file is what a server sends (Granian sends the whole file): the server's
/// certificate first, then its intermediates. The chain is verified with rustls-webpki,
/// the verifier rustls clients use, for server authentication: trust anchors from --ca,
/// intermediates from the file and from --untrusted. Without --ca, a self-signed
/// certificate is checked against itself (as a client told to trust it would), and a
/// CA-issued one gets a warning that trust was not checked.
///
/// A CERT may be a Kubernetes Secret manifest: its tls.crt is the certificate file, its
/// tls.key the key (as if given with --key, unless --key is), and its ca.crt the trusted
/// CA (unless --ca is given), as a pod mounting the Secret sees them. A CERT may be a
/// PKCS#12 bundle: its certificates, and its key; Granian fails (it reads PEM only).
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

    #[command(flatten)]
    pub monitor: MonitorArgs,

    /// Count warnings as problems: exit 1 on any warning
    #[arg(long)]
    pub strict: bool,

    /// Only these parties decide the exit status (repeatable; default: all of them)
    #[arg(long = "client", value_name = "PARTY", value_enum)]
    pub clients: Vec<Client>,

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

/// A party `--client` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Client {
    /// Granian starting with the pair
    Granian,
    /// rustls clients (rustls-webpki)
    Rustls,
    /// OpenSSL clients: curl, Python's ssl, requests, httpx
    Openssl,
    /// Chrome, Firefox, Safari
    Browsers,
}

impl VerifyArgs {
    /// The parties whose failure is an error.
    pub fn parties(&self) -> Parties {
        if self.clients.is_empty() {
            return Parties::ALL;
        }
        self.clients.iter().fold(Parties::NONE, |set, client| {
            set.with(match client {
                Client::Granian => Parties::GRANIAN,
                Client::Rustls => Parties::RUSTLS,
                Client::Openssl => Parties::OPENSSL,
                Client::Browsers => Parties::BROWSERS,
            })
        })
    }
}
