//! The rendered body of a post or page: its Markdown as HTML, with its shortcodes and internal
//! links (or an `.html` source's HTML as it is), its summary, headings and reading time.

use anyhow::Result;
use rayon::prelude::*;

use super::{PageBody, PageData, Site};
use crate::content::Source;
use crate::markdown;
use crate::shortcodes;

/// RenderedMarkdown bodies by source index, with the warnings their shortcodes gave.
pub(crate) type Bodies = (Vec<Option<PageBody>>, Vec<String>);

/// Renders the Markdown of the sources marked in `needed` (by source index), in parallel,
/// reading each body from its file, with their shortcodes and internal links. Every error of
/// every page is reported at once ([`Diagnostics`](crate::diagnostics::Diagnostics)).
pub(crate) fn render_bodies(
    env: &shortcodes::Env<'_>,
    site: &Site,
    sources: &[Source],
    needed: &[bool],
) -> Result<Bodies> {
    let mut pages: Vec<Option<&PageData>> = vec![None; sources.len()];
    for page in site.posts.iter().chain(&site.pages) {
        pages[page.source] = Some(page);
    }
    type PageResult = Result<Option<(PageBody, Vec<String>)>, Vec<String>>;
    let results: Vec<PageResult> = sources
        .par_iter()
        .enumerate()
        .map(|(index, source)| {
            let (true, Some(data)) = (needed.get(index).copied().unwrap_or(false), pages[index])
            else {
                return Ok(None);
            };
            let (body, first_line) = source
                .read_body_at(env.root)
                .map_err(|e| vec![format!("{e:#}")])?;
            let description = source.meta.description.as_deref();
            // An `.html` source is its author's HTML already: no Markdown, no shortcodes.
            if crate::content::is_html(&source.file) {
                let leak = shortcodes::html_source_leak(source, &body, first_line);
                return Ok(Some((
                    html_body(body, description),
                    leak.into_iter().collect(),
                )));
            }
            let page = shortcodes::PageContext {
                source,
                data,
                first_line,
            };
            let outcome = shortcodes::render_body(env, &page, &body)?;
            let mut warnings = outcome.warnings;
            warnings.extend(outcome.rendered.math_errors.iter().map(|(line, reason)| {
                format!(
                    "{}:{}: math that does not parse is shown as its TeX source: {reason}",
                    source.file.display(),
                    first_line + line - 1
                )
            }));
            Ok(Some((page_body(outcome.rendered, description), warnings)))
        })
        .collect();
    let mut bodies = Vec::with_capacity(results.len());
    let mut warnings = Vec::new();
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(Some((body, mut more))) => {
                bodies.push(Some(body));
                warnings.append(&mut more);
            }
            Ok(None) => bodies.push(None),
            Err(mut more) => {
                bodies.push(None);
                errors.append(&mut more);
            }
        }
    }
    crate::diagnostics::Diagnostics::check(errors)?;
    Ok((bodies, warnings))
}

fn page_body(rendered: markdown::RenderedMarkdown, description: Option<&str>) -> PageBody {
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
