//! The job list: one job per output file of the site, in a fixed order, each of a kind
//! described in `output/`. The order is the one the build records and writes them in.

use rustc_hash::FxHashMap;

use super::output::{
    Alias, CommentsFeed, Job, LanguageFeed, LanguageHome, Listing, NotFound, Output, Page, Robots,
    SectionFeed, SectionPage, SiteFeed, Sitemap, Style, TagList, TaxonomyFeed, TaxonomyList,
    TermFeed, ThreadPage, paginate,
};
use crate::comments::paging;
use crate::site::{Member, PageData, Site, Tag};

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
        jobs.push(Job::Page(Page::post(page)));
        let count = if comments {
            thread_pages(site, top_level, page)
        } else {
            1
        };
        for index in 2..=count {
            let later = ThreadPage { page, index, count };
            later_pages.push(later.site_path(site));
            jobs.push(Job::ThreadPage(later));
        }
    }
    for page in site.pages.iter().filter(|p| p.render) {
        jobs.push(Job::Page(Page::standalone(page)));
    }
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
        for (pages, index, count) in paginate(pages, section.paginate_by) {
            jobs.push(Job::SectionPage(SectionPage {
                section,
                pages,
                index,
                count,
            }));
        }
        if section.feed {
            jobs.push(Job::SectionFeed(SectionFeed(section)));
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
            jobs.push(Job::TermFeed(TermFeed(tag)));
        }
    }
    if tag_feeds && list_feeds && !site.tags.is_empty() {
        jobs.push(Job::TaxonomyFeed(TaxonomyFeed {
            name: crate::site::taxonomies::TAGS,
            site_path: "/tags/",
            terms: &site.tags,
        }));
    }
    for taxonomy in &site.taxonomies {
        jobs.push(Job::TaxonomyList(TaxonomyList(taxonomy)));
        if taxonomy.feed && list_feeds && !taxonomy.terms.is_empty() {
            jobs.push(Job::TaxonomyFeed(TaxonomyFeed {
                name: &taxonomy.name,
                site_path: &taxonomy.site_path,
                terms: &taxonomy.terms,
            }));
        }
        for term in &taxonomy.terms {
            let posts = term.posts.iter().map(|&i| &site.posts[i]).collect();
            push_listing(&mut jobs, Some(term), posts, site.config.paginate_by);
            if taxonomy.feed {
                jobs.push(Job::TermFeed(TermFeed(term)));
            }
        }
    }
    for language in &site.languages {
        let posts: Vec<&PageData> = language.posts.iter().map(|&i| &site.posts[i]).collect();
        for (posts, index, count) in paginate(posts, site.config.paginate_by) {
            jobs.push(Job::LanguageHome(LanguageHome {
                language,
                posts,
                index,
                count,
            }));
        }
        jobs.push(Job::LanguageFeed(LanguageFeed(language)));
    }
    jobs.push(Job::TagList(TagList));
    jobs.push(Job::SiteFeed(SiteFeed));
    jobs.push(Job::Sitemap(Sitemap { later_pages }));
    jobs.push(Job::Robots(Robots));
    // A site's own 404 page (Jekyll's `404.md` with `permalink: /404.html`) replaces quill's.
    if !site
        .pages
        .iter()
        .any(|p| p.render && p.path == site.config.site_path("/404.html"))
    {
        jobs.push(Job::NotFound(NotFound));
    }
    jobs.push(Job::Style(Style));
    if site.config.comments.enabled {
        jobs.push(Job::CommentsFeed(CommentsFeed));
    }
    for (from, target) in &site.aliases {
        jobs.push(Job::Alias(Alias { from, target }));
    }
    jobs
}

/// Pushes the pages of the listing of `posts` under `tag` (the index with none).
fn push_listing<'a>(
    jobs: &mut Vec<Job<'a>>,
    tag: Option<&'a Tag>,
    posts: Vec<&'a PageData>,
    per_page: usize,
) {
    for (posts, index, count) in paginate(posts, per_page) {
        jobs.push(Job::Listing(Listing {
            tag,
            posts,
            index,
            count,
        }));
    }
}
