//! Webmentions received by `quill serve --accept-comments`: sources served by a test server of
//! their own on 127.0.0.1 (allowed by `webmentions_allow_private` for these tests only),
//! verified in the background and awaited through the live-reload stream, never by sleeping.
//! A private source refused when not allowed is tested where it is decided, in
//! `serve::webmention` (a refused source changes nothing, so there is nothing to await here).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::common::{Backend, TestSite};
use crate::serve::Server;

/// Pages by path, changeable while the server runs (a source edited, then deleted), and
/// every request it was sent, as (method, path, body).
#[derive(Clone, Default)]
struct Sources {
    pages: Arc<Mutex<HashMap<String, String>>>,
    requests: Arc<Mutex<Vec<(String, String, String)>>>,
    address: String,
}

impl Sources {
    fn start() -> Sources {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let sources = Sources {
            address: listener.local_addr().unwrap().to_string(),
            ..Sources::default()
        };
        let pages = Arc::clone(&sources.pages);
        let requests = Arc::clone(&sources.requests);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (method, path, body) = read_request(&mut stream);
                requests.lock().unwrap().push((method, path.clone(), body));
                let page = pages.lock().unwrap().get(&path).cloned();
                let response = page.unwrap_or_else(|| response("404 Not Found", "", "gone"));
                let _ = stream.write_all(response.as_bytes());
            }
        });
        sources
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn serve(&self, path: &str, response: String) {
        self.pages
            .lock()
            .unwrap()
            .insert(path.to_string(), response);
    }

    /// The bodies posted so far, taken.
    fn posted(&self) -> Vec<(String, String)> {
        let mut requests = self.requests.lock().unwrap();
        let posted = requests
            .iter()
            .filter(|(m, _, _)| m == "POST")
            .map(|(_, path, body)| (path.clone(), body.clone()))
            .collect();
        requests.clear();
        posted
    }
}

/// One request: its method, path and body (by its Content-Length).
fn read_request(stream: &mut std::net::TcpStream) -> (String, String, String) {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&data).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                let mut words = text.split(' ');
                let method = words.next().unwrap_or("").to_string();
                let path = words.next().unwrap_or("/").to_string();
                return (method, path, text[end + 4..end + 4 + length].to_string());
            }
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return (String::new(), String::new(), String::new()),
            Ok(n) => data.extend_from_slice(&chunk[..n]),
        }
    }
}

fn response(status: &str, headers: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn page(body: &str) -> String {
    response("200 OK", "", body)
}

const TARGET: &str = "https://example.org/posts/hello/";

fn h_entry(class: &str, author: &str, content: &str) -> String {
    format!(
        r#"<!doctype html><title>note</title><article class="h-entry">
        <a class="p-author h-card" href="/about"><img class="u-photo" src="/me.jpg" alt="">{author}</a>
        <time class="dt-published" datetime="2024-02-03T04:05:06Z">Feb 3</time>
        <a class="{class}" href="{TARGET}">your post</a>
        <div class="e-content">{content}</div></article>"#
    )
}

crate::common::backend_tests! {
    a_repeated_mention_is_updated_then_removed_when_unlinked_or_gone,
    mentions_are_moderated_like_comments,
}

fn site(extra: &str) -> TestSite {
    site_on(Backend::Sqlite, extra)
}

/// [`site`] on a backend's database.
fn site_on(backend: Backend, extra: &str) -> TestSite {
    let site = TestSite::on(
        backend,
        &format!(
            "[comments]\nwebmentions = true\nwebmentions_allow_private = true\nrate_limit = 1000\n{extra}"
        ),
    );
    site.post("hello", "Hello", "2024-01-01", "", "First version.");
    site
}

fn send(server: &Server, source: &str, target: &str) -> (u16, String) {
    let body = format!("source={}&target={}", urlencode(source), urlencode(target));
    let (status, _, text) = server.request(&format!(
        "POST /_quill/webmention HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    ));
    (status, text)
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The stored mentions as `quill comments list --kind mention --json` gives them.
fn mentions(site: &TestSite) -> Vec<serde_json::Value> {
    let out = site
        .run(&["comments", "list", "--kind", "mention", "--json"])
        .ok()
        .stdout;
    serde_json::from_str(&out).unwrap()
}

#[test]
fn a_reply_and_a_like_are_verified_and_stored_with_their_authors() {
    let site = site("");
    let sources = Sources::start();
    sources.serve(
        "/reply",
        page(&h_entry("u-in-reply-to", "Bea", "Nice <b>post</b>.")),
    );
    sources.serve("/like", page(&h_entry("u-like-of", "Cy", "")));
    let server = Server::start(&site, &["--accept-comments"]);
    let mut events = server.events();
    let (status, text) = send(&server, &sources.url("/reply"), TARGET);
    assert_eq!(status, 202, "{text}");
    events.next_reload();
    assert_eq!(send(&server, &sources.url("/like"), TARGET).0, 202);
    events.next_reload();
    let stored = mentions(&site);
    assert_eq!(stored.len(), 2, "{stored:?}");
    let kind = |k: &str| stored.iter().find(|m| m["mention"]["kind"] == k);
    let reply = kind("reply").expect("the reply is stored");
    assert_eq!(reply["username"], "Bea");
    assert_eq!(reply["body"], "Nice post.");
    assert_eq!(reply["post"], "hello");
    assert_eq!(reply["status"], "approved");
    assert_eq!(reply["timestamp"], "2024-02-03T04:05:06Z");
    assert_eq!(reply["mention"]["kind"], "reply");
    assert_eq!(reply["mention"]["source"], sources.url("/reply"));
    assert!(
        reply["email"].as_str().unwrap().ends_with(".invalid"),
        "a mention's author has no address"
    );
    assert_eq!(kind("like").expect("the like is stored")["username"], "Cy");
    // Mentions are not comments: the plain list of comments has none.
    let comments = site
        .run(&["comments", "list", "--kind", "comment"])
        .ok()
        .stdout;
    assert!(comments.contains("0 comments"), "{comments}");
}

fn a_repeated_mention_is_updated_then_removed_when_unlinked_or_gone(backend: Backend) {
    let site = site_on(backend, "");
    let sources = Sources::start();
    let server = Server::start(&site, &["--accept-comments"]);
    let mut events = server.events();
    sources.serve(
        "/note",
        page(&h_entry("u-in-reply-to", "Bea", "First words.")),
    );
    assert_eq!(send(&server, &sources.url("/note"), TARGET).0, 202);
    events.next_reload();
    sources.serve(
        "/note",
        page(&h_entry("u-in-reply-to", "Bea", "Edited words.")),
    );
    assert_eq!(send(&server, &sources.url("/note"), TARGET).0, 202);
    events.next_reload();
    let stored = mentions(&site);
    assert_eq!(stored.len(), 1, "updated, not doubled: {stored:?}");
    assert_eq!(stored[0]["body"], "Edited words.");
    let id = stored[0]["id"].as_i64().unwrap();

    sources.serve("/note", page("<p>I took the link out.</p>"));
    assert_eq!(send(&server, &sources.url("/note"), TARGET).0, 202);
    events.next_reload();
    assert!(mentions(&site).is_empty(), "no longer linking removes it");

    sources.serve("/note", page(&h_entry("u-in-reply-to", "Bea", "Back.")));
    assert_eq!(send(&server, &sources.url("/note"), TARGET).0, 202);
    events.next_reload();
    assert_eq!(mentions(&site).len(), 1);
    sources.serve("/note", response("410 Gone", "", ""));
    assert_eq!(send(&server, &sources.url("/note"), TARGET).0, 202);
    events.next_reload();
    assert!(mentions(&site).is_empty(), "410 removes it");
    assert!(id > 0);
}

#[test]
fn a_redirect_is_followed_and_sources_too_large_or_unlinked_store_nothing() {
    let site = site("");
    let sources = Sources::start();
    sources.serve(
        "/moved",
        response("301 Moved Permanently", "Location: /final\r\n", ""),
    );
    sources.serve("/final", page(&h_entry("u-repost-of", "Dee", "")));
    sources.serve(
        "/large",
        page(&format!(
            "{}{}",
            h_entry("u-in-reply-to", "Big", "x"),
            " ".repeat(2 * 1024 * 1024)
        )),
    );
    sources.serve("/unlinked", page("<p>No link to you here.</p>"));
    let server = Server::start(&site, &["--accept-comments"]);
    let mut events = server.events();
    // One thread verifies them in order: once the last one is stored, the others were seen.
    for path in ["/large", "/unlinked", "/moved"] {
        assert_eq!(send(&server, &sources.url(path), TARGET).0, 202, "{path}");
    }
    events.next_reload();
    let stored = mentions(&site);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["mention"]["kind"], "repost");
    assert_eq!(stored[0]["username"], "Dee");
}

/// A TLS source on 127.0.0.1 whose certificate comes from the test authority of
/// `tests/fixtures/tls/` (which only the library's unit tests trust, where https verification
/// itself is tested); it serves `response` once and tells how the session ended.
fn tls_source(response: String) -> (String, std::sync::mpsc::Receiver<String>) {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![
                CertificateDer::from_pem_slice(include_bytes!("fixtures/tls/localhost.pem"))
                    .unwrap(),
            ],
            PrivateKeyDer::from_pem_slice(include_bytes!("fixtures/tls/localhost.key")).unwrap(),
        )
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("https://{}/note", listener.local_addr().unwrap());
    let (told, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok((tcp, _)) = listener.accept() else {
            return;
        };
        let connection = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        let mut tls = rustls::StreamOwned::new(connection, tcp);
        let mut head = [0u8; 4096];
        let _ = told.send(match tls.read(&mut head) {
            Ok(_) => {
                let _ = tls.write_all(response.as_bytes());
                "served".to_string()
            }
            Err(e) => e.to_string(),
        });
    });
    (url, heard)
}

/// The binary trusts the Mozilla roots and nothing else: a source whose certificate comes
/// from another authority is refused in the handshake and stores nothing.
#[test]
fn a_source_whose_certificate_no_trusted_authority_signed_is_refused() {
    let site = site("");
    let (untrusted, heard) = tls_source(page(&h_entry("u-in-reply-to", "Mallory", "hi")));
    let sources = Sources::start();
    sources.serve("/like", page(&h_entry("u-like-of", "Cy", "")));
    let server = Server::start(&site, &["--accept-comments"]);
    let mut events = server.events();
    // One thread verifies them in order: once the like is stored, the https one was tried.
    assert_eq!(send(&server, &untrusted, TARGET).0, 202);
    assert_eq!(send(&server, &sources.url("/like"), TARGET).0, 202);
    events.next_reload();
    let stored = mentions(&site);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0]["username"], "Cy");
    let ended = heard.recv().unwrap();
    assert!(
        ended.contains("received fatal alert: UnknownCA"),
        "the handshake was refused by quill: {ended}"
    );
}

#[test]
fn requests_are_refused_with_a_reason() {
    let site = site("");
    let server = Server::start(&site, &["--accept-comments"]);
    for (source, target, reason) in [
        (
            "http://bea.example/n",
            "https://example.org/posts/nope/",
            "no published post",
        ),
        (TARGET, TARGET, "same page"),
        ("ftp://bea.example/n", TARGET, "not an http or https URL"),
        (
            "http://bea.example/n",
            "javascript:alert(1)",
            "not an http or https URL",
        ),
        ("", TARGET, "missing source"),
    ] {
        let (status, text) = send(&server, source, target);
        assert_eq!(status, 400, "{source} {target}: {text}");
        assert!(text.contains(reason), "{text} / {reason}");
    }
    assert_eq!(server.get("/_quill/webmention").0, 405);
}

#[test]
fn without_the_setting_there_is_no_webmention_endpoint() {
    let site = TestSite::with_config("[comments]\nrate_limit = 1000\n");
    site.post("hello", "Hello", "2024-01-01", "", "x");
    let server = Server::start(&site, &["--accept-comments"]);
    let (status, _) = send(&server, "http://bea.example/n", TARGET);
    assert_eq!(status, 404);
}

fn mentions_are_moderated_like_comments(backend: Backend) {
    let site = site_on(backend, "moderation = \"manual\"\n");
    let sources = Sources::start();
    sources.serve("/reply", page(&h_entry("u-in-reply-to", "Bea", "Hold me.")));
    let server = Server::start(&site, &["--accept-comments"]);
    let mut events = server.events();
    assert_eq!(send(&server, &sources.url("/reply"), TARGET).0, 202);
    events.next_reload();
    let stored = mentions(&site);
    assert_eq!(stored[0]["status"], "pending");
    let id = stored[0]["id"].to_string();
    site.run(&["comments", "approve", &id]).ok();
    assert_eq!(mentions(&site)[0]["status"], "approved");
    site.run(&["comments", "spam", &id]).ok();
    assert_eq!(mentions(&site)[0]["status"], "spam");
    // A source marked as spam stays spam when it sends again.
    assert_eq!(send(&server, &sources.url("/reply"), TARGET).0, 202);
    let mut events = server.events();
    events.next_reload();
    assert_eq!(mentions(&site)[0]["status"], "spam");
    let shown = site.run(&["comments", "show", &id]).ok().stdout;
    assert!(shown.contains("mention:   reply from http://"), "{shown}");
    site.run(&["comments", "delete", &id]).ok();
    assert!(mentions(&site).is_empty());
}

/// SQL text literal.
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A site whose database holds one approved mention per (kind, name, content), written
/// straight into the tables, as the endpoint stores them.
fn site_with_mentions(extra: &str, mentions: &[(&str, String, String)]) -> TestSite {
    let site = site(extra);
    site.run(&["db", "upgrade"]).ok();
    let mut sql = String::from("BEGIN;");
    for (i, (kind, name, content)) in mentions.iter().enumerate() {
        let id = i + 1;
        sql.push_str(&format!(
            "INSERT INTO users (id, username, email) VALUES ({id}, {}, 'webmention@s{id}.example.invalid');
             INSERT INTO comments (id, post, body, timestamp, user_id, status, submission_key)
                 VALUES ({id}, 'hello', {}, '2024-02-03T04:05:06Z', {id}, 'approved', 'webmention k{id}');
             INSERT INTO mentions (comment_id, source, target, kind, author_url, author_photo)
                 VALUES ({id}, 'https://s{id}.example/note', {}, '{kind}', 'javascript:alert(1)', 'https://pics.example/{id}.jpg');",
            lit(name),
            lit(content),
            lit(TARGET),
        ));
    }
    sql.push_str("COMMIT;");
    site.sql(&sql).unwrap();
    site.run(&["build"]).ok();
    site
}

fn select(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}

#[test]
fn mentions_are_shown_as_replies_in_the_thread_and_counts_with_links_out_marked() {
    let site = site_with_mentions(
        "",
        &[
            ("reply", "Bea".into(), "Nice post.".into()),
            ("like", "Cy".into(), "https://s2.example/note".into()),
            ("like", "Di".into(), "https://s3.example/note".into()),
            ("repost", "Ed".into(), "https://s4.example/note".into()),
        ],
    );
    let page = site.read("public/posts/hello/index.html");
    let html = scraper::Html::parse_document(&page);
    let thread = html
        .select(&select("section.comments"))
        .next()
        .expect("the thread");
    let reply = thread
        .select(&select(".comment-list > li.comment.mention#mention-1"))
        .next()
        .expect("the reply, in the thread's list");
    let text: String = reply.text().collect();
    assert!(
        text.contains("Bea")
            && text.contains("Nice post.")
            && text.contains("replied on s1.example"),
        "{text}"
    );
    let people: Vec<String> = thread
        .select(&select(".mentions .mention-people"))
        .map(|p| p.text().collect::<String>())
        .collect();
    assert_eq!(people, ["2 likes: Cy, Di", "1 repost: Ed"], "{page}");
    assert_eq!(
        thread.select(&select(".comment")).count(),
        1,
        "likes and reposts are counts, not entries of the thread"
    );
    for a in thread.select(&select(".mentions a[href], .mention a[href]")) {
        assert_eq!(a.value().attr("rel"), Some("nofollow ugc"), "{}", a.html());
        assert!(
            a.value().attr("href").unwrap().starts_with("https://s"),
            "only the sources: {}",
            a.html()
        );
    }
    assert!(
        !page.contains("pics.example"),
        "no pictures from other hosts without avatars"
    );
    assert!(
        page.contains("<link rel=\"webmention\" href=\"https://example.org/_quill/webmention\">"),
        "the endpoint is advertised"
    );
    assert!(
        page.contains("1 comment</h2>"),
        "the reply is counted with the thread, the likes are not: {page}"
    );

    // A site's own template still gets every mention, the replies too, as `page.mentions`.
    site.write(
        "templates/post.html",
        "{% for r in page.mentions.replies %}<p id=\"{{ r.anchor }}\">{{ r.name }} on {{ r.source_host }}: {{ r.content }}</p>{% endfor %}\
         <p>{{ page.mentions.count }} in all, {{ page.mentions.likes | length }} likes; {{ page.comments | length }} in the thread</p>",
    );
    site.run(&["build"]).ok();
    let own = site.read("public/posts/hello/index.html");
    assert!(
        own.contains("<p id=\"mention-1\">Bea on s1.example: Nice post.</p>")
            && own.contains("<p>4 in all, 2 likes; 1 in the thread</p>"),
        "{own}"
    );

    let with_avatars = site_with_mentions(
        "avatars = \"gravatar\"\n",
        &[("reply", "Bea".into(), "Hi.".into())],
    );
    let page = with_avatars.read("public/posts/hello/index.html");
    assert!(
        page.contains("src=\"https://pics.example/1.jpg\""),
        "{page}"
    );
}

/// Comments before and after a mention, one replying to another: the thread is in date order,
/// the mention in its place, and only the visitors' comments can be replied to with the form.
#[test]
fn a_reply_from_another_site_takes_its_place_among_the_comments() {
    let site = site_with_mentions(
        "endpoint = \"https://example.org/_quill/comments\"\n",
        &[("reply", "Bea".into(), "Sent from my blog.".into())],
    );
    // The mention is dated 2024-02-03T04:05:06Z.
    site.write(
        "subs.jsonl",
        concat!(
            "{\"id\":\"c1\",\"post\":\"hello\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"Before.\",\"timestamp\":\"2024-02-01T10:00:00Z\"}\n",
            "{\"id\":\"c2\",\"post\":\"hello\",\"username\":\"Bob\",\"email\":\"bob@example.org\",\"body\":\"After.\",\"timestamp\":\"2024-02-05T10:00:00Z\"}\n",
            "{\"id\":\"c3\",\"post\":\"hello\",\"username\":\"Cy\",\"email\":\"cy@example.org\",\"body\":\"Answering Ada, later than all.\",\"timestamp\":\"2024-02-06T10:00:00Z\",\"parent\":\"c1\"}\n",
        ),
    );
    site.run(&["ingest", "subs.jsonl"]).ok();
    site.run(&["build"]).ok();
    let page = site.read("public/posts/hello/index.html");
    let html = scraper::Html::parse_document(&page);
    let words = |li: scraper::ElementRef<'_>| {
        li.select(&select(":scope > article .comment-body"))
            .next()
            .map(|b| b.text().collect::<String>().trim().to_string())
            .unwrap_or_default()
    };
    let top: Vec<String> = html
        .select(&select(".comment-list > li"))
        .map(words)
        .collect();
    assert_eq!(top, ["Before.", "Sent from my blog.", "After."], "{page}");
    let nested: Vec<String> = html
        .select(&select(".comment-list > li .comment-replies > li"))
        .map(words)
        .collect();
    assert_eq!(nested, ["Answering Ada, later than all."]);
    assert!(page.contains("4 comments</h2>"), "{page}");
    let mention = html.select(&select("li.mention")).next().unwrap();
    assert_eq!(
        mention.select(&select("input[name=parent]")).count(),
        0,
        "a reply from another site is answered there"
    );
    assert_eq!(
        html.select(&select(
            "li.comment:not(.mention) > article > label input[name=parent]"
        ))
        .count(),
        3,
        "every visitor's comment can be replied to"
    );
}

#[test]
fn hostile_mention_contents_and_names_come_out_inert() {
    let payloads = crate::common::xss_payloads();
    let kinds = ["reply", "reply", "like", "repost", "mention"];
    let mentions: Vec<(&str, String, String)> = payloads
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let name = crate::common::as_username(p);
            let name = if name.trim().is_empty() {
                "x".to_string()
            } else {
                name
            };
            (kinds[i % kinds.len()], name, p.chars().take(5000).collect())
        })
        .collect();
    let site = site_with_mentions("", &mentions);
    // Half the authors have a page of their own, which their names link to. (Written behind
    // the store's back, so the post's stamp is not renewed: hence --full.)
    site.sql("UPDATE mentions SET author_url = 'https://author.example/' || comment_id WHERE comment_id % 2 = 0")
        .unwrap();
    site.run(&["build", "--full"]).ok();
    let page = site.read("public/posts/hello/index.html");
    assert!(page.contains("class=\"comment-author\" href=\"https://author.example/"));
    let html = scraper::Html::parse_document(&page);
    let thread = html
        .select(&select("section.comments"))
        .next()
        .expect("the thread");
    assert_eq!(
        thread.select(&select(".comment-list > li.mention")).count(),
        (0..payloads.len())
            .filter(|i| kinds[i % kinds.len()] == "reply")
            .count(),
        "every reply was published in the thread, none dropped"
    );
    crate::comments_site::assert_inert(thread, "mentions");
    for (file, bytes) in crate::common::snapshot(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(".invalid") && !text.contains("webmention@"),
            "a mention's placeholder address leaked into {file}"
        );
    }
}

#[test]
fn webmentions_are_sent_by_each_discovery_method_once_and_again_when_a_link_goes() {
    let site = site("");
    let targets = Sources::start();
    let ok = || response("202 Accepted", "", "");
    // The HTTP Link header wins over the page's own links.
    targets.serve(
        "/by-header",
        response(
            "200 OK",
            "Link: <https://example.net/x>; rel=\"other\", </wm/header?k=1>; rel=\"webmention\"\r\n",
            r#"<link rel="webmention" href="/wrong">"#,
        ),
    );
    targets.serve("/wm/header?k=1", ok());
    targets.serve(
        "/by-link",
        page(r#"<head><link rel="pingback webmention" href="wm/link"></head><a rel="webmention" href="/wrong">"#),
    );
    targets.serve("/wm/link", ok());
    targets.serve(
        "/by-a",
        page(r#"<p><a rel="webmention" href="/wm/a">endpoint</a></p>"#),
    );
    targets.serve("/wm/a", ok());
    targets.serve("/moved", response("302 Found", "Location: /by-a\r\n", ""));
    targets.serve("/none", page("<p>No endpoint here.</p>"));
    let link = |path: &str| format!("[{path}]({})", targets.url(path));
    site.post(
        "out",
        "Out",
        "2024-03-01",
        "",
        &format!(
            "{} {} {} {} {} and [my own](https://example.org/posts/hello/).",
            link("/by-header"),
            link("/by-link"),
            link("/by-a"),
            link("/moved"),
            link("/none")
        ),
    );
    let source = "source=https%3A%2F%2Fexample.org%2Fposts%2Fout%2F";
    let dry = site.run(&["webmention", "send", "--dry-run"]).ok().stdout;
    assert!(dry.contains("5 webmentions to send"), "{dry}");
    assert!(targets.posted().is_empty(), "a dry run sends nothing");

    let run = site.run(&["webmention", "send"]).ok().stdout;
    assert!(run.contains("no endpoint: "), "{run}");
    let mut posted = targets.posted();
    posted.sort();
    let expect = |endpoint: &str, target: &str| {
        (
            endpoint.to_string(),
            format!("{source}&target={}", urlencode(&targets.url(target))),
        )
    };
    assert_eq!(
        posted,
        [
            expect("/wm/a", "/by-a"),
            expect("/wm/a", "/moved"),
            expect("/wm/header?k=1", "/by-header"),
            expect("/wm/link", "/by-link"),
        ],
        "{run}"
    );
    let again = site.run(&["webmention", "send"]).ok().stdout;
    assert!(again.contains("0 webmentions planned"), "{again}");
    assert!(
        targets.posted().is_empty(),
        "a second run sends nothing new"
    );

    // A link taken out of the post is sent once more, then forgotten.
    site.post(
        "out",
        "Out",
        "2024-03-01",
        "",
        &format!("{} only now.", link("/by-a")),
    );
    let run = site.run(&["build", "--send-webmentions"]).ok().stdout;
    let mut posted = targets.posted();
    posted.sort();
    let removed: Vec<&str> = run
        .lines()
        .filter(|l| l.contains("(link removed)"))
        .collect();
    assert_eq!(removed.len(), 4, "{run}");
    assert_eq!(
        posted,
        [
            expect("/wm/a", "/by-a"),
            expect("/wm/a", "/moved"),
            expect("/wm/header?k=1", "/by-header"),
            expect("/wm/link", "/by-link"),
        ],
        "the changed post is sent again with its link, the removed links once more"
    );
    let last = site.run(&["webmention", "send"]).ok().stdout;
    assert!(last.contains("0 webmentions planned"), "{last}");
}

#[test]
fn a_received_mention_is_told_to_the_author() {
    let site = site("\n[notify]\ncommand = \"cat > told.fifo\"\n");
    let fifo = site.path("told.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let sources = Sources::start();
    sources.serve(
        "/reply",
        page(&h_entry("u-in-reply-to", "Bea", "Well said.")),
    );
    let server = Server::start(&site, &["--accept-comments"]);
    assert_eq!(send(&server, &sources.url("/reply"), TARGET).0, 202);
    // Reading the named pipe waits for the author's command; the mention was approved, and
    // is told all the same.
    let (sent, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || sent.send(std::fs::read_to_string(&fifo).unwrap()));
    let told = received
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the author's command ran");
    assert!(
        told.contains("1 webmention") && told.contains("Well said."),
        "{told}"
    );
}
