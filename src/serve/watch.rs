//! Watching the site for changes that need a rebuild, with changes close together coalesced.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{RecursiveMode, Watcher};

/// How long the site must be quiet before a rebuild starts, so a save of many files builds once.
const QUIET: Duration = Duration::from_millis(120);

/// A question [`SiteWatcher::next_change`] asks while the files are quiet.
pub(super) struct Poll<'a> {
    /// How often to ask.
    pub interval: Duration,
    /// Whether something changed since the last time it was asked.
    pub changed: &'a mut dyn FnMut() -> bool,
}

/// Watches a site root and yields batches of changed paths that matter to the build.
pub(super) struct SiteWatcher {
    _watcher: notify::RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    root: PathBuf,
    watched_files: Vec<PathBuf>,
}

impl SiteWatcher {
    /// Starts watching `root`; `watched_files` are extra files (such as the database) that count.
    pub(super) fn new(root: &Path, watched_files: Vec<PathBuf>) -> Result<SiteWatcher> {
        let (tx, events) = channel();
        let mut watcher =
            notify::recommended_watcher(tx).context("failed to start watching files")?;
        let root = std::fs::canonicalize(root)
            .with_context(|| format!("failed to open {}", root.display()))?;
        // notify reports absolute, resolved paths; compare like with like.
        let watched_files: Vec<PathBuf> = watched_files.iter().map(|f| resolved(f)).collect();
        watcher
            .watch(&root, RecursiveMode::Recursive)
            .with_context(|| format!("failed to watch {}", root.display()))?;
        for file in &watched_files {
            if let Some(dir) = file
                .parent()
                .filter(|d| !d.starts_with(&root) && d.is_dir())
            {
                let _ = watcher.watch(dir, RecursiveMode::NonRecursive);
            }
        }
        Ok(SiteWatcher {
            _watcher: watcher,
            events,
            root,
            watched_files,
        })
    }

    /// Blocks until something relevant changes, then until things are quiet; returns what changed.
    /// While nothing happens, `poll` (if any) is asked every `interval` whether something the
    /// file system cannot tell about changed (a server database); an empty list says it did.
    pub(super) fn next_change(&self, mut poll: Option<Poll<'_>>) -> Option<Vec<PathBuf>> {
        let mut changed = Vec::new();
        loop {
            let event = if changed.is_empty() {
                match &mut poll {
                    None => self.events.recv().ok()?,
                    Some(poll) => match self.events.recv_timeout(poll.interval) {
                        Ok(event) => event,
                        Err(RecvTimeoutError::Timeout) if (poll.changed)() => return Some(changed),
                        Err(RecvTimeoutError::Timeout) => continue,
                        Err(RecvTimeoutError::Disconnected) => return None,
                    },
                }
            } else {
                match self.events.recv_timeout(QUIET) {
                    Ok(event) => event,
                    Err(RecvTimeoutError::Timeout) => return Some(changed),
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            };
            let Ok(event) = event else { continue };
            // Reads, and metadata touches (SQLite re-owns its WAL file on open when run as
            // root), change nothing the build reads.
            if matches!(
                event.kind,
                notify::EventKind::Access(_)
                    | notify::EventKind::Modify(notify::event::ModifyKind::Metadata(_))
            ) {
                continue;
            }
            changed.extend(event.paths.into_iter().filter(|p| self.matters(p)));
        }
    }

    fn matters(&self, path: &Path) -> bool {
        if self
            .watched_files
            .iter()
            .any(|f| path.starts_with(f) || same_db_file(f, path))
        {
            return true;
        }
        let Ok(relative) = path.strip_prefix(&self.root) else {
            return false;
        };
        relative == Path::new(crate::config::CONFIG_FILE)
            || ["content", "templates", "static"]
                .iter()
                .any(|d| relative.starts_with(d))
    }
}

/// `file` made absolute with its folder resolved (the file itself may not exist yet).
fn resolved(file: &Path) -> PathBuf {
    let absolute = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => {
            std::fs::canonicalize(dir).map_or_else(|_| absolute.clone(), |d| d.join(name))
        }
        _ => absolute,
    }
}

/// SQLite writes go to `-wal` and `-journal` files beside the database. The `-shm` file
/// changes when anyone merely reads, the build included: watching it would rebuild forever.
fn same_db_file(db: &Path, path: &Path) -> bool {
    let (Some(db_name), Some(name)) = (db.file_name(), path.file_name()) else {
        return false;
    };
    let (db_name, name) = (db_name.to_string_lossy(), name.to_string_lossy());
    path.parent() == db.parent()
        && (name == db_name
            || name == format!("{db_name}-wal")
            || name == format!("{db_name}-journal"))
}
