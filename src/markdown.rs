//! The author's Markdown to HTML: pulldown-cmark with tables, footnotes, strikethrough, task
//! lists and smart punctuation; unique heading ids, a table of contents, the summary and counts.
//!
//! Fenced code is highlighted ([`crate::highlight`]) and, when the site asks, math typeset
//! ([`crate::math`]) as the events go by.
//!
//! The author is trusted, so raw HTML passes through; visitors' comments never come here.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{
    CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html,
};
use serde::Serialize;

use crate::config::MarkdownConfig;
use crate::content::slug::slugify;
use crate::highlight::{self, CodeInfo};
use crate::math;

/// A heading in the table of contents, with the headings nested under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TocEntry {
    /// 1 for `#`, 2 for `##`...
    pub level: u8,
    /// The heading's `id`, unique on the page.
    pub id: String,
    /// The heading's text.
    pub title: String,
    /// Headings of a deeper level that follow it.
    pub children: Vec<TocEntry>,
}

/// A rendered Markdown document.
#[derive(Debug, Clone, Default)]
pub struct RenderedMarkdown {
    /// The whole document as HTML.
    pub html: String,
    /// The part before the summary marker, or else the first paragraph, as HTML.
    pub summary: Option<String>,
    /// Whether the summary came from a `<!-- more -->` marker.
    pub has_marker: bool,
    /// The headings tree.
    pub toc: Vec<TocEntry>,
    /// Words in the text, code included.
    pub word_count: usize,
    /// Formulas that could not be typeset: the line in the Markdown (from 1) and why.
    pub math_errors: Vec<(usize, String)>,
}

fn options(config: &MarkdownConfig) -> Options {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        // `Term` then `: Definition`, as kramdown and Hugo's goldmark read it.
        | Options::ENABLE_DEFINITION_LIST;
    if config.math {
        options | Options::ENABLE_MATH
    } else {
        options
    }
}

/// A change to a document's events (with their byte ranges in the Markdown) before they
/// become HTML: shortcode output, internal links.
pub(crate) type Edit<'e> = &'e mut dyn for<'a> FnMut(&mut Vec<(Event<'a>, Range<usize>)>);

/// Renders a post or page body, with code and math as `config` says.
pub(crate) fn render(markdown: &str, config: &MarkdownConfig) -> RenderedMarkdown {
    render_with(markdown, config, None)
}

/// Renders a body, with `edit` applied to its events first; without one, no event is held
/// twice. Code and math are rewritten after the edit, so code a shortcode made is highlighted.
pub(crate) fn render_with(
    markdown: &str,
    config: &MarkdownConfig,
    edit: Option<Edit<'_>>,
) -> RenderedMarkdown {
    let marker = find_summary_marker(markdown);
    let mut events: Vec<Event<'_>> = Vec::new();
    // The events before the first one that starts at or after the marker.
    let mut before_marker = None;
    let mut blocks = Blocks::new(config);
    let parsed = Parser::new_ext(markdown, options(config)).into_offset_iter();
    let parsed: Box<dyn Iterator<Item = (Event<'_>, Range<usize>)>> = match edit {
        None => Box::new(parsed),
        Some(edit) => {
            let mut all: Vec<_> = parsed.collect();
            edit(&mut all);
            Box::new(all.into_iter())
        }
    };
    for (event, range) in parsed {
        if before_marker.is_none() && marker.is_some_and(|end| range.start >= end) {
            before_marker = Some(events.len());
        }
        if let Some(event) = blocks.rewrite(event, || line_of(markdown, range.start)) {
            events.push(event);
        }
    }
    let before_marker = before_marker.unwrap_or(events.len());
    // The summary is the whole document's events cut at the marker, so that references to
    // footnotes defined further down are recognised (and left out, as their notes are not
    // there); taken before headings get their ids, which belong to the post's own page.
    let summary = marker.map(|_| {
        to_html(
            events[..before_marker]
                .iter()
                .filter(|e| !matches!(e, Event::FootnoteReference(_)))
                .cloned(),
        )
    });
    let toc = assign_heading_ids(&mut events);
    let word_count = count_words(&events) + blocks.code_words;
    let summary = summary.or_else(|| first_paragraph(&events));
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    RenderedMarkdown {
        html: out,
        summary,
        has_marker: marker.is_some(),
        toc,
        word_count,
        math_errors: blocks.math_errors,
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    crate::config::line_of_offset(text, offset)
}

/// Turns fenced code into highlighted HTML and math into MathML, one event at a time: a code
/// block's events are held until its end, then given back as one HTML event.
struct Blocks<'c> {
    config: &'c MarkdownConfig,
    /// The open fenced block's info string, text and first line, when this rewrites it.
    code: Option<(CodeInfo, String, usize)>,
    /// Words of the code blocks rewritten, which the word count no longer sees as text.
    code_words: usize,
    math_errors: Vec<(usize, String)>,
}

impl<'c> Blocks<'c> {
    fn new(config: &'c MarkdownConfig) -> Self {
        Blocks {
            config,
            code: None,
            code_words: 0,
            math_errors: Vec::new(),
        }
    }

    /// The event to keep in place of `event`, if any; `line` gives its line for messages.
    fn rewrite<'a>(&mut self, event: Event<'a>, line: impl Fn() -> usize) -> Option<Event<'a>> {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(ref info))) => {
                let info = CodeInfo::parse(info);
                let math = self.config.math && info.lang == "math";
                if !(self.config.highlight || math) {
                    return Some(event);
                }
                self.code = Some((info, String::new(), line() + 1));
                None
            }
            Event::Text(ref text) if self.code.is_some() => {
                if let Some((_, code, _)) = &mut self.code {
                    code.push_str(text);
                }
                None
            }
            Event::End(TagEnd::CodeBlock) if self.code.is_some() => {
                let (info, code, first_line) = self.code.take()?;
                let mut html = String::with_capacity(code.len() * 2);
                if self.config.math && info.lang == "math" {
                    self.math(&code, true, first_line, &mut html);
                } else {
                    self.code_words += code.split_whitespace().count();
                    highlight::code_block(&info, &code, &mut html);
                }
                Some(Event::Html(html.into()))
            }
            Event::InlineMath(ref tex) => {
                let mut html = String::new();
                self.math(tex, false, line(), &mut html);
                Some(Event::InlineHtml(html.into()))
            }
            Event::DisplayMath(ref tex) => {
                let mut html = String::new();
                self.math(tex, true, line(), &mut html);
                Some(Event::InlineHtml(html.into()))
            }
            other => Some(other),
        }
    }

    /// Typesets a formula; one that does not parse is shown as code, and remembered.
    fn math(&mut self, tex: &str, display: bool, line: usize, html: &mut String) {
        if let Err(reason) = math::typeset(tex, display, html) {
            self.math_errors.push((line, reason));
            html.push_str(if display {
                "<pre class=\"math-error\"><code>"
            } else {
                "<code class=\"math-error\">"
            });
            highlight::escape_into(html, tex);
            html.push_str(if display { "</code></pre>" } else { "</code>" });
        }
    }
}

/// The byte ranges of code in a Markdown text (code spans, code blocks, math when it is
/// parsed) and of HTML comments, in order: where shortcode-looking text is left as written.
pub(crate) fn code_ranges(markdown: &str, config: &MarkdownConfig) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for (event, range) in Parser::new_ext(markdown, options(config)).into_offset_iter() {
        let code = match &event {
            Event::Code(_)
            | Event::InlineMath(_)
            | Event::DisplayMath(_)
            | Event::Start(Tag::CodeBlock(_)) => true,
            // A call commented out is not called.
            Event::InlineHtml(html) => html.starts_with("<!--"),
            Event::Start(Tag::HtmlBlock) => {
                let block = markdown[range.clone()].trim();
                block.starts_with("<!--") && block.ends_with("-->")
            }
            _ => false,
        };
        if code && ranges.last().is_none_or(|last| last.end <= range.start) {
            ranges.push(range);
        }
    }
    ranges
}

fn to_html<'a>(events: impl Iterator<Item = Event<'a>>) -> String {
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// The byte offset of `<!-- more -->`, matched leniently (spacing and case).
fn find_summary_marker(markdown: &str) -> Option<usize> {
    let bytes = markdown.as_bytes();
    let mut from = 0;
    while let Some(i) = markdown[from..].find("<!--") {
        let start = from + i;
        let rest = markdown[start + 4..].trim_start();
        if rest.len() >= 4
            && rest.as_bytes()[..4].eq_ignore_ascii_case(b"more")
            && rest[4..].trim_start().starts_with("-->")
        {
            return Some(start);
        }
        from = start + 4;
        if from >= bytes.len() {
            break;
        }
    }
    None
}

/// Gives every heading a unique id (keeping ids the author set) and returns the TOC tree.
fn assign_heading_ids(events: &mut [Event<'_>]) -> Vec<TocEntry> {
    let mut used: HashSet<String> = HashSet::new();
    let mut flat: Vec<TocEntry> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { level, id, .. }) = &events[i] {
            let level = heading_number(*level);
            let explicit = id.as_ref().map(|s| s.to_string());
            let mut title = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    title.push_str(t);
                }
                j += 1;
            }
            let base = explicit.unwrap_or_else(|| {
                let s = slugify(&title);
                if s.is_empty() {
                    "section".to_string()
                } else {
                    s
                }
            });
            let mut unique = base.clone();
            let mut n = 1;
            while !used.insert(unique.clone()) {
                unique = format!("{base}-{n}");
                n += 1;
            }
            if let Event::Start(Tag::Heading { id, .. }) = &mut events[i] {
                *id = Some(CowStr::from(unique.clone()));
            }
            flat.push(TocEntry {
                level,
                id: unique,
                title,
                children: Vec::new(),
            });
            i = j;
        }
        i += 1;
    }
    nest(flat)
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Nests a flat list of headings by level.
fn nest(flat: Vec<TocEntry>) -> Vec<TocEntry> {
    fn insert(siblings: &mut Vec<TocEntry>, entry: TocEntry) {
        match siblings.last_mut() {
            Some(last) if last.level < entry.level => insert(&mut last.children, entry),
            _ => siblings.push(entry),
        }
    }
    let mut roots = Vec::new();
    for entry in flat {
        insert(&mut roots, entry);
    }
    roots
}

fn count_words(events: &[Event<'_>]) -> usize {
    events
        .iter()
        .map(|e| match e {
            Event::Text(t) | Event::Code(t) => t.split_whitespace().count(),
            _ => 0,
        })
        .sum()
}

fn first_paragraph(events: &[Event<'_>]) -> Option<String> {
    let start = events
        .iter()
        .position(|e| matches!(e, Event::Start(Tag::Paragraph)))?;
    let len = events[start..]
        .iter()
        .position(|e| matches!(e, Event::End(TagEnd::Paragraph)))?;
    Some(to_html(
        events[start..=start + len]
            .iter()
            .filter(|e| !matches!(e, Event::FootnoteReference(_)))
            .cloned(),
    ))
}

/// Minutes to read `words` at 200 words a minute, at least one.
pub(crate) fn reading_time(words: usize) -> usize {
    words.div_ceil(200).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(markdown: &str) -> RenderedMarkdown {
        super::render(markdown, &MarkdownConfig::default())
    }

    #[test]
    fn headings_get_unique_ids_and_a_toc() {
        let r = render("# Intro\n\n## Setup\n\n## Setup\n\n### Deep `code`\n\n# Next {#custom}\n");
        assert!(r.html.contains(r#"<h1 id="intro">"#), "{}", r.html);
        assert!(r.html.contains(r#"<h2 id="setup">"#));
        assert!(r.html.contains(r#"<h2 id="setup-1">"#));
        assert!(r.html.contains(r#"<h1 id="custom">"#));
        assert_eq!(r.toc.len(), 2);
        assert_eq!(r.toc[0].children.len(), 2);
        assert_eq!(r.toc[0].children[1].children[0].title, "Deep code");
        assert_eq!(r.toc[0].children[1].children[0].id, "deep-code");
    }

    #[test]
    fn summary_marker_is_lenient() {
        for marker in [
            "<!-- more -->",
            "<!--more-->",
            "<!-- MORE -->",
            "<!--  More-->",
        ] {
            let r = render(&format!("First part.\n\n{marker}\n\nSecond part.\n"));
            assert!(r.has_marker, "{marker}");
            let summary = r.summary.unwrap();
            assert!(summary.contains("First part."), "{marker}");
            assert!(!summary.contains("Second"), "{marker}");
        }
    }

    #[test]
    fn summaries_leave_footnote_references_out() {
        let r = render("Claim.[^a]\n\n<!-- more -->\n\nMore.\n\n[^a]: The note.\n");
        assert_eq!(r.summary.as_deref(), Some("<p>Claim.</p>\n"));
        assert!(r.html.contains("footnote-reference"), "the page keeps it");
        let r = render("Claim.[^a]\n\n[^a]: The note.\n");
        assert_eq!(r.summary.as_deref(), Some("<p>Claim.</p>\n"));
    }

    #[test]
    fn a_summary_keeps_its_headings_without_the_pages_ids() {
        let r = render("# Intro\n\nText.\n\n<!-- more -->\n\n## Rest\n\nMore.\n");
        assert_eq!(r.summary.as_deref(), Some("<h1>Intro</h1>\n<p>Text.</p>\n"));
        assert!(r.html.contains("<h1 id=\"intro\">Intro</h1>"), "{}", r.html);
        assert!(r.html.contains("<h2 id=\"rest\">Rest</h2>"), "{}", r.html);
    }

    #[test]
    fn summary_falls_back_to_first_paragraph() {
        let r = render("# Title\n\nOne *two*.\n\nThree.\n");
        assert!(!r.has_marker);
        assert_eq!(r.summary.as_deref(), Some("<p>One <em>two</em>.</p>\n"));
    }

    #[test]
    fn extensions_are_on() {
        let r = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1] ~~old~~ \"quoted\"\n\n- [x] done\n\n[^1]: Note.\n\n```rust\nfn main() {}\n```\n",
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("footnote"));
        assert!(r.html.contains("<del>old</del>"));
        assert!(r.html.contains("“quoted”"));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains(r#"<code class="language-rust">"#));
    }

    #[test]
    fn words_and_reading_time() {
        let r = render("one two three\n\n`four`\n");
        assert_eq!(r.word_count, 4);
        assert_eq!(reading_time(0), 1);
        assert_eq!(reading_time(200), 1);
        assert_eq!(reading_time(201), 2);
    }

    #[test]
    fn code_ranges_cover_code_and_comments() {
        let text = "a `b` c\n\n```\nd\n```\n\ne <!-- f --> g\n\n<!--\nh\n-->\n\n<div>i</div>\n";
        let covered: Vec<&str> = code_ranges(text, &MarkdownConfig::default())
            .into_iter()
            .map(|r| text[r].trim())
            .collect();
        assert_eq!(
            covered,
            ["`b`", "```\nd\n```", "<!-- f -->", "<!--\nh\n-->"]
        );
    }

    #[test]
    fn raw_html_from_the_author_passes_through() {
        assert!(
            render("<div class=\"note\">hi</div>\n")
                .html
                .contains("<div class=\"note\">")
        );
    }

    fn with(highlight: bool, math: bool) -> MarkdownConfig {
        MarkdownConfig {
            highlight,
            math,
            ..MarkdownConfig::default()
        }
    }

    #[test]
    fn code_is_highlighted_unless_turned_off() {
        let md = "```rust,hl_lines=1\nfn main() {}\n```\n";
        let on = super::render(md, &with(true, false));
        assert!(
            on.html
                .contains("<span class=\"hl-line hl-mark\"><span class=\"hl-kw\">fn</span>"),
            "{}",
            on.html
        );
        let off = super::render(md, &with(false, false));
        assert!(!off.html.contains("<span"), "{}", off.html);
        assert!(
            off.html
                .contains("<pre><code class=\"language-rust,hl_lines=1\">fn main() {}"),
            "{}",
            off.html
        );
        assert_eq!(on.word_count, off.word_count);
    }

    #[test]
    fn math_inline_display_and_blocks() {
        let md =
            "Euler: $e^{i\\pi} + 1 = 0$.\n\n$$\\int_0^1 x\\,dx$$\n\n```math\n\\frac{a}{b}\n```\n";
        let r = super::render(md, &with(true, true));
        assert_eq!(r.html.matches("<math").count(), 3, "{}", r.html);
        assert!(r.html.contains("<math display=\"inline\">"), "{}", r.html);
        assert_eq!(r.html.matches("display=\"block\"").count(), 2, "{}", r.html);
        assert!(
            r.html.contains("<mfrac>") && !r.html.contains("$"),
            "{}",
            r.html
        );
        assert!(r.math_errors.is_empty());
    }

    #[test]
    fn dollars_that_are_not_math_stay() {
        for (md, text) in [
            ("It costs $5 and $10 today.", "$5 and $10"),
            ("Escaped \\$x$ is literal.", "$x$"),
            ("Run `echo $HOME`.", "echo $HOME"),
        ] {
            let r = super::render(md, &with(true, true));
            assert!(!r.html.contains("<math"), "{md}: {}", r.html);
            assert!(r.html.contains(text), "{md}: {}", r.html);
        }
    }

    #[test]
    fn invalid_tex_is_shown_as_code_with_its_line() {
        let md = "Intro.\n\nBad: $\\nosuch{x}$ here.\n\n```math\n\\begin{x\n```\n";
        let r = super::render(md, &with(true, true));
        assert_eq!(r.math_errors.len(), 2, "{:?}", r.math_errors);
        assert_eq!(r.math_errors[0].0, 3);
        assert_eq!(r.math_errors[1].0, 6);
        assert!(
            r.html
                .contains("<code class=\"math-error\">\\nosuch{x}</code>"),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("<pre class=\"math-error\"><code>\\begin{x\n</code></pre>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn math_is_off_by_default() {
        let r = render("Between $x$ and $$y$$.\n\n```math\nz\n```\n");
        assert!(!r.html.contains("<math"), "{}", r.html);
        assert!(
            r.html.contains("$x$") && r.html.contains("$$y$$"),
            "{}",
            r.html
        );
    }
}
