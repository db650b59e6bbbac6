//! `quill init`.

/// Flags of `quill init`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `quill init`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet implemented")
}
