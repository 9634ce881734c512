//! `certsmith ca create`, `ca path` and `ca crl`: their flags, help and examples.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::*;

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
    certsmith ca create --if-needed

EXIT STATUS:
  0  the CA was written (or, with --if-needed, a usable one was kept)
  2  nothing was written (an existing file without --force, an unusable CA with
     --if-needed, bad options)";

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
    Crl(CaCrlArgs),
}

const CA_CRL_HELP: &str = "\
EXAMPLES:
  Revoke a client certificate issued from the CA home's CA, and write its crl.pem:
    certsmith ca crl --revoke client/certificate.pem

  Revoke by serial number (as `certsmith inspect` or `openssl x509 -serial` shows it):
    certsmith ca crl --revoke 4a:1f:09:c3:77:20:b1:5e:2d:8c:41:0a:9b:e6:33:70

  A fresh CRL (same revocations, new CRL number and dates) before the old one's
  nextUpdate, from a CA in a folder of its own, written where Granian reads it:
    certsmith ca crl --ca ca --out certs/crl.pem --days 7

  Granian then refuses the revoked client certificates (restart it to reload):
    granian --ssl-certificate certs/certificate.pem --ssl-keyfile certs/private_key.pem \\
      --ssl-ca ca/ca.pem --ssl-client-verify --ssl-crl certs/crl.pem app:app

EXIT STATUS:
  0  the CRL (and the record of revoked serials, revoked.json) was written
  2  nothing was written (an unusable CA, a --revoke that is neither a certificate of
     this CA nor a hex serial, an --out file that is not a CRL, bad options)";

/// Write a certificate revocation list (CRL) signed by the local CA
///
/// Every serial revoked with --revoke is kept in revoked.json in the CA folder, so each
/// run lists all of them; each CRL gets the next CRL number. The CRL is PEM (X.509 v2,
/// RFC 5280 §5), valid for --days, and replaced in place: publish it again before its
/// nextUpdate. Granian reads it with --ssl-crl (GRANIAN_SSL_CRL), only when client
/// verification is on (--ssl-ca and --ssl-client-verify).
#[derive(Debug, Args)]
#[command(after_long_help = CA_CRL_HELP)]
pub struct CaCrlArgs {
    /// The CA folder (ca.pem and ca-key.pem, as `certsmith ca create` makes) [default: the
    /// CA home]
    #[arg(long, value_name = "DIR")]
    pub ca: Option<PathBuf>,

    /// Revoke a certificate: its file, or its serial number in hex (repeatable)
    #[arg(long, value_name = "CERT|SERIAL")]
    pub revoke: Vec<String>,

    /// Where to write the CRL [default: crl.pem in the CA folder]
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Days until the CRL's nextUpdate
    #[arg(long, value_name = "DAYS", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=3650))]
    pub days: u32,
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
    #[arg(long, conflicts_with = "if_needed")]
    pub force: bool,

    /// Keep a usable CA that is already there (exit 0); create one only when there is none
    /// (`--if-missing`, its old name, still works)
    #[arg(long, alias = "if-missing")]
    pub if_needed: bool,
}
