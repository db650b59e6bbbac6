//! `quill build` as a library call: config, content, model, render, write, in that order.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::comments::thread::Threads;
use crate::config::SiteConfig;
use crate::output::{self, Staging};
use crate::site::Site;
use crate::store::{DbLocation, Store};
use crate::{content, render, templates};

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
    /// Files written in all.
    pub files: usize,
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
    let output_dir = options
        .output_dir
        .clone()
        .unwrap_or_else(|| root.join("public"));
    output::check_output_dir(root, &output_dir)?;

    let mut tera = templates::compile(&templates::sources(root)?)?;
    let sources = content::load(root, options.drafts)?;
    let threads = load_threads(root, &config)?;
    let site = Site::new(config, sources, &threads);
    let warnings = orphan_warnings(&site, &threads);

    let staging = Staging::new(&output_dir)?;
    let static_dir = root.join("static");
    let mut files = 0;
    if static_dir.is_dir() {
        files += staging.copy_tree(&static_dir)?;
    }
    for (from, to) in &site.assets {
        staging.copy(from, to)?;
        files += 1;
    }
    files += render::render_site(&site, &threads, &mut tera, progress, &|file| {
        staging.write(&file.path, &file.bytes)
    })?;
    staging.commit()?;
    Ok(BuildSummary {
        pages: site.pages.len(),
        posts: site.posts.len(),
        tags: site.tags.len(),
        files,
        comments: site.posts.iter().map(|p| p.comment_count).sum(),
        warnings,
        output_dir,
        elapsed: started.elapsed(),
    })
}

/// The output folder a build with these options writes to.
pub fn output_dir(options: &BuildOptions) -> PathBuf {
    options
        .output_dir
        .clone()
        .unwrap_or_else(|| Path::new(&options.root).join("public"))
}

/// Every approved comment, read once from the database opened read-only. A missing database
/// means no comments; comments turned off in site.toml are not read at all.
fn load_threads(root: &Path, config: &SiteConfig) -> Result<Threads> {
    if !config.comments.enabled {
        return Ok(Threads::default());
    }
    let location = DbLocation::resolve(root, config)?;
    let records = match Store::open_read_only(&location)? {
        Some(store) => store.approved_comments()?,
        None => Vec::new(),
    };
    // The feed skips comments on posts that are gone, so keep a margin beyond feed_limit.
    let feed_size = config
        .feed_limit
        .saturating_mul(4)
        .max(config.feed_limit + 100);
    Ok(Threads::build(
        records,
        config.comments.max_depth,
        config.comments.avatars,
        feed_size,
    ))
}

/// Comments whose post no longer exists must not vanish silently.
fn orphan_warnings(site: &Site, threads: &Threads) -> Vec<String> {
    let known: std::collections::HashSet<&str> =
        site.posts.iter().map(|p| p.slug.as_str()).collect();
    let mut orphans: Vec<(&str, usize)> = threads
        .posts()
        .filter(|(slug, _)| !known.contains(slug))
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
