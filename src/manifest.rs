//! The records a build leaves beside its output: for every output file, a digest of what it
//! was made from and of its bytes (so the next build renders and rewrites only what changed),
//! the page of its thread each comment of the comments feed was on (so the next build need not
//! read a long, unchanged thread to link it), and, in a file of its own, the front matter of
//! every source (so the next build need not read unchanged files). The second is rewritten only when a source changed: after a new
//! comment, only the first is.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rustc_hash::FxHashMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::content::SourceCache;

/// Bumped whenever the meaning of a manifest or source record changes, so an old one is never
/// trusted.
const FORMAT: u32 = 7;

/// What the last build wrote and from what.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Manifest {
    format: u32,
    /// Digest of the site-wide inputs (binary, config, templates, options); any change makes
    /// the whole manifest stale.
    pub site_key: u128,
    /// Output files by path relative to the output root.
    pub outputs: FxHashMap<String, OutputEntry>,
    /// The page of its thread each comment of `comments.xml` was on, by comment id: the next
    /// build need not read a long, unchanged thread to link its comments.
    pub feed_pages: FxHashMap<i64, FeedPage>,
}

/// Where a comment of the comments feed was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FeedPage {
    /// The post it is on.
    pub post: String,
    /// That post's comment stamp then: while it is the same, so is the page.
    pub stamp: i64,
    /// Its approved comments then.
    pub approved: usize,
    /// The page (1-based).
    pub page: usize,
}

/// One output file of the last build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OutputEntry {
    /// Digest of its inputs; `None` for files that are rendered every time.
    pub key: Option<u128>,
    /// Digest of its bytes (or, for copied files, of the source file's fingerprint).
    pub hash: u128,
    /// For a page showing a comment thread: the digest of its inputs with what it showed of
    /// the thread in place of the thread's stamp. When the stamp changes, a page whose
    /// digest stays the same (a comment went to another page) is not rendered again.
    pub shown: Option<u128>,
}

impl Manifest {
    /// A new, empty manifest for a build with these site-wide inputs.
    pub(crate) fn new(site_key: u128) -> Manifest {
        Manifest {
            format: FORMAT,
            site_key,
            ..Manifest::default()
        }
    }

    /// The manifest of the build in `output_dir`, if there is a readable one of this format.
    /// Anything unreadable counts as none: the next build is then a full one.
    pub(crate) fn load(output_dir: &Path) -> Option<Manifest> {
        read_current(&path_for(output_dir))
    }

    /// Encodes the manifest into a temporary file beside `output_dir`, not yet in effect.
    pub(crate) fn write_pending(&self, output_dir: &Path) -> Result<()> {
        let pending = pending_path(output_dir);
        let bytes = postcard::to_stdvec(self).context("failed to encode the build manifest")?;
        fs::write(&pending, bytes).with_context(|| format!("failed to write {}", pending.display()))
    }

    /// Puts the manifest written by [`Manifest::write_pending`] in effect.
    pub(crate) fn install(output_dir: &Path) -> Result<()> {
        let path = path_for(output_dir);
        fs::rename(pending_path(output_dir), &path)
            .with_context(|| format!("failed to write {}", path.display()))
    }

    /// Forgets the last build's manifest, before its output starts to change: if the build
    /// is interrupted then, the next one starts from scratch instead of trusting a stale record.
    pub(crate) fn remove(output_dir: &Path) -> Result<()> {
        let path = path_for(output_dir);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("failed to remove {}", path.display()))
            }
            _ => Ok(()),
        }
    }
}

/// The front matter of the last build's sources, with the site-wide inputs it was read under.
#[derive(Debug, Default, Serialize, Deserialize)]
struct SourceRecord {
    format: u32,
    site_key: u128,
    sources: SourceCache,
}

/// The front matter recorded beside `output_dir` by a build with the same site-wide inputs;
/// empty when there is none (a cache: entries are trusted only for unchanged files).
pub(crate) fn load_sources(output_dir: &Path, site_key: u128) -> SourceCache {
    read_current::<SourceRecord>(&sources_path(output_dir))
        .filter(|r| r.site_key == site_key)
        .map(|r| r.sources)
        .unwrap_or_default()
}

/// Records the sources' front matter beside `output_dir`, replacing the last record at once.
pub(crate) fn save_sources(output_dir: &Path, site_key: u128, sources: SourceCache) -> Result<()> {
    let record = SourceRecord {
        format: FORMAT,
        site_key,
        sources,
    };
    let path = sources_path(output_dir);
    let pending = pending(&path);
    let bytes = postcard::to_stdvec(&record).context("failed to encode the source record")?;
    fs::write(&pending, bytes)
        .and_then(|()| fs::rename(&pending, &path))
        .with_context(|| format!("failed to write {}", path.display()))
}

fn sources_path(output_dir: &Path) -> PathBuf {
    beside(output_dir, "quill-sources")
}

/// A record of this format at `path`; `None` for a missing, unreadable or older one.
fn read_current<T: DeserializeOwned>(path: &Path) -> Option<T> {
    let bytes = fs::read(path).ok()?;
    // The format number comes first, so another format is recognised before it is decoded.
    let (format, _) = postcard::take_from_bytes::<u32>(&bytes).ok()?;
    if format != FORMAT {
        return None;
    }
    postcard::from_bytes(&bytes).ok()
}

fn pending_path(output_dir: &Path) -> PathBuf {
    pending(&path_for(output_dir))
}

/// Where a record is written before it is renamed over `path`.
fn pending(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// `.public.quill-manifest` beside `public/`: outside the output, so it is never
/// published, and next to it, so each output folder has its own.
pub(crate) fn path_for(output_dir: &Path) -> PathBuf {
    beside(output_dir, "quill-manifest")
}

/// `.public.<suffix>` beside `public/`.
pub(crate) fn beside(output_dir: &Path, suffix: &str) -> PathBuf {
    let name = output_dir
        .file_name()
        .map_or("public".into(), |n| n.to_string_lossy().into_owned());
    output_dir.with_file_name(format!(".{name}.{suffix}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_other_formats() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let mut manifest = Manifest::new(u128::MAX - 1);
        manifest.outputs.insert(
            "index.html".into(),
            OutputEntry {
                key: None,
                hash: 7,
                shown: None,
            },
        );
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

    #[test]
    fn the_source_record_is_read_back_only_under_the_same_site_key() {
        use crate::content::{CachedSource, Fingerprint};
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        assert!(load_sources(&out, 1).is_empty(), "no record yet");
        let entry = CachedSource {
            fingerprint: Fingerprint {
                size: 3,
                secs: 4,
                nanos: 5,
            },
            meta: Default::default(),
            date: None,
            digest: 6,
            settled: true,
            refers: false,
        };
        let sources = SourceCache::from_iter([("content/posts/a.md".to_string(), Box::new(entry))]);
        save_sources(&out, 1, sources).unwrap();
        let loaded = load_sources(&out, 1);
        assert!(loaded["content/posts/a.md"].settled);
        assert_eq!(loaded["content/posts/a.md"].digest, 6);
        assert!(load_sources(&out, 2).is_empty(), "another site key");
        fs::write(sources_path(&out), b"\x07 not a record").unwrap();
        assert!(load_sources(&out, 1).is_empty(), "unreadable");
    }
}
