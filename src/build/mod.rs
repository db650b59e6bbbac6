//! `quill build` as a library call: config, content, model, render, write, in that order.
//!
//! A build remembers what it wrote in a [`Manifest`] beside the output. The next build reads
//! front matter only from files that changed, renders only the files whose inputs changed,
//! and rewrites only the files whose bytes changed. Without a usable manifest (the first
//! build, `--full`, or a change to the config, the templates, the options or quill itself),
//! everything is built into a staging folder that replaces the output as a whole.

mod plan;
mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use rustc_hash::FxHashSet;

use crate::comments::CommentRecord;
use crate::comments::thread::Threads;
use crate::config::SiteConfig;
use crate::content;
use crate::links::Links;
use crate::manifest::{self, Manifest};
use crate::output;
use crate::render::{self, Inputs, Job};
use crate::shortcodes;
use crate::site::{self, Site};
use crate::store::{DbLocation, PostStamps, Store};
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
    /// How long an incremental build left the output mixed (its burst of renames).
    pub mixed_for: Option<Duration>,
}

/// Progress of a build, for a progress bar; the library itself never prints.
pub trait Progress: Sync {
    /// The number of files to render is known.
    fn start(&self, total: usize);
    /// One more file is rendered.
    fn tick(&self);
    /// Another build is writing to the same output folder; this one waits for it to finish.
    fn waiting(&self, _output_dir: &Path) {}
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
    let output_dir = output_dir(options);
    output::check_output_dir(root, &output_dir)?;
    // Held until the build returns: from reading the last manifest to installing the new one.
    let _lock = output::OutputLock::acquire(&output_dir, || progress.waiting(&output_dir))?;
    // Before anything reads the output: finish or discard what an interrupted build left.
    let recovered = output::recover(&output_dir)?;

    let template_sources = templates::sources(root)?;
    let mut tera = templates::compile(&template_sources)?;
    let database = if config.comments.enabled {
        Some(DbLocation::resolve(root, &config)?)
    } else {
        None
    };
    let site_key = plan::site_key(&config, &template_sources, options, database.as_ref())?;
    // The last build's records and the listing of the content wait on different files:
    // together. `--full` trusts neither record.
    let trusted = !options.full && output_dir.is_dir();
    let (previous, (cache, scanned)) = rayon::join(
        || {
            trusted
                .then(|| Manifest::load(&output_dir))
                .flatten()
                .filter(|m| m.site_key == site_key)
        },
        || {
            rayon::join(
                || {
                    if trusted {
                        manifest::load_sources(&output_dir, site_key)
                    } else {
                        content::SourceCache::default()
                    }
                },
                || content::scan(root),
            )
        },
    );
    // The front matter comes from the record or the files, the comment counts from the
    // database: neither waits on the other.
    let (loaded, opened) = rayon::join(
        || content::load_scanned(root, &config, options.drafts, scanned?, cache),
        || open_comments(database.as_ref()),
    );
    let (loaded, (store, stamps)) = (loaded?, opened?);
    let content::Loaded {
        sources,
        left_out,
        cache_unchanged,
        warnings: content_warnings,
    } = loaded;
    let site = Site::new(config, &sources, &|slug| {
        stamps.get(slug).map_or(0, |s| s.approved)
    });
    let mut warnings = recovered;
    warnings.extend(content_warnings);
    warnings.extend(site::unknown_home_sections(&site.config, &sources));
    warnings.extend(orphan_warnings(&site, &stamps));

    let jobs = render::jobs(&site);
    let plan = plan::plan(&site, &jobs, site_key, &sources, &stamps, previous.as_ref())?;
    // Without a last build every thread is shown; with one, those of the pages rendered.
    let threads_of = previous.is_some().then_some(plan.thread_posts);
    // The comments are read while the Markdown renders: one waits on SQLite, the other is CPU.
    let links = Links::new(&site, &sources);
    let (bodies, loaded) = rayon::join(
        || {
            let env = shortcodes::Env::new(root, &tera, &site.config, &links);
            site::render_bodies(&env, &site, &sources, &plan.needed)
        },
        || read_comments(store, threads_of, &site.config),
    );
    let ((bodies, body_warnings), (threads, latest)) = (bodies?, loaded?);
    warnings.extend(body_warnings);
    let inputs = Inputs {
        bodies: &bodies,
        threads: &threads,
        latest: &latest,
    };

    let copies = write::copied_files(root, &site)?;
    let outputs = write::Outputs::new(plan.planned, &copies, previous.as_ref());
    let chosen: Vec<&Job<'_>> = plan.to_render.iter().map(|&i| &jobs[i]).collect();
    let files = outputs.count();
    // The front matter is recorded again only when a source changed, beside the writing.
    let (written, recorded) = rayon::join(
        || {
            write::write(
                &output_dir,
                previous.as_ref(),
                &outputs,
                &mut |sink| render::render_jobs(&site, &chosen, &inputs, &mut tera, progress, sink),
                |hashes| outputs.manifest(site_key, hashes),
            )
        },
        || {
            if cache_unchanged {
                return Ok(());
            }
            let cache = content::into_cache(sources.into_iter().chain(left_out));
            manifest::save_sources(&output_dir, site_key, cache)
        },
    );
    let (written, ()) = (written?, recorded?);
    Ok(BuildSummary {
        pages: site.pages.len(),
        posts: site.posts.len(),
        tags: site.tags.len(),
        files,
        written: written.files,
        mixed_for: written.mixed_for,
        incremental: previous.is_some(),
        comments: site.posts.iter().map(|p| p.comment_count).sum(),
        warnings,
        output_dir,
        elapsed: started.elapsed(),
    })
}

/// The comment database, if the site has one yet, with each post's comment stamp.
fn open_comments(database: Option<&DbLocation>) -> Result<(Option<Store>, PostStamps)> {
    let Some(location) = database else {
        return Ok((None, PostStamps::default()));
    };
    let store = Store::open_read_only(location)?;
    let stamps = match &store {
        Some(store) => store.comment_stamps()?,
        None => PostStamps::default(),
    };
    Ok((store, stamps))
}

/// The threads of the given posts (of every post with `None`), and the newest comments for
/// the comments feed.
fn read_comments(
    store: Option<Store>,
    posts: Option<Vec<&str>>,
    config: &SiteConfig,
) -> Result<(Threads, Vec<CommentRecord>)> {
    let Some(store) = store else {
        return Ok((Threads::default(), Vec::new()));
    };
    let comments = &config.comments;
    let threads = Threads::collect(comments.max_depth, comments.avatars, |add| match &posts {
        None => store.each_approved_comment(add),
        Some(posts) => {
            store.approved_comments_on(posts)?.into_iter().for_each(add);
            Ok(())
        }
    })?;
    Ok((
        threads.highlighting(config.markdown.highlight),
        store.latest_approved(feed_size(config))?,
    ))
}

/// The output folder a build with these options writes to.
pub fn output_dir(options: &BuildOptions) -> PathBuf {
    options
        .output_dir
        .clone()
        .unwrap_or_else(|| Path::new(&options.root).join("public"))
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
fn orphan_warnings(site: &Site, stamps: &PostStamps) -> Vec<String> {
    let known: FxHashSet<&str> = site.posts.iter().map(|p| p.key.as_str()).collect();
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
