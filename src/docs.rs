//! Documentation the binary produces about itself: shell completion scripts (clap_complete)
//! and roff man pages (clap_mangen), both generated from the clap definition, so they
//! never disagree with `--help`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::Failure;

pub fn completions(shell: clap_complete::Shell) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "certsmith", &mut out);
    Ok(out)
}

/// The page for `certsmith`, or for `certsmith COMMAND` (named `certsmith-COMMAND`).
pub fn man(command: Option<&str>) -> Result<Vec<u8>, Failure> {
    let mut root = Cli::command();
    root.build();
    let page = match command {
        None => root,
        Some(name) => {
            let sub = root.find_subcommand(name).cloned().ok_or_else(|| {
                let known: Vec<&str> = root.get_subcommands().map(|c| c.get_name()).filter(|n| *n != "help").collect();
                Failure::new(format!("certsmith has no command {name:?}"))
                    .hint(format!("man pages exist for: {}", known.join(", ")))
            })?;
            let full = format!("certsmith-{name}");
            sub.name(full.clone()).bin_name(full)
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut out)
        .map_err(|e| Failure::new(format!("cannot render the man page: {e}")))?;
    Ok(out)
}
