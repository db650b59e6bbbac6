//! The immutable site model: every post and page with its URL, sections, taxonomies and
//! translations, all the data templates see but the rendered bodies, which are made after
//! planning, for the pages a build writes (`render_bodies`). Built once from loaded content;
//! rendering only reads it.

use std::collections::BTreeMap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::config::SiteConfig;
use crate::content::{Kind, Source, dates};
use crate::markdown::TocEntry;

mod body;
mod sections;
pub(crate) mod taxonomies;
mod translations;

pub(crate) use body::{Bodies, render_bodies};
pub(crate) use sections::unknown_home_sections;
pub(crate) use taxonomies::Taxonomy;

/// A link to a tag, as posts carry it. Shared strings: every post with the tag holds a copy.
#[derive(Debug, Clone, Serialize)]
pub struct TagRef {
    /// The tag as first written.
    pub name: Arc<str>,
    /// Its URL slug.
    pub slug: Arc<str>,
    /// Its page: `/tags/<slug>/` with the base path.
    pub path: Arc<str>,
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
    /// What its comments are stored under, and what the comment form sends.
    pub key: String,
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
    /// Its terms in each taxonomy but tags (`page.taxonomies.categories`).
    pub taxonomies: BTreeMap<String, Vec<TagRef>>,
    /// Its authors, as written.
    pub authors: Vec<String>,
    /// Its image (`image` or `cover`), as an absolute URL when it was a site path.
    pub image: Option<String>,
    /// Its weight in a section sorted by weight.
    pub weight: Option<i64>,
    /// Free front matter values.
    pub extra: Map<String, Value>,
    /// Whether visitors may comment.
    pub comments_open: bool,
    /// Approved comments on the post. Templates read it where it is part of what the page
    /// depends on (see `render::FullPage`), not on the later pages of a thread.
    #[serde(skip)]
    pub comment_count: usize,
    /// Whether the page is a draft (only in `--drafts` builds).
    pub draft: bool,
    /// Whether the page gets a file of its own: `render = false` keeps it out of everything
    /// but its section's listing, where templates show it without a link.
    pub render: bool,
    /// Its language: the site's, or a translation's (`es` for `trip.es.md`).
    pub lang: String,
    /// The other versions of the page, in other languages.
    pub translations: Vec<Translation>,
    /// Whether it is a translation (in a language of `[languages]`), listed under its
    /// language's home page rather than the site's.
    #[serde(skip)]
    pub translated: bool,
    /// Which of the loaded sources it came from.
    #[serde(skip)]
    pub source: usize,
}

/// Another language's version of a page, as `page.translations` lists them.
#[derive(Debug, Clone, Serialize)]
pub struct Translation {
    /// Its language code.
    pub lang: String,
    /// Its title.
    pub title: String,
    /// Its path, with the base path.
    pub path: String,
    /// Its absolute URL.
    pub permalink: String,
}

/// A language of `[languages]`, with its home page and feed.
#[derive(Debug, Clone, Serialize)]
pub struct Language {
    /// Its code (`es`).
    pub code: String,
    /// Its home page, with the base path (`/es/`).
    pub path: String,
    /// The absolute URL of its home page.
    pub permalink: String,
    /// Its home page's site path without the base path.
    #[serde(skip)]
    pub site_path: String,
    /// The posts its home page and feed list: indexes into [`Site::posts`], newest first.
    #[serde(skip)]
    pub posts: Vec<usize>,
}

/// A post or page a section lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// An index into [`Site::posts`].
    Post(usize),
    /// An index into [`Site::pages`].
    Page(usize),
}

/// A section: a folder with an `_index.md`, and the listing of what is in it.
#[derive(Debug, Clone, Serialize)]
pub struct Section {
    /// Its title (`_index.md`'s, else the folder's name).
    pub title: String,
    /// Its description.
    pub description: Option<String>,
    /// Its folder under `content/`, `/`-separated (`blog`, `notes/2024`).
    pub folder: String,
    /// Its path from the server root, with the base path.
    pub path: String,
    /// Its absolute URL.
    pub permalink: String,
    /// Free front matter values of its `_index.md`.
    pub extra: Map<String, Value>,
    /// How many pages it lists.
    pub count: usize,
    /// Pages per listing page.
    #[serde(skip)]
    pub paginate_by: usize,
    /// The template of its listing pages.
    #[serde(skip)]
    pub template: String,
    /// What it lists, in its order.
    #[serde(skip)]
    pub members: Vec<Member>,
    /// Its site path without the base path.
    #[serde(skip)]
    pub site_path: String,
    /// The language of a translated section (`_index.es.md`).
    #[serde(skip)]
    pub lang: Option<String>,
    /// Whether it has an Atom feed of its posts (`section_feeds`, or Zola's `generate_feeds`).
    pub feed: bool,
    /// Which of the loaded sources (its `_index.md`) it came from.
    #[serde(skip)]
    pub source: usize,
}

/// The rendered Markdown of a post or page; templates see its fields beside [`PageData`]'s.
///
/// The HTML is kept as template values, made once: every listing that shows the page shares
/// them instead of copying a body into each of its contexts.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageBody {
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
    /// The taxonomy it is a term of (`tags`, `categories`, ...).
    pub taxonomy: String,
    /// Its page's site path without the base path.
    #[serde(skip)]
    pub site_path: String,
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
    /// The other taxonomies (categories and those `[taxonomies]` declares), in order.
    pub taxonomies: Vec<Taxonomy>,
    /// Sections by folder (the content root's, which is the home page, left out).
    pub sections: Vec<Section>,
    /// The posts the home page lists: indexes into [`Site::posts`], newest first.
    pub home: Vec<usize>,
    /// Posts per page of the home listing: `content/_index.md`'s `paginate_by` (a Zola site's
    /// home page), else the site's.
    pub home_paginate_by: usize,
    /// The languages of `[languages]`, each with its own home page and feed.
    pub languages: Vec<Language>,
    /// Redirects: (old path without base path, absolute target URL).
    pub aliases: Vec<(String, String)>,
    /// Bundle files to copy: (source file, output path relative to the output root).
    pub assets: Vec<(std::path::PathBuf, String)>,
}

/// Hugo publishes each list's first page a second time at `page/1/`, as a redirect to the list
/// (the home page, sections, taxonomies, terms): the same redirects, for a site of its style.
fn hugo_first_pages(
    config: &SiteConfig,
    sections: &[Section],
    tags: &[Tag],
    taxonomies: &[taxonomies::Taxonomy],
) -> Vec<(String, String)> {
    let lists = ["/", "/tags/"]
        .into_iter()
        .chain(sections.iter().map(|s| s.site_path.as_str()))
        .chain(tags.iter().map(|t| t.site_path.as_str()))
        .chain(taxonomies.iter().map(|t| t.site_path.as_str()))
        .chain(
            taxonomies
                .iter()
                .flat_map(|t| t.terms.iter().map(|term| term.site_path.as_str())),
        );
    let mut aliases: Vec<(String, String)> = lists
        .filter(|path| path.ends_with('/'))
        .map(|path| (format!("{path}page/1/"), config.permalink(path)))
        .collect();
    aliases.sort();
    aliases.dedup();
    aliases
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
        let term_links = taxonomies::links(&config, sources);
        // Newest first by the second, as the ISO dates templates see would order them. The
        // order is worked out on the sources, so that each page is made in its place: a
        // `PageData` is large, and sorting them moved each many times.
        let second = |i: usize| sources[i].date.map(|d| d.timestamp());
        let mut order: Vec<usize> = (0..sources.len())
            .filter(|&i| sources[i].kind != Kind::Section)
            .collect();
        order.sort_by(|&a, &b| {
            second(b)
                .cmp(&second(a))
                .then_with(|| sources[a].slug.cmp(&sources[b].slug))
        });
        let (post_order, page_order): (Vec<usize>, Vec<usize>) = order
            .into_iter()
            .partition(|&i| sources[i].kind == Kind::Post);
        let make = |&index: &usize| {
            let source = &sources[index];
            let mut page = page_data(&config, source, index, &term_links);
            if source.kind == Kind::Post {
                page.comment_count = comment_count(&source.key);
            }
            page
        };
        let mut posts: Vec<PageData> = post_order.par_iter().map(make).collect();
        let mut pages: Vec<PageData> = page_order.par_iter().map(make).collect();
        let mut aliases = Vec::new();
        let mut assets = Vec::new();
        for source in sources {
            if !source.meta.aliases.is_empty() {
                let target = config.permalink(&source.path);
                for alias in &source.meta.aliases {
                    let from = alias_path(alias, &source.path, config.permalinks.style);
                    aliases.push((from, target.clone()));
                }
            }
            for (file, within) in &source.assets {
                let output = format!("{}{within}", source.path.trim_start_matches('/'));
                assets.push((file.clone(), output));
            }
        }
        translations::link(sources, &mut posts, &mut pages);
        pages.sort_by(|a, b| a.path.cmp(&b.path));
        let tags = taxonomies::group(&config, taxonomies::TAGS, &posts);
        let taxonomies = taxonomies::collect(&config, &posts);
        let sections = sections::collect(&config, sources, &posts, &pages);
        let home = sections::home(&config, sources, &posts);
        if config.permalinks.style == crate::content::permalink::Style::Hugo {
            aliases.extend(hugo_first_pages(&config, &sections, &tags, &taxonomies));
        }
        let home_paginate_by = sources
            .iter()
            .find(|s| {
                s.kind == Kind::Section && s.lang.is_none() && s.section.as_deref() == Some("")
            })
            .and_then(|s| s.meta.paginate_by)
            .unwrap_or(config.paginate_by);
        let languages = config
            .languages
            .keys()
            .map(|code| {
                let site_path = format!("/{code}/");
                Language {
                    code: code.clone(),
                    path: config.site_path(&site_path),
                    permalink: config.permalink(&site_path),
                    posts: (0..posts.len())
                        .filter(|&i| {
                            posts[i].render && posts[i].lang == *code && posts[i].translated
                        })
                        .collect(),
                    site_path,
                }
            })
            .collect();
        Site {
            config,
            posts,
            pages,
            tags,
            taxonomies,
            sections,
            home,
            home_paginate_by,
            languages,
            aliases,
            assets,
        }
    }
}

impl Site {
    /// The posts the Atom feed shows, newest first.
    pub fn feed_posts(&self) -> impl Iterator<Item = &PageData> {
        self.posts
            .iter()
            .filter(|p| p.render && !p.translated)
            .take(self.config.feed_limit)
    }

    /// The newest date any post was published or updated (ISO 8601), as feeds give it.
    pub fn last_change(&self) -> Option<&str> {
        self.posts
            .iter()
            .filter_map(|p| p.updated.as_deref().or(p.date.as_deref()))
            .max()
    }
}

fn page_data(
    config: &SiteConfig,
    source: &Source,
    index: usize,
    term_links: &[FxHashMap<String, Option<TagRef>>],
) -> PageData {
    let tags = source
        .meta
        .tags
        .iter()
        .filter_map(|name| term_links[0].get(name).cloned().flatten())
        .collect();
    PageData {
        kind: match source.kind {
            Kind::Post => "post",
            Kind::Page | Kind::Section => "page",
        },
        title: source.meta.title.clone(),
        slug: source.slug.clone(),
        key: source.key.clone(),
        path: config.site_path(&source.path),
        permalink: config.permalink(&source.path),
        date: source.date.as_ref().map(dates::iso),
        date_human: source.date.as_ref().map(dates::human),
        updated: source.meta.updated.as_ref().map(dates::iso),
        updated_human: source.meta.updated.as_ref().map(dates::human),
        description: source.meta.description.clone(),
        tags,
        taxonomies: taxonomies::page_terms(config, source, term_links),
        authors: source.meta.authors.clone(),
        image: source
            .meta
            .image
            .as_deref()
            .map(|image| absolute(config, &source.path, image)),
        weight: source.meta.weight,
        extra: source.meta.extra.clone(),
        comments_open: source.meta.comments,
        comment_count: 0,
        draft: source.meta.draft,
        render: source.meta.render,
        lang: source
            .lang
            .clone()
            .unwrap_or_else(|| config.language.clone()),
        translations: Vec::new(),
        translated: source.lang.is_some(),
        source: index,
    }
}

/// An image as the absolute URL social previews need: a site path (`/img/a.png`) under the
/// base URL, a bare name (a bundle's `cover.jpg`) beside the page; a full URL is kept.
fn absolute(config: &SiteConfig, page_path: &str, image: &str) -> String {
    if image.contains("://") || image.starts_with("//") {
        image.to_string()
    } else if image.starts_with('/') {
        config.permalink(image)
    } else {
        let folder = &page_path[..page_path.rfind('/').map_or(0, |i| i + 1)];
        config.permalink(&format!("{folder}{image}"))
    }
}

/// `old/path`, `/old/path` and `/old/path/` all mean `/old/path/`; a `.html` file stays a file.
/// A page's alias as a site path. With Hugo's style a relative alias sits beside the page, as
/// Hugo places it: `old` on `/post/new/` is `/post/old/`, on the section `/post/` it is `/old/`.
fn alias_path(alias: &str, page_path: &str, style: crate::content::permalink::Style) -> String {
    let alias = alias.trim();
    if style == crate::content::permalink::Style::Hugo && !alias.starts_with('/') {
        let page = page_path.trim_end_matches('/');
        let folder = &page[..page.rfind('/').map_or(0, |i| i + 1)];
        return normalize_alias(&format!("{folder}{alias}"));
    }
    normalize_alias(alias)
}

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
        use crate::content::permalink::Style;
        assert_eq!(alias_path("old", "/post/new/", Style::Hugo), "/post/old/");
        assert_eq!(alias_path("posts", "/post/", Style::Hugo), "/posts/");
        assert_eq!(alias_path("/top", "/post/new/", Style::Hugo), "/top/");
        assert_eq!(alias_path("old", "/post/new/", Style::Jekyll), "/old/");
    }
}
