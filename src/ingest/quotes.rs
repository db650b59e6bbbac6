//! A guard over a CSV stream that notices a quoted field left open.
//!
//! The `csv` crate reads an unterminated quote as a field that runs to the end of the file, so
//! one stray `"` would swallow every record after it into one comment body, their email
//! addresses included. This reader follows the same quoting rules as the bytes go by and
//! remembers the line where a quoted field opened; at the end of the stream, or when that
//! field grows past the record limit, the caller learns of it and refuses the file.

use std::io::{self, Read};

/// Where the quoting rules are between two bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a field.
    FieldStart,
    /// Inside a field that did not start with a quote (quotes in it are literal).
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: the field's end, or the first of `""`.
    QuoteInQuoted,
}

/// A quoted field that never closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenQuote {
    /// Still open at the end of the input.
    AtEnd {
        /// The line where it opened.
        line: usize,
    },
    /// Longer than the limit, so reading stopped there.
    TooLong {
        /// The line where it opened.
        line: usize,
        /// The limit, in bytes.
        limit: usize,
    },
}

impl std::fmt::Display for OpenQuote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenQuote::AtEnd { line } => write!(
                f,
                "line {line}: a quoted field opens here and is never closed"
            ),
            OpenQuote::TooLong { line, limit } => write!(
                f,
                "line {line}: a quoted field opens here and runs past {limit} bytes without closing"
            ),
        }
    }
}

/// Reads through to `inner`, following CSV quoting (quote `"`, doubled to escape).
#[derive(Debug)]
pub struct QuoteGuard<R> {
    inner: R,
    state: State,
    line: usize,
    opened_on: usize,
    quoted_bytes: usize,
    limit: usize,
    open: Option<OpenQuote>,
}

impl<R: Read> QuoteGuard<R> {
    /// A guard that stops a quoted field at `limit` bytes.
    pub fn new(inner: R, limit: usize) -> QuoteGuard<R> {
        QuoteGuard {
            inner,
            state: State::FieldStart,
            line: 1,
            opened_on: 0,
            quoted_bytes: 0,
            limit,
            open: None,
        }
    }

    /// The quoted field left open, once the stream has ended.
    pub fn open_quote(&self) -> Option<OpenQuote> {
        self.open
    }

    fn follow(&mut self, bytes: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
            }
            self.state = match (self.state, b) {
                (State::FieldStart, b'"') => {
                    self.opened_on = self.line;
                    self.quoted_bytes = 0;
                    State::Quoted
                }
                (
                    State::FieldStart | State::Unquoted | State::QuoteInQuoted,
                    b',' | b'\n' | b'\r',
                ) => State::FieldStart,
                (State::FieldStart | State::Unquoted, _) => State::Unquoted,
                (State::Quoted, b'"') => State::QuoteInQuoted,
                (State::Quoted, _) => {
                    self.quoted_bytes += 1;
                    if self.quoted_bytes > self.limit {
                        self.open = Some(OpenQuote::TooLong {
                            line: self.opened_on,
                            limit: self.limit,
                        });
                        return Some(i);
                    }
                    State::Quoted
                }
                (State::QuoteInQuoted, b'"') => State::Quoted,
                // `"a"b`: the csv crate keeps the rest of the field, unquoted.
                (State::QuoteInQuoted, _) => State::Unquoted,
            };
        }
        None
    }
}

impl<R: Read> Read for QuoteGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.open.is_some() {
            // Reading stopped at an over-long quoted field: the file is refused whole.
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 {
            if self.state == State::Quoted {
                self.open = Some(OpenQuote::AtEnd {
                    line: self.opened_on,
                });
            }
            return Ok(0);
        }
        Ok(self.follow(&buf[..n]).unwrap_or(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn open_quote(text: &str, limit: usize) -> Option<OpenQuote> {
        let mut guard = QuoteGuard::new(text.as_bytes(), limit);
        let mut sink = Vec::new();
        guard.read_to_end(&mut sink).unwrap();
        guard.open_quote()
    }

    #[test]
    fn closed_quotes_pass() {
        for text in [
            "a,b\n1,2\n",
            "a,b\n\"x, y\",\"multi\nline\"\n",
            "a\n\"say \"\"hi\"\"\"\n",
            "a\nin\"side,ok\n",
            "a\n\"x\"y,z\n",
            "a,b\r\n\"\",\"\"\r\n",
        ] {
            assert_eq!(open_quote(text, 1000), None, "{text:?}");
        }
    }

    #[test]
    fn an_open_quote_names_its_line() {
        let text = "post,username,email,body,id\nhello,Ann,ann@example.com,\"stray quote,c1\nhello,Ben,ben@example.com,ok,c2\n";
        assert_eq!(open_quote(text, 1000), Some(OpenQuote::AtEnd { line: 2 }));
        assert_eq!(
            open_quote("a\n\"x\"\"\n", 1000),
            Some(OpenQuote::AtEnd { line: 2 })
        );
    }

    #[test]
    fn a_quoted_field_past_the_limit_stops_reading() {
        let text = format!("a\nok\n\"{}\n", "x".repeat(50));
        assert_eq!(
            open_quote(&text, 20),
            Some(OpenQuote::TooLong { line: 3, limit: 20 })
        );
        assert_eq!(
            open_quote(&format!("a\n\"{}\"\n", "x".repeat(20)), 20),
            None
        );
    }
}
