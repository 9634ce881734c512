//! Human layout of `connect`: where it connected and what was negotiated, the verdict on
//! the certificate, then each certificate as served (described as inspect does). Findings
//! follow, from the shared renderer.

use std::io::{self, Write};

use time::OffsetDateTime;

use super::{BOLD, DIM, GREEN, RED, YELLOW, field, inspect};
use crate::report::data::connect::ConnectData;

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
