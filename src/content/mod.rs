//! The site's content: discovering Markdown files under `content/`, reading their front matter,
//! and deciding what each one is (a post or a page), where it goes, and what comes with it.

pub mod dates;
pub mod front_matter;
pub mod lang;
pub mod permalink;
mod place;
mod scan;
pub mod slug;

pub use scan::{is_html, scan};

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use walkdir::WalkDir;

use crate::config::SiteConfig;
use front_matter::FrontMatter;

/// The content folder under a site root.
pub const CONTENT_DIR: &str = "content";
/// Posts live under this folder of `content/`.
pub const POSTS_DIR: &str = "posts";

/// The file that makes its folder a section, as in Zola and Hugo.
pub const SECTION_FILE: &str = "_index.md";

/// What a Markdown file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// Dated, listed, in feeds: anything under `content/posts/`, or a dated page in a section.
    Post,
    /// A standalone page such as About, not in the home listing or feeds.
    Page,
    /// A section's `_index.md`: the listing page of its folder.
    Section,
}

/// One Markdown file, read and classified, with its body not yet rendered.
#[derive(Debug, Clone)]
pub struct Source {
    /// Post or page.
    pub kind: Kind,
    /// The file, relative to the site root (`content/posts/a.md`), for messages.
    pub file: PathBuf,
    /// The URL slug: the file's name or its `slug`, under `[slugify] paths`.
    pub slug: String,
    /// The site path without the base path: `/posts/a/`. Every link to the page is made from
    /// it; nothing else decides where a page is published.
    pub path: String,
    /// What the page's comments are stored under: its slug for a file right in
    /// `content/posts/` (as quill always had it), else the folders from `content/` (without
    /// `posts/`) and the slug (`2024/trip`, `blog/trip`). Depends only on where the file is,
    /// so a new permalink pattern never detaches a post's comments.
    pub key: String,
    /// The language of a translation (`es` for `trip.es.md`); `None` for the site's own.
    pub lang: Option<String>,
    /// The file every version of this page shares, as a translation is named without its
    /// language (`content/trip.md` for `content/trip.es.md`).
    pub original: String,
    /// The section folder the file belongs to, relative to `content/` (`""` for the content
    /// root; for a section, its own folder), if any.
    pub section: Option<String>,
    /// The normalized front matter.
    pub meta: FrontMatter,
    /// The publication date (posts always have one).
    pub date: Option<DateTime<Utc>>,
    /// Files beside a bundle's `index.md`, copied next to its HTML: (file, path within the bundle).
    pub assets: Vec<(PathBuf, String)>,
    /// The file's size and modification time when it was read.
    pub fingerprint: Fingerprint,
    /// A digest of the file's bytes: what tells later builds whether it changed. `None` when
    /// only the front matter was read ([`load_front_matter`]).
    pub digest: Option<u128>,
    /// Whether the file had not changed for a while when it was read (see
    /// [`CachedSource::settled`]).
    pub settled: bool,
    /// Whether its body may call a shortcode or link to another content file, so that its
    /// page changes when another page's URL does.
    pub refers: bool,
}

/// What tells a changed file from an unchanged one without reading it, as make and cargo do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, whole seconds since the Unix epoch.
    pub secs: i64,
    /// And the nanoseconds within that second.
    pub nanos: u32,
}

impl Fingerprint {
    /// Whether the file changed so recently that another change within the same tick of the
    /// file system's clock could leave the fingerprint as it is.
    pub fn is_recent(&self) -> bool {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        now.saturating_sub(self.secs) < 2
    }

    /// Feeds the fingerprint to a digest.
    pub fn hash_into(&self, hasher: &mut xxhash_rust::xxh3::Xxh3) {
        hasher.update(&self.size.to_le_bytes());
        hasher.update(&self.secs.to_le_bytes());
        hasher.update(&self.nanos.to_le_bytes());
    }

    /// The fingerprint of a file from its metadata.
    pub fn of(metadata: &std::fs::Metadata) -> Fingerprint {
        let (secs, nanos) = match metadata.modified() {
            Ok(time) => match time.duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => (
                    i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                    d.subsec_nanos(),
                ),
                Err(before) => (
                    -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
                    before.duration().subsec_nanos(),
                ),
            },
            Err(_) => (0, 0),
        };
        Fingerprint {
            size: metadata.len(),
            secs,
            nanos,
        }
    }
}

/// What the cache keeps of a Markdown file: everything but its body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedSource {
    /// The file's fingerprint when this was read.
    pub fingerprint: Fingerprint,
    /// The normalized front matter.
    pub meta: FrontMatter,
    /// The publication date.
    #[serde(with = "dates::as_epoch")]
    pub date: Option<DateTime<Utc>>,
    /// The digest of the file's bytes.
    pub digest: u128,
    /// Whether the file was already old when it was read: only then does an unchanged
    /// fingerprint prove an unchanged file (a write within the same tick of the file system's
    /// clock keeps it; git calls such entries "racily clean").
    pub settled: bool,
    /// Whether the body may refer to other pages ([`Source::refers`]).
    pub refers: bool,
}

/// Front matter read in earlier builds, by file (relative to the site root, `/`-separated).
/// Boxed: reading the record grows the map, and moving small boxes costs less than moving
/// whole entries.
pub type SourceCache = rustc_hash::FxHashMap<String, Box<CachedSource>>;

impl Source {
    /// The cache entry for this file, under its cache key.
    pub fn into_cached(self) -> (String, Box<CachedSource>) {
        let entry = Box::new(CachedSource {
            fingerprint: self.fingerprint,
            meta: self.meta,
            date: self.date,
            digest: self.digest.unwrap_or_default(),
            settled: self.settled,
            refers: self.refers,
        });
        (cache_key(&self.file), entry)
    }

    /// The Markdown body, read from the file. Loading keeps only front matter, so that a
    /// build never holds every post's Markdown and every post's HTML at once.
    pub fn read_body(&self, root: &Path) -> Result<String> {
        Ok(self.read_body_at(root)?.0)
    }

    /// The Markdown body and the file line it starts on, for messages about the body.
    pub fn read_body_at(&self, root: &Path) -> Result<(String, usize)> {
        let text = read_text(root, &self.file)?;
        let split = front_matter::split(&text)
            .map_err(|e| anyhow::anyhow!("{}:{e}", self.file.display()))?;
        // The body is the end of the text.
        let start = text.len() - split.body.len();
        let line = text[..start].matches('\n').count() + 1;
        Ok((split.body.to_string(), line))
    }
}

/// The cache of these sources' front matter, for the next build.
pub fn into_cache(sources: impl IntoIterator<Item = Source>) -> SourceCache {
    sources.into_iter().map(Source::into_cached).collect()
}

/// The `/`-separated cache key of a file relative to the site root.
pub fn cache_key(file: &Path) -> String {
    file.to_string_lossy().replace('\\', "/")
}

/// Reads the front matter of every Markdown file under `root/content`, each file only up to
/// the end of its front matter, for what needs to know the posts but not their bodies (ingest
/// matching submissions to posts). Builds use [`scan`] and [`load_scanned`].
///
/// Drafts are left out unless `include_drafts`. Two pages with one URL are an error.
pub fn load_front_matter(
    root: &Path,
    config: &SiteConfig,
    include_drafts: bool,
) -> Result<Vec<Source>> {
    let content_dir = root.join(CONTENT_DIR);
    let sources = scan(root)?
        .into_par_iter()
        .map(|(path, fingerprint)| {
            read_source(root, &content_dir, &path, fingerprint, Reading::Head)
        })
        .collect::<Vec<Result<Source>>>();
    let sources = all_or_every_error(sources)?;
    Ok(finish(sources, config, include_drafts)?.0)
}

/// How much of a Markdown file to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// All of it, to know its digest.
    Whole,
    /// Up to the end of the front matter.
    Head,
}

/// What [`load_scanned`] gives a build.
#[derive(Debug)]
pub struct Loaded {
    /// The sources of the build, in order.
    pub sources: Vec<Source>,
    /// Drafts this build leaves out, kept only to be cached.
    pub left_out: Vec<Source>,
    /// Whether every file came from the cache and every cache entry was used: a cache made
    /// from these sources would be the one read.
    pub cache_unchanged: bool,
    /// What the author should know about the content, such as translations left out.
    pub warnings: Vec<String>,
}

/// Loads [`scan`]ned files, in order, for a build: a file whose fingerprint matches its
/// settled `cache` entry is not read (its front matter is taken out of the cache); the rest
/// are read whole, in parallel. Drafts are left out unless `include_drafts`; two pages with
/// one URL are an error.
pub fn load_scanned(
    root: &Path,
    config: &SiteConfig,
    include_drafts: bool,
    scanned: Vec<(PathBuf, Fingerprint)>,
    mut cache: SourceCache,
) -> Result<Loaded> {
    let content_dir = root.join(CONTENT_DIR);
    let stated = scanned;
    let found: Vec<(PathBuf, Fingerprint, Option<Box<CachedSource>>)> = stated
        .into_iter()
        .map(|(path, fingerprint)| {
            let file = path.strip_prefix(root).unwrap_or(&path);
            let hit = cache
                .remove(&cache_key(file))
                .filter(|hit| hit.settled && hit.fingerprint == fingerprint);
            (path, fingerprint, hit)
        })
        .collect();
    let cache_unchanged = cache.is_empty() && found.iter().all(|(_, _, hit)| hit.is_some());
    drop(cache);
    let loaded = found
        .into_par_iter()
        .map(|(path, fingerprint, hit)| match hit {
            Some(hit) => {
                let file = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
                from_cache(&path, file, hit)
            }
            None => read_source(root, &content_dir, &path, fingerprint, Reading::Whole),
        })
        .collect::<Vec<Result<Source>>>();
    let loaded = all_or_every_error(loaded)?;
    let (sources, left_out, warning) = finish(loaded, config, include_drafts)?;
    Ok(Loaded {
        sources,
        left_out,
        cache_unchanged,
        warnings: warning.into_iter().collect(),
    })
}

/// Every source, or an error listing every file that could not be read, so that a site with
/// many broken files is fixed in one run.
fn all_or_every_error(results: Vec<Result<Source>>) -> Result<Vec<Source>> {
    let mut sources = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(source) => sources.push(source),
            Err(e) => errors.push(format!("{e:#}")),
        }
    }
    crate::diagnostics::Diagnostics::check(errors)?;
    Ok(sources)
}

/// Decides what each file is and where it goes (which depends on the other files: a folder
/// is a section when it has an `_index.md`), sets drafts and translations into languages
/// `site.toml` does not list aside, and refuses two files that want one URL; returns the
/// sources, those set aside, and a warning naming the translations left out.
fn finish(
    mut loaded: Vec<Source>,
    config: &SiteConfig,
    include_drafts: bool,
) -> Result<(Vec<Source>, Vec<Source>, Option<String>)> {
    place::place(&mut loaded, config)?;
    let unlisted = |s: &Source| {
        s.lang
            .as_ref()
            .is_some_and(|lang| !config.languages.contains_key(lang))
    };
    let untranslated: Vec<String> = loaded
        .iter()
        .filter(|s| unlisted(s))
        .map(|s| s.file.display().to_string())
        .collect();
    // Taken out in place: a `Source` is large, and partitioning into two new vectors copied
    // every one of them as they grew.
    let left_out: Vec<Source> = loaded
        .extract_if(.., |s| (!include_drafts && s.meta.draft) || unlisted(s))
        .collect();
    let sources = loaded;
    // A draft without a date was let through; one that is published needs it now.
    let undated: Vec<String> = sources
        .iter()
        .filter(|s| s.kind == Kind::Post)
        .filter_map(|s| place::require_date(s, &s.slug).err())
        .map(|e| format!("{e:#}"))
        .collect();
    crate::diagnostics::Diagnostics::check(undated)?;
    place::check_unique(&sources)?;
    let warning = (!untranslated.is_empty()).then(|| {
        format!(
            "left out {} translation{} into a language site.toml does not list (add [languages.CODE] to publish them): {}",
            untranslated.len(),
            if untranslated.len() == 1 { "" } else { "s" },
            untranslated.join(", ")
        )
    });
    Ok((sources, left_out, warning))
}

fn from_cache(path: &Path, file: PathBuf, hit: Box<CachedSource>) -> Result<Source> {
    let hit = *hit;
    let is_bundle = lang::is_bundle_index(path);
    // A bundle's files are listed afresh: they change without its index.md changing.
    let assets = match path.parent() {
        Some(dir) if is_bundle => bundle_assets(dir)?,
        _ => Vec::new(),
    };
    Ok(Source {
        kind: Kind::Page,
        file,
        slug: String::new(),
        path: String::new(),
        key: String::new(),
        lang: None,
        original: String::new(),
        section: None,
        meta: hit.meta,
        date: hit.date,
        assets,
        fingerprint: hit.fingerprint,
        digest: Some(hit.digest),
        settled: hit.settled,
        refers: hit.refers,
    })
}

/// A file's bytes as text, or an error naming the file and the first byte that is not UTF-8.
fn utf8_text(file: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not valid UTF-8 (at byte {}); save it as UTF-8",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

fn read_text(root: &Path, file: &Path) -> Result<String> {
    let bytes = std::fs::read(root.join(file))
        .with_context(|| format!("failed to read {}", file.display()))?;
    utf8_text(file, bytes)
}

/// The first lines of a file, up to and including the line that closes its front matter (or
/// all of it, when no front matter closes).
fn read_head(root: &Path, file: &Path) -> Result<String> {
    use std::io::BufRead;
    let opened = std::fs::File::open(root.join(file))
        .with_context(|| format!("failed to read {}", file.display()))?;
    let mut reader = std::io::BufReader::with_capacity(4096, opened);
    let mut head = Vec::new();
    let mut fence: Option<Vec<u8>> = None;
    loop {
        let start = head.len();
        let read = reader
            .read_until(b'\n', &mut head)
            .with_context(|| format!("failed to read {}", file.display()))?;
        if read == 0 {
            break;
        }
        let line = head[start..].trim_ascii_end().to_vec();
        let line = line
            .strip_prefix("\u{feff}".as_bytes())
            .unwrap_or(&line)
            .to_vec();
        match &fence {
            None if line == b"+++" || line == b"---" => fence = Some(line),
            None => break,
            Some(open) if *open == line => break,
            Some(_) => {}
        }
    }
    utf8_text(file, head)
}

fn read_source(
    root: &Path,
    content_dir: &Path,
    path: &Path,
    fingerprint: Fingerprint,
    reading: Reading,
) -> Result<Source> {
    let file = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let (text, digest) = match reading {
        Reading::Whole => {
            let text = read_text(root, &file)?;
            let digest = xxhash_rust::xxh3::xxh3_128(text.as_bytes());
            (text, Some(digest))
        }
        Reading::Head => (read_head(root, &file)?, None),
    };
    let located = |e: anyhow::Error| anyhow::anyhow!("{}:{e}", file.display());
    let split = front_matter::split(&text).map_err(located)?;
    let refers = reading == Reading::Whole && crate::shortcodes::may_refer(split.body);
    let is_section = lang::split(path).0 == "_index";
    let meta = if is_section {
        front_matter::parse_section(&split)
    } else {
        front_matter::parse(&split)
    }
    .map_err(located)?;

    let is_bundle = lang::is_bundle_index(path);
    let stem = if is_bundle {
        path.parent()
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        lang::split(path).0
    };
    let date = meta.date.or_else(|| {
        slug::split_jekyll_stem(&stem)
            .and_then(|(d, _)| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
    });
    for alias in &meta.aliases {
        let leaves_site = alias.contains('\\')
            || Path::new(alias.trim_start_matches('/'))
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)));
        if leaves_site || alias.trim_matches('/').is_empty() {
            bail!(
                "{}: alias {alias:?} is not a path inside the site (write it like /2020/01/old-name/)",
                file.display()
            );
        }
    }
    let assets = if is_bundle {
        bundle_assets(path.parent().unwrap_or(content_dir))?
    } else {
        Vec::new()
    };
    // Where it goes is decided with the other files, in `place`.
    Ok(Source {
        kind: Kind::Page,
        file,
        slug: String::new(),
        path: String::new(),
        key: String::new(),
        lang: None,
        original: String::new(),
        section: None,
        meta,
        date,
        assets,
        fingerprint,
        digest,
        settled: !fingerprint.is_recent(),
        refers,
    })
}

/// Every non-Markdown file in a bundle folder and its subfolders, with its path inside the bundle.
fn bundle_assets(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut assets = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("failed to walk {}", dir.display()))?;
        if entry.file_type().is_file() && entry.path().extension().is_none_or(|e| e != "md") {
            let within = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let within = within.to_string_lossy().replace('\\', "/");
            assets.push((entry.into_path(), within));
        }
    }
    Ok(assets)
}
