//! The certsmith binary: parse the command line, run, exit with the status the run chose.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = certsmith::cli::Cli::parse();
    ExitCode::from(certsmith::app::run(cli))
}
