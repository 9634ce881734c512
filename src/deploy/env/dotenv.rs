//! `.env` files in the syntax docker compose reads
//! (<https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/#env-file-syntax>),
//! with the behaviour of compose's own parser (compose-go `dotenv/parser.go`) where the
//! documentation is silent:
//!
//! - blank lines and lines whose first non-blank character is `#` are skipped;
//! - `export NAME=value` is `NAME=value`; `NAME: value` is accepted as `NAME=value`;
//! - a line with a name alone (`NAME`) takes NAME's value from the environment, if set;
//! - an unquoted value runs to the end of the line; ` #` starts a comment; trailing
//!   white space is dropped; it is interpolated;
//! - `'…'` is literal; `"…"` understands `\n \r \t \\ \" \$` (and `\a \b \f \v \0NNN`)
//!   and is interpolated; both may span lines; `\'` / `\"` is the quote itself; what follows
//!   the closing quote on the line is read as the next statement (so ` # comment` is one);
//! - interpolation (see `interpolate`) looks a name up in the environment first, then in
//!   the lines above.
//!
//! Why not a crate: no dotenv crate follows compose's rules. dotenvy 0.15.7 (the
//! maintained one) has no `${VAR:-default}` interpolation and reports no line numbers,
//! and doctor must read a `.env` as compose will and point at the line that is wrong.
//!
//! Deliberate differences, where compose's parser does something no one means: a line
//! `=value` (no name) is an error, and a name alone on the last line without a newline is
//! taken from the environment like any other. Errors name the line and column.

use std::collections::HashMap;

use super::Position;
use super::interpolate::{self, Budget, InterpolationError};

/// One `NAME=value` statement, interpolated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub value: String,
    /// Where the name starts.
    pub position: Position,
    /// Names the value used that are not set (compose substitutes an empty string).
    pub unset: Vec<String>,
}

/// Why a file cannot be read as compose reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub position: Position,
    pub message: String,
}

/// Space that is not a line break (compose-go `isSpace`).
fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}')
}

/// Characters compose allows in a name (compose-go `isValidKeyRune`).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')
}

/// Parses `text`. `lookup` is the environment interpolation and `NAME` lines read first;
/// what interpolation makes is taken from `budget`.
pub fn parse(text: &str, lookup: &dyn Fn(&str) -> Option<String>, budget: &Budget) -> Result<Vec<Entry>, SyntaxError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader { chars: text.chars().collect(), pos: 0, line: 1, line_start: 0 };
    let mut entries: Vec<Entry> = Vec::new();
    // Each name's last entry, for interpolation.
    let mut last: HashMap<String, usize> = HashMap::new();
    loop {
        reader.skip_blank_and_comments();
        if reader.peek().is_none() {
            return Ok(entries);
        }
        let statement = reader.statement()?;
        let known =
            |name: &str| lookup(name).or_else(|| last.get(name).and_then(|&i| entries.get(i)).map(|e| e.value.clone()));
        let entry = match statement.value {
            None => match lookup(&statement.name) {
                Some(value) => Entry { name: statement.name, value, position: statement.position, unset: Vec::new() },
                None => continue,
            },
            Some(Value { text, quote: Some('\''), .. }) => {
                Entry { name: statement.name, value: text, position: statement.position, unset: Vec::new() }
            }
            Some(Value { text, quote, position }) => {
                let text = if quote.is_some() { expand_escapes(&text) } else { text };
                let done = interpolate::interpolate(&text, &known, budget).map_err(|e| {
                    // In an unquoted value each character is where it was; in a quoted one,
                    // escapes moved them: point at the opening quote.
                    let at = if quote.is_some() { position } else { position.advanced(e.offset) };
                    interpolation_error(at, &statement.name, e)
                })?;
                Entry { name: statement.name, value: done.value, position: statement.position, unset: done.unset }
            }
        };
        last.insert(entry.name.clone(), entries.len());
        entries.push(entry);
    }
}

fn interpolation_error(position: Position, name: &str, e: InterpolationError) -> SyntaxError {
    SyntaxError { position, message: format!("cannot interpolate the value of {name}: {}", e.message) }
}

struct Statement {
    name: String,
    position: Position,
    /// `None` for a name alone.
    value: Option<Value>,
}

struct Value {
    text: String,
    quote: Option<char>,
    position: Position,
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
    line: usize,
    /// Index of the first character of the current line.
    line_start: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn position(&self) -> Position {
        Position { line: self.line, column: self.pos - self.line_start + 1 }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
            self.line_start = self.pos;
        }
        Some(c)
    }

    fn skip_while(&mut self, f: impl Fn(char) -> bool) {
        while self.peek().is_some_and(&f) {
            self.bump();
        }
    }

    fn skip_blank_and_comments(&mut self) {
        loop {
            self.skip_while(char::is_whitespace);
            if self.peek() != Some('#') {
                return;
            }
            self.skip_while(|c| c != '\n');
        }
    }

    fn error<T>(&self, position: Position, message: String) -> Result<T, SyntaxError> {
        Err(SyntaxError { position, message })
    }

    fn statement(&mut self) -> Result<Statement, SyntaxError> {
        let rest: String = self.chars.iter().skip(self.pos).take(7).collect();
        if rest.strip_prefix("export").and_then(|r| r.chars().next()).is_some_and(is_space) {
            self.pos += "export".len();
            self.skip_while(is_space);
        }
        let position = self.position();
        let mut name = String::new();
        // Whether a space ended the name: what follows may be a value, and values
        // (passwords) are never quoted in an error.
        let mut after_space = false;
        let terminator = loop {
            match self.peek() {
                None => break None,
                Some(c @ ('=' | ':' | '\n')) => break Some(c),
                Some(c) if is_space(c) => {
                    after_space = true;
                    self.bump();
                }
                Some(c) if is_name_char(c) && !after_space => {
                    name.push(c);
                    self.bump();
                }
                Some(_) if after_space => break None,
                Some(c) => {
                    let at = self.position();
                    // Before an `=` on this line the text is a name and can be shown; a
                    // line without one may be a secret pasted alone (`hunter2!x`).
                    let rest: String = self.chars.iter().skip(self.pos).take_while(|c| **c != '\n').collect();
                    let shown =
                        if rest.contains('=') { format!(" in the variable name {name:?}") } else { String::new() };
                    return self.error(
                        at,
                        format!(
                            "unexpected character {c:?}{shown}: expected letters, digits, `_ . - [ ]`, then `=` and the value (a line without `=` is not shown: it may be a secret)"
                        ),
                    );
                }
            }
        };
        if name.is_empty() {
            return self.error(position, "expected a variable name before `=`".to_owned());
        }
        if after_space && matches!(terminator, None | Some('\n')) && self.peek().is_some_and(|c| c != '\n') {
            return self.error(
                position,
                format!("the variable name {name} is followed by a space and more text, not by `=`: expected {name}=value, without spaces around the name (the rest of the line is not shown: it may be a secret)"),
            );
        }
        if terminator != Some('=') && terminator != Some(':') {
            // A name alone: its value comes from the environment.
            return Ok(Statement { name, position, value: None });
        }
        self.bump();
        self.skip_while(is_space);
        let value = match self.peek() {
            Some(quote @ ('\'' | '"')) => self.quoted(quote)?,
            _ => self.unquoted(),
        };
        Ok(Statement { name, position, value: Some(value) })
    }

    /// To the end of the line; ` #` starts a comment; trailing white space is dropped.
    fn unquoted(&mut self) -> Value {
        let position = self.position();
        let mut text = String::new();
        while let Some(c) = self.peek().filter(|c| *c != '\n') {
            text.push(c);
            self.bump();
        }
        if let Some(at) = text.find(" #") {
            text.truncate(at);
        }
        let kept = text.trim_end_matches(char::is_whitespace).len();
        text.truncate(kept);
        Value { text, quote: None, position }
    }

    /// From the opening quote to the closing one; `\<quote>` is the quote itself, any other
    /// backslash is kept for `expand_escapes`.
    fn quoted(&mut self, quote: char) -> Result<Value, SyntaxError> {
        let position = self.position();
        self.bump();
        let mut text = String::new();
        loop {
            match self.bump() {
                None => {
                    return self.error(
                        position,
                        format!("the value opened with {quote} is never closed: expected a closing {quote}"),
                    );
                }
                Some('\\') => match self.bump() {
                    Some(c) if c == quote => text.push(c),
                    Some(c) => {
                        text.push('\\');
                        text.push(c);
                    }
                    None => text.push('\\'),
                },
                Some(c) if c == quote => return Ok(Value { text, quote: Some(quote), position }),
                Some(c) => text.push(c),
            }
        }
    }
}

/// The escapes compose expands in double-quoted values (compose-go `expandEscapes`):
/// `\a \b \f \n \r \t \v \\ \"`, octal `\0NNN`, and `\$`, which becomes `$$` so that
/// interpolation leaves a literal `$`. Any other backslash is kept.
fn expand_escapes(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = match chars.get(i) {
            Some('a') => Some('\u{7}'),
            Some('b') => Some('\u{8}'),
            Some('f') => Some('\u{c}'),
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            Some('v') => Some('\u{b}'),
            Some('\\') => Some('\\'),
            Some('"') => Some('"'),
            _ => None,
        };
        match (escaped, chars.get(i)) {
            (Some(e), _) => {
                out.push(e);
                i += 1;
            }
            (None, Some('$')) => {
                out.push_str("$$");
                i += 1;
            }
            (None, Some('0')) => {
                // `\0` then up to three octal digits (Go's `\NNN` after compose's rewrite).
                let digits: String = chars.iter().skip(i + 1).take(3).take_while(|d| d.is_digit(8)).collect();
                match u8::from_str_radix(&digits, 8) {
                    Ok(byte) if digits.len() == 3 => {
                        out.push(char::from(byte));
                        i += 1 + digits.len();
                    }
                    _ => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Vec<(String, String)> {
        read_with(&[], text)
    }

    fn read_with(env: &[(&str, &str)], text: &str) -> Vec<(String, String)> {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        parse(text, &move |n| env.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()), &Budget::default())
            .unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
            .into_iter()
            .map(|e| (e.name, e.value))
            .collect()
    }

    fn one(text: &str) -> String {
        read(text).pop().map(|(_, v)| v).unwrap()
    }

    fn error(text: &str) -> SyntaxError {
        parse(text, &|_| None, &Budget::default()).unwrap_err()
    }

    /// Every example of "Syntax for environment files in Docker Compose"
    /// (https://docs.docker.com/compose/env-file/), in the order the page gives them.
    #[test]
    fn the_documented_examples() {
        // "Lines beginning with # are processed as comments and ignored. Blank lines are ignored."
        assert_eq!(read("# comment\n\n  # indented comment\nA=1\n"), vec![("A".into(), "1".into())]);
        // "Each line represents a key-value pair. Values can optionally be quoted."
        assert_eq!(one("VAR=VAL"), "VAL");
        assert_eq!(one("VAR=\"VAL\""), "VAL");
        assert_eq!(one("VAR='VAL'"), "VAL");
        // "Inline comments for unquoted values must be preceded with a space."
        assert_eq!(one("VAR=VAL # comment"), "VAL");
        assert_eq!(one("VAR=VAL# not a comment"), "VAL# not a comment");
        // "Inline comments for quoted values must follow the closing quote."
        assert_eq!(one("VAR=\"VAL # not a comment\""), "VAL # not a comment");
        assert_eq!(one("VAR=\"VAL\" # comment"), "VAL");
        // "Single-quoted (') values are used literally."
        assert_eq!(read_with(&[("OTHER", "x")], "VAR='$OTHER'"), vec![("VAR".into(), "$OTHER".into())]);
        assert_eq!(one("VAR='${OTHER}'"), "${OTHER}");
        // "Quotes can be escaped with \."
        assert_eq!(one(r"VAR='Let\'s go!'"), "Let's go!");
        assert_eq!(one(r#"VAR="{\"hello\": \"json\"}""#), r#"{"hello": "json"}"#);
        // "Common shell escape sequences including \n, \r, \t, and \\ are supported in
        // double-quoted values."
        assert_eq!(one(r#"VAR="some\tvalue""#), "some\tvalue");
        assert_eq!(one(r"VAR='some\tvalue'"), r"some\tvalue");
        assert_eq!(one(r"VAR=some\tvalue"), r"some\tvalue");
        // "Interpolation … is applied for unquoted and double-quoted values."
        let env = [("VAR", "v")];
        assert_eq!(
            read_with(&env, "A=${VAR:-d} B=x\nC=\"${UNSET:-d}\""),
            vec![("A".into(), "v B=x".into()), ("C".into(), "d".into())]
        );
    }

    #[test]
    fn what_compose_parser_does_beyond_the_page() {
        assert_eq!(read("export A=1\nexport  B = 2 \n"), vec![("A".into(), "1".into()), ("B".into(), "2".into())]);
        assert_eq!(read("A: 1"), vec![("A".into(), "1".into())]);
        assert_eq!(read("exported=1"), vec![("exported".into(), "1".into())]);
        assert_eq!(read("A=\r\nB=2\r\n"), vec![("A".into(), String::new()), ("B".into(), "2".into())]);
        assert_eq!(read("\u{feff}A=1"), vec![("A".into(), "1".into())]);
        assert_eq!(one("A=\"two\nlines\""), "two\nlines");
        assert_eq!(one(r#"A="a\\b""#), r"a\b");
        assert_eq!(one(r#"A="cost \$5 \0101""#), "cost $5 A");
        assert_eq!(one("A=tab\t#kept"), "tab\t#kept");
        // Lines above are used for interpolation, after the environment.
        assert_eq!(read("A=1\nB=${A}2"), vec![("A".into(), "1".into()), ("B".into(), "12".into())]);
        assert_eq!(
            read_with(&[("A", "env")], "A=1\nB=${A}"),
            vec![("A".into(), "1".into()), ("B".into(), "env".into())]
        );
        // A name alone is taken from the environment, or not set.
        assert_eq!(read_with(&[("HOME", "/root")], "HOME\nNOPE\nLAST"), vec![("HOME".into(), "/root".into())]);
        // After a closing quote the line goes on as the next statement.
        assert_eq!(read("A='x' B=y"), vec![("A".into(), "x".into()), ("B".into(), "y".into())]);
    }

    #[test]
    fn errors_give_the_line_and_column() {
        let e = error("A=1\n\nMY VAR=2\n");
        assert_eq!((e.position.line, e.position.column), (3, 1), "{}", e.message);
        // A line without `=` may be a secret: the name is given, never the rest.
        for line in ["DB_PASSWORD hunter2", "DB_PASSWORD  hunter2!=x", "export DB_PASSWORD hunter2 # c", "hunter2!xyz"]
        {
            let e = error(line);
            let named = line.contains("DB_PASSWORD");
            assert!(
                e.message.contains("DB_PASSWORD") == named && !e.message.contains("hunter2"),
                "{line}: {}",
                e.message
            );
        }
        let e = error("A=1\n  B!=2\n");
        assert_eq!((e.position.line, e.position.column), (2, 4), "{}", e.message);
        assert!(e.message.contains("'!'"), "{}", e.message);
        let e = error("A=1\nB=\"open\nC=3\n");
        assert_eq!((e.position.line, e.position.column), (2, 3), "{}", e.message);
        let e = error("A=x ${B:?required here}");
        assert_eq!((e.position.line, e.position.column), (1, 5), "{}", e.message);
        assert!(e.message.contains("required here"));
        let e = error("\n=value");
        assert_eq!((e.position.line, e.position.column), (2, 1));
    }
}
