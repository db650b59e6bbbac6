//! The backup format: one JSON object per comment, which `quill ingest --trusted` reads back.

use serde::{Deserialize, Serialize};

use super::CommentRow;
use crate::comments::Status;

/// One line of `quill comments export`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportedComment {
    /// The comment's submission key.
    pub id: String,
    /// The post's slug.
    pub post: String,
    /// The parent's submission key.
    pub parent: Option<String>,
    /// The commenter's name.
    pub username: String,
    /// The commenter's email.
    pub email: String,
    /// The body as written.
    pub body: String,
    /// RFC 3339 UTC.
    pub timestamp: String,
    /// Moderation status.
    pub status: Status,
}

impl From<CommentRow> for ExportedComment {
    fn from(row: CommentRow) -> Self {
        ExportedComment {
            id: row.submission_key,
            post: row.record.post,
            parent: row.parent_key,
            username: row.record.username,
            email: row.record.email,
            body: row.record.body,
            timestamp: crate::content::dates::iso(&row.record.timestamp),
            status: row.record.status,
        }
    }
}
