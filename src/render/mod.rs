//! Rendering: the site model becomes a flat list of jobs (one output file each), rendered in
//! parallel with rayon from templates compiled once. Nothing here mutates the model.

pub(crate) mod jobs;
mod stencil;
mod thread;

use anyhow::{Result, anyhow};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::build::Progress;
use crate::comments::CommentRecord;
use crate::comments::mentions::{Mentions, PostMentions, among};
use crate::comments::thread::{CommentNode, Threads, node};
use crate::site::taxonomies::TAGS;
use crate::site::{PageBody, PageData, Site};
use crate::templates;
pub(crate) use jobs::{Job, TopLevel, jobs};
use jobs::{listing_base, listing_path};

/// A rendered file: where it goes (relative to the output root) and its bytes.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// `/`-separated path under the output root.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

/// Pagination data for listing templates (`paginator`).
#[derive(Debug, Serialize)]
struct Paginator<'a> {
    pages: Vec<FullPage<'a>>,
    current_index: usize,
    number_pagers: usize,
    paginate_by: usize,
    total_pages: usize,
    first: String,
    last: String,
    previous: Option<String>,
    next: Option<String>,
}

impl<'a> Paginator<'a> {
    /// Page `index` of `count` of a listing whose first page is at `base`, showing `pages`.
    fn new(
        inputs: &Inputs<'a>,
        config: &crate::config::SiteConfig,
        base: &str,
        pages: &[&'a PageData],
        (index, count): (usize, usize),
        paginate_by: usize,
        total_pages: usize,
    ) -> Result<Paginator<'a>> {
        let at = |i: usize| config.site_path(&listing_path(base, i, &config.paginate_path));
        Ok(Paginator {
            pages: pages
                .iter()
                .map(|p| full(inputs, p))
                .collect::<Result<_>>()?,
            current_index: index,
            number_pagers: count,
            paginate_by,
            total_pages,
            first: at(1),
            last: at(count),
            previous: (index > 1).then(|| at(index - 1)),
            next: (index < count).then(|| at(index + 1)),
        })
    }
}

/// The configuration as templates see it (`config`), with the base path spelled out.
#[derive(Debug, Serialize)]
struct ConfigView<'a> {
    #[serde(flatten)]
    config: &'a crate::config::SiteConfig,
    base_path: &'a str,
}

/// A menu link to a top-level page (`menu`).
#[derive(Debug, Serialize)]
pub(crate) struct MenuLink<'a> {
    title: &'a str,
    path: &'a str,
}

/// Where rendered files go, one call per file, from many threads at once.
pub(crate) type Sink<'a> = dyn Fn(&Rendered) -> Result<()> + Sync + 'a;

/// What rendering reads besides the model: the rendered bodies (by source index), the
/// comment threads of the pages being rendered, and the newest comments for the feed.
#[derive(Debug)]
pub(crate) struct Inputs<'a> {
    /// Rendered Markdown by source index; present for every page a job shows.
    pub bodies: &'a [Option<PageBody>],
    /// Approved comments of the pages being rendered, and of the posts in the comments feed.
    pub threads: &'a Threads,
    /// How many top-level comments each thread has, by post key.
    pub top_level: &'a TopLevel,
    /// The page of its thread each comment of the comments feed is on, by comment id.
    pub feed_pages: &'a rustc_hash::FxHashMap<i64, usize>,
    /// Whether comments of one shape are filled into one rendering of the comment component
    /// (true for quill's own `partials/comments.html`) rather than each rendered by Tera.
    pub fill_comments: bool,
    /// Approved webmentions, by post.
    pub mentions: &'a Mentions,
    /// The newest approved comments, newest first: (post slug, comment).
    pub latest: &'a [CommentRecord],
}

/// The templates with what every file sees (`config`, `menu`), ready for [`render_jobs`].
pub(crate) fn prepare<'t>(site: &Site, tera: &'t mut Tera) -> &'t Tera {
    let config_view = ConfigView {
        config: &site.config,
        base_path: site.config.base_path(),
    };
    let menu = menu(site);
    let globals = tera.global_context();
    globals.insert("config", &config_view);
    globals.insert("menu", &menu);
    tera
}

/// Renders the given jobs and hands each file to `sink` as soon as it is ready, so the whole
/// output never sits in memory; ticks `progress` for each.
pub(crate) fn render_jobs(
    site: &Site,
    jobs: &[&Job<'_>],
    inputs: &Inputs<'_>,
    tera: &Tera,
    progress: &dyn Progress,
    sink: &Sink<'_>,
) -> Result<()> {
    jobs.par_iter().try_for_each(|job| {
        sink(&render_job(site, inputs, tera, job)?)?;
        progress.tick();
        Ok::<(), anyhow::Error>(())
    })
}

/// The top-level pages, as `menu` in templates.
pub(crate) fn menu(site: &Site) -> Vec<MenuLink<'_>> {
    site.pages
        .iter()
        .filter(|p| {
            p.path
                .trim_start_matches(site.config.base_path())
                .matches('/')
                .count()
                == 2
        })
        .map(|p| MenuLink {
            title: &p.title,
            path: &p.path,
        })
        .collect()
}

/// A page with its rendered body, as templates see it.
#[derive(Debug, Serialize)]
struct FullPage<'a> {
    #[serde(flatten)]
    data: &'a PageData,
    #[serde(flatten)]
    body: &'a PageBody,
    /// The approved comments on it; not given on the later pages of a thread, so that a new
    /// comment changes only the pages that show it (and the post's, which counts them).
    #[serde(skip_serializing_if = "Option::is_none")]
    comment_count: Option<usize>,
}

/// What a list's feed template reads: its posts, newest change, title, and the absolute URLs
/// of the feed and of the page it is the feed of.
fn feed_context<'a>(
    context: &mut tera::Context,
    inputs: &Inputs<'a>,
    posts: impl Iterator<Item = &'a PageData>,
    title: &str,
    (url, home): (&str, &str),
) -> Result<()> {
    let posts: Vec<FullPage<'_>> = posts.map(|p| full(inputs, p)).collect::<Result<_>>()?;
    let last_updated = posts
        .iter()
        .filter_map(|p| p.data.updated.as_deref().or(p.data.date.as_deref()))
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    context.insert("posts", &posts);
    context.insert("last_updated", &last_updated);
    context.insert("feed_title", title);
    context.insert("feed_url", url);
    context.insert("feed_home", home);
    Ok(())
}

fn full<'a>(inputs: &Inputs<'a>, page: &'a PageData) -> Result<FullPage<'a>> {
    match inputs.bodies.get(page.source).and_then(Option::as_ref) {
        Some(body) => Ok(FullPage {
            data: page,
            body,
            comment_count: Some(page.comment_count),
        }),
        None => Err(anyhow!(
            "internal error: the body of {} was not rendered (run `quill build --full`)",
            page.path
        )),
    }
}

fn render_job(site: &Site, inputs: &Inputs<'_>, tera: &Tera, job: &Job<'_>) -> Result<Rendered> {
    let config = &site.config;
    let mut context = Context::new();
    let site_path = job.site_path(site);
    let feed_url = config.permalink(&site_path);
    let template = match job {
        Job::Post(page) | Job::Page(page) => {
            context.insert("page", &page_view(site, inputs, tera, page, 1)?);
            if matches!(job, Job::Post(_)) {
                "post.html"
            } else {
                "page.html"
            }
        }
        Job::Comments { page, index, .. } => {
            context.insert("page", &page_view(site, inputs, tera, page, *index)?);
            "comments_page.html"
        }
        Job::Listing {
            tag,
            posts,
            index,
            count,
        } => {
            let base = listing_base(*tag);
            let paginator = Paginator::new(
                inputs,
                config,
                &base,
                posts,
                (*index, *count),
                if tag.is_some() {
                    config.paginate_by
                } else {
                    site.home_paginate_by
                },
                tag.map_or(site.home.len(), |t| t.count),
            )?;
            context.insert("paginator", &paginator);
            match tag {
                Some(tag) if tag.taxonomy == TAGS => {
                    context.insert("tag", tag);
                    "tag.html"
                }
                Some(term) => {
                    context.insert("term", term);
                    if let Some(taxonomy) = site.taxonomies.iter().find(|t| t.name == term.taxonomy)
                    {
                        context.insert("taxonomy", taxonomy);
                    }
                    "term.html"
                }
                None => "index.html",
            }
        }
        Job::Section {
            section,
            pages,
            index,
            count,
        } => {
            let paginator = Paginator::new(
                inputs,
                config,
                &section.site_path,
                pages,
                (*index, *count),
                section.paginate_by,
                section.count,
            )?;
            context.insert("paginator", &paginator);
            context.insert("section", section);
            section.template.as_str()
        }
        Job::Tags => {
            context.insert("tags", &site.tags);
            "tags.html"
        }
        Job::Taxonomy(taxonomy) => {
            context.insert("taxonomy", taxonomy);
            "taxonomy.html"
        }
        Job::LanguageHome {
            language,
            posts,
            index,
            count,
        } => {
            let paginator = Paginator::new(
                inputs,
                config,
                &language.site_path,
                posts,
                (*index, *count),
                config.paginate_by,
                language.posts.len(),
            )?;
            context.insert("paginator", &paginator);
            context.insert("language", language);
            "index.html"
        }
        Job::LanguageFeed(language) => {
            let posts = jobs::language_feed_posts(site, language);
            let title = &config.for_language(&language.code).title;
            feed_context(
                &mut context,
                inputs,
                posts,
                title,
                (&feed_url, &language.permalink),
            )?;
            "atom.xml"
        }
        Job::TermFeed(term) => {
            let posts = jobs::term_feed_posts(site, term);
            let title = format!("{} · {}", site.config.title, term.name);
            feed_context(
                &mut context,
                inputs,
                posts,
                &title,
                (&feed_url, &term.permalink),
            )?;
            "atom.xml"
        }
        Job::TaxonomyFeed {
            name,
            terms,
            site_path: list,
        } => {
            let posts = jobs::taxonomy_feed_posts(site, terms);
            let title = format!("{} · {name}", site.config.title);
            let home = config.permalink(list);
            feed_context(&mut context, inputs, posts, &title, (&feed_url, &home))?;
            "atom.xml"
        }
        Job::SectionFeed(section) => {
            let posts = jobs::section_feed_posts(site, section);
            let title = format!("{} · {}", site.config.title, section.title);
            feed_context(
                &mut context,
                inputs,
                posts,
                &title,
                (&feed_url, &section.permalink),
            )?;
            "atom.xml"
        }
        Job::Feed => {
            context.insert("feed_title", &site.config.title);
            context.insert("feed_url", &config.permalink(&site_path));
            context.insert("feed_home", &config.permalink("/"));
            let posts: Vec<FullPage<'_>> = site
                .feed_posts()
                .map(|p| full(inputs, p))
                .collect::<Result<_>>()?;
            let last_updated = site.last_change().unwrap_or("1970-01-01T00:00:00Z");
            context.insert("posts", &posts);
            context.insert("last_updated", &last_updated);
            "atom.xml"
        }
        Job::Sitemap(later_pages) => {
            context.insert("entries", &sitemap_entries(site, later_pages));
            "sitemap.xml"
        }
        Job::Robots => "robots.txt",
        Job::CommentsFeed => {
            let entries = comment_feed_entries(site, inputs.feed_pages, inputs.latest);
            let last_updated = entries.first().map_or_else(
                || "1970-01-01T00:00:00Z".to_string(),
                |e| e.comment.timestamp.clone(),
            );
            context.insert("entries", &entries);
            context.insert("last_updated", &last_updated);
            "comments.xml"
        }
        Job::NotFound => "404.html",
        Job::Style => {
            context.insert("highlight_css", &highlight_css(&config.markdown));
            "style.css"
        }
        Job::Alias { target, .. } => {
            context.insert("target", target);
            "alias.html"
        }
    };
    // A page in another language sees the site as that language has it: its `lang`, title
    // and description.
    let lang = match job {
        Job::Post(page) | Job::Page(page) | Job::Comments { page, .. } if page.translated => {
            Some(page.lang.as_str())
        }
        Job::Section { section, .. } => section.lang.as_deref(),
        Job::LanguageHome { language, .. } | Job::LanguageFeed(language) => {
            Some(language.code.as_str())
        }
        _ => None,
    };
    if let Some(lang) = lang {
        let translated = config.for_language(lang);
        context.insert(
            "config",
            &ConfigView {
                config: &translated,
                base_path: config.base_path(),
            },
        );
    }
    context.insert("current_path", &config.site_path(&site_path));
    context.insert("current_url", &config.permalink(&site_path));
    let text = tera.render(template, &context).map_err(|e| {
        anyhow!(
            "failed to render {site_path} with {}/{template}:\n{}",
            templates::TEMPLATES_DIR,
            templates::describe(&e)
        )
    })?;
    Ok(Rendered {
        path: jobs::file_for(&site_path),
        bytes: text.into_bytes(),
    })
}

/// The code palette's CSS for `style.css`: none when highlighting is off or the site styles
/// code itself (`highlight_theme = "none"`).
fn highlight_css(markdown: &crate::config::MarkdownConfig) -> String {
    if !markdown.highlight {
        return String::new();
    }
    crate::highlight::palette(&markdown.highlight_theme).unwrap_or_default()
}

/// A post or page with one page of its comment thread (the replies sent as webmentions
/// among its comments), as `page` in `post.html`, `page.html` and `comments_page.html`.
#[derive(Debug, Serialize)]
struct PageView<'a> {
    #[serde(flatten)]
    page: FullPage<'a>,
    comments: Vec<thread::RenderedComment>,
    mentions: PostMentions,
    comment_pages: CommentPages,
}

/// Where a page of a thread stands among the thread's pages (`page.comment_pages`): paths
/// with the base path, as links want them.
#[derive(Debug, Serialize)]
struct CommentPages {
    /// 1-based: 1 on the post's own page.
    current: usize,
    /// Number of pages; 1 when the thread fits on the post's page.
    count: usize,
    /// Every page's path, the post's first.
    paths: Vec<String>,
    previous: Option<String>,
    next: Option<String>,
}

/// The replies from other sites from `start` (the time and id of a page's first comment;
/// from the first with none) up to `end` (the next page's; to the last with none). They are
/// in the order [`among`] places them in.
fn mentions_between(
    replies: &[crate::comments::mentions::MentionReply],
    start: Option<(String, i64)>,
    end: Option<(String, i64)>,
) -> &[crate::comments::mentions::MentionReply] {
    let at = |bound: &Option<(String, i64)>, default: usize| {
        bound.as_ref().map_or(default, |(time, id)| {
            replies.partition_point(|r| (r.timestamp.as_str(), r.id) < (time.as_str(), *id))
        })
    };
    let (from, to) = (at(&start, 0), at(&end, replies.len()));
    &replies[from..to.max(from)]
}

/// A digest of what page `index` of the thread of `page` shows from the store: its comments
/// (see [`Threads::page_digest`](crate::comments::thread::Threads::page_digest)) and the
/// post's webmentions, which every page of the thread shows some of.
pub(crate) fn thread_digest(
    site: &Site,
    inputs: &Inputs<'_>,
    page: &PageData,
    index: usize,
) -> Result<u128> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let per_page = site.config.comments.per_page;
    let digest = inputs.threads.page_digest(&page.key, index, per_page);
    hasher.update(&digest.to_le_bytes());
    hasher.update(&serde_json::to_vec(&inputs.mentions.for_post(&page.key))?);
    Ok(hasher.digest128())
}

/// The view of `page` showing page `index` of its thread.
fn page_view<'a>(
    site: &Site,
    inputs: &Inputs<'a>,
    tera: &Tera,
    page: &'a PageData,
    index: usize,
) -> Result<PageView<'a>> {
    let comments = &site.config.comments;
    let per_page = comments.per_page;
    let form_open =
        page.comments_open && comments.endpoint.as_deref().is_some_and(|e| !e.is_empty());
    let count = jobs::thread_pages(site, inputs.top_level, page);
    let paths: Vec<String> = (1..=count)
        .map(|i| crate::comments::paging::page_path(&page.path, i))
        .collect();
    let mentions = inputs.mentions.for_post(&page.key);
    // The replies from other sites go on the page whose comments their dates fall among.
    let bound =
        |i: usize| (1 < i && i <= count).then(|| inputs.threads.page_start(&page.key, i, per_page));
    let replies = mentions_between(
        &mentions.replies,
        bound(index).flatten(),
        bound(index + 1).flatten(),
    );
    let mut full_page = full(inputs, page)?;
    if index > 1 {
        full_page.comment_count = None;
    }
    Ok(PageView {
        page: full_page,
        comments: thread::render(
            tera,
            among(inputs.threads.page(&page.key, index, per_page), replies),
            form_open,
            inputs.fill_comments,
        )?,
        mentions,
        comment_pages: CommentPages {
            current: index,
            count,
            previous: (index > 1).then(|| paths[index - 2].clone()),
            next: paths.get(index).cloned(),
            paths,
        },
    })
}

/// One entry of `comments.xml`.
#[derive(Debug, Serialize)]
struct CommentFeedEntry<'a> {
    comment: CommentNode,
    post_title: &'a str,
    post_permalink: &'a str,
    /// The comment's own address: on the page of its thread that shows it.
    permalink: String,
}

/// The latest approved comments on existing posts, newest first; only those shown are
/// rendered.
fn comment_feed_entries<'a>(
    site: &'a Site,
    pages: &rustc_hash::FxHashMap<i64, usize>,
    latest: &[CommentRecord],
) -> Vec<CommentFeedEntry<'a>> {
    let posts: rustc_hash::FxHashMap<&str, &PageData> =
        site.posts.iter().map(|p| (p.key.as_str(), p)).collect();
    let config = &site.config;
    latest
        .iter()
        .filter_map(|record| {
            posts.get(record.post.as_str()).map(|post| {
                let index = pages.get(&record.id).copied().unwrap_or(1);
                let path = post.path.trim_start_matches(config.base_path());
                let comment = node(record, config.comments.avatars);
                let permalink = format!(
                    "{}#{}",
                    config.permalink(&crate::comments::paging::page_path(path, index)),
                    comment.anchor
                );
                CommentFeedEntry {
                    comment,
                    post_title: &post.title,
                    post_permalink: &post.permalink,
                    permalink,
                }
            })
        })
        .take(site.config.feed_limit)
        .collect()
}

#[derive(Debug, Serialize)]
struct SitemapEntry<'a> {
    permalink: String,
    lastmod: Option<&'a str>,
}

fn sitemap_entries<'a>(site: &'a Site, later_pages: &[String]) -> Vec<SitemapEntry<'a>> {
    let config = &site.config;
    let mut entries = vec![SitemapEntry {
        permalink: config.permalink("/"),
        lastmod: None,
    }];
    for page in site.posts.iter().chain(&site.pages).filter(|p| p.render) {
        entries.push(SitemapEntry {
            permalink: page.permalink.clone(),
            lastmod: page.updated.as_deref().or(page.date.as_deref()),
        });
    }
    entries.extend(later_pages.iter().map(|path| SitemapEntry {
        permalink: config.permalink(path),
        lastmod: None,
    }));
    entries.push(SitemapEntry {
        permalink: config.permalink("/tags/"),
        lastmod: None,
    });
    entries.extend(site.tags.iter().map(|t| SitemapEntry {
        permalink: t.permalink.clone(),
        lastmod: None,
    }));
    entries.extend(site.languages.iter().map(|l| SitemapEntry {
        permalink: l.permalink.clone(),
        lastmod: None,
    }));
    for taxonomy in &site.taxonomies {
        entries.push(SitemapEntry {
            permalink: taxonomy.permalink.clone(),
            lastmod: None,
        });
        entries.extend(taxonomy.terms.iter().map(|t| SitemapEntry {
            permalink: t.permalink.clone(),
            lastmod: None,
        }));
    }
    entries.extend(site.sections.iter().map(|s| SitemapEntry {
        permalink: s.permalink.clone(),
        lastmod: None,
    }));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comments::mentions::{MentionPerson, MentionReply};

    fn reply(id: i64, minute: u32) -> MentionReply {
        MentionReply {
            author: MentionPerson {
                name: format!("m{id}"),
                initials: "M".into(),
                url: None,
                photo: None,
                source: "https://elsewhere.example/a".into(),
            },
            content: "Nice.".into(),
            timestamp: format!("2024-01-01T00:{minute:02}:00Z"),
            date: "1 January 2024".into(),
            anchor: format!("mention-{id}"),
            source_host: "elsewhere.example".into(),
            id,
        }
    }

    #[test]
    fn mention_replies_go_on_the_page_their_dates_fall_on() {
        let replies = [reply(1, 5), reply(2, 15), reply(3, 15), reply(9, 40)];
        let ids = |r: &[MentionReply]| r.iter().map(|r| r.id).collect::<Vec<_>>();
        let at = |minute: u32, id: i64| Some((format!("2024-01-01T00:{minute:02}:00Z"), id));
        // Pages starting at minute 0, at 15 (comment 3, after reply 2) and at 30.
        assert_eq!(ids(mentions_between(&replies, None, at(15, 3))), [1, 2]);
        assert_eq!(ids(mentions_between(&replies, at(15, 3), at(30, 7))), [3]);
        assert_eq!(ids(mentions_between(&replies, at(30, 7), None)), [9]);
        assert_eq!(ids(mentions_between(&replies, None, None)), [1, 2, 3, 9]);
    }
}
