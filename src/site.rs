//! The immutable site model: every post and page rendered to HTML, tags grouped, all the data
//! templates see. Built once, sequentially from loaded content; rendering only reads it.

use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

use crate::config::SiteConfig;
use crate::content::{Kind, Source, dates, slug::slugify};
use crate::markdown::{self, TocEntry};
use crate::shortcodes;

/// A link to a tag, as posts carry it.
#[derive(Debug, Clone, Serialize)]
pub struct TagRef {
    /// The tag as first written.
    pub name: String,
    /// Its URL slug.
    pub slug: String,
    /// Its page: `/tags/<slug>/` with the base path.
    pub path: String,
}

/// A post or page as templates see it, apart from its rendered body ([`PageBody`]): what
/// the front matter and the file's place give, without rendering any Markdown.
#[derive(Debug, Clone, Serialize)]
pub struct PageData {
    /// `"post"` or `"page"`.
    pub kind: &'static str,
    /// The title (plain text; templates escape it).
    pub title: String,
    /// The URL slug.
    pub slug: String,
    /// The path from the server root, with the base path: `/blog/posts/a/`.
    pub path: String,
    /// The absolute URL.
    pub permalink: String,
    /// Publication date, ISO 8601 UTC.
    pub date: Option<String>,
    /// Publication date for people.
    pub date_human: Option<String>,
    /// Last change, ISO 8601 UTC.
    pub updated: Option<String>,
    /// Last change for people.
    pub updated_human: Option<String>,
    /// The front matter description.
    pub description: Option<String>,
    /// The post's tags.
    pub tags: Vec<TagRef>,
    /// Free front matter values.
    pub extra: Map<String, Value>,
    /// Whether visitors may comment.
    pub comments_open: bool,
    /// Approved comments on the post.
    pub comment_count: usize,
    /// Whether the page is a draft (only in `--drafts` builds).
    pub draft: bool,
    /// Which of the loaded sources it came from.
    #[serde(skip)]
    pub source: usize,
}

/// The rendered Markdown of a post or page; templates see its fields beside [`PageData`]'s.
///
/// The HTML is kept as template values, made once: every listing that shows the page shares
/// them instead of copying a body into each of its contexts.
#[derive(Debug, Clone, Serialize)]
pub struct PageBody {
    /// HTML before the summary marker, else the description as text, else the first paragraph.
    pub summary: Option<tera::Value>,
    /// The body as HTML.
    pub content: tera::Value,
    /// The headings tree.
    pub toc: Vec<TocEntry>,
    /// Words in the body.
    pub word_count: usize,
    /// Minutes to read.
    pub reading_time: usize,
}

/// A tag with every post that carries it, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    /// The tag as first written.
    pub name: String,
    /// Its URL slug.
    pub slug: String,
    /// Its page, with the base path.
    pub path: String,
    /// The absolute URL of its page.
    pub permalink: String,
    /// Number of posts.
    pub count: usize,
    /// Indexes into [`Site::posts`].
    #[serde(skip)]
    pub posts: Vec<usize>,
}

/// Everything a build renders, read-only once made.
#[derive(Debug)]
pub struct Site {
    /// The configuration, with any `--base-url` applied.
    pub config: SiteConfig,
    /// Posts, newest first (ties broken by slug, so the order is stable).
    pub posts: Vec<PageData>,
    /// Pages, by path.
    pub pages: Vec<PageData>,
    /// Tags by slug.
    pub tags: Vec<Tag>,
    /// Redirects: (old path without base path, absolute target URL).
    pub aliases: Vec<(String, String)>,
    /// Bundle files to copy: (source file, output path relative to the output root).
    pub assets: Vec<(std::path::PathBuf, String)>,
}

impl Site {
    /// Assembles the model from loaded sources and each post's approved comment count. No
    /// Markdown is rendered here: bodies are rendered by [`render_bodies`] for the pages a
    /// build actually writes.
    pub fn new(
        config: SiteConfig,
        sources: &[Source],
        comment_count: &(dyn Fn(&str) -> usize + Sync),
    ) -> Site {
        let tag_links = tag_links(&config, sources);
        let mut data: Vec<(Kind, PageData)> = sources
            .par_iter()
            .enumerate()
            .map(|(index, s)| {
                let mut page = page_data(&config, s, index, &tag_links);
                if s.kind == Kind::Post {
                    page.comment_count = comment_count(&s.slug);
                }
                (s.kind, page)
            })
            .collect();
        let mut aliases = Vec::new();
        let mut assets = Vec::new();
        for source in sources {
            let target = config.permalink(&source.path);
            for alias in &source.meta.aliases {
                aliases.push((normalize_alias(alias), target.clone()));
            }
            for (file, within) in &source.assets {
                let output = format!("{}{within}", source.path.trim_start_matches('/'));
                assets.push((file.clone(), output));
            }
        }
        // Newest first by the second, as the ISO dates templates see would order them.
        let second = |page: &PageData| sources[page.source].date.map(|d| d.timestamp());
        data.sort_by(|(_, a), (_, b)| second(b).cmp(&second(a)).then_with(|| a.slug.cmp(&b.slug)));
        let (posts, pages): (Vec<_>, Vec<_>) =
            data.into_iter().partition(|(k, _)| *k == Kind::Post);
        let posts: Vec<PageData> = posts.into_iter().map(|(_, p)| p).collect();
        let mut pages: Vec<PageData> = pages.into_iter().map(|(_, p)| p).collect();
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        let tags = group_tags(&config, &posts);
        Site {
            config,
            posts,
            pages,
            tags,
            aliases,
            assets,
        }
    }
}

impl Site {
    /// The posts the Atom feed shows, newest first.
    pub fn feed_posts(&self) -> impl Iterator<Item = &PageData> {
        self.posts.iter().take(self.config.feed_limit)
    }

    /// The newest date any post was published or updated (ISO 8601), as feeds give it.
    pub fn last_change(&self) -> Option<&str> {
        self.posts
            .iter()
            .filter_map(|p| p.updated.as_deref().or(p.date.as_deref()))
            .max()
    }
}

/// Rendered bodies by source index, with the warnings their shortcodes gave.
pub type Bodies = (Vec<Option<PageBody>>, Vec<String>);

/// Renders the Markdown of the sources marked in `needed` (by source index), in parallel,
/// reading each body from its file, with their shortcodes and internal links. Every error of
/// every page is reported at once ([`Diagnostics`](crate::diagnostics::Diagnostics)).
pub fn render_bodies(
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
            let (markdown, first_line) = source
                .read_body_at(env.root)
                .map_err(|e| vec![format!("{e:#}")])?;
            let page = shortcodes::PageContext {
                source,
                data,
                first_line,
            };
            let outcome = shortcodes::render_body(env, &page, &markdown)?;
            let mut warnings = outcome.warnings;
            warnings.extend(outcome.rendered.math_errors.iter().map(|(line, reason)| {
                format!(
                    "{}:{}: math that does not parse is shown as its TeX source: {reason}",
                    source.file.display(),
                    first_line + line - 1
                )
            }));
            let body = page_body(outcome.rendered, source.meta.description.as_deref());
            Ok(Some((body, warnings)))
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

fn page_body(rendered: markdown::Rendered, description: Option<&str>) -> PageBody {
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

/// Each distinct tag name's link, made once: thousands of posts share a few dozen tags.
fn tag_links(config: &SiteConfig, sources: &[Source]) -> FxHashMap<String, Option<TagRef>> {
    let mut links: FxHashMap<String, Option<TagRef>> = FxHashMap::default();
    for name in sources.iter().flat_map(|s| &s.meta.tags) {
        if !links.contains_key(name) {
            let slug = slugify(name);
            let link = (!slug.is_empty()).then(|| TagRef {
                name: name.clone(),
                path: config.site_path(&format!("/tags/{slug}/")),
                slug,
            });
            links.insert(name.clone(), link);
        }
    }
    links
}

fn page_data(
    config: &SiteConfig,
    source: &Source,
    index: usize,
    tag_links: &FxHashMap<String, Option<TagRef>>,
) -> PageData {
    let tags = source
        .meta
        .tags
        .iter()
        .filter_map(|name| tag_links.get(name).cloned().flatten())
        .collect();
    PageData {
        kind: match source.kind {
            Kind::Post => "post",
            Kind::Page => "page",
        },
        title: source.meta.title.clone(),
        slug: source.slug.clone(),
        path: config.site_path(&source.path),
        permalink: config.permalink(&source.path),
        date: source.date.as_ref().map(dates::iso),
        date_human: source.date.as_ref().map(dates::human),
        updated: source.meta.updated.as_ref().map(dates::iso),
        updated_human: source.meta.updated.as_ref().map(dates::human),
        description: source.meta.description.clone(),
        tags,
        extra: source.meta.extra.clone(),
        comments_open: source.meta.comments,
        comment_count: 0,
        draft: source.meta.draft,
        source: index,
    }
}

/// HTML-escapes plain text (the description) for use as summary HTML.
fn escape_html(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    // Writing into a Vec cannot fail.
    let _ = tera::escape_html(text, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

fn group_tags(config: &SiteConfig, posts: &[PageData]) -> Vec<Tag> {
    let mut by_slug: BTreeMap<String, Tag> = BTreeMap::new();
    for (index, post) in posts.iter().enumerate() {
        for tag in &post.tags {
            let entry = by_slug.entry(tag.slug.clone()).or_insert_with(|| Tag {
                name: tag.name.clone(),
                slug: tag.slug.clone(),
                path: tag.path.clone(),
                permalink: config.permalink(&format!("/tags/{}/", tag.slug)),
                count: 0,
                posts: Vec::new(),
            });
            // A post that lists one tag twice counts once.
            if entry.posts.last() != Some(&index) {
                entry.posts.push(index);
                entry.count += 1;
            }
        }
    }
    by_slug.into_values().collect()
}

/// `old/path`, `/old/path` and `/old/path/` all mean `/old/path/`; a `.html` file stays a file.
fn normalize_alias(alias: &str) -> String {
    let trimmed = alias.trim().trim_start_matches('/');
    if trimmed.ends_with(".html") || trimmed.ends_with('/') {
        format!("/{trimmed}")
    } else {
        format!("/{trimmed}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_normalize() {
        assert_eq!(normalize_alias("old/trip"), "/old/trip/");
        assert_eq!(normalize_alias("/old/trip/"), "/old/trip/");
        assert_eq!(normalize_alias("/2020/01/trip.html"), "/2020/01/trip.html");
    }
}
