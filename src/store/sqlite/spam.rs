//! The SQLite backend's side of the spam filter: reading the model's counts, applying the
//! lessons of the author's decisions, and rebuilding the model from every stored decision.

use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::Sqlite;
use crate::spam::{Changes, Counts, Parts};
use crate::store::backend::SpamQueries;

impl SpamQueries for Sqlite {
    /// The model's counts: (spam, ham) comments learned and every token's counts.
    fn spam_counts(&self) -> Result<Counts> {
        counts(&self.conn)
    }

    /// Rebuilds the model from every approved (ham) and spam comment, in one transaction;
    /// returns (spam, ham) comments learned.
    fn retrain(&mut self) -> Result<(u64, u64)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut counts = Counts::default();
        {
            let mut stmt = tx.prepare(
                "SELECT c.status, u.username, u.email, c.body FROM comments c
                 JOIN users u ON u.id = c.user_id WHERE c.status IN ('approved', 'spam')",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next().context("failed to read the comments")? {
                let status: String = row.get(0)?;
                let parts = Parts {
                    username: row.get_ref(1)?.as_str()?,
                    email: row.get_ref(2)?.as_str()?,
                    body: row.get_ref(3)?.as_str()?,
                };
                counts.learn(&parts, status == "spam");
            }
        }
        tx.execute_batch(
            "DELETE FROM spam_tokens;
             UPDATE comments SET spam_taught = CASE status WHEN 'approved' THEN 'ham' WHEN 'spam' THEN 'spam' END;",
        )?;
        tx.execute(
            "UPDATE spam_model SET spam_docs = ?1, ham_docs = ?2 WHERE id = 1",
            params![counts.spam_docs as i64, counts.ham_docs as i64],
        )?;
        {
            let mut insert =
                tx.prepare("INSERT INTO spam_tokens (token, spam, ham) VALUES (?1, ?2, ?3)")?;
            for (token, (s, h)) in &counts.tokens {
                insert.execute(params![token, *s as i64, *h as i64])?;
            }
        }
        tx.commit()
            .context("failed to store the spam filter's model")?;
        Ok((counts.spam_docs, counts.ham_docs))
    }
}

/// Applies lessons to the model within a transaction. A count never goes below zero (a model
/// rebuilt since a lesson was learned may not hold it), and tokens left at zero are removed.
pub(super) fn apply(tx: &rusqlite::Transaction<'_>, changes: &Changes) -> Result<()> {
    if changes == &Changes::default() {
        return Ok(());
    }
    tx.execute(
        "UPDATE spam_model SET spam_docs = max(spam_docs + ?1, 0), ham_docs = max(ham_docs + ?2, 0)
         WHERE id = 1",
        params![changes.spam_docs, changes.ham_docs],
    )?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO spam_tokens (token, spam, ham) VALUES (?1, max(?2, 0), max(?3, 0))
         ON CONFLICT (token) DO UPDATE SET spam = max(spam + ?2, 0), ham = max(ham + ?3, 0)",
    )?;
    for (token, (s, h)) in &changes.tokens {
        upsert.execute(params![token, s, h])?;
    }
    tx.execute("DELETE FROM spam_tokens WHERE spam = 0 AND ham = 0", [])?;
    Ok(())
}

/// The model's counts, through a connection or a transaction.
pub(super) fn counts(conn: &rusqlite::Connection) -> Result<Counts> {
    let what = "failed to read the spam filter's model";
    let (spam_docs, ham_docs): (i64, i64) = conn
        .query_row(
            "SELECT spam_docs, ham_docs FROM spam_model WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .context(what)?
        .unwrap_or_default();
    let mut stmt = conn
        .prepare("SELECT token, spam, ham FROM spam_tokens")
        .context(what)?;
    let tokens = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                (r.get::<_, i64>(1)? as u64, r.get::<_, i64>(2)? as u64),
            ))
        })?
        .collect::<rusqlite::Result<_>>()
        .context(what)?;
    Ok(Counts {
        spam_docs: spam_docs as u64,
        ham_docs: ham_docs as u64,
        tokens,
    })
}
