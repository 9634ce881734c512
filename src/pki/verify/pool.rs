//! The trust pool: the anchors (`--ca`, or the system's roots) and the untrusted
//! intermediates a chain may use, parsed once per run.

use super::*;

/// The certificates every file is checked against (`--untrusted`, `--ca`), parsed once per run.
pub struct Pool<'a> {
    pub(super) untrusted: Vec<Parsed<'a>>,
    /// `None` without `--ca`.
    pub(super) trust: Option<Trust<'a>>,
}

pub(super) struct Trust<'a> {
    pub(super) certs: Vec<Parsed<'a>>,
    pub(super) anchors: Vec<TrustAnchor<'a>>,
}

impl<'a> Pool<'a> {
    /// Fails when a `--ca` certificate cannot be a trust anchor for rustls.
    pub fn new(untrusted: &'a [Sourced], ca: Option<&'a [Sourced]>) -> Result<Self, Failure> {
        let parse = |cert: &'a Sourced| {
            Parsed::new(cert).map_err(|e| {
                Failure::new(format!("{}: cannot read this certificate: {e}", cert.source))
                    .hint("the data is damaged; copy it again from its source")
                    .about(cert.source.clone())
            })
        };
        let untrusted = untrusted.iter().map(parse).collect::<Result<_, _>>()?;
        let trust = match ca {
            None => None,
            Some(ca) => {
                let certs = ca.iter().map(parse).collect::<Result<_, _>>()?;
                let anchors = ca
                    .iter()
                    .map(|cert| {
                        webpki::anchor_from_trusted_cert(&cert.der).map_err(|_| {
                            Failure::new(format!(
                                "{}: rustls cannot use this certificate as a trust anchor: rustls-webpki cannot read it",
                                cert.source
                            ))
                            .hint("pass the CA certificate clients trust, as PEM or DER; `certsmith inspect` shows what is in the file")
                            .about(cert.source.clone())
                        })
                    })
                    .collect::<Result<_, _>>()?;
                Some(Trust { certs, anchors })
            }
        };
        Ok(Self { untrusted, trust })
    }
}
