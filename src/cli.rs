//! The command line, as clap derive types only: flags, help text, EXAMPLES and EXIT
//! STATUS sections. Nothing here does work; `app` turns these into plans.
//!
//! Conventions: explicit `short = 'x'` only; `long` implied; upper-case `value_name`;
//! the first doc line is the short help, the rest is `--help`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use time::OffsetDateTime;

const ABOUT: &str = "TLS certificates for rustls and Granian: generate, inspect, verify, match keys";

const TOP_EXAMPLES: &str = "\
EXAMPLES:
  Say what is in a certificate, key, CSR or CA bundle:
    certsmith inspect certs/certificate.pem certs/private_key.pem

  The same as JSON, for scripts:
    certsmith --json inspect certs/certificate.pem

  Evaluate expiry as of a given time:
    certsmith --at 2027-06-01T00:00:00Z inspect certs/certificate.pem

EXIT STATUS:
  0  nothing at error severity was found
  1  the thing examined has a problem (an error finding; warnings too with --strict)
  2  certsmith could not do its job: bad usage, unreadable input, refused action";

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
pub enum Command {
    Inspect(InspectArgs),
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
