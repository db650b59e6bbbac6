//! The Liquid in a Jekyll page that only Jekyll could run: loops over `site.posts`, conditions,
//! variables of the page or the paginator. quill runs includes, links, `highlight`, `raw` and
//! the URL variables (see `shortcodes::scan`); whatever else is left would be shown as text.
//! An archive or tag page made of such Liquid gets a body that links to quill's own listings
//! instead, and the report names what was replaced.

use std::ops::Range;
use std::path::Path;

use crate::config::MarkdownConfig;
use crate::shortcodes::scan;

/// Liquid that quill leaves as written, where it first appears in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Leftover {
    /// The file's line (1-based, front matter counted).
    pub line: usize,
    /// The tag or variable, as written (cut at 60 characters).
    pub snippet: String,
}

/// The first Liquid in `text` (a whole file, front matter included) that quill would not
/// run; `html` says the body is HTML, where quill runs no Liquid at all.
pub(super) fn first_leftover(text: &str, html: bool) -> Option<Leftover> {
    let body_start = body_start(text);
    let body = &text[body_start..];
    if !body.contains("{{") && !body.contains("{%") {
        return None;
    }
    let code = if html {
        Vec::new()
    } else {
        crate::markdown::code_ranges(body, &MarkdownConfig::default())
    };
    let handled: Vec<Range<usize>> = if html {
        Vec::new()
    } else {
        scan::scan(body, &code)
            .0
            .into_iter()
            .map(|item| item.range)
            .collect()
    };
    let inside = |at: usize, ranges: &[Range<usize>]| ranges.iter().any(|r| r.contains(&at));
    let at = ["{{", "{%"]
        .iter()
        .flat_map(|open| body.match_indices(open).map(|(i, _)| i))
        .filter(|&i| !inside(i, &code) && !inside(i, &handled))
        .min()?;
    let line = text[..body_start + at].matches('\n').count() + 1;
    let snippet: String = body[at..]
        .split_inclusive(['}', '\n'])
        .scan(false, |done, piece| {
            (!*done).then(|| {
                *done = piece.ends_with("%}") || piece.ends_with("}}") || piece.ends_with('\n');
                piece
            })
        })
        .collect::<String>()
        .trim()
        .chars()
        .take(60)
        .collect();
    Some(Leftover { line, snippet })
}

/// Where the body starts, after YAML front matter.
fn body_start(text: &str) -> usize {
    text.strip_prefix("---\n")
        .and_then(|rest| rest.find("\n---"))
        .map_or(0, |end| {
            let close = 4 + end + 4;
            text[close..]
                .find('\n')
                .map_or(text.len(), |n| close + n + 1)
        })
}

/// `text` with its body replaced by links to quill's listings of the posts, under the site's
/// base path; the front matter is kept.
pub(super) fn replaced_body(text: &str, file: &Path, base_path: &str) -> String {
    let front = &text[..body_start(text)];
    let base = base_path.trim_end_matches('/');
    let links = format!(
        "This page was made by Liquid that only Jekyll runs. The posts are listed on \
         <a href=\"{base}/\">the home page</a> and by tag on <a href=\"{base}/tags/\">the tags page</a>."
    );
    let body = if file.extension().is_some_and(|e| e == "html") {
        format!("<p>{links}</p>\n")
    } else {
        format!("{links}\n")
    };
    format!("{front}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_quill_runs_is_not_left_over() {
        let markdown = "---\ntitle: A\n---\nSee [me]({{ site.baseurl }}/about/).\n\n{% include note.html %}\n\n```liquid\n{% for x in y %}\n```\n";
        assert_eq!(first_leftover(markdown, false), None);
        let archive = "---\ntitle: Archive\n---\nIntro.\n{% for post in site.posts %}\n- {{ post.title }}\n{% endfor %}\n";
        assert_eq!(
            first_leftover(archive, false),
            Some(Leftover {
                line: 5,
                snippet: "{% for post in site.posts %}".into()
            })
        );
        let html = "---\ntitle: T\n---\n<a href=\"{{ site.baseurl }}/\">home</a>\n";
        assert_eq!(first_leftover(html, true).map(|l| l.line), Some(4));
    }

    #[test]
    fn a_replaced_body_keeps_the_front_matter_and_links_under_the_base_path() {
        let text = "---\ntitle: Tags\n---\n{% for tag in site.tags %}{% endfor %}\n";
        let html = replaced_body(text, Path::new("tags.html"), "/blog");
        assert!(html.starts_with("---\ntitle: Tags\n---\n<p>"), "{html}");
        assert!(html.contains("href=\"/blog/tags/\"") && !html.contains("{%"));
    }
}

/// `text` with kramdown's `markdown="1"` blocks (`<div class="notice" markdown="1">`, whose
/// content kramdown reads as Markdown) written so that CommonMark reads their content too: the
/// attribute dropped and a blank line inside each end of the block. `None` when there is none.
pub(super) fn open_markdown_blocks(text: &str) -> Option<String> {
    if !text.contains("markdown=") {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut open: Vec<String> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut changed = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            out.push_str(line);
            continue;
        }
        if let Some(f) = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f)) {
            fence = Some(f);
            out.push_str(line);
            continue;
        }
        if let Some((tag, rewritten)) = markdown_block_start(trimmed) {
            out.push_str(&line[..line.len() - line.trim_start().len()]);
            out.push_str(&rewritten);
            out.push_str("\n\n");
            open.push(tag);
            changed = true;
            continue;
        }
        if let Some(tag) = open.last()
            && trimmed == format!("</{tag}>")
        {
            out.push('\n');
            out.push_str(line);
            open.pop();
            continue;
        }
        out.push_str(line);
    }
    changed.then_some(out)
}

/// A line that is only an opening tag with `markdown="1"` (or `"block"`): its tag name and the
/// tag without the attribute.
fn markdown_block_start(line: &str) -> Option<(String, String)> {
    let inner = line.strip_prefix('<')?.strip_suffix('>')?;
    let tag: String = inner
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if tag.is_empty() || inner.contains(['<', '>']) {
        return None;
    }
    let attribute = [
        " markdown=\"1\"",
        " markdown='1'",
        " markdown=\"block\"",
        " markdown=1",
    ]
    .into_iter()
    .find(|a| inner.contains(a))?;
    Some((tag, format!("<{}>", inner.replacen(attribute, "", 1))))
}

#[cfg(test)]
mod markdown_blocks {
    use super::*;

    #[test]
    fn kramdown_markdown_blocks_open_for_commonmark() {
        let text = "Before.\n<div class=\"notice\" markdown=\"1\">\n**Bold** inside.\n</div>\n```html\n<div markdown=\"1\">\n```\n";
        assert_eq!(
            open_markdown_blocks(text).unwrap(),
            "Before.\n<div class=\"notice\">\n\n**Bold** inside.\n\n</div>\n```html\n<div markdown=\"1\">\n```\n"
        );
        assert_eq!(
            open_markdown_blocks("<div class=\"x\">\nplain\n</div>\n"),
            None
        );
    }
}
