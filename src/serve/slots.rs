//! Which connections of `quill serve` are open, and which of them wait for a request: those
//! may give way to a new connection at the cap, while busy ones (answering, or holding a
//! live-reload stream) may not.

use std::collections::HashMap;
use std::net::{Shutdown, TcpStream};
use std::sync::Mutex;
use std::time::Instant;

/// The open connections, and which of them wait for a request (and may give way).
#[derive(Default)]
pub(super) struct Registry {
    slots: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    next: u64,
    open: HashMap<u64, Slot>,
}

struct Slot {
    /// A handle to close the connection by, from another thread.
    stream: Option<TcpStream>,
    /// Since when it waits for a request; `None` while it is busy.
    waiting_since: Option<Instant>,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A slot for a new connection, making room by closing the longest-waiting one when at
    /// the cap; `None` when every open connection is busy.
    pub(super) fn admit(&self, stream: &TcpStream, max: usize) -> Option<u64> {
        let mut slots = self.lock();
        if slots.open.len() >= max {
            let oldest = slots
                .open
                .iter()
                .filter_map(|(id, s)| s.waiting_since.map(|t| (t, *id)))
                .min()?
                .1;
            if let Some(slot) = slots.open.remove(&oldest)
                && let Some(stream) = slot.stream
            {
                // Its thread's read ends at once, and the thread with it.
                let _ = stream.shutdown(Shutdown::Both);
            }
        }
        let id = slots.next;
        slots.next += 1;
        slots.open.insert(
            id,
            Slot {
                stream: stream.try_clone().ok(),
                waiting_since: Some(Instant::now()),
            },
        );
        Some(id)
    }

    /// Marks a connection waiting or busy; false when it was closed to make room.
    pub(super) fn set_waiting(&self, id: u64, waiting: bool) -> bool {
        match self.lock().open.get_mut(&id) {
            Some(slot) => {
                slot.waiting_since = waiting.then(Instant::now);
                true
            }
            None => false,
        }
    }

    /// Forgets a connection that ended.
    pub(super) fn leave(&self, id: u64) {
        self.lock().open.remove(&id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;

    fn pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn at_the_cap_the_longest_waiting_gives_way_and_busy_ones_do_not() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let registry = Registry::default();
        let (mut first_client, first) = pair(&listener);
        let (_c2, second) = pair(&listener);
        let (_c3, third) = pair(&listener);
        let a = registry.admit(&first, 2).unwrap();
        let b = registry.admit(&second, 2).unwrap();
        let c = registry.admit(&third, 2).expect("room made");
        assert!(
            !registry.set_waiting(a, true),
            "the oldest waiting one went"
        );
        let mut byte = [0u8; 1];
        assert_eq!(first_client.read(&mut byte).unwrap(), 0, "and was closed");
        assert!(registry.set_waiting(b, false) && registry.set_waiting(c, false));
        let (_c4, fourth) = pair(&listener);
        assert_eq!(registry.admit(&fourth, 2), None, "every one busy: refused");
        registry.leave(b);
        assert!(registry.admit(&fourth, 2).is_some());
    }
}
