//! Monitoring formats: Prometheus metrics checked by `promtool check metrics` (Debian's
//! prometheus package; .ci/run installs it) and compared with openssl's dates, the
//! node_exporter textfile written whole, and Nagios's status line and exit codes.

use std::process::{Command, Stdio};

use crate::connect::OpensslServer;
use crate::util::*;

/// `promtool check metrics` on `text`: its verdict and what it said.
fn promtool(text: &str) -> (bool, String) {
    use std::io::Write;
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool is needed (Debian package prometheus; .ci/run installs it)");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// openssl's notAfter of a certificate file, as Unix time.
fn openssl_not_after(path: &str) -> i64 {
    let out =
        String::from_utf8(openssl(&["x509", "-noout", "-enddate", "-dateopt", "iso_8601", "-in", path], None)).unwrap();
    let text = out.trim().trim_start_matches("notAfter=");
    time::OffsetDateTime::parse(&text.replace(' ', "T"), &time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .unix_timestamp()
}

fn sample(metrics: &str, name: &str, label: &str) -> Option<String> {
    metrics
        .lines()
        .find(|l| l.starts_with(&format!("{name}{{")) && l.contains(label))
        .and_then(|l| l.rsplit(' ').next())
        .map(str::to_owned)
}

#[test]
fn prometheus_metrics_pass_promtool_and_carry_openssls_dates() {
    let good = fixture_str("certs/v3-p256.pem");
    let expired = fixture_str("broken/expired/cert.pem");
    let out = run(["--format", "prometheus", "verify", &good, &expired]);
    assert_eq!(out.code, 1, "the expired certificate fails: {}", out.stderr);
    let (ok, said) = promtool(&out.stdout);
    assert!(ok, "promtool: {said}\n{}", out.stdout);
    let good_label = format!("filepath=\"{good}\"");
    let expired_label = format!("filepath=\"{expired}\"");
    assert_eq!(sample(&out.stdout, "x509_cert_not_after", &good_label).unwrap(), openssl_not_after(&good).to_string());
    assert_eq!(sample(&out.stdout, "x509_cert_expired", &good_label).as_deref(), Some("0"));
    assert_eq!(sample(&out.stdout, "x509_cert_expired", &expired_label).as_deref(), Some("1"));
    assert!(
        out.stdout.contains(&format!("certsmith_finding{{code=\"expired\",severity=\"error\",{expired_label}}} 1")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("subject_CN=\"fixture.test\""), "{}", out.stdout);
}

/// node_exporter reads the textfile at any moment: it is replaced whole, and stdout is empty.
#[test]
fn the_textfile_is_written_whole_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let textfile = dir.path().join("certsmith.prom");
    let path = textfile.to_str().unwrap();
    let good = fixture_str("certs/v3-p256.pem");
    std::fs::write(&textfile, "stale\n").unwrap();
    let out = run(["--at", AT, "--format", "prometheus", "verify", "--textfile", path, &good]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
    let written = std::fs::read_to_string(&textfile).unwrap();
    assert!(promtool(&written).0 && written.contains("x509_cert_not_after{"), "{written}");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 1, "no temp file stays: {leftovers:?}");
}

/// check_ssl_cert's conventions: one line, `| days=N;warn;crit`, exit 0/1/2/3.
#[test]
fn nagios_gives_one_line_with_perfdata_and_plugin_exit_codes() {
    let good = fixture_str("certs/v3-p256.pem");
    let nagios =
        |extra: &[&str], file: &str| run([&["--at", AT, "--format", "nagios", "verify"][..], extra, &[file]].concat());
    let cases: [(&[&str], &str, i32, &str); 4] = [
        (&[], &good, 0, "OK"),
        (&["--warn-days", "400"], &good, 1, "WARNING"),
        (&["--crit-days", "400", "--warn-days", "500"], &good, 2, "CRITICAL"),
        (&[], "/nonexistent/cert.pem", 3, "UNKNOWN"),
    ];
    for (extra, file, code, word) in cases {
        let out = nagios(extra, file);
        assert_eq!(out.code, code, "{extra:?}: {}", out.stdout);
        assert_eq!(out.stdout.lines().count(), 1, "{}", out.stdout);
        assert!(out.stdout.starts_with(&format!("CERTSMITH {word} - ")), "{}", out.stdout);
        if code < 3 {
            let perf = out.stdout.trim_end().rsplit(" | ").next().unwrap().to_owned();
            let (warn, crit) = match extra {
                [] => ("30", "7"),
                ["--warn-days", w] => (*w, "7"),
                [_, c, _, w] => (*w, *c),
                _ => unreachable!(),
            };
            assert!(perf.starts_with("days=") && perf.ends_with(&format!(";{warn};{crit}")), "{perf}");
        }
    }
    let expired = run(["--format", "nagios", "verify", &fixture_str("broken/expired/cert.pem")]);
    assert_eq!(expired.code, 2, "{}", expired.stdout);
    assert!(expired.stdout.contains("expired"), "{}", expired.stdout);
    let refused = run(["--format", "nagios", "inspect", &good]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("for verify and connect"), "{}", refused.stderr);
}

/// connect: one series set per certificate the server sent, labelled with the target.
#[test]
fn connect_reports_the_served_chain_as_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let made = certsmith()
        .current_dir(dir.path())
        .env("CERTSMITH_CAROOT", dir.path().join("ca"))
        .args(["ca", "create"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let made = certsmith()
        .current_dir(dir.path())
        .env("CERTSMITH_CAROOT", dir.path().join("ca"))
        .args(["gen", "localhost", "--ca"])
        .output()
        .unwrap();
    assert!(made.status.success());
    let server =
        OpensslServer::start(&dir.path().join("certs/certificate.pem"), &dir.path().join("certs/private_key.pem"), &[]);
    let target = format!("localhost:{}", server.port);
    let ca = dir.path().join("ca/ca.pem");
    let out = run(["--format", "prometheus", "connect", "--ca", ca.to_str().unwrap(), &target]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(promtool(&out.stdout).0, "{}", out.stdout);
    let label = format!("target=\"{target}\"");
    assert!(sample(&out.stdout, "x509_cert_not_after", &label).is_some(), "{}", out.stdout);
    assert!(out.stdout.contains("subject_CN=\"localhost\""), "{}", out.stdout);
    let nagios = run(["--format", "nagios", "connect", "--ca", ca.to_str().unwrap(), &target]);
    assert_eq!(nagios.code, 0, "{}", nagios.stdout);
    assert!(nagios.stdout.starts_with("CERTSMITH OK - "), "{}", nagios.stdout);
}

/// docs/monitoring.md's alert rules pass `promtool check rules`, and its cron line runs as
/// written once its paths point at a temp folder.
#[test]
fn the_monitoring_page_rules_and_cron_line_work() {
    let page =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/monitoring.md")).unwrap();
    let rules = page.split("```yaml\n").nth(1).unwrap().split("```").next().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rules.yml");
    std::fs::write(&file, rules).unwrap();
    let out = Command::new("promtool").args(["check", "rules"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));

    let cron = page.lines().find(|l| l.starts_with("*/15 ")).unwrap();
    let command = cron.split(" root ").nth(1).unwrap();
    let textfile = dir.path().join("certsmith.prom");
    let cert = fixture_str("certs/v3-p256.pem");
    let command = command
        .replace("/var/lib/node_exporter/textfile/certsmith.prom", textfile.to_str().unwrap())
        .replace("/srv/app/certs/certificate.pem", &cert);
    let words = shlex::split(&command).unwrap();
    assert_eq!(words[0], "certsmith");
    let out: Run = certsmith().args(["--at", AT]).args(&words[1..]).output().unwrap().into();
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(promtool(&std::fs::read_to_string(&textfile).unwrap()).0);
}

/// What a file name or a certificate holds cannot break the plugin line (`|` starts
/// perfdata), codes are listed once, a finding repeated on one file is one series (its
/// count), and a command line Nagios cannot run is UNKNOWN.
#[test]
fn monitoring_output_holds_against_what_inputs_contain() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("a|b=1;2;3.pem");
    std::fs::copy(fixture("certs/v3-p256.pem"), &odd).unwrap();
    let odd = odd.to_str().unwrap();
    let args = ["--at", AT, "--format", "nagios", "verify", "--host", "one.example", "--host", "two.example", odd];
    let out = run(args);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let (text, perf) = out.stdout.trim_end().rsplit_once(" | ").unwrap();
    assert!(!text.contains('|') && perf.starts_with("days="), "{}", out.stdout);
    assert_eq!(text.matches("name-mismatch").count(), 1, "{text}");

    let metrics =
        run(["--at", AT, "--format", "prometheus", "verify", "--host", "one.example", "--host", "two.example", odd])
            .stdout;
    let series: Vec<&str> =
        metrics.lines().filter(|l| !l.starts_with('#')).map(|l| l.rsplit_once(' ').unwrap().0).collect();
    let mut unique = series.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(series.len(), unique.len(), "a series appears twice:\n{metrics}");
    assert!(metrics.contains("code=\"name-mismatch\",severity=\"error\"") && metrics.contains("} 2"), "{metrics}");

    let typo = run(["verify", "--format", "nagios", "--no-such-flag", odd]);
    assert_eq!(typo.code, 3);
    assert!(typo.stdout.starts_with("CERTSMITH UNKNOWN - "), "{}", typo.stdout);
    // A file without a certificate is a failure found, not an unknown.
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let out = run(["--format", "nagios", "verify", junk.to_str().unwrap()]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.starts_with("CERTSMITH CRITICAL"), "{}", out.stdout);
}

/// A problem found is CRITICAL even when another input could not be checked.
#[test]
fn nagios_critical_wins_over_unknown() {
    let expired = fixture_str("broken/expired/cert.pem");
    let out = run(["--format", "nagios", "verify", &expired, "/nonexistent/cert.pem"]);
    assert_eq!(out.code, 2, "{}", out.stdout);
    assert!(out.stdout.starts_with("CERTSMITH CRITICAL"), "{}", out.stdout);
}
