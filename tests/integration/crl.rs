//! `ca crl`: the CRL it writes is checked by the real programs. OpenSSL verifies its
//! signature against the CA and shows what it lists; Granian 2.8 (rustls) loads it with
//! client verification on and refuses a revoked client certificate that it accepted
//! before, as curl sees it.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::util::*;

fn in_dir(dir: &Path, args: &[&str]) -> Run {
    certsmith().current_dir(dir).args(args).output().unwrap().into()
}

fn ok_json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = in_dir(dir, &all);
    assert_eq!(out.code, 0, "{args:?}: {}{}", out.stdout, out.stderr);
    out.json()
}

/// `openssl crl -CAfile … -text`: (whether OpenSSL verified the signature, the text).
fn openssl_crl(crl: &Path, ca: &Path) -> (bool, String) {
    let out = Command::new("openssl")
        .args(["crl", "-noout", "-text", "-in"])
        .arg(crl)
        .arg("-CAfile")
        .arg(ca)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.success() && stderr.contains("verify OK"), String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A certificate's serial as `openssl x509 -serial` prints it (upper-case hex).
fn openssl_serial(cert: &Path) -> String {
    let out = openssl(&["x509", "-noout", "-serial", "-in", cert.to_str().unwrap()], None);
    String::from_utf8(out).unwrap().trim().trim_start_matches("serial=").to_owned()
}

/// The trimmed line after the first line containing `label`.
fn line_after<'a>(text: &'a str, label: &str) -> &'a str {
    text.lines().skip_while(|l| !l.contains(label)).nth(1).unwrap_or_default().trim()
}

fn make_ca_and_clients(dir: &Path) {
    ok_json(dir, &["ca", "create", "--out-dir", "ca"]);
    ok_json(dir, &["gen", "--ca", "ca", "--out-dir", "server", "localhost", "127.0.0.1"]);
    ok_json(dir, &["gen", "--ca", "ca", "--client", "--out-dir", "alice", "alice.test"]);
    ok_json(dir, &["gen", "--ca", "ca", "--client", "--out-dir", "bob", "bob.test"]);
}

#[test]
fn openssl_verifies_the_crl_and_revocations_accumulate_under_a_growing_crl_number() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_ca_and_clients(d);
    let (alice, bob) =
        (openssl_serial(&d.join("alice/certificate.pem")), openssl_serial(&d.join("bob/certificate.pem")));

    let first =
        ok_json(d, &["--at", "2027-01-01T00:00:00Z", "ca", "crl", "--ca", "ca", "--revoke", "alice/certificate.pem"]);
    assert_eq!(first["data"]["crl_number"], 1);
    assert_eq!(first["data"]["added"][0].as_str().unwrap().to_uppercase(), alice);
    let (verified, text) = openssl_crl(&d.join("ca/crl.pem"), &d.join("ca/ca.pem"));
    assert!(verified, "openssl does not verify the CRL against the CA:\n{text}");
    assert!(text.contains("Version 2"), "{text}");
    assert!(text.contains("Last Update: Jan  1 00:00:00 2027 GMT"), "{text}");
    assert!(text.contains("Next Update: Jan 31 00:00:00 2027 GMT"), "{text}");
    assert!(text.contains(&format!("Serial Number: {alice}")), "{text}");
    assert!(!text.contains(&bob), "{text}");
    // The authority key identifier is the CA's subject key identifier.
    let ca_pem = d.join("ca/ca.pem");
    let ski = openssl(&["x509", "-noout", "-ext", "subjectKeyIdentifier", "-in", ca_pem.to_str().unwrap()], None);
    let ski = String::from_utf8(ski).unwrap().lines().last().unwrap().trim().to_owned();
    assert_eq!(line_after(&text, "Authority Key Identifier").trim_start_matches("keyid:"), ski, "{text}");
    assert_eq!(line_after(&text, "CRL Number"), "1", "{text}");

    // By serial, as openssl prints it; alice stays revoked.
    let second =
        ok_json(d, &["--at", "2027-01-02T00:00:00Z", "ca", "crl", "--ca", "ca", "--revoke", &bob, "--days", "7"]);
    assert_eq!(second["data"]["crl_number"], 2);
    let (verified, text) = openssl_crl(&d.join("ca/crl.pem"), &d.join("ca/ca.pem"));
    assert!(verified, "{text}");
    assert!(
        text.contains(&format!("Serial Number: {alice}")) && text.contains(&format!("Serial Number: {bob}")),
        "{text}"
    );
    assert!(text.contains("Next Update: Jan  9 00:00:00 2027 GMT"), "{text}");
    assert_eq!(line_after(&text, "CRL Number"), "2", "{text}");

    // Again with nothing new, to another file: both still listed, the number still grows.
    let third = ok_json(
        d,
        &["--at", "2027-01-03T00:00:00Z", "ca", "crl", "--ca", "ca", "--revoke", &alice, "--out", "out/crl.pem"],
    );
    assert_eq!(third["data"]["crl_number"], 3);
    assert_eq!(third["data"]["added"], serde_json::json!([]));
    assert_eq!(third["data"]["revoked"].as_array().unwrap().len(), 2);
    let (verified, text) = openssl_crl(&d.join("out/crl.pem"), &d.join("ca/ca.pem"));
    assert!(verified && text.contains(&alice) && text.contains(&bob), "{text}");
    let record: Value = serde_json::from_str(&std::fs::read_to_string(d.join("ca/revoked.json")).unwrap()).unwrap();
    assert_eq!(record["crl_number"], 3);
}

#[test]
fn what_cannot_be_revoked_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_ca_and_clients(d);
    ok_json(d, &["ca", "create", "--out-dir", "other"]);
    ok_json(d, &["gen", "--ca", "other", "--client", "--out-dir", "stranger", "stranger.test"]);
    let ca_before = std::fs::read(d.join("ca/ca.pem")).unwrap();

    let cases: &[(&[&str], &str)] = &[
        (&["--revoke", "no-such-file.pem"], "not a serial number in hex"),
        (&["--revoke", "stranger/certificate.pem"], "was not issued by the CA"),
        (&["--revoke", "alice/private_key.pem"], "holds no certificate"),
        (&["--out", "ca/ca.pem"], "is not a PEM CRL"),
    ];
    for (extra, says) in cases {
        let mut args = vec!["ca", "crl", "--ca", "ca"];
        args.extend_from_slice(extra);
        let out = in_dir(d, &args);
        assert_eq!(out.code, 2, "{extra:?}: {}", out.stderr);
        assert!(out.stderr.contains(says) && out.stderr.contains("hint:"), "{extra:?}: {}", out.stderr);
        assert!(!d.join("ca/crl.pem").exists() && !d.join("ca/revoked.json").exists(), "{extra:?}");
    }
    assert_eq!(std::fs::read(d.join("ca/ca.pem")).unwrap(), ca_before);

    std::fs::write(d.join("ca/revoked.json"), "not json").unwrap();
    let out = in_dir(d, &["ca", "crl", "--ca", "ca"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("revoked.json: expected the record of revoked serials"), "{}", out.stderr);
    assert!(!d.join("ca/crl.pem").exists());
}

const APP: &str = "async def app(scope, receive, send):
    if scope['type'] != 'http':
        return
    await send({'type': 'http.response.start', 'status': 200, 'headers': []})
    await send({'type': 'http.response.body', 'body': b'ok'})
";

/// Granian with client verification and the CRL; stopped when dropped.
struct Granian(std::process::Child, u16);

impl Drop for Granian {
    fn drop(&mut self) {
        crate::granian::stop(&mut self.0);
    }
}

fn start_granian(d: &Path, log: &str) -> Granian {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let log = std::fs::File::create(d.join(log)).unwrap();
    let child = Command::new(crate::granian::granian())
        .current_dir(d)
        .args(["--interface", "asgi", "--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--ssl-certificate", "server/certificate.pem", "--ssl-keyfile", "server/private_key.pem"])
        .args(["--ssl-ca", "ca/ca.pem", "--ssl-client-verify", "--ssl-crl", "ca/crl.pem", "app:app"])
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let mut server = Granian(child, port);
    // Up once the port takes connections (a TLS handshake without a client certificate
    // fails, so curl's own status says nothing).
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        assert!(server.0.try_wait().unwrap().is_none(), "Granian exited");
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            std::thread::sleep(Duration::from_millis(500));
            return server;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    panic!("Granian did not listen within 20 s")
}

/// curl with `who`'s client certificate: Some(body) when served, None when refused.
fn curl_as(d: &Path, who: &str, port: u16) -> Option<String> {
    let out = Command::new("curl")
        .current_dir(d)
        .args(["-sS", "--max-time", "5", "--cacert", "ca/ca.pem"])
        .args(["--cert", &format!("{who}/certificate.pem"), "--key", &format!("{who}/private_key.pem")])
        .arg(format!("https://localhost:{port}/"))
        .env_remove("SSL_CERT_FILE")
        .env_remove("CURL_CA_BUNDLE")
        .output()
        .unwrap();
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn granian_accepts_a_client_certificate_until_the_crl_revokes_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("app.py"), APP).unwrap();
    make_ca_and_clients(d);
    // Real time: Granian checks the certificates against its own clock.
    ok_json(d, &["ca", "crl", "--ca", "ca"]);

    let before = start_granian(d, "before.log");
    assert_eq!(curl_as(d, "alice", before.1).as_deref(), Some("ok"), "alice before revocation");
    assert_eq!(curl_as(d, "bob", before.1).as_deref(), Some("ok"), "bob before revocation");
    drop(before);

    let revoked = ok_json(d, &["ca", "crl", "--ca", "ca", "--revoke", "alice/certificate.pem"]);
    assert_eq!(revoked["data"]["crl_number"], 2);
    let after = start_granian(d, "after.log");
    assert_eq!(curl_as(d, "alice", after.1), None, "Granian still accepts alice after revocation");
    assert_eq!(curl_as(d, "bob", after.1).as_deref(), Some("ok"), "bob was not revoked");
}

/// doctor's exit status, finding codes and JSON for `.env` lines in `d`.
fn doctor(d: &Path, at: &str, env: &str) -> (i32, Vec<String>, Value) {
    std::fs::write(d.join(".env"), env).unwrap();
    let out = in_dir(d, &["--json", "--at", at, "doctor", "--no-environ", "--env-file", ".env"]);
    let mut codes = out.finding_codes();
    // The server's certificate is from a CA no client bundle names: not what this is about.
    codes.retain(|c| c != "unknown-issuer");
    codes.sort();
    (out.code, codes, out.json())
}

fn message(json: &Value, code: &str) -> String {
    finding(json, code)["message"].as_str().unwrap().to_owned()
}

#[test]
fn doctor_checks_each_crl_file_against_the_ca_and_the_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let at = "2027-01-01T00:00:00Z";
    for args in [
        &["ca", "create", "--out-dir", "ca"][..],
        &["ca", "create", "--out-dir", "other"],
        &["gen", "--ca", "ca", "--out-dir", "server", "localhost"],
        &["ca", "crl", "--ca", "ca", "--days", "7"],
        &["ca", "crl", "--ca", "other", "--out", "other.crl"],
    ] {
        let mut all = vec!["--at", at];
        all.extend_from_slice(args);
        ok_json(d, &all);
    }
    std::fs::write(d.join("garbage.crl"), "garbage\n").unwrap();
    let der = openssl(&["crl", "-in", d.join("ca/crl.pem").to_str().unwrap(), "-outform", "DER"], None);
    std::fs::write(d.join("der.crl"), der).unwrap();
    let base = "GRANIAN_SSL_CERTIFICATE=server/certificate.pem\nGRANIAN_SSL_KEYFILE=server/private_key.pem\n";
    let mtls = format!("{base}GRANIAN_SSL_CA=ca/ca.pem\nGRANIAN_SSL_CLIENT_VERIFY=true\n");

    // certsmith's CRL, in its time: nothing to say, and the checklist has the line.
    let (code, codes, json) = doctor(d, at, &format!("{mtls}GRANIAN_SSL_CRL=ca/crl.pem\n"));
    assert_eq!((code, codes.clone()), (0, vec![]), "{json:#}");
    assert!(json["data"]["targets"][0]["checked"].as_array().unwrap().contains(&"crl".into()), "{json:#}");

    // Past its nextUpdate (7 days): a warning with the date.
    let (code, codes, json) = doctor(d, "2027-01-09T00:00:00Z", &format!("{mtls}GRANIAN_SSL_CRL=ca/crl.pem\n"));
    assert_eq!((code, codes), (0, vec!["crl-expired".to_owned()]));
    assert!(message(&json, "crl-expired").contains("2027-01-08 00:00:00 UTC (24 hours ago)"), "{json:#}");

    // Garbage and DER: Granian's worker panics; the finding quotes it.
    for file in ["garbage.crl", "der.crl"] {
        let (code, codes, json) = doctor(d, at, &format!("{mtls}GRANIAN_SSL_CRL={file}\n"));
        assert_eq!((code, codes), (1, vec!["crl-not-pem".to_owned()]), "{file}");
        let text = message(&json, "crl-not-pem");
        assert!(text.contains("cannot read CRL file: NoItemsFound") && text.contains(file), "{text}");
        assert_eq!(finding(&json, "crl-not-pem")["severity"], "error");
    }

    // Another CA's CRL, also as the second of two files (click splits on `:`).
    let (code, codes, json) = doctor(d, at, &format!("{mtls}GRANIAN_SSL_CRL=ca/crl.pem:other.crl\n"));
    assert_eq!((code, codes), (1, vec!["crl-not-from-ca".to_owned()]));
    assert!(message(&json, "crl-not-from-ca").contains("other.crl"), "{json:#}");

    // Without client verification Granian does not read the file: a warning that says so.
    let (code, codes, json) = doctor(d, at, &format!("{base}GRANIAN_SSL_CRL=garbage.crl\n"));
    assert_eq!((code, codes), (0, vec!["crl-not-pem".to_owned()]));
    assert!(message(&json, "crl-not-pem").contains("ignores it"), "{json:#}");
}

/// revoked.json edited by hand: the same serial twice (cases differ) is one entry, and an
/// entry that is no serial is refused by name, so no revocation leaves the CRL unsaid.
#[test]
fn a_hand_edited_record_is_normalised_or_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make_ca_and_clients(d);
    let record = |serials: &[&str]| {
        let entries: Vec<String> = serials
            .iter()
            .map(|s| format!("{{\"serial\": \"{s}\", \"revoked_at\": \"2026-01-01T00:00:00Z\"}}"))
            .collect();
        std::fs::write(
            d.join("ca/revoked.json"),
            format!("{{\"crl_number\": 1, \"revoked\": [{}]}}", entries.join(",")),
        )
        .unwrap();
    };
    record(&["0A0B", "0a0b", "0x0a:0b"]);
    let json = ok_json(d, &["ca", "crl", "--ca", "ca"]);
    let text =
        String::from_utf8(openssl(&["crl", "-in", d.join("ca/crl.pem").to_str().unwrap(), "-noout", "-text"], None))
            .unwrap();
    assert_eq!(text.matches("Serial Number:").count(), 1, "{text}");
    assert_eq!(json["data"]["revoked"].as_array().map(Vec::len), Some(1), "{json}");
    record(&["0a0b", "zz"]);
    let out = in_dir(d, &["ca", "crl", "--ca", "ca"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("\"zz\" is not a serial number"), "{}", out.stderr);
}
