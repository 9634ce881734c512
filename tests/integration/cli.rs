//! The global command line: help, version, colour, formats.

use crate::util::*;

#[test]
fn help_for_each_command_has_examples_and_exit_status() {
    for command in ["inspect", "verify"] {
        for args in [vec!["help", command], vec![command, "--help"]] {
            let out = run(&args);
            assert_eq!(out.code, 0, "{args:?}");
            assert!(
                out.stdout.contains("EXAMPLES:") && out.stdout.contains("EXIT STATUS:"),
                "{args:?}:\n{}",
                out.stdout
            );
            assert!(out.stdout.contains("certsmith verify"), "{args:?}: inspect's help points to verify");
        }
    }
    for args in [vec!["help", "match-key"], vec!["match-key", "--help"]] {
        let out = run(&args);
        assert_eq!(out.code, 0, "{args:?}");
        assert!(out.stdout.contains("EXAMPLES:") && out.stdout.contains("EXIT STATUS:"), "{args:?}:\n{}", out.stdout);
        assert!(out.stdout.contains("--password-file"), "{}", out.stdout);
    }
    let top = run(["--help"]);
    assert!(top.stdout.contains("EXAMPLES:") && top.stdout.contains("EXIT STATUS:"));
}

#[test]
fn version_names_the_package() {
    let out = run(["--version"]);
    assert_eq!(out.code, 0);
    assert_eq!(out.stdout.trim(), format!("certsmith {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(["inspect"]).code, 2);
    assert_eq!(run(["no-such-command"]).code, 2);
    assert_eq!(run(["--format", "yaml", "inspect", "x"]).code, 2);
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let path = fixture("certs/v1.pem");
    let path = path.to_str().unwrap();
    let plain = run(["--at", AT, "inspect", path]);
    assert!(!plain.stdout.contains('\x1b'), "not a terminal: no colour");
    let forced: Run = certsmith()
        .env_remove("NO_COLOR")
        .args(["--color", "always", "--at", AT, "inspect", path])
        .output()
        .unwrap()
        .into();
    assert!(forced.stdout.contains('\x1b'), "--color always colours");
    let vetoed: Run = certsmith()
        .env("NO_COLOR", "1")
        .args(["--color", "always", "--at", AT, "inspect", path])
        .output()
        .unwrap()
        .into();
    assert!(!vetoed.stdout.contains('\x1b'), "NO_COLOR wins");
}

#[test]
fn json_envelope_has_exactly_the_documented_members() {
    let path = fixture("certs/v3-p256.pem");
    for flags in [vec!["--json"], vec!["--format", "json"]] {
        let mut args = flags.clone();
        args.extend(["--at", AT, "inspect", path.to_str().unwrap()]);
        let json = run(&args).json();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["command", "data", "errors", "findings", "schema_version", "status"]);
        assert_eq!(json["schema_version"], 1);
        assert_eq!(json["command"], "inspect");
        assert_eq!(json["status"], "ok");
    }
}

/// `certsmith verify … | grep -q …` must not turn a failure into success: with the reader
/// gone, the status still reflects what was found. The output is larger than a pipe's
/// buffer, so the write really meets the closed pipe.
#[test]
fn a_closed_stdout_keeps_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = String::new();
    for i in 0..150 {
        let path = dir.path().join(format!("v1-{i}.pem"));
        std::fs::copy(fixture("certs/v1.pem"), &path).unwrap();
        files.push_str(&format!(" '{}'", path.display()));
    }
    let script = format!(
        "set -o pipefail; '{}' --at {AT} verify{files} | (exec 0<&-; sleep 0.2); echo \"status $?\"",
        env!("CARGO_BIN_EXE_certsmith")
    );
    let out = std::process::Command::new("bash").args(["-c", &script]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("status 1"), "{text}");
}

/// JSON `status` and the exit status say the same thing for every command, with and
/// without `--strict`: `ok` and `warning` exit 0, `error` exits 1 (a problem found) or 2
/// (certsmith could not do its job).
#[test]
fn json_status_agrees_with_the_exit_status_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let f = |rel: &str| fixture(rel).display().to_string();
    let (v3, v1, p256, rsa) =
        (f("certs/v3-p256.pem"), f("certs/v1.pem"), f("keys/p256.pkcs8.pem"), f("keys/rsa2048.pkcs8.pem"));
    std::fs::write(work.join("guide.env"), "GRANIAN_SSL_CERTIFICATE=/nowhere/c.pem\nSSL_VERIFICATION=False\n").unwrap();
    let soon = "2027-11-20T00:00:00Z"; // the fixtures expire within the warning window
    let cases: Vec<Vec<&str>> = vec![
        vec!["gen", "a.test"],
        vec!["gen", "a.test"],                                       // exists: 2
        vec!["gen", "--days", "900", "--out-dir", "long", "a.test"], // a warning
        vec!["ca", "create", "--out-dir", "ca"],
        vec!["inspect", &v3],
        vec!["inspect", &v1],
        vec!["inspect", "missing.pem"],
        vec!["--at", soon, "verify", &v3],
        vec!["--at", soon, "verify", "--strict", &v3],
        vec!["verify", "--host", "other.test", &v3],
        vec!["match-key", &v3, &p256],
        vec!["match-key", &v3, &rsa],
        vec!["doctor", "--no-environ", "--env-file", "guide.env"],
        vec!["connect", "127.0.0.1:1"],
    ];
    let mut seen = std::collections::BTreeSet::new();
    for args in cases {
        let out: Run = certsmith().current_dir(work).arg("--json").args(&args).output().unwrap().into();
        let status = out.json()["status"].as_str().unwrap().to_owned();
        let agrees = match status.as_str() {
            "ok" | "warning" => out.code == 0,
            "error" => out.code == 1 || out.code == 2,
            _ => false,
        };
        assert!(agrees, "{args:?}: status {status} with exit {}", out.code);
        seen.insert((status, out.code));
    }
    // The matrix reaches every kind of answer.
    for expected in [("ok", 0), ("warning", 0), ("error", 1), ("error", 2)] {
        assert!(seen.contains(&(expected.0.to_owned(), expected.1)), "{expected:?} not reached: {seen:?}");
    }
}

/// Under --json (or --format json), every refusal is one JSON document on stdout, usage
/// errors included (exit 2); man and completions, which write no report, say so in one.
#[test]
fn usage_errors_answer_in_json_when_json_is_asked_for() {
    let cases: &[&[&str]] = &[
        &["--json", "frobnicate"],
        &["--json", "gen", "--days", "0"],
        &["--json", "verify"],
        &["verify", "--json", "--no-such-flag", "cert.pem"],
        &["--format", "json", "inspect"],
        &["--format=json", "connect"],
    ];
    for args in cases {
        let out = run(args.iter());
        assert_eq!(out.code, 2, "{args:?}");
        let json: serde_json::Value =
            serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", out.stdout));
        assert_eq!(json["status"], "error", "{args:?}");
        assert!(!json["errors"][0]["message"].as_str().unwrap().is_empty(), "{args:?}");
        assert!(out.stderr.contains("error:"), "{args:?}: clap's words stay on stderr");
    }
    assert_eq!(run(["--json", "verify"]).json()["command"], "verify");
    // Without JSON, stdout stays empty.
    assert!(run(["frobnicate"]).stdout.is_empty());
    for args in [&["--json", "man"][..], &["--json", "completions", "bash"][..]] {
        let out = run(args.iter());
        assert_eq!(out.code, 2, "{args:?}");
        let message = out.json()["errors"][0]["message"].as_str().unwrap().to_owned();
        assert!(message.contains("not JSON"), "{args:?}: {message}");
    }
}
