//! `quill build` as a library call, in named stages that run one after another:
//!
//! 1. `prepare`: the configuration, the output's lock, finishing an interrupted build, the
//!    templates, the key of the site-wide inputs;
//! 2. `load`: the last build's records, the content's front matter and the comment stamps,
//!    into the immutable site model;
//! 3. plan (`plan::plan`): one job per output file, and which of them changed since the last
//!    build;
//! 4. render (`render_inputs`, then the jobs): the Markdown of the bodies needed and the
//!    threads of the pages rendered, side by side, then the chosen jobs in parallel;
//! 5. write (`write::write`): a full build into a staging folder swapped in whole, an
//!    incremental one into a pending folder renamed in after a journal records it.
//!
//! A build remembers what it wrote in a manifest (`manifest::Manifest`) beside the output. The next build reads
//! front matter only from files that changed, renders only the files whose inputs changed,
//! and rewrites only the files whose bytes changed. Without a usable manifest (the first
//! build, `--full`, or a change to the config, the templates, the options or quill itself),
//! everything is built anew.

mod plan;
mod write;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Result;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::comments::CommentRecord;
use crate::comments::mentions::Mentions;
use crate::comments::thread::Threads;
use crate::config::SiteConfig;
use crate::content;
use crate::links::Links;
use crate::manifest::{self, FeedPage, Manifest, ThreadEntry};
use crate::output;
use crate::render::{self, Inputs, Job, TopLevel};
use crate::shortcodes;
use crate::site::{self, Site};
use crate::store::{DbLocation, PostStamp, PostStamps, Store};
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
///
/// The stages run one after another, each waiting on the one before; the parallelism is
/// inside them: `prepare`, `load`, then planning, rendering and writing.
pub fn build(options: &BuildOptions, progress: &dyn Progress) -> Result<BuildSummary> {
    let started = Instant::now();
    let mut prepared = prepare(options, progress)?;
    let loaded = load(options, &prepared)?;
    let site = &loaded.site;
    let mut warnings = loaded.warnings;
    let previous = loaded.previous.as_ref();

    // Plan: the job list, and which of its files must be rendered again.
    let jobs = render::jobs(site, &loaded.top_level);
    let plan = plan::plan(
        site,
        &jobs,
        prepared.site_key,
        &loaded.sources,
        &loaded.stamps,
        previous,
    )?;

    // Render: the bodies and threads the chosen jobs show, then the jobs themselves.
    // The threads that changed were read with the stamps; those of other pages rendered are
    // read now.
    let more_threads: Vec<&str> = plan
        .thread_posts
        .into_iter()
        .filter(|key| {
            !loaded.threads.holds(key) && loaded.stamps.get(*key).is_some_and(|s| s.approved > 0)
        })
        .collect();
    let known_pages = recorded_feed_pages(previous, &loaded.stamps);
    let ((bodies, body_warnings), (threads, mentions, latest)) = render_inputs(
        options,
        &prepared,
        site,
        &loaded.sources,
        &plan.needed,
        (loaded.threads, more_threads, &known_pages),
        loaded.store,
    )?;
    let per_page = site.config.comments.per_page;
    let feed_pages: FxHashMap<i64, usize> = latest
        .iter()
        .filter_map(|c| {
            let page = threads
                .page_of(&c.post, c.id, per_page)
                .or_else(|| known_pages.get(&c.id).copied())?;
            Some((c.id, page))
        })
        .collect();
    warnings.extend(body_warnings);
    let inputs = Inputs {
        bodies: &bodies,
        threads: &threads,
        top_level: &loaded.top_level,
        feed_pages: &feed_pages,
        fill_comments: prepared.fill_comments,
        mentions: &mentions,
        latest: &latest,
    };
    let copies = write::copied_files(&options.root, site)?;
    let outputs = write::Outputs::new(plan.planned, &copies, previous);
    let chosen: Vec<&Job<'_>> = plan.to_render.iter().map(|&i| &jobs[i]).collect();
    let files = outputs.count();

    // Write: the output (rendering into it as it goes) beside the record of the front matter,
    // which is written again only when a source changed.
    let output_dir = &prepared.output_dir;
    let tera = &mut prepared.tera;
    let (written, recorded) = rayon::join(
        || {
            write::write(
                output_dir,
                previous,
                &outputs,
                &mut |sink| render::render_jobs(site, &chosen, &inputs, tera, progress, sink),
                |hashes| {
                    let mut manifest = outputs.manifest(prepared.site_key, hashes)?;
                    manifest.threads = thread_entries(&loaded.stamps, &loaded.top_level);
                    manifest.feed_pages = feed_page_entries(&latest, &feed_pages, &loaded.stamps);
                    Ok(manifest)
                },
            )
        },
        || {
            if loaded.cache_unchanged {
                return Ok(());
            }
            let cache = content::into_cache(loaded.sources.into_iter().chain(loaded.left_out));
            manifest::save_sources(output_dir, prepared.site_key, cache)
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
        output_dir: prepared.output_dir.clone(),
        elapsed: started.elapsed(),
    })
}

/// What every later stage needs before any content is read.
struct Prepared {
    config: SiteConfig,
    output_dir: PathBuf,
    /// Held until the build returns: from reading the last manifest to installing the new one.
    _lock: output::OutputLock,
    /// What finishing an interrupted build did.
    recovered: Vec<String>,
    tera: tera::Tera,
    /// Whether comments may be filled into stencils of the comment component: only quill's
    /// own, whose output is known to depend on a comment's values only by printing them.
    fill_comments: bool,
    database: Option<DbLocation>,
    site_key: u128,
}

/// Prepare: the configuration with the options applied, the output's lock taken and any
/// interrupted build finished, the templates compiled, and the key of the site-wide inputs.
/// Runs alone, before anything reads the content or the output.
fn prepare(options: &BuildOptions, progress: &dyn Progress) -> Result<Prepared> {
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
    let lock = output::OutputLock::acquire(&output_dir, || progress.waiting(&output_dir))?;
    let recovered = output::recover(&output_dir)?;
    let template_sources = templates::sources(root)?;
    let tera = templates::compile(&template_sources)?;
    let fill_comments = templates::is_builtin(&template_sources, "partials/comments.html");
    let database = if config.comments.enabled {
        Some(DbLocation::resolve(root, &config)?)
    } else {
        None
    };
    let site_key = plan::site_key(&config, &template_sources, options, database.as_ref())?;
    Ok(Prepared {
        config,
        output_dir,
        _lock: lock,
        recovered,
        tera,
        fill_comments,
        database,
        site_key,
    })
}

/// What the content and the store hold, as the site model.
struct LoadedSite {
    site: Site,
    sources: Vec<content::Source>,
    left_out: Vec<content::Source>,
    cache_unchanged: bool,
    previous: Option<Manifest>,
    store: Option<Store>,
    stamps: PostStamps,
    /// The threads whose stamps changed since the last build (all of them without one).
    threads: Threads,
    /// Every thread's number of top-level comments: from `threads`, or the last build's record.
    top_level: TopLevel,
    warnings: Vec<String>,
}

/// Load: the last build's records, the content's front matter and the store's comment stamps,
/// into the immutable site model. The records and the listing of the content wait on different
/// files, and the front matter and the database on different things: each pair runs side by
/// side. `--full` trusts no record.
fn load(options: &BuildOptions, prepared: &Prepared) -> Result<LoadedSite> {
    let (root, output_dir, site_key) = (&options.root, &prepared.output_dir, prepared.site_key);
    let trusted = !options.full && output_dir.is_dir();
    let (previous, (cache, scanned)) = rayon::join(
        || {
            trusted
                .then(|| Manifest::load(output_dir))
                .flatten()
                .filter(|m| m.site_key == site_key)
        },
        || {
            rayon::join(
                || {
                    if trusted {
                        manifest::load_sources(output_dir, site_key)
                    } else {
                        content::SourceCache::default()
                    }
                },
                || content::scan(root),
            )
        },
    );
    let config = &prepared.config;
    let (loaded, opened) = rayon::join(
        || content::load_scanned(root, config, options.drafts, scanned?, cache),
        || open_comments(prepared.database.as_ref(), previous.as_ref(), config),
    );
    let (loaded, (store, stamps, threads)) = (loaded?, opened?);
    let content::Loaded {
        sources,
        left_out,
        cache_unchanged,
        warnings: content_warnings,
    } = loaded;
    let site = Site::new(config.clone(), &sources, &|slug| {
        stamps.get(slug).map_or(0, |s| s.approved)
    });
    let mut warnings = prepared.recovered.clone();
    warnings.extend(content_warnings);
    warnings.extend(site::unknown_home_sections(&site.config, &sources));
    warnings.extend(orphan_warnings(&site, &stamps));
    let top_level = stamps
        .iter()
        .map(|(key, stamp)| {
            let count = threads
                .top_level(key)
                .or_else(|| recorded_top_level(previous.as_ref(), key, stamp))
                .unwrap_or(0);
            (key.clone(), count)
        })
        .collect();
    Ok(LoadedSite {
        site,
        sources,
        left_out,
        cache_unchanged,
        previous,
        store,
        stamps,
        threads,
        top_level,
        warnings,
    })
}

/// The number of top-level comments the last build recorded for a thread, if its stamp is
/// still the same (else the thread changed, and must be read).
fn recorded_top_level(previous: Option<&Manifest>, key: &str, stamp: &PostStamp) -> Option<usize> {
    previous?
        .threads
        .get(key)
        .filter(|t| t.stamp == stamp.stamp && t.approved == stamp.approved)
        .map(|t| t.top_level)
}

/// The pages the last build recorded for the comments of its feed, by comment id, for the
/// comments whose post's thread has not changed since.
fn recorded_feed_pages(previous: Option<&Manifest>, stamps: &PostStamps) -> FxHashMap<i64, usize> {
    let Some(previous) = previous else {
        return FxHashMap::default();
    };
    previous
        .feed_pages
        .iter()
        .filter(|(_, e)| {
            stamps
                .get(&e.post)
                .is_some_and(|s| s.stamp == e.stamp && s.approved == e.approved)
        })
        .map(|(&id, e)| (id, e.page))
        .collect()
}

/// What the manifest records of the comments feed's pages.
fn feed_page_entries(
    latest: &[CommentRecord],
    pages: &FxHashMap<i64, usize>,
    stamps: &PostStamps,
) -> FxHashMap<i64, FeedPage> {
    latest
        .iter()
        .filter_map(|c| {
            let stamp = stamps.get(&c.post)?;
            let entry = FeedPage {
                post: c.post.clone(),
                stamp: stamp.stamp,
                approved: stamp.approved,
                page: *pages.get(&c.id)?,
            };
            Some((c.id, entry))
        })
        .collect()
}

/// What the manifest records of every thread, for the next build's paging.
fn thread_entries(stamps: &PostStamps, top_level: &TopLevel) -> FxHashMap<String, ThreadEntry> {
    stamps
        .iter()
        .map(|(key, stamp)| {
            let entry = ThreadEntry {
                stamp: stamp.stamp,
                approved: stamp.approved,
                top_level: top_level.get(key).copied().unwrap_or(0),
            };
            (key.clone(), entry)
        })
        .collect()
}

/// The rendered bodies of the pages the plan needs (with their warnings), the threads read
/// with the stamps joined by those of the posts given and of the posts in the comments feed,
/// and the newest comments for the feed. The Markdown renders while the comments are read:
/// one is CPU, the other waits on the database.
fn render_inputs(
    options: &BuildOptions,
    prepared: &Prepared,
    site: &Site,
    sources: &[content::Source],
    needed: &[bool],
    threads: (Threads, Vec<&str>, &FxHashMap<i64, usize>),
    store: Option<Store>,
) -> Result<(site::Bodies, Comments)> {
    let links = Links::new(site, sources);
    let (bodies, loaded) = rayon::join(
        || {
            let env = shortcodes::Env::new(&options.root, &prepared.tera, &site.config, &links);
            site::render_bodies(&env, site, sources, needed)
        },
        || read_comments(store, threads, &site.config),
    );
    Ok((bodies?, loaded?))
}

/// The comment database, if the site has one yet, with each post's comment stamp and the
/// threads whose stamps differ from the last build's record (every thread without one): a
/// thread's pages are planned from its number of top-level comments.
fn open_comments(
    database: Option<&DbLocation>,
    previous: Option<&Manifest>,
    config: &SiteConfig,
) -> Result<(Option<Store>, PostStamps, Threads)> {
    let Some(store) = database.map(Store::open_read_only).transpose()?.flatten() else {
        return Ok((None, PostStamps::default(), Threads::default()));
    };
    let stamps = store.comment_stamps()?;
    let comments = &config.comments;
    let highlight = config.markdown.highlight;
    let threads = Threads::collect(comments.max_depth, comments.avatars, highlight, |add| {
        if previous.is_none() {
            return store.each_approved_comment(add);
        }
        let changed: Vec<&str> = stamps
            .iter()
            .filter(|(key, s)| s.approved > 0 && recorded_top_level(previous, key, s).is_none())
            .map(|(key, _)| key.as_str())
            .collect();
        if !changed.is_empty() {
            store
                .approved_comments_on(&changed)?
                .into_iter()
                .for_each(add);
        }
        Ok(())
    })?;
    Ok((Some(store), stamps, threads))
}

/// What a build publishes from the store: threads, webmentions, the newest comments.
type Comments = (Threads, Mentions, Vec<CommentRecord>);

/// The threads already read joined by those of the given posts and of the posts in the
/// comments feed whose links need the page of a comment the last build did not record
/// (`known`), every approved webmention, and the newest comments for the comments feed.
fn read_comments(
    store: Option<Store>,
    (mut threads, more, known): (Threads, Vec<&str>, &FxHashMap<i64, usize>),
    config: &SiteConfig,
) -> Result<Comments> {
    let Some(store) = store else {
        return Ok((threads, Mentions::default(), Vec::new()));
    };
    let comments = &config.comments;
    let latest = store.latest_approved(feed_size(config))?;
    let mut posts: Vec<&str> = more;
    posts.extend(
        latest
            .iter()
            .filter(|c| !threads.holds(&c.post) && !known.contains_key(&c.id))
            .map(|c| c.post.as_str()),
    );
    posts.sort_unstable();
    posts.dedup();
    if !posts.is_empty() {
        threads.read_more(comments.avatars, |add| {
            store
                .approved_comments_on(&posts)?
                .into_iter()
                .for_each(add);
            Ok(())
        })?;
    }
    let mentions = Mentions::collect(store.approved_mentions()?, comments.avatars);
    Ok((threads, mentions, latest))
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
