//! The docs tell the truth about the code: every finding code is documented, and every
//! documented code exists.

use std::collections::BTreeSet;

#[test]
fn every_finding_code_is_documented_and_every_documented_code_exists() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json.md")).unwrap();
    let section = doc.split("## Finding codes").nth(1).expect("docs/json.md has a Finding codes section");
    let documented: BTreeSet<String> = section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect();
    let emitted: BTreeSet<String> = certsmith::finding::Code::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(documented, emitted, "docs/json.md's code table and report::codes disagree");
}

/// Every command's long help, as a snapshot: a change to it shows in review, and every
/// page keeps its EXAMPLES and EXIT STATUS. `INSTA_UPDATE=always cargo test` rewrites them.
#[test]
fn every_commands_help_has_examples_and_exit_status_and_matches_its_snapshot() {
    use clap::CommandFactory;
    let root = certsmith::cli::Cli::command();
    let mut commands: Vec<Vec<String>> = vec![vec![]];
    for sub in root.get_subcommands().filter(|c| c.get_name() != "help") {
        commands.push(vec![sub.get_name().to_owned()]);
        for nested in sub.get_subcommands().filter(|c| c.get_name() != "help") {
            commands.push(vec![sub.get_name().to_owned(), nested.get_name().to_owned()]);
        }
    }
    assert!(commands.len() >= 8);
    for path in commands {
        let mut args = path.clone();
        args.push("--help".to_owned());
        let out = crate::util::run(&args);
        assert_eq!(out.code, 0, "{args:?}");
        assert!(out.stdout.contains("EXAMPLES:") && out.stdout.contains("EXIT STATUS:"), "{args:?}");
        let name = if path.is_empty() { "certsmith".to_owned() } else { format!("certsmith-{}", path.join("-")) };
        insta::with_settings!({ snapshot_path => "../snapshots", prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, out.stdout);
        });
    }
}

#[test]
fn completion_scripts_load_in_their_shells() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = crate::util::run(["completions", shell]);
        assert_eq!(out.code, 0, "{shell}");
        assert!(out.stdout.contains("certsmith") && out.stdout.len() > 500, "{shell}");
    }
    let script = crate::util::run(["completions", "bash"]).stdout;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("certsmith.bash");
    std::fs::write(&path, script).unwrap();
    let out = std::process::Command::new("bash")
        .args(["-c", &format!("source {} && complete -p certsmith", path.display())])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("certsmith"));
}

#[test]
fn man_pages_render_for_every_command() {
    let man_available = std::process::Command::new("man").arg("--version").output().is_ok_and(|o| o.status.success());
    let commands: [&[&str]; 12] = [
        &[],
        &["gen"],
        &["ca"],
        &["ca", "create"],
        &["inspect"],
        &["verify"],
        &["match-key"],
        &["connect"],
        &["doctor"],
        &["trust", "install"],
        &["trust", "status"],
        &["trust", "bundle"],
    ];
    for command in commands {
        let mut args = vec!["man"];
        args.extend(command);
        let out = crate::util::run(&args);
        assert_eq!(out.code, 0, "{command:?}: {}", out.stderr);
        let title = std::iter::once("certsmith").chain(command.iter().copied()).collect::<Vec<_>>().join("-");
        assert!(out.stdout.contains(&format!(".TH {title} 1")), "{command:?}");
        assert!(!out.stdout.contains(".SH EXTRA"), "{command:?}: help sections are their own man sections");
        if command != ["ca"] {
            assert!(out.stdout.contains(".SH \"EXAMPLES\"\n.nf\n"), "{command:?}: {}", out.stdout);
        }
        if man_available {
            let dir = tempfile::tempdir().unwrap();
            let page = dir.path().join(format!("{title}.1"));
            std::fs::write(&page, &out.stdout).unwrap();
            let rendered = std::process::Command::new("man")
                .arg("-l")
                .arg(&page)
                .env("MANPAGER", "cat")
                .env("MANWIDTH", "100")
                .output()
                .unwrap();
            assert!(rendered.status.success(), "{command:?}: {}", String::from_utf8_lossy(&rendered.stderr));
            let text = String::from_utf8_lossy(&rendered.stdout);
            if command != ["ca"] {
                // Sections of their own, and each example on its own line, as in --help.
                assert!(text.lines().any(|l| l == "EXAMPLES") && text.lines().any(|l| l == "EXIT STATUS"), "{text}");
                let example = std::iter::once("certsmith").chain(command.iter().copied()).collect::<Vec<_>>().join(" ");
                assert!(text.lines().any(|l| l.trim_start().starts_with(&example)), "{command:?}: {text}");
            }
        } else {
            eprintln!("man is not installed: checked the roff text only");
        }
    }
    let unknown = crate::util::run(["man", "nope"]);
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("nope") && unknown.stderr.contains("hint:"));
}

/// The `sh` blocks of a markdown page, in order.
fn sh_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some(block), text) => {
                block.push_str(text);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Every `sh` block of every user doc runs as written, in order, in an empty folder,
/// with `certsmith` on PATH: the docs cannot drift from what the tool does.
#[test]
fn docs_commands_run_as_written() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_certsmith")).parent().unwrap().to_owned();
    let mut pages: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    let mut ran = 0;
    for page in pages {
        let blocks = sh_blocks(&std::fs::read_to_string(&page).unwrap());
        if blocks.is_empty() {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        // The docs use port 8443, as the guide does; the test takes whatever port is free.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let script = format!("set -euo pipefail\n{}", blocks.join("\n")).replace("8443", &port.to_string());
        let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(&script)
            .current_dir(dir.path())
            .env_clear()
            .env("PATH", path)
            .env("HOME", dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}: a documented command failed\n--- stdout\n{}\n--- stderr\n{}",
            page.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        ran += blocks.len();
    }
    assert!(ran >= 10, "only {ran} documented blocks ran");
}

/// What changes from run to run, replaced so the rest of a line can be compared: hex runs
/// (fingerprints, serials, the CA's random suffix), dates, times, and counts of days.
fn normalise(line: &str) -> String {
    let words: Vec<&str> = line.trim_end().split(' ').collect();
    let shape = |w: &str, pattern: &str| {
        w.len() == pattern.len()
            && w.chars().zip(pattern.chars()).all(|(c, p)| if p == '0' { c.is_ascii_digit() } else { c == p })
    };
    let mut out = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let bare = word.trim_matches(|c| c == ',' || c == '(' || c == ')');
        let next = words.get(i + 1).copied().unwrap_or_default();
        let count = bare.chars().all(|c| c.is_ascii_digit())
            && ["day", "hour", "minute", "second"].iter().any(|unit| next.starts_with(unit));
        let volatile = (bare.len() >= 6 && bare.chars().all(|c| c.is_ascii_hexdigit()))
            || shape(bare, "0000-00-00")
            || shape(bare, "00:00:00")
            || (count && !bare.is_empty());
        out.push(if volatile { word.replace(bare, "~") } else { (*word).to_owned() });
    }
    out.join(" ")
}

/// The README's tour shows real output: its commands run in order in a folder holding
/// the guide's compose.yaml (as the tour says), and every output line it shows (but `…`)
/// comes out of them, in that order, up to what changes between runs. HOME is a temp
/// folder, shown as `~` (a leading `~/` in a command is expanded, as a shell does). A
/// command whose shown output has an error exits 1, every other one 0. `connect` talks to
/// `openssl s_server -alpn h2` on port 8443, as the tour says. `trust install` changes the
/// machine and `curl` needs it: tests/integration/trust.rs runs both under a guard.
#[test]
fn the_readme_tour_shows_what_the_commands_print() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let tour = readme.split("## A 30-second tour").nth(1).unwrap().split("\n## ").next().unwrap();
    let mut steps: Vec<(String, Vec<String>)> = Vec::new();
    let mut in_console = false;
    for line in tour.lines() {
        match line.trim_end() {
            "```console" => in_console = true,
            "```" => in_console = false,
            text if in_console => match text.strip_prefix("$ ") {
                Some(command) => steps.push((command.to_owned(), Vec::new())),
                None => steps.last_mut().unwrap().1.push(text.to_owned()),
            },
            _ => {}
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let guide = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/env/guide-compose.yaml");
    std::fs::copy(guide, dir.path().join("compose.yaml")).unwrap();
    let home = tempfile::tempdir().unwrap();
    let home_text = home.path().display().to_string();
    let mut checked = 0;
    let mut server: Option<std::process::Child> = None;
    for (command, shown) in steps {
        let words: Vec<String> = shlex::split(&command)
            .unwrap()
            .into_iter()
            .map(|w| match w.strip_prefix("~/") {
                Some(rest) => format!("{home_text}/{rest}"),
                None => w,
            })
            .collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        if words[0] != "certsmith" || words.get(1..3) == Some(&["trust", "install"][..]) {
            continue;
        }
        if words[1] == "connect" && server.is_none() {
            server = Some(tour_server(dir.path()));
        }
        let out: crate::util::Run = crate::util::certsmith()
            .current_dir(dir.path())
            .env("HOME", home.path())
            .args(&words[1..])
            .output()
            .unwrap()
            .into();
        let fails = shown.iter().any(|l| l.starts_with("error["));
        assert_eq!(out.code, i32::from(fails), "{command}: {}{}", out.stdout, out.stderr);
        let printed: Vec<String> = out.stdout.replace(&home_text, "~").lines().map(normalise).collect();
        let mut from = 0;
        for line in shown.iter().filter(|l| l.trim() != "…") {
            let wanted = normalise(line);
            let at = printed[from..].iter().position(|p| *p == wanted);
            assert!(
                at.is_some(),
                "{command}: the README shows\n{line}\nwhich is not in (or out of order in)\n{}",
                out.stdout
            );
            from += at.unwrap() + 1;
            checked += 1;
        }
    }
    if let Some(mut server) = server {
        let _ = server.kill();
        let _ = server.wait();
    }
    assert!(checked >= 40, "only {checked} README lines were checked");
}

/// The tour's server: `openssl s_server -alpn h2` on 127.0.0.1:8443 with the tour's pair,
/// once it accepts connections.
fn tour_server(dir: &std::path::Path) -> std::process::Child {
    let child = std::process::Command::new("openssl")
        .args(["s_server", "-www", "-alpn", "h2", "-accept", "127.0.0.1:8443"])
        .args(["-cert", "certs/certificate.pem", "-key", "certs/private_key.pem"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect("127.0.0.1:8443").is_err() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "openssl s_server did not listen on 8443 (is the port taken?)"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child
}

/// gen's and ca create's help examples run as written: each example (its commands, in
/// order) in a fresh folder with a fresh CA home, through `sh -c`; every command exits 0.
#[test]
fn gen_and_ca_help_examples_run_as_written() {
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_certsmith")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    for command in [&["gen", "--help"][..], &["ca", "create", "--help"][..]] {
        let help = crate::util::run(command).stdout;
        let examples = help.split("EXAMPLES:").nth(1).unwrap().split("EXIT STATUS:").next().unwrap();
        let groups: Vec<Vec<&str>> = examples
            .split("\n\n")
            .map(|group| {
                group.lines().filter_map(|l| l.strip_prefix("    ")).filter(|l| l.starts_with("certsmith ")).collect()
            })
            .filter(|commands: &Vec<&str>| !commands.is_empty())
            .collect();
        assert!(groups.len() >= 4, "{command:?}: {groups:?}");
        for commands in groups {
            let dir = tempfile::tempdir().unwrap();
            for line in &commands {
                let out = std::process::Command::new("sh")
                    .args(["-c", line])
                    .current_dir(dir.path())
                    .env("PATH", &path)
                    .env("CERTSMITH_CAROOT", dir.path().join("ca-home"))
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{command:?}: `{line}`: {}", String::from_utf8_lossy(&out.stderr));
            }
            // What is meant for every start runs again, unchanged, with the files in place.
            for line in commands.iter().filter(|l| l.contains("--if-needed")) {
                let again = std::process::Command::new("sh")
                    .args(["-c", line])
                    .current_dir(dir.path())
                    .env("PATH", &path)
                    .env("CERTSMITH_CAROOT", dir.path().join("ca-home"))
                    .status()
                    .unwrap();
                assert!(again.success(), "{command:?}: `{line}` a second time");
            }
        }
    }
}

/// The README's install lines run as written through `sh -c`, with HOME a temp folder and
/// the built binary on PATH in place of the installed one: the lines that build it
/// (`cargo install`, `dist/build.sh`) are what CI does anyway and are left out.
#[test]
fn the_readme_install_lines_run_as_written() {
    let readme = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let install = readme.split("## Install").nth(1).unwrap().split("\n## ").next().unwrap();
    let lines: Vec<&str> = install
        .lines()
        .filter_map(|l| l.strip_prefix("$ "))
        .filter(|l| !l.starts_with("cargo ") && !l.contains("dist/build.sh"))
        .collect();
    assert!(lines.len() >= 3, "{lines:?}");
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_certsmith")).parent().unwrap().to_owned();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let home = tempfile::tempdir().unwrap();
    for line in &lines {
        let out = std::process::Command::new("sh")
            .args(["-c", &format!("set -e; {line}")])
            .current_dir(home.path())
            .env("HOME", home.path())
            .env("PATH", &path)
            .env("MANPAGER", "cat")
            .output()
            .unwrap();
        assert!(out.status.success(), "`{line}`: {}", String::from_utf8_lossy(&out.stderr));
    }
    let completions = home.path().join(".local/share/bash-completion/completions/certsmith");
    assert!(std::fs::read_to_string(completions).unwrap().contains("_certsmith"));
}
