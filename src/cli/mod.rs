//! The command line, as clap derive types only: flags, help text, EXAMPLES and EXIT
//! STATUS sections. Nothing here does work; `app` turns these into plans.
//!
//! Conventions: explicit `short = 'x'` only; `long` implied; upper-case `value_name`;
//! the first doc line is the short help, the rest is `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod ca;
mod connect;
mod docs;
mod doctor;
mod generate;
mod inspect;
mod trust;
mod verify;

pub use ca::*;
pub use connect::*;
pub use docs::*;
pub use doctor::*;
pub use generate::*;
pub use inspect::*;
use time::OffsetDateTime;
pub use trust::*;
pub use verify::*;

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
    certsmith verify --ca \"$(certsmith ca path)/ca.pem\" --host myapp.local certs/certificate.pem

  See what a running server serves, and whether a rustls client accepts it:
    certsmith connect --ca \"$(certsmith ca path)/ca.pem\" localhost:8443

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

/// The help section of the flags every command takes.
const GLOBAL: &str = "Global options";

/// Flags every command takes, before or after the command name.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Output format: `human` for people, `json` for scripts (one document on stdout),
    /// `prometheus` and `nagios` for monitoring (verify, connect)
    #[arg(long, global = true, value_enum, default_value_t = Format::Human, value_name = "FORMAT", help_heading = GLOBAL)]
    pub format: Format,

    /// Shorthand for --format json
    #[arg(long, global = true, conflicts_with = "format", help_heading = GLOBAL)]
    pub json: bool,

    /// When to colour output; colour is never used when NO_COLOR is set
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN", help_heading = GLOBAL)]
    pub color: ColorWhen,

    /// Treat TIME as now for every time-dependent statement (RFC 3339, e.g. 2027-01-01T00:00:00Z)
    #[arg(long, global = true, value_name = "TIME", value_parser = crate::clock::parse_time, help_heading = GLOBAL)]
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
    /// Prometheus text format (verify, connect), x509-certificate-exporter's metric names
    Prometheus,
    /// A Nagios/Icinga plugin's status line and exit codes (verify, connect)
    Nagios,
}

/// Thresholds and output for monitoring (`--format nagios|prometheus`), for verify and connect.
#[derive(Debug, Args)]
pub struct MonitorArgs {
    /// Warn about certificates that expire within DAYS days (0: never)
    #[arg(long, value_name = "DAYS", default_value_t = crate::pki::checks::WARN_DAYS, help_heading = MONITORING)]
    pub warn_days: u32,

    /// With --format nagios: CRITICAL when a certificate expires within DAYS days
    #[arg(long, value_name = "DAYS", default_value_t = 7, help_heading = MONITORING)]
    pub crit_days: u32,

    /// With --format prometheus: write the metrics to PATH atomically, for node_exporter's
    /// textfile collector (nothing on stdout)
    #[arg(long, value_name = "PATH", help_heading = MONITORING)]
    pub textfile: Option<PathBuf>,
}

const MONITORING: &str = "Monitoring";

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
                CaCommand::Crl(_) => "ca crl",
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
    // `rsa`, as the guide's `openssl genrsa 2048` makes it.
    #[value(name = "rsa-2048", alias = "rsa")]
    Rsa2048,
    #[value(name = "rsa-3072")]
    Rsa3072,
    #[value(name = "rsa-4096")]
    Rsa4096,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
