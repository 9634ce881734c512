//! The input loader and everything inspect does with what it loads: PEM framing, base64,
//! DER trial parsing, then the description of every object.
#![no_main]

use certsmith::pki::{checks, describe, key, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(objects) = load::parse(data) else { return };
    let now = time::OffsetDateTime::UNIX_EPOCH;
    for loaded in &objects {
        match &loaded.object {
            load::Object::Certificate(der) => {
                if let Ok(summary) = describe::certificate(der) {
                    let _ = checks::certificate_issues(&summary, now);
                }
            }
            load::Object::PrivateKey(private) => {
                let _ = key::facts(private);
            }
            load::Object::Csr(der) => {
                let _ = describe::csr(der);
            }
            load::Object::PublicKey(spki) => {
                let _ = key::algorithm_of_spki(spki);
            }
            load::Object::Other(_) => {}
        }
    }
});
