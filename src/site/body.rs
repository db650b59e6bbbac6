//! The rendered body of a post or page: its Markdown as HTML (or an `.html` source's HTML as
//! it is), its summary, headings and reading time.

use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;

use super::PageBody;
use crate::content::Source;
use crate::markdown;

/// Renders the Markdown of the sources marked in `needed` (by source index), in parallel,
/// reading each body from its file.
pub fn render_bodies(
    root: &Path,
    sources: &[Source],
    needed: &[bool],
) -> Result<Vec<Option<PageBody>>> {
    sources
        .par_iter()
        .enumerate()
        .map(|(index, source)| {
            if !needed.get(index).copied().unwrap_or(false) {
                return Ok(None);
            }
            let body = source.read_body(root)?;
            let description = source.meta.description.as_deref();
            Ok(Some(if crate::content::is_html(&source.file) {
                html_body(body, description)
            } else {
                page_body(&body, description)
            }))
        })
        .collect()
}

fn page_body(markdown: &str, description: Option<&str>) -> PageBody {
    let rendered = markdown::render(markdown);
    let summary = if rendered.has_marker {
        rendered.summary
    } else if let Some(d) = description {
        Some(format!("<p>{}</p>", escape_html(d)))
    } else {
        rendered.summary
    };
    PageBody {
        summary: summary.map(tera::Value::from),
        content: tera::Value::from(rendered.html),
        toc: rendered.toc,
        word_count: rendered.word_count,
        reading_time: markdown::reading_time(rendered.word_count),
    }
}

/// An `.html` source's body, which is already HTML: no headings tree, and the description as
/// its summary.
fn html_body(html: String, description: Option<&str>) -> PageBody {
    // Tags become spaces, so that only the text's words are counted.
    let mut in_tag = false;
    let text: String = html
        .chars()
        .map(|c| {
            let was_in_tag = in_tag;
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ => {}
            }
            if was_in_tag || in_tag || c == '>' {
                ' '
            } else {
                c
            }
        })
        .collect();
    let word_count = text.split_whitespace().count();
    PageBody {
        summary: description.map(|d| tera::Value::from(format!("<p>{}</p>", escape_html(d)))),
        content: tera::Value::from(html),
        toc: Vec::new(),
        word_count,
        reading_time: markdown::reading_time(word_count),
    }
}

/// HTML-escapes plain text (the description) for use as summary HTML.
fn escape_html(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing into a Vec cannot fail.
    let _ = tera::escape_html(text, &mut out);
    String::from_utf8(out).unwrap_or_default()
}
