//! Name checks: does the leaf cover each `--host` as rustls checks it (SAN only, a wildcard
//! one leftmost label, an IP address needs an IP SAN, the CN is ignored), and as OpenSSL
//! clients do, which fall back to the CN for a DNS name when the SAN has no DNS name.

use super::*;

/// Each `--host` as rustls matches it (RFC 6125 as webpki implements it: wildcards match
/// one leftmost label, an IP address needs an IP SAN, the CN is ignored).
pub(super) fn names(leaf: &Parsed<'_>, hosts: &[Host], findings: &[Finding]) -> Vec<Finding> {
    let Ok(ee) = EndEntityCert::try_from(&leaf.cert.der) else {
        return Vec::new(); // webpki cannot read the leaf: already reported.
    };
    let summary = leaf.summary();
    let covered: Vec<&str> = summary.san.dns.iter().chain(&summary.san.ip).map(String::as_str).collect();
    let mut out = Vec::new();
    let no_san = findings.iter().any(|f| f.code == Code::NoSubjectAltName);
    for host in hosts {
        let Err(error) = ee.verify_is_valid_for_subject_name(&host.name) else { continue };
        // curl falls back to the CN only without any DNS or IP SAN (Python with no DNS SAN).
        let by_cn =
            summary.san.dns.is_empty() && summary.san.ip.is_empty() && cn_covers(summary.common_name.as_deref(), host);
        if no_san {
            // no-subject-alt-name speaks for rustls clients and browsers; OpenSSL clients
            // fail only when the CN does not cover the name either.
            if !by_cn {
                out.push(cn_mismatch(leaf, summary, host));
            }
            continue;
        }
        let (code, why, hint) = match error {
            webpki::Error::CertNotValidForName(_) => (
                Code::NameMismatch,
                format!(
                    "it is not valid for {}: rustls clients and browsers reject it for that name; it covers {}",
                    host.text,
                    if covered.is_empty() { "no DNS name or IP address".to_owned() } else { covered.join(", ") }
                ),
                format!("connect with a name it covers, or issue one that also covers {}: {FIX}", host.text),
            ),
            other => webpki_error(&other),
        };
        let remedy = (code == Code::NameMismatch).then(|| checks::reissue(summary, Some(&host.text)));
        let (why, parties) = if code == Code::NameMismatch && by_cn {
            (format!("{why}; curl and Python accept it by its CN"), Parties::RUSTLS.with(Parties::BROWSERS))
        } else {
            (why, Parties::of(code))
        };
        // One finding per name that does not match; other errors (a SAN webpki cannot
        // read) are the same for every name.
        let repeated = code != Code::NameMismatch && out.iter().any(|f: &Finding| f.code == code);
        if !explained(findings, code) && !repeated {
            let issue = Issue::new(code, why, hint).affecting(parties);
            let issue = match remedy {
                Some(remedy) => issue.remedy(remedy),
                None => issue,
            };
            out.push(issue.into_own_finding(leaf.cert.source.clone()));
        }
    }
    out
}

/// OpenSSL's fallback (`X509_check_host`): a DNS name matches the CN exactly, ignoring
/// case, or by a wildcard standing for the whole leftmost label.
fn cn_covers(cn: Option<&str>, host: &Host) -> bool {
    let (Some(cn), ServerName::DnsName(_)) = (cn, &host.name) else { return false };
    let host = host.text.trim_end_matches('.');
    match cn.strip_prefix("*.") {
        Some(rest) => host.split_once('.').is_some_and(|(_, parent)| parent.eq_ignore_ascii_case(rest)),
        None => cn.eq_ignore_ascii_case(host),
    }
}

/// A certificate without SAN whose CN does not cover `host` either: OpenSSL clients fail too.
fn cn_mismatch(leaf: &Parsed<'_>, summary: &CertSummary, host: &Host) -> Finding {
    let cn = summary.common_name.as_deref().map_or_else(|| "it has no CN".to_owned(), |cn| format!("its CN is {cn}"));
    Issue::new(
        Code::NameMismatch,
        format!(
            "it is not valid for {}: it has no subjectAltName and {cn}, so curl and Python, which fall back to the CN, reject it for that name too",
            host.text
        ),
        format!("issue one whose SAN covers {}: {FIX}", host.text),
    )
    .remedy(checks::reissue(summary, Some(&host.text)))
    .affecting(Parties::OPENSSL)
    .into_own_finding(leaf.cert.source.clone())
}
