//! Where something was said: a place in a source file ([`Position`], [`Origin`]), as
//! findings about `.env` and compose files point at it, and how names are shown: long
//! ones abbreviated, in commands as one shell word.

use serde::Serialize;

use super::Subject;

/// A place in a source file: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position `chars` characters further on the same line.
    pub fn advanced(self, chars: usize) -> Self {
        Self { line: self.line, column: self.column + chars }
    }
}

/// The name JSON and messages give the process environment as a source.
pub const ENVIRONMENT: &str = "<environment>";

/// Where a variable or mount was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The file as given (or found beside the compose file), or [`ENVIRONMENT`].
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", flatten)]
    pub position: Option<Position>,
}

impl Origin {
    pub fn environment() -> Self {
        Self { path: ENVIRONMENT.to_owned(), position: None }
    }

    pub fn at(path: &str, position: Position) -> Self {
        Self { path: path.to_owned(), position: Some(position) }
    }

    /// The subject of a finding about what was set here.
    pub fn subject(&self) -> Subject {
        Subject {
            path: Some(self.path.clone()),
            line: self.position.map(|p| p.line),
            column: self.position.map(|p| p.column),
            ..Subject::default()
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some(p) => write!(f, "{}:{}:{}", self.path, p.line, p.column),
            None if self.path == ENVIRONMENT => f.write_str("the process environment"),
            None => f.write_str(&self.path),
        }
    }
}

/// Characters of a variable's name that messages and the variables list show; the subject
/// (`variable`) and JSON `variables[].name` keep it whole.
const NAME_SHOWN: usize = 64;

/// `name`, or for a name longer than [`NAME_SHOWN`] characters its start, `…` and its
/// length: a name of megabytes is not repeated in every line about it.
pub fn abbreviated(name: &str) -> std::borrow::Cow<'_, str> {
    match name.char_indices().nth(NAME_SHOWN) {
        Some((end, _)) => {
            format!("{}… ({} characters)", name.get(..end).unwrap_or_default(), name.chars().count()).into()
        }
        None => name.into(),
    }
}

/// A name or path as one shell word, for commands in hints and next steps (as it is when
/// it cannot be quoted: a NUL byte).
pub fn shell_word(text: &str) -> String {
    shlex::try_quote(text).map_or_else(|_| text.to_owned(), |q| q.into_owned())
}

/// Characters that change how text around them is shown: bidirectional overrides and
/// isolates (a name can read backwards), and the invisible direction marks.
pub fn is_reordering(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with control and reordering characters written as escapes (`\n`, `\x1b`,
/// `\u{202e}`): for names from certificates, which no one means to hold them, so that
/// a subject never spans lines or hides what it is, in any output.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() || is_reordering(c)) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c.is_control() && (c as u32) < 0x80) => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() || is_reordering(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.into()
}
