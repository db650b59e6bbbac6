//! `quill build` as a library call: config, content, model, render, write, in that order.
//!
//! A build remembers what it wrote in a [`Manifest`] beside the output. The next build reads
//! front matter only from files that changed, renders only the files whose inputs changed,
//! and rewrites only the files whose bytes changed. Without a usable manifest (the first
//! build, `--full`, or a change to the config, the templates, the options or quill itself),
//! everything is built into a staging folder that replaces the output as a whole.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rustc_hash::{FxHashMap, FxHashSet};
use walkdir::WalkDir;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use crate::comments::CommentRecord;
use crate::comments::thread::Threads;
use crate::config::SiteConfig;
use crate::content::{self, Fingerprint, Source};
use crate::manifest::{Manifest, OutputEntry};
use crate::output::{self, Staging, Update};
use crate::render::{self, Inputs, Job};
use crate::site::{self, Site};
use crate::store::{DbLocation, PostStamp, Store};
use crate::templates;

/// What to build and how.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The site root, where `site.toml` is.
    pub root: PathBuf,
    /// Where to write; `public/` under the root when `None`.
    pub output_dir: Option<PathBuf>,
    /// Replaces `base_url` from `site.toml`.
    pub base_url: Option<String>,
    /// Includes drafts.
    pub drafts: bool,
    /// Replaces `[comments] endpoint`, as `quill serve --accept-comments` does.
    pub comment_endpoint: Option<String>,
    /// Ignores the last build's manifest and builds everything.
    pub full: bool,
}

/// What a build did, for the summary line.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// Standalone pages rendered.
    pub pages: usize,
    /// Posts rendered.
    pub posts: usize,
    /// Tags found.
    pub tags: usize,
    /// Files in the output.
    pub files: usize,
    /// Files written (all of them in a full build; the changed ones otherwise).
    pub written: usize,
    /// Whether the last build's output was updated rather than replaced.
    pub incremental: bool,
    /// Where the output went.
    pub output_dir: PathBuf,
    /// Approved comments published.
    pub comments: usize,
    /// Things the author should know about, such as comments whose post is gone.
    pub warnings: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Progress of a build, for a progress bar; the library itself never prints.
pub trait Progress: Sync {
    /// The number of files to render is known.
    fn start(&self, total: usize);
    /// One more file is rendered.
    fn tick(&self);
}

/// A [`Progress`] that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: usize) {}
    fn tick(&self) {}
}

/// A file copied into the output as it is: from `static/` or from a post bundle.
struct Copied {
    from: PathBuf,
    /// A digest of its source's path and fingerprint, or of its bytes when it changed too
    /// recently for its fingerprint to be trusted.
    key: u128,
}

/// Builds the site; on any error the previous output is left untouched.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildSummary> {
    let started = Instant::now();
    let root = &options.root;
    let mut config = SiteConfig::load(root)?;
    if let Some(base_url) = &options.base_url {
        config.base_url = base_url.trim_end_matches('/').to_string();
    }
    if let Some(endpoint) = &options.comment_endpoint {
        config.comments.endpoint = Some(endpoint.clone());
    }
    let output_dir = output_dir(options);
    output::check_output_dir(root, &output_dir)?;

    let template_sources = templates::sources(root)?;
    let mut tera = templates::compile(&template_sources)?;
    let database = if config.comments.enabled {
        Some(DbLocation::resolve(root, &config)?)
    } else {
        None
    };
    let site_key = site_key(&config, &template_sources, options, database.as_ref())?;
    let mut previous = if options.full || !output_dir.is_dir() {
        None
    } else {
        Manifest::load(&output_dir).filter(|m| m.site_key == site_key)
    };
    let mut cache = previous
        .as_mut()
        .map(|m| std::mem::take(&mut m.sources))
        .unwrap_or_default();
    let sources = content::load_cached(root, options.drafts, &mut cache)?;
    drop(cache);

    let store = match &database {
        Some(location) => Store::open_read_only(location)?,
        None => None,
    };
    let stamps = match &store {
        Some(store) => store.comment_stamps()?,
        None => HashMap::new(),
    };
    let site = Site::new(config, &sources, &|slug| {
        stamps.get(slug).map_or(0, |s| s.approved)
    });
    let warnings = orphan_warnings(&site, &stamps);

    // Which files to render: all of them, or those whose inputs changed.
    let mut base = Xxh3::new();
    base.update(&site_key.to_le_bytes());
    base.update(&serde_json::to_vec(&render::menu(&site))?);
    let stamp = |slug: &str| stamps.get(slug).map(|s| (s.stamp, s.approved));
    let jobs = render::jobs(&site);
    let planned: Vec<(String, Option<u128>)> = jobs
        .iter()
        .map(|job| (job.file(&site), job.key(&site, &base, &sources, &stamp)))
        .collect();
    let to_render: Vec<usize> = (0..jobs.len())
        .filter(|&i| {
            let (file, key) = &planned[i];
            match &previous {
                Some(m) => {
                    key.is_none()
                        || m.outputs.get(file).and_then(|e| e.key.as_ref()) != key.as_ref()
                }
                None => true,
            }
        })
        .collect();

    // Render only the Markdown and load only the comments those files show.
    let mut needed = vec![false; sources.len()];
    let mut thread_posts: Vec<&str> = Vec::new();
    for &i in &to_render {
        for page in jobs[i].bodies(&site) {
            needed[page.source] = true;
        }
        if let Job::Post(page) | Job::Page(page) = &jobs[i] {
            thread_posts.push(&page.slug);
        }
    }
    let comments = &site.config.comments;
    let every_comment = previous.is_none();
    let feed_size = feed_size(&site.config);
    // The comments are read while the Markdown renders: one waits on SQLite, the other is CPU.
    let (bodies, loaded) = rayon::join(
        || site::render_bodies(root, &sources, &needed),
        move || -> Result<(Vec<CommentRecord>, Vec<CommentRecord>)> {
            let Some(store) = store else {
                return Ok((Vec::new(), Vec::new()));
            };
            let records = if every_comment {
                store.approved_comments()?
            } else {
                store.approved_comments_on(&thread_posts)?
            };
            Ok((records, store.latest_approved(feed_size)?))
        },
    );
    let (bodies, (records, latest)) = (bodies?, loaded?);
    let threads = Threads::build(records, comments.max_depth, comments.avatars);
    let inputs = Inputs {
        bodies: &bodies,
        threads: &threads,
        latest: &latest,
    };

    let copies = copied_files(root, &site)?;
    let mut manifest = Manifest::new(site_key);
    let job_files: FxHashSet<&str> = planned.iter().map(|(f, _)| f.as_str()).collect();
    // A rendered file wins over a copied one at the same path, as it did when written last.
    let copies: BTreeMap<&str, &Copied> = copies
        .iter()
        .filter(|(path, _)| !job_files.contains(path.as_str()))
        .map(|(path, c)| (path.as_str(), c))
        .collect();
    let files = copies.len() + jobs.len();
    let chosen: Vec<&Job<'_>> = to_render.iter().map(|&i| &jobs[i]).collect();
    let hashes: Mutex<FxHashMap<String, u128>> = Mutex::new(FxHashMap::default());
    let record = |path: &str, bytes: &[u8]| -> u128 {
        let hash = xxh3_128(bytes);
        hashes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), hash);
        hash
    };

    let written = match &previous {
        None => {
            let staging = Staging::new(&output_dir)?;
            for (path, copied) in &copies {
                staging.copy(&copied.from, path)?;
            }
            render::render_jobs(&site, &chosen, &inputs, &mut tera, progress, &|file| {
                record(&file.path, &file.bytes);
                staging.write(&file.path, &file.bytes)
            })?;
            staging.commit()?;
            files
        }
        Some(previous) => {
            Manifest::remove(&output_dir)?;
            let update = Update::new(&output_dir);
            for (path, copied) in &copies {
                let unchanged = previous
                    .outputs
                    .get(*path)
                    .is_some_and(|e| e.key == Some(copied.key));
                if !unchanged {
                    update.copy(&copied.from, path)?;
                }
            }
            render::render_jobs(&site, &chosen, &inputs, &mut tera, progress, &|file| {
                let hash = record(&file.path, &file.bytes);
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
            let kept: FxHashSet<&str> = job_files
                .iter()
                .copied()
                .chain(copies.keys().copied())
                .collect();
            let mut removed: Vec<String> = previous
                .outputs
                .keys()
                .filter(|path| !kept.contains(path.as_str()))
                .cloned()
                .collect();
            removed.sort();
            update.commit(&removed)?
        }
    };

    let hashes = hashes.into_inner().unwrap_or_else(|e| e.into_inner());
    for (file, key) in planned {
        let hash = match hashes.get(&file) {
            Some(hash) => *hash,
            None => previous
                .as_ref()
                .and_then(|m| m.outputs.get(&file))
                .map(|e| e.hash)
                .context("internal error: a file was neither rendered nor kept")?,
        };
        manifest.outputs.insert(file, OutputEntry { key, hash });
    }
    for (path, copied) in copies {
        manifest.outputs.insert(
            path.to_string(),
            OutputEntry {
                key: Some(copied.key),
                hash: copied.key,
            },
        );
    }
    let summary = BuildSummary {
        pages: site.pages.len(),
        posts: site.posts.len(),
        tags: site.tags.len(),
        files,
        written,
        incremental: previous.is_some(),
        comments: site.posts.iter().map(|p| p.comment_count).sum(),
        warnings,
        output_dir,
        elapsed: Duration::ZERO,
    };
    drop(jobs);
    manifest.sources = sources.into_iter().map(Source::into_cached).collect();
    manifest.save(&summary.output_dir)?;
    Ok(BuildSummary {
        elapsed: started.elapsed(),
        ..summary
    })
}

/// The output folder a build with these options writes to.
pub fn output_dir(options: &BuildOptions) -> PathBuf {
    options
        .output_dir
        .clone()
        .unwrap_or_else(|| Path::new(&options.root).join("public"))
}

/// A digest of everything every output file depends on: this quill binary, the config as
/// the build sees it, every template, the options and which database the comments come from.
fn site_key(
    config: &SiteConfig,
    templates: &BTreeMap<String, String>,
    options: &BuildOptions,
    database: Option<&DbLocation>,
) -> Result<u128> {
    let mut hasher = Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    // A rebuilt binary may render differently under the same version number.
    if let Ok(exe) = std::env::current_exe().and_then(std::fs::metadata) {
        let f = Fingerprint::of(&exe);
        hasher.update(&f.size.to_le_bytes());
        hasher.update(&f.secs.to_le_bytes());
        hasher.update(&f.nanos.to_le_bytes());
    }
    hasher.update(&serde_json::to_vec(config)?);
    for (name, text) in templates {
        hasher.update(name.as_bytes());
        hasher.update(b"\0");
        hasher.update(&text.len().to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hasher.update(&[u8::from(options.drafts)]);
    hasher.update(database.map_or(String::new(), |d| d.to_string()).as_bytes());
    Ok(hasher.digest128())
}

/// Files copied as they are (`static/` first, then bundle files over them), by output path,
/// each with a key made of its source's path and fingerprint.
fn copied_files(root: &Path, site: &Site) -> Result<BTreeMap<String, Copied>> {
    let mut copies = BTreeMap::new();
    let mut add = |from: PathBuf, to: String| -> Result<()> {
        let metadata = std::fs::metadata(&from)
            .with_context(|| format!("failed to read {}", from.display()))?;
        let f = Fingerprint::of(&metadata);
        let mut hasher = Xxh3::new();
        hasher.update(from.to_string_lossy().as_bytes());
        hasher.update(&f.size.to_le_bytes());
        hasher.update(&f.secs.to_le_bytes());
        hasher.update(&f.nanos.to_le_bytes());
        if f.is_recent() {
            let bytes = std::fs::read(&from)
                .with_context(|| format!("failed to read {}", from.display()))?;
            hasher.update(&bytes);
        }
        let key = hasher.digest128();
        copies.insert(to, Copied { from, key });
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

/// How many of the newest comments the comments feed considers: it skips comments on posts
/// that are gone, so keep a margin beyond `feed_limit`.
fn feed_size(config: &SiteConfig) -> usize {
    config
        .feed_limit
        .saturating_mul(4)
        .max(config.feed_limit + 100)
}

/// Comments whose post no longer exists must not vanish silently.
fn orphan_warnings(site: &Site, stamps: &HashMap<String, PostStamp>) -> Vec<String> {
    let known: HashSet<&str> = site.posts.iter().map(|p| p.slug.as_str()).collect();
    let mut orphans: Vec<(&str, usize)> = stamps
        .iter()
        .filter(|(slug, s)| s.approved > 0 && !known.contains(slug.as_str()))
        .map(|(slug, s)| (slug.as_str(), s.approved))
        .collect();
    orphans.sort();
    orphans
        .into_iter()
        .map(|(slug, n)| {
            format!(
                "{n} approved comment{} on post \"{slug}\", which does not exist (or is a draft); `quill comments move {slug} NEW-SLUG` re-attaches them",
                if n == 1 { "" } else { "s" }
            )
        })
        .collect()
}
