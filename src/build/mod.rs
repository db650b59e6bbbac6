//! `quill build` as a library call, in named stages that run one after another:
//!
//! 1. `prepare`: the configuration, the output's lock, finishing an interrupted build, the
//!    templates, the key of the site-wide inputs;
//! 2. `load`: the last build's records, the content's front matter and the comment stamps
//!    and counts, into the immutable site model; without a usable record every thread is
//!    rendered, so reading them starts here (`threads::Reader::every_thread`);
//! 3. plan (`plan::plan`): one job per output file, and which of them changed since the last
//!    build;
//! 4. render (`render_inputs`, then `render::Rendering`): the Markdown of the bodies needed
//!    beside the newest comments and the webmentions, then the chosen jobs in parallel, the
//!    threads streamed from the store as their pages render (`threads`, `spill`);
//! 5. write (`write::write`, which the rendering writes into as it goes): a full build into a
//!    staging folder swapped in whole, an incremental one into a pending folder renamed in
//!    after a journal records it.
//!
//! A build remembers what it wrote in a manifest (`manifest::Manifest`) beside the output.
//! The next build reads front matter only from files that changed, renders only the files
//! whose inputs changed (of a thread's pages, only those that show something new), and
//! rewrites only the files whose bytes changed. Without a usable manifest (the first
//! build, `--full`, or a change to the config, the templates, the options or quill itself),
//! everything is built anew.

mod plan;
mod render;
mod spill;
mod threads;
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
use crate::manifest::{self, FeedPage, Manifest};
use crate::output;
use crate::render::{Inputs, TopLevel};
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
    /// Files rendered: in an incremental build, those whose inputs changed, less the pages of
    /// threads that turned out to show what they showed before.
    pub rendered: usize,
    /// Whether the last build's output was updated rather than replaced.
    pub incremental: bool,
    /// Where the output went.
    pub output_dir: PathBuf,
    /// Approved comments published.
    pub comments: usize,
    /// Comments this build turned into HTML (those of the thread pages it rendered).
    pub comments_rendered: usize,
    /// The CPU time that took, on all threads (zero where the system has no clock per
    /// thread): each comment's place in its thread, its values and its HTML, not reading it
    /// or writing its page.
    pub comment_cpu: Duration,
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
    let jobs = crate::render::jobs(site, &loaded.top_level);
    let plan = plan::plan(
        site,
        &jobs,
        prepared.site_key,
        &loaded.sources,
        &loaded.stamps,
        &loaded.top_level,
        previous,
    )?;

    // Render: the bodies the chosen jobs show, the newest comments and the webmentions, then
    // the jobs; the threads stream from the store as their pages render (`threads`).
    let known_pages = recorded_feed_pages(previous, &loaded.stamps);
    let mut reader = loaded.reader;
    let ((bodies, body_warnings), (mentions, latest, mut store)) = render_inputs(
        options,
        &prepared,
        site,
        &loaded.sources,
        &plan.needed,
        loaded.store,
    )?;
    warnings.extend(body_warnings);
    let stamps = &loaded.stamps;
    let chosen = (plan.to_render.as_slice(), &plan.thread_keys);
    let rendering = render::Rendering::new(&jobs, chosen, &latest, (stamps, previous), known_pages);
    let no_threads = Threads::default();
    let no_pages = FxHashMap::default();
    let comment_meter = crate::render::meter::CommentMeter::default();
    let stencils = crate::render::Stencils::default();
    let inputs = Inputs {
        bodies: &bodies,
        threads: &no_threads,
        top_level: &loaded.top_level,
        feed_pages: &no_pages,
        fill_comments: prepared.fill_comments,
        mentions: &mentions,
        latest: &latest,
        comment_meter: &comment_meter,
        stencils: &stencils,
    };
    let copies = write::copied_files(&options.root, site)?;
    let outputs = write::Outputs::new(plan.planned, &copies, previous);
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
                &mut |sink| {
                    let tera = crate::render::prepare(site, tera);
                    let threads = (store.take(), reader.take());
                    rendering.render(site, &inputs, threads, (tera, progress), sink)
                },
                |hashes| {
                    let shown = rendering.shown()?;
                    let mut manifest = outputs.manifest(prepared.site_key, hashes, &shown)?;
                    let feed_pages = rendering.feed_pages()?;
                    manifest.feed_pages = feed_page_entries(&latest, &feed_pages, stamps);
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
    let (comments_rendered, comment_cpu) = comment_meter.total();
    Ok(BuildSummary {
        pages: site.pages.len(),
        posts: site.posts.len(),
        tags: site.tags.len(),
        files,
        written: written.files,
        rendered: rendering.rendered(),
        mixed_for: written.mixed_for,
        incremental: previous.is_some(),
        comments: site.posts.iter().map(|p| p.comment_count).sum(),
        comments_rendered,
        comment_cpu,
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
    /// Every thread, already being read when the build renders every page.
    reader: Option<threads::Reader>,
    stamps: PostStamps,
    /// Every thread's number of top-level comments, from the stamps.
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
    // Without a record every page is rendered, so every thread is read: that starts now, beside
    // the content, instead of once the pages without threads are rendered.
    let every_thread = previous.is_none();
    let (loaded, opened) = rayon::join(
        || content::load_scanned(root, config, options.drafts, scanned?, cache),
        || open_comments(prepared.database.as_ref(), every_thread.then_some(config)),
    );
    let (loaded, (store, stamps, reader)) = (loaded?, opened?);
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
    // With one level, every comment is top-level.
    let flat = config.comments.max_depth <= 1;
    let top_level = stamps
        .iter()
        .map(|(key, s)| (key.clone(), if flat { s.approved } else { s.top_level }))
        .collect();
    Ok(LoadedSite {
        site,
        sources,
        left_out,
        cache_unchanged,
        previous,
        store,
        reader,
        stamps,
        top_level,
        warnings,
    })
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

/// The rendered bodies of the pages the plan needs (with their warnings), and what the pages
/// read from the store besides threads (see [`Comments`]). The Markdown
/// renders while the store is read: one is CPU, the other waits on the database.
fn render_inputs(
    options: &BuildOptions,
    prepared: &Prepared,
    site: &Site,
    sources: &[content::Source],
    needed: &[bool],
    store: Option<Store>,
) -> Result<(site::Bodies, Comments)> {
    let (bodies, read) = rayon::join(
        || {
            // Every page's link, for what the bodies to render link to: none to render (a
            // build for comments only) needs none.
            let links = if needed.contains(&true) {
                Links::new(site, sources)
            } else {
                Links::default()
            };
            let env = shortcodes::Env::new(&options.root, &prepared.tera, &site.config, &links);
            site::render_bodies(&env, site, sources, needed)
        },
        || read_comments(store, &site.config),
    );
    Ok((bodies?, read?))
}

/// The comment database, if the site has one yet, with each post's comment stamp and counts:
/// a thread's pages are planned from its number of top-level comments, without reading it.
/// Given the configuration (for a build that renders every page), every thread also starts
/// being read, on a connection of its own.
fn open_comments(
    database: Option<&DbLocation>,
    every_thread: Option<&SiteConfig>,
) -> Result<(Option<Store>, PostStamps, Option<threads::Reader>)> {
    let Some(location) = database else {
        return Ok((None, PostStamps::default(), None));
    };
    let Some(store) = Store::open_read_only(location)? else {
        return Ok((None, PostStamps::default(), None));
    };
    let stamps = store.comment_stamps()?;
    let reader = match (every_thread, stamps.is_empty()) {
        (Some(config), false) => {
            let own = store
                .reopen_read_only()?
                .ok_or_else(|| anyhow::anyhow!("{} went away during the build", location))?;
            let highlight = config.markdown.highlight;
            Some(threads::Reader::every_thread(
                own,
                &stamps,
                &config.comments,
                highlight,
            )?)
        }
        _ => None,
    };
    Ok((Some(store), stamps, reader))
}

/// What a build reads from the store before the threads: every approved webmention and the
/// newest comments for the comments feed; and the store, to read the threads from.
type Comments = (Mentions, Vec<CommentRecord>, Option<Store>);

/// Every approved webmention and the newest comments, handing the store back for the threads
/// (it moves between threads, as it cannot be shared).
fn read_comments(store: Option<Store>, config: &SiteConfig) -> Result<Comments> {
    let Some(store) = store else {
        return Ok((Mentions::default(), Vec::new(), None));
    };
    let latest = store.latest_approved(feed_size(config))?;
    let mentions = Mentions::collect(store.approved_mentions()?, config.comments.avatars);
    Ok((mentions, latest, Some(store)))
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
