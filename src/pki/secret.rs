//! Kubernetes Secret manifests (YAML, or JSON, which is YAML too), as `kubectl create
//! secret tls --dry-run=client -o yaml` and `certsmith gen --k8s-secret` write them: the
//! files a Secret volume mounts, by key. Only `tls.crt`, `tls.key` and `ca.crt` are read;
//! `data` holds base64, `stringData` plain text (and wins, as the API server merges them).
//!
//! This module only finds the entries and decodes them; `load` parses what they hold.
//! It never expands a YAML alias (a few lines of aliases can stand for gigabytes), limits
//! nesting, and decodes at most the input's size.

use base64::Engine;
use saphyr_parser::{Event, Parser};

/// The keys of a `kubernetes.io/tls` Secret that hold certificates and keys, in the order
/// they are reported.
pub const KEYS: [&str; 3] = ["tls.crt", "tls.key", "ca.crt"];

/// A manifest is a few KB; deeper nesting than this is not a manifest.
const MAX_DEPTH: usize = 64;

/// A YAML node, without aliases: its size is bounded by the text's.
enum Node {
    Scalar(String),
    Map(Vec<(Node, Node)>),
    Seq,
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Self::Map(entries) => {
                entries.iter().find(|(k, _)| matches!(k, Self::Scalar(s) if s == key)).map(|(_, v)| v)
            }
            _ => None,
        }
    }

    fn text(&self) -> Option<&str> {
        match self {
            Self::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

/// What is wrong with a manifest, for `load` to name the file.
#[derive(Debug)]
pub enum ManifestError {
    /// (line, what the parser says)
    Yaml(usize, String),
    /// `data.KEY` is not base64: (key, detail)
    Base64(String, String),
    /// A Secret without any of [`KEYS`]: its `type`, when it has one.
    NoTlsKeys(Option<String>),
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Yaml(line, what) => write!(f, "cannot parse it as YAML at line {line}: {what}"),
            Self::Base64(key, detail) => write!(f, "data.{key} is not valid base64 ({detail})"),
            Self::NoTlsKeys(Some(kind)) => {
                write!(f, "the Secret (type {kind}) holds none of tls.crt, tls.key, ca.crt in data or stringData")
            }
            Self::NoTlsKeys(None) => {
                write!(f, "the Secret holds none of tls.crt, tls.key, ca.crt in data or stringData")
            }
        }
    }
}

/// One key of a manifest and what it holds (decoded from base64 for `data`).
pub type Entry = (String, Vec<u8>);

/// Whether `bytes` may be a Secret manifest: cheap, before parsing anything.
fn may_be_manifest(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else { return false };
    text.contains("kind") && text.contains("Secret") && KEYS.iter().any(|k| text.contains(k))
}

/// The entries of a Secret manifest (key, bytes), in [`KEYS`] order; `Ok(None)` when the
/// input is not a manifest of `kind: Secret` (then it is read as PEM or DER).
pub fn entries(bytes: &[u8]) -> Result<Option<Vec<Entry>>, ManifestError> {
    if !may_be_manifest(bytes) {
        return Ok(None);
    }
    let text = std::str::from_utf8(bytes).unwrap_or_default();
    let root = match document(text) {
        Ok(root) => root,
        // Text that is not YAML but mentions a Secret (a PEM bundle with notes) is read as
        // PEM; a file that starts like a manifest is reported as one.
        Err(e) if text.trim_start().starts_with("apiVersion") || text.trim_start().starts_with('{') => return Err(e),
        Err(_) => return Ok(None),
    };
    if root.get("kind").and_then(Node::text) != Some("Secret") {
        return Ok(None);
    }
    let mut found = Vec::new();
    for key in KEYS {
        let plain = root.get("stringData").and_then(|d| d.get(key)).and_then(Node::text);
        let encoded = root.get("data").and_then(|d| d.get(key)).and_then(Node::text);
        let bytes = match (plain, encoded) {
            (Some(text), _) => text.as_bytes().to_vec(),
            (None, Some(b64)) => decode(b64).map_err(|e| ManifestError::Base64(key.to_owned(), e))?,
            (None, None) => continue,
        };
        found.push((key.to_owned(), bytes));
    }
    if found.is_empty() {
        return Err(ManifestError::NoTlsKeys(root.get("type").and_then(Node::text).map(str::to_owned)));
    }
    Ok(Some(found))
}

/// Base64 as Kubernetes writes it; line breaks and spaces a YAML writer may fold in are
/// ignored. The result is smaller than the text.
fn decode(b64: &str) -> Result<Vec<u8>, String> {
    let compact: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(compact).map_err(|e| e.to_string())
}

/// The first document of `text`, built from parser events: aliases are refused rather
/// than expanded, nesting is limited.
fn document(text: &str) -> Result<Node, ManifestError> {
    // Open collections: a map's entries with a key waiting for its value, or a list.
    enum Open {
        Map(Vec<(Node, Node)>, Option<Node>),
        Seq,
    }
    let mut stack: Vec<Open> = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| ManifestError::Yaml(e.marker().line(), e.info().to_owned()))?;
        let at = |what: &str| ManifestError::Yaml(span.start.line(), what.to_owned());
        let node = match event {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(at(&format!("it is nested more than {MAX_DEPTH} levels deep")));
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Open::Map(Vec::new(), None)
                } else {
                    Open::Seq
                });
                continue;
            }
            Event::Alias(_) => return Err(at("it uses a YAML alias (*name), which a Secret manifest has no need for")),
            Event::Scalar(value, ..) => Node::Scalar(value.into_owned()),
            Event::MappingEnd => match stack.pop() {
                Some(Open::Map(entries, _)) => Node::Map(entries),
                _ => return Err(at("unbalanced mapping")),
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Seq) => Node::Seq,
                _ => return Err(at("unbalanced list")),
            },
            Event::DocumentEnd | Event::StreamEnd => break,
            _ => continue,
        };
        match stack.last_mut() {
            None => return Ok(node),
            Some(Open::Seq) => {}
            Some(Open::Map(entries, pending)) => match pending.take() {
                Some(key) => entries.push((key, node)),
                None => *pending = Some(node),
            },
        }
    }
    Err(ManifestError::Yaml(1, "it holds no YAML document".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_data_and_string_data() {
        let yaml = "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: aGVs\n    bG8=\nstringData:\n  tls.key: |\n    key text\n";
        let found = entries(yaml.as_bytes()).unwrap().unwrap();
        assert_eq!(
            found,
            vec![("tls.crt".to_owned(), b"hello".to_vec()), ("tls.key".to_owned(), b"key text\n".to_vec())]
        );
        let json = r#"{"apiVersion":"v1","kind":"Secret","stringData":{"ca.crt":"a\nb"}}"#;
        assert_eq!(entries(json.as_bytes()).unwrap().unwrap(), vec![("ca.crt".to_owned(), b"a\nb".to_vec())]);
    }

    #[test]
    fn other_text_is_not_a_manifest_and_aliases_are_refused() {
        assert!(entries(b"kind: ConfigMap\ndata:\n  tls.crt: x\n").unwrap().is_none());
        assert!(entries(b"-----BEGIN CERTIFICATE-----\n").unwrap().is_none());
        let bomb = "apiVersion: v1\nkind: Secret\na: &a [x, x]\nb: [*a, *a]\ndata:\n  tls.crt: eA==\n";
        assert!(matches!(entries(bomb.as_bytes()), Err(ManifestError::Yaml(4, _))));
        let deep = format!("apiVersion: v1\nkind: Secret\ntls.crt: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert!(matches!(entries(deep.as_bytes()), Err(ManifestError::Yaml(..))));
        assert!(matches!(
            entries(b"apiVersion: v1\nkind: Secret\ndata:\n  tls.crt: '!!'\n"),
            Err(ManifestError::Base64(..))
        ));
    }
}
