//! Human layout of `doctor`: what was read, the host names clients use, then per service
//! (or for the environment) its TLS variables, a checklist (each line's status derived from
//! the service's findings, `skip` when it did not apply) and those findings with hints.

use std::io::{self, Write};

use super::{BOLD, DIM, GREEN, RED, YELLOW, findings};
use crate::finding::{Code, Finding, Severity};
use crate::report::data::doctor::DoctorData;
use crate::report::data::doctor::{Check, TargetData};

/// The verify codes doctor reports on the certificate line.
const CERTIFICATE_CODES: &[Code] = &[
    Code::NoCertificate,
    Code::ByteOrderMark,
    Code::CertificateNotPem,
    Code::UnsupportedCertVersion,
    Code::UnknownCriticalExtension,
    Code::MalformedCertificate,
    Code::CaUsedAsEndEntity,
    Code::NoSubjectAltName,
    Code::NameMismatch,
    Code::MissingServerAuthEku,
    Code::KeyUsageLacksDigitalSignature,
    Code::IssuerLacksKeyCertSign,
    Code::EmptyIssuerName,
    Code::Expired,
    Code::NotYetValid,
    Code::ExpiresSoon,
    Code::ValidityTooLong,
    Code::WeakSignatureAlgorithm,
    Code::WeakKey,
    Code::UnsupportedSignatureAlgorithm,
    Code::BadSignature,
    Code::UnknownIssuer,
    Code::TrustedNameCollision,
    Code::IssuerNotCa,
    Code::PathLenExceeded,
    Code::NameConstraintViolation,
    Code::ChainRejected,
    Code::ChainOrder,
];

/// Each checklist line: the check, what it says, the codes that make it fail. Every code
/// doctor gives is on exactly one line, or general (a unit test checks it).
pub(super) const CHECKLIST: &[(Check, &str, &[Code])] = &[
    (
        Check::Variables,
        "Granian's variables: names and values Granian knows",
        &[Code::UnknownGranianVariable, Code::InvalidGranianValue, Code::ClientVerifyWithoutCa],
    ),
    (
        Check::Pair,
        "certificate and key both set, so Granian serves HTTPS",
        &[Code::CertificateWithoutKey, Code::KeyWithoutCertificate],
    ),
    (
        Check::Files,
        FILES,
        &[
            Code::PathNotMounted,
            Code::FileNotFound,
            Code::NotAFile,
            Code::FileNotReadable,
            Code::FileNotChecked,
            Code::KeyReadableByOthers,
            Code::KeyUnreadableInContainer,
        ],
    ),
    (Check::Certificate, CERTIFICATE, CERTIFICATE_CODES),
    (
        Check::Key,
        KEY,
        &[
            Code::NoPrivateKey,
            Code::EncryptedKeyWithoutPassword,
            Code::WrongKeyPassword,
            Code::KeyMismatch,
            Code::CompressedPublicKey,
            Code::KeyFormatUnsupportedByGranian,
            Code::KeyUnsupportedByGranian,
        ],
    ),
    (Check::Crl, CRL, &[Code::CrlNotPem, Code::CrlNotFromCa, Code::CrlExpired]),
    (
        Check::Clients,
        "clients of the core API: https URLs where the core serves HTTPS, certificates verified",
        &[
            Code::CoreUrlNotHttps,
            Code::SslVerificationDisabled,
            Code::CaBundleReplacesSystemRoots,
            Code::UrlUnreachableInContainer,
        ],
    ),
];

const FILES: &str = "files: mounted, present, readable";
const CERTIFICATE: &str = "certificate: PEM, and verify's checks";
const CRL: &str = "CRLs: PEM, issued by GRANIAN_SSL_CA, not past their nextUpdate";
const KEY: &str = "key: PEM, decryptable, belongs to the certificate, loadable by Granian";

pub(super) fn render(out: &mut dyn Write, data: &DoctorData, all: &[Finding]) -> io::Result<()> {
    let sources: Vec<String> = data
        .sources
        .iter()
        .map(|s| format!("{} {DIM}({}, for {}){DIM:#}", shown_path(&s.path), s.kind, s.used_for))
        .collect();
    writeln!(out, "{BOLD}read{BOLD:#}   {}", sources.join(", "))?;
    if data.hosts.is_empty() {
        writeln!(
            out,
            "{BOLD}hosts{BOLD:#}  {DIM}none: no core URL (TARANIS_CORE_URL, TARANIS_CORE_API) and no --host{DIM:#}"
        )?;
    }
    for (i, host) in data.hosts.iter().enumerate() {
        let label = if i == 0 { "hosts" } else { "" };
        writeln!(out, "{BOLD}{label:<6}{BOLD:#} {host} {DIM}({}){DIM:#}", host.used_by.join("; "), host = host.name)?;
    }

    // Findings about no target (interpolation warnings) come first.
    let general: Vec<Finding> =
        all.iter().filter(|f| !data.targets.iter().any(|t| belongs(t, f, data.targets.len()))).cloned().collect();
    findings(out, &general)?;

    let mut counts = [0usize; 3];
    for target in &data.targets {
        let mine: Vec<Finding> = all.iter().filter(|f| belongs(target, f, data.targets.len())).cloned().collect();
        let slot = match mine.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => 2,
            Some(Severity::Warning) => 1,
            _ => 0,
        };
        if let Some(count) = counts.get_mut(slot) {
            *count += 1;
        }
        writeln!(out)?;
        target_heading(out, target, data)?;
        checklist(out, target, &mine, data)?;
        findings(out, &mine)?;
    }
    if !data.skipped.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{DIM}not checked (no Granian TLS, core URL or CA bundle variable): {}{DIM:#}",
            data.skipped.join(", ")
        )?;
    }
    if !data.not_selected.is_empty() {
        writeln!(out)?;
        writeln!(out, "{DIM}not selected (--service): {}{DIM:#}", data.not_selected.join(", "))?;
    }
    if data.targets.len() > 1 {
        let [ok, warned, failed] = counts;
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}{} services:{BOLD:#} {ok} pass, {warned} with warnings, {failed} with errors",
            data.targets.len()
        )?;
    }
    Ok(())
}

/// A finding is a target's when it names the service; without compose there is one target.
fn belongs(target: &TargetData, finding: &Finding, targets: usize) -> bool {
    match &finding.subject.service {
        Some(service) => *service == target.name,
        None => targets == 1 && target.kind == "environment" && finding.code != Code::UnsetVariable,
    }
}

fn shown_path(path: &str) -> &str {
    if path == crate::finding::place::ENVIRONMENT { "process environment" } else { path }
}

fn target_heading(out: &mut dyn Write, target: &TargetData, data: &DoctorData) -> io::Result<()> {
    let mut notes = Vec::new();
    if target.serves_tls {
        notes.push("serves HTTPS".to_owned());
    }
    if let Some(ids) = target.container_user {
        notes.push(format!("runs as uid {}", ids.uid));
    }
    let notes = if notes.is_empty() { String::new() } else { format!(": {}", notes.join(", ")) };
    let place = if target.kind == "service" {
        target.origin.to_string()
    } else {
        data.sources.iter().map(|s| shown_path(&s.path)).collect::<Vec<_>>().join(", ")
    };
    writeln!(out, "{BOLD}{}{BOLD:#} {DIM}({place}){DIM:#}{notes}", target.name)?;
    for var in &target.variables {
        let file = target.files.iter().find(|f| f.variable == var.name && f.path == var.value);
        let here = match file.and_then(|f| f.host_path.as_deref()) {
            Some(host) if host != var.value => format!(" {DIM}→ {host}{DIM:#}"),
            _ => String::new(),
        };
        // A value may span lines (a quoted .env value): one line here, its breaks shown.
        let value = crate::finding::place::visible(&var.value);
        writeln!(out, "    {DIM}{:<29}{DIM:#} {value}{here}", crate::finding::place::abbreviated(&var.name))?;
    }
    Ok(())
}

fn checklist(out: &mut dyn Write, target: &TargetData, mine: &[Finding], data: &DoctorData) -> io::Result<()> {
    if target.checked.is_empty() {
        return writeln!(out, "  {DIM}nothing to check: no Granian TLS, core URL or CA bundle variable{DIM:#}");
    }
    // A Granian target shows every Granian line (`skip` when a line could not run, such
    // as the certificate's when its file is missing); a client shows only its own. The
    // CRL line shows only where a CRL is configured.
    let granian = target.checked.contains(&Check::Pair);
    for (check, title, codes) in CHECKLIST {
        let applies = target.checked.contains(check);
        if !applies && (matches!(check, Check::Clients | Check::Crl) || !granian) {
            continue;
        }
        let worst = mine.iter().filter(|f| codes.contains(&f.code)).map(|f| f.severity).max();
        let (style, mark) = match worst {
            _ if !applies => (DIM, "skip"),
            Some(Severity::Error) => (RED, "FAIL"),
            Some(Severity::Warning) => (YELLOW, "warn"),
            Some(Severity::Info) => (DIM, "note"),
            None => (GREEN, "ok"),
        };
        let title = match *title {
            FILES => match target.container_user {
                Some(ids) => format!("{FILES}, also by uid {}", ids.uid),
                None => FILES.to_owned(),
            },
            // A client's certificates are its CA bundles.
            CERTIFICATE if !target.serves_tls => "CA bundles: PEM certificates".to_owned(),
            CERTIFICATE if data.hosts.is_empty() => {
                format!("{CERTIFICATE} {DIM}(no host names: pass --host NAME to check them){DIM:#}")
            }
            CERTIFICATE => format!(
                "{CERTIFICATE}, covering {}",
                data.hosts.iter().map(|h| h.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
            // Without the certificate the key was checked alone.
            KEY if !target.checked.contains(&Check::Certificate) => {
                "key: PEM, decryptable, loadable by Granian (not compared with the certificate, which was not read)"
                    .to_owned()
            }
            other => other.to_owned(),
        };
        if applies {
            writeln!(out, "  {style}{mark:<4}{style:#}  {title}")?;
        } else {
            writeln!(out, "  {style}{mark:<4}  {title}{style:#}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_doctor_code_is_on_exactly_one_checklist_line() {
        for code in Code::ALL {
            let lines = CHECKLIST.iter().filter(|(_, _, codes)| codes.contains(code)).count();
            let expected = usize::from(!super::super::ON_NO_CHECKLIST.contains(code));
            assert_eq!(lines, expected, "{code} is on {lines} checklist lines");
        }
    }
}
