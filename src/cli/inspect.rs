//! `certsmith inspect` and `match-key`: their flags, help and examples.

use std::path::PathBuf;

use clap::Args;

use super::*;

const INSPECT_HELP: &str = "\
EXAMPLES:
  A certificate and its key; the matching pair shows the same spki sha256:
    certsmith inspect certs/certificate.pem certs/private_key.pem

  Every certificate in the system CA bundle, as JSON:
    certsmith --json inspect /etc/ssl/certs/ca-certificates.crt

  Whatever another command prints:
    openssl s_client -connect localhost:8443 -showcerts </dev/null | certsmith inspect -

  A Kubernetes Secret manifest (each of tls.crt, tls.key, ca.crt), as gen --k8s-secret
  or `kubectl create secret tls --dry-run=client -o yaml` write it:
    certsmith inspect certs/myapp-tls.secret.yaml

  A PKCS#12 bundle, its password from a variable:
    certsmith inspect --password-env P12_PASSWORD certs/bundle.p12

EXIT STATUS:
  0  every input was read (whatever was found in it: inspect states facts)
  2  an input could not be read; the others are still reported";

/// Say what is in certificate, key and CSR files: PEM, DER, PKCS#12, k8s Secrets
///
/// Reads PEM and DER files, Kubernetes Secret manifests (YAML or JSON: tls.crt, tls.key
/// and ca.crt of data or stringData) and PKCS#12 bundles (.p12/.pfx; AES, and the RC2 and
/// 3DES of `openssl pkcs12 -legacy`). For every object in every file: a certificate's version, names, validity, keys,
/// usages, extensions and fingerprints; a private key's algorithm, size and encoding
/// (never its private material); a CSR's subject, requested names and key. Problems that
/// make rustls or Granian reject a certificate are reported as warnings.
///
/// inspect does not check chains, trust or host names: run `certsmith verify` for that.
#[derive(Debug, Args)]
#[command(after_long_help = INSPECT_HELP)]
pub struct InspectArgs {
    /// The password of a PKCS#12 bundle (one without a password is opened without asking)
    #[command(flatten)]
    pub password: PasswordArgs,

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

  The pair in a Kubernetes Secret manifest (tls.crt and tls.key), or in a PKCS#12 bundle:
    certsmith match-key certs/myapp-tls.secret.yaml
    certsmith match-key --password-env P12_PASSWORD certs/bundle.p12

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
/// CERT may be a Kubernetes Secret manifest (its tls.crt) or a PKCS#12 bundle; KEY may be
/// too (its tls.key, its key), and may be left out when CERT holds the key as well.
///
/// An encrypted key's (or a bundle's) password comes from --password-file, --password-env,
/// or a prompt when standard input is a terminal; never from the command line.
#[derive(Debug, Args)]
#[command(after_long_help = MATCH_KEY_HELP)]
pub struct MatchKeyArgs {
    #[command(flatten)]
    pub password: PasswordArgs,

    /// Compare with certificate N of CERT, counted from 0 (0 is the first, the leaf)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub index: usize,

    /// The certificate file (PEM, DER, Secret manifest or PKCS#12; `-` reads standard input)
    #[arg(value_name = "CERT")]
    pub cert: PathBuf,

    /// The private key file (PEM, DER, Secret manifest or PKCS#12; `-` reads standard
    /// input); default: the key in CERT, for a Secret manifest or a PKCS#12 bundle
    #[arg(value_name = "KEY")]
    pub key: Option<PathBuf>,
}
