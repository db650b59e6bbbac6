//! The feed of the newest approved comments across the site (`/comments.xml`), each linked
//! on the page of its thread that shows it.

use anyhow::Result;
use rustc_hash::FxHashMap;
use serde::Serialize;
use tera::{Context, Tera};
use xxhash_rust::xxh3::Xxh3;

use super::{KeyInputs, Output};
use crate::comments::CommentRecord;
use crate::comments::paging;
use crate::comments::thread::{CommentNode, node};
use crate::render::Inputs;
use crate::site::{PageData, Site};

/// `/comments.xml`: the newest approved comments across the site. It is rendered on every
/// build, as no key tells when a comment somewhere is newer.
#[derive(Debug)]
pub(crate) struct CommentsFeed;

impl<'a> Output<'a> for CommentsFeed {
    fn site_path(&self, _site: &Site) -> String {
        "/comments.xml".into()
    }

    fn template(&self) -> &str {
        "comments.xml"
    }

    fn key(&self, _: &mut Xxh3, _: &KeyInputs<'_>) {}

    fn keyed(&self) -> bool {
        false
    }

    fn waits_for_every_thread(&self) -> bool {
        true
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let entries = comment_feed_entries(site, inputs.feed_pages, inputs.latest);
        let last_updated = entries.first().map_or_else(
            || "1970-01-01T00:00:00Z".to_string(),
            |e| e.comment.timestamp.clone(),
        );
        cx.insert("entries", &entries);
        cx.insert("last_updated", &last_updated);
        Ok(())
    }
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
    pages: &FxHashMap<i64, usize>,
    latest: &[CommentRecord],
) -> Vec<CommentFeedEntry<'a>> {
    let posts: FxHashMap<&str, &PageData> =
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
                    config.permalink(&paging::page_path(path, index)),
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
