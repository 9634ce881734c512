//! The one gate between the human renderers and a terminal: every byte they write passes
//! through [`Escaping`], which turns control characters into visible escapes. Certificate
//! fields, server answers, `.env` and compose values and file names all come from
//! someone else; a CN of `ESC ] 0 ; … BEL` would otherwise retitle the window, and
//! `ESC [ 2 J` or a carriage return could clear or overwrite a "verified NO" line.
//!
//! Escaped: C0 controls but line feed and tab, DEL, C1 controls (U+0080–U+009F, which
//! some terminals read as ESC sequences), as `\x1b`, `\r`, `\u{9b}`. The renderers' own
//! styles (a handful of exact SGR sequences: bold, dim, five colours, their resets) pass
//! when colour is on for the stream and are dropped when it is off, so renderers need not
//! know; a value can at most repeat one of those styles, never move the cursor, clear the
//! screen or set a title.

use std::fmt::Write as _;
use std::io::{self, Write};

/// A writer that escapes control characters (see the module comment).
pub struct Escaping<W: Write> {
    inner: W,
    /// Whether our own styles pass (colour is on for this stream) or are dropped.
    styles: bool,
}

impl<W: Write> Escaping<W> {
    pub fn new(inner: W, styles: bool) -> Self {
        Self { inner, styles }
    }
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let mut rest: &str = &text;
        // Our styles pass as they are (colour on) or go (colour off); everything between
        // them is escaped. Every style starts with ESC: one pass over the text, looking at
        // each ESC once (searching for each style in the rest made a long report
        // quadratic: 11 ms of inspect's 14 on the system CA bundle).
        while let Some(at) = rest.find('\x1b') {
            let (before, here) = rest.split_at(at);
            // The longest style starting here: bold-and-green, not bold alone.
            let style = super::styles().iter().filter(|s| here.starts_with(s.as_str())).max_by_key(|s| s.len());
            match style {
                Some(style) => {
                    self.inner.write_all(escape(before).as_bytes())?;
                    if self.styles {
                        self.inner.write_all(style.as_bytes())?;
                    }
                    rest = here.get(style.len()..).unwrap_or_default();
                }
                None => {
                    // An ESC of someone else's: escaped with what precedes it.
                    let (upto, after) = rest.split_at(at + 1);
                    self.inner.write_all(escape(upto).as_bytes())?;
                    rest = after;
                }
            }
        }
        self.inner.write_all(escape(rest).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `text` with control characters made visible.
fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) && (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.into()
}

fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || crate::finding::place::is_reordering(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(escape("plain\ttext\n"), "plain\ttext\n");
        assert_eq!(escape("\u{1b}]0;PWNED\u{7}"), "\\x1b]0;PWNED\\x07");
        assert_eq!(escape("ok\rNO \u{7f}\u{9b}2J\0"), "ok\\rNO \\x7f\\u{9b}2J\\x00");
        assert_eq!(escape("bücher ✓"), "bücher ✓");
    }

    #[test]
    fn only_whole_styles_pass_and_only_with_colour() {
        let bold = super::super::BOLD.0.render().to_string();
        for (styles, expected) in [(true, format!("{bold}x")), (false, "x".to_owned())] {
            let mut out = Vec::new();
            write!(Escaping::new(&mut out, styles), "{}x", super::super::BOLD).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "colour {styles}");
        }
        let green = super::super::GREEN.0.render().to_string();
        let mut out = Vec::new();
        write!(Escaping::new(&mut out, false), "{}x{:#}", super::super::GREEN, super::super::GREEN).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "x", "a two-part style ({green:?}) goes whole");
        let mut out = Vec::new();
        write!(Escaping::new(&mut out, true), "{}x\u{1b}[2J", super::super::BOLD).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("x\\x1b[2J"));
    }
}
