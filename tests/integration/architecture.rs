//! The layers of `src/`, checked on its text: every module may use only the layers
//! below its own (docs/architecture.md draws them), no command uses another command, and
//! the folders' import graph has no cycle. Each violation is named with its file, line
//! and text. Test code (`#[cfg(test)]` and after) and comments are not read.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer: a module may use lower layers only.
const LAYERS: &[(&str, u8)] = &[
    ("finding", 0),
    ("clock", 1),
    ("output", 1),
    ("pki", 2),
    ("report", 3),
    ("probe", 3),
    ("deploy", 4),
    ("trust", 5),
    ("cli", 6),
    ("commands", 7),
    ("docs", 7),
    ("app", 8),
    ("main", 9),
    ("lib", 9),
];

/// Modules of `commands/` every command may use: the shared context, argument parsing
/// and remedies.
const SHARED_IN_COMMANDS: &[&str] = &["fix", "inputs", "Context", "mod"];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(m, _)| *m == module).map(|(_, l)| *l)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// (line number, line) of the code a file runs: comments and test code left out.
fn code_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .take_while(|(_, line)| line.trim() != "#[cfg(test)]")
        .filter(|(_, line)| !line.trim_start().starts_with("//"))
        .map(|(i, line)| (i + 1, line))
        .collect()
}

/// The modules `line` names as `crate::NAME`, and in a grouped `crate::{a, b::c}` (whose
/// group may go on over the following lines, given as `rest`).
fn crate_uses<'t>(line: &'t str, rest: &[(usize, &'t str)]) -> Vec<&'t str> {
    let mut found = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let after = line.get(at + "crate::".len()..).unwrap_or_default();
        if after.starts_with('{') {
            // The group, to its closing brace, over as many lines as it takes.
            let mut group: Vec<&str> = vec![after];
            for (_, next) in rest {
                if group.concat().contains('}') {
                    break;
                }
                group.push(next);
            }
            let text = group.concat();
            let inner = text.get(1..text.find('}').unwrap_or(text.len())).unwrap_or_default();
            for item in inner.split(',') {
                let name = item.trim().split("::").next().unwrap_or_default();
                let found_in = group.iter().find_map(|l| l.find(name).and_then(|i| l.get(i..i + name.len())));
                found.extend(found_in.filter(|n| !n.is_empty()));
            }
            continue;
        }
        let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
        if let Some(name) = after.get(..end).filter(|name| !name.is_empty()) {
            found.push(name);
        }
    }
    found
}

struct Source {
    /// `commands/connect.rs`
    rel: String,
    /// `commands`
    top: String,
    text: String,
}

fn sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            let top = rel.split('/').next().unwrap().trim_end_matches(".rs").to_owned();
            Source { text: std::fs::read_to_string(&path).unwrap(), rel, top }
        })
        .collect()
}

/// Every use of a layer that is not below the user's, as `file:line: text`.
fn violations(sources: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    for source in sources {
        let own = layer(&source.top).unwrap_or_else(|| panic!("src/{} is in no layer: add it to LAYERS", source.rel));
        let lines = code_lines(&source.text);
        for (i, (number, line)) in lines.iter().enumerate() {
            let (number, line) = (*number, *line);
            for used in crate_uses(line, lines.get(i + 1..).unwrap_or_default()) {
                if used == source.top {
                    continue;
                }
                let Some(theirs) = layer(used) else { continue };
                if theirs >= own {
                    found.push(format!(
                        "src/{}:{number}: {} (layer {own}) uses {used} (layer {theirs})",
                        source.rel,
                        line.trim(),
                    ));
                }
            }
        }
        // A command uses no other command: only what commands share.
        if source.top == "commands" {
            let me = source.rel.trim_start_matches("commands/").trim_end_matches(".rs");
            for (number, line) in code_lines(&source.text) {
                for (at, _) in line.match_indices("commands::").chain(line.match_indices("super::")) {
                    let rest = line.get(at..).unwrap_or_default();
                    let rest = rest.trim_start_matches("commands::").trim_start_matches("super::");
                    let other: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                    let braced = rest.starts_with('{');
                    if braced || other.is_empty() || other == me || SHARED_IN_COMMANDS.contains(&other.as_str()) {
                        continue;
                    }
                    found.push(format!("src/{}:{number}: {} uses the command {other}", source.rel, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn every_module_uses_only_the_layers_below_it() {
    let found = violations(&sources());
    assert!(found.is_empty(), "imports against the layers (docs/architecture.md):\n{}", found.join("\n"));
}

#[test]
fn the_check_fails_on_a_use_from_a_higher_layer() {
    for (file, top, line) in [
        ("report/mod.rs", "report", "use crate::commands::generate;"),
        ("pki/load.rs", "pki", "use crate::commands::Context;"),
        ("pki/load.rs", "pki", "use crate::report::data::inspect::InspectData;"),
        ("finding/mod.rs", "finding", "use crate::pki::load;"),
        ("commands/doctor.rs", "commands", "use super::verify::parse_hosts;"),
        ("pki/load.rs", "pki", "use crate::{finding::Code, commands::Context};"),
    ] {
        let source = Source { rel: file.to_owned(), top: top.to_owned(), text: format!("{line}\n") };
        let found = violations(&[source]);
        assert_eq!(found.len(), 1, "{line}: {found:?}");
        assert!(found[0].starts_with(&format!("src/{file}:1: {line}")), "{found:?}");
    }
    let test_only = Source {
        rel: "pki/load.rs".to_owned(),
        top: "pki".to_owned(),
        text: "// crate::commands in a comment\n#[cfg(test)]\nuse crate::commands::Context;\n".to_owned(),
    };
    assert!(violations(&[test_only]).is_empty(), "comments and tests are not read");
}

#[test]
fn the_folders_import_graph_has_no_cycle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources() {
        let lines = code_lines(&source.text);
        for (i, (_, line)) in lines.iter().enumerate() {
            for used in crate_uses(line, lines.get(i + 1..).unwrap_or_default()) {
                if used != source.top && layer(used).is_some() {
                    graph.entry(source.top.clone()).or_default().insert(used.to_owned());
                }
            }
        }
    }
    // Depth-first search for a path back to where it started.
    fn reaches(
        graph: &BTreeMap<String, BTreeSet<String>>,
        from: &str,
        target: &str,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        graph
            .get(from)
            .into_iter()
            .flatten()
            .any(|next| next == target || (seen.insert(next.clone()) && reaches(graph, next, target, seen)))
    }
    for module in graph.keys() {
        assert!(!reaches(&graph, module, module, &mut BTreeSet::new()), "{module} is in an import cycle: {graph:#?}");
    }
}
