//! The PostgreSQL backend's writes of webmentions, as the SQLite backend does them: a
//! mention's comment row, its author and its `mentions` row in one transaction that also
//! renews the post's stamp.

use std::collections::HashSet;

use anyhow::{Result, anyhow};
use chrono::SubsecRound;

use super::queries::touch_posts;
use super::{Postgres, failed};
use crate::comments::Status;
use crate::store::backend::MentionQueries;
use crate::store::mentions::{
    APPROVED_MENTIONS, COUNT_WEBMENTIONS, FORGET_SENT, RECORD_SENT, SENT_MENTIONS,
};
use crate::store::{MentionRecord, NewMention, SentMention, StoredMention};

impl MentionQueries for Postgres {
    /// Stores a mention or updates the one under its key.
    fn store_mention(&mut self, m: &NewMention<'_>) -> Result<StoredMention> {
        let what = "failed to store the mention";
        let row = m.row();
        let timestamp = m.timestamp.trunc_subsecs(0);
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        tx.execute(
            "INSERT INTO users (username, email) VALUES ($1, $2)
             ON CONFLICT (username, quill_nocase(email)) DO NOTHING",
            &[&row.username, &row.email],
        )
        .map_err(failed(what))?;
        let user_id: i64 = tx
            .query_one(
                "SELECT id FROM users WHERE username = $1 AND quill_nocase(email) = quill_nocase($2)",
                &[&row.username, &row.email],
            )
            .map_err(failed(what))?
            .get(0);
        let existing = tx
            .query_opt(
                "SELECT id, status FROM comments WHERE submission_key = $1 FOR UPDATE",
                &[&row.key],
            )
            .map_err(failed(what))?;
        let stored = match existing {
            Some(found) => {
                let id: i64 = found.get(0);
                let status: String = found.get(1);
                // A mention marked as spam stays spam whatever its source now says.
                let status = if status == Status::Spam.as_str() {
                    Status::Spam
                } else {
                    m.status
                };
                // An HTML stored from an imported body no longer says what the row does.
                tx.execute(
                    "UPDATE comments SET body = $1, timestamp = $2, user_id = $3, status = $4, body_html = NULL, html_version = 0 WHERE id = $5",
                    &[&row.body, &timestamp, &user_id, &status.as_str(), &id],
                )
                .map_err(failed(what))?;
                StoredMention::Updated(id)
            }
            None => {
                let id: i64 = tx
                    .query_one(
                        "INSERT INTO comments (post, body, timestamp, user_id, status, submission_key)
                         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                        &[&m.post, &row.body, &timestamp, &user_id, &m.status.as_str(), &row.key],
                    )
                    .map_err(failed(what))?
                    .get(0);
                StoredMention::New(id)
            }
        };
        let id = match stored {
            StoredMention::New(id) | StoredMention::Updated(id) => id,
        };
        tx.execute(
            "INSERT INTO mentions (comment_id, source, target, kind, author_url, author_photo, published)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (comment_id) DO UPDATE SET source = excluded.source, target = excluded.target,
                 kind = excluded.kind, author_url = excluded.author_url,
                 author_photo = excluded.author_photo, published = excluded.published",
            &[&id, &m.source, &m.target, &m.kind, &m.author_url, &m.author_photo, &m.published],
        )
        .map_err(failed(what))?;
        touch_posts(&mut tx, &HashSet::from([m.post.to_string()]))?;
        tx.commit().map_err(failed(what))?;
        Ok(stored)
    }

    /// Every approved mention, by post, time and id.
    fn approved_mentions(&self) -> Result<Vec<MentionRecord>> {
        let rows = self
            .client
            .borrow_mut()
            .query(APPROVED_MENTIONS, &[])
            .map_err(failed("failed to read the mentions"))?;
        rows.iter()
            .map(|r| {
                Ok(MentionRecord {
                    id: r.try_get(0)?,
                    post: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    source: r.try_get(3)?,
                    author_name: r.try_get(4)?,
                    author_url: r.try_get(5)?,
                    author_photo: r.try_get(6)?,
                    body: r.try_get(7)?,
                    timestamp: r.try_get(8)?,
                })
            })
            .collect()
    }

    /// Removes the mention stored under `key`; its id, if there was one.
    fn remove_mention(&mut self, key: &str) -> Result<Option<i64>> {
        let what = "failed to remove the mention";
        let mut tx = self.client.get_mut().transaction().map_err(failed(what))?;
        let removed = tx
            .query_opt(
                "DELETE FROM comments WHERE submission_key = $1 RETURNING id, post",
                &[&key],
            )
            .map_err(failed(what))?
            .map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1)));
        if let Some((_, post)) = &removed {
            touch_posts(&mut tx, &HashSet::from([post.clone()]))?;
        }
        tx.commit()
            .map_err(|e| anyhow!("{what}: {}", super::pg_error(&e)))?;
        Ok(removed.map(|(id, _)| id))
    }

    fn count_webmentions(&self) -> Result<i64> {
        Ok(self
            .client
            .borrow_mut()
            .query_one(COUNT_WEBMENTIONS, &[])
            .map_err(failed("failed to count the webmentions"))?
            .get(0))
    }

    fn sent_mentions(&self) -> Result<Vec<SentMention>> {
        Ok(self
            .client
            .borrow_mut()
            .query(SENT_MENTIONS, &[])
            .map_err(failed("failed to read the webmentions sent"))?
            .iter()
            .map(|r| SentMention {
                source: r.get(0),
                target: r.get(1),
                digest: r.get(2),
            })
            .collect())
    }

    fn record_sent(&mut self, sent: &SentMention, outcome: &str, sent_at: &str) -> Result<()> {
        self.client
            .get_mut()
            .execute(
                RECORD_SENT,
                &[&sent.source, &sent.target, &sent.digest, &outcome, &sent_at],
            )
            .map_err(failed("failed to record a webmention sent"))?;
        Ok(())
    }

    fn forget_sent(&mut self, source: &str, target: &str) -> Result<()> {
        self.client
            .get_mut()
            .execute(FORGET_SENT, &[&source, &target])
            .map_err(failed("failed to forget a webmention sent"))?;
        Ok(())
    }
}
