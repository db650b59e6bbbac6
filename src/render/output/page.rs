//! Page-like outputs: a post's page, a standalone page, and a later page of a post's comment
//! thread (`<post>/comments/2/`). Each shows one post or page with one page of its thread;
//! their keys follow the page's file and its comment stamp.

use anyhow::Result;
use serde::Serialize;
use tera::{Context, Tera};
use xxhash_rust::xxh3::Xxh3;

use super::{KeyInputs, Output, page_path};
use crate::comments::mentions::{MentionReply, PostMentions, among};
use crate::comments::paging;
use crate::content::Source;
use crate::render::jobs::thread_pages;
use crate::render::{FullPage, Inputs, full, thread};
use crate::site::{PageData, Site};

/// A post's page (`post.html`) or a standalone page (`page.html`).
#[derive(Debug)]
pub(crate) struct Page<'a> {
    page: &'a PageData,
    post: bool,
}

impl<'a> Page<'a> {
    /// The page of a post.
    pub(crate) fn post(page: &'a PageData) -> Self {
        Page { page, post: true }
    }

    /// A standalone page.
    pub(crate) fn standalone(page: &'a PageData) -> Self {
        Page { page, post: false }
    }
}

impl<'a> Output<'a> for Page<'a> {
    fn site_path(&self, site: &Site) -> String {
        page_path(site, self.page)
    }

    fn template(&self) -> &str {
        if self.post { "post.html" } else { "page.html" }
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        let p = self.page;
        hasher.update(if self.post { b"post" } else { b"page" });
        inputs.page(hasher, p);
        hasher.update(&thread_pages(inputs.site, inputs.top_level, p).to_le_bytes());
    }

    fn context(
        &self,
        site: &Site,
        inputs: &Inputs<'_>,
        tera: &Tera,
        context: &mut Context,
    ) -> Result<()> {
        context.insert("page", &page_view(site, inputs, tera, self.page, 1)?);
        Ok(())
    }

    fn bodies(&self, _site: &'a Site) -> Vec<&'a PageData> {
        vec![self.page]
    }

    fn lang(&self) -> Option<&str> {
        self.page.translated.then_some(self.page.lang.as_str())
    }

    fn thread_page(&self) -> Option<(&'a PageData, usize)> {
        Some((self.page, 1))
    }

    fn writer(&self, _site: &Site, sources: &[Source]) -> String {
        sources[self.page.source].file.display().to_string()
    }
}

/// A later page of a post's comment thread: `<post>/comments/2/` (`comments_page.html`).
#[derive(Debug)]
pub(crate) struct ThreadPage<'a> {
    /// The post the thread is under.
    pub page: &'a PageData,
    /// 1-based page of the thread, 2 or more (the first is the post's own page).
    pub index: usize,
    /// Number of pages of the thread.
    pub count: usize,
}

impl<'a> Output<'a> for ThreadPage<'a> {
    fn site_path(&self, site: &Site) -> String {
        paging::page_path(&page_path(site, self.page), self.index)
    }

    fn template(&self) -> &str {
        "comments_page.html"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        let p = self.page;
        hasher.update(b"comments");
        hasher.update(&self.index.to_le_bytes());
        hasher.update(&self.count.to_le_bytes());
        inputs.page_without_count(hasher, p);
    }

    fn context(
        &self,
        site: &Site,
        inputs: &Inputs<'_>,
        tera: &Tera,
        context: &mut Context,
    ) -> Result<()> {
        let view = page_view(site, inputs, tera, self.page, self.index)?;
        context.insert("page", &view);
        Ok(())
    }

    fn bodies(&self, _site: &'a Site) -> Vec<&'a PageData> {
        vec![self.page]
    }

    fn lang(&self) -> Option<&str> {
        self.page.translated.then_some(self.page.lang.as_str())
    }

    fn thread_page(&self) -> Option<(&'a PageData, usize)> {
        Some((self.page, self.index))
    }
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
    /// The pages to link by number: the first, the last and those next to the current one
    /// (see [`paging::linked_pages`]), in order.
    links: Vec<PageLink>,
    previous: Option<String>,
    next: Option<String>,
}

/// A page of a thread that the navigation links to by number.
#[derive(Debug, Serialize)]
struct PageLink {
    number: usize,
    path: String,
    /// The page the navigation is on.
    current: bool,
    /// Pages are left out between this one and the one linked before it.
    gap_before: bool,
}

impl CommentPages {
    /// The navigation of page `current` of the `count` pages of the thread of the post at
    /// `post_path`.
    fn new(post_path: &str, current: usize, count: usize) -> CommentPages {
        let path = |number| paging::page_path(post_path, number);
        let mut before = 0;
        let links = paging::linked_pages(current, count)
            .map(|number| {
                let gap_before = number > before + 1;
                before = number;
                PageLink {
                    number,
                    path: path(number),
                    current: number == current,
                    gap_before,
                }
            })
            .collect();
        CommentPages {
            current,
            count,
            links,
            previous: (current > 1).then(|| path(current - 1)),
            next: (current < count).then(|| path(current + 1)),
        }
    }
}

/// The replies from other sites from `start` (the time and id of a page's first comment;
/// from the first with none) up to `end` (the next page's; to the last with none). They are
/// in the order [`among`] places them in.
fn mentions_between(
    replies: &[MentionReply],
    start: Option<(String, i64)>,
    end: Option<(String, i64)>,
) -> &[MentionReply] {
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
    let count = thread_pages(site, inputs.top_level, page);
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
        comments: inputs.comment_meter.measure(|| {
            let comments = among(inputs.threads.page(&page.key, index, per_page), replies);
            let count = thread::count(&comments);
            let stencils = inputs.fill_comments.then_some(inputs.stencils);
            (thread::render(tera, comments, form_open, stencils), count)
        })?,
        mentions,
        comment_pages: CommentPages::new(&page.path, index, count),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comments::mentions::MentionPerson;

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
