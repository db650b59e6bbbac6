//! The render stage: the jobs the plan chose, sorted by what they wait on and rendered in that
//! order into the writer's sink: those that show no thread first, then each post's thread
//! pages as its thread arrives from the store (`threads`), skipping the pages that show what
//! they showed before, then the comments feed, which links each of its comments on the page
//! of its thread that shows it. What it learns of the threads goes into the next manifest.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Result, anyhow};
use rustc_hash::{FxHashMap, FxHashSet};
use tera::Tera;
use xxhash_rust::xxh3::Xxh3;

use super::{Progress, threads};
use crate::comments::CommentRecord;
use crate::comments::thread::Threads;
use crate::manifest::Manifest;
use crate::render::{self, Inputs, Job, Sink};
use crate::site::Site;
use crate::store::{PostStamps, Store};

/// The chosen jobs, by what they wait on: none (`plain`), the thread of one post
/// (`by_post`), or every thread (`last`: the comments feed).
pub(super) struct Rendering<'j, 'a> {
    /// Jobs that show no thread, rendered first.
    plain: Vec<&'j Job<'a>>,
    /// The jobs that show each thread (with their index), by post key: rendered as the
    /// thread arrives.
    by_post: FxHashMap<&'a str, Vec<(usize, &'j Job<'a>)>>,
    /// Rendered after every thread.
    last: Vec<&'j Job<'a>>,
    /// By job index, the key of each job showing a thread, without the thread.
    thread_keys: &'j FxHashMap<usize, u128>,
    /// Each post's comment counts.
    stamps: &'j PostStamps,
    /// The last build's manifest, with what each thread page showed then.
    previous: Option<&'j Manifest>,
    /// The comments of the comments feed on each post whose page for them the last build did
    /// not record: their threads are read for that, if not for a page.
    feed_comments: FxHashMap<&'a str, Vec<i64>>,
    /// The page of its thread each comment of the comments feed is on: recorded by the last
    /// build, or found as the threads are read.
    feed_pages: Mutex<FxHashMap<i64, usize>>,
    /// What each thread page rendered or passed over shows of its thread, by file.
    shown: Mutex<FxHashMap<String, u128>>,
    /// How many of the jobs showing a thread were not rendered, since their pages show the
    /// same as before.
    skipped: AtomicUsize,
}

impl<'j, 'a> Rendering<'j, 'a> {
    /// Sorts the jobs the plan chose by what they wait on. `known_pages` are the pages of the
    /// comments feed's comments that the last build recorded and that still hold.
    pub(super) fn new(
        jobs: &'j [Job<'a>],
        (to_render, thread_keys): (&[usize], &'j FxHashMap<usize, u128>),
        latest: &'a [CommentRecord],
        (stamps, previous): (&'j PostStamps, Option<&'j Manifest>),
        known_pages: FxHashMap<i64, usize>,
    ) -> Rendering<'j, 'a> {
        let (mut plain, mut last) = (Vec::new(), Vec::new());
        let mut by_post: FxHashMap<&str, Vec<_>> = FxHashMap::default();
        for &i in to_render {
            let job = &jobs[i];
            match (job, job.thread_page()) {
                (_, Some((page, _))) if thread_keys.contains_key(&i) => {
                    by_post.entry(&page.key).or_default().push((i, job));
                }
                _ if job.waits_for_every_thread() => last.push(job),
                _ => plain.push(job),
            }
        }
        let mut feed_comments: FxHashMap<&str, Vec<i64>> = FxHashMap::default();
        if !last.is_empty() {
            for c in latest.iter().filter(|c| !known_pages.contains_key(&c.id)) {
                feed_comments.entry(&c.post).or_default().push(c.id);
            }
        }
        Rendering {
            plain,
            by_post,
            last,
            thread_keys,
            stamps,
            previous,
            feed_comments,
            feed_pages: Mutex::new(known_pages),
            shown: Mutex::default(),
            skipped: AtomicUsize::new(0),
        }
    }

    /// Renders every chosen job into `sink`: the plain ones, then the threads' as each thread
    /// arrives from the reader, already reading or started here on `store` (none without
    /// either), then the comments feed. `inputs` has no threads and no feed pages yet; each
    /// post's thread and, at the end, the feed's pages are put in as they are known.
    pub(super) fn render(
        &self,
        site: &Site,
        inputs: &Inputs<'_>,
        (store, reader): (Option<Store>, Option<threads::Reader>),
        (tera, progress): (&Tera, &dyn Progress),
        sink: &Sink<'_>,
    ) -> Result<()> {
        progress.start(self.count());
        render::render_jobs(site, &self.plain, inputs, tera, progress, sink)?;
        let config = &site.config;
        let posts = self.thread_posts();
        let reader = match (reader, store) {
            (Some(reader), _) => Some(reader),
            (None, Some(store)) => Some(threads::Reader::for_posts(
                store,
                &posts,
                self.stamps,
                &config.comments,
                config.markdown.highlight,
            )?),
            (None, None) => None,
        };
        if let Some(reader) = reader {
            let arrived = Mutex::new(FxHashSet::default());
            reader.render_each(&|post: &str, threads: &Threads| {
                lock(&arrived)?.insert(post.to_string());
                self.render_thread(site, inputs, post, threads, (tera, progress), sink)
            })?;
            // A post whose stamp counts comments the store no longer has (rows deleted by
            // hand) still gets its pages, with what the store has: none.
            let arrived = lock(&arrived)?;
            let none = Threads::default();
            for post in posts.iter().filter(|p| !arrived.contains(**p)) {
                self.render_thread(site, inputs, post, &none, (tera, progress), sink)?;
            }
        }
        let feed_pages = self.feed_pages()?;
        let inputs = Inputs {
            feed_pages: &feed_pages,
            ..*inputs
        };
        render::render_jobs(site, &self.last, &inputs, tera, progress, sink)
    }

    /// Renders the pages of `post`'s thread that show something new of it.
    fn render_thread(
        &self,
        site: &Site,
        inputs: &Inputs<'_>,
        post: &str,
        threads: &Threads,
        (tera, progress): (&Tera, &dyn Progress),
        sink: &Sink<'_>,
    ) -> Result<()> {
        self.note_feed_pages(post, threads, site.config.comments.per_page)?;
        let inputs = Inputs { threads, ..*inputs };
        let changed = self.changed_jobs(site, &inputs, post)?;
        render::render_jobs(site, &changed, &inputs, tera, progress, sink)
    }

    /// How many files are rendered.
    fn count(&self) -> usize {
        let threads: usize = self.by_post.values().map(Vec::len).sum();
        self.plain.len() + self.last.len() + threads
    }

    /// How many files were rendered: those of the thread pages that turned out to show what
    /// they showed before were not.
    pub(super) fn rendered(&self) -> usize {
        self.count() - self.skipped.load(Ordering::Relaxed)
    }

    /// The page of its thread each comment of the comments feed is on, as far as known.
    pub(super) fn feed_pages(&self) -> Result<std::sync::MutexGuard<'_, FxHashMap<i64, usize>>> {
        lock(&self.feed_pages)
    }

    /// What each thread page of this build shows of its thread, by file.
    pub(super) fn shown(&self) -> Result<std::sync::MutexGuard<'_, FxHashMap<String, u128>>> {
        lock(&self.shown)
    }

    /// The posts whose threads are read: for their pages, or for the comments feed.
    fn thread_posts(&self) -> Vec<&'a str> {
        let mut posts: Vec<&str> = self.by_post.keys().copied().collect();
        posts.extend(self.feed_comments.keys().copied());
        posts.sort_unstable();
        posts.dedup();
        posts
    }

    /// The jobs showing the thread of `post` whose pages show something else of it than when
    /// they were last rendered; what each shows is recorded, by file.
    fn changed_jobs(
        &self,
        site: &Site,
        inputs: &Inputs<'_>,
        post: &str,
    ) -> Result<Vec<&'j Job<'a>>> {
        let mut changed = Vec::new();
        let jobs = self.by_post.get(post).map_or(&[][..], Vec::as_slice);
        for &(i, job) in jobs {
            let (Some(&without), Some((page, index))) =
                (self.thread_keys.get(&i), job.thread_page())
            else {
                changed.push(job);
                continue;
            };
            let mut hasher = Xxh3::new();
            hasher.update(&without.to_le_bytes());
            hasher.update(&render::thread_digest(site, inputs, page, index)?.to_le_bytes());
            let digest = hasher.digest128();
            let file = job.file(site);
            let before = self.previous.and_then(|m| m.outputs.get(&file));
            if before.and_then(|e| e.shown) != Some(digest) {
                changed.push(job);
            }
            self.shown()?.insert(file, digest);
        }
        self.skipped
            .fetch_add(jobs.len() - changed.len(), Ordering::Relaxed);
        Ok(changed)
    }

    /// Records the page of its thread that shows each comment of the comments feed on `post`.
    fn note_feed_pages(&self, post: &str, threads: &Threads, per_page: usize) -> Result<()> {
        let Some(ids) = self.feed_comments.get(post) else {
            return Ok(());
        };
        let found: Vec<(i64, usize)> = ids
            .iter()
            .filter_map(|&id| Some((id, threads.page_of(post, id, per_page)?)))
            .collect();
        self.feed_pages()?.extend(found);
        Ok(())
    }
}

/// A map the renderers fill from many threads.
fn lock<T>(shared: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>> {
    shared
        .lock()
        .map_err(|_| anyhow!("internal error: a renderer failed"))
}
