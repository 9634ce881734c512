//! Compose's variable interpolation, as documented in the Compose file reference
//! (<https://docs.docker.com/reference/compose-file/interpolation/>) and for `.env` files
//! (<https://docs.docker.com/compose/how-tos/environment-variables/variable-interpolation/>):
//!
//! - `$$` is a literal `$`;
//! - `$NAME` and `${NAME}` are the value of NAME (`[_a-zA-Z][_a-zA-Z0-9]*`), empty when it
//!   is not set (compose warns);
//! - `${NAME:-default}` / `${NAME-default}`: the default when NAME is unset or empty / unset;
//! - `${NAME:?error}` / `${NAME?error}`: an error when NAME is unset or empty / unset;
//! - `${NAME:+other}` / `${NAME+other}`: `other` when NAME is set and non-empty / set;
//! - the words after an operator may hold further expressions (`${A:-${B:-x}}`);
//! - a `$` that starts neither a name nor `${` is kept as it is.
//!
//! Any other `${…}` form (`${NAME/a/b}`, `${1X}`, an unclosed `${`) is an error, as in
//! compose. Words are evaluated only when used, as a shell does. Nothing here reads the
//! process environment: callers pass the lookup.
//!
//! Expansion is bounded: a file of twenty lines that each double the one above expands to
//! megabytes, and thirty to gigabytes. One value may expand to [`MAX_VALUE_BYTES`], and all
//! the values a [`Budget`] is shared by to [`MAX_TOTAL_BYTES`] together; real deployments
//! use a few kilobytes (a PEM bundle in a variable, at most a few hundred).

/// The result of interpolating one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpolated {
    pub value: String,
    /// Names used without a value and without a default: compose substitutes an empty
    /// string and warns.
    pub unset: Vec<String>,
}

/// Why a value cannot be interpolated; `offset` is the character offset of the `$` that
/// starts the expression, within the interpolated text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterpolationError {
    pub offset: usize,
    pub message: String,
}

/// Expressions nested deeper than this are refused: no configuration needs them, and
/// evaluating them is recursive.
const MAX_NESTING: usize = 16;

/// The most one value may expand to: 1 MiB.
pub const MAX_VALUE_BYTES: usize = 1 << 20;

/// The most all values of one run (every `.env` and compose file doctor reads) may expand
/// to together: 16 MiB.
pub const MAX_TOTAL_BYTES: usize = 16 << 20;

/// What is left of [`MAX_TOTAL_BYTES`] for the values still to be interpolated; shared by
/// every file one run reads, so that a compose file naming one `.env` a thousand times
/// cannot multiply it.
#[derive(Debug)]
pub struct Budget {
    left: std::cell::Cell<usize>,
}

impl Default for Budget {
    fn default() -> Self {
        Self { left: std::cell::Cell::new(MAX_TOTAL_BYTES) }
    }
}

/// Interpolates `text`; `lookup` gives a variable's value, `None` when it is not set. The
/// result's size is taken from `budget`.
pub fn interpolate(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    budget: &Budget,
) -> Result<Interpolated, InterpolationError> {
    let left = budget.left.get();
    let mut parser =
        Parser { chars: text.chars().collect(), pos: 0, lookup, unset: Vec::new(), limit: left.min(MAX_VALUE_BYTES) };
    let value = parser.text(false, true, 0).map_err(|mut e| {
        if e.message.is_empty() {
            e.message = if left < MAX_VALUE_BYTES {
                format!(
                    "the values expand to more than {} MiB together, certsmith's limit for all the files it reads",
                    MAX_TOTAL_BYTES >> 20
                )
            } else {
                format!(
                    "the value expands to more than {} MiB, certsmith's limit for one value (is it defined by doubling another?)",
                    MAX_VALUE_BYTES >> 20
                )
            };
        }
        e
    })?;
    budget.left.set(left - value.len());
    Ok(Interpolated { value, unset: parser.unset })
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    unset: Vec<String>,
    /// The most the value may grow to.
    limit: usize,
}

/// The operators a braced expression may have after its name, longest first.
const OPERATORS: [&str; 6] = [":-", ":?", ":+", "-", "?", "+"];

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    /// Text up to the end, or (in a word) up to the `}` that closes the expression. With
    /// `eval` false the text is only skipped: nothing is looked up and `?` does not fail.
    fn text(&mut self, in_word: bool, eval: bool, depth: usize) -> Result<String, InterpolationError> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            let start = self.pos;
            match c {
                '}' if in_word => return Ok(out),
                '$' => out.push_str(&self.dollar(eval, depth)?),
                _ => {
                    out.push(c);
                    self.pos += 1;
                }
            }
            if out.len() > self.limit {
                // The message is set by `interpolate`, which knows which limit this is.
                return Err(InterpolationError { offset: start, message: String::new() });
            }
        }
        Ok(out)
    }

    /// At a `$`: `$$`, `$NAME`, `${…}`, or a plain `$`.
    fn dollar(&mut self, eval: bool, depth: usize) -> Result<String, InterpolationError> {
        let start = self.pos;
        match self.at(1) {
            Some('$') => {
                self.pos += 2;
                Ok("$".to_owned())
            }
            Some('{') => {
                self.pos += 2;
                self.braced(start, eval, depth)
            }
            Some(c) if is_name_start(c) => {
                self.pos += 1;
                let name = self.name();
                Ok(if eval { self.value_or_empty(&name) } else { String::new() })
            }
            _ => {
                self.pos += 1;
                Ok("$".to_owned())
            }
        }
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|c| is_name_char(*c)) {
            name.push(c);
            self.pos += 1;
        }
        name
    }

    fn value_or_empty(&mut self, name: &str) -> String {
        (self.lookup)(name).unwrap_or_else(|| {
            if !self.unset.iter().any(|n| n == name) {
                self.unset.push(name.to_owned());
            }
            String::new()
        })
    }

    /// After `${`: NAME, an optional operator and word, then `}`.
    fn braced(&mut self, start: usize, eval: bool, depth: usize) -> Result<String, InterpolationError> {
        let fail = |message: String| InterpolationError { offset: start, message };
        if depth >= MAX_NESTING {
            return Err(fail(format!("expressions are nested more than {MAX_NESTING} deep")));
        }
        if !self.peek().is_some_and(is_name_start) {
            return Err(fail(match self.peek() {
                None => "`${` is not closed: expected a variable name and `}`".to_owned(),
                Some('}') => "`${}` names no variable: expected a name such as `${NAME}`".to_owned(),
                Some(c) => format!("`${{{c}`: a variable name starts with a letter or `_`"),
            }));
        }
        let name = self.name();
        let rest: String = self.chars.iter().skip(self.pos).take(2).collect();
        let operator = OPERATORS.iter().find(|op| rest.starts_with(**op)).copied();
        let Some(operator) = operator else {
            return match self.peek() {
                Some('}') => {
                    self.pos += 1;
                    Ok(if eval { self.value_or_empty(&name) } else { String::new() })
                }
                None => Err(fail(format!("`${{{name}` is not closed: expected `}}`"))),
                Some(c) => Err(fail(format!(
                    "`${{{name}{c}…`: expected `}}` or one of :- - :? ? :+ + after the name (compose supports no other shell expansion)"
                ))),
            };
        };
        self.pos += operator.chars().count();
        let value = if eval { (self.lookup)(&name) } else { None };
        let empty = value.as_deref().is_none_or(str::is_empty);
        // Which branch the word is: used (evaluated) or skipped.
        let use_word = eval
            && match operator {
                ":-" | ":?" => empty,
                "-" | "?" => value.is_none(),
                ":+" => !empty,
                _ => value.is_some(), // "+"
            };
        let word = self.text(true, use_word, depth + 1)?;
        if self.peek() != Some('}') {
            return Err(fail(format!("`${{{name}{operator}…` is not closed: expected `}}`")));
        }
        self.pos += 1;
        if !eval {
            return Ok(String::new());
        }
        Ok(match operator {
            ":-" | "-" if use_word => word,
            ":?" | "?" if use_word => {
                let why = if word.is_empty() { String::new() } else { format!(": {word}") };
                let state = if value.is_some() { "is empty" } else { "is not set" };
                return Err(fail(format!("{name} {state}, and `${{{name}{operator}…}}` requires a value{why}")));
            }
            ":+" | "+" => {
                if use_word {
                    word
                } else {
                    String::new()
                }
            }
            _ => value.unwrap_or_default(),
        })
    }
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)], text: &str) -> Result<Interpolated, InterpolationError> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        interpolate(text, &move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()), &Budget::default())
    }

    fn value(vars: &[(&str, &str)], text: &str) -> String {
        with(vars, text).unwrap().value
    }

    /// The examples of the Compose interpolation reference, one per documented form.
    #[test]
    fn documented_forms() {
        let set = [("VAR", "v"), ("EMPTY", ""), ("FOO", "f")];
        assert_eq!(value(&set, "${VAR}"), "v");
        assert_eq!(value(&set, "$VAR"), "v");
        assert_eq!(value(&set, "a-${VAR}-b $VAR.c"), "a-v-b v.c");
        assert_eq!(value(&set, "${VAR:-default}"), "v");
        assert_eq!(value(&set, "${EMPTY:-default}"), "default");
        assert_eq!(value(&set, "${UNSET:-default}"), "default");
        assert_eq!(value(&set, "${EMPTY-default}"), "");
        assert_eq!(value(&set, "${UNSET-default}"), "default");
        assert_eq!(value(&set, "${VAR:?err}"), "v");
        assert_eq!(value(&set, "${EMPTY?err}"), "");
        assert_eq!(value(&set, "${VAR:+replacement}"), "replacement");
        assert_eq!(value(&set, "${EMPTY:+replacement}"), "");
        assert_eq!(value(&set, "${EMPTY+replacement}"), "replacement");
        assert_eq!(value(&set, "${UNSET+replacement}"), "");
        // "Interpolation can also be nested"
        assert_eq!(value(&set, "${UNSET:-${FOO}}"), "f");
        assert_eq!(value(&set, "${UNSET:-${OTHER:-default}}"), "default");
        assert_eq!(value(&set, "${VAR?$FOO}"), "v");
        // "$$ … when your configuration needs a literal dollar sign"
        assert_eq!(value(&set, "$$VAR_NOT_INTERPOLATED"), "$VAR_NOT_INTERPOLATED");
        // "In other circumstances, it will be preserved"
        assert_eq!(value(&set, "cost: 5$ or $5, $-x $"), "cost: 5$ or $5, $-x $");
    }

    #[test]
    fn required_values_fail_with_their_message() {
        let err = with(&[("EMPTY", "")], "x ${EMPTY:?set it in .env}").unwrap_err();
        assert_eq!(err.offset, 2);
        assert!(err.message.contains("EMPTY is empty") && err.message.contains("set it in .env"), "{}", err.message);
        assert!(with(&[], "${UNSET?}").unwrap_err().message.contains("UNSET is not set"));
        // A word that is not used is not evaluated.
        assert_eq!(value(&[("A", "a")], "${A:-${B:?never}}"), "a");
    }

    #[test]
    fn unset_names_are_reported_once() {
        let done = with(&[], "$A ${A} ${B:-x} ${C-}").unwrap();
        assert_eq!(done.value, "  x ");
        assert_eq!(done.unset, vec!["A".to_owned()]);
    }

    #[test]
    fn malformed_expressions_are_errors() {
        for (text, offset) in [("${", 0), ("ab${}", 2), ("${1X}", 0), ("${A/b/c}", 0), ("${A", 0), ("${A:-x", 0)] {
            let err = with(&[], text).unwrap_err();
            assert_eq!(err.offset, offset, "{text}: {}", err.message);
        }
        let deep = "${A:-".repeat(40) + &"}".repeat(40);
        assert!(with(&[], &deep).unwrap_err().message.contains("nested"));
    }

    #[test]
    fn expansion_is_bounded_per_value_and_in_total() {
        let big = "x".repeat(MAX_VALUE_BYTES / 2 + 1);
        let vars = [("BIG", big.as_str())];
        assert_eq!(value(&vars, "$BIG").len(), big.len());
        let err = with(&vars, "ok ${BIG}${BIG}").unwrap_err();
        assert_eq!(err.offset, 9, "{}", err.message);
        assert!(err.message.contains("1 MiB") && err.message.contains("one value"), "{}", err.message);
        // A word's expansion counts too, before it is used.
        assert!(with(&vars, "${UNSET:-$BIG$BIG}").unwrap_err().message.contains("1 MiB"));

        let budget = Budget::default();
        let lookup = |_: &str| Some(big.clone());
        let mut used = 0;
        let err = loop {
            match interpolate("$V", &lookup, &budget) {
                Ok(done) => used += done.value.len(),
                Err(e) => break e,
            }
        };
        assert!(used <= MAX_TOTAL_BYTES && used + big.len() > MAX_TOTAL_BYTES, "{used}");
        assert!(err.message.contains("16 MiB together"), "{}", err.message);
    }
}
