//! Connections of `quill serve`, within limits: a request head of at most 16 KiB (431 beyond),
//! a deadline for each head and body (idle and slow clients are closed), and a cap on open
//! connections. At the cap a new connection takes the place of the one that has waited longest
//! for a request, so a flood of idle or slow sockets cannot keep a page from being served; only
//! when every connection is busy (answering, or holding a live-reload stream) is it refused
//! with 503. Each open connection has a thread of a pool no larger than the cap, so threads
//! and memory are bounded by it.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{IpAddr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use super::slots::Registry;
use super::wire::{self, BodyError, Head, HeadError, Response};

/// The largest request line and headers accepted.
pub(super) const MAX_HEAD: usize = 16 * 1024;

/// The limits of the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// How long a connection may take to send a request head, counted from when it opened or
    /// its last response went out (the idle timeout), and then its body (the read timeout).
    pub timeout: Duration,
    /// Open connections at most.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            timeout: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

/// Connections the kernel holds for the server before it accepts them. The usual 128 fills
/// in a few milliseconds of a flood while the accepting thread waits for a core, and a
/// connection refused there is retried by its client only a second later.
const BACKLOG: i32 = 1024;

/// Listens on `address:port` with room for a burst of connections.
pub(super) fn listen(address: &str, port: u16) -> std::io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let mut failed = None;
    for addr in std::net::ToSocketAddrs::to_socket_addrs(&(address, port))? {
        let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
        // As the standard library's listener does, so a restart can take the port at once.
        #[cfg(unix)]
        socket.set_reuse_address(true)?;
        match socket
            .bind(&addr.into())
            .and_then(|()| socket.listen(BACKLOG))
        {
            Ok(()) => return Ok(socket.into()),
            Err(e) => failed = Some(e),
        }
    }
    Err(failed.unwrap_or_else(|| std::io::Error::other("the address resolves to nothing")))
}

/// Refusals with a 503 under way at once at most; beyond it a connection is just closed.
const MAX_REFUSING: usize = 16;

/// One request, with the connection it came on.
pub(super) struct Request<'a> {
    /// Its line and headers.
    pub head: Head,
    /// The client's address.
    pub remote: IpAddr,
    conn: &'a mut Conn,
    /// The whole body was read: the next request on the connection starts after it.
    body_done: bool,
}

impl Request<'_> {
    /// The path of the target, without the query.
    pub(super) fn path(&self) -> &str {
        self.head.target.split(['?', '#']).next().unwrap_or("")
    }

    /// Reads the body, at most `limit` bytes of it, within the timeout.
    pub(super) fn body(&mut self, limit: usize) -> Result<Vec<u8>, RequestBodyError> {
        if self.head.get("transfer-encoding").is_some() {
            return Err(RequestBodyError::NoLength);
        }
        let length = self
            .head
            .content_length()
            .map_err(RequestBodyError::BadLength)?;
        let deadline = Instant::now() + self.conn.limits.timeout;
        let conn = &mut *self.conn;
        // curl, for one, waits a second before it sends a body over 1 KiB unless told to go on.
        let asks = self
            .head
            .get("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case(b"100-continue"));
        if length > limit as u64 {
            return Err(RequestBodyError::TooLarge);
        }
        if asks && length > 0 && conn.buffer.is_empty() {
            conn.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .map_err(|_| RequestBodyError::Unreadable)?;
        }
        let body = wire::read_body(&mut conn.stream, &mut conn.buffer, length, limit, deadline)
            .map_err(|e| match e {
                BodyError::TooLarge => RequestBodyError::TooLarge,
                BodyError::Unreadable => RequestBodyError::Unreadable,
            })?;
        self.body_done = true;
        Ok(body)
    }

    /// The connection itself, for a response that streams (live reload); it closes after.
    pub(super) fn stream(&mut self) -> &mut TcpStream {
        self.conn.close = true;
        let _ = self
            .conn
            .stream
            .set_write_timeout(Some(self.conn.limits.timeout));
        &mut self.conn.stream
    }

    /// How long the server waits on a client.
    pub(super) fn timeout(&self) -> Duration {
        self.conn.limits.timeout
    }
}

/// Why a request body was not read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum RequestBodyError {
    /// Sent in chunks, without a length.
    NoLength,
    /// `Content-Length` is not one number; its values as given.
    BadLength(String),
    /// Over the limit.
    TooLarge,
    /// The connection closed, failed or was too slow.
    Unreadable,
}

/// What answers a request: a response, or `None` when it wrote to the stream itself.
pub(super) type Handler = dyn Fn(&mut Request<'_>) -> Option<Response> + Send + Sync;

/// Accepts connections on `listener` and answers their requests with `handler`, forever.
pub(super) fn run(listener: TcpListener, limits: Limits, handler: Arc<Handler>) {
    let open = Arc::new(Registry::default());
    let workers = Arc::new(Workers::default());
    let refusing = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, most likely: give the open connections time to end.
            std::thread::sleep(Duration::from_millis(20));
            continue;
        };
        match open.admit(&stream, limits.max_connections) {
            Some(id) => {
                let conn = Conn {
                    stream,
                    buffer: Vec::new(),
                    limits,
                    close: false,
                };
                Workers::give(
                    &workers,
                    (id, conn),
                    limits.max_connections,
                    &open,
                    &handler,
                );
            }
            None if refusing.fetch_add(1, Ordering::SeqCst) < MAX_REFUSING => {
                let count = Arc::clone(&refusing);
                let spawned = std::thread::Builder::new().spawn(move || {
                    refuse(stream);
                    count.fetch_sub(1, Ordering::SeqCst);
                });
                if spawned.is_err() {
                    refusing.fetch_sub(1, Ordering::SeqCst);
                }
            }
            None => {
                refusing.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }
}

/// The threads that answer connections, one connection each at a time, kept for the next one
/// when theirs ends: under a flood, starting a thread per connection is slower than the
/// connections arrive. There are never more of them than the cap on connections.
#[derive(Default)]
struct Workers {
    state: Mutex<Queue>,
    ready: Condvar,
}

#[derive(Default)]
struct Queue {
    waiting: VecDeque<(u64, Conn)>,
    idle: usize,
    threads: usize,
}

impl Workers {
    /// Hands a connection to an idle thread, or to a new one while there are fewer than `max`.
    fn give(
        workers: &Arc<Workers>,
        job: (u64, Conn),
        max: usize,
        open: &Arc<Registry>,
        handler: &Arc<Handler>,
    ) {
        let mut queue = workers.state.lock().unwrap_or_else(|e| e.into_inner());
        queue.waiting.push_back(job);
        if queue.idle >= queue.waiting.len() || queue.threads >= max {
            workers.ready.notify_one();
            return;
        }
        queue.threads += 1;
        let (me, registry, handler) = (Arc::clone(workers), Arc::clone(open), Arc::clone(handler));
        let spawned = std::thread::Builder::new()
            .name("quill-serve-conn".into())
            .spawn(move || me.work(&registry, &*handler));
        if spawned.is_err() {
            queue.threads -= 1;
            if queue.threads == 0
                && let Some((id, _)) = queue.waiting.pop_back()
            {
                // No thread to answer it: it closes as it is dropped.
                open.leave(id);
            }
        }
    }

    fn work(&self, open: &Registry, handler: &Handler) {
        loop {
            let (id, conn) = {
                let mut queue = self.state.lock().unwrap_or_else(|e| e.into_inner());
                loop {
                    if let Some(job) = queue.waiting.pop_front() {
                        break job;
                    }
                    queue.idle += 1;
                    queue = self.ready.wait(queue).unwrap_or_else(|e| e.into_inner());
                    queue.idle -= 1;
                }
            };
            conn.serve(id, open, handler);
            open.leave(id);
        }
    }
}

/// A 503 for a connection over the cap.
fn refuse(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let response = Response::text(
        503,
        "the server is busy: too many open connections; try again in a moment",
    )
    .with_header("Retry-After", "1");
    if wire::write_response(&mut stream, &response, false, false).is_ok() {
        linger(&mut stream);
    }
}

/// Closes after a response the client may still be sending to: closing with its bytes unread
/// would reset the connection, and the client might lose the response.
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 4096];
    let mut drained = 0;
    while drained < 256 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

struct Conn {
    stream: TcpStream,
    buffer: Vec<u8>,
    limits: Limits,
    close: bool,
}

impl Conn {
    fn serve(mut self, id: u64, open: &Registry, handler: &Handler) {
        let Ok(remote) = self.stream.peer_addr().map(|a| a.ip()) else {
            return;
        };
        loop {
            if !open.set_waiting(id, true) {
                return;
            }
            let deadline = Instant::now() + self.limits.timeout;
            let head = match wire::read_head(&mut self.stream, &mut self.buffer, MAX_HEAD, deadline)
            {
                Ok(head) => head,
                Err(HeadError::Idle | HeadError::Closed) => return,
                Err(error) => return self.fail(error),
            };
            if !open.set_waiting(id, false) {
                return;
            }
            let keep_alive = head.keep_alive();
            let head_only = head.method == "HEAD";
            let mut request = Request {
                head,
                remote,
                conn: &mut self,
                body_done: false,
            };
            let response = handler(&mut request);
            let unread = !request.body_done
                && (request.head.content_length() != Ok(0)
                    || request.head.get("transfer-encoding").is_some());
            let Some(response) = response else { return };
            // A body nobody read would be taken for the next request.
            self.close |= unread || !keep_alive;
            let mut out =
                Deadline::for_bytes(&mut self.stream, self.limits.timeout, response.body.len());
            let written = wire::write_response(&mut out, &response, head_only, !self.close);
            if written.is_err() || self.close {
                if written.is_ok() && unread {
                    linger(&mut self.stream);
                }
                return;
            }
        }
    }

    /// Answers a head that could not be read, and closes.
    fn fail(mut self, error: HeadError) {
        let response = match error {
            HeadError::TooLarge => Response::text(
                431,
                "request line and headers are over 16 KiB; nothing was read past that",
            ),
            HeadError::Timeout => Response::text(408, "the request took too long to arrive"),
            _ => Response::text(400, "bad request: not HTTP/1.1"),
        };
        let mut out = Deadline::for_bytes(&mut self.stream, self.limits.timeout, 0);
        if wire::write_response(&mut out, &response, false, false).is_ok() {
            linger(&mut self.stream);
        }
    }
}

/// The slowest a client may read a response, beyond the timeout.
const MIN_BYTES_PER_SECOND: u64 = 64 * 1024;

/// Writes by a deadline. A timeout on each write would not do: a client that reads a byte
/// now and then could hold its connection, and a thread, for as long as it liked.
pub(super) struct Deadline<'a> {
    stream: &'a mut TcpStream,
    until: Instant,
}

impl Deadline<'_> {
    /// A deadline for `bytes`: the timeout, and the time they take at the slowest rate allowed.
    pub(super) fn for_bytes(
        stream: &mut TcpStream,
        timeout: Duration,
        bytes: usize,
    ) -> Deadline<'_> {
        let transfer = Duration::from_secs_f64(bytes as f64 / MIN_BYTES_PER_SECOND as f64);
        Deadline {
            stream,
            until: Instant::now() + timeout + transfer,
        }
    }
}

impl Write for Deadline<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let left = self
            .until
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::TimedOut))?;
        self.stream.set_write_timeout(Some(left))?;
        // In pieces, so that no one write can outlast the deadline by much.
        self.stream.write(&bytes[..bytes.len().min(64 * 1024)])
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.stream.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(listener: &TcpListener) -> (TcpStream, TcpStream) {
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (server, _) = listener.accept().unwrap();
        (client, server)
    }

    #[test]
    fn a_client_that_does_not_read_cannot_hold_a_write_past_its_deadline() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let (_client, mut server) = pair(&listener);
        let started = Instant::now();
        let mut out = Deadline::for_bytes(&mut server, Duration::from_millis(200), 0);
        let big = vec![b'x'; 64 * 1024 * 1024];
        let error = out.write_all(&big).unwrap_err();
        assert!(
            matches!(
                error.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ),
            "{error}"
        );
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(5),
            "{took:?}"
        );
    }
}
