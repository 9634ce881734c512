//! Human layout of `connect`: where it connected and what was negotiated, the verdict on
//! the certificate, then each certificate as served (described as inspect does). Findings
//! follow, from the shared renderer.

use std::io::{self, Write};

use time::OffsetDateTime;

use super::{BOLD, DIM, GREEN, RED, YELLOW, field, inspect};
use crate::finding::Finding;
use crate::report::data::connect::{ConnectData, ConnectManyData, TargetResult};

pub(super) fn render(out: &mut dyn Write, data: &ConnectData, now: OffsetDateTime) -> io::Result<()> {
    if data.address == data.target {
        writeln!(out, "{BOLD}{}{BOLD:#}", data.target)?;
    } else {
        writeln!(out, "{BOLD}{}{BOLD:#} {DIM}({}){DIM:#}", data.target, data.address)?;
    }
    let handshake =
        if data.handshake_complete { format!("{GREEN}complete{GREEN:#}") } else { format!("{RED}FAILED{RED:#}") };
    field(out, "handshake", handshake)?;
    let unknown = || format!("{DIM}not agreed{DIM:#}");
    field(out, "tls version", data.tls_version.clone().unwrap_or_else(unknown))?;
    field(out, "cipher suite", data.cipher_suite.clone().unwrap_or_else(unknown))?;
    if let Some(group) = &data.key_exchange {
        field(out, "key exchange", group)?;
    }
    let offered = if data.alpn_offered.is_empty() { "none".to_owned() } else { data.alpn_offered.join(", ") };
    let chosen = data.alpn.clone().unwrap_or_else(|| "none".to_owned());
    field(out, "alpn", format_args!("{chosen} {DIM}(offered {offered}){DIM:#}"))?;
    field(out, "server name", &data.server_name)?;
    field(out, "trust", &data.trust)?;
    field(out, "verified", verdict(data))?;
    if let Some(line) = client_line(data) {
        field(out, "client cert", line)?;
    }

    for served in &data.chain {
        let cert = &served.certificate;
        let name = cert.common_name.as_deref().unwrap_or(&cert.subject);
        let role = if served.position == 0 { " (the server's own)" } else { "" };
        writeln!(out)?;
        writeln!(out, "  #{} {BOLD}certificate{BOLD:#} {name}{DIM}{role}{DIM:#}", served.position)?;
        inspect::certificate(out, cert, now)?;
    }
    Ok(())
}

/// `yes: …`, `NO: …` or `skipped (--insecure): …`, from rustls' verdicts.
fn verdict(data: &ConnectData) -> String {
    let (Some(chain), Some(name)) = (data.chain_verified, data.name_verified) else {
        return format!("{RED}no{RED:#}: the handshake ended before the server sent a certificate");
    };
    let part = |ok: bool, what: &str| if ok { format!("{what} ok") } else { format!("{what} FAILS") };
    let parts = format!("{}, {}", part(chain, "chain"), part(name, &format!("name {}", data.server_name)));
    if data.verification_skipped {
        return format!("{YELLOW}skipped{YELLOW:#} (--insecure): {parts}");
    }
    if !(chain && name) {
        return format!("{RED}NO{RED:#}: {parts}");
    }
    let anchor = data.trust_path.iter().rev().find(|link| link.trust_anchor).map(|link| link.subject.as_str());
    let reaches = anchor.map(|a| format!("the chain reaches {a}")).unwrap_or_else(|| "the chain is trusted".to_owned());
    let verified =
        if data.verified { format!("{GREEN}yes{GREEN:#}") } else { format!("{YELLOW}certificate only{YELLOW:#}") };
    format!("{verified}: {reaches}, and the certificate covers {}", data.server_name)
}

/// Mutual TLS in one line: asked or not, the CA names, what was sent, the server's verdict.
fn client_line(data: &ConnectData) -> Option<String> {
    let c = &data.client_certificate;
    if !c.requested {
        return c.presented.as_ref().map(|p| format!("{YELLOW}not asked for{YELLOW:#}: {p} was not sent"));
    }
    let cas = if c.acceptable_cas.is_empty() {
        "no CA names listed".to_owned()
    } else {
        format!("CAs: {}", crate::report::data::connect::first_names(&c.acceptable_cas))
    };
    let sent = match (&c.presented_subject, c.sent) {
        (Some(subject), true) => format!("sent {subject}"),
        _ => "none sent".to_owned(),
    };
    let verdict = match (c.accepted, &c.alert) {
        (Some(true), _) => format!("{GREEN}accepted{GREEN:#}"),
        (Some(false), Some(alert)) => format!("{RED}REFUSED{RED:#} ({alert})"),
        (Some(false), None) => format!("{RED}REFUSED{RED:#}"),
        (None, _) => format!("{DIM}verdict unknown{DIM:#}"),
    };
    Some(format!("asked for ({cas}); {sent}: {verdict}"))
}

/// Several targets: each block with its findings under it, then a summary line.
pub(super) fn render_many(
    out: &mut dyn Write,
    data: &ConnectManyData,
    findings: &[Finding],
    errors: usize,
    now: OffsetDateTime,
) -> io::Result<()> {
    for (i, entry) in data.targets.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        match entry {
            TargetResult::Reached { data, findings: range } => {
                render(out, data, now)?;
                super::findings(out, findings.get(range.clone()).unwrap_or_default())?;
            }
            TargetResult::Unreached { target, error, .. } => {
                writeln!(out, "{BOLD}{target}{BOLD:#}")?;
                let code = error.code.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default();
                field(out, "handshake", format_args!("{RED}NOT REACHED{RED:#}{code}: {}", error.message))?;
            }
        }
    }
    let s = &data.summary;
    let style = if s.failed + s.unreachable > 0 || errors > 0 { RED } else { GREEN };
    writeln!(out)?;
    writeln!(
        out,
        "{style}{} targets{style:#}: {} ok, {} with errors, {} not reached",
        s.targets, s.ok, s.failed, s.unreachable
    )
}
