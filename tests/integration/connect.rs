//! `certsmith connect` against real servers on 127.0.0.1 only: an in-process rustls server
//! configured as Granian configures it (TLS 1.3, ALPN h2 and http/1.1), `openssl s_server`,
//! and listeners that refuse, stay silent or answer in plain HTTP. Certificates come from
//! `certsmith gen` and `certsmith ca create`, made at test time.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection};
use serde_json::Value;

use crate::util::*;

/// A local CA and, in one folder, the certificates the tests serve.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    /// `ca/` (a CA), `issued/` (localhost, 127.0.0.1, ::1 from that CA), `self/` (the same
    /// names, self-signed) and `expired/` (self-signed, valid for one day in 2020).
    fn new() -> Self {
        let pki = Self { dir: tempfile::tempdir().unwrap() };
        pki.certsmith(&["ca", "create", "--out-dir", "ca"]);
        pki.certsmith(&["gen", "--ca", "ca", "--out-dir", "issued"]);
        pki.certsmith(&["gen", "--out-dir", "self"]);
        pki.certsmith(&["--at", "2020-01-01T00:00:00Z", "gen", "--days", "1", "--out-dir", "expired"]);
        pki
    }

    fn certsmith(&self, args: &[&str]) {
        let out: Run = certsmith().current_dir(self.dir.path()).args(args).output().unwrap().into();
        assert_eq!(out.code, 0, "certsmith {args:?}: {}", out.stderr);
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn arg(&self, rel: &str) -> String {
        self.path(rel).to_str().unwrap().to_owned()
    }

    fn cert(&self, name: &str) -> PathBuf {
        self.path(&format!("{name}/certificate.pem"))
    }

    fn key(&self, name: &str) -> PathBuf {
        self.path(&format!("{name}/private_key.pem"))
    }
}

/// A rustls server configured as Granian's default: TLS 1.3 only, ALPN h2 then http/1.1,
/// serving every certificate of `cert` (the leaf first).
fn granian_like(cert: &Path, key: &Path) -> Arc<ServerConfig> {
    let chain: Vec<CertificateDer<'static>> =
        CertificateDer::pem_file_iter(cert).unwrap().map(Result::unwrap).collect();
    let key = PrivateKeyDer::from_pem_file(key).unwrap();
    let mut config = ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Arc::new(config)
}

/// Serves `connections` handshakes on an ephemeral 127.0.0.1 port, one after the other.
fn serve_rustls(config: Arc<ServerConfig>, connections: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let mut conn = ServerConnection::new(Arc::clone(&config)).unwrap();
            // A client that rejects the certificate ends the handshake with an alert.
            if conn.complete_io(&mut stream).is_ok() {
                let _ = conn.complete_io(&mut stream);
            }
        }
    });
    port
}

/// Accepts one connection, reads what the client sends and gives `answer`, as an HTTP
/// server answers a TLS ClientHello.
fn serve_plain_http(answer: &'static [u8]) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(answer);
        }
    });
    port
}

/// Accepts one connection and says nothing for `hold`.
fn serve_silence(hold: Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        if let Ok((stream, _)) = listener.accept() {
            thread::sleep(hold);
            drop(stream);
        }
    });
    port
}

/// `openssl s_server -www` on an ephemeral 127.0.0.1 port; killed when dropped.
pub(crate) struct OpensslServer {
    child: Child,
    pub(crate) port: u16,
    _stdin: Option<ChildStdin>,
    _stdout: BufReader<ChildStdout>,
}

impl OpensslServer {
    pub(crate) fn start(cert: &Path, key: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new("openssl")
            .args(["s_server", "-www", "-accept", "127.0.0.1:0"])
            .args(["-cert", cert.to_str().unwrap(), "-key", key.to_str().unwrap()])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the openssl CLI is needed by the tests (.ci/run installs it)");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let port = loop {
            line.clear();
            assert_ne!(stdout.read_line(&mut line).unwrap(), 0, "openssl s_server did not start");
            if let Some(address) = line.trim().strip_prefix("ACCEPT ") {
                break address.rsplit(':').next().unwrap().parse().unwrap();
            }
        };
        Self { _stdin: child.stdin.take(), child, port, _stdout: stdout }
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn connect(args: &[&str]) -> Run {
    run(std::iter::once("connect").chain(args.iter().copied()))
}

fn connect_json(args: &[&str]) -> (Run, Value) {
    let out = run(["--json", "connect"].into_iter().chain(args.iter().copied()));
    let json = out.json();
    (out, json)
}

fn error_codes(json: &Value) -> Vec<&str> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

/// The Granian-like server with a CA-issued chain (leaf, then the CA): TLS 1.3, h2, the
/// chain as served, verified for the name; the human form says the same.
#[test]
fn a_granian_like_server_verifies_with_tls13_and_h2() {
    let pki = Pki::new();
    let fullchain = pki.path("fullchain.pem");
    let chain = [std::fs::read(pki.cert("issued")).unwrap(), std::fs::read(pki.path("ca/ca.pem")).unwrap()].concat();
    std::fs::write(&fullchain, chain).unwrap();
    let port = serve_rustls(granian_like(&fullchain, &pki.key("issued")), 3);
    let target = format!("127.0.0.1:{port}");
    let ca = pki.arg("ca/ca.pem");

    let (out, json) = connect_json(&["--ca", &ca, "--servername", "localhost", &target]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let data = &json["data"];
    assert_eq!(data["tls_version"], "TLSv1.3");
    assert_eq!(data["alpn"], "h2");
    assert_eq!(data["alpn_offered"], serde_json::json!(["h2", "http/1.1"]));
    assert!(data["cipher_suite"].as_str().unwrap().starts_with("TLS_AES_"), "{data:#}");
    assert!(data["key_exchange"].is_string());
    assert_eq!(data["address"], target);
    assert_eq!(data["server_name"], "localhost");
    assert_eq!((data["verified"].clone(), data["chain_verified"].clone()), (Value::Bool(true), Value::Bool(true)));
    assert_eq!(data["name_verified"], true);
    assert_eq!(data["verification_skipped"], false);
    let served = data["chain"].as_array().unwrap();
    assert_eq!(served.len(), 2);
    assert_eq!((served[0]["position"].clone(), served[1]["position"].clone()), (0.into(), 1.into()));
    assert_eq!(served[0]["san"]["dns"], serde_json::json!(["localhost"]));
    assert_eq!(served[1]["is_ca"], true);
    assert!(data["trust_path"].as_array().unwrap().last().unwrap()["trust_anchor"].as_bool().unwrap());
    assert_eq!(json["status"], "ok", "{json:#}");

    let out = connect(&["--ca", &ca, "--servername", "localhost", &target]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    for expected in ["TLSv1.3", "h2 (offered h2, http/1.1)", "yes: the chain reaches", "#1 certificate"] {
        assert!(out.stdout.contains(expected), "{expected:?} missing:\n{}", out.stdout);
    }

    let (out, json) = connect_json(&["--ca", &ca, "--servername", "localhost", "--alpn", "http/1.1", &target]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(json["data"]["alpn"], "http/1.1");
}

/// A host name is resolved and each address tried in turn: `localhost` may give ::1
/// first, where nothing listens.
#[test]
fn a_host_name_is_resolved_and_the_address_that_answers_is_reported() {
    let pki = Pki::new();
    let port = serve_rustls(granian_like(&pki.cert("issued"), &pki.key("issued")), 1);
    let (out, json) = connect_json(&["--ca", &pki.arg("ca/ca.pem"), &format!("https://localhost:{port}/api/health")]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(json["data"]["address"], format!("127.0.0.1:{port}"));
    assert_eq!(json["data"]["host"], "localhost");
    assert_eq!(json["data"]["port"], port);
}

#[test]
fn a_name_the_certificate_does_not_cover_is_name_mismatch() {
    let pki = Pki::new();
    let port = serve_rustls(granian_like(&pki.cert("issued"), &pki.key("issued")), 1);
    let (out, json) =
        connect_json(&["--ca", &pki.arg("ca/ca.pem"), "--servername", "other.test", &format!("127.0.0.1:{port}")]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(error_codes(&json), ["name-mismatch"]);
    assert!(finding(&json, "name-mismatch")["message"].as_str().unwrap().contains("covers localhost, 127.0.0.1, ::1"));
    let data = &json["data"];
    assert_eq!(
        (data["chain_verified"].clone(), data["name_verified"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    assert_eq!(data["verified"], false);
    // The server's choices are known before its certificate is: still reported.
    assert_eq!((data["tls_version"].as_str(), data["alpn"].as_str()), (Some("TLSv1.3"), Some("h2")));
}

/// Without --ca the system trust store is used, and it does not hold the test CA; a
/// store named by SSL_CERT_FILE, as OpenSSL and curl read it, does.
#[test]
fn without_ca_the_system_store_decides_and_ssl_cert_file_is_honoured() {
    let pki = Pki::new();
    let port = serve_rustls(granian_like(&pki.cert("issued"), &pki.key("issued")), 2);
    let target = format!("127.0.0.1:{port}");
    let (out, json) = connect_json(&[&target]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(error_codes(&json), ["unknown-issuer"]);
    let unknown = finding(&json, "unknown-issuer");
    assert!(unknown["message"].as_str().unwrap().contains("the system trust store"), "{unknown:#}");
    assert!(unknown["hint"].as_str().unwrap().contains("--ca \"$(certsmith ca path)/ca.pem\""), "{unknown:#}");
    assert_eq!(json["data"]["chain_verified"], false);

    let out: Run = certsmith()
        .env("SSL_CERT_FILE", pki.path("ca/ca.pem"))
        .args(["--json", "connect", &target])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.json()["data"]["trust"].as_str().unwrap().contains("SSL_CERT_FILE="));
}

#[test]
fn an_expired_certificate_is_expired() {
    let pki = Pki::new();
    let port = serve_rustls(granian_like(&pki.cert("expired"), &pki.key("expired")), 1);
    let cert = pki.cert("expired");
    let (out, json) =
        connect_json(&["--ca", cert.to_str().unwrap(), "--servername", "localhost", &format!("127.0.0.1:{port}")]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(error_codes(&json), ["expired"]);
    assert!(finding(&json, "expired")["message"].as_str().unwrap().contains("2020-01-02"));
    assert_eq!(json["data"]["chain_verified"], false);
}

/// `--insecure` completes the handshake and still says what would have failed.
#[test]
fn insecure_completes_the_handshake_and_reports_what_would_fail() {
    let pki = Pki::new();
    let port = serve_rustls(granian_like(&pki.cert("self"), &pki.key("self")), 2);
    let target = format!("127.0.0.1:{port}");
    let (out, json) = connect_json(&["--insecure", "--servername", "other.test", &target]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let data = &json["data"];
    assert_eq!((data["handshake_complete"].clone(), data["verification_skipped"].clone()), (true.into(), true.into()));
    assert_eq!((data["verified"].clone(), data["chain_verified"].clone()), (false.into(), false.into()));
    assert_eq!(data["name_verified"], false);
    assert_eq!(data["tls_version"], "TLSv1.3");
    assert!(error_codes(&json).is_empty(), "{json:#}");
    for code in ["unknown-issuer", "name-mismatch"] {
        let f = finding(&json, code);
        assert_eq!(f["severity"], "warning");
        assert!(f["message"].as_str().unwrap().starts_with("not enforced (--insecure)"), "{f:#}");
    }
    let out = connect(&["--insecure", "--servername", "other.test", &target]);
    assert!(out.stdout.contains("skipped (--insecure): chain FAILS, name other.test FAILS"), "{}", out.stdout);
}

/// A server with the legacy recipe's X.509 v1 certificate: rustls clients refuse it
/// (`unsupported-cert-version`); with `--insecure` the handshake completes, over TLS 1.3
/// and 1.2, and the server still proves it holds the certificate's key.
#[test]
fn insecure_completes_the_handshake_with_a_v1_certificate() {
    let (cert, key) = (fixture("certs/v1.pem"), fixture("keys/rsa2048.pkcs1.pem"));
    for version in ["-tls1_3", "-tls1_2"] {
        let server = OpensslServer::start(&cert, &key, &[version]);
        let target = format!("127.0.0.1:{}", server.port);
        let (out, json) = connect_json(&["--servername", "legacy.test", &target]);
        assert_eq!(out.code, 1, "{version}: {}", out.stdout);
        assert!(error_codes(&json).contains(&"unsupported-cert-version"), "{version}: {json:#}");

        let (out, json) = connect_json(&["--insecure", "--servername", "legacy.test", &target]);
        assert_eq!(out.code, 0, "{version}: {}", out.stdout);
        assert_eq!(json["data"]["handshake_complete"], true, "{version}: {json:#}");
        assert_eq!(finding(&json, "unsupported-cert-version")["severity"], "warning");
    }
}

/// A TLS 1.2-only openssl server: fine by default (TLS 1.2 reported), a protocol-version
/// problem when TLS 1.3 is required.
#[test]
fn a_tls12_only_openssl_server_fails_tls_min_13_and_says_why() {
    let pki = Pki::new();
    let server = OpensslServer::start(&pki.cert("issued"), &pki.key("issued"), &["-tls1_2"]);
    let target = format!("127.0.0.1:{}", server.port);
    let ca = pki.arg("ca/ca.pem");

    let (out, json) = connect_json(&["--ca", &ca, &target]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(json["data"]["tls_version"], "TLSv1.2");
    assert!(json["data"]["cipher_suite"].as_str().unwrap().starts_with("TLS_ECDHE_ECDSA_WITH_"), "{json:#}");
    assert_eq!(json["data"]["verified"], true);

    let (out, json) = connect_json(&["--ca", &ca, "--tls-min", "1.3", &target]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(error_codes(&json), ["protocol-version"]);
    let message = finding(&json, "protocol-version")["message"].as_str().unwrap().to_owned();
    assert!(message.contains("does not speak TLS 1.3") && message.contains("--tls-min 1.3"), "{message}");
    assert_eq!(json["data"]["handshake_complete"], false);
    assert_eq!(json["data"]["chain"], serde_json::json!([]));
}

/// openssl's default (TLS 1.3 with its own ALPN choice) verifies too.
#[test]
fn an_openssl_server_verifies_with_tls13() {
    let pki = Pki::new();
    let server = OpensslServer::start(&pki.cert("issued"), &pki.key("issued"), &["-alpn", "http/1.1"]);
    let (out, json) = connect_json(&["--ca", &pki.arg("ca/ca.pem"), &format!("127.0.0.1:{}", server.port)]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(
        (json["data"]["tls_version"].as_str(), json["data"]["alpn"].as_str()),
        (Some("TLSv1.3"), Some("http/1.1"))
    );
}

#[test]
fn a_refused_port_exits_2_with_connection_refused() {
    let port = closed_port();
    let (out, json) = connect_json(&[&format!("127.0.0.1:{port}")]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(json["data"], Value::Null);
    assert_eq!(json["errors"][0]["code"], "connection-refused");
    assert!(out.stderr.contains("nothing listens there"), "{}", out.stderr);
    assert!(out.stderr.contains("hint: start the server"), "{}", out.stderr);
}

#[test]
fn a_listener_that_never_answers_times_out_within_the_timeout() {
    let port = serve_silence(Duration::from_secs(8));
    let started = Instant::now();
    let (out, json) = connect_json(&["--timeout", "1s", &format!("127.0.0.1:{port}")]);
    let took = started.elapsed();
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert_eq!(json["errors"][0]["code"], "timeout");
    assert!(out.stderr.contains("did not answer the TLS ClientHello within --timeout 1s"), "{}", out.stderr);
    assert!(took < Duration::from_secs(5), "took {took:?}");
}

/// A status line (hyper, as in Granian without a key; h11), or an HTML page alone (Python's
/// http.server takes a ClientHello for an HTTP/0.9 request); anything else is not TLS.
#[test]
fn a_plain_http_answer_is_recognised() {
    let answers: [(&[u8], &str, &str); 3] = [
        (
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "plain-http",
            "HTTP/1.1 400 Bad Request",
        ),
        (b"<!DOCTYPE HTML>\n<html lang=\"en\">\n<head><title>Error response</title>", "plain-http", "<!DOCTYPE HTML>"),
        (b"SSH-2.0-OpenSSH_9.2\r\n", "handshake-failed", "SSH-2.0-OpenSSH_9.2"),
    ];
    for (answer, code, line) in answers {
        let port = serve_plain_http(answer);
        let (out, json) = connect_json(&[&format!("127.0.0.1:{port}")]);
        assert_eq!(out.code, 1, "{}", out.stdout);
        assert_eq!(error_codes(&json), [code]);
        let message = finding(&json, code)["message"].as_str().unwrap().to_owned();
        assert!(message.contains(&format!("(`{line}`)")), "{message}");
        assert_eq!(json["data"]["tls_version"], Value::Null);
    }
    let port = serve_plain_http(b"HTTP/1.1 400 Bad Request\r\n\r\n");
    let out = connect(&[&format!("127.0.0.1:{port}")]);
    assert!(out.stdout.contains("the server answered in plain HTTP"), "{}", out.stdout);
    assert!(out.stdout.contains("hint: is GRANIAN_SSL_KEYFILE set?"), "{}", out.stdout);
}

#[test]
fn bad_targets_and_options_are_usage_errors() {
    for (args, expected) in [
        (vec!["http://localhost:8000/"], "not a TLS URL"),
        (vec!["localhost:99999"], "is not a port"),
        (vec!["--servername", "*.example.com", "localhost"], "neither a DNS name nor an IP address"),
        (vec!["--timeout", "10h", "localhost"], "expected a duration"),
    ] {
        let out = connect(&args);
        assert_eq!(out.code, 2, "{args:?}");
        assert!(out.stderr.contains(expected), "{args:?}: {}", out.stderr);
    }
}

/// No test here may reach beyond the loopback interface.
#[test]
fn every_address_in_these_tests_is_loopback() {
    let source = include_str!("connect.rs");
    for word in source.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        if word.split('.').count() == 4 && word.split('.').all(|p| p.parse::<u8>().is_ok()) {
            assert!(word.starts_with("127."), "{word} is not a loopback address");
        }
    }
}

/// connect's trust hints say what works in the case at hand and keep the user's own
/// flags: a self-signed server is trusted by its own certificate; a server sending its
/// certificate without the intermediate must serve the full chain.
#[test]
fn unknown_issuer_hints_fit_the_case_and_keep_the_users_flags() {
    let dir = tempfile::tempdir().unwrap();
    let made: Run = certsmith().current_dir(dir.path()).args(["gen", "a.test"]).output().unwrap().into();
    assert_eq!(made.code, 0, "{}", made.stderr);
    let certs = dir.path().join("certs");
    let server = OpensslServer::start(&certs.join("certificate.pem"), &certs.join("private_key.pem"), &[]);
    let target = format!("127.0.0.1:{}", server.port);
    let (_, json) = connect_json(&["--servername", "a.test", &target]);
    let hint = finding(&json, "unknown-issuer")["hint"].as_str().unwrap().to_owned();
    assert!(hint.starts_with("trust the certificate itself"), "{hint}");
    assert!(hint.contains(&format!("`certsmith connect --servername a.test --ca CERT_FILE {target}`")), "{hint}");
    // Trusting that file works, as the hint says.
    let cert = certs.join("certificate.pem");
    let (out, _) = connect_json(&["--servername", "a.test", "--ca", cert.to_str().unwrap(), &target]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    drop(server);

    // root → intermediate → leaf (openssl), served without the intermediate.
    let d = dir.path();
    let sh = |script: &str| {
        let out = Command::new("sh").args(["-ec", script]).current_dir(d).output().unwrap();
        assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    };
    sh("printf 'basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign\\n' > ca.ext
        printf 'basicConstraints=critical,CA:FALSE\\nsubjectAltName=IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > leaf.ext
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=root -keyout root.key -out root.pem -days 30 -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=intermediate -keyout int.key -out int.csr
        openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -CAcreateserial -days 30 -extfile ca.ext -out int.pem
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=leaf -keyout leaf.key -out leaf.csr
        openssl x509 -req -in leaf.csr -CA int.pem -CAkey int.key -CAcreateserial -days 30 -extfile leaf.ext -out leaf.pem");
    let server = OpensslServer::start(&d.join("leaf.pem"), &d.join("leaf.key"), &[]);
    let target = format!("127.0.0.1:{}", server.port);
    let root = d.join("root.pem").display().to_string();
    let (_, json) = connect_json(&["--ca", &root, &target]);
    let hint = finding(&json, "unknown-issuer")["hint"].as_str().unwrap().to_owned();
    assert!(hint.starts_with("serve the full chain"), "{hint}");
    assert!(hint.contains(&format!("`certsmith connect --ca {root} {target}`")), "{hint}");
}

/// Debian's `ssl-cert-snakeoil.pem` is a self-signed `CN=localhost` (the host's name) in
/// the trust folder. A self-signed `localhost` server then fails in rustls with a signature
/// error against that other certificate; connect names the collision and the file, and
/// curl, on the same store, says "self-signed certificate".
#[test]
fn a_trusted_certificate_with_the_same_name_is_named_with_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("trusted");
    std::fs::create_dir(&store).unwrap();
    let snakeoil = store.join("ssl-cert-snakeoil.pem");
    let key = dir.path().join("snakeoil.key");
    let (s, k) = (snakeoil.to_str().unwrap(), key.to_str().unwrap());
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            k,
            "-subj",
            "/CN=localhost",
            "-days",
            "30",
            "-out",
            s,
        ],
        None,
    );
    openssl(&["rehash", store.to_str().unwrap()], None);
    // The server's own: self-signed, CN=localhost too, as `openssl req -x509` makes it.
    let (cert, key) = (dir.path().join("server.pem"), dir.path().join("server.key"));
    let (c, k) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", k];
    let names = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-days", "30", "-out", c];
    openssl(&[&["req", "-x509"][..], &ec, &names].concat(), None);
    let server = OpensslServer::start(&cert, &key, &[]);
    let target = format!("localhost:{}", server.port);

    let out: Run = certsmith()
        .env("SSL_CERT_DIR", &store)
        .env("SSL_CERT_FILE", dir.path().join("no-bundle.pem"))
        .args(["--json", "connect", &target])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 1, "{}", out.stderr);
    let json = out.json();
    let found = finding(&json, "trusted-name-collision");
    let message = found["message"].as_str().unwrap();
    assert!(message.contains("ssl-cert-snakeoil.pem"), "the file is named: {message}");
    assert!(message.contains("self-signed"), "{message}");
    let codes = out.finding_codes();
    assert!(!codes.iter().any(|c| c == "bad-signature" || c == "unsupported-signature-algorithm"), "{codes:?}");

    let curl = Command::new("curl")
        .env_remove("SSL_CERT_FILE")
        .env_remove("CURL_CA_BUNDLE")
        .args(["-sS", "-o", "/dev/null", "--capath", store.to_str().unwrap(), &format!("https://{target}/")])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&curl.stderr).contains("self-signed certificate"), "{curl:?}");
}

/// Mutual TLS against `openssl s_server -Verify 1 -CAfile ca.pem`, over TLS 1.3 (the
/// refusal comes after the client's handshake) and TLS 1.2 (it ends the handshake): a
/// client certificate from that CA is accepted, one from another CA refused with the
/// alert and the CA names the server listed, none at all is a finding naming the flags.
#[test]
fn client_certificates_are_presented_and_the_servers_verdict_reported() {
    let pki = Pki::new();
    pki.certsmith(&["ca", "create", "--out-dir", "other"]);
    pki.certsmith(&["gen", "--client", "--ca", "ca", "--out-dir", "client", "client"]);
    pki.certsmith(&["gen", "--client", "--ca", "other", "--out-dir", "stranger", "client"]);
    // The client key encrypted, as OpenSSL 3 writes it: its password from --password-file.
    let password = pki.path("password.txt");
    std::fs::write(&password, "s3cret\n").unwrap();
    let encrypted = pki.path("client/encrypted.pem");
    let pass_in = format!("file:{}", password.display());
    openssl(
        &[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-in",
            pki.key("client").to_str().unwrap(),
            "-passout",
            &pass_in,
            "-out",
            encrypted.to_str().unwrap(),
        ],
        None,
    );
    let ca = pki.arg("ca/ca.pem");
    let (client, client_key) = (pki.arg("client/certificate.pem"), pki.arg("client/private_key.pem"));
    let (stranger, stranger_key) = (pki.arg("stranger/certificate.pem"), pki.arg("stranger/private_key.pem"));
    for version in ["-tls1_3", "-tls1_2"] {
        let verify = ["-Verify", "1", "-verify_return_error", "-CAfile", &ca, version];
        let server = OpensslServer::start(&pki.cert("issued"), &pki.key("issued"), &verify);
        let target = format!("127.0.0.1:{}", server.port);

        let (out, json) = connect_json(&["--ca", &ca, "--cert", &client, "--key", &client_key, &target]);
        assert_eq!(out.code, 0, "{version}: {}", out.stdout);
        let auth = &json["data"]["client_certificate"];
        assert_eq!((auth["requested"].clone(), auth["sent"].clone()), (true.into(), true.into()), "{auth:#}");
        assert_eq!(auth["accepted"], true, "{version}: {auth:#}");
        assert_eq!(auth["presented"], client.as_str());
        assert_eq!(auth["presented_subject"], "CN=client, O=certsmith development certificate");
        let cas = auth["acceptable_cas"].as_array().unwrap();
        assert_eq!(cas.len(), 1, "{auth:#}");
        assert!(cas[0].as_str().unwrap().starts_with("CN=certsmith development CA"), "{auth:#}");

        let (out, json) = connect_json(&[
            "--ca",
            &ca,
            "--cert",
            &client,
            "--key",
            encrypted.to_str().unwrap(),
            "--password-file",
            password.to_str().unwrap(),
            &target,
        ]);
        assert_eq!(out.code, 0, "{version} encrypted key: {} {}", out.stdout, out.stderr);
        assert_eq!(json["data"]["client_certificate"]["accepted"], true);

        let (out, json) = connect_json(&["--ca", &ca, "--cert", &stranger, "--key", &stranger_key, &target]);
        assert_eq!(out.code, 1, "{version}: {}", out.stdout);
        assert_eq!(error_codes(&json), ["client-certificate-rejected"], "{version}: {json:#}");
        let auth = &json["data"]["client_certificate"];
        assert_eq!((auth["accepted"].clone(), auth["alert"].clone()), (false.into(), "unknown_ca".into()));
        let message = finding(&json, "client-certificate-rejected")["message"].as_str().unwrap().to_owned();
        assert!(message.contains("is not one of them") && message.contains(cas[0].as_str().unwrap()), "{message}");

        let (out, json) = connect_json(&["--ca", &ca, &target]);
        assert_eq!(out.code, 1, "{version}: {}", out.stdout);
        assert_eq!(error_codes(&json), ["client-certificate-required"], "{version}: {json:#}");
        let auth = &json["data"]["client_certificate"];
        assert_eq!((auth["requested"].clone(), auth["sent"].clone()), (true.into(), false.into()));
        assert_eq!(auth["accepted"], false);
        let required = finding(&json, "client-certificate-required");
        assert!(required["message"].as_str().unwrap().contains(cas[0].as_str().unwrap()), "{required:#}");
        let hint = required["hint"].as_str().unwrap();
        assert!(
            hint.contains(&format!("--ca {ca} --cert client/certificate.pem --key client/private_key.pem {target}`")),
            "{hint}"
        );
        // The suggested gen command makes a pair with that layout.
        assert!(hint.contains("`certsmith gen --client --ca --out-dir client client`"), "{hint}");

        let out = connect(&["--ca", &ca, &target]);
        assert!(out.stdout.contains("none sent: REFUSED"), "{}", out.stdout);
    }

    // A server that does not ask: the certificate is not sent, and that is said.
    let server = OpensslServer::start(&pki.cert("issued"), &pki.key("issued"), &[]);
    let target = format!("127.0.0.1:{}", server.port);
    let (out, json) = connect_json(&["--ca", &ca, "--cert", &client, "--key", &client_key, &target]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(json["data"]["client_certificate"]["requested"], false);
    assert_eq!(finding(&json, "client-certificate-not-requested")["severity"], "warning");

    // A key that is not the certificate's is refused before any connection.
    let out = connect(&["--ca", &ca, "--cert", &client, "--key", &stranger_key, &target]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("is not the key of the certificate in"), "{}", out.stderr);
    assert!(out.stderr.contains("hint: pass the key made with that certificate"), "{}", out.stderr);
}

/// Several targets, from arguments and a `--targets` file, probed concurrently in one
/// report: `data.targets[]` in the order given with a summary, each target's findings
/// under it, and the worst target deciding the exit status.
#[test]
fn many_targets_make_one_report_and_the_worst_decides() {
    let pki = Pki::new();
    let ca = pki.arg("ca/ca.pem");
    let good = serve_rustls(granian_like(&pki.cert("issued"), &pki.key("issued")), 4);
    let expired = serve_rustls(granian_like(&pki.cert("expired"), &pki.key("expired")), 4);
    let closed = closed_port();
    let (good, expired, closed) =
        (format!("127.0.0.1:{good}"), format!("127.0.0.1:{expired}"), format!("127.0.0.1:{closed}"));
    let list = pki.path("targets.txt");
    // The same server written twice, the second time as a URL.
    std::fs::write(&list, format!("# servers\n{good}\n\n{expired}   # the old one\nhttps://{good}/\n")).unwrap();

    let (out, json) = connect_json(&["--ca", &ca, "--jobs", "2", "--targets", list.to_str().unwrap()]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    let targets = json["data"]["targets"].as_array().unwrap();
    let names: Vec<&str> = targets.iter().map(|t| t["target"].as_str().unwrap()).collect();
    assert_eq!(names, [good.as_str(), expired.as_str()], "a target given twice is probed once");
    assert_eq!(targets[0]["verified"], true);
    assert_eq!(targets[1]["chain_verified"], false);
    assert_eq!(json["data"]["summary"], serde_json::json!({"targets": 2, "ok": 1, "failed": 1, "unreachable": 0}));
    // (The expired certificate is self-signed, so its issuer is unknown too.)
    assert_eq!(error_codes(&json), ["expired", "unknown-issuer"]);
    assert_eq!(finding(&json, "expired")["subject"]["path"], expired.as_str());

    // One more, unreachable, as an argument: exit 2, the failure in `errors` and in its entry.
    let (out, json) = connect_json(&["--ca", &ca, "--targets", list.to_str().unwrap(), &closed]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let targets = json["data"]["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 3);
    let unreached = targets.iter().find(|t| t["target"] == closed.as_str()).unwrap();
    assert_eq!(unreached["reached"], false);
    assert_eq!(unreached["error"]["code"], "connection-refused");
    assert_eq!(json["errors"][0]["code"], "connection-refused");
    assert_eq!(json["data"]["summary"]["unreachable"], 1);

    // People: a block per target with its findings under it, then the summary line.
    let out = connect(&["--ca", &ca, &good, &expired, &closed]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let at = |text: &str| out.stdout.find(text).unwrap_or_else(|| panic!("{text:?} missing:\n{}", out.stdout));
    assert!(at(&good) < at(&expired) && at(&expired) < at("error[expired]"), "{}", out.stdout);
    assert!(at("error[expired]") < at(&closed), "the finding is under its target:\n{}", out.stdout);
    assert!(out.stdout.contains("NOT REACHED [connection-refused]"), "{}", out.stdout);
    assert!(out.stdout.trim_end().ends_with("3 targets: 1 ok, 1 with errors, 1 not reached"), "{}", out.stdout);
}

#[test]
fn target_files_are_bounded_and_their_errors_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let lines: String = (0..10_001).map(|i| format!("127.0.0.1:{}\n", 1 + i % 60_000)).collect();
    std::fs::write(&big, lines).unwrap();
    let out = connect(&["--targets", big.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stderr.contains("gives 10001 targets, more than the 10000"), "{}", out.stderr);
    assert!(out.stderr.contains(&format!("`split -l 10000 {} part-`", big.display())), "{}", out.stderr);
    assert!(out.stderr.contains("hint: split the list"), "{}", out.stderr);

    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "127.0.0.1:8443\n# fine\nhttp://localhost:8000/\n").unwrap();
    let out = connect(&["--targets", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains(&format!("{} line 3: TARGET", bad.display())), "{}", out.stderr);
    assert!(out.stderr.contains("not a TLS URL"), "{}", out.stderr);

    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "# nothing\n\n").unwrap();
    let out = connect(&["--targets", empty.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("holds no target"), "{}", out.stderr);

    let out = connect(&["--targets", dir.path().join("missing.txt").to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read") && out.stderr.contains("missing.txt"), "{}", out.stderr);
}

/// The monitoring formats over several targets: a series set per target's certificates,
/// and one Nagios line for all of them.
#[test]
fn monitoring_formats_cover_every_target() {
    let pki = Pki::new();
    let ca = pki.arg("ca/ca.pem");
    let a = format!("127.0.0.1:{}", serve_rustls(granian_like(&pki.cert("issued"), &pki.key("issued")), 2));
    let b = format!("127.0.0.1:{}", serve_rustls(granian_like(&pki.cert("expired"), &pki.key("expired")), 2));
    let out = run(["--format", "prometheus", "connect", "--ca", &ca, &a, &b]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    for target in [&a, &b] {
        assert!(out.stdout.contains(&format!("x509_cert_not_after{{target=\"{target}\"")), "{}", out.stdout);
    }
    assert!(
        out.stdout.contains(&format!("certsmith_finding{{code=\"expired\",severity=\"error\",target=\"{b}\"}} 1")),
        "{}",
        out.stdout
    );

    let out = run(["--format", "nagios", "connect", "--ca", &ca, &a, &b]);
    assert_eq!(out.code, 2, "CRITICAL: {}", out.stdout);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
    assert!(
        out.stdout.starts_with("CERTSMITH CRITICAL - 2 targets: 1 ok, 1 with errors, 0 not reached"),
        "{}",
        out.stdout
    );
}
