//! The rules of `checks`, each on a certificate summary made to break it.

use super::*;
use crate::pki::describe::{Extension, Sans};
use crate::pki::key::KeyAlgorithm;
use time::macros::datetime;

fn cert() -> CertSummary {
    CertSummary {
        version: 3,
        subject: "CN=a.test".into(),
        issuer: "CN=a.test".into(),
        serial: "01".into(),
        not_before: datetime!(2027-01-01 0:00 UTC),
        not_after: datetime!(2028-01-01 0:00 UTC),
        san: Sans { dns: vec!["a.test".into()], ..Sans::default() },
        public_key: KeyAlgorithm::Ed25519,
        signature_algorithm: "ED25519".into(),
        is_ca: false,
        path_len: None,
        key_usage: vec![],
        extended_key_usage: vec![],
        extensions: vec![],
        self_signed: true,
        fingerprint_sha256: String::new(),
        spki_sha256: String::new(),
        common_name: Some("a.test".into()),
    }
}

fn codes(c: &CertSummary, now: OffsetDateTime) -> Vec<Code> {
    certificate_issues(c, now).into_iter().map(|i| i.code).collect()
}

#[test]
fn a_good_certificate_has_no_issues() {
    assert_eq!(codes(&cert(), datetime!(2027-06-01 0:00 UTC)), vec![]);
}

#[test]
fn validity_is_inclusive_at_both_ends() {
    let c = cert();
    assert_eq!(codes(&c, c.not_after), vec![]);
    assert_eq!(codes(&c, c.not_before), vec![]);
    assert_eq!(codes(&c, datetime!(2028-01-01 0:00:01 UTC)), vec![Code::Expired]);
    assert_eq!(codes(&c, datetime!(2026-12-31 23:59:59 UTC)), vec![Code::NotYetValid]);
}

#[test]
fn flags_v1_missing_san_and_unknown_critical_extensions() {
    let mut c = cert();
    c.version = 1;
    c.san = Sans::default();
    c.extensions.push(Extension { name: "x".into(), oid: "1.2.3.4".into(), critical: true });
    c.extensions.push(Extension { name: "keyUsage".into(), oid: "2.5.29.15".into(), critical: true });
    let issues = certificate_issues(&c, datetime!(2027-06-01 0:00 UTC));
    let got: Vec<Code> = issues.iter().map(|i| i.code).collect();
    assert_eq!(got, vec![Code::UnsupportedCertVersion, Code::UnknownCriticalExtension, Code::NoSubjectAltName]);
    assert!(issues[0].message.contains("UnsupportedCertVersion"));
    assert!(issues[0].hint.as_deref().unwrap().contains(FIX));
    let reissue = Remedy::Reissue { names: vec!["a.test".into()], issuer: None, keep_key: false };
    assert_eq!(issues[0].remedy, Some(reissue));
}

#[test]
fn replacement_hints_keep_the_issuer() {
    let expired = datetime!(2029-01-01 0:00 UTC);
    let hint = |c: &CertSummary| dates(c, expired, 0).and_then(|i| i.hint).unwrap();
    let self_signed = cert();
    assert_eq!(hint(&self_signed), format!("issue a new one: {FIX}"));
    let ca_issued = CertSummary { self_signed: false, issuer: "CN=dev CA".into(), ..cert() };
    let from_ca = Remedy::Reissue { names: vec!["a.test".into()], issuer: Some("CN=dev CA".into()), keep_key: false };
    assert_eq!(dates(&ca_issued, expired, 0).and_then(|i| i.remedy), Some(from_ca));
    assert!(hint(&ca_issued).contains("CN=dev CA"), "{}", hint(&ca_issued));
    let root = CertSummary { is_ca: true, ..cert() };
    assert!(hint(&root).contains("certsmith ca create"), "{}", hint(&root));
    assert_eq!(dates(&root, expired, 0).and_then(|i| i.remedy), None, "a CA is not reissued by gen");
    let intermediate = CertSummary { is_ca: true, self_signed: false, ..cert() };
    assert!(hint(&intermediate).contains("renew it at the CA that issued it"), "{}", hint(&intermediate));
}

/// A good server certificate: v3, SAN, EKU serverAuth, one year, P-256.
fn leaf() -> CertSummary {
    let mut c = cert();
    c.public_key = KeyAlgorithm::Ec { curve: "P-256".into() };
    c.extended_key_usage = vec!["serverAuth".into()];
    c.extensions.push(Extension { name: "extendedKeyUsage".into(), oid: "2.5.29.37".into(), critical: false });
    c
}

fn chain_codes(c: &CertSummary, role: Role, now: OffsetDateTime, warn_days: u32) -> Vec<(Code, Severity)> {
    chain_issues(c, role, now, warn_days).into_iter().map(|i| (i.code, i.severity)).collect()
}

const MID_2027: OffsetDateTime = datetime!(2027-06-01 0:00 UTC);

#[test]
fn a_good_leaf_has_no_chain_issues() {
    assert_eq!(chain_codes(&leaf(), Role::Leaf, MID_2027, 30), vec![]);
}

#[test]
fn expiry_warning_window_is_inclusive_and_can_be_off() {
    let c = leaf();
    let ten_days_before = datetime!(2027-12-22 0:00 UTC);
    assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 30), vec![(Code::ExpiresSoon, Severity::Warning)]);
    assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 10), vec![(Code::ExpiresSoon, Severity::Warning)]);
    assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 9), vec![]);
    assert_eq!(chain_codes(&c, Role::Leaf, ten_days_before, 0), vec![]);
    assert_eq!(chain_codes(&c, Role::Intermediate, ten_days_before, 30), vec![(Code::ExpiresSoon, Severity::Warning)]);
    assert_eq!(chain_codes(&c, Role::Anchor, ten_days_before, 30), vec![], "trust anchors' dates are not checked");
}

#[test]
fn times_compare_in_whole_seconds_as_webpki_does() {
    let c = leaf();
    let just_after = c.not_after + time::Duration::milliseconds(5);
    assert_eq!(codes(&c, just_after), vec![]);
    assert_eq!(codes(&c, c.not_after + time::Duration::seconds(1)), vec![Code::Expired]);
}

#[test]
fn server_certificate_rules_apply_to_the_leaf_only() {
    let mut c = leaf();
    c.is_ca = true;
    c.san = Sans::default();
    assert_eq!(
        chain_codes(&c, Role::Leaf, MID_2027, 30),
        vec![(Code::CaUsedAsEndEntity, Severity::Error), (Code::NoSubjectAltName, Severity::Error)]
    );
    assert_eq!(chain_codes(&c, Role::Intermediate, MID_2027, 30), vec![]);
}

#[test]
fn extended_key_usage_without_server_auth_fails_and_none_at_all_warns() {
    let mut c = leaf();
    c.extended_key_usage = vec!["clientAuth".into()];
    let issues = chain_issues(&c, Role::Leaf, MID_2027, 30);
    assert_eq!(
        issues.iter().map(|i| (i.code, i.severity)).collect::<Vec<_>>(),
        vec![(Code::MissingServerAuthEku, Severity::Error)]
    );
    assert!(issues[0].message.contains("(clientAuth)") && issues[0].message.contains("RequiredEkuNotFound"));
    assert_eq!(chain_codes(&c, Role::Intermediate, MID_2027, 30), vec![(Code::MissingServerAuthEku, Severity::Error)]);
    c.extended_key_usage = vec!["anyExtendedKeyUsage".into()];
    assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![(Code::MissingServerAuthEku, Severity::Error)]);
    c.extensions.clear();
    c.extended_key_usage.clear();
    assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![(Code::MissingServerAuthEku, Severity::Warning)]);
    assert_eq!(chain_codes(&c, Role::Intermediate, MID_2027, 30), vec![]);
}

#[test]
fn lifetime_over_825_days_warns() {
    let mut c = leaf();
    c.not_after = c.not_before + time::Duration::days(825);
    assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![]);
    c.not_after = c.not_before + time::Duration::days(826);
    assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![(Code::ValidityTooLong, Severity::Warning)]);
    assert_eq!(chain_codes(&c, Role::Intermediate, MID_2027, 30), vec![]);
}

#[test]
fn weak_signatures_by_name_or_oid() {
    for alg in ["sha1WithRSAEncryption", "md5WithRSAEncryption", "1.2.840.10045.4.1"] {
        let mut c = leaf();
        c.signature_algorithm = alg.into();
        assert_eq!(chain_codes(&c, Role::Leaf, MID_2027, 30), vec![(Code::WeakSignatureAlgorithm, Severity::Error)]);
        assert_eq!(chain_codes(&c, Role::Anchor, MID_2027, 30), vec![], "an anchor's own signature is not checked");
    }
}

#[test]
fn keys_weak_or_unloadable_by_granian() {
    let key_codes = |key: KeyAlgorithm, role: Role| {
        let mut c = leaf();
        c.public_key = key;
        chain_codes(&c, role, MID_2027, 30).into_iter().map(|(code, _)| code).collect::<Vec<_>>()
    };
    let ec = |curve: &str| KeyAlgorithm::Ec { curve: curve.into() };
    for ok in [KeyAlgorithm::Rsa { bits: 2048 }, KeyAlgorithm::Rsa { bits: 4096 }, ec("P-384"), KeyAlgorithm::Ed25519] {
        assert_eq!(key_codes(ok.clone(), Role::Leaf), vec![], "{ok}");
    }
    assert_eq!(key_codes(KeyAlgorithm::Rsa { bits: 1024 }, Role::Leaf), vec![Code::WeakKey]);
    assert_eq!(key_codes(ec("P-192"), Role::Leaf), vec![Code::WeakKey]);
    for granian in [KeyAlgorithm::Rsa { bits: 8192 }, ec("P-521"), ec("secp256k1"), KeyAlgorithm::Dsa { bits: 2048 }] {
        assert_eq!(key_codes(granian.clone(), Role::Leaf), vec![Code::KeyUnsupportedByGranian], "{granian}");
    }
    // An issuer's key only signs: Granian never loads it, clients only verify with it.
    assert_eq!(key_codes(ec("P-521"), Role::Intermediate), vec![]);
    assert_eq!(key_codes(KeyAlgorithm::Rsa { bits: 1024 }, Role::Anchor), vec![Code::WeakKey]);
}

#[test]
fn a_replacement_keeps_the_names_or_the_cn() {
    let mut c = cert();
    c.san.dns = vec!["*.a.test".into(), "a.test".into()];
    let names = |r: Remedy| match r {
        Remedy::Reissue { names, .. } => names,
        _ => Vec::new(),
    };
    assert_eq!(names(reissue(&c, Some("b.test"))), ["*.a.test", "a.test", "b.test"]);
    assert_eq!(names(reissue(&c, Some("a.test"))), ["*.a.test", "a.test"]);
    c.san.dns.clear();
    c.common_name = Some("my host".into());
    assert_eq!(names(reissue(&c, None)), ["my host"]);
}

#[test]
fn expiry_message_says_when() {
    let issues = certificate_issues(&cert(), datetime!(2028-01-04 0:00 UTC));
    assert!(issues[0].message.contains("expired 3 days ago (2028-01-01 00:00:00 UTC)"), "{}", issues[0].message);
}
