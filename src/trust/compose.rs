//! `trust compose`: a compose override that gives every client container the trust it
//! needs to keep verification on. Each chosen service gets the bundle (the system's roots
//! plus the local CA) and the CA mounted read-only, `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`
//! and `CURL_CA_BUNDLE` pointed at the bundle (they replace a client's roots), and
//! `NODE_EXTRA_CA_CERTS` at the CA alone (it adds to Node's roots).
//!
//! Compose merges an override into the file it extends: `environment` entries by name,
//! `volumes` by container path (<https://docs.docker.com/compose/how-tos/multiple-compose-files/merge/>),
//! so the override holds only what it adds. It is written as YAML whose scalars are JSON
//! strings (YAML 1.2 reads JSON), so no value needs YAML escaping rules of its own.

use std::path::Path;

use crate::deploy::doctor::{CORE_URLS, SSL_VERIFICATION};
use crate::deploy::env::compose::Service;
use crate::deploy::granian;
pub use crate::report::data::trust::{Client, Insecure};

/// Where the bundle and the CA appear inside every container.
pub const CONTAINER_DIR: &str = "/etc/ssl/certsmith";

/// The variables the override sets, and the file each names (in [`CONTAINER_DIR`]).
pub const VARIABLES: [(&str, &str); 4] = [
    ("SSL_CERT_FILE", "ca-bundle.pem"),
    ("REQUESTS_CA_BUNDLE", "ca-bundle.pem"),
    ("CURL_CA_BUNDLE", "ca-bundle.pem"),
    ("NODE_EXTRA_CA_CERTS", "ca.pem"),
];

/// The services that make HTTPS calls: an `https://` URL in their environment or
/// healthcheck, a CA bundle variable, `SSL_VERIFICATION`, or Granian serving HTTPS (its
/// own healthcheck calls it). Services running certsmith itself are left out.
pub fn clients(services: &[Service]) -> Vec<Client> {
    services
        .iter()
        .filter(|s| !crate::deploy::doctor::runs_certsmith(s))
        .filter_map(|service| {
            let vars = &service.vars;
            let why = if let Some(var) = vars.iter().find(|v| v.value.to_ascii_lowercase().contains("https://")) {
                format!("{} is an https URL", var.name)
            } else if service.healthcheck.as_ref().is_some_and(|(test, _)| test.contains("https://")) {
                "its healthcheck calls https".to_owned()
            } else if let Some(var) = crate::deploy::doctor::CA_BUNDLES.iter().find_map(|name| vars.get(name)) {
                format!("it sets {}", var.name)
            } else if let Some(var) = vars.get(SSL_VERIFICATION) {
                format!("it sets {}", var.name)
            } else if vars.get(granian::CERTIFICATE).is_some() {
                "Granian serves HTTPS there".to_owned()
            } else if CORE_URLS.iter().any(|name| vars.get(name).is_some()) {
                "it calls the core API".to_owned()
            } else {
                return None;
            };
            Some(Client { service: service.name.clone(), why })
        })
        .collect()
}

/// `SSL_VERIFICATION=False` and `-k`/`--insecure` healthchecks in `services`.
pub fn insecure_settings(services: &[Service], chosen: &[Client]) -> Vec<Insecure> {
    let mut out = Vec::new();
    for service in services.iter().filter(|s| chosen.iter().any(|c| c.service == s.name)) {
        if let Some(var) = service.vars.get(SSL_VERIFICATION).filter(|v| granian::parse_bool(&v.value) == Some(false)) {
            out.push(Insecure {
                service: service.name.clone(),
                origin: var.origin.clone(),
                setting: format!("{}={}", var.name, var.value),
            });
        }
        if let Some((test, origin)) = &service.healthcheck
            && let Some(flag) =
                test.split_whitespace().find(|w| matches!(*w, "-k" | "--insecure" | "--no-check-certificate"))
        {
            out.push(Insecure {
                service: service.name.clone(),
                origin: origin.clone(),
                setting: format!("{flag} in the healthcheck"),
            });
        }
    }
    out
}

/// The override's text. `bundle` and `ca` are host paths as the compose file should name
/// them (relative to its folder, or absolute).
pub fn override_yaml(compose: &str, version: Option<&str>, services: &[Client], bundle: &str, ca: &str) -> String {
    // JSON strings are YAML; `$` is doubled because compose interpolates overrides too.
    let q = |s: &str| serde_json::to_string(&s.replace('$', "$$")).unwrap_or_default();
    let compose = compose.replace(['\n', '\r'], " ");
    let mut out = format!(
        "# Made by `certsmith trust compose --compose {compose}`. Compose merges it into {compose}:\n\
         # each service below gets the system's roots plus the local CA, and keeps verification on.\n"
    );
    // docker-compose v1 merges only files of one version; compose v2 ignores it.
    if let Some(version) = version {
        out.push_str(&format!("version: {}\n", q(version)));
    }
    out.push_str("services:\n");
    for client in services {
        out.push_str(&format!("  {}:\n    volumes:\n", q(&client.service)));
        for (source, name) in [(bundle, "ca-bundle.pem"), (ca, "ca.pem")] {
            out.push_str(&format!(
                "      - type: bind\n        source: {}\n        target: {}\n        read_only: true\n",
                q(source),
                q(&format!("{CONTAINER_DIR}/{name}"))
            ));
        }
        out.push_str("    environment:\n");
        for (name, file) in VARIABLES {
            out.push_str(&format!("      {name}: {}\n", q(&format!("{CONTAINER_DIR}/{file}"))));
        }
    }
    out
}

/// `path` as a compose file in `dir` names it: `./rel` below the folder, else absolute.
pub fn compose_path(path: &Path, dir: &Path) -> String {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let (path, dir) = (absolute(path), absolute(dir));
    match path.strip_prefix(&dir) {
        Ok(rest) => format!("./{}", rest.display()),
        Err(_) => path.display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_the_compose_file_names_them() {
        assert_eq!(compose_path(Path::new("/p/ca/b.pem"), Path::new("/p")), "./ca/b.pem");
        assert_eq!(compose_path(Path::new("/home/u/b.pem"), Path::new("/p")), "/home/u/b.pem");
    }

    #[test]
    fn the_override_quotes_every_value() {
        let yaml = override_yaml(
            "compose.yaml",
            Some("3.8"),
            &[Client { service: "we:ird".to_owned(), why: String::new() }],
            "/a \"b\"/ca-bundle.pem",
            "./ca.pem",
        );
        assert!(yaml.contains("  \"we:ird\":\n") && yaml.contains("\nversion: \"3.8\"\n"), "{yaml}");
        assert!(yaml.contains("source: \"/a \\\"b\\\"/ca-bundle.pem\""), "{yaml}");
        assert!(yaml.contains("      NODE_EXTRA_CA_CERTS: \"/etc/ssl/certsmith/ca.pem\"\n"), "{yaml}");
    }
}
