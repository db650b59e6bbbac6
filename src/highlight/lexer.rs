//! The scanner behind every language: one pass over the code's bytes, guided by a [`Lang`]
//! table, writing escaped text and `<span class="hl-…">` tokens.
//!
//! Tokens only ever end on ASCII bytes, so slicing the text between them is always at a
//! character boundary. A token that runs over several lines (a block comment, a multi-line
//! string) is closed at each line end and opened again after it, so every line of the
//! output stands alone: line numbers and marked lines can wrap lines without splitting a tag.

use super::Class;
use super::languages::{Lang, Mode, flags, lang};

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

struct Scanner<'a, 'o> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Where the text not yet written starts: plain text is written in runs.
    plain: usize,
    out: &'o mut String,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

/// Escapes the characters HTML gives a meaning to in text.
pub(super) fn escape_into(out: &mut String, text: &str) {
    let mut last = 0;
    for (i, c) in text.bytes().enumerate() {
        let entity = match c {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[last..i]);
        out.push_str(entity);
        last = i + 1;
    }
    out.push_str(&text[last..]);
}

impl Scanner<'_, '_> {
    fn run(&mut self, lang: &'static Lang, end: usize) {
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

    fn flush(&mut self) {
        if self.plain < self.pos {
            escape_into(self.out, &self.src[self.plain..self.pos]);
        }
        self.plain = self.pos;
    }

    /// Writes `from..to` as one token of `class`, leaving the position at `to`.
    fn token(&mut self, class: Class, from: usize, to: usize) {
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
                escape_into(self.out, line);
                self.out.push_str("</span>");
            }
        }
        self.pos = to;
        self.plain = to;
    }

    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn starts(&self, i: usize, s: &str) -> bool {
        self.b[i.min(self.b.len())..].starts_with(s.as_bytes())
    }

    fn line_end(&self, from: usize, end: usize) -> usize {
        self.b[from..end]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(end, |i| from + i)
    }

    fn find(&self, from: usize, end: usize, s: &str) -> Option<usize> {
        self.src[from..end].find(s).map(|i| from + i)
    }

    fn ident_end(&self, from: usize, end: usize, extra: &[u8]) -> usize {
        let mut i = from;
        while i < end && (is_ident(self.b[i]) || extra.contains(&self.b[i])) {
            i += 1;
        }
        i
    }

    /// The first byte after `from` that is not a space or tab.
    fn next_significant(&self, from: usize, end: usize) -> u8 {
        self.b[from..end]
            .iter()
            .copied()
            .find(|&c| c != b' ' && c != b'\t')
            .unwrap_or(0)
    }

    fn at_line_start(&self, i: usize) -> bool {
        self.b[..i]
            .iter()
            .rev()
            .take_while(|&&c| c != b'\n')
            .all(|&c| c == b' ' || c == b'\t')
    }

    /// Runs `line` on each line in turn; it may move past its own line end (a multi-line
    /// string), and the next line starts wherever it stopped.
    fn lines(&mut self, end: usize, line: fn(&mut Self, usize)) {
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
    fn string_end(
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

    fn number_end(&self, from: usize, end: usize, dates: bool) -> usize {
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
    fn code(&mut self, lang: &'static Lang, end: usize) {
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

    fn word(&mut self, lang: &'static Lang, i: usize, end: usize) {
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
    fn rust_special(&mut self, i: usize, end: usize) -> bool {
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

    fn byte_string(&mut self, i: usize, end: usize) -> bool {
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
    fn dollar_var(&mut self, i: usize, end: usize, f: u32) -> bool {
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

/// The markup languages: HTML (with its scripts and styles) and XML.
impl Scanner<'_, '_> {
    fn markup(&mut self, html: bool, end: usize) {
        while self.pos < end {
            let i = self.pos;
            match self.b[i] {
                b'<' if self.starts(i, "<!--") => {
                    let stop = self.find(i + 4, end, "-->").map_or(end, |j| j + 3);
                    self.token(Class::Comment, i, stop);
                }
                b'<' if self.starts(i, "<![CDATA[") => {
                    let stop = self.find(i, end, "]]>").map_or(end, |j| j + 3);
                    self.token(Class::String, i, stop);
                }
                b'<' if matches!(self.at(i + 1), b'!' | b'?') => {
                    let stop = self.find(i, end, ">").map_or(end, |j| j + 1);
                    self.token(Class::Meta, i, stop);
                }
                b'<' if is_ident_start(self.at(i + 1)) || self.at(i + 1) == b'/' => {
                    self.tag(html, i, end);
                }
                b'&' => {
                    let stop = self.ident_end(i + 1, end, b"#");
                    if stop > i + 1 && self.at(stop) == b';' {
                        self.token(Class::Literal, i, stop + 1);
                    } else {
                        self.pos += 1;
                    }
                }
                _ => self.pos += 1,
            }
        }
    }

    fn tag(&mut self, html: bool, i: usize, end: usize) {
        let name_start = if self.at(i + 1) == b'/' { i + 2 } else { i + 1 };
        let name_end = self.ident_end(name_start, end, b"-:.");
        self.token(Class::Tag, name_start, name_end);
        let name = self.src[name_start..name_end].to_ascii_lowercase();
        while self.pos < end {
            let j = self.pos;
            match self.b[j] {
                b'>' => {
                    self.pos += 1;
                    break;
                }
                b'"' | b'\'' => {
                    let quote = if self.b[j] == b'"' { "\"" } else { "'" };
                    let stop = self.string_end(j, 1, quote, 0, true, end);
                    self.token(Class::String, j, stop);
                }
                c if is_ident_start(c) => {
                    let stop = self.ident_end(j, end, b"-:.@");
                    self.token(Class::Attribute, j, stop);
                }
                _ => self.pos += 1,
            }
        }
        // A script's or a style's body is code of its own language.
        let embedded = match name.as_str() {
            "script" if html && name_start == i + 1 => lang("javascript"),
            "style" if html && name_start == i + 1 => lang("css"),
            _ => None,
        };
        if let Some(inner) = embedded {
            let lowered = self.src[self.pos..end].to_ascii_lowercase();
            let close = lowered
                .find(&format!("</{name}"))
                .map_or(end, |k| self.pos + k);
            self.run(inner, close);
            self.pos = close;
        }
    }
}

/// Style sheets: CSS and SCSS.
impl Scanner<'_, '_> {
    fn css(&mut self, lang: &'static Lang, end: usize) {
        let scss = lang.flags & flags::DOLLAR_VARS != 0;
        let mut depth = 0usize;
        let mut statement_start = true;
        let mut selector = false;
        while self.pos < end {
            let i = self.pos;
            let c = self.b[i];
            if statement_start && !c.is_ascii_whitespace() {
                statement_start = false;
                let first = self.b[i..end].iter().position(|c| b"{;}".contains(c));
                selector = first.is_some_and(|k| self.b[i + k] == b'{') && c != b'@';
            }
            match c {
                b'/' if self.starts(i, "/*") => {
                    let stop = self.find(i + 2, end, "*/").map_or(end, |j| j + 2);
                    self.token(Class::Comment, i, stop);
                }
                b'/' if scss && self.starts(i, "//") => {
                    let stop = self.line_end(i, end);
                    self.token(Class::Comment, i, stop);
                }
                b'"' | b'\'' => {
                    let quote = if c == b'"' { "\"" } else { "'" };
                    let stop = self.string_end(i, 1, quote, b'\\', false, end);
                    self.token(Class::String, i, stop);
                }
                b'{' | b'}' | b';' => {
                    if c == b'{' {
                        depth += 1;
                    } else if c == b'}' {
                        depth = depth.saturating_sub(1);
                    }
                    statement_start = true;
                    self.pos += 1;
                }
                b'@' => {
                    let stop = self.ident_end(i + 1, end, b"-");
                    self.token(Class::Keyword, i, stop);
                }
                b'$' if scss => {
                    let stop = self.ident_end(i + 1, end, b"-");
                    self.token(Class::Variable, i, stop);
                }
                b'!' if is_ident_start(self.at(i + 1)) => {
                    let stop = self.ident_end(i + 1, end, b"");
                    self.token(Class::Keyword, i, stop);
                }
                _ if selector => {
                    if is_ident_start(c) || (b".#:&*[".contains(&c) && i + 1 < end) {
                        let from = i;
                        let mut j = i + 1;
                        while j < end && (is_ident(self.b[j]) || self.b[j] == b'-') {
                            j += 1;
                        }
                        self.token(Class::Tag, from, j);
                    } else {
                        self.pos += 1;
                    }
                }
                _ if c.is_ascii_digit() || (c == b'.' && self.at(i + 1).is_ascii_digit()) => {
                    let mut j = i + 1;
                    while j < end
                        && (self.b[j].is_ascii_alphanumeric()
                            || self.b[j] == b'.'
                            || self.b[j] == b'%')
                    {
                        j += 1;
                    }
                    self.token(Class::Number, i, j);
                }
                b'#' if self.at(i + 1).is_ascii_hexdigit() => {
                    let stop = self.ident_end(i + 1, end, b"");
                    self.token(Class::Number, i, stop);
                }
                _ if is_ident_start(c)
                    || (c == b'-'
                        && (is_ident_start(self.at(i + 1)) || self.at(i + 1) == b'-')) =>
                {
                    let stop = self.ident_end(i + 1, end, b"-");
                    let class = if self.next_significant(stop, end) == b':' && depth > 0 {
                        Some(Class::Attribute)
                    } else if self.at(stop) == b'(' {
                        Some(Class::Function)
                    } else if c == b'-' {
                        Some(Class::Variable)
                    } else {
                        None
                    };
                    match class {
                        Some(class) => self.token(class, i, stop),
                        None => self.pos = stop,
                    }
                }
                _ => self.pos += 1,
            }
        }
    }
}

/// The line-oriented formats: YAML, TOML, diffs, shell sessions, Makefiles, Markdown.
impl Scanner<'_, '_> {
    fn indent_end(&self, from: usize, end: usize) -> usize {
        from + self.b[from..end]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count()
    }

    fn yaml_line(&mut self, stop: usize) {
        let mut i = self.indent_end(self.pos, stop);
        if self.at(i) == b'#' {
            return self.token(Class::Comment, i, stop);
        }
        if self.starts(i, "---") || self.starts(i, "...") {
            return self.token(Class::Meta, i, stop);
        }
        while self.starts(i, "- ") {
            i = self.indent_end(i + 2, stop);
        }
        // `key:` followed by a space or the line end.
        let mut key_end = None;
        let mut j = i;
        while j < stop {
            if self.b[j] == b':' && (j + 1 == stop || self.b[j + 1] == b' ') {
                key_end = Some(j);
                break;
            }
            if self.b[j] == b'#' && j > i && self.b[j - 1] == b' ' {
                break;
            }
            j += 1;
        }
        if let Some(k) =
            key_end.filter(|&k| k > i && !b"\"'{[".contains(&self.b[i]) || self.b[i] == b'"')
        {
            self.token(Class::Attribute, i, k);
            i = k + 1;
        }
        self.yaml_value(self.indent_end(i, stop), stop);
    }

    fn yaml_value(&mut self, i: usize, stop: usize) {
        if i >= stop {
            return;
        }
        let comment = self.find(i, stop, " #").map(|k| k + 1);
        let value_end = comment.unwrap_or(stop);
        let value = self.src[i..value_end].trim_end();
        let class = match self.b[i] {
            b'&' | b'*' => Some(Class::Variable),
            b'!' => Some(Class::Meta),
            b'|' | b'>' => None,
            b'[' | b'{' => {
                self.pos = i;
                self.code(lang("json").expect("json is a language"), value_end);
                None
            }
            _ if matches!(
                value,
                "true" | "false" | "null" | "~" | "yes" | "no" | "True" | "False" | "Null"
            ) =>
            {
                Some(Class::Literal)
            }
            _ if value.parse::<f64>().is_ok() => Some(Class::Number),
            _ => Some(Class::String),
        };
        if let Some(class) = class {
            self.token(class, i, i + value.len());
        }
        if let Some(k) = comment {
            self.token(Class::Comment, k, stop);
        }
    }

    fn toml_line(&mut self, stop: usize) {
        let i = self.indent_end(self.pos, stop);
        let toml = lang("toml").expect("toml is a language");
        match self.at(i) {
            b'#' => return self.token(Class::Comment, i, stop),
            b'[' => {
                let close = self.find(i, stop, "]").map_or(stop, |k| k + 1);
                let close = if self.at(close) == b']' {
                    close + 1
                } else {
                    close
                };
                self.token(Class::Tag, i, close);
                return self.code(toml, stop);
            }
            _ => {}
        }
        if let Some(eq) = self.find(i, stop, "=") {
            let key = self.src[i..eq].trim_end();
            let simple = key.bytes().all(|c| is_ident(c) || b"-.\"' ".contains(&c));
            if !key.is_empty() && simple {
                self.token(Class::Attribute, i, i + key.len());
            }
        }
        self.code(toml, stop);
    }

    fn diff_line(&mut self, stop: usize) {
        let i = self.pos;
        let class = if self.starts(i, "+++")
            || self.starts(i, "---")
            || self.starts(i, "diff ")
            || self.starts(i, "index ")
        {
            Class::Heading
        } else if self.starts(i, "@@") {
            Class::Meta
        } else if self.at(i) == b'+' {
            Class::Inserted
        } else if self.at(i) == b'-' {
            Class::Deleted
        } else {
            return;
        };
        self.token(class, i, stop);
    }

    /// A line of a shell session: a prompt and a command, or the command's output.
    fn console_line(&mut self, stop: usize) {
        let i = self.pos;
        let line = &self.b[i..stop];
        // `$ `, `# `, `% `, `> `, or a prompt such as `user@host:~/src$ ` or `PS C:\> `.
        let prompt = line
            .windows(2)
            .take(48)
            .position(|w| b"$#%>".contains(&w[0]) && w[1] == b' ')
            .filter(|&k| !line[..k].contains(&b' ') || line.starts_with(b"PS "));
        let Some(k) = prompt else { return };
        self.token(Class::Prompt, i, i + k + 1);
        let powershell = line.starts_with(b"PS ");
        let shell =
            lang(if powershell { "powershell" } else { "bash" }).expect("shells are languages");
        self.code(shell, stop);
    }

    fn make_line(&mut self, stop: usize) {
        let make = lang("make").expect("make is a language");
        let i = self.pos;
        if self.at(i) == b'\t' {
            return self.code(lang("bash").expect("bash is a language"), stop);
        }
        if self.at(i) == b'#' {
            return self.token(Class::Comment, i, stop);
        }
        let word_end = self.ident_end(i, stop, b"-./%$()");
        let after = self.next_significant(word_end, stop);
        let rest = &self.src[word_end..stop].trim_start();
        if word_end > i
            && (rest.starts_with(":=")
                || rest.starts_with("?=")
                || rest.starts_with("+=")
                || after == b'=')
        {
            self.token(Class::Variable, i, word_end);
        } else if word_end > i
            && after == b':'
            && make
                .keywords
                .binary_search(&&self.src[i..word_end])
                .is_err()
        {
            self.token(Class::Function, i, word_end);
        }
        self.code(make, stop);
    }

    fn markdown(&mut self, end: usize) {
        let mut fence: Option<&str> = None;
        while self.pos < end {
            let stop = self.line_end(self.pos, end);
            let i = self.indent_end(self.pos, stop);
            let line = &self.src[i..stop];
            if let Some(f) = fence {
                if line.starts_with(f) {
                    fence = None;
                }
                self.token(Class::String, i, stop);
            } else if line.starts_with("```") || line.starts_with("~~~") {
                fence = Some(&line[..3]);
                self.token(Class::String, i, stop);
            } else if line.starts_with('#') {
                self.token(Class::Heading, i, stop);
            } else if line == "---" || line == "***" || line == "___" {
                self.token(Class::Meta, i, stop);
            } else {
                let marker = match line.as_bytes() {
                    [b'>', ..] => 1,
                    [b'-' | b'*' | b'+', b' ', ..] => 1,
                    _ => line.bytes().take_while(u8::is_ascii_digit).count(),
                };
                let marker = if marker > 0 && line[marker..].starts_with(". ") {
                    marker + 1
                } else if marker == 1 && !line.as_bytes()[0].is_ascii_digit() {
                    1
                } else {
                    0
                };
                self.token(Class::Keyword, i, i + marker);
                self.markdown_inline(i + marker, stop);
            }
            self.pos = (stop + 1).min(end);
        }
    }

    fn markdown_inline(&mut self, from: usize, stop: usize) {
        self.pos = from;
        while self.pos < stop {
            let i = self.pos;
            let c = self.b[i];
            let closing = |s: &Self, delim: &str| {
                s.find(i + delim.len(), stop, delim)
                    .map(|k| k + delim.len())
            };
            let found = match c {
                b'`' => closing(self, "`").map(|k| (Class::String, k)),
                b'*' | b'_' if self.at(i + 1) == c => {
                    closing(self, if c == b'*' { "**" } else { "__" }).map(|k| (Class::Strong, k))
                }
                b'*' | b'_' if self.at(i + 1) != b' ' && (i == 0 || !is_ident(self.b[i - 1])) => {
                    closing(self, if c == b'*' { "*" } else { "_" }).map(|k| (Class::Emphasis, k))
                }
                b']' if self.at(i + 1) == b'(' => self.find(i, stop, ")").map(|k| {
                    self.pos = i + 1;
                    self.flush();
                    (Class::Attribute, k + 1)
                }),
                _ => None,
            };
            match found {
                Some((class, to)) if class == Class::Attribute => self.token(class, i + 1, to),
                Some((class, to)) => self.token(class, i, to),
                None => self.pos += 1,
            }
        }
    }
}
