//! Conformance: every SERVER case of x509-limbo (tests/conformance/limbo.json) whose peer
//! name is a DNS name or an IP address, through the real `certsmith verify`
//! (trusted → `--ca`, untrusted → `--untrusted`, peer → CERT, name → `--host`,
//! validation time → `--at`). certsmith must agree with rustls-webpki, run here in-process
//! on the same inputs, and with limbo's expected result, except for the cases listed with
//! a reason in tests/conformance/limbo-divergences.json. A listed case that no longer
//! diverges fails too, so the list stays true.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use serde_json::Value;

use crate::util::*;

/// limbo leaves the time of most cases open ("now"); their certificates are valid from
/// 1970 to 2969, so any fixed time in between gives the same answers. This one is fixed
/// so that runs are reproducible (tests/conformance/README.md says so too).
const DEFAULT_TIME: &str = "2026-01-01T00:00:00Z";
const DEFAULT_TIME_UNIX: u64 = 1_767_225_600;

fn conformance(file: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance").join(file)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    fn parse(text: &str) -> Self {
        match text {
            "SUCCESS" => Self::Success,
            "FAILURE" => Self::Failure,
            other => panic!("unknown result {other:?}"),
        }
    }

    fn of(accepted: bool) -> Self {
        if accepted { Self::Success } else { Self::Failure }
    }
}

/// One listed divergence: the three answers and why they differ.
struct Divergence {
    limbo: Outcome,
    webpki: Outcome,
    certsmith: Outcome,
    kind: String,
    reason: String,
}

fn divergences() -> BTreeMap<String, Divergence> {
    let text = std::fs::read_to_string(conformance("limbo-divergences.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["cases"]
        .as_object()
        .expect("limbo-divergences.json has a `cases` object")
        .iter()
        .map(|(id, case)| {
            let field = |name: &str| case[name].as_str().unwrap_or_else(|| panic!("{id}: no {name}")).to_owned();
            let divergence = Divergence {
                limbo: Outcome::parse(&field("limbo")),
                webpki: Outcome::parse(&field("webpki")),
                certsmith: Outcome::parse(&field("certsmith")),
                kind: field("kind"),
                reason: field("reason"),
            };
            (id.clone(), divergence)
        })
        .collect()
}

/// rustls-webpki's own answer for a case, as a rustls client computes it: a path for
/// server authentication, then the name.
fn webpki_answer(case: &Value, time: UnixTime) -> Outcome {
    let pems = |key: &str| -> Vec<CertificateDer<'static>> {
        case[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| CertificateDer::from_pem_slice(p.as_str().unwrap().as_bytes()).unwrap())
            .collect()
    };
    let trusted = pems("trusted_certs");
    // rustls' RootCertStore skips certificates it cannot use as anchors.
    let anchors: Vec<_> = trusted.iter().filter_map(|c| webpki::anchor_from_trusted_cert(c).ok()).collect();
    let intermediates = pems("untrusted_intermediates");
    let peer = CertificateDer::from_pem_slice(case["peer_certificate"].as_str().unwrap().as_bytes()).unwrap();
    let Ok(name) = ServerName::try_from(case["expected_peer_name"]["value"].as_str().unwrap()) else {
        return Outcome::Failure;
    };
    let Ok(ee) = webpki::EndEntityCert::try_from(&peer) else { return Outcome::Failure };
    let path = ee.verify_for_usage(
        certsmith::pki::verify::verification_algorithms(),
        &anchors,
        &intermediates,
        time,
        webpki::KeyUsage::server_auth(),
        None,
        None,
    );
    Outcome::of(path.is_ok() && ee.verify_is_valid_for_subject_name(&name).is_ok())
}

/// certsmith's answer: its `rustls_clients` verdict (exit 2 is a test failure). Granian's
/// own key rules (a P-192, DSA or 1024-bit RSA leaf) do not count for rustls clients.
fn certsmith_answer(case: &Value, dir: &Path) -> Result<Outcome, String> {
    std::fs::create_dir_all(dir).unwrap();
    let write = |name: &str, pems: Vec<&str>| {
        let path = dir.join(name);
        std::fs::write(&path, pems.concat()).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let list = |key: &str| case[key].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>();
    let at = case["validation_time"].as_str().unwrap_or(DEFAULT_TIME).to_owned();
    let mut args = vec!["--json".to_owned(), "--at".to_owned(), at, "verify".to_owned()];
    args.extend(["--ca".to_owned(), write("trusted.pem", list("trusted_certs"))]);
    let untrusted = list("untrusted_intermediates");
    if !untrusted.is_empty() {
        args.extend(["--untrusted".to_owned(), write("untrusted.pem", untrusted)]);
    }
    args.extend(["--host".to_owned(), case["expected_peer_name"]["value"].as_str().unwrap().to_owned()]);
    args.push(write("peer.pem", vec![case["peer_certificate"].as_str().unwrap()]));
    let out: Run = certsmith().args(&args).timeout(Duration::from_secs(60)).output().unwrap().into();
    if out.code == 2 {
        return Err(format!("exit 2: {}", out.stderr.trim()));
    }
    match out.json()["data"]["verdicts"]["rustls_clients"]["result"].as_str() {
        Some("accept") => Ok(Outcome::Success),
        Some("reject") => Ok(Outcome::Failure),
        other => Err(format!("no rustls_clients verdict ({other:?}), exit {}", out.code)),
    }
}

fn time_of(case: &Value) -> UnixTime {
    let secs = match case["validation_time"].as_str() {
        Some(t) => certsmith::clock::parse_time(t).unwrap().unix_timestamp().try_into().unwrap(),
        None => DEFAULT_TIME_UNIX,
    };
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

#[test]
fn limbo_server_cases_agree_with_webpki_and_limbo_or_are_listed() {
    assert_eq!(certsmith::clock::parse_time(DEFAULT_TIME).unwrap().unix_timestamp() as u64, DEFAULT_TIME_UNIX);
    let suite: Value = serde_json::from_str(&std::fs::read_to_string(conformance("limbo.json")).unwrap()).unwrap();
    let cases: Vec<&Value> = suite["testcases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["validation_kind"] == "SERVER")
        .filter(|c| matches!(c["expected_peer_name"]["kind"].as_str(), Some("DNS" | "IP")))
        .collect();
    assert!(cases.len() > 150, "limbo.json has only {} server cases with a DNS or IP name", cases.len());
    let listed = divergences();
    let dir = tempfile::tempdir().unwrap();

    // The cases are independent processes: run them a few at a time.
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                while let Some(case) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let id = case["id"].as_str().unwrap().to_owned();
                    let limbo = Outcome::parse(case["expected_result"].as_str().unwrap());
                    let webpki = webpki_answer(case, time_of(case));
                    let certsmith = certsmith_answer(case, &dir.path().join(id.replace("::", "__")));
                    results.lock().unwrap().push((id, limbo, webpki, certsmith));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));

    let mut problems = Vec::new();
    for (id, limbo, webpki, certsmith) in &results {
        let certsmith = match certsmith {
            Ok(outcome) => *outcome,
            Err(e) => {
                problems.push(format!("{id}: certsmith could not run: {e}"));
                continue;
            }
        };
        let answers = format!("limbo {limbo:?}, webpki {webpki:?}, certsmith {certsmith:?}");
        match listed.get(id) {
            None if webpki == limbo && certsmith == *limbo => {}
            None => problems.push(format!("{id}: unlisted divergence: {answers}")),
            Some(d) if (d.limbo, d.webpki, d.certsmith) != (*limbo, *webpki, certsmith) => problems.push(format!(
                "{id}: listed as limbo {:?}, webpki {:?}, certsmith {:?}, but now {answers}",
                d.limbo, d.webpki, d.certsmith
            )),
            Some(_) => {}
        }
    }
    for (id, d) in &listed {
        if !results.iter().any(|(r, ..)| r == id) {
            problems.push(format!("{id}: listed, but not a server case with a DNS or IP name in limbo.json"));
        }
        if d.reason.trim().is_empty() {
            problems.push(format!("{id}: listed without a reason"));
        }
        if (d.limbo, d.webpki, d.certsmith) == (d.limbo, d.limbo, d.limbo) {
            problems.push(format!("{id}: listed, but the three answers agree"));
        }
        // certsmith follows webpki, except where one of its own checks is stricter.
        let ok_kind = match d.kind.as_str() {
            "stricter" => d.webpki == Outcome::Success && d.certsmith == Outcome::Failure,
            "webpki" | "not-an-input" => d.certsmith == d.webpki,
            _ => false,
        };
        if !ok_kind {
            problems.push(format!("{id}: kind {:?} does not fit its answers", d.kind));
        }
    }
    let by_kind = |kind: &str| listed.values().filter(|d| d.kind == kind).count();
    let agreeing = results.iter().filter(|(id, ..)| !listed.contains_key(id)).count();
    eprintln!(
        "limbo: {} cases run, {agreeing} agree with limbo and webpki, listed: {} webpki divergences, {} inputs certsmith does not take, {} stricter certsmith checks",
        results.len(),
        by_kind("webpki"),
        by_kind("not-an-input"),
        by_kind("stricter"),
    );
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
