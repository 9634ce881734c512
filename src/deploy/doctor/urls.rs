//! URLs a container uses that name the host's side of a published port: inside a compose
//! network `localhost` is the container itself, a name the host's `/etc/hosts` gives is
//! unknown or elsewhere, and a published port (`"8443:8080"`: 8443) is open on the host,
//! not on the service. Containers reach a service at its name and container port
//! (`https://core:8080`), as the guide's own gui and frontend do (Troubleshooting 4 and 6).
//!
//! The opposite, for clients on the host: a `--host` that is a compose service's name,
//! which only containers on its network resolve.
//!
//! Not judged: `network_mode: host` (where the host's names do work; not read), and URLs
//! in the environment without compose, where service names are unknown.

use crate::deploy::env::{Target, Variable};
use crate::finding::{Code, Finding, Severity, Subject};
use crate::report::data::doctor::HostUse;

use super::{CORE_URLS, without_password};

/// A port a compose service publishes on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub service: String,
    /// The host's port.
    pub host: u16,
    /// The container's port, where other containers reach the service.
    pub container: u16,
}

/// Whether a variable holds a URL a client connects to: the core URLs, and any `*_URL`.
fn is_url_variable(name: &str) -> bool {
    CORE_URLS.contains(&name) || name.ends_with("_URL")
}

/// Findings for each URL of a container `target` that names a published port from the
/// host's side. `services` are every compose service's name.
pub(super) fn check(target: &Target, ports: &[Published], services: &[String]) -> Vec<Finding> {
    if !target.in_container {
        return Vec::new();
    }
    target
        .vars
        .iter()
        .filter(|v| is_url_variable(&v.name))
        .filter_map(|var| unreachable(target, var, ports, services))
        .collect()
}

fn unreachable(target: &Target, var: &Variable, ports: &[Published], services: &[String]) -> Option<Finding> {
    let url = url::Url::parse(&var.value).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = url.port_or_known_default()?;
    // A service's own published port in its own URL is its public address (the core's
    // TARANIS_CORE_URL), not a connection it makes.
    let published = ports.iter().find(|p| p.host == port && p.service != target.name)?;
    let is_service = services.contains(&host);
    // `core:8080` with 8080 both published and a container port is right.
    if is_service && ports.iter().any(|p| p.service == host && p.container == port) {
        return None;
    }
    if is_service && host != published.service {
        return None;
    }
    let loopback = host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    // Another host on a default port (https://api.example.com/) is most likely a public
    // service, even when a proxy here publishes 443: only a port written out, such as the
    // guide's your-domain.com:8443, points at this machine's published port.
    if !is_service && !loopback && url.port().is_none() {
        return None;
    }
    let mut fixed = url.clone();
    fixed.set_host(Some(&published.service)).ok()?;
    fixed.set_port(Some(published.container)).ok()?;
    let shown = without_password(&var.value);
    let fixed = without_password(fixed.as_str()).into_owned();
    let (severity, why) = if is_service {
        (
            Severity::Error,
            format!(
                "{port} is the port {host} publishes on the host; other containers reach {host} at its container port {}",
                published.container
            ),
        )
    } else if loopback {
        (
            Severity::Error,
            format!(
                "in the container {host} is {} itself, where nothing listens on {port}: {port} is the port {} publishes on the host (\"{}:{}\")",
                target.name, published.service, published.host, published.container
            ),
        )
    } else {
        (
            Severity::Warning,
            format!(
                "{port} is the port {} publishes on the host, and {host} names the host: inside a container it resolves only through DNS (not the host's /etc/hosts), and then goes out and back in through the host, if at all",
                published.service
            ),
        )
    };
    Some(
        Finding::new(
            Code::UrlUnreachableInContainer,
            severity,
            var.subject(),
            format!(
                "{}={shown}: {} connects from inside its container, and {why}: connection errors, or a certificate for another name (the guide's Troubleshooting 4 and 6)",
                var.name, target.name
            ),
        )
        .hint(format!(
            "use the service name and container port, as the guide's frontend does: {}={fixed} (the certificate must then cover the name {} too)",
            var.name, published.service
        )),
    )
}

/// Findings for each `--host` that names a compose service and that no container's URL
/// uses: a client on this machine cannot resolve it (compose's names live in its network).
pub(super) fn host_side(hosts: &[HostUse], ports: &[Published], services: &[String], compose: &str) -> Vec<Finding> {
    hosts
        .iter()
        .filter(|h| services.contains(&h.name) && h.used_by.iter().all(|by| by == "--host"))
        .map(|h| {
            let name = &h.name;
            let published: Vec<String> =
                ports.iter().filter(|p| p.service == *name).map(|p| format!("\"{}:{}\"", p.host, p.container)).collect();
            let reach = match published.first() {
                Some(_) => format!("through the port it publishes ({}), as localhost or this machine's name", published.join(", ")),
                None => "only through a port it publishes (`ports:`), and it publishes none".to_owned(),
            };
            Finding::new(
                Code::HostIsAServiceName,
                Severity::Warning,
                // Where the name comes from, as `--map` mounts name theirs.
                Subject { path: Some(format!("--host {name}")), ..Subject::default() },
                format!(
                    "--host {name}: {name} is a service of {compose}, a name only containers on its network resolve; a client on this machine (a browser, curl) reaches it {reach}"
                ),
            )
            .hint(format!(
                "pass the names clients on this machine use, e.g. `certsmith doctor --compose {} --host localhost`; containers' names come from their URLs",
                crate::finding::place::shell_word(compose)
            ))
        })
        .collect()
}
