//! The certsmith binary: parse the command line, run, exit with the status the run chose.

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    match certsmith::cli::Cli::try_parse() {
        Ok(cli) => ExitCode::from(certsmith::app::run(cli)),
        Err(error) => ExitCode::from(certsmith::app::usage_error(&error, std::env::args_os().skip(1))),
    }
}
