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

/// The first document of `text`, with scalars kept as written.
fn parse_yaml<'t>(text: &'t str, file: &str) -> Result<MarkedYaml<'t>, Failure> {
    let fail = |at: saphyr::Marker, what: &str| {
        source_error(
            file,
            Position { line: at.line(), column: at.col() + 1 },
            &format!("cannot parse it as YAML: {what}"),
            "docker compose refuses this file too; fix the YAML at that place (`docker compose config` shows what compose reads)",
        )
    };
    let mut loader = YamlLoader::<MarkedYaml<'t>>::default();
    loader.early_parse(false);
    let mut depth = 0usize;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| fail(*e.marker(), e.info()))?;
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(fail(span.start, &format!("it is nested more than {MAX_DEPTH} levels deep")));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            _ => {}
        }
        loader.on_event(event, span);
        if let Some(e) = loader.error() {
            return Err(fail(*e.marker(), e.info()));
        }
    }
    loader.into_documents().into_iter().next().ok_or_else(|| {
        source_error(file, Position { line: 1, column: 1 }, "it holds no YAML document", "is this the compose file?")
    })
}

/// What every file of one project shares.
struct Shared<'a> {
    project: &'a Vars,
    budget: &'a Budget,
    /// The main compose file's folder: `include` and `extends` read only below it.
    root_dir: PathBuf,
    unset: RefCell<Vec<Unset>>,
    not_followed: RefCell<Vec<NotFollowed>>,
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
}

impl Settings {
    /// `self` extended by `own`: own values win, own mounts replace those on their paths.
    fn extended_by(mut self, own: Settings) -> Settings {
        self.env_files.update(own.env_files);
        self.environment.update(own.environment);
        self.mounts.retain(|m| !own.mounts.iter().any(|o| o.container == m.container));
        self.mounts.extend(own.mounts);
        Settings {
            user: own.user.or(self.user),
            build_context: own.build_context.or(self.build_context),
            healthcheck: own.healthcheck.or(self.healthcheck),
            image: own.image.or(self.image),
            ..self
        }
    }
}

type Node<'t> = MarkedYaml<'t>;

/// One key of a mapping.
struct Entry<'n, 't> {
    name: String,
    key: &'n Node<'t>,
    value: &'n Node<'t>,
}

fn position(node: &Node<'_>) -> Position {
    Position { line: node.span.start.line(), column: node.span.start.col() + 1 }
}

/// The node under compose's tags: `!override` is the node itself, `!reset` nothing.
fn untagged<'n, 't>(node: &'n Node<'t>) -> Option<&'n Node<'t>> {
    match &node.data {
        YamlData::Tagged(tag, inner) if tag.suffix == "reset" => None,
        YamlData::Tagged(_, inner) => untagged(inner),
        YamlData::Representation(_, _, Some(tag)) if tag.suffix == "reset" => None,
        _ => Some(node),
    }
}

/// A scalar's text as written, `None` for a YAML null or a collection. Plain booleans
/// are written `true`/`false`, as compose's Go YAML reader turns them into strings.
fn scalar<'n>(node: &'n Node<'_>) -> Option<std::borrow::Cow<'n, str>> {
    let YamlData::Representation(text, style, _) = &node.data else { return None };
    if *style == ScalarStyle::Plain {
        match text.as_ref() {
            "" | "~" | "null" | "Null" | "NULL" => return None,
            "true" | "True" | "TRUE" => return Some("true".into()),
            "false" | "False" | "FALSE" => return Some("false".into()),
            _ => {}
        }
    }
    Some(std::borrow::Cow::Borrowed(text.as_ref()))
}

fn is_null(node: &Node<'_>) -> bool {
    matches!(&node.data, YamlData::Representation(..)) && scalar(node).is_none()
}

fn kind(node: &Node<'_>) -> &'static str {
    match &node.data {
        YamlData::Mapping(_) => "a mapping",
        YamlData::Sequence(_) => "a list",
        YamlData::Tagged(_, inner) => kind(inner),
        _ if is_null(node) => "nothing (null)",
        YamlData::Representation(..) | YamlData::Value(_) => "a single value",
        _ => "something certsmith cannot read",
    }
}

impl<'a> Reader<'a> {
    fn error(&self, node: &Node<'_>, what: &str) -> Failure {
        source_error(
            self.file,
            position(node),
            what,
            "docker compose refuses this file too; the file format: https://docs.docker.com/reference/compose-file/services/",
        )
    }

    fn origin(&self, node: &Node<'_>) -> Origin {
        Origin::at(self.file, position(node))
    }

    /// A mapping's entries (name, key node, value node), with merge keys (`<<`) applied:
    /// explicit keys win, then the merged mappings in order. `!reset` values are left out.
    fn entries<'n, 't>(&self, node: &'n Node<'t>, what: &str) -> Result<Vec<Entry<'n, 't>>, Failure> {
        let YamlData::Mapping(map) = &node.data else {
            return Err(self.error(node, &format!("{what} must be a mapping, found {}", kind(node))));
        };
        let mut own: Vec<Entry<'n, 't>> = Vec::new();
        let mut merged: Vec<Entry<'n, 't>> = Vec::new();
        for (key, value) in map {
            let Some(name) = scalar(key) else {
                return Err(self.error(key, &format!("a key of {what} must be a name, found {}", kind(key))));
            };
            if name == "<<" {
                let sources = match &value.data {
                    YamlData::Sequence(items) => items.iter().collect(),
                    _ => vec![value],
                };
                for source in sources {
                    for entry in self.entries(source, "a merged mapping (<<)")? {
                        if !merged.iter().any(|m| m.name == entry.name) {
                            merged.push(entry);
                        }
                    }
                }
                continue;
            }
            if own.iter().any(|e| e.name == name) {
                return Err(self.error(key, &format!("{what} has the key {name:?} twice")));
            }
            own.push(Entry { name: name.into_owned(), key, value });
        }
        for entry in merged {
            if !own.iter().any(|o| o.name == entry.name) {
                own.push(entry);
            }
        }
        Ok(own.into_iter().filter_map(|e| untagged(e.value).map(|value| Entry { value, ..e })).collect())
    }

    /// A scalar, interpolated with the project environment.
    fn text(&self, node: &Node<'_>, what: &str) -> Result<Option<String>, Failure> {
        if matches!(node.data, YamlData::Mapping(_) | YamlData::Sequence(_)) {
            return Err(self.error(node, &format!("{what} must be a single value, found {}", kind(node))));
        }
        let Some(raw) = scalar(node) else { return Ok(None) };
        let lookup = |name: &str| self.shared.project.value(name);
        let Interpolated { value, unset } = interpolate::interpolate(&raw, &lookup, self.shared.budget)
            .map_err(|e| self.error(node, &format!("cannot interpolate {what}: {}", e.message)))?;
        self.shared.unset.borrow_mut().extend(unset.into_iter().map(|name| (name, self.origin(node))));
        Ok(Some(value))
    }

    fn services(&self, root: &Node<'_>) -> Result<Vec<Service>, Failure> {
        let top = self.entries(root, "the compose file")?;
        let get = |wanted: &str| top.iter().find(|e| e.name == wanted);
        let mut out = match get("include") {
            Some(include) => self.includes(include.value)?,
            None => Vec::new(),
        };
        let Some(services) = get("services") else {
            if get("include").is_some() {
                return Ok(out);
            }
            return Err(self.error(root, "the compose file has no `services:` mapping"));
        };
        let definitions = self.entries(services.value, "services")?;
        for Entry { name, key, value } in &definitions {
            if out.iter().any(|s: &Service| &s.name == name) {
                return Err(
                    self.error(key, &format!("the service {name} is defined twice (here and in an included file)"))
                );
            }
            let mut chain = Vec::new();
            let Some(settings) = self.settings(name, value, &definitions, &mut chain)? else { continue };
            let mut vars = settings.env_files;
            vars.update(settings.environment);
            out.push(Service {
                origin: self.origin(key),
                name: name.clone(),
                vars,
                mounts: settings.mounts,
                user: settings.user,
                build_context: settings.build_context,
                healthcheck: settings.healthcheck,
                image: settings.image,
            });
        }
        Ok(out)
    }

    /// A service's settings with its `extends` base under them; `None` when the base is in
    /// a file certsmith does not read (recorded in `not_followed`).
    fn settings(
        &self,
        name: &str,
        node: &Node<'_>,
        definitions: &[Entry<'_, '_>],
        chain: &mut Vec<String>,
    ) -> Result<Option<Settings>, Failure> {
        let link = format!("{}:{name}", self.file);
        if chain.contains(&link) || chain.len() >= MAX_FILES_DEEP {
            chain.push(link);
            return Err(self.error(node, &format!("`extends` goes round or too deep: {}", chain.join(" → "))));
        }
        chain.push(link);
        let entries = self.entries(node, &format!("the service {name}"))?;
        let get = |wanted: &str| entries.iter().find(|e| e.name == wanted).map(|e| e.value);
        let base = match get("extends") {
            Some(extends) => match self.base(name, extends, definitions, chain)? {
                Some(base) => base,
                None => return Ok(None),
            },
            None => Settings::default(),
        };
        let mut own = Settings::default();
        if let Some(files) = get("env_file") {
            self.env_files(files, name, &mut own.env_files)?;
        }
        if let Some(environment) = get("environment") {
            self.environment(environment, name, &mut own.environment)?;
        }
        if let Some(volumes) = get("volumes") {
            own.mounts = self.volumes(volumes, name)?;
        }
        if let Some(user) = get("user") {
            own.user = self.text(user, &format!("services.{name}.user"))?;
        }
        if let Some(image) = get("image") {
            own.image = self.text(image, &format!("services.{name}.image"))?;
        }
        if let Some(build) = get("build") {
            own.build_context = self.build_context(build, name)?;
        }
        if let Some(healthcheck) = get("healthcheck") {
            own.healthcheck = self.healthcheck(healthcheck, name)?;
        }
        Ok(Some(base.extended_by(own)))
    }

    /// `build: DIR` or `build: {context: DIR}` (default `.`); a URL context is not a folder.
    fn build_context(&self, node: &Node<'_>, service: &str) -> Result<Option<(PathBuf, Origin)>, Failure> {
        let what = format!("services.{service}.build");
        let context = match &node.data {
            YamlData::Mapping(_) => {
                let entries = self.entries(node, &what)?;
                match entries.iter().find(|e| e.name == "context") {
                    Some(e) => self.text(e.value, &format!("{what}.context"))?,
                    None => Some(".".to_owned()),
                }
            }
            _ => self.text(node, &what)?,
        };
        Ok(context
            .filter(|c| !c.contains("://") && !c.starts_with("git@"))
            .map(|c| (clean(&self.dir.join(c)), self.origin(node))))
    }

    /// `healthcheck.test`: a string, or a list (`[CMD-SHELL, "…"]`, `[CMD, curl, …]`).
    fn healthcheck(&self, node: &Node<'_>, service: &str) -> Result<Option<(String, Origin)>, Failure> {
        let what = format!("services.{service}.healthcheck");
        let entries = self.entries(node, &what)?;
        let Some(test) = entries.iter().find(|e| e.name == "test") else { return Ok(None) };
        let words = match &test.value.data {
            YamlData::Sequence(_) => {
                let mut words = Vec::new();
                for item in self.list(test.value) {
                    words.extend(self.text(item, &format!("{what}.test"))?);
                }
                words
            }
            _ => self.text(test.value, &format!("{what}.test"))?.into_iter().collect(),
        };
        Ok(Some((words.join(" "), self.origin(test.value))))
    }

    /// The settings `extends: NAME` or `extends: {service, file}` names.
    fn base(
        &self,
        name: &str,
        node: &Node<'_>,
        definitions: &[Entry<'_, '_>],
        chain: &mut Vec<String>,
    ) -> Result<Option<Settings>, Failure> {
        let what = format!("services.{name}.extends");
        let (base, file) = match &node.data {
            YamlData::Mapping(_) => {
                let entries = self.entries(node, &what)?;
                let field = |wanted: &str| entries.iter().find(|e| e.name == wanted).map(|e| e.value);
                let Some(service) = field("service") else {
                    return Err(self.error(node, &format!("{what} has no `service`")));
                };
                let file = field("file").map(|f| self.text(f, &format!("{what}.file"))).transpose()?.flatten();
                (self.text(service, &format!("{what}.service"))?, file)
            }
            _ => (self.text(node, &what)?, None),
        };
        let Some(base) = base.filter(|b| !b.is_empty()) else {
            return Err(self.error(node, &format!("{what} names no service")));
        };
        let Some(file) = file else {
            let Some(entry) = definitions.iter().find(|e| e.name == base) else {
                return Err(self.error(node, &format!("{what}: this file has no service {base}")));
            };
            return self.settings(&base, entry.value, definitions, chain);
        };
        let Some((path, dir, text)) = self.other_file(&file, node, Some(name))? else { return Ok(None) };
        let shown = path.display().to_string();
        let root = parse_yaml(&text, &shown)?;
        let reader = Reader { file: &shown, dir, depth: self.depth + 1, shared: self.shared };
        let top = reader.entries(&root, "the compose file")?;
        let services =
            top.iter().find(|e| e.name == "services").map(|e| reader.entries(e.value, "services")).transpose()?;
        let definitions = services.unwrap_or_default();
        let Some(entry) = definitions.iter().find(|e| e.name == base) else {
            return Err(self.error(node, &format!("{what}: {shown} has no service {base}")));
        };
        reader.settings(&base, entry.value, &definitions, chain)
    }

    /// `include:` entries: a path, or `{path, project_directory}` (path may be a list).
    fn includes(&self, node: &Node<'_>) -> Result<Vec<Service>, Failure> {
        let mut out: Vec<Service> = Vec::new();
        for item in self.list(node) {
            let (paths, project_directory) = match &item.data {
                YamlData::Mapping(_) => {
                    let entries = self.entries(item, "an entry of include")?;
                    let field = |wanted: &str| entries.iter().find(|e| e.name == wanted).map(|e| e.value);
                    let Some(path) = field("path") else {
                        return Err(self.error(item, "an entry of include has no `path`"));
                    };
                    let dir =
                        field("project_directory").map(|d| self.text(d, "include.project_directory")).transpose()?;
                    (self.list(path), dir.flatten())
                }
                _ => (vec![item], None),
            };
            for path_node in paths {
                let Some(file) = self.text(path_node, "include.path")? else { continue };
                let Some((path, dir, text)) = self.other_file(&file, path_node, None)? else { continue };
                let dir = project_directory.as_ref().map_or(dir, |d| clean(&self.dir.join(d)));
                let shown = path.display().to_string();
                let root = parse_yaml(&text, &shown)?;
                let reader = Reader { file: &shown, dir, depth: self.depth + 1, shared: self.shared };
                for service in reader.services(&root)? {
                    if out.iter().any(|s| s.name == service.name) {
                        return Err(self.error(
                            path_node,
                            &format!("the service {} is defined twice in included files", service.name),
                        ));
                    }
                    out.push(service);
                }
            }
        }
        Ok(out)
    }

    /// The text of a compose file an `include` or `extends` names, with the folder its
    /// relative paths start from; `None` when it is outside the project folder (recorded,
    /// with the service it leaves unjudged).
    fn other_file(
        &self,
        file: &str,
        node: &Node<'_>,
        service: Option<&str>,
    ) -> Result<Option<(PathBuf, PathBuf, String)>, Failure> {
        if self.depth + 1 >= MAX_FILES_DEEP {
            return Err(self.error(node, &format!("`include` and `extends` go more than {MAX_FILES_DEEP} files deep")));
        }
        let path = clean(&self.dir.join(file));
        let resolved = fs_canonical(&path);
        if !resolved.starts_with(fs_canonical(&self.shared.root_dir)) {
            let root = self.shared.root_dir.display();
            let why = match service {
                Some(service) => format!(
                    "{service} extends a service in {}, outside the project folder {root}: certsmith does not read files there, so {service} is not judged",
                    path.display()
                ),
                None => format!(
                    "{} is included from outside the project folder {root}: certsmith does not read files there, so its services are not judged",
                    path.display()
                ),
            };
            self.shared.not_followed.borrow_mut().push(NotFollowed {
                origin: self.origin(node),
                service: service.map(str::to_owned),
                why,
            });
            return Ok(None);
        }
        let text = read_source(&path, "compose file")?;
        let dir = project_dir(&path);
        Ok(Some((path, dir, text)))
    }

    fn list<'n, 't>(&self, node: &'n Node<'t>) -> Vec<&'n Node<'t>> {
        match &node.data {
            YamlData::Sequence(items) => items.iter().filter_map(untagged).collect(),
            _ => vec![node],
        }
    }

    fn env_files(&self, node: &Node<'_>, service: &str, vars: &mut Vars) -> Result<(), Failure> {
        let what = format!("services.{service}.env_file");
        for item in self.list(node) {
            let (path, required) = match &item.data {
                YamlData::Mapping(_) => {
                    let entries = self.entries(item, &what)?;
                    let field = |wanted: &str| entries.iter().find(|e| e.name == wanted).map(|e| e.value);
                    let Some(path) = field("path") else {
                        return Err(self.error(item, &format!("an entry of {what} has no `path`")));
                    };
                    let required = match field("required").map(|r| self.text(r, &format!("{what}.required"))) {
                        Some(r) => r? != Some("false".to_owned()),
                        None => true,
                    };
                    (self.text(path, &format!("{what}.path"))?, required)
                }
                _ => (self.text(item, &what)?, true),
            };
            let Some(path) = path.filter(|p| !p.is_empty()) else {
                return Err(self.error(item, &format!("an entry of {what} names no file")));
            };
            let file = clean(&self.dir.join(&path));
            if !file.exists() && !required {
                continue;
            }
            if !file.exists() {
                return Err(self.error(item, &format!("the env file {} does not exist", file.display())).hint(
                    "docker compose refuses to start without it: create it, fix the path (relative to the compose file's folder), or mark it `required: false`",
                ));
            }
            let lookup = |name: &str| self.shared.project.value(name);
            let (read, unset) = read_env_file(&file, &lookup, self.shared.budget)?;
            vars.update(read);
            self.shared.unset.borrow_mut().extend(unset);
        }
        Ok(())
    }

    fn environment(&self, node: &Node<'_>, service: &str, vars: &mut Vars) -> Result<(), Failure> {
        let what = format!("services.{service}.environment");
        let inherited = |name: &str| self.shared.project.value(name);
        match &node.data {
            YamlData::Sequence(items) => {
                for item in items.iter().filter_map(untagged) {
                    let Some(entry) = self.text(item, &format!("an entry of {what}"))? else { continue };
                    let (name, value) = match entry.split_once('=') {
                        Some((name, value)) => (name.to_owned(), Some(value.to_owned())),
                        None => (entry.clone(), inherited(&entry)),
                    };
                    if let Some(value) = value {
                        vars.set(Variable { name, value, origin: self.origin(item) });
                    }
                }
            }
            YamlData::Mapping(_) => {
                for Entry { name, key, value } in self.entries(node, &what)? {
                    let value = match self.text(value, &format!("{what}.{name}"))? {
                        Some(value) => Some(value),
                        None => inherited(&name),
                    };
                    if let Some(value) = value {
                        vars.set(Variable { name, value, origin: self.origin(key) });
                    }
                }
            }
            _ => return Err(self.error(node, &format!("{what} must be a mapping or a list, found {}", kind(node)))),
        }
        Ok(())
    }

    fn volumes(&self, node: &Node<'_>, service: &str) -> Result<Vec<Mount>, Failure> {
        let what = format!("services.{service}.volumes");
        let YamlData::Sequence(items) = &node.data else {
            return Err(self.error(node, &format!("{what} must be a list, found {}", kind(node))));
        };
        let mut mounts = Vec::new();
        for item in items.iter().filter_map(untagged) {
            let mount = match &item.data {
                YamlData::Mapping(_) => self.long_volume(item, &what)?,
                _ => match self.text(item, &format!("an entry of {what}"))? {
                    Some(text) => self.short_volume(&text, item, &what)?,
                    None => continue,
                },
            };
            mounts.extend(mount);
        }
        Ok(mounts)
    }

    /// `SOURCE:TARGET[:MODE]` or `TARGET`. A source that starts with `.`, `/` or `~` is a
    /// host path; any other is a volume's name.
    fn short_volume(&self, text: &str, node: &Node<'_>, what: &str) -> Result<Option<Mount>, Failure> {
        let parts: Vec<&str> = text.split(':').collect();
        let (source, target, mode) = match parts.as_slice() {
            [target] => ("", *target, ""),
            [source, target] => (*source, *target, ""),
            [source, target, mode] => (*source, *target, *mode),
            _ => return Err(self.error(node, &format!("{text:?} in {what}: expected SOURCE:TARGET[:MODE]"))),
        };
        if !target.starts_with('/') {
            return Err(self.error(node, &format!("{text:?} in {what}: the container path {target:?} is not absolute")));
        }
        let host_path = source.starts_with(['.', '/', '~']);
        Ok(Some(Mount {
            kind: if host_path { MountKind::Bind } else { MountKind::Volume },
            container: normalise(target),
            source: if host_path { self.host_path(source) } else { source.to_owned() },
            read_only: mode.split(',').any(|m| m == "ro"),
            origin: self.origin(node),
        }))
    }

    /// `{type, source, target, read_only}`.
    fn long_volume(&self, node: &Node<'_>, what: &str) -> Result<Option<Mount>, Failure> {
        let entries = self.entries(node, &format!("an entry of {what}"))?;
        let field = |wanted: &str| -> Result<Option<String>, Failure> {
            match entries.iter().find(|e| e.name == wanted) {
                Some(e) => self.text(e.value, &format!("{what}[].{wanted}")),
                None => Ok(None),
            }
        };
        let Some(target) = field("target")? else {
            return Err(self.error(node, &format!("an entry of {what} has no `target`")));
        };
        if !target.starts_with('/') {
            return Err(self.error(node, &format!("the container path {target:?} in {what} is not absolute")));
        }
        let kind = field("type")?.unwrap_or_else(|| "volume".to_owned());
        let source = field("source")?.unwrap_or_default();
        let bind = kind == "bind";
        Ok(Some(Mount {
            kind: if bind { MountKind::Bind } else { MountKind::Volume },
            container: normalise(&target),
            source: if bind { self.host_path(&source) } else { source },
            read_only: field("read_only")?.as_deref() == Some("true"),
            origin: self.origin(node),
        }))
    }

    /// A bind source on the host: `~` is the home folder, relative paths start from the
    /// compose file's folder.
    fn host_path(&self, source: &str) -> String {
        let path = match source.strip_prefix('~') {
            Some(rest) => match self.shared.project.value("HOME") {
                Some(home) => PathBuf::from(format!("{home}{rest}")),
                None => PathBuf::from(source),
            },
            None => PathBuf::from(source),
        };
        let path = if path.is_absolute() { path } else { self.dir.join(path) };
        clean(&path).display().to_string()
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
