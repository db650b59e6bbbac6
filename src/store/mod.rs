//! The comment store: the only place with SQL. Backends (SQLite, PostgreSQL) implement the
//! traits in `backend` and sit behind [`Store`], which picks one where it opens a location,
//! so ingest, build, serve and the console never know which one they use.

mod backend;
mod copy;
mod export;
mod html;
mod location;
mod mentions;
pub mod migrations;
mod postgres;
mod sqlite;

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::comments::{CommentRecord, RowBody, Status, ThreadRead, ThreadRow};
use backend::{Database, IngestTransaction};

pub use copy::CopyCounts;
pub use export::ExportedComment;
pub use location::{DbLocation, PgUrl};
pub use mentions::{MentionLink, MentionRecord, NewMention, SentMention, StoredMention};

/// The start of every query for approved comments with their authors, in both dialects: the
/// columns in the order each backend's `record` reads them. Conditions and order follow.
/// Mentions are comment rows too, but not comments a thread shows as its own.
const APPROVED_RECORDS: &str =
    "SELECT c.id, c.post, c.parent_id, u.username, u.email, c.body, c.timestamp, c.status,
            c.body_html, c.html_version
     FROM comments c JOIN users u ON u.id = c.user_id
     WHERE c.status = 'approved'
       AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)";

/// The start of the query a build reads its threads with, in both dialects (`p` starts a
/// numbered parameter: `?` or `$`): what a thread keeps of each approved comment, the email
/// only when the first parameter asks for it, and of the body either the stored HTML, when
/// the second asks for it and it is of the version the third names, or else the Markdown,
/// so that a row brings one of them (SQLite does not even read the other).
fn thread_rows(p: char) -> String {
    format!(
        "SELECT c.id, c.post, c.parent_id, u.username,
                CASE WHEN {p}1 THEN u.email END,
                CASE WHEN {p}2 AND c.html_version = {p}3 THEN c.body_html END,
                CASE WHEN {p}2 AND c.html_version = {p}3 AND c.body_html IS NOT NULL
                     THEN NULL ELSE c.body END,
                c.timestamp
         FROM comments c JOIN users u ON u.id = c.user_id
         WHERE c.status = 'approved'
           AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.comment_id = c.id)"
    )
}

/// A thread row's body from its two body columns (see `thread_rows`): the HTML when it was
/// read, else the Markdown.
fn row_body<'r>(html: Option<&'r str>, markdown: Option<&'r str>) -> Option<RowBody<'r>> {
    match (html, markdown) {
        (Some(html), _) => Some(RowBody::Html(html)),
        (None, Some(markdown)) => Some(RowBody::Markdown(markdown)),
        (None, None) => None,
    }
}

/// An open comment database, of whichever kind its location names.
#[derive(Debug)]
pub struct Store {
    db: Box<dyn Database>,
}

/// A new comment for [`IngestTx::insert`].
#[derive(Debug, Clone)]
pub struct NewComment<'a> {
    /// The post's slug.
    pub post: &'a str,
    /// The comment replied to.
    pub parent_id: Option<i64>,
    /// The commenter's name.
    pub username: &'a str,
    /// The commenter's email.
    pub email: &'a str,
    /// The body as written.
    pub body: &'a str,
    /// The body's HTML ([`stored_html`](crate::comments::render::stored_html)), stored with
    /// [`HTML_VERSION`](crate::comments::render::HTML_VERSION).
    pub body_html: &'a str,
    /// When it was written.
    pub timestamp: DateTime<Utc>,
    /// Its moderation status.
    pub status: Status,
    /// What makes a re-submission recognisable.
    pub submission_key: &'a str,
    /// The spam filter's score, when it scored it.
    pub spam_score: Option<f64>,
    /// The tokens that weighed most in the score.
    pub spam_reasons: Option<&'a str>,
}

/// What storing a comment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// Stored under this id.
    New(i64),
    /// The same comment (post, author and body) was already stored under its key, with this id.
    AlreadyStored(i64),
    /// Its key is already stored for another comment, under this id: not stored.
    KeyTaken(i64),
    /// The database refused the row (a rule the checks before it missed): not stored; the
    /// reason says which rule, without SQL.
    Refused(&'static str),
}

/// What a record the database refused is told: that a rule was broken, never the SQL.
pub(crate) const REFUSED: &str = "the database refused it (a field breaks one of its rules)";

impl NewComment<'_> {
    /// Whether a stored comment is this one: same post, author and body. The timestamp is not
    /// compared, since a file without one is stamped with the time of each run.
    pub fn same_as(&self, post: &str, username: &str, email: &str, body: &str) -> bool {
        self.post == post
            && self.username == username
            && self.email.eq_ignore_ascii_case(email)
            && self.body == body
    }
}

/// Which comments to list.
#[derive(Debug, Clone, Default)]
pub struct CommentFilter {
    /// Only this post.
    pub post: Option<String>,
    /// Only this status.
    pub status: Option<Status>,
    /// Only this user.
    pub user: Option<i64>,
    /// Only comments at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only this comment.
    pub id: Option<i64>,
    /// Only mentions (`Some(true)`) or only comments written here (`Some(false)`).
    pub mentions: Option<bool>,
}

/// A comment as the console shows it.
#[derive(Debug, Clone)]
pub struct CommentRow {
    /// The comment and its author.
    pub record: CommentRecord,
    /// The author's user id.
    pub user_id: i64,
    /// The key ingest recognises it by.
    pub submission_key: String,
    /// The parent's submission key, for exports.
    pub parent_key: Option<String>,
    /// For a webmention: its kind and source.
    pub mention: Option<MentionOf>,
    /// What the spam filter made of it.
    pub spam: SpamInfo,
}

/// What the console shows of a comment row that is a webmention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionOf {
    /// `reply`, `like`, `repost`, `bookmark` or `mention`.
    pub kind: String,
    /// The page that mentions the post.
    pub source: String,
}

/// The spam filter's record of one comment.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpamInfo {
    /// The score it got when it arrived (none: the filter was off, or it predates the filter).
    pub score: Option<f64>,
    /// The tokens that weighed most in that score, with their weights.
    pub reasons: Option<String>,
    /// What the author's decision on it taught the filter: `spam`, `ham`, or nothing yet.
    pub taught: Option<String>,
}

/// A user as the console shows it.
#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    /// The user's id.
    pub id: i64,
    /// The name they comment under.
    pub username: String,
    /// Their email (the console is the author's; this never reaches the site).
    pub email: String,
    /// When the user was first stored.
    pub created_at: String,
    /// How many comments they wrote.
    pub comments: usize,
}

/// The state of one post's comments, for incremental builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostStamp {
    /// Changes (to a fresh random value) whenever any of the post's comments changes.
    pub stamp: i64,
    /// How many of its comments are approved.
    pub approved: usize,
    /// How many of those are top-level in its thread (what paging it counts): those whose
    /// parent is not shown before them. With `max_depth = 1` every comment is, whatever this
    /// says.
    pub top_level: usize,
}

/// Each post that has comments, by slug, with its [`PostStamp`].
pub type PostStamps = rustc_hash::FxHashMap<String, PostStamp>;

/// The schema versions of a database, for `quill db status`.
#[derive(Debug, Clone, Serialize)]
pub struct SchemaStatus {
    /// The version the database is at (0: empty or missing).
    pub current: u32,
    /// The newest version this binary knows.
    pub latest: u32,
    /// Versions still to apply, with their names.
    pub pending: Vec<(u32, &'static str)>,
}

/// The one transaction of an ingest run; dropping it without [`IngestTx::commit`] rolls back.
#[derive(Debug)]
pub struct IngestTx<'a> {
    tx: Box<dyn IngestTransaction + 'a>,
}

impl IngestTx<'_> {
    /// Finds or creates the user, then stores the comment unless its key is already stored.
    pub fn insert(&mut self, c: &NewComment<'_>) -> Result<Inserted> {
        self.tx.insert(c)
    }

    /// (id, post) of a stored comment by id, including ones stored earlier in this run.
    pub fn comment_by_id(&mut self, id: i64) -> Result<Option<(i64, String)>> {
        self.tx.comment_by_id(id)
    }

    /// (id, post) of a stored comment by submission key.
    pub fn comment_by_key(&mut self, key: &str) -> Result<Option<(i64, String)>> {
        self.tx.comment_by_key(key)
    }

    /// Marks comment `id`, stored in this run or before, as a webmention (a second time
    /// changes nothing).
    pub fn attach_mention(&mut self, id: i64, link: &MentionLink<'_>) -> Result<()> {
        self.tx.attach_mention(id, link)
    }

    /// The spam filter's model, read within the transaction.
    pub fn spam_counts(&mut self) -> Result<crate::spam::Counts> {
        self.tx.spam_counts()
    }

    /// Makes everything stored in this run durable.
    pub fn commit(self) -> Result<()> {
        self.tx.commit()
    }
}

impl Store {
    /// Opens the database for reading only, as the build does; `Ok(None)` when it does not
    /// exist (a SQLite file that is not there, a PostgreSQL database without quill's tables).
    /// An older schema is an error telling the author to upgrade; a newer one is refused.
    pub fn open_read_only(location: &DbLocation) -> Result<Option<Store>> {
        let db: Box<dyn Database> = match location {
            DbLocation::Sqlite(path) => match sqlite::Sqlite::open_read_only(path)? {
                Some(db) => Box::new(db),
                None => return Ok(None),
            },
            DbLocation::Postgres(url) => Box::new(postgres::Postgres::connect(url, true)?),
        };
        let store = Store { db };
        let version = store.version().with_context(|| {
            format!("failed to read the comment database {location} (is it a quill database?)")
        })?;
        if version == 0 {
            // A server database exists before quill writes to it, and a SQLite file can be
            // left empty by a first ingest that was killed before its schema committed: with
            // no tables, either holds no comments.
            return Ok(None);
        }
        let latest = migrations::latest();
        if version > latest {
            bail!(too_new(location, version));
        }
        if version < latest {
            bail!(
                "the comment database {location} is at schema version {version}, this quill needs {latest}: run `quill db upgrade` (it keeps a backup)"
            );
        }
        Ok(Some(store))
    }

    /// Opens the database for writing, creating it at the latest version or upgrading an
    /// older one after writing a backup beside it. Returns notes on what was done.
    pub fn open_for_write(location: &DbLocation) -> Result<(Store, Vec<String>)> {
        let mut store = Store::open_unmigrated(location)?;
        let mut notes = Vec::new();
        let version = store.version()?;
        let latest = migrations::latest();
        if version > latest {
            bail!(too_new(location, version));
        }
        if version < latest {
            if version > 0 {
                notes.push(store.backup(version)?);
            }
            store.migrate(latest)?;
            notes.push(if version == 0 {
                format!("created the comment database {location} (schema version {latest})")
            } else {
                format!("upgraded {location} from schema version {version} to {latest}")
            });
        }
        Ok((store, notes))
    }

    /// Opens (or creates) the database without touching its schema, for `quill db`. A
    /// PostgreSQL database must exist already (creating one needs rights quill should not have).
    pub fn open_unmigrated(location: &DbLocation) -> Result<Store> {
        Ok(Store {
            db: match location {
                DbLocation::Sqlite(path) => Box::new(sqlite::Sqlite::open_writable(path)?),
                DbLocation::Postgres(url) => Box::new(postgres::Postgres::connect(url, false)?),
            },
        })
    }

    /// The schema version recorded in the database.
    pub fn version(&self) -> Result<u32> {
        self.db.version()
    }

    /// Current, latest and pending versions.
    pub fn schema_status(&self) -> Result<SchemaStatus> {
        let current = self.version()?;
        Ok(SchemaStatus {
            current,
            latest: migrations::latest(),
            pending: migrations::path(current, migrations::latest())
                .into_iter()
                .map(|m| (m.version, m.name))
                .collect(),
        })
    }

    /// Writes a backup named after the version it holds; returns a note saying where. SQLite
    /// writes a file beside the database; PostgreSQL copies the tables into a new schema of the
    /// same database (a file would land on the server, where quill may have no rights).
    pub fn backup(&self, version: u32) -> Result<String> {
        self.db.backup(version)
    }

    /// Migrates to `target` (up or down) in one transaction. Downgrades that drop data need
    /// `allow_data_loss`. Returns notes on what was done.
    pub fn migrate_to(&mut self, target: u32, allow_data_loss: bool) -> Result<Vec<String>> {
        let current = self.version()?;
        let latest = migrations::latest();
        if current > latest {
            bail!(too_new(&self.location(), current));
        }
        if target > latest {
            bail!("there is no schema version {target}; the latest this quill knows is {latest}");
        }
        let steps = migrations::path(current, target);
        if steps.is_empty() {
            // A quill whose renderer changed without a schema change leaves stored HTML of
            // another version, which builds render again from Markdown: an upgrade to the
            // same version renews it.
            if current >= migrations::COMMENT_HTML {
                let renewed = self.db.refresh_html()?;
                if renewed > 0 {
                    return Ok(vec![format!(
                        "already at schema version {current}; made the HTML of {renewed} comments again"
                    )]);
                }
            }
            return Ok(vec![format!(
                "already at schema version {current}; nothing to do"
            )]);
        }
        let mut notes = Vec::new();
        if target < current
            && !allow_data_loss
            && let Some(m) = steps.iter().find(|m| m.down_drops_data)
        {
            bail!(
                "downgrading past version {} ({}) deletes what it stores; add --yes if you mean it",
                m.version,
                m.name
            );
        }
        if current > 0 {
            notes.push(self.backup(current)?);
        }
        self.migrate(target)?;
        notes.push(format!(
            "migrated from schema version {current} to {target}"
        ));
        Ok(notes)
    }

    fn migrate(&mut self, target: u32) -> Result<()> {
        self.db.migrate(target)
    }

    fn location(&self) -> DbLocation {
        self.db.location()
    }

    /// Hands approved comments, as threads read them, to `visit`, without holding them all:
    /// with `read.posts` set, those of the given posts, grouped by post (in no promised order
    /// of posts), each post's in id order (threads put them in time order), so that a build
    /// renders each thread as it arrives; without, every one, in one pass in id order, the
    /// table's own, which is the quickest way to read many. `visit` returns whether to go on:
    /// false stops the reading there.
    pub fn each_approved_comment(
        &self,
        read: &ThreadRead<'_>,
        visit: &mut dyn FnMut(&ThreadRow<'_>) -> bool,
    ) -> Result<()> {
        self.db.each_approved_comment(read, visit)
    }

    /// The lowest and highest comment ids, if there are comments: what a build splits its one
    /// pass over the comments at, between two readers.
    pub fn comment_ids(&self) -> Result<Option<(i64, i64)>> {
        self.db.comment_ids()
    }

    /// A second connection to the same database, for a second reader.
    pub fn reopen_read_only(&self) -> Result<Option<Store>> {
        Store::open_read_only(&self.location())
    }

    /// Every post that has comments, with its stamp and approved count: enough for a build to
    /// count comments and to tell which threads changed, without reading the comments.
    pub fn comment_stamps(&self) -> Result<PostStamps> {
        self.db.comment_stamps()
    }

    /// The newest `limit` approved comments across the site, newest first.
    pub fn latest_approved(&self, limit: usize) -> Result<Vec<CommentRecord>> {
        self.db.latest_approved(limit)
    }

    /// Begins the single transaction of an ingest run (waiting for other writers).
    pub fn begin_ingest(&mut self) -> Result<IngestTx<'_>> {
        self.begin_ingest_telling(&|_| {})
    }

    /// [`begin_ingest`](Store::begin_ingest), calling `waiting` with who holds the lock when it
    /// has to wait for another writer.
    pub fn begin_ingest_telling(&mut self, waiting: &dyn Fn(&str)) -> Result<IngestTx<'_>> {
        Ok(IngestTx {
            tx: self.db.begin_ingest(waiting)?,
        })
    }

    /// Comments matching a filter, oldest first.
    pub fn comments(&self, filter: &CommentFilter) -> Result<Vec<CommentRow>> {
        self.db.comments(filter)
    }

    /// One comment by id, or an error naming the id.
    pub fn comment(&self, id: i64) -> Result<CommentRow> {
        let filter = CommentFilter {
            id: Some(id),
            ..CommentFilter::default()
        };
        match self.comments(&filter)?.pop() {
            Some(row) => Ok(row),
            None => bail!(backend::no_comment(id)),
        }
    }

    /// Sets the status of comments in one transaction; an unknown id changes nothing. Each
    /// change teaches the spam filter (approved: ham, spam: spam), taking back what an earlier
    /// decision on the same comment taught.
    pub fn set_status(&mut self, ids: &[i64], status: Status) -> Result<usize> {
        self.db.set_status(ids, status)
    }

    /// Deletes comments (with their threads when `with_replies`); returns the ids deleted.
    pub fn delete_comments(&mut self, ids: &[i64], with_replies: bool) -> Result<Vec<i64>> {
        self.db.delete_comments(ids, with_replies)
    }

    /// Re-attaches every comment of post `from` to post `to`.
    pub fn move_comments(&mut self, from: &str, to: &str) -> Result<usize> {
        self.db.move_comments(from, to)
    }

    /// Every user with their comment count.
    pub fn users(&self) -> Result<Vec<UserRow>> {
        self.db.users(None)
    }

    /// One user, or an error naming the id.
    pub fn user(&self, id: i64) -> Result<UserRow> {
        match self.db.users(Some(id))?.into_iter().next() {
            Some(user) => Ok(user),
            None => bail!(backend::no_user(id)),
        }
    }

    /// Deletes a user and every comment of theirs; returns how many comments went with them.
    pub fn delete_user(&mut self, id: i64) -> Result<usize> {
        self.db.delete_user(id)
    }

    /// The spam filter's model as stored: the counts a [`crate::spam::Filter`] is built from.
    pub fn spam_counts(&self) -> Result<crate::spam::Counts> {
        self.db.spam_counts()
    }

    /// Rebuilds the spam filter's model from every stored decision (approved comments are
    /// ham, spam is spam) in one transaction; returns (spam, ham) comments learned.
    pub fn retrain_spam_filter(&mut self) -> Result<(u64, u64)> {
        self.db.retrain()
    }

    /// Every comment with its user, in id order, as export lines.
    pub fn export(&self) -> Result<Vec<ExportedComment>> {
        let rows = self.db.all_comments_by_id()?;
        Ok(rows.into_iter().map(ExportedComment::from).collect())
    }
}

/// A stored HTML, if the renderer that made it (`version`) is this one.
pub(crate) fn current_html(html: Option<String>, version: i64) -> Option<String> {
    html.filter(|_| version == crate::comments::render::HTML_VERSION)
}

/// A row's mention columns (both null for a comment written here).
pub(crate) fn mention_of(kind: Option<String>, source: Option<String>) -> Option<MentionOf> {
    Some(MentionOf {
        kind: kind?,
        source: source?,
    })
}

fn too_new(location: &DbLocation, version: u32) -> String {
    format!(
        "the comment database {location} is at schema version {version}, newer than this quill knows ({}); use the quill that wrote it, or a newer one",
        migrations::latest()
    )
}
