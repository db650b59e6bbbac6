//! Webmentions in the store: each one is a comment row (statuses, moderation, the console and
//! the post's stamp work on it as on any comment) with its source, target and kind in the
//! `mentions` table beside it. The same source mentioning the same post again updates that
//! row instead of adding one.

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::Store;
use crate::comments::Status;

/// The longest author name a user row holds (the schema's limit).
const MAX_NAME: usize = 64;

/// A verified (or imported) mention, for [`Store::store_mention`].
#[derive(Debug, Clone)]
pub struct NewMention<'a> {
    /// The post's slug.
    pub post: &'a str,
    /// The page that mentions it.
    pub source: &'a str,
    /// The post's URL as the sender gave it.
    pub target: &'a str,
    /// `reply`, `like`, `repost`, `bookmark` or `mention`.
    pub kind: &'a str,
    /// The author's name, if the source gives one.
    pub author_name: Option<&'a str>,
    /// The author's page.
    pub author_url: Option<&'a str>,
    /// The author's picture.
    pub author_photo: Option<&'a str>,
    /// When the source says it was published, as it writes it.
    pub published: Option<&'a str>,
    /// The text of the entry.
    pub content: Option<&'a str>,
    /// When it is dated in the thread.
    pub timestamp: DateTime<Utc>,
    /// The status a new mention gets (an update keeps a mention marked as spam as spam).
    pub status: Status,
}

/// What a mention has beyond its comment row, for
/// [`IngestTx::attach_mention`](super::IngestTx::attach_mention): an import stores the comment
/// row through ingest's checks, then this beside it.
#[derive(Debug, Clone)]
pub struct MentionLink<'a> {
    /// The page that mentions the post.
    pub source: &'a str,
    /// The post's URL as the mention gave it.
    pub target: &'a str,
    /// `reply`, `like`, `repost`, `bookmark` or `mention`.
    pub kind: &'a str,
    /// The author's page.
    pub author_url: Option<&'a str>,
    /// The author's picture.
    pub author_photo: Option<&'a str>,
    /// When the source says it was published, as it writes it.
    pub published: Option<&'a str>,
}

/// What storing a mention did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredMention {
    /// A new mention, under this comment id.
    New(i64),
    /// The source had mentioned the post before: that mention (this id) was updated.
    Updated(i64),
}

/// An approved mention as a build reads it: what the page shows, and nothing of the address
/// its author's user row holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionRecord {
    /// The comment id it is stored under.
    pub id: i64,
    /// The post's slug.
    pub post: String,
    /// `reply`, `like`, `repost`, `bookmark` or `mention`.
    pub kind: String,
    /// The page that mentions the post.
    pub source: String,
    /// The author's name (or the source's host).
    pub author_name: String,
    /// The author's page.
    pub author_url: Option<String>,
    /// The author's picture.
    pub author_photo: Option<String>,
    /// The entry's text, or the source's URL when it had none.
    pub body: String,
    /// When it is dated.
    pub timestamp: DateTime<Utc>,
}

/// Stores a mention's own row beside comment `id`, unless it has one (the SQL of both
/// dialects: `?n` and `$n` are both numbered parameters).
pub(super) const ATTACH_MENTION: &str =
    "INSERT INTO mentions (comment_id, source, target, kind, author_url, author_photo, published)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (comment_id) DO NOTHING";

/// The columns of [`MentionRecord`], in order, for both dialects.
pub(super) const APPROVED_MENTIONS: &str = "SELECT c.id, c.post, m.kind, m.source, u.username, m.author_url, m.author_photo, c.body, c.timestamp
     FROM mentions m JOIN comments c ON c.id = m.comment_id JOIN users u ON u.id = c.user_id
     WHERE c.status = 'approved' ORDER BY c.post, c.timestamp, c.id";

/// How many webmentions are stored, received and sent (both dialects).
pub(super) const COUNT_WEBMENTIONS: &str =
    "SELECT (SELECT COUNT(*) FROM mentions) + (SELECT COUNT(*) FROM sent_mentions)";

/// A webmention this site sent: to whom, and the digest of the source when it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMention {
    /// The post that links out.
    pub source: String,
    /// The page it links to.
    pub target: String,
    /// The digest of the post's content when it was sent.
    pub digest: String,
}

/// The webmentions sent, for both dialects.
pub(super) const SENT_MENTIONS: &str =
    "SELECT source, target, digest FROM sent_mentions ORDER BY source, target";
/// Records a webmention sent, replacing an earlier record of the same link (both dialects).
pub(super) const RECORD_SENT: &str =
    "INSERT INTO sent_mentions (source, target, digest, outcome, sent_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (source, target) DO UPDATE SET digest = excluded.digest,
         outcome = excluded.outcome, sent_at = excluded.sent_at";
/// Forgets a webmention sent (both dialects).
pub(super) const FORGET_SENT: &str = "DELETE FROM sent_mentions WHERE source = $1 AND target = $2";

/// The row fields derived from a mention, the same on both backends.
pub(super) struct MentionRow {
    pub username: String,
    pub email: String,
    pub body: String,
    pub key: String,
}

impl NewMention<'_> {
    /// The key that makes one mention per source and post.
    pub fn submission_key(post: &str, source: &str) -> String {
        format!("webmention {source} {post}")
    }

    /// The author's user (the name, or the source's host when it gives none, with an address
    /// that ends in ".invalid": never one to write to, never hashed for an avatar), and the
    /// body (the content, or the source's URL for a like with no words).
    pub(super) fn row(&self) -> MentionRow {
        let host = url::Url::parse(self.source)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".to_string());
        let name = self
            .author_name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or(&host);
        let username: String = name.chars().take(MAX_NAME).collect();
        let email = Some(format!("webmention@{host}.invalid"))
            .filter(|e| e.chars().count() <= 120)
            .unwrap_or_else(|| "webmention@mention.invalid".to_string());
        let body = self
            .content
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .unwrap_or(self.source)
            .to_string();
        MentionRow {
            username,
            email,
            body,
            key: Self::submission_key(self.post, self.source),
        }
    }
}

impl Store {
    /// Stores a mention, or updates the one the same source made of the same post.
    pub fn store_mention(&mut self, mention: &NewMention<'_>) -> Result<StoredMention> {
        self.db.store_mention(mention)
    }

    /// Every approved mention, by post, time and id (a site has few: they are read whole).
    pub fn approved_mentions(&self) -> Result<Vec<MentionRecord>> {
        self.db.approved_mentions()
    }

    /// Whether any webmention is stored, received or sent (`quill db copy` does not carry
    /// them yet, and refuses rather than turn them into plain comments).
    pub fn has_webmentions(&self) -> Result<bool> {
        Ok(self.db.count_webmentions()? > 0)
    }

    /// Every webmention this site sent.
    pub fn sent_mentions(&self) -> Result<Vec<SentMention>> {
        self.db.sent_mentions()
    }

    /// Records that `source` notified `target` (or could not: `outcome` says), at `digest`.
    pub fn record_sent(&mut self, sent: &SentMention, outcome: &str) -> Result<()> {
        let now = crate::content::dates::iso(&Utc::now());
        self.db.record_sent(sent, outcome, &now)
    }

    /// Forgets a webmention sent for a link the post no longer has (once told again).
    pub fn forget_sent(&mut self, source: &str, target: &str) -> Result<()> {
        self.db.forget_sent(source, target)
    }

    /// Removes the mention `source` made of `post` (gone, or no longer linking); the comment
    /// id it had, if there was one.
    pub fn remove_mention(&mut self, post: &str, source: &str) -> Result<Option<i64>> {
        let key = NewMention::submission_key(post, source);
        self.db.remove_mention(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mention<'a>(name: Option<&'a str>, content: Option<&'a str>) -> NewMention<'a> {
        NewMention {
            post: "hello",
            source: "https://bea.example/notes/1",
            target: "https://blog.example/posts/hello/",
            kind: "like",
            author_name: name,
            author_url: None,
            author_photo: None,
            published: None,
            content,
            timestamp: Utc::now(),
            status: Status::Pending,
        }
    }

    #[test]
    fn a_mention_without_name_or_words_still_makes_a_valid_row() {
        let row = mention(None, Some("  ")).row();
        assert_eq!(row.username, "bea.example");
        assert_eq!(row.email, "webmention@bea.example.invalid");
        assert_eq!(row.body, "https://bea.example/notes/1");
        assert_eq!(row.key, "webmention https://bea.example/notes/1 hello");
        let long = "n".repeat(200);
        let row = mention(Some(&long), Some("Nice.")).row();
        assert_eq!(row.username.chars().count(), MAX_NAME);
        assert_eq!(row.body, "Nice.");
    }
}
