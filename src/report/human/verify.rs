//! Human layout of `verify`: per file, the leaf and chain, one verdict line per party, a
//! checklist of what was checked (each item's status derived from the file's findings),
//! then those findings with hints.

use std::io::{self, Write};

use time::OffsetDateTime;

use super::{BOLD, DIM, GREEN, RED, YELLOW, field, findings};
use crate::clock;
use crate::finding::{Code, Finding, Party, Severity};
use crate::report::data::verify::{VerifiedFile, VerifyData};

/// The checklist: what each line says was checked, and the codes that make it fail.
/// Every code verify gives belongs to exactly one line (a unit test checks it).
const CHECKLIST: &[(&str, &[Code])] = &[
    (
        "rustls can load it: PEM, X.509 v3, no unknown critical extension, well-formed",
        &[
            Code::NoCertificate,
            Code::ByteOrderMark,
            Code::CertificateNotPem,
            Code::UnsupportedCertVersion,
            Code::UnknownCriticalExtension,
            Code::MalformedCertificate,
        ],
    ),
    (
        "a server certificate: not a CA, usable for TLS servers (serverAuth)",
        &[Code::CaUsedAsEndEntity, Code::MissingServerAuthEku, Code::KeyUsageLacksDigitalSignature],
    ),
    (NAMES, &[Code::NoSubjectAltName, Code::NameMismatch]),
    (
        "dates: valid now, not expiring soon, at most 825 days long",
        &[Code::Expired, Code::NotYetValid, Code::ExpiresSoon, Code::ValidityTooLong],
    ),
    (
        "keys and signatures: strong, loadable by Granian, verified",
        &[
            Code::WeakSignatureAlgorithm,
            Code::WeakKey,
            Code::KeyUnsupportedByGranian,
            Code::UnsupportedSignatureAlgorithm,
            Code::BadSignature,
            Code::EmptyIssuerName,
        ],
    ),
    (
        "chain to a trusted certificate",
        &[
            Code::UnknownIssuer,
            Code::TrustedNameCollision,
            Code::IssuerNotCa,
            Code::PathLenExceeded,
            Code::NameConstraintViolation,
            Code::ChainRejected,
            Code::IssuerLacksKeyCertSign,
        ],
    ),
    ("file order: the leaf first, then each issuer", &[Code::ChainOrder]),
    (
        KEY,
        &[
            Code::KeyMismatch,
            Code::CompressedPublicKey,
            Code::KeyFormatUnsupportedByGranian,
            Code::NoPrivateKey,
            Code::EncryptedKeyWithoutPassword,
            Code::WrongKeyPassword,
        ],
    ),
];

const KEY: &str = "the key";

const NAMES: &str = "names in subjectAltName";

pub(super) fn render(
    out: &mut dyn Write,
    data: &VerifyData,
    all: &[Finding],
    unreadable: usize,
    now: OffsetDateTime,
) -> io::Result<()> {
    let mut counts = [0usize; 3]; // ok, warnings, errors
    for (i, file) in data.files.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let about_file = |f: &&Finding| {
            let path = f.subject.path.as_deref();
            path == Some(file.path.as_str()) || (file.key.is_some() && path == file.key.as_deref())
        };
        let mine: Vec<Finding> = all.iter().filter(about_file).cloned().collect();
        let worst = mine.iter().map(|f| f.severity).max();
        let slot = match worst {
            Some(Severity::Error) => 2,
            Some(Severity::Warning) => 1,
            _ => 0,
        };
        if let Some(count) = counts.get_mut(slot) {
            *count += 1;
        }
        heading(out, file, now)?;
        verdicts(out, file, &data.parties)?;
        checklist(out, file, &mine)?;
        findings(out, &mine)?;
    }
    let [ok, warned, failed] = counts;
    if data.files.len() + unreadable > 1 {
        writeln!(out)?;
        let unread = if unreadable > 0 { format!(", {unreadable} could not be read") } else { String::new() };
        writeln!(
            out,
            "{BOLD}{} files:{BOLD:#} {ok} pass, {warned} with warnings, {failed} with errors{unread}",
            data.files.len() + unreadable
        )?;
    }
    Ok(())
}

fn heading(out: &mut dyn Write, file: &VerifiedFile, now: OffsetDateTime) -> io::Result<()> {
    writeln!(out, "{BOLD}{}{BOLD:#}", file.path)?;
    let Some(leaf) = &file.leaf else { return Ok(()) };
    let name = leaf.common_name.as_deref().map_or_else(|| leaf.subject.clone(), |cn| format!("CN={cn}"));
    let expiry = if now > leaf.not_after { "expired" } else { "expires" };
    field(
        out,
        "leaf",
        format_args!(
            "{name}, {}, {expiry} {} ({})",
            leaf.public_key,
            clock::human(leaf.not_after),
            clock::relative(now, leaf.not_after)
        ),
    )?;
    for (i, link) in file.chain.iter().enumerate() {
        let mut notes = vec![link.source.to_string()];
        if i == 0 && link.trust_anchor {
            notes.push("self-signed, trusted as itself".to_owned());
        } else if link.trust_anchor {
            notes.push("trust anchor".to_owned());
        }
        let text = format!("{} {DIM}({}){DIM:#}", link.subject, notes.join(", "));
        if i == 0 {
            field(out, "chain", text)?;
        } else {
            field(out, "", format_args!("← {text}"))?;
        }
    }
    Ok(())
}

/// One line per party: Granian starts or fails, each kind of client accepts or rejects,
/// with the codes behind a failure. A party left out by --client is shown dimmed.
fn verdicts(out: &mut dyn Write, file: &VerifiedFile, asked: &[&str]) -> io::Result<()> {
    for party in Party::ALL {
        let verdict = file.verdicts.get(party);
        let style = match (asked.contains(&party.as_str()), verdict.fails()) {
            (false, _) => DIM,
            (true, true) => RED,
            (true, false) => GREEN,
        };
        let list = |codes: &[Code]| codes.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
        let why = match (verdict.codes.is_empty(), verdict.warnings.is_empty()) {
            (false, _) => format!(": {}", list(&verdict.codes)),
            (true, false) => format!(" {YELLOW}(some reject: {}){YELLOW:#}", list(&verdict.warnings)),
            (true, true) => String::new(),
        };
        field(out, party.label(), format_args!("{style}{}{style:#}{why}", verdict.result))?;
    }
    Ok(())
}

fn checklist(out: &mut dyn Write, file: &VerifiedFile, mine: &[Finding]) -> io::Result<()> {
    for (title, codes) in CHECKLIST {
        let worst = mine.iter().filter(|f| codes.contains(&f.code)).map(|f| f.severity).max();
        let (style, mark) = match worst {
            Some(Severity::Error) => (RED, "FAIL"),
            Some(Severity::Warning) => (YELLOW, "warn"),
            // Without a certificate that can be read, the other checks did not run.
            _ if file.leaf.is_none() => (DIM, "skip"),
            _ => (GREEN, "ok"),
        };
        let title = match *title {
            KEY => match &file.key {
                Some(key) => format!("the key {key}: matches the leaf, in a form Granian loads"),
                None => continue,
            },
            NAMES if file.names.is_empty() => format!("{NAMES} {DIM}(pass --host NAME to check them){DIM:#}"),
            NAMES => format!("{NAMES}, covering {}", file.names.join(", ")),
            other => other.to_owned(),
        };
        writeln!(out, "  {style}{mark:<4}{style:#}  {title}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::data::doctor::Check;

    #[test]
    fn every_verify_code_is_on_exactly_one_checklist_line() {
        for code in Code::ALL {
            let lines = CHECKLIST.iter().filter(|(_, codes)| codes.contains(code)).count();
            // doctor's own codes (its variables, pair, files and clients) are on its
            // checklist; the certificate and key lines are verify's checks.
            let doctors = super::super::doctor::CHECKLIST
                .iter()
                .filter(|(check, _, _)| !matches!(check, Check::Certificate | Check::Key))
                .any(|(_, _, codes)| codes.contains(code));
            let elsewhere = doctors || super::super::ON_NO_CHECKLIST.contains(code);
            let expected = usize::from(!elsewhere);
            assert_eq!(lines, expected, "{code} is on {lines} checklist lines");
        }
    }
}
