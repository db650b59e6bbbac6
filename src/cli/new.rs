//! `quill new`: a new post with its front matter filled in.

use std::process::ExitCode;

use super::RootArg;

/// Flags of `quill new`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The post's title; its slug names the file (content/posts/<slug>.md).
    title: String,
    /// Mark the post as a draft (left out of builds without --drafts).
    #[arg(long)]
    draft: bool,
    #[command(flatten)]
    root: RootArg,
}

/// Runs `quill new`.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let path =
        quill::scaffold::new_post(&args.root.root, &args.title, args.draft, chrono::Utc::now())?;
    say!("created {}", path.display());
    Ok(ExitCode::SUCCESS)
}
