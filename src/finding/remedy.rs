//! What to do about a finding, as data. Domain code says *what* must change (a new
//! certificate with these names, the issuer trusted, the clients given the CA); the
//! command that does it is made by `commands::fix`, which knows the run: the files that
//! exist, the CA in use, the user's own flags and paths. JSON carries that command as a
//! finding's `fix`, and the human hint shows the same string where the hint says
//! [`FIX`].

/// Where a hint shows the command: replaced by it in backticks, or, when no command can
/// be pasted as it is (the CA's folder is unknown), by [`Remedy::template`].
pub const FIX: &str = "{fix}";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// A replacement certificate with `names`, from the CA whose subject is `issuer`, or
    /// self-signed when `None`; with a new key, or for the same key when `keep_key`.
    Reissue { names: Vec<String>, issuer: Option<String>, keep_key: bool },
    /// Check against what issued the certificate: itself when self-signed (`issuer` is
    /// `None`), else the CA with that subject.
    TrustIssuer { issuer: Option<String> },
    /// Make verification work for a deployment: a CA outside the project, trusted by the
    /// host, a certificate from it for `names`, and (with a compose file) the clients'
    /// override.
    TrustedPath { names: Vec<String>, compose: Option<String> },
    /// Give a compose project's clients the system's roots plus the CA (the compose file
    /// of the run, when `None`).
    TrustCompose { compose: Option<String> },
    /// Make the missing certificate (`is_key` false) or key file of a pair, at `file`.
    MakePair { file: String, is_key: bool },
    /// A DER file rewritten as PEM in place (a certificate, or a private key).
    ToPem { file: String, is_key: bool },
    /// Give the file to the numeric user a container runs as, keeping it private.
    GiveTo { uid: u32, file: String },
}

impl Remedy {
    /// The command's shape for a hint when it cannot be made runnable: placeholders in
    /// capitals.
    pub fn template(&self) -> String {
        match self {
            Self::Reissue { names, issuer, .. } => {
                let names = if names.is_empty() { "NAME...".to_owned() } else { names.join(" ") };
                let ca = if issuer.is_some() { " --ca CA_FOLDER" } else { "" };
                format!("`certsmith gen --force {names}{ca}`")
            }
            Self::TrustIssuer { .. } => "`certsmith verify --ca CA.pem FILE`".to_owned(),
            Self::TrustedPath { .. } | Self::TrustCompose { .. } => "`certsmith trust compose`".to_owned(),
            Self::MakePair { .. } => "`certsmith gen --cert-file CERT --key-file KEY NAME...`".to_owned(),
            Self::ToPem { file, is_key } => {
                let tool = if *is_key { "pkey" } else { "x509" };
                format!("`openssl {tool} -inform DER -in {} -out PEM_FILE`", super::place::shell_word(file))
            }
            Self::GiveTo { uid, file } => format!("`sudo chown {uid} {}`", super::place::shell_word(file)),
        }
    }
}
