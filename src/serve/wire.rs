//! HTTP/1.1 on the wire for `quill serve`: reading a request head within a size limit and a
//! deadline, reading a body of a stated length, and writing a response. The parsing itself is
//! `httparse`'s; what this adds is the limits a server needs around it.

use std::io::{self, Read, Write};
use std::time::Instant;

/// The most headers a request may have; more is answered like an oversized head (431).
const MAX_HEADERS: usize = 64;

/// A request's line and headers.
#[derive(Debug, Clone)]
pub(super) struct Head {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target as sent: a path and maybe a query.
    pub target: String,
    /// `1` for HTTP/1.1, `0` for HTTP/1.0.
    pub minor_version: u8,
    headers: Vec<(String, Vec<u8>)>,
}

impl Head {
    /// The values of every header called `name`, in order.
    pub(super) fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The value of the first header called `name`.
    pub(super) fn get(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Whether the client wants the connection kept open after this request.
    pub(super) fn keep_alive(&self) -> bool {
        let says = |word: &str| {
            self.all("connection").any(|v| {
                v.split(|b| *b == b',')
                    .any(|t| t.trim_ascii().eq_ignore_ascii_case(word.as_bytes()))
            })
        };
        if self.minor_version == 0 {
            says("keep-alive")
        } else {
            !says("close")
        }
    }

    /// The body's length from `Content-Length`: `Ok(0)` without one, `Err` with the values as
    /// given when they are not one plain number.
    pub(super) fn content_length(&self) -> Result<u64, String> {
        let values: Vec<&[u8]> = self.all("content-length").collect();
        let as_given = || {
            values
                .iter()
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match values.as_slice() {
            [] => Ok(0),
            [one] if !one.is_empty() && one.iter().all(u8::is_ascii_digit) => {
                std::str::from_utf8(one)
                    .ok()
                    .and_then(|s| s.parse().ok())
                    .ok_or_else(as_given)
            }
            _ => Err(as_given()),
        }
    }
}

/// Why no request head was read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum HeadError {
    /// Nothing arrived before the connection closed or the deadline passed: an idle connection.
    Idle,
    /// Part of a head arrived, then the connection closed or failed.
    Closed,
    /// Part of a head arrived, then the deadline passed (a slow client).
    Timeout,
    /// The line and headers are over the limit.
    TooLarge,
    /// Not HTTP/1.x.
    Malformed,
}

/// Reads one request head from `stream` by `deadline`, at most `limit` bytes of it.
/// `buffer` holds what was read past the previous request; what follows this head stays in it.
pub(super) fn read_head(
    stream: &mut dyn Stream,
    buffer: &mut Vec<u8>,
    limit: usize,
    deadline: Instant,
) -> Result<Head, HeadError> {
    // Parsed only when the bytes that came could have completed a line that matters (the
    // request line, or the empty line that ends the head), and once on the first bytes so that
    // what is not HTTP at all is told at once: a client sending a byte at a time would
    // otherwise have the whole buffer parsed again for each byte.
    let mut scanned: usize = 0;
    let (mut tried, mut line_seen) = (false, false);
    loop {
        // Empty lines before a request are allowed (RFC 9112, 2.2); dropped, they cannot make
        // an empty line look like the end of a head.
        let blank = buffer
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        buffer.drain(..blank);
        scanned = scanned.saturating_sub(blank);
        let new = &buffer[scanned.saturating_sub(3)..];
        let first_bytes = !tried && !buffer.is_empty();
        let first_line = !line_seen && new.contains(&b'\n');
        let blank_line =
            new.windows(2).any(|w| w == b"\n\n") || new.windows(3).any(|w| w == b"\n\r\n");
        if first_bytes || first_line || blank_line {
            tried = true;
            line_seen |= first_line;
            if let Some(head) = parse(buffer)? {
                return Ok(head);
            }
        }
        scanned = buffer.len();
        if buffer.len() >= limit {
            return Err(HeadError::TooLarge);
        }
        let started = !buffer.is_empty();
        let cut_off = if started {
            HeadError::Timeout
        } else {
            HeadError::Idle
        };
        let Some(left) = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
        else {
            return Err(cut_off);
        };
        stream.set_timeout(left).map_err(|_| HeadError::Closed)?;
        let mut chunk = [0u8; 4096];
        let room = chunk.len().min(limit - buffer.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) if started => return Err(HeadError::Closed),
            Ok(0) => return Err(HeadError::Idle),
            Ok(n) => {
                // Room for a whole head at once: growing it by doubling left each connection's
                // thread with the smaller buffers cached by the allocator, three times the memory.
                buffer.reserve_exact(limit.saturating_sub(buffer.len()));
                buffer.extend_from_slice(&chunk[..n]);
            }
            Err(e) if is_timeout(&e) => return Err(cut_off),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) if started => return Err(HeadError::Closed),
            Err(_) => return Err(HeadError::Idle),
        }
    }
}

/// A complete head at the start of `buffer`, removed from it; `None` while it is incomplete.
fn parse(buffer: &mut Vec<u8>) -> Result<Option<Head>, HeadError> {
    let mut slots = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut slots);
    let used = match request.parse(buffer) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(httparse::Error::TooManyHeaders) => return Err(HeadError::TooLarge),
        Err(_) => return Err(HeadError::Malformed),
    };
    let head = Head {
        method: request.method.unwrap_or("").to_string(),
        target: request.path.unwrap_or("").to_string(),
        minor_version: request.version.unwrap_or(1),
        headers: request
            .headers
            .iter()
            .map(|h| (h.name.to_string(), h.value.to_vec()))
            .collect(),
    };
    buffer.drain(..used);
    Ok(Some(head))
}

/// Why a body was not read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum BodyError {
    /// Over the limit; the stated length, as given.
    TooLarge,
    /// The connection closed, failed, or was too slow.
    Unreadable,
}

/// Reads a body of `length` bytes by `deadline`, starting with what `buffer` already holds.
pub(super) fn read_body(
    stream: &mut dyn Stream,
    buffer: &mut Vec<u8>,
    length: u64,
    limit: usize,
    deadline: Instant,
) -> Result<Vec<u8>, BodyError> {
    let length = usize::try_from(length)
        .ok()
        .filter(|n| *n <= limit)
        .ok_or(BodyError::TooLarge)?;
    let from_buffer = length.min(buffer.len());
    let mut body: Vec<u8> = buffer.drain(..from_buffer).collect();
    let mut chunk = [0u8; 8192];
    while body.len() < length {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(BodyError::Unreadable)?;
        stream
            .set_timeout(left)
            .map_err(|_| BodyError::Unreadable)?;
        let room = chunk.len().min(length - body.len());
        match stream.read(&mut chunk[..room]) {
            Ok(0) => return Err(BodyError::Unreadable),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Err(BodyError::Unreadable),
        }
    }
    Ok(body)
}

/// What the server reads from and writes to: a TCP connection, or bytes in a test.
pub(super) trait Stream: Read + Write {
    /// Bounds the wait of the next read.
    fn set_timeout(&mut self, timeout: std::time::Duration) -> io::Result<()>;
}

impl Stream for std::net::TcpStream {
    fn set_timeout(&mut self, timeout: std::time::Duration) -> io::Result<()> {
        self.set_read_timeout(Some(timeout))
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// A response with its whole body.
#[derive(Debug, Clone)]
pub(super) struct Response {
    /// The status code.
    pub status: u16,
    headers: Vec<(&'static str, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// A response of `status` with `body`.
    pub(super) fn new(status: u16, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// A plain-text response.
    pub(super) fn text(status: u16, body: &str) -> Response {
        Response::new(status, body.as_bytes().to_vec())
            .with_header("Content-Type", "text/plain; charset=utf-8")
    }

    /// The response with one more header. A value with a control character in it (which could
    /// end the header early and start another) is left out.
    pub(super) fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        let value = value.into();
        if !value.chars().any(char::is_control) {
            self.headers.push((name, value));
        }
        self
    }
}

/// Writes `response`; only its head for a `HEAD` request.
pub(super) fn write_response(
    out: &mut dyn Write,
    response: &Response,
    head_only: bool,
    keep_alive: bool,
) -> io::Result<()> {
    let mut bytes = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
        response.status,
        reason(response.status),
        response.body.len(),
        if keep_alive { "keep-alive" } else { "close" }
    );
    for (name, value) in &response.headers {
        bytes.push_str(&format!("{name}: {value}\r\n"));
    }
    bytes.push_str("\r\n");
    let mut bytes = bytes.into_bytes();
    if !head_only {
        bytes.extend_from_slice(&response.body);
    }
    out.write_all(&bytes)?;
    out.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        301 => "Moved Permanently",
        303 => "See Other",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;
    use std::time::Duration;

    /// Bytes arriving in the pieces given, then the end of the connection.
    struct Pieces(Vec<Vec<u8>>);

    impl Read for Pieces {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let Some(piece) = self.0.first_mut() else {
                return Ok(0);
            };
            let n = piece.len().min(out.len());
            out[..n].copy_from_slice(&piece[..n]);
            piece.drain(..n);
            if piece.is_empty() {
                self.0.remove(0);
            }
            Ok(n)
        }
    }

    impl Write for Pieces {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Stream for Pieces {
        fn set_timeout(&mut self, _: Duration) -> io::Result<()> {
            Ok(())
        }
    }

    fn head_of(pieces: &[&str], limit: usize) -> (Result<Head, HeadError>, Vec<u8>) {
        let mut stream = Pieces(pieces.iter().map(|p| p.as_bytes().to_vec()).collect());
        let mut buffer = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        let head = read_head(&mut stream, &mut buffer, limit, deadline);
        (head, buffer)
    }

    #[test]
    fn a_head_in_pieces_leaves_the_body_in_the_buffer() {
        let (head, rest) = head_of(
            &[
                "\r\nPOST /_quill/comments HTTP/1.1\r\nHost: x\r\nContent-",
                "Length: 3\r\nConnection: close\r\n\r\nab",
                "c",
            ],
            16 * 1024,
        );
        let head = head.unwrap();
        assert_eq!(
            (head.method.as_str(), head.target.as_str()),
            ("POST", "/_quill/comments")
        );
        assert_eq!(head.content_length(), Ok(3));
        assert!(!head.keep_alive());
        assert_eq!(rest, b"ab");
    }

    #[test]
    fn a_head_a_byte_at_a_time() {
        let raw = "\r\nGET /a HTTP/1.1\r\nHost: x\r\nX-Y: z\r\n\r\nnext";
        let pieces: Vec<String> = raw.chars().map(String::from).collect();
        let pieces: Vec<&str> = pieces.iter().map(String::as_str).collect();
        let (head, rest) = head_of(&pieces, 1024);
        let head = head.unwrap();
        assert_eq!(head.target, "/a");
        assert_eq!(head.get("x-y"), Some(&b"z"[..]));
        assert_eq!(rest, b"", "nothing read past the head's last byte");
        let bare = ["GET /b HTTP/1.1\n", "Host: x\n", "\n"];
        assert_eq!(
            head_of(&bare, 1024).0.unwrap().target,
            "/b",
            "bare line feeds"
        );
    }

    #[test]
    fn limits_and_endings() {
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(100));
        assert_eq!(head_of(&[&long], 64).0.unwrap_err(), HeadError::TooLarge);
        assert!(head_of(&[&long], 200).0.is_ok());
        let many: String = (0..MAX_HEADERS + 1)
            .map(|i| format!("X-{i}: 1\r\n"))
            .collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(
            head_of(&[&many], 16 * 1024).0.unwrap_err(),
            HeadError::TooLarge
        );
        assert_eq!(head_of(&[], 64).0.unwrap_err(), HeadError::Idle);
        assert_eq!(head_of(&["GET / HT"], 64).0.unwrap_err(), HeadError::Closed);
        assert_eq!(
            head_of(&["\x16\x03\x01 tls"], 64).0.unwrap_err(),
            HeadError::Malformed
        );
    }

    #[test]
    fn a_deadline_already_passed_is_idle_or_a_timeout() {
        let mut buffer = Vec::new();
        let past = Instant::now();
        let mut stream = Pieces(vec![b"GET / HTTP/1.1\r\n\r\n".to_vec()]);
        assert_eq!(
            read_head(&mut stream, &mut buffer, 64, past).unwrap_err(),
            HeadError::Idle
        );
        buffer.extend_from_slice(b"GET / HT");
        assert_eq!(
            read_head(&mut stream, &mut buffer, 64, past).unwrap_err(),
            HeadError::Timeout
        );
    }

    #[test]
    fn content_length_as_given() {
        let head = |value: &str| {
            head_of(&[&format!("POST / HTTP/1.1\r\n{value}\r\n\r\n")], 1024)
                .0
                .unwrap()
        };
        assert_eq!(head("Content-Length: 12").content_length(), Ok(12));
        assert_eq!(head("X: y").content_length(), Ok(0));
        for bad in ["1e20", "-1", "0x10", "99999999999999999999999"] {
            assert_eq!(
                head(&format!("Content-Length: {bad}")).content_length(),
                Err(bad.to_string()),
                "{bad}"
            );
        }
        assert_eq!(
            head("Content-Length: 1\r\nContent-Length: 2").content_length(),
            Err("1, 2".into())
        );
    }

    #[test]
    fn a_body_comes_from_the_buffer_then_the_stream() {
        let mut buffer = b"ab".to_vec();
        let mut stream = Pieces(vec![b"cd".to_vec(), b"e".to_vec()]);
        let deadline = Instant::now() + Duration::from_secs(5);
        let body = read_body(&mut stream, &mut buffer, 5, 64, deadline).unwrap();
        assert_eq!(body, b"abcde");
        let mut short = Pieces(vec![b"x".to_vec()]);
        assert_eq!(
            read_body(&mut short, &mut Vec::new(), 5, 64, deadline),
            Err(BodyError::Unreadable)
        );
        assert_eq!(
            read_body(&mut short, &mut Vec::new(), 65, 64, deadline),
            Err(BodyError::TooLarge)
        );
    }

    #[test]
    fn a_response_refuses_header_injection() {
        let response = Response::text(301, "moved")
            .with_header("Location", "/a\r\nSet-Cookie: x=1")
            .with_header("Cache-Control", "no-store");
        let mut out = Cursor::new(Vec::new());
        write_response(&mut out, &response, false, true).unwrap();
        let text = String::from_utf8(out.into_inner()).unwrap();
        assert!(text.starts_with("HTTP/1.1 301 Moved Permanently\r\nContent-Length: 5\r\n"));
        assert!(!text.contains("Set-Cookie") && text.contains("Cache-Control: no-store\r\n"));
        assert!(text.ends_with("\r\n\r\nmoved"));
        let mut head_only = Cursor::new(Vec::new());
        write_response(&mut head_only, &response, true, false).unwrap();
        let text = String::from_utf8(head_only.into_inner()).unwrap();
        assert!(text.contains("Content-Length: 5\r\nConnection: close\r\n"));
        assert!(
            text.ends_with("Cache-Control: no-store\r\n\r\n"),
            "no body: {text}"
        );
    }
}
