//! The SQLite backend's writes of webmentions: a mention's comment row, its author and its
//! `mentions` row in one transaction that also renews the post's stamp.

use std::collections::HashSet;

use anyhow::{Context, Result};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::queries::touch_posts;
use super::{Sqlite, parse_time};
use crate::comments::Status;
use crate::store::backend::MentionQueries;
use crate::store::mentions::{
    APPROVED_MENTIONS, COUNT_WEBMENTIONS, FORGET_SENT, RECORD_SENT, SENT_MENTIONS,
};
use crate::store::{MentionRecord, NewMention, SentMention, StoredMention};

impl MentionQueries for Sqlite {
    /// Stores a mention or updates the one under its key.
    fn store_mention(&mut self, m: &NewMention<'_>) -> Result<StoredMention> {
        let row = m.row();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO users (username, email) VALUES (?1, ?2)
             ON CONFLICT (username, email COLLATE NOCASE) DO NOTHING",
            params![row.username, row.email],
        )
        .context("failed to store the mention's author")?;
        let user_id: i64 = tx.query_row(
            "SELECT id FROM users WHERE username = ?1 AND email = ?2 COLLATE NOCASE",
            params![row.username, row.email],
            |r| r.get(0),
        )?;
        let timestamp = crate::content::dates::iso(&m.timestamp);
        let existing: Option<(i64, String)> = tx
            .query_row(
                "SELECT id, status FROM comments WHERE submission_key = ?1",
                [&row.key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let stored = match existing {
            Some((id, status)) => {
                // A mention marked as spam stays spam whatever its source now says.
                let status = if status == Status::Spam.as_str() {
                    Status::Spam
                } else {
                    m.status
                };
                // An HTML stored from an imported body no longer says what the row does.
                tx.execute(
                    "UPDATE comments SET body = ?1, timestamp = ?2, user_id = ?3, status = ?4, body_html = NULL, html_version = 0 WHERE id = ?5",
                    params![row.body, timestamp, user_id, status.as_str(), id],
                )
                .context("failed to update the mention")?;
                StoredMention::Updated(id)
            }
            None => {
                tx.execute(
                    "INSERT INTO comments (post, body, timestamp, user_id, status, submission_key)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        m.post,
                        row.body,
                        timestamp,
                        user_id,
                        m.status.as_str(),
                        row.key
                    ],
                )
                .context("failed to store the mention")?;
                StoredMention::New(tx.last_insert_rowid())
            }
        };
        let id = match stored {
            StoredMention::New(id) | StoredMention::Updated(id) => id,
        };
        tx.execute(
            "INSERT INTO mentions (comment_id, source, target, kind, author_url, author_photo, published)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (comment_id) DO UPDATE SET source = excluded.source, target = excluded.target,
                 kind = excluded.kind, author_url = excluded.author_url,
                 author_photo = excluded.author_photo, published = excluded.published",
            params![id, m.source, m.target, m.kind, m.author_url, m.author_photo, m.published],
        )
        .context("failed to store the mention's source")?;
        touch_posts(&tx, &HashSet::from([m.post.to_string()]))?;
        tx.commit().context("failed to commit the mention")?;
        Ok(stored)
    }

    /// Every approved mention, by post, time and id.
    fn approved_mentions(&self) -> Result<Vec<MentionRecord>> {
        // CROSS JOIN makes SQLite walk the (few) mentions and look up their comments, rather
        // than walk every comment in the order asked for and probe for a mention each time:
        // on 100,000 comments that was a fifth of a rebuild.
        let sql = APPROVED_MENTIONS.replace(
            "FROM mentions m JOIN comments c",
            "FROM mentions m CROSS JOIN comments c",
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok((
                MentionRecord {
                    id: r.get(0)?,
                    post: r.get(1)?,
                    kind: r.get(2)?,
                    source: r.get(3)?,
                    author_name: r.get(4)?,
                    author_url: r.get(5)?,
                    author_photo: r.get(6)?,
                    body: r.get(7)?,
                    timestamp: chrono::DateTime::default(),
                },
                r.get::<_, String>(8)?,
            ))
        })?;
        let mut mentions = Vec::new();
        for row in rows {
            let (mut mention, timestamp) = row.context("failed to read the mentions")?;
            mention.timestamp = parse_time(&timestamp)?;
            mentions.push(mention);
        }
        Ok(mentions)
    }

    /// Removes the mention stored under `key`; its id, if there was one.
    fn remove_mention(&mut self, key: &str) -> Result<Option<i64>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let removed: Option<(i64, String)> = tx
            .query_row(
                "DELETE FROM comments WHERE submission_key = ?1 RETURNING id, post",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .context("failed to remove the mention")?;
        if let Some((_, post)) = &removed {
            touch_posts(&tx, &HashSet::from([post.clone()]))?;
        }
        tx.commit()
            .context("failed to commit the mention's removal")?;
        Ok(removed.map(|(id, _)| id))
    }

    fn count_webmentions(&self) -> Result<i64> {
        self.conn
            .query_row(COUNT_WEBMENTIONS, [], |r| r.get(0))
            .context("failed to count the webmentions")
    }

    fn sent_mentions(&self) -> Result<Vec<SentMention>> {
        let what = "failed to read the webmentions sent";
        let mut stmt = self.conn.prepare(SENT_MENTIONS).context(what)?;
        let rows = stmt.query_map([], |r| {
            Ok(SentMention {
                source: r.get(0)?,
                target: r.get(1)?,
                digest: r.get(2)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>().context(what)
    }

    fn record_sent(&mut self, sent: &SentMention, outcome: &str, sent_at: &str) -> Result<()> {
        self.conn
            .execute(
                RECORD_SENT,
                params![sent.source, sent.target, sent.digest, outcome, sent_at],
            )
            .context("failed to record a webmention sent")?;
        Ok(())
    }

    fn forget_sent(&mut self, source: &str, target: &str) -> Result<()> {
        self.conn
            .execute(FORGET_SENT, params![source, target])
            .context("failed to forget a webmention sent")?;
        Ok(())
    }
}
