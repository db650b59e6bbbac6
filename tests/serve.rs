//! `quill serve`: the real server on a free port, fetched over TCP. Rebuilds are awaited
//! through the live-reload event stream, not by sleeping.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::common::{Backend, TestSite};

/// A running `quill serve`, stopped when dropped.
pub(crate) struct Server {
    child: Child,
    pub address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub(crate) fn start(site: &TestSite, extra: &[&str]) -> Server {
        let mut child = site
            .command()
            // Inside the test's own site, so no preview folder outlives the test.
            .args(["serve", "--port", "0", "--output-dir", "preview"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start quill serve");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let line = lines.next().expect("serve printed its address").unwrap();
            if let Some(rest) = line.split("http://").nth(1) {
                break rest.split('/').next().unwrap().to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, address }
    }

    /// A field of the server's `/proc/PID/status`, such as `VmRSS` (kB) or `Threads`.
    #[cfg(target_os = "linux")]
    fn status(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {field} in {status}"))
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).unwrap();
        // A bound on waiting, so a broken server fails the test instead of hanging it.
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    }

    /// Sends a raw request and returns (status, headers, body).
    pub(crate) fn request(&self, raw: &str) -> (u16, String, String) {
        let mut stream = self.connect();
        stream.write_all(raw.as_bytes()).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let response = String::from_utf8_lossy(&response).into_owned();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        (status, head.to_string(), body.to_string())
    }

    pub(crate) fn get(&self, path: &str) -> (u16, String, String) {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ))
    }

    /// Opens the live-reload stream; returns a waiter for the next reload.
    pub(crate) fn events(&self) -> Events {
        let mut stream = self.connect();
        stream
            .write_all(b"GET /_quill/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .unwrap();
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        while !line.starts_with(": connected") {
            line.clear();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "event stream closed"
            );
        }
        Events { reader }
    }
}

/// The live-reload stream of a [`Server`].
pub(crate) struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    pub(crate) fn next_reload(&mut self) {
        let mut line = String::new();
        loop {
            line.clear();
            assert!(
                self.reader.read_line(&mut line).unwrap() > 0,
                "event stream closed"
            );
            if line.trim_end() == "data: reload" {
                return;
            }
        }
    }
}

fn site() -> TestSite {
    let site = TestSite::new();
    site.post("hello", "Hello", "2024-01-01", "", "First version.");
    site
}

#[test]
fn serves_pages_with_types_and_404_and_refuses_escapes() {
    let site = site();
    site.write("secret.txt", "do not serve");
    let server = Server::start(&site, &[]);
    let (status, head, body) = server.get("/posts/hello/");
    assert_eq!(status, 200);
    assert!(
        head.to_lowercase()
            .contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(body.contains("First version."));
    assert!(
        body.contains("/_quill/events"),
        "live reload script injected in serve mode"
    );
    let (status, head, _) = server.get("/style.css");
    assert_eq!(status, 200);
    assert!(head.to_lowercase().contains("content-type: text/css"));
    let (status, _, body) = server.get("/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's own 404 page");
    for evil in [
        "/../secret.txt",
        "/posts/../../secret.txt",
        "/%2e%2e/secret.txt",
    ] {
        let (status, _, body) = server.get(evil);
        assert_eq!(status, 400, "{evil}");
        assert!(!body.contains("do not serve"));
    }
    assert!(!site.exists("public"), "serve leaves public/ alone");
    let (status, _, _) = server.request(
        "POST /posts/hello/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 405);
}

#[test]
fn a_change_is_rebuilt_and_served_without_restart() {
    let site = site();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    site.post("hello", "Hello", "2024-01-01", "", "Second version.");
    events.next_reload();
    let (_, _, body) = server.get("/posts/hello/");
    assert!(body.contains("Second version."), "{body}");
}

#[test]
fn a_build_error_keeps_the_last_good_pages_with_an_overlay() {
    let site = site();
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    site.write(
        "content/posts/broken.md",
        "+++\ntitle = \"Broken\"\ndate = \"someday\"\n+++\n",
    );
    events.next_reload();
    let (status, _, body) = server.get("/posts/hello/");
    assert_eq!(status, 200, "the server is still up");
    assert!(
        body.contains("First version."),
        "the last good page is served"
    );
    assert!(
        body.contains("quill-build-error") && body.contains("invalid date"),
        "{body}"
    );
    site.write(
        "content/posts/broken.md",
        "+++\ntitle = \"Fixed\"\ndate = 2024-02-02\n+++\nFixed.\n",
    );
    events.next_reload();
    let (_, _, body) = server.get("/posts/hello/");
    assert!(
        !body.contains("quill-build-error"),
        "the next good build clears the overlay"
    );
    assert_eq!(server.get("/posts/broken/").0, 200);
}

fn post_form(server: &Server, body: &str) -> (u16, String, String) {
    server.request(&format!(
        "POST /_quill/comments HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ))
}

#[test]
fn the_endpoint_stores_a_valid_comment_and_shows_it_after_the_rebuild() {
    let site = site();
    let server = Server::start(&site, &["--accept-comments"]);
    let (_, _, page) = server.get("/posts/hello/");
    assert!(
        page.contains(&format!(
            "action=\"http://{}/_quill/comments\"",
            server.address
        )),
        "the form posts to serve"
    );
    let mut events = server.events();
    let (status, head, _) = post_form(
        &server,
        "post=hello&parent=&username=Ada+L.&email=ada%40example.org&body=Hello+from+the+form&website=",
    );
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("Location: /posts/hello/#comment-1"), "{head}");
    events.next_reload();
    let (_, _, page) = server.get("/posts/hello/");
    assert!(
        page.contains("Hello from the form") && page.contains("Ada L."),
        "visible after the rebuild"
    );
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("1 comment")
    );
}

#[test]
fn the_endpoint_gives_the_form_back_with_reasons() {
    let site = site();
    let server = Server::start(&site, &["--accept-comments"]);
    let (status, _, body) = post_form(
        &server,
        "post=hello&username=Ada&email=not-an-email&body=%3Cb%3EKeep+me%3C%2Fb%3E",
    );
    assert_eq!(status, 422);
    assert!(body.contains("is not a plausible address"), "{body}");
    assert!(
        body.contains("&lt;b&gt;Keep me&lt;&#x2F;b&gt;")
            || body.contains("&lt;b&gt;Keep me&lt;/b&gt;"),
        "what they typed comes back, escaped: {body}"
    );
    assert!(body.contains("value=\"not-an-email\""));
    assert!(
        !site.exists("comments.db")
            || site
                .run(&["comments", "list"])
                .ok()
                .stdout
                .contains("0 comments")
    );
}

#[test]
fn the_endpoint_limits_size_rate_and_method() {
    let site = TestSite::with_config("[comments]\nrate_limit = 2\n");
    site.post("hello", "Hello", "2024-01-01", "", "x");
    let server = Server::start(&site, &["--accept-comments"]);
    let big = format!(
        "post=hello&username=A&email=a%40example.org&body={}",
        "x".repeat(70 * 1024)
    );
    assert_eq!(post_form(&server, &big).0, 413);
    assert_eq!(server.get("/_quill/comments").0, 405);
    let form = |n: usize| format!("post=hello&username=A&email=a%40example.org&body=comment+{n}");
    assert_eq!(post_form(&server, &form(1)).0, 303);
    assert_eq!(post_form(&server, &form(2)).0, 303);
    let (status, head, _) = post_form(&server, &form(3));
    assert_eq!(status, 429, "{head}");
    assert!(head.contains("Retry-After: 60"));
}

#[test]
fn without_the_flag_there_is_no_endpoint() {
    let site = site();
    let server = Server::start(&site, &[]);
    let (status, _, _) = post_form(
        &server,
        "post=hello&username=A&email=a%40example.org&body=x",
    );
    assert_eq!(status, 405);
    assert!(!site.exists("comments.db"));
}

/// A server database is no file to watch: an ingest made by another process shows up because
/// the server asks for the comment stamps while the files are quiet.
#[test]
fn an_ingest_into_a_server_database_is_rebuilt() {
    let Some(backend) = Backend::postgres() else {
        return;
    };
    let site = TestSite::on(backend, "");
    site.post("hello", "Hello", "2024-01-01", "", "First version.");
    let server = Server::start(&site, &[]);
    let mut events = server.events();
    site.write(
        "in.jsonl",
        "{\"post\":\"hello\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"Seen from the server\"}\n",
    );
    site.run(&["ingest", "in.jsonl"]).ok();
    events.next_reload();
    let (_, _, body) = server.get("/posts/hello/");
    assert!(body.contains("Seen from the server"), "{body}");
}

#[test]
fn the_endpoint_sends_the_visitor_to_the_page_of_the_thread_that_shows_the_comment() {
    let site = TestSite::with_config("[comments]\nper_page = 1\n");
    site.post("hello", "Hello", "2024-01-01", "", "Hi.");
    site.write(
        "in.jsonl",
        "{\"post\":\"hello\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"First\",\"timestamp\":\"2024-02-01T10:00:00Z\"}\n",
    );
    site.run(&["ingest", "in.jsonl"]).ok();
    let server = Server::start(&site, &["--accept-comments"]);
    let mut events = server.events();
    let (status, head, _) = post_form(
        &server,
        "post=hello&parent=&username=Bo&email=bo%40example.org&body=Second&website=",
    );
    assert_eq!(status, 303, "{head}");
    assert!(
        head.contains("Location: /posts/hello/comments/2/#comment-2"),
        "{head}"
    );
    events.next_reload();
    let (status, _, page) = server.get("/posts/hello/comments/2/");
    assert_eq!(status, 200);
    assert!(page.contains("id=\"comment-2\""), "{page}");
    // A reply to the first comment lands with it, on the post's own page.
    let (_, head, _) = post_form(
        &server,
        "post=hello&parent=1&username=Cy&email=cy%40example.org&body=Reply&website=",
    );
    assert!(head.contains("Location: /posts/hello/#comment-3"), "{head}");
}

#[test]
fn the_endpoint_sends_the_visitor_back_to_the_posts_permalink() {
    let site = TestSite::with_config("[permalinks]\nposts = \"/:year/:title/\"\n");
    site.write(
        "content/posts/2024/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2024-05-01\n+++\nAway.\n",
    );
    let server = Server::start(&site, &["--accept-comments"]);
    let (_, _, page) = server.get("/2024/trip/");
    assert!(
        page.contains("name=\"post\" value=\"2024/trip\""),
        "the form sends the key the comments are stored under: {page}"
    );
    let mut events = server.events();
    let (status, head, _) = post_form(
        &server,
        "post=2024%2Ftrip&parent=&username=Ada&email=ada%40example.org&body=Lovely&website=",
    );
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("Location: /2024/trip/#comment-1"), "{head}");
    events.next_reload();
    assert!(server.get("/2024/trip/").2.contains("Lovely"));
    let (status, _, body) = server.get("/_quill/moderation?post=%2F2024%2Ftrip%2F");
    assert_eq!(status, 200);
    assert!(body.contains("href=\"/2024/trip/\""), "{body}");
    let (_, _, body) = server.get("/_quill/moderation?post=%2F%2Fevil.example%2F");
    assert!(body.contains("href=\"/\""), "no way off the site: {body}");
}

/// Reads whatever the server sends until it closes; the status code of the response, if any.
fn status_of(stream: &mut TcpStream) -> u16 {
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn requests_in_a_row_on_one_connection_are_each_answered() {
    let site = site();
    let server = Server::start(&site, &[]);
    let (_, head, body) = server.request(
        "GET /posts/hello/ HTTP/1.1\r\nHost: localhost\r\n\r\nHEAD /style.css HTTP/1.1\r\nHost: localhost\r\n\r\nGET /no/such/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    let all = format!("{head}\r\n\r\n{body}");
    let statuses: Vec<&str> = all
        .match_indices("HTTP/1.1 ")
        .map(|(i, _)| &all[i + 9..i + 12])
        .collect();
    assert_eq!(statuses, ["200", "200", "404"], "{all}");
    assert_eq!(all.matches("First version.").count(), 1);
    // A body on a request that takes none is not read as the next request.
    let (status, head, body) = server.request(
        "GET /posts/hello/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 40\r\n\r\nGET /no/such/ HTTP/1.1\r\nHost: localhost\r\n\r\n",
    );
    assert_eq!(status, 200);
    assert!(head.contains("Connection: close"), "{head}");
    assert!(!body.contains("HTTP/1.1 404"), "{body}");
}

#[test]
fn a_head_over_16_kib_gets_431_and_the_server_goes_on() {
    let site = site();
    let server = Server::start(&site, &[]);
    let mut stream = server.connect();
    let big = format!(
        "GET /posts/hello/ HTTP/1.1\r\nHost: localhost\r\nX-Big: {}",
        "a".repeat(20 * 1024)
    );
    stream.write_all(big.as_bytes()).unwrap();
    assert_eq!(status_of(&mut stream), 431);
    let just_under = format!(
        "GET /posts/hello/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: {}\r\n\r\n",
        "a".repeat(15 * 1024)
    );
    assert_eq!(
        server.request(&just_under).0,
        200,
        "16 KiB is the limit, not less"
    );
    let many: String = (0..200).map(|i| format!("X-{i}: 1\r\n")).collect();
    let (status, _, _) = server.request(&format!("GET / HTTP/1.1\r\n{many}\r\n"));
    assert_eq!(status, 431, "too many headers count as too large");
    assert_eq!(server.get("/posts/hello/").0, 200);
}

#[test]
fn idle_and_slow_connections_are_closed_after_the_timeout() {
    let site = site();
    let server = Server::start(&site, &["--timeout", "0.3"]);
    let timeout = Duration::from_millis(300);
    let started = std::time::Instant::now();
    let mut idle = server.connect();
    let mut byte = [0u8; 1];
    assert_eq!(idle.read(&mut byte).unwrap(), 0, "closed without a word");
    assert!(started.elapsed() >= timeout, "{:?}", started.elapsed());
    let started = std::time::Instant::now();
    let mut slow = server.connect();
    slow.write_all(b"GET /posts/hello/ HTTP/1.1\r\nHost: loc")
        .unwrap();
    assert_eq!(status_of(&mut slow), 408, "a head that never ends");
    assert!(started.elapsed() >= timeout);
    // A kept-alive connection is idle after its response, and closed in turn.
    let mut kept = server.connect();
    kept.write_all(b"GET /posts/hello/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut response = Vec::new();
    kept.read_to_end(&mut response).unwrap();
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    assert!(response.contains("Connection: keep-alive"));
}

#[test]
fn a_body_that_stops_coming_gets_408() {
    let site = site();
    let server = Server::start(&site, &["--accept-comments", "--timeout", "0.3"]);
    let mut stalled = server.connect();
    stalled
        .write_all(b"POST /_quill/comments HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npost=")
        .unwrap();
    assert_eq!(status_of(&mut stalled), 408);
}

#[test]
fn beyond_the_cap_of_busy_connections_comes_503() {
    let site = site();
    let server = Server::start(&site, &["--max-connections", "3"]);
    let _streams: Vec<Events> = (0..3).map(|_| server.events()).collect();
    let mut refused = server.connect();
    refused
        .write_all(b"GET /posts/hello/ HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let mut response = Vec::new();
    let _ = refused.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 503 "), "{response}");
    assert!(response.contains("Retry-After: 1"), "{response}");
}

#[test]
fn pages_are_served_while_idle_connections_hold_the_cap() {
    let site = site();
    let server = Server::start(&site, &["--max-connections", "8"]);
    let idle: Vec<TcpStream> = (0..40).map(|_| server.connect()).collect();
    let started = std::time::Instant::now();
    let (status, _, body) = server.get("/posts/hello/");
    assert_eq!(status, 200);
    assert!(body.contains("First version."));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    drop(idle);
}

/// The flood of the report that found the unbounded server: a thousand idle sockets (which
/// held a thousand threads), and slow clients that each send most of a head and stop. Threads
/// and memory are bounded by the cap: a second flood as large costs nothing more.
#[cfg(target_os = "linux")]
#[test]
fn a_flood_of_idle_and_slow_connections_keeps_threads_and_memory_flat() {
    let site = site();
    let server = Server::start(&site, &[]);
    assert_eq!(server.get("/posts/hello/").0, 200);
    let rss_before = server.status("VmRSS");
    let flood = || {
        let slow: Vec<TcpStream> = (0..300)
            .map(|_| {
                let mut stream = server.connect();
                let head = format!(
                    "GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: {}",
                    "a".repeat(8 * 1024)
                );
                // The server may already have closed it to make room: that is fine too.
                let _ = stream.write_all(head.as_bytes());
                stream
            })
            .collect();
        let idle: Vec<TcpStream> = (0..1000).map(|_| server.connect()).collect();
        let started = std::time::Instant::now();
        let (status, _, body) = server.get("/posts/hello/");
        let elapsed = started.elapsed();
        assert_eq!(status, 200);
        assert!(body.contains("First version."));
        assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
        let threads = server.status("Threads");
        assert!(
            threads <= 256 + 32,
            "{threads} threads for at most 256 connections"
        );
        let rss = server.status("VmRSS");
        drop((slow, idle));
        rss
    };
    // The first flood starts the threads; the next ones find them.
    let floods = [flood(), flood(), flood()];
    assert!(
        floods.iter().all(|rss| *rss < rss_before + 40 * 1024),
        "memory grew from {rss_before} kB to {floods:?} kB"
    );
    // The allocator takes memory in 2 MiB pages (transparent huge pages): a page or two more
    // is where a flood's buffers fell, not growth; a leak would take far more each flood.
    assert!(
        floods[2] < floods[1] + 8 * 1024,
        "another flood took more memory: {floods:?} kB"
    );
}

#[test]
fn links_out_of_the_output_folder_are_not_followed() {
    let site = site();
    site.write("secret.txt", "the password file");
    let server = Server::start(&site, &[]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(site.path("secret.txt"), site.path("preview/leak.txt")).unwrap();
        symlink("/etc/passwd", site.path("preview/passwd.txt")).unwrap();
        symlink(site.root(), site.path("preview/site")).unwrap();
        std::fs::remove_file(site.path("preview/404.html")).unwrap();
        symlink(site.path("secret.txt"), site.path("preview/404.html")).unwrap();
        for path in [
            "/leak.txt",
            "/passwd.txt",
            "/site/secret.txt",
            "/site/",
            "/no/such/",
        ] {
            let (status, _, body) = server.get(path);
            assert_eq!(status, 404, "{path}");
            assert!(
                !body.contains("the password file") && !body.contains("root:"),
                "{path}"
            );
        }
    }
    assert_eq!(server.get("/posts/hello/").0, 200);
}

#[test]
fn a_form_sent_with_expect_100_continue_is_told_to_go_on() {
    let site = site();
    let server = Server::start(&site, &["--accept-comments"]);
    let body = "post=hello&username=Ada&email=ada%40example.org&body=Sent+by+curl";
    let mut stream = server.connect();
    write!(
        stream,
        "POST /_quill/comments HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    reader.read_line(&mut line).unwrap();
    stream.write_all(body.as_bytes()).unwrap();
    let mut rest = String::new();
    reader.read_to_string(&mut rest).unwrap();
    assert!(rest.starts_with("HTTP/1.1 303 "), "{rest}");
    assert_eq!(site.comment_rows().len(), 1);
}

#[test]
fn a_visitor_cannot_choose_the_time_or_the_key_of_a_comment() {
    let site = site();
    let server = Server::start(&site, &["--accept-comments"]);
    let form = |body: &str| {
        format!(
            "post=hello&username=Ada&email=ada%40example.org&body={body}&timestamp=2001-01-01T00%3A00%3A00Z&id=c1&date=2001-01-01"
        )
    };
    assert_eq!(post_form(&server, &form("first")).0, 303);
    assert_eq!(
        post_form(&server, &form("second")).0,
        303,
        "the same id sent again takes no one's place"
    );
    let rows = site.comment_rows();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let stamp = site.sql_text("SELECT timestamp FROM comments WHERE id = 1");
    let stamp = chrono::DateTime::parse_from_rfc3339(&stamp).unwrap();
    let age = chrono::Utc::now().signed_duration_since(stamp);
    assert!(
        age >= chrono::Duration::zero() && age < chrono::Duration::minutes(10),
        "stamped on receipt, not backdated: {stamp}"
    );
    let key = site.sql_text("SELECT submission_key FROM comments WHERE id = 1");
    assert_ne!(key, "c1");
    // The receiver stores each comment's HTML beside it, as ingest does.
    let html = site.sql_text("SELECT body_html FROM comments WHERE id = 2");
    assert_eq!(html, "<p>second</p>\n");
}

#[test]
fn a_field_twice_or_not_utf8_is_refused_with_its_name() {
    let site = site();
    let server = Server::start(&site, &["--accept-comments"]);
    let base = "post=hello&username=Ada&email=ada%40example.org";
    let (status, _, body) = post_form(&server, &format!("{base}&body=one&body=two"));
    assert_eq!(status, 400);
    assert!(
        body.contains("field &quot;body&quot; given twice"),
        "{body}"
    );
    let (status, _, body) = post_form(&server, &format!("{base}&body=caf%E9"));
    assert_eq!(status, 400);
    assert!(
        body.contains("field &quot;body&quot; is not valid UTF-8"),
        "{body}"
    );
    let (status, _, body) = post_form(
        &server,
        "post=hello&username=A%FFda&email=a%40example.org&body=x",
    );
    assert_eq!(status, 400);
    assert!(
        body.contains("field &quot;username&quot; is not valid UTF-8"),
        "{body}"
    );
    assert!(!site.database_exists() || site.comment_rows().is_empty());
    let (status, _, _) = server.request(
        "POST /_quill/comments HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\npost=\r\n0\r\n\r\n",
    );
    assert_eq!(status, 411, "a form comes with its length");
    let (status, _, body) = server.request(
        "POST /_quill/comments HTTP/1.1\r\nHost: x\r\nContent-Length: 1e20\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 400);
    assert!(
        body.contains("Content-Length 1e20 is not"),
        "the number as given: {body}"
    );
}

#[test]
fn a_comment_the_database_refuses_or_fails_on_shows_the_visitor_no_sql() {
    let site = site();
    site.write(
        "one.jsonl",
        "{\"post\":\"hello\",\"username\":\"A\",\"email\":\"a@example.org\",\"body\":\"first\"}\n",
    );
    site.run(&["ingest", "one.jsonl"]).ok();
    site.sql(
        "CREATE TRIGGER refuse BEFORE INSERT ON comments WHEN NEW.body = 'refused' BEGIN SELECT RAISE(ABORT, 'secret rule'); END;
         CREATE TRIGGER fail BEFORE INSERT ON comments WHEN NEW.body = 'broken' BEGIN SELECT abs(-9223372036854775807 - 1); END;",
    )
    .unwrap();
    let server = Server::start(&site, &["--accept-comments"]);
    let form = |body: &str| {
        post_form(
            &server,
            &format!("post=hello&parent=&username=Bo&email=bo%40example.org&body={body}&website="),
        )
    };
    // A rule of the database's: the form comes back with a reason, as any rejection does.
    let (status, _, page) = form("refused");
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("the database refused it"), "{page}");
    // A failure of the database: a 500 that tells the visitor nothing of it.
    let (status, _, page) = form("broken");
    assert_eq!(status, 500, "{page}");
    for secret in ["secret rule", "integer overflow", "INSERT", "SQL"] {
        assert!(!page.contains(secret), "{secret} in {page}");
    }
    assert!(page.contains("not in your comment"), "{page}");
}

#[test]
fn a_comment_through_the_endpoint_is_told_to_the_author() {
    let site = TestSite::with_config(
        "[comments]\nmoderation = \"manual\"\n\n[notify]\ncommand = \"cat > told.fifo\"\n",
    );
    site.post("hello", "Hello", "2024-01-01", "", "First version.");
    // A named pipe: reading it waits for the author's command to have written, no sleeping.
    let fifo = site.path("told.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let server = Server::start(&site, &["--accept-comments"]);
    let (status, head, _) = post_form(
        &server,
        "post=hello&parent=&username=Ada&email=ada%40example.org&body=Waiting+for+you&website=",
    );
    assert_eq!(status, 303, "{head}");
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || sent.send(std::fs::read_to_string(&fifo).unwrap()));
    let told = received
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the author's command ran");
    assert!(told.contains("Waiting for you"), "{told}");
    assert!(
        !told.contains("ada@example.org"),
        "no visitor's address: {told}"
    );
}
