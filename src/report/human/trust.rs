//! Human layout of `ca path` (the folder alone, for `$(certsmith ca path)`), `trust
//! install | uninstall | status` (one line per store; with --dry-run only `#` headings
//! and the commands, so the whole output can be pasted into a shell) and `trust bundle`
//! (the PEM itself when it goes to stdout).

use std::io::{self, Write};

use super::{BOLD, DIM, GREEN, RED, YELLOW, field};
use crate::report::Data;
use crate::report::data::trust::{BundleData, ComposeData, TrustData};
use crate::report::data::trust::{State, Written};

pub(super) fn render(out: &mut dyn Write, data: &Data) -> io::Result<()> {
    match data {
        Data::CaPath(data) => writeln!(out, "{}", data.path),
        Data::Trust(data) if data.dry_run => dry_run(out, data),
        Data::Trust(data) => stores(out, data),
        Data::TrustBundle(data) => bundle(out, data),
        Data::TrustCompose(data) => compose(out, data),
        _ => Ok(()),
    }
}

fn dry_run(out: &mut dyn Write, data: &TrustData) -> io::Result<()> {
    writeln!(out, "# certsmith trust {} --dry-run: {} ({})", data.action, data.ca.subject, data.ca.entry_name)?;
    for store in &data.stores {
        writeln!(out, "# {}: {}", store.label, store.path)?;
        for line in &store.commands {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn stores(out: &mut dyn Write, data: &TrustData) -> io::Result<()> {
    writeln!(out, "{BOLD}trust {}: {}{BOLD:#}", data.action, data.ca.subject)?;
    field(out, "certificate", &data.ca.path)?;
    field(out, "sha256", &data.ca.fingerprint_sha256)?;
    field(out, "entry name", &data.ca.entry_name)?;
    writeln!(out)?;
    for store in &data.stores {
        let (style, word) = match store.state {
            State::Installed => (GREEN, "installed"),
            State::AlreadyInstalled => (GREEN, "already installed"),
            State::Removed => (GREEN, "removed"),
            State::NotPresent => (GREEN, "nothing to remove"),
            State::Trusted => (GREEN, "trusts the CA"),
            State::WouldRun => (YELLOW, "would run"),
            State::NeedsRoot => (YELLOW, "needs root: not run"),
            State::ToolMissing => (RED, "tool missing"),
            State::Failed => (RED, "failed"),
            State::NotTrusted => (RED, "does not trust the CA"),
        };
        writeln!(out, "  {style}{word:<22}{style:#} {} {DIM}{}{DIM:#}", store.label, store.path)?;
        if matches!(store.state, State::NeedsRoot) {
            for line in &store.commands {
                writeln!(out, "      {line}")?;
            }
        }
    }
    Ok(())
}

fn bundle(out: &mut dyn Write, data: &BundleData) -> io::Result<()> {
    if let Some(pem) = &data.pem {
        return out.write_all(pem.as_bytes());
    }
    let what = match data.written {
        Some(Written::Unchanged) => "unchanged (already up to date)",
        Some(Written::Replaced) => "replaced",
        _ => "written",
    };
    writeln!(out, "{BOLD}trust bundle {what}: {}{BOLD:#}", data.path.as_deref().unwrap_or_default())?;
    field(out, "system roots", format_args!("{} (from {})", data.system_roots, data.source))?;
    let ca = if data.ca_in_system { "already among the system roots (not added twice)" } else { "added after them" };
    field(out, "local CA", format_args!("{} — {ca}", data.ca.subject))?;
    for skipped in &data.skipped {
        field(out, "skipped", skipped)?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{BOLD}Use it{BOLD:#} {DIM}(these variables replace a client's roots; this file keeps the public ones){DIM:#}"
    )?;
    let path = data.path.as_deref().unwrap_or_default();
    writeln!(out, "    SSL_CERT_FILE={path} REQUESTS_CA_BUNDLE={path} CURL_CA_BUNDLE={path}")?;
    writeln!(out, "    NODE_EXTRA_CA_CERTS={} {DIM}(Node adds to its roots: the CA alone){DIM:#}", data.ca.path)
}

fn compose(out: &mut dyn Write, data: &ComposeData) -> io::Result<()> {
    let names: Vec<&str> = data.services.iter().map(|c| c.service.as_str()).collect();
    let verb = match data.written {
        Written::Created => "wrote",
        Written::Replaced => "replaced",
        Written::Unchanged => "kept (already up to date)",
    };
    writeln!(out, "{BOLD}{verb} {}{BOLD:#} for {}: {}", data.override_file, data.compose, names.join(", "))?;
    field(out, "bundle", format!("{} ({} system roots + {})", data.bundle_file, data.system_roots, data.ca.subject))?;
    for (i, line) in data.variables.iter().enumerate() {
        field(out, if i == 0 { "in each service" } else { "" }, line)?;
    }
    for client in &data.services {
        field(out, &client.service, &client.why)?;
    }
    if !data.delete.is_empty() {
        writeln!(out)?;
        writeln!(out, "{BOLD}Delete{BOLD:#} (they turn verification off; it works now)")?;
        for line in &data.delete {
            let place = match line.origin.position {
                Some(at) => format!("{}:{}:{}", line.origin.path, at.line, at.column),
                None => line.origin.path.clone(),
            };
            writeln!(out, "    {place}  {}: {}", line.service, line.setting)?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{BOLD}Next{BOLD:#}")?;
    for line in &data.next {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}
