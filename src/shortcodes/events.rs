//! The edits made to a body's Markdown events: internal links become their pages' URLs,
//! placeholders become their calls' output, and template syntax left in the text is noticed.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::expand::{CLOSE, OPEN, OffsetMap, Output, leak_message};
use super::{Env, PageContext, Problems};

/// What the edits of one fragment need.
pub(super) struct Edits<'e, 'a> {
    /// The build's environment.
    pub env: &'e Env<'a>,
    /// The page.
    pub page: &'e PageContext<'a>,
    /// The output of each placeholder.
    pub outputs: &'e [Output],
    /// Ranges of the expanded text kept verbatim (`{% raw %}`), never warned about.
    pub verbatim: &'e [Range<usize>],
    /// From the expanded text back to the fragment.
    pub map: &'e OffsetMap,
    /// From an offset of the fragment to one of the page's body.
    pub to_page: &'e dyn Fn(usize) -> usize,
    /// Whether to look for template syntax left in the text.
    pub check_leaks: bool,
    /// Where problems go.
    pub problems: &'e mut Problems,
}

impl Edits<'_, '_> {
    fn at(&self, range: &Range<usize>) -> usize {
        (self.to_page)(self.map.original(range.start))
    }
}

/// Applies the edits to a fragment's events.
pub(super) fn edit<'a>(events: &mut Vec<(Event<'a>, Range<usize>)>, edits: &mut Edits<'_, '_>) {
    links(events, edits);
    if edits.check_leaks {
        leaks(events, edits);
    }
    if !edits.outputs.is_empty() {
        substitute(events, edits.outputs);
    }
}

fn links(events: &mut [(Event<'_>, Range<usize>)], edits: &mut Edits<'_, '_>) {
    for (event, range) in events.iter_mut() {
        if let Event::Start(Tag::Link { dest_url, .. }) = event
            && let Some(resolved) = edits
                .env
                .links
                .markdown_link(&edits.page.source.file, dest_url)
        {
            match resolved {
                Ok(url) => *dest_url = CowStr::from(url),
                Err(message) => {
                    let at = edits.at(range);
                    edits.problems.errors.push((at, message));
                }
            }
        }
    }
}

/// Warns once per fragment, at the first text outside code that still holds template syntax.
fn leaks(events: &[(Event<'_>, Range<usize>)], edits: &mut Edits<'_, '_>) {
    let mut in_code_block = 0usize;
    let mut in_inline_code = 0usize;
    let mut after_html = false;
    for (index, (event, range)) in events.iter().enumerate() {
        let leak = match event {
            Event::Start(Tag::CodeBlock(_)) => {
                in_code_block += 1;
                false
            }
            Event::End(TagEnd::CodeBlock) => {
                in_code_block = in_code_block.saturating_sub(1);
                false
            }
            Event::InlineHtml(html) => {
                let tag = html.trim_start_matches('<').to_ascii_lowercase();
                if let Some(closing) = tag.strip_prefix('/') {
                    if is_code_element(closing) {
                        in_inline_code = in_inline_code.saturating_sub(1);
                    }
                } else if is_code_element(&tag) {
                    in_inline_code += 1;
                }
                false
            }
            Event::Text(text) if in_code_block == 0 && in_inline_code == 0 => {
                super::expand::may_leak(text)
                    && !edits
                        .verbatim
                        .iter()
                        .any(|v| v.start <= range.start && range.end <= v.end)
            }
            // An HTML block comes a line at a time: judged whole, at its first line, so that
            // a `<pre>` over several lines hides what it holds.
            Event::Html(_) if in_code_block == 0 && !after_html => {
                let mut block = String::new();
                for (next, _) in &events[index..] {
                    match next {
                        Event::Html(line) => block.push_str(line),
                        _ => break,
                    }
                }
                html_leaks(&block).is_some()
            }
            _ => false,
        };
        after_html = matches!(event, Event::Html(_));
        if leak {
            let at = edits.at(range);
            edits
                .problems
                .warnings
                .push((at, leak_message("the page's text")));
            return;
        }
    }
}

fn is_code_element(tag: &str) -> bool {
    ["code", "pre", "kbd", "samp"].iter().any(|name| {
        tag.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(['>', ' ', '\t', '\n', '/']))
    })
}

/// Where HTML's text (outside `code`, `pre`, `kbd`, `samp`, `script` and `style`, and
/// outside tags and comments) holds template syntax.
pub(super) fn html_leaks(html: &str) -> Option<usize> {
    if !super::expand::may_leak(html) {
        return None;
    }
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let mut text_start = 0;
    let check = |from: usize, to: usize| {
        let text = &html[from..to];
        ["{{", "}}", "{%", "%}"]
            .iter()
            .filter_map(|p| text.find(p))
            .min()
            .map(|n| from + n)
    };
    while let Some(rel) = lower[i..].find('<') {
        let open = i + rel;
        if let Some(found) = check(text_start, open) {
            return Some(found);
        }
        // A comment is never shown.
        if lower[open..].starts_with("<!--") {
            i = lower[open..]
                .find("-->")
                .map_or(lower.len(), |n| open + n + 3);
            text_start = i;
            continue;
        }
        let close = lower[open..]
            .find('>')
            .map_or(lower.len(), |n| open + n + 1);
        let tag = &lower[open + 1..close.min(lower.len())];
        i = close;
        for name in ["code", "pre", "kbd", "samp", "script", "style"] {
            if tag
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(['>', ' ', '\t', '\n']))
            {
                let end = format!("</{name}");
                i = lower[close..].find(&end).map_or(lower.len(), |n| close + n);
                break;
            }
        }
        text_start = i;
    }
    check(text_start, html.len())
}

/// Replaces placeholders with their output: a paragraph of only a placeholder becomes the
/// output as a block; one within text becomes inline HTML.
fn substitute<'a>(events: &mut Vec<(Event<'a>, Range<usize>)>, outputs: &[Output]) {
    let old = std::mem::take(events);
    let mut iter = old.into_iter().peekable();
    while let Some((event, range)) = iter.next() {
        match event {
            Event::Start(Tag::Paragraph) => {
                let mut lookahead: Vec<(Event<'a>, Range<usize>)> = Vec::new();
                if let Some(next) = iter.next() {
                    lookahead.push(next);
                }
                let only = match lookahead.first() {
                    Some((Event::Text(text), _)) => sole_placeholder(text),
                    _ => None,
                };
                if let Some(index) = only
                    && matches!(iter.peek(), Some((Event::End(TagEnd::Paragraph), _)))
                {
                    iter.next();
                    let html = match outputs.get(index) {
                        Some(Output::Html(html)) => html.clone(),
                        Some(Output::Text(text)) => format!("<p>{}</p>\n", escape(text)),
                        None => String::new(),
                    };
                    events.push((Event::Html(CowStr::from(html)), range));
                    continue;
                }
                events.push((Event::Start(Tag::Paragraph), range));
                for (event, range) in lookahead {
                    push_substituted(events, event, range, outputs);
                }
            }
            event => push_substituted(events, event, range, outputs),
        }
    }
}

fn push_substituted<'a>(
    events: &mut Vec<(Event<'a>, Range<usize>)>,
    event: Event<'a>,
    range: Range<usize>,
    outputs: &[Output],
) {
    match event {
        Event::Text(text) if text.contains(OPEN) => {
            for (piece, index) in pieces(&text) {
                if !piece.is_empty() {
                    events.push((Event::Text(CowStr::from(piece.to_string())), range.clone()));
                }
                if let Some(index) = index {
                    let output = match outputs.get(index) {
                        Some(Output::Html(html)) => html.trim_end().to_string(),
                        Some(Output::Text(text)) => escape(text),
                        None => String::new(),
                    };
                    events.push((Event::InlineHtml(CowStr::from(output)), range.clone()));
                }
            }
        }
        Event::Html(html) if html.contains(OPEN) => {
            events.push((
                Event::Html(CowStr::from(replace_in_html(&html, outputs))),
                range,
            ));
        }
        Event::InlineHtml(html) if html.contains(OPEN) => {
            events.push((
                Event::InlineHtml(CowStr::from(replace_in_html(&html, outputs))),
                range,
            ));
        }
        event => events.push((event, range)),
    }
}

fn replace_in_html(html: &str, outputs: &[Output]) -> String {
    let mut out = String::with_capacity(html.len());
    for (piece, index) in pieces(html) {
        out.push_str(piece);
        match index.and_then(|i| outputs.get(i)) {
            Some(Output::Html(h)) => out.push_str(h),
            Some(Output::Text(t)) => out.push_str(&escape(t)),
            None => {}
        }
    }
    out
}

/// Text split at its placeholders: each piece of text with the placeholder after it.
fn pieces(text: &str) -> Vec<(&str, Option<usize>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(OPEN) {
        let after = &rest[open + OPEN.len_utf8()..];
        match after.find(CLOSE) {
            Some(close) if after[..close].bytes().all(|b| b.is_ascii_digit()) => {
                out.push((&rest[..open], after[..close].parse().ok()));
                rest = &after[close + CLOSE.len_utf8()..];
            }
            _ => break,
        }
    }
    out.push((rest, None));
    out
}

fn sole_placeholder(text: &str) -> Option<usize> {
    match pieces(text.trim()).as_slice() {
        [("", Some(index)), ("", None)] => Some(*index),
        _ => None,
    }
}

fn escape(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing into a Vec cannot fail.
    let _ = tera::escape_html(text, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_leaks_outside_code_only() {
        assert_eq!(html_leaks("<p>plain</p>"), None);
        assert_eq!(html_leaks("<p>a {{ x }}</p>"), Some(5));
        assert_eq!(
            html_leaks("<pre><code>{{ x }}</code></pre><kbd>{%</kbd>"),
            None
        );
        assert_eq!(html_leaks("<a title=\"{{\">x</a>"), None);
        assert!(html_leaks("<code>a</code> %}").is_some());
        assert_eq!(html_leaks("<!-- {{< old >}} --><p>ok</p>"), None);
    }

    #[test]
    fn placeholders_split_text() {
        let text = format!("a {OPEN}3{CLOSE} b");
        assert_eq!(pieces(&text), vec![("a ", Some(3)), (" b", None)]);
        assert_eq!(sole_placeholder(&format!(" {OPEN}12{CLOSE}\n")), Some(12));
        assert_eq!(sole_placeholder(&text), None);
    }
}
