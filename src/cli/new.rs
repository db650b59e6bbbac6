//! `quill new`.

/// Flags of `quill new`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `quill new`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet implemented")
}
