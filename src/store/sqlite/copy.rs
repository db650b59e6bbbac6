//! The SQLite side of `quill db copy`: every row read in one transaction, and written into an
//! empty database in one transaction whose counts are checked before it commits.

use anyhow::{Context, Result};
use rusqlite::{TransactionBehavior, params};

use super::{Sqlite, parse_time};
use crate::store::backend::{CopyQueries, TIME_FORMAT};
use crate::store::copy::{
    COMMENTS, CommentData, CopyCounts, Dump, INSERT_COMMENT, INSERT_USER, ROW_COUNTS, USERS,
    UserData, check_counts, not_empty,
};

impl CopyQueries for Sqlite {
    /// (users, comments) stored.
    fn row_counts(&self) -> Result<(i64, i64)> {
        Ok(self
            .conn
            .query_row(ROW_COUNTS, [], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// Every row, read in one transaction so that the copy is of one moment.
    fn dump(&self) -> Result<Dump> {
        let tx = self.conn.unchecked_transaction()?;
        let users = tx
            .prepare(USERS)?
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
            .prepare(COMMENTS)?
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
                    (r.get::<_, String>(4)?, r.get(5)?, r.get(6)?, r.get(7)?),
                    (r.get(8)?, r.get(9)?, r.get(10)?),
                    (r.get(11)?, r.get(12)?),
                ))
            })?
            .map(|row| {
                let (
                    (id, post, parent_id, body),
                    (timestamp, user_id, status, submission_key),
                    (spam_score, spam_reasons, spam_taught),
                    (body_html, html_version),
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
                    body_html,
                    html_version,
                })
            })
            .collect::<Result<Vec<_>>>()
            .context("failed to read the comments")?;
        // Inside the transaction, so that the model is of the same moment as the comments.
        let model = super::spam::counts(&tx)?;
        drop(tx);
        Ok(Dump {
            users,
            comments,
            model,
        })
    }

    /// Writes every row of `dump` into this empty database in one transaction.
    fn load(&mut self, dump: &Dump) -> Result<CopyCounts> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (users, comments) = tx.query_row(ROW_COUNTS, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        not_empty(users, comments)?;
        {
            let mut insert = tx.prepare(INSERT_USER)?;
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
            let mut insert = tx.prepare(INSERT_COMMENT)?;
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
                        c.spam_taught,
                        c.body_html,
                        c.html_version
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
        tx.execute("DELETE FROM post_comment_stamps", [])
            .context("failed to stamp the copied posts")?;
        let posts = tx
            .prepare("SELECT DISTINCT post FROM comments")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<std::collections::HashSet<String>>>()?;
        super::queries::touch_posts(&tx, &posts)?;
        let found = tx.query_row(ROW_COUNTS, [], |r| Ok((r.get(0)?, r.get(1)?)))?;
        check_counts(dump.counts(), found)?;
        tx.commit().context("failed to commit the copy")?;
        Ok(dump.counts())
    }
}
