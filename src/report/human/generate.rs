//! Human layout of `gen` and `ca create`: what was written where, what it covers, until
//! when, and what to run next.

use std::io::{self, Write};

use time::OffsetDateTime;

use super::{BOLD, DIM, field};
use crate::clock;
use crate::pki::describe::CertSummary;
use crate::report::data::ca::{CaData, CrlData};
use crate::report::data::generate::GenData;
use crate::report::data::generate::WrittenFile;

pub(super) fn render(out: &mut dyn Write, data: &GenData, now: OffsetDateTime) -> io::Result<()> {
    let cert = &data.certificate;
    writeln!(out, "{BOLD}{} a certificate for {}{BOLD:#}", data.action, cert.san.describe().join(", "))?;
    for reason in &data.reasons {
        let verb = if data.action == "kept" { "why" } else { "because" };
        field(out, verb, reason)?;
    }
    files(out, &data.files)?;
    if data.action == "kept" {
        field(out, "certificate", format_args!("{} (unchanged)", data.certificate_file))?;
    }
    if !data.files.iter().any(|f| f.kind == "private_key") {
        let note = if data.action == "kept" { "unchanged" } else { "reused, not rewritten" };
        field(out, "private key", format_args!("{} ({note})", data.key_file))?;
    }
    field(out, "key", &cert.public_key)?;
    validity(out, cert, now)?;
    field(out, "issued by", &data.issued_by)?;
    field(out, "sha256", &cert.fingerprint_sha256)?;

    writeln!(out)?;
    writeln!(out, "{BOLD}Granian{BOLD:#} {DIM}(container paths; change with --container-dir){DIM:#}")?;
    for line in &data.env {
        writeln!(out, "    {line}")?;
    }
    writeln!(out)?;
    writeln!(out, "{BOLD}Next{BOLD:#} {DIM}(clients must trust {}){DIM:#}", data.trust)?;
    for step in &data.next {
        writeln!(out, "    {step}")?;
    }
    Ok(())
}

/// `--print-env`: only `NAME=value` lines, so the output can be appended to a .env file.
pub(super) fn env_lines(out: &mut dyn Write, data: &GenData) -> io::Result<()> {
    for line in &data.env {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

pub(super) fn render_ca(out: &mut dyn Write, data: &CaData, now: OffsetDateTime) -> io::Result<()> {
    let cert = &data.certificate;
    writeln!(out, "{BOLD}{} a local CA: {}{BOLD:#}", data.action, cert.subject)?;
    if data.action == "kept" {
        field(out, "why", "--if-needed: a usable CA with its key is already there")?;
    }
    files(out, &data.files)?;
    field(out, "key", &cert.public_key)?;
    validity(out, cert, now)?;
    let constraints = cert.extensions.iter().any(|e| e.name == "nameConstraints");
    field(
        out,
        "name limits",
        if constraints {
            "only names under the --permit-dns domains, and loopback and private IP addresses"
        } else {
            "none (it can vouch for any name)"
        },
    )?;
    field(out, "sha256", &cert.fingerprint_sha256)?;
    writeln!(out)?;
    writeln!(out, "{BOLD}Next{BOLD:#} {DIM}(keep the key private; clients trust the certificate){DIM:#}")?;
    for step in &data.next {
        writeln!(out, "    {step}")?;
    }
    Ok(())
}

pub(super) fn render_crl(out: &mut dyn Write, data: &CrlData, now: OffsetDateTime) -> io::Result<()> {
    writeln!(out, "{BOLD}wrote CRL number {} of {}{BOLD:#}", data.crl_number, data.ca)?;
    field(out, "crl", &data.path)?;
    field(out, "record", &data.record)?;
    field(
        out,
        "next update",
        format_args!("{} ({})", clock::human(data.next_update), clock::relative(now, data.next_update)),
    )?;
    let listed = if data.revoked.is_empty() { "none".to_owned() } else { data.revoked.join(", ") };
    field(out, "revoked", listed)?;
    if !data.added.is_empty() {
        field(out, "newly revoked", data.added.join(", "))?;
    }
    writeln!(out)?;
    writeln!(out, "{BOLD}Next{BOLD:#} {DIM}(Granian reads the CRL at start: restart it){DIM:#}")?;
    let word = |s: &str| crate::finding::place::shell_word(s);
    writeln!(out, "    granian ... --ssl-ca {} --ssl-client-verify --ssl-crl {}", word(&data.ca), word(&data.path))?;
    Ok(())
}

fn files(out: &mut dyn Write, files: &[WrittenFile]) -> io::Result<()> {
    for f in files {
        let label = f.kind.replace('_', " ");
        field(out, &label, format_args!("{} (mode {})", f.path, f.mode))?;
    }
    Ok(())
}

fn validity(out: &mut dyn Write, cert: &CertSummary, now: OffsetDateTime) -> io::Result<()> {
    field(
        out,
        "valid",
        format_args!(
            "{} to {} (expires {})",
            clock::human(cert.not_before),
            clock::human(cert.not_after),
            clock::relative(now, cert.not_after)
        ),
    )
}
