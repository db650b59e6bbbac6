//! `quill import`: comments from another comment system (Disqus, WordPress, Staticman, Isso)
//! brought into the store.
//!
//! Each source module only reads its format into [`Imported`] comments. This module matches
//! them to the site's posts, puts parents before their replies, and hands every comment to
//! ingest's [`run_with`](crate::ingest::run_with): the same checks, the same users, the same
//! one transaction, rejects file and report as `quill ingest`. The source's own ids make the
//! submission keys (`disqus:123`), so running an import twice stores nothing new.

pub mod disqus;
pub mod html;
pub mod isso;
pub mod site;
pub mod staticman;
pub mod webmention_io;
pub mod wordpress;
mod xml;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::comments::Status;
use crate::ingest::read::{Position, Raw};
use crate::ingest::{Entry, IngestReport, Input, Outcome, Rejection, RunOptions, Submission};

/// The systems comments can be imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentSystem {
    /// A Disqus XML export.
    Disqus,
    /// A WordPress WXR export.
    Wordpress,
    /// A Staticman data folder of YAML or JSON files.
    Staticman,
    /// An Isso SQLite database.
    Isso,
    /// webmention.io's JSON (jf2) export of the mentions it received.
    WebmentionIo,
}

impl CommentSystem {
    /// The source's name, as in keys (`disqus:12`) and placeholder emails.
    pub fn name(self) -> &'static str {
        match self {
            CommentSystem::Disqus => "disqus",
            CommentSystem::Wordpress => "wordpress",
            CommentSystem::Staticman => "staticman",
            CommentSystem::Isso => "isso",
            CommentSystem::WebmentionIo => "webmention-io",
        }
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The site root.
    pub root: PathBuf,
    /// What the input is.
    pub source: CommentSystem,
    /// The export file, or the Staticman data folder.
    pub path: PathBuf,
    /// Check and report without writing anything.
    pub dry_run: bool,
    /// Store nothing if any comment is rejected.
    pub strict: bool,
    /// Where rejected comments go (default: `PATH.rejects.jsonl` beside the input).
    pub rejects: Option<PathBuf>,
    /// Import WordPress pingbacks and trackbacks too.
    pub with_pingbacks: bool,
    /// Told who holds the database's write lock when the run has to wait for it.
    pub waiting: fn(&str),
}

/// What the source decided about a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// Store it with this status.
    Keep(Status),
    /// Do not store it; counted under this reason (`deleted`, `trash`, `pingback`).
    Skip(&'static str),
}

/// One comment as a source module read it, before it is matched to a post and checked.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Its submission key: the source's name and its own id (`disqus:123`).
    pub key: String,
    /// The key of the comment it replies to.
    pub parent: Option<String>,
    /// The page it was on, as the source had it (a URL, a path or a slug).
    pub url: String,
    /// Slugs to try when `url` matches no post (WordPress `post_name`, a slug of the title).
    pub fallbacks: Vec<String>,
    /// The author's name as the source had it.
    pub author: String,
    /// The author's email as the source had it, if any.
    pub email: Option<String>,
    /// The body, already converted to comment Markdown.
    pub body: String,
    /// When it was written, in UTC.
    pub timestamp: Option<DateTime<Utc>>,
    /// What the source module found wrong with the record (no date, no id, unreadable); a
    /// comment with problems is rejected with them.
    pub problems: Vec<Rejection>,
    /// Keep (with a status) or skip.
    pub fate: Fate,
    /// Where it is in its input, for messages and the rejects file.
    pub position: Position,
    /// The file it came from (the Staticman folder has one per comment).
    pub file: PathBuf,
    /// The record as it was, for the rejects file.
    pub raw: serde_json::Value,
    /// For a webmention: what is stored beside its comment row.
    pub mention: Option<ImportedMention>,
}

/// What an imported webmention has beyond a comment.
#[derive(Debug, Clone)]
pub struct ImportedMention {
    /// The page that mentions the post.
    pub source: String,
    /// The post's URL as the mention gave it.
    pub target: String,
    /// `reply`, `like`, `repost`, `bookmark` or `mention`.
    pub kind: &'static str,
    /// The author's page.
    pub author_url: Option<String>,
    /// The author's picture.
    pub author_photo: Option<String>,
    /// When the source says it was published, as it writes it.
    pub published: Option<String>,
}

impl ImportedMention {
    fn link(&self) -> crate::store::MentionLink<'_> {
        crate::store::MentionLink {
            source: &self.source,
            target: &self.target,
            kind: self.kind,
            author_url: self.author_url.as_deref(),
            author_photo: self.author_photo.as_deref(),
            published: self.published.as_deref(),
        }
    }
}

/// A page of the old site that matched no post, and how many comments it has.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Unmatched {
    /// The URL (or thread) as the source had it.
    pub url: String,
    /// Comments on it that were not stored.
    pub comments: usize,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The source's name.
    pub source: &'static str,
    /// Comments read from the input.
    pub read: usize,
    /// Stored, already stored and rejected, as `quill ingest` counts them.
    #[serde(flatten)]
    pub ingest: IngestReport,
    /// Not imported on purpose (deleted, trash, pingbacks), by reason.
    pub skipped: BTreeMap<String, usize>,
    /// Comments stored with a placeholder email (none, a hashed one, or an implausible one).
    pub placeholder_emails: usize,
    /// Pages that matched no post, most comments first.
    pub unmatched: Vec<Unmatched>,
}

impl ImportReport {
    /// The exit code the CLI gives: the same as `quill ingest`.
    pub fn exit_code(&self) -> u8 {
        self.ingest.exit_code()
    }
}

/// Runs an import.
pub fn run(options: &ImportOptions) -> Result<ImportReport> {
    let source = options.source;
    let comments = match source {
        CommentSystem::Disqus => disqus::read(&options.path)?,
        CommentSystem::Wordpress => wordpress::read(&options.path, options.with_pingbacks)?,
        CommentSystem::Staticman => staticman::read(&options.path)?,
        CommentSystem::Isso => isso::read(&options.path)?,
        CommentSystem::WebmentionIo => webmention_io::read(&options.path)?,
    };
    let read = comments.len();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut unmatched: HashMap<String, usize> = HashMap::new();
    let mut placeholder_emails = 0;
    let comments = parents_first(reparent_past_skipped(comments));
    // One rejects file for the whole import, beside the input (a Staticman folder included).
    let rejects = options
        .rejects
        .clone()
        .unwrap_or_else(|| default_rejects(&options.path));
    let run_options = RunOptions {
        root: options.root.clone(),
        dry_run: options.dry_run,
        strict: options.strict,
        trusted: false,
        rejects: Some(rejects),
        waiting: options.waiting,
    };
    let ingest = crate::ingest::run_with(&run_options, &mut |sink| {
        let mut mentions = Vec::new();
        for comment in &comments {
            let status = match comment.fate {
                Fate::Skip(reason) => {
                    *skipped.entry(reason.to_string()).or_default() += 1;
                    continue;
                }
                Fate::Keep(status) => status,
            };
            let submitter = sink.submitter();
            let post = match_post(submitter.posts(), submitter.config(), comment);
            // A mention's key is the live endpoint's: one per source and post.
            let key = match (&comment.mention, &post) {
                (Some(m), Some(post)) => crate::store::NewMention::submission_key(post, &m.source),
                _ => comment.key.clone(),
            };
            let (email, placeholder) = email_for(source, comment);
            let timestamp = comment
                .timestamp
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true));
            let entry = if !comment.problems.is_empty() {
                Entry::Rejected(comment.problems.clone())
            } else if comment.body.trim().is_empty() {
                Entry::Rejected(vec![Rejection::Missing(
                    "body (empty, or nothing left once scripts and markup are removed)".into(),
                )])
            } else if timestamp.is_none() {
                // Never "now": an old comment with a made-up date would sort wrongly forever.
                Entry::Rejected(vec![Rejection::Missing("date".into())])
            } else {
                Entry::Submission(Submission {
                    // An unmatched comment goes in with its old URL, so the checks reject it
                    // with that URL in the reason.
                    post: Some(post.as_deref().unwrap_or(&comment.url)),
                    username: Some(&comment.author),
                    email: Some(&email),
                    body: Some(&comment.body),
                    timestamp: timestamp.as_deref(),
                    parent: comment.parent.as_deref(),
                    id: Some(&key),
                    honeypot: false,
                    // Mentions go through the site's own moderation, as the endpoint's do.
                    status: comment.mention.is_none().then_some(status),
                })
            };
            // A Staticman record is a file's fields, kept exactly as they were (its `url` is the
            // commenter's site); one made from an XML export gets the URL it was under.
            let mut raw = comment.raw.clone();
            if let (serde_json::Value::Object(map), false) =
                (&mut raw, source == CommentSystem::Staticman)
            {
                map.insert("url".into(), comment.url.clone().into());
            }
            let input = Input::File(comment.file.clone());
            let outcome = sink.submit(&input, comment.position, &Raw::Json(raw), entry)?;
            if let Some(m) = &comment.mention
                && !matches!(outcome, Some(Outcome::Rejected(_)))
            {
                mentions.push((key, m));
            }
            if let Some(Outcome::Rejected(_)) = outcome {
                if post.is_none() {
                    *unmatched.entry(comment.url.clone()).or_default() += 1;
                }
            } else if placeholder && comment.mention.is_none() {
                placeholder_emails += 1;
            }
        }
        // Mentions are marked once every record is stored, the ones held back included.
        sink.finish_deferred()?;
        for (key, m) in &mentions {
            sink.attach_mention(key, &m.link())?;
        }
        Ok(())
    })?;
    let mut unmatched: Vec<Unmatched> = unmatched
        .into_iter()
        .map(|(url, comments)| Unmatched { url, comments })
        .collect();
    unmatched.sort_by(|a, b| b.comments.cmp(&a.comments).then(a.url.cmp(&b.url)));
    Ok(ImportReport {
        source: source.name(),
        read,
        ingest,
        skipped,
        placeholder_emails,
        unmatched,
    })
}

/// `export.xml` gives `export.xml.rejects.jsonl`; a folder `comments/` gives
/// `comments.rejects.jsonl` beside it.
fn default_rejects(path: &Path) -> PathBuf {
    let mut name = path.components().as_path().as_os_str().to_owned();
    if name.is_empty() {
        name = ".".into();
    }
    name.push(".rejects.jsonl");
    PathBuf::from(name)
}

/// The slug of the post a comment belongs to, trying in turn: the URL's path (with the old
/// domain ignored) against every post's path and aliases, the URL's last segment as a slug,
/// then the source's other hints (`post_name`, the title's slug). `None` when nothing matches.
fn match_post(
    posts: &crate::ingest::PostIndex,
    config: &crate::config::SiteConfig,
    comment: &Imported,
) -> Option<String> {
    let mut candidates: Vec<String> = Vec::new();
    let url = comment.url.trim();
    let path = url_path(url);
    if !path.is_empty() && path != "/" {
        candidates.push(path.to_string());
        let decoded = percent_encoding::percent_decode_str(path)
            .decode_utf8_lossy()
            .into_owned();
        if decoded != path {
            candidates.push(decoded);
        }
        if let Some(last) = path.trim_end_matches('/').rsplit('/').next() {
            let last = last
                .strip_suffix(".html")
                .or_else(|| last.strip_suffix(".htm"))
                .unwrap_or(last);
            candidates.push(last.to_string());
        }
    }
    candidates.extend(comment.fallbacks.iter().cloned());
    candidates
        .iter()
        .filter(|c| !c.is_empty())
        .find_map(|candidate| match posts.resolve(candidate, config) {
            Ok(entry) => Some(entry.slug.clone()),
            // The post exists: let the checks say its comments are closed.
            Err(Rejection::CommentsClosed(slug)) => Some(slug),
            Err(_) => None,
        })
}

/// The path of a URL with its scheme and host taken off (`https://old.org/a/?p=4` gives
/// `/a/`); a path or a slug comes back as it is, without query or fragment.
fn url_path(url: &str) -> &str {
    let rest = match url.split_once("://") {
        Some((_, rest)) => match rest.find(['/', '?', '#']) {
            Some(i) => &rest[i..],
            None => "",
        },
        None => url,
    };
    rest.split(['?', '#']).next().unwrap_or("")
}

/// The email to store, and whether it is a placeholder. A comment with no usable email (none,
/// Staticman's MD5 hash of one, or one no mail server would take) gets a stable address under
/// the reserved `.invalid` domain, made from the hash of the name (or the MD5 hash the source
/// kept), so one name without an email stays one user per source. Emails never reach a page.
fn email_for(source: CommentSystem, comment: &Imported) -> (String, bool) {
    let given = comment.email.as_deref().map(str::trim).unwrap_or("");
    if is_md5(given) {
        return (
            format!("{}@{}.invalid", given.to_lowercase(), source.name()),
            true,
        );
    }
    match crate::ingest::validate::email(given) {
        Ok(email) => (email, false),
        Err(_) => {
            let digest = Sha256::digest(comment.author.trim().as_bytes());
            let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
            (format!("{hex}@{}.invalid", source.name()), true)
        }
    }
}

fn is_md5(text: &str) -> bool {
    text.len() == 32 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A reply to a skipped comment (deleted, trash) replies to the nearest kept ancestor instead,
/// or starts a thread: the reply was published, and quill has no "deleted" placeholder.
fn reparent_past_skipped(mut comments: Vec<Imported>) -> Vec<Imported> {
    let by_key: HashMap<String, (Option<String>, bool)> = comments
        .iter()
        .map(|c| {
            (
                c.key.clone(),
                (c.parent.clone(), matches!(c.fate, Fate::Skip(_))),
            )
        })
        .collect();
    for comment in &mut comments {
        let mut parent = comment.parent.clone();
        let mut steps = 0;
        while let Some(key) = &parent {
            match by_key.get(key) {
                // A loop of parents cannot go on longer than there are comments.
                Some((grandparent, true)) if steps < by_key.len() => {
                    parent = grandparent.clone();
                    steps += 1;
                }
                _ => break,
            }
        }
        comment.parent = parent;
    }
    comments
}

/// The same comments with every parent before its replies, otherwise in the source's order
/// (exports are not always in that order, and a reply needs its parent stored first).
fn parents_first(comments: Vec<Imported>) -> Vec<Imported> {
    let index: HashMap<&str, usize> = comments
        .iter()
        .enumerate()
        .rev()
        .map(|(i, c)| (c.key.as_str(), i))
        .collect();
    let mut placed = vec![false; comments.len()];
    let mut order = Vec::with_capacity(comments.len());
    for start in 0..comments.len() {
        let mut chain = Vec::new();
        let mut at = start;
        while !placed[at] {
            placed[at] = true;
            chain.push(at);
            match comments[at]
                .parent
                .as_deref()
                .and_then(|p| index.get(p).copied())
            {
                Some(parent) => at = parent,
                None => break,
            }
        }
        order.extend(chain.into_iter().rev());
    }
    let mut slots: Vec<Option<Imported>> = comments.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots[i].take()).collect()
}

/// Parses the timestamp formats exports use: RFC 3339, or `YYYY-MM-DD HH:MM:SS` as UTC.
pub(crate) fn parse_utc(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|d| d.and_utc())
        })
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|d| d.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(key: &str, parent: Option<&str>, fate: Fate) -> Imported {
        Imported {
            key: key.into(),
            parent: parent.map(str::to_string),
            url: String::new(),
            fallbacks: Vec::new(),
            author: "A".into(),
            email: None,
            body: "b".into(),
            timestamp: None,
            problems: Vec::new(),
            fate,
            position: Position::Record(1),
            file: PathBuf::from("x"),
            raw: serde_json::Value::Null,
            mention: None,
        }
    }

    #[test]
    fn parents_come_first_and_skipped_parents_are_passed_over() {
        let keep = Fate::Keep(Status::Approved);
        let comments = vec![
            comment("c", Some("b"), keep),
            comment("b", Some("gone"), Fate::Skip("deleted")),
            comment("gone", Some("a"), Fate::Skip("deleted")),
            comment("a", None, keep),
            comment("loop1", Some("loop2"), keep),
            comment("loop2", Some("loop1"), keep),
        ];
        let out = parents_first(reparent_past_skipped(comments));
        let keys: Vec<&str> = out.iter().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["a", "c", "b", "gone", "loop2", "loop1"]);
        assert_eq!(out[1].parent.as_deref(), Some("a"), "c replies to a now");
    }

    #[test]
    fn url_paths_ignore_the_old_domain() {
        assert_eq!(url_path("http://example.tld/2014/test/"), "/2014/test/");
        assert_eq!(url_path("https://old.org/?p=4"), "/");
        assert_eq!(url_path("https://old.org"), "");
        assert_eq!(url_path("/posts/a/#c"), "/posts/a/");
        assert_eq!(url_path("my-slug"), "my-slug");
    }

    #[test]
    fn placeholder_emails_are_stable_and_pass_the_checks() {
        let mut c = comment("k", None, Fate::Keep(Status::Approved));
        c.author = "Jörg".into();
        let (a, placeholder) = email_for(CommentSystem::Disqus, &c);
        assert!(placeholder && a.ends_with("@disqus.invalid"), "{a}");
        assert_eq!(email_for(CommentSystem::Disqus, &c).0, a);
        assert!(crate::ingest::validate::email(&a).is_ok());
        c.email = Some("0123456789abcdef0123456789ABCDEF".into());
        assert_eq!(
            email_for(CommentSystem::Staticman, &c).0,
            "0123456789abcdef0123456789abcdef@staticman.invalid"
        );
        c.email = Some(" ada@example.org\n   ".into());
        assert_eq!(
            email_for(CommentSystem::Wordpress, &c),
            ("ada@example.org".to_string(), false)
        );
        c.email = Some("not an address".into());
        assert!(email_for(CommentSystem::Wordpress, &c).1);
    }
}
