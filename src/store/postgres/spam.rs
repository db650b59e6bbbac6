//! The PostgreSQL backend's side of the spam filter: reading the model's counts, applying the
//! lessons of the author's decisions, and rebuilding the model from every stored decision.

use anyhow::Result;
use postgres::Transaction;

use super::{Postgres, failed};
use crate::spam::{Changes, Counts, Parts};
use crate::store::backend::SpamQueries;

impl SpamQueries for Postgres {
    /// The model's counts: (spam, ham) comments learned and every token's counts.
    fn spam_counts(&self) -> Result<Counts> {
        counts(&mut *self.client.borrow_mut())
    }

    /// Rebuilds the model from every approved (ham) and spam comment, in one transaction;
    /// returns (spam, ham) comments learned.
    fn retrain(&mut self) -> Result<(u64, u64)> {
        let what = "failed to rebuild the spam filter's model";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        // Decisions made while the model is rebuilt would be lost from it.
        tx.batch_execute("LOCK TABLE spam_model IN EXCLUSIVE MODE")
            .map_err(failed(what))?;
        let mut counts = Counts::default();
        let rows = tx
            .query(
                "SELECT c.status, u.username, u.email, c.body FROM comments c
                 JOIN users u ON u.id = c.user_id WHERE c.status IN ('approved', 'spam')",
                &[],
            )
            .map_err(failed(what))?;
        for row in &rows {
            let parts = Parts {
                username: row.get(1),
                email: row.get(2),
                body: row.get(3),
            };
            counts.learn(&parts, row.get::<_, &str>(0) == "spam");
        }
        tx.batch_execute(
            "DELETE FROM spam_tokens;
             UPDATE comments SET spam_taught = CASE status WHEN 'approved' THEN 'ham' WHEN 'spam' THEN 'spam' END;",
        )
        .map_err(failed(what))?;
        tx.execute(
            "UPDATE spam_model SET spam_docs = $1, ham_docs = $2 WHERE id = 1",
            &[&(counts.spam_docs as i64), &(counts.ham_docs as i64)],
        )
        .map_err(failed(what))?;
        let (tokens, spam, ham): (Vec<&str>, Vec<i64>, Vec<i64>) = counts
            .tokens
            .iter()
            .map(|(t, &(s, h))| (t.as_str(), s as i64, h as i64))
            .fold(Default::default(), |(mut t, mut s, mut h), (a, b, c)| {
                t.push(a);
                s.push(b);
                h.push(c);
                (t, s, h)
            });
        tx.execute(
            "INSERT INTO spam_tokens (token, spam, ham)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])",
            &[&tokens, &spam, &ham],
        )
        .map_err(failed(what))?;
        tx.commit().map_err(failed(what))?;
        Ok((counts.spam_docs, counts.ham_docs))
    }
}

/// Applies lessons to the model within a transaction. A count never goes below zero (a model
/// rebuilt since a lesson was learned may not hold it), and tokens left at zero are removed.
pub(super) fn apply(tx: &mut Transaction<'_>, changes: &Changes) -> Result<()> {
    if changes == &Changes::default() {
        return Ok(());
    }
    let what = "failed to teach the spam filter";
    tx.execute(
        "UPDATE spam_model SET spam_docs = GREATEST(spam_docs + $1::bigint, 0),
                               ham_docs = GREATEST(ham_docs + $2::bigint, 0) WHERE id = 1",
        &[&changes.spam_docs, &changes.ham_docs],
    )
    .map_err(failed(what))?;
    let upsert = tx
        .prepare(
            "INSERT INTO spam_tokens (token, spam, ham) VALUES ($1, GREATEST($2::bigint, 0), GREATEST($3::bigint, 0))
             ON CONFLICT (token) DO UPDATE SET spam = GREATEST(spam_tokens.spam + $2::bigint, 0),
                                               ham = GREATEST(spam_tokens.ham + $3::bigint, 0)",
        )
        .map_err(failed(what))?;
    for (token, (s, h)) in &changes.tokens {
        tx.execute(&upsert, &[token, s, h]).map_err(failed(what))?;
    }
    tx.execute("DELETE FROM spam_tokens WHERE spam = 0 AND ham = 0", &[])
        .map_err(failed(what))?;
    Ok(())
}

/// The model's counts, through a client or a transaction.
pub(super) fn counts(client: &mut impl postgres::GenericClient) -> Result<Counts> {
    let what = "failed to read the spam filter's model";
    let (spam_docs, ham_docs) = client
        .query_opt(
            "SELECT spam_docs, ham_docs FROM spam_model WHERE id = 1",
            &[],
        )
        .map_err(failed(what))?
        .map_or((0, 0), |r| (r.get::<_, i64>(0), r.get::<_, i64>(1)));
    let tokens = client
        .query("SELECT token, spam, ham FROM spam_tokens", &[])
        .map_err(failed(what))?
        .iter()
        .map(|r| {
            (
                r.get::<_, String>(0),
                (r.get::<_, i64>(1) as u64, r.get::<_, i64>(2) as u64),
            )
        })
        .collect();
    Ok(Counts {
        spam_docs: spam_docs as u64,
        ham_docs: ham_docs as u64,
        tokens,
    })
}
