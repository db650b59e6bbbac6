//! The kinds of output file, each described once, by one implementation of [`Output`]: where
//! it goes, which template renders it, what its incremental key hashes, whose bodies it shows
//! and what its template reads. One file per family: `page.rs` (posts, pages and the later
//! pages of a thread), `listing.rs` (the paginated listings, with their shared paginator),
//! `terms.rs` (the lists of terms), `feed.rs` (the Atom feeds of posts, with their shared
//! context), `comments_feed.rs`, and `fixed.rs` (the sitemap, `robots.txt`, the 404 page, the
//! style sheet and the aliases).
//!
//! A new kind is a struct here implementing [`Output`], a variant of [`Job`] (the compiler
//! then asks for its one arm in `Job`'s dispatch), a push in `jobs::jobs` where it belongs in
//! the list, and its template.

mod comments_feed;
mod feed;
mod fixed;
mod listing;
mod page;
mod terms;

use anyhow::Result;
use tera::{Context, Tera};
use xxhash_rust::xxh3::Xxh3;

use super::{Inputs, TopLevel};
use crate::content::Source;
use crate::site::{PageData, Site};

pub(crate) use comments_feed::CommentsFeed;
pub(crate) use feed::{LanguageFeed, SectionFeed, SiteFeed, TaxonomyFeed, TermFeed};
pub(crate) use fixed::{Alias, NotFound, Robots, Sitemap, Style};
pub(crate) use listing::{LanguageHome, Listing, SectionPage, paginate};
pub(crate) use page::{Page, ThreadPage, thread_digest};
pub(crate) use terms::{TagList, TaxonomyList};

/// One output file to render, of any kind: the element of the job list. An enum of the kinds
/// rather than a `Box<dyn Output>`: no allocation per file, and a job list can be used beside
/// data that lives less long than the site (`dyn Output<'a>` is invariant in `'a`, which
/// would tie every borrow near a job to the site's life).
#[derive(Debug)]
pub(crate) enum Job<'a> {
    /// A post's page or a standalone page.
    Page(Page<'a>),
    /// A later page of a post's comment thread.
    ThreadPage(ThreadPage<'a>),
    /// A page of the index or of a term's listing.
    Listing(Listing<'a>),
    /// A page of a section's listing.
    SectionPage(SectionPage<'a>),
    /// A page of a language's home listing.
    LanguageHome(LanguageHome<'a>),
    /// `/tags/`.
    TagList(TagList),
    /// A taxonomy's list page.
    TaxonomyList(TaxonomyList<'a>),
    /// `/atom.xml`.
    SiteFeed(SiteFeed),
    /// A language's feed.
    LanguageFeed(LanguageFeed<'a>),
    /// A term's feed.
    TermFeed(TermFeed<'a>),
    /// A section's feed.
    SectionFeed(SectionFeed<'a>),
    /// A taxonomy's feed.
    TaxonomyFeed(TaxonomyFeed<'a>),
    /// `/comments.xml`.
    CommentsFeed(CommentsFeed),
    /// `/sitemap.xml`.
    Sitemap(Sitemap),
    /// `/robots.txt`.
    Robots(Robots),
    /// `/404.html`.
    NotFound(NotFound),
    /// `/style.css`.
    Style(Style),
    /// A redirect page.
    Alias(Alias<'a>),
}

/// The one place a job is dispatched to its kind: every job is used as its [`Output`].
impl<'a> std::ops::Deref for Job<'a> {
    type Target = dyn Output<'a> + 'a;

    fn deref(&self) -> &Self::Target {
        match self {
            Job::Page(output) => output,
            Job::ThreadPage(output) => output,
            Job::Listing(output) => output,
            Job::SectionPage(output) => output,
            Job::LanguageHome(output) => output,
            Job::TagList(output) => output,
            Job::TaxonomyList(output) => output,
            Job::SiteFeed(output) => output,
            Job::LanguageFeed(output) => output,
            Job::TermFeed(output) => output,
            Job::SectionFeed(output) => output,
            Job::TaxonomyFeed(output) => output,
            Job::CommentsFeed(output) => output,
            Job::Sitemap(output) => output,
            Job::Robots(output) => output,
            Job::NotFound(output) => output,
            Job::Style(output) => output,
            Job::Alias(output) => output,
        }
    }
}

/// One kind of output file. `'a` is the life of the site model the output shows.
pub(crate) trait Output<'a>: std::fmt::Debug + Sync {
    /// The site path it renders, without the base path.
    fn site_path(&self, site: &Site) -> String;

    /// The template that renders it.
    fn template(&self) -> &str;

    /// Hashes into `hasher` everything the output depends on beyond the site-wide inputs
    /// (config, templates, menu) the hasher already holds: the files of the posts it shows,
    /// their comment counts where it shows them, and how many pages a thread takes; not what
    /// a thread says, which the build adds for the outputs that show one (their comment stamp
    /// while it plans, what the page shows of the thread once it is read).
    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>);

    /// Fills in what its template reads, besides what every output has (`config`, `menu`,
    /// `current_path`, `current_url`).
    fn context(
        &self,
        _site: &Site,
        _inputs: &Inputs<'_>,
        _tera: &Tera,
        _context: &mut Context,
    ) -> Result<()> {
        Ok(())
    }

    /// The posts and pages whose rendered bodies it shows.
    fn bodies(&self, _site: &'a Site) -> Vec<&'a PageData> {
        Vec::new()
    }

    /// The language it is in when that is not the site's: its template then sees the site
    /// as that language has it (its `lang`, title and description).
    fn lang(&self) -> Option<&str> {
        None
    }

    /// The post or page whose thread it shows, if it shows one, and which page of it.
    fn thread_page(&self) -> Option<(&'a PageData, usize)> {
        None
    }

    /// Who wants the file, for the error when two outputs want the same one: a content
    /// file, else quill itself.
    fn writer(&self, site: &Site, _sources: &[Source]) -> String {
        format!("quill's own {}", self.site_path(site))
    }

    /// Whether it is rendered after every thread was read (the comments feed links each of
    /// its comments on the page of its thread that shows it).
    fn waits_for_every_thread(&self) -> bool {
        false
    }

    /// False for an output whose key cannot tell whether it changed (the comments feed shows
    /// the newest comments across the site), so it is rendered on every build.
    fn keyed(&self) -> bool {
        true
    }

    /// The output file, relative to the output root.
    fn file(&self, site: &Site) -> String {
        file_for(&self.site_path(site))
    }

    /// Its key: `base` (the site-wide inputs) with what [`Output::key`] adds; `None` when it
    /// is rendered every time.
    fn digest(&self, base: &Xxh3, inputs: &KeyInputs<'_>) -> Option<u128> {
        if !self.keyed() {
            return None;
        }
        let mut hasher = base.clone();
        self.key(&mut hasher, inputs);
        Some(hasher.digest128())
    }
}

/// What keys read besides the model's own fields: the source files, how many top-level
/// comments each thread has, and each page's own digest (which holds the digest of every
/// page's URL for a page that refers to others).
#[derive(Debug)]
pub(crate) struct KeyInputs<'a> {
    /// The site.
    pub site: &'a Site,
    /// The content files, by source index.
    pub sources: &'a [Source],
    /// How many top-level comments each thread has, by post key: how many pages it takes.
    pub top_level: &'a TopLevel,
    /// Each post's and page's own digest (see [`KeyInputs::page_without_count`]), by source
    /// index: worked out once, as a post is shown by its page, listings, terms and feeds.
    own: Vec<u128>,
}

impl<'a> KeyInputs<'a> {
    /// The inputs for keying the outputs of `site`, each page's own digest among them; `urls`
    /// is a digest of every page's URL, which the pages that may link to others or call
    /// shortcodes depend on.
    pub(crate) fn new(
        site: &'a Site,
        sources: &'a [Source],
        top_level: &'a TopLevel,
        urls: u128,
    ) -> KeyInputs<'a> {
        use rayon::prelude::*;
        let digests: Vec<(usize, u128)> = site
            .posts
            .par_iter()
            .chain(site.pages.par_iter())
            .map(|page| (page.source, own_digest(sources, page, urls)))
            .collect();
        let mut own = vec![0; sources.len()];
        for (source, digest) in digests {
            own[source] = digest;
        }
        KeyInputs {
            site,
            sources,
            top_level,
            own,
        }
    }
}

/// A post or page's own digest: its file and that file's bytes, its other versions and, when
/// it refers to other pages or files, what it refers to.
fn own_digest(sources: &[Source], page: &PageData, urls: u128) -> u128 {
    let source = &sources[page.source];
    let mut hasher = Xxh3::new();
    hasher.update(source.file.as_os_str().as_encoded_bytes());
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
                crate::content::Fingerprint::of(&metadata).hash_into(&mut hasher);
            }
        }
    }
    hasher.digest128()
}

impl KeyInputs<'_> {
    /// Hashes what a post or page shown by an output contributes: [`KeyInputs::page_without_count`]
    /// and its comment count.
    pub(crate) fn page(&self, hasher: &mut Xxh3, page: &PageData) {
        self.page_without_count(hasher, page);
        hasher.update(&page.comment_count.to_le_bytes());
    }

    /// Hashes a post or page's own digest (see `own_digest`).
    pub(crate) fn page_without_count(&self, hasher: &mut Xxh3, page: &PageData) {
        hasher.update(&self.own[page.source].to_le_bytes());
    }

    /// Hashes a feed of some posts: each of them, and the newest date among them (its
    /// `<updated>`).
    pub(crate) fn feed<'p>(&self, hasher: &mut Xxh3, posts: impl Iterator<Item = &'p PageData>) {
        let posts: Vec<&PageData> = posts.collect();
        for p in &posts {
            self.page(hasher, p);
        }
        let newest = posts
            .iter()
            .filter_map(|p| p.updated.as_deref().or(p.date.as_deref()))
            .max();
        hasher.update(newest.unwrap_or("").as_bytes());
    }
}

/// Where a page of the site lives, without the base path.
fn page_path(site: &Site, page: &PageData) -> String {
    page.path
        .trim_start_matches(site.config.base_path())
        .to_string()
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
    }
}
