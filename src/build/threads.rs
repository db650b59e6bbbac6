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
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::Xxh3;

use super::plan::Plan;
use super::spill;
use crate::comments::CommentRecord;
use crate::comments::thread::Threads;
use crate::config::CommentsConfig;
use crate::manifest::Manifest;
use crate::render::{self, Inputs, Job};
use crate::site::Site;
use crate::store::Store;

/// How many read threads may wait for a renderer: enough to keep both sides busy, few enough
/// that memory stays about that of the largest threads.
const WAITING: usize = 1;

/// How many comments are read: those of the posts whose threads are wanted, and all the
/// approved comments the store has.
pub(super) struct Counts<'c> {
    /// Each wanted post's approved comments.
    pub approved: &'c (dyn Fn(&str) -> usize + Sync),
    /// Every post's.
    pub all: usize,
    /// About how many comments a batch of the one pass holds ([`spill::BATCH`]).
    pub batch: usize,
}

/// Reads the threads of `posts` on a thread of its own and hands each post's, whole, to
/// `render` on the rayon pool as soon as it is read. When the posts hold most of the store's
/// comments (a full build), they are read in one pass over the table, in batches (see
/// [`spill`](super::spill)); else thread by thread through the index by post, which costs a
/// seek per comment but reads only those. Stops at the first error of either side.
pub(super) fn each_thread(
    store: Store,
    posts: &[&str],
    counts: &Counts<'_>,
    config: &CommentsConfig,
    highlight: bool,
    render: &(dyn Fn(&str, &Threads) -> Result<()> + Sync),
) -> Result<()> {
    if posts.is_empty() {
        return Ok(());
    }
    let (sender, receiver) = sync_channel::<(String, Threads)>(WAITING);
    let no_threads = || Threads::new(config.max_depth, config.avatars).highlighting(highlight);
    let wanted: usize = posts.iter().map(|p| (counts.approved)(p)).sum();
    let in_one_pass = wanted * 2 >= counts.all;
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            // Hands over each thread; false once the renderers stopped (an error).
            let send_all = |threads: Threads| {
                threads
                    .sorted()
                    .into_posts()
                    .all(|one| sender.send(one).is_ok())
            };
            if in_one_pass {
                let (batch_of, count) = spill::batches(posts, counts.approved, counts.batch);
                let mut held = no_threads();
                let mut spill = spill::Spill::new(count - 1)?;
                let mut failed = None;
                store.each_approved_comment(None, &mut |record| match batch_of
                    .get(record.post.as_str())
                {
                    Some(0) => held.add(record),
                    Some(&batch) if failed.is_none() => {
                        failed = spill.push(batch - 1, &held.keep(record)).err();
                    }
                    _ => {}
                })?;
                if let Some(e) = failed {
                    return Err(e);
                }
                if !send_all(held) {
                    return Ok(());
                }
                for batch in spill.batches() {
                    let mut threads = no_threads();
                    batch?.into_iter().for_each(|c| threads.add_kept(c));
                    if !send_all(threads) {
                        break;
                    }
                }
                return Ok(());
            }
            let mut current = no_threads();
            let mut post = String::new();
            // Whether the renderers stopped (an error): the rest of the rows are passed over.
            let mut stopped = false;
            store.each_approved_comment(Some(posts), &mut |record| {
                if stopped {
                    return;
                }
                if record.post != post {
                    if !post.is_empty() {
                        stopped = !send_all(std::mem::replace(&mut current, no_threads()));
                    }
                    post.clone_from(&record.post);
                }
                current.add(record);
            })?;
            if !stopped {
                send_all(current);
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
                _ if job.waits_for_every_thread() => rendering.last.push(job),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comments::Status;
    use crate::store::{DbLocation, NewComment};

    /// A store of `posts` posts whose comments are stored interleaved, as visitors send them:
    /// post `i % posts` gets comment `i`, every third replying to the one before on its post.
    fn store(dir: &std::path::Path, posts: usize, comments: usize) -> DbLocation {
        let location = DbLocation::Sqlite(dir.join("comments.db"));
        let (mut store, _) = Store::open_for_write(&location).unwrap();
        let mut tx = store.begin_ingest().unwrap();
        let mut last: FxHashMap<String, i64> = FxHashMap::default();
        for i in 0..comments {
            let post = format!("post-{}", i % posts);
            let key = format!("k{i}");
            let body = format!("Comment {i}.");
            let body_html = crate::comments::render::stored_html(&body);
            let parent = (i % 3 == 2).then(|| last.get(&post).copied()).flatten();
            let new = NewComment {
                post: &post,
                parent_id: parent,
                username: "Ada",
                email: "ada@example.org",
                body: &body,
                body_html: &body_html,
                timestamp: chrono::DateTime::from_timestamp(1_700_000_000 + i as i64 * 60, 0)
                    .unwrap(),
                status: Status::Approved,
                submission_key: &key,
                spam_score: None,
                spam_reasons: None,
            };
            if let crate::store::Inserted::New(id) = tx.insert(&new).unwrap() {
                last.insert(post, id);
            }
        }
        tx.commit().unwrap();
        location
    }

    /// What `each_thread` hands over: each post with the ids of its thread, nested.
    fn read(location: &DbLocation, posts: &[&str], all: usize, batch: usize) -> Vec<String> {
        let store = Store::open_read_only(location).unwrap().unwrap();
        let stamps = store.comment_stamps().unwrap();
        let approved = |post: &str| stamps.get(post).map_or(0, |s| s.approved);
        let counts = Counts {
            approved: &approved,
            all,
            batch,
        };
        let seen = Mutex::new(Vec::new());
        let config = CommentsConfig::default();
        each_thread(store, posts, &counts, &config, true, &|post, threads| {
            fn ids(nodes: &[crate::comments::thread::CommentNode]) -> String {
                let each = nodes
                    .iter()
                    .map(|n| format!("{}({})", n.id, ids(&n.replies)));
                each.collect::<Vec<_>>().join(" ")
            }
            seen.lock()
                .unwrap()
                .push(format!("{post}: {}", ids(&threads.for_post(post))));
            Ok(())
        })
        .unwrap();
        let mut seen = seen.into_inner().unwrap();
        seen.sort();
        seen
    }

    #[test]
    fn threads_read_in_batches_set_aside_equal_threads_read_one_by_one() {
        let dir = tempfile::tempdir().unwrap();
        let location = store(dir.path(), 7, 200);
        let names: Vec<String> = (0..7).map(|i| format!("post-{i}")).collect();
        let posts: Vec<&str> = names.iter().map(String::as_str).collect();
        // One by one through the index, as when the posts hold few of the store's comments.
        let one_by_one = read(&location, &posts, usize::MAX, 50);
        assert_eq!(one_by_one.len(), 7);
        // One pass, held in one batch, or in batches of about 50, six set aside in files.
        assert_eq!(read(&location, &posts, 200, 1_000), one_by_one);
        assert_eq!(read(&location, &posts, 200, 50), one_by_one);
        // A post without comments is not handed over; the others still are.
        let mut more = posts.clone();
        more.push("quiet");
        assert_eq!(read(&location, &more, 200, 1), one_by_one);
    }
}
