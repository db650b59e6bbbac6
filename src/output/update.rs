//! An incremental change to an existing output folder. Changed files are written into a
//! pending folder beside the output (`.public.quill-pending/`), never inside it. When every
//! file is ready, a journal beside the output (`.public.quill-journal`) records the renames
//! and removals, and only then are they made: the output is mixed for that burst of renames
//! alone, and a process killed during it leaves a journal from which the next build finishes
//! the job ([`super::recover`]).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use super::{checked_join, remove_tree};
use crate::manifest::beside;

/// What an update changes in the output, written down before any of it is done.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Journal {
    /// Files in the pending folder to move into the output, by relative path.
    pub renames: Vec<String>,
    /// Files of the output to remove, by relative path.
    pub removals: Vec<String>,
}

/// `.public.quill-pending/` beside `public/`.
pub(super) fn pending_dir(output_dir: &Path) -> PathBuf {
    beside(output_dir, "quill-pending")
}

/// `.public.quill-journal` beside `public/`.
pub(super) fn journal_path(output_dir: &Path) -> PathBuf {
    beside(output_dir, "quill-journal")
}

/// A change being prepared; dropped without [`Update::commit`], it leaves the output as it was.
#[derive(Debug)]
pub(crate) struct Update {
    dir: PathBuf,
    pending_dir: PathBuf,
    pending: Mutex<Vec<String>>,
    committed: bool,
}

/// What a committed update did.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Committed {
    /// Files written into the output.
    pub written: usize,
    /// How long the output was mixed: the renames and removals.
    pub mixed_for: Duration,
}

impl Update {
    /// Starts changing the output folder `dir`, with an empty pending folder beside it.
    pub(crate) fn new(dir: &Path) -> Result<Update> {
        let pending_dir = pending_dir(dir);
        if pending_dir.exists() {
            remove_tree(&pending_dir)
                .with_context(|| format!("failed to clear {}", pending_dir.display()))?;
        }
        fs::create_dir(&pending_dir)
            .with_context(|| format!("failed to create {}", pending_dir.display()))?;
        Ok(Update {
            dir: dir.to_path_buf(),
            pending_dir,
            pending: Mutex::new(Vec::new()),
            committed: false,
        })
    }

    /// Writes a file at a `/`-separated path relative to the output root.
    pub(crate) fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = self.prepare(relative)?;
        fs::write(&path, bytes).with_context(|| format!("failed to write {}", path.display()))?;
        self.note(relative);
        Ok(())
    }

    /// Copies a file to a `/`-separated path relative to the output root.
    pub(crate) fn copy(&self, from: &Path, relative: &str) -> Result<()> {
        let path = self.prepare(relative)?;
        fs::copy(from, &path)
            .with_context(|| format!("failed to copy {} to {}", from.display(), path.display()))?;
        self.note(relative);
        Ok(())
    }

    fn prepare(&self, relative: &str) -> Result<PathBuf> {
        // Checked against the output too: the journal's paths are joined to it later.
        checked_join(&self.dir, relative)?;
        let path = checked_join(&self.pending_dir, relative)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        Ok(path)
    }

    fn note(&self, relative: &str) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(relative.trim_start_matches('/').to_string());
    }

    /// Records the change in the journal, then moves every written file into place and
    /// removes the files in `removed` (relative paths), with any folders they leave empty.
    pub(crate) fn commit(mut self, removed: &[String]) -> Result<Committed> {
        let renames = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        let journal = Journal {
            renames,
            removals: removed.to_vec(),
        };
        write_journal(&self.dir, &journal)?;
        // From here on the change is decided: an interruption is finished by the next build.
        self.committed = true;
        let started = Instant::now();
        apply(&self.dir, &self.pending_dir, &journal)?;
        let mixed_for = started.elapsed();
        finish(&self.dir)?;
        Ok(Committed {
            written: journal.renames.len(),
            mixed_for,
        })
    }
}

impl Drop for Update {
    fn drop(&mut self) {
        if !self.committed {
            let _ = remove_tree(&self.pending_dir);
        }
    }
}

/// Writes the journal durably and atomically: a journal is either whole or absent.
fn write_journal(output_dir: &Path, journal: &Journal) -> Result<()> {
    let path = journal_path(output_dir);
    let partial = beside(output_dir, "quill-journal-partial");
    let bytes = serde_json::to_vec(journal).context("failed to encode the build journal")?;
    let written = fs::File::create(&partial).and_then(|mut file| {
        std::io::Write::write_all(&mut file, &bytes)?;
        file.sync_all()
    });
    written
        .and_then(|()| fs::rename(&partial, &path))
        .with_context(|| format!("failed to write {}", path.display()))
}

/// Makes the journal's renames and removals. Done again after an interruption, it finishes
/// the job: a file already moved is no longer pending, and one already removed is gone.
pub(super) fn apply(output_dir: &Path, pending_dir: &Path, journal: &Journal) -> Result<()> {
    let crash_after = crash_after_renames();
    for (done, relative) in journal.renames.iter().enumerate() {
        if crash_after == Some(done) {
            // A kill -9 in the middle of the renames, made repeatable for the tests.
            std::process::abort();
        }
        let from = checked_join(pending_dir, relative)?;
        let to = checked_join(output_dir, relative)?;
        if !from.exists() {
            continue;
        }
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        fs::rename(&from, &to).with_context(|| format!("failed to replace {}", to.display()))?;
    }
    for relative in &journal.removals {
        let target = checked_join(output_dir, relative)?;
        match fs::remove_file(&target) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("failed to remove {}", target.display()));
            }
            _ => {}
        }
        // Folders left empty go too, as a full build would not have made them.
        let mut folder = target.parent();
        while let Some(dir) = folder.filter(|d| *d != output_dir) {
            if fs::remove_dir(dir).is_err() {
                break;
            }
            folder = dir.parent();
        }
    }
    Ok(())
}

/// `QUILL_CRASH_AFTER_RENAMES=N` makes the process die after N renames: fault injection for
/// the tests of interrupted builds, which must not depend on when a signal lands.
fn crash_after_renames() -> Option<usize> {
    std::env::var("QUILL_CRASH_AFTER_RENAMES")
        .ok()?
        .parse()
        .ok()
}

/// Ends an applied update: the journal goes first, then what is left of the pending folder
/// (only empty folders).
pub(super) fn finish(output_dir: &Path) -> Result<()> {
    let journal = journal_path(output_dir);
    fs::remove_file(&journal).with_context(|| format!("failed to remove {}", journal.display()))?;
    let pending = pending_dir(output_dir);
    remove_tree(&pending).with_context(|| format!("failed to remove {}", pending.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn nothing_is_written_inside_the_output_before_the_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir_all(out.join("posts/a")).unwrap();
        fs::write(out.join("posts/a/index.html"), "old").unwrap();
        fs::write(out.join("gone.html"), "old").unwrap();
        let update = Update::new(&out).unwrap();
        update.write("posts/a/index.html", b"new").unwrap();
        update.write("posts/b/index.html", b"new b").unwrap();
        assert_eq!(names(&out), ["gone.html", "posts"]);
        assert_eq!(names(&out.join("posts")), ["a"]);
        assert_eq!(
            fs::read_to_string(out.join("posts/a/index.html")).unwrap(),
            "old"
        );
        let committed = update.commit(&["gone.html".to_string()]).unwrap();
        assert_eq!(committed.written, 2);
        assert_eq!(names(&out), ["posts"]);
        assert_eq!(
            fs::read_to_string(out.join("posts/b/index.html")).unwrap(),
            "new b"
        );
        assert_eq!(
            names(tmp.path()),
            ["public"],
            "no journal or pending folder is left"
        );
    }

    #[test]
    fn a_dropped_update_leaves_the_output_and_nothing_beside_it() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.html"), "old").unwrap();
        let update = Update::new(&out).unwrap();
        update.write("a.html", b"new").unwrap();
        update.write("new/b.html", b"new").unwrap();
        drop(update);
        assert_eq!(names(&out), ["a.html"]);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "old");
        assert_eq!(names(tmp.path()), ["public"]);
    }

    #[test]
    fn paths_cannot_escape() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir_all(&out).unwrap();
        let update = Update::new(&out).unwrap();
        assert!(update.write("../evil.html", b"x").is_err());
        assert!(update.write("a/../../evil.html", b"x").is_err());
    }
}
