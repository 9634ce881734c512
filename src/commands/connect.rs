//! `certsmith connect`: what a live server serves, and whether a rustls client accepts it.
//! Exit 0 when the handshake completes and the certificate verifies with no error finding;
//! 1 when the server's TLS is wrong (a finding); 2 when no TLS server could be reached
//! (refused, unresolved, timed out: a failure with a code). The network is `probe`'s; the
//! served chain is checked by verify's `pki::verify`, so its findings carry verify's codes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;

use super::inputs::certificates_of;
use crate::cli::{ConnectArgs, TlsMin};
use crate::commands::Context;
use crate::finding::Failure;
use crate::finding::{Code, Finding, Severity, Subject};
use crate::pki::describe::{self};
use crate::pki::verify::{self, ChainLink, Host, Pool, Settings, Sourced, TrustSource};
use crate::probe::{self, HandshakeError, Phase, Probe, ProbeError, Served, Target};
use crate::report::{Data, Report};

use crate::report::data::connect::{
    ClientCertificate, ConnectData, ConnectManyData, ServedCertificate, Summary, TargetResult, Unreached,
};

/// The most targets one run takes: each is a connection and a report entry.
pub const MAX_TARGETS: usize = 10_000;

/// What every target shares, decided before any connection: the ALPN protocols offered,
/// the trust (`--ca` or the system's), the client certificate (`--cert`/`--key`).
struct Shared {
    alpn: Vec<Vec<u8>>,
    trust: Trust,
    roots: Arc<RootCertStore>,
    client: Option<ClientCert>,
}

/// `--cert` and `--key`, ready to present.
struct ClientCert {
    /// `--cert` as given.
    path: String,
    subject: String,
    issuer: String,
    key: Arc<rustls::sign::CertifiedKey>,
}

/// One target: as given, where it goes, the name it sends and checks.
struct Planned {
    text: String,
    target: Target,
    host: Host,
}

impl Planned {
    fn parse(text: &str, servername: Option<&str>, origin: &str) -> Result<Self, Failure> {
        let target = Target::parse(text).map_err(|e| {
            Failure::new(format!("{origin}TARGET {text:?}: {e}")).hint(
                "pass host, host:port, [IPv6]:port or an https:// URL, such as `certsmith connect localhost:8443`",
            )
        })?;
        let name = servername.unwrap_or(&target.host);
        let host = Host::parse(name).ok_or_else(|| {
            Failure::new(format!(
                "{origin}{name:?} is neither a DNS name nor an IP address, so rustls can neither send it as SNI nor verify it"
            ))
            .hint("pass the name clients use with --servername, such as `--servername myapp.local`")
        })?;
        Ok(Self { text: text.to_owned(), target, host })
    }
}

/// The targets: the arguments, then the lines of `--targets FILE`, each once.
fn targets(args: &ConnectArgs) -> Result<Vec<Planned>, Failure> {
    let servername = args.servername.as_deref();
    let mut all: Vec<Planned> =
        args.targets.iter().map(|t| Planned::parse(t, servername, "")).collect::<Result<_, _>>()?;
    if let Some(path) = &args.targets_file {
        let name = path.display().to_string();
        let text = read_targets_file(path)?;
        let lines: Vec<(usize, &str)> = text
            .lines()
            .enumerate()
            .map(|(i, line)| (i + 1, line.split('#').next().unwrap_or_default().trim()))
            .filter(|(_, line)| !line.is_empty())
            .collect();
        if all.len() + lines.len() > MAX_TARGETS {
            return Err(too_many(&format!("{name} (--targets)"), all.len() + lines.len(), Some(&name)));
        }
        for (number, line) in lines {
            all.push(Planned::parse(line, servername, &format!("{name} line {number}: "))?);
        }
        if all.is_empty() {
            return Err(Failure::new(format!("{name} (--targets) holds no target: only blank lines and # comments"))
                .hint("write one target a line, such as `localhost:8443`, or pass TARGET arguments")
                .about(Subject::file(&name, None)));
        }
    }
    if all.len() > MAX_TARGETS {
        return Err(too_many("the command line", all.len(), None));
    }
    // `h`, `h:443` and `https://h/` are one server: probed once, so that findings, keyed
    // by host:port, belong to one target.
    let mut seen = std::collections::HashSet::new();
    all.retain(|p| seen.insert((p.target.host.to_ascii_lowercase(), p.target.port, p.host.text.clone())));
    Ok(all)
}

fn too_many(place: &str, found: usize, file: Option<&str>) -> Failure {
    let list = file.map_or_else(|| "targets.txt".to_owned(), crate::finding::place::shell_word);
    let write = if file.is_none() { "write them to targets.txt, one a line, then " } else { "" };
    Failure::new(format!("{place} gives {found} targets, more than the {MAX_TARGETS} one connect run takes"))
        .hint(format!(
            "{write}split the list and run connect on each part: `split -l {MAX_TARGETS} {list} part-`, then `certsmith connect --targets part-aa` (and part-ab, …)"
        ))
}

/// The file's text, bounded (10000 targets fit in far less than 4 MiB).
fn read_targets_file(path: &std::path::Path) -> Result<String, Failure> {
    use std::io::Read as _;
    let name = path.display().to_string();
    let cannot = |why: String| {
        Failure::new(format!("cannot read {name} (--targets): {why}"))
            .hint("check the path; the file lists one target a line, such as `localhost:8443`")
            .about(Subject::file(&name, None))
    };
    let file = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(4 << 20).read_to_end(&mut bytes).map_err(|e| cannot(e.to_string()))?;
    if bytes.len() >= 4 << 20 {
        return Err(cannot(format!(
            "it is 4 MiB or larger, far more than {MAX_TARGETS} targets take: expected a list of targets"
        )));
    }
    String::from_utf8(bytes).map_err(|_| cannot("it is not UTF-8 text: expected one target a line".to_owned()))
}

impl Shared {
    fn from_args(args: &ConnectArgs) -> Result<Self, Failure> {
        let trust = Trust::load(&args.ca, args.insecure)?;
        let mut roots = RootCertStore::empty();
        roots.add_parsable_certificates(trust.certs.iter().map(|c| c.der.clone()));
        Ok(Self { alpn: alpn_list(&args.alpn)?, trust, roots: Arc::new(roots), client: ClientCert::load(args)? })
    }
}

impl ClientCert {
    fn load(args: &ConnectArgs) -> Result<Option<Self>, Failure> {
        let (Some(cert), Some(key)) = (&args.cert, &args.key) else { return Ok(None) };
        let path = cert.display().to_string();
        let chain = certificates_of(std::slice::from_ref(cert), "--cert")?;
        let file = crate::pki::load::load(&crate::pki::load::Input::from_arg(key))?;
        let source = args.password.source();
        let der = crate::pki::keymatch::first_private_key(&file, || source.read(&file.name))?;
        let key_name = key.display();
        let provider = rustls::crypto::aws_lc_rs::default_provider();
        let signing = provider.key_provider.load_private_key(der).map_err(|e| {
            Failure::new(format!("{key_name} (--key): rustls cannot sign with this key ({e})"))
                .hint("pass an RSA (2048 to 8192 bits), ECDSA P-256/P-384/P-521 or Ed25519 key; `certsmith inspect FILE` shows what the file holds")
                .about(Subject::file(&key_name.to_string(), None))
        })?;
        let ders: Vec<_> = chain.iter().map(|c| c.der.clone()).collect();
        let certified = rustls::sign::CertifiedKey::new(ders, signing);
        if let Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) = certified.keys_match() {
            let word = |t: &str| crate::finding::place::shell_word(t);
            return Err(Failure::new(format!(
                "{key_name} (--key) is not the key of the certificate in {path} (--cert): the server would refuse the handshake's signature"
            ))
            .hint(format!(
                "pass the key made with that certificate; `certsmith match-key {} {}` checks a pair",
                word(&path),
                word(&key_name.to_string())
            ))
            .about(Subject::file(&key_name.to_string(), None)));
        }
        let leaf = chain.first().and_then(|c| describe::certificate(&c.der).ok());
        Ok(Some(Self {
            subject: leaf.as_ref().map(|c| c.subject.clone()).unwrap_or_default(),
            issuer: leaf.map(|c| c.issuer).unwrap_or_default(),
            path,
            key: Arc::new(certified),
        }))
    }
}

pub fn run(args: &ConnectArgs, ctx: &Context) -> Result<Report, Failure> {
    let planned = targets(args)?;
    let shared = Shared::from_args(args)?;
    // Parsed once for every target: the system store is about 150 certificates.
    let pool = Pool::new(&[], Some(&shared.trust.certs))?;
    let shared = (&shared, &pool);
    if let [one] = planned.as_slice() {
        let (data, findings) = probe_target(one, shared, args, ctx)?;
        return Ok(Report {
            command: "connect",
            data: Data::Connect(Box::new(data)),
            findings,
            errors: Vec::new(),
            strict: false,
        });
    }
    let results = in_parallel(&planned, usize::from(args.jobs), |p| probe_target(p, shared, args, ctx));
    let (mut findings, mut errors, mut entries) = (Vec::new(), Vec::new(), Vec::new());
    let mut summary = Summary { targets: planned.len(), ..Summary::default() };
    for (p, result) in planned.iter().zip(results) {
        match result {
            Ok((data, mine)) => {
                if mine.iter().any(|f| f.severity == Severity::Error) {
                    summary.failed += 1;
                } else {
                    summary.ok += 1;
                }
                let range = findings.len()..findings.len() + mine.len();
                findings.extend(mine);
                entries.push(TargetResult::Reached { data: Box::new(data), findings: range });
            }
            Err(failure) => {
                summary.unreachable += 1;
                entries.push(TargetResult::Unreached {
                    target: p.text.clone(),
                    reached: false,
                    error: Unreached {
                        code: failure.code.map(|c| c.as_str().to_owned()),
                        message: failure.message.clone(),
                    },
                });
                errors.push(failure);
            }
        }
    }
    let data = ConnectManyData { targets: entries, summary };
    Ok(Report { command: "connect", data: Data::ConnectMany(Box::new(data)), findings, errors, strict: false })
}

/// `work` on each item with up to `jobs` threads; the results in the items' order.
fn in_parallel<T: Sync, R: Send>(items: &[T], jobs: usize, work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = work(item);
                    if let Ok(mut all) = results.lock() {
                        all.push((i, result));
                    }
                }
            });
        }
    });
    let mut all = results.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// One target probed and judged: its data and findings, or why it could not be reached.
fn probe_target(
    planned: &Planned,
    (shared, pool): (&Shared, &Pool<'_>),
    args: &ConnectArgs,
    ctx: &Context,
) -> Result<(ConnectData, Vec<Finding>), Failure> {
    let Planned { text, target, host } = planned;
    let (alpn, trust) = (&shared.alpn, &shared.trust);
    let probe = Probe {
        target: target.clone(),
        server_name: host.server_name().clone(),
        roots: Arc::clone(&shared.roots),
        alpn: alpn.clone(),
        tls13_only: args.tls_min == TlsMin::Tls13,
        timeout: args.timeout,
        insecure: args.insecure,
        now: verify::unix_time(ctx.now),
        client_cert: shared.client.as_ref().map(|c| Arc::clone(&c.key)),
    };
    let session = probe::run(&probe).map_err(|e| unreachable(target, &e, args.timeout))?;

    let authority = target.authority();
    let mut findings = Vec::new();
    let (mut chain, mut trust_path) = (Vec::new(), Vec::new());
    if let Some(served) = &session.served {
        let settings = Settings {
            hosts: std::slice::from_ref(host),
            now: ctx.now,
            warn_days: args.monitor.warn_days,
            trust_source: TrustSource::CaOption,
        };
        let own = (args.servername.as_deref(), args.ca.as_slice());
        let checked = check_served(served, pool, &settings, &authority, trust, text, own);
        chain = checked.chain;
        trust_path = checked.path;
        findings = checked.findings;
        if args.insecure {
            for f in findings.iter_mut().filter(|f| f.severity == Severity::Error) {
                f.severity = Severity::Warning;
                f.message = format!("not enforced (--insecure): {}", f.message);
            }
        }
    }
    let client = ClientSide { cert: shared.client.as_ref(), args, authority: &authority, target: text };
    let (client_certificate, client_finding) = client_auth(&session, &client);
    let explained_by_client = client_finding.is_some() && session.result.is_err();
    findings.extend(client_finding);
    if let Err(error) = &session.result
        && !explained_by_client
    {
        // Without --insecure, a rejected certificate ends the handshake: its findings say why.
        let verdict_failed =
            !args.insecure && session.served.as_ref().is_some_and(|s| s.trusted.is_err() || s.name.is_err());
        let why = Why {
            version: session.version,
            tls13_only: probe.tls13_only,
            alpn,
            name: &host.text,
            authority: &authority,
        };
        findings.extend(handshake_finding(error, verdict_failed, &why));
    }

    let served = session.served.as_ref();
    let data = ConnectData {
        target: text.clone(),
        host: target.host.clone(),
        port: target.port,
        server_name: host.text.clone(),
        address: session.address.to_string(),
        tls_version: session.version.map(version_name),
        cipher_suite: session.cipher_suite.map(suite_name),
        key_exchange: session.key_exchange.and_then(|g| g.as_str()).map(str::to_owned),
        alpn: session.alpn.as_deref().map(|p| String::from_utf8_lossy(p).into_owned()),
        alpn_offered: alpn.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect(),
        handshake_complete: session.result.is_ok(),
        trust: trust.label.clone(),
        chain,
        verified: session.result.is_ok() && served.is_some_and(|s| s.trusted.is_ok() && s.name.is_ok()),
        chain_verified: served.map(|s| s.trusted.is_ok()),
        name_verified: served.map(|s| s.name.is_ok()),
        verification_skipped: args.insecure,
        trust_path,
        client_certificate,
    };
    Ok((data, findings))
}

/// What the words about client authentication need.
struct ClientSide<'a> {
    cert: Option<&'a ClientCert>,
    args: &'a ConnectArgs,
    authority: &'a str,
    target: &'a str,
}

/// The alerts with which a server that asked for a client certificate refuses the one
/// sent, or its absence (RFC 8446 §6.2; OpenSSL sends handshake_failure in TLS 1.2 and
/// certificate_required in TLS 1.3 when none came, rustls certificate_required, and
/// unknown_ca, bad_certificate or decrypt_error for one it will not take).
fn client_auth_alert(error: &HandshakeError) -> Option<rustls::AlertDescription> {
    use rustls::AlertDescription as A;
    match error {
        HandshakeError::Tls(rustls::Error::AlertReceived(
            alert @ (A::HandshakeFailure
            | A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCA
            | A::AccessDenied
            | A::DecryptError
            | A::CertificateRequired),
        )) => Some(*alert),
        _ => None,
    }
}

/// An alert as the TLS RFCs name it: `certificate_required`.
fn alert_name(alert: rustls::AlertDescription) -> String {
    use rustls::AlertDescription as A;
    let known = match alert {
        A::HandshakeFailure => "handshake_failure",
        A::BadCertificate => "bad_certificate",
        A::UnsupportedCertificate => "unsupported_certificate",
        A::CertificateRevoked => "certificate_revoked",
        A::CertificateExpired => "certificate_expired",
        A::CertificateUnknown => "certificate_unknown",
        A::UnknownCA => "unknown_ca",
        A::AccessDenied => "access_denied",
        A::DecryptError => "decrypt_error",
        A::CertificateRequired => "certificate_required",
        other => return format!("{other:?}"),
    };
    known.to_owned()
}

/// A distinguished name from a CertificateRequest, as certsmith writes names (`CN=…, O=…`).
fn dn_text(der: &[u8]) -> String {
    use x509_parser::prelude::FromDer;
    match x509_parser::x509::X509Name::from_der(der) {
        // The server chose these names: made visible before they reach any output.
        Ok((_, name)) => crate::finding::place::visible(&name.to_string()).into_owned(),
        Err(_) => format!("(an unreadable name of {} bytes)", der.len()),
    }
}

/// The data about client authentication, and its finding: the server required a
/// certificate and none was sent, refused the one sent, or never asked for the one given.
fn client_auth(session: &probe::Session, side: &ClientSide<'_>) -> (ClientCertificate, Option<Finding>) {
    let auth = &session.client_auth;
    let cas: Vec<String> = auth.requested.iter().flatten().map(|dn| dn_text(dn)).collect();
    let refused_with = match (&auth.requested, &session.result, &auth.after) {
        (Some(_), Err(e), _) => client_auth_alert(e),
        (Some(_), Ok(()), Some(Err(e))) => client_auth_alert(e),
        _ => None,
    };
    let accepted = match (&auth.requested, refused_with, &session.result, &auth.after) {
        (None, ..) => None,
        (Some(_), Some(_), ..) => Some(false),
        (Some(_), None, Ok(()), Some(Ok(()))) => Some(true),
        _ => None,
    };
    let data = ClientCertificate {
        requested: auth.requested.is_some(),
        acceptable_cas: cas.clone(),
        presented: side.cert.map(|c| c.path.clone()),
        presented_subject: side.cert.map(|c| c.subject.clone()),
        sent: auth.sent,
        accepted,
        alert: refused_with.map(alert_name),
    };
    let subject = Subject::file(side.authority, None);
    let listed = if cas.is_empty() {
        "it listed no CA names (any CA it trusts may do)".to_owned()
    } else {
        format!("it accepts certificates issued by {}", crate::report::data::connect::first_names(&cas))
    };
    let word = |t: &str| crate::finding::place::shell_word(t);
    let finding = match (refused_with, side.cert) {
        (Some(alert), None) => {
            let own = own_flags(side.args);
            Some(
                Finding::new(
                    Code::ClientCertificateRequired,
                    Severity::Error,
                    subject,
                    format!(
                        "the server requires a client certificate (mutual TLS) and connect sent none: it ended the connection with {}; {listed}",
                        alert_name(alert)
                    ),
                )
                .hint(format!(
                    "pass a client certificate from one of those CAs with --cert and its key with --key: `certsmith connect{own} --cert client/certificate.pem --key client/private_key.pem {}`; if the server trusts certsmith's CA, make the pair with `certsmith gen --client --ca --out-dir client client`",
                    word(side.target)
                )),
            )
        }
        (Some(alert), Some(cert)) => {
            let outside = !cas.is_empty() && !cas.contains(&cert.issuer);
            let issuer = if outside {
                format!(", and its issuer ({}) is not one of them", cert.issuer)
            } else {
                String::new()
            };
            Some(
                Finding::new(
                    Code::ClientCertificateRejected,
                    Severity::Error,
                    subject,
                    format!(
                        "the server refused the client certificate {} ({}) with {}: {listed}{issuer}",
                        cert.subject,
                        cert.path,
                        alert_name(alert)
                    ),
                )
                .hint("present a certificate issued by a CA the server trusts for clients (for Granian, the file GRANIAN_SSL_CA names), within its dates and allowed for client authentication (`certsmith gen --client --ca` makes one); `certsmith inspect FILE` shows the certificate's issuer, dates and extended key usage"),
            )
        }
        (None, Some(cert)) if session.result.is_ok() && auth.requested.is_none() => Some(
            Finding::new(
                Code::ClientCertificateNotRequested,
                Severity::Warning,
                subject,
                format!(
                    "the server did not ask for a client certificate, so {} was not sent: it does not check clients (for Granian: GRANIAN_SSL_CA and GRANIAN_SSL_CLIENT_VERIFY are not set)",
                    cert.path
                ),
            )
            .hint("to require client certificates in Granian, set GRANIAN_SSL_CA to the CA file that issues them and GRANIAN_SSL_CLIENT_VERIFY=true; otherwise drop --cert and --key"),
        ),
        _ => None,
    };
    (data, finding)
}

/// The user's own flags that a suggested connect command keeps: --servername, --ca,
/// --insecure.
fn own_flags(args: &ConnectArgs) -> String {
    let word = |t: &str| crate::finding::place::shell_word(t);
    let mut own = String::new();
    if let Some(name) = &args.servername {
        own.push_str(&format!(" --servername {}", word(name)));
    }
    for ca in &args.ca {
        own.push_str(&format!(" --ca {}", word(&ca.display().to_string())));
    }
    if args.insecure {
        own.push_str(" --insecure");
    }
    own
}

/// `h2,http/1.1` → the protocols in order; an empty list offers none.
fn alpn_list(text: &str) -> Result<Vec<Vec<u8>>, Failure> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.len() {
            1..=255 => Ok(p.as_bytes().to_vec()),
            _ => {
                Err(Failure::new(format!("--alpn: {p:?} is longer than the 255 bytes an ALPN protocol name can have"))
                    .hint("pass protocol names such as `--alpn h2,http/1.1`"))
            }
        })
        .collect()
}

/// The trust anchors and how to name them.
struct Trust {
    certs: Vec<Sourced>,
    /// In full, for `data.trust`: the files, or the store with its size.
    label: String,
    /// In a sentence: `ca.pem` or `the system trust store`.
    short: String,
    /// The system's store, not `--ca` files.
    system: bool,
}

impl Trust {
    fn load(ca: &[PathBuf], insecure: bool) -> Result<Self, Failure> {
        if !ca.is_empty() {
            let files = ca.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ");
            return Ok(Self { certs: certificates_of(ca, "--ca")?, label: files.clone(), short: files, system: false });
        }
        let (found, problems) = probe::system_roots();
        let source = Subject::file("system trust store", None);
        // As rustls' RootCertStore does, keep what can be a trust anchor and skip the rest.
        let certs: Vec<Sourced> = found
            .into_iter()
            .filter(|der| webpki::anchor_from_trusted_cert(der).is_ok() && describe::certificate(der).is_ok())
            .map(|der| Sourced { der, source: source.clone() })
            .collect();
        if certs.is_empty() && !insecure {
            let why = if problems.is_empty() { String::new() } else { format!(" ({})", problems.join("; ")) };
            return Err(Failure::new(format!("the system trust store holds no certificate{why}"))
                .hint("install the CA bundle (`apt-get install ca-certificates`), point SSL_CERT_FILE at one, or pass --ca FILE"));
        }
        let from_env: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
            .iter()
            .filter_map(|var| std::env::var_os(var).map(|v| format!("{var}={}", v.to_string_lossy())))
            .collect();
        let label = match from_env.as_slice() {
            [] => format!("the system trust store ({} certificates)", certs.len()),
            vars => format!("the system trust store from {} ({} certificates)", vars.join(", "), certs.len()),
        };
        Ok(Self { certs, label, short: "the system trust store".to_owned(), system: true })
    }
}

/// What checking the served chain gave.
struct Checked {
    chain: Vec<ServedCertificate>,
    path: Vec<ChainLink>,
    findings: Vec<Finding>,
}

/// verify's checks on the chain as served, with connect's words where they differ, and
/// rustls' verdict when no finding explains it.
fn check_served(
    served: &Served,
    pool: &Pool<'_>,
    settings: &Settings<'_>,
    authority: &str,
    trust: &Trust,
    target: &str,
    own: (Option<&str>, &[PathBuf]),
) -> Checked {
    let sourced: Vec<Sourced> = served
        .chain
        .iter()
        .enumerate()
        .map(|(i, der)| Sourced { der: der.clone(), source: Subject::file(authority, Some(i)) })
        .collect();
    let chain: Vec<ServedCertificate> = served
        .chain
        .iter()
        .enumerate()
        .filter_map(|(position, der)| {
            describe::certificate(der).ok().map(|c| ServedCertificate { position, certificate: Box::new(c) })
        })
        .collect();
    let (path, mut findings) = match verify::verify_file(&sourced, pool, settings) {
        Ok(verified) => (verified.chain, verified.findings),
        Err(e) => {
            let finding = Finding::new(
                Code::MalformedCertificate,
                Severity::Error,
                Subject::file(authority, None),
                format!("a certificate the server sent cannot be read ({e}): every client rejects the chain"),
            )
            .hint("fix the certificate file the server uses; `certsmith inspect FILE` shows what is in it");
            (Vec::new(), vec![finding])
        }
    };
    let leaf_self_signed = chain.first().is_some_and(|c| c.position == 0 && c.certificate.self_signed);
    let from_our_ca = chain.first().is_some_and(|c| super::fix::home_ca(&c.certificate.issuer).is_some());
    for finding in &mut findings {
        match finding.code {
            Code::UnknownIssuer => {
                (finding.message, finding.hint) =
                    unknown_issuer(trust, &path, leaf_self_signed, from_our_ca, target, own)
            }
            // The server is serving it, so its key did load there; Granian may still refuse it.
            Code::KeyUnsupportedByGranian => finding.severity = Severity::Warning,
            Code::TrustedNameCollision if trust.system => name_store_file(finding, trust, chain.first()),
            _ => {}
        }
    }
    let rejected = served.trusted.as_ref().err().or(served.name.as_ref().err());
    if let Some(error) = rejected
        && !findings.iter().any(|f| f.severity == Severity::Error)
    {
        findings.push(
            Finding::new(
                Code::ChainRejected,
                Severity::Error,
                Subject::file(authority, Some(0)),
                format!("rustls rejects the server's certificate ({error}), and no check of certsmith's says why"),
            )
            .hint("look at each certificate served: `openssl s_client -connect HOST:PORT -showcerts </dev/null | certsmith inspect -`"),
        );
    }
    Checked { chain, path, findings }
}

/// The trusted certificate that shares the leaf's name, by its file in the system store
/// (the pki check knows the store only as a whole).
fn name_store_file(finding: &mut Finding, trust: &Trust, leaf: Option<&ServedCertificate>) {
    let Some(leaf) = leaf else { return };
    let other = trust.certs.iter().find(|t| {
        describe::certificate(&t.der).is_ok_and(|c| {
            c.subject == leaf.certificate.issuer && c.fingerprint_sha256 != leaf.certificate.fingerprint_sha256
        })
    });
    if let Some(file) = other.and_then(|t| probe::store_file_of(&t.der)) {
        let place = format!("in the system trust store, {}", file.display());
        finding.message = finding.message.replacen("in system trust store", &place, 1);
    }
}

/// connect's words for `unknown-issuer`: which trust was used, and how to pass the CA.
fn unknown_issuer(
    trust: &Trust,
    path: &[ChainLink],
    leaf_self_signed: bool,
    from_our_ca: bool,
    target: &str,
    (servername, ca): (Option<&str>, &[PathBuf]),
) -> (String, Option<String>) {
    let rejects = "rustls clients reject it with UnknownIssuer, as do curl, Python and browsers";
    let message = match path {
        _ if leaf_self_signed => {
            format!("the server's certificate is self-signed and not in {}: {rejects}", trust.short)
        }
        [_, .., top] => format!(
            "no certificate in {} issued {}, the last certificate of the chain the server sent: {rejects}",
            trust.short, top.subject
        ),
        _ => format!(
            "no certificate in {} issued the server's certificate, and the server sent no intermediate: {rejects}",
            trust.short
        ),
    };
    let word = |t: &str| crate::finding::place::shell_word(t);
    // The user's own flags stay in the commands: --servername always, --ca where it is kept.
    let servername = servername.map(|n| format!(" --servername {}", word(n))).unwrap_or_default();
    let own_ca: String = ca.iter().map(|f| format!(" --ca {}", word(&f.display().to_string()))).collect();
    let target = word(target);
    let from_home = format!(
        "if certsmith's local CA issued it, check against that CA: `certsmith connect{servername} --ca \"$(certsmith ca path)/ca.pem\" {target}`, and make this machine trust it: `certsmith trust install` (containers: `certsmith trust compose`)"
    );
    let hint = match path {
        _ if from_our_ca => from_home,
        _ if leaf_self_signed => format!(
            "trust the certificate itself, the file the server serves (gen's certs/certificate.pem): `certsmith connect{servername} --ca CERT_FILE {target}`, and give clients that file; or serve a certificate from certsmith's CA (`certsmith gen NAME... --ca`) and run `certsmith trust install`"
        ),
        [_] => format!(
            "serve the full chain: the server sends its certificate without the intermediates that link it to a root (for Granian, point GRANIAN_SSL_CERTIFICATE at fullchain.pem, not cert.pem), then check again: `certsmith connect{servername}{own_ca} {target}`; {from_home}"
        ),
        _ => from_home,
    };
    (message, Some(hint))
}

/// What the words about a failed handshake need to know.
struct Why<'a> {
    /// The version agreed before the failure, if any.
    version: Option<rustls::ProtocolVersion>,
    tls13_only: bool,
    alpn: &'a [Vec<u8>],
    name: &'a str,
    authority: &'a str,
}

/// A finding for a handshake that did not complete, unless the certificate findings
/// already say why (the verifier rejected the chain).
fn handshake_finding(error: &HandshakeError, verdict_failed: bool, why: &Why<'_>) -> Option<Finding> {
    use rustls::{AlertDescription as Alert, Error as E, PeerIncompatible as P};
    let (code, message, hint): (Code, String, String) = match error {
        HandshakeError::Tls(E::InvalidCertificate(_)) if verdict_failed => return None,
        HandshakeError::PlainHttp(line) => (
            Code::PlainHttp,
            format!("the server answered in plain HTTP (`{line}`), not TLS: every https:// client fails here"),
            "is GRANIAN_SSL_KEYFILE set? Granian serves plain HTTP, silently, unless both GRANIAN_SSL_CERTIFICATE and GRANIAN_SSL_KEYFILE are set; otherwise connect to the port that serves TLS".to_owned(),
        ),
        HandshakeError::NotTls(line) => (
            Code::HandshakeFailed,
            format!("the server answered with something that is not TLS (`{line}`): another protocol listens on this port"),
            "connect to the port that serves TLS".to_owned(),
        ),
        HandshakeError::Closed => (
            Code::HandshakeFailed,
            "the server closed the connection during the handshake without saying why (no TLS alert): it may not speak TLS on this port, or it refused the ClientHello".to_owned(),
            format!("check the server's log; `openssl s_client -connect {}` tries the same with another TLS stack", why.authority),
        ),
        HandshakeError::Io(e) => (
            Code::HandshakeFailed,
            format!("the connection failed during the handshake: {e}"),
            "check the server's log for why it dropped the connection".to_owned(),
        ),
        HandshakeError::Tls(
            E::AlertReceived(Alert::ProtocolVersion)
            | E::PeerIncompatible(
                P::ServerTlsVersionIsDisabledByOurConfig
                | P::ServerDoesNotSupportTls12Or13
                | P::SupportedVersionsExtensionRequired
                | P::Tls12NotOffered
                | P::Tls12NotOfferedOrEnabled,
            ),
        ) => protocol_version(error, why.tls13_only),
        HandshakeError::Tls(E::AlertReceived(Alert::NoApplicationProtocol)) => (
            Code::HandshakeFailed,
            format!(
                "the server accepts none of the ALPN protocols offered ({}): it refused the handshake with no_application_protocol",
                offered(why.alpn)
            ),
            "offer the protocol the server speaks with --alpn, such as `--alpn http/1.1`".to_owned(),
        ),
        HandshakeError::Tls(E::AlertReceived(Alert::UnrecognisedName)) => (
            Code::HandshakeFailed,
            format!("the server does not serve the name {} (it answered unrecognized_name to the SNI)", why.name),
            "pass the name the server is configured for with --servername".to_owned(),
        ),
        HandshakeError::Tls(E::AlertReceived(Alert::CertificateRequired)) => (
            Code::HandshakeFailed,
            "the server requires a client certificate (mutual TLS, as Granian with GRANIAN_SSL_CLIENT_VERIFY), and connect sends none".to_owned(),
            "present a client certificate the server trusts with --cert FILE and --key FILE".to_owned(),
        ),
        HandshakeError::Tls(e @ (E::AlertReceived(Alert::HandshakeFailure) | E::PeerIncompatible(_))) => (
            Code::HandshakeFailed,
            format!("the server and rustls agree on no cipher suite, key exchange or signature scheme ({e})"),
            "enable TLS 1.3, or TLS 1.2 with ECDHE and AES-GCM or ChaCha20 suites, on the server".to_owned(),
        ),
        HandshakeError::Tls(e) => (
            Code::HandshakeFailed,
            format!("the TLS handshake failed: rustls reports {e}"),
            format!("`openssl s_client -connect {}` tries the same with another TLS stack", why.authority),
        ),
    };
    let message = match why.version.map(version_name) {
        Some(v) if code == Code::HandshakeFailed => format!("{message} (after agreeing on {v})"),
        _ => message,
    };
    Some(Finding::new(code, Severity::Error, Subject::file(why.authority, None), message).hint(hint))
}

/// No TLS version in common: what was offered, what the server chose, who else fails.
fn protocol_version(error: &HandshakeError, tls13_only: bool) -> (Code, String, String) {
    use rustls::{Error as E, PeerIncompatible as P};
    let chose = match error {
        HandshakeError::Tls(E::PeerIncompatible(P::ServerTlsVersionIsDisabledByOurConfig)) => "chose TLS 1.2",
        HandshakeError::Tls(E::PeerIncompatible(P::ServerDoesNotSupportTls12Or13)) => {
            "chose a version older than TLS 1.2"
        }
        _ => "answered with a protocol_version alert",
    };
    if tls13_only {
        (
            Code::ProtocolVersion,
            format!(
                "the server does not speak TLS 1.3, the only version offered with --tls-min 1.3 (it {chose}): clients that require TLS 1.3, as Granian does by default, cannot connect"
            ),
            "enable TLS 1.3 on the server; `certsmith connect --tls-min 1.2` shows what it serves meanwhile".to_owned(),
        )
    } else {
        (
            Code::ProtocolVersion,
            format!(
                "the server speaks neither TLS 1.3 nor TLS 1.2 (it {chose}): rustls clients and current browsers speak nothing older"
            ),
            "enable TLS 1.2 and 1.3 on the server (Granian: GRANIAN_SSL_PROTOCOL_MIN=tls1.2 or tls1.3)".to_owned(),
        )
    }
}

/// `h2, http/1.1`, or `none`.
fn offered(alpn: &[Vec<u8>]) -> String {
    if alpn.is_empty() {
        return "none".to_owned();
    }
    alpn.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>().join(", ")
}

/// `TLSv1.3`, as OpenSSL and curl write it.
fn version_name(version: rustls::ProtocolVersion) -> String {
    match version {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_owned(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_owned(),
        other => other.as_str().map_or_else(|| format!("0x{:04x}", u16::from(other)), str::to_owned),
    }
}

/// The IANA name: rustls writes TLS 1.3 suites as `TLS13_…`, IANA as `TLS_…`.
fn suite_name(suite: rustls::CipherSuite) -> String {
    match suite.as_str() {
        Some(name) => name.strip_prefix("TLS13_").map_or_else(|| name.to_owned(), |rest| format!("TLS_{rest}")),
        None => format!("0x{:04x}", u16::from(suite)),
    }
}

/// `10s`, `1500ms`.
fn duration_text(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{}s", d.as_secs()) } else { format!("{}ms", d.as_millis()) }
}

/// The failure for a server that could not be reached, with its code.
fn unreachable(target: &Target, error: &ProbeError, timeout: Duration) -> Failure {
    let authority = target.authority();
    let subject = Subject::file(&authority, None);
    let limit = duration_text(timeout);
    let failure = match error {
        ProbeError::Resolve(why) => Failure::new(format!("cannot resolve {}: {why}", target.host))
            .code(Code::DnsFailure)
            .hint(format!(
                "check the name; a name only the server's network knows (a compose service name) resolves only there: connect by address and name the host with --servername, such as `certsmith connect --servername {} 127.0.0.1:{}`",
                target.host, target.port
            )),
        ProbeError::Connect(failures) => {
            let each: Vec<String> = failures.iter().map(|(address, e)| format!("{address}: {e}")).collect();
            let refused = failures.iter().any(|(_, e)| e.kind() == std::io::ErrorKind::ConnectionRefused);
            if refused {
                Failure::new(format!("cannot connect to {authority}: nothing listens there ({})", each.join("; ")))
                    .code(Code::ConnectionRefused)
                    .hint("start the server, or check the port: Granian listens on 127.0.0.1:8000 unless --host/--port (GRANIAN_HOST, GRANIAN_PORT) say otherwise, and a container's port must be published")
            } else {
                Failure::new(format!("cannot connect to {authority}: {}", each.join("; ")))
                    .code(Code::ConnectionFailed)
                    .hint("check the address and the network between here and the server")
            }
        }
        ProbeError::Timeout { phase: Phase::Resolve, .. } => {
            Failure::new(format!("resolving {} took longer than --timeout {limit}", target.host))
                .code(Code::Timeout)
                .hint("check the resolver (/etc/resolv.conf), or connect by address with --servername NAME")
        }
        ProbeError::Timeout { phase: Phase::Connect, address } => {
            let to = address.map_or_else(|| authority.clone(), |a| a.to_string());
            Failure::new(format!("no connection to {to} within --timeout {limit}: the host is down or a firewall drops the packets"))
                .code(Code::Timeout)
                .hint("check the address and port, or allow longer with --timeout 30s")
        }
        ProbeError::Timeout { phase: Phase::Handshake, address } => {
            let at = address.map_or_else(|| authority.clone(), |a| a.to_string());
            Failure::new(format!(
                "{at} accepted the connection but did not answer the TLS ClientHello within --timeout {limit}: the server is stuck, or the port speaks a protocol that waits for the client"
            ))
            .code(Code::Timeout)
            .hint("check that this port serves TLS and that the server is not overloaded, or allow longer with --timeout 30s")
        }
        ProbeError::Setup(e) => Failure::new(format!("cannot set up the TLS client: {e}"))
            .hint("this is a bug in certsmith: please report it with the command line"),
    };
    failure.about(subject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_failures_are_explained_with_their_own_codes() {
        use rustls::{AlertDescription as Alert, Error as E, PeerIncompatible as P};
        let alpn = [b"h2".to_vec()];
        let why = |tls13_only| Why { version: None, tls13_only, alpn: &alpn, name: "myapp.local", authority: "h:1" };
        let code = |error: HandshakeError, tls13_only| {
            handshake_finding(&error, false, &why(tls13_only)).map(|f| (f.code, f.message, f.hint.unwrap_or_default()))
        };
        let (c, message, _) = code(HandshakeError::Tls(P::ServerTlsVersionIsDisabledByOurConfig.into()), true).unwrap();
        assert_eq!(c, Code::ProtocolVersion);
        assert!(message.contains("it chose TLS 1.2"), "{message}");
        let (c, message, _) = code(HandshakeError::Tls(E::AlertReceived(Alert::ProtocolVersion)), false).unwrap();
        assert_eq!(c, Code::ProtocolVersion);
        assert!(message.contains("neither TLS 1.3 nor TLS 1.2"), "{message}");
        let (c, message, hint) =
            code(HandshakeError::Tls(E::AlertReceived(Alert::NoApplicationProtocol)), false).unwrap();
        assert_eq!(c, Code::HandshakeFailed);
        assert!(message.contains("(h2)") && hint.contains("--alpn"), "{message}");
        let (_, message, hint) = code(HandshakeError::Tls(E::AlertReceived(Alert::UnrecognisedName)), false).unwrap();
        assert!(message.contains("myapp.local") && hint.contains("--servername"), "{message}");
        let (c, _, hint) = code(HandshakeError::PlainHttp("HTTP/1.1 400 Bad Request".to_owned()), false).unwrap();
        assert_eq!((c, hint.starts_with("is GRANIAN_SSL_KEYFILE set?")), (Code::PlainHttp, true));
        assert_eq!(code(HandshakeError::Closed, false).unwrap().0, Code::HandshakeFailed);
        // A rejected certificate is explained by verify's findings, not here.
        let rejected = HandshakeError::Tls(E::InvalidCertificate(rustls::CertificateError::UnknownIssuer));
        assert!(handshake_finding(&rejected, true, &why(false)).is_none());
        assert_eq!(handshake_finding(&rejected, false, &why(false)).unwrap().code, Code::HandshakeFailed);
    }

    #[test]
    fn alpn_lists_are_comma_separated_and_may_be_empty() {
        assert_eq!(alpn_list("h2,http/1.1").unwrap(), vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
        assert_eq!(alpn_list(" h2 , ").unwrap(), vec![b"h2".to_vec()]);
        assert!(alpn_list("").unwrap().is_empty());
        assert!(alpn_list(&"x".repeat(256)).is_err());
    }

    #[test]
    fn names_are_the_ones_openssl_and_iana_use() {
        assert_eq!(version_name(rustls::ProtocolVersion::TLSv1_3), "TLSv1.3");
        assert_eq!(suite_name(rustls::CipherSuite::TLS13_AES_256_GCM_SHA384), "TLS_AES_256_GCM_SHA384");
        assert_eq!(
            suite_name(rustls::CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256),
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
        );
        assert_eq!(duration_text(Duration::from_secs(10)), "10s");
        assert_eq!(duration_text(Duration::from_millis(1500)), "1500ms");
    }

    #[test]
    fn each_unreachable_server_has_its_code_and_a_hint() {
        let target = Target { host: "myapp.local".to_owned(), port: 8443 };
        let address = "127.0.0.1:8443".parse().unwrap();
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        let unreachable_net = std::io::Error::from(std::io::ErrorKind::NetworkUnreachable);
        let cases = [
            (ProbeError::Resolve("Name or service not known".to_owned()), Code::DnsFailure),
            (ProbeError::Connect(vec![(address, refused)]), Code::ConnectionRefused),
            (ProbeError::Connect(vec![(address, unreachable_net)]), Code::ConnectionFailed),
            (ProbeError::Timeout { phase: Phase::Resolve, address: None }, Code::Timeout),
            (ProbeError::Timeout { phase: Phase::Connect, address: Some(address) }, Code::Timeout),
            (ProbeError::Timeout { phase: Phase::Handshake, address: Some(address) }, Code::Timeout),
        ];
        for (error, code) in cases {
            let failure = unreachable(&target, &error, Duration::from_secs(1));
            assert_eq!(failure.code, Some(code), "{error:?}");
            assert!(failure.hint.is_some(), "{error:?}");
            assert_eq!(failure.subject.path.as_deref(), Some("myapp.local:8443"));
        }
        let dns = unreachable(&target, &ProbeError::Resolve("Name or service not known".to_owned()), Duration::ZERO);
        assert!(dns.message.contains("cannot resolve myapp.local"), "{}", dns.message);
        assert!(dns.hint.unwrap().contains("--servername myapp.local 127.0.0.1:8443"));
    }
}
