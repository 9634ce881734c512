//! Judging a deployment's TLS configuration as a whole, before anything starts: for each
//! target (compose service, or the environment), the Granian variables (names and
//! values, from `granian`), the certificate/key pair, the files they name (`files`), what
//! is in them (`contents`: verify's and match-key's checks), and the clients of the core
//! API (`TARANIS_CORE_URL`/`TARANIS_CORE_API`, `SSL_VERIFICATION`, CA bundles), and
//! whether a container's URLs reach the service they name (`urls`: not through the host's
//! side of a published port).
//!
//! The certificate is checked for every host name a client uses (from the core URLs, and
//! `--host`), against the CA bundles the clients are given (`REQUESTS_CA_BUNDLE`, …), or
//! without them as verify checks a file without `--ca`.
//!
//! Returns findings and the data the report shows; never prints.

mod contents;
mod exposure;
mod files;
mod urls;

pub use exposure::{exposed_keys, runs_certsmith};
pub use urls::Published;

use time::OffsetDateTime;

use crate::deploy::env::{Ids, Target, Variable};
use crate::deploy::granian::{self, Kind, Unknown};
use crate::finding::{Code, FIX, Finding, Remedy, Severity};
use crate::pki::load::LoadedFile;
use crate::pki::verify::{Host, Pool, Settings as VerifySettings, Sourced, TrustSource};
use crate::report::data::doctor::{Check, FileInfo, HostUse, Setting, TargetData, User};

/// Taranis AI's variables for the core API's URL: `TARANIS_CORE_URL` (frontend, workers)
/// and `TARANIS_CORE_API` (GUI), as the deployment guide names them.
pub const CORE_URLS: &[&str] = &["TARANIS_CORE_URL", "TARANIS_CORE_API"];

/// Taranis AI's switch for certificate verification in its Python clients.
pub const SSL_VERIFICATION: &str = "SSL_VERIFICATION";

/// Variables that name the CA certificates a client trusts: Python's ssl and httpx
/// (`SSL_CERT_FILE`), requests (`REQUESTS_CA_BUNDLE`, then `CURL_CA_BUNDLE`), curl
/// (`CURL_CA_BUNDLE`), Node.js (`NODE_EXTRA_CA_CERTS`).
pub const CA_BUNDLES: &[&str] = &["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"];

use crate::pki::checks::WARN_DAYS;

/// Whether doctor has something to say about a variable.
pub fn relevant(name: &str) -> bool {
    granian::has_prefix(name) || CORE_URLS.contains(&name) || name == SSL_VERIFICATION || CA_BUNDLES.contains(&name)
}

/// What every target is checked with.
#[derive(Debug, Clone)]
pub struct Settings<'a> {
    pub now: OffsetDateTime,
    /// `--host`: names clients use besides those in the core URLs.
    pub hosts: &'a [Host],
    /// `--container-uid`: the user every container runs as (else compose's `user:`).
    pub ids: Option<Ids>,
    /// The compose file, for commands in hints (`trust compose --compose FILE`).
    pub compose: Option<&'a str>,
    /// Every compose service's name, and the ports they publish on the host.
    pub services: &'a [String],
    pub ports: &'a [Published],
}

/// The outcome of checking every target.
#[derive(Debug, Default)]
pub struct Checked {
    pub targets: Vec<TargetData>,
    pub hosts: Vec<HostUse>,
    pub findings: Vec<Finding>,
}

fn set<'t>(target: &'t Target, name: &str) -> Option<&'t Variable> {
    target.vars.get(name).filter(|v| !v.value.is_empty())
}

/// Checks `targets` together: the clients' names and CA bundles apply to every server.
pub fn check(targets: &[Target], settings: &Settings<'_>) -> Checked {
    let mut out = Checked { hosts: hosts(targets, settings.hosts), ..Checked::default() };
    if let Some(compose) = settings.compose {
        out.findings.extend(urls::host_side(&out.hosts, settings.ports, settings.services, compose));
    }
    let tls_anywhere: Vec<&str> = targets
        .iter()
        .filter(|t| set(t, granian::CERTIFICATE).is_some() && set(t, granian::KEYFILE).is_some())
        .map(|t| t.name.as_str())
        .collect();

    // The CA bundles clients are given are what the server's certificate must chain to.
    let mut trust: Vec<Sourced> = Vec::new();
    let mut bundle_findings: Vec<(usize, Finding)> = Vec::new();
    let mut bundle_files: Vec<(usize, FileInfo)> = Vec::new();
    let mut bundle_checked: Vec<usize> = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        for var in CA_BUNDLES.iter().filter_map(|name| set(target, name)) {
            // A path in the image (not mounted) is the client's own business.
            if matches!(
                target.locate(&var.value),
                crate::deploy::env::Located::NotMounted | crate::deploy::env::Located::Relative
            ) {
                continue;
            }
            bundle_checked.push(i);
            let found = files::check(target, var)
                .and_then(|found| contents::pem_certificates(var, &found).map(|(_, certs)| (found, certs)));
            bundle_files.push((i, file_info(var, found.as_ref().ok().map(|(f, _)| f))));
            match found {
                Ok((_, certs)) => {
                    if REPLACING_BUNDLES.contains(&var.name.as_str())
                        && !certs.iter().any(|c| crate::pki::public_roots::is_public_root(&c.der))
                    {
                        bundle_findings.push((i, replaces_system_roots(target, var, settings)));
                    }
                    trust.extend(certs);
                }
                Err(finding) => bundle_findings.push((i, *finding)),
            }
        }
    }
    // A bundle rustls cannot use as trust anchors leaves trust unchecked, with a warning.
    let (trusted, pool_problem) = match Pool::new(&[], (!trust.is_empty()).then_some(trust.as_slice())) {
        Ok(pool) => (Some(pool), None),
        Err(failure) => (None, Some(failure)),
    };
    let Some(pool) = trusted.or_else(|| Pool::new(&[], None).ok()) else { return out };
    let names: Vec<Host> = out.hosts.iter().filter_map(|h| Host::parse(&h.name)).collect();
    let verify_settings = VerifySettings {
        hosts: &names,
        now: settings.now,
        warn_days: WARN_DAYS,
        trust_source: TrustSource::ClientBundles,
    };

    for (i, target) in targets.iter().enumerate() {
        let mut data = target_data(target, settings);
        let mut findings = Vec::new();
        check_variables(target, &mut data, &mut findings);
        check_pair(target, &mut data, &mut findings);
        check_files_and_contents(target, settings, &pool, &verify_settings, &mut data, &mut findings);
        check_clients(target, &tls_anywhere, &out.hosts, settings, &mut data, &mut findings);
        let unreachable = urls::check(target, settings.ports, settings.services);
        if !unreachable.is_empty() && !data.checked.contains(&Check::Clients) {
            data.checked.push(Check::Clients);
        }
        findings.extend(unreachable);
        if bundle_checked.contains(&i) {
            // For a client the certificate line is its CA bundles; for a server it is
            // the server's certificate, which a bundle does not stand in for.
            let lines: &[Check] = if data.serves_tls { &[Check::Files] } else { &[Check::Files, Check::Certificate] };
            for check in lines {
                if !data.checked.contains(check) {
                    data.checked.push(*check);
                }
            }
            data.checked.sort();
        }
        data.files.extend(bundle_files.iter().filter(|(t, _)| *t == i).map(|(_, f)| f.clone()));
        findings.extend(bundle_findings.iter().filter(|(t, _)| *t == i).map(|(_, f)| f.clone()));
        if let (Some(failure), true) = (&pool_problem, data.serves_tls) {
            findings.push(
                Finding::new(Code::FileNotChecked, Severity::Warning, *failure.subject.clone(), &failure.message)
                    .hint(failure.hint.clone().unwrap_or_default()),
            );
        }
        for finding in &mut findings {
            finding.subject.service = target.in_container.then(|| target.name.clone());
        }
        out.findings.extend(findings);
        out.targets.push(data);
    }
    out
}

fn target_data(target: &Target, settings: &Settings<'_>) -> TargetData {
    let variables = target
        .vars
        .iter()
        .filter(|v| relevant(&v.name))
        .map(|v| Setting {
            name: v.name.clone(),
            value: shown(v).map_or_else(|| NOT_SHOWN.to_owned(), std::borrow::Cow::into_owned),
            origin: v.origin.clone(),
        })
        .collect();
    TargetData {
        name: target.name.clone(),
        kind: if target.in_container { "service" } else { "environment" },
        origin: target.origin.clone(),
        serves_tls: set(target, granian::CERTIFICATE).is_some() && set(target, granian::KEYFILE).is_some(),
        container_user: settings
            .ids
            .or(target.user)
            .filter(|_| target.in_container)
            .map(|ids| User { uid: ids.uid, gid: ids.gid }),
        variables,
        files: Vec::new(),
        checked: Vec::new(),
    }
}

/// What the variables list shows in place of a secret's value.
pub const NOT_SHOWN: &str = "(set, not shown)";

/// A variable's value as findings and the variables list may show it: `None` for a
/// secret (`granian::secret`: a password under its name or one it is taken for), and for
/// PEM text pasted where a path belongs (it may be a private key). Empty values are shown,
/// so that "set but empty" stays visible.
fn shown(var: &Variable) -> Option<std::borrow::Cow<'_, str>> {
    let hidden = granian::secret(&var.name) || files::pem_label(&var.value).is_some();
    (var.value.is_empty() || !hidden).then(|| without_password(&var.value))
}

/// A URL as it may be shown: a password in its user information (`https://user:pw@host`)
/// is replaced by `…`. Anything else is shown as it is.
fn without_password(value: &str) -> std::borrow::Cow<'_, str> {
    let Some((scheme, rest)) = value.split_once("://") else { return value.into() };
    let (authority, tail) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
    match authority.rsplit_once('@').and_then(|(userinfo, host)| Some((userinfo.split_once(':')?.0, host))) {
        Some((user, host)) => format!("{scheme}://{user}:…@{host}{tail}").into(),
        None => value.into(),
    }
}

fn file_info(var: &Variable, found: Option<&files::Found>) -> FileInfo {
    FileInfo {
        variable: var.name.clone(),
        path: shown(var).map_or_else(|| NOT_SHOWN.to_owned(), std::borrow::Cow::into_owned),
        host_path: found.map(|f| f.host.display().to_string()),
    }
}

/// Names Granian does not know, and values it refuses.
fn check_variables(target: &Target, data: &mut TargetData, findings: &mut Vec<Finding>) {
    let mut any = false;
    for var in target.vars.iter() {
        if !granian::has_prefix(&var.name) {
            continue;
        }
        any = true;
        if let Some(unknown) = granian::unknown(&var.name) {
            findings.push(unknown_finding(var, &unknown));
        } else if let Some(why) = granian::option(&var.name).and_then(|o| granian::invalid(o, &var.value)) {
            let hint = match granian::option(&var.name).map(|o| o.kind) {
                Some(Kind::Choice(choices)) => {
                    let fixed = granian::translate(&var.name, &var.value).unwrap_or_else(|| choices.join(" or "));
                    format!("set {}={fixed}", var.name)
                }
                _ => format!("set {}=true or {}=false", var.name, var.name),
            };
            findings.push(
                Finding::new(
                    Code::InvalidGranianValue,
                    Severity::Error,
                    var.subject(),
                    format!("{}={}: Granian refuses to start: {why}", var.name, var.value),
                )
                .hint(hint),
            );
        }
    }
    if let Some(var) = set(target, granian::CLIENT_VERIFY)
        && granian::parse_bool(&var.value) == Some(true)
        && set(target, granian::CA).is_none()
    {
        findings.push(
                Finding::new(
                    Code::ClientVerifyWithoutCa,
                    Severity::Warning,
                    var.subject(),
                    format!(
                        "{}={} without {}: Granian logs \"SSL client verification requires a CA certificate, ignoring\" and accepts every client",
                        var.name,
                        var.value,
                        granian::CA
                    ),
                )
                .hint(format!(
                    "set {} to the CA certificate that issued the client certificates, or remove {}",
                    granian::CA,
                    var.name
                )),
            );
    }
    if any {
        data.checked.push(Check::Variables);
    }
}

fn unknown_finding(var: &Variable, unknown: &Unknown) -> Finding {
    let ignored = format!(
        "Granian has no variable {}, and ignores it without a word",
        crate::finding::place::abbreviated(&var.name)
    );
    let (message, hint) = match unknown {
        Unknown::Renamed(renamed) => {
            let value = shown(var).and_then(|value| granian::translate(renamed.right, &value));
            (
                format!("{ignored}: the option meant is {}, {}", renamed.right, renamed.note),
                format!("write `{}={}` instead", renamed.right, value.as_deref().unwrap_or("…")),
            )
        }
        Unknown::Typo(right) => {
            let case = if right.eq_ignore_ascii_case(&var.name) { " (names are case-sensitive)" } else { "" };
            (
                format!("{ignored}{case}"),
                format!("did you mean {right}? `{right}={}`", shown(var).unwrap_or("…".into())),
            )
        }
        Unknown::Unrelated => (
            ignored,
            format!(
                "Granian's TLS variables are {}",
                granian::OPTIONS.iter().map(|o| o.name).collect::<Vec<_>>().join(", ")
            ),
        ),
    };
    Finding::new(Code::UnknownGranianVariable, Severity::Error, var.subject(), message).hint(hint)
}

/// Granian serves HTTPS only with both the certificate and the key
/// (`granian/server/common.py`: `if not (cert and key)` → plain HTTP).
fn check_pair(target: &Target, data: &mut TargetData, findings: &mut Vec<Finding>) {
    let cert = target.vars.get(granian::CERTIFICATE);
    let key = target.vars.get(granian::KEYFILE);
    if cert.is_none() && key.is_none() {
        return;
    }
    data.checked.push(Check::Pair);
    let empty =
        |v: Option<&Variable>| v.map_or_else(String::new, |v| format!(" ({} is empty, which is unset)", v.name));
    match (set(target, granian::CERTIFICATE), set(target, granian::KEYFILE)) {
        (Some(cert_var), None) => findings.push(
            Finding::new(
                Code::CertificateWithoutKey,
                Severity::Error,
                cert_var.subject(),
                format!(
                    "{} is set but {} is not{}: Granian then serves plain HTTP, without a word, and every https:// client fails",
                    granian::CERTIFICATE,
                    granian::KEYFILE,
                    empty(key)
                ),
            )
            .hint(format!(
                "set {} to the certificate's private key, e.g. {}=/certs/private_key.pem",
                granian::KEYFILE,
                granian::KEYFILE
            )),
        ),
        (None, Some(key_var)) => findings.push(
            Finding::new(
                Code::KeyWithoutCertificate,
                Severity::Error,
                key_var.subject(),
                format!(
                    "{} is set but {} is not{}: Granian then serves plain HTTP, without a word, and every https:// client fails",
                    granian::KEYFILE,
                    granian::CERTIFICATE,
                    empty(cert)
                ),
            )
            .hint(format!(
                "set {} to the key's certificate, e.g. {}=/certs/certificate.pem",
                granian::CERTIFICATE,
                granian::CERTIFICATE
            )),
        ),
        _ => {}
    }
}

fn check_files_and_contents(
    target: &Target,
    settings: &Settings<'_>,
    pool: &Pool<'_>,
    verify_settings: &VerifySettings<'_>,
    data: &mut TargetData,
    findings: &mut Vec<Finding>,
) {
    let ids = settings.ids.or(target.user).filter(|_| target.in_container || settings.ids.is_some());
    let mut infos = Vec::new();
    // The file as found (its contents are checked when certsmith can read it, even when
    // the container's user cannot).
    let mut located = |var: &Variable, findings: &mut Vec<Finding>| {
        let found = files::check(target, var);
        infos.push(file_info(var, found.as_ref().ok()));
        if let (Ok(found), Some(ids)) = (&found, ids) {
            findings.extend(files::container_can_read(var, found, ids));
        }
        found.map_err(|f| findings.push(*f)).ok()
    };
    let path_vars: Vec<&Variable> = granian::OPTIONS
        .iter()
        .filter(|o| matches!(o.kind, Kind::File | Kind::Files))
        .filter_map(|o| set(target, o.name))
        .collect();
    if path_vars.is_empty() {
        return;
    }
    data.checked.push(Check::Files);

    let mut cert_file: Option<LoadedFile> = None;
    let mut cert_findings: Vec<Finding> = Vec::new();
    if let Some(var) = set(target, granian::CERTIFICATE) {
        if let Some(found) = located(var, findings) {
            data.checked.push(Check::Certificate);
            match contents::pem_certificates(var, &found) {
                Ok((file, certs)) => {
                    cert_findings = contents::certificate(&certs, &file, pool, verify_settings);
                    cert_file = Some(file);
                }
                Err(finding) => cert_findings.push(*finding),
            }
        }
        for f in &mut cert_findings {
            f.subject.variable = Some(var.name.clone());
        }
    }
    if let Some(var) = set(target, granian::KEYFILE)
        && let Some(found) = located(var, findings)
    {
        data.checked.push(Check::Key);
        let password = target.vars.get(granian::KEYFILE_PASSWORD);
        let mut key_findings = contents::key(var, &found, password, cert_file.as_ref(), &cert_findings);
        // Who may read it matters only when it is a key (not a certificate named by mistake).
        if !key_findings.iter().any(|f| f.code == Code::NoPrivateKey) {
            findings.extend(files::key_mode(target, var, &found, ids));
        }
        for f in &mut key_findings {
            f.subject.variable = Some(var.name.clone());
        }
        findings.extend(key_findings);
    }
    findings.extend(cert_findings);
    let mut ca_certs: Option<Vec<Sourced>> = None;
    if let Some(var) = set(target, granian::CA)
        && let Some(found) = located(var, findings)
    {
        match contents::pem_certificates(var, &found) {
            Ok((_, certs)) => ca_certs = Some(certs),
            Err(mut finding) => {
                finding.subject.variable = Some(var.name.clone());
                findings.push(*finding);
            }
        }
    }
    if let Some(var) = set(target, granian::CRL) {
        // Granian reads the CRLs only when it verifies clients (measured: a garbage CRL
        // without them starts and serves).
        let verifying = set(target, granian::CLIENT_VERIFY)
            .is_some_and(|v| granian::parse_bool(&v.value) == Some(true))
            && set(target, granian::CA).is_some();
        // click splits a repeatable path option on `:`; PEM text is reported whole.
        let paths = if files::pem_label(&var.value).is_some() {
            vec![var.value.as_str()]
        } else {
            var.value.split(':').collect()
        };
        let mut any = false;
        for path in paths.into_iter().filter(|p| !p.is_empty()) {
            let one = Variable { value: path.to_owned(), ..var.clone() };
            if let Some(found) = located(&one, findings) {
                any = true;
                let mut crl_findings = contents::crl(&one, &found, ca_certs.as_deref(), settings.now, verifying);
                for f in &mut crl_findings {
                    f.subject.variable = Some(var.name.clone());
                }
                findings.extend(crl_findings);
            }
        }
        if any {
            data.checked.push(Check::Crl);
        }
    }
    data.files.extend(infos);
}

/// The host names clients connect with: from every core URL, then `--host`.
fn hosts(targets: &[Target], extra: &[Host]) -> Vec<HostUse> {
    let mut out: Vec<HostUse> = Vec::new();
    let mut add = |name: String, by: String| match out.iter_mut().find(|h| h.name == name) {
        Some(host) => host.used_by.push(by),
        None => out.push(HostUse { name, used_by: vec![by] }),
    };
    for target in targets {
        for var in CORE_URLS.iter().filter_map(|name| set(target, name)) {
            if let Some(host) = url_host(&var.value) {
                add(host, format!("{}: {}={}", target.name, var.name, without_password(&var.value)));
            }
        }
    }
    for host in extra {
        add(host.text.clone(), "--host".to_owned());
    }
    out
}

fn url_host(text: &str) -> Option<String> {
    let url = url::Url::parse(text).ok()?;
    let host = url.host_str()?.trim_start_matches('[').trim_end_matches(']').to_owned();
    Host::parse(&host).map(|_| host)
}

/// The clients' side: URLs that bypass TLS, verification turned off.
fn check_clients(
    target: &Target,
    tls_anywhere: &[&str],
    hosts: &[HostUse],
    settings: &Settings<'_>,
    data: &mut TargetData,
    findings: &mut Vec<Finding>,
) {
    let urls: Vec<&Variable> = CORE_URLS.iter().filter_map(|name| set(target, name)).collect();
    let verification = set(target, SSL_VERIFICATION);
    if urls.is_empty() && verification.is_none() {
        return;
    }
    data.checked.push(Check::Clients);
    let servers = tls_anywhere.join(", ");
    for var in urls.iter().filter(|v| v.value.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://"))) {
        if tls_anywhere.is_empty() {
            continue;
        }
        let https = format!("https://{}", without_password(&var.value).get(7..).unwrap_or_default());
        findings.push(
            Finding::new(
                Code::CoreUrlNotHttps,
                Severity::Error,
                var.subject(),
                format!(
                    "{}={}: {} talks to the core API over plain HTTP, but Granian serves only HTTPS ({} sets {}): every request fails",
                    var.name,
                    without_password(&var.value),
                    target.name,
                    servers,
                    granian::CERTIFICATE
                ),
            )
            .hint(format!("set {}={https}", var.name)),
        );
    }
    if let Some(var) = verification.filter(|v| granian::parse_bool(&v.value) == Some(false)) {
        let names: Vec<&str> = hosts.iter().map(|h| h.name.as_str()).collect();
        findings.push(
            Finding::new(
                Code::SslVerificationDisabled,
                Severity::Warning,
                var.subject(),
                format!(
                    "{}={}: {} accepts any certificate from the core API, so anyone on the network path can read and change its traffic",
                    var.name, var.value, target.name
                ),
            )
            .hint(format!("make verification work instead: {FIX}; then delete {}={}", var.name, var.value))
            .remedy(Remedy::TrustedPath {
                names: names.iter().map(|n| (*n).to_owned()).collect(),
                compose: settings.compose.map(str::to_owned),
            }),
        );
    }
}

/// The variables that replace a client's roots (requests, httpx, Python's ssl, curl, Go);
/// `NODE_EXTRA_CA_CERTS` adds to Node's and may hold the CA alone.
const REPLACING_BUNDLES: &[&str] = &["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"];

fn replaces_system_roots(target: &Target, var: &Variable, settings: &Settings<'_>) -> Finding {
    let (hint, remedy) = match settings.compose {
        Some(compose) => (
            format!(
                "point it at the system's roots plus the CA: {FIX} writes compose.override.yaml with such a bundle (`certsmith trust bundle --out FILE` makes the file alone)"
            ),
            Some(Remedy::TrustCompose { compose: Some(compose.to_owned()) }),
        ),
        None => (
            format!(
                "point it at the system's roots plus the CA: `certsmith trust bundle --out ca-bundle.pem`, then {}=ca-bundle.pem",
                var.name
            ),
            None,
        ),
    };
    let finding = Finding::new(
        Code::CaBundleReplacesSystemRoots,
        Severity::Warning,
        var.subject(),
        format!(
            "{}={}: the file holds no public root, and {} replaces the client's roots with it, so every public HTTPS call {} makes fails (only NODE_EXTRA_CA_CERTS adds to the roots)",
            var.name, var.value, var.name, target.name
        ),
    )
    .hint(hint);
    match remedy {
        Some(remedy) => finding.remedy(remedy),
        None => finding,
    }
}

/// `curl -k` / `--insecure` (and wget's `--no-check-certificate`) in a healthcheck: the
/// check passes whatever certificate the service serves.
pub fn insecure_healthchecks(services: &[crate::deploy::env::compose::Service], compose: &str) -> Vec<Finding> {
    let insecure = |word: &str| matches!(word, "-k" | "--insecure" | "--no-check-certificate");
    services
        .iter()
        .filter_map(|service| {
            let (test, origin) = service.healthcheck.as_ref()?;
            let words: Vec<&str> = test.split_whitespace().collect();
            let flag = words.iter().find(|w| insecure(w))?;
            let mut subject = origin.subject();
            subject.service = Some(service.name.clone());
            Some(
                Finding::new(
                    Code::HealthcheckInsecure,
                    Severity::Warning,
                    subject,
                    format!(
                        "the healthcheck of {} passes {flag}: it reports the service healthy whatever certificate it serves, so a certificate clients refuse goes unnoticed",
                        service.name
                    ),
                )
                .hint(format!("make verification work instead: {FIX}; then delete {flag} from the healthcheck"))
                .remedy(Remedy::TrustedPath { names: Vec::new(), compose: Some(compose.to_owned()) }),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_in_urls_are_not_shown() {
        use super::without_password;
        assert_eq!(
            without_password("https://ops:s3cret@core.test:8443/api?x=1"),
            "https://ops:…@core.test:8443/api?x=1"
        );
        assert_eq!(without_password("https://ops@core.test/api"), "https://ops@core.test/api");
        assert_eq!(without_password("https://core.test/a@b"), "https://core.test/a@b");
        assert_eq!(without_password("/certs/key.pem"), "/certs/key.pem");
    }
}
