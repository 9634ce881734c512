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
    /// The DER of a certificate is not what X.509 allows, as rustls-webpki reads it.
    MalformedCertificate = "malformed-certificate",
    /// A CA certificate served as the server's own (`CaUsedAsEndEntity`).
    CaUsedAsEndEntity = "ca-used-as-end-entity",
    /// verify: the certificate file holds no certificate (empty, only text, damaged).
    NoCertificate = "no-certificate",
    /// A UTF-8 byte order mark before the first PEM block: rustls does not see the block.
    ByteOrderMark = "byte-order-mark",
    /// An issuer whose keyUsage lacks keyCertSign: OpenSSL clients and browsers reject the chain.
    IssuerLacksKeyCertSign = "issuer-lacks-key-cert-sign",
    /// A certificate with an empty issuer name: curl cannot read it and fails.
    EmptyIssuerName = "empty-issuer-name",
    /// A server certificate without subjectAltName: names only in the CN match nowhere modern.
    NoSubjectAltName = "no-subject-alt-name",
    /// The certificate does not cover a name given with `--host`.
    NameMismatch = "name-mismatch",
    /// An extendedKeyUsage without serverAuth, or (warning) no extendedKeyUsage at all.
    MissingServerAuthEku = "missing-server-auth-eku",
    /// The validity period has ended.
    Expired = "expired",
    /// The validity period has not started.
    NotYetValid = "not-yet-valid",
    /// The validity period ends within the warning window (`--warn-days`).
    ExpiresSoon = "expires-soon",
    /// A server certificate valid for more than 825 days, which Apple platforms reject.
    ValidityTooLong = "validity-too-long",
    /// Signed with MD5 or SHA-1.
    WeakSignatureAlgorithm = "weak-signature-algorithm",
    /// RSA under 2048 bits or an elliptic curve under 256 bits.
    WeakKey = "weak-key",
    /// A signature rustls has no algorithm for (`UnsupportedSignatureAlgorithm…`).
    UnsupportedSignatureAlgorithm = "unsupported-signature-algorithm",
    /// A signature that does not verify with its issuer's key (`InvalidSignatureForPublicKey`).
    BadSignature = "bad-signature",
    /// No trusted certificate issued the chain (`UnknownIssuer`).
    UnknownIssuer = "unknown-issuer",
    /// A self-signed certificate that is not trusted, while a different trusted certificate
    /// has its name: rustls tries that one and reports a signature error.
    TrustedNameCollision = "trusted-name-collision",
    /// A certificate that is not a CA used to issue another (`EndEntityUsedAsCa`).
    IssuerNotCa = "issuer-not-ca",
    /// A CA's pathLenConstraint is exceeded, or the chain is too deep.
    PathLenExceeded = "path-len-exceeded",
    /// A CA's name constraints forbid a name of a certificate below it.
    NameConstraintViolation = "name-constraint-violation",
    /// rustls rejects the chain for another reason (distrusted key, too complex a chain, …).
    ChainRejected = "chain-rejected",
    /// The file is not leaf first then each issuer, or holds certificates not in the chain.
    ChainOrder = "chain-order",
    /// gen: a URL or NAME:PORT was given as a name; the certificate names its host.
    NameFromAddress = "name-from-address",
    /// A wildcard directly under a top-level domain (`*.test`): clients refuse to match it.
    WildcardUnderTld = "wildcard-under-tld",
    /// gen shortened the certificate's validity to end with its CA's.
    ClampedToCaExpiry = "clamped-to-ca-expiry",
    /// A leaf whose keyUsage lacks digitalSignature: TLS 1.3 servers sign; Chrome rejects it.
    KeyUsageLacksDigitalSignature = "key-usage-lacks-digital-signature",
    /// gen reused a key outside the certificate's folder: the env line may not find it.
    KeyOutsideCertificateFolder = "key-outside-certificate-folder",
    /// A private key file readable by group or others.
    KeyReadableByOthers = "key-readable-by-others",
    /// The private key does not belong to the certificate: their public keys differ.
    KeyMismatch = "key-mismatch",
    /// The key belongs to the certificate, but the certificate stores its EC public key
    /// compressed: rustls compares encodings and refuses the pair.
    CompressedPublicKey = "compressed-public-key",
    /// A key rustls with the ring provider (Granian) cannot load: RSA outside 2048–4096 bits, P-521, ….
    KeyUnsupportedByGranian = "key-unsupported-by-granian",
    /// A key file encoding Granian cannot load as it is: DER, legacy PEM encryption, encrypted PKCS#8.
    KeyFormatUnsupportedByGranian = "key-format-unsupported-by-granian",
    /// connect: the target's name did not resolve to an address (exit status 2).
    DnsFailure = "dns-failure",
    /// connect: every address refused the connection: nothing listens there (exit status 2).
    ConnectionRefused = "connection-refused",
    /// connect: the connection failed otherwise (unreachable network, reset; exit status 2).
    ConnectionFailed = "connection-failed",
    /// connect: no connection or no TLS answer within `--timeout` (exit status 2).
    Timeout = "timeout",
    /// connect: the server answered in plain HTTP, not TLS.
    PlainHttp = "plain-http",
    /// connect: the server and certsmith share no TLS version (a `protocol_version` alert).
    ProtocolVersion = "protocol-version",
    /// connect: the TLS handshake failed for another reason than the certificate.
    HandshakeFailed = "handshake-failed",
    /// connect: the server requires a client certificate (mutual TLS) and none was sent.
    ClientCertificateRequired = "client-certificate-required",
    /// connect: the server refused the client certificate sent (`--cert`).
    ClientCertificateRejected = "client-certificate-rejected",
    /// connect: `--cert` was given but the server did not ask for a client certificate.
    ClientCertificateNotRequested = "client-certificate-not-requested",
    /// trust status: a trust store found on the host does not trust the CA.
    CaNotTrusted = "ca-not-trusted",
    /// trust: a store was found but the tool that changes it is not installed.
    TrustToolMissing = "trust-tool-missing",
    /// trust: a store needs root, certsmith is not root and --sudo was not given.
    TrustNeedsRoot = "trust-needs-root",
    /// trust: a store command failed, or the store did not change as it should have.
    TrustCommandFailed = "trust-command-failed",
    /// doctor: a `GRANIAN_SSL_*` name Granian does not have; it is ignored without a word.
    UnknownGranianVariable = "unknown-granian-variable",
    /// doctor: a value Granian refuses at start-up (`--ssl-protocol-min`, `--ssl-client-verify`).
    InvalidGranianValue = "invalid-granian-value",
    /// doctor: `GRANIAN_SSL_CERTIFICATE` without `GRANIAN_SSL_KEYFILE`: Granian serves plain HTTP.
    CertificateWithoutKey = "certificate-without-key",
    /// doctor: `GRANIAN_SSL_KEYFILE` without `GRANIAN_SSL_CERTIFICATE`: Granian serves plain HTTP.
    KeyWithoutCertificate = "key-without-certificate",
    /// doctor: `GRANIAN_SSL_CLIENT_VERIFY` without `GRANIAN_SSL_CA`: Granian ignores it.
    ClientVerifyWithoutCa = "client-verify-without-ca",
    /// doctor: a `GRANIAN_SSL_CRL` file holding no PEM CRL: Granian's worker panics.
    CrlNotPem = "crl-not-pem",
    /// doctor: a `GRANIAN_SSL_CRL` CRL not issued and signed by a `GRANIAN_SSL_CA` certificate.
    CrlNotFromCa = "crl-not-from-ca",
    /// doctor: a `GRANIAN_SSL_CRL` CRL past its nextUpdate.
    CrlExpired = "crl-expired",
    /// doctor: a container path that no mount brings in from the host.
    PathNotMounted = "path-not-mounted",
    /// doctor: the file a variable names does not exist.
    FileNotFound = "file-not-found",
    /// doctor: the path a variable names is a folder or a special file.
    NotAFile = "not-a-file",
    /// doctor: the file cannot be read by certsmith, or by the container's user.
    FileNotReadable = "file-not-readable",
    /// doctor: a file certsmith cannot look into (in a docker volume).
    FileNotChecked = "file-not-checked",
    /// doctor: a certificate file that is not PEM certificates, which is all Granian reads.
    CertificateNotPem = "certificate-not-pem",
    /// doctor: the key file holds no private key Granian can read.
    NoPrivateKey = "no-private-key",
    /// doctor: an encrypted key without `GRANIAN_SSL_KEYFILE_PASSWORD`.
    EncryptedKeyWithoutPassword = "encrypted-key-without-password",
    /// doctor: `GRANIAN_SSL_KEYFILE_PASSWORD` does not decrypt the key.
    WrongKeyPassword = "wrong-key-password",
    /// doctor: TLS is configured, and a core URL says `http://`.
    CoreUrlNotHttps = "core-url-not-https",
    /// doctor: `SSL_VERIFICATION=False`: the client accepts any certificate.
    SslVerificationDisabled = "ssl-verification-disabled",
    /// doctor: interpolation used a variable that is not set (compose substitutes "").
    UnsetVariable = "unset-variable",
    /// A compose `include` or `extends` names a file outside the project folder: not read,
    /// and the services it decides are not judged.
    ComposeNotFollowed = "compose-not-followed",
    /// A CA private key, or any key other than the one Granian serves, is mounted into a
    /// service or inside its build context.
    CaKeyExposed = "ca-key-exposed",
    /// `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE` or `CURL_CA_BUNDLE` names a file without any
    /// public root: it replaces the client's roots, so public HTTPS fails.
    CaBundleReplacesSystemRoots = "ca-bundle-replaces-system-roots",
    /// A compose healthcheck passes `-k`/`--insecure`: it never checks the certificate.
    HealthcheckInsecure = "healthcheck-insecure",
    /// doctor: the key Granian gets is readable only by its host owner, and the service
    /// says no `user:`: Granian, usually another uid in the container, cannot read it.
    KeyUnreadableInContainer = "key-unreadable-in-container",
    /// doctor: a container's URL names the host's side of a published port (`localhost`,
    /// the host's name, or the published port): containers use `service:container-port`.
    UrlUnreachableInContainer = "url-unreachable-in-container",
    /// doctor: a `--host` names a compose service, which clients on the host cannot resolve.
    HostIsAServiceName = "host-is-a-service-name",
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
