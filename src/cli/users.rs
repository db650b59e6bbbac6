//! `quill users`: the people who commented (list, show, forget).

use std::process::ExitCode;

use clap::Subcommand;

use super::{RootArg, open_read, open_write};

/// Flags of `quill users`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(subcommand)]
    command: UsersCommand,
    #[command(flatten)]
    root: RootArg,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// List users with their number of comments.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one user.
    Show {
        /// The user's id.
        id: i64,
    },
    /// Delete a user and every comment of theirs (a request to be forgotten).
    Delete {
        /// The user's id.
        id: i64,
        /// Confirm: this cannot be undone.
        #[arg(long)]
        yes: bool,
    },
}

/// Runs `quill users`.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = &args.root.root;
    match args.command {
        UsersCommand::List { json } => {
            let users = match open_read(root)? {
                Some(store) => store.users()?,
                None => Vec::new(),
            };
            if json {
                say!("{}", serde_json::to_string_pretty(&users)?);
            } else {
                say!("{:>6}  {:<24} {:<32} comments", "id", "username", "email");
                for u in &users {
                    say!(
                        "{:>6}  {:<24} {:<32} {}",
                        u.id,
                        u.username,
                        u.email,
                        u.comments
                    );
                }
                say!(
                    "{} user{}",
                    users.len(),
                    if users.len() == 1 { "" } else { "s" }
                );
            }
        }
        UsersCommand::Show { id } => {
            let Some(store) = open_read(root)? else {
                anyhow::bail!("no user with id {id}: there is no comment database yet");
            };
            let u = store.user(id)?;
            say!("id:        {}", u.id);
            say!("username:  {}", u.username);
            say!("email:     {}", u.email);
            say!("since:     {}", u.created_at);
            say!("comments:  {}", u.comments);
        }
        UsersCommand::Delete { id, yes } => {
            if !yes {
                anyhow::bail!(
                    "deleting user {id} also deletes every comment of theirs; add --yes to confirm"
                );
            }
            let mut store = open_write(root)?;
            let user = store.user(id)?;
            let comments = store.delete_user(id)?;
            say!(
                "deleted user {id} ({}) and {comments} comment{}",
                user.username,
                if comments == 1 { "" } else { "s" }
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
