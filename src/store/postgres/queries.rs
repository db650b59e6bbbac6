//! The PostgreSQL backend's reads and the console's writes, each write in one transaction
//! that also renews the stamps of the posts it changed.

use std::collections::HashSet;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, SubsecRound, Utc};
use postgres::Transaction;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;

use super::{Postgres, failed, record};
use crate::comments::render::HTML_VERSION;
use crate::comments::{CommentRecord, Status, ThreadRead, ThreadRow};
use crate::spam::{Changes, Lesson, Parts};
use crate::store::backend::{CommentQueries, TIME_FORMAT, check_thread, no_comment, no_user};
use crate::store::{
    APPROVED_RECORDS, CommentFilter, CommentRow, PostStamp, PostStamps, SpamInfo, UserRow,
    mention_of, row_body, thread_rows,
};

impl CommentQueries for Postgres {
    /// The approved comments of some posts (by post and id) or of all (by id), in one query
    /// whose rows arrive as they are read.
    fn each_approved_comment(
        &self,
        read: &ThreadRead<'_>,
        visit: &mut dyn FnMut(&ThreadRow<'_>) -> bool,
    ) -> Result<()> {
        let mut client = self.client.borrow_mut();
        let version = i32::try_from(HTML_VERSION).unwrap_or(i32::MAX);
        let (low, high) = read.id_range();
        let asked: [&(dyn ToSql + Sync); 5] =
            [&read.email, &read.stored_html, &version, &low, &high];
        let ids = "AND c.id BETWEEN $4 AND $5";
        let rows = match read.posts {
            Some(posts) => client.query_raw(
                &format!(
                    "{} {ids} AND c.post = ANY ($6) ORDER BY c.post, c.id",
                    thread_rows('$')
                ),
                [
                    asked[0],
                    asked[1],
                    asked[2],
                    asked[3],
                    asked[4],
                    &posts as &(dyn ToSql + Sync),
                ],
            ),
            None => client.query_raw(&format!("{} {ids} ORDER BY c.id", thread_rows('$')), asked),
        };
        let failed_read = "failed to read the approved comments";
        let mut rows = rows.map_err(failed(failed_read))?;
        while let Some(row) = rows.next().map_err(failed(failed_read))? {
            let text = |i: usize| row.try_get::<_, Option<&str>>(i);
            let body = row_body(text(5)?, text(6)?).context("a comment without a body")?;
            let go_on = visit(&ThreadRow {
                id: row.try_get(0)?,
                post: row.try_get(1)?,
                parent_id: row.try_get(2)?,
                username: row.try_get(3)?,
                email: text(4)?,
                body,
                timestamp: row.try_get(7)?,
            });
            if !go_on {
                break;
            }
        }
        Ok(())
    }

    /// The lowest and highest comment ids.
    fn comment_ids(&self) -> Result<Option<(i64, i64)>> {
        let row = self
            .client
            .borrow_mut()
            .query_one("SELECT min(id), max(id) FROM comments", &[])
            .map_err(failed("failed to read the comment ids"))?;
        let (low, high): (Option<i64>, Option<i64>) = (row.try_get(0)?, row.try_get(1)?);
        Ok(low.zip(high))
    }

    /// The comment stamp and approved count of every post that has comments.
    fn comment_stamps(&self) -> Result<PostStamps> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT post, stamp, approved, top_level FROM post_comment_stamps",
                &[],
            )
            .map_err(failed("failed to read the comment stamps"))?;
        rows.iter()
            .map(|r| {
                let approved: i64 = r.try_get(2)?;
                let top_level: i64 = r.try_get(3)?;
                Ok((
                    r.try_get(0)?,
                    PostStamp {
                        stamp: r.try_get(1)?,
                        approved: approved as usize,
                        top_level: top_level as usize,
                    },
                ))
            })
            .collect()
    }

    /// The newest approved comments across the site, newest first.
    fn latest_approved(&self, limit: usize) -> Result<Vec<CommentRecord>> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                &format!("{APPROVED_RECORDS} ORDER BY c.timestamp DESC, c.id DESC LIMIT $1"),
                &[&i64::try_from(limit).unwrap_or(i64::MAX)],
            )
            .map_err(failed("failed to read the latest comments"))?;
        rows.iter().map(record).collect()
    }

    /// Comments matching a filter, oldest first.
    fn comments(&self, filter: &CommentFilter) -> Result<Vec<CommentRow>> {
        let mut sql = String::from(
            "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status, c.body_html, c.html_version, c.user_id, c.submission_key,
                    (SELECT p.submission_key FROM comments p WHERE p.id = c.parent_id),
                    c.spam_score, c.spam_reasons, c.spam_taught, m.kind, m.source
             FROM comments c JOIN users u ON u.id = c.user_id LEFT JOIN mentions m ON m.comment_id = c.id WHERE true",
        );
        let mut args: Vec<Box<dyn ToSql + Sync>> = Vec::new();
        let mut add = |sql: &mut String, clause: &str, arg: Box<dyn ToSql + Sync>| {
            args.push(arg);
            sql.push_str(&format!(" AND {clause} ${}", args.len()));
        };
        if let Some(post) = &filter.post {
            add(&mut sql, "c.post =", Box::new(post.clone()));
        }
        if let Some(status) = filter.status {
            add(&mut sql, "c.status =", Box::new(status.as_str()));
        }
        if let Some(user) = filter.user {
            add(&mut sql, "c.user_id =", Box::new(user));
        }
        if let Some(since) = filter.since {
            // Whole seconds, as stored (and as SQLite compares them).
            add(&mut sql, "c.timestamp >=", Box::new(since.trunc_subsecs(0)));
        }
        if let Some(id) = filter.id {
            add(&mut sql, "c.id =", Box::new(id));
        }
        match filter.mentions {
            Some(true) => sql.push_str(" AND m.comment_id IS NOT NULL"),
            Some(false) => sql.push_str(" AND m.comment_id IS NULL"),
            None => {}
        }
        sql.push_str(" ORDER BY c.timestamp, c.id");
        let params: Vec<&(dyn ToSql + Sync)> = args.iter().map(|a| a.as_ref()).collect();
        let rows = self
            .client
            .borrow_mut()
            .query(&sql, &params)
            .map_err(failed("failed to list comments"))?;
        rows.iter()
            .map(|row| {
                Ok(CommentRow {
                    record: record(row)?,
                    user_id: row.try_get(10)?,
                    submission_key: row.try_get(11)?,
                    parent_key: row.try_get(12)?,
                    spam: SpamInfo {
                        score: row.try_get(13)?,
                        reasons: row.try_get(14)?,
                        taught: row.try_get(15)?,
                    },
                    mention: mention_of(row.try_get(16)?, row.try_get(17)?),
                })
            })
            .collect()
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
        let what = "failed to change the status";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        let mut touched = HashSet::new();
        let mut changes = Changes::default();
        let lesson = Lesson::of(status);
        for &id in ids {
            let found = tx
                .query_opt(
                    "SELECT c.post, u.username, u.email, c.body, c.spam_taught
                     FROM comments c JOIN users u ON u.id = c.user_id WHERE c.id = $1 FOR UPDATE OF c",
                    &[&id],
                )
                .map_err(failed(what))?;
            let Some(row) = found else {
                bail!("{}; nothing was changed", no_comment(id));
            };
            tx.execute(
                "UPDATE comments SET status = $1, spam_taught = $2 WHERE id = $3",
                &[&status.as_str(), &lesson.map(Lesson::as_str), &id],
            )
            .map_err(failed(what))?;
            let parts = Parts {
                username: row.get(1),
                email: row.get(2),
                body: row.get(3),
            };
            let taught: Option<&str> = row.get(4);
            changes.relearn(&parts, taught.and_then(Lesson::parse), lesson);
            touched.insert(row.get::<_, String>(0));
        }
        super::spam::apply(&mut tx, &changes)?;
        touch_posts(&mut tx, &touched)?;
        tx.commit().map_err(failed(what))?;
        Ok(ids.len())
    }

    /// Deletes comments; one with replies needs `with_replies`, which takes its whole thread.
    /// Returns the ids deleted.
    fn delete_comments(&mut self, ids: &[i64], with_replies: bool) -> Result<Vec<i64>> {
        let what = "failed to delete comments";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        let mut deleted = Vec::new();
        let mut touched = HashSet::new();
        for &id in ids {
            let thread: Vec<i64> = tx
                .query(
                    "WITH RECURSIVE thread(id) AS (
                         SELECT id FROM comments WHERE id = $1
                         UNION ALL SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id)
                     SELECT id FROM thread",
                    &[&id],
                )
                .map_err(failed(what))?
                .iter()
                .map(|r| r.get(0))
                .collect();
            if !check_thread(id, &thread, &deleted, with_replies)? {
                continue;
            }
            let post: String = tx
                .query_one("DELETE FROM comments WHERE id = $1 RETURNING post", &[&id])
                .map_err(failed(what))?
                .get(0);
            touched.insert(post);
            deleted.extend(thread);
        }
        touch_posts(&mut tx, &touched)?;
        tx.commit().map_err(failed(what))?;
        Ok(deleted)
    }

    /// Moves every comment of one post to another slug; returns how many moved.
    fn move_comments(&mut self, from: &str, to: &str) -> Result<usize> {
        let what = "failed to move comments";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        let n = tx
            .execute(
                "UPDATE comments SET post = $2 WHERE post = $1",
                &[&from, &to],
            )
            .map_err(failed(what))?;
        touch_posts(&mut tx, &HashSet::from([from.to_string(), to.to_string()]))?;
        tx.commit().map_err(failed(what))?;
        Ok(n as usize)
    }

    /// Users with their comment counts, by id; `only` picks one.
    fn users(&self, only: Option<i64>) -> Result<Vec<UserRow>> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT u.id, u.username, u.email, u.created_at,
                        (SELECT COUNT(*) FROM comments c WHERE c.user_id = u.id)
                 FROM users u WHERE $1::BIGINT IS NULL OR u.id = $1 ORDER BY u.id",
                &[&only],
            )
            .map_err(failed("failed to list users"))?;
        rows.iter()
            .map(|r| {
                let created_at: DateTime<Utc> = r.try_get(3)?;
                let comments: i64 = r.try_get(4)?;
                Ok(UserRow {
                    id: r.try_get(0)?,
                    username: r.try_get(1)?,
                    email: r.try_get(2)?,
                    created_at: created_at.format(TIME_FORMAT).to_string(),
                    comments: comments as usize,
                })
            })
            .collect()
    }

    /// Deletes a user and all their comments (with any replies to them); returns the comment count.
    fn delete_user(&mut self, id: i64) -> Result<usize> {
        let what = "failed to delete the user";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        let comments: i64 = tx
            .query_one(
                "WITH RECURSIVE thread(id) AS (SELECT id FROM comments WHERE user_id = $1
                     UNION SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id)
                 SELECT COUNT(*) FROM thread",
                &[&id],
            )
            .map_err(failed(what))?
            .get(0);
        let touched: HashSet<String> = tx
            .query(
                "WITH RECURSIVE thread(id) AS (SELECT id FROM comments WHERE user_id = $1
                     UNION SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id)
                 SELECT DISTINCT c.post FROM comments c JOIN thread t ON c.id = t.id",
                &[&id],
            )
            .map_err(failed(what))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        if tx
            .execute("DELETE FROM users WHERE id = $1", &[&id])
            .map_err(failed(what))?
            == 0
        {
            bail!("{}; nothing was deleted", no_user(id));
        }
        touch_posts(&mut tx, &touched)?;
        tx.commit().map_err(failed(what))?;
        Ok(comments as usize)
    }
}

/// Gives each post whose comments changed a fresh stamp and its current approved count, in
/// the transaction that changed them (as the SQLite backend does).
pub(super) fn touch_posts(tx: &mut Transaction<'_>, posts: &HashSet<String>) -> Result<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let posts: Vec<&str> = posts.iter().map(String::as_str).collect();
    tx.execute(
        "INSERT INTO post_comment_stamps (post, stamp, approved, top_level)
         SELECT p, quill_new_stamp(), counts.approved, counts.top_level
         FROM unnest($1::TEXT[]) AS p,
         LATERAL (
             SELECT COUNT(*) AS approved, COUNT(*) FILTER (WHERE NOT EXISTS (
                        SELECT 1 FROM comments parent
                        WHERE parent.id = c.parent_id AND parent.status = 'approved'
                          AND (parent.timestamp, parent.id) < (c.timestamp, c.id)
                          AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = parent.id)
                    )) AS top_level
             FROM comments c WHERE c.post = p AND c.status = 'approved'
               AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)
         ) AS counts
         ON CONFLICT (post) DO UPDATE
         SET stamp = excluded.stamp, approved = excluded.approved, top_level = excluded.top_level",
        &[&posts],
    )
    .map_err(failed("failed to stamp the changed posts"))?;
    Ok(())
}
