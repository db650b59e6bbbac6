//! The SQLite backend's reads for builds and the console's reads and writes, each write in one
//! transaction that also renews the stamps of the posts it changed.

use std::collections::HashSet;

use anyhow::{Context, Result, bail};
use rusqlite::{OptionalExtension, Row, Rows, TransactionBehavior, params};

use super::{Sqlite, parse_time};
use crate::comments::render::HTML_VERSION;
use crate::comments::{CommentRecord, Status, ThreadRead, ThreadRow};
use crate::spam::{Changes, Lesson, Parts};
use crate::store::backend::{CommentQueries, TIME_FORMAT, check_thread, no_comment, no_user};
use crate::store::{
    APPROVED_RECORDS, CommentFilter, CommentRow, PostStamp, PostStamps, SpamInfo, UserRow,
    current_html, mention_of, row_body, thread_rows,
};

impl CommentQueries for Sqlite {
    /// The comment stamp and approved count of every post that has comments.
    fn comment_stamps(&self) -> Result<PostStamps> {
        let mut stmt = self
            .conn
            .prepare("SELECT post, stamp, approved, top_level FROM post_comment_stamps")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                PostStamp {
                    stamp: r.get(1)?,
                    approved: r.get(2)?,
                    top_level: r.get(3)?,
                },
            ))
        })?;
        rows.collect::<rusqlite::Result<PostStamps>>()
            .context("failed to read the comment stamps")
    }

    /// The approved comments of some posts, post by post (one query each, in the order of
    /// the (post, id) index, so nothing is sorted), so that a thread arrives whole while the
    /// next is read; or every one, in one pass over the table in its own order.
    fn each_approved_comment(
        &self,
        read: &ThreadRead<'_>,
        visit: &mut dyn FnMut(&ThreadRow<'_>) -> bool,
    ) -> Result<()> {
        let Some(posts) = read.posts else {
            return super::pass::each_approved_comment(&self.conn, read, visit);
        };
        let (low, high) = read.id_range();
        // Read through the index by post, a thread's rows come from all over the file: mapped,
        // a row costs a memory read instead of a 16 KiB read call (about 4 µs a comment here).
        // Mapped pages count toward the process's memory, so only the first 128 MiB are.
        self.conn
            .pragma_update(None, "mmap_size", super::MAPPED_BYTES)?;
        let mut stmt = self.conn.prepare(&format!(
            "{} AND c.id BETWEEN ?4 AND ?5 AND c.post = ?6 ORDER BY c.id",
            thread_rows('?')
        ))?;
        let mut sorted = posts.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        for post in sorted {
            let rows = stmt.query(params![
                read.email,
                read.stored_html,
                HTML_VERSION,
                low,
                high,
                post
            ])?;
            if !visit_rows(rows, visit)? {
                break;
            }
        }
        Ok(())
    }

    /// The lowest and highest comment ids.
    fn comment_ids(&self) -> Result<Option<(i64, i64)>> {
        let span: (Option<i64>, Option<i64>) =
            self.conn
                .query_row("SELECT min(id), max(id) FROM comments", [], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
        Ok(span.0.zip(span.1))
    }

    /// The newest approved comments across the site, newest first.
    fn latest_approved(&self, limit: usize) -> Result<Vec<CommentRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "{APPROVED_RECORDS} ORDER BY c.timestamp DESC, c.id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], record)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("failed to read the latest comments")
    }

    /// Comments matching a filter, oldest first.
    fn comments(&self, filter: &CommentFilter) -> Result<Vec<CommentRow>> {
        let mut sql = String::from(
            "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status, c.body_html, c.html_version, c.user_id, c.submission_key,
                    (SELECT p.submission_key FROM comments p WHERE p.id = c.parent_id),
                    c.spam_score, c.spam_reasons, c.spam_taught, m.kind, m.source
             FROM comments c JOIN users u ON u.id = c.user_id LEFT JOIN mentions m ON m.comment_id = c.id WHERE 1 = 1",
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        if let Some(post) = &filter.post {
            sql.push_str(" AND c.post = ?");
            args.push(Box::new(post.clone()));
        }
        if let Some(status) = filter.status {
            sql.push_str(" AND c.status = ?");
            args.push(Box::new(status.as_str()));
        }
        if let Some(user) = filter.user {
            sql.push_str(" AND c.user_id = ?");
            args.push(Box::new(user));
        }
        if let Some(since) = filter.since {
            sql.push_str(" AND c.timestamp >= ?");
            args.push(Box::new(since.format(TIME_FORMAT).to_string()));
        }
        if let Some(id) = filter.id {
            sql.push_str(" AND c.id = ?");
            args.push(Box::new(id));
        }
        match filter.mentions {
            Some(true) => sql.push_str(" AND m.comment_id IS NOT NULL"),
            Some(false) => sql.push_str(" AND m.comment_id IS NULL"),
            None => {}
        }
        sql.push_str(" ORDER BY c.timestamp, c.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())),
            |row| {
                Ok(CommentRow {
                    record: record(row)?,
                    user_id: row.get(10)?,
                    submission_key: row.get(11)?,
                    parent_key: row.get(12)?,
                    spam: SpamInfo {
                        score: row.get(13)?,
                        reasons: row.get(14)?,
                        taught: row.get(15)?,
                    },
                    mention: mention_of(row.get(16)?, row.get(17)?),
                })
            },
        )?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("failed to list comments")
    }

    /// Every comment in id order, for export; webmentions are not comments to export (read
    /// back, they would come in as comments written here).
    fn all_comments_by_id(&self) -> Result<Vec<CommentRow>> {
        let mut rows = self.comments(&CommentFilter {
            mentions: Some(false),
            ..CommentFilter::default()
        })?;
        rows.sort_by_key(|r| r.record.id);
        Ok(rows)
    }

    /// Sets the status of comments; every id must exist, or nothing changes.
    fn set_status(&mut self, ids: &[i64], status: Status) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut touched = HashSet::new();
        let mut changes = Changes::default();
        let lesson = Lesson::of(status);
        for &id in ids {
            let found: Option<(String, String, String, String, Option<String>)> = tx
                .query_row(
                    "SELECT c.post, u.username, u.email, c.body, c.spam_taught
                     FROM comments c JOIN users u ON u.id = c.user_id WHERE c.id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((post, username, email, body, taught)) = found else {
                bail!("{}; nothing was changed", no_comment(id));
            };
            tx.execute(
                "UPDATE comments SET status = ?1, spam_taught = ?2 WHERE id = ?3",
                params![status.as_str(), lesson.map(Lesson::as_str), id],
            )?;
            let parts = Parts {
                username: &username,
                email: &email,
                body: &body,
            };
            changes.relearn(&parts, taught.as_deref().and_then(Lesson::parse), lesson);
            touched.insert(post);
        }
        super::spam::apply(&tx, &changes)?;
        touch_posts(&tx, &touched)?;
        tx.commit()?;
        Ok(ids.len())
    }

    /// Deletes comments; one with replies needs `with_replies`, which takes its whole thread.
    /// Returns the ids deleted.
    fn delete_comments(&mut self, ids: &[i64], with_replies: bool) -> Result<Vec<i64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut deleted = Vec::new();
        let mut touched = HashSet::new();
        for &id in ids {
            let mut thread: Vec<i64> = tx
                .prepare(
                    "WITH RECURSIVE thread(id) AS (SELECT id FROM comments WHERE id = ?1
                         UNION ALL SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id)
                     SELECT id FROM thread",
                )?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if !check_thread(id, &thread, &deleted, with_replies)? {
                continue;
            }
            let post: String = tx.query_row(
                "DELETE FROM comments WHERE id = ?1 RETURNING post",
                [id],
                |r| r.get(0),
            )?;
            touched.insert(post);
            deleted.append(&mut thread);
        }
        touch_posts(&tx, &touched)?;
        tx.commit()?;
        Ok(deleted)
    }

    /// Moves every comment of one post to another slug; returns how many moved.
    fn move_comments(&mut self, from: &str, to: &str) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let n = tx.execute(
            "UPDATE comments SET post = ?2 WHERE post = ?1",
            params![from, to],
        )?;
        touch_posts(&tx, &HashSet::from([from.to_string(), to.to_string()]))?;
        tx.commit()?;
        Ok(n)
    }

    /// Users with their comment counts, by id; `only` picks one.
    fn users(&self, only: Option<i64>) -> Result<Vec<UserRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT u.id, u.username, u.email, u.created_at, (SELECT COUNT(*) FROM comments c WHERE c.user_id = u.id)
             FROM users u WHERE ?1 IS NULL OR u.id = ?1 ORDER BY u.id",
        )?;
        let rows = stmt.query_map([only], |r| {
            Ok(UserRow {
                id: r.get(0)?,
                username: r.get(1)?,
                email: r.get(2)?,
                created_at: r.get(3)?,
                comments: r.get(4)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("failed to list users")
    }

    /// Deletes a user and all their comments (with any replies to them); returns the comment count.
    fn delete_user(&mut self, id: i64) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let comments: usize = tx.query_row(
            "WITH RECURSIVE thread(id) AS (SELECT id FROM comments WHERE user_id = ?1
                 UNION SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id)
             SELECT COUNT(*) FROM thread",
            [id],
            |r| r.get(0),
        )?;
        let touched: HashSet<String> = tx
            .prepare(
                "WITH RECURSIVE thread(id) AS (SELECT id FROM comments WHERE user_id = ?1
                     UNION SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id)
                 SELECT DISTINCT c.post FROM comments c JOIN thread t ON c.id = t.id",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        if tx.execute("DELETE FROM users WHERE id = ?1", [id])? == 0 {
            bail!("{}; nothing was deleted", no_user(id));
        }
        touch_posts(&tx, &touched)?;
        tx.commit()?;
        Ok(comments)
    }
}

/// Whether the approved comment `c` is top-level in its thread: what it replies to is not
/// shown before it (not approved, a webmention, or later in time, then id). Migration 7 says
/// the same in its own SQL.
pub(super) const IS_TOP_LEVEL: &str = "NOT EXISTS (
    SELECT 1 FROM comments p
    WHERE p.id = c.parent_id AND p.status = 'approved'
      AND (p.timestamp < c.timestamp OR (p.timestamp = c.timestamp AND p.id < c.id))
      AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = p.id))";

/// Gives each post whose comments changed a fresh stamp, its current approved count (of
/// comments, not mentions) and its number of top-level comments (see migration 7 for the
/// rule), in the transaction that changed them.
pub(super) fn touch_posts(tx: &rusqlite::Transaction<'_>, posts: &HashSet<String>) -> Result<()> {
    let mut stmt = tx.prepare_cached(&format!(
        "INSERT INTO post_comment_stamps (post, stamp, approved, top_level)
         SELECT ?1, random(), COUNT(*), COUNT(*) FILTER (WHERE {IS_TOP_LEVEL})
         FROM comments c WHERE c.post = ?1 AND c.status = 'approved'
           AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)
         ON CONFLICT (post) DO UPDATE
         SET stamp = excluded.stamp, approved = excluded.approved, top_level = excluded.top_level"
    ))?;
    for post in posts {
        stmt.execute([post])
            .with_context(|| format!("failed to stamp the comments of {post:?}"))?;
    }
    Ok(())
}

/// Hands each row of a `thread_rows` query to `visit`, borrowed from the statement, while it
/// says to go on; says whether it did to the end.
fn visit_rows(mut rows: Rows<'_>, visit: &mut dyn FnMut(&ThreadRow<'_>) -> bool) -> Result<bool> {
    let failed = "failed to read the approved comments";
    while let Some(row) = rows.next().context(failed)? {
        if !visit(&thread_row(row).context(failed)?) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A row of a `thread_rows` query.
fn thread_row<'r>(row: &'r Row<'_>) -> Result<ThreadRow<'r>> {
    let text = |i: usize| -> Result<Option<&'r str>> { Ok(row.get_ref(i)?.as_str_or_null()?) };
    let body = row_body(text(5)?, text(6)?).context("a comment without a body")?;
    let timestamp = text(7)?.context("a comment without a time")?;
    Ok(ThreadRow {
        id: row.get(0)?,
        post: text(1)?.context("a comment without a post")?,
        parent_id: row.get(2)?,
        username: text(3)?.context("a comment without an author")?,
        email: text(4)?,
        body,
        timestamp: parse_time(timestamp)?,
    })
}

fn record(row: &Row<'_>) -> rusqlite::Result<CommentRecord> {
    let timestamp: String = row.get(6)?;
    let status: String = row.get(7)?;
    Ok(CommentRecord {
        id: row.get(0)?,
        post: row.get(1)?,
        parent_id: row.get(2)?,
        username: row.get(3)?,
        email: row.get(4)?,
        body: row.get(5)?,
        body_html: current_html(row.get(8)?, row.get(9)?),
        timestamp: parse_time(&timestamp).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, e.into())
        })?,
        status: status.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, e.into())
        })?,
    })
}
