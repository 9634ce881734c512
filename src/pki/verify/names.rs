//! Name checks: does the leaf cover each `--host` as rustls checks it (SAN only, a wildcard
//! one leftmost label, an IP address needs an IP SAN, the CN is ignored).

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
    for host in hosts {
        let Err(error) = ee.verify_is_valid_for_subject_name(&host.name) else { continue };
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
        // One finding per name that does not match; other errors (a SAN webpki cannot
        // read) are the same for every name.
        let repeated = code != Code::NameMismatch && out.iter().any(|f: &Finding| f.code == code);
        if !explained(findings, code) && !repeated {
            let issue = Issue::new(code, why, hint);
            let issue = match remedy {
                Some(remedy) => issue.remedy(remedy),
                None => issue,
            };
            out.push(issue.into_own_finding(leaf.cert.source.clone()));
        }
    }
    out
}
