//! The spam filter that learns: the cold start, teaching by `comments approve` and `comments
//! spam`, the thresholds, `comments train`, scores and reasons in the console, the model
//! copied between backends, and ingest, an import and the endpoint all scored.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;

use serde_json::Value;

use crate::common::{Backend, TestSite, backend_tests};

backend_tests! {
    the_filter_only_records_scores_until_it_has_learned_enough,
    approve_and_spam_teach_it_and_the_thresholds_decide,
    changing_ones_mind_counts_a_comment_once_and_train_rebuilds_the_same_model,
    an_explicit_status_stands_and_off_scores_nothing,
}

/// Conversation, the way commenters on a programming blog write it.
const HAM: &[&str] = &[
    "Thanks for the write-up, the part about lifetimes finally made sense to me.",
    "I tried this on my own blog and the build got twice as fast. Nice post!",
    "Small typo in the second paragraph: 'teh' should be 'the'. Great read otherwise.",
    "Have you compared this with the approach in the Rust book? Curious what you think.",
    "Great post, I had the same problem with my static site last year.",
    "Could you share the config you used for the benchmark? I get different numbers.",
    "This matches what I saw when moving my blog off WordPress, thanks for writing it up.",
    "I disagree a little: the borrow checker was the easy part for me, async was harder.",
    "Bookmarked. The section on error messages is something I will point my team to.",
    "Does this still work with the newest compiler? The example fails for me on nightly.",
];

/// Link spam, the way it arrives through comment forms.
const SPAM: &[&str] = &[
    "Buy cheap viagra online at https://pills.example.com best prices guaranteed",
    "Best casino bonus! Visit https://casino.example.net for free spins today",
    "Cheap replica watches, order now at https://watches.example.org discount",
    "Earn money fast from home, click https://money.example.com and start today",
    "Cheap loans approved instantly https://loans.example.com no credit check",
    "Great article! Check my site https://seo.example.biz for cheap backlinks",
    "Lose weight fast with our pills https://diet.example.com order discount",
    "Win big at the online casino https://slots.example.net bonus for new players",
    "Cheap essay writing service https://essays.example.com order today discount",
    "Free crypto bonus, click https://coins.example.io to claim your money now",
];

/// A site with two posts and `extra` in its `[comments]` (manual moderation unless it says).
fn site(backend: Backend, extra: &str) -> TestSite {
    let moderation = if extra.contains("moderation") {
        ""
    } else {
        "moderation = \"manual\"\n"
    };
    let site = TestSite::on(backend, &format!("[comments]\n{moderation}{extra}"));
    site.post("first", "First", "2024-01-01", "", "x");
    site.post("second", "Second", "2024-01-02", "", "x");
    site
}

fn line(id: &str, name: &str, email: &str, body: &str) -> String {
    serde_json::json!({
        "id": id, "post": "first", "username": name, "email": email, "body": body,
        "timestamp": "2024-02-01T10:00:00Z",
    })
    .to_string()
}

/// `spam` spam and `ham` ham submissions, each a little different from the others.
fn history(spam: usize, ham: usize, tag: &str) -> String {
    let mut lines = Vec::new();
    for i in 0..ham {
        let body = format!("{} (reply {i})", HAM[i % HAM.len()]);
        let name = ["Ada", "Grace", "Linus", "Barbara"][i % 4];
        lines.push(line(
            &format!("{tag}h{i}"),
            name,
            &format!("{name}{i}@mail.example.org"),
            &body,
        ));
    }
    for i in 0..spam {
        let body = format!("{} {}", SPAM[i % SPAM.len()], i);
        lines.push(line(
            &format!("{tag}s{i}"),
            "Cheap Deals",
            &format!("seo{i}@spam.example"),
            &body,
        ));
    }
    lines.join("\n") + "\n"
}

fn ingest(site: &TestSite, name: &str, text: &str) -> Value {
    site.write(name, text);
    let out = site.run(&["ingest", name, "--json"]).ok().stdout;
    serde_json::from_str(&out).unwrap()
}

fn list(site: &TestSite) -> Vec<Value> {
    let out = site.run(&["comments", "list", "--json"]).ok().stdout;
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn ids_where(site: &TestSite, prefix: &str) -> Vec<String> {
    list(site)
        .iter()
        .filter(|c| c["submission_key"].as_str().unwrap().starts_with(prefix))
        .map(|c| c["id"].to_string())
        .collect()
}

fn by_key(site: &TestSite, key: &str) -> Value {
    list(site)
        .into_iter()
        .find(|c| c["submission_key"] == key)
        .unwrap_or_else(|| panic!("no comment {key}"))
}

/// Ingests a history and decides it as the author would.
fn teach(site: &TestSite, spam: usize, ham: usize) {
    ingest(site, "history.jsonl", &history(spam, ham, "t"));
    let ham_ids = ids_where(site, "th");
    let spam_ids = ids_where(site, "ts");
    let mut approve = vec!["comments", "approve"];
    approve.extend(ham_ids.iter().map(String::as_str));
    site.run(&approve).ok();
    let mut mark = vec!["comments", "spam"];
    mark.extend(spam_ids.iter().map(String::as_str));
    site.run(&mark).ok();
}

fn model(site: &TestSite) -> String {
    site.sql_text("SELECT spam_docs || ' ' || ham_docs FROM spam_model")
}

const NEW_SPAM: &str = "Cheap pills and casino bonus, order now at https://pills.example.com";
const NEW_HAM: &str = "Thanks, the part about lifetimes made sense. Did you try it on nightly?";

fn the_filter_only_records_scores_until_it_has_learned_enough(backend: Backend) {
    let site = site(backend, "");
    // 19 spam: one short of deciding.
    teach(&site, 19, 25);
    assert_eq!(model(&site), "19 25");
    ingest(
        &site,
        "new.jsonl",
        &(line("n1", "Deals", "x@spam.example", NEW_SPAM) + "\n"),
    );
    let new = by_key(&site, "n1");
    assert_eq!(
        new["status"], "pending",
        "manual moderation, not the filter"
    );
    assert!(new["spam_score"].as_f64().unwrap() > 0.9, "{new}");
    // The twentieth decision starts it deciding.
    site.run(&["comments", "spam", &new["id"].to_string()]).ok();
    assert_eq!(model(&site), "20 25");
    let report = ingest(
        &site,
        "next.jsonl",
        &(line(
            "n2",
            "Deals",
            "y@spam.example",
            &format!("{NEW_SPAM} again"),
        ) + "\n"),
    );
    assert_eq!(report["spam"], 1, "{report}");
    assert_eq!(by_key(&site, "n2")["status"], "spam");
}

fn approve_and_spam_teach_it_and_the_thresholds_decide(backend: Backend) {
    let site = site(backend, "moderation = \"auto\"\n");
    // Auto moderation: the history arrives approved; the author marks the spam.
    ingest(&site, "history.jsonl", &history(20, 20, "t"));
    let spam_ids = ids_where(&site, "ts");
    let mut mark = vec!["comments", "spam"];
    mark.extend(spam_ids.iter().map(String::as_str));
    site.run(&mark).ok();
    let ham_ids = ids_where(&site, "th");
    let mut approve = vec!["comments", "approve"];
    approve.extend(ham_ids.iter().map(String::as_str));
    site.run(&approve).ok();
    assert_eq!(model(&site), "20 20");
    let taught = list(&site);
    assert!(taught.iter().all(|c| !c["spam_taught"].is_null()));

    let mut text = line("new-spam", "Deals", "z@spam.example", NEW_SPAM) + "\n";
    text += &(line("new-ham", "Edsger", "ed@mail.example.org", NEW_HAM) + "\n");
    // Words seen as often in both: neither clearly spam nor clearly conversation.
    text += &(line(
        "new-unsure",
        "Someone",
        "s@elsewhere.example",
        "cheap lifetimes",
    ) + "\n");
    let report = ingest(&site, "new.jsonl", &text);
    assert_eq!(
        (report["spam"].as_u64(), report["approved"].as_u64()),
        (Some(1), Some(2)),
        "{report}"
    );
    let spam = by_key(&site, "new-spam");
    assert_eq!(spam["status"], "spam");
    let reasons = spam["spam_reasons"].as_str().unwrap();
    assert!(
        reasons.contains("email:spam.example +") && reasons.contains("links:1 +"),
        "{reasons}"
    );
    assert!(
        !reasons.contains("z@spam"),
        "no address in the reasons: {reasons}"
    );
    let ham = by_key(&site, "new-ham");
    assert_eq!(ham["status"], "approved");
    assert!(ham["spam_score"].as_f64().unwrap() < 0.5);

    // The thresholds are the site's: a middle score waits with a low pending_above.
    let unsure = by_key(&site, "new-unsure");
    let score = unsure["spam_score"].as_f64().unwrap();
    let config = site.read("site.toml");
    site.write(
        "site.toml",
        &config.replace(
            "moderation = \"auto\"\n",
            &format!(
                "moderation = \"auto\"\npending_above = {:.3}\nspam_above = 0.999\n",
                score - 0.01
            ),
        ),
    );
    ingest(
        &site,
        "again.jsonl",
        &(line(
            "again",
            "Someone",
            "s@elsewhere.example",
            "cheap lifetimes!",
        ) + "\n"),
    );
    assert_eq!(by_key(&site, "again")["status"], "pending");

    // The console shows the score and why; the visitor's address is not among the reasons.
    let show = site
        .run(&["comments", "show", &spam["id"].to_string()])
        .ok()
        .stdout;
    assert!(
        show.contains("spam:      0.9") || show.contains("spam:      1.00"),
        "{show}"
    );
    assert!(show.contains("email:spam.example +"), "{show}");
}

fn changing_ones_mind_counts_a_comment_once_and_train_rebuilds_the_same_model(backend: Backend) {
    let site = site(backend, "");
    teach(&site, 20, 20);
    let counts =
        || site.sql_text("SELECT COUNT(*) || ' ' || SUM(spam) || ' ' || SUM(ham) FROM spam_tokens");
    let (before_model, before_tokens) = (model(&site), counts());
    let id = ids_where(&site, "ts").remove(0);
    site.run(&["comments", "approve", &id]).ok();
    assert_eq!(model(&site), "19 21");
    site.run(&["comments", "spam", &id]).ok();
    site.run(&["comments", "spam", &id]).ok();
    assert_eq!(model(&site), before_model);
    assert_eq!(counts(), before_tokens);
    // Rebuilt from the statuses, the model is the one the decisions taught.
    let run = site.run(&["comments", "train"]).ok();
    assert!(
        run.stdout
            .contains("learned 20 approved comments and 20 spam"),
        "{}",
        run.stdout
    );
    assert_eq!(model(&site), before_model);
    assert_eq!(counts(), before_tokens);
    // A pending comment teaches nothing; train says when it is not enough to decide.
    let few = TestSite::on(backend, "");
    few.post("first", "First", "2024-01-01", "", "x");
    ingest(&few, "h.jsonl", &history(3, 0, "t"));
    let run = few.run(&["comments", "train"]).ok();
    assert!(
        run.stdout
            .contains("learned 0 approved comments and 3 spam")
            || run
                .stdout
                .contains("learned 3 approved comments and 0 spam"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("only records scores until it has learned 20 of each")
    );
}

fn an_explicit_status_stands_and_off_scores_nothing(backend: Backend) {
    let site = site(backend, "");
    teach(&site, 20, 20);
    // The author's own export keeps its status; the filter only records its score.
    let trusted = serde_json::json!({
        "id": "mine", "post": "first", "username": "Deals", "email": "q@spam.example",
        "body": NEW_SPAM, "status": "approved", "timestamp": "2024-02-01T10:00:00Z",
    });
    site.write("export.jsonl", &format!("{trusted}\n"));
    site.run(&["ingest", "--trusted", "export.jsonl"]).ok();
    let mine = by_key(&site, "mine");
    assert_eq!(mine["status"], "approved");
    assert!(mine["spam_score"].as_f64().unwrap() > 0.9);
    // Off: no score, no decision.
    let config = site.read("site.toml");
    site.write(
        "site.toml",
        &config.replace("[comments]\n", "[comments]\nspam_filter = \"off\"\n"),
    );
    ingest(
        &site,
        "off.jsonl",
        &(line("off", "Deals", "r@spam.example", NEW_SPAM) + "\n"),
    );
    let off = by_key(&site, "off");
    assert_eq!(off["status"], "pending");
    assert!(off["spam_score"].is_null());
    // A threshold out of range is refused, naming the file.
    site.write(
        "site.toml",
        &config.replace("[comments]\n", "[comments]\nspam_above = 1.5\n"),
    );
    let run = site.run(&["ingest", "off.jsonl"]).fails_with(1);
    assert!(
        run.stderr.contains("site.toml") && run.stderr.contains("spam_above"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_model_is_copied_between_backends() {
    let Some(Backend::Postgres(server)) = Backend::postgres() else {
        return;
    };
    let site = site(Backend::Sqlite, "");
    teach(&site, 20, 21);
    let url = server.create_database();
    site.run(&["db", "copy", "--to", &url]).ok();
    let on_pg = [("DATABASE_URL", url.as_str())];
    let pg_list = site
        .run_env(&["comments", "list", "--json"], &on_pg)
        .ok()
        .stdout;
    let sqlite_list = site.run(&["comments", "list", "--json"]).ok().stdout;
    assert_eq!(pg_list, sqlite_list, "scores, reasons and lessons travel");
    // The copy decides as the original does.
    let text = line("after", "Deals", "w@spam.example", NEW_SPAM) + "\n";
    site.write("after.jsonl", &text);
    let report = site
        .run_env(&["ingest", "after.jsonl", "--json"], &on_pg)
        .ok()
        .stdout;
    let report: Value = serde_json::from_str(&report).unwrap();
    assert_eq!(report["spam"], 1, "{report}");
    // And back again.
    site.run_env(&["db", "copy", "--to", "sqlite://back.db"], &on_pg)
        .ok();
    let back = site
        .run_env(
            &["comments", "train"],
            &[("DATABASE_URL", "sqlite://back.db")],
        )
        .ok();
    assert!(
        back.stdout
            .contains("learned 21 approved comments and 21 spam"),
        "{}",
        back.stdout
    );
}

#[test]
fn an_import_is_scored() {
    let site = site(Backend::Sqlite, "");
    teach(&site, 20, 20);
    site.post("hello", "Hello", "2024-01-05", "", "x");
    // A Staticman comment file. Staticman publishes what it stores, so the import keeps that
    // decision; the filter's score is recorded for the author to see.
    site.write(
        "data/comments/hello/comment-1.yml",
        &format!("_id: c1\nname: Deals\nemail: a@spam.example\nmessage: \"{NEW_SPAM}\"\ndate: 1706781600\n"),
    );
    let run = site.run(&["import", "staticman", "data/comments", "--json"]);
    let report: Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("{}", run.stderr));
    assert_eq!(report["approved"], 1, "{report}");
    let imported = list(&site)
        .into_iter()
        .find(|c| c["post"] == "hello")
        .unwrap();
    assert!(imported["spam_score"].as_f64().unwrap() > 0.9, "{imported}");
}

#[test]
fn the_endpoint_is_scored_and_tells_the_visitor_nothing_of_why() {
    let site = site(Backend::Sqlite, "moderation = \"auto\"\n");
    teach(&site, 20, 20);
    let mut child = site
        .command()
        .args([
            "serve",
            "--port",
            "0",
            "--output-dir",
            "preview",
            "--accept-comments",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let address = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let body = format!(
        "post=first&username=Deals&email=v%40spam.example&website=&body={}",
        NEW_SPAM
            .replace(' ', "+")
            .replace(':', "%3A")
            .replace('/', "%2F")
            .replace(',', "%2C")
    );
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    write!(
        stream,
        "POST /_quill/comments HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    assert!(response.starts_with("HTTP/1.1 303"), "{response}");
    assert!(response.contains("/_quill/moderation"), "{response}");
    assert!(
        !response.contains("link:") && !response.contains("score"),
        "{response}"
    );
    let stored = list(&site)
        .into_iter()
        .find(|c| c["username"] == "Deals" && c["email"] == "v@spam.example")
        .unwrap();
    assert_eq!(stored["status"], "spam");
}
