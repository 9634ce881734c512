//! The one gate between the human renderers and a terminal: every byte they write passes
//! through [`Escaping`], which turns control characters into visible escapes. Certificate
//! fields, server answers, `.env` and compose values and file names all come from
//! someone else; a CN of `ESC ] 0 ; … BEL` would otherwise retitle the window, and
//! `ESC [ 2 J` or a carriage return could clear or overwrite a "verified NO" line.
//!
//! Escaped: C0 controls but line feed and tab, DEL, C1 controls (U+0080–U+009F, which
//! some terminals read as ESC sequences), as `\x1b`, `\r`, `\u{9b}`. The styles the
//! renderers write themselves pass only when colour is on and only as whole writes that
//! are exactly one of those styles ([`super::Paint`] writes each in one call), so a value
//! can at most repeat one of our own colours, never move the cursor or set a title.

use std::fmt::Write as _;
use std::io::{self, Write};

/// A writer that escapes control characters (see the module comment).
pub struct Escaping<W: Write> {
    inner: W,
    /// Whether our own styles may pass: colour is on for this stream.
    styles: bool,
}

impl<W: Write> Escaping<W> {
    pub fn new(inner: W, styles: bool) -> Self {
        Self { inner, styles }
    }
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.styles && super::is_style(buf) {
            self.inner.write_all(buf)?;
        } else {
            self.inner.write_all(escape(&String::from_utf8_lossy(buf)).as_bytes())?;
        }
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
    c.is_control() && c != '\n' && c != '\t'
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
        for (styles, expected) in [(true, bold.clone()), (false, escape(&bold).into_owned())] {
            let mut out = Vec::new();
            let mut w = Escaping::new(&mut out, styles);
            w.write_all(bold.as_bytes()).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
        let mut out = Vec::new();
        write!(Escaping::new(&mut out, true), "{}x\u{1b}[2J", super::super::BOLD).unwrap();
        assert!(String::from_utf8(out).unwrap().ends_with("x\\x1b[2J"));
    }
}
