//! Each comment's HTML made once, when it is stored: builds from stored HTML equal builds from
//! Markdown byte for byte, an upgrade fills the HTML of older rows, HTML of another renderer's
//! version is never used, sites without highlighting render from Markdown, and `quill db copy`
//! carries the HTML along.

use crate::common::{Backend, TestSite, backend_tests, snapshot};

backend_tests! {
    stored_html_builds_the_same_pages_as_markdown,
    an_upgrade_fills_the_html_of_older_rows,
    html_of_another_version_is_never_used,
    without_highlighting_the_markdown_is_rendered,
}

/// The renderer's version this quill stores (`comments::render::HTML_VERSION`).
const HTML_VERSION: i64 = 1;

/// A site with two posts and comments of the kinds a blog gets: code in a language the
/// highlighter knows, links, emphasis, a reply, raw HTML typed by a visitor, non-ASCII text.
fn site(backend: Backend, extra: &str) -> TestSite {
    let site = TestSite::on(backend, extra);
    site.post("rust-tips", "Rust tips", "2024-01-01", "", "Some tips.");
    site.post("notes", "Notes", "2024-01-02", "", "Notes.");
    let lines = [
        (
            "c1",
            "rust-tips",
            "Ada",
            "Try this:\n\n```rust\nfn main() { println!(\"hi\"); }\n```\n",
            None,
        ),
        (
            "c2",
            "rust-tips",
            "Bob",
            "See [the book](https://doc.rust-lang.org/book/) and *the reference*.",
            Some("c1"),
        ),
        (
            "c3",
            "rust-tips",
            "Eve",
            "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
            None,
        ),
        (
            "c4",
            "notes",
            "Zoë",
            "Ünïcode — ✓\n\n> quoted\n\n- one\n- two\n\n```python\nprint('x')\n```",
            None,
        ),
    ];
    let jsonl: String = lines
        .iter()
        .enumerate()
        .map(|(i, (id, post, name, body, parent))| {
            let mut record = serde_json::json!({
                "id": id, "post": post, "username": name, "body": body,
                "email": format!("v{i}@secret-mail.test"),
                "timestamp": format!("2024-02-0{}T10:00:00Z", i + 1),
            });
            if let Some(parent) = parent {
                record["parent"] = (*parent).into();
            }
            format!("{record}\n")
        })
        .collect();
    site.write("in.jsonl", &jsonl);
    site.run(&["ingest", "in.jsonl"]).ok();
    site
}

/// How many comments lack an HTML of this quill's version.
fn without_current_html(site: &TestSite) -> String {
    site.sql_text(&format!(
        "SELECT CAST(COUNT(*) AS TEXT) FROM comments WHERE body_html IS NULL OR html_version <> {HTML_VERSION}"
    ))
}

/// A cold build's every file, with bytes.
fn built(site: &TestSite) -> Vec<(String, Vec<u8>)> {
    site.run(&["build", "--full"]).ok();
    snapshot(&site.path("public"))
}

fn page(site: &TestSite, post: &str) -> String {
    site.read(&format!("public/posts/{post}/index.html"))
}

fn stored_html_builds_the_same_pages_as_markdown(backend: Backend) {
    let site = site(backend, "");
    assert_eq!(without_current_html(&site), "0", "ingest stores the HTML");
    let stored = site.sql_text("SELECT body_html FROM comments WHERE submission_key = 'c1'");
    assert!(
        stored.contains("<span class=\"hl-"),
        "highlighted: {stored}"
    );
    let from_stored = built(&site);
    let html = page(&site, "rust-tips");
    assert!(
        html.contains("<a href=\"https://doc.rust-lang.org/book/\" rel=\"nofollow ugc noopener\">")
            && html.contains("&lt;script&gt;")
            && !html.contains("<script>alert")
            && !html.contains("href=\"javascript"),
        "{html}"
    );

    site.sql("UPDATE comments SET body_html = NULL, html_version = 0")
        .unwrap();
    assert_eq!(without_current_html(&site), "4");
    assert!(
        built(&site) == from_stored,
        "rows without HTML build the same pages, from their Markdown"
    );

    // `quill db upgrade` on a current schema renews what is missing, and the pages stay.
    let run = site.run(&["db", "upgrade"]).ok();
    assert!(
        run.stdout.contains("made the HTML of 4 comments again"),
        "{}",
        run.stdout
    );
    assert_eq!(without_current_html(&site), "0");
    assert!(built(&site) == from_stored);
    let run = site.run(&["db", "upgrade"]).ok();
    assert!(run.stdout.contains("nothing to do"), "{}", run.stdout);

    // A copy carries the HTML as it is.
    site.run(&["db", "copy", "--to", "sqlite://copy.db"]).ok();
    let copied: String = rusqlite::Connection::open(site.path("copy.db"))
        .unwrap()
        .query_row(
            "SELECT body_html FROM comments WHERE submission_key = 'c1' AND html_version = 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(copied, stored);
}

fn an_upgrade_fills_the_html_of_older_rows(backend: Backend) {
    let site = site(backend, "");
    let current = built(&site);
    // Back to the schema before stored HTML: the columns go, the comments stay.
    let run = site.run(&["db", "downgrade", "--to", "7"]).ok();
    assert!(run.stdout.contains("to 7"), "{}", run.stdout);
    site.run(&["build", "--full"]).fails_with(1);
    site.run(&["db", "upgrade"]).ok();
    assert_eq!(without_current_html(&site), "0", "the upgrade filled them");
    assert!(built(&site) == current);

    // The automatic upgrade of a writing command fills them too, beside what it stores.
    site.run(&["db", "downgrade", "--to", "7"]).ok();
    site.write(
        "more.jsonl",
        "{\"id\":\"c9\",\"post\":\"notes\",\"username\":\"Ada\",\"email\":\"ada@secret-mail.test\",\"body\":\"Later, `code`.\",\"timestamp\":\"2024-03-01T00:00:00Z\"}\n",
    );
    let run = site.run(&["ingest", "more.jsonl"]).ok();
    assert!(run.stderr.contains("upgraded"), "{}", run.stderr);
    assert_eq!(without_current_html(&site), "0");
    site.run(&["build", "--full"]).ok();
    assert!(page(&site, "notes").contains("Later, <code>code</code>."));
}

fn html_of_another_version_is_never_used(backend: Backend) {
    let site = site(backend, "");
    // A stored HTML of this version is what the page shows (the Markdown is not rendered
    // again)...
    site.sql(&format!(
        "UPDATE comments SET body_html = '<p>FROM-THE-STORE</p>', html_version = {HTML_VERSION} WHERE submission_key = 'c2'"
    ))
    .unwrap();
    site.run(&["build", "--full"]).ok();
    assert!(page(&site, "rust-tips").contains("FROM-THE-STORE"));
    // ...and one of another version, older or newer, is not.
    for version in [0, HTML_VERSION + 1] {
        site.sql(&format!(
            "UPDATE comments SET body_html = '<p>STALE</p>', html_version = {version} WHERE submission_key = 'c2'"
        ))
        .unwrap();
        site.run(&["build", "--full"]).ok();
        let html = page(&site, "rust-tips");
        assert!(
            !html.contains("STALE") && html.contains("<em>the reference</em>"),
            "version {version}: {html}"
        );
    }
}

fn without_highlighting_the_markdown_is_rendered(backend: Backend) {
    let site = site(backend, "[markdown]\nhighlight = false\n");
    site.sql(&format!(
        "UPDATE comments SET body_html = '<p>FROM-THE-STORE</p>', html_version = {HTML_VERSION} WHERE submission_key = 'c2'"
    ))
    .unwrap();
    site.run(&["build", "--full"]).ok();
    let html = page(&site, "rust-tips");
    assert!(!html.contains("FROM-THE-STORE"), "{html}");
    assert!(
        html.contains("<code class=\"language-rust\">fn main()") && !html.contains("hl-kw"),
        "code shown without highlighting: {html}"
    );
}
