//! `[notify]`: the author told after a run that stored comments waiting for them, by mail
//! through an SMTP server the test runs on 127.0.0.1 and by a command; one message per run,
//! none for a run that stored nothing to see, a warning (and the comments kept) when telling
//! fails, and the password never in any output.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use crate::common::TestSite;

const PASSWORD: &str = "s3cret-Pa55word";

/// What the test server received in one session.
#[derive(Debug, Clone, Default)]
struct Mail {
    auth: Option<String>,
    from: String,
    to: String,
    data: String,
}

/// An SMTP server on 127.0.0.1 that accepts everything and keeps what it got.
struct SmtpServer {
    port: u16,
    mails: Arc<Mutex<Vec<Mail>>>,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&mails);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = session(stream, &kept);
            }
        });
        SmtpServer { port, mails }
    }

    fn mails(&self) -> Vec<Mail> {
        self.mails.lock().unwrap().clone()
    }
}

fn session(stream: TcpStream, mails: &Mutex<Vec<Mail>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 test ESMTP\r\n")?;
    let mut mail = Mail::default();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_uppercase();
        if upper.starts_with("EHLO") {
            out.write_all(b"250-test\r\n250 AUTH PLAIN\r\n")?;
        } else if let Some(token) = command.strip_prefix("AUTH PLAIN ") {
            mail.auth = Some(token.to_string());
            out.write_all(b"235 ok\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            mail.from = command[10..].to_string();
            out.write_all(b"250 ok\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            mail.to = command[8..].to_string();
            out.write_all(b"250 ok\r\n")?;
        } else if upper == "DATA" {
            out.write_all(b"354 go on\r\n")?;
            loop {
                line.clear();
                lines.read_line(&mut line)?;
                if line == ".\r\n" {
                    break;
                }
                mail.data.push_str(&line);
            }
            mails.lock().unwrap().push(std::mem::take(&mut mail));
            out.write_all(b"250 queued\r\n")?;
        } else if upper == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            out.write_all(b"500 what\r\n")?;
        }
    }
}

fn site(notify: &str) -> TestSite {
    let site = TestSite::with_config(&format!(
        "[comments]\nmoderation = \"manual\"\n\n[notify]\n{notify}"
    ));
    site.post("first", "First", "2024-01-01", "", "x");
    site.post("second", "Second", "2024-01-02", "", "x");
    site
}

fn submissions() -> String {
    [
        serde_json::json!({"id": "a", "post": "first", "username": "Ada", "email": "ada@visitor.example",
            "body": "Lovely post <script>alert('x')</script>", "timestamp": "2024-02-01T10:00:00Z"}),
        serde_json::json!({"id": "b", "post": "second", "username": "Grace <b>", "email": "grace@visitor.example",
            "body": "A question about the second part.", "timestamp": "2024-02-01T11:00:00Z"}),
    ]
    .iter()
    .map(|v| v.to_string() + "\n")
    .collect()
}

fn ingest(site: &TestSite, file: &str) -> crate::common::Run {
    site.run_env(&["ingest", file], &[("QUILL_SMTP_PASSWORD", PASSWORD)])
}

fn assert_no_password(run: &crate::common::Run) {
    assert!(
        !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
        "the password leaked:\n{}\n{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn one_mail_per_run_with_what_waits_and_none_for_a_run_that_stored_nothing() {
    let server = SmtpServer::start();
    let site = site(&format!(
        "email = \"me@author.example\"\nsmtp = \"smtp://author@127.0.0.1:{}\"\n",
        server.port
    ));
    site.write("in.jsonl", &submissions());
    let run = ingest(&site, "in.jsonl").ok();
    assert_no_password(&run);
    let mails = server.mails();
    assert_eq!(mails.len(), 1, "one message for the run");
    let mail = &mails[0];
    // AUTH PLAIN's token: base64 of "\0author\0" and the password.
    assert_eq!(
        mail.auth.as_deref(),
        Some("AGF1dGhvcgBzM2NyZXQtUGE1NXdvcmQ=")
    );
    assert_eq!(mail.to, "<me@author.example>");
    let data = &mail.data;
    assert!(
        data.contains("Content-Type: text/plain; charset=utf-8"),
        "{data}"
    );
    assert!(data.contains("2 waiting for you"), "{data}");
    assert!(
        data.contains("\r\nfirst\r\n") && data.contains("\r\nsecond\r\n"),
        "per post: {data}"
    );
    assert!(
        data.contains("quill comments approve 1") && data.contains("quill comments delete 2"),
        "{data}"
    );
    assert!(
        !data.contains("<script>") && data.contains("&lt;script&gt;"),
        "{data}"
    );
    assert!(data.contains("Grace &lt;b&gt;"), "{data}");
    assert!(
        !data.contains("visitor.example"),
        "no visitor's address: {data}"
    );
    assert!(!data.contains(PASSWORD));

    // The same file again stores nothing: no message.
    ingest(&site, "in.jsonl").ok();
    assert_eq!(server.mails().len(), 1);
    // Approved comments need nothing from the author: no message either.
    let config = site
        .read("site.toml")
        .replace("moderation = \"manual\"", "moderation = \"auto\"");
    site.write("site.toml", &config);
    site.write(
        "more.jsonl",
        &(serde_json::json!({"id": "c", "post": "first", "username": "Linus", "email": "l@visitor.example",
            "body": "Thanks!", "timestamp": "2024-02-02T10:00:00Z"}).to_string() + "\n"),
    );
    ingest(&site, "more.jsonl").ok();
    assert_eq!(server.mails().len(), 1);
}

#[test]
fn a_server_that_is_down_is_a_warning_and_the_comments_are_stored() {
    // A port nobody listens on: bound, then let go.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let site = site(&format!(
        "email = \"me@author.example\"\nsmtp = \"smtp://author@127.0.0.1:{port}\"\n"
    ));
    site.write("in.jsonl", &submissions());
    let run = ingest(&site, "in.jsonl").ok();
    assert!(
        run.stderr
            .contains("warning: could not mail me@author.example"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("they are stored"), "{}", run.stderr);
    assert_no_password(&run);
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("2 comments")
    );
}

#[test]
fn a_command_gets_the_summary_as_json_once_per_run() {
    let site = site("command = \"cat > told.json\"\n");
    site.write("in.jsonl", &submissions());
    let run = ingest(&site, "in.jsonl").ok();
    assert_no_password(&run);
    let told: serde_json::Value = serde_json::from_str(&site.read("told.json")).unwrap();
    assert_eq!(told["pending"], 2);
    assert_eq!(told["posts"][0]["post"], "first");
    let first = &told["posts"][0]["comments"][0];
    assert_eq!(first["approve"], "quill comments approve 1");
    assert_eq!(first["delete"], "quill comments delete 1");
    assert!(
        first["excerpt"]
            .as_str()
            .unwrap()
            .contains("&lt;script&gt;"),
        "{first}"
    );
    assert!(!told.to_string().contains("visitor.example"), "{told}");
    // Nothing new, nothing told.
    std::fs::remove_file(site.path("told.json")).unwrap();
    ingest(&site, "in.jsonl").ok();
    assert!(!site.exists("told.json"));
}

#[test]
fn a_failing_command_is_a_warning_and_it_never_sees_the_password() {
    let site = site("command = \"env > env.txt; echo broken >&2; exit 3\"\n");
    site.write("in.jsonl", &submissions());
    let run = ingest(&site, "in.jsonl").ok();
    assert!(
        run.stderr.contains("warning: the notify command failed"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("broken"), "{}", run.stderr);
    assert!(!site.read("env.txt").contains(PASSWORD));
    assert_no_password(&run);
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("2 comments")
    );
}

#[test]
fn a_password_in_site_toml_is_refused_without_showing_it() {
    let site = site(&format!(
        "email = \"me@author.example\"\nsmtp = \"smtp://author:{PASSWORD}@127.0.0.1:25\"\n"
    ));
    site.write("in.jsonl", &submissions());
    let run = ingest(&site, "in.jsonl").fails_with(1);
    assert!(run.stderr.contains("QUILL_SMTP_PASSWORD"), "{}", run.stderr);
    assert_no_password(&run);
}

#[test]
fn the_call_for_the_endpoint_tells_of_one_stored_comment() {
    let site = site("command = \"cat > told.json\"\n");
    site.write("in.jsonl", &submissions());
    ingest(&site, "in.jsonl").ok();
    std::fs::remove_file(site.path("told.json")).unwrap();
    // What `quill serve`'s endpoint calls after storing comment 2.
    let warnings = quill::notify::after_submission(site.root(), 2);
    assert!(warnings.is_empty(), "{warnings:?}");
    let told: serde_json::Value = serde_json::from_str(&site.read("told.json")).unwrap();
    assert_eq!(told["pending"], 1);
    assert_eq!(told["posts"][0]["comments"][0]["id"], 2);
    assert_eq!(told["posts"][0]["comments"][0]["author"], "Grace &lt;b&gt;");
    // An id that is not there is a warning, not a panic.
    let warnings = quill::notify::after_submission(site.root(), 99);
    assert!(warnings[0].contains("99"), "{warnings:?}");
}

#[test]
fn an_smtps_server_is_spoken_to_in_tls_only_even_on_this_machine() {
    // The test server speaks plain SMTP: a TLS client must fail its handshake, never fall
    // back to plain text and send the password.
    let server = SmtpServer::start();
    let site = site(&format!(
        "email = \"me@author.example\"\nsmtp = \"smtps://author@127.0.0.1:{}\"\n",
        server.port
    ));
    site.write("in.jsonl", &submissions());
    let run = ingest(&site, "in.jsonl").ok();
    assert!(
        run.stderr
            .contains("warning: could not mail me@author.example"),
        "{}",
        run.stderr
    );
    assert_no_password(&run);
    assert!(server.mails().is_empty());
    assert!(
        site.run(&["comments", "list"])
            .ok()
            .stdout
            .contains("2 comments")
    );
}
