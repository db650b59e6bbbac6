//! The read of every approved comment in one pass over the table (a full build's), with what
//! each row looks up held in memory for the pass: the commenters, read once beforehand, and
//! the comments that are webmentions, which are not a thread's. Joined in SQL instead, each row
//! cost two seeks, a third of the pass.

use anyhow::{Context, Result};
use rusqlite::{Connection, Row, params};
use rustc_hash::FxHashSet;

use super::parse_time;
use crate::comments::render::HTML_VERSION;
use crate::comments::{ThreadRead, ThreadRow};
use crate::store::row_body;

/// The comments of a pass, without their commenters: columns as `thread_rows` has them, the
/// commenter's id in place of the name and the email.
const PASS_ROWS: &str = "
    SELECT c.id, c.post, c.parent_id, c.user_id,
           CASE WHEN ?1 AND c.html_version = ?2 THEN c.body_html END,
           CASE WHEN ?1 AND c.html_version = ?2 AND c.body_html IS NOT NULL
                THEN NULL ELSE c.body END,
           c.timestamp
    FROM comments c
    WHERE c.status = 'approved' AND c.id BETWEEN ?3 AND ?4
    ORDER BY c.id";

/// Hands every approved comment with an id in `read`'s range to `visit`, in id order, as the
/// query of `thread_rows` would, while it says to go on.
pub(super) fn each_approved_comment(
    conn: &Connection,
    read: &ThreadRead<'_>,
    visit: &mut dyn FnMut(&ThreadRow<'_>) -> bool,
) -> Result<()> {
    let failed = "failed to read the approved comments";
    let commenters = Commenters::read(conn, read.email).context(failed)?;
    let mentions = mention_ids(conn).context(failed)?;
    let (low, high) = read.id_range();
    let mut stmt = conn.prepare(PASS_ROWS)?;
    let mut rows = stmt.query(params![read.stored_html, HTML_VERSION, low, high])?;
    while let Some(row) = rows.next().context(failed)? {
        let id: i64 = row.get(0)?;
        if mentions.contains(&id) {
            continue;
        }
        // A comment whose commenter is gone is not shown, as the join in SQL would have it.
        let Some((username, email)) = commenters.get(row.get(3)?) else {
            continue;
        };
        let row = pass_row(row, id, username, email).context(failed)?;
        if !visit(&row) {
            break;
        }
    }
    Ok(())
}

/// A row of [`PASS_ROWS`] with its commenter.
fn pass_row<'r>(
    row: &'r Row<'_>,
    id: i64,
    username: &'r str,
    email: Option<&'r str>,
) -> Result<ThreadRow<'r>> {
    let text = |i: usize| -> Result<Option<&'r str>> { Ok(row.get_ref(i)?.as_str_or_null()?) };
    let body = row_body(text(4)?, text(5)?).context("a comment without a body")?;
    let timestamp = text(6)?.context("a comment without a time")?;
    Ok(ThreadRow {
        id,
        post: text(1)?.context("a comment without a post")?,
        parent_id: row.get(2)?,
        username,
        email,
        body,
        timestamp: parse_time(timestamp)?,
    })
}

/// The ids of the comments that are webmentions (none on most sites).
fn mention_ids(conn: &Connection) -> Result<FxHashSet<i64>> {
    let mut stmt = conn.prepare("SELECT comment_id FROM mentions")?;
    let ids = stmt.query_map([], |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// Every commenter's name, and email when asked for, by id: packed into one string, so that
/// they take about what their text does (a few MiB for 120,000 commenters) and are read in
/// one pass over the users table.
#[derive(Debug, Default)]
struct Commenters {
    /// Ascending, as the table gives them.
    ids: Vec<i64>,
    /// Where each commenter's name starts and ends in `text`; the email, when read, runs from
    /// there to the next commenter's name.
    names: Vec<(usize, usize)>,
    text: String,
    emails: bool,
}

impl Commenters {
    fn read(conn: &Connection, emails: bool) -> Result<Commenters> {
        let mut stmt = conn.prepare(
            "SELECT id, username, CASE WHEN ?1 THEN email ELSE '' END FROM users ORDER BY id",
        )?;
        let mut rows = stmt.query([emails])?;
        let mut commenters = Commenters {
            emails,
            ..Commenters::default()
        };
        while let Some(row) = rows.next()? {
            let text = |i| -> Result<&str> { Ok(row.get_ref(i)?.as_str()?) };
            let start = commenters.text.len();
            commenters.text.push_str(text(1)?);
            commenters.names.push((start, commenters.text.len()));
            commenters.text.push_str(text(2)?);
            commenters.ids.push(row.get(0)?);
        }
        Ok(commenters)
    }

    /// The name and email (when read) of commenter `id`.
    fn get(&self, id: i64) -> Option<(&str, Option<&str>)> {
        // Ids are usually 1, 2, 3...: the id's place is then the id less the first.
        let guess = id
            .checked_sub(*self.ids.first()?)
            .and_then(|i| usize::try_from(i).ok());
        let at = match guess {
            Some(i) if self.ids.get(i) == Some(&id) => i,
            _ => self.ids.binary_search(&id).ok()?,
        };
        let (start, end) = self.names[at];
        let email_end = self
            .names
            .get(at + 1)
            .map_or(self.text.len(), |next| next.0);
        let email = self.emails.then(|| &self.text[end..email_end]);
        Some((&self.text[start..end], email))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn users(rows: &[(i64, &str, &str)]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT, email TEXT)",
        )
        .unwrap();
        for (id, name, email) in rows {
            conn.execute(
                "INSERT INTO users VALUES (?1, ?2, ?3)",
                params![id, name, email],
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn commenters_are_found_by_id_whether_ids_run_on_or_not() {
        // Ids with gaps and one far off, as after deletions and imports.
        let rows = [
            (1, "Ada", "ada@example.org"),
            (2, "Bo", "b@x.io"),
            (5, "Cy", ""),
        ];
        let mut rows = rows.to_vec();
        rows.push((i64::MAX, "Di", "di@example.net"));
        let conn = users(&rows);
        let with = Commenters::read(&conn, true).unwrap();
        for (id, name, email) in &rows {
            assert_eq!(with.get(*id), Some((*name, Some(*email))), "user {id}");
        }
        for missing in [0, 3, 4, 6, i64::MIN, i64::MAX - 1] {
            assert_eq!(with.get(missing), None, "user {missing}");
        }
        let without = Commenters::read(&conn, false).unwrap();
        assert_eq!(without.get(2), Some(("Bo", None)));
        assert_eq!(without.get(i64::MAX), Some(("Di", None)));
        assert_eq!(Commenters::read(&users(&[]), true).unwrap().get(1), None);
    }
}
