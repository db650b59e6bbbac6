//! The PostgreSQL backend: the synchronous `postgres` client, migrations in PostgreSQL's
//! dialect, and the same queries as the SQLite backend, with the same results and ordering.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, SubsecRound, Utc};
use postgres::error::SqlState;
use postgres::types::ToSql;
use postgres::{Client, NoTls, Row, Statement, Transaction};

use super::location::PgUrl;
use super::migrations;
use super::{CommentFilter, CommentRow, Inserted, NewComment, PostStamp, UserRow};
use crate::comments::CommentRecord;

/// Advisory lock held by each ingest transaction. Ingest runs wait for each other, as they do on
/// SQLite's single writer lock: two overlapping runs could otherwise each wait on a row the
/// other inserted and end in a deadlock that fails one of them.
const INGEST_LOCK: i64 = 0x7175_696c_6c00_0001;
/// Advisory lock held while migrating, so that two first writers do not both create the schema.
const MIGRATE_LOCK: i64 = 0x7175_696c_6c00_0002;
const TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";

/// An open PostgreSQL database.
pub struct Postgres {
    /// Behind a `RefCell` because the client needs `&mut` even to read, and the store's readers
    /// take `&self`; a store is never shared between threads.
    pub(super) client: RefCell<Client>,
    pub(super) url: PgUrl,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Postgres({})", self.url)
    }
}

/// What went wrong, in one line: the server's own message for database errors, else the
/// client's description with its cause.
pub fn pg_error(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Turns a client error into an error that says what was being done.
pub(super) fn failed(what: &str) -> impl FnOnce(postgres::Error) -> anyhow::Error + '_ {
    move |e| anyhow!("{what}: {}", pg_error(&e))
}

/// Why a connection failed, as one line that names host and database but never the password.
fn connect_error(url: &PgUrl, e: &postgres::Error) -> anyhow::Error {
    let code = e.code();
    let hint = if code == Some(&SqlState::INVALID_CATALOG_NAME) {
        format!(" (create it first: createdb {})", url.database())
    } else if code == Some(&SqlState::INVALID_PASSWORD)
        || code == Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
    {
        " (check the user and password in DATABASE_URL)".to_string()
    } else if e.as_db_error().is_none() {
        " (is the server running, and is the host and port right?)".to_string()
    } else {
        String::new()
    };
    anyhow!(
        "cannot connect to the PostgreSQL database \"{}\" on {}: {}{hint}",
        url.database(),
        url.host(),
        pg_error(e)
    )
}

impl Postgres {
    /// Connects; a read-only connection refuses every write, as SQLite's read-only open does.
    pub fn connect(url: &PgUrl, read_only: bool) -> Result<Postgres> {
        let mut client = url
            .config()
            .connect(NoTls)
            .map_err(|e| connect_error(url, &e))?;
        // UTC, so that anything the server formats itself reads the same everywhere.
        let mut setup = String::from("SET TIME ZONE 'UTC';");
        if read_only {
            // One snapshot for the connection's life: a build reads stamps, threads and the
            // feed in several queries, and must not see an ingest that commits in between.
            setup.push_str("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;");
        }
        client
            .batch_execute(&setup)
            .map_err(|e| connect_error(url, &e))?;
        Ok(Postgres {
            client: RefCell::new(client),
            url: url.clone(),
        })
    }

    /// The URL this connection was made with.
    pub fn url(&self) -> &PgUrl {
        &self.url
    }

    /// The schema version recorded in the database (0 for a database without quill's tables).
    pub fn version(&self) -> Result<u32> {
        version(&mut *self.client.borrow_mut())
    }

    /// Copies the tables into a new schema of the same database (`quill_backup_v2`, then
    /// `quill_backup_v2_2`...), never replacing an older one. Returns the schema's name.
    pub fn backup(&self, version: u32) -> Result<String> {
        let mut client = self.client.borrow_mut();
        let mut tx = client
            .transaction()
            .map_err(failed("failed to begin the backup"))?;
        let mut name = format!("quill_backup_v{version}");
        let mut n = 1;
        while tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)",
                &[&name],
            )
            .map_err(failed("failed to name the backup"))?
            .get::<_, bool>(0)
        {
            n += 1;
            name = format!("quill_backup_v{version}_{n}");
        }
        let tables: Vec<String> = tx
            .query(
                "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
                &[],
            )
            .map_err(failed("failed to list the tables to back up"))?
            .iter()
            .map(|r| r.get(0))
            .collect();
        // The schema's name is quill's own (letters, digits, underscores); table names are quoted.
        let mut sql = format!("CREATE SCHEMA {name};");
        for table in tables {
            let table = format!("\"{}\"", table.replace('"', "\"\""));
            sql.push_str(&format!("CREATE TABLE {name}.{table} AS TABLE {table};"));
        }
        tx.batch_execute(&sql)
            .map_err(failed("failed to write the backup"))?;
        tx.commit().map_err(failed("failed to write the backup"))?;
        Ok(name)
    }

    /// Runs the migrations from the current version to `target`, all in one transaction.
    pub fn migrate(&mut self, target: u32) -> Result<()> {
        let client = self.client.get_mut();
        let mut tx = client
            .transaction()
            .map_err(failed("failed to begin the migration"))?;
        tx.batch_execute(&format!(
            "SELECT pg_advisory_xact_lock({MIGRATE_LOCK});
             CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY,
                 name TEXT NOT NULL,
                 applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        ))
        .map_err(failed("failed to prepare the migration"))?;
        // Read under the lock: another process may have migrated since this one looked.
        let current = version(&mut tx)?;
        for m in migrations::path(current, target) {
            if target >= current {
                tx.batch_execute(m.pg_up).map_err(|e| {
                    anyhow!(
                        "failed to upgrade to version {}: {}",
                        m.version,
                        pg_error(&e)
                    )
                })?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    &[&(m.version as i32), &m.name],
                )
                .map_err(failed("failed to record the migration"))?;
            } else {
                tx.batch_execute(m.pg_down).map_err(|e| {
                    anyhow!(
                        "failed to downgrade from version {}: {}",
                        m.version,
                        pg_error(&e)
                    )
                })?;
                tx.execute(
                    "DELETE FROM schema_migrations WHERE version = $1",
                    &[&(m.version as i32)],
                )
                .map_err(failed("failed to record the migration"))?;
            }
        }
        tx.commit()
            .map_err(failed("failed to commit the migration"))
    }

    /// Every approved comment with its author, in one query, by post, time and id.
    pub fn approved_comments(&self) -> Result<Vec<CommentRecord>> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status
                 FROM comments c JOIN users u ON u.id = c.user_id
                 WHERE c.status = 'approved'
                 ORDER BY c.post, c.timestamp, c.id",
                &[],
            )
            .map_err(failed("failed to read the approved comments"))?;
        rows.iter().map(record).collect()
    }

    /// The comment stamp and approved count of every post that has comments.
    pub fn comment_stamps(&self) -> Result<HashMap<String, PostStamp>> {
        let rows = self
            .client
            .borrow_mut()
            .query("SELECT post, stamp, approved FROM post_comment_stamps", &[])
            .map_err(failed("failed to read the comment stamps"))?;
        rows.iter()
            .map(|r| {
                let approved: i64 = r.try_get(2)?;
                Ok((
                    r.try_get(0)?,
                    PostStamp {
                        stamp: r.try_get(1)?,
                        approved: approved as usize,
                    },
                ))
            })
            .collect()
    }

    /// The approved comments of some posts, by post, time and id.
    pub fn approved_comments_on(&self, posts: &[&str]) -> Result<Vec<CommentRecord>> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status
                 FROM comments c JOIN users u ON u.id = c.user_id
                 WHERE c.post = ANY ($1) AND c.status = 'approved'
                 ORDER BY c.post, c.timestamp, c.id",
                &[&posts],
            )
            .map_err(failed("failed to read the approved comments"))?;
        rows.iter().map(record).collect()
    }

    /// The newest approved comments across the site, newest first.
    pub fn latest_approved(&self, limit: usize) -> Result<Vec<CommentRecord>> {
        let rows = self
            .client
            .borrow_mut()
            .query(
                "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status
                 FROM comments c JOIN users u ON u.id = c.user_id
                 WHERE c.status = 'approved'
                 ORDER BY c.timestamp DESC, c.id DESC LIMIT $1",
                &[&i64::try_from(limit).unwrap_or(i64::MAX)],
            )
            .map_err(failed("failed to read the latest comments"))?;
        rows.iter().map(record).collect()
    }

    /// Begins the one transaction of an ingest run; waits for other ingest runs.
    pub fn begin_ingest(&mut self) -> Result<PgIngest<'_>> {
        let mut tx = self
            .client
            .get_mut()
            .transaction()
            .map_err(failed("failed to begin the ingest"))?;
        tx.batch_execute(&format!("SELECT pg_advisory_xact_lock({INGEST_LOCK})"))
            .map_err(failed("failed to wait for other ingest runs"))?;
        let what = "failed to prepare the ingest";
        let find_user = tx
            .prepare(
                "SELECT id FROM users WHERE username = $1 AND quill_nocase(email) = quill_nocase($2)",
            )
            .map_err(failed(what))?;
        // ON CONFLICT: a user another writer created since the lookup is found, not an error.
        let insert_user = tx
            .prepare(
                "INSERT INTO users (username, email) VALUES ($1, $2)
                 ON CONFLICT (username, quill_nocase(email)) DO NOTHING RETURNING id",
            )
            .map_err(failed(what))?;
        let insert_comment = tx
            .prepare(
                "INSERT INTO comments (post, parent_id, body, timestamp, user_id, status, submission_key)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (submission_key) DO NOTHING RETURNING id",
            )
            .map_err(failed(what))?;
        let by_id = tx
            .prepare("SELECT id, post FROM comments WHERE id = $1")
            .map_err(failed(what))?;
        let by_key = tx
            .prepare("SELECT id, post FROM comments WHERE submission_key = $1")
            .map_err(failed(what))?;
        Ok(PgIngest {
            tx,
            users: HashMap::new(),
            touched: HashSet::new(),
            find_user,
            insert_user,
            insert_comment,
            by_id,
            by_key,
        })
    }

    /// Comments matching a filter, oldest first.
    pub fn comments(&self, filter: &CommentFilter) -> Result<Vec<CommentRow>> {
        let mut sql = String::from(
            "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status, c.user_id, c.submission_key,
                    (SELECT p.submission_key FROM comments p WHERE p.id = c.parent_id)
             FROM comments c JOIN users u ON u.id = c.user_id WHERE true",
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
                    user_id: row.try_get(8)?,
                    submission_key: row.try_get(9)?,
                    parent_key: row.try_get(10)?,
                })
            })
            .collect()
    }

    /// Every comment in id order, for export.
    pub fn all_comments_by_id(&self) -> Result<Vec<CommentRow>> {
        let mut rows = self.comments(&CommentFilter::default())?;
        rows.sort_by_key(|r| r.record.id);
        Ok(rows)
    }

    /// Sets the status of comments; every id must exist, or nothing changes.
    pub fn set_status(&mut self, ids: &[i64], status: crate::comments::Status) -> Result<usize> {
        let what = "failed to change the status";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        let mut touched = HashSet::new();
        for &id in ids {
            let post = tx
                .query_opt(
                    "UPDATE comments SET status = $1 WHERE id = $2 RETURNING post",
                    &[&status.as_str(), &id],
                )
                .map_err(failed(what))?;
            match post {
                Some(row) => touched.insert(row.get::<_, String>(0)),
                None => bail!(
                    "no comment with id {id} (see `quill comments list`); nothing was changed"
                ),
            };
        }
        touch_posts(&mut tx, &touched)?;
        tx.commit().map_err(failed(what))?;
        Ok(ids.len())
    }

    /// Deletes comments; one with replies needs `with_replies`, which takes its whole thread.
    /// Returns the ids deleted.
    pub fn delete_comments(&mut self, ids: &[i64], with_replies: bool) -> Result<Vec<i64>> {
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
            if thread.is_empty() {
                if deleted.contains(&id) {
                    continue;
                }
                bail!("no comment with id {id} (see `quill comments list`); nothing was deleted");
            }
            if thread.len() > 1 && !with_replies {
                bail!(
                    "comment {id} has {} replies; add --with-replies to delete the whole thread (nothing was deleted)",
                    thread.len() - 1
                );
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
    pub fn move_comments(&mut self, from: &str, to: &str) -> Result<usize> {
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
    pub fn users(&self, only: Option<i64>) -> Result<Vec<UserRow>> {
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
    pub fn delete_user(&mut self, id: i64) -> Result<usize> {
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
            bail!("no user with id {id} (see `quill users list`); nothing was deleted");
        }
        touch_posts(&mut tx, &touched)?;
        tx.commit().map_err(failed(what))?;
        Ok(comments as usize)
    }
}

/// The version recorded by `schema_migrations`, through a client or a transaction.
fn version(client: &mut impl postgres::GenericClient) -> Result<u32> {
    let what = "failed to read the schema version";
    let has_table: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .map_err(failed(what))?
        .get(0);
    if !has_table {
        return Ok(0);
    }
    let version: Option<i32> = client
        .query_one("SELECT MAX(version) FROM schema_migrations", &[])
        .map_err(failed(what))?
        .get(0);
    Ok(version.unwrap_or(0).max(0) as u32)
}

/// Gives each post whose comments changed a fresh stamp and its current approved count, in
/// the transaction that changed them (as the SQLite backend does).
pub(super) fn touch_posts(tx: &mut Transaction<'_>, posts: &HashSet<String>) -> Result<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let posts: Vec<&str> = posts.iter().map(String::as_str).collect();
    tx.execute(
        "INSERT INTO post_comment_stamps (post, stamp, approved)
         SELECT p, quill_new_stamp(),
                (SELECT COUNT(*) FROM comments WHERE post = p AND status = 'approved')
         FROM unnest($1::TEXT[]) AS p
         ON CONFLICT (post) DO UPDATE SET stamp = excluded.stamp, approved = excluded.approved",
        &[&posts],
    )
    .map_err(failed("failed to stamp the changed posts"))?;
    Ok(())
}

/// The transaction of one ingest run.
pub struct PgIngest<'a> {
    tx: Transaction<'a>,
    /// User ids by (username, lowercased email), so a run does one lookup per visitor.
    users: HashMap<(String, String), i64>,
    /// Posts that got a comment in this run, whose stamps change at commit.
    touched: HashSet<String>,
    find_user: Statement,
    insert_user: Statement,
    insert_comment: Statement,
    by_id: Statement,
    by_key: Statement,
}

impl std::fmt::Debug for PgIngest<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PgIngest")
    }
}

impl PgIngest<'_> {
    fn user_id(&mut self, username: &str, email: &str) -> Result<i64> {
        let key = (username.to_string(), email.to_lowercase());
        if let Some(&id) = self.users.get(&key) {
            return Ok(id);
        }
        let what = || format!("failed to store the user {username:?}");
        let find = |tx: &mut Transaction<'_>, stmt: &Statement| -> Result<Option<i64>> {
            Ok(tx
                .query_opt(stmt, &[&username, &email])
                .map_err(|e| anyhow!("{}: {}", what(), pg_error(&e)))?
                .map(|r| r.get(0)))
        };
        let id = match find(&mut self.tx, &self.find_user)? {
            Some(id) => id,
            // Insert, or (when another writer stored the same user since) find theirs: the
            // conflicting insert waited for that writer to commit, so the lookup now sees it.
            None => match find(&mut self.tx, &self.insert_user)? {
                Some(id) => id,
                None => find(&mut self.tx, &self.find_user)?
                    .ok_or_else(|| anyhow!("{}: it conflicts but is not stored", what()))?,
            },
        };
        self.users.insert(key, id);
        Ok(id)
    }

    /// Stores a comment (and its user), unless its submission key is already there.
    pub fn insert(&mut self, c: &NewComment<'_>) -> Result<Inserted> {
        let user_id = self.user_id(c.username, c.email)?;
        // Stored in whole seconds, like SQLite's text form (the schema insists).
        let timestamp = c.timestamp.trunc_subsecs(0);
        let inserted = self
            .tx
            .query_opt(
                &self.insert_comment,
                &[
                    &c.post,
                    &c.parent_id,
                    &c.body,
                    &timestamp,
                    &user_id,
                    &c.status.as_str(),
                    &c.submission_key,
                ],
            )
            .map_err(|e| {
                anyhow!(
                    "failed to store the comment {:?}: {}",
                    c.submission_key,
                    pg_error(&e)
                )
            })?;
        match inserted {
            Some(row) => {
                if !self.touched.contains(c.post) {
                    self.touched.insert(c.post.to_string());
                }
                Ok(Inserted::New(row.get(0)))
            }
            None => {
                let (id, _) = self.comment_by_key(c.submission_key)?.ok_or_else(|| {
                    anyhow!(
                        "the comment {:?} conflicts but is not stored",
                        c.submission_key
                    )
                })?;
                Ok(Inserted::AlreadyStored(id))
            }
        }
    }

    /// (id, post) of a comment by id.
    pub fn comment_by_id(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .query_opt(&self.by_id, &[&id])
            .map_err(failed("failed to look up a comment"))?
            .map(|r| (r.get(0), r.get(1))))
    }

    /// (id, post) of a comment by submission key.
    pub fn comment_by_key(&mut self, key: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .query_opt(&self.by_key, &[&key])
            .map_err(failed("failed to look up a comment"))?
            .map(|r| (r.get(0), r.get(1))))
    }

    /// Makes the run's changes durable.
    pub fn commit(mut self) -> Result<()> {
        touch_posts(&mut self.tx, &self.touched)?;
        self.tx
            .commit()
            .map_err(failed("failed to commit the comments to the database"))
    }
}

fn record(row: &Row) -> Result<CommentRecord> {
    let status: String = row.try_get(7)?;
    Ok(CommentRecord {
        id: row.try_get(0)?,
        post: row.try_get(1)?,
        parent_id: row.try_get(2)?,
        username: row.try_get(3)?,
        email: row.try_get(4)?,
        body: row.try_get(5)?,
        timestamp: row.try_get(6)?,
        status: status
            .parse()
            .map_err(|e: String| anyhow!("bad status in the database: {e}"))
            .context("failed to read a comment")?,
    })
}
