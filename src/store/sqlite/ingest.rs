//! The one transaction of an ingest run on SQLite: users found or created once per run,
//! comments inserted unless their key is stored, and each touched post's stamp renewed at
//! commit.

use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::super::backend::IngestTransaction;
use super::super::mentions::ATTACH_MENTION;
use super::super::{Inserted, MentionLink, NewComment, REFUSED};
use super::queries::IS_TOP_LEVEL;
use crate::comments::Status;
use crate::comments::render::HTML_VERSION;

/// Stores a comment; a conflicting key stores nothing. Plain INSERT and last_insert_rowid():
/// RETURNING would buffer each row in a temporary table, which costs a third of the insert on
/// large ingests.
const INSERT_COMMENT: &str = "INSERT INTO comments (post, parent_id, body, timestamp, user_id, status, submission_key, spam_score, spam_reasons, body_html, html_version)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (submission_key) DO NOTHING";

/// The transaction of one ingest run, with the statements every record uses prepared once
/// (looking them up in the connection's statement cache cost more than binding them). The
/// statements come first, so that they are finalized before the transaction ends.
#[derive(Debug)]
pub(super) struct SqliteIngest<'a> {
    insert_comment: rusqlite::Statement<'a>,
    find_user: rusqlite::Statement<'a>,
    insert_user: rusqlite::Statement<'a>,
    tx: rusqlite::Transaction<'a>,
    /// User ids by username and folded email, so a run does one lookup per visitor.
    users: rustc_hash::FxHashMap<String, i64>,
    user_key: String,
    /// Posts that got a comment in this run, with how many of them are approved: their
    /// stamps and counts change at commit.
    approved_by_post: rustc_hash::FxHashMap<String, usize>,
    /// The id of the first comment this run stored: those after it are this run's too.
    first_new: Option<i64>,
}

impl<'a> SqliteIngest<'a> {
    /// Begins the run's transaction (waiting for other writers up to the busy timeout).
    pub(super) fn begin(conn: &'a rusqlite::Connection) -> rusqlite::Result<SqliteIngest<'a>> {
        let tx = rusqlite::Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        Ok(SqliteIngest {
            insert_comment: conn.prepare(INSERT_COMMENT)?,
            find_user: conn.prepare(
                "SELECT id FROM users WHERE username = ?1 AND email = ?2 COLLATE NOCASE",
            )?,
            insert_user: conn.prepare("INSERT INTO users (username, email) VALUES (?1, ?2)")?,
            tx,
            users: rustc_hash::FxHashMap::default(),
            user_key: String::new(),
            approved_by_post: rustc_hash::FxHashMap::default(),
            first_new: None,
        })
    }

    fn user_id(&mut self, username: &str, email: &str) -> Result<i64> {
        // The key is built in a reused buffer, the email folded as NOCASE folds it (ASCII
        // letters only); a username cannot hold the NUL between them.
        self.user_key.clear();
        self.user_key.push_str(username);
        self.user_key.push('\0');
        self.user_key
            .extend(email.chars().map(|c| c.to_ascii_lowercase()));
        if let Some(&id) = self.users.get(self.user_key.as_str()) {
            return Ok(id);
        }
        let found: Option<i64> = self
            .find_user
            .query_row(params![username, email], |r| r.get(0))
            .optional()?;
        let id = match found {
            Some(id) => id,
            None => {
                self.insert_user
                    .execute(params![username, email])
                    .with_context(|| format!("failed to store the user {username:?}"))?;
                self.tx.last_insert_rowid()
            }
        };
        self.users.insert(self.user_key.clone(), id);
        Ok(id)
    }

    /// What is stored under a conflicting key: this comment, or another one.
    fn stored_under_key(&mut self, c: &NewComment<'_>) -> Result<Inserted> {
        let stored: Option<(i64, String, String, String, String)> = self
            .tx
            .prepare_cached(
                "SELECT c.id, c.post, u.username, u.email, c.body FROM comments c
                 JOIN users u ON u.id = c.user_id WHERE c.submission_key = ?1",
            )?
            .query_row([c.submission_key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })
            .optional()?;
        let stored = stored.as_ref();
        super::super::backend::stored_under_key(
            c,
            stored.map(|(id, p, u, e, b)| (*id, p.as_str(), u.as_str(), e.as_str(), b.as_str())),
        )
    }
}

impl IngestTransaction for SqliteIngest<'_> {
    /// Stores a comment (and its user), unless its submission key is already there.
    fn insert(&mut self, c: &NewComment<'_>) -> Result<Inserted> {
        let user_id = self.user_id(c.username, c.email)?;
        let result = self.insert_comment.execute(params![
            c.post,
            c.parent_id,
            c.body,
            crate::content::dates::iso(&c.timestamp),
            user_id,
            c.status.as_str(),
            c.submission_key,
            c.spam_score,
            c.spam_reasons,
            c.body_html,
            HTML_VERSION
        ]);
        let changed = match result {
            // A failed statement is undone by itself; the run's transaction goes on.
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                return Ok(Inserted::Refused(REFUSED));
            }
            other => other
                .with_context(|| format!("failed to store the comment {:?}", c.submission_key))?,
        };
        let inserted = (changed == 1).then(|| self.tx.last_insert_rowid());
        match inserted {
            Some(id) => {
                self.first_new.get_or_insert(id);
                let approved = usize::from(c.status == Status::Approved);
                match self.approved_by_post.get_mut(c.post) {
                    Some(n) => *n += approved,
                    None => {
                        self.approved_by_post.insert(c.post.to_string(), approved);
                    }
                }
                Ok(Inserted::New(id))
            }
            None => self.stored_under_key(c),
        }
    }

    /// (id, post) of a comment by id.
    fn comment_by_id(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, post FROM comments WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// (id, post) of a comment by submission key.
    fn comment_by_key(&mut self, key: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, post FROM comments WHERE submission_key = ?1")?
            .query_row([key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Marks a comment as a webmention; one counted as approved in this run is no longer
    /// counted, since a post's count is of its comments.
    fn attach_mention(&mut self, id: i64, link: &MentionLink<'_>) -> Result<()> {
        let added = self
            .tx
            .prepare_cached(ATTACH_MENTION)?
            .execute(params![
                id,
                link.source,
                link.target,
                link.kind,
                link.author_url,
                link.author_photo,
                link.published
            ])
            .context("failed to store a mention's source")?;
        if added == 1 {
            let (post, status): (String, String) = self.tx.query_row(
                "SELECT post, status FROM comments WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if let Some(n) = self.approved_by_post.get_mut(&post)
                && status == Status::Approved.as_str()
            {
                *n = n.saturating_sub(1);
            }
        }
        Ok(())
    }

    /// The spam filter's model as this transaction sees it.
    fn spam_counts(&mut self) -> Result<crate::spam::Counts> {
        super::spam::counts(&self.tx)
    }

    /// Makes the run's changes durable.
    fn commit(self: Box<Self>) -> Result<()> {
        let SqliteIngest {
            insert_comment,
            find_user,
            insert_user,
            tx,
            approved_by_post,
            first_new,
            ..
        } = *self;
        drop((insert_comment, find_user, insert_user));
        // An ingest only adds comments, so each post's counts grow by what this run added: a
        // new comment cannot be the parent of an older one. Its rowids come after those
        // already stored, so the run's comments are the end of the table: read there in one
        // pass in rowid order, not post by post through the (post, id) index, which for a
        // large run fetched each row from wherever its page was (a third of a million-row run).
        let first_new = first_new.unwrap_or(i64::MAX);
        let mut top_level: rustc_hash::FxHashMap<String, i64> = rustc_hash::FxHashMap::default();
        {
            let mut added = tx.prepare(&format!(
                "SELECT c.post, {IS_TOP_LEVEL} FROM comments c
                 WHERE c.id >= ?1 AND c.status = 'approved'
                   AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)
                 ORDER BY c.id"
            ))?;
            let mut rows = added.query([first_new])?;
            while let Some(row) = rows.next()? {
                let post = row.get_ref(0)?.as_str()?;
                let top: bool = row.get(1)?;
                match top_level.get_mut(post) {
                    Some(n) => *n += i64::from(top),
                    None => {
                        top_level.insert(post.to_string(), i64::from(top));
                    }
                }
            }
        }
        let mut stmt = tx.prepare_cached(
            "INSERT INTO post_comment_stamps (post, stamp, approved, top_level)
             VALUES (?1, random(), ?2, ?3)
             ON CONFLICT (post) DO UPDATE SET stamp = excluded.stamp,
                 approved = approved + excluded.approved, top_level = top_level + excluded.top_level",
        )?;
        for (post, approved) in &approved_by_post {
            let top = top_level.get(post.as_str()).copied().unwrap_or(0);
            stmt.execute(params![post, approved, top])
                .with_context(|| format!("failed to stamp the comments of {post:?}"))?;
        }
        drop(stmt);
        tx.commit()
            .context("failed to commit the comments to the database")
    }
}
