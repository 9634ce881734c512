//! The human renderer: per-command layouts (one submodule each) and the shared pieces:
//! findings with their hints, and failures as `certsmith: error: …` / `hint: …`.
//! Styles are kept or dropped by the stream's [`Escaping`] gate, which `app` sets up per
//! stream: renderers neither know nor ask whether colour is on.

mod connect;
mod doctor;
mod escape;
mod generate;
mod inspect;
mod match_key;
mod trust;
mod verify;

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use time::OffsetDateTime;

use super::{Data, Report};
use crate::finding::Failure;
use crate::finding::{Finding, Severity};
pub use escape::Escaping;

/// A style: `{BOLD}text{BOLD:#}` writes the style, the text and the reset (`:#`, as
/// anstyle's own `Style` does); the output stream's [`Escaping`] keeps the styles when
/// colour is on and drops them when it is off, so renderers never ask.
#[derive(Clone, Copy)]
pub(crate) struct Paint(Style);

impl std::fmt::Display for Paint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // One write per style: that is how [`Escaping`] tells a style from a value.
        let code = if f.alternate() { self.0.render_reset().to_string() } else { self.0.render().to_string() };
        f.write_str(&code)
    }
}

/// The renderers' own styles and resets, as the bytes they write.
fn styles() -> &'static [String] {
    static STYLES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    STYLES.get_or_init(|| {
        [BOLD, DIM, RED, GREEN, YELLOW, CYAN]
            .iter()
            .flat_map(|p| [p.0.render().to_string(), p.0.render_reset().to_string()])
            .filter(|s| !s.is_empty())
            .collect()
    })
}

pub(crate) const BOLD: Paint = Paint(Style::new().bold());
pub(crate) const DIM: Paint = Paint(Style::new().dimmed());
pub(crate) const RED: Paint = Paint(AnsiColor::Red.on_default().bold());
pub(crate) const GREEN: Paint = Paint(AnsiColor::Green.on_default().bold());
pub(crate) const YELLOW: Paint = Paint(AnsiColor::Yellow.on_default().bold());
const CYAN: Paint = Paint(AnsiColor::Cyan.on_default().bold());

/// Renders a report; `now` is the run's "now", for relative times.
pub fn render(out: &mut dyn Write, report: &Report, now: OffsetDateTime) -> io::Result<()> {
    match &report.data {
        Data::Gen(data) if data.print_env => return generate::env_lines(out, data),
        // verify shows each file's findings under the file.
        Data::Verify(data) => return verify::render(out, data, &report.findings, report.errors.len(), now),
        // doctor shows each service's findings under the service.
        Data::Doctor(data) => return doctor::render(out, data, &report.findings),
        Data::Gen(data) => generate::render(out, data, now)?,
        Data::Ca(data) => generate::render_ca(out, data, now)?,
        Data::Crl(data) => generate::render_crl(out, data, now)?,
        Data::Inspect(data) => inspect::render(out, data, now)?,
        Data::MatchKey(data) => match_key::render(out, data)?,
        Data::Connect(data) => connect::render(out, data, now)?,
        // Each target's findings under the target, then a summary line.
        Data::ConnectMany(data) => return connect::render_many(out, data, &report.findings, report.errors.len(), now),
        Data::CaPath(_) | Data::Trust(_) | Data::TrustBundle(_) | Data::TrustCompose(_) => {
            trust::render(out, &report.data)?
        }
        Data::None => {}
    }
    findings(out, &report.findings)
}

/// Findings, most severe first, each with its code, subject, message and hint.
pub fn findings(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in sorted {
        let style = severity_style(f.severity);
        writeln!(out)?;
        writeln!(out, "{style}{}[{}]{style:#} {BOLD}{}{BOLD:#}", f.severity.as_str(), f.code, f.subject)?;
        writeln!(out, "  {}", f.message)?;
        if let Some(hint) = &f.hint {
            writeln!(out, "  {CYAN}hint:{CYAN:#} {hint}")?;
        }
    }
    Ok(())
}

/// `certsmith: error: <message>` and `hint: <hint>`, for stderr.
pub fn failure(out: &mut dyn Write, failure: &Failure) -> io::Result<()> {
    writeln!(out, "certsmith: {RED}error:{RED:#} {}", failure.message)?;
    if let Some(hint) = &failure.hint {
        writeln!(out, "{CYAN}hint:{CYAN:#} {hint}")?;
    }
    Ok(())
}

fn severity_style(severity: Severity) -> Paint {
    match severity {
        Severity::Error => RED,
        Severity::Warning => YELLOW,
        Severity::Info => CYAN,
    }
}

/// Writes `label  value` with labels aligned, indented under an object heading.
pub(crate) fn field(out: &mut dyn Write, label: &str, value: impl std::fmt::Display) -> io::Result<()> {
    writeln!(out, "    {DIM}{label:<17}{DIM:#} {value}")
}

/// Codes no checklist shows: gen's and connect's, trust's, and doctor's findings about
/// the project as a whole. Each checklist's test adds the codes of its own that are
/// shown elsewhere; a new code must go on a line or in a list.
#[cfg(test)]
const ON_NO_CHECKLIST: &[crate::finding::Code] = {
    use crate::finding::Code;
    &[
        Code::WildcardUnderTld,
        Code::NameFromAddress,
        Code::ClampedToCaExpiry,
        Code::KeyOutsideCertificateFolder,
        Code::DnsFailure,
        Code::ConnectionRefused,
        Code::ConnectionFailed,
        Code::Timeout,
        Code::PlainHttp,
        Code::ProtocolVersion,
        Code::HandshakeFailed,
        Code::ClientCertificateRequired,
        Code::ClientCertificateRejected,
        Code::ClientCertificateNotRequested,
        Code::CaNotTrusted,
        Code::TrustToolMissing,
        Code::TrustNeedsRoot,
        Code::TrustCommandFailed,
        Code::UnsetVariable,
        Code::ComposeNotFollowed,
        Code::CaKeyExposed,
        Code::HealthcheckInsecure,
        Code::HostIsAServiceName,
    ]
};
