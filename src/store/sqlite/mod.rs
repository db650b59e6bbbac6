//! The SQLite backend: connections (WAL, busy timeout, foreign keys, full sync), migrations,
//! backups and the ingest transaction; the other queries are in `queries`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

mod copy;
mod ingest;
mod mentions;
mod pass;
mod queries;
mod spam;

use ingest::SqliteIngest;

use super::backend::{Database, IngestTransaction, TIME_FORMAT};
use super::{DbLocation, html, migrations};
use crate::comments::render::HTML_VERSION;

/// How long a writer waits for another writer's lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// An open SQLite database.
#[derive(Debug)]
pub(super) struct Sqlite {
    pub(super) conn: Connection,
    path: PathBuf,
}

/// How much of a database is mapped into memory while threads are read one by one (see
/// `each_approved_comment`).
pub(super) const MAPPED_BYTES: i64 = 128 << 20;

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
    pub(super) fn open_read_only(path: &Path) -> Result<Option<Sqlite>> {
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
    pub(super) fn open_writable(path: &Path) -> Result<Sqlite> {
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

    /// Writes a consistent copy of the database (WAL included) to `to`, which must not exist.
    fn backup_to(&self, to: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", [to.to_string_lossy()])
            .with_context(|| format!("failed to write a backup to {}", to.display()))?;
        Ok(())
    }
}

impl Database for Sqlite {
    fn location(&self) -> DbLocation {
        DbLocation::Sqlite(self.path.clone())
    }

    /// The schema version recorded in the database (0 for an empty one).
    fn version(&self) -> Result<u32> {
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

    /// Writes a file beside the database.
    fn backup(&self, version: u32) -> Result<String> {
        // An older backup may be the only copy of data a later downgrade removed: never
        // overwrite one, take the next free name instead.
        let named = |suffix: String| {
            let mut name = self.path.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        };
        let to = std::iter::once(named(format!(".bak-v{version}")))
            .chain((2..).map(|n| named(format!(".bak-v{version}-{n}"))))
            .find(|p| !p.exists())
            .unwrap_or_else(|| unreachable!("the names never run out"));
        self.backup_to(&to)?;
        Ok(format!(
            "backup of schema version {version} written to {}",
            to.display()
        ))
    }

    /// Runs the migrations from the current version to `target`, all in one transaction, with
    /// foreign keys off (SQLite's way to rebuild a table other tables refer to: dropping it
    /// would otherwise delete what refers to it) and checked before the commit.
    fn migrate(&mut self, target: u32) -> Result<()> {
        // Outside a transaction, or SQLite ignores it.
        self.conn.pragma_update(None, "foreign_keys", false)?;
        let migrated = self.migrate_unchecked(target);
        self.conn.pragma_update(None, "foreign_keys", true)?;
        migrated
    }

    /// Renders the comments whose stored HTML is missing or stale, in one transaction.
    fn refresh_html(&mut self) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done = fill_html(&tx)?;
        tx.commit().context("failed to commit the comments' HTML")?;
        Ok(done)
    }

    /// Begins the one transaction of an ingest run; waits for other writers, calling `waiting`
    /// with who holds the lock when it has to.
    fn begin_ingest<'a>(
        &'a mut self,
        waiting: &dyn Fn(&str),
    ) -> Result<Box<dyn IngestTransaction + 'a>> {
        let what = || {
            format!(
                "failed to lock the comment database {} for writing",
                self.path.display()
            )
        };
        self.conn.busy_timeout(Duration::ZERO).with_context(what)?;
        let free = match self.conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
            Ok(()) => true,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                false
            }
            Err(e) => return Err(e).with_context(what),
        };
        self.conn.busy_timeout(BUSY_TIMEOUT).with_context(what)?;
        if !free {
            waiting(&format!(
                "another process writing to {} (an ingest, an import, a console command or quill serve's comment endpoint)",
                self.path.display()
            ));
        }
        let ingest = SqliteIngest::begin(&self.conn).with_context(what)?;
        Ok(Box::new(ingest))
    }
}

impl Sqlite {
    /// The migrations of [`Database::migrate`], foreign keys already off.
    fn migrate_unchecked(&mut self, target: u32) -> Result<()> {
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
        if target >= migrations::COMMENT_HTML && target > current {
            fill_html(&tx)?;
        }
        let broken: Option<String> = tx
            .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
            .optional()?;
        if let Some(table) = broken {
            anyhow::bail!(
                "the migration to version {target} left a row of {table} referring to nothing; nothing was changed"
            );
        }
        tx.commit().context("failed to commit the migration")?;
        Ok(())
    }
}

/// Stores the HTML of every comment whose HTML is missing or was made by another renderer,
/// a batch at a time; returns how many.
fn fill_html(tx: &rusqlite::Transaction<'_>) -> Result<usize> {
    let what = "failed to store the comments' HTML";
    let mut done = 0;
    let mut after = 0i64;
    loop {
        let batch: Vec<(i64, String)> = tx
            .prepare_cached(html::STALE)?
            .query_map(params![after, HTML_VERSION, html::BATCH], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()
            .context(what)?;
        let Some(&(last, _)) = batch.last() else {
            return Ok(done);
        };
        after = last;
        let mut store = tx.prepare_cached(html::STORE)?;
        for (id, body_html) in html::rendered(batch) {
            store
                .execute(params![body_html, HTML_VERSION, id])
                .context(what)?;
            done += 1;
        }
    }
}

/// Reads a stored timestamp (RFC 3339, UTC).
pub(super) fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    if let Some(time) = crate::content::dates::parse_utc_seconds(text) {
        return Ok(time);
    }
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| anyhow!("bad timestamp {text:?} in the database: {e}"))
}
