//! The TLS probe behind `connect`: resolve a target, connect over TCP, and run one rustls
//! client handshake (aws-lc-rs provider) whose verifier records the chain the server sent
//! and rustls' verdict on it, all within one deadline. What happened comes back as data
//! (`Session`, `ProbeError`); judging it and wording it for people is the command's job.
//! Nothing here prints or sees command-line types.
//!
//! Trust is a `RootCertStore` the caller fills: from `--ca` files, or from the system's
//! store as rustls-native-certs reads it (`system_roots`).

use std::io;
use std::net::{IpAddr, Ipv6Addr, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::{Arc, OnceLock, mpsc};
use std::time::{Duration, Instant};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, SubjectPublicKeyInfoDer, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{
    CipherSuite, ClientConfig, ClientConnection, DigitallySignedStruct, NamedGroup, ProtocolVersion, RootCertStore,
    SignatureScheme,
};

/// Where to connect: a host (DNS name or IP address) and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// A DNS name or an IP address, without brackets.
    pub host: String,
    pub port: u16,
}

/// The port of `https://` and of a target without one.
pub const HTTPS_PORT: u16 = 443;

impl Target {
    /// `host`, `host:port`, `[v6]:port`, a bare IPv6 address, or an `https://` URL (its host
    /// and port; the path is ignored). The port defaults to 443.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Some((scheme, _)) = text.split_once("://") {
            if !scheme.eq_ignore_ascii_case("https") {
                return Err(format!("{scheme}:// is not a TLS URL; connect takes https:// URLs or host:port"));
            }
            let url = url::Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
            let host = match url.host() {
                Some(url::Host::Ipv6(ip)) => ip.to_string(),
                Some(host) => host.to_string(),
                None => return Err("the URL has no host".to_owned()),
            };
            return Ok(Self { host, port: url.port().unwrap_or(HTTPS_PORT) });
        }
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or("an IPv6 address in brackets lacks its `]`")?;
            if host.parse::<Ipv6Addr>().is_err() {
                return Err(format!("{host:?} in brackets is not an IPv6 address"));
            }
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':').ok_or("expected `:PORT` after `]`")?)),
            }
        } else if text.parse::<Ipv6Addr>().is_ok() {
            (text, None)
        } else {
            match text.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        let port = match port {
            None => HTTPS_PORT,
            Some(p) => {
                p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| format!("{p:?} is not a port (1 to 65535)"))?
            }
        };
        if host.is_empty() || host.contains(|c: char| c.is_whitespace() || "/@?#[]".contains(c)) {
            return Err(format!("{host:?} is not a host name or IP address"));
        }
        Ok(Self { host: host.to_owned(), port })
    }

    /// `host:port`, an IPv6 address in brackets.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// One probe's settings.
#[derive(Debug, Clone)]
pub struct Probe {
    pub target: Target,
    /// Sent as SNI (for a DNS name) and verified against the certificate.
    pub server_name: ServerName<'static>,
    pub roots: Arc<RootCertStore>,
    /// Offered in this order; empty offers no ALPN.
    pub alpn: Vec<Vec<u8>>,
    /// Offer TLS 1.3 only, else TLS 1.3 and 1.2.
    pub tls13_only: bool,
    /// For resolving, connecting and the handshake together.
    pub timeout: Duration,
    /// Complete the handshake whatever the verdict on the certificate (it is still recorded).
    pub insecure: bool,
    /// "Now" for certificate validity: the run's, so that `--at` applies here too.
    pub now: UnixTime,
    /// The client certificate and key to present when the server asks for one.
    pub client_cert: Option<Arc<rustls::sign::CertifiedKey>>,
}

/// What happened about client authentication (mutual TLS).
#[derive(Debug, Default)]
pub struct ClientAuth {
    /// The server sent a CertificateRequest: the DER distinguished names of the CAs it
    /// listed as acceptable (empty when it listed none). `None`: it did not ask.
    pub requested: Option<Vec<Vec<u8>>>,
    /// A certificate was sent in answer.
    pub sent: bool,
    /// After a completed handshake in which the server asked, what one exchange of
    /// application data gave: with TLS 1.3 the server judges the client's certificate after
    /// the client's handshake completes, so its refusal (an alert) comes only then.
    /// `None` when the server did not ask or the handshake failed.
    pub after: Option<Result<(), HandshakeError>>,
}

/// What the server sent as its certificate chain, and rustls' verdict on it.
#[derive(Debug, Clone)]
pub struct Served {
    /// As sent: the server's certificate first.
    pub chain: Vec<CertificateDer<'static>>,
    /// The chain reaches a trust anchor (rustls `verify_server_cert_signed_by_trust_anchor`).
    pub trusted: Result<(), rustls::Error>,
    /// The server's certificate covers the server name (rustls `verify_server_name`).
    pub name: Result<(), rustls::Error>,
}

/// A connection made and a handshake tried on it.
#[derive(Debug)]
pub struct Session {
    pub address: SocketAddr,
    /// What was negotiated, as far as the handshake got.
    pub version: Option<ProtocolVersion>,
    pub cipher_suite: Option<CipherSuite>,
    pub key_exchange: Option<NamedGroup>,
    pub alpn: Option<Vec<u8>>,
    /// `None` when the handshake ended before the server's certificate.
    pub served: Option<Served>,
    pub result: Result<(), HandshakeError>,
    pub client_auth: ClientAuth,
}

/// Why a handshake did not complete.
#[derive(Debug)]
pub enum HandshakeError {
    /// The server answered in HTTP (a status line, or an HTML page as HTTP/0.9 servers
    /// send); the first line of the answer.
    PlainHttp(String),
    /// The server's first bytes are not a TLS record, nor HTTP; the first line of them.
    NotTls(String),
    /// rustls' error: an alert received, a certificate rejected, an incompatible server.
    Tls(rustls::Error),
    /// The server closed the connection without an alert.
    Closed,
    Io(io::Error),
}

/// The step that ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Resolve,
    Connect,
    Handshake,
}

/// Why there was no TLS conversation at all.
#[derive(Debug)]
pub enum ProbeError {
    /// The resolver's answer, when the name has no address.
    Resolve(String),
    /// Every address failed to connect, each with its error.
    Connect(Vec<(SocketAddr, io::Error)>),
    Timeout {
        phase: Phase,
        address: Option<SocketAddr>,
    },
    /// rustls refused the client settings (not expected with the settings certsmith makes).
    Setup(rustls::Error),
}

/// Resolves, connects to the first address that answers, and shakes hands.
pub fn run(probe: &Probe) -> Result<Session, ProbeError> {
    let deadline = Instant::now() + probe.timeout;
    let served = Arc::new(OnceLock::new());
    let asked = Arc::new(OnceLock::new());
    let config = client_config(probe, Arc::clone(&served), Arc::clone(&asked)).map_err(ProbeError::Setup)?;
    let mut conn = ClientConnection::new(config, probe.server_name.clone()).map_err(ProbeError::Setup)?;

    let addresses = resolve(&probe.target, deadline)?;
    let (mut stream, address) = connect(&addresses, deadline)?;
    let result = match handshake(&mut conn, &mut stream, deadline) {
        Err(Interrupted::Timeout) => {
            return Err(ProbeError::Timeout { phase: Phase::Handshake, address: Some(address) });
        }
        Err(Interrupted::Failed(e)) => Err(e),
        Ok(()) => Ok(()),
    };
    let requested: Option<Vec<Vec<u8>>> = asked.get().cloned();
    let after = match (&result, &requested) {
        (Ok(()), Some(_)) => Some(after_handshake(&mut conn, &mut stream, deadline, &probe.server_name)),
        _ => None,
    };
    if result.is_ok() {
        // Leave as a client should; the answer does not matter.
        conn.send_close_notify();
        let _ = conn.write_tls(&mut stream);
    }
    let sent = requested.is_some() && probe.client_cert.is_some();
    let client_auth = ClientAuth { requested, sent, after };
    Ok(Session {
        address,
        version: conn.protocol_version(),
        cipher_suite: conn.negotiated_cipher_suite().map(|s| s.suite()),
        key_exchange: conn.negotiated_key_exchange_group().map(|g| g.name()),
        alpn: conn.alpn_protocol().map(<[u8]>::to_vec),
        served: served.get().cloned(),
        result,
        client_auth,
    })
}

/// How long to wait, after the handshake, for the server's verdict on the client's
/// certificate: an alert comes at once, an application's answer soon after.
const VERDICT_WAIT: Duration = Duration::from_secs(3);

/// One exchange after a completed handshake: a minimal request (the HTTP/2 preface and
/// an empty SETTINGS frame when h2 was agreed, else an HTTP/1.1 `HEAD /`), then reads
/// until the server answers, closes, sends an alert, or `VERDICT_WAIT` passes. `Ok` when
/// it answered, closed with close_notify or stayed silent; the alert as `Tls` when it
/// refused; `Closed` when it dropped the connection without a word.
fn after_handshake(
    conn: &mut ClientConnection,
    stream: &mut TcpStream,
    deadline: Instant,
    name: &ServerName<'_>,
) -> Result<(), HandshakeError> {
    use std::io::Write as _;
    let until = Instant::now() + VERDICT_WAIT.min(remaining(deadline).unwrap_or_default());
    let request: Vec<u8> = if conn.alpn_protocol() == Some(b"h2") {
        [&b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"[..], &[0, 0, 0, 4, 0, 0, 0, 0, 0]].concat()
    } else {
        let host = match name {
            ServerName::DnsName(dns) => dns.as_ref().to_owned(),
            ServerName::IpAddress(ip) => IpAddr::from(*ip).to_string(),
            _ => String::new(),
        };
        format!("HEAD / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").into_bytes()
    };
    let _ = conn.writer().write_all(&request);
    loop {
        while conn.wants_write() {
            // A server that already refused may have closed: its alert is still to be read.
            if conn.write_tls(stream).is_err() {
                break;
            }
        }
        let Some(left) = remaining(until) else { return Ok(()) };
        if stream.set_read_timeout(Some(left)).is_err() {
            return Ok(());
        }
        match conn.read_tls(stream) {
            Ok(0) => return Err(HandshakeError::Closed),
            Ok(_) => {}
            Err(e) if is_timeout(&e) => return Ok(()),
            Err(e) => return Err(HandshakeError::Io(e)),
        }
        match conn.process_new_packets() {
            Err(e) => return Err(HandshakeError::Tls(e)),
            Ok(state) if state.plaintext_bytes_to_read() > 0 || state.peer_has_closed() => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// Records the CA names of a CertificateRequest and answers with the client's
/// certificate, when there is one.
#[derive(Debug)]
struct ClientCertRecorder {
    key: Option<Arc<rustls::sign::CertifiedKey>>,
    asked: Arc<OnceLock<Vec<Vec<u8>>>>,
}

impl ResolvesClientCert for ClientCertRecorder {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        let _ = self.asked.set(root_hint_subjects.iter().map(|dn| dn.to_vec()).collect());
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

/// The certificates of the system's trust store, as rustls-native-certs reads it, with
/// the problems met reading it.
///
/// rustls-native-certs rather than rustls-platform-verifier: connect must hold the trust
/// anchors as data, to run verify's chain checks on them, to name the anchor a chain
/// reaches and to verify at `--at` time; the platform verifier hides them behind the
/// operating system's verifier (and, on Linux, reads the same files through
/// rustls-native-certs itself). It reads `SSL_CERT_FILE` / `SSL_CERT_DIR` when set, else
/// the distribution's bundle (on Debian, /etc/ssl/certs), as OpenSSL, curl and Python do.
pub fn system_roots() -> (Vec<CertificateDer<'static>>, Vec<String>) {
    let found = rustls_native_certs::load_native_certs();
    (found.certs, found.errors.iter().map(ToString::to_string).collect())
}

/// The file of the system's trust store that holds `der`, for messages: a file of its own
/// in the store's folder (SSL_CERT_DIR, else /etc/ssl/certs) first, then the bundle
/// (SSL_CERT_FILE, else /etc/ssl/certs/ca-certificates.crt). Bounded: 4096 entries in
/// all, files up to 1 MiB, 64 MiB read in all.
pub fn store_file_of(der: &CertificateDer<'_>) -> Option<std::path::PathBuf> {
    use rustls::pki_types::pem::PemObject;
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let dirs: Vec<std::path::PathBuf> = match var("SSL_CERT_DIR") {
        Some(dirs) => std::env::split_paths(&dirs).collect(),
        None => vec!["/etc/ssl/certs".into()],
    };
    let mut files: Vec<std::path::PathBuf> = dirs
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())))
        .take(4096)
        .collect();
    files.sort();
    files.push(var("SSL_CERT_FILE").map_or_else(|| "/etc/ssl/certs/ca-certificates.crt".into(), Into::into));
    let mut budget: u64 = 64 << 20;
    let found = files.into_iter().find(|path| {
        let size = std::fs::metadata(path).ok().filter(|m| m.is_file()).map_or(u64::MAX, |m| m.len());
        let readable = size <= 1 << 20 && size <= budget;
        if readable {
            budget -= size;
        }
        readable
            && std::fs::read(path).is_ok_and(|bytes| {
                CertificateDer::pem_slice_iter(&bytes).filter_map(Result::ok).any(|c| c.as_ref() == der.as_ref())
            })
    });
    // The file a hash link (`ce275665.0`) points at says more.
    found.map(|path| std::fs::canonicalize(&path).unwrap_or(path))
}

fn client_config(
    probe: &Probe,
    served: Arc<OnceLock<Served>>,
    asked: Arc<OnceLock<Vec<Vec<u8>>>>,
) -> Result<Arc<ClientConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = Recorder {
        roots: Arc::clone(&probe.roots),
        algorithms: provider.signature_verification_algorithms,
        now: probe.now,
        enforce: !probe.insecure,
        served,
    };
    let versions: &[&rustls::SupportedProtocolVersion] =
        if probe.tls13_only { &[&rustls::version::TLS13] } else { &[&rustls::version::TLS13, &rustls::version::TLS12] };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(versions)?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_client_cert_resolver(Arc::new(ClientCertRecorder { key: probe.client_cert.clone(), asked }));
    config.alpn_protocols.clone_from(&probe.alpn);
    Ok(Arc::new(config))
}

/// The time left before `deadline`; `None` once it has passed.
fn remaining(deadline: Instant) -> Option<Duration> {
    deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
}

/// The target's addresses, in the resolver's order. The resolver cannot be interrupted, so
/// it runs on its own thread and is abandoned at the deadline.
fn resolve(target: &Target, deadline: Instant) -> Result<Vec<SocketAddr>, ProbeError> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    /// Lookups abandoned at their deadline keep their thread until the resolver returns;
    /// behind a resolver that never answers, thousands of targets would pile them up.
    static RUNNING: AtomicUsize = AtomicUsize::new(0);
    const MAX_RUNNING: usize = 256;
    if let Ok(ip) = target.host.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, target.port)]);
    }
    if RUNNING.fetch_add(1, Ordering::SeqCst) >= MAX_RUNNING {
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        return Err(ProbeError::Resolve(format!(
            "{MAX_RUNNING} name lookups have not returned: the resolver does not answer"
        )));
    }
    let (tx, rx) = mpsc::channel();
    let query = (target.host.clone(), target.port);
    std::thread::Builder::new()
        .name("resolve".to_owned())
        .spawn(move || {
            let _ = tx.send(query.to_socket_addrs().map(Iterator::collect::<Vec<_>>));
            RUNNING.fetch_sub(1, Ordering::SeqCst);
        })
        .map_err(|e| {
            RUNNING.fetch_sub(1, Ordering::SeqCst);
            ProbeError::Resolve(format!("cannot start the resolver: {e}"))
        })?;
    let timed_out = || ProbeError::Timeout { phase: Phase::Resolve, address: None };
    match rx.recv_timeout(remaining(deadline).ok_or_else(timed_out)?) {
        Ok(Ok(addresses)) if !addresses.is_empty() => Ok(addresses),
        Ok(Ok(_)) => Err(ProbeError::Resolve("the name has no address".to_owned())),
        Ok(Err(e)) => Err(ProbeError::Resolve(e.to_string())),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(timed_out()),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(ProbeError::Resolve("the resolver stopped".to_owned())),
    }
}

/// The first address that accepts a connection, tried in order.
fn connect(addresses: &[SocketAddr], deadline: Instant) -> Result<(TcpStream, SocketAddr), ProbeError> {
    let mut failures = Vec::new();
    for address in addresses {
        let Some(left) = remaining(deadline) else { break };
        match TcpStream::connect_timeout(address, left) {
            Ok(stream) => return Ok((stream, *address)),
            Err(e) => failures.push((*address, e)),
        }
    }
    let timed_out = failures.iter().find(|(_, e)| is_timeout(e)).map(|(a, _)| *a);
    if timed_out.is_some() || failures.is_empty() {
        return Err(ProbeError::Timeout { phase: Phase::Connect, address: timed_out });
    }
    Err(ProbeError::Connect(failures))
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock)
}

/// How a handshake stopped short: the deadline, or a reason.
enum Interrupted {
    Timeout,
    Failed(HandshakeError),
}

impl From<io::Error> for Interrupted {
    fn from(e: io::Error) -> Self {
        if is_timeout(&e) { Self::Timeout } else { Self::Failed(HandshakeError::Io(e)) }
    }
}

/// The client's side of the handshake, each read and write bounded by the deadline.
fn handshake(conn: &mut ClientConnection, stream: &mut TcpStream, deadline: Instant) -> Result<(), Interrupted> {
    let _ = stream.set_nodelay(true);
    let mut first_answer = true;
    loop {
        while conn.wants_write() {
            stream.set_write_timeout(Some(remaining(deadline).ok_or(Interrupted::Timeout)?))?;
            conn.write_tls(stream)?;
        }
        if !conn.is_handshaking() {
            return Ok(());
        }
        stream.set_read_timeout(Some(remaining(deadline).ok_or(Interrupted::Timeout)?))?;
        if first_answer {
            first_answer = false;
            if let Some(answer) = not_tls(stream)? {
                return Err(Interrupted::Failed(answer));
            }
        }
        if conn.read_tls(stream)? == 0 {
            return Err(Interrupted::Failed(HandshakeError::Closed));
        }
        if let Err(e) = conn.process_new_packets() {
            // Tell the server why, with the alert rustls queued, as any client does.
            let _ = conn.write_tls(stream);
            return Err(Interrupted::Failed(HandshakeError::Tls(e)));
        }
    }
}

/// The server's first answer, when it is not a TLS record: every TLS record starts with a
/// content type from 20 to 24 (RFC 8446 §5.1, RFC 5246 §6.2.1). An HTTP server answering a
/// ClientHello sends `HTTP/1.1 400 Bad Request`, or (Python's http.server, taking it for
/// an HTTP/0.9 request) an HTML error page alone.
fn not_tls(stream: &TcpStream) -> io::Result<Option<HandshakeError>> {
    let mut head = [0u8; 256];
    let n = stream.peek(&mut head)?;
    let head = head.get(..n).unwrap_or_default();
    if matches!(head.first(), None | Some(20..=24)) {
        return Ok(None);
    }
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    let http = text.starts_with("http/") || text.contains("<!doctype html") || text.contains("<html");
    let line = first_line(head);
    Ok(Some(if http { HandshakeError::PlainHttp(line) } else { HandshakeError::NotTls(line) }))
}

/// Up to the first line break, printable ASCII only (anything else as `\xNN`).
fn first_line(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take_while(|b| **b != b'\r' && **b != b'\n')
        .take(80)
        .map(|b| if b.is_ascii_graphic() || *b == b' ' { char::from(*b).to_string() } else { format!("\\x{b:02x}") })
        .collect()
}

/// A rustls verifier that records what the server sent and rustls' verdict on it, then
/// answers as rustls' own `WebPkiServerVerifier` does (chain, then name), unless told to
/// accept anyway. Handshake signatures are always checked: a server must still prove it
/// holds the certificate's key.
#[derive(Debug)]
struct Recorder {
    roots: Arc<RootCertStore>,
    algorithms: WebPkiSupportedAlgorithms,
    now: UnixTime,
    enforce: bool,
    served: Arc<OnceLock<Served>>,
}

impl Recorder {
    /// The handshake signature, as rustls checks it; with `--insecure`, for a certificate
    /// webpki will not parse, with the certificate's key alone.
    fn signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
        tls: Tls,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if !self.enforce && webpki::EndEntityCert::try_from(cert).is_err() {
            return verify_with_certificate_key(message, cert, dss, &self.algorithms, tls);
        }
        match tls {
            Tls::V12 => verify_tls12_signature(message, cert, dss, &self.algorithms),
            Tls::V13 => verify_tls13_signature(message, cert, dss, &self.algorithms),
        }
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The run's "now", not rustls': `--at` applies to the verdict too.
        let (trusted, name) = match ParsedCertificate::try_from(end_entity) {
            Ok(cert) => (
                verify_server_cert_signed_by_trust_anchor(
                    &cert,
                    &self.roots,
                    intermediates,
                    self.now,
                    self.algorithms.all,
                ),
                verify_server_name(&cert, server_name),
            ),
            Err(e) => (Err(e.clone()), Err(e)),
        };
        let verdict = trusted.clone().and(name.clone());
        let chain = std::iter::once(end_entity).chain(intermediates).map(|c| c.clone().into_owned()).collect();
        let _ = self.served.set(Served { chain, trusted, name });
        match verdict {
            Err(e) if self.enforce => Err(e),
            _ => Ok(ServerCertVerified::assertion()),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signature(message, cert, dss, Tls::V12)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.signature(message, cert, dss, Tls::V13)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[derive(Clone, Copy)]
enum Tls {
    V12,
    V13,
}

/// With `--insecure`, a certificate webpki will not parse (X.509 v1, say) must not stop
/// the handshake: the server's signature is checked with the key the certificate names,
/// read by x509-parser, as rustls checks it: TLS 1.3's scheme names one algorithm,
/// TLS 1.2's may map to several, tried in turn.
fn verify_with_certificate_key(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
    algorithms: &WebPkiSupportedAlgorithms,
    version: Tls,
) -> Result<HandshakeSignatureValid, rustls::Error> {
    use rustls::CertificateError;
    let spki = x509_parser::parse_x509_certificate(cert)
        .map(|(_, parsed)| SubjectPublicKeyInfoDer::from(parsed.public_key().raw.to_vec()))
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    if let Tls::V13 = version {
        return rustls::crypto::verify_tls13_signature_with_raw_key(message, &spki, dss, algorithms);
    }
    let key = webpki::RawPublicKeyEntity::try_from(&spki)
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let candidates = algorithms.mapping.iter().find(|(scheme, _)| *scheme == dss.scheme).map_or(&[][..], |(_, a)| *a);
    if candidates.iter().any(|alg| key.verify_signature(*alg, message, dss.signature()).is_ok()) {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(rustls::Error::InvalidCertificate(CertificateError::BadSignature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(host: &str, port: u16) -> Result<Target, String> {
        Ok(Target { host: host.to_owned(), port })
    }

    #[test]
    fn targets_are_hosts_ports_bracketed_ipv6_or_https_urls() {
        assert_eq!(Target::parse("example.com"), target("example.com", 443));
        assert_eq!(Target::parse("localhost:8443"), target("localhost", 8443));
        assert_eq!(Target::parse("127.0.0.1:8443"), target("127.0.0.1", 8443));
        assert_eq!(Target::parse("[::1]:8443"), target("::1", 8443));
        assert_eq!(Target::parse("[::1]"), target("::1", 443));
        assert_eq!(Target::parse("::1"), target("::1", 443));
        assert_eq!(Target::parse("https://example.com/api/health"), target("example.com", 443));
        assert_eq!(Target::parse("https://localhost:8443/"), target("localhost", 8443));
        assert_eq!(Target::parse("HTTPS://[::1]:8443"), target("::1", 8443));
        for bad in ["", ":8443", "host:", "host:0", "host:65536", "host:x", "http://example.com", "[::1", "[x]:1"] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
        assert_eq!(Target::parse("[::1]:8443").unwrap().authority(), "[::1]:8443");
        assert_eq!(Target::parse("localhost").unwrap().authority(), "localhost:443");
    }

    #[test]
    fn the_first_line_of_a_plain_answer_is_kept_printable() {
        assert_eq!(first_line(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"), "HTTP/1.1 400 Bad Request");
        assert_eq!(first_line(b"SSH-2.0-OpenSSH\x00\n"), "SSH-2.0-OpenSSH\\x00");
    }
}
