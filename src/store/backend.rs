//! The interface every database backend implements, chosen once where the location is read
//! (as ripgrep chooses its regex engine once), so that [`Store`](super::Store) is one call per
//! method and the compiler keeps the backends in step. A new backend is a folder beside
//! `sqlite` and `postgres` with these impls.
//!
//! The interface is split by what the queries serve (comments, mentions, the spam model,
//! copies), so that each backend implements each part in the file that holds its SQL.

use anyhow::Result;

use super::copy::{CopyCounts, Dump};
use super::{
    CommentFilter, CommentRow, DbLocation, Inserted, MentionLink, MentionRecord, NewComment,
    NewMention, PostStamps, SentMention, StoredMention, UserRow,
};
use crate::comments::{CommentRecord, Status, ThreadRead, ThreadRow};
use crate::spam::Counts;

/// An open comment database of some kind.
pub(crate) trait Database:
    CommentQueries + MentionQueries + SpamQueries + CopyQueries + std::fmt::Debug + Send
{
    /// Where the database is, as the author named it.
    fn location(&self) -> DbLocation;

    /// The schema version recorded in the database (0 for one without quill's tables).
    fn version(&self) -> Result<u32>;

    /// Writes a backup named after the version it holds, never replacing an older one;
    /// returns a note saying where.
    fn backup(&self, version: u32) -> Result<String>;

    /// Runs the migrations from the current version to `target`, all in one transaction; an
    /// upgrade to [`COMMENT_HTML`](super::migrations::COMMENT_HTML) or past it also fills the
    /// comments' HTML, in the same transaction.
    fn migrate(&mut self, target: u32) -> Result<()>;

    /// Renders the comments whose stored HTML is missing or was made by another renderer, in
    /// one transaction; returns how many. Only on a schema that holds the HTML.
    fn refresh_html(&mut self) -> Result<usize>;

    /// Begins the one transaction of an ingest run, waiting for other writers and calling
    /// `waiting` with who holds the lock when it has to.
    fn begin_ingest<'a>(
        &'a mut self,
        waiting: &dyn Fn(&str),
    ) -> Result<Box<dyn IngestTransaction + 'a>>;
}

/// The builds' reads and the console's reads and writes of comments and users; each write is
/// one transaction that also renews the stamps of the posts it changed.
pub(crate) trait CommentQueries {
    /// Hands approved comments, as threads read them, to `visit`, without holding them all:
    /// with `read.posts` set, those of the given posts, grouped by post (in no promised order
    /// of posts), each post's in id order; without, every one, in one pass in id order.
    /// `visit` returns whether to go on.
    fn each_approved_comment(
        &self,
        read: &ThreadRead<'_>,
        visit: &mut dyn FnMut(&ThreadRow<'_>) -> bool,
    ) -> Result<()>;

    /// The lowest and highest comment ids, if there are comments.
    fn comment_ids(&self) -> Result<Option<(i64, i64)>>;

    /// The comment stamp and approved count of every post that has comments.
    fn comment_stamps(&self) -> Result<PostStamps>;

    /// The newest `limit` approved comments across the site, newest first.
    fn latest_approved(&self, limit: usize) -> Result<Vec<CommentRecord>>;

    /// Comments matching a filter, oldest first.
    fn comments(&self, filter: &CommentFilter) -> Result<Vec<CommentRow>>;

    /// Every comment written here (not mentions), in id order.
    fn all_comments_by_id(&self) -> Result<Vec<CommentRow>>;

    /// Sets the status of comments; every id must exist, or nothing changes.
    fn set_status(&mut self, ids: &[i64], status: Status) -> Result<usize>;

    /// Deletes comments; one with replies needs `with_replies` (see [`check_thread`]).
    /// Returns the ids deleted.
    fn delete_comments(&mut self, ids: &[i64], with_replies: bool) -> Result<Vec<i64>>;

    /// Moves every comment of one post to another slug; returns how many moved.
    fn move_comments(&mut self, from: &str, to: &str) -> Result<usize>;

    /// Users with their comment counts, by id; `only` picks one.
    fn users(&self, only: Option<i64>) -> Result<Vec<UserRow>>;

    /// Deletes a user and all their comments (with any replies to them); returns the comment
    /// count.
    fn delete_user(&mut self, id: i64) -> Result<usize>;
}

/// Webmentions received and sent.
pub(crate) trait MentionQueries {
    /// Stores a mention, or updates the one the same source made of the same post.
    fn store_mention(&mut self, mention: &NewMention<'_>) -> Result<StoredMention>;

    /// Every approved mention, by post, time and id.
    fn approved_mentions(&self) -> Result<Vec<MentionRecord>>;

    /// Removes the mention stored under submission `key`; the comment id it had, if any.
    fn remove_mention(&mut self, key: &str) -> Result<Option<i64>>;

    /// How many webmentions are stored, received and sent together.
    fn count_webmentions(&self) -> Result<i64>;

    /// Every webmention this site sent, by source and target.
    fn sent_mentions(&self) -> Result<Vec<SentMention>>;

    /// Records that `sent.source` notified `sent.target` (or could not: `outcome` says) at
    /// `sent_at`.
    fn record_sent(&mut self, sent: &SentMention, outcome: &str, sent_at: &str) -> Result<()>;

    /// Forgets a webmention sent from `source` to `target`.
    fn forget_sent(&mut self, source: &str, target: &str) -> Result<()>;
}

/// The spam filter's model.
pub(crate) trait SpamQueries {
    /// The model as stored.
    fn spam_counts(&self) -> Result<Counts>;

    /// Rebuilds the model from every stored decision in one transaction; returns (spam, ham)
    /// comments learned.
    fn retrain(&mut self) -> Result<(u64, u64)>;
}

/// What `quill db copy` reads from one database and writes into another.
pub(crate) trait CopyQueries {
    /// (users, comments) stored.
    fn row_counts(&self) -> Result<(i64, i64)>;

    /// Every row, read in one transaction so that the copy is of one moment.
    fn dump(&self) -> Result<Dump>;

    /// Writes every row of `dump` into this empty database in one transaction, checking
    /// emptiness and the counts (with [`not_empty`](super::copy::not_empty) and
    /// [`check_counts`](super::copy::check_counts)) inside it.
    fn load(&mut self, dump: &Dump) -> Result<CopyCounts>;
}

/// The one transaction of an ingest run; dropping it without `commit` rolls back.
pub(crate) trait IngestTransaction: std::fmt::Debug {
    /// Finds or creates the user, then stores the comment unless its key is already stored.
    fn insert(&mut self, c: &NewComment<'_>) -> Result<Inserted>;

    /// (id, post) of a stored comment by id, including ones stored earlier in this run.
    fn comment_by_id(&mut self, id: i64) -> Result<Option<(i64, String)>>;

    /// (id, post) of a stored comment by submission key.
    fn comment_by_key(&mut self, key: &str) -> Result<Option<(i64, String)>>;

    /// Marks comment `id` as a webmention (a second time changes nothing).
    fn attach_mention(&mut self, id: i64, link: &MentionLink<'_>) -> Result<()>;

    /// The spam filter's model as this transaction sees it.
    fn spam_counts(&mut self) -> Result<Counts>;

    /// Renews the stamps of the posts the run touched and makes the run durable.
    fn commit(self: Box<Self>) -> Result<()>;
}

/// How stored timestamps are written (RFC 3339 in UTC, to the second) wherever a backend
/// stores them as text.
pub(crate) const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// The rule of `delete_comments` for one id, given the thread it heads (the id and every
/// reply below it; empty when no such comment is stored) and the ids already deleted in this
/// call: `Ok(false)` to skip an id an earlier thread took, `Ok(true)` to delete, or the error
/// that stops the whole call.
pub(crate) fn check_thread(
    id: i64,
    thread: &[i64],
    deleted: &[i64],
    with_replies: bool,
) -> Result<bool> {
    if thread.is_empty() {
        if deleted.contains(&id) {
            return Ok(false);
        }
        anyhow::bail!("{}; nothing was deleted", no_comment(id));
    }
    if thread.len() > 1 && !with_replies {
        anyhow::bail!(
            "comment {id} has {} replies; add --with-replies to delete the whole thread (nothing was deleted)",
            thread.len() - 1
        );
    }
    Ok(true)
}

/// What an insert whose submission key conflicted found under that key, given the stored
/// comment's (id, post, username, email, body): the same comment again, or another one.
pub(crate) fn stored_under_key(
    c: &NewComment<'_>,
    stored: Option<(i64, &str, &str, &str, &str)>,
) -> Result<Inserted> {
    let (id, post, username, email, body) = stored.ok_or_else(|| {
        anyhow::anyhow!(
            "the comment {:?} conflicts but is not stored",
            c.submission_key
        )
    })?;
    Ok(if c.same_as(post, username, email, body) {
        Inserted::AlreadyStored(id)
    } else {
        Inserted::KeyTaken(id)
    })
}

/// What the console is told of an id no comment has.
pub(crate) fn no_comment(id: i64) -> String {
    format!("no comment with id {id} (see `quill comments list`)")
}

/// What the console is told of an id no user has.
pub(crate) fn no_user(id: i64) -> String {
    format!("no user with id {id} (see `quill users list`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_with_replies_needs_leave_and_a_missing_id_stops_the_call() {
        assert!(check_thread(1, &[1], &[], false).unwrap());
        let err = check_thread(1, &[1, 2, 3], &[], false).unwrap_err();
        assert!(err.to_string().contains("has 2 replies"), "{err}");
        assert!(check_thread(1, &[1, 2, 3], &[], true).unwrap());
        // Already taken with an earlier thread: skipped, not an error.
        assert!(!check_thread(2, &[], &[1, 2], true).unwrap());
        let err = check_thread(9, &[], &[1, 2], true).unwrap_err();
        assert!(err.to_string().starts_with("no comment with id 9"), "{err}");
    }

    #[test]
    fn a_conflicting_key_is_the_same_comment_only_with_the_same_post_author_and_body() {
        let c = NewComment {
            post: "hello",
            parent_id: None,
            username: "Bea",
            email: "bea@example.com",
            body: "Nice post.",
            body_html: "<p>Nice post.</p>",
            timestamp: chrono::Utc::now(),
            status: Status::Approved,
            submission_key: "k1",
            spam_score: None,
            spam_reasons: None,
        };
        let same = (7, "hello", "Bea", "BEA@example.com", "Nice post.");
        assert_eq!(
            stored_under_key(&c, Some(same)).unwrap(),
            Inserted::AlreadyStored(7)
        );
        let other = (7, "hello", "Bea", "bea@example.com", "Another post.");
        assert_eq!(
            stored_under_key(&c, Some(other)).unwrap(),
            Inserted::KeyTaken(7)
        );
        let err = stored_under_key(&c, None).unwrap_err();
        assert!(err.to_string().contains("\"k1\" conflicts"), "{err}");
    }
}
