//! `quill serve`: the real server on a free port, fetched over TCP. Rebuilds are awaited
//! through the live-reload event stream, not by sleeping.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::common::{Backend, TestSite};

/// A running `quill serve`, stopped when dropped.
struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &TestSite, extra: &[&str]) -> Server {
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

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address).unwrap();
        // A bound on waiting, so a broken server fails the test instead of hanging it.
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        stream
    }

    /// Sends a raw request and returns (status, headers, body).
    fn request(&self, raw: &str) -> (u16, String, String) {
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

    fn get(&self, path: &str) -> (u16, String, String) {
        self.request(&format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        ))
    }

    /// Opens the live-reload stream; returns a waiter for the next reload.
    fn events(&self) -> Events {
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

struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn next_reload(&mut self) {
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
