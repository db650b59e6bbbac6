//! The comment threads a build renders, read from the store on a thread of their own while the
//! pages of the threads already read render, and handed over one post at a time: a build holds
//! a batch of comments (see `spill`) or a few threads at once, never every comment, so its
//! memory does not follow the site's count of comments.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, sync_channel};
use std::thread::JoinHandle;

use anyhow::{Result, anyhow};
use rayon::iter::{ParallelBridge, ParallelIterator};
use rustc_hash::FxHashMap;

use super::spill;
use crate::comments::thread::Threads;
use crate::config::CommentsConfig;
use crate::store::{PostStamps, Store};

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
    /// How far apart the lowest and highest comment ids must be for the one pass to be
    /// shared by two readers ([`SHARED_PASS`]).
    pub shared_pass: i64,
}

/// The threads of some posts, being read from the store on a thread of their own and handed
/// over one post at a time, whole, as [`Reader::render_each`] takes them. When the posts hold
/// most of the store's comments (a full build), they are read in one pass over the table, in
/// batches (see [`spill`](super::spill)); else thread by thread through the index by post,
/// which costs a seek per comment but reads only those.
/// Dropped without [`Reader::render_each`] (the build failed before its threads), it stops
/// the reading at the next row and waits for it, so that a failed build leaves no thread
/// reading behind it.
pub(super) struct Reader {
    threads: Option<Receiver<(String, Threads)>>,
    reading: Option<JoinHandle<Result<()>>>,
    /// Set to stop the reading: read at every row.
    stop: Arc<AtomicBool>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // The channel first: a reader waiting to hand a thread over then stops waiting.
        drop(self.threads.take());
        if let Some(reading) = self.reading.take() {
            // Its result is the failed build's business no more.
            let _ = reading.join();
        }
    }
}

/// What a reader reads, owned, since it reads on a thread of its own.
struct ReadPlan {
    posts: Vec<String>,
    approved: FxHashMap<String, usize>,
    all: usize,
    batch: usize,
    shared_pass: i64,
    max_depth: usize,
    avatars: crate::config::Avatars,
    highlight: bool,
}

impl Reader {
    /// Starts reading the threads of `posts` from `store`.
    pub(super) fn start(
        store: Store,
        posts: &[&str],
        counts: &Counts<'_>,
        config: &CommentsConfig,
        highlight: bool,
    ) -> Result<Reader> {
        let plan = ReadPlan {
            posts: posts.iter().map(|p| p.to_string()).collect(),
            approved: posts
                .iter()
                .map(|&p| (p.to_string(), (counts.approved)(p)))
                .collect(),
            all: counts.all,
            batch: counts.batch,
            shared_pass: counts.shared_pass,
            max_depth: config.max_depth,
            avatars: config.avatars,
            highlight,
        };
        Reader::spawn(store, plan)
    }

    /// Starts reading the threads of `posts`, counted by the store's `stamps`, in batches of
    /// [`spill::BATCH`] and shared by two readers past [`SHARED_PASS`]: what a build does.
    pub(super) fn for_posts(
        store: Store,
        posts: &[&str],
        stamps: &PostStamps,
        config: &CommentsConfig,
        highlight: bool,
    ) -> Result<Reader> {
        let approved = |post: &str| stamps.get(post).map_or(0, |s| s.approved);
        let counts = Counts {
            approved: &approved,
            all: stamps.values().map(|s| s.approved).sum(),
            batch: spill::BATCH,
            shared_pass: SHARED_PASS,
        };
        Reader::start(store, posts, &counts, config, highlight)
    }

    /// Starts reading every thread the store has, in one pass, for a build that renders every
    /// page: it can begin before the content is read, beside it.
    pub(super) fn every_thread(
        store: Store,
        stamps: &PostStamps,
        config: &CommentsConfig,
        highlight: bool,
    ) -> Result<Reader> {
        let mut posts: Vec<&str> = stamps.keys().map(String::as_str).collect();
        posts.sort_unstable();
        Reader::for_posts(store, &posts, stamps, config, highlight)
    }

    fn spawn(store: Store, plan: ReadPlan) -> Result<Reader> {
        let (sender, threads) = sync_channel::<(String, Threads)>(WAITING);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let reading = std::thread::Builder::new()
            .name("quill-comments".into())
            .spawn(move || {
                let stop = &*stopped;
                let no_threads = || Threads::new(plan.max_depth, plan.avatars, plan.highlight);
                let approved = |post: &str| plan.approved.get(post).copied().unwrap_or(0);
                let counts = Counts {
                    approved: &approved,
                    all: plan.all,
                    batch: plan.batch,
                    shared_pass: plan.shared_pass,
                };
                let posts: Vec<&str> = plan.posts.iter().map(String::as_str).collect();
                // Hands over each thread; false once the renderers stopped (an error).
                let send = |threads: Threads| {
                    threads
                        .sorted()
                        .into_posts()
                        .all(|one| sender.send(one).is_ok())
                };
                let wanted: usize = posts.iter().map(|p| approved(p)).sum();
                if posts.is_empty() {
                    Ok(())
                } else if wanted * 2 >= counts.all {
                    read_in_batches(&store, &posts, &counts, (&no_threads, &send, stop))
                } else {
                    read_one_by_one(&store, &posts, (&no_threads, &send, stop))
                }
            })
            .map_err(|e| anyhow!("failed to start reading the comments: {e}"))?;
        Ok(Reader {
            threads: Some(threads),
            reading: Some(reading),
            stop,
        })
    }

    /// Hands each thread, as soon as it is read, to `render` on the rayon pool. Stops at the
    /// first error of either side.
    pub(super) fn render_each(
        mut self,
        render: &(dyn Fn(&str, &Threads) -> Result<()> + Sync),
    ) -> Result<()> {
        let (Some(threads), Some(reading)) = (self.threads.take(), self.reading.take()) else {
            return Err(anyhow!("internal error: the comment reader was used twice"));
        };
        let rendered = threads
            .into_iter()
            .par_bridge()
            .try_for_each(|(post, threads)| render(&post, &threads));
        if rendered.is_err() {
            self.stop.store(true, Ordering::Relaxed);
        }
        let read = reading
            .join()
            .map_err(|_| anyhow!("internal error: the comment reader stopped"))?;
        // A render error stops the reader; a read error is the cause of any render error.
        read.and(rendered)
    }
}

/// Reads every comment in one pass over the table: the first batch's threads are handed over
/// once the pass is done, each later batch's after reading it back from its files. A large
/// pass is shared by two readers, each on its own connection and half of the ids: the pass
/// is the part of a full build nothing else runs beside.
fn read_in_batches(
    store: &Store,
    posts: &[&str],
    counts: &Counts<'_>,
    (no_threads, send, stop): Hands<'_>,
) -> Result<()> {
    let (batch_of, count) = spill::batches(posts, counts.approved, counts.batch);
    let halves = match store.comment_ids()? {
        // In i128: imported ids may be anywhere in i64.
        Some((low, high))
            if i128::from(high) - i128::from(low) >= i128::from(counts.shared_pass) =>
        {
            let middle = i64::try_from((i128::from(low) + i128::from(high)) / 2).unwrap_or(low);
            store
                .reopen_read_only()?
                .map(|second| (second, (low, middle), (middle + 1, high)))
        }
        _ => None,
    };
    let read = |store: &Store, ids| read_part(store, ids, &batch_of, count, (no_threads, stop));
    let (mut held, spill, other) = match halves {
        None => {
            let (held, spill) = read(store, None)?;
            (held, spill, None)
        }
        Some((second, mine, theirs)) => std::thread::scope(|scope| {
            let other = scope.spawn(move || read(&second, Some(theirs)));
            let (held, spill) = read(store, Some(mine))?;
            let other = other
                .join()
                .map_err(|_| anyhow!("internal error: a comment reader stopped"))??;
            Ok::<_, anyhow::Error>((held, spill, Some(other)))
        })?,
    };
    let mut other_spill = None;
    if let Some((other_held, spill)) = other {
        held.absorb(other_held);
        other_spill = Some(spill.batches());
    }
    if !send(held) {
        return Ok(());
    }
    for batch in spill.batches() {
        let mut threads = no_threads();
        batch?.into_iter().for_each(|c| threads.add_kept(c));
        if let Some(other) = other_spill.as_mut().and_then(Iterator::next) {
            other?.into_iter().for_each(|c| threads.add_kept(c));
        }
        if !send(threads) {
            break;
        }
    }
    Ok(())
}

/// How far apart the lowest and highest comment ids must be for a pass to be shared: below
/// that, a second connection and thread cost about what they save.
const SHARED_PASS: i64 = 20_000;

/// One reader's part of the pass (the comments with `ids`; all with `None`): the first batch's
/// threads, and the later batches' comments set aside.
fn read_part(
    store: &Store,
    ids: Option<(i64, i64)>,
    batch_of: &FxHashMap<&str, usize>,
    count: usize,
    (no_threads, stop): (&(dyn Fn() -> Threads + Sync), &AtomicBool),
) -> Result<(Threads, spill::Spill)> {
    let mut held = no_threads();
    let mut spill = spill::Spill::new(count - 1)?;
    let mut failed = None;
    let read = crate::comments::ThreadRead {
        ids,
        ..held.read(None)
    };
    store.each_approved_comment(&read, &mut |row| {
        match batch_of.get(row.post) {
            Some(0) => held.add(row),
            Some(&batch) => failed = spill.push(batch - 1, &held.keep(row)).err(),
            None => {}
        }
        failed.is_none() && !stop.load(Ordering::Relaxed)
    })?;
    match failed {
        Some(e) => Err(e),
        None => Ok((held, spill)),
    }
}

/// Reads the threads of `posts` one after another through the index by post, handing each
/// over as soon as the next begins.
fn read_one_by_one(
    store: &Store,
    posts: &[&str],
    (no_threads, send, stop): Hands<'_>,
) -> Result<()> {
    let mut current = no_threads();
    let mut post = String::new();
    // Whether the renderers stopped (an error), or the build: the rest is not read.
    let mut stopped = false;
    let read = current.read(Some(posts));
    store.each_approved_comment(&read, &mut |row| {
        if row.post != post {
            if !post.is_empty() {
                stopped = !send(std::mem::replace(&mut current, no_threads()));
            }
            row.post.clone_into(&mut post);
        }
        current.add(row);
        stopped |= stop.load(Ordering::Relaxed);
        !stopped
    })?;
    if !stopped {
        send(current);
    }
    Ok(())
}

/// What a reader works with: how to make empty threads, how to hand threads over (false once
/// the renderers stopped), and the flag that stops it.
type Hands<'h> = (
    &'h (dyn Fn() -> Threads + Sync),
    &'h dyn Fn(Threads) -> bool,
    &'h AtomicBool,
);

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use rustc_hash::FxHashMap;

    use super::*;
    use crate::comments::Status;
    use crate::store::{DbLocation, NewComment};

    /// A store of `posts` posts whose comments are stored interleaved, as visitors send them:
    /// post `i % posts` gets comment `i` from one of five commenters, every third replying to
    /// the one before on its post; the eleventh is a webmention, which no thread shows.
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
            let username = format!("Commenter {}", i % 5);
            let new = NewComment {
                post: &post,
                parent_id: parent,
                username: &username,
                email: &format!("c{}@example.org", i % 5),
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
                if i == 10 {
                    let link = crate::store::MentionLink {
                        source: "https://elsewhere.example/reply",
                        target: "https://blog.example/post/",
                        kind: "reply",
                        author_url: None,
                        author_photo: None,
                        published: None,
                    };
                    tx.attach_mention(id, &link).unwrap();
                }
            }
        }
        tx.commit().unwrap();
        location
    }

    /// The ids of a thread with their authors, nested.
    fn ids(nodes: &[crate::comments::thread::CommentNode]) -> String {
        let each = nodes
            .iter()
            .map(|n| format!("{}:{}({})", n.id, n.author, ids(&n.replies)));
        each.collect::<Vec<_>>().join(" ")
    }

    /// What a reader hands over: each post with the ids of its thread, nested. A one pass
    /// is shared by two readers when the ids span `shared_pass`.
    fn read_shared(
        location: &DbLocation,
        posts: &[&str],
        (all, batch, shared_pass): (usize, usize, i64),
    ) -> Vec<String> {
        let store = Store::open_read_only(location).unwrap().unwrap();
        let stamps = store.comment_stamps().unwrap();
        let approved = |post: &str| stamps.get(post).map_or(0, |s| s.approved);
        let counts = Counts {
            approved: &approved,
            all,
            batch,
            shared_pass,
        };
        let seen = Mutex::new(Vec::new());
        let config = CommentsConfig::default();
        let reader = Reader::start(store, posts, &counts, &config, true).unwrap();
        reader
            .render_each(&|post, threads| {
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

    /// What a reader hands over, the one pass read by one reader.
    fn read(location: &DbLocation, posts: &[&str], all: usize, batch: usize) -> Vec<String> {
        read_shared(location, posts, (all, batch, i64::MAX))
    }

    /// What a reader of every thread the store has hands over, as `read` says it.
    fn read_every_thread(location: &DbLocation) -> Vec<String> {
        let store = Store::open_read_only(location).unwrap().unwrap();
        let stamps = store.comment_stamps().unwrap();
        let reader =
            Reader::every_thread(store, &stamps, &CommentsConfig::default(), true).unwrap();
        let seen = Mutex::new(Vec::new());
        reader
            .render_each(&|post, threads| {
                let thread = ids(&threads.for_post(post));
                seen.lock().unwrap().push(format!("{post}: {thread}"));
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
        let shown = one_by_one.join(" ");
        assert!(
            shown.contains(" 10:Commenter 4(") && shown.contains("(12:Commenter 1("),
            "{shown}"
        );
        let webmention = [" 11:", "(11:"].iter().any(|at| shown.contains(at));
        assert!(!webmention, "the webmention is no comment: {shown}");
        // One pass, held in one batch, or in batches of about 50, six set aside in files.
        assert_eq!(read(&location, &posts, 200, 1_000), one_by_one);
        assert_eq!(read(&location, &posts, 200, 50), one_by_one);
        // A post without comments is not handed over; the others still are.
        let mut more = posts.clone();
        more.push("quiet");
        assert_eq!(read(&location, &more, 200, 1), one_by_one);
        // The pass shared by two readers, each with its half of the ids: the threads of both
        // halves come together, in one batch or in batches set aside by each.
        assert_eq!(read_shared(&location, &posts, (200, 1_000, 10)), one_by_one);
        assert_eq!(read_shared(&location, &posts, (200, 50, 10)), one_by_one);
    }

    #[test]
    fn a_reader_dropped_unused_stops_and_is_gone() {
        // As when a build fails before its threads: the reader, waiting to hand over a thread
        // (two batches, so it has more than the channel holds), stops rather than waits.
        let dir = tempfile::tempdir().unwrap();
        let location = store(dir.path(), 7, 200);
        let store = Store::open_read_only(&location).unwrap().unwrap();
        let stamps = store.comment_stamps().unwrap();
        let reader =
            Reader::every_thread(store, &stamps, &CommentsConfig::default(), true).unwrap();
        let stop = Arc::clone(&reader.stop);
        assert!(
            Arc::strong_count(&stop) >= 2,
            "the reading thread holds the flag"
        );
        drop(reader);
        assert!(stop.load(Ordering::Relaxed));
        // The reading thread has ended, its copy of the flag with it.
        assert_eq!(Arc::strong_count(&stop), 1);
    }

    #[test]
    fn a_reader_of_every_thread_hands_over_what_reading_each_post_gives() {
        let dir = tempfile::tempdir().unwrap();
        let location = store(dir.path(), 5, 60);
        let names: Vec<String> = (0..5).map(|i| format!("post-{i}")).collect();
        let posts: Vec<&str> = names.iter().map(String::as_str).collect();
        let every = read_every_thread(&location);
        assert_eq!(every.len(), 5);
        assert_eq!(every, read(&location, &posts, usize::MAX, 50));
    }
}
