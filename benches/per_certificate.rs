//! Micro-benchmark of the per-certificate path every command runs: PEM framing and
//! decoding, x509-parser, the summary (fingerprints, names, usages) and the checks.
//! Regressions show here before they reach whole-process times (bench/run.sh).
//!
//!     cargo bench --bench per_certificate

#![allow(clippy::unwrap_used, clippy::expect_used)]

use certsmith::pki::{checks, describe, load};

fn main() {
    divan::main();
}

/// The CA bundle of the machine if there is one, else the fixtures' bundle.
fn bundle() -> Vec<u8> {
    std::fs::read("/etc/ssl/certs/ca-certificates.crt").unwrap_or_else(|_| {
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/bundle/three-with-text.pem")).unwrap()
    })
}

/// Loading (framing, base64, x509-parser structure check) of a whole bundle.
#[divan::bench]
fn load_bundle(bencher: divan::Bencher) {
    let bytes = bundle();
    bencher.bench(|| load::parse(divan::black_box(&bytes)).map(|o| o.len()).unwrap_or(0));
}

/// Summary and checks of one certificate, averaged over the bundle.
#[divan::bench]
fn describe_and_check_each(bencher: divan::Bencher) {
    let objects = load::parse(&bundle()).unwrap();
    let ders: Vec<Vec<u8>> = objects
        .iter()
        .filter_map(|o| match &o.object {
            load::Object::Certificate(der) => Some(der.to_vec()),
            _ => None,
        })
        .collect();
    let now = time::OffsetDateTime::now_utc();
    bencher.counter(divan::counter::ItemsCount::new(ders.len())).bench(|| {
        ders.iter()
            .map(|der| {
                let summary = describe::certificate(divan::black_box(der)).unwrap();
                checks::certificate_issues(&summary, now).len()
            })
            .sum::<usize>()
    });
}
