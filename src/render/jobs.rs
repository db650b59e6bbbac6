//! The job list: one job per output file, where each goes, and what each reads, so that a
//! build can tell which files could have changed since the last one without rendering them.

use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::Xxh3;

use crate::comments::paging;
use crate::content::Source;
use crate::site::{Language, Member, PageData, Section, Site, Tag, Taxonomy};

/// One output file to render.
#[derive(Debug)]
pub(crate) enum Job<'a> {
    /// A post's page.
    Post(&'a PageData),
    /// A standalone page.
    Page(&'a PageData),
    /// A later page of a post's comment thread: `<post>/comments/2/`.
    Comments {
        /// The post the thread is under.
        page: &'a PageData,
        /// 1-based page of the thread, 2 or more (the first is the post's own page).
        index: usize,
        /// Number of pages of the thread.
        count: usize,
    },
    /// One page of the index or of a term's listing (a tag's, a category's, ...).
    Listing {
        /// The term, or `None` for the index.
        tag: Option<&'a Tag>,
        /// The posts on this page.
        posts: Vec<&'a PageData>,
        /// 1-based page number.
        index: usize,
        /// Number of pages.
        count: usize,
    },
    /// One page of a section's listing.
    Section {
        /// The section.
        section: &'a Section,
        /// The pages on this page.
        pages: Vec<&'a PageData>,
        /// 1-based page number.
        index: usize,
        /// Number of pages.
        count: usize,
    },
    /// One page of a language's home listing: `/es/`, `/es/page/2/`.
    LanguageHome {
        /// The language.
        language: &'a Language,
        /// The posts on this page.
        posts: Vec<&'a PageData>,
        /// 1-based page number.
        index: usize,
        /// Number of pages.
        count: usize,
    },
    /// A language's feed: `/es/atom.xml`.
    LanguageFeed(&'a Language),
    /// `/tags/`.
    Tags,
    /// The list page of a taxonomy other than tags: `/categories/`.
    Taxonomy(&'a Taxonomy),
    /// The Atom feed of a term whose taxonomy has feeds.
    TermFeed(&'a Tag),
    /// The Atom feed of a section that has one: its posts.
    SectionFeed(&'a Section),
    /// The Atom feed of a taxonomy's list page (`/tags/index.xml`), as Hugo publishes one for
    /// every list: the posts that have any of its terms.
    TaxonomyFeed {
        /// The taxonomy's name (`tags`).
        name: &'a str,
        /// Its list page's site path (`/tags/`).
        site_path: &'a str,
        /// Its terms.
        terms: &'a [Tag],
    },
    /// `/atom.xml`.
    Feed,
    /// `/sitemap.xml`, with the paths of the later pages of every thread.
    Sitemap(Vec<String>),
    /// `/robots.txt`.
    Robots,
    /// `/comments.xml`.
    CommentsFeed,
    /// `/404.html`.
    NotFound,
    /// `/style.css`.
    Style,
    /// A redirect page from an old path.
    Alias {
        /// The old path.
        from: &'a str,
        /// The absolute URL it redirects to.
        target: &'a str,
    },
}

/// How many top-level comments each post's (or page's) thread has, by key: what paging a
/// thread depends on. A key that is missing has none.
pub(crate) type TopLevel = FxHashMap<String, usize>;

/// How many pages the thread of `page` takes.
pub(crate) fn thread_pages(site: &Site, top_level: &TopLevel, page: &PageData) -> usize {
    let count = top_level.get(&page.key).copied().unwrap_or(0);
    paging::page_count(count, site.config.comments.per_page)
}

/// Every output file of the site, in a fixed order.
pub(crate) fn jobs<'a>(site: &'a Site, top_level: &TopLevel) -> Vec<Job<'a>> {
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let mut later_pages = Vec::new();
    let comments = site.config.comments.enabled;
    // Only posts show their threads (`page.html` has none), so only posts have later pages.
    for page in site.posts.iter().filter(|p| p.render) {
        jobs.push(Job::Post(page));
        let count = if comments {
            thread_pages(site, top_level, page)
        } else {
            1
        };
        for index in 2..=count {
            jobs.push(Job::Comments { page, index, count });
            later_pages.push(paging::page_path(
                page.path.trim_start_matches(site.config.base_path()),
                index,
            ));
        }
    }
    jobs.extend(site.pages.iter().filter(|p| p.render).map(Job::Page));
    let home: Vec<&PageData> = site.home.iter().map(|&i| &site.posts[i]).collect();
    push_listing(&mut jobs, None, home, site.home_paginate_by);
    for section in &site.sections {
        let pages: Vec<&PageData> = section
            .members
            .iter()
            .map(|m| match *m {
                Member::Post(i) => &site.posts[i],
                Member::Page(i) => &site.pages[i],
            })
            .collect();
        let per_page = section.paginate_by;
        let count = pages.len().div_ceil(per_page).max(1);
        for index in 1..=count {
            let start = (index - 1) * per_page;
            jobs.push(Job::Section {
                section,
                pages: pages[start.min(pages.len())..(start + per_page).min(pages.len())].to_vec(),
                index,
                count,
            });
        }
        if section.feed {
            jobs.push(Job::SectionFeed(section));
        }
    }
    let tag_feeds = site
        .config
        .taxonomies
        .get(crate::site::taxonomies::TAGS)
        .is_some_and(|t| t.feed);
    // Hugo publishes a feed for every list page, a taxonomy's own included.
    let list_feeds = site.config.permalinks.style == crate::content::permalink::Style::Hugo;
    for tag in &site.tags {
        let posts = tag.posts.iter().map(|&i| &site.posts[i]).collect();
        push_listing(&mut jobs, Some(tag), posts, site.config.paginate_by);
        if tag_feeds {
            jobs.push(Job::TermFeed(tag));
        }
    }
    if tag_feeds && list_feeds && !site.tags.is_empty() {
        jobs.push(Job::TaxonomyFeed {
            name: crate::site::taxonomies::TAGS,
            site_path: "/tags/",
            terms: &site.tags,
        });
    }
    for taxonomy in &site.taxonomies {
        jobs.push(Job::Taxonomy(taxonomy));
        if taxonomy.feed && list_feeds && !taxonomy.terms.is_empty() {
            jobs.push(Job::TaxonomyFeed {
                name: &taxonomy.name,
                site_path: &taxonomy.site_path,
                terms: &taxonomy.terms,
            });
        }
        for term in &taxonomy.terms {
            let posts = term.posts.iter().map(|&i| &site.posts[i]).collect();
            push_listing(&mut jobs, Some(term), posts, site.config.paginate_by);
            if taxonomy.feed {
                jobs.push(Job::TermFeed(term));
            }
        }
    }
    for language in &site.languages {
        let posts: Vec<&PageData> = language.posts.iter().map(|&i| &site.posts[i]).collect();
        let per_page = site.config.paginate_by;
        let count = posts.len().div_ceil(per_page).max(1);
        for index in 1..=count {
            let start = ((index - 1) * per_page).min(posts.len());
            let end = (start + per_page).min(posts.len());
            jobs.push(Job::LanguageHome {
                language,
                posts: posts[start..end].to_vec(),
                index,
                count,
            });
        }
        jobs.push(Job::LanguageFeed(language));
    }
    jobs.extend([Job::Tags, Job::Feed, Job::Sitemap(later_pages), Job::Robots]);
    // A site's own 404 page (Jekyll's `404.md` with `permalink: /404.html`) replaces quill's.
    if !site
        .pages
        .iter()
        .any(|p| p.render && p.path == site.config.site_path("/404.html"))
    {
        jobs.push(Job::NotFound);
    }
    jobs.push(Job::Style);
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

impl<'a> Job<'a> {
    /// The post or page whose thread this job shows, if it shows one, and which page of it.
    pub(crate) fn thread_page(&self) -> Option<(&'a PageData, usize)> {
        match *self {
            Job::Post(page) | Job::Page(page) => Some((page, 1)),
            Job::Comments { page, index, .. } => Some((page, index)),
            _ => None,
        }
    }
}

impl Job<'_> {
    /// The site path it renders, without the base path.
    pub(crate) fn site_path(&self, site: &Site) -> String {
        match self {
            Job::Post(page) | Job::Page(page) => page
                .path
                .trim_start_matches(site.config.base_path())
                .to_string(),
            Job::Comments { page, index, .. } => paging::page_path(
                page.path.trim_start_matches(site.config.base_path()),
                *index,
            ),
            Job::Listing { tag, index, .. } => {
                listing_path(&listing_base(*tag), *index, &site.config.paginate_path)
            }
            Job::Section { section, index, .. } => {
                listing_path(&section.site_path, *index, &site.config.paginate_path)
            }
            Job::Tags => "/tags/".into(),
            Job::Feed => format!("/{}", site.config.feed_filename),
            Job::Taxonomy(taxonomy) => taxonomy.site_path.clone(),
            Job::LanguageHome {
                language, index, ..
            } => listing_path(&language.site_path, *index, &site.config.paginate_path),
            Job::LanguageFeed(language) => {
                format!("{}{}", language.site_path, site.config.feed_filename)
            }
            Job::TermFeed(term) => format!("{}{}", term.site_path, site.config.feed_filename),
            Job::SectionFeed(section) => {
                format!("{}{}", section.site_path, site.config.feed_filename)
            }
            Job::TaxonomyFeed { site_path, .. } => {
                format!("{site_path}{}", site.config.feed_filename)
            }
            Job::Sitemap(_) => "/sitemap.xml".into(),
            Job::Robots => "/robots.txt".into(),
            Job::CommentsFeed => "/comments.xml".into(),
            Job::NotFound => "/404.html".into(),
            Job::Style => "/style.css".into(),
            Job::Alias { from, .. } => from.to_string(),
        }
    }

    /// The output file, relative to the output root.
    pub(crate) fn file(&self, site: &Site) -> String {
        file_for(&self.site_path(site))
    }

    /// The posts and pages whose rendered bodies this job shows.
    pub(crate) fn bodies<'s>(&self, site: &'s Site) -> Vec<&'s PageData>
    where
        Self: 's,
    {
        match self {
            Job::Post(page) | Job::Page(page) | Job::Comments { page, .. } => vec![page],
            Job::Listing { posts, .. } => posts.clone(),
            Job::Section { pages, .. } => pages.clone(),
            Job::Feed => site.feed_posts().collect(),
            Job::TermFeed(term) => term_feed_posts(site, term).collect(),
            Job::SectionFeed(section) => section_feed_posts(site, section).collect(),
            Job::TaxonomyFeed { terms, .. } => taxonomy_feed_posts(site, terms).collect(),
            Job::LanguageHome { posts, .. } => posts.clone(),
            Job::LanguageFeed(language) => language_feed_posts(site, language).collect(),
            _ => Vec::new(),
        }
    }

    /// A digest of everything the job's output depends on beyond the site-wide inputs (config,
    /// templates, menu) already in `base`: the files of the posts it shows, their comment
    /// counts where it shows them, and how many pages a thread takes; not what the thread
    /// says, which the build adds for the pages that show one (their comment stamp while it
    /// plans, what the page shows of the thread once it is read). `None` for the comments
    /// feed, which is rendered every time (what it shows comes from the newest comments across
    /// the site). `urls` is a digest of every page's URL, which the pages that may link to
    /// others or call shortcodes depend on.
    pub(crate) fn key(
        &self,
        site: &Site,
        base: &Xxh3,
        sources: &[Source],
        top_level: &TopLevel,
        urls: u128,
    ) -> Option<u128> {
        let mut hasher = base.clone();
        let page_without_count = |hasher: &mut Xxh3, page: &PageData| {
            let source = &sources[page.source];
            hasher.update(source.file.to_string_lossy().as_bytes());
            // Builds read whole files, so every source has its digest.
            hasher.update(&source.digest.unwrap_or_default().to_le_bytes());
            // The other versions of a page come from other files.
            for t in &page.translations {
                for part in [&t.lang, &t.title, &t.path] {
                    hasher.update(part.as_bytes());
                    hasher.update(b"\0");
                }
            }
            if source.refers {
                hasher.update(&urls.to_le_bytes());
                // A figure reads its size from a file of the bundle.
                for (file, _) in &source.assets {
                    if let Ok(metadata) = std::fs::metadata(file) {
                        crate::content::Fingerprint::of(&metadata).hash_into(hasher);
                    }
                }
            }
        };
        let page = |hasher: &mut Xxh3, page: &PageData| {
            page_without_count(hasher, page);
            hasher.update(&page.comment_count.to_le_bytes());
        };
        // A feed of some posts: each of them, and the newest date among them (its <updated>).
        let feed = |hasher: &mut Xxh3, posts: Vec<&PageData>| {
            for p in &posts {
                page(hasher, p);
            }
            let newest = posts
                .iter()
                .filter_map(|p| p.updated.as_deref().or(p.date.as_deref()))
                .max();
            hasher.update(newest.unwrap_or("").as_bytes());
        };
        match self {
            Job::Post(p) | Job::Page(p) => {
                hasher.update(if matches!(self, Job::Post(_)) {
                    b"post"
                } else {
                    b"page"
                });
                page(&mut hasher, p);
                hasher.update(&thread_pages(site, top_level, p).to_le_bytes());
            }
            Job::Comments {
                page: p,
                index,
                count,
            } => {
                hasher.update(b"comments");
                hasher.update(&index.to_le_bytes());
                hasher.update(&count.to_le_bytes());
                page_without_count(&mut hasher, p);
            }
            Job::Listing {
                tag,
                posts,
                index,
                count,
            } => {
                hasher.update(b"listing");
                if let Some(tag) = tag {
                    hasher.update(tag.taxonomy.as_bytes());
                    hasher.update(b"\0");
                    hasher.update(tag.slug.as_bytes());
                    hasher.update(b"\0");
                    hasher.update(tag.name.as_bytes());
                    hasher.update(&tag.count.to_le_bytes());
                }
                hasher.update(&index.to_le_bytes());
                hasher.update(&count.to_le_bytes());
                hasher.update(&posts.len().to_le_bytes());
                for p in posts {
                    page(&mut hasher, p);
                }
            }
            Job::Section {
                section,
                pages,
                index,
                count,
            } => {
                hasher.update(b"section");
                let source = &sources[section.source];
                hasher.update(source.file.to_string_lossy().as_bytes());
                hasher.update(&source.digest.unwrap_or_default().to_le_bytes());
                hasher.update(&section.count.to_le_bytes());
                hasher.update(&index.to_le_bytes());
                hasher.update(&count.to_le_bytes());
                hasher.update(&pages.len().to_le_bytes());
                for p in pages {
                    page(&mut hasher, p);
                }
            }
            Job::Tags => {
                hasher.update(b"tags");
                for tag in &site.tags {
                    hasher.update(tag.slug.as_bytes());
                    hasher.update(b"\0");
                    hasher.update(tag.name.as_bytes());
                    hasher.update(&tag.count.to_le_bytes());
                }
            }
            Job::Taxonomy(taxonomy) => {
                hasher.update(b"taxonomy");
                hasher.update(taxonomy.name.as_bytes());
                for term in &taxonomy.terms {
                    hasher.update(b"\0");
                    hasher.update(term.slug.as_bytes());
                    hasher.update(b"\0");
                    hasher.update(term.name.as_bytes());
                    hasher.update(&term.count.to_le_bytes());
                }
            }
            Job::LanguageHome {
                language,
                posts,
                index,
                count,
            } => {
                hasher.update(b"language home");
                hasher.update(language.code.as_bytes());
                hasher.update(&language.posts.len().to_le_bytes());
                hasher.update(&index.to_le_bytes());
                hasher.update(&count.to_le_bytes());
                hasher.update(&posts.len().to_le_bytes());
                for p in posts {
                    page(&mut hasher, p);
                }
            }
            Job::LanguageFeed(language) => {
                hasher.update(b"language feed");
                hasher.update(language.code.as_bytes());
                feed(&mut hasher, language_feed_posts(site, language).collect());
            }
            Job::TermFeed(term) => {
                hasher.update(b"term feed");
                hasher.update(term.taxonomy.as_bytes());
                hasher.update(b"\0");
                hasher.update(term.slug.as_bytes());
                hasher.update(b"\0");
                hasher.update(term.name.as_bytes());
                feed(&mut hasher, term_feed_posts(site, term).collect());
            }
            Job::TaxonomyFeed { name, terms, .. } => {
                hasher.update(b"taxonomy feed");
                hasher.update(name.as_bytes());
                feed(&mut hasher, taxonomy_feed_posts(site, terms).collect());
            }
            Job::SectionFeed(section) => {
                hasher.update(b"section feed");
                hasher.update(section.folder.as_bytes());
                hasher.update(b"\0");
                hasher.update(section.title.as_bytes());
                feed(&mut hasher, section_feed_posts(site, section).collect());
            }
            Job::Feed => {
                hasher.update(b"feed");
                for p in site.feed_posts() {
                    page(&mut hasher, p);
                }
                // The feed's <updated> is the newest date of any post.
                hasher.update(site.last_change().unwrap_or("").as_bytes());
            }
            Job::Sitemap(later_pages) => {
                hasher.update(b"sitemap");
                for path in later_pages {
                    hasher.update(path.as_bytes());
                    hasher.update(b"\0");
                }
                hasher.update(b"\x01");
                for p in site.posts.iter().chain(&site.pages).filter(|p| p.render) {
                    hasher.update(p.permalink.as_bytes());
                    hasher.update(b"\0");
                    for date in [&p.updated, &p.date] {
                        hasher.update(date.as_deref().unwrap_or("").as_bytes());
                        hasher.update(b"\0");
                    }
                }
                for tag in &site.tags {
                    hasher.update(tag.permalink.as_bytes());
                    hasher.update(b"\0");
                }
                for section in &site.sections {
                    hasher.update(section.permalink.as_bytes());
                    hasher.update(b"\0");
                }
                for language in &site.languages {
                    hasher.update(language.permalink.as_bytes());
                    hasher.update(b"\0");
                }
                for taxonomy in &site.taxonomies {
                    hasher.update(taxonomy.permalink.as_bytes());
                    hasher.update(b"\0");
                    for term in &taxonomy.terms {
                        hasher.update(term.permalink.as_bytes());
                        hasher.update(b"\0");
                    }
                }
            }
            Job::Robots => hasher.update(b"robots"),
            Job::NotFound => hasher.update(b"404"),
            Job::Style => hasher.update(b"style"),
            Job::Alias { from, target } => {
                hasher.update(b"alias");
                hasher.update(from.as_bytes());
                hasher.update(b"\0");
                hasher.update(target.as_bytes());
            }
            Job::CommentsFeed => return None,
        }
        Some(hasher.digest128())
    }
}

/// Where a listing's pages live: `/`, or a term's page such as `/tags/<slug>/`.
pub(crate) fn listing_base(tag: Option<&Tag>) -> String {
    tag.map_or_else(|| "/".to_string(), |t| t.site_path.clone())
}

/// The posts a language's feed shows, newest first.
pub(crate) fn language_feed_posts<'s>(
    site: &'s Site,
    language: &'s Language,
) -> impl Iterator<Item = &'s PageData> {
    language
        .posts
        .iter()
        .map(|&i| &site.posts[i])
        .take(site.config.feed_limit)
}

/// The posts a term's feed shows, newest first.
pub(crate) fn term_feed_posts<'s>(
    site: &'s Site,
    term: &'s Tag,
) -> impl Iterator<Item = &'s PageData> {
    term.posts
        .iter()
        .map(|&i| &site.posts[i])
        .take(site.config.feed_limit)
}

/// The newest posts of a section, for its feed.
pub(crate) fn section_feed_posts<'s>(
    site: &'s Site,
    section: &'s Section,
) -> impl Iterator<Item = &'s PageData> {
    let posts = section.members.iter().filter_map(|m| match *m {
        Member::Post(i) => Some(i),
        Member::Page(_) => None,
    });
    newest_first(site, posts.collect())
}

/// The newest posts that have any of a taxonomy's terms, for its feed.
pub(crate) fn taxonomy_feed_posts<'s>(
    site: &'s Site,
    terms: &'s [Tag],
) -> impl Iterator<Item = &'s PageData> {
    newest_first(
        site,
        terms.iter().flat_map(|t| t.posts.iter().copied()).collect(),
    )
}

/// The posts at these indices, each once, newest first (`Site::posts` is in that order,
/// whatever order a section or a taxonomy lists them in), as many as a feed holds.
fn newest_first(site: &Site, mut posts: Vec<usize>) -> impl Iterator<Item = &PageData> {
    posts.sort_unstable();
    posts.dedup();
    posts
        .into_iter()
        .map(|i| &site.posts[i])
        .take(site.config.feed_limit)
}

/// The site path of listing page `index` under `base` (`/` or `/tags/x/`), with the site's
/// `paginate_path`: Zola's folder name (`page`: `/page/2/`) or Jekyll's pattern with `:num`
/// (`page:num`: `/page2/`).
pub(crate) fn listing_path(base: &str, index: usize, paginate_path: &str) -> String {
    if index == 1 {
        base.to_string()
    } else if paginate_path.contains(":num") {
        format!(
            "{base}{}/",
            paginate_path.replace(":num", &index.to_string())
        )
    } else {
        format!("{base}{paginate_path}/{index}/")
    }
}

/// The output file for a site path: `/posts/a/` is `posts/a/index.html`.
pub(crate) fn file_for(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_files() {
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(file_for("/posts/a/"), "posts/a/index.html");
        assert_eq!(file_for("/atom.xml"), "atom.xml");
        assert_eq!(listing_path("/", 1, "page"), "/");
        assert_eq!(listing_path("/", 3, "page"), "/page/3/");
        assert_eq!(listing_path("/tags/rust/", 2, "page"), "/tags/rust/page/2/");
        assert_eq!(listing_path("/", 2, "page:num"), "/page2/");
        assert_eq!(listing_path("/", 12, "seite"), "/seite/12/");
    }
}
