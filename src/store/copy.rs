//! `quill db copy`: every user and comment of one database into an empty one of either kind,
//! keeping ids, in one transaction on the target, with the row counts checked before commit.
//! The per-post comment stamps are not copied but made afresh, as the migration that added
//! them does: they are random, and only have to change when the comments do. The spam
//! filter's model and each comment's score and lesson travel with them.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};

use super::postgres::{Postgres, failed};
use super::sqlite::{Sqlite, parse_time};
use super::{Backend, DbLocation, Store, migrations, too_new};

const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

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
            let (users, comments) = target.row_counts()?;
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
        let dump = match &source.backend {
            Backend::Sqlite(db) => db.dump()?,
            Backend::Postgres(db) => db.dump()?,
        };
        let copied = match &mut target.backend {
            Backend::Sqlite(db) => db.load(&dump)?,
            Backend::Postgres(db) => db.load(&dump)?,
        };
        Ok((copied, notes))
    }

    fn row_counts(&self) -> Result<(i64, i64)> {
        match &self.backend {
            Backend::Sqlite(db) => db.row_counts(),
            Backend::Postgres(db) => db.row_counts(),
        }
    }
}

/// Every row of a database, as plain data that either backend can write.
#[derive(Debug, Default)]
pub(super) struct Dump {
    users: Vec<UserData>,
    comments: Vec<CommentData>,
    model: crate::spam::Counts,
}

#[derive(Debug)]
struct UserData {
    id: i64,
    username: String,
    email: String,
    created_at: DateTime<Utc>,
}

#[derive(Debug)]
struct CommentData {
    id: i64,
    post: String,
    parent_id: Option<i64>,
    body: String,
    timestamp: DateTime<Utc>,
    user_id: i64,
    status: String,
    submission_key: String,
    spam_score: Option<f64>,
    spam_reasons: Option<String>,
    spam_taught: Option<String>,
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
    fn comments_parents_first(&self) -> Vec<&CommentData> {
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

    fn counts(&self) -> CopyCounts {
        CopyCounts {
            users: self.users.len(),
            comments: self.comments.len(),
        }
    }
}

fn check_counts(wrote: CopyCounts, found: (i64, i64)) -> Result<()> {
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

fn not_empty(users: i64, comments: i64) -> Result<()> {
    if users > 0 || comments > 0 {
        bail!(
            "the target already holds {users} users and {comments} comments; `quill db copy` only writes into an empty database"
        );
    }
    Ok(())
}

impl Sqlite {
    /// (users, comments) stored.
    pub(super) fn row_counts(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM comments)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Every row, read in one transaction so that the copy is of one moment.
    pub(super) fn dump(&self) -> Result<Dump> {
        let tx = self.conn.unchecked_transaction()?;
        let users = tx
            .prepare("SELECT id, username, email, created_at FROM users ORDER BY id")?
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?))
            })?
            .map(|row| {
                let (id, username, email, created_at) = row?;
                Ok(UserData {
                    id,
                    username,
                    email,
                    created_at: parse_time(&created_at)?,
                })
            })
            .collect::<Result<Vec<_>>>()
            .context("failed to read the users")?;
        let comments = tx
            .prepare(
                "SELECT id, post, parent_id, body, timestamp, user_id, status, submission_key,
                        spam_score, spam_reasons, spam_taught
                 FROM comments ORDER BY id",
            )?
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                    (r.get::<_, String>(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
                    (r.get(8)?, r.get(9)?, r.get(10)?),
                ))
            })?
            .map(|row| {
                let (
                    (id, post, parent_id, body),
                    (timestamp, user_id, status, submission_key),
                    (spam_score, spam_reasons, spam_taught),
                ) = row?;
                Ok(CommentData {
                    id,
                    post,
                    parent_id,
                    body,
                    timestamp: parse_time(&timestamp)?,
                    user_id,
                    status,
                    submission_key,
                    spam_score,
                    spam_reasons,
                    spam_taught,
                })
            })
            .collect::<Result<Vec<_>>>()
            .context("failed to read the comments")?;
        drop(tx);
        let model = self.spam_counts()?;
        Ok(Dump {
            users,
            comments,
            model,
        })
    }

    /// Writes every row of `dump` into this empty database in one transaction.
    pub(super) fn load(&mut self, dump: &Dump) -> Result<CopyCounts> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (users, comments) = tx.query_row(
            "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM comments)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        not_empty(users, comments)?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO users (id, username, email, created_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for u in &dump.users {
                insert
                    .execute(params![
                        u.id,
                        u.username,
                        u.email,
                        u.created_at.format(TIME_FORMAT).to_string()
                    ])
                    .with_context(|| format!("failed to copy user {}", u.id))?;
            }
            let mut insert = tx.prepare(
                "INSERT INTO comments (id, post, parent_id, body, timestamp, user_id, status, submission_key,
                                       spam_score, spam_reasons, spam_taught)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?;
            for c in dump.comments_parents_first() {
                insert
                    .execute(params![
                        c.id,
                        c.post,
                        c.parent_id,
                        c.body,
                        c.timestamp.format(TIME_FORMAT).to_string(),
                        c.user_id,
                        c.status,
                        c.submission_key,
                        c.spam_score,
                        c.spam_reasons,
                        c.spam_taught
                    ])
                    .with_context(|| format!("failed to copy comment {}", c.id))?;
            }
            tx.execute(
                "UPDATE spam_model SET spam_docs = ?1, ham_docs = ?2 WHERE id = 1",
                params![dump.model.spam_docs as i64, dump.model.ham_docs as i64],
            )?;
            tx.execute("DELETE FROM spam_tokens", [])?;
            let mut insert =
                tx.prepare("INSERT INTO spam_tokens (token, spam, ham) VALUES (?1, ?2, ?3)")?;
            for (token, &(spam, ham)) in &dump.model.tokens {
                insert
                    .execute(params![token, spam as i64, ham as i64])
                    .context("failed to copy the spam filter's model")?;
            }
        }
        tx.execute_batch(
            "DELETE FROM post_comment_stamps;
             INSERT INTO post_comment_stamps (post, stamp, approved)
             SELECT post, random(), SUM(status = 'approved') FROM comments GROUP BY post;",
        )
        .context("failed to stamp the copied posts")?;
        let found = tx.query_row(
            "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM comments)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        check_counts(dump.counts(), found)?;
        tx.commit().context("failed to commit the copy")?;
        Ok(dump.counts())
    }
}

impl Postgres {
    /// (users, comments) stored.
    pub(super) fn row_counts(&self) -> Result<(i64, i64)> {
        let row = self
            .client
            .borrow_mut()
            .query_one(
                "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM comments)",
                &[],
            )
            .map_err(failed("failed to count rows"))?;
        Ok((row.get(0), row.get(1)))
    }

    /// Every row, read in one repeatable-read transaction so that the copy is of one moment.
    pub(super) fn dump(&self) -> Result<Dump> {
        let what = "failed to read the database";
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(failed(what))?;
        let users = tx
            .query(
                "SELECT id, username, email, created_at FROM users ORDER BY id",
                &[],
            )
            .map_err(failed(what))?
            .iter()
            .map(|r| {
                Ok(UserData {
                    id: r.try_get(0)?,
                    username: r.try_get(1)?,
                    email: r.try_get(2)?,
                    created_at: r.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let comments = tx
            .query(
                "SELECT id, post, parent_id, body, timestamp, user_id, status, submission_key,
                        spam_score, spam_reasons, spam_taught
                 FROM comments ORDER BY id",
                &[],
            )
            .map_err(failed(what))?
            .iter()
            .map(|r| {
                Ok(CommentData {
                    id: r.try_get(0)?,
                    post: r.try_get(1)?,
                    parent_id: r.try_get(2)?,
                    body: r.try_get(3)?,
                    timestamp: r.try_get(4)?,
                    user_id: r.try_get(5)?,
                    status: r.try_get(6)?,
                    submission_key: r.try_get(7)?,
                    spam_score: r.try_get(8)?,
                    spam_reasons: r.try_get(9)?,
                    spam_taught: r.try_get(10)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let spam_docs = tx
            .query_one(
                "SELECT spam_docs, ham_docs FROM spam_model WHERE id = 1",
                &[],
            )
            .map_err(failed(what))?;
        let tokens = tx
            .query("SELECT token, spam, ham FROM spam_tokens", &[])
            .map_err(failed(what))?
            .iter()
            .map(|r| {
                (
                    r.get::<_, String>(0),
                    (r.get::<_, i64>(1) as u64, r.get::<_, i64>(2) as u64),
                )
            })
            .collect();
        let model = crate::spam::Counts {
            spam_docs: spam_docs.get::<_, i64>(0) as u64,
            ham_docs: spam_docs.get::<_, i64>(1) as u64,
            tokens,
        };
        tx.commit().map_err(failed(what))?;
        Ok(Dump {
            users,
            comments,
            model,
        })
    }

    /// Writes every row of `dump` into this empty database in one transaction, then moves the
    /// id sequences past the copied ids so that new rows do not collide with them.
    pub(super) fn load(&mut self, dump: &Dump) -> Result<CopyCounts> {
        let what = "failed to copy";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        // No other writer may add rows between the emptiness check and the commit.
        tx.batch_execute("LOCK TABLE users, comments IN EXCLUSIVE MODE")
            .map_err(failed(what))?;
        let counts = |tx: &mut postgres::Transaction<'_>| -> Result<(i64, i64)> {
            let row = tx
                .query_one(
                    "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM comments)",
                    &[],
                )
                .map_err(failed("failed to count rows"))?;
            Ok((row.get(0), row.get(1)))
        };
        let (users, comments) = counts(&mut tx)?;
        not_empty(users, comments)?;
        let insert = tx
            .prepare("INSERT INTO users (id, username, email, created_at) VALUES ($1, $2, $3, $4)")
            .map_err(failed(what))?;
        for u in &dump.users {
            tx.execute(&insert, &[&u.id, &u.username, &u.email, &u.created_at])
                .map_err(|e| {
                    anyhow!(
                        "failed to copy user {}: {}",
                        u.id,
                        super::postgres::pg_error(&e)
                    )
                })?;
        }
        let insert = tx
            .prepare(
                "INSERT INTO comments (id, post, parent_id, body, timestamp, user_id, status, submission_key,
                                       spam_score, spam_reasons, spam_taught)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .map_err(failed(what))?;
        for c in dump.comments_parents_first() {
            tx.execute(
                &insert,
                &[
                    &c.id,
                    &c.post,
                    &c.parent_id,
                    &c.body,
                    &c.timestamp,
                    &c.user_id,
                    &c.status,
                    &c.submission_key,
                    &c.spam_score,
                    &c.spam_reasons,
                    &c.spam_taught,
                ],
            )
            .map_err(|e| {
                anyhow!(
                    "failed to copy comment {}: {}",
                    c.id,
                    super::postgres::pg_error(&e)
                )
            })?;
        }
        let (tokens, token_counts): (Vec<&str>, Vec<(i64, i64)>) = dump
            .model
            .tokens
            .iter()
            .map(|(t, &(s, h))| (t.as_str(), (s as i64, h as i64)))
            .unzip();
        let (spam, ham): (Vec<i64>, Vec<i64>) = token_counts.into_iter().unzip();
        tx.execute(
            "UPDATE spam_model SET spam_docs = $1, ham_docs = $2 WHERE id = 1",
            &[
                &(dump.model.spam_docs as i64),
                &(dump.model.ham_docs as i64),
            ],
        )
        .map_err(failed("failed to copy the spam filter's model"))?;
        tx.execute("DELETE FROM spam_tokens", &[])
            .map_err(failed("failed to copy the spam filter's model"))?;
        tx.execute(
            "INSERT INTO spam_tokens (token, spam, ham)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])",
            &[&tokens, &spam, &ham],
        )
        .map_err(failed("failed to copy the spam filter's model"))?;
        tx.batch_execute(
            "SELECT setval(pg_get_serial_sequence('users', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM users;
             SELECT setval(pg_get_serial_sequence('comments', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM comments;
             DELETE FROM post_comment_stamps;
             INSERT INTO post_comment_stamps (post, stamp, approved)
             SELECT post, quill_new_stamp(), COUNT(*) FILTER (WHERE status = 'approved')
             FROM comments GROUP BY post;",
        )
        .map_err(failed(what))?;
        check_counts(dump.counts(), counts(&mut tx)?)?;
        tx.commit().map_err(failed("failed to commit the copy"))?;
        Ok(dump.counts())
    }
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
