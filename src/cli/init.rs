//! `quill init`: a new site in a folder.

use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `quill init`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The folder for the new site (created if missing; default: the current folder).
    #[arg(default_value = ".")]
    dir: PathBuf,
}

/// Runs `quill init`.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    for path in quill::scaffold::init_site(&args.dir)? {
        say!("created {}", path.display());
    }
    say!("next: cd {} && quill build", args.dir.display());
    Ok(ExitCode::SUCCESS)
}
