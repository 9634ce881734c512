//! `certsmith ca create` and `ca path`: their flags, help and examples.

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
