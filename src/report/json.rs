//! The JSON renderer: the report serialised as one document,
//! `{"schema_version":1,"command":…,"status":"ok"|"warning"|"error","data":{…},"findings":[…],"errors":[…]}`.
//! `data` is the command's own data type serialised; there is no second schema.

use std::io::{self, Write};

use serde::Serialize;

use super::{Data, Report, Status};
use crate::finding::Failure;
use crate::finding::Finding;

/// Bumped only when a released field changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Envelope<'a> {
    schema_version: u32,
    command: &'a str,
    status: Status,
    data: &'a Data,
    findings: &'a [Finding],
    errors: &'a [Failure],
}

pub fn render(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    let envelope = Envelope {
        schema_version: SCHEMA_VERSION,
        command: report.command,
        status: report.status(),
        data: &report.data,
        findings: &report.findings,
        errors: &report.errors,
    };
    serde_json::to_writer_pretty(&mut *out, &envelope).map_err(io::Error::other)?;
    writeln!(out)
}
