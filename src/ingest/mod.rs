//! `quill ingest`: read submissions ─► validate ─► store, in one transaction per run.
//! Rejected records go, untouched and with their reasons, to a rejects file.
//!
//! The same [`Submitter`] checks and stores a single form post for `quill serve`, so there is
//! one path into the database, not two.

pub mod fields;
mod pipeline;
pub mod posts;
pub mod quotes;
pub mod read;
pub mod spam;
pub mod validate;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::comments::Status;
use crate::config::SiteConfig;
use crate::store::{DbLocation, IngestTx, Inserted, NewComment, Store};
use fields::{Columns, pick};
pub use posts::PostIndex;
use read::{Format, Raw};
pub use validate::Rejection;

/// The longest submission id accepted.
const MAX_ID_CHARS: usize = 200;

/// Where submissions come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Standard input (`-`).
    Stdin,
    /// A file.
    File(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "stdin".into(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// How to ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// The site root.
    pub root: PathBuf,
    /// The inputs, in order.
    pub inputs: Vec<Input>,
    /// The format; taken from each file's name or content when `None`.
    pub format: Option<Format>,
    /// Validate and report without writing anything.
    pub dry_run: bool,
    /// One invalid record means nothing is stored.
    pub strict: bool,
    /// The input is the author's own export: keep its `status`.
    pub trusted: bool,
    /// Where rejected records go (default: `FILE.rejects.jsonl` beside each input).
    pub rejects: Option<PathBuf>,
    /// Told who holds the database's write lock when the run has to wait for it.
    pub waiting: fn(&str),
}

/// What a run did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct IngestReport {
    /// Stored as approved.
    pub approved: usize,
    /// Stored as pending.
    pub pending: usize,
    /// Stored as spam.
    pub spam: usize,
    /// Already in the database from an earlier run.
    pub already_stored: usize,
    /// Not stored, with a reason.
    pub rejected: usize,
    /// Rejection reasons by kind, with counts.
    pub reasons: BTreeMap<String, usize>,
    /// Files the rejected records were written to.
    pub rejects_files: Vec<PathBuf>,
    /// Nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// Nothing was stored because of `--strict`.
    pub strict_aborted: bool,
    /// Notes from opening the database (created, upgraded, backed up).
    pub notes: Vec<String>,
    /// Telling the author failed: the comments are stored all the same.
    pub warnings: Vec<String>,
    /// The comments stored, for telling the author (see [`crate::notify`]).
    #[serde(skip)]
    pub arrived: Vec<crate::notify::Arrived>,
}

impl IngestReport {
    /// Comments stored by this run.
    pub fn stored(&self) -> usize {
        self.approved + self.pending + self.spam
    }

    /// The exit code the CLI gives: 0 all stored or already stored, 2 some rejected.
    pub fn exit_code(&self) -> u8 {
        if self.rejected > 0 { 2 } else { 0 }
    }
}

/// What happened to one submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Stored under this id on this post.
    Stored {
        /// The new comment's id.
        id: i64,
        /// The post's slug.
        post: String,
        /// Its status.
        status: Status,
    },
    /// Its key was already stored.
    AlreadyStored(i64),
    /// Not stored, for these reasons.
    Rejected(Vec<Rejection>),
}

/// One submission with its fields already picked out: what a form or file record gives after
/// field mapping, or what an importer builds from another comment system's export.
#[derive(Debug, Clone, Default)]
pub struct Submission<'a> {
    /// The post: a slug, a site path, a URL on the site, or an alias.
    pub post: Option<&'a str>,
    /// The commenter's name.
    pub username: Option<&'a str>,
    /// The commenter's email.
    pub email: Option<&'a str>,
    /// The body (Markdown).
    pub body: Option<&'a str>,
    /// When it was written; `None` means now.
    pub timestamp: Option<&'a str>,
    /// The comment replied to: a stored id (`12`, `comment-12`) or a submission key.
    pub parent: Option<&'a str>,
    /// The submission's own id, which becomes its key.
    pub id: Option<&'a str>,
    /// The honeypot field was filled in.
    pub honeypot: bool,
    /// A status decided elsewhere (an export of the author's own, or the moderation of the
    /// system comments are imported from); `None` lets the spam rules decide.
    pub status: Option<Status>,
}

/// A submission after every check that needs no database: the comment to store if its
/// fields are valid, the parent it names (resolved when it is stored), and the reasons so far.
#[derive(Debug, Clone)]
pub struct Checked {
    comment: Option<Valid>,
    /// The record's email, when it is a valid one, even if something else was wrong.
    email: Option<String>,
    post: Option<String>,
    parent: Option<String>,
    reasons: Vec<Rejection>,
}

/// A submission's fields, valid and normalized.
#[derive(Debug, Clone)]
struct Valid {
    username: String,
    email: String,
    body: String,
    /// The body's HTML, made here once for every build to come (see
    /// [`stored_html`](crate::comments::render::stored_html)).
    body_html: String,
    timestamp: DateTime<Utc>,
    status: Status,
    key: String,
    spam_score: Option<f64>,
    spam_reasons: Option<String>,
}

/// Validates and stores submissions for one site.
#[derive(Debug)]
pub struct Submitter {
    config: SiteConfig,
    posts: PostIndex,
    now: DateTime<Utc>,
    trusted: bool,
    /// The spam filter's model, loaded once per run from the database the run writes to.
    filter: std::sync::OnceLock<crate::spam::Filter>,
}

impl Submitter {
    /// A submitter for the site at `root`, reading its posts' front matter.
    pub fn for_site(root: &Path, trusted: bool) -> Result<Submitter> {
        let config = SiteConfig::load(root)?;
        let posts = PostIndex::load(root, &config)?;
        Ok(Submitter::new(config, posts, Utc::now(), trusted))
    }

    /// A submitter from its parts.
    pub fn new(
        config: SiteConfig,
        posts: PostIndex,
        now: DateTime<Utc>,
        trusted: bool,
    ) -> Submitter {
        Submitter {
            config,
            posts,
            now,
            trusted,
            filter: std::sync::OnceLock::new(),
        }
    }

    /// Loads the spam filter's model from `store`, once: every submission checked after it is
    /// scored. Nothing is loaded when `[comments] spam_filter = "off"`.
    pub fn load_spam_filter(&self, store: &Store) -> Result<()> {
        if self.config.comments.spam_filter == crate::config::SpamFilterMode::Off
            || self.filter.get().is_some()
        {
            return Ok(());
        }
        let filter = crate::spam::Filter::new(&store.spam_counts()?);
        let _ = self.filter.set(filter);
        Ok(())
    }

    /// [`load_spam_filter`](Submitter::load_spam_filter) within a transaction, for callers
    /// that begin their own (the endpoint of `quill serve`).
    fn load_spam_filter_in(&self, tx: &mut IngestTx<'_>) -> Result<()> {
        if self.config.comments.spam_filter == crate::config::SpamFilterMode::Off
            || self.filter.get().is_some()
        {
            return Ok(());
        }
        let _ = self
            .filter
            .set(crate::spam::Filter::new(&tx.spam_counts()?));
        Ok(())
    }

    /// The spam filter's score of a comment, when a model is loaded, with its reasons when
    /// the score is above `pending_above` (the comments the author may look at; working out
    /// reasons for every comment of a large ingest would cost more than scoring them).
    fn score(&self, username: &str, email: &str, body: &str) -> Option<(f64, Option<String>)> {
        thread_local! {
            // One set of buffers per thread for every token of every submission.
            static SCRATCH: std::cell::RefCell<crate::spam::Scratch> =
                std::cell::RefCell::new(crate::spam::Scratch::default());
        }
        let filter = self.filter.get()?;
        let parts = crate::spam::Parts {
            username,
            email,
            body,
        };
        let score = SCRATCH.with_borrow_mut(|scratch| filter.spam_score(&parts, scratch));
        let reasons = (score > self.config.comments.pending_above)
            .then(|| SCRATCH.with_borrow_mut(|scratch| filter.score(&parts, scratch).reasons));
        Some((score, reasons))
    }

    /// The site's configuration.
    pub fn config(&self) -> &SiteConfig {
        &self.config
    }

    /// The site's published posts.
    pub fn posts(&self) -> &PostIndex {
        &self.posts
    }

    /// Checks one submission and stores it within `tx`.
    pub fn process(&self, tx: &mut IngestTx<'_>, columns: &Columns) -> Result<Outcome> {
        self.load_spam_filter_in(tx)?;
        self.store(tx, self.check_columns(columns))
    }

    /// Checks a submission whose fields are already picked out and stores it within `tx`.
    pub fn process_submission(
        &self,
        tx: &mut IngestTx<'_>,
        submission: &Submission<'_>,
    ) -> Result<Outcome> {
        self.load_spam_filter_in(tx)?;
        self.store(tx, self.check(submission))
    }

    /// Maps a record's columns to fields and [`check`](Submitter::check)s them.
    pub fn check_columns(&self, columns: &Columns) -> Checked {
        let cfg = &self.config.comments;
        let get = |field: &str| {
            pick(columns, field, &cfg.fields)
                .map(str::trim)
                .filter(|v| !v.is_empty())
        };
        let submission = Submission {
            post: get("post"),
            username: get("username"),
            email: get("email"),
            body: get("body"),
            timestamp: get("timestamp"),
            parent: get("parent"),
            id: get("id"),
            honeypot: columns
                .get(&cfg.honeypot.to_lowercase())
                .is_some_and(|v| !v.trim().is_empty()),
            status: if self.trusted {
                get("status").and_then(|s| s.parse::<Status>().ok())
            } else {
                None
            },
        };
        self.check(&submission)
    }

    /// Everything that can be checked without the database: every rule but the parent's.
    pub fn check(&self, submission: &Submission<'_>) -> Checked {
        let cfg = &self.config.comments;
        let mut reasons = Vec::new();
        let mut check = |r: Result<String, Rejection>| r.map_err(|e| reasons.push(e)).ok();
        let post_field = present(submission.post);
        let username = check(
            validate::username(present(submission.username).unwrap_or(""))
                .map_err(|e| missing_as(e, "username")),
        );
        let email = check(
            validate::email(present(submission.email).unwrap_or(""))
                .map_err(|e| missing_as(e, "email")),
        );
        let body = check(
            validate::body(present(submission.body).unwrap_or(""), cfg.max_body)
                .map_err(|e| missing_as(e, "body")),
        );
        let raw_timestamp = present(submission.timestamp);
        let timestamp = validate::timestamp(raw_timestamp, self.now)
            .map_err(|e| reasons.push(e))
            .ok();
        let id = present(submission.id).map(str::to_string);
        if id
            .as_ref()
            .is_some_and(|i| i.chars().count() > MAX_ID_CHARS)
        {
            reasons.push(Rejection::FieldTooLong("id", MAX_ID_CHARS));
        }
        let post = match post_field {
            None => {
                reasons.push(Rejection::Missing(fields::describe("post")));
                None
            }
            Some(value) => self
                .posts
                .resolve(value, &self.config)
                .map_err(|e| reasons.push(e))
                .ok()
                .map(|p| p.slug.clone()),
        };
        let parent = post
            .is_some()
            .then(|| present(submission.parent).map(str::to_string))
            .flatten();
        let checked_email = email.clone();
        if let (Some(email), Some(body)) = (&email, &body)
            && emails_in(body).any(|found| found.eq_ignore_ascii_case(email))
        {
            reasons.push(Rejection::OwnEmailInBody);
        }
        let comment = match (username, email, body, timestamp, &post) {
            (Some(username), Some(email), Some(body), Some(timestamp), Some(post))
                if reasons.is_empty() =>
            {
                let verdict = self.score(&username, &email, &body);
                // A status decided elsewhere stands; the filter only records its score.
                let status = submission.status.unwrap_or_else(|| {
                    let status = spam::status(cfg, submission.honeypot, &username, &body);
                    match (&verdict, self.filter.get()) {
                        (Some((score, _)), Some(filter)) => {
                            crate::spam::decide(cfg, filter, *score, status)
                        }
                        _ => status,
                    }
                });
                let (spam_score, spam_reasons) = match verdict {
                    Some((score, reasons)) => (Some(score), reasons),
                    None => (None, None),
                };
                let key = id.unwrap_or_else(|| {
                    content_key(post, &username, &email, &body, raw_timestamp.unwrap_or(""))
                });
                Some(Valid {
                    body_html: crate::comments::render::stored_html(&body),
                    username,
                    email,
                    body,
                    timestamp,
                    status,
                    key,
                    spam_score,
                    spam_reasons,
                })
            }
            _ => None,
        };
        Checked {
            comment,
            email: checked_email,
            post,
            parent,
            reasons,
        }
    }

    /// Resolves a checked submission's parent in the database and stores it, unless it was
    /// rejected.
    pub fn store(&self, tx: &mut IngestTx<'_>, checked: Checked) -> Result<Outcome> {
        let Checked {
            comment,
            post,
            parent,
            mut reasons,
            ..
        } = checked;
        let mut parent_id = None;
        if let (Some(parent), Some(post)) = (parent, &post) {
            match find_parent(tx, &parent)? {
                None => reasons.push(Rejection::ParentUnknown(parent)),
                Some((_, other)) if other != *post => {
                    reasons.push(Rejection::ParentOtherPost(parent, other));
                }
                Some((id, _)) => parent_id = Some(id),
            }
        }
        let (Some(c), Some(post)) = (comment.filter(|_| reasons.is_empty()), post) else {
            return Ok(Outcome::Rejected(reasons));
        };
        let new = NewComment {
            post: &post,
            parent_id,
            username: &c.username,
            email: &c.email,
            body: &c.body,
            body_html: &c.body_html,
            timestamp: c.timestamp,
            status: c.status,
            submission_key: &c.key,
            spam_score: c.spam_score,
            spam_reasons: c.spam_reasons.as_deref(),
        };
        Ok(match tx.insert(&new)? {
            Inserted::New(id) => Outcome::Stored {
                id,
                post,
                status: c.status,
            },
            Inserted::AlreadyStored(id) => Outcome::AlreadyStored(id),
            Inserted::KeyTaken(_) => Outcome::Rejected(vec![Rejection::IdTaken(c.key)]),
            Inserted::Refused(why) => Outcome::Rejected(vec![Rejection::Refused(why)]),
        })
    }

    /// Checks and stores one submission in its own transaction (a form post to `quill serve`).
    pub fn submit(&self, store: &mut Store, columns: &Columns) -> Result<Outcome> {
        self.load_spam_filter(store)?;
        let mut tx = store.begin_ingest()?;
        let outcome = self.process(&mut tx, columns)?;
        if matches!(outcome, Outcome::Stored { .. }) {
            tx.commit()?;
        }
        Ok(outcome)
    }
}

/// A value trimmed, or `None` when there is nothing left.
fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A missing field is named with the other names it may go by.
fn missing_as(rejection: Rejection, field: &str) -> Rejection {
    match rejection {
        Rejection::Missing(_) => Rejection::Missing(fields::describe(field)),
        other => other,
    }
}

/// A form sends the parent's id (`12` or `comment-12`); a backup sends its submission key.
fn find_parent(tx: &mut IngestTx<'_>, value: &str) -> Result<Option<(i64, String)>> {
    let numeric = value.strip_prefix("comment-").unwrap_or(value);
    if let Ok(id) = numeric.parse::<i64>()
        && let Some(found) = tx.comment_by_id(id)?
    {
        return Ok(Some(found));
    }
    tx.comment_by_key(value)
}

/// The key of a submission without an id: a hash of what it says and where.
fn content_key(post: &str, username: &str, email: &str, body: &str, timestamp: &str) -> String {
    let mut hasher = Sha256::new();
    for part in [post, username, &email.to_lowercase(), body, timestamp] {
        hasher.update(part.as_bytes());
        hasher.update([0x1f]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// What every run into the store shares, whatever the records come from.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The site root.
    pub root: PathBuf,
    /// Validate and report without writing anything.
    pub dry_run: bool,
    /// One invalid record means nothing is stored.
    pub strict: bool,
    /// Keep a record's own `status` column (see [`IngestOptions::trusted`]).
    pub trusted: bool,
    /// Where rejected records go (default: `FILE.rejects.jsonl` beside each input).
    pub rejects: Option<PathBuf>,
    /// Told who holds the database's write lock when the run has to wait for it.
    pub waiting: fn(&str),
}

/// Runs an ingest; `progress` is called with the number of records read so far.
pub fn run(options: &IngestOptions, progress: &dyn Fn(u64)) -> Result<IngestReport> {
    let run_options = RunOptions {
        root: options.root.clone(),
        dry_run: options.dry_run,
        strict: options.strict,
        trusted: options.trusted,
        rejects: options.rejects.clone(),
        waiting: options.waiting,
    };
    refuse_rejects_over_inputs(options)?;
    let mut read = 0u64;
    run_with(&run_options, &mut |sink| {
        for input in &options.inputs {
            let (reader, format) = open(input, options.format)?;
            pipeline::feed(sink, input, reader, format, &mut || {
                read += 1;
                progress(read);
            })?;
        }
        Ok(())
    })
}

/// A record handed to a [`Intake`].
#[derive(Debug)]
pub enum Entry<'a> {
    /// A record's columns, to be mapped to fields (ingest).
    Columns(&'a Columns),
    /// A submission already picked out (an importer).
    Submission(Submission<'a>),
    /// Refused before validation, for these reasons.
    Rejected(Vec<Rejection>),
}

/// The open transaction of a run: every record handed to it is checked, stored or written to
/// the rejects file, and counted in the report.
pub struct Intake<'a> {
    submitter: &'a Submitter,
    tx: IngestTx<'a>,
    rejects: RejectsWriter,
    report: IngestReport,
    /// The (lowercased) email addresses of the run's records so far.
    emails: rustc_hash::FxHashSet<String>,
    /// Records whose bodies hold an email address, decided once every record's address is
    /// known, with the keys of those records (so their replies wait with them).
    deferred: Vec<Deferred>,
    deferred_keys: rustc_hash::FxHashSet<String>,
}

/// A record held back until the end of its run.
#[derive(Debug)]
struct Deferred {
    input: Input,
    position: read::Position,
    raw: Raw,
    checked: Checked,
}

impl<'a> Intake<'a> {
    /// The submitter, for its configuration and posts.
    pub fn submitter(&self) -> &'a Submitter {
        self.submitter
    }

    /// Checks and stores one record (or rejects it), counting what happened. A record whose
    /// body holds an email address (or that replies to such a record) is decided at the end of
    /// the run, once the addresses of all its records are known: `None` then.
    pub fn submit(
        &mut self,
        input: &Input,
        position: read::Position,
        raw: &Raw,
        entry: Entry<'_>,
    ) -> Result<Option<Outcome>> {
        let checked = match entry {
            Entry::Columns(columns) => self.submitter.check_columns(columns),
            Entry::Submission(submission) => self.submitter.check(&submission),
            Entry::Rejected(reasons) => {
                return self
                    .count(input, position, raw, Outcome::Rejected(reasons))
                    .map(Some);
            }
        };
        self.submit_checked(input, position, raw, checked)
    }

    /// [`submit`](Intake::submit) for a record already [`check`](Submitter::check)ed (by
    /// another thread, as [`run`] does while this one stores).
    pub fn submit_checked(
        &mut self,
        input: &Input,
        position: read::Position,
        raw: &Raw,
        checked: Checked,
    ) -> Result<Option<Outcome>> {
        if let Some(email) = &checked.email {
            self.emails.insert(email.to_lowercase());
        }
        let waits = checked.comment.as_ref().is_some_and(|c| {
            emails_in(&c.body).next().is_some()
                || checked
                    .parent
                    .as_ref()
                    .is_some_and(|p| self.deferred_keys.contains(p))
        });
        if waits {
            if let Some(c) = &checked.comment {
                self.deferred_keys.insert(c.key.clone());
            }
            self.deferred.push(Deferred {
                input: input.clone(),
                position,
                raw: raw.clone(),
                checked,
            });
            return Ok(None);
        }
        let arrived = self.arrival(&checked);
        let outcome = self.submitter.store(&mut self.tx, checked)?;
        self.arrived(arrived, &outcome);
        self.count(input, position, raw, outcome).map(Some)
    }

    /// Marks the comment stored under `key` in this run (or before) as a webmention; false
    /// when there is none (it was rejected, or is still held back).
    pub fn attach_mention(
        &mut self,
        key: &str,
        link: &crate::store::MentionLink<'_>,
    ) -> Result<bool> {
        let Some((id, _)) = self.tx.comment_by_key(key)? else {
            return Ok(false);
        };
        self.tx.attach_mention(id, link)?;
        Ok(true)
    }

    /// What the author would be told of a checked submission, when anyone is to be told.
    fn arrival(&self, checked: &Checked) -> Option<crate::notify::Arrived> {
        crate::notify::configured(&self.submitter.config().notify)
            .then(|| arrival(checked))
            .flatten()
    }

    /// Keeps what the author is told of a stored comment, when anyone is to be told.
    fn arrived(&mut self, arrived: Option<crate::notify::Arrived>, outcome: &Outcome) {
        if !crate::notify::configured(&self.submitter.config().notify) {
            return;
        }
        if let (Some(mut a), Outcome::Stored { id, post, status }) = (arrived, outcome) {
            a.id = *id;
            a.post = post.clone();
            a.status = *status;
            self.report.arrived.push(a);
        }
    }

    /// Decides the records held back: a body that holds the address of any record of the run
    /// is refused, as the sign of a record that swallowed others. Run at the end of a run, or
    /// before by a feeder that has more to do with the records once they are stored.
    pub fn finish_deferred(&mut self) -> Result<()> {
        for Deferred {
            input,
            position,
            raw,
            checked,
        } in std::mem::take(&mut self.deferred)
        {
            let run_together = checked.comment.as_ref().is_some_and(|c| {
                emails_in(&c.body).any(|found| self.emails.contains(&found.to_lowercase()))
            });
            let outcome = if run_together {
                Outcome::Rejected(vec![Rejection::RecordsRunTogether])
            } else {
                let arrived = self.arrival(&checked);
                let outcome = self.submitter.store(&mut self.tx, checked)?;
                self.arrived(arrived, &outcome);
                outcome
            };
            self.count(&input, position, &raw, outcome)?;
        }
        Ok(())
    }

    fn count(
        &mut self,
        input: &Input,
        position: read::Position,
        raw: &Raw,
        outcome: Outcome,
    ) -> Result<Outcome> {
        let report = &mut self.report;
        match &outcome {
            Outcome::Stored { status, .. } => match status {
                Status::Approved => report.approved += 1,
                Status::Pending => report.pending += 1,
                Status::Spam => report.spam += 1,
            },
            Outcome::AlreadyStored(_) => report.already_stored += 1,
            Outcome::Rejected(reasons) => {
                report.rejected += 1;
                for reason in reasons {
                    *report.reasons.entry(reason.kind()).or_default() += 1;
                }
                self.rejects
                    .write(input, &input.name(), position, raw, reasons)?;
            }
        }
        Ok(outcome)
    }
}

/// What the author would be told of a checked submission, if it is stored (its id, post and
/// status are filled in then). Only comments that may need the author are kept: an approved
/// comment of a large ingest costs nothing here.
fn arrival(checked: &Checked) -> Option<crate::notify::Arrived> {
    let c = checked.comment.as_ref()?;
    (c.status != Status::Approved).then(|| crate::notify::Arrived {
        id: 0,
        post: String::new(),
        status: c.status,
        username: c.username.clone(),
        body: c.body.clone(),
        spam_score: c.spam_score,
        mention: false,
    })
}

/// The email-shaped words of a text (`local@domain.tld`), as written.
fn emails_in(text: &str) -> impl Iterator<Item = &str> {
    let local = |b: u8| b.is_ascii_alphanumeric() || b"._%+-'".contains(&b);
    let domain = |b: u8| b.is_ascii_alphanumeric() || b".-".contains(&b);
    let bytes = text.as_bytes();
    text.match_indices('@').filter_map(move |(at, _)| {
        let start = bytes[..at]
            .iter()
            .rposition(|&b| !local(b))
            .map_or(0, |i| i + 1);
        let end = bytes[at + 1..]
            .iter()
            .position(|&b| !domain(b))
            .map_or(bytes.len(), |i| at + 1 + i);
        let host = text[at + 1..end].trim_end_matches('.');
        (start < at && host.contains('.')).then(|| &text[start..at + 1 + host.len()])
    })
}

/// Opens the site's store, hands `feed` one transaction to put records into, and commits it
/// unless the run is dry or `--strict` found a rejected record. Ingest and every import run
/// through here, so they store alike.
pub fn run_with(
    options: &RunOptions,
    feed: &mut dyn FnMut(&mut Intake<'_>) -> Result<()>,
) -> Result<IngestReport> {
    let submitter = Submitter::for_site(&options.root, options.trusted)?;
    let location = DbLocation::resolve(&options.root, submitter.config())?;
    let mut report = IngestReport {
        dry_run: options.dry_run,
        ..IngestReport::default()
    };
    let mut store = if options.dry_run {
        match Store::open_read_only(&location)? {
            Some(_) => Store::open_unmigrated(&location)?,
            None => {
                // Nothing to compare with: check against an empty database in memory.
                Store::open_for_write(&DbLocation::Sqlite(PathBuf::from(":memory:")))?.0
            }
        }
    } else {
        let (store, notes) = Store::open_for_write(&location)?;
        report.notes = notes;
        store
    };
    submitter.load_spam_filter(&store)?;
    let mut sink = Intake {
        submitter: &submitter,
        tx: store.begin_ingest_telling(&options.waiting)?,
        rejects: RejectsWriter::new(options.rejects.clone(), options.dry_run),
        report,
        emails: Default::default(),
        deferred: Vec::new(),
        deferred_keys: Default::default(),
    };
    feed(&mut sink)?;
    sink.finish_deferred()?;
    let Intake {
        tx,
        rejects,
        mut report,
        ..
    } = sink;
    if options.strict && report.rejected > 0 {
        report.strict_aborted = true;
    } else if !options.dry_run {
        tx.commit()?;
    }
    // Only a run that ended puts its rejects file in place.
    report.rejects_files = rejects.finish()?;
    if !report.dry_run && !report.strict_aborted {
        report.warnings =
            crate::notify::after_run(submitter.config(), &options.root, &report.arrived);
    }
    // Dropping an uncommitted transaction rolls it back: a dry or aborted run stores nothing.
    Ok(report)
}

/// A rejects file that is also an input would be appended to the data it reports on.
fn refuse_rejects_over_inputs(options: &IngestOptions) -> Result<()> {
    let writer = RejectsWriter::new(options.rejects.clone(), false);
    let files = options.inputs.iter().filter_map(|i| match i {
        Input::File(path) => Some(path),
        Input::Stdin => None,
    });
    for file in files.clone() {
        for input in &options.inputs {
            let rejects = writer.destination(input);
            if same_file::is_same_file(file, &rejects).unwrap_or(false) {
                anyhow::bail!(
                    "the rejects file {} is also an input; give --rejects another path",
                    rejects.display()
                );
            }
        }
    }
    Ok(())
}

fn open(input: &Input, format: Option<Format>) -> Result<(Box<dyn BufRead + Send>, Format)> {
    let mut reader: Box<dyn BufRead + Send> = match input {
        Input::Stdin => Box::new(BufReader::new(std::io::stdin())),
        Input::File(path) => Box::new(BufReader::with_capacity(
            256 * 1024,
            std::fs::File::open(path)
                .with_context(|| format!("failed to open {}", path.display()))?,
        )),
    };
    let format = match format {
        Some(f) => f,
        None => match input {
            Input::File(path) => match Format::from_name(&path.to_string_lossy()) {
                Some(f) => f,
                None => Format::sniff(reader.fill_buf()?),
            },
            Input::Stdin => Format::sniff(reader.fill_buf()?),
        },
    };
    Ok((reader, format))
}

/// Writes rejected records, with reasons and positions, to their rejects files: each one
/// written afresh beside its destination and renamed into place only when the run ends, so a
/// rerun does not pile up duplicates and a failed run leaves no partial file.
#[derive(Debug)]
struct RejectsWriter {
    explicit: Option<PathBuf>,
    disabled: bool,
    open: HashMap<PathBuf, std::io::BufWriter<std::fs::File>>,
    order: Vec<PathBuf>,
}

/// The file a rejects file is written to before it is renamed into place.
fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

impl Drop for RejectsWriter {
    fn drop(&mut self) {
        // Anything still open belongs to a run that did not finish.
        for path in self.open.keys() {
            let _ = std::fs::remove_file(partial(path));
        }
    }
}

impl RejectsWriter {
    fn new(explicit: Option<PathBuf>, disabled: bool) -> RejectsWriter {
        RejectsWriter {
            explicit,
            disabled,
            open: HashMap::new(),
            order: Vec::new(),
        }
    }

    fn destination(&self, input: &Input) -> PathBuf {
        if let Some(path) = &self.explicit {
            return path.clone();
        }
        match input {
            Input::Stdin => PathBuf::from("stdin.rejects.jsonl"),
            Input::File(path) => {
                let mut name = path.as_os_str().to_owned();
                name.push(".rejects.jsonl");
                PathBuf::from(name)
            }
        }
    }

    fn write(
        &mut self,
        input: &Input,
        source: &str,
        position: read::Position,
        raw: &Raw,
        reasons: &[Rejection],
    ) -> Result<()> {
        if self.disabled {
            return Ok(());
        }
        let path = self.destination(input);
        if !self.open.contains_key(&path) {
            let file = std::fs::File::create(partial(&path))
                .with_context(|| format!("failed to create the rejects file {}", path.display()))?;
            self.open
                .insert(path.clone(), std::io::BufWriter::new(file));
            self.order.push(path.clone());
        }
        let mut line = serde_json::Map::new();
        line.insert("source".into(), source.into());
        match position {
            read::Position::Line(n) => line.insert("line".into(), n.into()),
            read::Position::Record(n) => line.insert("record".into(), n.into()),
        };
        line.insert(
            "reasons".into(),
            reasons
                .iter()
                .map(|r| serde_json::Value::from(r.to_string()))
                .collect(),
        );
        let (key, value) = match raw {
            Raw::Text(text) => ("raw", serde_json::Value::from(text.as_str())),
            Raw::Hex(hex) => ("raw_hex", serde_json::Value::from(hex.as_str())),
            Raw::Json(value) => ("raw", value.clone()),
            Raw::Row(pairs) => (
                "row",
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), serde_json::Value::from(v.as_str())))
                    .collect::<serde_json::Map<_, _>>()
                    .into(),
            ),
        };
        line.insert(key.into(), value);
        let out = self
            .open
            .get_mut(&path)
            .unwrap_or_else(|| unreachable!("opened above"));
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")
            .with_context(|| format!("failed to write {}", path.display()))
    }

    fn finish(mut self) -> Result<Vec<PathBuf>> {
        for (path, mut out) in std::mem::take(&mut self.open) {
            let written = partial(&path);
            let done = out
                .flush()
                .and_then(|()| out.get_ref().sync_all())
                .and_then(|()| std::fs::rename(&written, &path));
            if let Err(e) = done {
                let _ = std::fs::remove_file(&written);
                return Err(e).with_context(|| format!("failed to write {}", path.display()));
            }
        }
        Ok(std::mem::take(&mut self.order))
    }
}
