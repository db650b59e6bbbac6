//! Finishing what an interrupted build left beside its output, before anything else touches
//! it: an update whose journal was written is rolled forward, one that never got that far is
//! discarded, and the staging and old folders of a killed full build are removed (or, when
//! the kill fell between the two renames of the swap, the new build is put in place).
//! The caller holds the output's lock, so whatever is found belongs to a build that is dead.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::remove_tree;
use super::update::{Journal, apply, finish, journal_path, pending_dir};
use crate::manifest::{Manifest, beside};

/// Cleans up after an interrupted build of `output_dir`; returns a note of what it did, if
/// anything needed doing.
pub(crate) fn recover(output_dir: &Path) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    let journal = journal_path(output_dir);
    if journal.exists() {
        let text =
            fs::read(&journal).with_context(|| format!("failed to read {}", journal.display()))?;
        let recorded: Journal = serde_json::from_slice(&text).with_context(|| {
            format!(
                "failed to read {} (remove it and build with --full)",
                journal.display()
            )
        })?;
        apply(output_dir, &pending_dir(output_dir), &recorded)?;
        finish(output_dir)?;
        // The manifest went before the update began; the next build is a full one.
        Manifest::remove(output_dir)?;
        notes.push(format!(
            "finished an interrupted update of {} ({} files)",
            output_dir.display(),
            recorded.renames.len() + recorded.removals.len()
        ));
    }
    let pending = pending_dir(output_dir);
    if pending.exists() {
        remove_tree(&pending).with_context(|| format!("failed to remove {}", pending.display()))?;
    }
    notes.extend(full_build_leftovers(output_dir)?);
    Ok(notes)
}

/// The staging and old folders a killed full build left beside the output.
fn full_build_leftovers(output_dir: &Path) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    let staging_prefix = beside(output_dir, "staging-");
    let old_prefix = beside(output_dir, "old-");
    let (mut staging, mut old) = (Vec::new(), Vec::new());
    let parent = staging_prefix
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let Ok(entries) = fs::read_dir(parent) else {
        return Ok(notes);
    };
    let name_of = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    let (staging_name, old_name) = (name_of(&staging_prefix), name_of(&old_prefix));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let suffix = |prefix: &Option<String>| {
            prefix
                .as_deref()
                .and_then(|p| name.strip_prefix(p))
                .map(str::to_string)
        };
        if let Some(pid) = suffix(&staging_name) {
            staging.push((pid, entry.path()));
        } else if let Some(pid) = suffix(&old_name) {
            old.push((pid, entry.path()));
        }
    }
    // Killed between moving the old output aside and moving the new one in: the staging
    // folder is complete (the swap starts only after everything rendered), so it goes in.
    let half_swapped = staging
        .iter()
        .position(|(pid, _)| old.iter().any(|(other, _)| other == pid));
    if !output_dir.exists()
        && let Some(i) = half_swapped
    {
        let (pid, dir) = staging.swap_remove(i);
        fs::rename(&dir, output_dir).with_context(|| {
            format!(
                "failed to move {} to {}",
                dir.display(),
                output_dir.display()
            )
        })?;
        notes.push(format!(
            "finished the interrupted swap of {} (build {pid})",
            output_dir.display()
        ));
    }
    let leftovers: Vec<PathBuf> = staging.into_iter().chain(old).map(|(_, dir)| dir).collect();
    for dir in &leftovers {
        remove_tree(dir).with_context(|| format!("failed to remove {}", dir.display()))?;
    }
    if !leftovers.is_empty() {
        notes.push(format!(
            "removed {} folders an interrupted build left beside {}",
            leftovers.len(),
            output_dir.display()
        ));
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::super::update::Update;
    use super::*;

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_journal_is_rolled_forward() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir_all(&out).unwrap();
        for name in ["a.html", "b.html", "gone.html"] {
            fs::write(out.join(name), "old").unwrap();
        }
        let update = Update::new(&out).unwrap();
        update.write("a.html", b"new a").unwrap();
        update.write("b.html", b"new b").unwrap();
        // As if killed after the journal and the first rename.
        let journal = Journal {
            renames: vec!["a.html".into(), "b.html".into()],
            removals: vec!["gone.html".into()],
        };
        fs::write(journal_path(&out), serde_json::to_vec(&journal).unwrap()).unwrap();
        fs::rename(pending_dir(&out).join("a.html"), out.join("a.html")).unwrap();
        std::mem::forget(update);
        let notes = recover(&out).unwrap();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(read(&out.join("a.html")), "new a");
        assert_eq!(read(&out.join("b.html")), "new b");
        assert!(!out.join("gone.html").exists());
        let beside: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(beside.len(), 1, "only public/ is left");
        assert!(recover(&out).unwrap().is_empty(), "nothing left to do");
    }

    #[test]
    fn an_update_killed_before_its_journal_is_discarded() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.html"), "old").unwrap();
        let update = Update::new(&out).unwrap();
        update.write("a.html", b"new").unwrap();
        std::mem::forget(update);
        recover(&out).unwrap();
        assert_eq!(read(&out.join("a.html")), "old");
        assert!(!pending_dir(&out).exists());
    }

    #[test]
    fn a_killed_full_build_leaves_nothing_and_a_half_swap_is_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("a.html"), "current").unwrap();
        for leftover in [".public.staging-41", ".public.old-42"] {
            fs::create_dir_all(tmp.path().join(leftover).join("posts")).unwrap();
            fs::write(tmp.path().join(leftover).join("posts/x.html"), "x").unwrap();
        }
        recover(&out).unwrap();
        assert_eq!(read(&out.join("a.html")), "current");
        let beside: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(beside.len(), 1, "the leftovers are gone");
        // Killed between the swap's two renames: the output is missing, both folders are there.
        fs::rename(&out, tmp.path().join(".public.old-7")).unwrap();
        fs::create_dir_all(tmp.path().join(".public.staging-7")).unwrap();
        fs::write(tmp.path().join(".public.staging-7/a.html"), "new").unwrap();
        recover(&out).unwrap();
        assert_eq!(read(&out.join("a.html")), "new");
        let beside: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(beside.len(), 1);
    }
}
