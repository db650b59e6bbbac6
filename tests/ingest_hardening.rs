//! Ingest against broken files and bad luck: a stray quote, colliding ids, records the
//! database would refuse, rejects files over inputs, fields given twice, invisible names and
//! numbers echoed as written, on each backend.

use crate::common::{Backend, TestSite, backend_tests};

backend_tests! {
    an_unterminated_csv_quote_stores_nothing_and_names_its_line,
    a_body_holding_another_records_email_is_refused,
    a_colliding_id_with_other_content_is_rejected,
    a_timestamp_the_database_would_refuse_rejects_that_record_only,
    invisible_names_and_bodies_are_rejected,
    a_row_the_database_refuses_rejects_that_record_only,
    an_ingest_that_waits_for_another_writer_says_so,
}

fn site(backend: Backend) -> TestSite {
    let site = TestSite::on(backend, "");
    site.post("hello-world", "Hello", "2024-01-01", "", "x");
    site
}

fn record(id: &str, username: &str, email: &str, body: &str) -> String {
    serde_json::json!({
        "id": id, "post": "hello-world", "username": username, "email": email,
        "body": body, "timestamp": "2024-02-01T10:00:00Z"
    })
    .to_string()
}

fn an_unterminated_csv_quote_stores_nothing_and_names_its_line(backend: Backend) {
    let site = site(backend);
    site.write(
        "m.csv",
        "post,username,email,body,id\nhello-world,Ann,ann@example.com,\"stray quote,c1\nhello-world,Ben,ben@example.com,ok,c2\n",
    );
    let run = site.run(&["ingest", "m.csv"]).fails_with(1);
    assert!(
        run.stderr.contains("m.csv")
            && run
                .stderr
                .contains("line 2: a quoted field opens here and is never closed"),
        "{}",
        run.stderr
    );
    assert!(
        site.comment_rows().is_empty(),
        "nothing of the file is stored"
    );
    site.run(&["build"]).ok();
    let page = site.read("public/posts/hello-world/index.html");
    assert!(!page.contains("ben@example.com"), "{page}");
    assert!(!site.read("public/comments.xml").contains("ben@example.com"));
}

fn a_body_holding_another_records_email_is_refused(backend: Backend) {
    let site = site(backend);
    // Ben's address appears in Ann's body, before and after Ben's own record.
    let lines = [
        record(
            "c1",
            "Ann",
            "ann@example.com",
            "hi\nhello-world,Ben,Ben@Example.com,ok",
        ),
        record("c2", "Ben", "ben@example.com", "ok"),
        record("c3", "Cy", "cy@example.com", "a reply from cy"),
        record(
            "c4",
            "Dee",
            "dee@example.com",
            "write to cy@example.com, says Dee",
        ),
        record("c5", "Eve", "eve@example.com", "mail me: eve@example.com"),
        record(
            "c6",
            "Fay",
            "fay@example.com",
            "@Ann agreed, see fay.example.com",
        ),
    ];
    site.write("in.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "in.jsonl", "--json"]).fails_with(2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["approved"], 3, "{report}");
    assert_eq!(
        report["reasons"]["several records run together"], 2,
        "{report}"
    );
    assert_eq!(
        report["reasons"]["email address in the body"], 1,
        "{report}"
    );
    let bodies: Vec<String> = site.comment_rows().into_iter().map(|r| r.2).collect();
    assert_eq!(
        bodies,
        ["ok", "a reply from cy", "@Ann agreed, see fay.example.com"]
    );
    let rejects = site.read("in.jsonl.rejects.jsonl");
    assert!(
        rejects.contains("\"line\":1")
            && rejects.contains("\"line\":4")
            && rejects.contains("looks like several records run together"),
        "{rejects}"
    );
}

fn a_colliding_id_with_other_content_is_rejected(backend: Backend) {
    let site = site(backend);
    site.write(
        "a.jsonl",
        &(record("k1", "Ann", "ann@example.com", "first words") + "\n"),
    );
    site.run(&["ingest", "a.jsonl"]).ok();
    // Same id, same content (the email's case aside): already stored.
    site.write(
        "b.jsonl",
        &(record("k1", "Ann", "ANN@example.com", "first words") + "\n"),
    );
    let same = site.run(&["ingest", "b.jsonl"]).ok();
    assert!(same.stdout.contains("1 already stored"), "{}", same.stdout);
    // Same id, other content: a rejection with its reason, not "already stored".
    site.write(
        "c.jsonl",
        &(record("k1", "Ben", "ben@example.com", "other words") + "\n"),
    );
    let other = site.run(&["ingest", "c.jsonl", "--json"]).fails_with(2);
    let report: serde_json::Value = serde_json::from_str(&other.stdout).unwrap();
    assert_eq!(report["already_stored"], 0, "{report}");
    assert_eq!(report["reasons"]["id already used by another comment"], 1);
    assert!(
        site.read("c.jsonl.rejects.jsonl")
            .contains("id \\\"k1\\\" already used by another comment")
    );
    let bodies: Vec<String> = site.comment_rows().into_iter().map(|r| r.2).collect();
    assert_eq!(bodies, ["first words"]);
}

fn a_timestamp_the_database_would_refuse_rejects_that_record_only(backend: Backend) {
    let site = site(backend);
    let mut early = serde_json::from_str::<serde_json::Value>(&record(
        "old",
        "Ann",
        "ann@example.com",
        "from before year 0",
    ))
    .unwrap();
    early["timestamp"] = (-62167219201i64).into();
    let mut huge = early.clone();
    huge["id"] = "huge".into();
    let lines = format!(
        "{early}\n{}\n{}\n",
        record("fine", "Ben", "ben@example.com", "on time"),
        huge.to_string().replace("-62167219201", "1e20"),
    );
    site.write("in.jsonl", &lines);
    let run = site.run(&["ingest", "in.jsonl", "--json"]).fails_with(2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["approved"], 1, "{report}");
    assert_eq!(report["rejected"], 2, "{report}");
    let rejects = site.read("in.jsonl.rejects.jsonl");
    assert!(
        rejects.contains("timestamp \\\"-62167219201\\\" is before 1990-01-01"),
        "{rejects}"
    );
    assert!(
        rejects.contains("timestamp \\\"1e20\\\" is not"),
        "written as given: {rejects}"
    );
    for text in [&run.stdout, &run.stderr, &rejects] {
        assert!(
            !text.contains("CHECK") && !text.contains("constraint"),
            "{text}"
        );
    }
}

fn invisible_names_and_bodies_are_rejected(backend: Backend) {
    let site = site(backend);
    let lines = [
        record("z1", "\u{200b}\u{200b}", "a@example.com", "hello"),
        record("z2", "\u{feff}", "b@example.com", "hello"),
        record("z3", "Cy", "c@example.com", "\u{200b}"),
        record("z4", "a\u{200b}b", "d@example.com", "hello"),
    ];
    site.write("in.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "in.jsonl", "--json"]).fails_with(2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["reasons"]["username not visible"], 2, "{report}");
    assert_eq!(report["reasons"]["body not visible"], 1, "{report}");
    let users = site.run(&["users", "list", "--json"]).ok().stdout;
    assert!(
        users.contains("\"ab\"") && !users.contains("\\u200b"),
        "{users}"
    );
}

#[test]
fn a_rejects_file_that_is_an_input_is_refused() {
    let site = TestSite::new();
    site.post("hello-world", "Hello", "2024-01-01", "", "x");
    let input = format!(
        "{}\n{{\"post\": \"hello-world\"}}\n",
        record("a", "Ann", "ann@example.com", "hi")
    );
    site.write("m.jsonl", &input);
    let run = site
        .run(&["ingest", "m.jsonl", "--rejects", "m.jsonl"])
        .fails_with(1);
    assert!(run.stderr.contains("is also an input"), "{}", run.stderr);
    assert_eq!(site.read("m.jsonl"), input, "the input is unchanged");
    assert!(!site.database_exists(), "refused before anything is stored");
    // The default destination of one input cannot be another input either.
    site.write("m.jsonl.rejects.jsonl", "{}\n");
    site.run(&["ingest", "m.jsonl", "m.jsonl.rejects.jsonl"])
        .fails_with(1);
}

#[test]
fn each_run_writes_its_rejects_afresh_and_a_failed_run_leaves_none() {
    let site = TestSite::new();
    site.post("hello-world", "Hello", "2024-01-01", "", "x");
    site.write("m.jsonl", "{\"post\": \"hello-world\"}\n");
    site.run(&["ingest", "m.jsonl"]).fails_with(2);
    site.run(&["ingest", "m.jsonl"]).fails_with(2);
    let rejects = site.read("m.jsonl.rejects.jsonl");
    assert_eq!(rejects.lines().count(), 1, "no pile-up: {rejects}");
    // A run that fails (here on an unreadable second file) leaves no partial rejects file.
    site.write("n.jsonl", "{\"post\": \"hello-world\"}\n");
    site.write("broken.json", "[{\"post\": \"hello-world\"}, {");
    site.run(&["ingest", "n.jsonl", "broken.json"])
        .fails_with(1);
    assert!(!site.exists("n.jsonl.rejects.jsonl"));
    assert!(!site.exists("n.jsonl.rejects.jsonl.partial"));
}

#[test]
fn a_field_given_twice_is_rejected_with_its_name() {
    let site = TestSite::new();
    site.post("hello-world", "Hello", "2024-01-01", "", "x");
    site.write(
        "dup.jsonl",
        "{\"post\": \"hello-world\", \"username\": \"Ann\", \"email\": \"a@example.com\", \"body\": \"one\", \"body\": \"two\"}\n",
    );
    site.write(
        "dup.csv",
        "post,username,email,body,email\nhello-world,Ann,a@example.com,hi,b@example.com\n",
    );
    let run = site
        .run(&["ingest", "dup.jsonl", "dup.csv", "--json"])
        .fails_with(2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["rejected"], 2, "{report}");
    assert!(
        site.read("dup.jsonl.rejects.jsonl")
            .contains("field \\\"body\\\" given twice")
    );
    assert!(
        site.read("dup.csv.rejects.jsonl")
            .contains("field \\\"email\\\" given twice")
    );
}

fn a_row_the_database_refuses_rejects_that_record_only(backend: Backend) {
    let site = site(backend);
    site.write(
        "first.jsonl",
        &(record("a", "Ann", "ann@example.com", "first") + "\n"),
    );
    site.run(&["ingest", "first.jsonl"]).ok();
    // A rule the checks before the database do not know of.
    site.sql(match backend {
        Backend::Sqlite => "CREATE TRIGGER no_boom BEFORE INSERT ON comments WHEN NEW.body = 'boom' BEGIN SELECT RAISE(ABORT, 'no boom allowed'); END;",
        Backend::Postgres(_) => "ALTER TABLE comments ADD CONSTRAINT no_boom CHECK (body <> 'boom')",
    })
    .unwrap();
    let lines = [
        record("b", "Ben", "ben@example.com", "ok 1"),
        record("c", "Cy", "cy@example.com", "boom"),
        record("d", "Dee", "dee@example.com", "ok 2"),
    ];
    site.write("run.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "run.jsonl"]).fails_with(2);
    let rejects = site.read("run.jsonl.rejects.jsonl");
    assert!(
        rejects.contains("\"line\":2") && rejects.contains("the database refused it"),
        "{rejects}"
    );
    for text in [&run.stdout, &run.stderr, &rejects] {
        assert!(
            !text.contains("no boom allowed")
                && !text.contains("no_boom")
                && !text.contains("CHECK"),
            "no SQL is shown: {text}"
        );
    }
    let bodies: Vec<String> = site.comment_rows().into_iter().map(|r| r.2).collect();
    assert_eq!(bodies, ["first", "ok 1", "ok 2"]);
}

#[test]
fn an_empty_or_table_less_database_is_no_comments_and_garbage_is_named() {
    let site = TestSite::new();
    site.post("hello-world", "Hello", "2024-01-01", "", "x");
    // What a first ingest killed before its schema committed leaves: an empty file.
    site.write("comments.db", "");
    let built = site.run(&["build"]).ok();
    assert!(built.stdout.contains("0 comments"), "{}", built.stdout);
    std::fs::remove_file(site.path("comments.db")).unwrap();
    site.sql("CREATE TABLE unrelated (x INTEGER);").unwrap();
    site.run(&["build"]).ok();
    // An ingest into it creates the schema as usual.
    site.write(
        "in.jsonl",
        &(record("a", "Ann", "ann@example.com", "hi") + "\n"),
    );
    site.run(&["ingest", "in.jsonl"]).ok();
    assert!(site.run(&["build"]).ok().stdout.contains("1 comments"));
    site.write(
        "comments.db",
        "this is not a database, only text that is long enough to look like a header of one",
    );
    let garbage = site.run(&["build"]).fails_with(1);
    assert!(
        garbage.stderr.contains("comments.db")
            && garbage
                .stderr
                .contains("failed to read the comment database"),
        "{}",
        garbage.stderr
    );
}

#[test]
fn a_database_newer_than_this_quill_is_said_so() {
    let site = TestSite::new();
    site.post("hello-world", "Hello", "2024-01-01", "", "x");
    site.write(
        "in.jsonl",
        &(record("a", "Ann", "ann@example.com", "hi") + "\n"),
    );
    site.run(&["ingest", "in.jsonl"]).ok();
    site.sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', '2030-01-01T00:00:00Z');")
        .unwrap();
    let status = site.run(&["db", "status"]).ok().stdout;
    assert!(
        status.contains("schema version: 99")
            && status.contains("newer than this quill")
            && !status.contains("up to date"),
        "{status}"
    );
    for args in [&["db", "upgrade"][..], &["db", "downgrade"][..]] {
        let run = site.run(args).fails_with(1);
        assert!(
            run.stderr.contains("newer than this quill knows")
                && !run.stderr.contains("quill db downgrade"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

fn an_ingest_that_waits_for_another_writer_says_so(backend: Backend) {
    use std::io::{BufRead, BufReader};
    let site = site(backend);
    site.write(
        "a.jsonl",
        &(record("a", "Ann", "ann@example.com", "hi") + "\n"),
    );
    site.run(&["ingest", "a.jsonl"]).ok();
    // Another writer holds the lock that ingest runs take turns through.
    let (sqlite, mut pg) = match site.database_url() {
        None => {
            let conn = rusqlite::Connection::open(site.path("comments.db")).unwrap();
            conn.execute_batch("BEGIN IMMEDIATE;").unwrap();
            (Some(conn), None)
        }
        Some(url) => {
            let mut client = ::postgres::Client::connect(url, ::postgres::NoTls).unwrap();
            client
                .batch_execute("BEGIN; SELECT pg_advisory_xact_lock(8175556612950327297);")
                .unwrap();
            (None, Some(client))
        }
    };
    site.write(
        "b.jsonl",
        &(record("b", "Ben", "ben@example.com", "hello") + "\n"),
    );
    let mut child = site
        .command()
        .args(["ingest", "b.jsonl"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let expected = match backend {
        Backend::Sqlite => "waiting for another process writing to ./comments.db",
        Backend::Postgres(_) => "waiting for another ingest into this database (server process ",
    };
    assert!(line.starts_with(expected), "{line}");
    match (sqlite, &mut pg) {
        (Some(conn), _) => conn.execute_batch("COMMIT;").unwrap(),
        (None, Some(client)) => client.batch_execute("COMMIT;").unwrap(),
        (None, None) => unreachable!(),
    }
    assert!(child.wait().unwrap().success());
    assert_eq!(site.comment_rows().len(), 2);
}
