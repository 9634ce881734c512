//! Files that hold several files' worth, read by inspect, verify and match-key: Kubernetes
//! Secret manifests (as `gen --k8s-secret` writes them, and kubectl's JSON with
//! stringData), PKCS#12 bundles (`openssl pkcs12 -export`, AES and `-legacy`, and
//! `gen --p12`), and Java keystores (named, with a keytool command that works pasted).
//! Each is checked against the openssl CLI's fingerprint of the same certificate.

use std::fs;
use std::path::Path;

use crate::util::*;

const PASSWORD: &str = "fixture-password";

fn in_dir(dir: &Path, args: &[&str]) -> Run {
    certsmith().current_dir(dir).env("P12_PASSWORD", PASSWORD).args(args).output().unwrap().into()
}

fn openssl_fingerprint(pem: &Path) -> String {
    let out = openssl(&["x509", "-in", pem.to_str().unwrap(), "-noout", "-fingerprint", "-sha256"], None);
    normalise_hex(String::from_utf8(out).unwrap().split('=').nth(1).unwrap())
}

#[test]
fn a_secret_manifest_from_gen_is_read_entry_by_entry() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(in_dir(dir.path(), &["ca", "create", "--out-dir", "ca"]).code, 0);
    let out = in_dir(dir.path(), &["gen", "--ca", "ca", "--k8s-secret", "app-tls", "app.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let fingerprint = openssl_fingerprint(&dir.path().join("certs/certificate.pem"));

    let out = in_dir(dir.path(), &["--json", "inspect", "certs/app-tls.secret.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let objects = json["data"]["objects"].as_array().unwrap();
    let entries: Vec<(&str, &str)> =
        objects.iter().map(|o| (o["source"]["entry"].as_str().unwrap(), o["kind"].as_str().unwrap())).collect();
    assert_eq!(entries, [("tls.crt", "certificate"), ("tls.key", "private_key"), ("ca.crt", "certificate")]);
    assert_eq!(objects[0]["fingerprint_sha256"], fingerprint.as_str());
    assert_eq!(objects[0]["source"]["path"], "certs/app-tls.secret.yaml");
    assert_eq!(objects[0]["spki_sha256"], objects[1]["spki_sha256"]);

    // tls.crt is the certificate, tls.key the key, ca.crt the CA: all pass.
    let out = in_dir(dir.path(), &["--json", "verify", "--host", "app.test", "certs/app-tls.secret.yaml"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert_eq!(out.json()["data"]["files"][0]["key"], "certs/app-tls.secret.yaml tls.key");
    for args in [
        &["match-key", "certs/app-tls.secret.yaml"][..],
        &["match-key", "certs/app-tls.secret.yaml", "certs/app-tls.secret.yaml"],
    ] {
        let out = in_dir(dir.path(), args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains("certs/app-tls.secret.yaml tls.key"), "{}", out.stdout);
    }

    // The manifest with another key in tls.key: both commands name the entry.
    let yaml = fs::read_to_string(dir.path().join("certs/app-tls.secret.yaml")).unwrap();
    let other = base64_of(&fs::read(fixture("keys/p256.other.pkcs8.pem")).unwrap());
    let swapped: String = yaml
        .lines()
        .map(
            |l| if l.trim_start().starts_with("tls.key:") { format!("  tls.key: {other}\n") } else { format!("{l}\n") },
        )
        .collect();
    fs::write(dir.path().join("swapped.yaml"), swapped).unwrap();
    let out = in_dir(dir.path(), &["--json", "match-key", "swapped.yaml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let mismatch = finding(&out.json(), "key-mismatch").clone();
    assert_eq!(mismatch["subject"]["entry"], "tls.key");
    let out = in_dir(dir.path(), &["--json", "verify", "--host", "app.test", "swapped.yaml"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.finding_codes().contains(&"key-mismatch".to_owned()), "{}", out.stdout);
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// kubectl writes JSON with `-o json`; stringData holds PEM as plain text.
#[test]
fn a_json_manifest_with_string_data_and_broken_manifests() {
    let dir = tempfile::tempdir().unwrap();
    let cert = fs::read_to_string(fixture("certs/v3-p256.pem")).unwrap();
    let key = fs::read_to_string(fixture("keys/p256.pkcs8.pem")).unwrap();
    let manifest = serde_json::json!({
        "apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
        "metadata": {"name": "x"}, "stringData": {"tls.crt": cert, "tls.key": key}
    });
    let path = dir.path().join("secret.json");
    fs::write(&path, manifest.to_string()).unwrap();
    let out = run(["--json", "--at", AT, "match-key", path.to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["data"]["certificate"]["source"]["entry"], "tls.crt");
    let out = run(["--json", "--at", AT, "inspect", path.to_str().unwrap()]);
    assert_eq!(
        out.json()["data"]["objects"][0]["fingerprint_sha256"],
        openssl_fingerprint(&fixture("certs/v3-p256.pem"))
    );

    // Bad base64 and an alias bomb: exit 2, the file named, no hang.
    let bad = dir.path().join("bad.yaml");
    fs::write(&bad, "apiVersion: v1\nkind: Secret\ndata:\n  tls.crt: '%%%'\n").unwrap();
    let out = run(["inspect", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("bad.yaml") && out.stderr.contains("data.tls.crt is not valid base64"),
        "{}",
        out.stderr
    );
    let mut bomb = "apiVersion: v1\nkind: Secret\na0: &a0 [x, x]\n".to_owned();
    for i in 1..40 {
        bomb.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
    }
    bomb.push_str("data:\n  tls.crt: eA==\n");
    fs::write(&bad, bomb).unwrap();
    let out = run(["inspect", bad.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("alias"), "{}", out.stderr);
}

#[test]
fn pkcs12_from_openssl_aes_and_legacy_and_from_gen() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let (cert, key) = (fixture("certs/v3-rsa2048.pem"), fixture("keys/rsa2048.pkcs8.pem"));
    let fingerprint = openssl_fingerprint(&cert);
    let export = |out: &str, extra: &[&str]| {
        let mut args =
            vec!["pkcs12", "-export", "-in", cert.to_str().unwrap(), "-inkey", key.to_str().unwrap(), "-out", out];
        args.extend_from_slice(extra);
        openssl(&args, None);
    };
    let pass = format!("pass:{PASSWORD}");
    export(&d("aes.p12"), &["-passout", &pass]);
    export(&d("legacy.p12"), &["-legacy", "-passout", &pass]);
    export(&d("empty.p12"), &["-passout", "pass:"]);
    // What each one is encrypted with, as openssl says it.
    let info = |file: &str, legacy: bool| {
        let mut args = vec!["pkcs12", "-in", file, "-info", "-noout", "-passin", &pass];
        if legacy {
            args.push("-legacy");
        }
        let out = std::process::Command::new("openssl").args(&args).output().unwrap();
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(info(&d("aes.p12"), false).contains("AES-256-CBC"), "{}", info(&d("aes.p12"), false));
    let legacy_info = info(&d("legacy.p12"), true);
    assert!(legacy_info.contains("RC2-CBC") && legacy_info.contains("TripleDES"), "{legacy_info}");

    for file in ["aes.p12", "legacy.p12", "empty.p12"] {
        let out = in_dir(dir.path(), &["--json", "--at", AT, "inspect", "--password-env", "P12_PASSWORD", file]);
        assert_eq!(out.code, 0, "{file}: {}", out.stderr);
        let json = out.json();
        let objects = json["data"]["objects"].as_array().unwrap();
        assert_eq!(objects.len(), 2, "{file}: {json}");
        assert_eq!(objects[0]["fingerprint_sha256"], fingerprint.as_str(), "{file}");
        assert_eq!(objects[1]["kind"], "private_key");
        assert_eq!(objects[0]["spki_sha256"], objects[1]["spki_sha256"], "{file}");
        let out = in_dir(dir.path(), &["--json", "--at", AT, "match-key", "--password-env", "P12_PASSWORD", file]);
        assert_eq!(out.code, 0, "{file}: {}", out.stderr);
        // The pair matches, but Granian does not load a bundle: match-key never says it does.
        let data = &out.json()["data"];
        assert_eq!(
            (data["matches"].as_bool(), data["granian_loads_certificate"].as_bool()),
            (Some(true), Some(false)),
            "{file}"
        );
        assert_eq!(data["granian_loads_key"], false, "{file}");
        // Granian reads PEM only: verify says so, and how to split the bundle.
        let out = in_dir(dir.path(), &["--json", "--at", AT, "verify", "--password-env", "P12_PASSWORD", file]);
        assert_eq!(out.code, 1, "{file}: {}", out.stderr);
        let not_pem = finding(&out.json(), "certificate-not-pem").clone();
        assert!(not_pem["hint"].as_str().unwrap().contains("openssl pkcs12 -in"), "{not_pem}");
    }

    // A wrong password: exit 2, the file named, no panic; verify, as for a --key whose
    // password is wrong, fails Granian's verdict with the same words (exit 1).
    fs::write(dir.path().join("wrong"), "not-it\n").unwrap();
    for command in ["inspect", "match-key", "verify"] {
        let out = in_dir(dir.path(), &["--at", AT, command, "--password-file", "wrong", "aes.p12"]);
        let text = format!("{}{}", out.stdout, out.stderr);
        assert_eq!(out.code, if command == "verify" { 1 } else { 2 }, "{command}: {text}");
        assert!(text.contains("wrong password for aes.p12"), "{command}: {text}");
        assert!(text.contains("hint:"), "{text}");
    }
    // No password where one is needed: named, with the flags to pass.
    let out = certsmith().current_dir(dir.path()).args(["inspect", "aes.p12"]).output().unwrap();
    let out: Run = out.into();
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("aes.p12") && out.stderr.contains("--password-file"), "{}", out.stderr);

    // What gen --p12 writes, read back; openssl agrees on the certificate.
    fs::write(dir.path().join("pw"), format!("{PASSWORD}\n")).unwrap();
    let out = in_dir(dir.path(), &["gen", "--p12", "gen.p12", "--password-file", "pw", "gen.test"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let pem = openssl(&["pkcs12", "-in", &d("gen.p12"), "-clcerts", "-nokeys", "-passin", &pass], None);
    fs::write(dir.path().join("gen-cert.pem"), pem).unwrap();
    let out = in_dir(dir.path(), &["--json", "inspect", "--password-file", "pw", "gen.p12"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        out.json()["data"]["objects"][0]["fingerprint_sha256"],
        openssl_fingerprint(&dir.path().join("gen-cert.pem")).as_str()
    );
}

/// A JKS store made by keytool: named as one, and the hint's keytool command, pasted with
/// the password where it says, exports a certificate inspect reads.
#[test]
fn a_java_keystore_is_named_and_the_hinted_keytool_command_works() {
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("keytool")
        .current_dir(dir.path())
        .args(["-genkeypair", "-keystore", "store.jks", "-storetype", "JKS", "-storepass", "changeit"])
        .args(["-keypass", "changeit", "-alias", "web", "-keyalg", "EC", "-groupname", "secp256r1"])
        .args(["-dname", "CN=jks.test", "-ext", "SAN=dns:jks.test", "-validity", "30"])
        .output()
        .expect("keytool (a JDK) is needed by this test");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    assert_eq!(fs::read(dir.path().join("store.jks")).unwrap().get(..4), Some(&[0xfe, 0xed, 0xfe, 0xed][..]));

    let out = in_dir(dir.path(), &["inspect", "store.jks"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("store.jks is a Java keystore (JKS") && out.stderr.contains("\"web\""),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("bytes fe ed fe ed:"), "{}", out.stderr);
    let hint = out.stderr.lines().find(|l| l.starts_with("hint:")).unwrap();
    let command = hint.split('`').nth(1).unwrap();
    assert!(command.contains("keytool -exportcert -rfc -keystore store.jks -alias web -file cert.pem"), "{command}");
    // keytool asks for the store's password; without a terminal it reads it from stdin.
    let mut shell = std::process::Command::new("sh")
        .current_dir(dir.path())
        .args(["-c", command])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        shell.stdin.take().unwrap().write_all(b"changeit\n").unwrap();
    }
    let shell = shell.wait_with_output().unwrap();
    assert!(shell.status.success(), "{command}: {}", String::from_utf8_lossy(&shell.stderr));
    let out = in_dir(dir.path(), &["--json", "inspect", "cert.pem"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["data"]["objects"][0]["san"]["dns"], serde_json::json!(["jks.test"]));
}

/// Process substitution is bounded as standard input is: 17 MB of zeros is refused.
#[cfg(unix)]
#[test]
fn process_substitution_is_bounded_like_stdin() {
    for command in ["inspect", "verify", "match-key"] {
        let tail = if command == "match-key" { " \"$1\"" } else { "" };
        let script = format!("\"$0\" {command} <(head -c 17000000 /dev/zero){tail}");
        let out: Run = std::process::Command::new("bash")
            .args(["-c", &script, env!("CARGO_BIN_EXE_certsmith")])
            .arg(fixture("keys/p256.pkcs8.pem"))
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
            .into();
        assert_eq!(out.code, 2, "{command}: {}", out.stderr);
        assert!(
            out.stderr.contains("/dev/fd/") && out.stderr.contains("larger than 16 MiB"),
            "{command}: {}",
            out.stderr
        );
    }
}

/// More bags than a real bundle holds is refused before any key derivation runs, so a
/// hostile bundle cannot make certsmith spend minutes on it.
#[test]
fn a_bundle_with_too_many_bags_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cert = std::fs::read_to_string(fixture("certs/v3-p256.pem")).unwrap();
    std::fs::write(dir.path().join("many.pem"), cert.repeat(17)).unwrap();
    let (many, out) = (dir.path().join("many.pem"), dir.path().join("many.p12"));
    openssl(
        &[
            "pkcs12",
            "-export",
            "-nokeys",
            "-certpbe",
            "NONE",
            "-passout",
            "pass:",
            "-in",
            many.to_str().unwrap(),
            "-out",
            out.to_str().unwrap(),
        ],
        None,
    );
    let run = in_dir(dir.path(), &["inspect", "many.p12"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(run.stderr.contains("17 bags, more than the 16"), "{}", run.stderr);
}
