//! `quill comments`: the author's console for comments (list, show, moderate, delete, move, export).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use quill::comments::Status;
use quill::store::{CommentFilter, CommentRow};

use super::{RootArg, open_read, open_write};

/// Flags of `quill comments`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(subcommand)]
    command: CommentsCommand,
    #[command(flatten)]
    root: RootArg,
}

#[derive(Debug, Subcommand)]
enum CommentsCommand {
    /// List comments as a table (or JSON).
    List {
        /// Only comments on this post (its slug).
        #[arg(long)]
        post: Option<String>,
        /// pending, approved, spam, or all.
        #[arg(long, default_value = "all")]
        status: String,
        /// Only comments by this user id.
        #[arg(long)]
        user: Option<i64>,
        /// Only comments written at or after this date (YYYY-MM-DD or RFC 3339).
        #[arg(long)]
        since: Option<String>,
        /// comment (written here), mention (webmentions), or all.
        #[arg(long, default_value = "all")]
        kind: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one comment in full.
    Show {
        /// The comment's id.
        id: i64,
    },
    /// Approve comments: they appear on the site at the next build.
    Approve {
        /// Comment ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Mark comments as spam: they are kept but never published.
    Spam {
        /// Comment ids.
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Rebuild the spam filter from every stored decision: approved comments teach it what
    /// conversation looks like, spam what spam looks like.
    Train,
    /// Delete comments for good.
    Delete {
        /// Comment ids.
        #[arg(required = true)]
        ids: Vec<i64>,
        /// Also delete every reply under them (required when there are replies).
        #[arg(long)]
        with_replies: bool,
    },
    /// Re-attach a post's comments after its slug changed.
    Move {
        /// The old slug.
        from: String,
        /// The new slug.
        to: String,
    },
    /// Write every comment with its user as JSON Lines (`quill ingest --trusted` reads it back).
    Export {
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// Runs `quill comments`.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = &args.root.root;
    match args.command {
        CommentsCommand::List {
            post,
            status,
            user,
            since,
            kind,
            json,
        } => {
            let filter = CommentFilter {
                post,
                status: match status.as_str() {
                    "all" => None,
                    other => Some(
                        other
                            .parse::<Status>()
                            .map_err(|e| anyhow::anyhow!("--status: {e} or all"))?,
                    ),
                },
                user,
                since: since
                    .map(|s| {
                        quill::content::dates::parse_date(&s).ok_or_else(|| {
                            anyhow::anyhow!(
                                "--since: invalid date {s:?} (expected YYYY-MM-DD or RFC 3339)"
                            )
                        })
                    })
                    .transpose()?,
                id: None,
                mentions: match kind.as_str() {
                    "all" => None,
                    "mention" => Some(true),
                    "comment" => Some(false),
                    other => anyhow::bail!(
                        "--kind: {other:?} is not a kind (expected comment, mention or all)"
                    ),
                },
            };
            let rows = match open_read(root)? {
                Some(store) => store.comments(&filter)?,
                None => Vec::new(),
            };
            if json {
                let filter = match open_read(root)? {
                    Some(store) => quill::spam::Filter::new(&store.spam_counts()?),
                    None => quill::spam::Filter::default(),
                };
                // One set of buffers for every row: they are as large as the model.
                let mut scratch = quill::spam::Scratch::default();
                let items: Vec<_> = rows
                    .iter()
                    .map(|r| row_json(r, &filter, &mut scratch))
                    .collect();
                say!("{}", serde_json::to_string_pretty(&items)?);
            } else {
                print_table(&rows);
            }
        }
        CommentsCommand::Show { id } => {
            let Some(store) = open_read(root)? else {
                anyhow::bail!("no comment with id {id}: there is no comment database yet");
            };
            let row = store.comment(id)?;
            let c = &row.record;
            say!("id:        {}", c.id);
            say!("post:      {}", c.post);
            if let Some(parent) = c.parent_id {
                say!("reply to:  {parent}");
            }
            say!(
                "author:    {} <{}> (user {})",
                c.username,
                c.email,
                row.user_id
            );
            say!("time:      {}", quill::content::dates::iso(&c.timestamp));
            say!("status:    {}", c.status);
            if c.status == Status::Approved
                && let Some(link) = published_at(root, &store, c.id, &c.post)?
            {
                say!("link:      {link}");
            }
            say!("key:       {}", row.submission_key);
            if let Some(m) = &row.mention {
                say!("mention:   {} from {}", m.kind, clip(&m.source, 2048));
            }
            if let Some(score) = row.spam.score {
                let filter = quill::spam::Filter::new(&store.spam_counts()?);
                say!(
                    "spam:      {score:.2} ({})",
                    clip(
                        &reasons(&row, &filter, &mut quill::spam::Scratch::default()),
                        200
                    )
                );
            }
            if let Some(taught) = &row.spam.taught {
                say!("taught:    {taught}");
            }
            say!("\n{}", c.body);
        }
        CommentsCommand::Approve { ids } => set_status(root, &ids, Status::Approved)?,
        CommentsCommand::Spam { ids } => set_status(root, &ids, Status::Spam)?,
        CommentsCommand::Train => {
            let mut store = open_write(root)?;
            let (spam, ham) = store.retrain_spam_filter()?;
            let min = quill::spam::MIN_DECISIONS;
            say!(
                "the spam filter learned {ham} approved comment{} and {spam} spam",
                plural(ham as usize)
            );
            if spam < min || ham < min {
                say!(
                    "it only records scores until it has learned {min} of each (mark spam with `quill comments spam ID`)"
                );
            }
        }
        CommentsCommand::Delete { ids, with_replies } => {
            let mut store = open_write(root)?;
            let deleted = store.delete_comments(&ids, with_replies)?;
            let list: Vec<String> = deleted.iter().map(i64::to_string).collect();
            say!(
                "deleted {} comment{}: {}",
                deleted.len(),
                plural(deleted.len()),
                list.join(", ")
            );
        }
        CommentsCommand::Move { from, to } => {
            let mut store = open_write(root)?;
            let moved = store.move_comments(&from, &to)?;
            say!("moved {moved} comment{} from {from} to {to}", plural(moved));
        }
        CommentsCommand::Export { output } => {
            let lines = match open_read(root)? {
                Some(store) => store.export()?,
                None => Vec::new(),
            };
            let mut text = String::new();
            for line in &lines {
                text.push_str(&serde_json::to_string(line)?);
                text.push('\n');
            }
            match output {
                Some(path) => {
                    // Write beside it, then rename: an interrupted export never leaves a
                    // truncated backup under the real name.
                    let mut partial = path.as_os_str().to_owned();
                    partial.push(".part");
                    let partial = PathBuf::from(partial);
                    std::fs::write(&partial, text)
                        .with_context(|| format!("failed to write {}", partial.display()))?;
                    std::fs::rename(&partial, &path)
                        .with_context(|| format!("failed to write {}", path.display()))?;
                    eprintln!(
                        "exported {} comment{} to {}",
                        lines.len(),
                        plural(lines.len()),
                        path.display()
                    );
                }
                None => super::write_out(text.as_bytes()),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn set_status(root: &std::path::Path, ids: &[i64], status: Status) -> anyhow::Result<()> {
    let mut store = open_write(root)?;
    let n = store.set_status(ids, status)?;
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    say!(
        "marked {n} comment{} as {status}: {}",
        plural(n),
        list.join(", ")
    );
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Why the filter scored a comment as it did: the reasons kept when it arrived (for the
/// comments it flagged), or else how the model as it is now weighs it.
fn reasons(
    row: &CommentRow,
    filter: &quill::spam::Filter,
    scratch: &mut quill::spam::Scratch,
) -> String {
    if let Some(kept) = &row.spam.reasons {
        return kept.clone();
    }
    let c = &row.record;
    let parts = quill::spam::Parts {
        username: &c.username,
        email: &c.email,
        body: &c.body,
    };
    filter.score(&parts, scratch).reasons
}

fn row_json(
    row: &CommentRow,
    filter: &quill::spam::Filter,
    scratch: &mut quill::spam::Scratch,
) -> serde_json::Value {
    let c = &row.record;
    serde_json::json!({
        "id": c.id, "post": c.post, "parent_id": c.parent_id, "user_id": row.user_id,
        "username": c.username, "email": c.email, "body": c.body,
        "timestamp": quill::content::dates::iso(&c.timestamp), "status": c.status,
        "submission_key": row.submission_key,
        "mention": row.mention.as_ref().map(|m| serde_json::json!({"kind": m.kind, "source": m.source})),
        "spam_score": row.spam.score,
        "spam_reasons": row.spam.score.map(|_| reasons(row, filter, scratch)),
        "spam_taught": row.spam.taught,
    })
}

fn print_table(rows: &[CommentRow]) {
    say!(
        "{:>6}  {:<24} {:<18} {:<20} {:<8}  body",
        "id",
        "post",
        "author",
        "time",
        "status"
    );
    for row in rows {
        let c = &row.record;
        let mut body: String = c.body.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(m) = &row.mention {
            body = format!("[{} {}] {body}", m.kind, m.source);
        }
        say!(
            "{:>6}  {:<24} {:<18} {:<20} {:<8}  {}",
            c.id,
            clip(&c.post, 24),
            clip(&c.username, 18),
            c.timestamp.format("%Y-%m-%d %H:%M"),
            c.status,
            clip(&body, 40)
        );
    }
    say!("{} comment{}", rows.len(), plural(rows.len()));
}

/// Cuts text to `n` characters, marking the cut; control characters become spaces so a
/// visitor's text cannot move the author's cursor.
fn clip(text: &str, n: usize) -> String {
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.chars().count() <= n {
        clean
    } else {
        let mut cut: String = clean.chars().take(n.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Where an approved comment is published: its anchor on the page of its thread that shows
/// it, as a full URL; `None` when its post is not (or no longer) published.
fn published_at(
    root: &std::path::Path,
    store: &quill::store::Store,
    id: i64,
    post: &str,
) -> anyhow::Result<Option<String>> {
    let config = quill::config::SiteConfig::load(root)?;
    let posts = quill::ingest::posts::PostIndex::load(root, &config)?;
    let Some(path) = posts.path_of(post) else {
        return Ok(None);
    };
    let page = quill::comments::paging::page_showing(store, &config.comments, post, path, id)?;
    Ok(Some(format!("{}#comment-{id}", config.permalink(&page))))
}
