//! `certsmith doctor` on small deployments built in temporary folders (a compose file, a
//! `.env`, a `certs/` folder), with fixture certificates and keys (`fixtures/README.md`)
//! or ones `certsmith ca create` / `gen --ca` / the guide's openssl recipe make. Each
//! finding must fire when it should and only then: most tests compare the whole list of
//! codes. Runs use `--no-environ` (and a cleared environment) unless the process
//! environment is what is tested.

use std::fs;
use std::path::PathBuf;

use serde_json::Value;

use crate::util::*;

/// The guide's compose file (its "Basic TLS Setup"), its `.env` ("Environment File
/// Configuration") and its `env_file` compose example, copied from
/// ../shared/guide/tls-configuration.md verbatim, with the guide's three "Optional TLS
/// Variables" added where marked.
const GUIDE_COMPOSE: &str = r#"version: '3.8'

services:
  core:
    image: ghcr.io/taranis-ai/taranis-core:latest
    environment:
      # TLS Configuration
      - GRANIAN_SSL_CERTIFICATE=/certs/certificate.pem
      - GRANIAN_SSL_KEYFILE=/certs/private_key.pem
      # The guide's optional TLS variables (added for this test):
      - GRANIAN_SSL_CA_CERTS=/path/to/ca-certificates.pem
      - GRANIAN_SSL_MINIMUM_VERSION=TLSv1.2
      - GRANIAN_SSL_VERIFY_MODE=cert_required
      
      # Core URL with HTTPS
      - TARANIS_CORE_URL=https://your-domain.com/api
      
      # Database configuration
      - DB_URL=database
      - DB_DATABASE=taranis
      - DB_USER=taranis
      - DB_PASSWORD=supersecret
      
      # Other core settings
      - API_KEY=your-secure-api-key
      - JWT_SECRET_KEY=your-secure-jwt-secret
    volumes:
      - ./certs:/certs:ro
      - core_data:/app/data
    depends_on:
      - database
      - rabbitmq
    ports:
      - "8443:8080"  # HTTPS port mapped to host
    networks:
      - taranis_network
    healthcheck:
      test: ["CMD-SHELL", "/usr/bin/curl --insecure --fail https://localhost:8080/api/health || exit 1"]
      interval: 1m30s
      timeout: 30s
      retries: 5
      start_period: 40s

  worker:
    image: ghcr.io/taranis-ai/taranis-worker:latest
    environment:
      # Core API URL with HTTPS - use host-accessible URL
      - TARANIS_CORE_URL=https://your-domain.com:8443/api
      
      # API Key for communication with core
      - API_KEY=your-secure-api-key
      
      # Disable SSL verification for self-signed certificates
      - SSL_VERIFICATION=False
      
      # Message queue configuration
      - QUEUE_BROKER_HOST=rabbitmq
      - QUEUE_BROKER_USER=taranis
      - QUEUE_BROKER_PASSWORD=supersecret
    depends_on:
      - core
      - rabbitmq
    networks:
      - taranis_network

  gui:
    image: ghcr.io/taranis-ai/taranis-gui:latest
    environment:
      # Core API URL for GUI - use internal Docker networking
      - TARANIS_CORE_API=https://core:8080/api
      
      # nginx upstream configuration (internal communication)
      - TARANIS_CORE_UPSTREAM=core:8080
      - TARANIS_SSE_UPSTREAM=sse:8088
      - TARANIS_FRONTEND_UPSTREAM=frontend:8080
      
      # Base path configuration
      - TARANIS_BASE_PATH=/
      
      # nginx configuration
      - NGINX_WORKERS=4
      - NGINX_CONNECTIONS=16
    depends_on:
      - core
      - sse
    ports:
      - "8080:8080"  # GUI HTTP port (nginx proxy)
    networks:
      - taranis_network

  frontend:
    image: ghcr.io/taranis-ai/taranis-frontend:latest
    environment:
      # Core API URL with HTTPS (internal Docker networking)
      - TARANIS_CORE_URL=https://core:8080/api
      
      # Disable SSL verification for self-signed certificates
      - SSL_VERIFICATION=False
      
      # Base path and host configuration
      - TARANIS_CORE_HOST=https://core:8080
      - TARANIS_BASE_PATH=/
    depends_on:
      - core
    networks:
      - taranis_network

  sse:
    image: ghcr.io/taranis-ai/sse-broker:latest
    environment:
      - SSE_PATH=/sse
    depends_on:
      - core
    networks:
      - taranis_network

  database:
    image: postgres:15
    environment:
      - POSTGRES_DB=taranis
      - POSTGRES_USER=taranis
      - POSTGRES_PASSWORD=supersecret
    volumes:
      - postgres_data:/var/lib/postgresql/data
    networks:
      - taranis_network
    healthcheck:
      test: ["CMD-SHELL", "pg_isready -U taranis"]
      interval: 30s
      timeout: 10s
      retries: 5

  rabbitmq:
    image: rabbitmq:3-management
    environment:
      - RABBITMQ_DEFAULT_USER=taranis
      - RABBITMQ_DEFAULT_PASS=supersecret
    networks:
      - taranis_network
    healthcheck:
      test: rabbitmq-diagnostics -q ping
      interval: 30s
      timeout: 30s
      retries: 3

volumes:
  core_data:
  postgres_data:

networks:
  taranis_network:
    driver: bridge
"#;

const GUIDE_ENV: &str = r#"# .env file for TLS configuration
# TLS Configuration
GRANIAN_SSL_CERTIFICATE=/certs/certificate.pem
GRANIAN_SSL_KEYFILE=/certs/private_key.pem

# The guide's optional TLS variables (added for this test):
GRANIAN_SSL_CA_CERTS=/path/to/ca-certificates.pem
GRANIAN_SSL_MINIMUM_VERSION=TLSv1.2
GRANIAN_SSL_VERIFY_MODE=cert_required

# Core URL Configuration with HTTPS
TARANIS_CORE_URL=https://your-domain.com:8443/api
TARANIS_CORE_API=https://your-domain.com:8443/api

# Security Keys
API_KEY=your-secure-api-key-replace-in-production
JWT_SECRET_KEY=your-secure-jwt-secret-replace-in-production

# Database Configuration
DB_URL=database
DB_DATABASE=taranis
DB_USER=taranis
DB_PASSWORD=supersecret

# Message Queue Configuration
QUEUE_BROKER_HOST=rabbitmq
QUEUE_BROKER_USER=taranis
QUEUE_BROKER_PASSWORD=supersecret

# SSL Settings for Self-Signed Certificates
SSL_VERIFICATION=False

# Development Settings (optional)
DEBUG=True
COLORED_LOGS=True
"#;

const GUIDE_ENV_FILE_COMPOSE: &str = r#"version: '3.8'

services:
  core:
    image: ghcr.io/taranis-ai/taranis-core:latest
    env_file:
      - .env
    volumes:
      - ./certs:/certs:ro
      - core_data:/app/data
    depends_on:
      - database
    networks:
      - taranis_network
  
  # ... other services with env_file: - .env
"#;

/// A deployment in a temporary folder.
struct Deployment {
    dir: tempfile::TempDir,
}

/// The core service of a right deployment made of fixtures: the pair in ./certs, mounted
/// at /certs, for the name clients use; the key private (0600, see `Deployment::copy`),
/// and a container user that can read it (root reads any mode, whoever runs the tests).
const CORE: &str = "services:
  core:
    user: \"0\"
    environment:
      GRANIAN_SSL_CERTIFICATE: /certs/certificate.pem
      GRANIAN_SSL_KEYFILE: /certs/private_key.pem
      TARANIS_CORE_URL: https://fixture.test:8443/api
    volumes:
      - ./certs:/certs:ro
";

impl Deployment {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    /// The fixture pair (P-256, for fixture.test) in certs/, and `compose` as compose.yaml.
    fn with_fixtures(compose: &str) -> Self {
        let d = Self::new();
        d.copy("certs/v3-p256.pem", "certs/certificate.pem");
        d.copy("keys/p256.pkcs8.pem", "certs/private_key.pem");
        d.write("compose.yaml", compose);
        d
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
        self
    }

    /// Copies a fixture; a key is made private (0600), as gen writes keys: the fixtures
    /// are checked out 0644, which doctor reports (key-readable-by-others).
    fn copy(&self, fixture_rel: &str, rel: &str) -> &Self {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::copy(fixture(fixture_rel), &path).unwrap();
        #[cfg(unix)]
        if fixture_rel.starts_with("keys/") {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        }
        self
    }

    /// `certsmith --json [--at AT] doctor --no-environ ARGS` in the folder.
    fn doctor_at(&self, at: Option<&str>, args: &[&str]) -> Run {
        let mut cmd = certsmith();
        cmd.current_dir(self.dir.path()).arg("--json");
        if let Some(at) = at {
            cmd.args(["--at", at]);
        }
        cmd.arg("doctor").arg("--no-environ").args(args).output().unwrap().into()
    }

    fn doctor(&self, args: &[&str]) -> Run {
        self.doctor_at(Some(AT), args)
    }

    fn human(&self, args: &[&str]) -> Run {
        certsmith()
            .current_dir(self.dir.path())
            .args(["--at", AT, "doctor", "--no-environ"])
            .args(args)
            .output()
            .unwrap()
            .into()
    }
}

/// The codes of a JSON report, sorted.
fn codes(run: &Run) -> Vec<String> {
    let mut codes = run.finding_codes();
    codes.sort();
    codes
}

/// The findings with `code`.
fn with_code(run: &Run, code: &str) -> Vec<Value> {
    run.json()["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).cloned().collect()
}

/// Inserts `lines` (YAML map entries, 6 spaces deep) into CORE's environment.
fn core_with(lines: &str) -> String {
    CORE.replace("    environment:\n", &format!("    environment:\n{lines}"))
}

#[test]
fn a_right_deployment_of_fixtures_has_no_findings() {
    let d = Deployment::with_fixtures(CORE);
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}{}", run.stdout, run.stderr);
    let core = &run.json()["data"]["targets"][0];
    assert_eq!(core["name"], "core");
    assert_eq!(core["serves_tls"], true);
    assert_eq!(core["checked"], serde_json::json!(["variables", "pair", "files", "certificate", "key", "clients"]));
    assert_eq!(core["files"][0]["host_path"], "certs/certificate.pem");
    assert_eq!(run.json()["data"]["hosts"][0]["name"], "fixture.test");
    let human = d.human(&["--compose", "compose.yaml"]);
    assert_eq!(human.code, 0);
    assert!(
        human.stdout.contains("ok    certificate: PEM, and verify's checks, covering fixture.test"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_deployment_made_with_ca_create_and_gen_ca_has_no_findings() {
    let d = Deployment::new();
    let dir = d.dir.path();
    // The CA stays out of every mounted folder (ca-key-exposed otherwise).
    let made = certsmith().current_dir(dir).args(["ca", "create", "--out-dir", "ca"]).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let made = certsmith()
        .current_dir(dir)
        .args(["gen", "--ca", "ca", "--out-dir", "certs", "myapp.test", "core"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    // REQUESTS_CA_BUNDLE replaces the worker's roots: the system's roots plus the CA.
    let made = certsmith()
        .current_dir(dir)
        .args(["trust", "bundle", "--ca", "ca", "--out", "ca/ca-bundle.pem"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    d.write(
        "compose.yaml",
        "services:
  core:
    user: '0'
    environment:
      - GRANIAN_SSL_CERTIFICATE=/certs/certificate.pem
      - GRANIAN_SSL_KEYFILE=/certs/private_key.pem
      - TARANIS_CORE_URL=https://myapp.test:8443/api
    volumes:
      - ./certs:/certs:ro
  worker:
    environment:
      - TARANIS_CORE_URL=https://core:8080/api
      - REQUESTS_CA_BUNDLE=/ca/ca-bundle.pem
    volumes:
      - ./ca/ca-bundle.pem:/ca/ca-bundle.pem:ro
  database:
    image: postgres:15
",
    );
    // Generated now: checked at the real time.
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}", run.stdout);
    let data = &run.json()["data"];
    assert_eq!(data["skipped"], serde_json::json!(["database"]));
    let hosts: Vec<&str> = data["hosts"].as_array().unwrap().iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(hosts, ["myapp.test", "core"]);

    // The same certificate without the CA in any client: trust cannot be checked.
    d.write(
        "compose.yaml",
        &fs::read_to_string(d.path("compose.yaml"))
            .unwrap()
            .replace("      - REQUESTS_CA_BUNDLE=/ca/ca-bundle.pem\n", ""),
    );
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec!["unknown-issuer".to_owned()]), "{}", run.stdout);
    assert!(with_code(&run, "unknown-issuer")[0]["hint"].as_str().unwrap().contains("REQUESTS_CA_BUNDLE"));
    // doctor has no --ca: its message speaks of the clients' CA bundles.
    let message = with_code(&run, "unknown-issuer")[0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("REQUESTS_CA_BUNDLE") && !message.contains("--ca"), "{message}");
}

/// Makes the guide's "Method 1" pair with openssl, as the guide's quick start does.
fn guide_certificates(d: &Deployment) {
    d.write(
        "certs/cert.conf",
        "[req]\ndistinguished_name = req_distinguished_name\nreq_extensions = v3_req\nprompt = no\n\n[req_distinguished_name]\nC = US\nST = Test\nL = Test\nO = Taranis-AI-Test\nOU = Development\nCN = your-domain.com\n\n[v3_req]\nkeyUsage = keyEncipherment, dataEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = @alt_names\n\n[alt_names]\nDNS.1 = your-domain.com\nDNS.2 = localhost\nIP.1 = 127.0.0.1\n",
    );
    let p = |rel: &str| d.path(rel).display().to_string();
    openssl(&["genrsa", "-out", &p("certs/private_key.pem"), "2048"], None);
    openssl(
        &[
            "req",
            "-new",
            "-key",
            &p("certs/private_key.pem"),
            "-out",
            &p("certs/certificate.csr"),
            "-config",
            &p("certs/cert.conf"),
        ],
        None,
    );
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            &p("certs/certificate.csr"),
            "-signkey",
            &p("certs/private_key.pem"),
            "-out",
            &p("certs/certificate.pem"),
            "-days",
            "365",
            "-extensions",
            "v3_req",
            "-extfile",
            &p("certs/cert.conf"),
        ],
        None,
    );
}

/// The unknown names of a report, each with the right name its message gives.
fn renamed(run: &Run) -> Vec<(String, String)> {
    with_code(run, "unknown-granian-variable")
        .iter()
        .map(|f| {
            let message = f["message"].as_str().unwrap();
            let right = message.split("the option meant is ").nth(1).unwrap().split(',').next().unwrap();
            (f["subject"]["variable"].as_str().unwrap().to_owned(), right.to_owned())
        })
        .collect()
}

const RIGHT_NAMES: [(&str, &str); 3] = [
    ("GRANIAN_SSL_CA_CERTS", "GRANIAN_SSL_CA"),
    ("GRANIAN_SSL_MINIMUM_VERSION", "GRANIAN_SSL_PROTOCOL_MIN"),
    ("GRANIAN_SSL_VERIFY_MODE", "GRANIAN_SSL_CLIENT_VERIFY"),
];

#[test]
fn the_guides_compose_file_with_its_optional_variables() {
    let d = Deployment::new();
    guide_certificates(&d);
    d.write("compose.yaml", GUIDE_COMPOSE);
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let expected: Vec<(String, String)> = RIGHT_NAMES.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect();
    assert_eq!(renamed(&run), expected);
    // The hints give the line to write, with the value translated.
    let hints: Vec<String> =
        with_code(&run, "unknown-granian-variable").iter().map(|f| f["hint"].as_str().unwrap().to_owned()).collect();
    assert_eq!(
        hints,
        [
            "write `GRANIAN_SSL_CA=/path/to/ca-certificates.pem` instead",
            "write `GRANIAN_SSL_PROTOCOL_MIN=tls1.2` instead",
            "write `GRANIAN_SSL_CLIENT_VERIFY=true` instead",
        ]
    );
    assert!(
        with_code(&run, "unknown-granian-variable")[0]["message"]
            .as_str()
            .unwrap()
            .contains("only verifies client certificates")
    );
    // The guide's keyUsage lacks digitalSignature; gui and frontend connect to
    // https://core:8080, which the guide's certificate does not cover; worker and frontend
    // turn verification off, and so does core's healthcheck (curl --insecure); openssl
    // writes the key 0600 and core has no `user:` (the guide's Troubleshooting item 2);
    // the worker uses the host's name and core's published port.
    assert_eq!(
        codes(&run),
        [
            "healthcheck-insecure",
            "key-unreadable-in-container",
            "key-usage-lacks-digital-signature",
            "name-mismatch",
            "ssl-verification-disabled",
            "ssl-verification-disabled",
            "unknown-granian-variable",
            "unknown-granian-variable",
            "unknown-granian-variable",
            "url-unreachable-in-container",
        ]
    );
    assert!(with_code(&run, "name-mismatch")[0]["message"].as_str().unwrap().contains("not valid for core"));
    let services: Vec<String> = with_code(&run, "ssl-verification-disabled")
        .iter()
        .map(|f| f["subject"]["service"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(services, ["worker", "frontend"]);
    assert_eq!(run.json()["data"]["skipped"], serde_json::json!(["sse", "database", "rabbitmq"]));
    guides_unreadable_key(&d, &run);
    let subject = &with_code(&run, "unknown-granian-variable")[0]["subject"];
    assert_eq!(
        (subject["path"].as_str(), subject["line"].as_u64(), subject["service"].as_str()),
        (Some("compose.yaml"), Some(11), Some("core"))
    );
}

/// The guide's 0600 key in a container without `user:`: a warning with the error the
/// guide's Troubleshooting item 2 quotes, naming --container-uid; the guide's own cure
/// (`chmod 644`) trades it for key-readable-by-others; a `user:` that owns it, for nothing.
#[cfg(unix)]
fn guides_unreadable_key(d: &Deployment, run: &Run) {
    use std::os::unix::fs::PermissionsExt;
    let found = with_code(run, "key-unreadable-in-container");
    assert_eq!(found.len(), 1, "{}", run.stdout);
    let f = &found[0];
    assert_eq!((f["severity"].as_str(), f["subject"]["service"].as_str()), (Some("warning"), Some("core")), "{f}");
    assert_eq!(f["subject"]["variable"], "GRANIAN_SSL_KEYFILE");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("Invalid value for '--ssl-keyfile': File '/certs/private_key.pem' is not readable")
            && message.contains("mode 0600")
            && message.contains("sets no `user:`"),
        "{message}"
    );
    assert!(f["hint"].as_str().unwrap().contains("--container-uid UID"), "{f}");
    // The human report says it on the files line.
    let human = d.human(&["--compose", "compose.yaml"]);
    assert!(human.stdout.contains("warning[key-unreadable-in-container]"), "{}", human.stdout);

    // --container-uid (or `user:`) says who reads it: the owner can, and the warning goes.
    let owner = std::os::unix::fs::MetadataExt::uid(&fs::metadata(d.path("certs/private_key.pem")).unwrap());
    let run = d.doctor_at(None, &["--compose", "compose.yaml", "--container-uid", &owner.to_string()]);
    assert!(with_code(&run, "key-unreadable-in-container").is_empty(), "{}", run.stdout);
    assert!(with_code(&run, "key-readable-by-others").is_empty(), "{}", run.stdout);

    // The guide's `chmod 644`: every user may read the key now.
    let key = d.path("certs/private_key.pem");
    fs::set_permissions(&key, fs::Permissions::from_mode(0o644)).unwrap();
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    assert!(with_code(&run, "key-unreadable-in-container").is_empty(), "{}", run.stdout);
    let others = with_code(&run, "key-readable-by-others");
    assert_eq!(others.len(), 1, "{}", run.stdout);
    assert_eq!(others[0]["severity"], "warning");
    assert!(others[0]["message"].as_str().unwrap().contains("is mode 0644: every user of this machine"), "{others:?}");
    assert!(others[0]["hint"].as_str().unwrap().contains("`chmod 600 certs/private_key.pem`"), "{others:?}");
    // Group-readable is sharing on purpose: no warning either way.
    fs::set_permissions(&key, fs::Permissions::from_mode(0o640)).unwrap();
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    assert!(with_code(&run, "key-unreadable-in-container").is_empty(), "{}", run.stdout);
    assert!(with_code(&run, "key-readable-by-others").is_empty(), "{}", run.stdout);
    fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
}

#[test]
fn the_guides_env_file_with_its_optional_variables() {
    let d = Deployment::new();
    guide_certificates(&d);
    d.write(".env", GUIDE_ENV).write("compose.yaml", GUIDE_ENV_FILE_COMPOSE);
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let expected: Vec<(String, String)> = RIGHT_NAMES.iter().map(|(a, b)| ((*a).into(), (*b).into())).collect();
    assert_eq!(renamed(&run), expected);
    assert_eq!(
        codes(&run),
        [
            "key-unreadable-in-container",
            "key-usage-lacks-digital-signature",
            "ssl-verification-disabled",
            "unknown-granian-variable",
            "unknown-granian-variable",
            "unknown-granian-variable",
        ]
    );
    let lines: Vec<(String, u64)> = with_code(&run, "unknown-granian-variable")
        .iter()
        .map(|f| (f["subject"]["path"].as_str().unwrap().to_owned(), f["subject"]["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(lines, [(".env".to_owned(), 7), (".env".to_owned(), 8), (".env".to_owned(), 9)]);

    // The same .env without compose: /certs is a container path; --map says where it is.
    let run = d.doctor_at(None, &["--env-file", ".env"]);
    assert_eq!(with_code(&run, "file-not-found").len(), 2, "{}", run.stdout);
    assert!(with_code(&run, "file-not-found")[0]["hint"].as_str().unwrap().contains("--map /certs="));
    let run = d.doctor_at(None, &["--env-file", ".env", "--map", "/certs=./certs"]);
    assert_eq!(renamed(&run).len(), 3);
    assert_eq!(with_code(&run, "file-not-found"), Vec::<Value>::new(), "{}", run.stdout);
    assert_eq!(run.json()["data"]["targets"][0]["name"], "environment");
}

#[test]
fn unknown_names_get_a_did_you_mean_and_invalid_values_clicks_message() {
    let d = Deployment::with_fixtures(&core_with(
        "      GRANIAN_SSL_CERTIFCATE: /certs/certificate.pem\n      granian_ssl_keyfile: x\n      GRANIAN_SSL_CIPHERS: ALL\n      GRANIAN_SSL_PROTOCOL_MIN: TLSv1.2\n      GRANIAN_SSL_CLIENT_VERIFY: cert_required\n",
    ));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(
        codes(&run),
        [
            "invalid-granian-value",
            "invalid-granian-value",
            "unknown-granian-variable",
            "unknown-granian-variable",
            "unknown-granian-variable",
        ]
    );
    let hints: Vec<String> =
        with_code(&run, "unknown-granian-variable").iter().map(|f| f["hint"].as_str().unwrap().to_owned()).collect();
    assert!(hints[0].starts_with("did you mean GRANIAN_SSL_CERTIFICATE?"), "{hints:?}");
    assert!(hints[1].starts_with("did you mean GRANIAN_SSL_KEYFILE?"), "{hints:?}");
    assert!(hints[2].contains("Granian's TLS variables are GRANIAN_SSL_CERTIFICATE"), "{hints:?}");
    let invalid = with_code(&run, "invalid-granian-value");
    assert!(invalid[0]["message"].as_str().unwrap().contains("'TLSv1.2' is not one of 'tls1.2', 'tls1.3'"));
    assert_eq!(invalid[0]["hint"], "set GRANIAN_SSL_PROTOCOL_MIN=tls1.2");
    assert!(invalid[1]["message"].as_str().unwrap().contains("'cert_required' is not a valid boolean"));

    // Values click accepts are fine: choices in any case, booleans as click reads them.
    let d = Deployment::with_fixtures(&core_with(
        "      GRANIAN_SSL_PROTOCOL_MIN: TLS1.2\n      GRANIAN_SSL_CLIENT_VERIFY: 'off'\n",
    ));
    assert_eq!(codes(&d.doctor(&["--compose", "compose.yaml"])), Vec::<String>::new());
    // Client verification without a CA is ignored by Granian.
    let d = Deployment::with_fixtures(&core_with("      GRANIAN_SSL_CLIENT_VERIFY: 'true'\n"));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec!["client-verify-without-ca".to_owned()]));
}

#[test]
fn a_certificate_without_its_key_and_a_key_without_its_certificate() {
    let d = Deployment::with_fixtures(&CORE.replace("      GRANIAN_SSL_KEYFILE: /certs/private_key.pem\n", ""));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (1, vec!["certificate-without-key".to_owned()]));
    assert!(with_code(&run, "certificate-without-key")[0]["message"].as_str().unwrap().contains("plain HTTP"));
    // An empty value is unset for Granian (click).
    let d = Deployment::with_fixtures(
        &CORE.replace("GRANIAN_SSL_CERTIFICATE: /certs/certificate.pem", "GRANIAN_SSL_CERTIFICATE: ''"),
    );
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (1, vec!["key-without-certificate".to_owned()]));
    assert!(with_code(&run, "key-without-certificate")[0]["message"].as_str().unwrap().contains("is empty"));
}

#[test]
fn paths_must_be_mounted_present_and_files() {
    let d = Deployment::with_fixtures(&CORE.replace("    volumes:\n      - ./certs:/certs:ro\n", ""));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["path-not-mounted", "path-not-mounted"]);
    assert!(with_code(&run, "path-not-mounted")[0]["hint"].as_str().unwrap().contains("- ./certs:/certs:ro"));
    // --map supplies the mount.
    assert_eq!(codes(&d.doctor(&["--compose", "compose.yaml", "--map", "/certs=certs"])), Vec::<String>::new());

    let d = Deployment::with_fixtures(
        &CORE
            .replace("/certs/private_key.pem", "/certs/missing.pem")
            .replace("GRANIAN_SSL_CERTIFICATE: /certs/certificate.pem", "GRANIAN_SSL_CERTIFICATE: /certs/"),
    );
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["file-not-found", "not-a-file"]);
    let missing = &with_code(&run, "file-not-found")[0];
    assert!(
        missing["message"]
            .as_str()
            .unwrap()
            .contains("Invalid value for '--ssl-keyfile': File '/certs/missing.pem' does not exist."),
        "{missing}"
    );
    assert!(with_code(&run, "not-a-file")[0]["message"].as_str().unwrap().contains("is a folder"));

    let d = Deployment::with_fixtures(&CORE.replace("/certs/certificate.pem", "certs/certificate.pem"));
    assert_eq!(codes(&d.doctor(&["--compose", "compose.yaml"])), ["path-not-mounted"]);
    let d = Deployment::with_fixtures(&CORE.replace("./certs:/certs:ro", "certs_volume:/certs"));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec!["file-not-checked".to_owned(), "file-not-checked".to_owned()]));
}

#[cfg(unix)]
#[test]
fn a_0600_key_the_containers_user_cannot_read() {
    use std::os::unix::fs::PermissionsExt;
    let d = Deployment::with_fixtures(CORE);
    fs::set_permissions(d.path("certs/private_key.pem"), fs::Permissions::from_mode(0o600)).unwrap();
    let owner = std::os::unix::fs::MetadataExt::uid(&fs::metadata(d.path("certs/private_key.pem")).unwrap());
    let other = if owner == 4321 { "4322" } else { "4321" };
    let run = d.doctor(&["--compose", "compose.yaml", "--container-uid", other]);
    assert_eq!((run.code, codes(&run)), (1, vec!["file-not-readable".to_owned()]), "{}", run.stdout);
    let f = &with_code(&run, "file-not-readable")[0];
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("Invalid value for '--ssl-keyfile': File '/certs/private_key.pem' is not readable."),
        "{f}"
    );
    assert!(
        f["hint"].as_str().unwrap().contains(&format!("chown {other}"))
            && f["hint"].as_str().unwrap().contains("chmod 644"),
        "{f}"
    );
    // compose's `user:` says the same.
    d.write("compose.yaml", &CORE.replace("user: \"0\"", &format!("user: \"{other}:{other}\"")));
    assert_eq!(codes(&d.doctor(&["--compose", "compose.yaml"])), ["file-not-readable"]);
    // A `user:` that is a name: its uid is unknown, so the 0600 key is a warning.
    d.write("compose.yaml", &CORE.replace("user: \"0\"", "user: app"));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec!["key-unreadable-in-container".to_owned()]), "{}", run.stdout);
    let message = with_code(&run, "key-unreadable-in-container")[0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("core runs as the user app, whose uid certsmith cannot know"), "{message}");
    d.write("compose.yaml", &CORE.replace("user: \"0\"", &format!("user: \"{other}:{other}\"")));
    // The owner (and root) can read it; 0644 lets everyone.
    assert_eq!(
        codes(&d.doctor(&["--compose", "compose.yaml", "--container-uid", &owner.to_string()])),
        Vec::<String>::new()
    );
    // 0644 lets everyone read it: the container can, and so can every local user.
    fs::set_permissions(d.path("certs/private_key.pem"), fs::Permissions::from_mode(0o644)).unwrap();
    let run = d.doctor(&["--compose", "compose.yaml", "--container-uid", other]);
    assert_eq!((run.code, codes(&run)), (0, vec!["key-readable-by-others".to_owned()]));
    let hint = with_code(&run, "key-readable-by-others")[0]["hint"].as_str().unwrap().to_owned();
    assert!(
        hint.contains(&format!("`sudo chown {other} certs/private_key.pem && chmod 600 certs/private_key.pem`")),
        "{hint}"
    );
}

#[test]
fn files_granian_cannot_read_as_certificate_or_key() {
    let d = Deployment::with_fixtures(CORE);
    d.copy("certs/v3-p256.der", "certs/certificate.pem");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["certificate-not-pem"]);
    assert!(with_code(&run, "certificate-not-pem")[0]["hint"].as_str().unwrap().contains("openssl x509 -inform DER"));
    // Swapped files.
    let d = Deployment::with_fixtures(
        &CORE
            .replace("/certs/certificate.pem", "/certs/TMP")
            .replace("/certs/private_key.pem", "/certs/certificate.pem")
            .replace("/certs/TMP", "/certs/private_key.pem"),
    );
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["certificate-not-pem", "no-private-key"]);
    assert!(with_code(&run, "certificate-not-pem")[0]["hint"].as_str().unwrap().contains("swapped"));
}

#[test]
fn verify_and_match_key_findings_use_their_codes() {
    // A v1 certificate (the guide's legacy recipe).
    let d = Deployment::with_fixtures(&CORE.replace("fixture.test", "legacy.test"));
    d.copy("certs/v1.pem", "certs/certificate.pem").copy("keys/rsa2048.pkcs8.pem", "certs/private_key.pem");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 1);
    let found = codes(&run);
    assert!(found.contains(&"unsupported-cert-version".to_owned()), "{found:?}");
    assert!(!found.contains(&"key-mismatch".to_owned()), "{found:?}");
    assert_eq!(with_code(&run, "unsupported-cert-version")[0]["subject"]["variable"], "GRANIAN_SSL_CERTIFICATE");

    // A key that is not the certificate's.
    let d = Deployment::with_fixtures(CORE);
    d.copy("keys/p256.other.pkcs8.pem", "certs/private_key.pem");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["key-mismatch"]);
    assert_eq!(with_code(&run, "key-mismatch")[0]["subject"]["variable"], "GRANIAN_SSL_KEYFILE");

    // Expired at the time given.
    let d = Deployment::with_fixtures(CORE);
    let run = d.doctor_at(Some("2028-01-01T00:00:00Z"), &["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["expired"]);
    // A warning within 30 days of the end (2027-11-26T20:03:33Z), as verify's default.
    let run = d.doctor_at(Some("2027-10-28T00:00:00Z"), &["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec!["expires-soon".to_owned()]));
    assert!(
        with_code(&run, "expires-soon")[0]["message"].as_str().unwrap().contains("within the 30-day warning window")
    );
    let run = d.doctor_at(Some("2027-10-26T00:00:00Z"), &["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), Vec::<String>::new());

    // A SAN without the TARANIS_CORE_URL host; --host adds one more name.
    let d = Deployment::with_fixtures(&CORE.replace("https://fixture.test:8443", "https://taranis.example:8443"));
    let run = d.doctor(&["--compose", "compose.yaml", "--host", "127.0.0.1", "--host", "other.test"]);
    assert_eq!(codes(&run), ["name-mismatch", "name-mismatch"]);
    let messages: Vec<String> =
        with_code(&run, "name-mismatch").iter().map(|f| f["message"].as_str().unwrap().to_owned()).collect();
    assert!(messages[0].contains("taranis.example") && messages[1].contains("other.test"), "{messages:?}");
    assert_eq!(run.json()["data"]["hosts"][0]["used_by"][0], "core: TARANIS_CORE_URL=https://taranis.example:8443/api");
}

#[test]
fn encrypted_keys_need_the_password_granian_gets() {
    let pair = |key: &str, env: &str| {
        let d = Deployment::with_fixtures(&core_with(env));
        d.copy("certs/v3-rsa2048.pem", "certs/certificate.pem").copy(key, "certs/private_key.pem");
        d
    };
    // Both hints write the key decrypted with the command match-key gives.
    let decrypt = "`(umask 077; openssl pkey -in certs/private_key.pem -out certs/private_key.unencrypted.pem)`";
    let run = pair("keys/rsa2048.encrypted-pkcs8.pem", "").doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["encrypted-key-without-password"]);
    let hint = with_code(&run, "encrypted-key-without-password")[0]["hint"].as_str().unwrap().to_owned();
    assert!(hint.contains(decrypt), "{hint}");
    let run = pair("keys/rsa2048.encrypted-pkcs8.pem", "      GRANIAN_SSL_KEYFILE_PASSWORD: wrong\n")
        .doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["wrong-key-password"]);
    let finding = &with_code(&run, "wrong-key-password")[0];
    assert!(finding["message"].as_str().unwrap().starts_with("GRANIAN_SSL_KEYFILE_PASSWORD (compose.yaml:"));
    assert!(finding["hint"].as_str().unwrap().contains(decrypt), "{finding}");
    // scrypt, and a certificate that is not there: the wrong password is still named.
    let d = pair("keys/p256.encrypted-pkcs8-scrypt.pem", "      GRANIAN_SSL_KEYFILE_PASSWORD: wrong\n");
    fs::remove_file(d.path("certs/certificate.pem")).unwrap();
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["file-not-found", "wrong-key-password"], "{}", run.stdout);
    // The right password: Granian decrypts this form, but its worker panicked on it when measured.
    let run = pair("keys/rsa2048.encrypted-pkcs8.pem", "      GRANIAN_SSL_KEYFILE_PASSWORD: fixture-password\n")
        .doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["key-format-unsupported-by-granian"], "{}", run.stdout);
    assert!(!run.stdout.contains("fixture-password") && !run.stderr.contains("fixture-password"));
    assert_eq!(run.json()["data"]["targets"][0]["variables"][0]["value"], "(set, not shown)");
    // A legacy-encrypted key cannot be loaded by Granian even with its password.
    let run = pair("keys/rsa2048.legacy-encrypted.pem", "      GRANIAN_SSL_KEYFILE_PASSWORD: fixture-password\n")
        .doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["key-format-unsupported-by-granian"]);
    assert!(with_code(&run, "key-format-unsupported-by-granian")[0]["message"].as_str().unwrap().contains("legacy"));
    // A password with a key that is not encrypted: Granian then finds no key.
    let run = pair("keys/rsa2048.pkcs8.pem", "      GRANIAN_SSL_KEYFILE_PASSWORD: fixture-password\n")
        .doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["key-format-unsupported-by-granian"]);
    assert!(
        with_code(&run, "key-format-unsupported-by-granian")[0]["message"].as_str().unwrap().contains("not encrypted")
    );
}

/// A password under a renamed, misspelt or wrongly cased name is still a password: the
/// variables list and every hint leave its value out.
#[test]
fn passwords_under_wrong_names_are_never_shown() {
    let d = Deployment::new();
    d.write(
        ".env",
        "GRANIAN_SSL_PASSWORD=hunter2secret\nGRANIAN_SSL_KEYFILE_PASWORD=typo2secret\ngranian_ssl_keyfile_password=case3secret\nGRANIAN_SSL_KEY_PASSPHRASE=other4secret\nGRANIAN_SSL_MINIMUM_VERSION=TLSv1.2\n",
    );
    let run = d.doctor(&["--env-file", ".env"]);
    let human = d.human(&["--env-file", ".env"]);
    for out in [&run.stdout, &run.stderr, &human.stdout, &human.stderr] {
        for secret in ["hunter2secret", "typo2secret", "case3secret", "other4secret"] {
            assert!(!out.contains(secret), "{secret} is shown:\n{out}");
        }
    }
    assert_eq!(codes(&run), ["unknown-granian-variable"; 5]);
    let variables = run.json()["data"]["targets"][0]["variables"].clone();
    let values: Vec<&str> = variables.as_array().unwrap().iter().map(|v| v["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["(set, not shown)", "(set, not shown)", "(set, not shown)", "(set, not shown)", "TLSv1.2"]);
    let hints: Vec<String> =
        with_code(&run, "unknown-granian-variable").iter().map(|f| f["hint"].as_str().unwrap().to_owned()).collect();
    assert_eq!(hints[0], "write `GRANIAN_SSL_KEYFILE_PASSWORD=…` instead");
    assert_eq!(hints[1], "did you mean GRANIAN_SSL_KEYFILE_PASSWORD? `GRANIAN_SSL_KEYFILE_PASSWORD=…`");
    assert_eq!(hints[2], "did you mean GRANIAN_SSL_KEYFILE_PASSWORD? `GRANIAN_SSL_KEYFILE_PASSWORD=…`");
    // Values that are not secrets are still carried over.
    assert_eq!(hints[4], "write `GRANIAN_SSL_PROTOCOL_MIN=tls1.2` instead");
    assert!(human.stdout.contains("GRANIAN_SSL_PASSWORD          (set, not shown)"), "{}", human.stdout);
}

/// A key's PEM text pasted where its path belongs is reported without being echoed, in
/// findings, hints, `variables[]` and `files[]`.
#[test]
fn pem_text_where_a_path_belongs_is_never_shown() {
    let d = Deployment::new();
    let key = fs::read_to_string(fixture("keys/p256.pkcs8.pem")).unwrap();
    let body = key.lines().nth(1).unwrap().to_owned();
    d.write(".env", &format!("GRANIAN_SSL_CERTIFICATE=/nowhere/c.pem\nGRANIAN_SSL_KEYFILE=\"{key}\"\n"));
    let run = d.doctor(&["--env-file", ".env"]);
    let human = d.human(&["--env-file", ".env"]);
    for out in [&run.stdout, &run.stderr, &human.stdout, &human.stderr] {
        assert!(!out.contains(&body), "the key is shown:\n{out}");
    }
    let finding = with_code(&run, "file-not-found")
        .into_iter()
        .find(|f| f["subject"]["variable"] == "GRANIAN_SSL_KEYFILE")
        .unwrap();
    assert_eq!(
        finding["message"],
        "GRANIAN_SSL_KEYFILE holds PEM text (PRIVATE KEY), not the path of a file: Granian refuses to start: Invalid value for '--ssl-keyfile': File '…' does not exist."
    );
    let data = &run.json()["data"]["targets"][0];
    assert_eq!(data["variables"][1]["value"], "(set, not shown)");
    assert_eq!(data["files"][1]["path"], "(set, not shown)");
}

#[test]
fn clients_must_use_https_and_verify() {
    let d = Deployment::with_fixtures(&format!(
        "{CORE}  worker:\n    environment:\n      TARANIS_CORE_URL: http://fixture.test:8443/api\n      SSL_VERIFICATION: \"False\"\n  gui:\n    environment:\n      TARANIS_CORE_API: https://fixture.test:8443/api\n      SSL_VERIFICATION: \"true\"\n"
    ));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(
        (run.code, codes(&run)),
        (1, vec!["core-url-not-https".to_owned(), "ssl-verification-disabled".to_owned()])
    );
    assert_eq!(with_code(&run, "core-url-not-https")[0]["hint"], "set TARANIS_CORE_URL=https://fixture.test:8443/api");
    let hint = with_code(&run, "ssl-verification-disabled")[0]["hint"].as_str().unwrap().to_owned();
    assert!(
        hint.contains("`certsmith ca create --if-needed && certsmith trust install --sudo && certsmith gen --force fixture.test localhost 127.0.0.1 --ca && certsmith trust compose --compose compose.yaml`"),
        "{hint}"
    );
    // A client's CA bundle must be there, and PEM.
    let d = Deployment::with_fixtures(&format!(
        "{CORE}  worker:\n    environment:\n      TARANIS_CORE_URL: https://fixture.test:8443/api\n      REQUESTS_CA_BUNDLE: /ca/missing.pem\n    volumes:\n      - ./bundles:/ca:ro\n"
    ));
    d.write("bundles/README", "CA bundles for the workers\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["file-not-found"], "{}", run.stdout);
    assert_eq!(with_code(&run, "file-not-found")[0]["subject"]["service"], "worker");
    let human = d.human(&["--compose", "compose.yaml"]);
    assert!(human.stdout.contains("FAIL  files: mounted, present, readable"), "{}", human.stdout);
    // A bundle in the image (not mounted) is the client's own business.
    d.write("compose.yaml", &format!("{CORE}  worker:\n    environment:\n      TARANIS_CORE_URL: https://fixture.test:8443/api\n      SSL_CERT_FILE: /etc/ssl/certs/ca-certificates.crt\n"));
    assert_eq!(codes(&d.doctor(&["--compose", "compose.yaml"])), Vec::<String>::new());
    // Without TLS configured anywhere, an http:// URL is consistent.
    let d = Deployment::new();
    d.write("compose.yaml", "services:\n  worker:\n    environment:\n      TARANIS_CORE_URL: http://core:8080/api\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]));
}

#[test]
fn compose_interpolates_from_the_env_file_beside_it() {
    let d = Deployment::with_fixtures(
        &CORE
            .replace("/certs/certificate.pem", "${CERTS:?set CERTS}/certificate.pem")
            .replace("/certs/private_key.pem", "${CERTS}/${KEY_NAME:-private_key.pem}")
            .replace("https://fixture.test", "https://${UNSET_HOST}fixture.test"),
    );
    d.write(".env", "# where the pair is\nexport CERTS=/certs\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec!["unset-variable".to_owned()]), "{}", run.stdout);
    assert!(with_code(&run, "unset-variable")[0]["message"].as_str().unwrap().contains("UNSET_HOST"));
    // --env-file replaces the .env beside the compose file, as with docker compose.
    d.write("other.env", "CERTS=/elsewhere\n");
    let run = d.doctor(&["--compose", "compose.yaml", "--env-file", "other.env"]);
    assert_eq!(codes(&run), ["path-not-mounted", "path-not-mounted", "unset-variable"]);
    // A required variable that is unset is an error in the compose file, as compose says.
    fs::remove_file(d.path(".env")).unwrap();
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("compose.yaml:5:32: cannot interpolate") && run.stderr.contains("set CERTS"),
        "{}",
        run.stderr
    );
}

#[test]
fn env_files_named_by_a_service_are_read_in_order_and_environment_wins() {
    let d = Deployment::with_fixtures(
        "services:\n  core:\n    user: '0'\n    env_file:\n      - tls.env\n      - path: local.env\n        required: false\n      - path: override.env\n        required: false\n    environment:\n      TARANIS_CORE_URL: https://fixture.test/api\n    volumes:\n      - ./certs:/certs:ro\n",
    );
    d.write("tls.env", "GRANIAN_SSL_CERTIFICATE=/certs/certificate.pem\nGRANIAN_SSL_KEYFILE=/certs/nope.pem\nTARANIS_CORE_URL=http://fixture.test/api\n");
    d.write("override.env", "GRANIAN_SSL_KEYFILE=\"/certs/private_key.pem\" # the real one\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}", run.stdout);
    let vars = &run.json()["data"]["targets"][0]["variables"];
    assert_eq!(vars[1]["origin"]["path"], "override.env");
    // A required env_file that is missing stops compose, and certsmith.
    d.write("compose.yaml", "services:\n  core:\n    env_file: missing.env\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.json()["errors"][0]["subject"]["line"], 3);
}

#[test]
fn malformed_yaml_exits_2_with_file_line_and_column() {
    let d = Deployment::new();
    d.write("compose.yaml", "services:\n  core:\n    environment:\n      A: 1\n     B: 2\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("compose.yaml:5:6: cannot parse it as YAML"), "{}", run.stderr);
    let error = &run.json()["errors"][0];
    assert_eq!(
        (error["subject"]["path"].as_str(), error["subject"]["line"].as_u64(), error["subject"]["column"].as_u64()),
        (Some("compose.yaml"), Some(5), Some(6))
    );
    assert_eq!(run.json()["data"], Value::Null);
    // Valid YAML, but not what compose allows.
    d.write("compose.yaml", "services:\n  core:\n    environment: 5\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("compose.yaml:3:18: services.core.environment must be a mapping or a list, found a single value"),
        "{}",
        run.stderr
    );
    // Not UTF-8.
    fs::write(d.path("compose.yaml"), b"services:\n  core:\n    user: \xff\n").unwrap();
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert!(run.stderr.contains("compose.yaml:3:11: the compose file is not UTF-8"), "{}", run.stderr);
}

#[test]
fn malformed_dotenv_exits_2_with_file_line_and_column() {
    let d = Deployment::new();
    d.write(
        ".env",
        "# TLS\nGRANIAN_SSL_CERTIFICATE=/certs/certificate.pem\nGRANIAN SSL KEYFILE=/certs/private_key.pem\n",
    );
    let run = d.doctor(&["--env-file", ".env"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(".env:3:1: the variable name GRANIAN is followed by a space and more text, not by `=`"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["errors"][0]["subject"]["column"], 1);
    d.write(".env", "A=1\nB=\"never closed\nC=3\n");
    let run = d.doctor(&["--env-file", ".env"]);
    assert!(run.stderr.contains(".env:2:3: the value opened with \" is never closed"), "{}", run.stderr);
    // The .env beside a compose file is parsed the same way.
    d.write("compose.yaml", "services:\n  core:\n    environment:\n      - GRANIAN_SSL_CERTIFICATE=${C}\n");
    d.write(".env", "C=${oops\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(".env:1:3: cannot interpolate the value"), "{}", run.stderr);
}

#[test]
fn the_process_environment_is_read_unless_no_environ() {
    let d = Deployment::with_fixtures(CORE);
    d.write(".env", "GRANIAN_SSL_CERTIFICATE=certs/certificate.pem\nGRANIAN_SSL_KEYFILE=certs/private_key.pem\n");
    let run: Run = certsmith()
        .current_dir(d.dir.path())
        .env("GRANIAN_SSL_VERIFY_MODE", "cert_required")
        .args(["--json", "--at", AT, "doctor", "--env-file", ".env", "--host", "fixture.test"])
        .output()
        .unwrap()
        .into();
    assert_eq!(codes(&run), ["unknown-granian-variable"], "{}", run.stdout);
    assert_eq!(with_code(&run, "unknown-granian-variable")[0]["subject"]["path"], "<environment>");
    let run: Run = certsmith()
        .current_dir(d.dir.path())
        .env("GRANIAN_SSL_VERIFY_MODE", "cert_required")
        .args(["--json", "--at", AT, "doctor", "--no-environ", "--env-file", ".env", "--host", "fixture.test"])
        .output()
        .unwrap()
        .into();
    assert_eq!((run.code, codes(&run)), (0, vec![]));
    // Nothing to check is certsmith's problem, not the deployment's.
    let run = Deployment::new().doctor(&[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("nothing to check"), "{}", run.stderr);
}

#[test]
fn services_can_be_chosen() {
    let d = Deployment::with_fixtures(&format!("{CORE}  db:\n    image: postgres\n"));
    let run = d.doctor(&["--compose", "compose.yaml", "--service", "db"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]));
    assert_eq!(run.json()["data"]["targets"][0]["checked"], serde_json::json!([]));
    let run = d.doctor(&["--compose", "compose.yaml", "--service", "nope"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("has no service \"nope\"") && run.stderr.contains("core, db"), "{}", run.stderr);
    let run = d.doctor(&["--service", "core"]);
    assert_eq!(run.code, 2, "--service needs --compose");
}

/// `--service core` leaves the others out by choice: they are "not selected", not
/// services "with no variable doctor reads" (the worker has one).
#[test]
fn services_left_out_by_service_are_not_selected() {
    let d = Deployment::with_fixtures(&format!(
        "{CORE}  worker:\n    environment:\n      TARANIS_CORE_URL: https://fixture.test:8443/api\n  db:\n    image: postgres\n"
    ));
    let run = d.doctor(&["--compose", "compose.yaml", "--service", "core"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}", run.stdout);
    let data = &run.json()["data"];
    assert_eq!(data["not_selected"], serde_json::json!(["worker", "db"]));
    assert_eq!(data["skipped"], serde_json::json!([]));
    let human = d.human(&["--compose", "compose.yaml", "--service", "core"]);
    assert!(human.stdout.contains("not selected (--service): worker, db"), "{}", human.stdout);
    assert!(!human.stdout.contains("not checked"), "{}", human.stdout);
    // Without --service, db has nothing doctor reads, and nothing is left out by choice.
    let run = d.doctor(&["--compose", "compose.yaml"]);
    let data = &run.json()["data"];
    assert_eq!(
        (data["skipped"].clone(), data["not_selected"].clone()),
        (serde_json::json!(["db"]), serde_json::json!([]))
    );
}

/// A check that could not run shows `skip`, never `ok`: the certificate line when the
/// certificate file is missing, also when a client CA bundle is set in the environment
/// (the bundle was checked, the server's certificate was not).
#[test]
fn a_check_that_did_not_run_is_skipped_not_ok() {
    let d = Deployment::with_fixtures(CORE);
    fs::remove_file(d.path("certs/certificate.pem")).unwrap();
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (1, vec!["file-not-found".to_owned()]), "{}", run.stdout);
    let checked = &run.json()["data"]["targets"][0]["checked"];
    assert_eq!(*checked, serde_json::json!(["variables", "pair", "files", "key", "clients"]));
    let human = d.human(&["--compose", "compose.yaml"]);
    assert!(human.stdout.contains("FAIL  files"), "{}", human.stdout);
    assert!(human.stdout.contains("skip  certificate: PEM, and verify's checks"), "{}", human.stdout);
    assert!(!human.stdout.contains("ok    certificate:"), "{}", human.stdout);
    // The key was checked alone: its line does not claim it belongs to the certificate.
    assert!(
        human.stdout.contains(
            "ok    key: PEM, decryptable, loadable by Granian (not compared with the certificate, which was not read)"
        ),
        "{}",
        human.stdout
    );

    // The same pair as host paths, with REQUESTS_CA_BUNDLE (and SSL_CERT_FILE) set in the
    // process environment.
    d.copy("certs/v3-p256.pem", "trust/ca.pem");
    d.write(".env", "GRANIAN_SSL_CERTIFICATE=certs/certificate.pem\nGRANIAN_SSL_KEYFILE=certs/private_key.pem\n");
    let bundle = d.path("trust/ca.pem");
    for var in ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"] {
        let doctor = |json: bool| -> Run {
            let mut cmd = certsmith();
            cmd.current_dir(d.dir.path()).env(var, &bundle);
            if json {
                cmd.arg("--json");
            }
            cmd.args(["--at", AT, "doctor", "--env-file", ".env", "--host", "fixture.test"]).output().unwrap().into()
        };
        let run = doctor(true);
        assert_eq!(run.code, 1, "{var}: {}", run.stdout);
        let checked = &run.json()["data"]["targets"][0]["checked"];
        assert_eq!(*checked, serde_json::json!(["variables", "pair", "files", "key"]), "{var}");
        let human = doctor(false);
        assert!(human.stdout.contains("skip  certificate: PEM, and verify's checks"), "{var}: {}", human.stdout);
        assert!(!human.stdout.contains("ok    certificate:"), "{var}: {}", human.stdout);
    }
}

#[test]
fn the_human_report_groups_by_service() {
    let d = Deployment::with_fixtures(&format!(
        "{CORE}  worker:\n    environment:\n      TARANIS_CORE_URL: https://fixture.test:8443/api\n      SSL_VERIFICATION: 'False'\n"
    ));
    let run = d.human(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let core = run.stdout.find("core (compose.yaml:2:3): serves HTTPS, runs as uid 0").unwrap();
    let worker = run.stdout.find("worker (compose.yaml:").unwrap();
    let warning = run.stdout.find("warning[ssl-verification-disabled] compose.yaml:13:7 SSL_VERIFICATION").unwrap();
    assert!(core < worker && worker < warning, "{}", run.stdout);
    assert!(run.stdout.contains("    GRANIAN_SSL_CERTIFICATE       /certs/certificate.pem → "), "{}", run.stdout);
    assert!(run.stdout.contains("2 services: 1 pass, 1 with warnings, 0 with errors"), "{}", run.stdout);
    // A client shows only its own line.
    assert_eq!(run.stdout[worker..].matches("skip").count(), 0, "{}", run.stdout);
}

/// The compose file of docs/docker-compose.md, with the CA, pair and override its
/// commands make, is what doctor calls right: no finding. Without the override, the
/// worker's trust cannot be checked.
#[test]
fn the_compose_file_of_the_docker_compose_doc_has_no_findings() {
    let doc = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/docker-compose.md")).unwrap();
    let yaml = doc.split("```yaml\n").nth(1).unwrap().split("```").next().unwrap();
    let d = Deployment::new();
    d.write("compose.yaml", yaml);
    let caroot = d.path("home/.local/share/certsmith");
    for args in [
        &["ca", "create", "--if-needed"][..],
        &["gen", "--if-needed", "core.taranis.local", "core", "localhost", "127.0.0.1", "--ca"],
    ] {
        let made = certsmith().current_dir(d.dir.path()).env("CERTSMITH_CAROOT", &caroot).args(args).output().unwrap();
        assert!(made.status.success(), "{args:?}: {}", String::from_utf8_lossy(&made.stderr));
    }
    // gen writes the key 0600: doctor warns until it knows the core's uid (the doc says so).
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    assert_eq!(codes(&run), ["key-unreadable-in-container", "unknown-issuer"], "{}", run.stdout);
    // The core's image running as the key's owner, as the doc's doctor line says.
    let owner = std::os::unix::fs::MetadataExt::uid(&fs::metadata(d.path("certs/private_key.pem")).unwrap());
    let uid = owner.to_string();
    let run = d.doctor_at(None, &["--compose", "compose.yaml", "--container-uid", &uid]);
    assert_eq!(codes(&run), ["unknown-issuer"], "{}", run.stdout);

    let made = certsmith()
        .current_dir(d.dir.path())
        .env("CERTSMITH_CAROOT", &caroot)
        .args(["trust", "compose"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let run = d.doctor_at(None, &["--compose", "compose.yaml", "--container-uid", &uid]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}", run.stdout);
    let json = run.json();
    let names: Vec<&str> =
        json["data"]["targets"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["core", "worker"]);
    assert_eq!(json["data"]["sources"][1]["kind"], "compose-override");
}

/// `include:` and `extends:` (same file and `file:`) are followed inside the project
/// folder: a service whose TLS variables come through them is judged whole. Before, core
/// was "not checked" (include) or had "a key without its certificate" (extends).
#[test]
fn include_and_extends_are_followed_inside_the_project() {
    let d = Deployment::with_fixtures("include:\n  - tls/compose.tls.yaml\n");
    d.write(
        "tls/compose.tls.yaml",
        "services:\n  core:\n    image: app\n    user: '0'\n    environment:\n      GRANIAN_SSL_CERTIFICATE: /certs/certificate.pem\n      GRANIAN_SSL_KEYFILE: /certs/private_key.pem\n    volumes:\n      - ../certs:/certs:ro\n",
    );
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.json()["data"]["targets"][0]["name"], "core");

    let base = "services:\n  tls-base:\n    image: app\n    user: '0'\n    environment:\n      GRANIAN_SSL_CERTIFICATE: /certs/certificate.pem\n      GRANIAN_SSL_KEYFILE: /wrong/private_key.pem\n    volumes:\n      - ./certs:/certs:ro\n";
    for compose in [
        format!("{base}  core:\n    extends: tls-base\n    environment:\n      GRANIAN_SSL_KEYFILE: /certs/private_key.pem\n"),
        "services:\n  core:\n    extends:\n      file: common.yaml\n      service: tls-base\n    environment:\n      GRANIAN_SSL_KEYFILE: /certs/private_key.pem\n".to_owned(),
    ] {
        d.write("compose.yaml", &compose).write("common.yaml", base);
        let run = d.doctor(&["--compose", "compose.yaml", "--service", "core"]);
        assert_eq!((run.code, codes(&run)), (0, vec![]), "{compose}\n{}{}", run.stdout, run.stderr);
        let core = &run.json()["data"]["targets"][0];
        assert_eq!(core["files"][0]["host_path"], "certs/certificate.pem", "{core:#}");
    }

    d.write("compose.yaml", "services:\n  a:\n    extends: b\n  b:\n    extends: a\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("goes round"), "{}", run.stderr);
}

/// A file outside the project folder is not read: the include, or the service that
/// extends from it, is named in a `compose-not-followed` warning and never judged.
#[test]
fn include_and_extends_outside_the_project_are_named_not_read() {
    let outer = tempfile::tempdir().unwrap();
    let d = Deployment::with_fixtures(CORE);
    fs::write(
        outer.path().join("secret.yaml"),
        "services:\n  s:\n    environment:\n      GRANIAN_SSL_CERTIFICATE: /x\n",
    )
    .unwrap();
    let outside = outer.path().join("secret.yaml");
    let compose = format!(
        "include:\n  - {o}\nservices:\n  worker:\n    extends:\n      file: {o}\n      service: s\n{core}",
        o = outside.display(),
        core = CORE.trim_start_matches("services:\n")
    );
    d.write("compose.yaml", &compose);
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let skipped = with_code(&run, "compose-not-followed");
    assert_eq!(skipped.len(), 2, "{:#}", run.json());
    assert!(skipped.iter().any(|f| f["subject"]["service"] == "worker"), "{skipped:?}");
    let json = run.json();
    let targets: Vec<&str> =
        json["data"]["targets"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(targets, ["core"], "worker is not judged on half its configuration");
    let human = d.human(&["--compose", "compose.yaml"]);
    assert!(human.stdout.contains("worker is not judged"), "{}", human.stdout);
}

/// The guide's compose file mounts ./certs into core; a CA key under it is readable in the
/// container (error), and so is a key in a build context, unless .dockerignore keeps it out.
/// The key Granian is given is not reported.
#[test]
fn a_ca_key_in_a_mounted_folder_or_build_context_is_exposed() {
    let d = Deployment::new();
    d.copy("env/guide-compose.yaml", "compose.yaml");
    d.copy("certs/v3-p256.pem", "certs/certificate.pem");
    d.copy("keys/p256.pkcs8.pem", "certs/private_key.pem");
    d.copy("keys/p256.pkcs8.pem", "certs/ca/ca-key.pem");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let exposed = with_code(&run, "ca-key-exposed");
    assert_eq!(exposed.len(), 1, "{exposed:?}");
    assert_eq!(exposed[0]["severity"], "error");
    assert_eq!(exposed[0]["subject"]["service"], "core");
    assert!(exposed[0]["subject"]["path"].as_str().unwrap().ends_with("certs/ca/ca-key.pem"), "{exposed:?}");
    assert!(exposed[0]["message"].as_str().unwrap().contains("a CA private key"), "{exposed:?}");

    fs::remove_file(d.path("certs/ca/ca-key.pem")).unwrap();
    d.write(
        "compose.yaml",
        "services:\n  core:\n    build: ./app\n    user: '0'\n    environment:\n      GRANIAN_SSL_CERTIFICATE: /certs/certificate.pem\n      GRANIAN_SSL_KEYFILE: /certs/private_key.pem\n    volumes:\n      - ./certs:/certs:ro\n",
    );
    d.copy("keys/p256.pkcs8.pem", "app/deploy/rootCA-key.pem");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    let exposed = with_code(&run, "ca-key-exposed");
    assert_eq!(exposed.len(), 1, "{exposed:?}");
    assert!(exposed[0]["message"].as_str().unwrap().contains("build context"), "{exposed:?}");
    d.write("app/.dockerignore", "# keys stay out\n**/*-key.pem\n");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}", run.stdout);
}

/// SSL_CERT_FILE (and REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) replace a client's roots: a file
/// holding only the dev CA makes every public HTTPS call fail. NODE_EXTRA_CA_CERTS adds,
/// and a bundle of the system's roots plus the CA is what the others need.
#[test]
fn a_ca_only_bundle_in_a_replacing_variable_is_a_warning() {
    let compose = |var: &str, file: &str| {
        format!(
            "{CORE}  worker:\n    environment:\n      TARANIS_CORE_URL: https://fixture.test:8443/api\n      {var}: /trust/{file}\n    volumes:\n      - ./trust:/trust:ro\n"
        )
    };
    let d = Deployment::with_fixtures(&compose("SSL_CERT_FILE", "ca.pem"));
    d.copy("certs/v3-p256.pem", "trust/ca.pem");
    let run = d.doctor(&["--compose", "compose.yaml"]);
    let found = with_code(&run, "ca-bundle-replaces-system-roots");
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(
        (found[0]["severity"].as_str(), found[0]["subject"]["service"].as_str()),
        (Some("warning"), Some("worker"))
    );
    assert!(found[0]["hint"].as_str().unwrap().contains("certsmith trust compose --compose compose.yaml"), "{found:?}");
    for var in ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"] {
        d.write("compose.yaml", &compose(var, "ca.pem"));
        assert_eq!(
            with_code(&d.doctor(&["--compose", "compose.yaml"]), "ca-bundle-replaces-system-roots").len(),
            1,
            "{var}"
        );
    }
    d.write("compose.yaml", &compose("NODE_EXTRA_CA_CERTS", "ca.pem"));
    assert!(with_code(&d.doctor(&["--compose", "compose.yaml"]), "ca-bundle-replaces-system-roots").is_empty());
    // The system's roots plus the CA: no warning.
    let mut bundle = fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").unwrap();
    bundle.push_str(&fs::read_to_string(d.path("trust/ca.pem")).unwrap());
    d.write("trust/bundle.pem", &bundle).write("compose.yaml", &compose("SSL_CERT_FILE", "bundle.pem"));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert!(with_code(&run, "ca-bundle-replaces-system-roots").is_empty(), "{}", run.stdout);
}

/// A container's URL that names the host's side of a published port: `localhost` (the
/// container itself), the service with its published port (errors), or the host's name
/// (a warning: the guide's worker, `https://your-domain.com:8443/api`). The service name
/// and container port are right; the core's own public URL is not a connection.
#[test]
fn container_urls_must_use_the_service_name_and_container_port() {
    let compose = |ports: &str, url: &str| {
        format!(
            "{CORE}    ports:\n{ports}  worker:\n    environment:\n      TARANIS_CORE_URL: {url}\n  db:\n    image: postgres\n"
        )
    };
    let d = Deployment::with_fixtures(&compose("      - \"8443:8080\"\n", "https://localhost:8443/api"));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let found = with_code(&run, "url-unreachable-in-container");
    assert_eq!(found.len(), 1, "{}", run.stdout);
    let f = &found[0];
    assert_eq!(
        (f["severity"].as_str(), f["subject"]["service"].as_str(), f["subject"]["variable"].as_str()),
        (Some("error"), Some("worker"), Some("TARANIS_CORE_URL"))
    );
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("localhost is worker itself") && message.contains("\"8443:8080\""), "{message}");
    assert!(
        f["hint"]
            .as_str()
            .unwrap()
            .contains("TARANIS_CORE_URL=https://core:8080/api (the certificate must then cover the name core too)"),
        "{f}"
    );
    // The human report puts it on the worker's clients line.
    let human = d.human(&["--compose", "compose.yaml"]);
    assert!(human.stdout.contains("error[url-unreachable-in-container]"), "{}", human.stdout);
    assert!(human.stdout.contains("FAIL  clients of the core API"), "{}", human.stdout);

    // The service name with the published port, in any *_URL, and the long and
    // host-address forms of `ports:`.
    for (ports, url) in [
        ("      - \"8443:8080\"\n", "https://core:8443/api"),
        ("      - target: 8080\n        published: \"8443\"\n", "https://127.0.0.1:8443/api"),
        ("      - \"127.0.0.1:8443:8080/tcp\"\n", "https://[::1]:8443/api"),
    ] {
        d.write("compose.yaml", &compose(ports, url));
        let run = d.doctor(&["--compose", "compose.yaml"]);
        let found = with_code(&run, "url-unreachable-in-container");
        assert_eq!(found.len(), 1, "{ports}{url}: {}", run.stdout);
        assert_eq!(found[0]["severity"], "error", "{url}");
        assert!(found[0]["hint"].as_str().unwrap().contains("=https://core:8080/api"), "{url}: {found:?}");
    }
    d.write(
        "compose.yaml",
        &compose("      - \"8443:8080\"\n", "https://core:8080/api\n      SEARCH_URL: http://localhost:8443/x"),
    );
    let found = with_code(&d.doctor(&["--compose", "compose.yaml"]), "url-unreachable-in-container");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["subject"]["variable"], "SEARCH_URL");

    // The guide's worker: the host's name with the published port is a warning; its gui
    // and frontend (core:8080) and core's own URL are right.
    let d = Deployment::new();
    guide_certificates(&d);
    d.write("compose.yaml", GUIDE_COMPOSE);
    let run = d.doctor_at(None, &["--compose", "compose.yaml"]);
    let found = with_code(&run, "url-unreachable-in-container");
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(
        (found[0]["severity"].as_str(), found[0]["subject"]["service"].as_str()),
        (Some("warning"), Some("worker"))
    );
    assert!(found[0]["message"].as_str().unwrap().contains("/etc/hosts"), "{found:?}");
    assert!(found[0]["hint"].as_str().unwrap().contains("TARANIS_CORE_URL=https://core:8080/api"), "{found:?}");

    // Right: the service name and container port; a port nobody publishes; core's own
    // public URL on its published port.
    let d = Deployment::with_fixtures(&compose("      - \"8443:8080\"\n", "https://core:8080/api"));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert!(with_code(&run, "url-unreachable-in-container").is_empty(), "{}", run.stdout);
    d.write("compose.yaml", &compose("      - \"9443:8080\"\n", "https://fixture.test:8443/api"));
    let run = d.doctor(&["--compose", "compose.yaml"]);
    assert_eq!((run.code, codes(&run)), (0, vec![]), "{}", run.stdout);
}

/// `--host` names what clients on this machine use: a compose service's name is one they
/// cannot resolve (a warning naming the port it publishes), unless a container's URL uses
/// it, which is where service names belong.
#[test]
fn a_host_name_that_is_a_service_is_for_containers_only() {
    let d = Deployment::with_fixtures(&format!("{CORE}    ports:\n      - \"8443:8080\"\n"));
    let run = d.doctor(&["--compose", "compose.yaml", "--host", "core", "--host", "fixture.test"]);
    let found = with_code(&run, "host-is-a-service-name");
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(
        (found[0]["severity"].as_str(), found[0]["subject"]["path"].as_str()),
        (Some("warning"), Some("--host core"))
    );
    let message = found[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("--host core: core is a service of compose.yaml") && message.contains("(\"8443:8080\")"),
        "{message}"
    );
    assert!(
        found[0]["hint"].as_str().unwrap().contains("`certsmith doctor --compose compose.yaml --host localhost`"),
        "{found:?}"
    );
    let human = d.human(&["--compose", "compose.yaml", "--host", "core"]);
    assert!(human.stdout.contains("warning[host-is-a-service-name] --host core\n"), "{}", human.stdout);
    // A container that uses the name: --host adds nothing wrong.
    d.write(
        "compose.yaml",
        &format!("{CORE}    ports:\n      - \"8443:8080\"\n  worker:\n    environment:\n      TARANIS_CORE_URL: https://core:8080/api\n"),
    );
    let run = d.doctor(&["--compose", "compose.yaml", "--host", "core"]);
    assert!(with_code(&run, "host-is-a-service-name").is_empty(), "{}", run.stdout);
    // Not a service: nothing to say.
    let run = d.doctor(&["--compose", "compose.yaml", "--host", "localhost"]);
    assert!(with_code(&run, "host-is-a-service-name").is_empty(), "{}", run.stdout);
}

/// A public API's URL is not this machine's published port, even when a proxy here
/// publishes 443: only a port written out (the guide's your-domain.com:8443) points there.
#[test]
fn a_public_url_on_a_default_port_is_not_taken_for_the_hosts() {
    let compose = format!(
        "{CORE}    ports:\n      - \"8443:8443\"\n  proxy:\n    image: nginx\n    ports:\n      - \"443:443\"\n  worker:\n    environment:\n      PAYMENT_URL: https://api.stripe.com/v1\n      TARANIS_CORE_URL: https://your-domain.com:8443/api\n"
    );
    let d = Deployment::with_fixtures(&compose);
    let out = d.doctor(&["--compose", "compose.yaml"]);
    let json = out.json();
    let flagged: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "url-unreachable-in-container")
        .map(|f| f["subject"]["variable"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(flagged, ["TARANIS_CORE_URL"], "{}", out.stdout);
}
