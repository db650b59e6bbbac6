//! Reads an Isso SQLite database, opened read-only: its `threads` (`uri`, `title`) and
//! `comments` (`id`, `parent`, `created` in Unix seconds, `mode` 1 accepted, 2 pending,
//! 4 deleted, `author`, `email`, `text`). Reading a foreign database is reading a file in
//! another program's format, so its SQL lives here rather than in the store.

use std::path::Path;

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OpenFlags};
use serde_json::json;

use super::html::{Flavor, to_markdown};
use super::{Fate, Imported};
use crate::comments::Status;
use crate::content::slug::slugify;
use crate::ingest::Rejection;
use crate::ingest::read::Position;

/// Reads every comment of an Isso database, oldest id first.
pub fn read(path: &Path) -> Result<Vec<Imported>> {
    if !path.is_file() {
        bail!(
            "{} does not exist; give the path of Isso's comments.db",
            path.display()
        );
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("failed to open {} as a SQLite database", path.display()))?;
    let not_isso = || {
        format!(
            "{} is not an Isso database (it needs Isso's comments and threads tables)",
            path.display()
        )
    };
    let mut stmt = conn
        .prepare(
            "SELECT c.id, c.parent, c.created, c.mode, c.author, c.email, c.text, t.uri, t.title, c.tid
             FROM comments c LEFT JOIN threads t ON t.id = c.tid ORDER BY c.id",
        )
        .with_context(not_isso)?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Row {
                id: r.get(0)?,
                parent: r.get(1)?,
                created: r.get(2)?,
                mode: r.get(3)?,
                author: r.get(4)?,
                email: r.get(5)?,
                text: r.get(6)?,
                uri: r.get(7)?,
                title: r.get(8)?,
                tid: r.get(9)?,
            })
        })
        .with_context(not_isso)?;
    let mut comments = Vec::new();
    for row in rows {
        let row = row.with_context(|| format!("failed to read a comment of {}", path.display()))?;
        comments.push(comment(row, path));
    }
    Ok(comments)
}

/// One row, with every column optional: Isso leaves many empty.
struct Row {
    id: i64,
    parent: Option<i64>,
    created: Option<f64>,
    mode: Option<i64>,
    author: Option<String>,
    email: Option<String>,
    text: Option<String>,
    uri: Option<String>,
    title: Option<String>,
    tid: Option<i64>,
}

fn comment(row: Row, path: &Path) -> Imported {
    let mut problems = Vec::new();
    let timestamp = row
        .created
        .and_then(|s| chrono::DateTime::from_timestamp(s.trunc() as i64, 0));
    if timestamp.is_none() {
        problems.push(Rejection::Missing("created".into()));
    }
    let fate = match row.mode {
        Some(1) => Fate::Keep(Status::Approved),
        Some(4) => Fate::Skip("deleted"),
        // 2 is pending; anything else waits for the author too.
        _ => Fate::Keep(Status::Pending),
    };
    let url = match &row.uri {
        Some(uri) => uri.clone(),
        None => format!("isso thread {} (not in the database)", row.tid.unwrap_or(0)),
    };
    let raw = json!({
        "id": row.id,
        "parent": row.parent,
        "created": row.created,
        "mode": row.mode,
        "author": row.author,
        "text": row.text,
        "uri": row.uri,
    });
    Imported {
        key: format!("isso:{}", row.id),
        parent: row.parent.map(|p| format!("isso:{p}")),
        url,
        fallbacks: row.title.as_deref().map(slugify).into_iter().collect(),
        author: row
            .author
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "Anonymous".into()),
        email: row.email,
        // Isso stores what was typed (Markdown, HTML allowed) and renders it on display.
        body: to_markdown(row.text.as_deref().unwrap_or(""), Flavor::Markdown),
        timestamp,
        problems,
        fate,
        position: Position::Record(usize::try_from(row.id).unwrap_or(0)),
        file: path.to_path_buf(),
        raw,
        mention: None,
    }
}
