//! Key decryption: encrypted PKCS#8 and legacy PEM, with a fixed password. Inputs are PEM
//! text (so the legacy headers are reachable) or DER `EncryptedPrivateKeyInfo`.
#![no_main]

use certsmith::pki::key::PrivateKey;
use certsmith::pki::{decrypt, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys: Vec<PrivateKey> = match load::parse(data) {
        Ok(objects) => objects
            .into_iter()
            .filter_map(|o| match o.object {
                load::Object::PrivateKey(k) => Some(k),
                _ => None,
            })
            .collect(),
        Err(_) => vec![PrivateKey::EncryptedPkcs8(data.to_vec())],
    };
    for key in &keys {
        if let Ok(sealed) = decrypt::seal(key) {
            let _ = sealed.open(b"fixture-password");
        }
    }
});
