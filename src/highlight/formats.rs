//! The scanner's modes for what is not code of the usual kind: markup (HTML, XML), style
//! sheets (CSS, SCSS) and the line-oriented formats (YAML, TOML, diffs, shell sessions,
//! Makefiles, Markdown).

use super::Class;
use super::languages::{Lang, flags, lang};
use super::lexer::{Scanner, is_ident, is_ident_start};

/// The markup languages: HTML (with its scripts and styles) and XML.
impl Scanner<'_, '_> {
    pub(super) fn markup(&mut self, html: bool, end: usize) {
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

    pub(super) fn tag(&mut self, html: bool, i: usize, end: usize) {
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
    pub(super) fn css(&mut self, lang: &'static Lang, end: usize) {
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
    pub(super) fn indent_end(&self, from: usize, end: usize) -> usize {
        from + self.b[from..end]
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count()
    }

    pub(super) fn yaml_line(&mut self, stop: usize) {
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

    pub(super) fn yaml_value(&mut self, i: usize, stop: usize) {
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

    pub(super) fn toml_line(&mut self, stop: usize) {
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

    pub(super) fn diff_line(&mut self, stop: usize) {
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
    pub(super) fn console_line(&mut self, stop: usize) {
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

    pub(super) fn make_line(&mut self, stop: usize) {
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

    pub(super) fn markdown(&mut self, end: usize) {
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

    pub(super) fn markdown_inline(&mut self, from: usize, stop: usize) {
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
