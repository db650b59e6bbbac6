//! The scanner behind every language: one pass over the code's bytes, guided by a [`Lang`]
//! table, writing escaped text and `<span class="hl-…">` tokens; source code of the usual
//! kind is scanned here, the other modes in `formats.rs`.
//!
//! Tokens only ever end on ASCII bytes, so slicing the text between them is always at a
//! character boundary. A token that runs over several lines (a block comment, a multi-line
//! string) is closed at each line end and opened again after it, so every line of the
//! output stands alone: line numbers and marked lines can wrap lines without splitting a tag.

use super::Class;
use super::languages::{Lang, Mode, flags};

/// Writes `code` highlighted as `lang` to `out`.
pub(super) fn highlight(lang: &'static Lang, code: &str, out: &mut String) {
    let mut scanner = Scanner {
        src: code,
        b: code.as_bytes(),
        pos: 0,
        plain: 0,
        out,
    };
    scanner.run(lang, code.len());
    scanner.flush();
}

pub(super) struct Scanner<'a, 'o> {
    pub(super) src: &'a str,
    pub(super) b: &'a [u8],
    pub(super) pos: usize,
    /// Where the text not yet written starts: plain text is written in runs.
    plain: usize,
    out: &'o mut String,
}

pub(super) fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

pub(super) fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Escapes the characters HTML gives a meaning to in text (`&`, `<`, `>`), and `"` too
/// when the text goes in an attribute. Quotes stay as they are in text, as pulldown-cmark
/// leaves them, so code that is not highlighted reads as before.
pub(super) fn escape_into(out: &mut String, text: &str, attribute: bool) {
    let mut last = 0;
    for (i, c) in text.bytes().enumerate() {
        let entity = match c {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

impl Scanner<'_, '_> {
    pub(super) fn run(&mut self, lang: &'static Lang, end: usize) {
        match lang.mode {
            Mode::Code => self.code(lang, end),
            Mode::Markup => self.markup(lang.flags & flags::HTML != 0, end),
            Mode::Css => self.css(lang, end),
            Mode::Yaml => self.lines(end, Self::yaml_line),
            Mode::Toml => self.lines(end, Self::toml_line),
            Mode::Markdown => self.markdown(end),
            Mode::Diff => self.lines(end, Self::diff_line),
            Mode::Console => self.lines(end, Self::console_line),
            Mode::Make => self.lines(end, Self::make_line),
        }
    }

    pub(super) fn flush(&mut self) {
        if self.plain < self.pos {
            escape_into(self.out, &self.src[self.plain..self.pos], false);
        }
        self.plain = self.pos;
    }

    /// Writes `from..to` as one token of `class`, leaving the position at `to`.
    pub(super) fn token(&mut self, class: Class, from: usize, to: usize) {
        if from >= to {
            return;
        }
        self.pos = from;
        self.flush();
        let text = &self.src[from..to];
        for (i, line) in text.split('\n').enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            if !line.is_empty() {
                self.out.push_str("<span class=\"");
                self.out.push_str(class.css());
                self.out.push_str("\">");
                escape_into(self.out, line, false);
                self.out.push_str("</span>");
            }
        }
        self.pos = to;
        self.plain = to;
    }

    pub(super) fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    pub(super) fn starts(&self, i: usize, s: &str) -> bool {
        self.b[i.min(self.b.len())..].starts_with(s.as_bytes())
    }

    pub(super) fn line_end(&self, from: usize, end: usize) -> usize {
        self.b[from..end]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(end, |i| from + i)
    }

    pub(super) fn find(&self, from: usize, end: usize, s: &str) -> Option<usize> {
        self.src[from..end].find(s).map(|i| from + i)
    }

    pub(super) fn ident_end(&self, from: usize, end: usize, extra: &[u8]) -> usize {
        let mut i = from;
        while i < end && (is_ident(self.b[i]) || extra.contains(&self.b[i])) {
            i += 1;
        }
        i
    }

    /// The first byte after `from` that is not a space or tab.
    pub(super) fn next_significant(&self, from: usize, end: usize) -> u8 {
        self.b[from..end]
            .iter()
            .copied()
            .find(|&c| c != b' ' && c != b'\t')
            .unwrap_or(0)
    }

    pub(super) fn at_line_start(&self, i: usize) -> bool {
        self.b[..i]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|&c| c == b' ' || c == b'\t')
    }

    /// Runs `line` on each line in turn; it may move past its own line end (a multi-line
    /// string), and the next line starts wherever it stopped.
    pub(super) fn lines(&mut self, end: usize, line: fn(&mut Self, usize)) {
        while self.pos < end {
            let stop = self.line_end(self.pos, end);
            line(self, stop);
            if self.pos <= stop {
                self.pos = (stop + 1).min(end);
            }
        }
    }

    /// Scans a string that opened at `from` (its opening `open_len` bytes), ending after
    /// `close`, at a line end when it cannot span lines, or at `end`.
    pub(super) fn string_end(
        &self,
        from: usize,
        open_len: usize,
        close: &str,
        escape: u8,
        multi: bool,
        end: usize,
    ) -> usize {
        let mut i = from + open_len;
        while i < end {
            let c = self.b[i];
            if escape != 0 && c == escape {
                i += 2;
                continue;
            }
            if c == b'\n' && !multi {
                return i;
            }
            if self.starts(i, close) {
                return i + close.len();
            }
            i += 1;
        }
        end
    }

    pub(super) fn number_end(&self, from: usize, end: usize, dates: bool) -> usize {
        let mut i = from + 1;
        let hex = self.at(from) == b'0' && matches!(self.at(from + 1), b'x' | b'X');
        while i < end {
            let c = self.b[i];
            let prev = self.b[i - 1];
            let more = is_ident(c)
                || (c == b'.' && self.at(i + 1).is_ascii_digit())
                || (matches!(c, b'+' | b'-') && matches!(prev, b'e' | b'E') && !hex)
                || (dates && matches!(c, b'-' | b':' | b'.'));
            if !more {
                break;
            }
            i += 1;
        }
        i
    }

    /// Source code of the usual kind: comments, strings, numbers and words.
    pub(super) fn code(&mut self, lang: &'static Lang, end: usize) {
        let f = lang.flags;
        while self.pos < end {
            let i = self.pos;
            let c = self.b[i];
            if c.is_ascii_whitespace() {
                self.pos += 1;
                continue;
            }
            if let Some(&open) = lang.line_comments.iter().find(|o| self.starts(i, o)) {
                let shell_word = f & flags::SHELL == 0
                    || i == 0
                    || self.b[i - 1].is_ascii_whitespace()
                    || open != "#";
                if shell_word {
                    let stop = self.line_end(i, end);
                    self.token(Class::Comment, i, stop);
                    continue;
                }
            }
            if let Some(&(open, close)) =
                lang.block_comments.iter().find(|(o, _)| self.starts(i, o))
            {
                let stop = self
                    .find(i + open.len(), end, close)
                    .map_or(end, |j| j + close.len());
                self.token(Class::Comment, i, stop);
                continue;
            }
            if f & flags::PREPROCESSOR != 0 && c == b'#' && self.at_line_start(i) {
                let stop = self.line_end(i, end);
                self.token(Class::Meta, i, stop);
                continue;
            }
            if f & flags::RUST != 0 && self.rust_special(i, end) {
                continue;
            }
            if let Some(q) = lang.strings.iter().find(|q| self.starts(i, q.open)) {
                let stop = self.string_end(i, q.open.len(), q.close, q.escape, q.multiline, end);
                let class = if f & flags::JSON_KEYS != 0 && self.next_significant(stop, end) == b':'
                {
                    Class::Attribute
                } else {
                    Class::String
                };
                self.token(class, i, stop);
                continue;
            }
            if c.is_ascii_digit() {
                let prev = if i > 0 { self.b[i - 1] } else { b' ' };
                if !is_ident(prev) {
                    let stop = self.number_end(i, end, f & flags::DATES != 0);
                    self.token(Class::Number, i, stop);
                    continue;
                }
            }
            if c == b'$' && f & flags::DOLLAR_VARS != 0 && self.dollar_var(i, end, f) {
                continue;
            }
            if c == b'@'
                && f & (flags::AT_META | flags::AT_VARS) != 0
                && is_ident_start(self.at(i + 1))
            {
                let stop = self.ident_end(i + 1, end, b".");
                let class = if f & flags::AT_META != 0 {
                    Class::Meta
                } else {
                    Class::Variable
                };
                self.token(class, i, stop);
                continue;
            }
            if c == b':' && f & flags::SYMBOLS != 0 && is_ident_start(self.at(i + 1)) {
                let prev = if i > 0 { self.b[i - 1] } else { b' ' };
                if !is_ident(prev) && prev != b':' {
                    let stop = self.ident_end(i + 1, end, b"?!");
                    self.token(Class::Literal, i, stop);
                    continue;
                }
            }
            if c == b'-' && f & flags::DASH_PARAMS != 0 && is_ident_start(self.at(i + 1)) {
                let prev = if i > 0 { self.b[i - 1] } else { b' ' };
                if prev.is_ascii_whitespace() {
                    let stop = self.ident_end(i + 1, end, b"");
                    self.token(Class::Attribute, i, stop);
                    continue;
                }
            }
            if is_ident_start(c) {
                self.word(lang, i, end);
                continue;
            }
            self.pos += 1;
        }
    }

    pub(super) fn word(&mut self, lang: &'static Lang, i: usize, end: usize) {
        let f = lang.flags;
        let stop = self.ident_end(i, end, lang.ident_extra);
        let word = &self.src[i..stop];
        // A string prefix such as Python's `rb"…"` or `f'…'`.
        if f & flags::STRING_PREFIXES != 0
            && word.len() <= 2
            && word.bytes().all(|c| b"rRbBfFuU".contains(&c))
            && let Some(q) = lang.strings.iter().find(|q| self.starts(stop, q.open))
        {
            let string_stop =
                self.string_end(stop, q.open.len(), q.close, q.escape, q.multiline, end);
            self.token(Class::String, i, string_stop);
            return;
        }
        let lowered;
        let key = if f & flags::CASELESS != 0 {
            lowered = word.to_ascii_lowercase();
            lowered.as_str()
        } else {
            word
        };
        let next = self.at(stop);
        let class = if lang.keywords.binary_search(&key).is_ok() {
            Some(Class::Keyword)
        } else if lang.literals.binary_search(&key).is_ok() {
            Some(Class::Literal)
        } else if lang.types.binary_search(&key).is_ok() {
            Some(Class::Type)
        } else if f & flags::RUST != 0 && next == b'!' && self.at(stop + 1) != b'=' {
            self.token(Class::Function, i, stop + 1);
            return;
        } else if f & flags::CALLS != 0 && next == b'(' {
            Some(Class::Function)
        } else if f & flags::CAPS_TYPES != 0 && word.as_bytes()[0].is_ascii_uppercase() {
            Some(Class::Type)
        } else if f & flags::DASH_PARAMS != 0 && word.contains('-') {
            Some(Class::Function)
        } else {
            None
        };
        match class {
            Some(class) => self.token(class, i, stop),
            None => self.pos = stop,
        }
    }

    /// Rust's lifetimes, raw and byte strings and `#[attributes]`; whether one was written.
    pub(super) fn rust_special(&mut self, i: usize, end: usize) -> bool {
        let c = self.b[i];
        if c == b'\'' {
            let name_end = self.ident_end(i + 1, end, b"");
            if name_end > i + 1 && self.at(name_end) != b'\'' {
                self.token(Class::Variable, i, name_end);
                return true;
            }
            return false;
        }
        if c == b'#' && (self.starts(i, "#[") || self.starts(i, "#![")) {
            let mut depth = 0;
            let mut j = i;
            while j < end {
                match self.b[j] {
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            j += 1;
                            break;
                        }
                    }
                    b'\n' => break,
                    _ => {}
                }
                j += 1;
            }
            self.token(Class::Meta, i, j);
            return true;
        }
        let raw = if self.starts(i, "br") {
            i + 2
        } else if c == b'r' {
            i + 1
        } else {
            return self.byte_string(i, end);
        };
        let hashes = self.b[raw..end].iter().take_while(|&&h| h == b'#').count();
        if self.at(raw + hashes) != b'"' || (i > 0 && is_ident(self.b[i - 1])) {
            return false;
        }
        let close = format!("\"{}", "#".repeat(hashes));
        let stop = self
            .find(raw + hashes + 1, end, &close)
            .map_or(end, |j| j + close.len());
        self.token(Class::String, i, stop);
        true
    }

    pub(super) fn byte_string(&mut self, i: usize, end: usize) -> bool {
        if self.b[i] != b'b'
            || !matches!(self.at(i + 1), b'"' | b'\'')
            || (i > 0 && is_ident(self.b[i - 1]))
        {
            return false;
        }
        let quote = if self.at(i + 1) == b'"' { "\"" } else { "'" };
        let stop = self.string_end(i + 1, 1, quote, b'\\', quote == "\"", end);
        self.token(Class::String, i, stop);
        true
    }

    /// `$name`, `${…}`, `$(…)` in Make, `$1`, `$?`; whether one was written.
    pub(super) fn dollar_var(&mut self, i: usize, end: usize, f: u32) -> bool {
        let next = self.at(i + 1);
        let stop = if next == b'{' || (next == b'(' && f & flags::MAKE_VARS != 0) {
            let close = if next == b'{' { b'}' } else { b')' };
            let line = self.line_end(i, end);
            self.b[i..line]
                .iter()
                .position(|&c| c == close)
                .map_or(line, |j| i + j + 1)
        } else if next == b'(' {
            i + 2
        } else if is_ident_start(next) {
            self.ident_end(
                i + 1,
                end,
                if f & flags::CASELESS != 0 { b":" } else { b"" },
            )
        } else if next.is_ascii_digit() || b"@?#$!*<^-".contains(&next) && next != 0 {
            i + 2
        } else {
            return false;
        };
        self.token(Class::Variable, i, stop.min(end));
        true
    }
}
