//! PEM framing: where each `-----BEGIN …-----` block starts and ends, its label, its
//! headers and the 1-based line it starts on, so errors can point at a block.
//!
//! This module frames; [`Block::decode`] decodes a body (keys with rustls-pki-types, in
//! constant time). Text outside blocks (comments in CA bundles, `openssl x509 -text`
//! output) is ignored, as OpenSSL does. It never allocates per line and never panics.

use rustls_pki_types::pem::{PemObject, SectionKind};

/// One PEM block, borrowed from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block<'a> {
    /// 0-based position among the file's blocks.
    pub index: usize,
    /// 1-based line of the BEGIN line.
    pub line: usize,
    /// The label between `BEGIN ` and the dashes, e.g. `CERTIFICATE`.
    pub label: &'a str,
    /// RFC 1421 headers (`Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`) of legacy encrypted keys.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The base64 lines between the headers and the END line.
    body: &'a [u8],
    /// 1-based line of the body's first line.
    body_line: usize,
}

/// Why a file's PEM framing is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FramingError {
    #[error("line {line} starts a PEM block but is not of the form -----BEGIN LABEL-----")]
    MalformedBegin { line: usize },
    #[error("block {index} ({label}, line {line}) has no END line: the file ends inside it")]
    Unterminated { index: usize, line: usize, label: String },
    #[error("block {index} ({label}, line {line}) ends with an END line for {end_label} at line {end_line}")]
    MismatchedEnd { index: usize, line: usize, label: String, end_label: String, end_line: usize },
    #[error("block {index} ({label}, line {line}) has no END line before the next BEGIN at line {next_line}")]
    NestedBegin { index: usize, line: usize, label: String, next_line: usize },
    #[error("line {line} ends a {label} block that never began")]
    EndWithoutBegin { line: usize, label: String },
}

impl FramingError {
    /// The block the error is about, when there is one.
    pub fn block_index(&self) -> Option<usize> {
        match self {
            Self::Unterminated { index, .. } | Self::MismatchedEnd { index, .. } | Self::NestedBegin { index, .. } => {
                Some(*index)
            }
            Self::MalformedBegin { .. } | Self::EndWithoutBegin { .. } => None,
        }
    }
}

/// Whether the bytes contain a PEM BEGIN line at all (otherwise they may be DER).
pub fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(BEGIN.len()).any(|w| w == BEGIN)
}

const BEGIN: &[u8] = b"-----BEGIN ";
const END: &[u8] = b"-----END ";
const DASHES: &[u8] = b"-----";

/// Splits `bytes` into PEM blocks, in order.
pub fn blocks(bytes: &[u8]) -> Result<Vec<Block<'_>>, FramingError> {
    let mut blocks = Vec::new();
    // The block being read: (index, BEGIN line, label, offset where its body starts).
    let mut open: Option<(usize, &str, usize)> = None;
    let mut offset = 0;
    for (line_no, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = line_no + 1;
        let line_start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_ascii_end();
        if let Some(rest) = line.strip_prefix(BEGIN) {
            let label = label_of(rest).ok_or(FramingError::MalformedBegin { line: line_no })?;
            if let Some((begin_line, open_label, _)) = open {
                return Err(FramingError::NestedBegin {
                    index: blocks.len(),
                    line: begin_line,
                    label: open_label.to_owned(),
                    next_line: line_no,
                });
            }
            open = Some((line_no, label, offset.min(bytes.len())));
        } else if let Some(rest) = line.strip_prefix(END) {
            let end_label = label_of(rest).unwrap_or("?");
            let Some((begin_line, label, body_start)) = open.take() else {
                return Err(FramingError::EndWithoutBegin { line: line_no, label: end_label.to_owned() });
            };
            if end_label != label {
                return Err(FramingError::MismatchedEnd {
                    index: blocks.len(),
                    line: begin_line,
                    label: label.to_owned(),
                    end_label: end_label.to_owned(),
                    end_line: line_no,
                });
            }
            let inner = bytes.get(body_start..line_start).unwrap_or_default();
            let (headers, body) = split_headers(inner);
            let header_lines =
                inner.get(..inner.len() - body.len()).unwrap_or_default().iter().filter(|&&b| b == b'\n').count();
            let body_line = begin_line + 1 + header_lines;
            blocks.push(Block { index: blocks.len(), line: begin_line, label, headers, body, body_line });
        }
    }
    match open {
        Some((line, label, _)) => {
            Err(FramingError::Unterminated { index: blocks.len(), line, label: label.to_owned() })
        }
        None => Ok(blocks),
    }
}

/// `LABEL-----` → `LABEL`, when the label is printable ASCII.
fn label_of(rest: &[u8]) -> Option<&str> {
    let label = rest.strip_suffix(DASHES)?;
    let printable = label.iter().all(|b| b.is_ascii_graphic() || *b == b' ');
    if printable { std::str::from_utf8(label).ok() } else { None }
}

/// RFC 1421 headers come first, as `Name: value` lines ended by an empty line.
fn split_headers(inner: &[u8]) -> (Vec<(&str, &str)>, &[u8]) {
    let mut headers = Vec::new();
    let mut rest = inner;
    loop {
        let (line, after) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i + 1..).unwrap_or_default()),
            None => (rest, &[][..]),
        };
        let header = std::str::from_utf8(line.trim_ascii())
            .ok()
            .and_then(|l| l.split_once(':'))
            .filter(|(name, _)| !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
        match header {
            Some((name, value)) => {
                headers.push((name, value.trim()));
                rest = after;
            }
            None if !headers.is_empty() && line.trim_ascii().is_empty() => return (headers, after),
            None => return (headers, rest),
        }
    }
}

/// The label pki-types knows a block's content by: some labels are aliases, and
/// encrypted key material is still secret, so it is decoded as keys are.
fn pki_types_label(label: &str) -> Option<&'static str> {
    Some(match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => "CERTIFICATE",
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => "CERTIFICATE REQUEST",
        "PRIVATE KEY" | "ENCRYPTED PRIVATE KEY" => "PRIVATE KEY",
        "RSA PRIVATE KEY" => "RSA PRIVATE KEY",
        "EC PRIVATE KEY" => "EC PRIVATE KEY",
        "PUBLIC KEY" => "PUBLIC KEY",
        "X509 CRL" => "X509 CRL",
        _ => return None,
    })
}

/// Why a block's body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("its base64 text is invalid (cut short, or padded wrongly)")]
    Base64,
    #[error("line {line} holds {found:?}, which base64 text cannot hold")]
    BadCharacter { line: usize, found: char },
    #[error("it is empty")]
    Empty,
    #[error("certsmith does not decode {0} blocks")]
    UnknownLabel(String),
}

/// Decodes the base64 `body` of a block labelled `label` (without headers). Key
/// material goes through rustls-pki-types, which decodes it in constant time; public
/// data (certificates, CSRs, public keys, CRLs) through the `base64` crate, which is
/// several times faster on the hundreds of certificates of a CA bundle.
pub fn decode_body(label: &str, body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let known = pki_types_label(label).ok_or_else(|| DecodeError::UnknownLabel(label.to_owned()))?;
    let decoded = if known.ends_with("PRIVATE KEY") { decode_secret(known, body) } else { decode_public(body) };
    let der = decoded.map_err(|e| bad_character(body).unwrap_or(e))?;
    if der.is_empty() { Err(DecodeError::Empty) } else { Ok(der) }
}

/// The first character that is not base64 (alphabet, padding, white space), with its
/// 1-based line in `body`: what to look at in a damaged block.
fn bad_character(body: &[u8]) -> Option<DecodeError> {
    let text = String::from_utf8_lossy(body);
    let allowed =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=') || c.is_ascii() && is_space(c as u8);
    text.lines().enumerate().find_map(|(i, line)| {
        line.chars().find(|c| !allowed(*c)).map(|found| DecodeError::BadCharacter { line: i + 1, found })
    })
}

fn decode_secret(known: &str, body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    // Re-frame the body under the label pki-types knows; the copy is wiped when dropped.
    let mut framed = zeroize::Zeroizing::new(Vec::with_capacity(body.len() + 2 * known.len() + 32));
    framed.extend_from_slice(b"-----BEGIN ");
    framed.extend_from_slice(known.as_bytes());
    framed.extend_from_slice(b"-----\n");
    framed.extend_from_slice(body);
    framed.extend_from_slice(b"\n-----END ");
    framed.extend_from_slice(known.as_bytes());
    framed.extend_from_slice(b"-----\n");
    let (_, der) = <(SectionKind, Vec<u8>)>::from_pem_slice(&framed).map_err(|_| DecodeError::Base64)?;
    Ok(der)
}

/// White space inside a base64 body, as pki-types skips it.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// As lenient as pki-types and OpenSSL: whitespace anywhere, padding optional.
fn decode_public(body: &[u8]) -> Result<Vec<u8>, DecodeError> {
    use base64::Engine;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let mut compact = Vec::with_capacity(body.len());
    for run in body.split(|b| is_space(*b)) {
        compact.extend_from_slice(run);
    }
    LENIENT.decode(compact).map_err(|_| DecodeError::Base64)
}

impl Block<'_> {
    /// The DER bytes inside the block (decoded in constant time for keys).
    pub fn decode(&self) -> Result<Vec<u8>, DecodeError> {
        decode_body(self.label, self.body).map_err(|e| match e {
            // A line of the body, counted in the file.
            DecodeError::BadCharacter { line, found } => {
                DecodeError::BadCharacter { line: self.body_line + line - 1, found }
            }
            other => other,
        })
    }

    /// The value of a header such as `Proc-Type`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }

    /// The base64 body, without headers (for legacy encrypted keys).
    pub fn body(&self) -> &[u8] {
        self.body
    }
}

/// DER as a PEM block: base64 in 64-character lines (RFC 7468 §2), LF line ends.
pub fn encode(label: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::with_capacity(b64.len() + b64.len() / 64 + 2 * label.len() + 40);
    out.push_str("-----BEGIN ");
    out.push_str(label);
    out.push_str("-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END ");
    out.push_str(label);
    out.push_str("-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n";

    #[test]
    fn frames_blocks_between_text() {
        let text = format!("comment\n{CERT}between\r\n{}\ntrailing", CERT.replace('\n', "\r\n"));
        let blocks = blocks(text.as_bytes()).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!((blocks[0].index, blocks[0].line, blocks[0].label), (0, 2, "CERTIFICATE"));
        assert_eq!((blocks[1].index, blocks[1].line), (1, 6));
        assert_eq!(blocks[0].decode().unwrap(), vec![0x30, 3, 2, 1, 1]);
        assert_eq!(blocks[1].decode().unwrap(), vec![0x30, 3, 2, 1, 1]);
    }

    #[test]
    fn reads_legacy_headers() {
        let text = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00FF\n\nMAMCAQE=\n-----END RSA PRIVATE KEY-----\n";
        let blocks = blocks(text.as_bytes()).unwrap();
        assert_eq!(blocks[0].header("proc-type"), Some("4,ENCRYPTED"));
        assert_eq!(blocks[0].header("DEK-Info"), Some("AES-256-CBC,00FF"));
        assert_eq!(blocks[0].body().trim_ascii(), b"MAMCAQE=");
    }

    #[test]
    fn reports_broken_framing_with_lines() {
        assert_eq!(
            blocks(b"x\n-----BEGIN CERTIFICATE-----\nMAMC\n").unwrap_err(),
            FramingError::Unterminated { index: 0, line: 2, label: "CERTIFICATE".into() }
        );
        assert!(matches!(
            blocks(b"-----BEGIN CERTIFICATE-----\nMA\n-----END PRIVATE KEY-----\n"),
            Err(FramingError::MismatchedEnd { end_line: 3, .. })
        ));
        assert!(matches!(
            blocks(b"-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n"),
            Err(FramingError::NestedBegin { line: 1, next_line: 2, .. })
        ));
        assert!(matches!(
            blocks(b"MA\n-----END CERTIFICATE-----\n"),
            Err(FramingError::EndWithoutBegin { line: 2, .. })
        ));
        assert!(matches!(blocks(b"-----BEGIN CERTIFICATE\n"), Err(FramingError::MalformedBegin { line: 1 })));
    }

    #[test]
    fn encodes_what_it_frames() {
        let der: Vec<u8> = (0..=255).collect();
        let text = encode("CERTIFICATE", &der);
        assert!(text.lines().all(|l| l.len() <= 64));
        assert_eq!(blocks(text.as_bytes()).unwrap()[0].decode().unwrap(), der);
    }

    #[test]
    fn public_and_secret_bodies_decode_alike() {
        let bodies: [&[u8]; 7] =
            [b"MAMCAQE=", b"MAMC\r\n AQE=\t", b"MAMC\x0bAQE=", b"MAMCAQE", b"MAMCAQ", b"MA!C", b"MA==MA=="];
        for body in bodies {
            let public = decode_public(body);
            let secret = decode_secret("PRIVATE KEY", body);
            assert_eq!(public.is_ok(), secret.is_ok(), "body {:?}", String::from_utf8_lossy(body));
            if let (Ok(public), Ok(secret)) = (public, secret) {
                assert_eq!(public, secret, "body {:?}", String::from_utf8_lossy(body));
            }
        }
        assert_eq!(decode_body("CERTIFICATE", b"MAMC\r\n AQE=\t"), Ok(vec![0x30, 3, 2, 1, 1]));
    }

    #[test]
    fn rejects_bad_base64_and_empty_bodies() {
        let bad = blocks(b"x\n-----BEGIN CERTIFICATE-----\nMAMC\nMA!C\n-----END CERTIFICATE-----\n").unwrap();
        assert_eq!(bad[0].decode(), Err(DecodeError::BadCharacter { line: 4, found: '!' }));
        // Headers take lines whether or not a blank line follows them.
        let legacy = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: X\nMA!C\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(blocks(legacy).unwrap()[0].decode(), Err(DecodeError::BadCharacter { line: 4, found: '!' }));
        let short = blocks(b"-----BEGIN CERTIFICATE-----\nMAMCA\n-----END CERTIFICATE-----\n").unwrap();
        assert_eq!(short[0].decode(), Err(DecodeError::Base64));
        let empty = blocks(b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n").unwrap();
        assert_eq!(empty[0].decode(), Err(DecodeError::Empty));
    }
}
