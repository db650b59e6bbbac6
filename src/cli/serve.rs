//! `quill serve`: flags and what the preview server prints.

use std::path::PathBuf;
use std::process::ExitCode;

use quill::serve::{ServeEvent, ServeOptions, serve};

use super::RootArg;

/// Flags of `quill serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
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
}

/// Runs `quill serve` until interrupted.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = ServeOptions {
        root: args.root.root,
        bind: args.bind,
        port: args.port,
        drafts: args.drafts,
        output_dir: args.output_dir,
        accept_comments: args.accept_comments,
    };
    serve(options, &|event| match event {
        ServeEvent::Listening(url) => println!("serving the site at {url}/ (Ctrl-C stops)"),
        ServeEvent::Built(summary) => {
            // The same warnings as `quill build`: template syntax left in a page must not go
            // unnoticed while previewing either.
            for warning in &summary.warnings {
                eprintln!("warning: {warning}");
            }
            println!(
                "built {} posts, {} pages in {} ms",
                summary.posts,
                summary.pages,
                summary.elapsed.as_millis()
            )
        }
        ServeEvent::BuildFailed(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
