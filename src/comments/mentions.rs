//! Webmentions as templates see them (`page.mentions`): replies with their words, likes,
//! reposts and bookmarks as the people who made them, and plain mentions as links, grouped by
//! post. Names and words are plain text for the template to escape; every URL is http(s), or
//! left out; an author's picture from another host is kept only when the site shows avatars.
//! The replies also join the post's thread ([`Threads::with_mention_replies`]).
//!
//! [`Threads::with_mention_replies`]: super::thread::Threads::with_mention_replies

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::Serialize;

use super::render::{display_name, initials};
use crate::config::Avatars;
use crate::content::dates;
use crate::store::MentionRecord;

/// One post's mentions.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostMentions {
    /// Replies, oldest first.
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
    /// When it is dated, to place it among the comments.
    #[serde(skip)]
    pub at: DateTime<Utc>,
}

impl MentionReply {
    /// Where the reply came from, as its place in the thread shows it.
    pub fn origin(&self) -> MentionOrigin {
        MentionOrigin {
            source: self.author.source.clone(),
            source_host: self.source_host.clone(),
            url: self.author.url.clone(),
            photo: self.author.photo.clone(),
        }
    }
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
                    at: record.timestamp,
                }),
                "like" => post.likes.push(person),
                "repost" => post.reposts.push(person),
                "bookmark" => post.bookmarks.push(person),
                _ => post.links.push(person),
            }
        }
        Mentions { by_post }
    }

    /// A post's mentions (none when it has none).
    pub fn for_post(&self, slug: &str) -> PostMentions {
        self.by_post.get(slug).cloned().unwrap_or_default()
    }

    /// Every reply, with the slug of the post it replies to.
    pub fn replies(&self) -> impl Iterator<Item = (&str, &MentionReply)> {
        self.by_post
            .iter()
            .flat_map(|(post, m)| m.replies.iter().map(move |r| (post.as_str(), r)))
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
}
