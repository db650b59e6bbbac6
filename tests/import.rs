//! `quill import` on real and hand-written exports of Disqus, WordPress, Staticman and Isso:
//! the exact rows stored, idempotence, threads in the build, inert scripts, unmatched pages in
//! the summary and the rejects file, --dry-run, and clear errors for broken input.

use std::path::Path;

use scraper::{Html, Selector};
use serde_json::Value;

use crate::common::{Backend, TestSite};

crate::common::backend_tests! {
    webmention_io_mentions_import_matched_to_posts_and_twice_stores_nothing_new,
}

/// A site with the posts the fixtures' comments belong to (one of them is gone).
fn site() -> TestSite {
    site_on(Backend::Sqlite)
}

/// [`site`] on a backend's database.
fn site_on(backend: Backend) -> TestSite {
    let site = TestSite::on(backend, "");
    site.post("first-trip", "My first trip", "2019-05-02", "", "x");
    site.post(
        "garden",
        "The garden",
        "2019-06-01",
        "aliases = [\"/p/garden.html\"]\n",
        "x",
    );
    // The two real exports' posts.
    site.post("hello-world", "Hello, World!", "2012-12-12", "", "x");
    site.post("test", "Hello, World…", "2014-01-14", "", "x");
    site
}

/// Copies a fixture (a file or a folder) into the site and returns its relative name.
fn fixture(site: &TestSite, name: &str) -> String {
    let from = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/imports")
        .join(name);
    for entry in walkdir::WalkDir::new(&from) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(&from).unwrap();
            let target = if rel.as_os_str().is_empty() {
                Path::new(name).to_path_buf()
            } else {
                Path::new(name).join(rel)
            };
            site.write(
                target.to_str().unwrap(),
                &std::fs::read_to_string(entry.path()).unwrap(),
            );
        }
    }
    name.to_string()
}

/// The Isso fixture database, built from its SQL.
fn isso_db(site: &TestSite) -> String {
    let sql = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/imports/isso.sql"),
    )
    .unwrap();
    let conn = rusqlite::Connection::open(site.path("isso.db")).unwrap();
    conn.execute_batch(&sql).unwrap();
    "isso.db".to_string()
}

/// One stored comment: key, post, author, status, parent's key, body.
type Row = (String, String, String, String, Option<String>, String);

fn rows(site: &TestSite) -> Vec<Row> {
    let out = site
        .run(&["comments", "list", "--status", "all", "--json"])
        .ok()
        .stdout;
    let list: Vec<Value> = serde_json::from_str(&out).unwrap();
    let key_of = |id: i64| {
        list.iter()
            .find(|c| c["id"] == id)
            .map(|c| c["submission_key"].as_str().unwrap().to_string())
    };
    let mut rows: Vec<(i64, Row)> = list
        .iter()
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap().to_string();
            (
                c["id"].as_i64().unwrap(),
                (
                    s("submission_key"),
                    s("post"),
                    s("username"),
                    s("status"),
                    c["parent_id"].as_i64().and_then(key_of),
                    s("body"),
                ),
            )
        })
        .collect();
    rows.sort_by_key(|(id, _)| *id);
    rows.into_iter().map(|(_, r)| r).collect()
}

fn row(key: &str, post: &str, user: &str, status: &str, parent: Option<&str>, body: &str) -> Row {
    (
        key.into(),
        post.into(),
        user.into(),
        status.into(),
        parent.map(str::to_string),
        body.into(),
    )
}

fn emails(site: &TestSite) -> Vec<(String, String)> {
    let out = site.run(&["users", "list", "--json"]).ok().stdout;
    let users: Vec<Value> = serde_json::from_str(&out).unwrap();
    users
        .iter()
        .map(|u| {
            (
                u["username"].as_str().unwrap().to_string(),
                u["email"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn json_report(site: &TestSite, args: &[&str], code: i32) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let run = site.run(&all).fails_with(code);
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// The authors of a post's thread in page order, with their nesting depth.
fn thread(site: &TestSite, slug: &str) -> Vec<(String, usize)> {
    let html = Html::parse_document(&site.read(&format!("public/posts/{slug}/index.html")));
    let item = Selector::parse("li.comment").unwrap();
    let author = Selector::parse(".comment-author").unwrap();
    html.select(&item)
        .map(|li| {
            let name = li
                .select(&author)
                .next()
                .unwrap()
                .text()
                .collect::<String>();
            let depth = li
                .ancestors()
                .filter(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| e.name() == "li" && e.classes().any(|c| c == "comment"))
                })
                .count();
            (name, depth)
        })
        .collect()
}

/// No script, handler or script URL anywhere in a post's thread.
fn assert_thread_inert(site: &TestSite, slug: &str) {
    let page = site.read(&format!("public/posts/{slug}/index.html"));
    let html = Html::parse_document(&page);
    let threads = Selector::parse("li.comment").unwrap();
    for li in html.select(&threads) {
        for node in li.descendants() {
            if let Some(e) = node.value().as_element() {
                assert_ne!(e.name(), "script", "a script in the thread of {slug}");
                for (name, value) in e.attrs() {
                    assert!(!name.starts_with("on"), "{name}={value} in {slug}");
                    assert!(
                        !value.trim().to_lowercase().starts_with("javascript:"),
                        "{name}={value} in {slug}"
                    );
                }
            }
        }
    }
    assert!(!page.contains("evil.example"), "the script's text leaked");
}

#[test]
fn the_real_disqus_export_imports_as_it_is() {
    let site = site();
    let file = fixture(&site, "isso-disqus.xml");
    let report = json_report(&site, &["import", "disqus", &file], 2);
    assert_eq!(report["read"], 3);
    assert_eq!(report["approved"], 2);
    assert_eq!(report["rejected"], 1);
    assert_eq!(
        report["unmatched"],
        serde_json::json!([{"url": "disqus thread 1337 (not in the export)", "comments": 1}])
    );
    assert_eq!(
        rows(&site),
        [
            row("disqus:4", "hello-world", "peter", "approved", None, "..."),
            row(
                "disqus:5",
                "hello-world",
                "user",
                "approved",
                Some("disqus:4"),
                "Hello, World."
            ),
        ]
    );
    let rejects = site.read("isso-disqus.xml.rejects.jsonl");
    assert!(
        rejects.contains("1337") && rejects.contains("\"line\":66"),
        "{rejects}"
    );
}

#[test]
fn the_real_wordpress_export_imports_as_it_is() {
    let site = site();
    let file = fixture(&site, "isso-wordpress.xml");
    let run = site.run(&["import", "wordpress", &file]).fails_with(2);
    assert!(
        run.stdout.contains("stored 7 comments (7 approved")
            && run.stdout.contains("1 × http://example.tld/?p=4"),
        "{}",
        run.stdout
    );
    let rows = rows(&site);
    let keys: Vec<(&str, Option<&str>)> = rows
        .iter()
        .map(|r| (r.0.as_str(), r.4.as_deref()))
        .collect();
    assert_eq!(
        keys,
        [
            ("wordpress:18/2", None),
            ("wordpress:18/6", None),
            ("wordpress:18/7", Some("wordpress:18/6")),
            ("wordpress:18/8", Some("wordpress:18/7")),
            ("wordpress:18/9", Some("wordpress:18/7")),
            ("wordpress:18/10", None),
            ("wordpress:18/11", None),
        ]
    );
    assert!(rows.iter().all(|r| r.1 == "test"));
    assert_eq!(rows[2].5, "Drölfter!");
    assert_eq!(
        rows[5].5,
        "When you have a comment with multiple lines:\\\nWordPress exports it like this."
    );
    // The GMT date, not the local one; a missing comment_date is no problem.
    let shown = site.run(&["comments", "show", "6"]).ok().stdout;
    assert!(shown.contains("2022-06-06T02:13:14Z"), "{shown}");
    // Emails with trailing newlines are trimmed, and one person stays one user.
    let emails = emails(&site);
    assert!(
        emails.contains(&("Tester".into(), "info@posativ.org".into())),
        "{emails:?}"
    );
    assert_eq!(emails.iter().filter(|(n, _)| n == "Tester").count(), 1);
    // The second item reuses comment id 11: it is its own comment (rejected as unmatched),
    // not mistaken for the first item's.
    let rejects = site.read("isso-wordpress.xml.rejects.jsonl");
    assert!(
        rejects.contains("?p=4") && rejects.contains("\"comment_id\":\"11\""),
        "{rejects}"
    );
}

#[test]
fn disqus_gives_exactly_the_expected_rows_and_twice_stores_nothing_new() {
    let site = site();
    let file = fixture(&site, "disqus.xml");
    let report = json_report(&site, &["import", "disqus", &file], 2);
    assert_eq!(report["skipped"], serde_json::json!({"deleted": 1}));
    assert_eq!(report["spam"], 1);
    assert_eq!(
        report["unmatched"],
        serde_json::json!([{"url": "https://old-blog.example.com/2017/01/a-post-i-deleted/", "comments": 1}])
    );
    let expected = [
        row(
            "disqus:3001",
            "first-trip",
            "Zoë Ålander",
            "approved",
            None,
            "What a trip! Where did you stay in [Bergen](https://en.wikipedia.org/wiki/Bergen)?\n\nSecond paragraph.",
        ),
        row(
            "disqus:3003",
            "first-trip",
            "Blog Author",
            "approved",
            Some("disqus:3001"),
            "Thanks, **Zoë**!",
        ),
        row(
            "disqus:3004",
            "first-trip",
            "Zoë Ålander",
            "approved",
            Some("disqus:3003"),
            "In a hostel by the harbour.",
        ),
        // Its parent was deleted: it starts a thread of its own.
        row(
            "disqus:3006",
            "first-trip",
            "山田太郎",
            "approved",
            None,
            "Replying to a comment that was deleted.",
        ),
        row(
            "disqus:3007",
            "first-trip",
            "Watches",
            "spam",
            None,
            "Cheap [watches](http://spam.example/)",
        ),
        row(
            "disqus:3010",
            "garden",
            "Guest",
            "approved",
            None,
            "Lovely \\& green \\<3",
        ),
        row(
            "disqus:3011",
            "garden",
            "Guest",
            "approved",
            None,
            "> Lovely\n\nAgreed, *very* green. Try `rm -rf weeds/`:\n\n- water\n- sun",
        ),
    ];
    assert_eq!(rows(&site), expected);
    // The anonymous Guest has no email: one placeholder user, never a real-looking address.
    let guests: Vec<String> = emails(&site)
        .into_iter()
        .filter(|(n, _)| n == "Guest")
        .map(|(_, e)| e)
        .collect();
    assert_eq!(guests.len(), 1, "{guests:?}");
    assert!(guests[0].ends_with("@disqus.invalid"), "{guests:?}");

    let again = json_report(&site, &["import", "disqus", &file], 2);
    assert_eq!(again["already_stored"], 7);
    assert_eq!(
        again["approved"].as_u64().unwrap() + again["spam"].as_u64().unwrap(),
        0
    );
    assert_eq!(rows(&site), expected);

    // The author adds the old path as an alias and runs the import again: only that comment
    // is new, and nothing is rejected any more.
    site.post(
        "renamed",
        "Renamed",
        "2017-01-01",
        "aliases = [\"/2017/01/a-post-i-deleted/\"]\n",
        "x",
    );
    let fixed = json_report(&site, &["import", "disqus", &file], 0);
    assert_eq!(fixed["approved"], 1);
    assert_eq!(fixed["already_stored"], 7);
    assert_eq!(fixed["unmatched"], serde_json::json!([]));
}

#[test]
fn the_build_shows_imported_threads_in_order_and_scripts_inert() {
    let site = site();
    let file = fixture(&site, "disqus.xml");
    site.run(&["import", "disqus", &file]).fails_with(2);
    site.run(&["build"]).ok();
    assert_eq!(
        thread(&site, "first-trip"),
        [
            ("Zoë Ålander".to_string(), 0),
            ("Blog Author".to_string(), 1),
            ("Zoë Ålander".to_string(), 2),
            ("山田太郎".to_string(), 0),
        ]
    );
    assert_thread_inert(&site, "first-trip");
    let page = site.read("public/posts/first-trip/index.html");
    assert!(!page.contains("zoe@example.org") && !page.contains(".invalid"));
    let garden = site.read("public/posts/garden/index.html");
    assert!(garden.contains("<blockquote>") && garden.contains("<code>rm -rf weeds/</code>"));
    assert!(garden.contains("Lovely &amp; green &lt;3"), "{garden}");
}

#[test]
fn wordpress_statuses_pingbacks_dates_and_reused_ids() {
    let site = site();
    let file = fixture(&site, "wordpress.xml");
    let report = json_report(&site, &["import", "wordpress", &file], 2);
    assert_eq!(
        report["skipped"],
        serde_json::json!({"pingback": 1, "trash": 1})
    );
    let stored = rows(&site);
    let summary: Vec<(&str, &str, &str, Option<&str>)> = stored
        .iter()
        .map(|r| (r.0.as_str(), r.1.as_str(), r.3.as_str(), r.4.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("wordpress:41/101", "first-trip", "approved", None),
            (
                "wordpress:41/102",
                "first-trip",
                "approved",
                Some("wordpress:41/101")
            ),
            (
                "wordpress:41/103",
                "first-trip",
                "approved",
                Some("wordpress:41/102")
            ),
            ("wordpress:41/104", "first-trip", "pending", None),
            ("wordpress:41/105", "first-trip", "spam", None),
            // `?p=57` falls back to the item's post_name; its comment id repeats 101.
            ("wordpress:57/101", "garden", "approved", None),
        ]
    );
    assert_eq!(
        stored[0].5,
        "What a trip!\n\nWhere did you stay in [Bergen](https://en.wikipedia.org/wiki/Bergen)?\\\nI'd love to *go*."
    );
    assert_eq!(stored[1].5, "In a hostel.");
    // comment_date_gmt of 0000-00-00: the local comment_date, read as UTC.
    let shown = site.run(&["comments", "show", "6"]).ok().stdout;
    assert!(shown.contains("2019-06-02T11:00:00Z"), "{shown}");
    // A comment with no date at all is rejected with a reason, as is the deleted post's.
    let rejects = site.read("wordpress.xml.rejects.jsonl");
    assert!(rejects.contains("missing wp:comment_date_gmt"), "{rejects}");
    assert!(rejects.contains("a-post-i-deleted"), "{rejects}");
    assert_eq!(rejects.lines().count(), 2);
    // An implausible and a missing email get placeholders.
    let emails = emails(&site);
    assert!(emails.contains(&("Zoë Ålander".into(), "zoe@example.org".into())));
    for name in ["Guest", "山田太郎"] {
        let (_, email) = emails.iter().find(|(n, _)| n == name).unwrap();
        assert!(email.ends_with("@wordpress.invalid"), "{name}: {email}");
    }

    let pingbacks = TestSite::new();
    pingbacks.post("first-trip", "My first trip", "2019-05-02", "", "x");
    let file = fixture(&pingbacks, "wordpress.xml");
    let report = json_report(
        &pingbacks,
        &[
            "import",
            "wordpress",
            &file,
            "--with-pingbacks",
            "--rejects",
            "r.jsonl",
        ],
        2,
    );
    assert_eq!(report["skipped"], serde_json::json!({"trash": 1}));
    let with = rows(&pingbacks);
    let ping = with.iter().find(|r| r.0 == "wordpress:41/107").unwrap();
    assert_eq!(ping.5, "\\[…\\] a lovely trip report \\[…\\]");
    assert!(pingbacks.exists("r.jsonl") && !pingbacks.exists("wordpress.xml.rejects.jsonl"));
}

#[test]
fn staticman_folders_hashed_emails_and_parents() {
    let site = site();
    let dir = fixture(&site, "staticman");
    let report = json_report(&site, &["import", "staticman", &dir], 2);
    assert_eq!(report["read"], 6);
    assert_eq!(
        report["unmatched"],
        serde_json::json!([{"url": "a-post-i-deleted", "comments": 1}])
    );
    let stored = rows(&site);
    let summary: Vec<(&str, &str, &str, Option<&str>)> = stored
        .iter()
        .map(|r| (r.1.as_str(), r.2.as_str(), r.5.as_str(), r.4.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "first-trip",
                "Zoë Ålander",
                "What a trip! Where did you stay in [Bergen](https://en.wikipedia.org/wiki/Bergen)?\n\nSecond paragraph.",
                None
            ),
            (
                "first-trip",
                "Blog Author",
                "In a hostel  by the harbour.",
                Some("staticman:5c1a7e40-6cb8-11e9-9d2b-0b7b4b0a1c01")
            ),
            (
                "first-trip",
                "山田太郎",
                "*Thanks* for the tip.",
                Some("staticman:6a2b8f50-6cbe-11e9-9d2b-0b7b4b0a1c02")
            ),
            // No date field: the time in the file name.
            ("garden", "Guest", "Lovely & green <3", None),
            // replying_to: "1", the first comment of the post.
            (
                "garden",
                "Guest",
                "Me again.",
                Some("staticman:8c4da172-84f2-11e9-9d2b-0b7b4b0a1c04")
            ),
        ]
    );
    let shown = site.run(&["comments", "show", "4"]).ok().stdout;
    assert!(shown.contains("2019-06-02T11:00:00Z"), "{shown}");
    let emails = emails(&site);
    assert!(
        emails.contains(&(
            "Zoë Ålander".into(),
            "7d3bd5d1a2b9e3f2c6a1b4c5d6e7f809@staticman.invalid".into()
        )),
        "{emails:?}"
    );
    assert!(site.exists("staticman.rejects.jsonl"));
    site.run(&["build"]).ok();
    assert_thread_inert(&site, "first-trip");
    let again = json_report(&site, &["import", "staticman", &dir], 2);
    assert_eq!(again["already_stored"], 5);
}

#[test]
fn isso_modes_deleted_parents_and_a_read_only_database() {
    let site = site();
    let db = isso_db(&site);
    let before = std::fs::read(site.path(&db)).unwrap();
    let report = json_report(&site, &["import", "isso", &db], 2);
    assert_eq!(report["skipped"], serde_json::json!({"deleted": 1}));
    assert_eq!(report["pending"], 1);
    assert_eq!(
        rows(&site),
        [
            row(
                "isso:1",
                "first-trip",
                "Zoë Ålander",
                "approved",
                None,
                "What a trip! Where did you stay in [Bergen](https://en.wikipedia.org/wiki/Bergen)?\n\nSecond paragraph."
            ),
            row(
                "isso:2",
                "first-trip",
                "Blog Author",
                "approved",
                Some("isso:1"),
                "In a hostel by the *harbour*."
            ),
            // Its parent (3) was deleted in Isso: it replies to the one above that instead.
            row(
                "isso:4",
                "first-trip",
                "山田太郎",
                "approved",
                Some("isso:1"),
                "Replying to a comment that was deleted."
            ),
            row(
                "isso:5",
                "garden",
                "Guest",
                "pending",
                None,
                "Waiting for moderation."
            ),
        ]
    );
    assert_eq!(
        std::fs::read(site.path(&db)).unwrap(),
        before,
        "Isso's file changed"
    );
    let again = json_report(&site, &["import", "isso", &db], 2);
    assert_eq!(again["already_stored"], 4);
    site.run(&["build"]).ok();
    assert_thread_inert(&site, "first-trip");
}

#[test]
fn dry_run_stores_nothing_and_writes_no_rejects() {
    let site = site();
    let file = fixture(&site, "disqus.xml");
    let run = site
        .run(&["import", "disqus", &file, "--dry-run"])
        .fails_with(2);
    assert!(
        run.stdout.contains("would store 7 comments")
            && run
                .stdout
                .contains("https://old-blog.example.com/2017/01/a-post-i-deleted/"),
        "{}",
        run.stdout
    );
    assert!(!site.exists("comments.db"));
    assert!(!site.exists("disqus.xml.rejects.jsonl"));
    let strict = site
        .run(&["import", "disqus", &file, "--strict"])
        .fails_with(2);
    assert!(
        strict.stdout.contains("stored nothing (--strict)"),
        "{}",
        strict.stdout
    );
    assert_eq!(rows(&site), []);
}

#[test]
fn broken_input_is_a_clear_error_that_stores_nothing() {
    let site = site();
    site.write(
        "broken.xml",
        "<?xml version=\"1.0\"?>\n<disqus>\n  <post dsq:id=\"1\">\n    <message>hi</mesage>\n  </post>\n</disqus>\n",
    );
    let run = site.run(&["import", "disqus", "broken.xml"]).fails_with(1);
    assert!(
        run.stderr.contains("broken.xml:4:") && run.stderr.contains("malformed XML"),
        "{}",
        run.stderr
    );
    let wp = fixture(&site, "isso-wordpress.xml");
    let run = site.run(&["import", "disqus", &wp]).fails_with(1);
    assert!(run.stderr.contains("not a Disqus export"), "{}", run.stderr);
    let run = site
        .run(&["import", "wordpress", "missing.xml"])
        .fails_with(1);
    assert!(run.stderr.contains("missing.xml"), "{}", run.stderr);
    let run = site.run(&["import", "isso", &wp]).fails_with(1);
    assert!(run.stderr.contains("isso-wordpress.xml"), "{}", run.stderr);
    let run = site.run(&["import", "staticman", &wp]).fails_with(1);
    assert!(run.stderr.contains("not a folder"), "{}", run.stderr);
    // A broken file in a Staticman folder is one rejected comment, named with its file.
    site.write("sm/_data/comments/garden/bad.yml", "name: [unclosed\n");
    site.write(
        "sm/_data/comments/garden/good.yml",
        "_id: g1\nname: Ok\nmessage: Fine.\ndate: 1559473200\n",
    );
    let run = site.run(&["import", "staticman", "sm"]).fails_with(2);
    assert!(run.stdout.contains("stored 1 comment "), "{}", run.stdout);
    let rejects = site.read("sm.rejects.jsonl");
    assert!(
        rejects.contains("bad.yml") && rejects.contains("not valid YAML"),
        "{rejects}"
    );
    assert!(!site.exists("comments.db.bak-v1"));
}

#[test]
fn every_xss_payload_in_an_imported_html_body_comes_out_inert() {
    let site = site();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut xml = String::from(
        "<?xml version=\"1.0\"?>\n<disqus xmlns:dsq=\"http://disqus.com/disqus-internals\">\n<thread dsq:id=\"1\"><link>https://old.example/2019/05/first-trip/</link></thread>\n",
    );
    for (i, payload) in crate::common::xss_payloads().iter().enumerate() {
        // Payloads go in as the HTML of a message and, now and then, as the author's name.
        let name = if i % 40 == 0 {
            crate::common::as_username(payload)
        } else {
            format!("Visitor {i}")
        };
        // XML 1.0 cannot carry most control characters at all.
        let clean = |s: &str| -> String {
            s.chars()
                .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
                .collect()
        };
        xml.push_str(&format!(
            "<post dsq:id=\"p{i}\"><message>{}</message><createdAt>2019-05-02T08:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>{}</name><email>v{i}@example.org</email></author><thread dsq:id=\"1\"/></post>\n",
            escape(&clean(payload)),
            escape(&clean(&name)),
        ));
    }
    xml.push_str("</disqus>\n");
    site.write("xss.xml", &xml);
    let report = json_report(&site, &["import", "disqus", "xss.xml"], 2);
    // Payloads that are nothing but a script or markup leave no text: those are rejected,
    // and for no other reason.
    let reasons = report["reasons"].as_object().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(
        reasons.keys().all(|k| k.contains("nothing left")),
        "{reasons:?}"
    );
    let stored = rows(&site).len();
    assert!(stored > 3000, "only {stored} payloads were stored");
    // An import stores each comment's HTML as ingest does, and the page is built from it.
    assert_eq!(
        site.sql_text(
            "SELECT CAST(COUNT(*) AS TEXT) FROM comments WHERE body_html IS NULL OR html_version <> 1"
        ),
        "0"
    );
    site.run(&["build"]).ok();
    assert_thread_inert(&site, "first-trip");
    let page = site.read("public/posts/first-trip/index.html");
    let html = Html::parse_document(&page);
    let links = Selector::parse("li.comment [href], li.comment [src]").unwrap();
    for e in html.select(&links) {
        for attr in ["href", "src"] {
            if let Some(url) = e.value().attr(attr) {
                let url = url.trim().to_lowercase();
                assert!(
                    url.starts_with("http://")
                        || url.starts_with("https://")
                        || url.starts_with("mailto:")
                        || url.starts_with('#'),
                    "{attr}={url}"
                );
            }
        }
    }
}

fn webmention_io_mentions_import_matched_to_posts_and_twice_stores_nothing_new(backend: Backend) {
    let site = site_on(backend);
    let file = fixture(&site, "webmention-io.jf2.json");
    let report = json_report(&site, &["import", "webmention-io", &file], 2);
    assert_eq!(report["read"], 5);
    assert_eq!(report["approved"], 3, "{report}");
    assert_eq!(report["rejected"], 1, "the mention of a page that is gone");
    assert_eq!(report["skipped"]["private"], 1);
    assert_eq!(
        report["unmatched"][0]["url"],
        "https://old-blog.example/2019/06/a-post-that-is-gone.html"
    );
    let listed = |site: &TestSite| -> Vec<Value> {
        let out = site
            .run(&["comments", "list", "--kind", "mention", "--json"])
            .ok()
            .stdout;
        serde_json::from_str(&out).unwrap()
    };
    let mentions = listed(&site);
    let kinds: Vec<(&str, &str, &str)> = mentions
        .iter()
        .map(|m| {
            (
                m["mention"]["kind"].as_str().unwrap(),
                m["username"].as_str().unwrap(),
                m["timestamp"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("reply", "Bea Ortiz", "2019-05-03T07:12:00Z"),
            ("like", "Cy", "2019-05-04T10:00:02Z"),
            (
                "repost",
                "<img src=x onerror=alert(1)>",
                "2019-05-05T00:00:00Z"
            ),
        ]
    );
    assert_eq!(mentions[0]["body"], "Lovely trip! We went there in 2018.");
    assert_eq!(
        mentions[0]["submission_key"],
        "webmention https://bea.example/notes/2019/05/03/1 first-trip",
        "the live endpoint's key, so a mention sent again is the same one"
    );
    let again = json_report(&site, &["import", "webmention-io", &file], 2);
    assert_eq!(again["already_stored"], 3, "{again}");
    assert_eq!(listed(&site).len(), 3);

    site.run(&["build"]).ok();
    let page = site.read("public/posts/first-trip/index.html");
    let html = Html::parse_document(&page);
    let section = html
        .select(&Selector::parse("section.comments").unwrap())
        .next()
        .expect("the thread is shown");
    crate::comments_site::assert_inert(section, "imported mentions");
    let text: String = section.text().collect();
    assert!(
        text.contains("1 like: Cy") && text.contains("Lovely trip!"),
        "{text}"
    );
    assert!(
        !page.contains("webmention.io/avatar"),
        "no pictures without avatars"
    );
    assert!(
        page.contains("1 comment"),
        "the reply is counted with the thread it is in, the like and repost are not"
    );
}

/// Staticman data as the most common Jekyll theme stores it (`_parent` is the post's URL, the
/// reply is `replying_to`), as another common form does (`replyto: <file name>`), in folders
/// named after the old file names, with an autolink in a message.
#[test]
fn staticman_as_real_themes_store_it_is_threaded() {
    let site = TestSite::new();
    site.post(
        "365-days-of-drawing",
        "365 days of drawing",
        "2017-01-01",
        "",
        "x",
    );
    site.post(
        "using-matlab-class-methods",
        "MATLAB classes",
        "2017-02-01",
        "",
        "x",
    );
    let theme = "_data/comments/365-days-of-drawing";
    site.write(
        &format!("{theme}/comment-1500000000000.yml"),
        "_id: aaa\n_parent: /articles/365-days-of-drawing/\nname: Ann\nemail: 0cc175b9c0f1b6a831c399e269772661\nmessage: \"Lovely! Mine are at <https://ann.example.org/drawings>\"\ndate: 1500000000\nurl: https://ann.example.org\n",
    );
    site.write(
        &format!("{theme}/comment-1500000100000.yml"),
        "_id: bbb\n_parent: /articles/365-days-of-drawing/\nreplying_to: \"1\"\nname: Author\nemail: 92eb5ffee6ae2fec3ad71c777531578f\nmessage: Thank you, Ann.\ndate: 1500000100\n",
    );
    site.write(
        &format!("{theme}/comment-1500000200000.yml"),
        "_id: ccc\n_parent: /articles/365-days-of-drawing/\nreplying_to: bbb\nname: Ann\nemail: 0cc175b9c0f1b6a831c399e269772661\nmessage: You're welcome.\ndate: 1500000200\n",
    );
    let form = "_data/comments/using_matlab_class_methods";
    site.write(
        &format!("{form}/entry1490018622000.yml"),
        "name: Bo\nemail: bo@example.org\nmessage: \"- <https://bo.example.org/notes>\"\ndate: 1490018622\n",
    );
    site.write(
        &format!("{form}/entry1490018722000.yml"),
        "name: Cy\nemail: cy@example.org\nreplyto: entry1490018622000\nmessage: Good list.\ndate: 1490018722\n",
    );
    site.write(
        "_data/comments/gone/entry1490000000000.yml",
        "name: Di\nemail: di@example.org\nmessage: On a post that is gone.\ndate: 1490000000\nurl: https://di.example.org\n",
    );
    let report = json_report(&site, &["import", "staticman", "_data/comments"], 2);
    assert_eq!(report["approved"], 5, "{report}");
    let stored = rows(&site);
    let by_key = |k: &str| {
        stored
            .iter()
            .find(|r| r.0 == k)
            .unwrap_or_else(|| panic!("{k}: {stored:?}"))
    };
    assert_eq!(
        by_key("staticman:aaa").4,
        None,
        "_parent is the post, not a comment"
    );
    assert_eq!(by_key("staticman:bbb").4.as_deref(), Some("staticman:aaa"));
    assert_eq!(by_key("staticman:ccc").4.as_deref(), Some("staticman:bbb"));
    let cy = stored.iter().find(|r| r.5 == "Good list.").unwrap();
    assert_eq!(
        cy.1, "using-matlab-class-methods",
        "the folder matches its slugified post"
    );
    assert_eq!(
        cy.4.as_deref(),
        Some("staticman:using_matlab_class_methods/entry1490018622000")
    );
    site.run(&["build"]).ok();
    let page = site.read("public/posts/using-matlab-class-methods/index.html");
    assert!(
        page.contains("<li><a href=\"https://bo.example.org/notes\""),
        "the autolink is a link, and its list item is not empty"
    );
    let drawing = site.read("public/posts/365-days-of-drawing/index.html");
    assert!(drawing.contains("<a href=\"https://ann.example.org/drawings\""));
    // The rejected record is written exactly as it was, the commenter's url included.
    let rejects = site.read("_data/comments.rejects.jsonl");
    assert!(
        rejects.contains("\"url\":\"https://di.example.org\""),
        "{rejects}"
    );
}
