//! The certificate description path on raw DER: x509-parser → summary → checks → the
//! remedy's command, at a time taken from the input so that every validity branch is
//! reachable.
#![no_main]

use certsmith::commands::fix;
use certsmith::pki::{checks, describe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((seconds, der)) = data.split_first_chunk::<8>() else { return };
    let Ok(now) = time::OffsetDateTime::from_unix_timestamp(i64::from_le_bytes(*seconds) % 253_402_300_799) else {
        return;
    };
    if let Ok(summary) = describe::certificate(der) {
        let _ = checks::certificate_issues(&summary, now);
        // The replacement's command, from names taken from the certificate: quoted for
        // the shell whatever they hold.
        let remedy = checks::reissue(&summary, Some("extra.test"));
        let situation = fix::Situation { cert_file: Some("certs/certificate.pem".into()), ..Default::default() };
        let _ = fix::command(&remedy, &situation);
    }
});
