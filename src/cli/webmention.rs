//! `quill webmention send`: tells the pages the site's posts link to that they are linked,
//! and prints what it sent (or, with `--dry-run`, what it would send).

use std::process::ExitCode;

use clap::Subcommand;
use quill::config::SiteConfig;
use quill::serve::webmention::fetch::FetchLimits;
use quill::serve::webmention::send::{Planned, Sent, outgoing_posts, plan, send_all};

use super::{RootArg, open_read, open_write};

/// Flags of `quill webmention`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(subcommand)]
    command: WebmentionCommand,
}

#[derive(Debug, Subcommand)]
enum WebmentionCommand {
    /// Send webmentions for the posts' external links that are new or whose post changed, and
    /// once more for links removed since the last send.
    #[command(
        after_help = "Exit codes:\n  0  everything planned was sent (or the target has no endpoint)\n  2  some could not be sent; the next run tries them again\n  1  the run failed"
    )]
    Send(SendArgs),
}

/// Flags of `quill webmention send`.
#[derive(Debug, clap::Args)]
pub(super) struct SendArgs {
    #[command(flatten)]
    root: RootArg,
    /// List what would be sent; send nothing, record nothing.
    #[arg(long)]
    dry_run: bool,
}

/// Runs `quill webmention`.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        WebmentionCommand::Send(args) => send(&args.root.root, args.dry_run),
    }
}

/// Sends the site's webmentions (also what `quill build --send-webmentions` runs).
pub(super) fn send(root: &std::path::Path, dry_run: bool) -> anyhow::Result<ExitCode> {
    let config = SiteConfig::load(root)?;
    let posts = outgoing_posts(root, &config)?;
    let own_host = url::Url::parse(&config.base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string));
    let sent_before = match open_read(root)? {
        Some(store) => store.sent_mentions()?,
        None => Vec::new(),
    };
    let planned = plan(&posts, &sent_before, own_host.as_deref());
    if dry_run {
        for p in &planned {
            say!("would send {}", describe(p));
        }
        say!(
            "{} webmention{} to send",
            planned.len(),
            plural(planned.len())
        );
        return Ok(ExitCode::SUCCESS);
    }
    let limits = FetchLimits {
        allow_private: config.comments.webmentions_allow_private,
        ..FetchLimits::default()
    };
    let mut store = open_write(root)?;
    let mut failed = 0;
    send_all(&mut store, &planned, &limits, &mut |p, sent| match sent {
        Sent::Accepted(status) => say!("sent {} ({status})", describe(p)),
        Sent::NoEndpoint => say!("no endpoint: {}", describe(p)),
        Sent::Failed(reason) => {
            failed += 1;
            say!("could not send {}: {reason}", describe(p));
        }
    })?;
    say!(
        "{} webmention{} planned, {failed} not sent",
        planned.len(),
        plural(planned.len())
    );
    Ok(ExitCode::from(if failed > 0 { 2 } else { 0 }))
}

fn describe(p: &Planned) -> String {
    let removed = if p.removed { " (link removed)" } else { "" };
    format!("{} -> {}{removed}", p.source, p.target)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
