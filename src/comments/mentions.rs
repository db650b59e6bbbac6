//! Webmentions as templates see them (`page.mentions`): replies with their words, likes,
//! reposts and bookmarks as the people who made them, and plain mentions as links, grouped by
//! post. Names and words are plain text for the template to escape; every URL is http(s), or
//! left out; an author's picture from another host is kept only when the site shows avatars.
//! The replies also take their place in the post's thread ([`among`]).

use rustc_hash::FxHashMap;
use serde::Serialize;

use super::render::{display_name, initials, render_text};
use super::thread::CommentNode;
use crate::config::Avatars;
use crate::content::dates;
use crate::store::MentionRecord;

/// One post's mentions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostMentions {
    /// Replies, oldest first (ties by id).
    pub replies: Vec<MentionReply>,
    /// Who liked the post.
    pub likes: Vec<MentionPerson>,
    /// Who reposted it.
    pub reposts: Vec<MentionPerson>,
    /// Who bookmarked it.
    pub bookmarks: Vec<MentionPerson>,
    /// Pages that link to it without replying.
    pub links: Vec<MentionPerson>,
    /// How many there are of all kinds.
    pub count: usize,
}

/// A reply from another site.
#[derive(Debug, Clone, Serialize)]
pub struct MentionReply {
    /// Who wrote it.
    #[serde(flatten)]
    pub author: MentionPerson,
    /// Its words, as plain text.
    pub content: String,
    /// ISO 8601 UTC.
    pub timestamp: String,
    /// For people: `2 January 2024`.
    pub date: String,
    /// `mention-<id>`.
    pub anchor: String,
    /// The host of the source, to say where it came from.
    pub source_host: String,
    /// The comment row it is stored under, which orders it in the thread on equal times.
    #[serde(skip)]
    pub id: i64,
}

impl MentionReply {
    /// Where the reply came from, as its place in the thread shows it.
    fn origin(&self) -> MentionOrigin {
        MentionOrigin {
            source: self.author.source.clone(),
            source_host: self.source_host.clone(),
            url: self.author.url.clone(),
            photo: self.author.photo.clone(),
        }
    }

    /// The reply as an entry of the thread: its words are text, not Markdown.
    fn node(&self) -> CommentNode {
        CommentNode {
            id: self.id,
            author: self.author.name.clone(),
            initials: self.author.initials.clone(),
            avatar: None,
            body_html: render_text(&self.content),
            timestamp: self.timestamp.clone(),
            date: self.date.clone(),
            anchor: self.anchor.clone(),
            parent_id: None,
            mention: Some(self.origin()),
            replies: Vec::new(),
        }
    }
}

/// A thread's top-level comments (oldest first, as [`Threads`](super::thread::Threads) gives
/// them) with the replies other sites sent placed among them by date, ties by id (a mention is
/// a comment row, so ids never clash). A webmention replies to the post, so only the top level
/// is merged; likes and the other kinds are counts, not entries.
pub fn among(comments: Vec<CommentNode>, replies: &[MentionReply]) -> Vec<CommentNode> {
    if replies.is_empty() {
        return comments;
    }
    // Both timestamps are RFC 3339 in UTC to the second (`dates::iso`), which sorts as time.
    let before = |r: &MentionReply, c: &CommentNode| {
        (r.timestamp.as_str(), r.id) < (c.timestamp.as_str(), c.id)
    };
    let mut thread = Vec::with_capacity(comments.len() + replies.len());
    let mut replies = replies.iter().peekable();
    for comment in comments {
        while let Some(reply) = replies.next_if(|r| before(r, &comment)) {
            thread.push(reply.node());
        }
        thread.push(comment);
    }
    thread.extend(replies.map(MentionReply::node));
    thread
}

/// What marks a reply from another site in the post's thread (`c.mention` of a thread node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MentionOrigin {
    /// The page that replied (http or https).
    pub source: String,
    /// Its host, to say where the reply came from.
    pub source_host: String,
    /// The author's page (http or https).
    pub url: Option<String>,
    /// The author's picture, only when the site shows avatars.
    pub photo: Option<String>,
}

/// Someone who mentioned the post, and where.
#[derive(Debug, Clone, Serialize)]
pub struct MentionPerson {
    /// Their name, as plain text.
    pub name: String,
    /// Initials for a placeholder picture.
    pub initials: String,
    /// Their page (http or https).
    pub url: Option<String>,
    /// Their picture, only when the site shows avatars.
    pub photo: Option<String>,
    /// The page that mentions the post (http or https).
    pub source: String,
}

/// Every post's mentions, by slug.
#[derive(Debug, Default)]
pub struct Mentions {
    by_post: FxHashMap<String, PostMentions>,
}

impl Mentions {
    /// Groups approved mentions (in time order) by post.
    pub fn collect(records: Vec<MentionRecord>, avatars: Avatars) -> Mentions {
        let mut by_post: FxHashMap<String, PostMentions> = FxHashMap::default();
        for record in records {
            let Some(source) = web_url(&record.source) else {
                continue;
            };
            let person = MentionPerson {
                name: display_name(&record.author_name),
                initials: initials(&record.author_name),
                url: record.author_url.as_deref().and_then(web_url),
                photo: (avatars != Avatars::None)
                    .then(|| record.author_photo.as_deref().and_then(web_url))
                    .flatten(),
                source,
            };
            let post = by_post.entry(record.post).or_default();
            post.count += 1;
            match record.kind.as_str() {
                "reply" => post.replies.push(MentionReply {
                    source_host: url::Url::parse(&person.source)
                        .ok()
                        .and_then(|u| u.host_str().map(str::to_string))
                        .unwrap_or_default(),
                    author: person,
                    content: record.body,
                    timestamp: dates::iso(&record.timestamp),
                    date: dates::human(&record.timestamp),
                    anchor: format!("mention-{}", record.id),
                    id: record.id,
                }),
                "like" => post.likes.push(person),
                "repost" => post.reposts.push(person),
                "bookmark" => post.bookmarks.push(person),
                _ => post.links.push(person),
            }
        }
        for post in by_post.values_mut() {
            // In the order `among` places them by: the store's, but to the second. Stable,
            // and nearly free when they already are.
            post.replies
                .sort_by(|a, b| (a.timestamp.as_str(), a.id).cmp(&(b.timestamp.as_str(), b.id)));
        }
        Mentions { by_post }
    }

    /// A post's mentions (none when it has none).
    pub fn for_post(&self, slug: &str) -> PostMentions {
        self.by_post.get(slug).cloned().unwrap_or_default()
    }
}

/// The URL, normalised, when it is an http(s) URL: anything else (`javascript:`, `data:`) is
/// never put in an `href` or `src`.
fn web_url(text: &str) -> Option<String> {
    let url = url::Url::parse(text.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn record(id: i64, kind: &str, name: &str, source: &str) -> MentionRecord {
        MentionRecord {
            id,
            post: "hello".into(),
            kind: kind.into(),
            source: source.into(),
            author_name: name.into(),
            author_url: Some("javascript:alert(1)".into()),
            author_photo: Some("https://pics.example/me.jpg".into()),
            body: "Nice.".into(),
            timestamp: Utc::now(),
        }
    }

    #[test]
    fn mentions_are_grouped_by_kind_and_only_web_urls_are_kept() {
        let records = vec![
            record(1, "reply", "Bea", "https://bea.example/1"),
            record(2, "like", "Cy", "https://cy.example/l"),
            record(3, "like", "Di", "javascript:alert(1)"),
            record(4, "repost", "", "https://e.example/r"),
        ];
        let mentions = Mentions::collect(records.clone(), Avatars::None);
        let post = mentions.for_post("hello");
        assert_eq!(
            post.count, 3,
            "the one with a script for a source is dropped"
        );
        assert_eq!(post.replies[0].source_host, "bea.example");
        assert_eq!(post.replies[0].anchor, "mention-1");
        assert_eq!(post.likes.len(), 1);
        assert_eq!(post.reposts[0].name, "Anonymous");
        assert_eq!(post.replies[0].author.url, None, "no javascript: href");
        assert_eq!(
            post.replies[0].author.photo, None,
            "no pictures without avatars"
        );
        let with_avatars = Mentions::collect(records, Avatars::Gravatar);
        assert_eq!(
            with_avatars.for_post("hello").likes[0].photo.as_deref(),
            Some("https://pics.example/me.jpg")
        );
        assert_eq!(mentions.for_post("other").count, 0);
    }

    #[test]
    fn replies_take_their_place_among_the_top_level_comments_by_date() {
        use crate::comments::thread::Threads;
        use crate::comments::{CommentRecord, Status};
        use chrono::TimeZone;
        let at = |minute: u32| Utc.with_ymd_and_hms(2024, 1, 1, 0, minute, 0).unwrap();
        let comment = |id: i64, parent: Option<i64>, minute: u32| CommentRecord {
            id,
            post: "hello".into(),
            parent_id: parent,
            username: format!("visitor {id}"),
            email: format!("v{id}@example.org"),
            body: format!("comment {id}"),
            body_html: None,
            timestamp: at(minute),
            status: Status::Approved,
        };
        let threads = Threads::collect(3, Avatars::None, |add| {
            // 4 answers 1 after the mention of minute 2: it stays under 1.
            for c in [
                comment(1, None, 1),
                comment(3, None, 3),
                comment(4, Some(1), 4),
            ] {
                add(&c.thread_row(true));
            }
            Ok(())
        })
        .unwrap();
        let reply = |id: i64, minute: u32, words: &str| MentionRecord {
            body: words.into(),
            timestamp: at(minute),
            ..record(
                id,
                "reply",
                &format!("site {id}"),
                &format!("https://s{id}.example/n"),
            )
        };
        let mentions = Mentions::collect(
            vec![
                // Out of order: they are put in order.
                reply(2, 9, "Last."),
                reply(10, 2, "*Not* <b>markdown</b>"),
                MentionRecord {
                    timestamp: at(2),
                    ..record(11, "like", "Cy", "https://cy.example/l")
                },
                // The same second as comment 3, a later id.
                reply(12, 3, "After 3."),
            ],
            Avatars::None,
        );
        let post = mentions.for_post("hello");
        let thread = among(threads.for_post("hello"), &post.replies);
        let shape: Vec<(String, usize)> = thread
            .iter()
            .map(|n| (n.anchor.clone(), n.replies.len()))
            .collect();
        let expected = [
            ("comment-1", 1),
            ("mention-10", 0),
            ("comment-3", 0),
            ("mention-12", 0),
            ("mention-2", 0),
        ];
        assert_eq!(shape, expected.map(|(a, n)| (a.to_string(), n)), "no like");
        let reply = &thread[1];
        assert_eq!(reply.author, "site 10");
        assert_eq!(reply.body_html, "<p>*Not* &lt;b&gt;markdown&lt;/b&gt;</p>");
        let origin = reply.mention.as_ref().expect("marked as a mention");
        assert_eq!(origin.source, "https://s10.example/n");
        assert_eq!(origin.source_host, "s10.example");
        assert_eq!(
            origin.photo, None,
            "no picture from another host without avatars"
        );
        assert!(thread[0].mention.is_none());
        assert_eq!(
            among(Vec::new(), &post.replies).len(),
            3,
            "a post without comments has a thread of its replies"
        );
    }
}
