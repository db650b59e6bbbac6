//! Writing the output. A full build goes into a staging directory beside the output, which is
//! swapped in only when the whole build succeeded; an incremental one writes its changed files
//! beside the output too and renames them in after a journal records the renames
//! (`update`). A failed build leaves the old output as it was; an interrupted one is
//! finished by the next (`recover`). No temporary file ever lives inside the output.

mod recover;
mod update;

pub(crate) use recover::recover;
pub(crate) use update::Update;

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

/// A directory being filled with a new build; removed again unless [`Staging::commit`] is called.
#[derive(Debug)]
pub(crate) struct Staging {
    dir: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl Staging {
    /// Creates an empty staging directory next to `target`.
    pub(crate) fn new(target: &Path) -> Result<Staging> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
        let name = target
            .file_name()
            .map_or("public".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.staging-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir)
                .with_context(|| format!("failed to clear {}", dir.display()))?;
        }
        fs::create_dir(&dir).with_context(|| format!("failed to create {}", dir.display()))?;
        Ok(Staging {
            dir,
            target: target.to_path_buf(),
            committed: false,
        })
    }

    /// The staging directory itself.
    #[cfg(test)]
    fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes a file at a `/`-separated path relative to the output root.
    pub(crate) fn write(&self, relative: &str, bytes: &[u8]) -> Result<()> {
        let path = self.path_of(relative)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        fs::write(&path, bytes).with_context(|| format!("failed to write {}", path.display()))
    }

    /// Copies a file to a `/`-separated path relative to the output root.
    pub(crate) fn copy(&self, from: &Path, relative: &str) -> Result<()> {
        let path = self.path_of(relative)?;
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        fs::copy(from, &path)
            .with_context(|| format!("failed to copy {} to {}", from.display(), path.display()))?;
        Ok(())
    }

    fn path_of(&self, relative: &str) -> Result<PathBuf> {
        checked_join(&self.dir, relative)
    }

    /// Swaps the staging directory in place of the target; the old output is removed after.
    pub(crate) fn commit(mut self) -> Result<()> {
        let old = self.dir.with_file_name(format!(
            ".{}.old-{}",
            self.target
                .file_name()
                .map_or("public".into(), |n| n.to_string_lossy().into_owned()),
            std::process::id()
        ));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &old).with_context(|| {
                format!("failed to move the old {} aside", self.target.display())
            })?;
        }
        if let Err(err) = fs::rename(&self.dir, &self.target) {
            if had_old {
                // Put the previous output back so a failed swap changes nothing.
                let _ = fs::rename(&old, &self.target);
            }
            return Err(err).with_context(|| {
                format!("failed to move the new build to {}", self.target.display())
            });
        }
        self.committed = true;
        if had_old {
            remove_tree(&old)
                .with_context(|| format!("failed to remove the old output {}", old.display()))?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Removes a folder and everything in it, folders in parallel: the old output of a large
/// site is thousands of files, and unlinking them one by one is much of a build's wall time.
pub(crate) fn remove_tree(dir: &Path) -> std::io::Result<()> {
    use rayon::prelude::*;
    let entries: Vec<fs::DirEntry> = fs::read_dir(dir)?.collect::<std::io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            remove_tree(&entry.path())
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(dir)
}

/// One build at a time for an output folder, across processes (`quill serve -o public` beside
/// `quill build`): an advisory lock on a file beside the folder, which the system releases
/// when the holder exits, however it exits.
#[derive(Debug)]
pub(crate) struct OutputLock {
    _file: fs::File,
}

impl OutputLock {
    /// Takes the lock of `output_dir`, calling `waiting` first if another build holds it.
    pub(crate) fn acquire(output_dir: &Path, waiting: impl FnOnce()) -> Result<OutputLock> {
        let path = lock_path(output_dir);
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("failed to open the build lock {}", path.display()))?;
        let failed = || format!("failed to lock {}", path.display());
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock().with_context(failed)?;
            }
            Err(fs::TryLockError::Error(err)) => return Err(err).with_context(failed),
        }
        Ok(OutputLock { _file: file })
    }
}

/// `.public.quill-lock` beside `public/`.
fn lock_path(output_dir: &Path) -> PathBuf {
    crate::manifest::beside(output_dir, "quill-lock")
}

/// `dir` joined with a `/`-separated relative path that may not leave it.
pub(crate) fn checked_join(dir: &Path, relative: &str) -> Result<PathBuf> {
    let relative = relative.trim_start_matches('/');
    let unsafe_part = Path::new(relative)
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)));
    if relative.is_empty() || unsafe_part {
        bail!("refusing to write outside the output folder: {relative:?}");
    }
    Ok(dir.join(relative))
}

/// Refuses output folders whose replacement would destroy the site itself.
pub(crate) fn check_output_dir(root: &Path, output: &Path) -> Result<()> {
    let root = fs::canonicalize(root)
        .with_context(|| format!("failed to open the site root {}", root.display()))?;
    let output_abs = absolute(output)?;
    if root.starts_with(&output_abs) {
        bail!(
            "refusing to build into {}: it contains the site itself (pick a folder such as public/)",
            output.display()
        );
    }
    for protected in ["content", "templates", "static", crate::config::CONFIG_FILE] {
        let protected = root.join(protected);
        if output_abs.starts_with(&protected) {
            bail!(
                "refusing to build into {}: it is inside the site's {} (pick a folder such as public/)",
                output.display(),
                protected.display()
            );
        }
    }
    Ok(())
}

/// The absolute form of a path that may not exist yet, resolving its existing ancestors.
fn absolute(path: &Path) -> Result<PathBuf> {
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut existing = path.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.into_iter().rev() {
        resolved.push(name);
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape() {
        let tmp = tempfile::tempdir().unwrap();
        let staging = Staging::new(&tmp.path().join("public")).unwrap();
        assert!(staging.write("../evil.html", b"x").is_err());
        assert!(staging.write("/abs/../../x", b"x").is_err());
        assert!(staging.write("posts/a/index.html", b"ok").is_ok());
    }

    #[test]
    fn uncommitted_staging_is_removed_and_target_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("old.html"), "old").unwrap();
        let staging = Staging::new(&target).unwrap();
        staging.write("new.html", b"new").unwrap();
        let dir = staging.dir().to_path_buf();
        drop(staging);
        assert!(!dir.exists());
        assert_eq!(fs::read_to_string(target.join("old.html")).unwrap(), "old");
    }

    #[test]
    fn commit_replaces_the_whole_output() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("public");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("stale.html"), "old").unwrap();
        let staging = Staging::new(&target).unwrap();
        staging.write("new.html", b"new").unwrap();
        staging.commit().unwrap();
        assert!(!target.join("stale.html").exists());
        assert_eq!(fs::read_to_string(target.join("new.html")).unwrap(), "new");
        let leftovers: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only public/ remains");
    }

    #[test]
    fn output_over_the_site_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("content")).unwrap();
        assert!(check_output_dir(tmp.path(), tmp.path()).is_err());
        assert!(check_output_dir(tmp.path(), &tmp.path().join("content/out")).is_err());
        assert!(check_output_dir(tmp.path(), tmp.path().parent().unwrap()).is_err());
        assert!(check_output_dir(tmp.path(), &tmp.path().join("public")).is_ok());
    }
}
