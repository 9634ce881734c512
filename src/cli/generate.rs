//! `certsmith gen`: its flags, help and examples.

use std::path::PathBuf;

use clap::Args;

use super::*;

const GEN_HELP: &str = "\
WHAT IT WRITES:
  An X.509 v3 certificate with the names in its subjectAltName, CA:FALSE, serverAuth and a
  random serial, and a new unencrypted PKCS#8 key (mode 0600), by default to
  certs/certificate.pem and certs/private_key.pem. NAMEs are DNS names (IDNs become
  punycode; `*.example.test` covers one label) and IP addresses; a URL or NAME:PORT gives
  its host. Emails and URIs of other schemes go in as they are.

  Existing files are never replaced without --force (or --if-needed), and the refusal is
  atomic: of two runs on one folder, one writes and the other exits 2. Runs on one folder
  take turns (a lock on the folder). Each file is written to a temporary file, synced and
  renamed, so a file is always the old one or the new one, never torn, and a key is never
  readable by others. If a run is killed between renaming the key and the certificate, the
  pair may not match until the next `certsmith gen` (or `ca create`) in that folder, which
  first completes the interrupted change from its journal (.certsmith-journal) and removes
  every temporary file.

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

  The Granian variables for a .env file (container paths under /certs), kept in step:
    certsmith gen --if-needed --print-env >> .env

EXIT STATUS:
  0  the files were written (or, with --if-needed, kept because they are still good)
  2  nothing was written: bad names or options, an existing file without --force, an unusable CA or key";

/// Make a certificate and key that rustls, Granian, OpenSSL, curl and browsers accept
// One screen of options: no long description or long-only text (either switches clap to
// its spaced layout); what they would say is in GEN_HELP, after the options.
#[derive(Debug, Args)]
#[command(after_help = GEN_HELP)]
pub struct GenArgs {
    /// Names the certificate is for [default: localhost 127.0.0.1 ::1]
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,

    /// Folder for the files (created if missing)
    #[arg(long, value_name = "DIR", default_value = "certs", help_heading = FILES)]
    pub out_dir: PathBuf,

    /// Certificate path [default: DIR/certificate.pem]
    #[arg(long, value_name = "FILE", help_heading = FILES)]
    pub cert_file: Option<PathBuf>,

    /// Private key path [default: DIR/private_key.pem]
    #[arg(long, value_name = "FILE", help_heading = FILES)]
    pub key_file: Option<PathBuf>,

    /// Type of the new key [default: ecdsa-p256]
    #[arg(long, value_enum, value_name = "TYPE", help_heading = CERT)]
    pub key_type: Option<KeyTypeArg>,

    /// Reuse this key (any encoding inspect reads) instead of making one; it is not copied
    /// unless --key-file is given
    #[arg(long, value_name = "FILE", conflicts_with = "key_type", help_heading = CERT)]
    pub key: Option<PathBuf>,

    /// Subject common name [default: the first DNS name]
    #[arg(long, value_name = "TEXT", help_heading = CERT)]
    pub cn: Option<String>,

    /// Subject organization
    #[arg(long, value_name = "TEXT", default_value = "certsmith development certificate", help_heading = CERT)]
    pub org: String,

    /// Days the certificate is valid (over 825 days, Apple platforms reject it)
    #[arg(long, value_name = "DAYS", default_value_t = 365, value_parser = clap::value_parser!(u32).range(1..=36500), help_heading = CERT)]
    pub days: u32,

    /// Also allow the certificate for TLS client authentication (EKU clientAuth)
    #[arg(long, help_heading = CERT)]
    pub client: bool,

    /// Issue from the local CA in DIR (ca.pem and ca-key.pem, as `certsmith ca create` makes);
    /// without DIR, the CA home (`certsmith ca path`)
    #[arg(long, value_name = "DIR", num_args = 0..=1, conflicts_with_all = ["ca_cert", "ca_key"], help_heading = ISSUER)]
    pub ca: Option<Option<PathBuf>>,

    /// Issue from this CA certificate (with --ca-key)
    #[arg(long, value_name = "FILE", requires = "ca_key", help_heading = ISSUER)]
    pub ca_cert: Option<PathBuf>,

    /// The CA's private key (with --ca-cert)
    #[arg(long, value_name = "FILE", requires = "ca_cert", help_heading = ISSUER)]
    pub ca_key: Option<PathBuf>,

    /// Replace existing files
    #[arg(long, conflicts_with = "if_needed", help_heading = KEEP)]
    pub force: bool,

    /// Keep existing files when they still match, cover every NAME, chain to the requested
    /// issuer and stay valid beyond --renew-within (outputs added since, such as --der, are
    /// written from the kept pair); otherwise replace them and say why
    #[arg(long, alias = "if-missing", help_heading = KEEP)]
    pub if_needed: bool,

    /// With --if-needed: renew when the certificate expires within DAYS
    #[arg(long, value_name = "DAYS", default_value_t = crate::pki::checks::WARN_DAYS, requires = "if_needed", help_heading = KEEP)]
    pub renew_within: u32,

    /// Mode of the private key file; 0644 lets a container user other than the owner read
    /// it (and every other local user too)
    #[arg(long, value_name = "MODE", default_value = "0600", value_parser = parse_mode, help_heading = FILES)]
    pub key_mode: u32,

    /// Also write the certificate and key as DER (certificate.der, private_key.der)
    #[arg(long, help_heading = ALSO)]
    pub der: bool,

    /// Also write a PKCS#12 bundle (AES-256-CBC, PBKDF2-SHA256; for Java, Windows, browsers),
    /// protected by the password from --password-file or --password-env
    #[arg(long, value_name = "FILE", help_heading = ALSO)]
    pub p12: Option<PathBuf>,

    /// Accept an empty password for --p12 (refused otherwise: anyone could read the key in it)
    #[arg(long, requires = "p12", help_heading = ALSO)]
    pub p12_empty_password: bool,

    /// Unlocks an encrypted --key or CA key, and protects --p12
    #[command(flatten, next_help_heading = "Password (an encrypted --key or CA key, --p12)")]
    pub password: PasswordArgs,

    /// Also write a kubernetes.io/tls Secret manifest named NAME (DIR/NAME.secret.yaml, mode 0600)
    #[arg(long, value_name = "NAME", help_heading = ALSO)]
    pub k8s_secret: Option<String>,

    /// Print only the Granian environment lines (for `>> .env`)
    #[arg(long, help_heading = ENV)]
    pub print_env: bool,

    /// Folder where the container sees the files (with --k8s-secret: where the Secret is
    /// mounted, so the lines name its tls.crt and tls.key), for the environment lines
    #[arg(long, value_name = "DIR", default_value = "/certs", help_heading = ENV)]
    pub container_dir: String,
}

// gen's option sections, in the order of a run: where, what, from whom, keep or
// replace, what else to write, the environment lines.
const FILES: &str = "Files";
const CERT: &str = "Certificate and key";
const ISSUER: &str = "Issuer (default: self-signed)";
const KEEP: &str = "Existing files";
const ALSO: &str = "Also write";
const ENV: &str = "Environment lines";

/// `0600`, `644`, `0o640` → permission bits.
fn parse_mode(text: &str) -> Result<u32, String> {
    let digits = text.trim_start_matches("0o");
    match u32::from_str_radix(digits, 8) {
        Ok(mode) if mode <= 0o777 && !digits.is_empty() => Ok(mode),
        _ => Err(format!("expected an octal file mode such as 0600 or 0644, found {text:?}")),
    }
}
