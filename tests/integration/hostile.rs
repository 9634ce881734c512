//! Hostile input, interruption and concurrency: an interpolation bomb in a `.env`, gen
//! killed between its renames, two gen runs racing on one folder, terminal escapes in
//! certificates, servers and `.env` values, secrets in malformed `.env` lines, folder
//! modes under any umask, and an empty PKCS#12 password (in generate.rs).

use std::fs;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::connect::OpensslServer;
use crate::util::*;

/// `V0` of 16 bytes, then each line twice the one above, the last one in a Granian variable.
fn doubling_env(lines: usize) -> String {
    let mut text = "V0=xxxxxxxxxxxxxxxx\n".to_owned();
    for i in 1..lines {
        text.push_str(&format!("V{i}=${{V{}}}${{V{}}}\n", i - 1, i - 1));
    }
    text.push_str(&format!("GRANIAN_SSL_CERTIFICATE=${{V{}}}\n", lines - 1));
    text
}

/// certsmith with its data segment (heap and private writable mappings) limited to 64 MiB.
fn in_64_mib(dir: &Path, args: &[&str]) -> Run {
    Command::new("prlimit")
        .arg("--data=67108864")
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_certsmith"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("NO_COLOR", "1")
        .output()
        .expect("prlimit (util-linux) runs certsmith with a memory limit")
        .into()
}

/// The 24- and 26-line doubling files (16 bytes × 2^25 = 512 MiB), alone and beside a
/// compose file, are refused in 64 MiB with the variable and the limit named. Before the
/// bound, 24 lines took 3.2 GB and 26 aborted the process.
#[test]
fn an_interpolation_bomb_is_refused_within_64_mib() {
    for lines in [24, 26] {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path();
        fs::write(work.join(".env"), doubling_env(lines)).unwrap();
        fs::write(work.join("compose.yaml"), "services:\n  core:\n    image: app\n    environment:\n      GRANIAN_SSL_CERTIFICATE: ${GRANIAN_SSL_CERTIFICATE}\n").unwrap();
        for args in [
            &["doctor", "--no-environ", "--env-file", ".env"][..],
            &["doctor", "--no-environ", "--compose", "compose.yaml"],
        ] {
            let out = in_64_mib(work, args);
            assert_eq!(out.code, 2, "{lines} lines, {args:?}: {}{}", out.stdout, out.stderr);
            assert!(out.stderr.contains(".env:18:11: cannot interpolate the value of V17"), "{}", out.stderr);
            assert!(out.stderr.contains("more than 1 MiB, certsmith's limit for one value"), "{}", out.stderr);
            assert!(!out.stderr.contains("xxxx"), "the value is not shown");
        }
    }
}

/// Many values each under the one-value limit still share one budget for the whole run.
#[test]
fn all_values_together_are_bounded_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = doubling_env(16); // V15 is 512 KiB
    text.extend((0..40).map(|i| format!("COPY{i}=${{V15}}\n")));
    fs::write(dir.path().join(".env"), text).unwrap();
    let out = in_64_mib(dir.path(), &["doctor", "--no-environ", "--env-file", ".env"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot interpolate the value of COPY"), "{}", out.stderr);
    assert!(out.stderr.contains("more than 16 MiB together"), "{}", out.stderr);
}

fn pair(work: &Path) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    (fs::read(work.join("certs/certificate.pem")).ok(), fs::read(work.join("certs/private_key.pem")).ok())
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn matches(work: &Path) -> bool {
    let c = work.join("certs/certificate.pem");
    let k = work.join("certs/private_key.pem");
    run(["match-key", c.to_str().unwrap(), k.to_str().unwrap()]).code == 0
}

/// Starts `gen --force` held at write step `step` (the debug build's hook), waits until it
/// is there, and SIGKILLs it.
fn kill_at(work: &Path, step: usize) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certsmith"))
        .current_dir(work)
        .env_clear()
        .env("CERTSMITH_TEST_HOLD_AT", step.to_string())
        .args(["gen", "--force", "app.test"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !seen.contains("holding at step") && Instant::now() < deadline {
        let mut buf = [0u8; 256];
        match stderr.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    assert!(seen.contains("holding at step"), "step {step}: not reached: {seen}");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// gen --force over a pair, killed at each of its ten write steps (two temps: create,
/// write, sync; the journal; two renames; done). The next run in the folder, whatever it
/// is, first completes the change: the pair matches, no temp or journal is left, and a
/// pair the killed run had begun to put in place is the one kept (never a third one).
#[test]
fn a_kill_at_any_step_of_gen_force_is_completed_by_the_next_run() {
    for step in 1..=10 {
        for next in [
            &["--json", "gen", "--if-needed", "app.test"][..],
            &["gen", "app.test"],
            &["ca", "create", "--out-dir", "certs"],
        ] {
            let dir = tempfile::tempdir().unwrap();
            let work = dir.path();
            assert_eq!(run_in(work, &["gen", "app.test"]).code, 0);
            let (_, old_key) = pair(work);
            kill_at(work, step);
            let (_, key_after_kill) = pair(work);
            let out = run_in(work, next);
            // `gen` without --force refuses (2) as the pair is there; the others succeed.
            let expected = if next == ["gen", "app.test"] { 2 } else { 0 };
            assert_eq!(out.code, expected, "step {step}, then {next:?}: {}", out.stderr);
            assert!(matches(work), "step {step}, then {next:?}: the key and certificate do not match");
            let left: Vec<String> = names(&work.join("certs")).into_iter().filter(|n| n.starts_with('.')).collect();
            assert!(left.is_empty(), "step {step}, then {next:?}: left {left:?}");
            if key_after_kill != old_key {
                // The killed run's key stays, and its certificate was completed.
                assert_eq!(pair(work).1, key_after_kill, "step {step}, then {next:?}");
            }
            if next[0] == "--json" {
                assert_eq!(out.json()["data"]["action"], "kept", "step {step}: a whole pair was found, none made anew");
            }
        }
    }
}

fn run_in(dir: &Path, args: &[&str]) -> Run {
    certsmith().current_dir(dir).args(args).output().unwrap().into()
}

/// Random kills of `gen --force` (200 rounds; outside the default suite: `cargo test --
/// --ignored random_kills`): after the next run, 0 mismatched pairs.
#[test]
#[ignore = "a long loop; run by hand"]
fn random_kills_never_leave_a_mismatched_pair() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    assert_eq!(run_in(work, &["gen", "app.test"]).code, 0);
    let mut rng = Rng(7);
    let (mut killed_mismatched, mut after_recovery) = (0, 0);
    for _ in 0..200 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_certsmith"))
            .current_dir(work)
            .env_clear()
            .args(["gen", "--force", "app.test"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(40_000) as u64));
        let _ = child.kill();
        child.wait().unwrap();
        if !matches(work) {
            killed_mismatched += 1;
        }
        run_in(work, &["gen", "--if-needed", "app.test"]);
        if !matches(work) || names(&work.join("certs")).iter().any(|n| n.starts_with('.')) {
            after_recovery += 1;
        }
    }
    eprintln!("mismatched right after the kill: {killed_mismatched} of 200; after the next run: {after_recovery}");
    assert_eq!(after_recovery, 0);
}

/// Two gen runs at once, 50 times: without --force exactly one creates and the other
/// exits 2 having changed nothing; with --force the pair always matches.
#[test]
fn racing_gen_runs_never_mix_or_overwrite() {
    for force in [false, true] {
        for round in 0..50 {
            let dir = tempfile::tempdir().unwrap();
            let work = dir.path();
            let spawn = |name: &str| {
                let mut cmd = Command::new(env!("CARGO_BIN_EXE_certsmith"));
                cmd.current_dir(work).env_clear().args(["--json", "gen", name]);
                if force {
                    cmd.arg("--force");
                }
                cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
            };
            let (a, b) = (spawn("a.test"), spawn("b.test"));
            let outs: Vec<Run> = [a, b].into_iter().map(|c| c.wait_with_output().unwrap().into()).collect();
            assert!(matches(work), "round {round} (force {force}): mismatched pair");
            let mut codes: Vec<i32> = outs.iter().map(|o| o.code).collect();
            codes.sort();
            if force {
                assert_eq!(codes, [0, 0], "round {round}");
                continue;
            }
            assert_eq!(codes, [0, 2], "round {round}: {:?}", outs.iter().map(|o| &o.stderr).collect::<Vec<_>>());
            let winner = outs.iter().find(|o| o.code == 0).unwrap();
            assert_eq!(winner.json()["data"]["action"], "created");
            let loser = outs.iter().find(|o| o.code == 2).unwrap();
            assert!(loser.stderr.contains("already exist"), "{}", loser.stderr);
            // The certificate on disk is the winner's.
            let name = winner.json()["data"]["certificate"]["san"]["dns"][0].as_str().unwrap().to_owned();
            let inspect = run(["--json", "inspect", work.join("certs/certificate.pem").to_str().unwrap()]);
            assert_eq!(inspect.json()["data"]["objects"][0]["san"]["dns"][0], name.as_str());
        }
    }
}

/// A control byte other than line feed and tab.
fn control_bytes(text: &str) -> Vec<char> {
    text.chars().filter(|c| c.is_control() && *c != '\n' && *c != '\t').collect()
}

const HOSTILE: &str = "\u{1b}]0;PWNED\u{7}\u{1b}[2J\r\u{9b}31m";

/// A certificate whose CN, O and file name hold terminal escapes, through inspect,
/// verify, match-key, connect (served by openssl s_server) and doctor: no control byte
/// reaches stdout or stderr, and the escapes are shown as `\x1b`.
#[test]
fn terminal_escapes_from_files_servers_and_values_are_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, HOSTILE);
    params.distinguished_name.push(rcgen::DnType::OrganizationName, HOSTILE);
    let cert = params.self_signed(&key).unwrap();
    let cert_path = work.join(format!("cert{HOSTILE}.pem"));
    let key_path = work.join("key.pem");
    fs::write(&cert_path, cert.pem()).unwrap();
    fs::write(&key_path, key.serialize_pem()).unwrap();
    let c = cert_path.to_str().unwrap();
    let k = key_path.to_str().unwrap();
    fs::copy(&cert_path, work.join("served.pem")).unwrap();
    let server = OpensslServer::start(&work.join("served.pem"), &key_path, &[]);
    let target = format!("localhost:{}", server.port);
    fs::write(
        work.join(".env"),
        format!(
            "GRANIAN_SSL_CERTIFICATE=\"/nowhere/{}.pem\"\nGRANIAN_SSL_KEYFILE=/nowhere/key.pem\n",
            "\\a\\r\\0033[2J"
        ),
    )
    .unwrap();
    fs::write(work.join("bad.env"), "GRANIAN_SSL_CERT\u{1b}[2J=x\n").unwrap();
    for args in [
        vec!["inspect", c],
        vec!["verify", "--host", "localhost", c],
        vec!["verify", "--ca", c, "--host", "other.test", c],
        vec!["match-key", c, k],
        vec!["connect", &target],
        vec!["doctor", "--no-environ", "--env-file", ".env"],
        vec!["doctor", "--no-environ", "--env-file", "bad.env"],
        vec!["inspect", "missing\u{1b}]0;x\u{7}.pem"],
    ] {
        for color in ["never", "always"] {
            let out: Run = certsmith().current_dir(work).arg("--color").arg(color).args(&args).output().unwrap().into();
            let mut bad = control_bytes(&out.stdout);
            bad.extend(control_bytes(&out.stderr));
            if color == "always" {
                // Our own styles are SGR sequences: ESC [ digits ; m. Nothing else.
                let stripped = strip_sgr(&out.stdout) + &strip_sgr(&out.stderr);
                bad = control_bytes(&stripped);
            }
            assert!(bad.is_empty(), "{args:?} (colour {color}) printed {bad:?}:\n{}\n{}", out.stdout, out.stderr);
            let all = format!("{}{}", out.stdout, out.stderr);
            assert!(all.contains("\\x1b") || all.contains("\\u{1b}"), "{args:?}: escapes shown: {all}");
        }
    }
}

/// `text` without `ESC [ <digits and ;> m` sequences.
fn strip_sgr(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let len = after.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap_or(after.len());
        if after[len..].starts_with('m') {
            rest = &after[len + 1..];
        } else {
            out.push('\u{1b}');
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// `DB_PASSWORD hunter2` (no `=`): the error names the file, line, column and key, never
/// the value, in human and JSON output, read directly and through compose's env_file.
#[test]
fn a_malformed_env_line_never_shows_its_value() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path();
    fs::write(work.join("app.env"), "GRANIAN_SSL_CERTIFICATE=/certs/c.pem\n  DB_PASSWORD hunter2\n").unwrap();
    fs::write(work.join("compose.yaml"), "services:\n  core:\n    image: app\n    env_file: app.env\n").unwrap();
    for args in [
        &["doctor", "--no-environ", "--env-file", "app.env"][..],
        &["--json", "doctor", "--no-environ", "--env-file", "app.env"],
        &["doctor", "--no-environ", "--compose", "compose.yaml"],
        &["--json", "doctor", "--no-environ", "--compose", "compose.yaml"],
    ] {
        let out = run_in(work, args);
        assert_eq!(out.code, 2, "{args:?}");
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(all.contains("app.env:2:3") && all.contains("DB_PASSWORD"), "{args:?}: {all}");
        assert!(!all.contains("hunter2"), "{args:?} shows the value: {all}");
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// Folders certsmith creates get 0755 (certificates) and 0700 (a CA) whatever the umask.
#[test]
fn created_folders_have_explicit_modes_under_any_umask() {
    for umask in ["000", "077", "022"] {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path();
        let script =
            format!("umask {umask} && \"$0\" gen --out-dir out/certs app.test && \"$0\" ca create --out-dir out/ca");
        let status = Command::new("sh")
            .args(["-c", &script, env!("CARGO_BIN_EXE_certsmith")])
            .current_dir(work)
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "umask {umask}");
        assert_eq!(mode(&work.join("out")), 0o755, "umask {umask}: parent");
        assert_eq!(mode(&work.join("out/certs")), 0o755, "umask {umask}: certificate folder");
        assert_eq!(mode(&work.join("out/ca")), 0o700, "umask {umask}: CA folder");
        assert_eq!(mode(&work.join("out/certs/private_key.pem")), 0o600);
        assert_eq!(mode(&work.join("out/ca/ca-key.pem")), 0o600);
    }
}

/// A newline or a bidi override in a certificate's subject would forge a line of output
/// (in `trust install --dry-run`, a line a person pastes into a shell) or make a name
/// read backwards: shown as escapes in every output, JSON included.
#[test]
fn names_from_certificates_never_span_lines_or_reorder() {
    let dir = tempfile::tempdir().unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["a.test".to_owned()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.distinguished_name.push(rcgen::DnType::CommonName, "evil\nsudo rm -rf ~ \u{202e}txt.exe");
    let cert = params.self_signed(&key).unwrap();
    let ca = dir.path().join("ca.pem");
    fs::write(&ca, cert.pem()).unwrap();
    let ca = ca.to_str().unwrap();
    for args in [vec!["trust", "install", "--dry-run", "--ca", ca], vec!["inspect", ca], vec!["--json", "inspect", ca]]
    {
        let out = run_in(dir.path(), &args);
        assert!(!out.stdout.lines().any(|l| l.trim_start().starts_with("sudo rm")), "{args:?}:\n{}", out.stdout);
        assert!(!out.stdout.contains('\u{202e}'), "{args:?}: a bidi override reached the output");
        assert!(
            out.stdout.contains("\\u{202e}") || out.stdout.contains("\\\\u{202e}"),
            "{args:?}: shown escaped:\n{}",
            out.stdout
        );
    }
}

/// Compose files that include one another many times: refused once 64 files are read,
/// instead of parsing the same files over and over (5 files × 5 includes = 3,125 reads).
#[test]
fn an_include_fan_out_is_bounded() {
    let dir = tempfile::tempdir().unwrap();
    for level in 0..5 {
        let next = format!("f{}.yaml", level + 1);
        let includes =
            if level < 4 { format!("include:\n{}", format!("  - {next}\n").repeat(5)) } else { String::new() };
        // No services of their own: nothing is defined twice to stop the fan-out early.
        fs::write(dir.path().join(format!("f{level}.yaml")), format!("{includes}services: {{}}\n")).unwrap();
    }
    let out = run_in(dir.path(), &["doctor", "--no-environ", "--compose", "f0.yaml"]);
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("more than 64 files"), "{}", out.stderr);
}
