//! Threads: the site's approved comments grouped by post and nested by reply, down to a
//! maximum depth, as plain data for templates. Built once per build, in one pass.

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use std::sync::OnceLock;

use super::mentions::MentionOrigin;
use super::paging;
use super::render::{display_name, gravatar_hash, initials_of, render_body_with};
use super::{CommentRecord, RowBody, ThreadRead, ThreadRow};
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
    by_post: FxHashMap<String, Thread>,
    max_depth: usize,
    /// Whether code blocks in comments are highlighted (`[markdown] highlight`).
    highlight: bool,
    /// What a comment shows as its avatar.
    avatars: Avatars,
}

/// One post's comments in time order, and how they nest (worked out once, when first asked:
/// every page of the thread and the comments feed read it).
#[derive(Debug, Default)]
struct Thread {
    kept: Vec<Kept>,
    shape: OnceLock<Shape>,
}

/// How a thread nests, as indexes into its comments: the top-level ones in order, and each
/// comment's replies in order.
#[derive(Debug)]
struct Shape {
    roots: Vec<usize>,
    children: Vec<Vec<usize>>,
    /// By comment index: the position of its top-level ancestor in `roots`.
    root_of: Vec<usize>,
}

/// A comment as a thread keeps it, with the key of its post: what a build may set aside in a
/// file while other threads render. It holds no email address.
#[derive(Debug, Serialize, Deserialize)]
pub struct KeptComment {
    post: String,
    kept: Kept,
}

/// What a thread keeps of a comment until its page is rendered: not the email, not the post.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    id: i64,
    parent_id: Option<i64>,
    username: Box<str>,
    avatar: Option<Box<str>>,
    body: Body,
    /// As numbers: a comment set aside and read back is not formatted and parsed again.
    #[serde(with = "crate::content::dates::epoch")]
    timestamp: DateTime<Utc>,
}

/// A kept comment's body: its stored HTML when the pages can use it (code highlighted, of
/// this renderer's version), else its Markdown, rendered with its page.
#[derive(Debug, Serialize, Deserialize)]
enum Body {
    Html(Box<str>),
    Markdown(Box<str>),
}

impl Threads {
    /// Groups the approved comments a reader hands over one at a time (such as
    /// [`Store::each_approved_comment`](crate::store::Store::each_approved_comment)) by
    /// post, each post's in time order (ties by id), keeping only what is published of each as
    /// it arrives, their code highlighted.
    pub fn collect(
        max_depth: usize,
        avatars: Avatars,
        read: impl FnOnce(&mut dyn FnMut(&ThreadRow<'_>) -> bool) -> anyhow::Result<()>,
    ) -> anyhow::Result<Threads> {
        let mut threads = Threads::new(max_depth, avatars, true);
        read(&mut |row| {
            threads.add(row);
            true
        })?;
        Ok(threads.sorted())
    }

    /// No threads yet, to be given comments with [`Threads::add`] and closed with
    /// [`Threads::sorted`]. With `highlight`, code blocks are highlighted and a comment keeps
    /// the HTML stored with it (made with highlighting); without, its Markdown, rendered
    /// without when its page is.
    pub fn new(max_depth: usize, avatars: Avatars, highlight: bool) -> Threads {
        Threads {
            by_post: FxHashMap::default(),
            max_depth: max_depth.max(1),
            highlight,
            avatars,
        }
    }

    /// Each thread in time order (ties by id), ready to be read.
    pub fn sorted(mut self) -> Threads {
        for thread in self.by_post.values_mut() {
            // Stable and nearly free when the store already gave them in this order.
            thread
                .kept
                .sort_by(|a, b| a.timestamp.cmp(&b.timestamp).then(a.id.cmp(&b.id)));
        }
        self
    }

    /// Each post's thread on its own, with its post's key, to hand to different renderers.
    pub fn into_posts(self) -> impl Iterator<Item = (String, Threads)> {
        let Threads {
            by_post,
            max_depth,
            highlight,
            avatars,
        } = self;
        by_post.into_iter().map(move |(post, thread)| {
            let mut one = FxHashMap::default();
            one.insert(post.clone(), thread);
            let threads = Threads {
                by_post: one,
                max_depth,
                highlight,
                avatars,
            };
            (post, threads)
        })
    }

    /// How many top-level comments a post's thread has, if it was read (what the store's
    /// count beside each stamp says too, in SQL).
    pub fn top_level(&self, slug: &str) -> Option<usize> {
        let thread = self.by_post.get(slug)?;
        Some(thread.shape(self.max_depth).roots.len())
    }

    /// Keeps what a thread publishes of one more comment; [`Threads::sorted`] puts each
    /// thread in order once all are in.
    pub fn add(&mut self, row: &ThreadRow<'_>) {
        let kept = self.kept(row);
        self.push(row.post, kept);
    }

    /// What these threads keep of a row, to be added later with [`Threads::add_kept`] (to
    /// these threads or to others made alike).
    pub fn keep(&self, row: &ThreadRow<'_>) -> KeptComment {
        KeptComment {
            post: row.post.to_string(),
            kept: self.kept(row),
        }
    }

    /// What a thread keeps of a row. Stored HTML is made with code highlighted, so rows
    /// should bring it only to threads that highlight, as [`Threads::read`] asks.
    fn kept(&self, row: &ThreadRow<'_>) -> Kept {
        let body = match row.body {
            RowBody::Html(html) => Body::Html(html.into()),
            RowBody::Markdown(markdown) => Body::Markdown(markdown.into()),
        };
        Kept {
            id: row.id,
            parent_id: row.parent_id,
            avatar: row
                .email
                .and_then(|email| avatar(email, self.avatars))
                .map(String::into_boxed_str),
            username: row.username.into(),
            body,
            timestamp: row.timestamp,
        }
    }

    /// Adds a kept comment to its post's thread; the post's key is copied only for a new
    /// thread.
    fn push(&mut self, post: &str, kept: Kept) {
        match self.by_post.get_mut(post) {
            Some(thread) => thread.kept.push(kept),
            None => {
                let thread = Thread {
                    kept: vec![kept],
                    shape: OnceLock::new(),
                };
                self.by_post.insert(post.to_string(), thread);
            }
        }
    }

    /// What a build reads of each comment for these threads, of `posts` (`None`: all).
    pub fn read<'p>(&self, posts: Option<&'p [&'p str]>) -> ThreadRead<'p> {
        ThreadRead {
            posts,
            email: self.avatars == Avatars::Gravatar,
            stored_html: self.highlight,
            ids: None,
        }
    }

    /// Takes in the comments of other threads made alike (read from another part of the
    /// store); [`Threads::sorted`] puts each thread in order once all are in.
    pub fn absorb(&mut self, other: Threads) {
        for (post, thread) in other.by_post {
            match self.by_post.get_mut(&post) {
                Some(mine) => {
                    mine.kept.extend(thread.kept);
                    mine.shape = OnceLock::new();
                }
                None => {
                    self.by_post.insert(post, thread);
                }
            }
        }
    }

    /// Adds a comment as [`Threads::keep`] kept it; [`Threads::sorted`] puts each thread in
    /// order once all are in.
    pub fn add_kept(&mut self, comment: KeptComment) {
        self.push(&comment.post, comment.kept);
    }

    /// A post's top-level comments with their replies, rendered: the whole thread.
    pub fn for_post(&self, slug: &str) -> Vec<CommentNode> {
        self.page(slug, 1, 0)
    }

    /// Page `index` (1-based) of a post's thread, `per_page` top-level comments with their
    /// replies (all of them with 0), rendered.
    pub fn page(&self, slug: &str, index: usize, per_page: usize) -> Vec<CommentNode> {
        let Some(thread) = self.by_post.get(slug) else {
            return Vec::new();
        };
        let shape = thread.shape(self.max_depth);
        let range = paging::page_range(index, per_page, shape.roots.len());
        shape.roots[range]
            .iter()
            .map(|&root| self.tree(thread, shape, root))
            .collect()
    }

    /// A digest of what page `index` of a post's thread shows of its comments: each one's
    /// words, author, avatar, time and place in the nesting. A page whose digest is the same
    /// as when it was last rendered need not be rendered again.
    pub fn page_digest(&self, slug: &str, index: usize, per_page: usize) -> u128 {
        // Each comment is laid out in a reused buffer and hashed in one call, and the page's
        // digest is of those: many small updates of one hasher cost more than the hashing.
        let mut digests: Vec<u8> = vec![u8::from(self.highlight)];
        if let Some(thread) = self.by_post.get(slug) {
            let shape = thread.shape(self.max_depth);
            let range = paging::page_range(index, per_page, shape.roots.len());
            let mut stack: Vec<(usize, usize)> =
                shape.roots[range].iter().rev().map(|&r| (r, 0)).collect();
            let mut bytes = Vec::new();
            while let Some((i, depth)) = stack.pop() {
                let k = &thread.kept[i];
                bytes.clear();
                bytes.extend_from_slice(&depth.to_le_bytes());
                bytes.extend_from_slice(&k.id.to_le_bytes());
                bytes.extend_from_slice(&k.timestamp.timestamp().to_le_bytes());
                // Which form the body is in, so that HTML and Markdown of the same text differ.
                let (form, body) = match &k.body {
                    Body::Html(html) => (b'h', &**html),
                    Body::Markdown(markdown) => (b'm', &**markdown),
                };
                bytes.push(form);
                for part in [&*k.username, k.avatar.as_deref().unwrap_or(""), body] {
                    bytes.extend_from_slice(&part.len().to_le_bytes());
                    bytes.extend_from_slice(part.as_bytes());
                }
                digests.extend_from_slice(&xxhash_rust::xxh3::xxh3_128(&bytes).to_le_bytes());
                stack.extend(shape.children[i].iter().rev().map(|&c| (c, depth + 1)));
            }
        }
        xxhash_rust::xxh3::xxh3_128(&digests)
    }

    /// The time (`dates::iso`) and id of the first top-level comment of page `index`.
    pub fn page_start(&self, slug: &str, index: usize, per_page: usize) -> Option<(String, i64)> {
        let thread = self.by_post.get(slug)?;
        let shape = thread.shape(self.max_depth);
        let range = paging::page_range(index, per_page, shape.roots.len());
        let kept = &thread.kept[*shape.roots.get(range.start)?];
        Some((dates::iso(&kept.timestamp), kept.id))
    }

    /// The page (1-based) of a post's thread that shows the comment `id`, if it is shown.
    pub fn page_of(&self, slug: &str, id: i64, per_page: usize) -> Option<usize> {
        let thread = self.by_post.get(slug)?;
        let index = thread.kept.iter().position(|k| k.id == id)?;
        let shape = thread.shape(self.max_depth);
        Some(paging::page_of_position(shape.root_of[index], per_page))
    }

    fn tree(&self, thread: &Thread, shape: &Shape, index: usize) -> CommentNode {
        let k = &thread.kept[index];
        let body_html = match &k.body {
            Body::Html(html) => html.to_string(),
            Body::Markdown(markdown) => render_body_with(markdown, self.highlight),
        };
        let mut node = make_node(
            k.id,
            k.parent_id,
            &k.username,
            k.avatar.as_deref(),
            body_html,
            &k.timestamp,
        );
        node.replies = shape.children[index]
            .iter()
            .map(|&c| self.tree(thread, shape, c))
            .collect();
        node
    }
}

impl Thread {
    fn shape(&self, max_depth: usize) -> &Shape {
        self.shape.get_or_init(|| {
            let pairs: Vec<(i64, Option<i64>)> =
                self.kept.iter().map(|k| (k.id, k.parent_id)).collect();
            nest(&pairs, max_depth)
        })
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
        render_body_with(&record.body, false),
        &record.timestamp,
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
    body_html: String,
    timestamp: &DateTime<Utc>,
) -> CommentNode {
    let author = display_name(username);
    CommentNode {
        id,
        initials: initials_of(&author),
        author,
        avatar: avatar.map(str::to_string),
        body_html,
        timestamp: dates::iso(timestamp),
        date: dates::human(timestamp),
        anchor: format!("comment-{id}"),
        parent_id,
        mention: None,
        replies: Vec::new(),
    }
}

/// Nests one post's comments (id and parent, in time order). A reply deeper than `max_depth`
/// joins its parent's level; a reply whose parent is not shown (not approved, deleted, or
/// later) is shown at the top.
fn nest(comments: &[(i64, Option<i64>)], max_depth: usize) -> Shape {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); comments.len()];
    let mut root_of = vec![0; comments.len()];
    // Each placed comment's container, index and depth.
    let mut placed: FxHashMap<i64, (Option<usize>, usize, usize)> = FxHashMap::default();
    let mut roots = Vec::new();
    for (index, &(id, parent)) in comments.iter().enumerate() {
        let (container, depth) = match parent.and_then(|p| placed.get(&p)) {
            Some(&(_, parent_index, parent_depth)) if parent_depth < max_depth => {
                (Some(parent_index), parent_depth + 1)
            }
            Some(&(parent_container, _, parent_depth)) => (parent_container, parent_depth),
            None => (None, 1),
        };
        match container {
            Some(c) => {
                children[c].push(index);
                root_of[index] = root_of[c];
            }
            None => {
                root_of[index] = roots.len();
                roots.push(index);
            }
        }
        placed.insert(id, (container, index, depth));
    }
    Shape {
        roots,
        children,
        root_of,
    }
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
            body_html: None,
            timestamp: chrono::Utc
                .with_ymd_and_hms(2024, 1, 1, 0, minute, 0)
                .unwrap(),
            status: Status::Approved,
        }
    }

    fn build(records: Vec<CommentRecord>, max_depth: usize, avatars: Avatars) -> Threads {
        Threads::collect(max_depth, avatars, |add| {
            for r in &records {
                add(&r.thread_row(true));
            }
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
    fn pages_split_by_top_level_comments_with_their_replies() {
        // 4 replies to 1 after 3, and 5 replies to 4: both stay on 1's page.
        let t = build(
            vec![
                record(1, "a", None, 1),
                record(2, "a", None, 2),
                record(3, "a", None, 3),
                record(4, "a", Some(1), 4),
                record(5, "a", Some(4), 5),
                record(6, "a", Some(3), 6),
            ],
            3,
            Avatars::None,
        );
        assert_eq!(t.top_level("a"), Some(3));
        assert_eq!(t.top_level("none"), None);
        assert_eq!(shape(&t.page("a", 1, 2)), "1(4(5)) 2");
        assert_eq!(shape(&t.page("a", 2, 2)), "3(6)");
        assert!(t.page("a", 3, 2).is_empty());
        assert_eq!(shape(&t.page("a", 1, 0)), "1(4(5)) 2 3(6)");
        let pages: Vec<_> = (1..=6).map(|id| t.page_of("a", id, 2)).collect();
        assert_eq!(pages, [1, 1, 2, 1, 1, 2].map(Some));
        assert_eq!(t.page_of("a", 99, 2), None);
        assert_eq!(t.page_of("a", 6, 0), Some(1));
    }

    #[test]
    fn flat_threads_page_every_comment() {
        let t = build(
            vec![record(1, "a", None, 1), record(2, "a", Some(1), 2)],
            1,
            Avatars::None,
        );
        assert_eq!(t.top_level("a"), Some(2));
        assert_eq!(t.page_of("a", 2, 1), Some(2));
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
