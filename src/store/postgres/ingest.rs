//! The PostgreSQL backend's ingest transaction: race-safe find-or-create of users, comments
//! stored once per submission key, one run at a time.

use std::collections::{HashMap, HashSet};

use anyhow::{Result, anyhow};
use chrono::SubsecRound;
use postgres::{Statement, Transaction};

use super::queries::touch_posts;
use super::{Postgres, failed, pg_error};
use crate::comments::render::HTML_VERSION;
use crate::store::backend::IngestTransaction;
use crate::store::{Inserted, NewComment, REFUSED};

/// Advisory lock held by each ingest transaction. Ingest runs wait for each other, as they do on
/// SQLite's single writer lock: two overlapping runs could otherwise each wait on a row the
/// other inserted and end in a deadlock that fails one of them. The statements below are safe
/// against other writers on their own (ON CONFLICT), lock or not.
const INGEST_LOCK: i64 = 0x7175_696c_6c00_0001;

impl Postgres {
    /// Begins the one transaction of an ingest run; waits for other ingest runs, calling
    /// `waiting` with who holds the lock when it has to.
    pub(super) fn begin(&mut self, waiting: &dyn Fn(&str)) -> Result<PgIngest<'_>> {
        let mut tx = self
            .client
            .get_mut()
            .transaction()
            .map_err(failed("failed to begin the ingest"))?;
        let free: bool = tx
            .query_one(
                &format!("SELECT pg_try_advisory_xact_lock({INGEST_LOCK})"),
                &[],
            )
            .map_err(failed("failed to wait for other ingest runs"))?
            .get(0);
        if !free {
            // A bigint advisory key is held as two halves: classid (high), objid (low).
            let holder = tx
                .query_opt(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted
                     AND classid::bigint = $1 AND objid::bigint = $2
                     AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                     LIMIT 1",
                    &[&(INGEST_LOCK >> 32), &(INGEST_LOCK & 0xffff_ffff)],
                )
                .ok()
                .flatten()
                .map(|row| row.get::<_, i32>(0));
            waiting(&match holder {
                Some(pid) => format!("another ingest into this database (server process {pid})"),
                None => "another ingest into this database".to_string(),
            });
            tx.batch_execute(&format!("SELECT pg_advisory_xact_lock({INGEST_LOCK})"))
                .map_err(failed("failed to wait for other ingest runs"))?;
        }
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
                "INSERT INTO comments (post, parent_id, body, timestamp, user_id, status, submission_key, spam_score, spam_reasons, body_html, html_version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (submission_key) DO NOTHING RETURNING id",
            )
            .map_err(failed(what))?;
        let by_id = tx
            .prepare("SELECT id, post FROM comments WHERE id = $1")
            .map_err(failed(what))?;
        let by_key = tx
            .prepare("SELECT id, post FROM comments WHERE submission_key = $1")
            .map_err(failed(what))?;
        let by_key_content = tx
            .prepare(
                "SELECT c.id, c.post, u.username, u.email, c.body FROM comments c
                 JOIN users u ON u.id = c.user_id WHERE c.submission_key = $1",
            )
            .map_err(failed(what))?;
        Ok(PgIngest {
            tx,
            by_key_content,
            users: HashMap::new(),
            touched: HashSet::new(),
            find_user,
            insert_user,
            insert_comment,
            by_id,
            by_key,
        })
    }
}

/// The transaction of one ingest run.
pub(super) struct PgIngest<'a> {
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
    by_key_content: Statement,
}

/// Whether an error is a broken integrity rule (class 23: CHECK, NOT NULL, foreign key...).
fn is_constraint(code: &postgres::error::SqlState) -> bool {
    code.code().starts_with("23")
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

    /// What is stored under a conflicting key: this comment, or another one.
    fn stored_under_key(&mut self, c: &NewComment<'_>) -> Result<Inserted> {
        let row = self
            .tx
            .query_opt(&self.by_key_content, &[&c.submission_key])
            .map_err(failed("failed to look up a comment"))?;
        let stored = row
            .as_ref()
            .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)));
        crate::store::backend::stored_under_key(c, stored)
    }
}

impl IngestTransaction for PgIngest<'_> {
    /// Stores a comment (and its user), unless its submission key is already there.
    fn insert(&mut self, c: &NewComment<'_>) -> Result<Inserted> {
        let user_id = self.user_id(c.username, c.email)?;
        // Stored in whole seconds, like SQLite's text form (the schema insists).
        let timestamp = c.timestamp.trunc_subsecs(0);
        // A failed statement aborts a PostgreSQL transaction: the savepoint keeps a row the
        // database refuses from failing the whole run.
        let mut savepoint = self
            .tx
            .savepoint("comment")
            .map_err(failed("failed to store a comment"))?;
        let result = savepoint.query_opt(
            &self.insert_comment,
            &[
                &c.post,
                &c.parent_id,
                &c.body,
                &timestamp,
                &user_id,
                &c.status.as_str(),
                &c.submission_key,
                &c.spam_score,
                &c.spam_reasons,
                &c.body_html,
                &(HTML_VERSION as i32),
            ],
        );
        let inserted = match result {
            Err(e) if e.code().is_some_and(is_constraint) => {
                savepoint
                    .rollback()
                    .map_err(failed("failed to undo a refused comment"))?;
                return Ok(Inserted::Refused(REFUSED));
            }
            Err(e) => {
                return Err(anyhow!(
                    "failed to store the comment {:?}: {}",
                    c.submission_key,
                    pg_error(&e)
                ));
            }
            Ok(row) => row,
        };
        savepoint
            .commit()
            .map_err(failed("failed to store a comment"))?;
        match inserted {
            Some(row) => {
                if !self.touched.contains(c.post) {
                    self.touched.insert(c.post.to_string());
                }
                Ok(Inserted::New(row.get(0)))
            }
            None => self.stored_under_key(c),
        }
    }

    /// (id, post) of a comment by id.
    fn comment_by_id(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .query_opt(&self.by_id, &[&id])
            .map_err(failed("failed to look up a comment"))?
            .map(|r| (r.get(0), r.get(1))))
    }

    /// (id, post) of a comment by submission key.
    fn comment_by_key(&mut self, key: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .query_opt(&self.by_key, &[&key])
            .map_err(failed("failed to look up a comment"))?
            .map(|r| (r.get(0), r.get(1))))
    }

    /// Marks a comment as a webmention (the post's count is recounted at commit).
    fn attach_mention(&mut self, id: i64, link: &crate::store::MentionLink<'_>) -> Result<()> {
        self.tx
            .execute(
                crate::store::mentions::ATTACH_MENTION,
                &[
                    &id,
                    &link.source,
                    &link.target,
                    &link.kind,
                    &link.author_url,
                    &link.author_photo,
                    &link.published,
                ],
            )
            .map_err(failed("failed to store a mention's source"))?;
        Ok(())
    }

    /// The spam filter's model as this transaction sees it.
    fn spam_counts(&mut self) -> Result<crate::spam::Counts> {
        super::spam::counts(&mut self.tx)
    }

    /// Makes the run's changes durable.
    fn commit(mut self: Box<Self>) -> Result<()> {
        touch_posts(&mut self.tx, &self.touched)?;
        self.tx
            .commit()
            .map_err(failed("failed to commit the comments to the database"))
    }
}
