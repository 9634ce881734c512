//! Java keystores (JKS, magic bytes `fe ed fe ed`; JCEKS, `ce ce ce ce`): certsmith does
//! not read their keys (Sun's proprietary key protection), but names the entries so that
//! the error can give the exact `keytool` command that exports a certificate. Aliases and
//! entry kinds are stored unencrypted (`keytool -list` shows them without the password).
//! Every length is checked against the bytes left, and at most [`MAX_ENTRIES`] are read.

/// More entries than this are not listed (a `cacerts` store has about 150).
const MAX_ENTRIES: usize = 256;

/// What a keystore entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    PrivateKey,
    TrustedCertificate,
    SecretKey,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PrivateKey => "private key and its certificate chain",
            Self::TrustedCertificate => "trusted certificate",
            Self::SecretKey => "secret key",
        }
    }
}

/// Which Java store format the bytes are.
pub fn kind(bytes: &[u8]) -> Option<&'static str> {
    match bytes.get(..4)? {
        [0xfe, 0xed, 0xfe, 0xed] => Some("JKS"),
        [0xce, 0xce, 0xce, 0xce] => Some("JCEKS"),
        _ => None,
    }
}

/// The entries (alias, kind) as far as they can be read; a damaged store gives those before
/// the damage.
pub fn entries(bytes: &[u8]) -> Vec<(String, EntryKind)> {
    let mut found = Vec::new();
    let mut r = Cursor { bytes, at: 4 };
    let (Some(version), Some(count)) = (r.u32(), r.u32()) else { return found };
    for _ in 0..count.min(MAX_ENTRIES as u32) {
        let Some(entry) = entry(&mut r, version) else { break };
        found.push(entry);
    }
    found
}

fn entry(r: &mut Cursor<'_>, version: u32) -> Option<(String, EntryKind)> {
    let tag = r.u32()?;
    let alias = r.utf()?;
    r.skip(8)?; // creation date
    let kind = match tag {
        1 => {
            let key_len = r.u32()?;
            r.skip(key_len as usize)?;
            for _ in 0..r.u32()? {
                certificate(r, version)?;
            }
            EntryKind::PrivateKey
        }
        2 => {
            certificate(r, version)?;
            EntryKind::TrustedCertificate
        }
        // JCEKS secret keys are serialised Java objects: list this one, stop after it.
        3 => {
            r.at = r.bytes.len();
            EntryKind::SecretKey
        }
        _ => return None,
    };
    Some((alias, kind))
}

fn certificate(r: &mut Cursor<'_>, version: u32) -> Option<()> {
    if version == 2 {
        r.utf()?; // "X.509"
    }
    let len = r.u32()?;
    r.skip(len as usize)
}

struct Cursor<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let slice = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(slice)
    }

    fn skip(&mut self, n: usize) -> Option<()> {
        self.take(n).map(|_| ())
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes)
    }

    /// Java's modified UTF-8 with a 2-byte length; aliases are ASCII in practice.
    fn utf(&mut self) -> Option<String> {
        let len = self.take(2).and_then(|b| b.try_into().ok()).map(u16::from_be_bytes)?;
        self.take(len as usize).map(|b| String::from_utf8_lossy(b).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_entries_and_stops_at_damage() {
        let mut store = vec![0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 2];
        store.extend([0, 0, 0, 2, 0, 2, b'c', b'a', 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, b'X', b'.', b'5', b'0', b'9']);
        store.extend([0, 0, 0, 1, 0xaa]);
        store.extend([0, 0, 0, 1, 0, 3, b'k', b'e', b'y', 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
        assert_eq!(kind(&store), Some("JKS"));
        assert_eq!(entries(&store), vec![("ca".to_owned(), EntryKind::TrustedCertificate)]);
        assert!(entries(&[0xfe, 0xed, 0xfe, 0xed]).is_empty());
    }
}
