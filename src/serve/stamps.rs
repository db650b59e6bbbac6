//! Noticing new comments in a server database, which `quill serve` cannot watch as a file:
//! a digest of every post's comment stamp, read again while the site's files are quiet.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use crate::store::{DbLocation, Store};

/// How often `quill serve` asks a server database whether comments changed.
pub(super) const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The comment stamps of a site on a server database, as last seen.
#[derive(Debug)]
pub(super) struct ServerStamps {
    location: DbLocation,
    store: Option<Store>,
    last: Option<u64>,
}

impl ServerStamps {
    /// Only for comments that live on a server.
    pub(super) fn new(location: DbLocation) -> Option<ServerStamps> {
        location.file().is_none().then_some(ServerStamps {
            location,
            store: None,
            last: None,
        })
    }

    /// A digest of every post's stamp as it is now; `None` while the server cannot be read.
    pub(super) fn read(&mut self) -> Option<u64> {
        if self.store.is_none() {
            self.store = Store::open_read_only(&self.location).ok()?;
        }
        let Ok(stamps) = self.store.as_ref()?.comment_stamps() else {
            // Connect again next time: the server may have restarted.
            self.store = None;
            return None;
        };
        let mut sorted: Vec<_> = stamps.into_iter().collect();
        sorted.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut hasher = rustc_hash::FxHasher::default();
        for (post, stamp) in &sorted {
            (post, stamp.stamp, stamp.approved).hash(&mut hasher);
        }
        Some(hasher.finish())
    }

    /// Whether the stamps differ from those the last build saw.
    pub(super) fn changed(&mut self) -> bool {
        let now = self.read();
        now.is_some() && now != self.last
    }

    /// A build that started when the stamps were `seen` is done.
    pub(super) fn built(&mut self, seen: Option<u64>) {
        if seen.is_some() {
            self.last = seen;
        }
    }
}
