//! Documentation the binary produces about itself: shell completion scripts (clap_complete)
//! and roff man pages (clap_mangen), both generated from the clap definition, so they
//! never disagree with `--help`.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::finding::Failure;

pub fn completions(shell: clap_complete::Shell) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "certsmith", &mut out);
    Ok(out)
}

/// The page for `certsmith`, or for `certsmith COMMAND [SUBCOMMAND]` (named
/// `certsmith-COMMAND[-SUBCOMMAND]`, as `SEE ALSO` style references name them).
pub fn man(command: &[String]) -> Result<Vec<u8>, Failure> {
    let mut page = Cli::command();
    page.build();
    let mut words = vec!["certsmith"];
    // `man ca create` and `man 'ca create'` (zsh does not split an unquoted variable).
    for word in command.iter().flat_map(|w| w.split_whitespace()) {
        let sub = page.find_subcommand(word).cloned().ok_or_else(|| {
            let known: Vec<&str> = page.get_subcommands().map(|c| c.get_name()).filter(|n| *n != "help").collect();
            Failure::new(format!("{} has no command {word:?}", words.join(" ")))
                .hint(format!("man pages exist for: {}", known.join(", ")))
        })?;
        words.push(word);
        page = sub;
    }
    let name = words.join("-");
    let page = page.name(name.clone()).bin_name(name);
    let fail = |e: std::io::Error| Failure::new(format!("cannot render the man page: {e}"));
    let man = clap_mangen::Man::new(page.clone());
    let mut out = Vec::new();
    man.render_title(&mut out).map_err(fail)?;
    man.render_name_section(&mut out).map_err(fail)?;
    man.render_synopsis_section(&mut out).map_err(fail)?;
    man.render_description_section(&mut out).map_err(fail)?;
    if page.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out).map_err(fail)?;
    }
    if page.has_subcommands() {
        man.render_subcommands_section(&mut out).map_err(fail)?;
    }
    if let Some(text) = page.get_after_long_help().or_else(|| page.get_after_help()) {
        out.extend(help_sections(&text.to_string()).into_bytes());
    }
    if page.get_version().is_some() {
        man.render_version_section(&mut out).map_err(fail)?;
    }
    Ok(out)
}

/// The EXAMPLES and EXIT STATUS of a command's long help as man sections, their lines
/// kept as written (clap_mangen fills them into one paragraph under "EXTRA").
fn help_sections(text: &str) -> String {
    let mut roff = String::new();
    let mut open = false;
    for line in text.lines() {
        // A heading starts the line: `EXAMPLES:`, `EXIT STATUS:`.
        let heading = line.strip_suffix(':').filter(|h| {
            h.starts_with(|c: char| c.is_ascii_uppercase()) && h.chars().all(|c| c.is_ascii_uppercase() || c == ' ')
        });
        if let Some(heading) = heading {
            if open {
                roff.push_str(".fi\n");
            }
            roff.push_str(&format!(".SH \"{heading}\"\n.nf\n"));
            open = true;
        } else if open {
            // A backslash is roff's escape; a line starting with . or ' would be a request.
            let escaped = line.replace('\\', "\\e").replace('-', "\\-");
            let guard = if escaped.starts_with(['.', '\'']) { "\\&" } else { "" };
            roff.push_str(&format!("{guard}{escaped}\n"));
        }
    }
    if open {
        roff.push_str(".fi\n");
    }
    roff
}
