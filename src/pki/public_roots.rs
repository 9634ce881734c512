//! Whether a certificate is one of the public roots browsers and most clients ship:
//! Mozilla's root program, as the webpki-roots crate carries it. Used to tell a CA bundle
//! that replaces a client's roots with a complete set (public roots plus a local CA) from
//! one that holds only a local CA, whatever this machine's own store holds.

/// The certificate's key is a public root's (a root re-issued with the same key counts).
pub fn is_public_root(der: &[u8]) -> bool {
    let cert = rustls_pki_types::CertificateDer::from(der);
    let Ok(anchor) = webpki::anchor_from_trusted_cert(&cert) else { return false };
    webpki_roots::TLS_SERVER_ROOTS.iter().any(|root| root.subject_public_key_info == anchor.subject_public_key_info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_bundle_holds_public_roots_and_a_local_ca_is_not_one() {
        let system = std::fs::read("/etc/ssl/certs/ca-certificates.crt").unwrap_or_default();
        let blocks = crate::pki::pem::blocks(&system).unwrap_or_default();
        let public = blocks.iter().filter_map(|b| b.decode().ok()).filter(|der| is_public_root(der)).count();
        assert!(system.is_empty() || public > 50, "{public} public roots in the system bundle");
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let local = params.self_signed(&key).unwrap();
        assert!(!is_public_root(local.der()));
        assert!(!is_public_root(b"not a certificate"));
    }
}
