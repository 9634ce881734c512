//! `certsmith match-key`, for every key type and encoding, checked against the openssl CLI.
//!
//! The fixtures hold one PKCS#8 key and one certificate per key type (plus a second key);
//! every other encoding is made here, in a temporary folder, from that key by openssl:
//!
//! | encoding | command |
//! | --- | --- |
//! | PKCS#1 / SEC1 | `openssl pkey -traditional -in K -out OUT` |
//! | DER PKCS#8 | `openssl pkcs8 -topk8 -nocrypt -in K -outform DER -out OUT` |
//! | encrypted PKCS#8, PBKDF2 | `openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:P -in K -out OUT` |
//! | encrypted PKCS#8, scrypt | `openssl pkcs8 -topk8 -scrypt -scrypt_N 1024 -scrypt_r 8 -scrypt_p 1 -passout pass:P -in K -out OUT` |
//! | legacy encrypted PEM | `openssl pkey -traditional -des3 (-aes128, -aes192, -aes256) -passout pass:P -in K -out OUT`; `-des` with `-provider legacy -provider default` |
//!
//! (scrypt's N is lowered from OpenSSL's 16384 to keep the debug build quick; the fixture
//! `p256.encrypted-pkcs8-scrypt.pem` has the default.) The mismatching certificate is made
//! for the second key: `openssl req -new -x509 -key OTHER -subj /CN=other.test -days 30 -out OUT`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::util::*;

const PASSWORD: &str = "fixture-password";

/// One key type: its fixtures and what match-key must say about it.
struct Alg {
    name: &'static str,
    cert: &'static str,
    /// The PKCS#8 fixture every other encoding is made from.
    key: &'static str,
    /// A second key of the same type.
    other: &'static str,
    /// The traditional encoding openssl writes (`pkcs1`, `sec1`), none for Ed25519.
    traditional: Option<&'static str>,
    /// rustls with ring (Granian) loads this type and size.
    ring_loads: bool,
}

const ALGS: [Alg; 6] = [
    Alg {
        name: "rsa2048",
        cert: "certs/v3-rsa2048.pem",
        key: "keys/rsa2048.pkcs8.pem",
        other: "keys/rsa2048.other.pkcs8.pem",
        traditional: Some("pkcs1"),
        ring_loads: true,
    },
    Alg {
        name: "rsa4096",
        cert: "certs/v3-rsa4096.pem",
        key: "keys/rsa4096.pkcs8.pem",
        other: "keys/rsa4096.other.pkcs8.pem",
        traditional: Some("pkcs1"),
        ring_loads: true,
    },
    Alg {
        name: "p256",
        cert: "certs/v3-p256.pem",
        key: "keys/p256.pkcs8.pem",
        other: "keys/p256.other.pkcs8.pem",
        traditional: Some("sec1"),
        ring_loads: true,
    },
    Alg {
        name: "p384",
        cert: "certs/v3-p384.pem",
        key: "keys/p384.pkcs8.pem",
        other: "keys/p384.other.pkcs8.pem",
        traditional: Some("sec1"),
        ring_loads: true,
    },
    Alg {
        name: "p521",
        cert: "certs/v3-p521.pem",
        key: "keys/p521.pkcs8.pem",
        other: "keys/p521.other.pkcs8.pem",
        traditional: Some("sec1"),
        ring_loads: false,
    },
    Alg {
        name: "ed25519",
        cert: "certs/v3-ed25519.pem",
        key: "keys/ed25519.pkcs8.pem",
        other: "keys/ed25519.other.pkcs8.pem",
        traditional: None,
        ring_loads: true,
    },
];

/// One encoding of a key, as a file.
struct Encoded {
    label: String,
    path: PathBuf,
    /// JSON `key.encoding`.
    encoding: &'static str,
    encrypted: bool,
    /// Granian cannot load the file as it is (DER, encrypted): `key-format-unsupported-by-granian`.
    format_issue: bool,
}

fn fx(rel: &str) -> String {
    fixture(rel).to_str().unwrap().to_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every encoding openssl can write of `alg`'s key (see the module comment).
fn encodings(alg: &Alg, dir: &Path) -> Vec<Encoded> {
    let key = fx(alg.key);
    let out = |name: &str| dir.join(format!("{}.{name}", alg.name));
    let make = |args: &[&str], path: &Path| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["-in", &key, "-out", path_str(path)]);
        openssl(&all, None);
    };
    let pass = format!("pass:{PASSWORD}");
    let mut list = vec![Encoded {
        label: "pkcs8".into(),
        path: fixture(alg.key),
        encoding: "pkcs8",
        encrypted: false,
        format_issue: false,
    }];
    let der = out("pkcs8.der");
    make(&["pkcs8", "-topk8", "-nocrypt", "-outform", "DER"], &der);
    list.push(Encoded {
        label: "pkcs8 DER".into(),
        path: der,
        encoding: "pkcs8",
        encrypted: false,
        format_issue: true,
    });
    if alg.name == "ed25519" {
        list.push(Encoded {
            label: "pkcs8 v2".into(),
            path: fixture("keys/ed25519.pkcs8v2.pem"),
            encoding: "pkcs8",
            encrypted: false,
            format_issue: false,
        });
    }
    if let Some(traditional) = alg.traditional {
        let path = out("traditional.pem");
        make(&["pkey", "-traditional"], &path);
        list.push(Encoded {
            label: traditional.into(),
            path,
            encoding: traditional,
            encrypted: false,
            format_issue: false,
        });
    }
    let pbkdf2 = out("pbkdf2.pem");
    make(&["pkcs8", "-topk8", "-v2", "aes-256-cbc", "-passout", &pass], &pbkdf2);
    list.push(Encoded {
        label: "encrypted pkcs8 pbkdf2".into(),
        path: pbkdf2,
        encoding: "encrypted-pkcs8",
        encrypted: true,
        format_issue: true,
    });
    let scrypt = out("scrypt.pem");
    make(
        &["pkcs8", "-topk8", "-scrypt", "-scrypt_N", "1024", "-scrypt_r", "8", "-scrypt_p", "1", "-passout", &pass],
        &scrypt,
    );
    list.push(Encoded {
        label: "encrypted pkcs8 scrypt".into(),
        path: scrypt,
        encoding: "encrypted-pkcs8",
        encrypted: true,
        format_issue: true,
    });
    if alg.traditional.is_some() {
        for cipher in ["des3", "aes128", "aes192", "aes256", "des"] {
            let path = out(&format!("legacy-{cipher}.pem"));
            let flag = format!("-{cipher}");
            let mut args = vec!["pkey", "-traditional", flag.as_str(), "-passout", &pass];
            if cipher == "des" {
                args.extend(["-provider", "legacy", "-provider", "default"]); // OpenSSL 3 moved DES there
            }
            make(&args, &path);
            let header = fs::read_to_string(&path).unwrap();
            assert!(header.contains("Proc-Type: 4,ENCRYPTED"), "{}: {header}", path.display());
            list.push(Encoded {
                label: format!("legacy {cipher}"),
                path,
                encoding: "legacy-encrypted-pem",
                encrypted: true,
                format_issue: true,
            });
        }
    }
    list
}

fn password_file(dir: &Path) -> PathBuf {
    let path = dir.join("password.txt");
    fs::write(&path, format!("{PASSWORD}\n")).unwrap();
    path
}

/// `match-key` with the password file when the key is encrypted.
fn match_key(json: bool, cert: &str, key: &Encoded, password: &Path) -> Run {
    let mut args: Vec<&str> = Vec::new();
    if json {
        args.push("--json");
    }
    args.push("match-key");
    if key.encrypted {
        args.extend(["--password-file", path_str(password)]);
    }
    args.extend([cert, path_str(&key.path)]);
    run(&args)
}

/// The right pair exits 0, the same key against a certificate for another key of the same
/// type exits 1 with `key-mismatch`; findings say exactly what Granian makes of the key;
/// no output, human or JSON, holds key material or the password.
fn check_every_encoding(alg: &Alg) {
    let dir = tempfile::tempdir().unwrap();
    let password = password_file(dir.path());
    let cert = fx(alg.cert);
    let other_cert = dir.path().join("other-cert.pem");
    openssl(
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            &fx(alg.other),
            "-subj",
            "/CN=other.test",
            "-days",
            "30",
            "-out",
            path_str(&other_cert),
        ],
        None,
    );
    let encodings = encodings(alg, dir.path());
    let plain = openssl(&["pkey", "-in", &fx(alg.key), "-outform", "DER"], None);
    assert!(encodings.len() >= 5, "{}", alg.name);
    for key in &encodings {
        let what = format!("{} {}", alg.name, key.label);
        // Every encoding holds the same key: its plain DER must not show, whatever the file.
        let secrets = Secrets::of_key_file(&key.path).and_word(PASSWORD).and_der(&plain);
        let mut granian: Vec<&str> = Vec::new();
        if key.format_issue {
            granian.push("key-format-unsupported-by-granian");
        }
        if !alg.ring_loads {
            granian.push("key-unsupported-by-granian");
        }

        let right = match_key(true, &cert, key, &password);
        assert_eq!(right.code, 0, "{what}: {}", right.stderr);
        secrets.assert_absent(&right);
        let json = right.json();
        let data = &json["data"];
        assert_eq!(data["matches"], true, "{what}");
        assert_eq!(data["key"]["encoding"], key.encoding, "{what}");
        assert_eq!(data["key"]["encrypted"], key.encrypted, "{what}");
        assert_eq!(data["key"]["algorithm"], data["certificate"]["public_key"]["algorithm"], "{what}");
        assert_eq!(data["key"]["spki_sha256"], data["certificate"]["spki_sha256"], "{what}");
        assert_eq!(data["granian_loads_key"], granian.is_empty(), "{what}");
        assert_eq!(right.finding_codes(), granian, "{what}");
        assert_eq!(json["status"], if granian.is_empty() { "ok" } else { "warning" }, "{what}");

        let human = match_key(false, &cert, key, &password);
        assert_eq!(human.code, 0, "{what}: {}", human.stderr);
        assert!(human.stdout.starts_with("match: "), "{what}: {}", human.stdout);
        secrets.assert_absent(&human);

        let wrong = match_key(true, path_str(&other_cert), key, &password);
        assert_eq!(wrong.code, 1, "{what}: {}", wrong.stderr);
        secrets.assert_absent(&wrong);
        let json = wrong.json();
        assert_eq!(json["data"]["matches"], false, "{what}");
        assert_eq!(json["status"], "error", "{what}");
        let mut expected = vec!["key-mismatch"];
        expected.extend(&granian);
        assert_eq!(wrong.finding_codes(), expected, "{what}");
        let human = match_key(false, path_str(&other_cert), key, &password);
        assert_eq!(human.code, 1, "{what}");
        assert!(human.stdout.starts_with("MISMATCH: "), "{what}: {}", human.stdout);
        assert!(human.stdout.contains("KEY_VALUES_MISMATCH"), "{what}: {}", human.stdout);
        secrets.assert_absent(&human);
    }
    // And the other way round: the second key against the fixture certificate.
    let other = run(["--json", "match-key", &cert, &fx(alg.other)]);
    assert_eq!(other.code, 1, "{}: {}", alg.name, other.stderr);
    assert_eq!(other.finding_codes()[0], "key-mismatch");
}

#[test]
fn rsa2048_every_encoding() {
    check_every_encoding(&ALGS[0]);
}

#[test]
fn rsa4096_every_encoding() {
    check_every_encoding(&ALGS[1]);
}

#[test]
fn p256_every_encoding() {
    check_every_encoding(&ALGS[2]);
}

#[test]
fn p384_every_encoding() {
    check_every_encoding(&ALGS[3]);
}

#[test]
fn p521_every_encoding_and_granian_cannot_load_it() {
    check_every_encoding(&ALGS[4]);
    let out = run(["match-key", &fx("certs/v3-p521.pem"), &fx("keys/p521.sec1.pem")]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("ECDSA P-521") && out.stdout.contains("ring"), "{}", out.stdout);
}

#[test]
fn ed25519_every_encoding_including_pkcs8_v2() {
    check_every_encoding(&ALGS[5]);
}

/// The existing encrypted fixtures (OpenSSL's default scrypt cost), and the SEC1 key with
/// its EC PARAMETERS block, and DER PKCS#1.
#[test]
fn openssl_default_fixtures_match() {
    let dir = tempfile::tempdir().unwrap();
    let password = password_file(dir.path());
    for (cert, key) in [
        ("certs/v3-p256.pem", "keys/p256.encrypted-pkcs8-scrypt.pem"),
        ("certs/v3-rsa2048.pem", "keys/rsa2048.encrypted-pkcs8.pem"),
        ("certs/v3-rsa2048.pem", "keys/rsa2048.legacy-encrypted.pem"),
        ("certs/v3-p256.pem", "keys/p256.sec1-params.pem"),
        ("certs/v3-rsa2048.pem", "keys/rsa2048.pkcs1.der"),
        ("certs/v1.pem", "keys/rsa2048.pkcs1.pem"),
        ("certs/req-x509-ca-true.pem", "keys/req-x509.key.pem"),
    ] {
        let out = run(["--json", "match-key", "--password-file", path_str(&password), &fx(cert), &fx(key)]);
        assert_eq!(out.code, 0, "{key}: {}", out.stderr);
        assert_eq!(out.json()["data"]["matches"], true, "{key}");
        // How the key is stored is said as stored, not as decrypted.
        let protection = out.json()["data"]["key"]["protection"].as_str().map(str::to_owned);
        let expected = match key {
            k if k.contains("scrypt") => Some("scrypt"),
            k if k.contains("encrypted-pkcs8") => Some("PBKDF2"),
            k if k.contains("legacy-encrypted") => Some("OpenSSL legacy PEM encryption (AES-256-CBC)"),
            _ => None,
        };
        assert_eq!(protection.is_some(), expected.is_some(), "{key}: {protection:?}");
        if let (Some(protection), Some(expected)) = (protection, expected) {
            assert!(protection.contains(expected), "{key}: {protection}");
        }
    }
}

/// What the guide runs: `openssl x509 -noout -modulus -in C | openssl md5` and
/// `openssl rsa -noout -modulus -in K | openssl md5`, through a shell, as printed.
fn recipe(command: &str, path: &str) -> String {
    let line = format!("openssl {command} -noout -modulus -in '{path}' | openssl md5");
    let out = std::process::Command::new("sh").args(["-c", &line]).output().unwrap();
    assert!(out.status.success(), "{line}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
}

#[test]
fn rsa_digest_is_what_the_guides_recipe_prints() {
    let dir = tempfile::tempdir().unwrap();
    // A 2052-bit modulus starts with a zero hex digit, which OpenSSL does not print.
    let (odd_key, odd_cert) = (dir.path().join("rsa2052.pem"), dir.path().join("rsa2052.crt"));
    openssl(&["genrsa", "-out", path_str(&odd_key), "2052"], None);
    openssl(
        &[
            "req",
            "-new",
            "-x509",
            "-key",
            path_str(&odd_key),
            "-subj",
            "/CN=odd.test",
            "-days",
            "30",
            "-out",
            path_str(&odd_cert),
        ],
        None,
    );
    let pairs = [
        (fx("certs/v3-rsa2048.pem"), fx("keys/rsa2048.pkcs1.pem")),
        (fx("certs/v3-rsa2048.pem"), fx("keys/rsa2048.other.pkcs8.pem")),
        (fx("certs/v3-rsa4096.pem"), fx("keys/rsa4096.pkcs8.pem")),
        (fx("certs/v1.pem"), fx("keys/rsa2048.pkcs8.pem")),
        (path_str(&odd_cert).to_owned(), path_str(&odd_key).to_owned()),
    ];
    for (cert, key) in &pairs {
        let (cert_md5, key_md5) = (recipe("x509", cert), recipe("rsa", key));
        assert!(cert_md5.starts_with("MD5(stdin)= "), "{cert_md5}");
        let out = run(["match-key", cert.as_str(), key.as_str()]);
        let printed: Vec<&str> =
            out.stdout.lines().filter_map(|l| l.trim().strip_prefix("modulus md5")).map(str::trim).collect();
        assert_eq!(printed, [cert_md5.as_str(), key_md5.as_str()], "{cert} / {key}:\n{}", out.stdout);
        assert_eq!(out.code, if cert_md5 == key_md5 { 0 } else { 1 }, "{key}");
        let json = run(["--json", "match-key", cert.as_str(), key.as_str()]).json();
        assert_eq!(format!("MD5(stdin)= {}", json["data"]["certificate"]["modulus_md5"].as_str().unwrap()), cert_md5);
        assert_eq!(format!("MD5(stdin)= {}", json["data"]["key"]["modulus_md5"].as_str().unwrap()), key_md5);
    }
    // Not RSA: no digest, as the recipe has none ("No modulus for this public key type").
    let json = run(["--json", "match-key", &fx("certs/v3-p256.pem"), &fx("keys/p256.pkcs8.pem")]).json();
    assert!(json["data"]["certificate"].get("modulus_md5").is_none());
}

#[test]
fn encrypted_keys_need_the_right_password_from_a_file_or_variable() {
    let dir = tempfile::tempdir().unwrap();
    let wrong = dir.path().join("wrong.txt");
    fs::write(&wrong, "not-the-password\n").unwrap();
    let crlf = dir.path().join("crlf.txt");
    fs::write(&crlf, format!("{PASSWORD}\r\n")).unwrap();
    let cert = fx("certs/v3-rsa2048.pem");
    let p256 = fx("certs/v3-p256.pem");
    let keys = [
        (&cert, fx("keys/rsa2048.encrypted-pkcs8.pem")),
        (&cert, fx("keys/rsa2048.legacy-encrypted.pem")),
        (&p256, fx("keys/p256.encrypted-pkcs8-scrypt.pem")),
    ];
    for (cert, key) in &keys {
        let secrets = Secrets::of_key_file(Path::new(key)).and_word(PASSWORD).and_word("not-the-password");
        // From a file with a CRLF line end, and from a variable.
        let out = run(["match-key", "--password-file", path_str(&crlf), cert, key]);
        assert_eq!(out.code, 0, "{key}: {}", out.stderr);
        let env: Run = certsmith()
            .env("KEY_PASSWORD", PASSWORD)
            .args(["match-key", "--password-env", "KEY_PASSWORD", cert, key])
            .output()
            .unwrap()
            .into();
        assert_eq!(env.code, 0, "{key}: {}", env.stderr);
        secrets.assert_absent(&env);

        // A wrong password is its own error, in both formats.
        for json in [false, true] {
            let mut args = if json { vec!["--json"] } else { vec![] };
            args.extend(["match-key", "--password-file", path_str(&wrong), cert.as_str(), key.as_str()]);
            let out = run(&args);
            assert_eq!(out.code, 2, "{key}");
            assert!(out.stderr.contains(&format!("wrong password for {key}")), "{key}: {}", out.stderr);
            secrets.assert_absent(&out);
            if json {
                let json = out.json();
                assert_eq!(json["status"], "error");
                assert!(json["data"].is_null());
                assert_eq!(json["errors"][0]["message"], format!("wrong password for {key}"));
                assert_eq!(json["errors"][0]["subject"]["path"], key.as_str());
            }
        }

        // No source and no terminal (stdin is not one here): exit 2, the hint names --password-file.
        let out = run(["match-key", cert.as_str(), key.as_str()]);
        assert_eq!(out.code, 2, "{key}");
        assert!(out.stderr.contains("no password was given"), "{key}: {}", out.stderr);
        assert!(out.stderr.contains("hint:") && out.stderr.contains("--password-file"), "{}", out.stderr);

        // A variable that is not set.
        let out = run(["match-key", "--password-env", "NO_SUCH_VARIABLE", cert.as_str(), key.as_str()]);
        assert_eq!(out.code, 2);
        assert!(out.stderr.contains("NO_SUCH_VARIABLE is not set"), "{}", out.stderr);
    }
    // The password never comes from argv: there is no flag for it.
    let out = run(["match-key", "--password", PASSWORD, cert.as_str(), keys[0].1.as_str()]);
    assert_eq!(out.code, 2);
    let out = run(["match-key", "--password-file", "/no/such/file", cert.as_str(), keys[0].1.as_str()]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read password file /no/such/file"), "{}", out.stderr);
}

#[test]
fn a_plain_key_needs_no_password_source() {
    let out =
        run(["match-key", "--password-env", "NO_SUCH_VARIABLE", &fx("certs/v3-p256.pem"), &fx("keys/p256.pkcs8.pem")]);
    assert_eq!(out.code, 0, "{}", out.stderr);
}

#[test]
fn swapped_and_wrong_arguments_are_explained() {
    let (cert, key) = (fx("certs/v3-p256.pem"), fx("keys/p256.pkcs8.pem"));
    let cases: [(&str, &str, &str, &str); 5] = [
        (&key, &cert, "the arguments are swapped", "certsmith match-key"),
        (&key, &key, "holds a private key, not a certificate", "first argument is the certificate"),
        (&cert, &cert, "holds a certificate, not a private key", "second argument is the private key"),
        ("csr", &key, "holds a certificate request (CSR), not a certificate", "issued from this request"),
        (&cert, "pub", "holds a public key, not a private key", "second argument is the private key"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let public = dir.path().join("public.pem");
    openssl(&["pkey", "-in", &key, "-pubout", "-out", path_str(&public)], None);
    let csr = fx("csr/p256.csr");
    for (first, second, message, hint) in cases {
        let first = if first == "csr" { csr.as_str() } else { first };
        let second = if second == "pub" { path_str(&public) } else { second };
        for json in [false, true] {
            let mut args = if json { vec!["--json"] } else { vec![] };
            args.extend(["match-key", first, second]);
            let out = run(&args);
            assert_eq!(out.code, 2, "{first} {second}");
            assert!(out.stderr.contains(message), "{first} {second}: {}", out.stderr);
            let hint_line = out.stderr.lines().find(|l| l.starts_with("hint:")).unwrap_or_default();
            assert!(hint_line.contains(hint), "{first} {second}: {}", out.stderr);
            if json {
                assert!(out.json()["errors"][0]["message"].as_str().unwrap().contains(message));
            }
        }
    }
    // The swapped case says exactly what to run.
    let out = run(["match-key", &key, &cert]);
    assert!(out.stderr.contains(&format!("`certsmith match-key {cert} {key}`")), "{}", out.stderr);
    // Broken files fail as in every command.
    let out = run(["match-key", &cert, &fx("broken/truncated-block.pem")]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("broken/truncated-block.pem"), "{}", out.stderr);
}

#[test]
fn index_picks_a_certificate_of_the_file() {
    let bundle = fx("bundle/three-with-text.pem"); // RSA-2048, P-256, Ed25519 fixtures, in that order
    let key = fx("keys/p256.sec1.pem");
    let first = run(["--json", "match-key", &bundle, &key]);
    assert_eq!(first.code, 1);
    let json = first.json();
    assert_eq!(json["data"]["certificate"]["source"]["index"], 0);
    let hint = json["findings"][0]["hint"].as_str().unwrap();
    assert!(hint.contains("--index 1"), "the key belongs to the second certificate: {hint}");

    let second = run(["--json", "match-key", "--index", "1", &bundle, &key]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.json()["data"]["certificate"]["source"]["index"], 1);

    let past = run(["match-key", "--index", "3", &bundle, &key]);
    assert_eq!(past.code, 2);
    assert!(past.stderr.contains("holds 3 certificates"), "{}", past.stderr);
    assert!(past.stderr.contains("0 to 2"), "{}", past.stderr);
}

#[test]
fn reads_the_certificate_from_standard_input() {
    let pem = fs::read(fixture("certs/v3-ed25519.pem")).unwrap();
    let out: Run = certsmith()
        .args(["--json", "match-key", "-", &fx("keys/ed25519.pkcs8v2.pem")])
        .write_stdin(pem)
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["data"]["certificate"]["source"]["path"], "<stdin>");
    let both = run(["match-key", "-", "-"]);
    assert_eq!(both.code, 2);
}

/// Pairs `certsmith gen` makes, for every key type it offers: each pair matches and Granian
/// loads its key; a second pair's key of the same type does not match.
#[test]
fn gen_made_pairs_match_and_crossed_pairs_do_not() {
    let dir = tempfile::tempdir().unwrap();
    for key_type in ["ecdsa-p256", "ecdsa-p384", "ed25519", "rsa-2048", "rsa-3072", "rsa-4096"] {
        let pair = |n: u32| {
            let out = dir.path().join(format!("{key_type}-{n}"));
            let made = run(["gen", "--out-dir", path_str(&out), "--key-type", key_type, "match.test"]);
            assert_eq!(made.code, 0, "{key_type}: {}", made.stderr);
            (out.join("certificate.pem"), out.join("private_key.pem"))
        };
        let ((cert, key), (_, other_key)) = (pair(1), pair(2));
        let right = run(["--json", "match-key", path_str(&cert), path_str(&key)]);
        assert_eq!(right.code, 0, "{key_type}: {}", right.stderr);
        assert_eq!(right.json()["data"]["granian_loads_key"], true, "{key_type}");
        assert!(right.finding_codes().is_empty(), "{key_type}: {:?}", right.finding_codes());
        let crossed = run(["--json", "match-key", path_str(&cert), path_str(&other_key)]);
        assert_eq!(crossed.code, 1, "{key_type}: {}", crossed.stderr);
        assert_eq!(crossed.finding_codes(), ["key-mismatch"], "{key_type}");
    }
}

/// A PKCS#1 key with one bit of its private exponent flipped still parses, and its (n, e)
/// are the certificate's: OpenSSL's `pkey -check` calls it invalid, and match-key must
/// not call it a match (Granian would fail its first handshake with it).
#[test]
fn a_damaged_rsa_key_is_an_error_not_a_match() {
    let dir = tempfile::tempdir().unwrap();
    let mut der = fs::read(fixture("keys/rsa2048.pkcs1.der")).unwrap();
    der[400] ^= 0x01; // inside the private exponent
    let damaged = dir.path().join("damaged.der");
    fs::write(&damaged, &der).unwrap();
    let check = std::process::Command::new("openssl")
        .args(["pkey", "-check", "-noout", "-inform", "DER", "-in"])
        .arg(&damaged)
        .output()
        .unwrap();
    assert!(!check.status.success(), "openssl accepts the damaged key");
    let cert = dir.path().join("cert.pem");
    openssl(
        &["req", "-x509", "-key", &fx("keys/rsa2048.pkcs1.pem"), "-subj", "/CN=x.test", "-out", cert.to_str().unwrap()],
        None,
    );
    let out = run(["match-key", cert.to_str().unwrap(), damaged.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("damaged.der") && out.stderr.contains("inconsistent"), "{}", out.stderr);
}

/// A certificate that stores its EC public key compressed (made from a key OpenSSL was
/// told to write compressed) with its own key. OpenSSL says the two are one key, rustls
/// refuses the pair, and certsmith says both: a match that Granian will not start with.
/// The command its hint gives makes a pair rustls loads.
#[test]
fn a_compressed_public_key_belongs_but_rustls_refuses_the_pair() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| path_str(&dir.path().join(name)).to_owned();
    let (key, compressed_key, cert) = (at("k.pem"), at("kc.pem"), at("c.pem"));
    openssl(&["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", &key], None);
    openssl(&["ec", "-in", &key, "-conv_form", "compressed", "-out", &compressed_key], None);
    openssl(
        &["req", "-x509", "-key", &compressed_key, "-out", &cert, "-subj", "/CN=localhost", "-days", "30"]
            .into_iter()
            .chain(["-addext", "subjectAltName=DNS:localhost", "-addext", "basicConstraints=critical,CA:FALSE"])
            .chain(["-addext", "extendedKeyUsage=serverAuth"])
            .collect::<Vec<_>>(),
        None,
    );
    // OpenSSL: the key's public key, written compressed, is the certificate's, byte for byte.
    let key_public = openssl(&["ec", "-in", &key, "-pubout", "-conv_form", "compressed", "-outform", "DER"], None);
    let cert_public = openssl(&["x509", "-in", &cert, "-noout", "-pubkey"], None);
    assert_eq!(openssl(&["pkey", "-pubin", "-outform", "DER"], Some(&cert_public)), key_public);
    // rustls, as Granian loads the pair.
    let refused = crate::tls::server_config(Path::new(&cert), Path::new(&key)).unwrap_err();
    assert!(refused.contains("KeyMismatch"), "{refused}");

    let out = run(["--json", "match-key", &cert, &key]);
    assert_eq!((out.code, out.finding_codes()), (1, vec!["compressed-public-key".to_owned()]), "{}", out.stdout);
    assert_eq!(out.json()["data"]["matches"], true);
    assert_eq!(finding(&out.json(), "compressed-public-key")["severity"], "error");
    let human = run(["match-key", &cert, &key]);
    assert!(human.stdout.starts_with("REFUSED: "), "{}", human.stdout);
    assert!(human.stdout.contains("loads the key, but not with this certificate"), "{}", human.stdout);
    let out = run(["--json", "verify", "--ca", &cert, "--key", &key, &cert]);
    assert_eq!(out.code, 1, "{}", out.stdout);
    assert_eq!(finding(&out.json(), "compressed-public-key")["severity"], "error");

    // gen --if-needed replaces such a pair, and says why.
    let renew = dir.path().join("renew");
    fs::create_dir_all(renew.join("certs")).unwrap();
    fs::copy(&cert, renew.join("certs/certificate.pem")).unwrap();
    fs::copy(&key, renew.join("certs/private_key.pem")).unwrap();
    let out: Run = certsmith().current_dir(&renew).args(["--json", "gen", "--if-needed"]).output().unwrap().into();
    assert_eq!(out.json()["data"]["action"], "replaced", "{}", out.stdout);
    let reasons = out.json()["data"]["reasons"].to_string();
    assert!(reasons.contains("stores its public key compressed, which rustls refuses"), "{reasons}");

    let refused = finding(&run(["--json", "match-key", &cert, &key]).json(), "compressed-public-key").clone();
    // The replacement keeps the certificate's names; the hint shows the same command.
    let command = refused["fix"].as_str().unwrap().to_owned();
    assert!(refused["hint"].as_str().unwrap().contains(&format!("`{command}`")), "{refused}");
    assert!(command.starts_with("certsmith gen --force --key ") && command.ends_with(" localhost"), "{command}");
    let words = shlex::split(&command).unwrap();
    assert_eq!(words[0], "certsmith");
    let fixed = certsmith().current_dir(dir.path()).args(&words[1..]).output().unwrap();
    assert!(fixed.status.success(), "{command}: {}", String::from_utf8_lossy(&fixed.stderr));
    assert_eq!(run(["match-key", &cert, &key]).code, 0);
    crate::tls::server_config(Path::new(&cert), Path::new(&key)).unwrap();

    // A CA certificate made the same way: gen names the reason it will not issue from it.
    let ca = at("ca.pem");
    openssl(
        &["req", "-x509", "-key", &compressed_key, "-out", &ca, "-subj", "/CN=compressed CA", "-days", "30"]
            .into_iter()
            .chain(["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign"])
            .collect::<Vec<_>>(),
        None,
    );
    let out: Run = certsmith()
        .current_dir(dir.path())
        .args(["gen", "--ca-cert", &ca, "--ca-key", &key, "app.test"])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("stores its EC public key compressed"), "{}", out.stderr);
}

/// The guide's legacy pair: the key belongs, but Granian refuses the X.509 v1 certificate
/// (rustls's UnsupportedCertVersion), so match-key does not say Granian loads it. Like a key
/// Granian cannot load, that is a warning: the key does belong (exit 0).
#[test]
fn a_pair_whose_certificate_granian_refuses_is_not_called_loadable() {
    let (cert, key) = (fixture("certs/v1.pem"), fixture("keys/rsa2048.pkcs1.pem"));
    let out = run([std::ffi::OsStr::new("--json"), "match-key".as_ref(), cert.as_os_str(), key.as_os_str()]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let json = out.json();
    assert_eq!(json["data"]["matches"], true);
    assert_eq!(json["data"]["granian_loads_key"], true);
    assert_eq!(json["data"]["granian_loads_certificate"], false);
    assert_eq!(out.finding_codes(), ["unsupported-cert-version"]);
    assert_eq!(finding(&json, "unsupported-cert-version")["severity"], "warning");

    let human = run([std::ffi::OsStr::new("match-key"), cert.as_os_str(), key.as_os_str()]);
    assert!(
        human.stdout.contains("refuses the certificate") && !human.stdout.contains("loads it as it is"),
        "{}",
        human.stdout
    );

    // Its fix, pasted beside copies of the pair, leaves a pair Granian loads.
    let dir = tempfile::tempdir().unwrap();
    fs::copy(&cert, dir.path().join("v1.pem")).unwrap();
    fs::copy(&key, dir.path().join("key.pem")).unwrap();
    let in_dir = |args: &[&str]| -> Run { certsmith().current_dir(dir.path()).args(args).output().unwrap().into() };
    let before = in_dir(&["--json", "match-key", "v1.pem", "key.pem"]);
    let fix = finding(&before.json(), "unsupported-cert-version")["fix"].as_str().unwrap().to_owned();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_certsmith")).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let pasted = std::process::Command::new("sh").args(["-c", &fix]).current_dir(dir.path()).env("PATH", path).status();
    assert!(pasted.unwrap().success(), "{fix}");
    let after = in_dir(&["--json", "match-key", "v1.pem", "key.pem"]);
    assert_eq!((after.code, after.finding_codes()), (0, Vec::<String>::new()), "after `{fix}`: {}", after.stdout);
    assert_eq!(after.json()["data"]["granian_loads_certificate"], true);
}

/// Python's load_cert_chain (OpenSSL at security level 2, as Granian runs it) checks every
/// certificate of the file: not a self-signed root's own SHA-1 signature, but an
/// intermediate's RSA-1024 key (CA_KEY_TOO_SMALL). match-key and verify say what Python does.
#[test]
fn granians_load_of_the_whole_file_matches_pythons() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();
    let ca_ext = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n";
    std::fs::write(p("ca.ext"), ca_ext).unwrap();
    std::fs::write(p("leaf.ext"), "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n").unwrap();
    let o = |args: &[&str]| {
        openssl(args, None);
    };
    // A SHA-1 self-signed root, an RSA-1024 intermediate under it, a leaf under each.
    o(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha1",
        "-keyout",
        &p("root.key"),
        "-subj",
        "/CN=root",
        "-days",
        "30",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        &p("root.pem"),
    ]);
    o(&[
        "req",
        "-new",
        "-newkey",
        "rsa:1024",
        "-nodes",
        "-keyout",
        &p("inter.key"),
        "-subj",
        "/CN=inter",
        "-out",
        &p("inter.csr"),
    ]);
    o(&[
        "x509",
        "-req",
        "-in",
        &p("inter.csr"),
        "-CA",
        &p("root.pem"),
        "-CAkey",
        &p("root.key"),
        "-extfile",
        &p("ca.ext"),
        "-days",
        "30",
        "-sha256",
        "-out",
        &p("inter.pem"),
    ]);
    for (leaf, ca) in [("leaf-root", "root"), ("leaf-inter", "inter")] {
        o(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            &p(&format!("{leaf}.key")),
            "-subj",
            "/CN=localhost",
            "-out",
            &p(&format!("{leaf}.csr")),
        ]);
        o(&[
            "x509",
            "-req",
            "-in",
            &p(&format!("{leaf}.csr")),
            "-CA",
            &p(&format!("{ca}.pem")),
            "-CAkey",
            &p(&format!("{ca}.key")),
            "-extfile",
            &p("leaf.ext"),
            "-days",
            "30",
            "-sha256",
            "-out",
            &p(&format!("{leaf}.pem")),
        ]);
        let chain = [
            std::fs::read_to_string(p(&format!("{leaf}.pem"))).unwrap(),
            std::fs::read_to_string(p(&format!("{ca}.pem"))).unwrap(),
        ]
        .concat();
        std::fs::write(p(&format!("{leaf}.full.pem")), chain).unwrap();
    }
    let python_loads = |cert: &str, key: &str| {
        let script =
            "import ssl, sys\nssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(sys.argv[1], sys.argv[2])";
        std::process::Command::new("python3").args(["-c", script, cert, key]).output().unwrap().status.success()
    };
    for (leaf, expected) in [("leaf-root", true), ("leaf-inter", false)] {
        let (cert, key) = (p(&format!("{leaf}.full.pem")), p(&format!("{leaf}.key")));
        assert_eq!(python_loads(&cert, &key), expected, "{leaf}: Python, the reference");
        let out = run(["--json", "match-key", &cert, &key]);
        assert_eq!(out.json()["data"]["granian_loads_certificate"], expected, "{leaf}: {}", out.stdout);
        let verdict =
            run(["--json", "verify", "--key", &key, &cert]).json()["data"]["verdicts"]["granian"]["result"].clone();
        assert_eq!(verdict, if expected { "starts" } else { "fails" }, "{leaf}");
    }
}
