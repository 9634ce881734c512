//! What Granian reads from its environment for TLS: the one place certsmith keeps
//! Granian's TLS options and the names guides give that Granian does not have.
//!
//! Sources (Granian 2.8): `granian/cli.py` declares the options with click and
//! `cli(auto_envvar_prefix='GRANIAN')`, so `--ssl-keyfile` is `GRANIAN_SSL_KEYFILE`; click
//! treats an empty variable as unset, checks file options with `click.Path(exists=True,
//! dir_okay=False, readable=True)`, splits a repeatable path option on `:`, compares
//! choices case-insensitively and reads booleans as `1/0, true/false, yes/no, on/off,
//! t/f, y/n`. `granian/server/common.py` serves plain HTTP unless both the certificate
//! and the key are set, and ignores `--ssl-client-verify` without `--ssl-ca` (with a
//! logged warning). Any other `GRANIAN_SSL_*` name is ignored without a word.
//!
//! Measured with Granian 2.8.9: the `--ssl-crl` files are read only with client
//! verification on (`--ssl-ca` and `--ssl-client-verify`); then a file holding no PEM CRL
//! (DER, text) panics the worker (`cannot read CRL file: NoItemsFound`) and Granian shuts
//! down; a CRL of another CA makes rustls refuse every client (`unknown ca`); a CRL past
//! its nextUpdate still loads and is enforced.
//!
//! Nothing here reads files or the environment; `doctor` applies these rules.

/// The variables' common prefix.
pub const PREFIX: &str = "GRANIAN_SSL_";

/// Whether `name` starts with [`PREFIX`] in any case (`granian_ssl_…` is a misspelling of
/// a Granian name, so doctor reads it too).
pub fn has_prefix(name: &str) -> bool {
    name.get(..PREFIX.len()).is_some_and(|start| start.eq_ignore_ascii_case(PREFIX))
}

/// What an option's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file that must exist and be readable.
    File,
    /// One or more files, separated by `:`.
    Files,
    /// Free text (a password).
    Text,
    /// One of these, case-insensitively.
    Choice(&'static [&'static str]),
    /// A click boolean.
    Bool,
}

/// One Granian TLS option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GranianOption {
    pub name: &'static str,
    pub flag: &'static str,
    pub kind: Kind,
    /// What it does, for messages.
    pub purpose: &'static str,
}

pub const CERTIFICATE: &str = "GRANIAN_SSL_CERTIFICATE";
pub const KEYFILE: &str = "GRANIAN_SSL_KEYFILE";
pub const KEYFILE_PASSWORD: &str = "GRANIAN_SSL_KEYFILE_PASSWORD";
pub const PROTOCOL_MIN: &str = "GRANIAN_SSL_PROTOCOL_MIN";
pub const CA: &str = "GRANIAN_SSL_CA";
pub const CRL: &str = "GRANIAN_SSL_CRL";
pub const CLIENT_VERIFY: &str = "GRANIAN_SSL_CLIENT_VERIFY";

/// Every TLS option of Granian 2.8, in its `--help` order.
pub const OPTIONS: &[GranianOption] = &[
    GranianOption {
        name: CERTIFICATE,
        flag: "--ssl-certificate",
        kind: Kind::File,
        purpose: "the certificate file (PEM: the server's certificate, then its intermediates)",
    },
    GranianOption {
        name: KEYFILE,
        flag: "--ssl-keyfile",
        kind: Kind::File,
        purpose: "the private key file (PEM; an encrypted key must be PKCS#8)",
    },
    GranianOption {
        name: KEYFILE_PASSWORD,
        flag: "--ssl-keyfile-password",
        kind: Kind::Text,
        purpose: "the password of an encrypted PKCS#8 key",
    },
    GranianOption {
        name: PROTOCOL_MIN,
        flag: "--ssl-protocol-min",
        kind: Kind::Choice(&["tls1.2", "tls1.3"]),
        purpose: "the oldest TLS version served: tls1.2 or tls1.3 (the default)",
    },
    GranianOption {
        name: CA,
        flag: "--ssl-ca",
        kind: Kind::File,
        purpose: "the CA certificates client certificates are verified against (mutual TLS only)",
    },
    GranianOption { name: CRL, flag: "--ssl-crl", kind: Kind::Files, purpose: "CRL files for client certificates" },
    GranianOption {
        name: CLIENT_VERIFY,
        flag: "--ssl-client-verify",
        kind: Kind::Bool,
        purpose: "require client certificates signed by GRANIAN_SSL_CA (true/false)",
    },
];

/// A name Granian does not have that guides (or other servers' options) use, with the
/// one that does what was meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Renamed {
    pub wrong: &'static str,
    pub right: &'static str,
    /// What the right one does, and how its values differ.
    pub note: &'static str,
}

/// The three from the Taranis AI TLS guide, then uvicorn's names (`--ssl-certfile`,
/// `--ssl-ca-certs`, `--ssl-cert-reqs`, `--ssl-version`) carried over to Granian's prefix.
pub const RENAMED: &[Renamed] = &[
    Renamed {
        wrong: "GRANIAN_SSL_CA_CERTS",
        right: CA,
        note: "which only verifies client certificates (mutual TLS, with GRANIAN_SSL_CLIENT_VERIFY=true); it does not make clients trust the server: give them the CA certificate instead (REQUESTS_CA_BUNDLE, SSL_CERT_FILE)",
    },
    Renamed {
        wrong: "GRANIAN_SSL_MINIMUM_VERSION",
        right: PROTOCOL_MIN,
        note: "whose values are tls1.2 and tls1.3 (the default, when it is unset)",
    },
    Renamed {
        wrong: "GRANIAN_SSL_VERIFY_MODE",
        right: CLIENT_VERIFY,
        note: "a boolean (true/false) that makes Granian require client certificates signed by GRANIAN_SSL_CA; it does nothing about the server's own certificate",
    },
    Renamed {
        wrong: "GRANIAN_SSL_CERTFILE",
        right: CERTIFICATE,
        note: "the certificate file (uvicorn calls it certfile)",
    },
    Renamed { wrong: "GRANIAN_SSL_CERT", right: CERTIFICATE, note: "the certificate file" },
    Renamed { wrong: "GRANIAN_SSL_KEY", right: KEYFILE, note: "the private key file" },
    Renamed { wrong: "GRANIAN_SSL_PASSWORD", right: KEYFILE_PASSWORD, note: "the password of an encrypted key" },
    Renamed {
        wrong: "GRANIAN_SSL_CERT_REQS",
        right: CLIENT_VERIFY,
        note: "a boolean (true/false) that makes Granian require client certificates signed by GRANIAN_SSL_CA",
    },
    Renamed { wrong: "GRANIAN_SSL_VERSION", right: PROTOCOL_MIN, note: "whose values are tls1.2 and tls1.3" },
];

pub fn option(name: &str) -> Option<&'static GranianOption> {
    OPTIONS.iter().find(|o| o.name == name)
}

/// Words that mark a variable's value as a secret, whatever the rest of its name.
const SECRET_WORDS: &[&str] = &["PASS", "SECRET", "TOKEN"];

/// Whether the value of variable `name` must never be shown: the option it is, or is
/// taken for (a renamed or misspelt name: `GRANIAN_SSL_PASSWORD`,
/// `GRANIAN_SSL_KEYFILE_PASWORD`), takes free text (the key's password), or its name says
/// it holds a secret (`…PASS…`, `…SECRET…`, `…TOKEN…`, in any case).
pub fn secret(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if SECRET_WORDS.iter().any(|word| upper.contains(word)) {
        return true;
    }
    let meant = match unknown(name) {
        Some(Unknown::Renamed(renamed)) => Some(renamed.right),
        Some(Unknown::Typo(right)) => Some(right),
        Some(Unknown::Unrelated) => None,
        None => Some(name),
    };
    meant.and_then(option).is_some_and(|o| o.kind == Kind::Text)
}

/// A `GRANIAN_SSL_*`-like name Granian ignores, and what was probably meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unknown {
    /// A name known to be used for this option elsewhere.
    Renamed(&'static Renamed),
    /// A name close to a real one (a typo, or the wrong case: names are case-sensitive).
    Typo(&'static str),
    /// Nothing close.
    Unrelated,
}

/// `None` when Granian reads `name` (or it is not a Granian TLS name at all); otherwise
/// what Granian does not know about it. Names are compared as Granian's environment does:
/// exactly.
pub fn unknown(name: &str) -> Option<Unknown> {
    if !has_prefix(name) || option(name).is_some() {
        return None;
    }
    let upper = name.to_ascii_uppercase();
    if let Some(renamed) = RENAMED.iter().find(|r| r.wrong == upper) {
        return Some(Unknown::Renamed(renamed));
    }
    // A name more edits away than a typo is not compared at all: its length alone says so.
    if upper.len() > MAX_TYPO_NAME {
        return Some(Unknown::Unrelated);
    }
    let chars = upper.chars().count();
    let closest = OPTIONS
        .iter()
        .filter(|o| o.name.len().abs_diff(chars) <= MAX_TYPO_EDITS)
        .map(|o| (distance(&upper, o.name), o.name))
        .min()
        .filter(|(d, right)| *d <= 2 || (*d <= MAX_TYPO_EDITS && right.len() > PREFIX.len() + 8));
    Some(closest.map_or(Unknown::Unrelated, |(_, right)| Unknown::Typo(right)))
}

/// The most edits a typo of an option's name has (2, or 3 in the longer names).
const MAX_TYPO_EDITS: usize = 3;

/// Bytes of the longest name that can be a typo: the longest option's name plus
/// `MAX_TYPO_EDITS` characters of up to 4 bytes each.
const MAX_TYPO_NAME: usize = KEYFILE_PASSWORD.len() + 4 * MAX_TYPO_EDITS;

/// Why Granian refuses `value` for `option` at start-up (click's own words), if it does.
/// Empty values are unset for click, never invalid.
pub fn invalid(option: &GranianOption, value: &str) -> Option<String> {
    if value.is_empty() {
        return None;
    }
    match option.kind {
        Kind::Choice(choices) if !choices.iter().any(|c| c.eq_ignore_ascii_case(value)) => Some(format!(
            "Invalid value for '{}': '{value}' is not one of {}",
            option.flag,
            choices.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", ")
        )),
        Kind::Bool if parse_bool(value).is_none() => {
            Some(format!("Invalid value for '{}': '{value}' is not a valid boolean", option.flag))
        }
        _ => None,
    }
}

/// click's boolean (`BoolParamType.str_to_bool`).
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "t" | "yes" | "y" | "on" => Some(true),
        "0" | "false" | "f" | "no" | "n" | "off" => Some(false),
        _ => None,
    }
}

/// The value `right` should get for what `value` meant in the old name, when there is an
/// obvious one: `TLSv1.2` → `tls1.2`, `cert_required` → `true`. Never a secret's value:
/// `None` for a free-text option (the password), which callers must not show.
pub fn translate(right: &str, value: &str) -> Option<String> {
    if option(right).is_some_and(|o| o.kind == Kind::Text) {
        return None;
    }
    let lower = value.trim().to_ascii_lowercase();
    match right {
        PROTOCOL_MIN => {
            let digits: String = lower.chars().filter(|c| c.is_ascii_digit()).collect();
            match digits.as_str() {
                "12" => Some("tls1.2".to_owned()),
                "13" => Some("tls1.3".to_owned()),
                _ => None,
            }
        }
        CLIENT_VERIFY => match lower.as_str() {
            "cert_required" | "required" | "2" => Some("true".to_owned()),
            "cert_none" | "none" | "0" => Some("false".to_owned()),
            _ => parse_bool(&lower).map(|b| b.to_string()),
        },
        _ => Some(value.to_owned()),
    }
}

/// Optimal string alignment distance (Damerau–Levenshtein with adjacent swaps).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        for j in 0..=b.len() {
            let value = if i == 0 || j == 0 {
                i + j
            } else {
                let cost = usize::from(a.get(i - 1) != b.get(j - 1));
                let mut best = (d.get(at(i - 1, j)).copied().unwrap_or(usize::MAX) + 1)
                    .min(d.get(at(i, j - 1)).copied().unwrap_or(usize::MAX) + 1)
                    .min(d.get(at(i - 1, j - 1)).copied().unwrap_or(usize::MAX) + cost);
                if i > 1 && j > 1 && a.get(i - 1) == b.get(j - 2) && a.get(i - 2) == b.get(j - 1) {
                    best = best.min(d.get(at(i - 2, j - 2)).copied().unwrap_or(usize::MAX) + 1);
                }
                best
            };
            if let Some(cell) = d.get_mut(at(i, j)) {
                *cell = value;
            }
        }
    }
    d.get(at(a.len(), b.len())).copied().unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_names_have_their_right_names() {
        let right = |name| match unknown(name) {
            Some(Unknown::Renamed(r)) => r.right,
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(right("GRANIAN_SSL_CA_CERTS"), "GRANIAN_SSL_CA");
        assert_eq!(right("GRANIAN_SSL_MINIMUM_VERSION"), "GRANIAN_SSL_PROTOCOL_MIN");
        assert_eq!(right("GRANIAN_SSL_VERIFY_MODE"), "GRANIAN_SSL_CLIENT_VERIFY");
        for o in OPTIONS {
            assert_eq!(unknown(o.name), None);
        }
        assert_eq!(unknown("GRANIAN_WORKERS"), None);
        assert_eq!(unknown("SSL_VERIFICATION"), None);
    }

    #[test]
    fn typos_and_case_get_a_did_you_mean() {
        assert_eq!(unknown("GRANIAN_SSL_CERTIFCATE"), Some(Unknown::Typo(CERTIFICATE)));
        assert_eq!(unknown("GRANIAN_SSL_KEY_FILE"), Some(Unknown::Typo(KEYFILE)));
        assert_eq!(unknown("granian_ssl_keyfile"), Some(Unknown::Typo(KEYFILE)));
        assert_eq!(unknown("GRANIAN_SSL_PROTOCOL_MAX"), Some(Unknown::Typo(PROTOCOL_MIN)));
        assert_eq!(unknown("GRANIAN_SSL_CIPHERS"), Some(Unknown::Unrelated));
        // Three edits from the longest name, in letters of four bytes; one more is unrelated.
        assert_eq!(unknown("GRANIAN_SSL_KEYFILE_PASSWORD𝔸𝔸𝔸"), Some(Unknown::Typo(KEYFILE_PASSWORD)));
        assert_eq!(unknown("GRANIAN_SSL_KEYFILE_PASSWORD𝔸𝔸𝔸𝔸"), Some(Unknown::Unrelated));
        assert_eq!(unknown(&format!("GRANIAN_SSL_{}", "A".repeat(10_000_000))), Some(Unknown::Unrelated));
        assert!(OPTIONS.iter().all(|o| o.name.len() <= KEYFILE_PASSWORD.len()), "MAX_TYPO_NAME needs the longest");
    }

    #[test]
    fn values_are_checked_as_click_checks_them() {
        let min = option(PROTOCOL_MIN).unwrap();
        assert_eq!(invalid(min, "TLS1.2"), None);
        assert_eq!(
            invalid(min, "TLSv1.2").as_deref(),
            Some("Invalid value for '--ssl-protocol-min': 'TLSv1.2' is not one of 'tls1.2', 'tls1.3'")
        );
        let verify = option(CLIENT_VERIFY).unwrap();
        assert_eq!(invalid(verify, " Yes "), None);
        assert!(invalid(verify, "cert_required").unwrap().contains("not a valid boolean"));
        assert_eq!(invalid(verify, ""), None);
        assert_eq!(translate(PROTOCOL_MIN, "TLSv1.2").as_deref(), Some("tls1.2"));
        assert_eq!(translate(CLIENT_VERIFY, "cert_required").as_deref(), Some("true"));
        assert_eq!(translate(PROTOCOL_MIN, "TLSv1").as_deref(), None);
        assert_eq!(translate(KEYFILE_PASSWORD, "hunter2secret"), None);
        assert_eq!(translate(CERTIFICATE, "/certs/c.pem").as_deref(), Some("/certs/c.pem"));
    }

    #[test]
    fn passwords_are_secret_under_any_name_they_are_taken_for() {
        for name in [
            KEYFILE_PASSWORD,
            "GRANIAN_SSL_PASSWORD",         // renamed
            "GRANIAN_SSL_KEYFILE_PASWORD",  // a typo
            "granian_ssl_keyfile_password", // the wrong case
            "GRANIAN_SSL_KEYFILE_PASSWROD", // swapped letters
            "GRANIAN_SSL_KEY_PASSPHRASE",   // nothing close, but the name says so
            "GRANIAN_SSL_API_TOKEN",
            "GRANIAN_SSL_SECRET",
        ] {
            assert!(secret(name), "{name}");
        }
        for name in [CERTIFICATE, KEYFILE, PROTOCOL_MIN, "GRANIAN_SSL_CERTFILE", "GRANIAN_SSL_CIPHERS", "SSL_CERT_FILE"]
        {
            assert!(!secret(name), "{name}");
        }
    }
}
