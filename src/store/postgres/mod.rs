//! The PostgreSQL backend: the synchronous `postgres` client, migrations in PostgreSQL's
//! dialect, and (in `queries` and `ingest`) the same queries as the SQLite backend, with the
//! same results and ordering.

mod copy;
mod ingest;
mod mentions;
mod queries;
mod spam;

use std::cell::RefCell;

use anyhow::{Context, Result, anyhow};
use postgres::error::SqlState;
use postgres::{Client, NoTls, Row};

use super::backend::{Database, IngestTransaction};
use super::location::PgUrl;
use super::{DbLocation, html, migrations};
use crate::comments::CommentRecord;
use crate::comments::render::HTML_VERSION;

/// Advisory lock held while migrating, so that two first writers do not both create the schema.
const MIGRATE_LOCK: i64 = 0x7175_696c_6c00_0002;

/// An open PostgreSQL database.
pub(super) struct Postgres {
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
pub(super) fn pg_error(e: &postgres::Error) -> String {
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
    pub(super) fn connect(url: &PgUrl, read_only: bool) -> Result<Postgres> {
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
}

impl Database for Postgres {
    fn location(&self) -> DbLocation {
        DbLocation::Postgres(self.url.clone())
    }

    /// The schema version recorded in the database (0 for a database without quill's tables).
    fn version(&self) -> Result<u32> {
        version(&mut *self.client.borrow_mut())
    }

    /// Copies the tables into a new schema of the same database (`quill_backup_v2`, then
    /// `quill_backup_v2_2`...): a file would land on the server, where quill may have no
    /// rights.
    fn backup(&self, version: u32) -> Result<String> {
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
        Ok(format!(
            "backup of schema version {version} written to schema {name} of {}",
            self.url
        ))
    }

    /// Runs the migrations from the current version to `target`, all in one transaction.
    fn migrate(&mut self, target: u32) -> Result<()> {
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
        if target >= migrations::COMMENT_HTML && target > current {
            fill_html(&mut tx)?;
        }
        tx.commit()
            .map_err(failed("failed to commit the migration"))
    }

    /// Renders the comments whose stored HTML is missing or stale, in one transaction.
    fn refresh_html(&mut self) -> Result<usize> {
        let what = "failed to store the comments' HTML";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        let done = fill_html(&mut tx)?;
        tx.commit().map_err(failed(what))?;
        Ok(done)
    }

    fn begin_ingest<'a>(
        &'a mut self,
        waiting: &dyn Fn(&str),
    ) -> Result<Box<dyn IngestTransaction + 'a>> {
        Ok(Box::new(self.begin(waiting)?))
    }
}

/// Stores the HTML of every comment whose HTML is missing or was made by another renderer,
/// a batch at a time; returns how many.
fn fill_html(tx: &mut postgres::Transaction<'_>) -> Result<usize> {
    let what = "failed to store the comments' HTML";
    let version = HTML_VERSION as i32;
    let stale = tx.prepare(html::STALE).map_err(failed(what))?;
    let store = tx.prepare(html::STORE).map_err(failed(what))?;
    let mut done = 0;
    let mut after = 0i64;
    loop {
        let batch: Vec<(i64, String)> = tx
            .query(&stale, &[&after, &version, &html::BATCH])
            .map_err(failed(what))?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        let Some(&(last, _)) = batch.last() else {
            return Ok(done);
        };
        after = last;
        for (id, body_html) in html::rendered(batch) {
            tx.execute(&store, &[&body_html, &version, &id])
                .map_err(failed(what))?;
            done += 1;
        }
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

/// A comment with its author, from the columns every comment query selects first (those of
/// `APPROVED_RECORDS`).
pub(super) fn record(row: &Row) -> Result<CommentRecord> {
    let status: String = row.try_get(7)?;
    Ok(CommentRecord {
        id: row.try_get(0)?,
        post: row.try_get(1)?,
        parent_id: row.try_get(2)?,
        username: row.try_get(3)?,
        email: row.try_get(4)?,
        body: row.try_get(5)?,
        body_html: crate::store::current_html(
            row.try_get(8)?,
            i64::from(row.try_get::<_, i32>(9)?),
        ),
        timestamp: row.try_get(6)?,
        status: status
            .parse()
            .map_err(|e: String| anyhow!("bad status in the database: {e}"))
            .context("failed to read a comment")?,
    })
}
