//! `certsmith inspect`, checked against the openssl CLI on fixtures made by openssl.

use std::fs;
use std::time::Duration;

use crate::util::*;

fn inspect_json(files: &[&str]) -> Run {
    let mut args = vec!["--json", "--at", AT, "inspect"];
    args.extend_from_slice(files);
    run(args)
}

#[test]
fn ca_bundle_lists_every_certificate_with_openssls_fingerprint() {
    let bundle = "/etc/ssl/certs/ca-certificates.crt";
    let text = fs::read_to_string(bundle).expect("the system CA bundle (package ca-certificates) is needed");
    let blocks = pem_blocks(&text, "CERTIFICATE");
    let begin_lines = text.lines().filter(|l| l.trim_end() == "-----BEGIN CERTIFICATE-----").count();
    assert!(begin_lines > 50, "a real bundle has many certificates, found {begin_lines}");
    assert_eq!(blocks.len(), begin_lines);

    let out = run(["--json", "inspect", bundle]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let objects = json["data"]["objects"].as_array().unwrap();
    assert_eq!(objects.len(), begin_lines);
    for (object, block) in objects.iter().zip(&blocks) {
        assert_eq!(object["kind"], "certificate");
        let openssl_fp =
            String::from_utf8(openssl(&["x509", "-noout", "-fingerprint", "-sha256"], Some(block.as_bytes()))).unwrap();
        let expected = normalise_hex(openssl_fp.split('=').nth(1).unwrap());
        assert_eq!(object["fingerprint_sha256"].as_str().unwrap(), expected, "{}", object["subject"]);
    }
}

/// Facts that openssl prints the same way, for every certificate fixture.
#[test]
fn certificate_facts_agree_with_openssl() {
    for rel in [
        "certs/v1.pem",
        "certs/v3-rsa2048.pem",
        "certs/v3-p256.pem",
        "certs/v3-ed25519.pem",
        "certs/req-x509-ca-true.pem",
        "certs/v3-p256.der",
    ] {
        let path = fixture_str(rel);
        let form = if rel.ends_with(".der") { "DER" } else { "PEM" };
        let out = inspect_json(&[&path]);
        assert_eq!(out.code, 0, "{rel}: {}", out.stderr);
        let cert = &out.json()["data"]["objects"][0];

        let x509 = |flags: &[&str]| {
            let mut args = vec!["x509", "-inform", form, "-in", &path, "-noout"];
            args.extend_from_slice(flags);
            String::from_utf8(openssl(&args, None)).unwrap()
        };
        let fingerprint = x509(&["-fingerprint", "-sha256"]);
        assert_eq!(
            cert["fingerprint_sha256"].as_str().unwrap(),
            normalise_hex(fingerprint.split('=').nth(1).unwrap()),
            "{rel}"
        );
        let serial = x509(&["-serial"]);
        assert_eq!(
            cert["serial"].as_str().unwrap(),
            normalise_hex(serial.split('=').nth(1).unwrap()).trim_start_matches('0'),
            "{rel}"
        );
        let text = x509(&["-text"]);
        let version = text.lines().find_map(|l| l.trim().strip_prefix("Version: ")).unwrap();
        assert!(version.starts_with(&cert["version"].to_string()), "{rel}: openssl says {version}");
        for dns in cert["san"]["dns"].as_array().unwrap() {
            assert!(text.contains(&format!("DNS:{}", dns.as_str().unwrap())), "{rel}: {dns}");
        }
        assert_eq!(text.contains("CA:TRUE"), cert["is_ca"].as_bool().unwrap(), "{rel}");
        assert_eq!(
            text.contains("TLS Web Server Authentication"),
            cert["extended_key_usage"].to_string().contains("serverAuth"),
            "{rel}"
        );
        // SPKI hash: openssl extracts the public key, we compare hashes of its DER.
        let pubkey = openssl(&["x509", "-inform", form, "-in", &path, "-noout", "-pubkey"], None);
        let spki = openssl(&["pkey", "-pubin", "-outform", "DER"], Some(&pubkey));
        assert_eq!(cert["spki_sha256"].as_str().unwrap(), openssl_sha256(&spki), "{rel}");
    }
}

#[test]
fn v1_certificate_is_reported_as_rustls_rejects_it() {
    let path = fixture_str("certs/v1.pem");
    let human = run(["--at", AT, "inspect", &path]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    assert!(
        human.stdout.lines().any(|l| l.split_whitespace().collect::<Vec<_>>() == ["version", "1"]),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("UnsupportedCertVersion"), "{}", human.stdout);
    assert!(human.stdout.contains("Granian"), "{}", human.stdout);

    let json = inspect_json(&[&path]);
    assert_eq!(json.code, 0);
    assert_eq!(json.json()["data"]["objects"][0]["version"], 1);
    assert!(json.finding_codes().contains(&"unsupported-cert-version".to_owned()));
    assert_eq!(json.json()["status"], "warning");
}

#[test]
fn key_and_certificate_show_the_same_spki_hash_as_openssl() {
    let pairs = [
        ("certs/v3-rsa2048.pem", "keys/rsa2048.pkcs1.pem", "pkcs1"),
        ("certs/v3-rsa2048.pem", "keys/rsa2048.pkcs8.pem", "pkcs8"),
        ("certs/v3-rsa2048.pem", "keys/rsa2048.pkcs8.der", "pkcs8"),
        ("certs/v3-rsa2048.pem", "keys/rsa2048.pkcs1.der", "pkcs1"),
        ("certs/v3-p256.pem", "keys/p256.sec1.pem", "sec1"),
        ("certs/v3-p256.pem", "keys/p256.sec1-params.pem", "sec1"),
        ("certs/v3-p256.pem", "keys/p256.pkcs8.pem", "pkcs8"),
        ("certs/v3-ed25519.pem", "keys/ed25519.pkcs8.pem", "pkcs8"),
    ];
    for (cert, key, encoding) in pairs {
        let out = inspect_json(&[&fixture_str(cert), &fixture_str(key)]);
        assert_eq!(out.code, 0, "{key}: {}", out.stderr);
        let json = out.json();
        let objects = json["data"]["objects"].as_array().unwrap();
        let (c, k) = (&objects[0], &objects[1]);
        assert_eq!((c["kind"].as_str(), k["kind"].as_str()), (Some("certificate"), Some("private_key")));
        assert_eq!(k["encoding"], encoding, "{key}");
        assert_eq!(k["encrypted"], false);
        assert_eq!(c["spki_sha256"], k["spki_sha256"], "{cert} / {key}");
        assert_eq!(c["public_key"]["algorithm"], k["algorithm"], "{key}");
        let form = if key.ends_with(".der") { "DER" } else { "PEM" };
        let spki = openssl(&["pkey", "-inform", form, "-in", &fixture_str(key), "-pubout", "-outform", "DER"], None);
        assert_eq!(k["spki_sha256"].as_str().unwrap(), openssl_sha256(&spki), "{key}");
    }
}

#[test]
fn encrypted_keys_are_recognised_without_a_password() {
    let out = inspect_json(&[
        &fixture_str("keys/rsa2048.encrypted-pkcs8.pem"),
        &fixture_str("keys/p256.encrypted-pkcs8-scrypt.pem"),
        &fixture_str("keys/rsa2048.legacy-encrypted.pem"),
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let keys = json["data"]["objects"].as_array().unwrap();
    let encodings: Vec<&str> = keys.iter().map(|k| k["encoding"].as_str().unwrap()).collect();
    assert_eq!(encodings, ["encrypted-pkcs8", "encrypted-pkcs8", "legacy-encrypted-pem"]);
    assert!(keys.iter().all(|k| k["encrypted"] == true && k.get("spki_sha256").is_none()));
    assert!(keys[0]["protection"].as_str().unwrap().contains("PBKDF2"));
    assert!(keys[1]["protection"].as_str().unwrap().contains("scrypt"));
    assert_eq!(keys[2]["algorithm"], "rsa");
}

#[test]
fn csrs_under_both_labels() {
    for rel in ["csr/p256.csr", "csr/p256.new-label.csr"] {
        let out = inspect_json(&[&fixture_str(rel)]);
        assert_eq!(out.code, 0, "{rel}: {}", out.stderr);
        let csr = &out.json()["data"]["objects"][0];
        assert_eq!(csr["kind"], "csr");
        assert_eq!(csr["subject"], "CN=csr.test");
        assert_eq!(csr["san"]["dns"], serde_json::json!(["csr.test"]));
        assert_eq!(csr["san"]["ip"], serde_json::json!(["10.0.0.1"]));
        assert_eq!(csr["signature_valid"], true);
        assert_eq!(csr["public_key"]["curve"], "P-256");
    }
}

#[test]
fn bundles_with_text_and_crlf_line_ends() {
    for rel in ["bundle/three-with-text.pem", "bundle/three-with-text.crlf.pem"] {
        let out = inspect_json(&[&fixture_str(rel)]);
        assert_eq!(out.code, 0, "{rel}: {}", out.stderr);
        let json = out.json();
        let objects = json["data"]["objects"].as_array().unwrap();
        let algorithms: Vec<&str> = objects.iter().map(|o| o["public_key"]["algorithm"].as_str().unwrap()).collect();
        assert_eq!(algorithms, ["rsa", "ec", "ed25519"], "{rel}");
        let indices: Vec<u64> = objects.iter().map(|o| o["source"]["index"].as_u64().unwrap()).collect();
        assert_eq!(indices, [0, 1, 2]);
    }
}

#[test]
fn reads_standard_input() {
    let pem = fs::read(fixture("certs/v3-p256.pem")).unwrap();
    let out: Run = certsmith().args(["--json", "--at", AT, "inspect", "-"]).write_stdin(pem).output().unwrap().into();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["data"]["objects"][0]["source"]["path"], "<stdin>");
}

#[test]
fn time_dependent_warnings_follow_at() {
    let path = fixture_str("certs/v3-p256.pem");
    let late = run(["--json", "--at", "2030-01-01T00:00:00Z", "inspect", &path]);
    assert_eq!(late.code, 0);
    assert_eq!(late.finding_codes(), ["expired"]);
    let early = run(["--json", "--at", "2020-01-01T00:00:00Z", "inspect", &path]);
    assert_eq!(early.finding_codes(), ["not-yet-valid"]);
    let human = run(["--at", "2030-01-01T00:00:00Z", "inspect", &path]);
    assert!(human.stdout.contains("expired") && human.stdout.contains("days ago"), "{}", human.stdout);
    let bad = run(["--at", "yesterday", "inspect", &path]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("RFC 3339"), "{}", bad.stderr);
}

/// Every broken input: exit 2, one error, naming the file; the other inputs still reported.
#[test]
fn broken_inputs_exit_2_with_one_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("huge.pem");
    fs::File::create(&big).unwrap().set_len(17 * 1024 * 1024).unwrap();
    let mut broken: Vec<String> =
        fs::read_dir(fixture("broken")).unwrap().map(|e| e.unwrap().path().to_str().unwrap().to_owned()).collect();
    broken.sort();
    broken.push(big.to_str().unwrap().to_owned());
    broken.push(dir.path().to_str().unwrap().to_owned()); // a folder
    broken.push(dir.path().join("missing.pem").to_str().unwrap().to_owned());
    assert!(broken.len() >= 12);
    for path in &broken {
        let out = run(["inspect", path.as_str()]);
        assert_eq!(out.code, 2, "{path}: {}", out.stderr);
        assert_eq!(out.stderr.matches("certsmith: error:").count(), 1, "{path}: {}", out.stderr);
        assert!(out.stderr.contains(path.as_str()), "{path}: {}", out.stderr);
        assert!(out.stderr.contains("hint:"), "{path}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{path}: {}", out.stderr);
    }
    // One bad input among good ones: the good ones are still reported, in JSON too.
    let good = fixture_str("certs/v3-p256.pem");
    let out = run(["--json", "--at", AT, "inspect", &good, broken[0].as_str()]);
    assert_eq!(out.code, 2);
    let json = out.json();
    assert_eq!(json["status"], "error");
    assert_eq!(json["data"]["objects"].as_array().unwrap().len(), 1);
    assert_eq!(json["errors"][0]["subject"]["path"], broken[0].as_str());
}

/// Process substitution and named pipes are read like standard input; a pipe nobody
/// opens for writing is given up after a few seconds, naming the file.
#[cfg(unix)]
#[test]
fn pipes_are_read_and_an_unwritten_fifo_does_not_hang() {
    let cert = fixture("certs/v3-p256.pem");
    for command in ["inspect", "verify"] {
        let script = format!("\"$0\" --json {command} <(cat '{}')", cert.display());
        let out: Run = std::process::Command::new("bash")
            .args(["-c", &script, env!("CARGO_BIN_EXE_certsmith")])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
            .into();
        assert!(out.code == 0 || out.code == 1, "{command}: {}", out.stderr);
        assert!(out.stdout.contains("fixture.test"), "{command} read the pipe: {}", out.stdout);
    }
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let out: Run =
        certsmith().args(["inspect", fifo.to_str().unwrap()]).timeout(Duration::from_secs(20)).output().unwrap().into();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("FIFO") && out.stderr.contains(fifo.to_str().unwrap()), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();

    let secret = dir.path().join("secret.pem");
    fs::copy(fixture("certs/v3-p256.pem"), &secret).unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read(&secret).is_ok() {
        eprintln!("running as root: permission bits do not stop reads, skipping the unreadable-file case");
        return;
    }
    let out = run(["inspect", secret.to_str().unwrap()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("permission denied"), "{}", out.stderr);
}

/// A few hundred random and mutated inputs: never a panic, never a hang, exit 0 or 2.
#[test]
fn random_and_mutated_inputs_never_panic_or_hang() {
    let seeds: Vec<Vec<u8>> = [
        "certs/v3-p256.pem",
        "certs/v3-p256.der",
        "keys/rsa2048.pkcs1.pem",
        "keys/p256.sec1-params.pem",
        "csr/p256.csr",
        "keys/rsa2048.legacy-encrypted.pem",
        "bundle/three-with-text.pem",
        "keys/rsa2048.encrypted-pkcs8.pem",
    ]
    .iter()
    .map(|rel| fs::read(fixture(rel)).unwrap())
    .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut paths = Vec::new();
    for case in 0..300 {
        let mut bytes = seeds[case % seeds.len()].clone();
        match case % 6 {
            0 => bytes = (0..rng.below(4096)).map(|_| rng.next() as u8).collect(),
            1 => bytes.truncate(rng.below(bytes.len())),
            2 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            3 => {
                let i = rng.below(bytes.len());
                let insert: &[u8] = [
                    b"-----BEGIN CERTIFICATE-----\n".as_slice(),
                    b"-----END PRIVATE KEY-----\n",
                    b"Proc-Type: 4,ENCRYPTED\n",
                    b"\x30\x84\xff\xff\xff\xff",
                ][rng.below(4)];
                bytes.splice(i..i, insert.iter().copied());
            }
            4 => {
                let (a, b) = (rng.below(bytes.len()), rng.below(bytes.len()));
                bytes.drain(a.min(b)..a.max(b));
            }
            _ => {
                for _ in 0..16 {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next() as u8;
                }
            }
        }
        let path = dir.path().join(format!("case-{case}"));
        fs::write(&path, &bytes).unwrap();
        paths.push(path);
    }
    for chunk in paths.chunks(1) {
        let path = chunk[0].to_str().unwrap();
        let out: Run =
            certsmith().args(["--json", "inspect", path]).timeout(Duration::from_secs(10)).output().unwrap().into();
        assert!(out.code == 0 || out.code == 2, "{path}: exit {}\n{}", out.code, out.stderr);
        assert!(!out.stderr.contains("panicked"), "{path}: {}", out.stderr);
        let json = out.json(); // stdout is always one JSON document
        assert_eq!(json["errors"].as_array().unwrap().is_empty(), out.code == 0, "{path}");
    }
}

/// No private material in any output: no run of the key's base64 body, nor of its DER in hex.
#[test]
fn private_key_material_is_never_printed() {
    let keys: Vec<_> = fs::read_dir(fixture("keys")).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(keys.len() >= 10);
    for key in keys {
        let path = key.to_str().unwrap();
        let secrets = Secrets::of_key_file(&key);
        for args in [vec!["inspect", path], vec!["--json", "inspect", path]] {
            let out = run(&args);
            assert_eq!(out.code, 0, "{path}: {}", out.stderr);
            secrets.assert_absent(&out);
        }
    }
}

/// Keys certsmith cannot derive a public key from (Ed448, DSA, P-224) are still described
/// from what they state, not called damaged.
#[test]
fn keys_of_other_algorithms_are_described_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    openssl(&["genpkey", "-algorithm", "ed448", "-out", &p("ed448.pem")], None);
    openssl(
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DSA",
            "-pkeyopt",
            "dsa_paramgen_bits:2048",
            "-out",
            &p("dsa-params.pem"),
        ],
        None,
    );
    openssl(&["genpkey", "-paramfile", &p("dsa-params.pem"), "-out", &p("dsa.pem")], None);
    openssl(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-224", "-out", &p("p224.pem")], None);
    let out = run(["--json", "inspect", &p("ed448.pem"), &p("dsa.pem"), &p("p224.pem")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    let algorithms: Vec<String> = json["data"]["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["algorithm"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(algorithms, ["ed448", "dsa", "ec"]);
    assert_eq!(json["data"]["objects"][2]["curve"], "P-224");
    assert!(json["data"]["objects"].as_array().unwrap().iter().all(|o| o.get("spki_sha256").is_none()));
    let human = run(["inspect", &p("ed448.pem")]);
    assert!(human.stdout.contains("Ed448") && human.stdout.contains("does not derive public keys"), "{}", human.stdout);
    let signed = run(["gen", "--out-dir", &p("out"), "--key", &p("ed448.pem"), "a.test"]);
    assert_eq!(signed.code, 2);
    assert!(
        signed.stderr.contains("cannot use Ed448 keys") && !signed.stderr.contains("inconsistent"),
        "{}",
        signed.stderr
    );
}

/// A key with explicit curve parameters (not a named curve) is called that, not shown as
/// the parameters' bytes.
#[test]
fn explicit_curve_parameters_are_named_as_such() {
    let out = run(["--json", "inspect", fixture("certs/explicit-curve.pem").to_str().unwrap()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let key = &out.json()["data"]["objects"][0]["public_key"];
    assert_eq!((key["algorithm"].as_str(), key["curve"].as_str()), (Some("ec"), Some("explicit parameters")), "{key}");
}

/// A byte order mark before the first BEGIN line: OpenSSL reads the file, rustls (and so
/// Granian) does not see the block. The error says so, and its fix, pasted, removes it.
#[test]
fn a_byte_order_mark_is_named_and_its_fix_works_pasted() {
    let dir = tempfile::tempdir().unwrap();
    let clean = fs::read(fixture("certs/v3-p256.pem")).unwrap();
    let marked = dir.path().join("cert with space.pem");
    fs::write(&marked, [b"\xef\xbb\xbf".as_slice(), &clean].concat()).unwrap();
    let path = marked.to_str().unwrap();
    // OpenSSL reads past the mark.
    openssl(&["x509", "-noout", "-in", path], None);

    let out = run(["inspect", path]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("byte order mark") && out.stderr.contains("rustls"), "{}", out.stderr);
    let fix = out.stderr.split('`').nth(1).unwrap_or_else(|| panic!("no command in {}", out.stderr));
    let pasted = std::process::Command::new("sh").args(["-c", fix]).status().unwrap();
    assert!(pasted.success(), "{fix}");
    assert_eq!(fs::read(&marked).unwrap(), clean);
    assert_eq!(run(["inspect", path]).code, 0);
}
