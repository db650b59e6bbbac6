//! Telling the author: after a run that stored comments waiting for them (pending, or more
//! spam than `[notify] spam_count`), one message per run, by mail (`email` + `smtp`) and/or to
//! a command (`command`, with a JSON summary on standard input). A failure to tell is a
//! warning: the comments are stored before anyone is told.
//!
//! The message names commenters but never their addresses, and a comment's text is
//! HTML-escaped, so neither a mail reader nor a command that renders HTML runs what a visitor
//! wrote.

mod smtp;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::comments::Status;
use crate::config::{NotifyConfig, SiteConfig};

/// The environment variable the SMTP password is read from.
pub const PASSWORD_VAR: &str = "QUILL_SMTP_PASSWORD";

/// How long a notification command may run before it is stopped.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Comments listed one by one in a message; the rest are counted.
const LISTED: usize = 50;

/// The longest excerpt of a comment in a message, in characters.
const EXCERPT_CHARS: usize = 200;

/// A comment a run stored that the author may need to act on.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrived {
    /// Its id.
    pub id: i64,
    /// Its post's slug.
    pub post: String,
    /// The status it was stored with.
    pub status: Status,
    /// The commenter's name.
    pub username: String,
    /// The body as written.
    pub body: String,
    /// The spam filter's score.
    pub spam_score: Option<f64>,
    /// It is a webmention that just arrived: told whatever its status.
    pub mention: bool,
}

/// One comment in a summary.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Its id.
    pub id: i64,
    /// `pending` or `spam`.
    pub status: String,
    /// The commenter's name, HTML-escaped.
    pub author: String,
    /// The start of the body on one line, HTML-escaped.
    pub excerpt: String,
    /// The spam filter's score.
    pub spam_score: Option<f64>,
    /// The console command that publishes it.
    pub approve: String,
    /// The console command that deletes it.
    pub delete: String,
}

/// A post's comments in a summary.
#[derive(Debug, Clone, Serialize)]
pub struct PostItems {
    /// The post's slug.
    pub post: String,
    /// Its comments that arrived, oldest first.
    pub comments: Vec<Item>,
}

/// What a command gets on standard input, and what a mail says.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The site's title.
    pub site: String,
    /// The mail's subject.
    pub subject: String,
    /// Comments stored as pending.
    pub pending: usize,
    /// Comments stored as spam.
    pub spam: usize,
    /// The comments, by post (at most 50 in all; `not_listed` counts the rest).
    pub posts: Vec<PostItems>,
    /// Comments left out of `posts`.
    pub not_listed: usize,
    /// The message as text.
    pub text: String,
}

/// The summary of a run's stored comments, or `None` when nothing needs the author.
pub fn summarize(config: &SiteConfig, arrived: &[Arrived]) -> Option<Summary> {
    let pending = arrived
        .iter()
        .filter(|a| a.status == Status::Pending)
        .count();
    let spam = arrived.iter().filter(|a| a.status == Status::Spam).count();
    let mentions = arrived.iter().filter(|a| a.mention).count();
    if pending == 0 && spam <= config.notify.spam_count && mentions == 0 {
        return None;
    }
    let mut shown: Vec<&Arrived> = arrived
        .iter()
        .filter(|a| {
            a.mention || a.status == Status::Pending || (a.status == Status::Spam && spam > 0)
        })
        .collect();
    // Pending first: those are the ones waiting for a decision.
    shown.sort_by_key(|a| (a.status != Status::Pending, a.post.clone(), a.id));
    let not_listed = shown.len().saturating_sub(LISTED);
    shown.truncate(LISTED);
    let mut posts: Vec<PostItems> = Vec::new();
    for a in shown {
        let item = Item {
            id: a.id,
            status: a.status.to_string(),
            author: escape(&one_line(&a.username, 64)),
            excerpt: escape(&one_line(&a.body, EXCERPT_CHARS)),
            spam_score: a.spam_score,
            approve: format!("quill comments approve {}", a.id),
            delete: format!("quill comments delete {}", a.id),
        };
        match posts.iter_mut().find(|p| p.post == a.post) {
            Some(p) => p.comments.push(item),
            None => posts.push(PostItems {
                post: a.post.clone(),
                comments: vec![item],
            }),
        }
    }
    let mut subject = format!(
        "{}: {pending} comment{} waiting, {spam} spam",
        one_line(&config.title, 80),
        if pending == 1 { "" } else { "s" }
    );
    if mentions > 0 {
        subject.push_str(&format!(
            ", {mentions} webmention{}",
            if mentions == 1 { "" } else { "s" }
        ));
    }
    let mut summary = Summary {
        site: config.title.clone(),
        subject,
        pending,
        spam,
        posts,
        not_listed,
        text: String::new(),
    };
    summary.text = text(&summary);
    Some(summary)
}

fn text(summary: &Summary) -> String {
    let mut out = format!(
        "New comments on {}: {} waiting for you, {} stored as spam.\n",
        one_line(&summary.site, 80),
        summary.pending,
        summary.spam
    );
    for post in &summary.posts {
        out.push_str(&format!("\n{}\n", post.post));
        for c in &post.comments {
            let score = c
                .spam_score
                .map_or(String::new(), |s| format!(", spam score {s:.2}"));
            out.push_str(&format!(
                "  #{} {} by {}{score}\n    {}\n    {}   |   {}\n",
                c.id, c.status, c.author, c.excerpt, c.approve, c.delete
            ));
        }
    }
    if summary.not_listed > 0 {
        out.push_str(&format!(
            "\nand {} more: quill comments list --status pending (or --status spam)\n",
            summary.not_listed
        ));
    }
    out.push_str("\nEvery comment: quill comments list; one in full: quill comments show ID\n");
    out
}

/// Whether `[notify]` says to tell anyone.
pub fn configured(notify: &NotifyConfig) -> bool {
    notify.email.is_some() || notify.command.is_some()
}

/// Tells the author of what a run stored, as `[notify]` says. Returns warnings (a server that
/// is down, a command that failed): telling never fails the run.
pub fn after_run(config: &SiteConfig, root: &Path, arrived: &[Arrived]) -> Vec<String> {
    let notify = &config.notify;
    if !configured(notify) {
        return Vec::new();
    }
    let Some(summary) = summarize(config, arrived) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    if let (Some(to), Some(server)) = (&notify.email, &notify.smtp) {
        let password = std::env::var(PASSWORD_VAR).ok();
        if let Err(e) = smtp::send(server, password.as_deref(), from(notify), to, &summary) {
            warnings.push(format!(
                "could not mail {to} of the new comments (they are stored): {e}"
            ));
        }
    }
    if let Some(command) = &notify.command
        && let Err(e) = run_command(command, root, &summary)
    {
        warnings.push(format!(
            "the notify command failed (the comments are stored): {e}"
        ));
    }
    warnings
}

/// Tells the author of one webmention stored (or updated) by `quill serve`'s endpoint, read
/// back by id, whatever its status: a mention is news of its own.
pub fn after_mention(root: &Path, id: i64) -> Vec<String> {
    told_of(root, id, true)
}

/// Tells the author of one comment stored by `quill serve`'s endpoint, read back by id.
pub fn after_submission(root: &Path, id: i64) -> Vec<String> {
    told_of(root, id, false)
}

fn told_of(root: &Path, id: i64, mention: bool) -> Vec<String> {
    let told = (|| -> anyhow::Result<Vec<String>> {
        let config = SiteConfig::load(root)?;
        if !configured(&config.notify) {
            return Ok(Vec::new());
        }
        let location = crate::store::DbLocation::resolve(root, &config)?;
        let Some(store) = crate::store::Store::open_read_only(&location)? else {
            return Ok(Vec::new());
        };
        let row = store.comment(id)?;
        let c = row.record;
        let arrived = Arrived {
            id,
            post: c.post,
            status: c.status,
            username: c.username,
            body: c.body,
            spam_score: row.spam.score,
            mention,
        };
        Ok(after_run(&config, root, &[arrived]))
    })();
    told.unwrap_or_else(|e| vec![format!("could not tell of comment {id}: {e:#}")])
}

fn from(notify: &NotifyConfig) -> &str {
    notify
        .from
        .as_deref()
        .or(notify.email.as_deref())
        .unwrap_or("quill@localhost")
}

/// Runs the command through the shell in the site root with the summary as JSON on its
/// standard input; stopped after 30 seconds. The SMTP password is not passed on.
fn run_command(command: &str, root: &Path, summary: &Summary) -> anyhow::Result<()> {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .current_dir(root)
        .env_remove(PASSWORD_VAR)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| anyhow::anyhow!("could not start `{command}`: {e}"))?;
    let json = serde_json::to_vec_pretty(summary)?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business.
        let _ = stdin.write_all(&json);
    }
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if started.elapsed() > COMMAND_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            anyhow::bail!("`{command}` ran longer than {COMMAND_TIMEOUT:?} and was stopped");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if !status.success() {
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            use std::io::Read;
            let _ = stderr.read_to_string(&mut err);
        }
        anyhow::bail!(
            "`{command}` exited with {status}{}",
            if err.trim().is_empty() {
                String::new()
            } else {
                format!(": {}", one_line(err.trim(), 300))
            }
        );
    }
    Ok(())
}

/// Text on one line, without control characters, cut to `n` characters.
fn one_line(text: &str, n: usize) -> String {
    let flat: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    if flat.chars().count() <= n {
        flat
    } else {
        let mut cut: String = flat.chars().take(n - 1).collect();
        cut.push('…');
        cut
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(extra: &str) -> SiteConfig {
        SiteConfig::parse(
            &format!("title = \"Blog\"\nbase_url = \"https://example.org\"\n{extra}"),
            Path::new("site.toml"),
        )
        .unwrap()
    }

    fn arrived(id: i64, post: &str, status: Status, body: &str) -> Arrived {
        Arrived {
            id,
            post: post.into(),
            status,
            username: "Mallory <b>".into(),
            body: body.into(),
            spam_score: Some(0.25),
            mention: false,
        }
    }

    #[test]
    fn a_webmention_is_told_even_when_approved() {
        let config = SiteConfig::parse(
            "title = \"T\"\nbase_url = \"https://example.org\"\n",
            std::path::Path::new("site.toml"),
        )
        .unwrap();
        let approved = arrived(7, "a-post", Status::Approved, "liked this");
        assert!(summarize(&config, std::slice::from_ref(&approved)).is_none());
        let mention = Arrived {
            mention: true,
            ..approved
        };
        let summary = summarize(&config, &[mention]).expect("a mention is news");
        let json = serde_json::to_string(&summary).unwrap();
        assert!(
            json.contains("1 webmention") && json.contains("liked this"),
            "{json}"
        );
    }

    #[test]
    fn nothing_waiting_is_no_message() {
        let config = config("");
        assert!(summarize(&config, &[]).is_none());
        let spam: Vec<_> = (0..10)
            .map(|i| arrived(i, "a", Status::Spam, "x"))
            .collect();
        assert!(summarize(&config, &spam).is_none(), "ten spam is the limit");
        let more: Vec<_> = (0..11)
            .map(|i| arrived(i, "a", Status::Spam, "x"))
            .collect();
        assert_eq!(summarize(&config, &more).unwrap().spam, 11);
    }

    #[test]
    fn pending_comments_by_post_with_commands_and_escaped_text() {
        let config = config("");
        let summary = summarize(
            &config,
            &[
                arrived(
                    3,
                    "b",
                    Status::Pending,
                    "<script>alert(1)</script>\nline two",
                ),
                arrived(1, "a", Status::Pending, "fine & good"),
            ],
        )
        .unwrap();
        assert_eq!(summary.subject, "Blog: 2 comments waiting, 0 spam");
        assert_eq!(summary.posts[0].post, "a");
        let text = &summary.text;
        assert!(text.contains("quill comments approve 3"), "{text}");
        assert!(text.contains("quill comments delete 1"), "{text}");
        assert!(
            !text.contains("<script>") && text.contains("&lt;script&gt;"),
            "{text}"
        );
        assert!(text.contains("Mallory &lt;b&gt;"), "{text}");
        assert!(text.contains("fine &amp; good"), "{text}");
    }

    #[test]
    fn a_long_run_lists_fifty_and_counts_the_rest() {
        let many: Vec<_> = (0..60)
            .map(|i| arrived(i, "a", Status::Pending, &"word ".repeat(100)))
            .collect();
        let summary = summarize(&config(""), &many).unwrap();
        assert_eq!(summary.posts[0].comments.len(), 50);
        assert_eq!(summary.not_listed, 10);
        assert!(summary.posts[0].comments[0].excerpt.chars().count() <= 200);
    }
}
