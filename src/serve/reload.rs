//! Live reload: open pages hold a Server-Sent Events stream and reload when a build finishes.

use std::io::Write;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

/// The script injected into every HTML page in serve mode (never into `quill build` output).
///
/// A page that is already leaving (a submitted comment form, a followed link) closes its
/// stream first: reloading it then would cancel that navigation, and with it the form post.
pub(super) const SCRIPT: &str = r#"<script>(()=>{const s=new EventSource("/_quill/events");addEventListener("beforeunload",()=>s.close());s.onmessage=e=>{if(e.data==="reload")location.reload()};})();</script>"#;

/// Fans one "reload" message out to every connected page.
#[derive(Debug, Default)]
pub(super) struct Broadcaster {
    clients: Mutex<Vec<Sender<()>>>,
}

impl Broadcaster {
    /// A new subscription for one page: a message arrives on each reload.
    pub(super) fn subscribe(&self) -> Receiver<()> {
        let (tx, rx) = channel();
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(tx);
        rx
    }

    /// Tells every page to reload, forgetting pages that went away.
    pub(super) fn reload_all(&self) {
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|tx| tx.send(()).is_ok());
    }
}

/// Writes a `text/event-stream` response to a raw connection, one event per reload, flushing
/// each at once; returns when the page goes away or the server stops. A comment line every
/// `heartbeat` finds out about pages that went away between reloads, whose connections
/// would otherwise count against the server's cap until the next build.
pub(super) fn stream_events(
    rx: &Receiver<()>,
    out: &mut dyn Write,
    heartbeat: Duration,
) -> std::io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n: connected\n\n",
    )?;
    out.flush()?;
    loop {
        let event: &[u8] = match rx.recv_timeout(heartbeat) {
            Ok(()) => b"data: reload\n\n",
            Err(RecvTimeoutError::Timeout) => b": still here\n\n",
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        };
        out.write_all(event)?;
        out.flush()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reload_reaches_a_subscriber() {
        let hub = Broadcaster::default();
        let rx = hub.subscribe();
        hub.reload_all();
        drop(hub);
        let mut out = Vec::new();
        stream_events(&rx, &mut out, Duration::from_secs(60)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream"));
        assert!(
            text.ends_with("\r\n\r\n: connected\n\ndata: reload\n\n"),
            "{text}"
        );
    }

    #[test]
    fn gone_subscribers_are_dropped() {
        let hub = Broadcaster::default();
        drop(hub.subscribe());
        hub.reload_all();
        assert!(hub.clients.lock().unwrap().is_empty());
    }
}
