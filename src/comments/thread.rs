//! Threads: the site's approved comments grouped by post and nested by reply, down to a
//! maximum depth, as plain data for templates. Built once per build, in one pass.

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use serde::Serialize;

use super::CommentRecord;
use super::mentions::MentionOrigin;
use super::render::{display_name, gravatar_hash, initials, render_body_with};
use crate::config::Avatars;
use crate::content::dates;

/// A comment as templates see it. The email address is not in it, in any form, unless the
/// author chose Gravatar avatars, and then only as the hash Gravatar needs.
#[derive(Debug, Clone, Serialize)]
pub struct CommentNode {
    /// The comment's id.
    pub id: i64,
    /// The commenter's name, as plain text.
    pub author: String,
    /// Initials for the avatar placeholder.
    pub initials: String,
    /// The Gravatar hash, only with `avatars = "gravatar"`.
    pub avatar: Option<String>,
    /// The body, sanitized HTML.
    pub body_html: String,
    /// ISO 8601 UTC.
    pub timestamp: String,
    /// For people: `2 January 2024`.
    pub date: String,
    /// `comment-<id>` (`mention-<id>` for a webmention), the fragment that links to it.
    pub anchor: String,
    /// The comment it replies to.
    pub parent_id: Option<i64>,
    /// Where a reply from another site came from (see
    /// [`mentions::among`](super::mentions::among)); none for a visitor's comment.
    pub mention: Option<MentionOrigin>,
    /// Replies, oldest first.
    pub replies: Vec<CommentNode>,
}

/// The approved comments a build publishes, grouped by post. Each thread is rendered when its
/// page is, so a build never holds every comment's HTML at once.
#[derive(Debug, Default)]
pub struct Threads {
    by_post: FxHashMap<String, Vec<Kept>>,
    max_depth: usize,
    /// Whether code blocks in comments are highlighted (`[markdown] highlight`).
    highlight: bool,
}

/// What a thread keeps of a comment until its page is rendered: not the email, not the post.
#[derive(Debug)]
struct Kept {
    id: i64,
    parent_id: Option<i64>,
    username: Box<str>,
    avatar: Option<Box<str>>,
    body: Box<str>,
    timestamp: DateTime<Utc>,
}

impl Threads {
    /// Groups the approved comments a reader hands over one at a time (such as
    /// [`Store::each_approved_comment`](crate::store::Store::each_approved_comment)) by post,
    /// each post's in time order (ties by id), keeping only what is published of each as it
    /// arrives.
    pub fn collect(
        max_depth: usize,
        avatars: Avatars,
        read: impl FnOnce(&mut dyn FnMut(CommentRecord)) -> anyhow::Result<()>,
    ) -> anyhow::Result<Threads> {
        let mut threads = Threads::new(max_depth);
        read(&mut |record| threads.add(record, avatars))?;
        Ok(threads.sorted())
    }

    fn new(max_depth: usize) -> Threads {
        Threads {
            by_post: FxHashMap::default(),
            max_depth: max_depth.max(1),
            highlight: true,
        }
    }

    /// The same threads, with code blocks highlighted or not when they are rendered.
    pub fn highlighting(self, highlight: bool) -> Threads {
        Threads { highlight, ..self }
    }

    fn add(&mut self, record: CommentRecord, avatars: Avatars) {
        let kept = Kept {
            id: record.id,
            parent_id: record.parent_id,
            avatar: avatar(&record.email, avatars).map(String::into_boxed_str),
            username: record.username.into(),
            body: record.body.into(),
            timestamp: record.timestamp,
        };
        match self.by_post.get_mut(&record.post) {
            Some(list) => list.push(kept),
            None => {
                self.by_post.insert(record.post, vec![kept]);
            }
        }
    }

    fn sorted(mut self) -> Threads {
        for list in self.by_post.values_mut() {
            // Stable and nearly free when the store already gave them in this order.
            list.sort_by(|a, b| a.timestamp.cmp(&b.timestamp).then(a.id.cmp(&b.id)));
        }
        self
    }

    /// A post's top-level comments with their replies, rendered.
    pub fn for_post(&self, slug: &str) -> Vec<CommentNode> {
        let Some(kept) = self.by_post.get(slug) else {
            return Vec::new();
        };
        let comments = kept
            .iter()
            .map(|k| {
                let node = make_node(
                    k.id,
                    k.parent_id,
                    &k.username,
                    k.avatar.as_deref(),
                    &k.body,
                    &k.timestamp,
                    self.highlight,
                );
                (node, k.parent_id)
            })
            .collect();
        nest(comments, self.max_depth)
    }
}

/// A comment as templates see it, without replies, its code not highlighted: feeds, where it
/// goes, have no style sheet for it.
pub fn node(record: &CommentRecord, avatars: Avatars) -> CommentNode {
    make_node(
        record.id,
        record.parent_id,
        &record.username,
        avatar(&record.email, avatars).as_deref(),
        &record.body,
        &record.timestamp,
        false,
    )
}

/// What a comment shows as its avatar: the Gravatar hash, when the author chose Gravatar.
fn avatar(email: &str, avatars: Avatars) -> Option<String> {
    (avatars == Avatars::Gravatar)
        .then(|| gravatar_hash(email))
        .flatten()
}

fn make_node(
    id: i64,
    parent_id: Option<i64>,
    username: &str,
    avatar: Option<&str>,
    body: &str,
    timestamp: &DateTime<Utc>,
    highlight: bool,
) -> CommentNode {
    CommentNode {
        id,
        author: display_name(username),
        initials: initials(username),
        avatar: avatar.map(str::to_string),
        body_html: render_body_with(body, highlight),
        timestamp: dates::iso(timestamp),
        date: dates::human(timestamp),
        anchor: format!("comment-{id}"),
        parent_id,
        mention: None,
        replies: Vec::new(),
    }
}

/// Nests one post's comments. A reply deeper than `max_depth` joins its parent's level; a
/// reply whose parent is not shown (not approved, deleted, or later) is shown at the top.
fn nest(comments: Vec<(CommentNode, Option<i64>)>, max_depth: usize) -> Vec<CommentNode> {
    // Arena: each node's children and the (container, depth) it was placed at.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); comments.len()];
    let mut placed: FxHashMap<i64, (Option<usize>, usize, usize)> = FxHashMap::default();
    let mut roots = Vec::new();
    for (index, (node, parent)) in comments.iter().enumerate() {
        let (container, depth) = match parent.and_then(|p| placed.get(&p)) {
            Some(&(_, parent_index, parent_depth)) if parent_depth < max_depth => {
                (Some(parent_index), parent_depth + 1)
            }
            Some(&(parent_container, _, parent_depth)) => (parent_container, parent_depth),
            None => (None, 1),
        };
        match container {
            Some(c) => children[c].push(index),
            None => roots.push(index),
        }
        placed.insert(node.id, (container, index, depth));
    }
    let mut nodes: Vec<Option<CommentNode>> = comments.into_iter().map(|(n, _)| Some(n)).collect();
    roots
        .into_iter()
        .map(|i| take_tree(i, &mut nodes, &children))
        .collect()
}

fn take_tree(
    index: usize,
    nodes: &mut [Option<CommentNode>],
    children: &[Vec<usize>],
) -> CommentNode {
    let mut node = nodes[index]
        .take()
        .unwrap_or_else(|| unreachable!("each comment is placed once"));
    node.replies = children[index]
        .iter()
        .map(|&c| take_tree(c, nodes, children))
        .collect();
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comments::Status;
    use chrono::TimeZone;

    fn record(id: i64, post: &str, parent: Option<i64>, minute: u32) -> CommentRecord {
        CommentRecord {
            id,
            post: post.into(),
            parent_id: parent,
            username: format!("user {id}"),
            email: format!("user{id}@example.org"),
            body: format!("body {id}"),
            timestamp: chrono::Utc
                .with_ymd_and_hms(2024, 1, 1, 0, minute, 0)
                .unwrap(),
            status: Status::Approved,
        }
    }

    fn build(records: Vec<CommentRecord>, max_depth: usize, avatars: Avatars) -> Threads {
        Threads::collect(max_depth, avatars, |add| {
            records.into_iter().for_each(add);
            Ok(())
        })
        .unwrap()
    }

    fn shape(nodes: &[CommentNode]) -> String {
        nodes
            .iter()
            .map(|n| {
                if n.replies.is_empty() {
                    n.id.to_string()
                } else {
                    format!("{}({})", n.id, shape(&n.replies))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn nesting_order_and_counts() {
        let t = build(
            vec![
                record(1, "a", None, 1),
                record(2, "a", Some(1), 2),
                record(3, "a", None, 3),
                record(4, "a", Some(1), 4),
                record(5, "b", None, 1),
            ],
            3,
            Avatars::None,
        );
        assert_eq!(shape(&t.for_post("a")), "1(2 4) 3");
        assert_eq!(shape(&t.for_post("b")), "5");
        assert!(t.for_post("none").is_empty());
    }

    #[test]
    fn depth_is_capped_and_order_kept() {
        let mut chain = vec![record(1, "a", None, 1)];
        for id in 2..=7 {
            chain.push(record(id, "a", Some(id - 1), id as u32));
        }
        let t = build(chain, 3, Avatars::None);
        assert_eq!(shape(&t.for_post("a")), "1(2(3 4 5 6 7))");
        let flat = build(
            vec![record(1, "a", None, 1), record(2, "a", Some(1), 2)],
            1,
            Avatars::None,
        );
        assert_eq!(shape(&flat.for_post("a")), "1 2");
    }

    #[test]
    fn orphaned_replies_are_shown_at_the_top() {
        let t = build(vec![record(5, "a", Some(99), 1)], 3, Avatars::None);
        assert_eq!(shape(&t.for_post("a")), "5");
    }

    #[test]
    fn the_email_never_reaches_a_node() {
        let records = vec![record(1, "a", None, 1)];
        let plain =
            serde_json::to_string(&build(records.clone(), 3, Avatars::None).for_post("a")).unwrap();
        assert!(!plain.contains("user1@example.org") && !plain.contains("example.org"));
        assert!(plain.contains("\"avatar\":null"));
        let gravatar = build(records, 3, Avatars::Gravatar);
        let json = serde_json::to_string(&gravatar.for_post("a")).unwrap();
        assert!(!json.contains("example.org"));
        assert!(json.contains(&gravatar_hash("user1@example.org").unwrap()));
    }
}
