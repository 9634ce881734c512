//! `certsmith completions` and `man`: their arguments and help.

use clap::Args;

const COMPLETIONS_HELP: &str = "\
EXAMPLES:
  bash (for your user):
    mkdir -p ~/.local/share/bash-completion/completions
    certsmith completions bash > ~/.local/share/bash-completion/completions/certsmith

  zsh (a folder on your $fpath):
    certsmith completions zsh > ~/.zfunc/_certsmith

  fish:
    certsmith completions fish > ~/.config/fish/completions/certsmith.fish

EXIT STATUS:
  0  the script was printed
  2  bad usage";

/// Print a shell completion script
#[derive(Debug, Args)]
#[command(after_long_help = COMPLETIONS_HELP)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

const MAN_HELP: &str = "\
EXAMPLES:
  Read it now:
    certsmith man | man -l -

  Install the pages for every command (certsmith.1, certsmith-gen.1, …):
    mkdir -p ~/.local/share/man/man1
    for c in '' gen ca 'ca create' inspect verify match-key connect doctor; do
      certsmith man $c > ~/.local/share/man/man1/certsmith${c:+-${c/ /-}}.1
    done

EXIT STATUS:
  0  the page was printed
  2  bad usage (an unknown COMMAND)";

/// Print a man page (roff) for certsmith or one of its commands
#[derive(Debug, Args)]
#[command(after_long_help = MAN_HELP)]
pub struct ManArgs {
    /// The command whose page to print, e.g. `gen` or `ca create` [default: the main page]
    #[arg(value_name = "COMMAND")]
    pub command: Vec<String>,
}
