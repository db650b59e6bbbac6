//! Writing a build: either everything into a staging folder that then replaces the output, or
//! only the changed files into the existing output. Either way the manifest that records what
//! was written is encoded while the output is put in place, and installed after it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use walkdir::WalkDir;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use crate::content::Fingerprint;
use crate::manifest::{Manifest, OutputEntry};
use crate::output::{Staging, Update};
use crate::render::{Rendered, Sink};
use crate::site::Site;

/// A file copied into the output as it is: from `static/` or from a post bundle.
#[derive(Debug)]
pub(super) struct CopiedFile {
    /// The source file.
    pub from: PathBuf,
    /// A digest of its source's path and fingerprint, or of its bytes when it changed too
    /// recently for its fingerprint to be trusted.
    pub key: u128,
}

/// Files copied as they are (`static/` first, then bundle files over them), by output path.
pub(super) fn copied_files(root: &Path, site: &Site) -> Result<BTreeMap<String, CopiedFile>> {
    let mut copies = BTreeMap::new();
    let mut add = |from: PathBuf, to: String| -> Result<()> {
        let metadata = std::fs::metadata(&from)
            .with_context(|| format!("failed to read {}", from.display()))?;
        let f = Fingerprint::of(&metadata);
        let mut hasher = Xxh3::new();
        hasher.update(from.to_string_lossy().as_bytes());
        f.hash_into(&mut hasher);
        if f.is_recent() {
            let bytes = std::fs::read(&from)
                .with_context(|| format!("failed to read {}", from.display()))?;
            hasher.update(&bytes);
        }
        copies.insert(
            to,
            CopiedFile {
                from,
                key: hasher.digest128(),
            },
        );
        Ok(())
    };
    let static_dir = root.join("static");
    if static_dir.is_dir() {
        for entry in WalkDir::new(&static_dir).sort_by_file_name() {
            let entry =
                entry.with_context(|| format!("failed to walk {}", static_dir.display()))?;
            if entry.file_type().is_file() {
                let relative = entry
                    .path()
                    .strip_prefix(&static_dir)
                    .unwrap_or(entry.path());
                let to = relative.to_string_lossy().replace('\\', "/");
                add(entry.into_path(), to)?;
            }
        }
    }
    for (from, to) in &site.assets {
        add(from.clone(), to.clone())?;
    }
    Ok(copies)
}

/// Every file of the new output: the rendered ones with their keys, the copied ones, and
/// what the last build wrote that is gone now.
#[derive(Debug)]
pub(super) struct Outputs<'a> {
    planned: Vec<(String, Option<u128>)>,
    copies: BTreeMap<&'a str, &'a CopiedFile>,
    removed: Vec<String>,
    previous: Option<&'a Manifest>,
}

impl<'a> Outputs<'a> {
    /// The rendered files (`planned`, with their keys) and the copied ones; a rendered file
    /// wins over a copied one at the same path, as it did when written last.
    pub(super) fn new(
        planned: Vec<(String, Option<u128>)>,
        copies: &'a BTreeMap<String, CopiedFile>,
        previous: Option<&'a Manifest>,
    ) -> Outputs<'a> {
        let rendered: FxHashSet<&str> = planned.iter().map(|(f, _)| f.as_str()).collect();
        let copies: BTreeMap<&str, &CopiedFile> = copies
            .iter()
            .filter(|(path, _)| !rendered.contains(path.as_str()))
            .map(|(path, c)| (path.as_str(), c))
            .collect();
        let mut removed: Vec<String> = previous.map_or_else(Vec::new, |m| {
            m.outputs
                .keys()
                .filter(|p| !rendered.contains(p.as_str()) && !copies.contains_key(p.as_str()))
                .cloned()
                .collect()
        });
        removed.sort();
        Outputs {
            planned,
            copies,
            removed,
            previous,
        }
    }

    /// How many files the output has.
    pub(super) fn count(&self) -> usize {
        self.planned.len() + self.copies.len()
    }

    /// The manifest of this build: each file's key, the digest of its bytes (just rendered,
    /// or kept from the last build) and, for the pages of threads, what they show of them
    /// (`shown`, worked out in this build or kept with an unchanged key).
    pub(super) fn manifest(
        &self,
        site_key: u128,
        hashes: FxHashMap<String, u128>,
        shown: &FxHashMap<String, u128>,
    ) -> Result<Manifest> {
        let mut manifest = Manifest::new(site_key);
        manifest
            .outputs
            .reserve(self.planned.len() + self.copies.len());
        for (file, key) in &self.planned {
            let last = self.previous.and_then(|m| m.outputs.get(file));
            let hash = match hashes.get(file) {
                Some(hash) => *hash,
                None => last
                    .map(|e| e.hash)
                    .context("internal error: a file was neither rendered nor kept")?,
            };
            let shown = shown
                .get(file)
                .copied()
                .or_else(|| last.filter(|e| e.key == *key).and_then(|e| e.shown));
            manifest.outputs.insert(
                file.clone(),
                OutputEntry {
                    key: *key,
                    hash,
                    shown,
                },
            );
        }
        for (path, copied) in &self.copies {
            let entry = OutputEntry {
                key: Some(copied.key),
                hash: copied.key,
                shown: None,
            };
            manifest.outputs.insert(path.to_string(), entry);
        }
        Ok(manifest)
    }
}

/// Whether two files hold the same bytes (false when either cannot be read).
fn same_bytes(a: &Path, b: &Path) -> bool {
    let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) else {
        return false;
    };
    ma.len() == mb.len() && matches!((std::fs::read(a), std::fs::read(b)), (Ok(x), Ok(y)) if x == y)
}

/// What the rendering step is given: a sink for each rendered file.
pub(super) type Render<'r> = dyn FnMut(&Sink<'_>) -> Result<()> + 'r;

/// What writing a build did.
#[derive(Debug, Clone, Copy)]
pub(super) struct Written {
    /// Files written.
    pub files: usize,
    /// How long an incremental build's renames left the output mixed; `None` for a full
    /// build, which swaps the whole folder at once.
    pub mixed_for: Option<std::time::Duration>,
}

/// Writes a build into `output_dir`: a full one without `previous`, else an update of it
/// that writes only changed files and removes those that are gone. `record` turns the digests
/// of the rendered files into the new manifest.
pub(super) fn write(
    output_dir: &Path,
    previous: Option<&Manifest>,
    outputs: &Outputs<'_>,
    render: &mut Render<'_>,
    record: impl FnOnce(FxHashMap<String, u128>) -> Result<Manifest>,
) -> Result<Written> {
    let copies = &outputs.copies;
    let hashes: Mutex<FxHashMap<String, u128>> = Mutex::new(FxHashMap::default());
    let hash_of = |file: &Rendered| -> u128 {
        let hash = xxh3_128(&file.bytes);
        hashes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(file.path.clone(), hash);
        hash
    };
    let written = match previous {
        None => {
            let staging = Staging::new(output_dir)?;
            for (path, copied) in copies {
                staging.copy(&copied.from, path)?;
            }
            render(&|file| {
                hash_of(file);
                staging.write(&file.path, &file.bytes)
            })?;
            let manifest = record(hashes.into_inner().unwrap_or_else(|e| e.into_inner()))?;
            // A record of the old output must not survive into the new one, if the swap is
            // interrupted and finished by the next build.
            Manifest::remove(output_dir)?;
            let (encoded, swapped) =
                rayon::join(|| manifest.write_pending(output_dir), || staging.commit());
            swapped?;
            encoded?;
            Written {
                files: manifest.outputs.len(),
                mixed_for: None,
            }
        }
        Some(previous) => {
            // From here on the output changes: without a manifest, an interrupted update
            // makes the next build a full one instead of trusting a stale record.
            Manifest::remove(output_dir)?;
            let update = Update::new(output_dir)?;
            for (path, copied) in copies {
                let unchanged = previous
                    .outputs
                    .get(*path)
                    .is_some_and(|e| e.key == Some(copied.key));
                // A key also changes when a file stops being too recent to trust by its
                // fingerprint alone; the bytes then tell whether it really changed.
                if !unchanged && !same_bytes(&copied.from, &output_dir.join(path)) {
                    update.copy(&copied.from, path)?;
                }
            }
            render(&|file| {
                let hash = hash_of(file);
                let unchanged = previous
                    .outputs
                    .get(&file.path)
                    .is_some_and(|e| e.hash == hash);
                if unchanged {
                    Ok(())
                } else {
                    update.write(&file.path, &file.bytes)
                }
            })?;
            let manifest = record(hashes.into_inner().unwrap_or_else(|e| e.into_inner()))?;
            let (encoded, updated) = rayon::join(
                || manifest.write_pending(output_dir),
                || update.commit(&outputs.removed),
            );
            let committed = updated?;
            encoded?;
            Written {
                files: committed.written,
                mixed_for: Some(committed.mixed_for),
            }
        }
    };
    Manifest::install(output_dir)?;
    Ok(written)
}
