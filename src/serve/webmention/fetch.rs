//! Fetching a webmention's source, with the limits that keep a receiver from being turned
//! against the machine it runs on or held up by the page it fetches: plain HTTP only, a
//! few redirects (each checked again), 1 MiB, one deadline for everything, no cookies, and no
//! address on the machine's own networks unless the site allows them.

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use url::Url;

/// The limits of one fetch.
#[derive(Debug, Clone, Copy)]
pub struct FetchLimits {
    /// The largest body read.
    pub max_bytes: usize,
    /// Redirects followed at most.
    pub max_redirects: usize,
    /// For the whole fetch, redirects included.
    pub timeout: Duration,
    /// Loopback, private and link-local addresses may be fetched (tests, intranets).
    pub allow_private: bool,
}

impl Default for FetchLimits {
    fn default() -> FetchLimits {
        FetchLimits {
            max_bytes: 1024 * 1024,
            max_redirects: 3,
            timeout: Duration::from_secs(10),
            allow_private: false,
        }
    }
}

/// What a fetch found.
#[derive(Debug, PartialEq, Eq)]
pub enum Fetched {
    /// A 2xx page, at the URL it was found at after redirects.
    Page {
        /// Where it was found.
        url: Url,
        /// Its body.
        body: Vec<u8>,
    },
    /// 410 Gone: the source was deleted.
    Gone,
}

/// The largest response head read.
const MAX_HEAD: usize = 16 * 1024;

/// Fetches `url` within `limits`; the reason as a phrase when it could not.
pub fn fetch(url: &Url, limits: &FetchLimits) -> Result<Fetched, String> {
    let deadline = Instant::now() + limits.timeout;
    let mut url = url.clone();
    for _ in 0..=limits.max_redirects {
        match fetch_once(&url, limits, deadline)? {
            Step::Done(fetched) => return Ok(fetched),
            Step::Redirect(to) => {
                url = url
                    .join(&to)
                    .map_err(|_| format!("{url} redirects to {to:?}, which is not a URL"))?;
            }
        }
    }
    Err(format!(
        "the source redirects more than {} times",
        limits.max_redirects
    ))
}

enum Step {
    Done(Fetched),
    Redirect(String),
}

fn fetch_once(url: &Url, limits: &FetchLimits, deadline: Instant) -> Result<Step, String> {
    match url.scheme() {
        "http" => {}
        "https" => {
            return Err(format!(
                "{url}: https sources cannot be fetched by this quill yet (no TLS client)"
            ));
        }
        other => return Err(format!("{url}: {other} is not http or https")),
    }
    let host = url.host_str().ok_or_else(|| format!("{url} has no host"))?;
    let port = url.port_or_known_default().unwrap_or(80);
    let address = address_for(host, port, limits.allow_private)?;
    let left = left(deadline)?;
    let mut stream = TcpStream::connect_timeout(&address, left)
        .map_err(|e| format!("{url}: could not connect ({e})"))?;
    let host_header = match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    };
    let target = match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_string(),
    };
    // No cookies, no credentials: only what names the page.
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: quill-webmention\r\nAccept: text/html\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n"
    );
    stream
        .set_write_timeout(Some(left))
        .and_then(|()| stream.write_all(request.as_bytes()))
        .map_err(|e| format!("{url}: could not send the request ({e})"))?;
    let mut reader = Limited {
        stream,
        deadline,
        url,
    };
    let mut buffer = Vec::new();
    let (status, location, framing, used) = loop {
        let mut slots = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut slots);
        match response.parse(&buffer) {
            Ok(httparse::Status::Complete(used)) => {
                let header = |name: &str| {
                    response
                        .headers
                        .iter()
                        .find(|h| h.name.eq_ignore_ascii_case(name))
                        .map(|h| String::from_utf8_lossy(h.value).trim().to_string())
                };
                let framing =
                    if header("transfer-encoding")
                        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
                    {
                        Framing::Chunked
                    } else if let Some(length) = header("content-length") {
                        Framing::Length(length.parse().map_err(|_| {
                            format!("{url}: Content-Length {length} is not a number")
                        })?)
                    } else {
                        Framing::Close
                    };
                break (
                    response.code.unwrap_or(0),
                    header("location"),
                    framing,
                    used,
                );
            }
            Ok(httparse::Status::Partial) if buffer.len() < MAX_HEAD => {
                if reader.fill(&mut buffer, MAX_HEAD)? == 0 {
                    return Err(format!("{url}: the connection closed before a response"));
                }
            }
            Ok(httparse::Status::Partial) => {
                return Err(format!("{url}: the response head is over 16 KiB"));
            }
            Err(e) => return Err(format!("{url}: not an HTTP response ({e})")),
        }
    };
    match status {
        200..=299 => {}
        301 | 302 | 303 | 307 | 308 => {
            return location
                .map(Step::Redirect)
                .ok_or_else(|| format!("{url}: a redirect without a Location"));
        }
        410 => return Ok(Step::Done(Fetched::Gone)),
        other => return Err(format!("{url}: the source answered {other}")),
    }
    buffer.drain(..used);
    let body = reader.body(buffer, framing, limits.max_bytes)?;
    Ok(Step::Done(Fetched::Page {
        url: url.clone(),
        body,
    }))
}

/// The first address of `host` the fetch may use.
fn address_for(host: &str, port: u16, allow_private: bool) -> Result<SocketAddr, String> {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("{host}: the name does not resolve ({e})"))?
        .collect();
    // The address checked is the address connected to, so a name cannot change between.
    addresses
        .iter()
        .find(|a| allow_private || is_public(a.ip()))
        .copied()
        .ok_or_else(|| {
            format!(
                "{host} is on this machine's own networks (loopback, private or link-local), \
                 which a webmention may not make quill fetch"
            )
        })
}

/// Whether an address is out on the internet rather than on this machine or its networks.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || a == 0
                // Shared address space (carrier-grade NAT), 100.64.0.0/10.
                || (a == 100 && (64..128).contains(&b)))
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                // Unique local (fc00::/7) and link-local (fe80::/10).
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80)
        }
    }
}

fn left(deadline: Instant) -> Result<Duration, String> {
    deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or_else(|| "the source took too long to answer".to_string())
}

enum Framing {
    Length(u64),
    Chunked,
    Close,
}

/// A connection read by the fetch's deadline.
struct Limited<'a> {
    stream: TcpStream,
    deadline: Instant,
    url: &'a Url,
}

impl Limited<'_> {
    /// Reads more into `buffer`, up to `cap` in all; 0 at the end of the stream.
    fn fill(&mut self, buffer: &mut Vec<u8>, cap: usize) -> Result<usize, String> {
        let left = left(self.deadline)?;
        self.stream
            .set_read_timeout(Some(left))
            .map_err(|e| e.to_string())?;
        let mut chunk = [0u8; 8192];
        let room = chunk.len().min(cap.saturating_sub(buffer.len()).max(1));
        match self.stream.read(&mut chunk[..room]) {
            Ok(n) => {
                buffer.extend_from_slice(&chunk[..n]);
                Ok(n)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Err("the source took too long to answer".to_string())
            }
            Err(e) => Err(format!("{}: {e}", self.url)),
        }
    }

    fn body(
        &mut self,
        mut buffer: Vec<u8>,
        framing: Framing,
        max: usize,
    ) -> Result<Vec<u8>, String> {
        let url = self.url;
        let too_large = || format!("{url}: the source is over {} KiB", max / 1024);
        match framing {
            Framing::Length(length) => {
                if length > max as u64 {
                    return Err(too_large());
                }
                let length = length as usize;
                while buffer.len() < length {
                    if self.fill(&mut buffer, length)? == 0 {
                        return Err(format!("{}: the body ended early", self.url));
                    }
                }
                buffer.truncate(length);
                Ok(buffer)
            }
            Framing::Close => {
                while self.fill(&mut buffer, max + 1)? > 0 {
                    if buffer.len() > max {
                        return Err(too_large());
                    }
                }
                Ok(buffer)
            }
            Framing::Chunked => {
                let mut body = Vec::new();
                loop {
                    let line_end = loop {
                        if let Some(i) = buffer.windows(2).position(|w| w == b"\r\n") {
                            break i;
                        }
                        if buffer.len() > 1024 || self.fill(&mut buffer, max + 1024)? == 0 {
                            return Err(format!("{}: a broken chunked body", self.url));
                        }
                    };
                    let size_text = String::from_utf8_lossy(&buffer[..line_end]);
                    let size_text = size_text.split(';').next().unwrap_or("").trim();
                    let size = usize::from_str_radix(size_text, 16)
                        .map_err(|_| format!("{}: a broken chunked body", self.url))?;
                    buffer.drain(..line_end + 2);
                    if size == 0 {
                        return Ok(body);
                    }
                    if body.len() + size > max {
                        return Err(too_large());
                    }
                    while buffer.len() < size + 2 {
                        if self.fill(&mut buffer, max + 1024)? == 0 {
                            return Err(format!("{}: the body ended early", self.url));
                        }
                    }
                    body.extend_from_slice(&buffer[..size]);
                    buffer.drain(..size + 2);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A server on 127.0.0.1 that answers each of `responses` to one connection, in order,
    /// sending each in the pieces given with a pause before each piece.
    fn server(responses: Vec<Vec<(Duration, Vec<u8>)>>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for pieces in responses {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head);
                for (pause, bytes) in pieces {
                    // The test server's own pacing: a slow source is what is being tested.
                    std::thread::sleep(pause);
                    if stream.write_all(&bytes).is_err() {
                        break;
                    }
                }
            }
        });
        address
    }

    fn now(bytes: &str) -> Vec<(Duration, Vec<u8>)> {
        vec![(Duration::ZERO, bytes.as_bytes().to_vec())]
    }

    fn allowed() -> FetchLimits {
        FetchLimits {
            allow_private: true,
            timeout: Duration::from_secs(5),
            ..FetchLimits::default()
        }
    }

    fn get(address: &str, path: &str, limits: &FetchLimits) -> Result<Fetched, String> {
        fetch(
            &Url::parse(&format!("http://{address}{path}")).unwrap(),
            limits,
        )
    }

    #[test]
    fn a_page_by_length_by_close_and_in_chunks() {
        let address = server(vec![
            now("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
            now("HTTP/1.0 200 OK\r\n\r\nuntil the end"),
            now(
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=1\r\nde\r\n0\r\n\r\n",
            ),
        ]);
        let body = |r: Result<Fetched, String>| match r.unwrap() {
            Fetched::Page { body, .. } => String::from_utf8(body).unwrap(),
            Fetched::Gone => panic!("gone"),
        };
        assert_eq!(body(get(&address, "/a", &allowed())), "hello");
        assert_eq!(body(get(&address, "/b", &allowed())), "until the end");
        assert_eq!(body(get(&address, "/c", &allowed())), "abcde");
    }

    #[test]
    fn redirects_are_followed_a_few_times_and_gone_is_gone() {
        let address = server(vec![
            now("HTTP/1.1 301 Moved\r\nLocation: /there\r\nContent-Length: 0\r\n\r\n"),
            now("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
            now("HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n"),
        ]);
        match get(&address, "/here", &allowed()).unwrap() {
            Fetched::Page { url, body } => {
                assert_eq!(url.path(), "/there");
                assert_eq!(body, b"ok");
            }
            Fetched::Gone => panic!("gone"),
        }
        assert_eq!(
            get(&address, "/deleted", &allowed()).unwrap(),
            Fetched::Gone
        );
        let loop_forever = "HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\n\r\n";
        let address = server((0..5).map(|_| now(loop_forever)).collect());
        let error = get(&address, "/", &allowed()).unwrap_err();
        assert!(error.contains("redirects more than 3 times"), "{error}");
    }

    #[test]
    fn too_large_too_slow_and_not_allowed() {
        let big = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n",
            2 * 1024 * 1024
        );
        let endless: Vec<(Duration, Vec<u8>)> =
            std::iter::once((Duration::ZERO, b"HTTP/1.0 200 OK\r\n\r\n".to_vec()))
                .chain((0..200).map(|_| (Duration::ZERO, vec![b'x'; 8192])))
                .collect();
        let slow = vec![
            (
                Duration::ZERO,
                b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n".to_vec(),
            ),
            (Duration::from_secs(2), b"late".to_vec()),
        ];
        let address = server(vec![now(&big), endless, slow]);
        let error = get(&address, "/big", &allowed()).unwrap_err();
        assert!(error.contains("over 1024 KiB"), "{error}");
        let error = get(&address, "/endless", &allowed()).unwrap_err();
        assert!(error.contains("over 1024 KiB"), "{error}");
        let quick = FetchLimits {
            timeout: Duration::from_millis(300),
            ..allowed()
        };
        let error = get(&address, "/slow", &quick).unwrap_err();
        assert!(error.contains("took too long"), "{error}");
        let error = get(&address, "/", &FetchLimits::default()).unwrap_err();
        assert!(error.contains("own networks"), "{error}");
        let error = fetch(&Url::parse("file:///etc/passwd").unwrap(), &allowed()).unwrap_err();
        assert!(error.contains("not http or https"), "{error}");
    }

    #[test]
    fn public_addresses() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.215.14",
            "1.1.1.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
