//! `certsmith doctor`: its flags, help and examples.

use std::path::PathBuf;

use clap::Args;

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
/// also by the container's user; a key every user can read, or only its owner when the
/// container's user is unknown); what is in them (verify's checks, for the host names in
/// TARANIS_CORE_URL/TARANIS_CORE_API and --host, and match-key's, with the configured
/// password); and the clients (http:// core URLs, SSL_VERIFICATION=False, URLs that reach
/// another service through the host's side of its published port).
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

    /// A name clients on this machine connect with, besides the hosts of the core URLs
    /// (repeatable)
    #[arg(long = "host", value_name = "NAME")]
    pub hosts: Vec<String>,
}

fn parse_ids(text: &str) -> Result<crate::deploy::env::Ids, String> {
    crate::deploy::env::Ids::parse(text)
        .ok_or_else(|| format!("expected a numeric UID or UID:GID, such as 1000, found {text:?}"))
}
