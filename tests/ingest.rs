//! `quill ingest` on real files: formats, post addressing, replies, idempotence, --strict,
//! --dry-run, rejects, limits, spam rules, and all-or-nothing storage, on each backend.

use crate::common::{Backend, TestSite, backend_tests};

backend_tests! {
    netlify_csv_with_honeypot,
    formspree_csv_with_a_url_and_a_multiline_message,
    json_array_with_unix_seconds_and_a_bad_record,
    post_as_slug_path_url_and_alias,
    replies_by_id_key_and_anchor_on_the_same_post_only,
    re_ingest_stores_nothing_new_and_a_returning_visitor_is_one_user,
    a_malformed_line_in_the_middle_does_not_stop_the_rest,
    strict_stores_nothing_when_one_record_is_bad,
    dry_run_writes_nothing,
    rejects_go_where_asked_and_stdin_works,
    body_of_exactly_the_limit_and_one_over,
    spam_rules_and_manual_moderation,
    a_failure_mid_run_leaves_the_database_as_it_was,
    two_ingests_at_once_store_every_submission_exactly_once,
    a_build_during_an_ingest_sees_all_or_nothing_of_it,
    comments_fields_maps_other_column_names,
    a_long_file_keeps_its_order_its_replies_and_its_reasons,
}

fn site(backend: Backend, extra_config: &str) -> TestSite {
    let site = TestSite::on(backend, extra_config);
    site.post("first", "First", "2024-01-01", "", "x");
    site.post("second", "Second", "2024-01-02", "", "x");
    site.post("closed", "Closed", "2024-01-03", "comments = false\n", "x");
    site.post("draft", "Draft", "2024-01-04", "draft = true\n", "x");
    site
}

fn fixture(site: &TestSite, name: &str) -> String {
    let text = std::fs::read_to_string(format!(
        "{}/tests/fixtures/ingest/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    site.write(name, &text);
    name.to_string()
}

fn line(fields: &[(&str, &str)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), (*v).into()))
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn good(id: &str, post: &str, body: &str) -> String {
    line(&[
        ("id", id),
        ("post", post),
        ("username", "Ada"),
        ("email", "ada@example.org"),
        ("body", body),
        ("timestamp", "2024-02-01T10:00:00Z"),
    ])
}

fn count(site: &TestSite, status: &str) -> usize {
    let out = site
        .run(&["comments", "list", "--status", status, "--json"])
        .ok()
        .stdout;
    serde_json::from_str::<serde_json::Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .len()
}

fn db_rows(site: &TestSite) -> Vec<(i64, String, String)> {
    site.comment_rows()
}

fn netlify_csv_with_honeypot(backend: Backend) {
    let site = site(backend, "");
    let file = fixture(&site, "netlify.csv");
    let run = site.run(&["ingest", &file]).ok();
    assert!(
        run.stdout
            .contains("stored 2 comments (1 approved, 0 pending, 1 spam)"),
        "{}",
        run.stdout
    );
}

fn formspree_csv_with_a_url_and_a_multiline_message(backend: Backend) {
    let site = site(backend, "");
    let file = fixture(&site, "formspree.csv");
    site.run(&["ingest", &file]).ok();
    let rows = db_rows(&site);
    assert_eq!(
        rows,
        [(
            1,
            "second".to_string(),
            "Nice one.\nTwo lines, even.".to_string()
        )]
    );
}

fn json_array_with_unix_seconds_and_a_bad_record(backend: Backend) {
    let site = site(backend, "");
    let file = fixture(&site, "array.json");
    let run = site.run(&["ingest", &file]).fails_with(2);
    assert!(
        run.stdout.contains("stored 1 comment ") && run.stdout.contains("1 rejected"),
        "{}",
        run.stdout
    );
    let rejects = site.read("array.json.rejects.jsonl");
    assert!(
        rejects.contains("\"record\":2") && rejects.contains("missing username"),
        "{rejects}"
    );
    let json = site.run(&["comments", "show", "1"]).ok().stdout;
    assert!(
        json.contains("2024-02-01T10:00:00Z"),
        "Unix seconds are read as UTC: {json}"
    );
}

fn post_as_slug_path_url_and_alias(backend: Backend) {
    let site = site(backend, "");
    site.post(
        "moved",
        "Moved",
        "2024-01-05",
        "aliases = [\"/old/moved.html\"]\n",
        "x",
    );
    let lines = [
        good("a", "first", "slug"),
        good("b", "/posts/first/", "path"),
        good(
            "c",
            "https://example.org/posts/second/?utm=1#comments",
            "url",
        ),
        good("d", "/old/moved.html", "alias"),
        good("e", "closed", "closed"),
        good("f", "draft", "draft"),
        good("g", "https://elsewhere.example/posts/first/", "other site"),
    ];
    site.write("in.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "in.jsonl"]).fails_with(2);
    assert!(
        run.stdout.contains("stored 4 comments") && run.stdout.contains("3 rejected"),
        "{}",
        run.stdout
    );
    let posts: Vec<String> = db_rows(&site).into_iter().map(|(_, p, _)| p).collect();
    assert_eq!(posts, ["first", "first", "second", "moved"]);
    let rejects = site.read("in.jsonl.rejects.jsonl");
    assert!(
        rejects.contains("comments are closed on \\\"closed\\\""),
        "{rejects}"
    );
    assert!(rejects.contains("no published post matches \\\"draft\\\""));
}

fn replies_by_id_key_and_anchor_on_the_same_post_only(backend: Backend) {
    let site = site(backend, "");
    site.write("one.jsonl", &(good("root", "first", "root") + "\n"));
    site.run(&["ingest", "one.jsonl"]).ok();
    let lines = [
        line(&[
            ("post", "first"),
            ("name", "Bob"),
            ("email", "b@example.org"),
            ("message", "by id"),
            ("parent", "1"),
        ]),
        line(&[
            ("post", "first"),
            ("name", "Bob"),
            ("email", "b@example.org"),
            ("message", "by anchor"),
            ("reply_to", "comment-1"),
        ]),
        line(&[
            ("post", "first"),
            ("name", "Bob"),
            ("email", "b@example.org"),
            ("message", "by key"),
            ("parent_id", "root"),
        ]),
        line(&[
            ("post", "second"),
            ("name", "Bob"),
            ("email", "b@example.org"),
            ("message", "wrong post"),
            ("parent", "1"),
        ]),
        line(&[
            ("post", "first"),
            ("name", "Bob"),
            ("email", "b@example.org"),
            ("message", "no parent"),
            ("parent", "404"),
        ]),
    ];
    site.write("replies.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "replies.jsonl"]).fails_with(2);
    assert!(run.stdout.contains("stored 3 comments"), "{}", run.stdout);
    let rejects = site.read("replies.jsonl.rejects.jsonl");
    assert!(
        rejects.contains("is on another post")
            && rejects.contains("parent comment \\\"404\\\" does not exist"),
        "{rejects}"
    );
    let listed = site.run(&["comments", "list", "--json"]).ok().stdout;
    let parents: Vec<serde_json::Value> = serde_json::from_str::<serde_json::Value>(&listed)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["parent_id"].clone())
        .collect();
    assert_eq!(
        parents,
        [serde_json::Value::Null, 1.into(), 1.into(), 1.into()]
    );
}

fn re_ingest_stores_nothing_new_and_a_returning_visitor_is_one_user(backend: Backend) {
    let site = site(backend, "");
    let lines = [
        good("", "first", "no id, no timestamp")
            .replace("\"id\":\"\",", "")
            .replace(",\"timestamp\":\"2024-02-01T10:00:00Z\"", ""),
        line(&[
            ("post", "second"),
            ("username", "Ada"),
            ("email", "ADA@Example.org"),
            ("body", "again"),
        ]),
    ];
    site.write("in.jsonl", &(lines.join("\n") + "\n"));
    site.run(&["ingest", "in.jsonl"]).ok();
    let run = site.run(&["ingest", "in.jsonl"]).ok();
    assert!(
        run.stdout.contains("stored 0 comments") && run.stdout.contains("2 already stored"),
        "{}",
        run.stdout
    );
    assert_eq!(db_rows(&site).len(), 2);
    let users = site.run(&["users", "list", "--json"]).ok().stdout;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&users)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

fn a_malformed_line_in_the_middle_does_not_stop_the_rest(backend: Backend) {
    let site = site(backend, "");
    std::fs::write(
        site.path("in.jsonl"),
        [
            good("a", "first", "one").as_bytes(),
            b"\n{\"post\": broken\n\xff\xfe not utf-8\n",
            good("b", "first", "two").as_bytes(),
            b"\n",
        ]
        .concat(),
    )
    .unwrap();
    let before = std::fs::read(site.path("in.jsonl")).unwrap();
    let run = site.run(&["ingest", "in.jsonl"]).fails_with(2);
    assert!(
        run.stdout.contains("stored 2 comments") && run.stdout.contains("2 rejected"),
        "{}",
        run.stdout
    );
    let rejects: Vec<serde_json::Value> = site
        .read("in.jsonl.rejects.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejects[0]["line"], 2);
    assert_eq!(rejects[0]["raw"], "{\"post\": broken");
    assert!(
        rejects[0]["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("not JSON")
    );
    assert_eq!(rejects[1]["line"], 3);
    assert_eq!(rejects[1]["reasons"][0], "not valid UTF-8");
    assert_eq!(rejects[1]["raw_hex"], "fffe206e6f74207574662d380a");
    assert_eq!(
        std::fs::read(site.path("in.jsonl")).unwrap(),
        before,
        "the input is never modified"
    );
}

fn strict_stores_nothing_when_one_record_is_bad(backend: Backend) {
    let site = site(backend, "");
    site.write(
        "in.jsonl",
        &format!(
            "{}\n{}\n",
            good("a", "first", "fine"),
            good("b", "nowhere", "bad")
        ),
    );
    let run = site.run(&["ingest", "--strict", "in.jsonl"]).fails_with(2);
    assert!(
        run.stdout.contains("stored nothing (--strict)"),
        "{}",
        run.stdout
    );
    assert!(db_rows(&site).is_empty());
    assert!(
        site.exists("in.jsonl.rejects.jsonl"),
        "the reasons are still written"
    );
}

fn dry_run_writes_nothing(backend: Backend) {
    let site = site(backend, "");
    site.write(
        "in.jsonl",
        &format!(
            "{}\n{}\n",
            good("a", "first", "fine"),
            good("b", "nowhere", "bad")
        ),
    );
    let run = site.run(&["ingest", "--dry-run", "in.jsonl"]).fails_with(2);
    assert!(
        run.stdout.contains("would store 1 comment"),
        "{}",
        run.stdout
    );
    assert!(!site.database_exists());
    assert!(!site.exists("in.jsonl.rejects.jsonl"));
    site.run(&["ingest", "in.jsonl"]).fails_with(2);
    let run = site
        .run(&["ingest", "--dry-run", "--json", "in.jsonl"])
        .fails_with(2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["already_stored"], 1);
    assert_eq!(db_rows(&site).len(), 1);
}

fn rejects_go_where_asked_and_stdin_works(backend: Backend) {
    let site = site(backend, "");
    let input = format!(
        "{}\n{}\n",
        good("a", "first", "fine"),
        good("b", "first", "")
    );
    let mut child = site
        .command()
        .args(["ingest", "-", "--rejects", "bad.jsonl", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["approved"], 1);
    assert_eq!(
        report["reasons"]["missing body (or comment, message, text, content)"],
        1
    );
    let bad = site.read("bad.jsonl");
    assert!(
        bad.contains("\"source\":\"stdin\"") && bad.contains("\"line\":2"),
        "{bad}"
    );
}

fn body_of_exactly_the_limit_and_one_over(backend: Backend) {
    let site = site(backend, "[comments]\nmax_body = 10\n");
    site.write(
        "in.jsonl",
        &format!(
            "{}\n{}\n",
            good("a", "first", &"é".repeat(10)),
            good("b", "first", &"é".repeat(11))
        ),
    );
    site.run(&["ingest", "in.jsonl"]).fails_with(2);
    assert_eq!(db_rows(&site).len(), 1);
    assert!(
        site.read("in.jsonl.rejects.jsonl")
            .contains("body is 11 characters long; at most 10")
    );
}

fn spam_rules_and_manual_moderation(backend: Backend) {
    let site = site(
        backend,
        "[comments]\nblocklist = [\"casino\"]\nmax_links = 1\n",
    );
    let lines = [
        good("a", "first", "plain"),
        good("b", "first", "visit my CASINO"),
        good("c", "first", "see https://a.example and https://b.example"),
        line(&[
            ("id", "d"),
            ("post", "first"),
            ("username", "Bot"),
            ("email", "bot@example.org"),
            ("body", "hi"),
            ("website", "http://spam"),
        ]),
        line(&[
            ("id", "e"),
            ("post", "first"),
            ("username", "Eve"),
            ("email", "eve@example.org"),
            ("body", "approve me"),
            ("status", "approved"),
            ("website", "x"),
        ]),
    ];
    site.write("in.jsonl", &(lines.join("\n") + "\n"));
    site.run(&["ingest", "in.jsonl"]).ok();
    assert_eq!(
        (
            count(&site, "approved"),
            count(&site, "pending"),
            count(&site, "spam")
        ),
        (1, 1, 3),
        "a visitor's status field is ignored"
    );
    let manual = self::site(backend, "[comments]\nmoderation = \"manual\"\n");
    manual.write("in.jsonl", &(good("a", "first", "plain") + "\n"));
    manual.run(&["ingest", "in.jsonl"]).ok();
    assert_eq!(count(&manual, "pending"), 1);
}

fn a_failure_mid_run_leaves_the_database_as_it_was(backend: Backend) {
    let site = site(backend, "");
    site.write("first.jsonl", &(good("a", "first", "before") + "\n"));
    site.run(&["ingest", "first.jsonl"]).ok();
    let before = db_rows(&site);
    // A real failure from the database in the middle of a run, not a rule a row breaks (that
    // rejects the row only): a trigger fails on one row with an error.
    site.sql(match backend {
        Backend::Sqlite => "CREATE TRIGGER boom BEFORE INSERT ON comments WHEN NEW.body = 'boom' BEGIN SELECT abs(-9223372036854775807 - 1); END;",
        Backend::Postgres(_) => "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.body = 'boom' THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
            CREATE TRIGGER boom BEFORE INSERT ON comments FOR EACH ROW EXECUTE FUNCTION boom();",
    })
    .unwrap();
    let lines = [
        good("b", "first", "ok 1"),
        good("c", "first", "ok 2"),
        good("d", "first", "boom"),
        good("e", "first", "ok 3"),
    ];
    site.write("run.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "run.jsonl"]).fails_with(1);
    let cause = match backend {
        Backend::Sqlite => "integer overflow",
        Backend::Postgres(_) => "injected failure",
    };
    assert!(run.stderr.contains(cause), "{}", run.stderr);
    assert!(
        !run.stderr.contains("failed to read"),
        "a failure to store is not one to read: {}",
        run.stderr
    );
    assert_eq!(db_rows(&site), before, "all or nothing");
}

#[test]
fn help_documents_the_exit_codes() {
    let site = TestSite::new();
    let help = site.run(&["ingest", "--help"]).ok().stdout;
    assert!(
        help.contains("Exit codes:") && help.contains("2  some records were rejected"),
        "{help}"
    );
}

fn spawn(site: &TestSite, args: &[&str]) -> std::process::Child {
    site.command()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

fn two_ingests_at_once_store_every_submission_exactly_once(backend: Backend) {
    let site = site(backend, "");
    let lines: Vec<String> = (0..3000)
        .map(|i| good(&format!("k{i}"), "first", &format!("comment {i}")))
        .collect();
    site.write("a.jsonl", &(lines[..2000].join("\n") + "\n"));
    site.write("b.jsonl", &(lines[1000..].join("\n") + "\n"));
    // Create the database first, so both runs start from the same schema.
    site.write("none.jsonl", "");
    site.run(&["ingest", "none.jsonl"]).ok();
    let a = spawn(&site, &["ingest", "a.jsonl"]);
    let b = spawn(&site, &["ingest", "b.jsonl"]);
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rows = db_rows(&site);
    assert_eq!(
        rows.len(),
        3000,
        "the 1000 submissions in both files are stored once"
    );
}

fn a_build_during_an_ingest_sees_all_or_nothing_of_it(backend: Backend) {
    let site = site(backend, "");
    let lines: Vec<String> = (0..5000)
        .map(|i| good(&format!("k{i}"), "first", &format!("comment {i}")))
        .collect();
    site.write("big.jsonl", &(lines.join("\n") + "\n"));
    site.write("none.jsonl", "");
    site.run(&["ingest", "none.jsonl"]).ok();
    let ingest = spawn(&site, &["ingest", "big.jsonl"]);
    let build = spawn(&site, &["build"]);
    let built = build.wait_with_output().unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let summary = String::from_utf8_lossy(&built.stdout).into_owned();
    assert!(
        summary.contains(", 0 comments (") || summary.contains(", 5000 comments ("),
        "the build saw part of a transaction: {summary}"
    );
    assert!(ingest.wait_with_output().unwrap().status.success());
}

fn comments_fields_maps_other_column_names(backend: Backend) {
    let site = site(
        backend,
        "[comments.fields]\nbody = \"Your Message\"\nusername = \"Full name\"\npost = \"article\"\n",
    );
    site.write(
        "in.csv",
        "Full name,E-mail,Your Message,article\nAda,ada@example.org,Mapped by the author,first\n",
    );
    let run = site.run(&["ingest", "in.csv"]).fails_with(2);
    assert!(
        run.stdout.contains("missing email"),
        "e-mail is not a known name: {}",
        run.stdout
    );
    site.write("site.toml", "title = \"Test\"\nbase_url = \"https://example.org\"\n[comments.fields]\nbody = \"Your Message\"\nusername = \"Full name\"\npost = \"article\"\nemail = \"E-mail\"\n");
    site.run(&["ingest", "in.csv"]).ok();
    assert_eq!(
        db_rows(&site),
        [(1, "first".to_string(), "Mapped by the author".to_string())]
    );
}

/// A file far longer than the batches records travel in between the reading and the storing
/// threads: every record is stored or rejected once, in the file's order, so replies find
/// parents stored lines before them, rejects name their lines, and a body holding another
/// record's address is still held back to the end and refused.
fn a_long_file_keeps_its_order_its_replies_and_its_reasons(backend: Backend) {
    let site = site(backend, "");
    let mut lines = Vec::new();
    for i in 0..1500usize {
        let id = format!("k{i}");
        let email = format!("v{i}@example.org");
        let mut fields = vec![
            ("id", id.as_str()),
            ("post", "first"),
            ("username", "Visitor"),
            ("email", email.as_str()),
            (
                "body",
                "A comment with a [link](https://example.org/) and *emphasis*.",
            ),
            ("timestamp", "2024-02-01T10:00:00Z"),
        ];
        // Every third record replies to the one before it.
        let parent = format!("k{}", i.saturating_sub(1));
        if i % 3 == 2 {
            fields.push(("parent", parent.as_str()));
        }
        lines.push(match i {
            300 => "not json".to_string(),
            700 => line(&fields[..3]),
            1200 => line(
                &[
                    &fields[..4],
                    &[("body", "Write to v3@example.org, says I.")],
                ]
                .concat(),
            ),
            _ => line(&fields),
        });
    }
    site.write("in.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "in.jsonl"]).fails_with(2);
    assert!(
        run.stdout.contains("stored 1496 comments") && run.stdout.contains("4 rejected"),
        "{}",
        run.stdout
    );
    let rejects: Vec<serde_json::Value> = site
        .read("in.jsonl.rejects.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let at: Vec<(u64, String)> = rejects
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["reasons"][0].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(at.len(), 4, "{at:?}");
    assert!(at[0].0 == 301 && at[0].1.starts_with("not JSON"), "{at:?}");
    assert!(at[1].0 == 701 && at[1].1.contains("email"), "{at:?}");
    // The reply to the record refused just before it finds no parent.
    assert!(at[2].0 == 702 && at[2].1.contains("k700"), "{at:?}");
    // Held back to the end of the run, so told last.
    assert_eq!(at[3].0, 1201, "{at:?}");
    let rows = db_rows(&site);
    assert_eq!(rows.len(), 1496);
    // Ids follow the file's order, and each reply sits under the record before it.
    let replies = site.sql_text(
        "SELECT CAST(COUNT(*) AS TEXT) FROM comments c JOIN comments p ON p.id = c.parent_id
         WHERE c.submission_key = 'k' || CAST(CAST(substr(p.submission_key, 2) AS INTEGER) + 1 AS TEXT)",
    );
    // 500 replies, less the one whose parent was refused.
    assert_eq!(replies, "499");
    let in_order = site.sql_text(
        "SELECT CAST(COUNT(*) AS TEXT) FROM comments a JOIN comments b ON b.id = a.id + 1
         WHERE CAST(substr(b.submission_key, 2) AS INTEGER) < CAST(substr(a.submission_key, 2) AS INTEGER)",
    );
    assert_eq!(in_order, "0", "stored in the file's order");
}
