//! verify's and connect's reports for monitoring systems: Prometheus's text exposition
//! format, with the metric names of x509-certificate-exporter (`x509_cert_not_after`,
//! `x509_cert_not_before`, `x509_cert_expired`) so that its dashboards and alerts work,
//! plus `certsmith_finding` per finding; and a Nagios/Icinga plugin's status line with
//! perfdata and the plugin exit codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).

use std::fmt::Write as _;
use std::io::{self, Write};

use time::OffsetDateTime;

use super::{Data, Report};
use crate::finding::Severity;
use crate::pki::describe::CertSummary;
use crate::report::data::connect::TargetResult;

/// Expiry thresholds in days: WARNING from `warn`, CRITICAL from `crit`.
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub warn_days: u32,
    pub crit_days: u32,
}

/// A certificate to report on, and where it was found: a file or a target.
struct Watched<'a> {
    /// `filepath` or `target`, the label that says where.
    place: (&'static str, &'a str),
    cert: &'a CertSummary,
}

/// The certificates a report is about: each file's leaf (verify), every certificate the
/// server sent (connect).
fn watched(report: &Report) -> Vec<Watched<'_>> {
    match &report.data {
        Data::Verify(data) => data
            .files
            .iter()
            .filter_map(|f| f.leaf.as_deref().map(|cert| Watched { place: ("filepath", f.path.as_str()), cert }))
            .collect(),
        Data::Connect(data) => data
            .chain
            .iter()
            .map(|c| Watched { place: ("target", data.target.as_str()), cert: &c.certificate })
            .collect(),
        Data::ConnectMany(many) => many
            .targets
            .iter()
            .filter_map(|t| match t {
                TargetResult::Reached { data, .. } => Some(data),
                TargetResult::Unreached { .. } => None,
            })
            .flat_map(|data| {
                data.chain.iter().map(|c| Watched { place: ("target", data.target.as_str()), cert: &c.certificate })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Prometheus's label value escaping: backslash, double quote and line feed.
fn escape(value: &str) -> String {
    value.replace('\\', r"\\").replace('"', "\\\"").replace('\n', r"\n")
}

fn labels(w: &Watched<'_>) -> String {
    let cn = |name: &str| name.split(", ").find_map(|part| part.strip_prefix("CN=")).unwrap_or_default().to_owned();
    format!(
        "{}=\"{}\",subject_CN=\"{}\",issuer_CN=\"{}\",serial_number=\"{}\"",
        w.place.0,
        escape(w.place.1),
        escape(&cn(&w.cert.subject)),
        escape(&cn(&w.cert.issuer)),
        escape(&w.cert.serial)
    )
}

/// The report in Prometheus's text format (version 0.0.4), one metric family at a time.
pub fn prometheus(out: &mut dyn Write, report: &Report, now: OffsetDateTime) -> io::Result<()> {
    let certs = watched(report);
    let mut text = String::new();
    let mut family = |name: &str, help: &str, samples: Vec<(String, String)>| {
        let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} gauge");
        for (labels, value) in samples {
            let _ = writeln!(text, "{name}{{{labels}}} {value}");
        }
    };
    let each = |value: &dyn Fn(&CertSummary) -> String| -> Vec<(String, String)> {
        certs.iter().map(|w| (labels(w), value(w.cert))).collect()
    };
    family(
        "x509_cert_not_after",
        "The date after which the certificate expires, in seconds since the Unix epoch.",
        each(&|c| c.not_after.unix_timestamp().to_string()),
    );
    family(
        "x509_cert_not_before",
        "The date before which the certificate is not valid, in seconds since the Unix epoch.",
        each(&|c| c.not_before.unix_timestamp().to_string()),
    );
    family(
        "x509_cert_expired",
        "1 when the certificate has expired, else 0.",
        each(&|c| u8::from(now > c.not_after).to_string()),
    );
    let place = |index: Option<usize>, path: Option<&str>| match &report.data {
        Data::Connect(data) => format!("target=\"{}\"", escape(&data.target)),
        Data::ConnectMany(many) => format!("target=\"{}\"", escape(&target_of(many, index, path))),
        _ => format!("filepath=\"{}\"", escape(path.unwrap_or_default())),
    };
    // One series per label set (a duplicate is refused by Prometheus): the value counts.
    let counted = |labels: Vec<String>| -> Vec<(String, String)> {
        let mut counts = std::collections::BTreeMap::<String, u32>::new();
        for label in labels {
            *counts.entry(label).or_default() += 1;
        }
        counts.into_iter().map(|(labels, n)| (labels, n.to_string())).collect()
    };
    let findings = report
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let place = place(Some(i), f.subject.path.as_deref());
            format!("code=\"{}\",severity=\"{}\",{place}", f.code, f.severity.as_str())
        })
        .collect();
    family("certsmith_finding", "Findings certsmith made, by code and severity (docs/json.md).", counted(findings));
    let errors = report.errors.iter().map(|e| place(None, e.subject.path.as_deref())).collect();
    family("certsmith_error", "Inputs certsmith could not check (an unreadable file, no connection).", counted(errors));
    out.write_all(text.as_bytes())
}

/// The target (as given) a finding (by its index in the report) belongs to; for an
/// error, the unreached target whose message it is, else its subject.
fn target_of(many: &crate::report::data::connect::ConnectManyData, index: Option<usize>, path: Option<&str>) -> String {
    many.targets
        .iter()
        .find_map(|t| match (t, index) {
            (TargetResult::Reached { data, findings }, Some(i)) if findings.contains(&i) => Some(data.target.clone()),
            _ => None,
        })
        .unwrap_or_else(|| path.unwrap_or_default().to_owned())
}

/// A Nagios plugin's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum State {
    Ok = 0,
    Warning = 1,
    Critical = 2,
    Unknown = 3,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            Self::Ok => "OK",
            Self::Warning => "WARNING",
            Self::Critical => "CRITICAL",
            Self::Unknown => "UNKNOWN",
        }
    }
}

/// One status line with perfdata (`days=N;warn;crit`: the days left of the certificate
/// that expires first), and the plugin's state: UNKNOWN when an input could not be
/// checked, CRITICAL on an error finding or within `crit_days`, WARNING on a warning or
/// within `warn_days`.
pub fn nagios(out: &mut dyn Write, report: &Report, now: OffsetDateTime, limits: Thresholds) -> io::Result<State> {
    let certs = watched(report);
    let days = certs.iter().map(|w| (w.cert.not_after - now).whole_days()).min();
    let worst = report.findings.iter().map(|f| f.severity).max();
    let within = |limit: u32| days.is_some_and(|d| d <= i64::from(limit));
    // A problem found is CRITICAL even when another input could not be checked.
    let state = if worst == Some(Severity::Error) || within(limits.crit_days) {
        State::Critical
    } else if !report.errors.is_empty() || (certs.is_empty() && worst.is_none()) {
        State::Unknown
    } else if worst == Some(Severity::Warning) || within(limits.warn_days) {
        State::Warning
    } else {
        State::Ok
    };
    let first = certs.iter().min_by_key(|w| w.cert.not_after);
    let mut what: Vec<String> = Vec::new();
    if let Data::ConnectMany(many) = &report.data {
        let s = &many.summary;
        what.push(format!(
            "{} targets: {} ok, {} with errors, {} not reached",
            s.targets, s.ok, s.failed, s.unreachable
        ));
    }
    if let (Some(w), Some(days)) = (first, days) {
        let cn = w.cert.common_name.as_deref().unwrap_or(&w.cert.subject);
        what.push(format!("{} {cn} expires in {days} days", w.place.1));
    }
    let mut codes: Vec<&str> = Vec::new();
    for code in report.findings.iter().filter(|f| f.severity >= Severity::Warning).map(|f| f.code.as_str()) {
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if !codes.is_empty() {
        what.push(codes.join(", "));
    }
    what.extend(report.errors.iter().map(|e| e.message.clone()));
    // `|` starts perfdata and a line end ends the plugin's output: neither may come from a
    // file name or a certificate.
    let text = what.join("; ").replace(['|', '\n', '\r'], " ");
    let perf = days.map(|d| format!(" | days={d};{};{}", limits.warn_days, limits.crit_days)).unwrap_or_default();
    writeln!(out, "CERTSMITH {} - {text}{perf}", state.word())?;
    Ok(state)
}
