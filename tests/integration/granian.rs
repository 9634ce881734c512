//! The Granian tier: verify's verdicts against what the real programs do. For every
//! material in fixtures/broken/materials.json and for gen's own outputs, Granian (from
//! PyPI; `.ci/run` installs it) is started with the pair, and verify's `granian` verdict
//! must be what Granian did: started and served, or exited printing the error that
//! verify's finding names. The same pair, served by Granian (or by `openssl s_server`
//! where Granian refuses it), is then probed by curl and Python (`openssl_clients`) and by
//! an in-process rustls client (`rustls_clients`). A disagreement fails the test unless
//! tests/conformance/granian-disagreements.json lists it with a reason; it lists none.
//! Browsers cannot run here: their verdicts follow published rules only.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::Value;

use crate::util::*;

/// What Granian 2.8.9 prints when it fails for the reason a finding code names (measured;
/// fixtures/broken/MEASURED.md). verify's finding must quote the same text.
const GRANIAN_SAYS: &[(&str, &str)] = &[
    ("certificate-not-pem", "PEM lib"),
    ("no-certificate", "PEM lib"),
    ("no-private-key", "PEM lib"),
    ("byte-order-mark", "NoCertificatesPresented"),
    ("weak-signature-algorithm", "CA_MD_TOO_WEAK"),
    ("weak-key", "EE_KEY_TOO_SMALL"),
    ("malformed-certificate", "INVALID_CERTIFICATE"),
    ("key-unsupported-by-granian", "failed to parse private key"),
    ("key-format-unsupported-by-granian", "Invalid key"),
    ("encrypted-key-without-password", "Invalid argument"),
    ("unsupported-cert-version", "UnsupportedCertVersion"),
    ("unknown-critical-extension", "UnsupportedCriticalExtension"),
];

/// Variables that would change which CAs the clients trust.
const TRUST_VARIABLES: &[&str] = &["SSL_CERT_FILE", "SSL_CERT_DIR", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"];

const APP: &str = "async def app(scope, receive, send):
    if scope['type'] != 'http':
        return
    await send({'type': 'http.response.start', 'status': 200, 'headers': []})
    await send({'type': 'http.response.body', 'body': b'ok'})
";

/// Granian from `GRANIAN`, the venv `.ci/run` makes, or PATH.
pub(crate) fn granian() -> PathBuf {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/granian-venv/bin/granian");
    let candidates = std::env::var_os("GRANIAN").map(PathBuf::from).into_iter().chain([venv, "granian".into()]);
    for candidate in candidates {
        if Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success()) {
            return candidate;
        }
    }
    panic!(
        "Granian is needed: python3 -m venv target/granian-venv && target/granian-venv/bin/pip install 'granian==2.8.*' (.ci/run does this)"
    )
}

/// One pair to serve, and what clients should trust.
#[derive(Debug, Clone)]
struct Material {
    name: String,
    cert: PathBuf,
    key: PathBuf,
    /// The CA clients trust; `None` for a self-signed certificate trusted as itself.
    ca: Option<PathBuf>,
    password_file: Option<PathBuf>,
}

impl Material {
    /// What clients are told to trust.
    fn trust(&self) -> &Path {
        self.ca.as_deref().unwrap_or(&self.cert)
    }
}

fn listed_materials() -> Vec<Material> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/broken/materials.json")).unwrap();
    let list: Vec<Value> = serde_json::from_str(&text).unwrap();
    list.iter()
        .map(|m| {
            let path = |key: &str| m[key].as_str().map(|p| root.join(p));
            let cert = path("cert").unwrap();
            // A self-signed certificate's ca.pem is the certificate itself: verify takes it
            // as trusted as itself, without --ca (webpki cannot take every such file as an
            // anchor, and verify would stop at an unusable --ca).
            let ca = path("ca").filter(|ca| {
                let same = std::fs::read(ca).ok() == std::fs::read(&cert).ok();
                !same && ca.exists()
            });
            Material {
                name: m["name"].as_str().unwrap().to_owned(),
                cert,
                key: path("key").unwrap(),
                ca,
                password_file: path("password_file"),
            }
        })
        .collect()
}

/// gen's outputs: a self-signed pair and a pair from a CA.
fn generated_materials(dir: &Path) -> Vec<Material> {
    let generate = |args: &[&str]| {
        let out: Run = certsmith()
            .current_dir(dir)
            .env("CERTSMITH_CAROOT", dir.join("caroot"))
            .args(args)
            .output()
            .unwrap()
            .into();
        assert_eq!(out.code, 0, "gen {args:?}: {}", out.stderr);
    };
    generate(&["ca", "create"]);
    generate(&["gen", "--out-dir", "self-signed", "localhost", "127.0.0.1"]);
    generate(&["gen", "--out-dir", "from-ca", "localhost", "127.0.0.1", "--ca"]);
    let pair = |name: &str, ca: Option<PathBuf>| Material {
        name: format!("gen {name}"),
        cert: dir.join(name).join("certificate.pem"),
        key: dir.join(name).join("private_key.pem"),
        ca,
        password_file: None,
    };
    vec![pair("self-signed", None), pair("from-ca", Some(dir.join("caroot/ca.pem")))]
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut cmd = Command::new(program);
    for var in TRUST_VARIABLES {
        cmd.env_remove(var);
    }
    cmd.stdin(Stdio::null());
    cmd
}

/// A server process, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// SIGTERM first: Granian then stops its workers. SIGKILL on the main process alone leaves
/// the workers running, orphaned (hundreds of them were seen after test runs).
pub(crate) fn stop(child: &mut Child) {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

impl Server {
    fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

fn spawn(mut cmd: Command, port: u16, log: PathBuf) -> Server {
    let file = std::fs::File::create(&log).unwrap();
    cmd.stdout(file.try_clone().unwrap()).stderr(file);
    Server { child: cmd.spawn().unwrap(), port, log }
}

/// Granian with the pair: `Ok` once it answers over HTTPS, `Err(output)` once it exits.
fn start_granian(m: &Material, app: &Path, work: &Path) -> Result<Server, String> {
    let port = free_port();
    let mut cmd = command(granian());
    cmd.current_dir(app).args(["--interface", "asgi", "--host", "127.0.0.1", "--port", &port.to_string()]);
    cmd.arg("--ssl-certificate").arg(&m.cert).arg("--ssl-keyfile").arg(&m.key);
    if let Some(file) = &m.password_file {
        let password = std::fs::read_to_string(file).unwrap();
        cmd.args(["--ssl-keyfile-password", password.trim_end()]);
    }
    cmd.arg("app:app");
    let mut server = spawn(cmd, port, work.join("granian.log"));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(250));
        if server.child.try_wait().unwrap().is_some() {
            return Err(server.output());
        }
        let probe = command("curl")
            .args(["-ksS", "--max-time", "2"])
            .arg(format!("https://127.0.0.1:{port}/"))
            .output()
            .unwrap();
        if probe.stdout == b"ok" {
            return Ok(server);
        }
    }
    panic!("{}: Granian neither served nor exited within 20 s:\n{}", m.name, server.output())
}

/// `openssl s_server` with the pair, at security level 0 so that the clients decide;
/// `None` when it cannot load the pair either.
fn start_s_server(m: &Material, work: &Path) -> Option<Server> {
    let port = free_port();
    let mut cmd = command("openssl");
    cmd.args(["s_server", "-accept", &port.to_string(), "-www", "-cipher", "DEFAULT:@SECLEVEL=0"]);
    cmd.arg("-key").arg(&m.key);
    let bytes = std::fs::read(&m.cert).unwrap();
    if !bytes.windows(5).any(|w| w == b"-----") {
        cmd.args(["-certform", "DER"]).arg("-cert").arg(&m.cert);
    } else {
        // The leaf with -cert, the rest of the file with -cert_chain.
        let text = String::from_utf8_lossy(&bytes);
        let end = "-----END CERTIFICATE-----";
        let cut = text.find(end).map_or(text.len(), |i| i + end.len());
        let chain = work.join("chain.pem");
        std::fs::write(&chain, &text[cut..]).unwrap();
        cmd.arg("-cert").arg(&m.cert);
        if text[cut..].contains("BEGIN CERTIFICATE") {
            cmd.arg("-cert_chain").arg(&chain);
        }
    }
    if let Some(file) = &m.password_file {
        cmd.arg("-pass").arg(format!("file:{}", file.display()));
    }
    let mut server = spawn(cmd, port, work.join("s_server.log"));
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(100));
        if server.child.try_wait().unwrap().is_some() {
            return None;
        }
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(server);
        }
    }
    None
}

fn curl_accepts(trust: &Path, port: u16) -> bool {
    let out = command("curl")
        .args(["-sS", "--max-time", "5", "-o", "/dev/null", "--resolve", &format!("localhost:{port}:127.0.0.1")])
        .arg("--cacert")
        .arg(trust)
        .arg(format!("https://localhost:{port}/"))
        .output()
        .unwrap();
    out.status.success()
}

fn python_accepts(trust: &Path, port: u16) -> bool {
    let script = "import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[1])
with socket.create_connection(('127.0.0.1', int(sys.argv[2])), timeout=5) as sock:
    with ctx.wrap_socket(sock, server_hostname='localhost'):
        pass
";
    let out = command("python3").args(["-c", script]).arg(trust).arg(port.to_string()).output().unwrap();
    out.status.success()
}

/// A rustls client with rustls' default provider (aws-lc-rs), trusting `trust`.
fn rustls_accepts(trust: &Path, port: u16) -> bool {
    let pem = std::fs::read(trust).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem).filter_map(Result::ok).collect();
    let certs = if certs.is_empty() { vec![CertificateDer::from(pem)] } else { certs };
    roots.add_parsable_certificates(certs);
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let name = ServerName::try_from("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name).unwrap();
    let mut sock = TcpStream::connect(("127.0.0.1", port)).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut sock);
    if tls.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n").is_err() {
        return false;
    }
    let mut reply = Vec::new();
    let _ = tls.read_to_end(&mut reply);
    !conn.is_handshaking()
}

/// verify's JSON for the pair, as a user asks it.
fn verify(m: &Material) -> Value {
    let mut cmd = certsmith();
    cmd.args(["--json", "verify", "--host", "localhost"]).arg("--key").arg(&m.key);
    if let Some(ca) = &m.ca {
        cmd.arg("--ca").arg(ca);
    }
    if let Some(file) = &m.password_file {
        cmd.arg("--password-file").arg(file);
    }
    let out: Run = cmd.arg(&m.cert).output().unwrap().into();
    assert!(out.code == 0 || out.code == 1, "{}: verify exits {}: {}", m.name, out.code, out.stderr);
    out.json()
}

/// Every disagreement between verify and the real programs about `m`.
fn disagreements(m: &Material, app: &Path, work: &Path) -> Vec<String> {
    let json = verify(m);
    let verdicts = &json["data"]["verdicts"];
    let says = |party: &str, yes: &str| verdicts[party]["result"] == yes;
    let mut found = Vec::new();
    let granian = start_granian(m, app, work);
    match &granian {
        Ok(_) if !says("granian", "starts") => {
            found.push(format!("granian: Granian started, verify says {}", verdicts["granian"]))
        }
        Err(output) if says("granian", "starts") => {
            found.push(format!("granian: Granian failed, verify says it starts; Granian printed:\n{output}"))
        }
        Err(output) => {
            // Granian printed the error one of verify's Granian findings quotes.
            let named = json["findings"].as_array().unwrap().iter().any(|f| {
                let affects_granian = f["affects"].as_array().is_some_and(|a| a.iter().any(|p| p == "granian"));
                let code = f["code"].as_str().unwrap_or_default();
                let text = GRANIAN_SAYS.iter().find(|(c, _)| *c == code).map(|(_, t)| *t);
                affects_granian
                    && text.is_some_and(|t| output.contains(t) && f["message"].as_str().unwrap_or_default().contains(t))
            });
            if !named {
                found.push(format!(
                    "granian: no finding of verify's names what Granian printed ({}):\n{output}",
                    verdicts["granian"]
                ));
            }
        }
        Ok(_) => {}
    }
    // match-key never says Granian loads a pair that Granian refuses, nor the opposite.
    if let Some(loads) = match_key_says_granian_loads(m).filter(|loads| *loads != granian.is_ok()) {
        found.push(format!(
            "match-key: Granian started: {}, match-key says it loads the pair: {loads}",
            granian.is_ok()
        ));
    }
    let server = match granian {
        Ok(server) => Some(server),
        Err(_) => start_s_server(m, work),
    };
    let Some(server) = server else { return found };
    let (curl, python) = (curl_accepts(m.trust(), server.port), python_accepts(m.trust(), server.port));
    if says("openssl_clients", "accept") != (curl && python) {
        found.push(format!(
            "openssl_clients: curl accepts: {curl}, Python accepts: {python}; verify says {}",
            verdicts["openssl_clients"]
        ));
    }
    let rustls = rustls_accepts(m.trust(), server.port);
    if says("rustls_clients", "accept") != rustls {
        found.push(format!(
            "rustls_clients: a rustls client accepts: {rustls}; verify says {}",
            verdicts["rustls_clients"]
        ));
    }
    found
}

/// match-key's answer to "does Granian load this pair as it is?", when it gives one
/// (exit 2, with nothing said about Granian, is none).
fn match_key_says_granian_loads(m: &Material) -> Option<bool> {
    let mut cmd = certsmith();
    cmd.args(["--json", "match-key"]);
    if let Some(file) = &m.password_file {
        cmd.arg("--password-file").arg(file);
    }
    let out: Run = cmd.arg(&m.cert).arg(&m.key).output().unwrap().into();
    let data = &out.json()["data"];
    let loads = |side: &str| data[side].as_bool();
    Some(loads("granian_loads_key")? && loads("granian_loads_certificate")?)
}

/// tests/conformance/granian-disagreements.json: material name → party → reason.
fn listed_disagreements() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance/granian-disagreements.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn verify_verdicts_match_granian_curl_python_and_rustls() {
    let granian = granian();
    let version = command(&granian).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout).into_owned();
    assert!(version.contains("2.8."), "the tier is measured with Granian 2.8.x, found {version}");
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("app");
    std::fs::create_dir(&app).unwrap();
    std::fs::write(app.join("app.py"), APP).unwrap();
    let mut materials = listed_materials();
    assert!(materials.len() >= 20, "materials.json lists {}", materials.len());
    materials.extend(generated_materials(dir.path()));
    let listed = listed_disagreements();

    // Four at a time: most of the time goes to waiting for Python to start.
    let problems = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(m) = materials.get(i) else { break };
                    let work = dir.path().join(format!("work-{i}"));
                    std::fs::create_dir(&work).unwrap();
                    let found = disagreements(m, &app, &work);
                    let parties: Vec<&str> = found.iter().map(|f| f.split(':').next().unwrap_or_default()).collect();
                    let mut problems = problems.lock().unwrap();
                    for (found, party) in found.iter().zip(&parties) {
                        if listed["materials"][&m.name][party].as_str().is_none() {
                            problems.push(format!("{}: {found}", m.name));
                        }
                    }
                    // A listed disagreement that is gone must leave the list too.
                    for (party, _) in listed["materials"][&m.name].as_object().into_iter().flatten() {
                        if !parties.contains(&party.as_str()) {
                            problems
                                .push(format!("{}: {party}: listed as a disagreement, but verify now agrees", m.name));
                        }
                    }
                }
            });
        }
    });
    let problems = problems.into_inner().unwrap();
    assert!(problems.is_empty(), "{} disagreements:\n{}", problems.len(), problems.join("\n\n"));
}

/// Granian with GRANIAN_SSL_CA and GRANIAN_SSL_CLIENT_VERIFY: connect presents a client
/// certificate from that CA and the server takes it; one from another CA, or none, is
/// refused, and connect says so with the CA names Granian listed.
#[test]
fn connect_presents_client_certificates_to_granian() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let make = |args: &[&str]| {
        let out: Run = certsmith().current_dir(d).args(args).output().unwrap().into();
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    };
    make(&["ca", "create", "--out-dir", "ca"]);
    make(&["ca", "create", "--out-dir", "other"]);
    make(&["gen", "--ca", "ca", "--out-dir", "server", "localhost", "127.0.0.1"]);
    make(&["gen", "--client", "--ca", "ca", "--out-dir", "client", "client"]);
    make(&["gen", "--client", "--ca", "other", "--out-dir", "stranger", "client"]);
    let app = d.join("app");
    std::fs::create_dir(&app).unwrap();
    std::fs::write(app.join("app.py"), APP).unwrap();

    let port = free_port();
    let mut cmd = command(granian());
    cmd.current_dir(&app).args(["--interface", "asgi", "--host", "127.0.0.1", "--port", &port.to_string()]);
    cmd.arg("--ssl-certificate").arg(d.join("server/certificate.pem"));
    cmd.arg("--ssl-keyfile").arg(d.join("server/private_key.pem"));
    cmd.env("GRANIAN_SSL_CA", d.join("ca/ca.pem")).env("GRANIAN_SSL_CLIENT_VERIFY", "true");
    cmd.arg("app:app");
    let mut server = spawn(cmd, port, d.join("granian.log"));
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(server.child.try_wait().unwrap().is_none(), "Granian exited:\n{}", server.output());
        assert!(started.elapsed() < Duration::from_secs(20), "Granian did not listen:\n{}", server.output());
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_millis(500));

    let target = format!("localhost:{port}");
    let ca = d.join("ca/ca.pem").display().to_string();
    let json_of = |extra: &[&str]| {
        let out: Run = certsmith()
            .current_dir(d)
            .args(["--json", "connect", "--ca", &ca])
            .args(extra)
            .arg(&target)
            .output()
            .unwrap()
            .into();
        (out.code, out.json())
    };
    let (code, json) = json_of(&["--cert", "client/certificate.pem", "--key", "client/private_key.pem"]);
    assert_eq!(code, 0, "{json:#}\n{}", server.output());
    let auth = &json["data"]["client_certificate"];
    assert_eq!((auth["requested"].clone(), auth["accepted"].clone()), (true.into(), true.into()), "{auth:#}");
    assert!(auth["acceptable_cas"][0].as_str().unwrap().starts_with("CN=certsmith development CA"), "{auth:#}");

    let (code, json) = json_of(&["--cert", "stranger/certificate.pem", "--key", "stranger/private_key.pem"]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["findings"][0]["code"], "client-certificate-rejected", "{json:#}");
    assert_eq!(json["data"]["client_certificate"]["accepted"], false);

    let (code, json) = json_of(&[]);
    assert_eq!(code, 1, "{json:#}");
    let required = finding(&json, "client-certificate-required");
    assert!(required["message"].as_str().unwrap().contains("CN=certsmith development CA"), "{required:#}");
    assert!(required["hint"].as_str().unwrap().contains("--cert client/certificate.pem --key client/private_key.pem"));
}
