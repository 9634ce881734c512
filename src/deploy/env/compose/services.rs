//! A compose file's services: `include` and `extends` followed inside the project, and
//! each service's env files, environment, volumes, build context, healthcheck, user and
//! published ports.

use super::*;

impl Reader<'_> {
    pub(super) fn services(&self, root: &Node<'_>) -> Result<Vec<Service>, Failure> {
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
                ports: settings.ports,
            });
        }
        Ok(out)
    }

    /// A service's settings with its `extends` base under them; `None` when the base is in
    /// a file certsmith does not read (recorded in `not_followed`).
    pub(super) fn settings(
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
        if let Some(ports) = get("ports") {
            own.ports = self.ports(ports, name)?;
        }
        Ok(Some(base.extended_by(own)))
    }

    /// `build: DIR` or `build: {context: DIR}` (default `.`); a URL context is not a folder.
    pub(super) fn build_context(&self, node: &Node<'_>, service: &str) -> Result<Option<(PathBuf, Origin)>, Failure> {
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

    /// `ports:` in the short form (`"8443:8080"`, `"127.0.0.1:8443:8080/tcp"`) or the long
    /// one (`{target, published}`). A port published at random (`"8080"`), a range, or a
    /// value that is not a number is left out: doctor compares single ports only.
    pub(super) fn ports(&self, node: &Node<'_>, service: &str) -> Result<Vec<Port>, Failure> {
        let what = format!("services.{service}.ports");
        let mut ports = Vec::new();
        for item in self.list(node) {
            let port = match &item.data {
                YamlData::Mapping(_) => {
                    let entries = self.entries(item, &format!("an entry of {what}"))?;
                    let field = |wanted: &str| -> Result<Option<u16>, Failure> {
                        match entries.iter().find(|e| e.name == wanted) {
                            Some(e) => {
                                Ok(self.text(e.value, &format!("{what}[].{wanted}"))?.and_then(|t| t.parse().ok()))
                            }
                            None => Ok(None),
                        }
                    };
                    field("published")?.zip(field("target")?)
                }
                _ => self.text(item, &format!("an entry of {what}"))?.and_then(|text| short_port(&text)),
            };
            ports.extend(port.map(|(published, target)| Port { published, target }));
        }
        Ok(ports)
    }

    /// `healthcheck.test`: a string, or a list (`[CMD-SHELL, "…"]`, `[CMD, curl, …]`).
    pub(super) fn healthcheck(&self, node: &Node<'_>, service: &str) -> Result<Option<(String, Origin)>, Failure> {
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

    /// The settings the service `extending` names in `extends: NAME` or
    /// `extends: {service, file}`.
    pub(super) fn base(
        &self,
        extending: &str,
        extends: &Node<'_>,
        definitions: &[Entry<'_, '_>],
        chain: &mut Vec<String>,
    ) -> Result<Option<Settings>, Failure> {
        let what = format!("services.{extending}.extends");
        let (base, file) = match &extends.data {
            YamlData::Mapping(_) => {
                let entries = self.entries(extends, &what)?;
                let field = |wanted: &str| entries.iter().find(|e| e.name == wanted).map(|e| e.value);
                let Some(service) = field("service") else {
                    return Err(self.error(extends, &format!("{what} has no `service`")));
                };
                let file = field("file").map(|f| self.text(f, &format!("{what}.file"))).transpose()?.flatten();
                (self.text(service, &format!("{what}.service"))?, file)
            }
            _ => (self.text(extends, &what)?, None),
        };
        let Some(base) = base.filter(|b| !b.is_empty()) else {
            return Err(self.error(extends, &format!("{what} names no service")));
        };
        let Some(file) = file else {
            let Some(entry) = definitions.iter().find(|e| e.name == base) else {
                return Err(self.error(extends, &format!("{what}: this file has no service {base}")));
            };
            return self.settings(&base, entry.value, definitions, chain);
        };
        let Some((path, dir, text)) = self.other_file(&file, extends, Some(extending))? else { return Ok(None) };
        let shown = path.display().to_string();
        let root = parse_yaml(&text, &shown)?;
        let reader = Reader { file: &shown, dir, depth: self.depth + 1, shared: self.shared };
        let top = reader.entries(&root, "the compose file")?;
        let services =
            top.iter().find(|e| e.name == "services").map(|e| reader.entries(e.value, "services")).transpose()?;
        let definitions = services.unwrap_or_default();
        let Some(entry) = definitions.iter().find(|e| e.name == base) else {
            return Err(self.error(extends, &format!("{what}: {shown} has no service {base}")));
        };
        reader.settings(&base, entry.value, &definitions, chain)
    }

    /// `include:` entries: a path, or `{path, project_directory}` (path may be a list).
    pub(super) fn includes(&self, node: &Node<'_>) -> Result<Vec<Service>, Failure> {
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
    pub(super) fn other_file(
        &self,
        file: &str,
        node: &Node<'_>,
        service: Option<&str>,
    ) -> Result<Option<(PathBuf, PathBuf, String)>, Failure> {
        if self.depth + 1 >= MAX_FILES_DEEP {
            return Err(self.error(node, &format!("`include` and `extends` go more than {MAX_FILES_DEEP} files deep")));
        }
        let read = self.shared.files_read.get() + 1;
        if read > MAX_FILES_READ {
            return Err(self.error(
                node,
                &format!("`include` and `extends` would read more than {MAX_FILES_READ} files: is a file included many times?"),
            ));
        }
        self.shared.files_read.set(read);
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

    pub(super) fn env_files(&self, node: &Node<'_>, service: &str, vars: &mut Vars) -> Result<(), Failure> {
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

    pub(super) fn environment(&self, node: &Node<'_>, service: &str, vars: &mut Vars) -> Result<(), Failure> {
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

    pub(super) fn volumes(&self, node: &Node<'_>, service: &str) -> Result<Vec<Mount>, Failure> {
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
    pub(super) fn short_volume(&self, text: &str, node: &Node<'_>, what: &str) -> Result<Option<Mount>, Failure> {
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
    pub(super) fn long_volume(&self, node: &Node<'_>, what: &str) -> Result<Option<Mount>, Failure> {
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
    pub(super) fn host_path(&self, source: &str) -> String {
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

/// `[HOST_IP:]PUBLISHED:TARGET[/PROTOCOL]` as (published, target); an IPv6 host address is
/// in brackets, so the last two colon-separated parts are the ports.
fn short_port(text: &str) -> Option<(u16, u16)> {
    let ports = text.split('/').next()?;
    let mut parts = ports.rsplit(':');
    let target = parts.next()?.parse().ok()?;
    let published = parts.next()?.parse().ok()?;
    Some((published, target))
}
