//! `quill build`.

/// Flags of `quill build`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `quill build`.
pub fn run(_args: Args) -> anyhow::Result<std::process::ExitCode> {
    anyhow::bail!("not yet implemented")
}
