//! How much CPU a build spends turning comments into HTML, counted by the build itself: the
//! benchmark reports it per comment (`quill build --timings`), apart from reading the comments
//! and writing their pages, which the whole build's figures include.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The CPU time of the calling thread spent in the comment rendering it wraps, and the
/// comments rendered, summed across the threads that render pages.
#[derive(Debug, Default)]
pub(crate) struct CommentMeter {
    nanos: AtomicU64,
    comments: AtomicU64,
}

impl CommentMeter {
    /// Runs `render`, which says how many comments it rendered, adding the CPU time this
    /// thread spends in it. It must start no parallel work: then rayon cannot steal other
    /// work into it, and the thread's clock counts only this.
    pub(crate) fn measure<T>(&self, render: impl FnOnce() -> (T, usize)) -> T {
        let start = thread_cpu();
        let (result, comments) = render();
        if let (Some(start), Some(end)) = (start, thread_cpu()) {
            let spent = end.saturating_sub(start).as_nanos();
            self.nanos
                .fetch_add(u64::try_from(spent).unwrap_or(u64::MAX), Ordering::Relaxed);
        }
        self.comments.fetch_add(comments as u64, Ordering::Relaxed);
        result
    }

    /// The comments rendered and the CPU time spent on them (zero where the system has no
    /// clock per thread).
    pub(crate) fn total(&self) -> (usize, Duration) {
        let comments = self.comments.load(Ordering::Relaxed);
        let nanos = self.nanos.load(Ordering::Relaxed);
        (
            usize::try_from(comments).unwrap_or(usize::MAX),
            Duration::from_nanos(nanos),
        )
    }
}

/// The CPU time the calling thread has used.
#[cfg(unix)]
fn thread_cpu() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec for the call to fill; the clock id is a constant the
    // system defines.
    let failed = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) } != 0;
    if failed {
        return None;
    }
    let seconds = u64::try_from(now.tv_sec).ok()?;
    let nanos = u32::try_from(now.tv_nsec).ok()?;
    Some(Duration::new(seconds, nanos))
}

/// No clock per thread here: the meter counts comments only.
#[cfg(not(unix))]
fn thread_cpu() -> Option<Duration> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meter_counts_the_cpu_spent_inside_it_and_not_outside() {
        let meter = CommentMeter::default();
        let spin = |n: u64| (0..n).fold(0u64, |a, i| std::hint::black_box(a ^ i.wrapping_mul(31)));
        meter.measure(|| (spin(20_000_000), 3));
        let (comments, inside) = meter.total();
        assert_eq!(comments, 3);
        assert!(inside > Duration::ZERO, "{inside:?}");
        // Work outside adds nothing.
        spin(20_000_000);
        assert_eq!(meter.total().1, inside);
        meter.measure(|| ((), 2));
        assert_eq!(meter.total().0, 5);
    }
}
