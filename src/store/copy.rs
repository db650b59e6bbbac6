//! `quill db copy`: every user and comment of one database into an empty one of either kind,
//! keeping ids, in one transaction on the target, with the row counts checked before commit.
//! The per-post comment stamps are not copied but made afresh, as the migration that added
//! them does: they are random, and only have to change when the comments do. The spam
//! filter's model, each comment's score and lesson, and its stored HTML travel with them.

use std::collections::{HashMap, HashSet};

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};

use super::{DbLocation, Store, migrations, too_new};

impl Store {
    /// Copies every user and comment from `from` into the empty database `to` (of either
    /// kind), keeping ids, in one transaction on `to` whose row counts are checked before it
    /// commits. `to` gets the latest schema first. Returns the counts and notes on what was done.
    pub fn copy(from: &DbLocation, to: &DbLocation) -> Result<(CopyCounts, Vec<String>)> {
        if from == to {
            bail!("{to} is the database being copied; name another with --to");
        }
        let Some(source) = Store::open_read_only(from)? else {
            bail!("there is no comment database at {from} to copy");
        };
        if source.has_webmentions()? {
            bail!(
                "{from} holds webmentions, which `quill db copy` cannot carry yet; nothing was copied"
            );
        }
        let mut target = Store::open_unmigrated(to)?;
        let mut notes = Vec::new();
        let version = target.version()?;
        let latest = migrations::latest();
        if version > latest {
            bail!(too_new(to, version));
        }
        // Checked before migrating, so that a refused target is left exactly as it was.
        if version > 0 {
            let (users, comments) = target.db.row_counts()?;
            if users > 0 || comments > 0 {
                bail!(
                    "{to} already holds {users} users and {comments} comments; `quill db copy` only writes into an empty database"
                );
            }
        }
        if version < latest {
            target.migrate(latest)?;
            notes.push(format!(
                "created the comment database {to} (schema version {latest})"
            ));
        }
        let dump = source.db.dump()?;
        let copied = target.db.load(&dump)?;
        Ok((copied, notes))
    }
}

/// (users, comments) stored, for both dialects.
pub(super) const ROW_COUNTS: &str =
    "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM comments)";

/// Every user, in the order of [`UserData`]'s fields (both dialects).
pub(super) const USERS: &str = "SELECT id, username, email, created_at FROM users ORDER BY id";

/// Every comment, in the order of [`CommentData`]'s fields (both dialects).
pub(super) const COMMENTS: &str =
    "SELECT id, post, parent_id, body, timestamp, user_id, status, submission_key,
            spam_score, spam_reasons, spam_taught, body_html, html_version
     FROM comments ORDER BY id";

/// Writes one [`UserData`], id included (both dialects: `$n` is numbered in SQLite too).
pub(super) const INSERT_USER: &str =
    "INSERT INTO users (id, username, email, created_at) VALUES ($1, $2, $3, $4)";

/// Writes one [`CommentData`], id included (both dialects).
pub(super) const INSERT_COMMENT: &str =
    "INSERT INTO comments (id, post, parent_id, body, timestamp, user_id, status, submission_key,
                           spam_score, spam_reasons, spam_taught, body_html, html_version)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

/// Every row of a database, as plain data that either backend can write.
#[derive(Debug, Default)]
pub(crate) struct Dump {
    pub(super) users: Vec<UserData>,
    pub(super) comments: Vec<CommentData>,
    pub(super) model: crate::spam::Counts,
}

/// A user row as either backend reads and writes it.
#[derive(Debug)]
pub(super) struct UserData {
    pub(super) id: i64,
    pub(super) username: String,
    pub(super) email: String,
    pub(super) created_at: DateTime<Utc>,
}

/// A comment row as either backend reads and writes it.
#[derive(Debug)]
pub(super) struct CommentData {
    pub(super) id: i64,
    pub(super) post: String,
    pub(super) parent_id: Option<i64>,
    pub(super) body: String,
    pub(super) timestamp: DateTime<Utc>,
    pub(super) user_id: i64,
    pub(super) status: String,
    pub(super) submission_key: String,
    pub(super) spam_score: Option<f64>,
    pub(super) spam_reasons: Option<String>,
    pub(super) spam_taught: Option<String>,
    /// The stored HTML and the renderer's version that made it, copied as they are.
    pub(super) body_html: Option<String>,
    pub(super) html_version: i32,
}

/// How many rows a copy wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyCounts {
    /// Users copied.
    pub users: usize,
    /// Comments copied.
    pub comments: usize,
}

impl Dump {
    /// The comments with every parent before its replies: ids usually give that order, but
    /// nothing in the schema promises it, and the target checks each parent on insert.
    pub(super) fn comments_parents_first(&self) -> Vec<&CommentData> {
        let by_id: HashMap<i64, &CommentData> = self.comments.iter().map(|c| (c.id, c)).collect();
        let mut done = HashSet::new();
        let mut order = Vec::with_capacity(self.comments.len());
        for comment in &self.comments {
            let mut chain = Vec::new();
            let mut next = Some(comment);
            while let Some(c) = next.filter(|c| !done.contains(&c.id)) {
                chain.push(c);
                next = c.parent_id.and_then(|p| by_id.get(&p).copied());
            }
            for c in chain.into_iter().rev() {
                done.insert(c.id);
                order.push(c);
            }
        }
        order
    }

    /// The users and comments it holds.
    pub(super) fn counts(&self) -> CopyCounts {
        CopyCounts {
            users: self.users.len(),
            comments: self.comments.len(),
        }
    }
}

/// Stops a copy whose target does not hold exactly what it wrote.
pub(super) fn check_counts(wrote: CopyCounts, found: (i64, i64)) -> Result<()> {
    if (wrote.users as i64, wrote.comments as i64) != found {
        bail!(
            "the copy does not add up: wrote {} users and {} comments, the target holds {} and {}; nothing was copied",
            wrote.users,
            wrote.comments,
            found.0,
            found.1
        );
    }
    Ok(())
}

/// Stops a copy into a database that already holds rows.
pub(super) fn not_empty(users: i64, comments: i64) -> Result<()> {
    if users > 0 || comments > 0 {
        bail!(
            "the target already holds {users} users and {comments} comments; `quill db copy` only writes into an empty database"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, parent_id: Option<i64>) -> CommentData {
        CommentData {
            id,
            post: "p".into(),
            parent_id,
            body: "b".into(),
            timestamp: Utc::now(),
            user_id: 1,
            status: "approved".into(),
            submission_key: format!("k{id}"),
            spam_score: None,
            spam_reasons: None,
            spam_taught: None,
            body_html: None,
            html_version: 0,
        }
    }

    #[test]
    fn parents_come_before_their_replies() {
        let dump = Dump {
            users: Vec::new(),
            model: Default::default(),
            comments: vec![
                comment(1, Some(5)),
                comment(2, None),
                comment(3, Some(1)),
                comment(5, Some(2)),
            ],
        };
        let order: Vec<i64> = dump.comments_parents_first().iter().map(|c| c.id).collect();
        assert_eq!(order, [2, 5, 1, 3]);
    }
}
