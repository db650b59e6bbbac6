//! Command-line arguments (clap derive), one file per subcommand; each turns its flags into
//! the library's plain option structs and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;
mod init;
mod new;
mod serve;

/// quill: a static site generator for personal blogs, with comments.
#[derive(Debug, Parser)]
#[command(name = "quill", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render content/ through the templates into public/.
    Build(build::Args),
    /// Create a new, buildable site.
    Init(init::Args),
    /// Create a new post with its front matter filled in.
    New(new::Args),
    /// Preview the site locally, rebuilding and reloading on every change.
    Serve(serve::Args),
}

/// The site root shared by every command that works on a site.
#[derive(Debug, clap::Args)]
pub struct RootArg {
    /// The site's root directory, where site.toml is.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Init(args) => init::run(args),
        Command::New(args) => new::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
