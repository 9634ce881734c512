//! Finding codes: stable kebab-case names that JSON users key on. A code never changes
//! meaning once released; every code is documented in docs/json.md (a test checks both
//! directions).

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// What a finding is about.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $($(#[$doc])* $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }
        }
    };
}

codes! {
    /// Not an X.509 v3 certificate; rustls refuses it (`UnsupportedCertVersion`).
    UnsupportedCertVersion = "unsupported-cert-version",
    /// A critical extension webpki does not understand (`UnsupportedCriticalExtension`).
    UnknownCriticalExtension = "unknown-critical-extension",
    /// The validity period has ended.
    Expired = "expired",
    /// The validity period has not started.
    NotYetValid = "not-yet-valid",
    /// A server certificate without subjectAltName: names only in the CN match nowhere modern.
    NoSubjectAltName = "no-subject-alt-name",
    /// Valid for more than 825 days: Apple platforms reject it.
    ValidityTooLong = "validity-too-long",
    /// A wildcard directly under a top-level domain (`*.test`): clients refuse to match it.
    WildcardUnderTld = "wildcard-under-tld",
    /// gen shortened the certificate's validity to end with its CA's.
    ClampedToCaExpiry = "clamped-to-ca-expiry",
    /// A private key file readable by group or others.
    KeyReadableByOthers = "key-readable-by-others",
    /// The private key does not belong to the certificate: their public keys differ.
    KeyMismatch = "key-mismatch",
    /// A key rustls with the ring provider (Granian) cannot load: RSA outside 2048–4096 bits, P-521, ….
    KeyUnsupportedByGranian = "key-unsupported-by-granian",
    /// A key file encoding Granian cannot load as it is: DER, legacy PEM encryption, encrypted PKCS#8.
    KeyFormatUnsupportedByGranian = "key-format-unsupported-by-granian",
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
