//! `quill db`: schema status, upgrade and downgrade (the tutorial's `flask db`), and copying
//! the comments into another database (SQLite to PostgreSQL and back).

use std::process::ExitCode;

use clap::Subcommand;
use quill::store::{DbLocation, Store};

use super::{RootArg, location};

/// Flags of `quill db`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(subcommand)]
    command: DbCommand,
    #[command(flatten)]
    root: RootArg,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Show the schema version of the database, the latest known, and what is pending.
    Status,
    /// Upgrade the schema (to the latest, or to --to N), writing a backup first.
    Upgrade {
        /// The version to upgrade to.
        #[arg(long)]
        to: Option<u32>,
    },
    /// Downgrade the schema (one version, or to --to N), writing a backup first.
    Downgrade {
        /// The version to downgrade to.
        #[arg(long)]
        to: Option<u32>,
        /// Allow a downgrade that deletes stored comments and users.
        #[arg(long)]
        yes: bool,
    },
    /// Copy every user and comment into another, empty database (a SQLite path or URL, or a
    /// postgres:// URL), keeping ids, in one transaction.
    Copy {
        /// The target: `comments.db`, `sqlite://path.db` or `postgres://user:pass@host/db`.
        #[arg(long, value_name = "URL")]
        to: String,
    },
}

/// Runs `quill db`.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let location = location(&args.root.root)?;
    match args.command {
        DbCommand::Status => {
            let store = Store::open_unmigrated(&location)?;
            let status = store.schema_status()?;
            say!("database: {location}");
            say!(
                "schema version: {} (latest known: {})",
                status.current,
                status.latest
            );
            if status.current > status.latest {
                say!(
                    "newer than this quill: it knows versions up to {}; use the quill that wrote it, or a newer one",
                    status.latest
                );
            } else if status.pending.is_empty() {
                say!("up to date");
            }
            for (version, name) in status.pending {
                say!("pending: {version} {name}");
            }
        }
        DbCommand::Upgrade { to } => {
            let mut store = Store::open_unmigrated(&location)?;
            let latest = quill::store::migrations::latest();
            let target = to.unwrap_or(latest);
            let current = store.version()?;
            // A database newer than this quill is refused by the migration itself, with why.
            if target < current && current <= latest {
                anyhow::bail!(
                    "version {target} is older than the current one; use `quill db downgrade --to {target}`"
                );
            }
            for note in store.migrate_to(target, false)? {
                say!("{note}");
            }
        }
        DbCommand::Downgrade { to, yes } => {
            let mut store = Store::open_unmigrated(&location)?;
            let current = store.version()?;
            let target = to.unwrap_or(current.saturating_sub(1));
            if target > current {
                anyhow::bail!(
                    "version {target} is newer than the current one; use `quill db upgrade --to {target}`"
                );
            }
            for note in store.migrate_to(target, yes)? {
                say!("{note}");
            }
        }
        DbCommand::Copy { to } => {
            let to = DbLocation::from_url(&args.root.root, &to)?;
            let (copied, notes) = Store::copy(&location, &to)?;
            for note in notes {
                eprintln!("{note}");
            }
            say!(
                "copied {} users and {} comments from {location} to {to} (row counts checked)",
                copied.users,
                copied.comments
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
