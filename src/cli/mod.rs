//! Command-line arguments (clap derive), one file per subcommand; each turns its flags into
//! the library's plain option structs and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` for what a command reports on standard output; see [`say`].
macro_rules! say {
    () => {
        $crate::cli::say(format_args!(""))
    };
    ($($arg:tt)*) => {
        $crate::cli::say(format_args!($($arg)*))
    };
}

mod build;
mod comments;
mod db;
mod import;
mod ingest;
mod init;
mod new;
mod serve;
mod users;
mod webmention;

/// quill: a static site generator for personal blogs, with comments.
#[derive(Debug, Parser)]
#[command(name = "quill", version, about, long_about = None)]
pub(crate) struct Cli {
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
    /// Validate submitted comments and store them with their users.
    Ingest(ingest::Args),
    /// Bring comments over from Disqus, WordPress, Staticman or Isso, or mentions from webmention.io.
    Import(import::Args),
    /// Inspect and change the database schema (status, upgrade, downgrade).
    Db(db::Args),
    /// The author's console for comments: list, show, approve, spam, delete, move, export.
    Comments(comments::Args),
    /// The people who commented: list, show, delete.
    Users(users::Args),
    /// Webmentions: send them to the pages the posts link to.
    Webmention(webmention::Args),
}

/// The site root shared by every command that works on a site.
#[derive(Debug, clap::Args)]
pub(crate) struct RootArg {
    /// The site's root directory, where site.toml is.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

/// Runs the parsed command and returns the process exit code.
pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Build(args) => build::run(args),
        Command::Init(args) => init::run(args),
        Command::New(args) => new::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Ingest(args) => ingest::run_ingest(args),
        Command::Import(args) => import::run_import(args),
        Command::Db(args) => db::run(args),
        Command::Comments(args) => comments::run(args),
        Command::Users(args) => users::run(args),
        Command::Webmention(args) => webmention::run(args),
    }
}

/// Where this site's comment database is (`DATABASE_URL` first, then site.toml).
pub(crate) fn location(root: &std::path::Path) -> anyhow::Result<quill::store::DbLocation> {
    let config = quill::config::SiteConfig::load(root)?;
    quill::store::DbLocation::resolve(root, &config)
}

/// Opens the database to read; `None` when there is none yet.
pub(crate) fn open_read(root: &std::path::Path) -> anyhow::Result<Option<quill::store::Store>> {
    quill::store::Store::open_read_only(&location(root)?)
}

/// Opens the database to write, creating or upgrading it, and says what that did.
pub(crate) fn open_write(root: &std::path::Path) -> anyhow::Result<quill::store::Store> {
    let (store, notes) = quill::store::Store::open_for_write(&location(root)?)?;
    for note in notes {
        eprintln!("{note}");
    }
    Ok(store)
}

/// Says on standard error that a write waits for another writer's lock, and for whom.
fn tell_waiting(holder: &str) {
    eprintln!("waiting for {holder} to finish");
}

/// Writes one line to standard output. A reader that stopped reading (`quill comments export |
/// head`) ends the command quietly, as it ends `cat`, instead of the panic `println!` gives:
/// every command prints only after its work is done and stored.
pub(crate) fn say(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    finish_on_broken_pipe(out.write_fmt(line).and_then(|()| out.write_all(b"\n")));
}

/// Writes text to standard output as it is, ending quietly if its reader stopped (see [`say`]).
pub(crate) fn write_out(text: &[u8]) {
    use std::io::Write;
    finish_on_broken_pipe(std::io::stdout().lock().write_all(text));
}

fn finish_on_broken_pipe(written: std::io::Result<()>) {
    match written {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => {
            eprintln!("error: failed to write to standard output: {e}");
            std::process::exit(1);
        }
    }
}
