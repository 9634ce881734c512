//! `certsmith connect`: its flags, help and examples, and the duration parser.

use std::path::PathBuf;
use std::time::Duration;

use super::{MonitorArgs, PasswordArgs};
use clap::{Args, ValueEnum};

const CONNECT_HELP: &str = "\
EXAMPLES:
  A local Granian with a certificate from certsmith's CA (`certsmith gen NAME --ca`):
    certsmith connect --ca \"$(certsmith ca path)/ca.pem\" localhost:8443

  A server by address, checking the name clients use (as `curl --resolve` would):
    certsmith connect --servername myapp.local --ca \"$(certsmith ca path)/ca.pem\" 127.0.0.1:8443

  What a server serves even when it does not verify (as `curl -k`, but saying why):
    certsmith connect --insecure https://staging.example.com/

  Does the server speak TLS 1.3, as Granian requires by default? As JSON:
    certsmith --json connect --tls-min 1.3 --alpn h2 example.com

  Mutual TLS (Granian with GRANIAN_SSL_CA and GRANIAN_SSL_CLIENT_VERIFY), with a client
  certificate from certsmith's CA (`certsmith gen --client NAME --ca`):
    certsmith connect --ca \"$(certsmith ca path)/ca.pem\" --cert certs/certificate.pem --key certs/private_key.pem localhost:8443

  Many servers, 32 at a time, as Prometheus metrics:
    certsmith --format prometheus connect --jobs 32 --targets servers.txt

EXIT STATUS:
  0  the handshake completed, the certificate verified for the name, no error finding
     (with --insecure: the handshake completed; verification problems are warnings)
  1  the server's TLS is wrong: verification failed, plain HTTP on the port, no common
     TLS version, a failed handshake, or another error finding
  2  no TLS server could be reached (the name did not resolve, the connection was refused,
     no answer within --timeout), or bad usage, or an unreadable --ca, --cert or --key
  With several targets, the worst of them decides.";

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

    /// Present this client certificate (PEM or DER; the chain to send, leaf first) when the
    /// server asks for one (mutual TLS); with --key
    #[arg(long, value_name = "FILE", requires = "key")]
    pub cert: Option<PathBuf>,

    /// The private key of --cert (PKCS#8, PKCS#1, SEC1, encrypted or not; PEM or DER)
    #[arg(long, value_name = "FILE", requires = "cert")]
    pub key: Option<PathBuf>,

    #[command(flatten)]
    pub password: PasswordArgs,

    /// Read targets from FILE, one a line (blank lines and `#` comments skipped; at most 10000)
    #[arg(long = "targets", value_name = "FILE")]
    pub targets_file: Option<PathBuf>,

    /// Probe up to N targets at a time
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub jobs: u16,

    #[command(flatten)]
    pub monitor: MonitorArgs,

    /// `host`, `host:port`, `[IPv6]:port` or an `https://` URL; the port defaults to 443; repeatable
    #[arg(value_name = "TARGET", required_unless_present = "targets_file")]
    pub targets: Vec<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
