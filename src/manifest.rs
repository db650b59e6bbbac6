//! The record a build leaves beside its output: the front matter of every source (so the next
//! build need not read unchanged files) and, for every output file, a digest of what it was
//! made from and of its bytes (so the next build renders and rewrites only what changed).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::content::SourceCache;

/// Bumped whenever the meaning of a manifest changes, so an old one is never trusted.
const FORMAT: u32 = 2;

/// What the last build wrote and from what.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    format: u32,
    /// Digest of the site-wide inputs (binary, config, templates, options); any change makes
    /// the whole manifest stale.
    pub site_key: u128,
    /// Front matter by source file.
    pub sources: SourceCache,
    /// Output files by path relative to the output root.
    pub outputs: FxHashMap<String, OutputEntry>,
}

/// One output file of the last build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputEntry {
    /// Digest of its inputs; `None` for files that are rendered every time.
    pub key: Option<u128>,
    /// Digest of its bytes (or, for copied files, of the source file's fingerprint).
    pub hash: u128,
}

impl Manifest {
    /// A new, empty manifest for a build with these site-wide inputs.
    pub fn new(site_key: u128) -> Manifest {
        Manifest {
            format: FORMAT,
            site_key,
            ..Manifest::default()
        }
    }

    /// The manifest of the build in `output_dir`, if there is a readable one of this format.
    /// Anything unreadable counts as none: the next build is then a full one.
    pub fn load(output_dir: &Path) -> Option<Manifest> {
        let bytes = fs::read(path_for(output_dir)).ok()?;
        // The format number comes first, so another format is recognised before it is decoded.
        let (format, _) = postcard::take_from_bytes::<u32>(&bytes).ok()?;
        if format != FORMAT {
            return None;
        }
        postcard::from_bytes(&bytes).ok()
    }

    /// Encodes the manifest into a temporary file beside `output_dir`, not yet in effect.
    pub fn write_pending(&self, output_dir: &Path) -> Result<()> {
        let pending = pending_path(output_dir);
        let bytes = postcard::to_stdvec(self).context("failed to encode the build manifest")?;
        fs::write(&pending, bytes).with_context(|| format!("failed to write {}", pending.display()))
    }

    /// Puts the manifest written by [`Manifest::write_pending`] in effect.
    pub fn install(output_dir: &Path) -> Result<()> {
        let path = path_for(output_dir);
        fs::rename(pending_path(output_dir), &path)
            .with_context(|| format!("failed to write {}", path.display()))
    }

    /// Forgets the last build's manifest, before its output starts to change: if the build
    /// is interrupted then, the next one starts from scratch instead of trusting a stale record.
    pub fn remove(output_dir: &Path) -> Result<()> {
        let path = path_for(output_dir);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("failed to remove {}", path.display()))
            }
            _ => Ok(()),
        }
    }
}

fn pending_path(output_dir: &Path) -> PathBuf {
    let mut name = path_for(output_dir).into_os_string();
    name.push(".new");
    PathBuf::from(name)
}

/// `.public.quill-manifest` beside `public/`: outside the output, so it is never
/// published, and next to it, so each output folder has its own.
pub fn path_for(output_dir: &Path) -> PathBuf {
    let name = output_dir
        .file_name()
        .map_or("public".into(), |n| n.to_string_lossy().into_owned());
    output_dir.with_file_name(format!(".{name}.quill-manifest"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_formats() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let mut manifest = Manifest::new(u128::MAX - 1);
        manifest
            .outputs
            .insert("index.html".into(), OutputEntry { key: None, hash: 7 });
        manifest.write_pending(&out).unwrap();
        assert!(
            Manifest::load(&out).is_none(),
            "not in effect before it is installed"
        );
        Manifest::install(&out).unwrap();
        let loaded = Manifest::load(&out).unwrap();
        assert_eq!(loaded.site_key, u128::MAX - 1);
        assert_eq!(loaded.outputs["index.html"].hash, 7);

        let stale = postcard::to_stdvec(&Manifest {
            format: FORMAT + 1,
            ..Manifest::default()
        })
        .unwrap();
        fs::write(path_for(&out), stale).unwrap();
        assert!(Manifest::load(&out).is_none());
        fs::write(path_for(&out), b"\x01 not a manifest").unwrap();
        assert!(Manifest::load(&out).is_none());
        Manifest::remove(&out).unwrap();
        Manifest::remove(&out).unwrap();
        assert!(!path_for(&out).exists());
    }
}
