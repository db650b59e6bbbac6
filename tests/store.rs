//! The comment store and the author console, on each backend: constraints held by the
//! database itself, migrations both ways with data in them, DATABASE_URL, and every console
//! command.

use crate::common::{Backend, Run, TestSite, backend_tests};

backend_tests! {
    constraints_hold_against_direct_sql,
    migrations_round_trip_with_data,
    a_writing_command_upgrades_an_old_database_after_a_backup,
    a_newer_database_is_refused,
    a_missing_database_means_no_comments,
    console_lists_shows_and_moderates,
    deleting_a_thread_needs_with_replies,
    users_are_listed_shown_and_forgotten,
    comments_move_to_a_new_slug,
    export_round_trips_through_ingest,
    a_build_reads_threads_by_ranges_of_ids,
}

/// A site with two posts and a few comments ingested (one reply).
pub(crate) fn site_with_comments(backend: Backend) -> TestSite {
    let site = TestSite::on(backend, "");
    site.post("first", "First", "2024-01-01", "", "x");
    site.post("second", "Second", "2024-01-02", "", "x");
    site.write(
        "subs.jsonl",
        concat!(
            "{\"id\":\"k1\",\"post\":\"first\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"One\",\"timestamp\":\"2024-02-01T10:00:00Z\"}\n",
            "{\"id\":\"k2\",\"post\":\"first\",\"username\":\"Bob\",\"email\":\"bob@example.org\",\"body\":\"Two\",\"timestamp\":\"2024-02-02T10:00:00Z\",\"parent\":\"k1\"}\n",
            "{\"id\":\"k3\",\"post\":\"second\",\"username\":\"Ada\",\"email\":\"ADA@example.org\",\"body\":\"Three\",\"timestamp\":\"2024-02-03T10:00:00Z\"}\n",
        ),
    );
    site.run(&["ingest", "subs.jsonl"]).ok();
    site
}

fn sql(site: &TestSite, statement: &str) -> Result<(), String> {
    site.sql(statement)
}

fn export(site: &TestSite) -> String {
    site.run(&["comments", "export"]).ok().stdout
}

fn constraints_hold_against_direct_sql(backend: Backend) {
    let site = site_with_comments(backend);
    let long = "x".repeat(65);
    assert!(
        sql(
            &site,
            &format!("INSERT INTO users (username, email) VALUES ('{long}', 'a@b.org')")
        )
        .is_err()
    );
    assert!(
        sql(
            &site,
            "INSERT INTO users (username, email) VALUES ('', 'a@b.org')"
        )
        .is_err()
    );
    assert!(
        sql(
            &site,
            &format!(
                "INSERT INTO users (username, email) VALUES ('u', '{}@b.org')",
                "e".repeat(120)
            )
        )
        .is_err()
    );
    assert!(
        sql(
            &site,
            "INSERT INTO users (username, email) VALUES ('Ada', 'ADA@EXAMPLE.ORG')"
        )
        .is_err(),
        "one user per name and email, any case"
    );
    assert!(sql(&site, "INSERT INTO comments (post, body, user_id, submission_key) VALUES ('first', 'x', 999, 'kx')").is_err(), "dangling user_id");
    assert!(sql(&site, "INSERT INTO comments (post, body, user_id, status, submission_key) VALUES ('first', 'x', 1, 'published', 'ky')").is_err(), "bad status");
    assert!(sql(&site, "INSERT INTO comments (post, body, user_id, submission_key) VALUES ('first', 'x', 1, 'k1')").is_err(), "duplicate key");
    assert!(sql(&site, "INSERT INTO comments (post, body, user_id, submission_key, parent_id) VALUES ('second', 'x', 1, 'kz', 1)").is_err(), "reply on another post");
    assert!(sql(&site, "INSERT INTO comments (post, body, user_id, submission_key, timestamp) VALUES ('first', 'x', 1, 'kt', '2024-01-01T10:00:00.5Z')").is_err(), "whole seconds");
    assert!(sql(&site, "INSERT INTO comments (post, body, user_id, submission_key, timestamp) VALUES ('first', 'x', 1, 'kt', 'soon')").is_err(), "a time");
    if let Backend::Sqlite = backend {
        assert!(sql(&site, "INSERT INTO comments (post, body, user_id, submission_key, timestamp) VALUES ('first', 'x', 1, 'kt', '2024-01-01 10:00')").is_err(), "one timestamp form");
    }
    assert!(
        sql(&site, "UPDATE comments SET parent_id = 3 WHERE id = 2").is_err(),
        "moved under another post's comment"
    );
    // The default timestamp is filled in, in the one stored form.
    sql(&site, "INSERT INTO comments (post, body, user_id, submission_key) VALUES ('first', 'ok', 1, 'kd')").unwrap();
    let ts = site.sql_text(match backend {
        Backend::Sqlite => "SELECT timestamp FROM comments WHERE submission_key = 'kd'",
        Backend::Postgres(_) => "SELECT to_char(timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM comments WHERE submission_key = 'kd'",
    });
    assert!(
        chrono::DateTime::parse_from_rfc3339(&ts).is_ok() && ts.ends_with('Z'),
        "{ts}"
    );
}

fn migrations_round_trip_with_data(backend: Backend) {
    let site = site_with_comments(backend);
    let before = export(&site);
    let latest = quill::store::migrations::latest();
    let status = site.run(&["db", "status"]).ok().stdout;
    assert!(
        status.contains(&format!(
            "schema version: {latest} (latest known: {latest})"
        )) && status.contains("up to date"),
        "{status}"
    );
    // The versions after 6 hold what can be worked out again (each post's top-level count).
    let down = site.run(&["db", "downgrade", "--to", "6"]).ok().stdout;
    assert!(
        down.contains(&format!("backup of schema version {latest}")),
        "{down}"
    );
    assert!(
        site.run(&["db", "status"])
            .ok()
            .stdout
            .contains("pending: 7 each post's number of top-level comments")
    );
    // Version 6 holds the spam filter's model: going below it keeps every comment.
    let down = site.run(&["db", "downgrade"]).ok().stdout;
    assert!(
        down.contains("backup of schema version 6") && down.contains("from schema version 6 to 5"),
        "{down}"
    );
    assert!(site.backup_exists(6, 1));
    assert!(
        site.run(&["db", "status"])
            .ok()
            .stdout
            .contains("pending: 6 the spam filter's model")
    );
    // Version 5 holds webmentions: going below it deletes them, so it asks for --yes.
    let run = site.run(&["db", "downgrade"]).fails_with(1);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    site.run(&["db", "downgrade", "--yes"]).ok();
    let down = site.run(&["db", "downgrade"]).ok().stdout;
    assert!(
        down.contains("backup of schema version 4") && down.contains("from schema version 4 to 3"),
        "{down}"
    );
    // The build never migrates: it stops and says what to do.
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr.contains("run `quill db upgrade`"),
        "{}",
        run.stderr
    );
    // Going below version 1 would delete everything: it needs --yes.
    let run = site.run(&["db", "downgrade", "--to", "0"]).fails_with(1);
    assert!(run.stderr.contains("--yes"), "{}", run.stderr);
    site.run(&["db", "upgrade"]).ok();
    assert_eq!(
        export(&site),
        before,
        "upgrade, downgrade, upgrade keeps every comment"
    );
    site.run(&["build"]).ok();
    site.run(&["db", "downgrade", "--to", "5"]).ok();
    site.run(&["db", "upgrade"]).ok();
    site.run(&["db", "downgrade", "--to", "5"]).ok();
    assert!(
        site.backup_exists(latest, 1)
            && site.backup_exists(latest, 2)
            && site.backup_exists(latest, 3),
        "an older backup is never overwritten"
    );
}

fn a_writing_command_upgrades_an_old_database_after_a_backup(backend: Backend) {
    let site = site_with_comments(backend);
    site.run(&["db", "downgrade", "--to", "4", "--yes"]).ok();
    site.remove_backup(quill::store::migrations::latest());
    let run = site.run(&["comments", "approve", "1"]).ok();
    assert!(
        run.stderr.contains("backup of schema version 4"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("upgraded") && site.backup_exists(4, 1),
        "{}",
        run.stderr
    );
}

fn a_newer_database_is_refused(backend: Backend) {
    let site = site_with_comments(backend);
    sql(
        &site,
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', CURRENT_TIMESTAMP)",
    )
    .unwrap();
    for args in [
        &["build"][..],
        &["ingest", "subs.jsonl"],
        &["comments", "list"],
    ] {
        let run = site.run(args).fails_with(1);
        assert!(
            run.stderr.contains("newer than this quill knows"),
            "{args:?}: {}",
            run.stderr
        );
    }
}

fn a_missing_database_means_no_comments(backend: Backend) {
    let site = TestSite::on(backend, "");
    site.post("a", "A", "2024-01-01", "", "x");
    site.run(&["build"]).ok();
    assert!(
        !site.database_exists(),
        "the build never creates the database"
    );
    assert!(
        site.read("public/posts/a/index.html")
            .contains("No comments yet")
    );
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("0 comments")
    );
}

#[test]
fn database_url_beats_site_toml() {
    let site = site_with_comments(Backend::Sqlite);
    let other = site.path("elsewhere/other.db");
    let url = format!("sqlite://{}", other.display());
    let env = [("DATABASE_URL", url.as_str())];
    let run = site.run_env(&["ingest", "subs.jsonl"], &env).ok();
    assert!(
        run.stdout.contains("stored 3 comments"),
        "a fresh database: {}",
        run.stdout
    );
    assert!(other.exists());
    let relative = site
        .run_env(
            &["comments", "list"],
            &[("DATABASE_URL", "sqlite://elsewhere/other.db")],
        )
        .ok();
    assert!(
        relative.stdout.contains("3 comments"),
        "{}",
        relative.stdout
    );
    let plain = site
        .run_env(
            &["comments", "list"],
            &[("DATABASE_URL", "elsewhere/other.db")],
        )
        .ok();
    assert!(plain.stdout.contains("3 comments"));
    let run = site
        .run_env(&["comments", "list"], &[("DATABASE_URL", "mysql://u@h/db")])
        .fails_with(1);
    assert!(
        run.stderr.contains("unsupported database URL scheme") && run.stderr.contains("sqlite://"),
        "{}",
        run.stderr
    );
}

fn console_lists_shows_and_moderates(backend: Backend) {
    let site = site_with_comments(backend);
    let list = site.run(&["comments", "list"]).ok().stdout;
    assert!(
        list.contains("first") && list.contains("Ada") && list.contains("3 comments"),
        "{list}"
    );
    let json: serde_json::Value = serde_json::from_str(
        &site
            .run(&["comments", "list", "--post", "first", "--json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(json[1]["parent_id"], 1);
    let since = site
        .run(&["comments", "list", "--since", "2024-02-02", "--json"])
        .ok()
        .stdout;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&since)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let by_user = site
        .run(&["comments", "list", "--user", "1", "--json"])
        .ok()
        .stdout;
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&by_user)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2,
        "Ada is one user"
    );
    let show = site.run(&["comments", "show", "2"]).ok().stdout;
    assert!(
        show.contains("reply to:  1") && show.contains("Two"),
        "{show}"
    );

    let run = site.run(&["comments", "spam", "1", "3"]).ok();
    assert!(
        run.stdout.contains("marked 2 comments as spam: 1, 3"),
        "{}",
        run.stdout
    );
    assert!(
        site.run(&["comments", "list", "--status", "spam"])
            .ok()
            .stdout
            .contains("2 comments")
    );
    site.run(&["comments", "approve", "3"]).ok();
    assert!(
        site.run(&["comments", "list", "--status", "approved"])
            .ok()
            .stdout
            .contains("2 comments")
    );
    let run = site.run(&["comments", "approve", "3", "77"]).fails_with(1);
    assert!(
        run.stderr.contains("no comment with id 77"),
        "{}",
        run.stderr
    );
    assert!(
        site.run(&["comments", "list", "--status", "spam"])
            .ok()
            .stdout
            .contains("1 comment"),
        "nothing changed"
    );
    for args in [
        &["comments", "show", "77"][..],
        &["users", "show", "77"],
        &["users", "delete", "77", "--yes"],
        &["comments", "delete", "77"],
    ] {
        let run = site.run(args).fails_with(1);
        assert!(run.stderr.contains("77"), "{args:?}: {}", run.stderr);
    }
    site.run(&["comments", "list", "--status", "bogus"])
        .fails_with(1);
}

fn deleting_a_thread_needs_with_replies(backend: Backend) {
    let site = site_with_comments(backend);
    let run = site.run(&["comments", "delete", "1"]).fails_with(1);
    assert!(run.stderr.contains("--with-replies"), "{}", run.stderr);
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("3 comments")
    );
    let run = site
        .run(&["comments", "delete", "1", "--with-replies"])
        .ok();
    assert!(run.stdout.contains("deleted 2 comments"), "{}", run.stdout);
    site.run(&["comments", "delete", "3"]).ok();
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("0 comments")
    );
}

fn users_are_listed_shown_and_forgotten(backend: Backend) {
    let site = site_with_comments(backend);
    let users: serde_json::Value =
        serde_json::from_str(&site.run(&["users", "list", "--json"]).ok().stdout).unwrap();
    assert_eq!(
        users.as_array().unwrap().len(),
        2,
        "Ada came back with the same email in another case"
    );
    assert_eq!(users[0]["comments"], 2);
    assert!(
        site.run(&["users", "show", "1"])
            .ok()
            .stdout
            .contains("ada@example.org")
    );
    let run: Run = site.run(&["users", "delete", "1"]).fails_with(1);
    assert!(run.stderr.contains("--yes"));
    let run = site.run(&["users", "delete", "1", "--yes"]).ok();
    assert!(
        run.stdout.contains("deleted user 1 (Ada) and 3 comments"),
        "her comments and the reply under them: {}",
        run.stdout
    );
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("0 comments")
    );
}

fn comments_move_to_a_new_slug(backend: Backend) {
    let site = site_with_comments(backend);
    std::fs::rename(
        site.path("content/posts/first.md"),
        site.path("content/posts/renamed.md"),
    )
    .unwrap();
    let run = site.run(&["build"]).ok();
    assert!(
        run.stderr.contains("2 approved comments on post \"first\"")
            && run.stderr.contains("quill comments move first"),
        "{}",
        run.stderr
    );
    assert!(
        site.run(&["comments", "move", "first", "renamed"])
            .ok()
            .stdout
            .contains("moved 2 comments")
    );
    let run = site.run(&["build"]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert!(
        site.read("public/posts/renamed/index.html")
            .contains("2 comments")
    );
}

fn export_round_trips_through_ingest(backend: Backend) {
    let site = site_with_comments(backend);
    site.run(&["comments", "spam", "3"]).ok();
    site.run(&["comments", "export", "--output", "backup.jsonl"])
        .ok();
    let first = site.read("backup.jsonl");
    assert_eq!(first.lines().count(), 3);
    assert!(
        first
            .lines()
            .next()
            .unwrap()
            .starts_with("{\"id\":\"k1\",\"post\":\"first\",\"parent\":null,\"username\":\"Ada\""),
        "{first}"
    );
    site.drop_database();
    site.run(&["ingest", "--trusted", "backup.jsonl"]).ok();
    assert_eq!(
        export(&site),
        first,
        "export, ingest, export again: identical"
    );
}

/// A reader that stops early (`quill comments export | head`) ends the export quietly, with
/// success, as it ends `cat`: no panic, no error about the pipe.
#[test]
fn an_export_whose_reader_stops_early_ends_quietly() {
    let site = TestSite::new();
    site.post("first", "First", "2024-01-01", "", "x");
    // Far more than a pipe holds, so the export is still writing when the reader is gone.
    let lines: String = (0..2000)
        .map(|i| {
            format!(
                "{{\"id\":\"k{i}\",\"post\":\"first\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"Comment number {i}, with enough words to fill a pipe sooner.\",\"timestamp\":\"2024-02-01T10:00:00Z\"}}\n"
            )
        })
        .collect();
    site.write("subs.jsonl", &lines);
    site.run(&["ingest", "subs.jsonl"]).ok();
    let mut child = site
        .command()
        .args(["comments", "export"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
}

/// The store as a build opens it, on the site's backend.
fn store_of(site: &TestSite) -> quill::store::Store {
    let url = site.database_url().unwrap_or("comments.db");
    let location = quill::store::DbLocation::from_url(site.root(), url).unwrap();
    quill::store::Store::open_read_only(&location)
        .unwrap()
        .unwrap()
}

/// The ids of the approved comments a read of these ids (of every post) hands over.
fn ids_read(store: &quill::store::Store, ids: Option<(i64, i64)>) -> Vec<i64> {
    let read = quill::comments::ThreadRead {
        posts: None,
        email: false,
        stored_html: true,
        ids,
    };
    let mut seen = Vec::new();
    store
        .each_approved_comment(&read, &mut |row| {
            seen.push(row.id);
            true
        })
        .unwrap();
    seen
}

fn a_build_reads_threads_by_ranges_of_ids(backend: Backend) {
    // What two readers sharing a full build's pass read: each its range of ids, together all.
    let site = site_with_comments(backend);
    let store = store_of(&site);
    let (low, high) = store.comment_ids().unwrap().expect("comments");
    let all = ids_read(&store, None);
    assert_eq!(all.len(), 3);
    assert_eq!((all[0], all[2]), (low, high));
    let (first, second) = (
        ids_read(&store, Some((low, low + 1))),
        ids_read(&store, Some((low + 2, high))),
    );
    assert_eq!(first, all[..2]);
    assert_eq!([first, second].concat(), all);
    assert!(ids_read(&store, Some((high + 1, i64::MAX))).is_empty());
    let second = store.reopen_read_only().unwrap().unwrap();
    assert_eq!(ids_read(&second, None), all);
    // A visitor that says to stop (a build that failed meanwhile) is given no more rows.
    let read = quill::comments::ThreadRead {
        posts: None,
        email: false,
        stored_html: true,
        ids: None,
    };
    let mut given = 0;
    store
        .each_approved_comment(&read, &mut |_| {
            given += 1;
            false
        })
        .unwrap();
    assert_eq!(given, 1);
    let by_post = quill::comments::ThreadRead {
        posts: Some(&["first", "second"]),
        ..read
    };
    given = 0;
    store
        .each_approved_comment(&by_post, &mut |_| {
            given += 1;
            false
        })
        .unwrap();
    assert_eq!(given, 1, "nor are the next posts' rows");
}
