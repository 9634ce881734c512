//! Names a certificate is for: each command-line NAME classified as mkcert does (IP
//! address, email, URI, else DNS), normalised (IDN → punycode, lower case, no trailing
//! dot) and validated the way rustls will later read it. An address pasted where a name
//! belongs (a web URL, `NAME:PORT`) is recognised, with the host it names.

use std::fmt;
use std::net::IpAddr;

use rustls_pki_types::DnsName;
use serde::Serialize;

/// One subjectAltName to put in a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum SubjectName {
    Dns(String),
    Ip(IpAddr),
    Email(String),
    Uri(String),
}

impl fmt::Display for SubjectName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Dns(n) | Self::Email(n) | Self::Uri(n) => f.write_str(n),
            Self::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

impl SubjectName {
    /// The kind as people say it: `DNS`, `IP`, `email`, `URI`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Dns(_) => "DNS",
            Self::Ip(_) => "IP",
            Self::Email(_) => "email",
            Self::Uri(_) => "URI",
        }
    }

    /// A name a TLS client connects to (DNS or IP), for `--host` style checks.
    pub fn is_host(&self) -> bool {
        matches!(self, Self::Dns(_) | Self::Ip(_))
    }
}

/// Why a NAME cannot go into a certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a valid {kind}: {reason}")]
pub struct NameError {
    pub name: String,
    pub kind: &'static str,
    pub reason: String,
}

fn invalid(name: &str, kind: &'static str, reason: impl Into<String>) -> NameError {
    NameError { name: name.to_owned(), kind, reason: reason.into() }
}

/// Classifies and normalises one NAME.
pub fn parse(name: &str) -> Result<SubjectName, NameError> {
    let trimmed = name.trim();
    if trimmed.is_empty() {
        return Err(invalid(name, "name", "it is empty"));
    }
    let unbracketed = trimmed.strip_prefix('[').and_then(|n| n.strip_suffix(']')).unwrap_or(trimmed);
    if let Ok(ip) = unbracketed.parse::<IpAddr>() {
        return Ok(SubjectName::Ip(ip));
    }
    if let Some((address, zone)) = unbracketed.split_once('%')
        && address.parse::<std::net::Ipv6Addr>().is_ok()
    {
        return Err(invalid(
            name,
            "IP address",
            format!(
                "the zone %{zone} names an interface of one machine and cannot be in a certificate; give {address}"
            ),
        ));
    }
    if trimmed.contains("://") {
        return uri(trimmed);
    }
    if let Some((local, domain)) = trimmed.rsplit_once('@') {
        return email(trimmed, local, domain);
    }
    dns(trimmed).map(SubjectName::Dns)
}

/// Parses every NAME, dropping repeats (after normalisation) and keeping order.
pub fn parse_all<S: AsRef<str>>(names: &[S]) -> Result<Vec<SubjectName>, NameError> {
    let mut out: Vec<SubjectName> = Vec::with_capacity(names.len());
    for name in names {
        let parsed = parse(name.as_ref())?;
        if !out.contains(&parsed) {
            out.push(parsed);
        }
    }
    Ok(out)
}

fn uri(name: &str) -> Result<SubjectName, NameError> {
    let parsed = url::Url::parse(name).map_err(|e| invalid(name, "URI", e.to_string()))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid(name, "URI", "it has no host"));
    }
    Ok(SubjectName::Uri(parsed.to_string()))
}

fn email(name: &str, local: &str, domain: &str) -> Result<SubjectName, NameError> {
    // RFC 5280 §4.2.1.6: rfc822Name is an RFC 5322 addr-spec; the local part stays as
    // written, the domain is a DNS name (IDNs as punycode, RFC 8398 aside).
    // The dot-atom form (RFC 5322 §3.4.1), as mkcert accepts it: no quoting, no "mailto:".
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if local.split('.').any(|atom| atom.is_empty() || !atom.chars().all(atext)) {
        return Err(invalid(
            name,
            "email address",
            "the part before @ is letters, digits and !#$%&'*+-/=?^_`{|}~, in dot-separated parts (no spaces, colons or \"mailto:\")",
        ));
    }
    let domain = dns(domain).map_err(|e| invalid(name, "email address", e.reason))?;
    if domain.starts_with('*') {
        return Err(invalid(name, "email address", "a wildcard cannot be part of an email address"));
    }
    Ok(SubjectName::Email(format!("{local}@{domain}")))
}

/// A DNS name: IDN → punycode, lower case, no trailing dot; a wildcard only as the whole
/// leftmost label (RFC 6125 §6.4.3 as browsers and rustls apply it).
fn dns(name: &str) -> Result<String, NameError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let (wildcard, rest) = match name.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, name),
    };
    if rest.contains('*') {
        return Err(invalid(
            name,
            "DNS name",
            "a wildcard must be the whole leftmost label, as in *.example.test (one level only)",
        ));
    }
    let ascii = idna::domain_to_ascii(rest).map_err(|_| invalid(name, "DNS name", dns_problem(rest)))?;
    if ascii.split('.').all(|label| label.chars().all(|c| c.is_ascii_digit())) {
        return Err(invalid(name, "DNS name", "it looks like an IP address but is not a valid one"));
    }
    DnsName::try_from(ascii.as_str()).map_err(|_| invalid(name, "DNS name", dns_problem(&ascii)))?;
    Ok(if wildcard { format!("*.{ascii}") } else { ascii })
}

/// What is wrong with a name IDNA or rustls refused, in the terms of RFC 1035 §2.3.4.
fn dns_problem(name: &str) -> String {
    if name.chars().count() > 253 {
        return format!("it is {} characters long; a DNS name has at most 253", name.chars().count());
    }
    for label in name.split('.') {
        let length = label.chars().count();
        let shown: String = label.chars().take(24).collect();
        let shown = if length > 24 { format!("{shown}…") } else { shown };
        if label.is_empty() {
            return "it has an empty label (two dots in a row, or a dot at the start)".to_owned();
        }
        if let Some(c) = label.chars().find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_')) {
            return format!("it contains {c:?}; labels are letters, digits, hyphens and underscores");
        }
        if length > 63 {
            return format!("the label {shown} is {length} characters long; a label has at most 63");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return format!("the label {shown} starts or ends with a hyphen");
        }
    }
    "it is not a valid domain name (IDNA, RFC 5891)".to_owned()
}

/// A wildcard directly under a top-level domain (`*.test`, `*.localhost`): browsers and
/// most clients refuse to match it, as mkcert warns.
pub fn is_wildcard_under_tld(name: &SubjectName) -> bool {
    matches!(name, SubjectName::Dns(n) if n.starts_with("*.") && n.matches('.').count() == 1)
}

/// The host in an address pasted where a host name belongs: an `http(s)://` URL
/// (`https://your-domain.com:8443/api`, a guide's `TARANIS_CORE_URL`) or `NAME:PORT`
/// (`example.com:8443`, `[::1]:8443`). `None` for anything else, URIs of other schemes
/// (`spiffe://…`) included: those are names in their own right.
pub fn host_of_address(text: &str) -> Option<String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        let url = url::Url::parse(text).ok()?;
        let host = url.host_str()?;
        return Some(host.trim_start_matches('[').trim_end_matches(']').to_owned());
    }
    let (host, port) = text.rsplit_once(':')?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let host = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6,
        // An IPv6 address without brackets has colons of its own: not a port.
        None if host.contains(':') => return None,
        None => host,
    };
    parse(host).ok().filter(SubjectName::is_host).map(|_| host.to_owned())
}

/// The public suffix a wildcard sits directly under, when the Public Suffix List's ICANN
/// section has it (`*.com`, `*.co.uk`): no CA may issue such a wildcard and clients refuse
/// to match it. A private suffix (`*.github.io`) is a registrable wildcard, and an unknown
/// top-level label (`*.test`) is [`is_wildcard_under_tld`]'s warning.
pub fn wildcard_public_suffix(name: &SubjectName) -> Option<&str> {
    let SubjectName::Dns(dns) = name else { return None };
    let base = dns.strip_prefix("*.")?;
    let suffix = psl::suffix(base.as_bytes())?;
    let icann = suffix.is_known() && suffix.typ() == Some(psl::Type::Icann);
    (icann && suffix.as_bytes() == base.as_bytes()).then_some(base)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_addresses_give_their_host() {
        assert_eq!(host_of_address("https://your-domain.com:8443/api").as_deref(), Some("your-domain.com"));
        assert_eq!(host_of_address("HTTP://Example.test/").as_deref(), Some("example.test"));
        assert_eq!(host_of_address("https://[::1]:8443/").as_deref(), Some("::1"));
        assert_eq!(host_of_address("example.com:8443").as_deref(), Some("example.com"));
        assert_eq!(host_of_address("[::1]:8443").as_deref(), Some("::1"));
        assert_eq!(host_of_address("127.0.0.1:8443").as_deref(), Some("127.0.0.1"));
        for not_an_address in ["example.com", "::1", "fe80::1", "spiffe://cluster.local/ns/a", "a@b.test", "x:y"] {
            assert_eq!(host_of_address(not_an_address), None, "{not_an_address}");
        }
    }

    #[test]
    fn wildcards_under_public_suffixes_are_found() {
        let suffix = |n: &str| wildcard_public_suffix(&parse(n).unwrap()).map(str::to_owned);
        assert_eq!(suffix("*.com").as_deref(), Some("com"));
        assert_eq!(suffix("*.co.uk").as_deref(), Some("co.uk"));
        for fine in ["*.example.com", "*.github.io", "*.test", "example.com"] {
            assert_eq!(suffix(fine), None, "{fine}");
        }
    }

    #[test]
    fn classifies_like_mkcert() {
        assert_eq!(parse("localhost").unwrap(), SubjectName::Dns("localhost".into()));
        assert_eq!(parse("127.0.0.1").unwrap(), SubjectName::Ip("127.0.0.1".parse().unwrap()));
        assert_eq!(parse("::1").unwrap(), SubjectName::Ip("::1".parse().unwrap()));
        assert_eq!(parse("[::1]").unwrap(), SubjectName::Ip("::1".parse().unwrap()));
        assert_eq!(parse("ops@Example.TEST").unwrap(), SubjectName::Email("ops@example.test".into()));
        assert_eq!(
            parse("spiffe://cluster.local/ns/a").unwrap(),
            SubjectName::Uri("spiffe://cluster.local/ns/a".into())
        );
        assert_eq!(parse("API.Example.test.").unwrap(), SubjectName::Dns("api.example.test".into()));
        assert_eq!(parse("my_service").unwrap(), SubjectName::Dns("my_service".into()));
    }

    #[test]
    fn idns_become_punycode() {
        assert_eq!(parse("bücher.example").unwrap(), SubjectName::Dns("xn--bcher-kva.example".into()));
        assert_eq!(parse("*.bücher.example").unwrap(), SubjectName::Dns("*.xn--bcher-kva.example".into()));
    }

    #[test]
    fn wildcards_only_as_the_leftmost_label() {
        assert!(parse("*.example.test").is_ok());
        for bad in ["*", "a.*.test", "foo*.example.test", "*.*.example.test"] {
            let err = parse(bad).unwrap_err();
            assert!(err.reason.contains("leftmost"), "{bad}: {err}");
        }
        assert!(is_wildcard_under_tld(&parse("*.test").unwrap()));
        assert!(!is_wildcard_under_tld(&parse("*.example.test").unwrap()));
    }

    #[test]
    fn invalid_names_say_why() {
        assert!(parse("127.1").unwrap_err().reason.contains("IP address"));
        assert!(parse("-bad.example").unwrap_err().reason.contains("hyphen"));
        assert!(parse("exa mple.test").is_err());
        assert!(parse("").is_err());
        assert!(parse("https://").is_err());
        assert!(parse("a b@example.test").unwrap_err().kind == "email address");
        assert!(parse(&format!("{}.test", "a".repeat(64))).is_err());
    }

    #[test]
    fn each_invalid_name_gets_its_own_reason() {
        let reason = |name: &str| parse(name).unwrap_err().reason;
        assert!(reason("foo..test").contains("empty label"), "{}", reason("foo..test"));
        let long = format!("{}.test", "a".repeat(64));
        assert!(reason(&long).contains("64 characters"), "{}", reason(&long));
        assert!(reason("foo bar.test").contains("' '"), "{}", reason("foo bar.test"));
        assert!(reason("bad-.test").contains("hyphen"), "{}", reason("bad-.test"));
        assert!(reason("fe80::1%eth0").contains("zone"), "{}", reason("fe80::1%eth0"));
        for address in ["mailto:a@b.test", "a:b@c.test", ".a@b.test", "a..b@c.test"] {
            assert_eq!(parse(address).unwrap_err().kind, "email address", "{address}");
        }
        assert_eq!(parse("first.last+tag@b.test").unwrap(), SubjectName::Email("first.last+tag@b.test".into()));
    }

    #[test]
    fn repeats_are_dropped_in_order() {
        let names = parse_all(&["b.test", "a.test", "B.test"]).unwrap();
        assert_eq!(names, vec![SubjectName::Dns("b.test".into()), SubjectName::Dns("a.test".into())]);
    }
}
