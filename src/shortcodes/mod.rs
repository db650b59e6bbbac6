//! Shortcodes and the rest of what a post's text asks of the build: calls of small Tera
//! templates (`templates/shortcodes/NAME.html`) in Zola's, Hugo's and Jekyll's syntax,
//! internal links, and the warning when template syntax is left in a page's text.
//!
//! A body without `{{` or `{%` costs one search for them; one without links to `.md` files
//! is rendered as before.

mod args;
mod builtin;
mod events;
mod expand;
pub mod scan;

use std::path::Path;

use tera::Tera;

use crate::config::SiteConfig;
use crate::content::Source;
use crate::links::Links;
use crate::markdown::{self, RenderedMarkdown};
use crate::site::PageData;

/// The names of the built-in shortcodes with a template, for documentation and tests.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    builtin::BUILTINS.iter().map(|b| b.name)
}

/// Whether quill answers a shortcode of this name by itself: a built-in template (or one of its
/// aliases), or one made in Rust (`highlight`, `ref`, Jekyll's links and verbatim tags).
pub fn is_builtin(name: &str) -> bool {
    builtin::find(name).is_some()
        || matches!(
            name,
            "highlight" | "ref" | "relref" | "post_url" | "link" | "raw" | "comment"
        )
}

/// The folder of shortcode templates inside `templates/`.
pub const DIR: &str = "shortcodes";

/// What every call on every page shares.
#[derive(Debug)]
pub struct Env<'a> {
    /// The site root, for media files.
    pub root: &'a Path,
    /// The compiled templates, shortcodes among them.
    pub tera: &'a Tera,
    /// The configuration.
    pub config: &'a SiteConfig,
    /// The URL of every page.
    pub links: &'a Links,
    /// `config` as templates see it (with `base_path`), made once.
    config_value: tera::Value,
}

impl<'a> Env<'a> {
    /// The environment of one build.
    pub fn new(root: &'a Path, tera: &'a Tera, config: &'a SiteConfig, links: &'a Links) -> Self {
        let mut value = serde_json::to_value(config).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("base_path".into(), config.base_path().into());
        }
        Env {
            root,
            tera,
            config,
            links,
            config_value: tera::Value::from_serializable(&value),
        }
    }
}

/// The page whose body is being rendered.
#[derive(Debug)]
pub struct PageContext<'a> {
    /// Its source file.
    pub source: &'a Source,
    /// What templates know of it.
    pub data: &'a PageData,
    /// The file line of the body's first line.
    pub first_line: usize,
}

/// Errors and warnings of one page, at byte offsets of its body.
#[derive(Debug, Default)]
pub struct Problems {
    errors: Vec<(usize, String)>,
    warnings: Vec<(usize, String)>,
}

/// A rendered body, with what the author should hear about.
#[derive(Debug)]
pub struct Outcome {
    /// The HTML and what comes with it.
    pub rendered: RenderedMarkdown,
    /// `file:line: message` warnings.
    pub warnings: Vec<String>,
}

/// Renders a page's Markdown body with its shortcodes and internal links; `Err` holds every
/// error of the page as `file:line: message`.
pub fn render_body(
    env: &Env<'_>,
    page: &PageContext<'_>,
    body: &str,
) -> Result<Outcome, Vec<String>> {
    let enabled = !is_about_templates(page.source);
    let mut problems = Problems::default();
    let rendered = expand::render_fragment(env, page, body, &|at| at, enabled, &mut problems);
    let at = |(offset, message): (usize, String)| {
        // Offsets from a body rendered apart may fall inside a character: count bytes.
        let before = &body.as_bytes()[..offset.min(body.len())];
        let line = page.first_line + before.iter().filter(|b| **b == b'\n').count();
        format!("{}:{line}: {message}", page.source.file.display())
    };
    if !problems.errors.is_empty() {
        return Err(problems.errors.into_iter().map(at).collect());
    }
    Ok(Outcome {
        rendered,
        warnings: problems.warnings.into_iter().map(at).collect(),
    })
}

/// Whether a page says it is about templates (`shortcodes = false`): its calls are text, and
/// template syntax in it is no mistake.
fn is_about_templates(source: &Source) -> bool {
    matches!(
        source.meta.extra.get("shortcodes"),
        Some(serde_json::Value::Bool(false))
    )
}

/// The warning for an `.html` page whose text still shows template syntax, as
/// `file:line: message`, unless the page is about templates; quill runs no shortcodes in such
/// a page.
pub fn html_source_leak(source: &Source, body: &str, first_line: usize) -> Option<String> {
    if is_about_templates(source) {
        return None;
    }
    let file = &source.file;
    let at = events::html_leaks(body)?;
    let line = first_line + body[..at].matches('\n').count();
    Some(format!(
        "{}:{line}: {}",
        file.display(),
        expand::leak_message("the page's HTML")
    ))
}

/// Whether a body may call a shortcode or link to another page: what makes its page depend
/// on the URLs of other pages.
pub fn may_refer(body: &str) -> bool {
    may_call(body) || may_link(body)
}

/// Whether text could hold a template call: the one check a page without any pays.
fn may_call(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// Whether Markdown could link to a content file.
fn may_link(text: &str) -> bool {
    text.contains(".md") || text.contains("@/")
}

/// Renders Markdown that needs none of this, as before.
fn plain(markdown: &str, config: &crate::config::MarkdownConfig) -> RenderedMarkdown {
    markdown::render(markdown, config)
}
