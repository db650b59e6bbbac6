//! The comment threads a build renders, read from the store while the pages of the threads
//! already read render, and handed over one post at a time: beyond a few hundred thousand
//! comments a build holds a few threads at once, never every comment, so its memory follows
//! the largest thread rather than the site's count. Which chosen jobs wait on which thread,
//! and which thread pages show something new, is decided here too.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use anyhow::{Result, anyhow};
use rayon::iter::{ParallelBridge, ParallelIterator};
use rustc_hash::{FxHashMap, FxHashSet};
use xxhash_rust::xxh3::Xxh3;

use super::plan::Plan;
use crate::comments::CommentRecord;
use crate::comments::thread::Threads;
use crate::config::CommentsConfig;
use crate::manifest::Manifest;
use crate::render::{self, Inputs, Job};
use crate::site::Site;
use crate::store::Store;

/// How many read threads may wait for a renderer: enough to keep both sides busy, few enough
/// that memory stays about that of the largest threads.
const WAITING: usize = 2;

/// Up to this many comments, when they are most of the store's, a build reads them in one
/// pass over the table and holds them while their pages render: read thread by thread through
/// the index by post, each comment costs a seek to wherever it was stored (about 1.5 µs of CPU
/// here, and a fifth of a comment-heavy build). Beyond it, threads are read one by one, so
/// that memory follows the largest thread, not the number of comments.
const READ_AT_ONCE: usize = 200_000;

/// How many comments are read: those of the posts whose threads are wanted, and all the
/// approved comments the store has.
#[derive(Debug, Clone, Copy)]
pub(super) struct Counts {
    /// The wanted posts' approved comments.
    pub wanted: usize,
    /// Every post's.
    pub all: usize,
}

/// Reads the threads of `posts` on a thread of its own and hands each post's, whole, to
/// `render` on the rayon pool as soon as it is read. Stops at the first error of either side.
pub(super) fn each_thread(
    store: Store,
    posts: &[&str],
    counts: Counts,
    config: &CommentsConfig,
    highlight: bool,
    render: &(dyn Fn(&str, &Threads) -> Result<()> + Sync),
) -> Result<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let (sender, receiver) = sync_channel::<(String, Threads)>(WAITING);
    let no_threads = || Threads::new(config.max_depth, config.avatars).highlighting(highlight);
    let at_once = counts.wanted <= READ_AT_ONCE && counts.wanted * 2 >= counts.all;
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            if at_once {
                let wanted: FxHashSet<&str> = posts.iter().copied().collect();
                let mut threads = no_threads();
                store.each_approved_comment(None, &mut |record| {
                    if wanted.contains(record.post.as_str()) {
                        threads.add(record);
                    }
                })?;
                for one in threads.sorted().into_posts() {
                    if sender.send(one).is_err() {
                        break;
                    }
                }
                return Ok(());
            }
            let mut current = no_threads();
            let mut post = String::new();
            // Whether the renderers stopped (an error): the rest of the rows are passed over.
            let mut stopped = false;
            let send = |post: &mut String, threads: Threads, stopped: &mut bool| {
                *stopped = sender
                    .send((std::mem::take(post), threads.sorted()))
                    .is_err();
            };
            store.each_approved_comment(Some(posts), &mut |record| {
                if stopped {
                    return;
                }
                if record.post != post {
                    if !post.is_empty() {
                        send(
                            &mut post,
                            std::mem::replace(&mut current, no_threads()),
                            &mut stopped,
                        );
                    }
                    post.clone_from(&record.post);
                }
                current.add(record);
            })?;
            if !stopped && !post.is_empty() {
                send(&mut post, current, &mut stopped);
            }
            Ok::<(), anyhow::Error>(())
        });
        let rendered = receiver
            .into_iter()
            .par_bridge()
            .try_for_each(|(post, threads)| render(&post, &threads));
        let read = reader
            .join()
            .map_err(|_| anyhow!("internal error: the comment reader stopped"))?;
        // A render error stops the reader; a read error is the cause of any render error.
        read.and(rendered)
    })
}

/// The chosen jobs, by what they wait on: none (`plain`), the thread of one post
/// (`by_post`), or every thread (`last`: the comments feed, which links each of its comments
/// on the page of its thread that shows it).
pub(super) struct Rendering<'j, 'a> {
    /// Jobs that show no thread, rendered first.
    pub plain: Vec<&'j Job<'a>>,
    /// The jobs that show each thread (with their index), by post key: rendered as the
    /// thread arrives.
    by_post: FxHashMap<&'a str, Vec<(usize, &'j Job<'a>)>>,
    /// By job index, the key of each job showing a thread, without the thread.
    thread_keys: &'j FxHashMap<usize, u128>,
    /// How many of the jobs showing a thread were not rendered, since their pages show the
    /// same as before.
    skipped: AtomicUsize,
    /// Rendered after every thread.
    pub last: Vec<&'j Job<'a>>,
    /// The comments of the comments feed on each post whose page for them the last build did
    /// not record: their threads are read for that, if not for a page.
    feed_comments: FxHashMap<&'a str, Vec<i64>>,
}

impl<'j, 'a> Rendering<'j, 'a> {
    /// Sorts the jobs the plan chose by what they wait on.
    pub(super) fn new(
        jobs: &'j [Job<'a>],
        plan: &'j Plan,
        latest: &'a [CommentRecord],
        known_pages: &FxHashMap<i64, usize>,
    ) -> Rendering<'j, 'a> {
        let mut rendering = Rendering {
            plain: Vec::new(),
            by_post: FxHashMap::default(),
            last: Vec::new(),
            feed_comments: FxHashMap::default(),
            thread_keys: &plan.thread_keys,
            skipped: AtomicUsize::new(0),
        };
        for &i in &plan.to_render {
            let job = &jobs[i];
            match (job, job.thread_page()) {
                (_, Some((page, _))) if plan.thread_keys.contains_key(&i) => {
                    rendering
                        .by_post
                        .entry(&page.key)
                        .or_default()
                        .push((i, job));
                }
                (Job::CommentsFeed, _) => rendering.last.push(job),
                _ => rendering.plain.push(job),
            }
        }
        if !rendering.last.is_empty() {
            for c in latest.iter().filter(|c| !known_pages.contains_key(&c.id)) {
                rendering
                    .feed_comments
                    .entry(&c.post)
                    .or_default()
                    .push(c.id);
            }
        }
        rendering
    }

    /// How many files are rendered.
    pub(super) fn count(&self) -> usize {
        let threads: usize = self.by_post.values().map(Vec::len).sum();
        self.plain.len() + self.last.len() + threads
    }

    /// The posts whose threads are read: for their pages, or for the comments feed.
    pub(super) fn thread_posts(&self) -> Vec<&'a str> {
        let mut posts: Vec<&str> = self.by_post.keys().copied().collect();
        posts.extend(self.feed_comments.keys().copied());
        posts.sort_unstable();
        posts.dedup();
        posts
    }

    /// The jobs showing the thread of `post` whose pages show something else of it than when
    /// they were last rendered; what each shows goes into `shown`, by file.
    pub(super) fn changed_jobs(
        &self,
        site: &Site,
        inputs: &Inputs<'_>,
        post: &str,
        previous: Option<&Manifest>,
        shown: &Mutex<FxHashMap<String, u128>>,
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
            if previous
                .and_then(|m| m.outputs.get(&file))
                .and_then(|e| e.shown)
                != Some(digest)
            {
                changed.push(job);
            }
            shown
                .lock()
                .map_err(|_| anyhow!("internal error: a renderer failed"))?
                .insert(file, digest);
        }
        self.skipped
            .fetch_add(jobs.len() - changed.len(), Ordering::Relaxed);
        Ok(changed)
    }

    /// How many files are rendered, or were: those of the thread pages that turned out to
    /// show what they showed before are not.
    pub(super) fn rendered(&self) -> usize {
        self.count() - self.skipped.load(Ordering::Relaxed)
    }

    /// Records the page of its thread that shows each comment of the comments feed on `post`.
    pub(super) fn note_feed_pages(
        &self,
        post: &str,
        threads: &Threads,
        per_page: usize,
        pages: &Mutex<FxHashMap<i64, usize>>,
    ) -> Result<()> {
        let Some(ids) = self.feed_comments.get(post) else {
            return Ok(());
        };
        let found: Vec<(i64, usize)> = ids
            .iter()
            .filter_map(|&id| Some((id, threads.page_of(post, id, per_page)?)))
            .collect();
        pages
            .lock()
            .map_err(|_| anyhow!("internal error: a renderer failed"))?
            .extend(found);
        Ok(())
    }
}
