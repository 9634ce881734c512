//! The run's context (clock, output format, colour) and the path from parsed arguments
//! to a rendered report and an exit status. The only place that writes to stdout/stderr.

use std::io::{self, Write};

use time::OffsetDateTime;

use crate::cli::{Cli, ColorWhen, Command, Format};
use crate::commands::{self, Context};
use crate::docs;
use crate::finding::Failure;
use crate::report::{self, Report};

/// Runs a parsed command line; returns the process exit status.
pub fn run(cli: Cli) -> u8 {
    let format = if cli.global.json { Format::Json } else { cli.global.format };
    let color = color_choice(cli.global.color);
    let ctx = Context { now: cli.global.at.unwrap_or_else(OffsetDateTime::now_utc) };
    let monitor = match &cli.command {
        Command::Verify(args) => Some(&args.monitor),
        Command::Connect(args) => Some(&args.monitor),
        _ => None,
    };
    let monitoring = matches!(format, Format::Prometheus | Format::Nagios);

    let result = match &cli.command {
        // Monitoring formats describe certificates checked: verify's and connect's.
        _ if monitoring && monitor.is_none() => Err(Failure::new(format!(
            "--format {} is for verify and connect, not `{}`",
            if format == Format::Nagios { "nagios" } else { "prometheus" },
            cli.command.name()
        ))
        .hint("use --format human or --format json with this command")),
        // A script or a page is not a report: under --json, say so in one.
        Command::Completions(_) | Command::Man(_) if format == Format::Json => Err(Failure::new(format!(
            "`{}` writes {}, not JSON",
            cli.command.name(),
            if matches!(cli.command, Command::Man(_)) { "a roff page" } else { "a shell script" }
        ))
        .hint(format!("run it without --json: `certsmith {}`", cli.command.name()))),
        Command::Completions(args) => return finish_raw(docs::completions(args.shell), color),
        Command::Man(args) => return finish_raw(docs::man(&args.command), color),
        Command::Gen(args) => commands::generate::run(args, &ctx),
        Command::Ca(args) => commands::ca::run(&args.command, &ctx),
        Command::Inspect(args) => commands::inspect::run(args, &ctx),
        Command::MatchKey(args) => commands::match_key::run(args, &ctx),
        Command::Verify(args) => commands::verify::run(args, &ctx),
        Command::Connect(args) => commands::connect::run(args, &ctx),
        Command::Doctor(args) => commands::doctor::run(args, &ctx),
        Command::Trust(args) => commands::trust::run(&args.command, &ctx),
    };
    // A command that could not run still answers with a report, so `--json` always
    // prints one document.
    let mut report = result.unwrap_or_else(|failure| Report::failed(cli.command.name(), failure));
    commands::fix::settle_report(&mut report);
    let (written, exit) = match (format, monitor) {
        (Format::Nagios | Format::Prometheus, Some(monitor)) => {
            match write_monitor(&report, format, monitor, ctx.now) {
                Ok(exit) => (Ok(()), exit),
                Err(e) => (Err(e), 3),
            }
        }
        _ => (write_report(&report, format, color, ctx.now), report.exit_code()),
    };
    for failure in &report.errors {
        print_failure(failure, color);
    }
    match written {
        // A closed pipe (`certsmith … | head`) is the reader's choice, not a failure; what
        // was found still decides the status (a CI job may pipe into `grep -q`).
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => exit,
        Err(e) => {
            print_failure(&Failure::new(format!("cannot write output: {e}")), color);
            if format == Format::Nagios { 3 } else { 2 }
        }
        Ok(()) => exit,
    }
}

/// A command line clap refused: help and version are printed as clap prints them; an
/// error is clap's on stderr (exit 2) and, when `--json` or `--format json` was asked
/// for, also the JSON envelope on stdout, so that a script always gets one document.
pub fn usage_error(error: &clap::Error, args: impl Iterator<Item = std::ffi::OsString>) -> u8 {
    use clap::error::ErrorKind;
    if matches!(error.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = error.print();
        return 0;
    }
    let args: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).take_while(|a| a != "--").collect();
    let asked = |format: &str| {
        args.iter().enumerate().any(|(i, a)| {
            *a == format!("--format={format}") || (a == "--format" && args.get(i + 1).is_some_and(|f| f == format))
        })
    };
    let json = asked("json") || args.iter().any(|a| a == "--json");
    let _ = error.print();
    // A Nagios plugin that cannot run reports UNKNOWN (3), in its one line.
    if asked("nagios") {
        let rendered = error.render().to_string();
        let message = rendered.lines().next().unwrap_or("invalid command line").trim_start_matches("error: ");
        let _ = writeln!(io::stdout(), "CERTSMITH UNKNOWN - {}", message.replace(['|', '\r'], " "));
        return 3;
    }
    if json {
        let rendered = error.render().to_string();
        let mut lines = rendered.lines().filter(|l| !l.trim().is_empty());
        let message = lines.next().unwrap_or("invalid command line").trim_start_matches("error: ").to_owned();
        let hint = lines.map(str::trim).collect::<Vec<_>>().join(" ");
        let failure =
            Failure::new(message).hint(if hint.is_empty() { "see `certsmith --help`".to_owned() } else { hint });
        let report = Report::failed(command_named(&args), failure);
        let _ = write_report(&report, Format::Json, anstream::ColorChoice::Never, OffsetDateTime::now_utc());
    }
    2
}

/// Every subcommand's name, for reports about command lines clap refused.
const COMMANDS: &[&str] =
    &["gen", "ca", "inspect", "match-key", "verify", "connect", "doctor", "trust", "completions", "man"];

/// The subcommand a refused command line was for, as the report names it.
fn command_named(args: &[String]) -> &'static str {
    args.iter().find_map(|a| COMMANDS.iter().find(|c| **c == a.as_str())).copied().unwrap_or("certsmith")
}

/// `certsmith: error: …` on stderr, coloured when stderr shows colour.
fn print_failure(failure: &Failure, color: anstream::ColorChoice) {
    let stderr = io::stderr();
    let on = colors_on(color, &stderr);
    let _ = report::human::failure(&mut report::human::Escaping::new(stderr.lock(), on), failure);
}

/// Whether a stream shows colour: `--color`, `NO_COLOR`, then (for auto) whether it is a
/// terminal, as anstream decides it (CLICOLOR, CLICOLOR_FORCE, TERM=dumb).
fn colors_on<S: anstream::stream::RawStream>(choice: anstream::ColorChoice, stream: &S) -> bool {
    let resolved = match choice {
        anstream::ColorChoice::Auto => anstream::AutoStream::choice(stream),
        other => other,
    };
    !matches!(resolved, anstream::ColorChoice::Never | anstream::ColorChoice::Auto)
}

/// Scripts and pages go to stdout as they are: no report, no colour.
fn finish_raw(text: Result<Vec<u8>, Failure>, color: anstream::ColorChoice) -> u8 {
    let failure = match text.map(|bytes| io::stdout().lock().write_all(&bytes)) {
        Ok(Ok(())) => return 0,
        Ok(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe => return 0,
        Ok(Err(e)) => Failure::new(format!("cannot write output: {e}")),
        Err(failure) => failure,
    };
    print_failure(&failure, color);
    2
}

/// Renders into memory first: one write to the terminal, and no half-written report.
fn write_report(report: &Report, format: Format, color: anstream::ColorChoice, now: OffsetDateTime) -> io::Result<()> {
    let mut buffer = Vec::with_capacity(16 * 1024);
    let mut stdout = io::stdout().lock();
    match format {
        // JSON has no styles (serde_json escapes control characters): no stripping pass.
        Format::Json => {
            report::json::render(&mut buffer, report)?;
            stdout.write_all(&buffer)?;
        }
        // (A monitoring format reaches here only when it was refused: said for people.)
        Format::Human | Format::Prometheus | Format::Nagios => {
            // The escaping gate keeps styles only where stdout shows colour, and makes
            // every control character visible: values come from files and servers.
            let on = colors_on(color, &io::stdout());
            report::human::render(&mut report::human::Escaping::new(&mut buffer, on), report, now)?;
            stdout.write_all(&buffer)?;
        }
    }
    stdout.flush()
}

/// Nagios's status line (its state is the exit status), or Prometheus metrics on stdout
/// or, with --textfile, in a file replaced atomically (node_exporter may read it at any
/// moment). Control characters from certificates are made visible, as for people.
fn write_monitor(
    report: &Report,
    format: Format,
    monitor: &crate::cli::MonitorArgs,
    now: OffsetDateTime,
) -> io::Result<u8> {
    let mut buffer = Vec::with_capacity(4096);
    let exit = {
        let mut gate = report::human::Escaping::new(&mut buffer, false);
        if format == Format::Nagios {
            let limits = report::monitor::Thresholds { warn_days: monitor.warn_days, crit_days: monitor.crit_days };
            report::monitor::nagios(&mut gate, report, now, limits)? as u8
        } else {
            report::monitor::prometheus(&mut gate, report, now)?;
            report.exit_code()
        }
    };
    match (&monitor.textfile, format) {
        (Some(path), Format::Prometheus) => {
            let file = crate::output::Planned { path: path.clone(), contents: buffer, mode: 0o644 };
            crate::output::write_files(&[file], crate::output::Replace::Existing)
                .map_err(|f| io::Error::other(f.message))?;
        }
        _ => {
            let mut stdout = io::stdout().lock();
            stdout.write_all(&buffer)?;
            stdout.flush()?;
        }
    }
    Ok(exit)
}

/// `NO_COLOR` (https://no-color.org) wins over everything, as the project promises.
fn color_choice(when: ColorWhen) -> anstream::ColorChoice {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    match when {
        _ if no_color => anstream::ColorChoice::Never,
        ColorWhen::Never => anstream::ColorChoice::Never,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Auto => anstream::ColorChoice::Auto,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_subcommand_is_known_by_name() {
        let cli = <Cli as clap::CommandFactory>::command();
        let names: Vec<&str> = cli.get_subcommands().map(clap::Command::get_name).collect();
        assert_eq!(names, COMMANDS);
    }
}
