//! What several commands read from their arguments the same way: `--host` names, and
//! the certificates of `--ca`, `--untrusted` and the files examined.

use crate::finding::Failure;
use crate::pki::load::{self, Input};
use crate::pki::names::{self, SubjectName};
use crate::pki::verify::{Host, Sourced};

/// `--host` arguments (verify, doctor): each a DNS name or an IP address.
pub fn parse_hosts(texts: &[String]) -> Result<Vec<Host>, Failure> {
    texts.iter().map(|text| parse_host(text)).collect()
}

/// One `--host`, in the forms gen takes names (IDN, trailing dot, IPv6 in brackets),
/// normalised as gen writes them; an address pasted instead is answered with its host.
fn parse_host(text: &str) -> Result<Host, Failure> {
    let word = crate::finding::place::shell_word;
    if let Some(host) = names::host_of_address(text) {
        return Err(Failure::new(format!("--host {} is an address, not a host name", word(text)))
            .hint(format!("pass the host alone: --host {}", word(&host))));
    }
    let parsed = names::parse(text).ok().filter(SubjectName::is_host);
    match parsed.map(|name| name.to_string()) {
        Some(name) if name.starts_with("*.") => {
            Err(Failure::new(format!("--host {} is a wildcard: a client connects to one name", word(text))).hint(
                format!(
                    "pass a name the wildcard should cover, such as --host {}",
                    word(&name.replacen('*', "www", 1))
                ),
            ))
        }
        Some(name) => Host::parse(&name).ok_or_else(|| not_a_host(text)),
        None => Err(not_a_host(text)),
    }
}

fn not_a_host(text: &str) -> Failure {
    Failure::new(format!("--host {text:?} is neither a DNS name nor an IP address"))
        .hint("pass the name clients connect with, such as `--host example.com` or `--host 127.0.0.1` (no scheme, port or wildcard)")
}

/// The certificates of a loaded file, in file order (keys and other blocks are ignored,
/// as rustls ignores them when Granian loads the certificate file). `flag` names the
/// option the file came with, for the message when it holds none.
pub fn certificates(file: &load::LoadedFile, flag: &str, hint: &str) -> Result<Vec<Sourced>, Failure> {
    let certs: Vec<Sourced> =
        file.certificates().map(|(index, der)| Sourced { der: der.clone(), source: file.subject(index) }).collect();
    if certs.is_empty() {
        // A glob such as certs/*.pem picks up the key beside the certificate.
        let holds_key = file.private_keys().next().is_some();
        let what = if holds_key { "a private key, not a certificate" } else { "no certificate" };
        let hint = if flag.is_empty() && holds_key {
            format!(
                "{hint}; name certificate files only (a glob such as certs/*.pem matches keys too), and pass the key with --key to check the pair"
            )
        } else {
            hint.to_owned()
        };
        return Err(Failure::new(format!("{}{flag} holds {what}", file.name)).hint(hint).about(file.subject(None)));
    }
    Ok(certs)
}

/// Every certificate of `--ca` or `--untrusted` files; any problem stops the run.
pub fn certificates_of(paths: &[std::path::PathBuf], flag: &str) -> Result<Vec<Sourced>, Failure> {
    let mut all = Vec::new();
    for path in paths {
        let file = load::load(&Input::from_arg(path))?;
        let hint = format!("{flag} takes PEM or DER certificates, such as a CA's certificate file");
        all.extend(certificates(&file, &format!(" ({flag})"), &hint)?);
    }
    Ok(all)
}
