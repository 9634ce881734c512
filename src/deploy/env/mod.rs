//! The configuration a Granian process gets, read as docker compose reads it: `.env` files
//! (`dotenv`), compose files (`compose`), variable interpolation (`interpolate`), and the
//! result: targets (a compose service, or the one environment without compose), each with
//! its variables, where each came from, and its mounts, through which a container path
//! is found on the host.
//!
//! Nothing here judges the configuration (that is `doctor`'s job), prints, or reads the
//! process environment: callers pass it in. A source that cannot be read or parsed is a
//! `Failure` naming the file, line and column.

pub mod compose;
pub mod dotenv;
pub mod interpolate;

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::finding::Failure;
use crate::finding::Subject;
pub use crate::finding::place::{ENVIRONMENT, Origin, Position};
use crate::pki::load::{self, Input, Problem};
use interpolate::Budget;

impl Variable {
    /// The subject of a finding about this variable: where it is set, and its name.
    pub fn subject(&self) -> Subject {
        Subject { variable: Some(self.name.clone()), ..self.origin.subject() }
    }
}

/// A variable as the process will see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variable {
    pub name: String,
    pub value: String,
    pub origin: Origin,
}

/// Variables in the order they were first set; setting one again replaces its value and
/// origin (the later source wins, as in compose). Looked up by name through an index, so
/// that a file of many variables takes linear time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    list: Vec<Variable>,
    /// Each name's place in `list`.
    index: HashMap<String, usize>,
}

impl Vars {
    pub fn get(&self, name: &str) -> Option<&Variable> {
        self.index.get(name).and_then(|&i| self.list.get(i))
    }

    pub fn value(&self, name: &str) -> Option<String> {
        self.get(name).map(|v| v.value.clone())
    }

    pub fn set(&mut self, var: Variable) {
        match self.index.get(&var.name).and_then(|&i| self.list.get_mut(i)) {
            Some(old) => *old = var,
            None => {
                self.index.insert(var.name.clone(), self.list.len());
                self.list.push(var);
            }
        }
    }

    /// Sets each variable of `other` in turn: `other` wins.
    pub fn update(&mut self, other: Vars) {
        if self.list.is_empty() {
            *self = other;
            return;
        }
        for var in other {
            self.set(var);
        }
    }

    /// Sets each variable of `other` that is not set here: `self` wins.
    pub fn fill_from(&mut self, other: Vars) {
        if self.list.is_empty() {
            *self = other;
            return;
        }
        for var in other {
            if self.get(&var.name).is_none() {
                self.set(var);
            }
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Variable> {
        self.list.iter()
    }

    /// The process environment (names and values that are not Unicode are skipped: no
    /// variable certsmith reads has them).
    pub fn from_process() -> Self {
        let mut vars = Self::default();
        for (name, value) in std::env::vars_os() {
            if let (Ok(name), Ok(value)) = (name.into_string(), value.into_string()) {
                vars.set(Variable { name, value, origin: Origin::environment() });
            }
        }
        vars
    }
}

impl IntoIterator for Vars {
    type Item = Variable;
    type IntoIter = std::vec::IntoIter<Variable>;

    /// The variables in the order they were first set.
    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}

/// How a container path reaches the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MountKind {
    /// A bind mount of a host file or folder.
    Bind,
    /// A docker volume: its files are not on a path certsmith can read.
    Volume,
    /// `--map CONTAINER_PATH=HOST_PATH`.
    Map,
}

/// A container path and where it is on the host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub kind: MountKind,
    /// Absolute, normalised container path.
    pub container: String,
    /// The host path (bind mounts and maps) or the volume's name.
    pub source: String,
    pub read_only: bool,
    pub origin: Origin,
}

/// Where a path named in a variable is, for certsmith.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located<'a> {
    /// A host path: the process runs on this machine (no compose, no `--map` for it).
    Host(PathBuf),
    /// A container path, on the host through this mount.
    Mounted { host: PathBuf, mount: &'a Mount },
    /// A container path inside a docker volume.
    InVolume(&'a Mount),
    /// A container path no mount covers: in the container it is a path of the image.
    NotMounted,
    /// A relative container path: relative to a working folder certsmith cannot see.
    Relative,
}

/// One process that will read the variables: a compose service, or without compose the
/// environment certsmith was given.
#[derive(Debug, Clone)]
pub struct Target {
    /// The service's name, or `environment`.
    pub name: String,
    /// In a container (paths are container paths), or on this machine.
    pub in_container: bool,
    pub vars: Vars,
    pub mounts: Vec<Mount>,
    /// The user the container runs as (compose `user:`), when numeric.
    pub user: Option<Ids>,
    /// Compose's `user:` when it is a name (`app`), whose uid certsmith cannot know.
    pub user_name: Option<String>,
    /// Where the target is defined: the service's line, or the sources of the environment.
    pub origin: Origin,
}

/// A numeric user and, optionally, group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Ids {
    pub uid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
}

impl Ids {
    /// `1000` or `1000:1000`, as compose's `user:` and `--container-uid` take them; names
    /// (`app:app`) are not numbers and give `None`.
    pub fn parse(text: &str) -> Option<Self> {
        let (uid, gid) = match text.split_once(':') {
            Some((uid, gid)) => (uid, Some(gid.parse().ok()?)),
            None => (text, None),
        };
        Some(Self { uid: uid.parse().ok()?, gid })
    }
}

impl Target {
    /// Where the path in a variable is. Without a container, `--map` mounts still apply
    /// (the configuration may name container paths for a `docker run` certsmith cannot
    /// see); other paths are host paths, relative ones from the current folder.
    pub fn locate(&self, path: &str) -> Located<'_> {
        if !path.starts_with('/') {
            return if self.in_container { Located::Relative } else { Located::Host(PathBuf::from(path)) };
        }
        let path = normalise(path);
        let covering = self
            .mounts
            .iter()
            .filter_map(|m| rest_under(&path, &m.container).map(|rest| (m, rest)))
            // The deepest mount wins; for the same folder, --map wins (it comes last).
            .max_by_key(|(m, _)| (m.container.len(), m.kind == MountKind::Map));
        match covering {
            Some((mount, _)) if mount.kind == MountKind::Volume => Located::InVolume(mount),
            Some((mount, rest)) => {
                let mut host = PathBuf::from(&mount.source);
                if !rest.is_empty() {
                    host.push(rest);
                }
                Located::Mounted { host, mount }
            }
            None if self.in_container => Located::NotMounted,
            None => Located::Host(PathBuf::from(path)),
        }
    }
}

/// `/a/./b//c/../d/` → `/a/b/d`, without touching the file system.
pub fn normalise(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(path).components() {
        match component {
            Component::Normal(part) => parts.push(part.to_str().unwrap_or_default()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    format!("/{}", parts.join("/"))
}

/// `dir/./certs` → `dir/certs`, `./certs` → `certs`: a host path as people write it.
pub fn clean(path: &Path) -> PathBuf {
    let cleaned: PathBuf = path.components().filter(|c| !matches!(c, Component::CurDir)).collect();
    if cleaned.as_os_str().is_empty() { PathBuf::from(".") } else { cleaned }
}

/// What follows `dir` in `path` (`""` for `dir` itself), when `path` is in `dir`.
fn rest_under<'p>(path: &'p str, dir: &str) -> Option<&'p str> {
    if dir == "/" {
        return Some(path.trim_start_matches('/'));
    }
    let rest = path.strip_prefix(dir)?;
    if rest.is_empty() { Some(rest) } else { rest.strip_prefix('/') }
}

/// A `--map CONTAINER_PATH=HOST_PATH` argument.
pub fn parse_map(text: &str) -> Result<Mount, String> {
    let Some((container, host)) = text.split_once('=') else {
        return Err(format!("expected CONTAINER_PATH=HOST_PATH, such as /certs=./certs, found {text:?}"));
    };
    if !container.starts_with('/') {
        return Err(format!("the container path {container:?} is not absolute: expected /certs=./certs"));
    }
    if host.is_empty() {
        return Err(format!("no host path after `=` in {text:?}: expected /certs=./certs"));
    }
    Ok(Mount {
        kind: MountKind::Map,
        container: normalise(container),
        source: host.to_owned(),
        read_only: false,
        origin: Origin { path: format!("--map {text}"), position: None },
    })
}

/// The text of a source file (a compose file, a `.env` file), bounded and checked to be
/// UTF-8; errors name the file (and where the text stops being UTF-8).
pub fn read_source(path: &Path, what: &str) -> Result<String, Failure> {
    let name = path.display().to_string();
    let bytes = load::read(&Input::File(path.to_path_buf())).map_err(|problem| {
        let (why, hint) = match &problem {
            Problem::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
                ("no such file".to_owned(), "check the path; relative paths start from the current folder".to_owned())
            }
            Problem::Io(e) => (load::io_reason(e), format!("check its owner and mode with `ls -l {name}`")),
            Problem::NotAFile(kind) => (format!("it is {kind}, not a regular file"), format!("pass the {what} itself")),
            Problem::TooLarge(_) => (
                format!("it is larger than {} MiB", load::MAX_INPUT_BYTES / (1024 * 1024)),
                format!("is this the {what}?"),
            ),
            _ => ("it cannot be read".to_owned(), "check the path and the file".to_owned()),
        };
        Failure::new(format!("cannot read the {what} {name}: {why}")).hint(hint).about(Subject::file(&name, None))
    })?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.as_bytes().get(..e.utf8_error().valid_up_to()).unwrap_or_default();
        let text = String::from_utf8_lossy(valid);
        let line = text.matches('\n').count() + 1;
        let column = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        source_error(&name, Position { line, column }, &format!("the {what} is not UTF-8 text"), "save it as UTF-8")
    })
}

/// A source that cannot be parsed: `file:line:column: what`, with the place in the subject.
pub fn source_error(path: &str, at: Position, what: &str, hint: &str) -> Failure {
    Failure::new(format!("{path}:{}:{}: {what}", at.line, at.column)).hint(hint).about(Origin::at(path, at).subject())
}

/// A variable interpolation used that is not set (compose substitutes "" and warns), and
/// where.
pub type Unset = (String, Origin);

/// Reads a `.env` file; `lookup` resolves interpolation and `NAME` lines, and what
/// interpolation makes is taken from `budget`.
pub fn read_env_file(
    path: &Path,
    lookup: &dyn Fn(&str) -> Option<String>,
    budget: &Budget,
) -> Result<(Vars, Vec<Unset>), Failure> {
    let name = path.display().to_string();
    let text = read_source(path, "env file")?;
    let entries = dotenv::parse(&text, lookup, budget).map_err(|e| {
        source_error(
            &name,
            e.position,
            &e.message,
            "docker compose refuses this file too; the syntax: https://docs.docker.com/compose/env-file/",
        )
    })?;
    let mut vars = Vars { list: Vec::with_capacity(entries.len()), index: HashMap::with_capacity(entries.len()) };
    let mut unset = Vec::new();
    for entry in entries {
        let origin = Origin::at(&name, entry.position);
        unset.extend(entry.unset.into_iter().map(|n| (n, origin.clone())));
        vars.set(Variable { name: entry.name, value: entry.value, origin });
    }
    Ok((vars, unset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mount(kind: MountKind, container: &str, source: &str) -> Mount {
        Mount {
            kind,
            container: container.to_owned(),
            source: source.to_owned(),
            read_only: true,
            origin: Origin::environment(),
        }
    }

    fn target(in_container: bool, mounts: Vec<Mount>) -> Target {
        Target {
            name: "core".to_owned(),
            in_container,
            vars: Vars::default(),
            mounts,
            user: None,
            user_name: None,
            origin: Origin::environment(),
        }
    }

    #[test]
    fn the_deepest_mount_maps_a_container_path() {
        let t = target(
            true,
            vec![
                mount(MountKind::Bind, "/certs", "./certs"),
                mount(MountKind::Bind, "/certs/ca", "./ca"),
                mount(MountKind::Volume, "/app/data", "core_data"),
            ],
        );
        let host = |p| match t.locate(p) {
            Located::Mounted { host, .. } => host.display().to_string(),
            other => format!("{other:?}"),
        };
        assert_eq!(host("/certs/certificate.pem"), "./certs/certificate.pem");
        assert_eq!(host("/certs/ca/ca.pem"), "./ca/ca.pem");
        assert_eq!(host("/certs/./x/../key.pem"), "./certs/key.pem");
        assert_eq!(host("/certs"), "./certs");
        assert!(matches!(t.locate("/certsx/a.pem"), Located::NotMounted));
        assert!(matches!(t.locate("/app/data/c.pem"), Located::InVolume(_)));
        assert!(matches!(t.locate("certs/c.pem"), Located::Relative));
    }

    #[test]
    fn without_a_container_paths_are_host_paths_unless_mapped() {
        let t = target(false, vec![mount(MountKind::Map, "/certs", "certs")]);
        assert!(matches!(t.locate("/certs/a.pem"), Located::Mounted { host, .. } if host == Path::new("certs/a.pem")));
        assert_eq!(t.locate("/etc/a.pem"), Located::Host(PathBuf::from("/etc/a.pem")));
        assert_eq!(t.locate("a.pem"), Located::Host(PathBuf::from("a.pem")));
    }

    #[test]
    fn vars_keep_the_first_setting_order_and_the_last_value() {
        let var = |name: &str, value: &str| Variable {
            name: name.to_owned(),
            value: value.to_owned(),
            origin: Origin::environment(),
        };
        let mut vars = Vars::default();
        for (name, value) in [("B", "1"), ("A", "1"), ("B", "2")] {
            vars.set(var(name, value));
        }
        let mut other = Vars::default();
        other.set(var("C", "3"));
        other.set(var("A", "other"));
        vars.fill_from(other.clone());
        let mut empty = Vars::default();
        empty.fill_from(other.clone());
        assert_eq!(empty, other);
        empty.update(vars.clone());
        assert_eq!(empty.value("A").as_deref(), Some("1"), "update: the other wins");
        let all: Vec<(String, String)> = vars.iter().map(|v| (v.name.clone(), v.value.clone())).collect();
        let expected = [("B", "2"), ("A", "1"), ("C", "3")].map(|(n, v)| (n.to_owned(), v.to_owned()));
        assert_eq!(all, expected);
        assert_eq!(vars.value("C").as_deref(), Some("3"));
        assert_eq!(vars.get("D"), None);
    }

    #[test]
    fn map_arguments_and_ids() {
        assert_eq!(parse_map("/certs/=./certs").unwrap().container, "/certs");
        assert!(parse_map("certs=./certs").is_err());
        assert!(parse_map("/certs").is_err());
        assert_eq!(Ids::parse("1000:1001"), Some(Ids { uid: 1000, gid: Some(1001) }));
        assert_eq!(Ids::parse("0"), Some(Ids { uid: 0, gid: None }));
        assert_eq!(Ids::parse("app"), None);
    }
}
