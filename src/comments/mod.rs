//! Visitors' comments as plain data: the record the store hands to the build, and the
//! moderation status every part of quill agrees on.

pub mod mentions;
pub mod paging;
pub mod render;
pub mod thread;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a comment stands in moderation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for the author's approval; never published.
    Pending,
    /// Published on the post.
    Approved,
    /// Kept for the record; never published.
    Spam,
}

impl Status {
    /// Every status, in the order the console lists them.
    pub const ALL: [Status; 3] = [Status::Pending, Status::Approved, Status::Spam];

    /// The status as stored in the database and written in exports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Spam => "spam",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "pending" => Ok(Status::Pending),
            "approved" => Ok(Status::Approved),
            "spam" => Ok(Status::Spam),
            other => Err(format!(
                "unknown status \"{other}\" (expected pending, approved or spam)"
            )),
        }
    }
}

/// A stored comment with its author, as the store returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRecord {
    /// The comment's id in the database.
    pub id: i64,
    /// The slug of the post it belongs to.
    pub post: String,
    /// The comment it replies to, on the same post.
    pub parent_id: Option<i64>,
    /// The commenter's username (untrusted text).
    pub username: String,
    /// The commenter's email; never published.
    pub email: String,
    /// The comment as the visitor wrote it (untrusted Markdown).
    pub body: String,
    /// Its HTML as stored when it arrived ([`render::stored_html`]), only when the renderer
    /// that made it is this one ([`render::HTML_VERSION`]); `None` means render `body`.
    pub body_html: Option<String>,
    /// When it was written, in UTC.
    pub timestamp: DateTime<Utc>,
    /// Its moderation status.
    pub status: Status,
}

/// An approved comment as a thread reads it from the store: borrowed from the row being read
/// (nothing is copied that a thread does not keep), without its status (always approved) and
/// with its email only when asked for.
#[derive(Debug, Clone, Copy)]
pub struct ThreadRow<'r> {
    /// The comment's id in the database.
    pub id: i64,
    /// The slug of the post it belongs to.
    pub post: &'r str,
    /// The comment it replies to, on the same post.
    pub parent_id: Option<i64>,
    /// The commenter's username (untrusted text).
    pub username: &'r str,
    /// The commenter's email, only when [`ThreadRead::email`] asked for it; never published.
    pub email: Option<&'r str>,
    /// Its body, in the form asked for.
    pub body: RowBody<'r>,
    /// When it was written, in UTC.
    pub timestamp: DateTime<Utc>,
}

/// A comment's body as read for a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowBody<'r> {
    /// The HTML stored with it, made by this renderer ([`render::HTML_VERSION`]).
    Html(&'r str),
    /// Its Markdown, to be rendered: its HTML was not asked for, or is missing or stale.
    Markdown(&'r str),
}

/// What a build reads of each approved comment for its threads.
#[derive(Debug, Clone, Copy)]
pub struct ThreadRead<'p> {
    /// The posts whose comments are read, grouped by post; `None` reads every one, in one pass.
    pub posts: Option<&'p [&'p str]>,
    /// Whether to read each commenter's email (only Gravatar avatars need it).
    pub email: bool,
    /// Whether to read a comment's stored HTML instead of its Markdown when it is current.
    pub stored_html: bool,
    /// Only the comments whose ids are in this range, both ends included (`None`: all), so
    /// that two readers can share one pass.
    pub ids: Option<(i64, i64)>,
}

impl ThreadRead<'_> {
    /// The range of ids read, both ends included.
    pub fn id_range(&self) -> (i64, i64) {
        self.ids.unwrap_or((i64::MIN, i64::MAX))
    }
}

impl CommentRecord {
    /// The record as a thread reads it, with its email; its stored HTML when it has one and
    /// `stored_html` asks for it, as [`ThreadRead::stored_html`] does.
    pub fn thread_row(&self, stored_html: bool) -> ThreadRow<'_> {
        ThreadRow {
            id: self.id,
            post: &self.post,
            parent_id: self.parent_id,
            username: &self.username,
            email: Some(&self.email),
            body: match &self.body_html {
                Some(html) if stored_html => RowBody::Html(html),
                _ => RowBody::Markdown(&self.body),
            },
            timestamp: self.timestamp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips_through_text() {
        for s in Status::ALL {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
        }
        assert!("published".parse::<Status>().is_err());
    }
}
