//! The SQLite backend: connections (WAL, busy timeout, foreign keys, full sync), migrations,
//! and every query quill runs against SQLite.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, TransactionBehavior, params};

mod ingest;

pub use ingest::SqliteIngest;

use super::{APPROVED_RECORDS, migrations};
use super::{CommentFilter, CommentRow, PostStamp, UserRow};
use crate::comments::{CommentRecord, Status};

/// How long a writer waits for another writer's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// An open SQLite database.
#[derive(Debug)]
pub struct Sqlite {
    pub(super) conn: Connection,
    path: PathBuf,
}

fn configure(conn: &Connection, writable: bool) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    if writable {
        // 16 KiB pages: fewer, shallower B-tree splits when an ingest inserts into six
        // indexes at once. It only takes effect while the file is still empty.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // FULL: a committed transaction survives a power cut, not only a crashed process.
        conn.pragma_update(None, "synchronous", "FULL")?;
        // An ingest is one large transaction: a roomier page cache (64 MiB) keeps SQLite
        // from spilling half-written pages to the WAL before the commit.
        conn.pragma_update(None, "cache_size", -65536)?;
        // Each insert keeps a statement journal so that a failing statement can be undone
        // alone; in memory rather than in a temporary file, it costs nothing measurable.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
    }
    Ok(())
}

impl Sqlite {
    /// Opens an existing database read-only; `None` if there is no file.
    pub fn open_read_only(path: &Path) -> Result<Option<Sqlite>> {
        if !path.exists() {
            return Ok(None);
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .with_context(|| format!("failed to open the comment database {}", path.display()))?;
        configure(&conn, false)?;
        Ok(Some(Sqlite {
            conn,
            path: path.to_path_buf(),
        }))
    }

    /// Opens (creating if needed) a database for writing, without migrating it.
    pub fn open_writable(path: &Path) -> Result<Sqlite> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("failed to create {}", dir.display()))?;
        }
        let conn = Connection::open(path)
            .with_context(|| format!("failed to open the comment database {}", path.display()))?;
        configure(&conn, true).with_context(|| format!("failed to set up {}", path.display()))?;
        Ok(Sqlite {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The schema version recorded in the database (0 for an empty one).
    pub fn version(&self) -> Result<u32> {
        let has_table: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
            [],
            |r| r.get(0),
        )?;
        if !has_table {
            return Ok(0);
        }
        let version: Option<u32> =
            self.conn
                .query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
                    r.get(0)
                })?;
        Ok(version.unwrap_or(0))
    }

    /// Writes a consistent copy of the database (WAL included) to `to`, which must not exist.
    pub fn backup_to(&self, to: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", [to.to_string_lossy()])
            .with_context(|| format!("failed to write a backup to {}", to.display()))?;
        Ok(())
    }

    /// Runs the migrations from the current version to `target`, all in one transaction.
    pub fn migrate(&mut self, target: u32) -> Result<()> {
        let current = self.version()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
        )?;
        for m in migrations::path(current, target) {
            if target >= current {
                tx.execute_batch(m.up)
                    .with_context(|| format!("failed to upgrade to version {}", m.version))?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
                    params![
                        m.version,
                        m.name,
                        Utc::now().format(TIME_FORMAT).to_string()
                    ],
                )?;
            } else {
                tx.execute_batch(m.down)
                    .with_context(|| format!("failed to downgrade from version {}", m.version))?;
                tx.execute(
                    "DELETE FROM schema_migrations WHERE version = ?1",
                    [m.version],
                )?;
            }
        }
        tx.commit().context("failed to commit the migration")?;
        Ok(())
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every approved comment with its author, in one query, in id order (the table's own, so
    /// nothing is sorted: threads order their comments themselves).
    pub fn each_approved_comment(&self, visit: &mut dyn FnMut(CommentRecord)) -> Result<()> {
        let mut stmt = self
            .conn
            .prepare(&format!("{APPROVED_RECORDS} ORDER BY c.id"))?;
        for row in stmt.query_map([], record)? {
            visit(row.context("failed to read the approved comments")?);
        }
        Ok(())
    }

    /// The comment stamp and approved count of every post that has comments.
    pub fn comment_stamps(&self) -> Result<HashMap<String, PostStamp>> {
        let mut stmt = self
            .conn
            .prepare("SELECT post, stamp, approved FROM post_comment_stamps")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                PostStamp {
                    stamp: r.get(1)?,
                    approved: r.get(2)?,
                },
            ))
        })?;
        rows.collect::<rusqlite::Result<HashMap<_, _>>>()
            .context("failed to read the comment stamps")
    }

    /// The approved comments of some posts, by post, time and id.
    pub fn approved_comments_on(&self, posts: &[&str]) -> Result<Vec<CommentRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "{APPROVED_RECORDS} AND c.post = ?1 ORDER BY c.timestamp, c.id"
        ))?;
        let mut sorted = posts.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        let mut records = Vec::new();
        for post in sorted {
            for row in stmt.query_map([post], record)? {
                records.push(row.context("failed to read the approved comments")?);
            }
        }
        Ok(records)
    }

    /// The newest approved comments across the site, newest first.
    pub fn latest_approved(&self, limit: usize) -> Result<Vec<CommentRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "{APPROVED_RECORDS} ORDER BY c.timestamp DESC, c.id DESC LIMIT ?1"
        ))?;
        let rows = stmt.query_map([i64::try_from(limit).unwrap_or(i64::MAX)], record)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("failed to read the latest comments")
    }

    /// Begins the one transaction of an ingest run; waits for other writers.
    pub fn begin_ingest(&mut self) -> Result<SqliteIngest<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("failed to lock the comment database for writing")?;
        Ok(SqliteIngest::new(tx))
    }

    /// Comments matching a filter, oldest first.
    pub fn comments(&self, filter: &CommentFilter) -> Result<Vec<CommentRow>> {
        let mut sql = String::from(
            "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status, c.user_id, c.submission_key,
                    (SELECT p.submission_key FROM comments p WHERE p.id = c.parent_id)
             FROM comments c JOIN users u ON u.id = c.user_id WHERE 1 = 1",
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
        sql.push_str(" ORDER BY c.timestamp, c.id");
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(
            rusqlite::params_from_iter(args.iter().map(|a| a.as_ref())),
            |row| {
                Ok(CommentRow {
                    record: record(row)?,
                    user_id: row.get(8)?,
                    submission_key: row.get(9)?,
                    parent_key: row.get(10)?,
                })
            },
        )?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .context("failed to list comments")
    }

    /// Every comment in id order, for export.
    pub fn all_comments_by_id(&self) -> Result<Vec<CommentRow>> {
        let mut rows = self.comments(&CommentFilter::default())?;
        rows.sort_by_key(|r| r.record.id);
        Ok(rows)
    }

    /// Sets the status of comments; every id must exist, or nothing changes.
    pub fn set_status(&mut self, ids: &[i64], status: Status) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut touched = HashSet::new();
        for &id in ids {
            let post: Option<String> = tx
                .query_row(
                    "UPDATE comments SET status = ?1 WHERE id = ?2 RETURNING post",
                    params![status.as_str(), id],
                    |r| r.get(0),
                )
                .optional()?;
            match post {
                Some(post) => touched.insert(post),
                None => bail!(
                    "no comment with id {id} (see `quill comments list`); nothing was changed"
                ),
            };
        }
        touch_posts(&tx, &touched)?;
        tx.commit()?;
        Ok(ids.len())
    }

    /// Deletes comments; one with replies needs `with_replies`, which takes its whole thread.
    /// Returns the ids deleted.
    pub fn delete_comments(&mut self, ids: &[i64], with_replies: bool) -> Result<Vec<i64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut deleted = Vec::new();
        let mut touched = HashSet::new();
        for &id in ids {
            let exists: bool = tx.query_row(
                "SELECT EXISTS (SELECT 1 FROM comments WHERE id = ?1)",
                [id],
                |r| r.get(0),
            )?;
            if !exists {
                if deleted.contains(&id) {
                    continue;
                }
                bail!("no comment with id {id} (see `quill comments list`); nothing was deleted");
            }
            let mut thread: Vec<i64> = tx
                .prepare(
                    "WITH RECURSIVE thread(id) AS (SELECT ?1 UNION ALL SELECT c.id FROM comments c JOIN thread t ON c.parent_id = t.id)
                     SELECT id FROM thread",
                )?
                .query_map([id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            if thread.len() > 1 && !with_replies {
                bail!(
                    "comment {id} has {} replies; add --with-replies to delete the whole thread (nothing was deleted)",
                    thread.len() - 1
                );
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
    pub fn move_comments(&mut self, from: &str, to: &str) -> Result<usize> {
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
    pub fn users(&self, only: Option<i64>) -> Result<Vec<UserRow>> {
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
    pub fn delete_user(&mut self, id: i64) -> Result<usize> {
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
            bail!("no user with id {id} (see `quill users list`); nothing was deleted");
        }
        touch_posts(&tx, &touched)?;
        tx.commit()?;
        Ok(comments)
    }
}

/// Gives each post whose comments changed a fresh stamp and its current approved count, in
/// the transaction that changed them.
fn touch_posts(tx: &rusqlite::Transaction<'_>, posts: &HashSet<String>) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO post_comment_stamps (post, stamp, approved)
         VALUES (?1, random(), (SELECT COUNT(*) FROM comments WHERE post = ?1 AND status = 'approved'))
         ON CONFLICT (post) DO UPDATE SET stamp = excluded.stamp, approved = excluded.approved",
    )?;
    for post in posts {
        stmt.execute([post])
            .with_context(|| format!("failed to stamp the comments of {post:?}"))?;
    }
    Ok(())
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
        timestamp: parse_time(&timestamp).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, e.into())
        })?,
        status: status.parse().map_err(|e: String| {
            rusqlite::Error::FromSqlConversionFailure(7, rusqlite::types::Type::Text, e.into())
        })?,
    })
}

/// Reads a stored timestamp (RFC 3339, UTC).
pub(super) fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| anyhow!("bad timestamp {text:?} in the database: {e}"))
}
