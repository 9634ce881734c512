//! A certificate authority read from files, checked before anything is issued from it:
//! it must be a CA (RFC 5280 §4.2.1.9 basicConstraints cA, §4.2.1.3 keyCertSign), valid
//! now, and its key must belong to it.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use rcgen::KeyPair;
use rustls_pki_types::CertificateDer;
use time::OffsetDateTime;

use super::describe::{self, CertSummary};
use super::key;
use super::keymatch::{self, Pairing};
use super::load::{self, Input};
use super::names::SubjectName;
use crate::clock;
use crate::finding::Failure;
use crate::finding::Subject;
use crate::pki::password::Password;

/// An issuer ready to sign.
pub struct LocalCa {
    /// The CA certificate that signs (the first certificate of its file).
    pub cert: CertificateDer<'static>,
    /// What the server must send after the leaf: the signing certificate when it is an
    /// intermediate, then the file's other certificates that are not self-signed roots.
    /// A root is never part of a served chain (clients have it; RFC 8446 §4.4.2).
    pub intermediates: Vec<CertificateDer<'static>>,
    /// What clients trust: the file's self-signed root when it has one, else the signing
    /// certificate itself.
    pub anchor: CertificateDer<'static>,
    pub key: KeyPair,
    pub summary: CertSummary,
    /// The file clients must trust: the CA file as given.
    pub cert_path: String,
    /// Permitted DNS subtrees of its name constraints (empty: no DNS constraint).
    pub permitted_dns: Vec<String>,
    /// Permitted IP ranges of its name constraints (empty: no IP constraint).
    pub permitted_ip: Vec<IpRange>,
}

/// An IP address range of a name constraint (RFC 5280 §4.2.1.10): an address and a mask
/// of the same family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpRange {
    address: IpAddr,
    mask: IpAddr,
}

impl IpRange {
    /// From a constraint's iPAddress bytes: the address, then the mask (4 + 4 or 16 + 16).
    fn from_constraint(bytes: &[u8]) -> Option<Self> {
        let (address, mask) = bytes.split_at(bytes.len() / 2);
        let ip = |b: &[u8]| {
            <[u8; 4]>::try_from(b).map(IpAddr::from).ok().or_else(|| <[u8; 16]>::try_from(b).map(IpAddr::from).ok())
        };
        Some(Self { address: ip(address)?, mask: ip(mask)? })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        let (ip, address, mask) = (octets(ip), octets(self.address), octets(self.mask));
        ip.len() == address.len() && ip.iter().zip(&address).zip(&mask).all(|((o, a), m)| o & m == a & m)
    }
}

/// `127.0.0.0/8`.
impl fmt::Display for IpRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix: u32 = octets(self.mask).iter().map(|b| b.count_ones()).sum();
        write!(f, "{}/{prefix}", self.address)
    }
}

fn octets(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

/// With `--permit-dns`, IP addresses are limited too, or a leaked CA could still vouch
/// for a public address: loopback and the private ranges (RFC 1918, RFC 4193), where
/// development servers live.
pub const PERMITTED_IP_RANGES: [(IpAddr, u8); 6] = [
    (IpAddr::V4(Ipv4Addr::new(127, 0, 0, 0)), 8),
    (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0)), 8),
    (IpAddr::V4(Ipv4Addr::new(172, 16, 0, 0)), 12),
    (IpAddr::V4(Ipv4Addr::new(192, 168, 0, 0)), 16),
    (IpAddr::V6(Ipv6Addr::LOCALHOST), 128),
    (IpAddr::V6(Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0)), 7),
];

impl LocalCa {
    /// The requested names its name constraints forbid, by RFC 5280 §4.2.1.10 rules: a
    /// DNS name matches a subtree when it equals it or ends with "." + subtree; an IP
    /// address when it is in a range. Each kind is limited only when the CA lists
    /// subtrees of that kind.
    pub fn forbidden_names(&self, names: &[SubjectName]) -> Vec<String> {
        let dns_allowed = |name: &str| {
            let name = name.trim_start_matches("*.").to_ascii_lowercase();
            self.permitted_dns.iter().any(|p| {
                let p = p.trim_start_matches('.').to_ascii_lowercase();
                name == p || name.ends_with(&format!(".{p}"))
            })
        };
        names
            .iter()
            .filter_map(|name| match name {
                SubjectName::Dns(d) if !self.permitted_dns.is_empty() && !dns_allowed(d) => Some(d.clone()),
                SubjectName::Ip(ip)
                    if !self.permitted_ip.is_empty() && !self.permitted_ip.iter().any(|r| r.contains(*ip)) =>
                {
                    Some(ip.to_string())
                }
                _ => None,
            })
            .collect()
    }

    /// The constraints in words: `test, 127.0.0.0/8`.
    pub fn permitted_text(&self) -> String {
        let ips = self.permitted_ip.iter().map(ToString::to_string);
        self.permitted_dns.iter().cloned().chain(ips).collect::<Vec<_>>().join(", ")
    }
}

/// The permitted DNS subtrees and IP ranges of a CA certificate's name constraints.
fn permitted_subtrees(der: &[u8]) -> (Vec<String>, Vec<IpRange>) {
    use x509_parser::extensions::GeneralName;
    use x509_parser::prelude::FromDer;
    let (mut dns, mut ip) = (Vec::new(), Vec::new());
    let Ok((_, cert)) = x509_parser::certificate::X509Certificate::from_der(der) else { return (dns, ip) };
    let Ok(Some(nc)) = cert.name_constraints() else { return (dns, ip) };
    for subtree in nc.value.permitted_subtrees.iter().flatten() {
        match subtree.base {
            GeneralName::DNSName(n) => dns.push(n.to_owned()),
            GeneralName::IPAddress(bytes) => ip.extend(IpRange::from_constraint(bytes)),
            _ => {}
        }
    }
    (dns, ip)
}

/// Reads and checks a CA; `password` unlocks an encrypted CA key.
pub fn load(
    cert_input: &Input,
    key_input: &Input,
    now: OffsetDateTime,
    password: impl FnOnce() -> Result<Password, Failure>,
) -> Result<LocalCa, Failure> {
    let cert_file = load::load(cert_input)?;
    let name = cert_file.name.clone();
    let subject = Subject::file(&name, None);
    let bad = |message: String, hint: &str| Failure::new(message).hint(hint).about(subject.clone());
    let mut certs = cert_file.certificates().map(|(_, der)| der.clone());
    let cert =
        certs.next().ok_or_else(|| bad(format!("{name} holds no certificate"), "pass the CA certificate (ca.pem)"))?;
    let summary =
        describe::certificate(&cert).map_err(|e| bad(format!("{name}: {e}"), "pass the CA certificate (ca.pem)"))?;
    let (roots, others): (Vec<_>, Vec<_>) =
        certs.partition(|der| describe::certificate(der).is_ok_and(|s| s.self_signed));
    let anchor =
        if summary.self_signed { cert.clone() } else { roots.first().cloned().unwrap_or_else(|| cert.clone()) };
    let intermediates =
        if summary.self_signed { others } else { std::iter::once(cert.clone()).chain(others).collect() };

    if !summary.is_ca {
        return Err(bad(
            format!("{name} is not a CA certificate (no basicConstraints CA:TRUE): it cannot issue certificates"),
            "create a CA with `certsmith ca create` and pass its folder with --ca",
        ));
    }
    if !summary.key_usage.is_empty() && !summary.key_usage.contains(&"keyCertSign") {
        return Err(bad(
            format!("{name} is a CA certificate whose keyUsage lacks keyCertSign: clients reject what it signs"),
            "create a CA with `certsmith ca create`",
        ));
    }
    if now > summary.not_after || now < summary.not_before {
        return Err(bad(
            format!(
                "the CA {name} is not valid now (valid {} to {}): clients reject what it signs",
                clock::human(summary.not_before),
                clock::human(summary.not_after)
            ),
            "create a new CA with `certsmith ca create --force`, and have clients trust the new ca.pem",
        ));
    }

    let key_file = load::load(key_input)?;
    let key_name = key_file.name.clone();
    let key_subject = Subject::file(&key_name, None);
    let der = keymatch::first_private_key(&key_file, password)?;
    let spki = key::derive_spki(&der).map_err(|e| {
        Failure::new(format!("{key_name}: {e}")).hint("pass the CA's key (ca-key.pem)").about(key_subject.clone())
    })?;
    match keymatch::pairing(&keymatch::cert_spki_der(&cert), &spki) {
        Pairing::Same => {}
        Pairing::Compressed => {
            return Err(Failure::new(format!(
                "{name} stores its EC public key compressed; {key_name} is its key, but certsmith issues only from a CA certificate that holds the key uncompressed, the form rustls writes and compares"
            ))
            .hint("create a new CA with `certsmith ca create --force`, and have clients trust the new ca.pem")
            .about(Subject::file(&name, None)));
        }
        Pairing::Different => {
            return Err(Failure::new(format!("{key_name} is not the key of {name}"))
                .hint("pass the key that was created with the CA certificate (certsmith writes them side by side)")
                .about(key_subject));
        }
    }
    let key =
        super::build::key_from_der(&der).map_err(|e| Failure::new(format!("{key_name}: {e}")).about(key_subject))?;
    let (permitted_dns, permitted_ip) = permitted_subtrees(&cert);
    Ok(LocalCa { cert, intermediates, anchor, key, summary, cert_path: name, permitted_dns, permitted_ip })
}
