//! The PostgreSQL side of `quill db copy`: every row read in one repeatable-read
//! transaction, and written into an empty, locked database in one transaction whose counts are
//! checked before it commits.

use anyhow::{Result, anyhow};

use super::{Postgres, failed, pg_error};
use crate::store::backend::CopyQueries;
use crate::store::copy::{
    COMMENTS, CommentData, CopyCounts, Dump, INSERT_COMMENT, INSERT_USER, ROW_COUNTS, USERS,
    UserData, check_counts, not_empty,
};

impl CopyQueries for Postgres {
    /// (users, comments) stored.
    fn row_counts(&self) -> Result<(i64, i64)> {
        let row = self
            .client
            .borrow_mut()
            .query_one(ROW_COUNTS, &[])
            .map_err(failed("failed to count rows"))?;
        Ok((row.get(0), row.get(1)))
    }

    /// Every row, read in one repeatable-read transaction so that the copy is of one moment.
    fn dump(&self) -> Result<Dump> {
        let what = "failed to read the database";
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(failed(what))?;
        let users = tx
            .query(USERS, &[])
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
            .query(COMMENTS, &[])
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
                    body_html: r.try_get(11)?,
                    html_version: r.try_get(12)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let model = super::spam::counts(&mut tx)?;
        tx.commit().map_err(failed(what))?;
        Ok(Dump {
            users,
            comments,
            model,
        })
    }

    /// Writes every row of `dump` into this empty database in one transaction, then moves the
    /// id sequences past the copied ids so that new rows do not collide with them.
    fn load(&mut self, dump: &Dump) -> Result<CopyCounts> {
        let what = "failed to copy";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        // No other writer may add rows between the emptiness check and the commit.
        tx.batch_execute("LOCK TABLE users, comments IN EXCLUSIVE MODE")
            .map_err(failed(what))?;
        let counts = |tx: &mut postgres::Transaction<'_>| -> Result<(i64, i64)> {
            let row = tx
                .query_one(ROW_COUNTS, &[])
                .map_err(failed("failed to count rows"))?;
            Ok((row.get(0), row.get(1)))
        };
        let (users, comments) = counts(&mut tx)?;
        not_empty(users, comments)?;
        let insert = tx.prepare(INSERT_USER).map_err(failed(what))?;
        for u in &dump.users {
            tx.execute(&insert, &[&u.id, &u.username, &u.email, &u.created_at])
                .map_err(|e| anyhow!("failed to copy user {}: {}", u.id, pg_error(&e)))?;
        }
        let insert = tx.prepare(INSERT_COMMENT).map_err(failed(what))?;
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
                    &c.body_html,
                    &c.html_version,
                ],
            )
            .map_err(|e| anyhow!("failed to copy comment {}: {}", c.id, pg_error(&e)))?;
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
             DELETE FROM post_comment_stamps;",
        )
        .map_err(failed(what))?;
        let posts: std::collections::HashSet<String> = tx
            .query("SELECT DISTINCT post FROM comments", &[])
            .map_err(failed(what))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        super::queries::touch_posts(&mut tx, &posts)?;
        check_counts(dump.counts(), counts(&mut tx)?)?;
        tx.commit().map_err(failed("failed to commit the copy"))?;
        Ok(dump.counts())
    }
}
