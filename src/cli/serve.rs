//! `quill serve`: flags and what the preview server prints.

use std::path::PathBuf;
use std::process::ExitCode;

use std::time::Duration;

use quill::serve::{Limits, ServeEvent, ServeOptions, serve};

use super::RootArg;

/// Flags of `quill serve`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(flatten)]
    root: RootArg,
    /// The address to listen on. Keep 127.0.0.1 unless a reverse proxy sits in front.
    #[arg(long, default_value = "127.0.0.1")]
    bind: String,
    /// The port to listen on; 0 picks a free one.
    #[arg(short, long, default_value_t = 1111)]
    port: u16,
    /// Include drafts.
    #[arg(long)]
    drafts: bool,
    /// Write the preview into this folder instead (by default it lives in a private temporary
    /// folder and public/ is left alone).
    #[arg(short = 'o', long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Accept the comment form at /_quill/comments and store comments like `quill ingest`.
    #[arg(long)]
    accept_comments: bool,
    /// Seconds a connection may take to send a request, and then its body; an idle or slow
    /// connection is closed after them.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = seconds)]
    timeout: f64,
    /// Open connections at most. At the cap a new connection replaces the one idle longest;
    /// when none is idle it gets 503.
    #[arg(long, value_name = "N", default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
}

/// A timeout in seconds: a positive number, fractions allowed, at most a day.
fn seconds(value: &str) -> Result<f64, String> {
    match value.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!(
            "{value} is not a number of seconds between 0 and 86400"
        )),
    }
}

/// Runs `quill serve` until interrupted.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = ServeOptions {
        root: args.root.root,
        bind: args.bind,
        port: args.port,
        drafts: args.drafts,
        output_dir: args.output_dir,
        accept_comments: args.accept_comments,
        limits: Limits {
            timeout: Duration::from_secs_f64(args.timeout),
            max_connections: args.max_connections as usize,
        },
    };
    serve(options, &|event| match event {
        ServeEvent::Listening(url) => say!("serving the site at {url}/ (Ctrl-C stops)"),
        ServeEvent::Built(summary) => {
            // The same warnings as `quill build`: template syntax left in a page must not go
            // unnoticed while previewing either.
            for warning in &summary.warnings {
                eprintln!("warning: {warning}");
            }
            say!(
                "built {} posts, {} pages in {} ms",
                summary.posts,
                summary.pages,
                summary.elapsed.as_millis()
            )
        }
        ServeEvent::Warning(warning) => eprintln!("warning: {warning}"),
        ServeEvent::BuildFailed(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
