//! Build-time syntax highlighting: a fenced code block to HTML whose tokens are spans with
//! quill's classes (`hl-kw`, `hl-st`…), never inline styles, so that one stylesheet colours
//! them, light and dark. Posts and visitors' comments share this code; comments get the
//! spans alone (no line numbers or file names), which the sanitizer's allow-list admits.
//!
//! The scanner is quill's own, table-driven (a table per language in `languages.rs`): measured on the benchmark's
//! code it costs a few percent of a build, where syntect took longer than the whole build.

mod formats;
mod info;
mod languages;
mod lexer;
mod palettes;

pub(crate) use info::CodeInfo;
pub(crate) use palettes::{DEFAULT_PALETTE, PALETTES, palette};

/// A kind of token, and the class it is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Reserved words.
    Keyword,
    /// Built-in and capitalized type names.
    Type,
    /// Called functions and macros, Makefile targets, shell commands with a dash.
    Function,
    /// String and character literals.
    String,
    /// Numbers, dates, CSS colours.
    Number,
    /// `true`, `null`, symbols, entities.
    Literal,
    /// Comments.
    Comment,
    /// Attributes, decorators, preprocessor lines.
    Meta,
    /// `$shell`, `@ruby`, lifetimes.
    Variable,
    /// Keys, properties, markup attributes, link targets.
    Attribute,
    /// Markup tags, CSS selectors, TOML tables.
    Tag,
    /// A shell session's prompt.
    Prompt,
    /// A diff's added line.
    Inserted,
    /// A diff's removed line.
    Deleted,
    /// Headings (Markdown, diff headers).
    Heading,
    /// Markdown's `*emphasis*`.
    Emphasis,
    /// Markdown's `**strong**`.
    Strong,
}

/// Every class a token can have, as written in HTML.
pub(crate) const CLASSES: [&str; 17] = [
    "hl-kw", "hl-ty", "hl-fn", "hl-st", "hl-nu", "hl-li", "hl-co", "hl-me", "hl-va", "hl-at",
    "hl-ta", "hl-pr", "hl-in", "hl-de", "hl-he", "hl-em", "hl-sg",
];

impl Class {
    /// The class attribute's value.
    pub(crate) fn css(self) -> &'static str {
        CLASSES[self as usize]
    }
}

/// Whether `value` is a class attribute quill's highlighter writes on a token.
pub(crate) fn is_token_class(value: &str) -> bool {
    CLASSES.contains(&value)
}

/// Whether quill highlights this fence language (a name or an alias, in any case).
pub(crate) fn knows(lang: &str) -> bool {
    languages::lang(lang).is_some()
}

/// Appends `code` highlighted as `lang` to `out`, escaped; `false` (and nothing written)
/// when quill does not know the language.
pub(crate) fn highlight_into(lang: &str, code: &str, out: &mut String) -> bool {
    match languages::lang(lang) {
        Some(lang) => {
            lexer::highlight(lang, code, out);
            true
        }
        None => false,
    }
}

/// Appends `text` to `out` with `&`, `<` and `>` escaped, for an element's text.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    lexer::escape_into(out, text, false);
}

/// A fenced block of a post as HTML: `<pre><code class="language-…">` with highlighted
/// tokens, each line wrapped when lines are numbered or marked, in a `<figure>` with the
/// file name when it has one. An unknown or missing language gives escaped plain text.
pub(crate) fn code_block(info: &CodeInfo, code: &str, out: &mut String) {
    if let Some(name) = &info.name {
        out.push_str("<figure class=\"hl-file\"><figcaption>");
        escape_into(out, name);
        out.push_str("</figcaption>");
    }
    out.push_str("<pre><code");
    if !info.lang.is_empty() {
        out.push_str(" class=\"language-");
        lexer::escape_into(out, &info.lang, true);
        out.push('"');
    }
    out.push('>');
    let mut body = String::with_capacity(code.len() * 2);
    if !highlight_into(&info.lang, code, &mut body) {
        escape_into(&mut body, code);
    }
    if info.linenos || !info.hl_lines.is_empty() {
        wrap_lines(info, &body, out);
    } else {
        out.push_str(&body);
    }
    out.push_str("</code></pre>\n");
    if info.name.is_some() {
        out.push_str("</figure>\n");
    }
}

/// Wraps each line in a span: numbered through a `data-n` the stylesheet shows before it
/// (generated content is not copied with a selection), marked with `hl-mark`.
fn wrap_lines(info: &CodeInfo, body: &str, out: &mut String) {
    let body = body.strip_suffix('\n').unwrap_or(body);
    for (i, line) in body.split('\n').enumerate() {
        out.push_str("<span class=\"hl-line");
        if info.is_marked(i + 1) {
            out.push_str(" hl-mark");
        }
        out.push('"');
        if info.linenos {
            out.push_str(" data-n=\"");
            out.push_str(&(info.linenostart + i).to_string());
            out.push('"');
        }
        out.push('>');
        out.push_str(line);
        out.push_str("</span>\n");
    }
}

#[cfg(test)]
mod tests;
