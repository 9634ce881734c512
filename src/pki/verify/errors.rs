//! webpki's errors as certsmith's findings: a code, who rejects the certificate, and
//! what to do; never webpki's Debug text alone.

use super::*;

/// A webpki error as (code, message, hint): what it means and who rejects the certificate.
#[allow(deprecated)] // webpki keeps old variants beside their `…Context` forms.
pub(crate) fn webpki_error(error: &webpki::Error) -> (Code, String, String) {
    use webpki::Error as E;
    let rejects = |what: &str| format!("rustls clients reject the chain with {what}");
    let malformed = |what: &str, variant: &str| {
        (
            Code::MalformedCertificate,
            format!("a certificate of the chain is malformed ({what}): {}", rejects(variant)),
            "regenerate the certificate, or get it again from its CA; `certsmith inspect FILE` shows what is in it"
                .to_owned(),
        )
    };
    match error {
        E::UnsupportedCertVersion => (
            Code::UnsupportedCertVersion,
            format!("a certificate of the chain is not X.509 v3: {}", rejects("UnsupportedCertVersion")),
            "make v3 certificates: `openssl x509 -req` needs `-extfile` (or use `certsmith gen`)".to_owned(),
        ),
        E::UnsupportedCriticalExtension => (
            Code::UnknownCriticalExtension,
            format!(
                "a certificate of the chain has a critical extension rustls does not understand: {}",
                rejects("UnsupportedCriticalExtension")
            ),
            "reissue it without that extension, or with it marked non-critical".to_owned(),
        ),
        E::CaUsedAsEndEntity => (
            Code::CaUsedAsEndEntity,
            format!("the leaf is a CA certificate: {}", rejects("CaUsedAsEndEntity")),
            "make a server certificate (CA:FALSE) for the leaf".to_owned(),
        ),
        E::EndEntityUsedAsCa => (
            Code::IssuerNotCa,
            format!(
                "a certificate that is not a CA (no basicConstraints CA:TRUE) issued another certificate of the chain: {}",
                rejects("EndEntityUsedAsCa")
            ),
            "issue the server certificate from a CA certificate (basicConstraints CA:TRUE), and put that CA's certificate after the leaf".to_owned(),
        ),
        E::CertExpired { not_after, .. } => (
            Code::Expired,
            format!(
                "a certificate of the chain expired at {}: {}, as does every client",
                clock::human(from_unix(*not_after)),
                rejects("CertExpired")
            ),
            "renew the expired certificate, and deploy the current chain from the CA".to_owned(),
        ),
        E::CertNotValidYet { not_before, .. } => (
            Code::NotYetValid,
            format!(
                "a certificate of the chain is not valid until {}: {}, as does every client",
                clock::human(from_unix(*not_before)),
                rejects("CertNotValidYet")
            ),
            "check the clock of the machine that made it, or wait".to_owned(),
        ),
        E::InvalidCertValidity => malformed("its validity ends before it begins", "InvalidCertValidity"),
        E::CertNotValidForName(_) => (
            Code::NameMismatch,
            format!("the certificate is not valid for the name: {}", rejects("CertNotValidForName")),
            "issue a certificate that covers the name".to_owned(),
        ),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) | E::EmptyEkuExtension => (
            Code::MissingServerAuthEku,
            format!(
                "a certificate of the chain has an extendedKeyUsage without serverAuth: {}",
                rejects("RequiredEkuNotFound")
            ),
            "issue the certificates with extendedKeyUsage serverAuth (or, for CAs, without extendedKeyUsage)".to_owned(),
        ),
        E::UnknownIssuer => (
            Code::UnknownIssuer,
            format!("no chain from the leaf reaches a trusted certificate: {}", rejects("UnknownIssuer")),
            "pass the CA that issued it with --ca, and put any missing intermediate in the file after the leaf".to_owned(),
        ),
        E::InvalidSignatureForPublicKey => (
            Code::BadSignature,
            format!(
                "a signature in the chain does not verify with its issuer's key: {}",
                rejects("InvalidSignatureForPublicKey")
            ),
            "get the certificate and its chain again from the CA".to_owned(),
        ),
        E::UnsupportedSignatureAlgorithm
        | E::UnsupportedSignatureAlgorithmContext(_)
        | E::UnsupportedSignatureAlgorithmForPublicKey
        | E::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => (
            Code::UnsupportedSignatureAlgorithm,
            format!(
                "a certificate of the chain is signed with an algorithm or key rustls does not support: {}",
                rejects("UnsupportedSignatureAlgorithm")
            ),
            "use RSA (2048 to 8192 bits), ECDSA P-256/P-384/P-521 or Ed25519 keys with SHA-256 or better".to_owned(),
        ),
        E::SignatureAlgorithmMismatch => {
            malformed("its two signature algorithm fields differ", "SignatureAlgorithmMismatch")
        }
        E::PathLenConstraintViolated | E::MaximumPathDepthExceeded => (
            Code::PathLenExceeded,
            format!(
                "the chain has more intermediate certificates than a CA's pathLenConstraint, or rustls, allows: {}",
                rejects(if *error == E::PathLenConstraintViolated {
                    "PathLenConstraintViolated"
                } else {
                    "MaximumPathDepthExceeded"
                })
            ),
            "issue the leaf from a CA nearer the root, or reissue the CA without that pathLenConstraint".to_owned(),
        ),
        E::NameConstraintViolation => (
            Code::NameConstraintViolation,
            format!(
                "a CA's name constraints forbid a name of a certificate below it: {}",
                rejects("NameConstraintViolation")
            ),
            "issue the certificate for names the CA is allowed to certify".to_owned(),
        ),
        E::MalformedNameConstraint | E::InvalidNetworkMaskConstraint => {
            malformed("a CA's name constraints cannot be read", "MalformedNameConstraint")
        }
        E::BadDer | E::BadDerTime | E::TrailingData(_) => malformed("its DER encoding is invalid", "BadDer"),
        E::MalformedExtensions | E::ExtensionValueInvalid => {
            malformed("an extension cannot be read", "MalformedExtensions")
        }
        E::InvalidSerialNumber => malformed("its serial number is invalid", "InvalidSerialNumber"),
        E::MalformedDnsIdentifier => malformed("a DNS name in it is malformed", "MalformedDnsIdentifier"),
        E::CertDistrusted => (
            Code::ChainRejected,
            format!("a certificate of the chain has a key rustls distrusts: {}", rejects("CertDistrusted")),
            "use a CA whose key is not distrusted".to_owned(),
        ),
        E::MaximumSignatureChecksExceeded
        | E::MaximumPathBuildCallsExceeded
        | E::MaximumNameConstraintComparisonsExceeded => (
            Code::ChainRejected,
            format!("the chain is too complex to verify: rustls gives up ({error:?})"),
            "send only the leaf and the intermediates of its chain, and trust fewer overlapping CAs".to_owned(),
        ),
        other => (
            Code::ChainRejected,
            format!("rustls clients reject the chain (webpki error {other:?})"),
            "run `certsmith inspect` on each certificate of the chain to see what is in it".to_owned(),
        ),
    }
}
