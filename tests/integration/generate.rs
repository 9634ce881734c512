//! `certsmith gen` and `certsmith ca create`, checked with openssl, rustls handshakes and
//! curl against an openssl server.

use std::fs;
use std::path::{Path, PathBuf};

use crate::tls;
use crate::util::*;

const KEY_TYPES: [&str; 6] = ["ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-2048", "rsa-3072", "rsa-4096"];

fn in_dir(dir: &Path, args: &[&str]) -> Run {
    certsmith().current_dir(dir).args(args).output().unwrap().into()
}

fn text_of(cert: &Path) -> String {
    String::from_utf8(openssl(&["x509", "-in", cert.to_str().unwrap(), "-noout", "-text"], None)).unwrap()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn openssl_verify(ca: &Path, cert: &Path) -> bool {
    std::process::Command::new("openssl")
        .args([
            "verify",
            "-x509_strict",
            "-purpose",
            "sslserver",
            "-CAfile",
            ca.to_str().unwrap(),
            cert.to_str().unwrap(),
        ])
        .output()
        .unwrap()
        .status
        .success()
}

/// Every key type, self-signed and CA-issued: v3, the SANs, serverAuth, CA:FALSE as
/// openssl prints them; openssl verify passes; rustls handshakes for each name and only them.
#[test]
fn every_key_type_makes_certificates_openssl_and_rustls_accept() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(dir.path(), &["ca", "create", "--out-dir", "ca"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ca = dir.path().join("ca/ca.pem");
    let names = ["app.test", "*.app.test", "127.0.0.1", "::1"];
    for key_type in KEY_TYPES {
        for issuer in ["self", "ca"] {
            let sub = format!("{key_type}-{issuer}");
            let mut args = vec!["gen", "--key-type", key_type, "--out-dir", &sub];
            if issuer == "ca" {
                args.extend(["--ca", "ca"]);
            }
            args.extend(names);
            let out = in_dir(dir.path(), &args);
            assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
            let cert = dir.path().join(&sub).join("certificate.pem");
            let key = dir.path().join(&sub).join("private_key.pem");
            let text = text_of(&cert);
            assert!(text.contains("Version: 3 (0x2)"), "{sub}");
            for san in ["DNS:app.test", "DNS:*.app.test", "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1"] {
                assert!(text.contains(san), "{sub}: {san} missing");
            }
            assert!(text.contains("TLS Web Server Authentication"), "{sub}");
            assert!(text.contains("CA:FALSE"), "{sub}");
            assert_eq!(
                text.contains("Key Encipherment"),
                key_type.starts_with("rsa"),
                "{sub}: keyEncipherment only for RSA"
            );
            assert_eq!(text.contains("X509v3 Authority Key Identifier"), issuer == "ca", "{sub}");
            let trust = if issuer == "ca" { ca.clone() } else { cert.clone() };
            assert!(openssl_verify(&trust, &cert), "{sub}: openssl verify failed");
            // The key is unencrypted PKCS#8 that OpenSSL 3.0 reads (Ed25519 included).
            let key_text = fs::read_to_string(&key).unwrap();
            assert!(key_text.starts_with("-----BEGIN PRIVATE KEY-----"), "{sub}");
            openssl(&["pkey", "-in", key.to_str().unwrap(), "-noout"], None);
            assert_eq!(mode(&key), 0o600, "{sub}");
            assert_eq!(mode(&cert), 0o644, "{sub}");
            for name in ["app.test", "www.app.test", "127.0.0.1", "::1"] {
                tls::handshake(&cert, &key, &trust, name).unwrap_or_else(|e| panic!("{sub}: {name}: {e}"));
            }
            for name in ["other.test", "a.b.app.test", "127.0.0.2"] {
                let err = tls::handshake(&cert, &key, &trust, name).expect_err(&format!("{sub}: {name} must fail"));
                assert!(err.contains("NotValidForName"), "{sub}: {name}: {err}");
            }
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// An openssl server with gen's files, and curl trusting the CA, by name: the way the
/// guide's users test.
#[test]
fn openssl_server_and_curl_accept_generated_files() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(in_dir(dir.path(), &["ca", "create", "--out-dir", "certs/ca"]).code, 0);
    assert_eq!(in_dir(dir.path(), &["gen", "--ca", "certs/ca", "myapp.test", "127.0.0.1"]).code, 0);
    let port = free_port();
    let certs = dir.path().join("certs");
    let mut server = std::process::Command::new("openssl")
        .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), "-www", "-quiet"])
        .args([
            "-cert",
            certs.join("certificate.pem").to_str().unwrap(),
            "-key",
            certs.join("private_key.pem").to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let ready = (0..100).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(50));
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    let curl = |name: &str| {
        std::process::Command::new("curl")
            .args([
                "--silent",
                "--show-error",
                "--max-time",
                "10",
                "--cacert",
                certs.join("ca/ca.pem").to_str().unwrap(),
            ])
            .args(["--resolve", &format!("{name}:{port}:127.0.0.1"), &format!("https://{name}:{port}/")])
            .output()
            .expect("curl is needed by the tests (.ci/run installs it)")
    };
    let good = curl("myapp.test");
    let bad = curl("other.test");
    let _ = server.kill();
    let _ = server.wait();
    assert!(ready, "openssl s_server did not start");
    assert!(good.status.success(), "curl: {}", String::from_utf8_lossy(&good.stderr));
    assert!(!bad.status.success(), "curl must reject a name the certificate does not cover");
}

#[test]
fn defaults_match_the_deployment_guide() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(dir.path(), &["--json", "gen"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let san = &json["data"]["certificate"]["san"];
    assert_eq!(san["dns"], serde_json::json!(["localhost"]));
    assert_eq!(san["ip"], serde_json::json!(["127.0.0.1", "::1"]));
    assert_eq!(json["data"]["certificate"]["subject"], "CN=localhost, O=certsmith development certificate");
    assert_eq!(json["data"]["key"], "ecdsa-p256");
    assert_eq!(json["data"]["trust"], "certs/certificate.pem");
    assert_eq!(
        json["data"]["env"],
        serde_json::json!([
            "GRANIAN_SSL_CERTIFICATE=/certs/certificate.pem",
            "GRANIAN_SSL_KEYFILE=/certs/private_key.pem"
        ])
    );
    let files: Vec<(&str, &str)> = json["data"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["mode"].as_str().unwrap()))
        .collect();
    assert_eq!(files, [("certs/private_key.pem", "0600"), ("certs/certificate.pem", "0644")]);
    // Validity: starts a few minutes early, lasts 365 days (checked with --at for exactness).
    let out = in_dir(dir.path(), &["--json", "--at", "2027-03-01T12:00:00Z", "gen", "--out-dir", "at"]);
    let cert = &out.json()["data"]["certificate"];
    assert_eq!(cert["not_before"], "2027-03-01T11:55:00Z");
    assert_eq!(cert["not_after"], "2028-02-29T12:00:00Z");
    assert_eq!(cert["version"], 3);
    assert_eq!(cert["is_ca"], false);
    assert_eq!(cert["extended_key_usage"], serde_json::json!(["serverAuth"]));
    assert_eq!(cert["key_usage"], serde_json::json!(["digitalSignature"]));
}

#[test]
fn serials_are_random_and_positive() {
    let dir = tempfile::tempdir().unwrap();
    let mut serials = Vec::new();
    for i in 0..5 {
        let out = in_dir(dir.path(), &["--json", "gen", "--out-dir", &format!("s{i}"), "a.test"]);
        let serial = out.json()["data"]["certificate"]["serial"].as_str().unwrap().to_owned();
        assert_eq!(serial.len(), 32, "16 bytes");
        assert!(u8::from_str_radix(&serial[..2], 16).unwrap() < 0x80, "positive");
        serials.push(serial);
    }
    serials.sort();
    serials.dedup();
    assert_eq!(serials.len(), 5);
}

#[test]
fn existing_files_are_never_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(in_dir(dir.path(), &["gen"]).code, 0);
    let cert = dir.path().join("certs/certificate.pem");
    let key = dir.path().join("certs/private_key.pem");
    let before = (fs::read(&cert).unwrap(), fs::read(&key).unwrap(), fs::metadata(&cert).unwrap().modified().unwrap());
    let again = in_dir(dir.path(), &["gen"]);
    assert_eq!(again.code, 2);
    assert!(
        again.stderr.contains("already exist")
            && again.stderr.contains("--force")
            && again.stderr.contains("--if-needed"),
        "{}",
        again.stderr
    );
    assert_eq!(
        (fs::read(&cert).unwrap(), fs::read(&key).unwrap(), fs::metadata(&cert).unwrap().modified().unwrap()),
        before
    );
    let forced = in_dir(dir.path(), &["--json", "gen", "--force"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert_eq!(forced.json()["data"]["action"], "replaced");
    assert_ne!(fs::read(&cert).unwrap(), before.0);
    assert_eq!(mode(&key), 0o600);
}

/// A write that fails part-way (here: the certificate's folder cannot be created after
/// the key's temp file was written) leaves nothing behind.
#[test]
fn a_failed_write_leaves_no_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(dir.path(), &["gen", "--cert-file", "/dev/null/certificate.pem"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("/dev/null"), "{}", out.stderr);
    let left: Vec<PathBuf> =
        fs::read_dir(dir.path().join("certs")).map(|rd| rd.map(|e| e.unwrap().path()).collect()).unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn key_mode_0644_is_possible_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(dir.path(), &["--json", "gen", "--key-mode", "0644"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(mode(&dir.path().join("certs/private_key.pem")), 0o644);
    assert_eq!(out.finding_codes(), ["key-readable-by-others"]);
    assert_eq!(in_dir(dir.path(), &["gen", "--key-mode", "999"]).code, 2);
}

#[test]
fn names_are_classified_normalised_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(
        dir.path(),
        &["--json", "gen", "Bücher.Test", "ops@app.test", "spiffe://app.test/api", "[::1]", "*.test"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let san = &json["data"]["certificate"]["san"];
    assert_eq!(san["dns"], serde_json::json!(["xn--bcher-kva.test", "*.test"]));
    assert_eq!(san["email"], serde_json::json!(["ops@app.test"]));
    assert_eq!(san["uri"], serde_json::json!(["spiffe://app.test/api"]));
    assert_eq!(san["ip"], serde_json::json!(["::1"]));
    assert_eq!(json["data"]["certificate"]["subject"], "CN=xn--bcher-kva.test, O=certsmith development certificate");
    assert_eq!(out.finding_codes(), ["wildcard-under-tld"]);
    for bad in ["a.*.test", "127.1", "-x.test", "exa mple.test"] {
        let out = in_dir(dir.path(), &["gen", "--out-dir", "bad", "--", bad]);
        assert_eq!(out.code, 2, "{bad}");
        assert!(out.stderr.contains("invalid name") && out.stderr.contains(bad), "{bad}: {}", out.stderr);
        assert!(!dir.path().join("bad").exists(), "{bad}: nothing written");
    }
}

#[test]
fn print_env_prints_only_the_variables() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(dir.path(), &["gen", "--print-env", "--container-dir", "/run/tls/"]);
    assert_eq!(out.code, 0);
    assert_eq!(
        out.stdout,
        "GRANIAN_SSL_CERTIFICATE=/run/tls/certificate.pem\nGRANIAN_SSL_KEYFILE=/run/tls/private_key.pem\n"
    );
}

/// A Secret mounted as a volume holds `tls.crt` and `tls.key`: those are the files Granian
/// must be pointed at, whatever gen named its own copies.
#[test]
fn kubernetes_secret_env_names_the_secrets_own_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(dir.path(), &["gen", "--print-env", "--k8s-secret", "app-tls"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, "GRANIAN_SSL_CERTIFICATE=/certs/tls.crt\nGRANIAN_SSL_KEYFILE=/certs/tls.key\n");
    let out =
        in_dir(dir.path(), &["--json", "gen", "--out-dir", "k", "--k8s-secret", "app-tls", "--container-dir", "/tls"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.json()["data"]["env"],
        serde_json::json!(["GRANIAN_SSL_CERTIFICATE=/tls/tls.crt", "GRANIAN_SSL_KEYFILE=/tls/tls.key"])
    );
}

#[test]
fn der_and_kubernetes_outputs_hold_the_same_certificate_and_key() {
    use base64::Engine;
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(in_dir(dir.path(), &["ca", "create", "--out-dir", "certs/ca"]).code, 0);
    let out = in_dir(dir.path(), &["gen", "--ca", "certs/ca", "--der", "--k8s-secret", "myapp-tls", "myapp.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let certs = dir.path().join("certs");
    let pem_fp = openssl(
        &["x509", "-in", certs.join("certificate.pem").to_str().unwrap(), "-noout", "-fingerprint", "-sha256"],
        None,
    );
    let der_fp = openssl(
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            certs.join("certificate.der").to_str().unwrap(),
            "-noout",
            "-fingerprint",
            "-sha256",
        ],
        None,
    );
    assert_eq!(pem_fp, der_fp);
    openssl(&["pkey", "-inform", "DER", "-in", certs.join("private_key.der").to_str().unwrap(), "-noout"], None);
    assert_eq!(mode(&certs.join("private_key.der")), 0o600);
    let secret = certs.join("myapp-tls.secret.yaml");
    assert_eq!(mode(&secret), 0o600);
    let yaml = fs::read_to_string(&secret).unwrap();
    assert!(
        yaml.contains("kind: Secret\n")
            && yaml.contains("type: kubernetes.io/tls\n")
            && yaml.contains("  name: myapp-tls\n")
    );
    let field = |name: &str| {
        let line = yaml.lines().find_map(|l| l.trim().strip_prefix(&format!("{name}: "))).unwrap();
        base64::engine::general_purpose::STANDARD.decode(line).unwrap()
    };
    assert_eq!(field("tls.crt"), fs::read(certs.join("certificate.pem")).unwrap());
    assert_eq!(field("tls.key"), fs::read(certs.join("private_key.pem")).unwrap());
    assert_eq!(field("ca.crt"), fs::read(certs.join("ca/ca.pem")).unwrap());
    assert_eq!(in_dir(dir.path(), &["gen", "--out-dir", "k", "--k8s-secret", "Bad_Name"]).code, 2);
}

#[test]
fn ca_is_a_constrained_root_and_the_leaf_file_holds_only_the_leaf() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(
        dir.path(),
        &["ca", "create", "--out-dir", "certs/ca", "--permit-dns", "test", "--permit-dns", ".localhost"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let ca = dir.path().join("certs/ca/ca.pem");
    let text = text_of(&ca);
    assert!(text.contains("CA:TRUE, pathlen:0"), "{text}");
    assert!(text.contains("Certificate Sign, CRL Sign"), "{text}");
    assert!(text.contains("Permitted:") && text.contains("DNS:test") && text.contains("DNS:localhost"), "{text}");
    assert_eq!(mode(&dir.path().join("certs/ca/ca-key.pem")), 0o600);
    assert_eq!(in_dir(dir.path(), &["ca", "create", "--out-dir", "certs/ca"]).code, 2, "no overwrite without --force");

    let out = in_dir(dir.path(), &["gen", "--ca", "certs/ca", "api.test", "localhost"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("clients must trust certs/ca/ca.pem"), "{}", out.stdout);
    let leaf = fs::read_to_string(dir.path().join("certs/certificate.pem")).unwrap();
    assert_eq!(leaf.matches("BEGIN CERTIFICATE").count(), 1, "never the root in the served file");

    let out = in_dir(dir.path(), &["gen", "--ca", "certs/ca", "--out-dir", "outside", "example.com"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("example.com") && out.stderr.contains("test, localhost"), "{}", out.stderr);
    assert!(!dir.path().join("outside").exists());
}

/// `--permit-dns` limits IP addresses too (loopback and private ranges), so the CA cannot
/// vouch for a public address: certsmith refuses to issue for one, and a certificate for
/// one made by openssl with the CA's key is rejected by openssl and by certsmith verify.
/// The summary's next command works under the constraints.
#[test]
fn a_constrained_ca_vouches_only_for_private_addresses() {
    let dir = tempfile::tempdir().unwrap();
    let out = in_dir(dir.path(), &["--json", "ca", "create", "--out-dir", "certs/ca", "--permit-dns", "test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = text_of(&dir.path().join("certs/ca/ca.pem"));
    assert!(text.contains("IP:127.0.0.0/255.0.0.0") && text.contains("IP:192.168.0.0/255.255.0.0"), "{text}");
    let next = out.json()["data"]["next"][0].as_str().unwrap().to_owned();
    let words: Vec<&str> = next.split(' ').skip(1).collect();
    assert_eq!(words[..3], ["gen", "--ca", "certs/ca"], "{next}");
    let out = in_dir(dir.path(), &words);
    assert_eq!(out.code, 0, "the summary's next command fails: {next}: {}", out.stderr);

    let out = in_dir(dir.path(), &["gen", "--ca", "certs/ca", "--out-dir", "public", "api.test", "8.8.8.8"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("8.8.8.8 is outside them"), "{}", out.stderr);
    assert!(!dir.path().join("public").exists());

    let out = in_dir(dir.path(), &["gen", "--ca", "certs/ca", "--out-dir", "lan", "api.test", "192.168.1.10", "::1"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(openssl_verify(&dir.path().join("certs/ca/ca.pem"), &dir.path().join("lan/certificate.pem")));

    // The same CA key signing a certificate for a public address, the openssl way.
    let conf = dir.path().join("ext.cnf");
    fs::write(
        &conf,
        "subjectAltName=DNS:api.test,IP:8.8.8.8\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let p = |rel: &str| dir.path().join(rel).to_str().unwrap().to_owned();
    openssl(
        &["req", "-new", "-key", &p("lan/private_key.pem"), "-subj", "/CN=api.test", "-out", &p("public.csr")],
        None,
    );
    openssl(
        &["x509", "-req", "-in", &p("public.csr"), "-CA", &p("certs/ca/ca.pem"), "-CAkey", &p("certs/ca/ca-key.pem")]
            .into_iter()
            .chain(["-days", "30", "-extfile", &p("ext.cnf"), "-out", &p("public.pem")])
            .collect::<Vec<_>>(),
        None,
    );
    assert!(!openssl_verify(&dir.path().join("certs/ca/ca.pem"), &dir.path().join("public.pem")));
    let out = in_dir(dir.path(), &["verify", "--ca", "certs/ca/ca.pem", "--host", "api.test", "public.pem"]);
    assert_eq!(out.code, 1, "{}", out.stdout);
}

#[test]
fn a_leaf_never_outlives_its_ca() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(
        in_dir(dir.path(), &["--at", "2027-01-01T00:00:00Z", "ca", "create", "--out-dir", "certs/ca", "--days", "30"])
            .code,
        0
    );
    let out = in_dir(dir.path(), &["--json", "--at", "2027-01-02T00:00:00Z", "gen", "--ca", "certs/ca", "a.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.finding_codes(), ["clamped-to-ca-expiry"]);
    assert_eq!(out.json()["data"]["certificate"]["not_after"], "2027-01-31T00:00:00Z");
    // An expired CA issues nothing.
    let late =
        in_dir(dir.path(), &["--at", "2027-03-01T00:00:00Z", "gen", "--ca", "certs/ca", "--out-dir", "late", "a.test"]);
    assert_eq!(late.code, 2);
    assert!(late.stderr.contains("not valid now"), "{}", late.stderr);
}

#[test]
fn an_existing_key_is_reused_in_any_encoding() {
    let dir = tempfile::tempdir().unwrap();
    for (key, expected_spki_of) in [
        ("keys/rsa2048.pkcs1.pem", "keys/rsa2048.pkcs8.pem"),
        ("keys/p256.sec1-params.pem", "keys/p256.pkcs8.pem"),
        ("keys/ed25519.pkcs8.pem", "keys/ed25519.pkcs8.pem"),
    ] {
        let sub = key.replace('/', "-");
        let out = in_dir(
            dir.path(),
            &["--json", "gen", "--key", fixture(key).to_str().unwrap(), "--out-dir", &sub, "a.test"],
        );
        assert_eq!(out.code, 0, "{key}: {}", out.stderr);
        let cert_spki = out.json()["data"]["certificate"]["spki_sha256"].as_str().unwrap().to_owned();
        let pubkey =
            openssl(&["pkey", "-in", fixture(expected_spki_of).to_str().unwrap(), "-pubout", "-outform", "DER"], None);
        assert_eq!(cert_spki, openssl_sha256(&pubkey), "{key}");
        assert!(!dir.path().join(&sub).join("private_key.pem").exists(), "{key}: reused in place, not copied");
    }
    // With --key-file the key is written as PKCS#8 that openssl reads.
    let out = in_dir(
        dir.path(),
        &[
            "gen",
            "--key",
            fixture("keys/rsa2048.pkcs1.pem").to_str().unwrap(),
            "--out-dir",
            "copy",
            "--key-file",
            "copy/key.pem",
            "a.test",
        ],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let copy = fs::read_to_string(dir.path().join("copy/key.pem")).unwrap();
    assert!(copy.starts_with("-----BEGIN PRIVATE KEY-----"));
    let a = openssl(&["pkey", "-in", dir.path().join("copy/key.pem").to_str().unwrap(), "-pubout"], None);
    let b = openssl(&["pkey", "-in", fixture("keys/rsa2048.pkcs1.pem").to_str().unwrap(), "-pubout"], None);
    assert_eq!(a, b);
    let encrypted = in_dir(
        dir.path(),
        &["gen", "--key", fixture("keys/rsa2048.encrypted-pkcs8.pem").to_str().unwrap(), "--out-dir", "enc", "a.test"],
    );
    assert_eq!(encrypted.code, 2);
    assert!(encrypted.stderr.contains("--password-file"), "{}", encrypted.stderr);
}

fn snapshot(dir: &Path) -> Vec<(Vec<u8>, std::time::SystemTime)> {
    ["certs/certificate.pem", "certs/private_key.pem"]
        .iter()
        .map(|f| {
            let p = dir.join(f);
            (fs::read(&p).unwrap(), fs::metadata(&p).unwrap().modified().unwrap())
        })
        .collect()
}

/// The `openssl req -x509` pair (CA:TRUE, self-signed) is replaced for being a CA
/// certificate, not for a wrong issuer.
#[test]
fn if_needed_names_ca_true_as_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("certs")).unwrap();
    fs::copy(fixture("certs/req-x509-ca-true.pem"), dir.path().join("certs/certificate.pem")).unwrap();
    fs::copy(fixture("keys/req-x509.key.pem"), dir.path().join("certs/private_key.pem")).unwrap();
    let out = in_dir(dir.path(), &["--json", "gen", "--if-needed", "localhost"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let reasons = out.json()["data"]["reasons"].to_string();
    assert!(reasons.contains("CA:TRUE") && !reasons.contains("not self-signed"), "{reasons}");
}

/// Outputs asked for later (`--der`, `--k8s-secret`) are written from the kept pair,
/// which stays byte for byte as it was.
#[test]
fn if_needed_writes_outputs_added_later_from_the_kept_pair() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(in_dir(dir.path(), &["gen", "app.test"]).code, 0);
    let pair = |d: &Path| {
        (fs::read(d.join("certs/certificate.pem")).unwrap(), fs::read(d.join("certs/private_key.pem")).unwrap())
    };
    let before = pair(dir.path());
    let out = in_dir(dir.path(), &["--json", "gen", "--if-needed", "--der", "--k8s-secret", "app-tls", "app.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["data"]["action"], "kept", "{json:#}");
    let reasons = json["data"]["reasons"].to_string();
    assert!(reasons.contains("certificate.der was missing"), "{reasons}");
    assert_eq!(pair(dir.path()), before, "the kept pair is untouched");
    for written in ["certs/certificate.der", "certs/private_key.der", "certs/app-tls.secret.yaml"] {
        assert!(dir.path().join(written).exists(), "{written}");
    }
    let der = fs::read(dir.path().join("certs/certificate.der")).unwrap();
    assert_eq!(openssl(&["x509", "-inform", "DER", "-outform", "PEM"], Some(&der)), before.0);
    // Everything there now: kept, nothing written.
    let out = in_dir(dir.path(), &["--json", "gen", "--if-needed", "--der", "--k8s-secret", "app-tls", "app.test"]);
    assert_eq!(out.json()["data"]["files"], serde_json::json!([]), "{}", out.stdout);
}

/// `--if-needed` keeps a good pair byte for byte and mtime for mtime, and replaces it,
/// saying why, when a name is added, the renewal window is reached or the key differs.
#[test]
fn if_needed_keeps_a_good_pair_and_renews_when_it_must() {
    let dir = tempfile::tempdir().unwrap();
    let first = in_dir(dir.path(), &["--json", "--at", AT, "gen", "--if-needed", "app.test"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json()["data"]["action"], "created");
    let before = snapshot(dir.path());

    std::thread::sleep(std::time::Duration::from_millis(20));
    let kept = in_dir(dir.path(), &["--json", "--at", AT, "gen", "--if-needed", "app.test"]);
    assert_eq!(kept.code, 0, "{}", kept.stderr);
    assert_eq!(kept.json()["data"]["action"], "kept");
    assert_eq!(snapshot(dir.path()), before, "kept files are untouched");
    let human = in_dir(dir.path(), &["--at", AT, "gen", "--if-needed", "app.test"]);
    assert!(human.stdout.starts_with("kept") && human.stdout.contains("unchanged"), "{}", human.stdout);

    let renew = |args: &[&str], reason: &str| {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = in_dir(dir.path(), &all);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let json = out.json();
        assert_eq!(json["data"]["action"], "replaced", "{args:?}");
        let reasons = json["data"]["reasons"].to_string();
        assert!(reasons.contains(reason), "{args:?}: {reasons}");
    };
    renew(&["--at", AT, "gen", "--if-needed", "app.test", "api.test"], "does not cover api.test");
    // 2027-01-01 + 365 days = 2028-01-01; 20 days before that is inside the 30-day window.
    renew(
        &["--at", "2027-12-12T00:00:00Z", "gen", "--if-needed", "app.test", "api.test"],
        "within the renewal window of 30 days",
    );
    fs::copy(fixture("keys/p256.pkcs8.pem"), dir.path().join("certs/private_key.pem")).unwrap();
    renew(
        &["--at", "2027-12-13T00:00:00Z", "gen", "--if-needed", "app.test", "api.test"],
        "the key does not match the certificate",
    );
    renew(
        &["--at", "2027-12-13T00:00:00Z", "gen", "--if-needed", "--key-type", "ed25519", "app.test", "api.test"],
        "not Ed25519",
    );
    assert_eq!(in_dir(dir.path(), &["gen", "--if-needed", "--force"]).code, 2, "the two flags conflict");
}

/// PKCS#12 with the documented algorithms, readable by openssl with the password, holding
/// the same key and certificate as the PEM files.
#[test]
fn pkcs12_output_holds_the_pair_under_the_password() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pw"), "p12-pass\n").unwrap();
    let none = in_dir(dir.path(), &["gen", "--p12", "certs/app.p12", "app.test"]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("needs a password") && none.stderr.contains("--password-file"), "{}", none.stderr);
    assert!(!dir.path().join("certs").exists(), "nothing written without a password");
    // An empty password is refused unless asked for: anyone could read the key.
    fs::write(dir.path().join("empty"), "\n").unwrap();
    let empty = in_dir(dir.path(), &["gen", "--p12", "certs/app.p12", "--password-file", "empty", "app.test"]);
    assert_eq!(empty.code, 2);
    assert!(
        empty.stderr.contains("certs/app.p12 is empty") && empty.stderr.contains("--p12-empty-password"),
        "{}",
        empty.stderr
    );
    assert!(!dir.path().join("certs").exists(), "nothing written with an empty password");
    let asked = in_dir(
        dir.path(),
        &[
            "gen",
            "--p12",
            "certs/empty.p12",
            "--password-file",
            "empty",
            "--p12-empty-password",
            "--out-dir",
            "e",
            "app.test",
        ],
    );
    assert_eq!(asked.code, 0, "{}", asked.stderr);
    let read = std::process::Command::new("openssl")
        .args(["pkcs12", "-in", "certs/empty.p12", "-nokeys", "-passin", "pass:"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&read.stdout).contains("BEGIN CERTIFICATE"),
        "openssl reads it with an empty password"
    );

    let out = in_dir(dir.path(), &["gen", "--p12", "certs/app.p12", "--password-file", "pw", "app.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let p12 = dir.path().join("certs/app.p12");
    assert_eq!(mode(&p12), 0o600);
    let p12 = p12.to_str().unwrap();
    let info = String::from_utf8(openssl(&["pkcs12", "-in", p12, "-passin", "pass:p12-pass", "-info", "-noout"], None))
        .unwrap()
        + &String::from_utf8(
            std::process::Command::new("openssl")
                .args(["pkcs12", "-in", p12, "-passin", "pass:p12-pass", "-info", "-noout"])
                .output()
                .unwrap()
                .stderr,
        )
        .unwrap();
    assert!(info.contains("PBES2, PBKDF2, AES-256-CBC") && info.contains("hmacWithSHA256"), "{info}");
    let key = openssl(&["pkcs12", "-in", p12, "-passin", "pass:p12-pass", "-nocerts", "-nodes"], None);
    let pub_from_p12 = openssl(&["pkey", "-pubout"], Some(&key));
    let pub_from_pem =
        openssl(&["pkey", "-in", dir.path().join("certs/private_key.pem").to_str().unwrap(), "-pubout"], None);
    assert_eq!(pub_from_p12, pub_from_pem);
    let cert = openssl(&["pkcs12", "-in", p12, "-passin", "pass:p12-pass", "-nokeys", "-clcerts"], None);
    let fp = |pem: &[u8]| openssl(&["x509", "-noout", "-fingerprint", "-sha256"], Some(pem));
    assert_eq!(fp(&cert), fp(&fs::read(dir.path().join("certs/certificate.pem")).unwrap()));
    let wrong = std::process::Command::new("openssl")
        .args(["pkcs12", "-in", p12, "-passin", "pass:wrong", "-noout"])
        .output()
        .unwrap();
    assert!(!wrong.status.success());
}

#[test]
fn encrypted_keys_are_reused_with_a_password() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pw"), "fixture-password\n").unwrap();
    fs::write(dir.path().join("bad"), "nope\n").unwrap();
    for key in [
        "keys/rsa2048.encrypted-pkcs8.pem",
        "keys/rsa2048.legacy-encrypted.pem",
        "keys/p256.encrypted-pkcs8-scrypt.pem",
    ] {
        let sub = key.replace('/', "-");
        let key_path = fixture(key);
        let out = in_dir(
            dir.path(),
            &[
                "--json",
                "gen",
                "--key",
                key_path.to_str().unwrap(),
                "--password-file",
                "pw",
                "--out-dir",
                &sub,
                "a.test",
            ],
        );
        assert_eq!(out.code, 0, "{key}: {}", out.stderr);
        let cert_spki = out.json()["data"]["certificate"]["spki_sha256"].as_str().unwrap().to_owned();
        let plain = openssl(
            &[
                "pkey",
                "-in",
                key_path.to_str().unwrap(),
                "-passin",
                "pass:fixture-password",
                "-pubout",
                "-outform",
                "DER",
            ],
            None,
        );
        assert_eq!(cert_spki, openssl_sha256(&plain), "{key}");
        let wrong = in_dir(
            dir.path(),
            &["gen", "--key", key_path.to_str().unwrap(), "--password-file", "bad", "--out-dir", "w", "a.test"],
        );
        assert_eq!(wrong.code, 2, "{key}");
        assert!(wrong.stderr.contains("wrong password"), "{key}: {}", wrong.stderr);
        assert!(!dir.path().join("w").exists());
    }
}

/// `ca create --if-missing`: created once, then kept byte for byte; never replaced when
/// the files there are not a usable CA.
#[test]
fn ca_if_missing_creates_once_and_never_replaces_silently() {
    let dir = tempfile::tempdir().unwrap();
    let first = in_dir(dir.path(), &["--json", "ca", "create", "--out-dir", "certs/ca", "--if-missing"]);
    assert_eq!(first.json()["data"]["action"], "created");
    let ca = dir.path().join("certs/ca/ca.pem");
    let before = (fs::read(&ca).unwrap(), fs::metadata(&ca).unwrap().modified().unwrap());
    let again = in_dir(dir.path(), &["--json", "ca", "create", "--out-dir", "certs/ca", "--if-missing"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(again.json()["data"]["action"], "kept");
    assert_eq!((fs::read(&ca).unwrap(), fs::metadata(&ca).unwrap().modified().unwrap()), before);
    fs::copy(fixture("keys/p256.pkcs8.pem"), dir.path().join("certs/ca/ca-key.pem")).unwrap();
    let wrong_key = in_dir(dir.path(), &["ca", "create", "--out-dir", "certs/ca", "--if-missing"]);
    assert_eq!(wrong_key.code, 2);
    assert!(
        wrong_key.stderr.contains("is not the key of") && wrong_key.stderr.contains("--force"),
        "{}",
        wrong_key.stderr
    );
    assert_eq!(fs::read(&ca).unwrap(), before.0);
}

/// Issuing from an intermediate CA: the served file holds the leaf and the intermediate
/// (never the root), and clients that trust only the root verify it.
#[test]
fn an_intermediate_ca_is_served_after_the_leaf() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let ext = dir.path().join("ext.cnf");
    fs::write(&ext, "[ca]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n[int]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n").unwrap();
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &p("root.key"),
            "-out",
            &p("root.pem"),
            "-subj",
            "/CN=Test Root",
            "-days",
            "30",
            "-config",
            ext.to_str().unwrap(),
            "-extensions",
            "ca",
        ],
        None,
    );
    openssl(
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &p("int.key"),
            "-out",
            &p("int.csr"),
            "-subj",
            "/CN=Test Intermediate",
        ],
        None,
    );
    openssl(
        &[
            "x509",
            "-req",
            "-in",
            &p("int.csr"),
            "-CA",
            &p("root.pem"),
            "-CAkey",
            &p("root.key"),
            "-CAcreateserial",
            "-out",
            &p("int.pem"),
            "-days",
            "30",
            "-extfile",
            ext.to_str().unwrap(),
            "-extensions",
            "int",
        ],
        None,
    );
    let bundle = format!("{}{}", fs::read_to_string(p("int.pem")).unwrap(), fs::read_to_string(p("root.pem")).unwrap());
    fs::write(p("bundle.pem"), bundle).unwrap();

    for (ca_file, sub) in [("bundle.pem", "with-root"), ("int.pem", "intermediate-only")] {
        let out =
            in_dir(dir.path(), &["gen", "--ca-cert", ca_file, "--ca-key", "int.key", "--out-dir", sub, "app.test"]);
        assert_eq!(out.code, 0, "{sub}: {}", out.stderr);
        let served = fs::read_to_string(dir.path().join(sub).join("certificate.pem")).unwrap();
        assert_eq!(served.matches("BEGIN CERTIFICATE").count(), 2, "{sub}: leaf and intermediate");
        assert!(
            !served.contains(fs::read_to_string(p("root.pem")).unwrap().lines().nth(1).unwrap()),
            "{sub}: never the root"
        );
        let cert = dir.path().join(sub).join("certificate.pem");
        let verify = run(["verify", "--ca", &p("root.pem"), "--host", "app.test", cert.to_str().unwrap()]);
        assert_eq!(verify.code, 0, "{sub}: {}\n{}", verify.stdout, verify.stderr);
        let ok = std::process::Command::new("openssl")
            .args(["verify", "-CAfile", &p("root.pem"), "-untrusted", cert.to_str().unwrap(), cert.to_str().unwrap()])
            .status()
            .unwrap();
        assert!(ok.success(), "{sub}: openssl verify");
        let key = dir.path().join(sub).join("private_key.pem");
        tls::handshake(&cert, &key, Path::new(&p("root.pem")), "app.test").unwrap_or_else(|e| panic!("{sub}: {e}"));
    }
}

/// `--at` outside what certificates and rustls can express is a usage error, never a
/// panic or a library's error text.
#[test]
fn at_outside_the_expressible_range_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for at in ["0000-01-01T00:00:00Z", "1960-01-01", "9999-06-01T00:00:00Z"] {
        for args in [vec!["--at", at, "gen"], vec!["--at", at, "ca", "create", "--out-dir", "certs/ca"]] {
            let out = in_dir(dir.path(), &args);
            assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
            assert!(
                out.stderr.contains("out of range") && !out.stderr.contains("panicked"),
                "{args:?}: {}",
                out.stderr
            );
        }
    }
    let far = in_dir(dir.path(), &["--at", "9000-01-01T00:00:00Z", "gen", "--days", "36500"]);
    assert_eq!(far.code, 0, "{}", far.stderr);
    // At the epoch itself the certificate cannot start five minutes early: it starts then.
    let epoch = in_dir(dir.path(), &["--json", "--at", "1970-01-01T00:00:03Z", "gen", "--out-dir", "epoch"]);
    assert_eq!(epoch.code, 0, "{}", epoch.stderr);
    assert_eq!(epoch.json()["data"]["certificate"]["not_before"], "1970-01-01T00:00:00Z");
    assert!(!dir.path().join("certs/ca").exists());
}

/// A reused key Granian cannot load, or one outside the certificate's folder, is written
/// with warnings: gen's own next step (verify) would otherwise fail with no notice.
#[test]
fn a_reused_key_granian_cannot_load_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let out =
        in_dir(dir.path(), &["--json", "gen", "--key", fixture("keys/p521.pkcs8.pem").to_str().unwrap(), "a.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mut codes = out.finding_codes();
    codes.sort();
    assert_eq!(codes, ["key-outside-certificate-folder", "key-unsupported-by-granian"]);
    // Copied beside the certificate: the copy is PKCS#8 in place, only the type remains a problem.
    let copied = in_dir(
        dir.path(),
        &[
            "--json",
            "gen",
            "--key",
            fixture("keys/rsa2048.pkcs1.der").to_str().unwrap(),
            "--key-file",
            "c/private_key.pem",
            "--out-dir",
            "c",
            "a.test",
        ],
    );
    assert_eq!(copied.code, 0, "{}", copied.stderr);
    assert_eq!(copied.finding_codes(), Vec::<String>::new());
}

/// --client adds clientAuth, and --if-needed renews a certificate without it.
#[test]
fn client_auth_is_added_on_request_and_renewed_for() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(in_dir(dir.path(), &["gen", "app.test"]).code, 0);
    let out = in_dir(dir.path(), &["--json", "gen", "--if-needed", "--client", "app.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["data"]["action"], "replaced");
    assert!(json["data"]["reasons"].to_string().contains("clientAuth"));
    assert_eq!(json["data"]["certificate"]["extended_key_usage"], serde_json::json!(["serverAuth", "clientAuth"]));
    let text = text_of(&dir.path().join("certs/certificate.pem"));
    assert!(text.contains("TLS Web Client Authentication"));
}

/// A URL or NAME:PORT pasted from a configuration (the guide's TARANIS_CORE_URL) names its
/// host, and gen says so; a wildcard right under a public suffix is refused.
#[test]
fn addresses_give_their_host_and_public_suffix_wildcards_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let gen_json = |args: &[&str]| -> (Run, serde_json::Value) {
        let out: Run =
            certsmith().current_dir(dir.path()).args(["--json", "gen", "--force"]).args(args).output().unwrap().into();
        let json = out.json();
        (out, json)
    };
    for (given, host) in [
        ("https://your-domain.com:8443/api", "your-domain.com"),
        ("example.com:8443", "example.com"),
        ("[::1]:8443", "::1"),
    ] {
        let (out, json) = gen_json(&[given]);
        assert_eq!(out.code, 0, "{given}: {}", out.stderr);
        let found = finding(&json, "name-from-address");
        assert!(found["message"].as_str().unwrap().contains(host), "{given}: {found}");
        let san = openssl(
            &[
                "x509",
                "-noout",
                "-ext",
                "subjectAltName",
                "-in",
                dir.path().join("certs/certificate.pem").to_str().unwrap(),
            ],
            None,
        );
        let san = String::from_utf8_lossy(&san).to_lowercase();
        assert!(san.contains(&host.to_lowercase().replace("::1", "0:0:0:0:0:0:0:1")), "{given}: {san}");
        assert!(!san.contains("uri:"), "{given}: {san}");
    }
    for (wildcard, suffix) in [("*.com", "com"), ("*.co.uk", "co.uk")] {
        let (out, json) = gen_json(&[wildcard]);
        assert_eq!(out.code, 2, "{wildcard}");
        let message = json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(&format!("public suffix {suffix}")), "{message}");
    }
    // A wildcard under a registrable domain, or a private suffix, is fine.
    for fine in ["*.example.com", "*.github.io"] {
        assert_eq!(gen_json(&[fine]).0.code, 0, "{fine}");
    }
}

/// The guide makes RSA-2048 keys: `--key-type rsa` means that, and keep-if-good is
/// `--if-needed` on gen and on ca create alike (`--if-missing`, ca create's old name, too).
#[test]
fn rsa_means_rsa_2048_and_if_needed_is_one_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out: Run =
        certsmith().current_dir(dir.path()).args(["--json", "gen", "--key-type", "rsa"]).output().unwrap().into();
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = String::from_utf8(openssl(
        &["pkey", "-in", dir.path().join("certs/private_key.pem").to_str().unwrap(), "-noout", "-text"],
        None,
    ))
    .unwrap();
    assert!(text.contains("2048 bit"), "{text}");
    let home = dir.path().join("home");
    for flag in ["--if-needed", "--if-missing", "--if-needed"] {
        let ca: Run =
            certsmith().env("CERTSMITH_CAROOT", &home).args(["--json", "ca", "create", flag]).output().unwrap().into();
        assert_eq!(ca.code, 0, "{flag}: {}", ca.stderr);
    }
    let kept: Run =
        certsmith().current_dir(dir.path()).args(["gen", "--if-missing", "--key-type", "rsa"]).output().unwrap().into();
    assert_eq!(kept.code, 0, "{}", kept.stderr);
}
