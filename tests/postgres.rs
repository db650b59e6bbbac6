//! PostgreSQL behind DATABASE_URL, beyond the tests both backends share: URL forms, connection
//! errors that never show the password, `quill db copy` both ways with identical exports and
//! identical built pages, and what a copy refuses.

use crate::common::pg_server::{self, Server};
use crate::common::{Backend, TestSite, snapshot};
use crate::store::site_with_comments;

/// The test server, or `None` (the test then passes without running; CI fails instead).
fn server() -> Option<&'static Server> {
    pg_server::server()
}

#[test]
fn both_url_schemes_work_and_the_password_is_never_shown() {
    let Some(server) = server() else { return };
    let url = server.create_database();
    let site = TestSite::new();
    site.post("a", "A", "2024-01-01", "", "x");
    site.write(
        "in.jsonl",
        "{\"id\":\"k1\",\"post\":\"a\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"Hi\"}\n",
    );
    let run = site
        .run_env(&["ingest", "in.jsonl"], &[("DATABASE_URL", &url)])
        .ok();
    assert!(run.stdout.contains("stored 1 comment"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("created the comment database postgres://quill@127.0.0.1:"),
        "{}",
        run.stderr
    );
    let postgresql = url.replacen("postgres://", "postgresql://", 1) + "?sslmode=prefer";
    let status = site
        .run_env(&["db", "status"], &[("DATABASE_URL", &postgresql)])
        .ok();
    assert!(
        status
            .stdout
            .contains("database: postgresql://quill@127.0.0.1:")
            && status.stdout.contains("up to date"),
        "{}",
        status.stdout
    );
    for run in [run, status] {
        assert!(
            !run.stdout.contains("quill-test-password")
                && !run.stderr.contains("quill-test-password"),
            "{}{}",
            run.stdout,
            run.stderr
        );
    }
    assert!(
        !site.exists("comments.db"),
        "nothing was written to the site's SQLite file"
    );
    site.run_env(&["build"], &[("DATABASE_URL", &url)]).ok();
    assert!(site.read("public/posts/a/index.html").contains("Hi"));
}

#[test]
fn connection_errors_are_one_line_naming_host_and_database_without_the_password() {
    let Some(server) = server() else { return };
    let site = TestSite::new();
    let free_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cases = [
        (
            server.url_with_password("postgres", "wrong-secret"),
            "password authentication failed",
        ),
        (server.url("no_such_database"), "does not exist"),
        (
            format!("postgres://quill:wrong-secret@127.0.0.1:{free_port}/blog"),
            "is the server running",
        ),
        (
            server.url_with_password("postgres", "wrong-secret") + "?sslmode=require",
            "built without TLS",
        ),
    ];
    for (url, reason) in cases {
        for args in [&["comments", "list"][..], &["build"], &["db", "status"]] {
            let run = site
                .run_env(args, &[("DATABASE_URL", url.as_str())])
                .fails_with(1);
            assert_eq!(
                run.stderr.lines().count(),
                1,
                "{args:?} {url}: {}",
                run.stderr
            );
            assert!(run.stderr.contains(reason), "{url}: {}", run.stderr);
            assert!(
                !run.stderr.contains("wrong-secret") && !run.stderr.contains("quill-test-password"),
                "{}",
                run.stderr
            );
            if reason != "built without TLS" {
                assert!(
                    run.stderr.contains("127.0.0.1:")
                        && (run.stderr.contains("\"postgres\"")
                            || run.stderr.contains("\"no_such_database\"")
                            || run.stderr.contains("\"blog\"")),
                    "names host and database: {}",
                    run.stderr
                );
            }
        }
    }
}

/// `quill comments list --json` and `quill users list --json`: ids included.
fn listings(site: &TestSite, url: &str) -> (String, String) {
    let env = [("DATABASE_URL", url)];
    (
        site.run_env(&["comments", "list", "--json"], &env)
            .ok()
            .stdout,
        site.run_env(&["users", "list", "--json"], &env).ok().stdout,
    )
}

#[test]
fn copy_round_trip_sqlite_postgres_sqlite_keeps_everything() {
    let Some(server) = server() else { return };
    let site = site_with_comments(Backend::Sqlite);
    // Every status, a unicode body and an email in another case.
    site.write(
        "more.jsonl",
        concat!(
            "{\"id\":\"k4\",\"post\":\"second\",\"username\":\"Zoë\",\"email\":\"Zoe@Example.org\",\"body\":\"Ünïcode — ✓\\nline two\",\"timestamp\":\"2024-03-01T00:00:00Z\",\"parent\":\"k3\"}\n",
            "{\"id\":\"k5\",\"post\":\"first\",\"username\":\"Eve\",\"email\":\"eve@example.org\",\"body\":\"later\"}\n",
        ),
    );
    site.run(&["ingest", "more.jsonl"]).ok();
    site.run(&["comments", "spam", "2"]).ok();
    site.run(&["comments", "delete", "5"]).ok();
    let export = site.run(&["comments", "export"]).ok().stdout;
    let sqlite_path = site.path("comments.db").display().to_string();
    let before = listings(&site, &sqlite_path);
    site.run(&["build"]).ok();
    let built = snapshot(&site.path("public"));

    let url = server.create_database();
    let run = site.run(&["db", "copy", "--to", &url]).ok();
    assert!(
        run.stdout.contains("copied 4 users and 4 comments")
            && run.stdout.contains("(row counts checked)")
            && !run.stdout.contains("quill-test-password"),
        "{}",
        run.stdout
    );
    let on_pg = [("DATABASE_URL", url.as_str())];
    assert_eq!(
        site.run_env(&["comments", "export"], &on_pg).ok().stdout,
        export
    );
    assert_eq!(listings(&site, &url), before, "ids and users kept");
    std::fs::remove_dir_all(site.path("public")).unwrap();
    site.run_env(&["build"], &on_pg).ok();
    assert!(
        snapshot(&site.path("public")) == built,
        "the same pages from either backend"
    );

    let run = site
        .run_env(&["db", "copy", "--to", "sqlite://back.db"], &on_pg)
        .ok();
    assert!(
        run.stdout.contains("copied 4 users and 4 comments"),
        "{}",
        run.stdout
    );
    let back = [("DATABASE_URL", "back.db")];
    assert_eq!(
        site.run_env(&["comments", "export"], &back).ok().stdout,
        export,
        "SQLite → PostgreSQL → SQLite: identical exports"
    );
    assert_eq!(
        listings(&site, &site.path("back.db").display().to_string()),
        before
    );

    // New rows after a copy take new ids on both (PostgreSQL's sequences moved past the copy).
    // The timestamp is given: two ingests a moment apart would otherwise stamp "now" apart.
    site.write(
        "new.jsonl",
        "{\"id\":\"k9\",\"post\":\"first\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"new\",\"timestamp\":\"2024-03-01T00:00:00Z\"}\n",
    );
    site.run_env(&["ingest", "new.jsonl"], &on_pg).ok();
    site.run_env(&["ingest", "new.jsonl"], &back).ok();
    let shown = site.run_env(&["comments", "show", "5"], &on_pg).ok().stdout;
    assert!(shown.contains("new"), "{shown}");
    assert_eq!(
        shown,
        site.run_env(&["comments", "show", "5"], &back).ok().stdout
    );
}

#[test]
fn copy_refuses_a_target_that_is_not_empty_and_a_missing_source() {
    let Some(server) = server() else { return };
    let site = site_with_comments(Backend::Postgres(server));
    let url = site.database_url().unwrap().to_string();
    // PostgreSQL → a SQLite file that already has comments.
    let other = site_with_comments(Backend::Sqlite);
    let target = other.path("comments.db").display().to_string();
    let run = site.run(&["db", "copy", "--to", &target]).fails_with(1);
    assert!(
        run.stderr.contains("already holds 2 users and 3 comments"),
        "{}",
        run.stderr
    );
    // SQLite → a PostgreSQL database that already has comments.
    let run = other.run(&["db", "copy", "--to", &url]).fails_with(1);
    assert!(
        run.stderr.contains("only writes into an empty database")
            && !run.stderr.contains("quill-test-password"),
        "{}",
        run.stderr
    );
    let run = site.run(&["db", "copy", "--to", &url]).fails_with(1);
    assert!(
        run.stderr.contains("is the database being copied"),
        "{}",
        run.stderr
    );
    // Nothing to copy.
    let empty = TestSite::new();
    let run = empty
        .run(&["db", "copy", "--to", &server.create_database()])
        .fails_with(1);
    assert!(run.stderr.contains("no comment database"), "{}", run.stderr);
    // The refused targets are as they were.
    assert_eq!(other.comment_rows().len(), 3);
    assert_eq!(site.comment_rows().len(), 3);
}
