//! `certsmith verify`, on fixtures made by openssl and on a small PKI (root, intermediate,
//! leaf) made by the openssl CLI at test time with fixed dates, cross-checked with
//! `openssl verify` where both should agree, and where they should not.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::util::*;

/// Inside the test PKI's leaf validity (2026-01-01 to 2027-01-01).
const AT_CHAIN: &str = "2026-06-01T00:00:00Z";

/// `openssl ca` settings for the test PKI: explicit extensions, nothing from a distribution.
const CA_CONFIG: &str = "\
[ca]
default_ca = ca_default
[ca_default]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.example.test, DNS:example.test, IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
";

/// A CA-issued chain made by the openssl CLI (an implementation independent of certsmith):
/// `root.pem` → `int.pem` → `leaf.pem`, plus `other-root.pem` (an unrelated CA) and
/// `impostor.pem` (a self-signed CA with the intermediate's name and another key).
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let pki = Self { dir };
        std::fs::write(pki.file("ca.cnf"), CA_CONFIG).unwrap();
        std::fs::write(pki.file("index.txt"), "").unwrap();
        std::fs::write(pki.file("serial"), "1000\n").unwrap();
        for key in ["root", "int", "leaf", "other-root", "impostor"] {
            pki.openssl(&[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &format!("{key}.key"),
            ]);
        }
        let (from, to) = ("20250101000000Z", "20350101000000Z");
        pki.issue("root", "/CN=Test Root", None, "root", from, to);
        pki.issue("int", "/CN=Test Intermediate", Some("root"), "intermediate", from, "20300101000000Z");
        pki.issue("leaf", "/CN=www.example.test", Some("int"), "leaf", "20260101000000Z", "20270101000000Z");
        pki.issue("other-root", "/CN=Other Root", None, "root", from, to);
        pki.issue("impostor", "/CN=Test Intermediate", None, "root", from, to);
        pki
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn path(&self, name: &str) -> String {
        self.file(name).to_str().unwrap().to_owned()
    }

    fn openssl(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .env("OPENSSL_CONF", "/dev/null")
            .output()
            .unwrap();
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// `openssl ca` with fixed dates (`-selfsign` when there is no issuer).
    fn issue(&self, name: &str, subject: &str, issuer: Option<&str>, extensions: &str, start: &str, end: &str) {
        let (csr, out) = (format!("{name}.csr"), format!("{name}.pem"));
        self.openssl(&["req", "-new", "-key", &format!("{name}.key"), "-subj", subject, "-out", &csr]);
        let mut args =
            vec!["ca", "-batch", "-notext", "-config", "ca.cnf", "-in", &csr, "-out", &out, "-extensions", extensions];
        args.extend(["-startdate", start, "-enddate", end]);
        let (cert, key) =
            issuer.map_or((String::new(), format!("{name}.key")), |i| (format!("{i}.pem"), format!("{i}.key")));
        match issuer {
            Some(_) => args.extend(["-cert", &cert, "-keyfile", &key]),
            None => args.extend(["-selfsign", "-keyfile", &key]),
        }
        self.openssl(&args);
    }

    /// A file of the named certificates, in that order.
    fn bundle(&self, name: &str, parts: &[&str]) -> String {
        let text: String =
            parts.iter().map(|p| std::fs::read_to_string(self.file(&format!("{p}.pem"))).unwrap()).collect();
        std::fs::write(self.file(name), text).unwrap();
        self.path(name)
    }
}

/// `openssl verify` at a given time: whether it says OK.
fn openssl_verify(at: &str, args: &[&str]) -> bool {
    let epoch = certsmith::clock::parse_time(at).unwrap().unix_timestamp().to_string();
    let out = Command::new("openssl")
        .args(["verify", "-attime", &epoch])
        .args(args)
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .expect("the openssl CLI is needed by the tests (.ci/run installs it)");
    out.status.success() && String::from_utf8_lossy(&out.stdout).contains(": OK")
}

fn verify(at: &str, args: &[&str]) -> Run {
    let mut all = vec!["--at", at, "verify"];
    all.extend_from_slice(args);
    run(all)
}

fn verify_json(at: &str, args: &[&str]) -> (Run, Value) {
    let mut all = vec!["--json", "--at", at, "verify"];
    all.extend_from_slice(args);
    let out = run(all);
    let json = out.json();
    (out, json)
}

#[test]
fn v1_certificate_fails_as_rustls_fails_it_though_openssl_accepts_it() {
    let path = fixture_str("certs/v1.pem");
    assert!(openssl_verify(AT, &["-CAfile", &path, &path]), "openssl verify accepts the v1 certificate");
    let human = verify(AT, &[&path]);
    assert_eq!(human.code, 1, "{}", human.stdout);
    assert!(human.stdout.contains("UnsupportedCertVersion"), "{}", human.stdout);
    assert!(human.stdout.contains("error[unsupported-cert-version]"), "{}", human.stdout);
    let (out, json) = verify_json(AT, &[&path]);
    assert_eq!(out.code, 1);
    assert!(out.finding_codes().contains(&"unsupported-cert-version".to_owned()));
    assert_eq!(finding(&json, "unsupported-cert-version")["severity"], "error");
    // webpki's own UnsupportedCertVersion is the same problem: reported once.
    assert_eq!(out.finding_codes().iter().filter(|c| *c == "unsupported-cert-version").count(), 1);
}

#[test]
fn openssl_req_x509_certificate_is_a_ca_used_as_end_entity() {
    let path = fixture_str("certs/req-x509-ca-true.pem");
    assert!(openssl_verify(AT, &["-purpose", "sslserver", "-CAfile", &path, &path]), "openssl verify accepts it");
    let (out, json) = verify_json(AT, &[&path]);
    assert_eq!(out.code, 1);
    assert_eq!(out.finding_codes().iter().filter(|c| *c == "ca-used-as-end-entity").count(), 1, "{json:#}");
    assert!(finding(&json, "ca-used-as-end-entity")["message"].as_str().unwrap().contains("CaUsedAsEndEntity"));
    assert_eq!(finding(&json, "no-subject-alt-name")["severity"], "error");
}

#[test]
fn every_name_of_the_certificate_passes_and_another_fails_listing_the_covered_names() {
    // fixture.test, *.fixture.test, 127.0.0.1, ::1 (fixtures/certs/v3.cnf).
    let path = fixture_str("certs/v3-p256.pem");
    let names = ["fixture.test", "www.fixture.test", "127.0.0.1", "::1"];
    let mut args: Vec<&str> = names.iter().flat_map(|n| ["--host", n]).collect();
    args.push(&path);
    let (out, json) = verify_json(AT, &args);
    assert_eq!(out.code, 0, "{json:#}");
    assert_eq!(out.finding_codes(), Vec::<String>::new());
    assert_eq!(json["data"]["files"][0]["names"], serde_json::json!(names));
    for name in names {
        let host = if name.contains(':') || name.starts_with("127") { "-verify_ip" } else { "-verify_hostname" };
        assert!(openssl_verify(AT, &[host, name, "-CAfile", &path, &path]), "openssl agrees on {name}");
    }

    // rustls' rules: a wildcard covers one label, an IP needs an IP SAN.
    for other in ["other.test", "a.b.fixture.test", "127.0.0.2"] {
        let (out, json) = verify_json(AT, &["--host", "fixture.test", "--host", other, &path]);
        assert_eq!(out.code, 1, "{other}");
        assert_eq!(out.finding_codes(), ["name-mismatch"], "{other}");
        let message = finding(&json, "name-mismatch")["message"].as_str().unwrap();
        assert!(message.contains(other), "{message}");
        assert!(message.contains("fixture.test, *.fixture.test, 127.0.0.1, ::1"), "{message}");
        let host = if other.starts_with("127") { "-verify_ip" } else { "-verify_hostname" };
        assert!(!openssl_verify(AT, &[host, other, "-CAfile", &path, &path]), "openssl agrees on {other}");
    }
    let human = verify(AT, &["--host", "other.test", &path]);
    assert!(human.stdout.contains("error[name-mismatch]") && human.stdout.contains("FAIL"), "{}", human.stdout);
}

/// What `certsmith gen` makes passes every check, for each of its names; another name fails.
#[test]
fn a_gen_certificate_passes_for_each_of_its_names_and_fails_for_another() {
    let dir = tempfile::tempdir().unwrap();
    let in_dir = |args: &[&str]| -> Run { certsmith().current_dir(dir.path()).args(args).output().unwrap().into() };
    let made = in_dir(&["--at", AT, "gen", "app.test", "*.app.test", "127.0.0.1", "::1"]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let hosts = ["app.test", "www.app.test", "127.0.0.1", "::1"];
    let mut args = vec!["--json", "--at", AT, "verify"];
    args.extend(hosts.iter().flat_map(|h| ["--host", h]));
    args.push("certs/certificate.pem");
    let out = in_dir(&args);
    assert_eq!((out.code, out.finding_codes()), (0, vec![]), "{}", out.stdout);

    let out = in_dir(&["--json", "--at", AT, "verify", "--host", "other.test", "certs/certificate.pem"]);
    assert_eq!((out.code, out.finding_codes()), (1, vec!["name-mismatch".to_owned()]));
    let message = out.json()["findings"][0]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("it covers app.test, *.app.test, 127.0.0.1, ::1"), "{message}");

    // Issued by `certsmith ca create`'s CA: passes with it, not without being told to trust it.
    assert_eq!(in_dir(&["--at", AT, "ca", "create", "--out-dir", "certs/ca"]).code, 0);
    assert_eq!(in_dir(&["--at", AT, "gen", "--ca", "certs/ca", "--out-dir", "issued", "app.test"]).code, 0);
    let out = in_dir(&[
        "--json",
        "--at",
        AT,
        "verify",
        "--ca",
        "certs/ca/ca.pem",
        "--host",
        "app.test",
        "issued/certificate.pem",
    ]);
    assert_eq!((out.code, out.finding_codes()), (0, vec![]), "{}", out.stdout);
    let out = in_dir(&["--json", "--at", AT, "verify", "--ca", "certs/certificate.pem", "issued/certificate.pem"]);
    assert_eq!((out.code, out.finding_codes()), (1, vec!["unknown-issuer".to_owned()]), "{}", out.stdout);
}

#[test]
fn the_common_name_is_not_a_name() {
    // CN=localhost and no SAN: curl would accept it, rustls and browsers do not.
    let path = fixture_str("certs/req-x509-ca-true.pem");
    let (out, _) = verify_json(AT, &["--host", "localhost", &path]);
    assert_eq!(out.code, 1);
    let codes = out.finding_codes();
    assert!(codes.contains(&"no-subject-alt-name".to_owned()), "{codes:?}");
    assert!(!codes.contains(&"name-mismatch".to_owned()), "no SAN already says why: {codes:?}");
}

#[test]
fn ca_issued_leaf_passes_with_its_ca_and_fails_with_another() {
    let pki = Pki::new();
    let chain = pki.bundle("chain.pem", &["leaf", "int"]);
    let (root, other) = (pki.path("root.pem"), pki.path("other-root.pem"));
    let (leaf, int) = (pki.path("leaf.pem"), pki.path("int.pem"));

    let (out, json) = verify_json(AT_CHAIN, &["--ca", &root, "--host", "www.example.test", &chain]);
    assert_eq!(out.code, 0, "{json:#}");
    assert_eq!(out.finding_codes(), Vec::<String>::new());
    let links = json["data"]["files"][0]["chain"].as_array().unwrap();
    let sources: Vec<(&str, u64, bool)> = links
        .iter()
        .map(|l| {
            (
                l["source"]["path"].as_str().unwrap(),
                l["source"]["index"].as_u64().unwrap(),
                l["trust_anchor"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(sources, [(chain.as_str(), 0, false), (chain.as_str(), 1, false), (root.as_str(), 0, true)]);
    for (link, file) in links.iter().zip([&leaf, &int, &root]) {
        let fingerprint =
            String::from_utf8(openssl(&["x509", "-in", file, "-noout", "-fingerprint", "-sha256"], None)).unwrap();
        assert_eq!(link["fingerprint_sha256"].as_str().unwrap(), normalise_hex(fingerprint.split('=').nth(1).unwrap()));
    }
    assert!(openssl_verify(AT_CHAIN, &["-CAfile", &root, "-untrusted", &int, &leaf]));

    // The intermediate from --untrusted instead of the file.
    let (out, _) = verify_json(AT_CHAIN, &["--ca", &root, "--untrusted", &int, &leaf]);
    assert_eq!(out.code, 0);

    let (out, json) = verify_json(AT_CHAIN, &["--ca", &other, &chain]);
    assert_eq!(out.code, 1);
    assert_eq!(out.finding_codes(), ["unknown-issuer"]);
    assert_eq!(finding(&json, "unknown-issuer")["severity"], "error");
    assert!(!openssl_verify(AT_CHAIN, &["-CAfile", &other, "-untrusted", &int, &leaf]));

    // The leaf alone: its issuer is nowhere.
    let (out, json) = verify_json(AT_CHAIN, &["--ca", &root, &leaf]);
    assert_eq!(out.finding_codes(), ["unknown-issuer"]);
    assert!(finding(&json, "unknown-issuer")["message"].as_str().unwrap().contains("CN=Test Intermediate"));
}

#[test]
fn without_ca_trust_is_a_warning_and_a_self_signed_leaf_trusts_itself() {
    let pki = Pki::new();
    let chain = pki.bundle("chain.pem", &["leaf", "int"]);
    let (out, json) = verify_json(AT_CHAIN, &[&chain]);
    assert_eq!(out.code, 0, "{json:#}");
    assert_eq!(out.finding_codes(), ["unknown-issuer"]);
    assert_eq!(finding(&json, "unknown-issuer")["severity"], "warning");
    assert!(finding(&json, "unknown-issuer")["hint"].as_str().unwrap().contains("--ca"));
    assert_eq!(verify(AT_CHAIN, &["--strict", &chain]).code, 1);

    let self_signed = fixture_str("certs/v3-ed25519.pem");
    let (out, json) = verify_json(AT, &[&self_signed]);
    assert_eq!(out.code, 0, "{json:#}");
    let links = json["data"]["files"][0]["chain"].as_array().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0]["trust_anchor"], true);
}

#[test]
fn expired_and_expiring_soon() {
    let pki = Pki::new();
    let chain = pki.bundle("chain.pem", &["leaf", "int"]);
    let root = pki.path("root.pem");
    let after = "2027-01-02T00:00:00Z";
    let (out, json) = verify_json(after, &["--ca", &root, &chain]);
    assert_eq!(out.code, 1);
    assert_eq!(out.finding_codes(), ["expired"], "webpki's CertExpired is the same problem: {json:#}");
    assert!(finding(&json, "expired")["message"].as_str().unwrap().contains("2027-01-01 00:00:00 UTC"));
    assert!(!openssl_verify(after, &["-CAfile", &root, "-untrusted", &pki.path("int.pem"), &pki.path("leaf.pem")]));

    let soon = "2026-12-20T00:00:00Z"; // 12 days before notAfter
    let (out, json) = verify_json(soon, &["--ca", &root, &chain]);
    assert_eq!(out.code, 0);
    assert_eq!(out.finding_codes(), ["expires-soon"]);
    assert_eq!(finding(&json, "expires-soon")["severity"], "warning");
    assert_eq!(json["status"], "warning");
    assert_eq!(verify(soon, &["--strict", "--ca", &root, &chain]).code, 1);
    // JSON status says what the exit status says: with --strict a warning is a failure.
    let (out, json) = verify_json(soon, &["--strict", "--ca", &root, &chain]);
    assert_eq!((out.code, json["status"].as_str()), (1, Some("error")));
    let (out, _) = verify_json(soon, &["--warn-days", "10", "--ca", &root, &chain]);
    assert_eq!((out.code, out.finding_codes()), (0, vec![]));
    let human = verify(soon, &["--ca", &root, &chain]);
    assert!(human.stdout.contains("warning[expires-soon]") && human.stdout.contains("in 12 days"), "{}", human.stdout);
}

#[test]
fn bundles_in_the_wrong_order_or_with_strangers() {
    let pki = Pki::new();
    let root = pki.path("root.pem");

    // The intermediate first: the server would present it as its own certificate.
    let reversed = pki.bundle("reversed.pem", &["int", "leaf"]);
    let (out, json) = verify_json(AT_CHAIN, &["--ca", &root, &reversed]);
    assert_eq!(out.code, 1);
    let codes = out.finding_codes();
    assert!(
        codes.contains(&"chain-order".to_owned()) && codes.contains(&"ca-used-as-end-entity".to_owned()),
        "{codes:?}"
    );
    assert_eq!(finding(&json, "chain-order")["subject"]["index"], 1);

    // Intermediates out of order: leaf, root, intermediate.
    let shuffled = pki.bundle("shuffled.pem", &["leaf", "root", "int"]);
    let (out, json) = verify_json(AT_CHAIN, &["--ca", &root, &shuffled]);
    assert_eq!((out.code, out.finding_codes()), (1, vec!["chain-order".to_owned()]), "{json:#}");
    assert!(finding(&json, "chain-order")["message"].as_str().unwrap().contains("the chain is #0, #2, #1"));

    // The root sent along, in order, is part of the chain.
    let full = pki.bundle("full.pem", &["leaf", "int", "root"]);
    let (out, json) = verify_json(AT_CHAIN, &["--ca", &root, &full]);
    assert_eq!((out.code, out.finding_codes()), (0, vec![]), "{json:#}");

    // A certificate that has nothing to do with the chain.
    let stranger = pki.bundle("stranger.pem", &["leaf", "int", "other-root"]);
    let (out, json) = verify_json(AT_CHAIN, &["--ca", &root, &stranger]);
    assert_eq!((out.code, out.finding_codes()), (1, vec!["chain-order".to_owned()]), "{json:#}");
    assert_eq!(finding(&json, "chain-order")["subject"]["index"], 2);
}

#[test]
fn a_signature_that_does_not_verify() {
    let pki = Pki::new();
    // The impostor has the intermediate's name but another key.
    let forged = pki.bundle("forged.pem", &["leaf", "impostor"]);
    let root = pki.path("root.pem");
    let (out, json) = verify_json(AT_CHAIN, &["--ca", &root, &forged]);
    assert_eq!(out.code, 1);
    // Also unknown-issuer: no certificate that could have issued the leaf leads to the root.
    assert_eq!(out.finding_codes(), ["bad-signature", "unknown-issuer"], "{json:#}");
    assert_eq!(finding(&json, "bad-signature")["subject"]["index"], 0);
    assert!(!openssl_verify(
        AT_CHAIN,
        &["-CAfile", &root, "-untrusted", &pki.path("impostor.pem"), &pki.path("leaf.pem")]
    ));
}

#[test]
fn many_files_each_reported_and_an_unreadable_one_exits_2() {
    let pki = Pki::new();
    let chain = pki.bundle("chain.pem", &["leaf", "int"]);
    let (good, v1) = (fixture_str("certs/v3-p256.pem"), fixture_str("certs/v1.pem"));
    let missing = pki.path("missing.pem");

    let (out, json) = verify_json(AT, &[&good, &v1]);
    assert_eq!(out.code, 1);
    let paths: Vec<&str> =
        json["data"]["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, [good.as_str(), v1.as_str()]);
    assert!(json["findings"].as_array().unwrap().iter().all(|f| f["subject"]["path"] == v1.as_str()));

    // At AT the chain's leaf expires this very second (a warning) and trust is unchecked.
    let (out, json) = verify_json(AT, &[&chain, &missing, &good]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_eq!(json["data"]["files"].as_array().unwrap().len(), 2);
    assert_eq!(json["errors"][0]["subject"]["path"], missing.as_str());
    assert!(out.stderr.contains("certsmith: error: cannot read") && out.stderr.contains("hint:"), "{}", out.stderr);

    let human = verify(AT, &[&chain, &missing, &good]);
    assert!(
        human.stdout.contains("3 files: 1 pass, 1 with warnings, 0 with errors, 1 could not be read"),
        "{}",
        human.stdout
    );
}

#[test]
fn what_keeps_verify_from_running_exits_2() {
    let path = fixture_str("certs/v3-p256.pem");
    let bad_host = verify(AT, &["--host", "https://example.com/", &path]);
    assert_eq!(bad_host.code, 2);
    assert!(bad_host.stderr.contains("is an address, not a host name"), "{}", bad_host.stderr);
    assert!(bad_host.stderr.contains("hint: pass the host alone: --host example.com"), "{}", bad_host.stderr);
    let not_a_name = verify(AT, &["--host", "exa mple", &path]);
    assert_eq!(not_a_name.code, 2);
    assert!(not_a_name.stderr.contains("neither a DNS name nor an IP address"), "{}", not_a_name.stderr);
    let missing_ca = verify(AT, &["--ca", "/nonexistent/ca.pem", &path]);
    assert_eq!(missing_ca.code, 2);
    assert!(missing_ca.stderr.contains("/nonexistent/ca.pem"), "{}", missing_ca.stderr);
    let key_as_ca = verify(AT, &["--ca", &fixture_str("keys/p256.pkcs8.pem"), &path]);
    assert_eq!(key_as_ca.code, 2);
    assert!(key_as_ca.stderr.contains("holds a private key, not a certificate"), "{}", key_as_ca.stderr);
    assert_eq!(run(["verify"]).code, 2, "a CERT is required");
    let missing = verify(AT, &["/nonexistent/cert.pem"]);
    assert_eq!(missing.code, 2, "a file that cannot be reached has no verdict");
}

#[test]
fn human_output_has_a_checklist_per_file() {
    let path = fixture_str("certs/v1.pem");
    let out = verify(AT, &["--host", "legacy.test", &path]);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], path);
    let checklist: Vec<&str> = lines
        .iter()
        .map(|l| l.trim_start())
        .filter(|l| matches!(l.split_whitespace().next(), Some("ok" | "warn" | "FAIL")))
        .collect();
    assert_eq!(checklist.len(), 7, "{}", out.stdout);
    assert!(checklist[0].starts_with("FAIL") && checklist[0].contains("X.509 v3"), "{}", out.stdout);
    assert!(checklist.iter().any(|l| l.starts_with("FAIL") && l.contains("legacy.test")), "{}", out.stdout);
    assert!(checklist.iter().any(|l| l.starts_with("ok") && l.contains("file order")), "{}", out.stdout);
    assert!(out.stdout.contains("hint: make a v3 certificate"), "{}", out.stdout);
}

/// `--key`: match-key's check of the served key, as errors, under its own checklist line.
#[test]
fn key_is_checked_against_the_leaf_and_for_granian() {
    let cert = fixture_str("certs/v3-rsa2048.pem");
    let good = verify(crate::util::AT, &["--key", &fixture_str("keys/rsa2048.pkcs1.pem"), &cert]);
    assert_eq!(good.code, 0, "{}\n{}", good.stdout, good.stderr);
    assert!(good.stdout.contains("ok    the key"), "{}", good.stdout);

    let (mismatch, json) = verify_json(crate::util::AT, &["--key", &fixture_str("keys/p256.pkcs8.pem"), &cert]);
    assert_eq!(mismatch.code, 1);
    assert_eq!(finding(&json, "key-mismatch")["severity"], "error");
    assert_eq!(json["data"]["files"][0]["key"], fixture_str("keys/p256.pkcs8.pem"));

    let dir = tempfile::tempdir().unwrap();
    let pw = dir.path().join("pw");
    std::fs::write(&pw, "fixture-password\n").unwrap();
    let legacy = fixture_str("keys/rsa2048.legacy-encrypted.pem");
    let (out, json) = verify_json(crate::util::AT, &["--key", &legacy, "--password-file", pw.to_str().unwrap(), &cert]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(finding(&json, "key-format-unsupported-by-granian")["severity"], "error");
    assert!(json["findings"].as_array().unwrap().iter().all(|f| f["code"] != "key-mismatch"));

    // Without a password Granian cannot start; the certificate's clients are unaffected.
    let (no_password, json) = verify_json(crate::util::AT, &["--key", &legacy, &cert]);
    assert_eq!(no_password.code, 1, "{}", no_password.stderr);
    let found = finding(&json, "encrypted-key-without-password");
    assert!(found["hint"].as_str().unwrap().contains("--password-file"), "{found}");
    assert_eq!(found["affects"], serde_json::json!(["granian"]));
    let verdicts = &json["data"]["verdicts"];
    assert_eq!(verdicts["granian"]["result"], "fails");
    assert_eq!(verdicts["openssl_clients"]["result"], "accept");
    assert_eq!(verdicts["rustls_clients"]["result"], "accept");
}

/// The guide's own config writes `keyUsage = keyEncipherment, dataEncipherment`: rustls
/// and OpenSSL clients accept it, Chrome does not (TLS 1.3 servers sign), Firefox does. A
/// warning, which the browsers' verdict lists as some of them rejecting.
#[test]
fn key_usage_without_digital_signature_is_a_warning_for_some_browsers() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("cert.conf");
    std::fs::write(&conf, "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=guide.test\n[v3]\nkeyUsage=keyEncipherment,dataEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:guide.test\n").unwrap();
    let cert = dir.path().join("cert.pem");
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            dir.path().join("key.pem").to_str().unwrap(),
            "-config",
            conf.to_str().unwrap(),
            "-extensions",
            "v3",
            "-days",
            "30",
            "-out",
            cert.to_str().unwrap(),
        ],
        None,
    );
    let now = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap();
    let cert = cert.to_str().unwrap();
    let (out, json) = verify_json(&now, &["--host", "guide.test", cert]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(finding(&json, "key-usage-lacks-digital-signature")["severity"], "warning");
    let verdicts = &json["data"]["verdicts"];
    let browsers =
        serde_json::json!({"result": "accept", "codes": [], "warnings": ["key-usage-lacks-digital-signature"]});
    assert_eq!(verdicts["browsers"], browsers);
    for party in ["granian", "rustls_clients", "openssl_clients"] {
        assert!(verdicts[party]["warnings"].as_array().unwrap().is_empty(), "{party}: {verdicts}");
    }
    let human = verify(&now, &["--host", "guide.test", cert]);
    assert!(human.stdout.contains("accept (some reject: key-usage-lacks-digital-signature)"), "{}", human.stdout);
    let strict = verify(&now, &["--strict", "--host", "guide.test", cert]);
    assert_eq!(strict.code, 1);
}

/// `--client` narrows the exit status to some parties: a CA:TRUE leaf fails rustls clients
/// and browsers, while curl and Python accept it.
#[test]
fn client_narrows_the_exit_status_to_the_parties_asked_about() {
    let cert = fixture_str("certs/req-x509-ca-true.pem");
    let (out, json) = verify_json(AT, &["--host", "localhost", &cert]);
    assert_eq!(out.code, 1);
    assert_eq!(json["data"]["verdicts"]["openssl_clients"]["result"], "accept");
    assert_eq!(json["data"]["verdicts"]["rustls_clients"]["result"], "reject");
    let (out, json) = verify_json(AT, &["--client", "openssl", "--client", "granian", "--host", "localhost", &cert]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_eq!(finding(&json, "ca-used-as-end-entity")["severity"], "warning");
    assert_eq!(json["data"]["parties"], serde_json::json!(["granian", "openssl_clients"]));
    assert_eq!(json["data"]["verdicts"]["rustls_clients"]["result"], "reject", "the verdict stays true");
    let (out, _) = verify_json(AT, &["--client", "rustls", "--host", "localhost", &cert]);
    assert_eq!(out.code, 1);
}

/// `verify certs/*.pem` picks up the key gen writes beside the certificate: the finding
/// says it is a key and how to check it instead (as a certificate file, every party
/// fails with it); the certificate is still checked.
#[test]
fn a_key_among_the_files_is_named_as_a_key() {
    let (cert, key) = (fixture_str("certs/v3-p256.pem"), fixture_str("keys/p256.pkcs8.pem"));
    let (out, json) = verify_json(AT, &[&cert, &key]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found = finding(&json, "no-certificate");
    assert!(
        found["message"].as_str().unwrap().contains("p256.pkcs8.pem holds a private key, not a certificate"),
        "{found}"
    );
    assert!(found["hint"].as_str().unwrap().contains("--key"), "{found}");
    let files = json["data"]["files"].as_array().unwrap();
    assert_eq!(files[0]["verdicts"]["rustls_clients"]["result"], "accept", "the certificate is still checked");
    assert_eq!(files[1]["verdicts"]["granian"]["result"], "fails");
    assert!(files[1].get("leaf").is_none());
    let human = verify(AT, &[&cert, &key]);
    assert!(human.stdout.contains("skip  names in subjectAltName"), "checks that did not run say so: {}", human.stdout);
}

/// `--key` given a certificate (the files swapped): verify's own words, not match-key's.
#[test]
fn a_certificate_given_as_key_is_named() {
    let cert = fixture_str("certs/v3-p256.pem");
    let (out, json) = verify_json("2026-06-01T00:00:00Z", &["--key", &cert, &fixture_str("keys/p256.pkcs8.pem")]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let found = finding(&json, "no-private-key");
    let message = found["message"].as_str().unwrap();
    assert!(message.contains("v3-p256.pem (--key) holds a certificate, not a private key"), "{message}");
    assert!(!message.contains("second argument"), "{message}");
    assert_eq!(json["data"]["verdicts"]["granian"]["result"], "fails");
}

/// verify takes a name in every form gen takes it: an IDN, a trailing dot, an IPv6
/// address in brackets; a wildcard is answered with a name it would cover.
#[test]
fn hosts_take_the_forms_gen_takes() {
    let dir = tempfile::tempdir().unwrap();
    let made = certsmith().current_dir(dir.path()).args(["gen", "bücher.example", "::1"]).output().unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let cert = dir.path().join("certs/certificate.pem");
    let cert = cert.to_str().unwrap();
    let now = time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap();
    for host in ["bücher.example", "bücher.example.", "XN--BCHER-KVA.example", "[::1]", "::1"] {
        let (out, json) = verify_json(&now, &["--host", host, cert]);
        assert_eq!(out.code, 0, "{host}: {}{}", out.stdout, out.stderr);
        assert_eq!(json["data"]["verdicts"]["rustls_clients"]["result"], "accept", "{host}");
    }
    let wildcard = verify(&now, &["--host", "*.example", cert]);
    assert_eq!(wildcard.code, 2);
    assert!(wildcard.stderr.contains("--host www.example"), "{}", wildcard.stderr);
}
