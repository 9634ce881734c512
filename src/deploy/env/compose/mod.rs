//! Compose files, as far as the environment and files of a service go: each service's
//! `environment` (list or map form), `env_file` (string, list, or list of `{path,
//! required}`), `volumes` (short `./certs:/certs:ro` and long syntax) and `user`, with
//! values interpolated from the project environment as compose does
//! (<https://docs.docker.com/reference/compose-file/services/>,
//! <https://docs.docker.com/compose/how-tos/environment-variables/envvars-precedence/>):
//!
//! - the project environment is the process environment over the `.env` file beside the
//!   compose file (or the `--env-file` files, which replace it, as with `docker compose
//!   --env-file`);
//! - a service's variables are its `env_file` files in order, then `environment`, each
//!   later one winning; `NAME` without a value takes it from the project environment;
//! - relative paths (`env_file`, bind mounts) start from the compose file's folder;
//! - YAML merge keys (`<<: *anchor`) and compose's `!reset` / `!override` tags apply;
//! - `include:` files add their services, their relative paths starting from their own
//!   folder; `extends:` (same file or `file:`) gives a service its base's env files,
//!   environment (the service's own win), volumes (its own replace those on the same
//!   container path) and user. Both are followed only to files inside the project folder
//!   (the main compose file's), at most [`MAX_FILES_DEEP`] files deep; a file outside it
//!   is not read, and the services it would decide are reported in
//!   [`Project::not_followed`], never judged on half their configuration.
//!
//! Not read: profiles, and every key that does not bear on the environment or the files
//! a service sees. YAML is parsed with saphyr (pure Rust, YAML
//! 1.2); its event parser is driven here without recursion, with a nesting limit.

mod services;
mod yaml;

use yaml::*;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use saphyr::{MarkedYaml, ScalarStyle, YamlData, YamlLoader};
use saphyr_parser::{Event, Parser, SpannedEventReceiver};

use super::interpolate::{self, Budget, Interpolated};
use super::{
    Mount, MountKind, Origin, Position, Unset, Variable, Vars, clean, normalise, read_env_file, read_source,
    source_error,
};
use crate::finding::Failure;

/// Deeper YAML is refused before it is built: compose files are a few levels deep, and
/// dropping a deep tree is recursive.
const MAX_DEPTH: usize = 64;

/// How many files `include` and `extends` may chain, and services `extends` may.
const MAX_FILES_DEEP: usize = 8;

/// How many files `include` and `extends` may read in all (a project has a handful).
const MAX_FILES_READ: usize = 64;

/// A compose file's services.
#[derive(Debug, Clone)]
pub struct Project {
    /// The compose file, as given.
    pub file: String,
    pub services: Vec<Service>,
    /// Variables used in interpolation that are not set (compose substitutes "" and warns).
    pub unset: Vec<Unset>,
    /// `include` and `extends` that were not followed, and why.
    pub not_followed: Vec<NotFollowed>,
    /// The top-level `version:` (obsolete for compose v2, required alike in every file by
    /// docker-compose v1).
    pub version: Option<String>,
    /// Override files merged in (compose.override.yaml beside compose.yaml).
    pub overrides: Vec<String>,
}

impl Project {
    /// `other` merged over this project as compose merges an override: a service in both
    /// gets the override's variables and mounts over its own (mounts by container path),
    /// and its user, image, build and healthcheck where the override sets them.
    fn merge(&mut self, other: Project) {
        for service in other.services {
            match self.services.iter_mut().find(|s| s.name == service.name) {
                Some(base) => {
                    base.vars.update(service.vars);
                    base.mounts.retain(|m| !service.mounts.iter().any(|o| o.container == m.container));
                    base.mounts.extend(service.mounts);
                    base.user = service.user.or(base.user.take());
                    base.image = service.image.or(base.image.take());
                    base.build_context = service.build_context.or(base.build_context.take());
                    base.healthcheck = service.healthcheck.or(base.healthcheck.take());
                    base.ports.extend(service.ports);
                }
                None => self.services.push(service),
            }
        }
        self.unset.extend(other.unset);
        self.not_followed.extend(other.not_followed);
        self.overrides.push(other.file);
    }
}

/// An `include` or `extends` certsmith did not read: the services it decides are not judged.
#[derive(Debug, Clone)]
pub struct NotFollowed {
    pub origin: Origin,
    /// The service left unjudged (`extends`); `None` for an `include`, whose services are
    /// unknown.
    pub service: Option<String>,
    pub why: String,
}

/// One service, as its container will see it.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    /// Where the service's name is.
    pub origin: Origin,
    pub vars: Vars,
    pub mounts: Vec<Mount>,
    /// `user:`, interpolated.
    pub user: Option<String>,
    /// `build:` (or `build.context`): the folder copied into the image, on the host.
    pub build_context: Option<(PathBuf, Origin)>,
    /// `healthcheck.test`, as one line, where it is set.
    pub healthcheck: Option<(String, Origin)>,
    /// `image:`, interpolated.
    pub image: Option<String>,
    /// `ports:` that publish a container port on the host.
    pub ports: Vec<Port>,
}

/// A container port published on the host (`ports: ["8443:8080"]`): other containers
/// reach the service at `NAME:target`, the host at `published`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Port {
    pub published: u16,
    pub target: u16,
}

/// The `.env` compose reads for interpolation: `env_files` when given (as `docker compose
/// --env-file`), else `.env` beside the compose file when there is one.
pub fn interpolation_files(compose: &Path, env_files: &[PathBuf]) -> Vec<PathBuf> {
    if !env_files.is_empty() {
        return env_files.to_vec();
    }
    let beside = clean(&project_dir(compose).join(".env"));
    if beside.is_file() { vec![beside] } else { Vec::new() }
}

/// Reads the compose file at `path` as compose would: interpolated with the process
/// environment over its `.env` (or `env_files`). Returns the project, the env files read,
/// and the interpolations used without a value.
pub fn load_project(
    path: &Path,
    env_files: &[PathBuf],
    process: &Vars,
    budget: &Budget,
) -> Result<(Project, Vec<PathBuf>, Vec<Unset>), Failure> {
    let mut project = Vars::default();
    let mut unset = Vec::new();
    let files = interpolation_files(path, env_files);
    for file in &files {
        let (vars, missing) = read_env_file(file, &|n| process.value(n).or_else(|| project.value(n)), budget)?;
        unset.extend(missing);
        project.update(vars);
    }
    // The process environment wins over the .env file (compose's precedence).
    let mut interpolation = process.clone();
    interpolation.fill_from(project);
    let mut loaded = load(path, &interpolation, budget)?;
    // What `docker compose up` reads by itself beside a default-named file; its relative
    // paths start from the main file's folder, as compose resolves them.
    let automatic = default_override(path);
    if automatic.is_file() {
        let text = read_source(&automatic, "compose override file")?;
        let over = parse(&text, &automatic.display().to_string(), &project_dir(path), &interpolation, budget)?;
        loaded.merge(over);
    }
    unset.append(&mut loaded.unset);
    Ok((loaded, files, unset))
}

/// The override file docker compose reads by itself beside `compose`, when `compose`
/// has one of its default names: `compose.override.yaml` beside `compose.yaml`,
/// `docker-compose.override.yml` beside `docker-compose.yml`; else nothing (a path that
/// is never a file).
pub fn default_override(compose: &Path) -> PathBuf {
    let name = compose.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    match name.rsplit_once('.') {
        Some((stem @ ("compose" | "docker-compose"), ext @ ("yaml" | "yml"))) => {
            compose.with_file_name(format!("{stem}.override.{ext}"))
        }
        _ => PathBuf::new(),
    }
}

/// The compose file `docker compose` would read in `dir`, by its default names.
pub fn find_default(dir: &Path) -> Option<PathBuf> {
    ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]
        .iter()
        .map(|name| clean(&dir.join(name)))
        .find(|path| path.is_file())
}

/// The folder relative paths start from.
pub fn project_dir(compose: &Path) -> PathBuf {
    match compose.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Reads the compose file at `path`; `project` is the project environment interpolation
/// and `NAME` entries read from; what interpolation makes is taken from `budget`.
pub fn load(path: &Path, project: &Vars, budget: &Budget) -> Result<Project, Failure> {
    let file = path.display().to_string();
    let text = read_source(path, "compose file")?;
    parse(&text, &file, &project_dir(path), project, budget)
}

/// Reads compose `text` named `file`, whose relative paths start from `dir`.
pub fn parse(text: &str, file: &str, dir: &Path, project: &Vars, budget: &Budget) -> Result<Project, Failure> {
    let root = parse_yaml(text, file)?;
    let shared = Shared {
        project,
        budget,
        root_dir: absolute(dir),
        unset: RefCell::default(),
        not_followed: RefCell::default(),
        files_read: std::cell::Cell::new(0),
    };
    let reader = Reader { file, dir: dir.to_path_buf(), depth: 0, shared: &shared };
    let services = reader.services(&root)?;
    let version = reader
        .entries(&root, "the compose file")?
        .iter()
        .find(|e| e.name == "version")
        .map(|e| reader.text(e.value, "version"))
        .transpose()?
        .flatten();
    Ok(Project {
        file: file.to_owned(),
        overrides: Vec::new(),
        version,
        services,
        unset: shared.unset.into_inner(),
        not_followed: shared.not_followed.into_inner(),
    })
}

fn absolute(path: &Path) -> PathBuf {
    clean(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// Where `path` really is (links followed) when it exists, else its absolute form: a link
/// inside the project to a file outside it is outside.
fn fs_canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path))
}

/// What every file of one project shares.
struct Shared<'a> {
    project: &'a Vars,
    budget: &'a Budget,
    /// The main compose file's folder: `include` and `extends` read only below it.
    root_dir: PathBuf,
    unset: RefCell<Vec<Unset>>,
    not_followed: RefCell<Vec<NotFollowed>>,
    /// Files `include` and `extends` have read so far: each counts, so that files that
    /// include one another many times cannot multiply the work.
    files_read: std::cell::Cell<usize>,
}

/// Reads one compose file.
struct Reader<'a> {
    file: &'a str,
    /// Where the file's relative paths start.
    dir: PathBuf,
    /// How many files `include` or `extends` went through to reach this one.
    depth: usize,
    shared: &'a Shared<'a>,
}

/// A service's settings as compose merges them through `extends`: env files and
/// `environment` are kept apart, since every `environment` entry wins over every env file.
#[derive(Default)]
struct Settings {
    env_files: Vars,
    environment: Vars,
    mounts: Vec<Mount>,
    user: Option<String>,
    build_context: Option<(PathBuf, Origin)>,
    healthcheck: Option<(String, Origin)>,
    image: Option<String>,
    ports: Vec<Port>,
}

impl Settings {
    /// `self` extended by `own`: own values win, own mounts replace those on their paths.
    fn extended_by(mut self, own: Settings) -> Settings {
        self.env_files.update(own.env_files);
        self.environment.update(own.environment);
        self.mounts.retain(|m| !own.mounts.iter().any(|o| o.container == m.container));
        self.mounts.extend(own.mounts);
        self.ports.extend(own.ports);
        Settings {
            user: own.user.or(self.user),
            build_context: own.build_context.or(self.build_context),
            healthcheck: own.healthcheck.or(self.healthcheck),
            image: own.image.or(self.image),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vars {
        let mut vars = Vars::default();
        for (name, value) in pairs {
            vars.set(Variable { name: (*name).to_owned(), value: (*value).to_owned(), origin: Origin::environment() });
        }
        vars
    }

    fn read(yaml: &str, project: &Vars) -> Result<Vec<Service>, Failure> {
        Ok(parse(yaml, "compose.yaml", Path::new("proj"), project, &Budget::default())?.services)
    }

    #[test]
    fn environment_in_both_forms_with_interpolation_and_inheritance() {
        let project = vars(&[("DOMAIN", "example.test"), ("PASSWORD", "pw")]);
        let yaml = "services:\n  core:\n    environment:\n      - A=https://${DOMAIN}/api\n      - PASSWORD\n      - MISSING\n  worker:\n    environment:\n      B: ${DOMAIN:-x}\n      FLAG: False\n      N: 8443\n      PASSWORD:\n";
        let services = read(yaml, &project).unwrap();
        let core = &services[0];
        assert_eq!(core.vars.value("A").as_deref(), Some("https://example.test/api"));
        assert_eq!(core.vars.value("PASSWORD").as_deref(), Some("pw"));
        assert_eq!(core.vars.get("MISSING"), None);
        assert_eq!(core.vars.get("A").unwrap().origin.position, Some(Position { line: 4, column: 9 }));
        let worker = &services[1];
        assert_eq!(worker.vars.value("B").as_deref(), Some("example.test"));
        assert_eq!(worker.vars.value("FLAG").as_deref(), Some("false"));
        assert_eq!(worker.vars.value("N").as_deref(), Some("8443"));
        assert_eq!(worker.vars.value("PASSWORD").as_deref(), Some("pw"));
    }

    #[test]
    fn published_ports_short_and_long() {
        let yaml = "services:\n  core:\n    ports:\n      - \"8443:8080\"\n      - 127.0.0.1:9443:9080/tcp\n      - \"[::1]:7443:7080\"\n      - \"8080\"\n      - 9000-9001:9000-9001\n      - target: 80\n        published: \"8081\"\n      - target: 81\n";
        let ports = &read(yaml, &Vars::default()).unwrap()[0].ports;
        let pairs: Vec<(u16, u16)> = ports.iter().map(|p| (p.published, p.target)).collect();
        // A random host port (`8080`, `target` alone) and a range are left out.
        assert_eq!(pairs, [(8443, 8080), (9443, 9080), (7443, 7080), (8081, 80)]);
    }

    #[test]
    fn volumes_short_and_long() {
        let yaml = "services:\n  core:\n    volumes:\n      - ./certs:/certs:ro\n      - core_data:/app/data\n      - type: bind\n        source: /etc/ssl\n        target: /ssl/\n        read_only: true\n      - /anonymous\n";
        let mounts = &read(yaml, &Vars::default()).unwrap()[0].mounts;
        assert_eq!(mounts.len(), 4);
        assert_eq!(
            (mounts[0].kind.clone(), mounts[0].source.as_str(), mounts[0].container.as_str(), mounts[0].read_only),
            (MountKind::Bind, "proj/certs", "/certs", true)
        );
        assert_eq!((mounts[1].kind.clone(), mounts[1].source.as_str()), (MountKind::Volume, "core_data"));
        assert_eq!(
            (mounts[2].source.as_str(), mounts[2].container.as_str(), mounts[2].read_only),
            ("/etc/ssl", "/ssl", true)
        );
        assert_eq!(mounts[3].kind, MountKind::Volume);
    }

    #[test]
    fn merge_keys_and_compose_tags() {
        let yaml = "x-env: &env\n  A: from-anchor\n  B: from-anchor\nservices:\n  core:\n    environment:\n      <<: *env\n      B: own\n    volumes: !reset []\n";
        let core = &read(yaml, &Vars::default()).unwrap()[0];
        assert_eq!(core.vars.value("A").as_deref(), Some("from-anchor"));
        assert_eq!(core.vars.value("B").as_deref(), Some("own"));
        assert!(core.mounts.is_empty());
    }

    #[test]
    fn errors_name_line_and_column() {
        let at = |yaml: &str| {
            let e = read(yaml, &Vars::default()).unwrap_err();
            (e.subject.line, e.subject.column, e.message)
        };
        let (line, column, message) = at("services:\n  core:\n    environment:\n      A: 1\n     B: 2\n");
        assert_eq!((line, column), (Some(5), Some(6)), "{message}");
        assert!(message.starts_with("compose.yaml:5:6: cannot parse it as YAML"), "{message}");
        let (line, column, message) = at("services:\n  core:\n    environment: 5\n");
        assert_eq!((line, column), (Some(3), Some(18)), "{message}");
        let (line, _, message) = at("services:\n  core:\n    environment:\n      - A=${B:?needed}\n");
        assert_eq!(line, Some(4));
        assert!(message.contains("needed"), "{message}");
        let (line, _, message) = at("services:\n  a:\n    user: x\n  a:\n    user: y\n");
        assert_eq!(line, Some(4), "{message}");
        let deep = format!("services: {}{}", "[".repeat(100), "]".repeat(100));
        assert!(at(&deep).2.contains("nested"));
    }
}
