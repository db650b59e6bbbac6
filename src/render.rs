//! Rendering: the site model becomes a flat list of jobs (one output file each), rendered in
//! parallel with rayon from templates compiled once. Nothing here mutates the model.

use anyhow::{Result, anyhow};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::build::Progress;
use crate::comments::thread::{CommentNode, Threads};
use crate::site::{PageData, Site, Tag};
use crate::templates;

/// One output file to render.
#[derive(Debug)]
enum Job<'a> {
    Post(&'a PageData),
    Page(&'a PageData),
    Listing {
        tag: Option<&'a Tag>,
        posts: Vec<&'a PageData>,
        index: usize,
        count: usize,
    },
    Tags,
    Feed,
    Sitemap,
    Robots,
    CommentsFeed,
    NotFound,
    Style,
    Alias {
        from: &'a str,
        target: &'a str,
    },
}

/// A rendered file: where it goes (relative to the output root) and its bytes.
#[derive(Debug)]
pub struct Rendered {
    /// `/`-separated path under the output root.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

/// Pagination data for listing templates (`paginator`).
#[derive(Debug, Serialize)]
struct Paginator<'a> {
    pages: &'a [&'a PageData],
    current_index: usize,
    number_pagers: usize,
    paginate_by: usize,
    total_pages: usize,
    first: String,
    last: String,
    previous: Option<String>,
    next: Option<String>,
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
struct MenuLink<'a> {
    title: &'a str,
    path: &'a str,
}

/// Where rendered files go, one call per file, from many threads at once.
pub type Sink<'a> = dyn Fn(&Rendered) -> Result<()> + Sync + 'a;

/// Renders every file of the site and hands each to `sink` as soon as it is ready, so the
/// whole output never sits in memory; returns the number of files.
pub fn render_site(
    site: &Site,
    threads: &Threads,
    tera: &mut Tera,
    progress: &dyn Progress,
    sink: &Sink<'_>,
) -> Result<usize> {
    let config_view = ConfigView {
        config: &site.config,
        base_path: site.config.base_path(),
    };
    let menu: Vec<MenuLink<'_>> = site
        .pages
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
        .collect();
    let globals = tera.global_context();
    globals.insert("config", &config_view);
    globals.insert("menu", &menu);
    let tera = &*tera;
    let jobs = jobs(site);
    progress.start(jobs.len());
    jobs.par_iter().try_for_each(|job| {
        sink(&render_job(site, threads, tera, job)?)?;
        progress.tick();
        Ok::<(), anyhow::Error>(())
    })?;
    Ok(jobs.len())
}

fn jobs(site: &Site) -> Vec<Job<'_>> {
    let mut jobs: Vec<Job<'_>> = Vec::new();
    jobs.extend(site.posts.iter().map(Job::Post));
    jobs.extend(site.pages.iter().map(Job::Page));
    let all: Vec<&PageData> = site.posts.iter().collect();
    push_listing(&mut jobs, None, all, site.config.paginate_by);
    for tag in &site.tags {
        let posts = tag.posts.iter().map(|&i| &site.posts[i]).collect();
        push_listing(&mut jobs, Some(tag), posts, site.config.paginate_by);
    }
    jobs.extend([
        Job::Tags,
        Job::Feed,
        Job::Sitemap,
        Job::Robots,
        Job::NotFound,
        Job::Style,
    ]);
    if site.config.comments.enabled {
        jobs.push(Job::CommentsFeed);
    }
    jobs.extend(
        site.aliases
            .iter()
            .map(|(from, target)| Job::Alias { from, target }),
    );
    jobs
}

fn push_listing<'a>(
    jobs: &mut Vec<Job<'a>>,
    tag: Option<&'a Tag>,
    posts: Vec<&'a PageData>,
    per_page: usize,
) {
    let count = posts.len().div_ceil(per_page).max(1);
    let mut chunks: Vec<Vec<&PageData>> = posts.chunks(per_page).map(<[_]>::to_vec).collect();
    if chunks.is_empty() {
        chunks.push(Vec::new());
    }
    for (i, posts) in chunks.into_iter().enumerate() {
        jobs.push(Job::Listing {
            tag,
            posts,
            index: i + 1,
            count,
        });
    }
}

/// The site path of listing page `index` under `base` (`/` or `/tags/x/`).
fn listing_path(base: &str, index: usize) -> String {
    if index == 1 {
        base.to_string()
    } else {
        format!("{base}page/{index}/")
    }
}

/// The output file for a site path: `/posts/a/` is `posts/a/index.html`.
fn file_for(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

fn render_job(site: &Site, threads: &Threads, tera: &Tera, job: &Job<'_>) -> Result<Rendered> {
    let config = &site.config;
    let mut context = Context::new();
    let (template, site_path): (&str, String) = match job {
        Job::Post(page) | Job::Page(page) => {
            context.insert(
                "page",
                &PageView {
                    page,
                    comments: threads.for_post(&page.slug),
                },
            );
            let template = if matches!(job, Job::Post(_)) {
                "post.html"
            } else {
                "page.html"
            };
            (
                template,
                page.path.trim_start_matches(config.base_path()).to_string(),
            )
        }
        Job::Listing {
            tag,
            posts,
            index,
            count,
        } => {
            let base = tag.map_or_else(|| "/".to_string(), |t| format!("/tags/{}/", t.slug));
            let at = |i: usize| config.site_path(&listing_path(&base, i));
            let paginator = Paginator {
                pages: posts,
                current_index: *index,
                number_pagers: *count,
                paginate_by: config.paginate_by,
                total_pages: tag.map_or(site.posts.len(), |t| t.count),
                first: at(1),
                last: at(*count),
                previous: (*index > 1).then(|| at(index - 1)),
                next: (index < count).then(|| at(index + 1)),
            };
            context.insert("paginator", &paginator);
            match tag {
                Some(tag) => {
                    context.insert("tag", tag);
                    ("tag.html", listing_path(&base, *index))
                }
                None => ("index.html", listing_path(&base, *index)),
            }
        }
        Job::Tags => {
            context.insert("tags", &site.tags);
            ("tags.html", "/tags/".to_string())
        }
        Job::Feed => {
            let posts: Vec<&PageData> = site.posts.iter().take(config.feed_limit).collect();
            let last_updated = site
                .posts
                .iter()
                .filter_map(|p| p.updated.as_ref().or(p.date.as_ref()))
                .max()
                .cloned()
                .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
            context.insert("posts", &posts);
            context.insert("last_updated", &last_updated);
            ("atom.xml", "/atom.xml".to_string())
        }
        Job::Sitemap => {
            context.insert("entries", &sitemap_entries(site));
            ("sitemap.xml", "/sitemap.xml".to_string())
        }
        Job::Robots => ("robots.txt", "/robots.txt".to_string()),
        Job::CommentsFeed => {
            let entries = comment_feed_entries(site, threads);
            let last_updated = entries.first().map_or_else(
                || "1970-01-01T00:00:00Z".to_string(),
                |e| e.comment.timestamp.clone(),
            );
            context.insert("entries", &entries);
            context.insert("last_updated", &last_updated);
            ("comments.xml", "/comments.xml".to_string())
        }
        Job::NotFound => ("404.html", "/404.html".to_string()),
        Job::Style => ("style.css", "/style.css".to_string()),
        Job::Alias { from, target } => {
            context.insert("target", target);
            ("alias.html", from.to_string())
        }
    };
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
        path: file_for(&site_path),
        bytes: text.into_bytes(),
    })
}

/// A post or page with its comment thread, as `page` in `post.html` and `page.html`.
#[derive(Debug, Serialize)]
struct PageView<'a> {
    #[serde(flatten)]
    page: &'a PageData,
    comments: &'a [CommentNode],
}

/// One entry of `comments.xml`.
#[derive(Debug, Serialize)]
struct CommentFeedEntry<'a> {
    comment: &'a CommentNode,
    post_title: &'a str,
    post_permalink: &'a str,
}

/// The latest approved comments on existing posts, newest first.
fn comment_feed_entries<'a>(site: &'a Site, threads: &'a Threads) -> Vec<CommentFeedEntry<'a>> {
    let posts: std::collections::HashMap<&str, &PageData> =
        site.posts.iter().map(|p| (p.slug.as_str(), p)).collect();
    threads
        .latest()
        .iter()
        .filter_map(|(slug, comment)| {
            posts.get(slug.as_str()).map(|post| CommentFeedEntry {
                comment,
                post_title: &post.title,
                post_permalink: &post.permalink,
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

fn sitemap_entries(site: &Site) -> Vec<SitemapEntry<'_>> {
    let config = &site.config;
    let mut entries = vec![SitemapEntry {
        permalink: config.permalink("/"),
        lastmod: None,
    }];
    for page in site.posts.iter().chain(&site.pages) {
        entries.push(SitemapEntry {
            permalink: page.permalink.clone(),
            lastmod: page.updated.as_deref().or(page.date.as_deref()),
        });
    }
    entries.push(SitemapEntry {
        permalink: config.permalink("/tags/"),
        lastmod: None,
    });
    entries.extend(site.tags.iter().map(|t| SitemapEntry {
        permalink: t.permalink.clone(),
        lastmod: None,
    }));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_files() {
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(file_for("/posts/a/"), "posts/a/index.html");
        assert_eq!(file_for("/atom.xml"), "atom.xml");
        assert_eq!(listing_path("/", 1), "/");
        assert_eq!(listing_path("/", 3), "/page/3/");
        assert_eq!(listing_path("/tags/rust/", 2), "/tags/rust/page/2/");
    }
}
