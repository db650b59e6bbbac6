//! Comments in the built site: hostile input comes out inert, emails never appear, only
//! approved comments show, and the form's fields are exactly what ingest reads.

use scraper::{ElementRef, Html, Selector};

use crate::common::{TestSite, snapshot};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

fn submission(
    id: &str,
    post: &str,
    username: &str,
    email: &str,
    body: &str,
    minute: usize,
) -> String {
    serde_json::json!({
        "id": id, "post": post, "username": username, "email": email, "body": body,
        "timestamp": format!("2024-02-01T{:02}:{:02}:00Z", minute / 60 % 24, minute % 60),
    })
    .to_string()
}

fn site_with(extra_config: &str, lines: &[String]) -> TestSite {
    let site = TestSite::with_config(extra_config);
    site.post("first", "First", "2024-01-01", "tags = [\"t\"]\n", "x");
    site.post("second", "Second", "2024-01-02", "", "x");
    site.write("in.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "in.jsonl"]);
    assert!(matches!(run.code, Some(0) | Some(2)), "{}", run.stderr);
    site.run(&["build"]).ok();
    site
}

const URL_ATTRIBUTES: [&str; 9] = [
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "poster",
    "srcset",
    "background",
];

/// Everything the issue forbids inside the comments section.
pub(crate) fn assert_inert(section: ElementRef<'_>, context: &str) {
    for element in section.descendants().filter_map(ElementRef::wrap) {
        let name = element.value().name();
        assert!(
            ![
                "script", "style", "iframe", "object", "embed", "svg", "math", "base", "meta",
                "link"
            ]
            .contains(&name),
            "{context}: <{name}> in the thread"
        );
        for (attr, value) in element.value().attrs() {
            assert!(
                !attr.to_lowercase().starts_with("on"),
                "{context}: {attr}={value:?} on <{name}>"
            );
            if URL_ATTRIBUTES.contains(&attr) {
                let v = value.trim().to_lowercase();
                assert!(
                    v.starts_with("http://")
                        || v.starts_with("https://")
                        || v.starts_with("mailto:")
                        || v.starts_with('#'),
                    "{context}: {attr}={value:?} on <{name}>"
                );
            }
        }
    }
    for body in section.select(&sel(".comment-body > *")) {
        for element in body.descendants().filter_map(ElementRef::wrap) {
            let name = element.value().name();
            assert!(
                [
                    "p",
                    "br",
                    "em",
                    "strong",
                    "del",
                    "code",
                    "pre",
                    "ul",
                    "ol",
                    "li",
                    "blockquote",
                    "a",
                    "hr"
                ]
                .contains(&name),
                "{context}: <{name}> in a comment body"
            );
            assert!(
                element.value().attr("style").is_none(),
                "{context}: style attribute"
            );
            if name == "a" {
                assert_eq!(
                    element.value().attr("rel"),
                    Some("nofollow ugc noopener"),
                    "{context}"
                );
            }
        }
    }
    for author in section.select(&sel(".comment-author")) {
        assert_eq!(
            author.children().filter_map(ElementRef::wrap).count(),
            0,
            "{context}: markup in a username"
        );
    }
}

#[test]
fn hostile_bodies_and_usernames_come_out_inert() {
    let mut payloads = crate::common::xss_payloads();
    payloads.extend(
        [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](jav&#x09;ascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[x](vbscript:msgbox(1))",
            "<javascript:alert(1)>",
            "[ref][r]\n\n[r]: javascript:alert(1) \"title\"",
            "[q](https://ok.example \"a\\\" onmouseover=\\\"alert(1)\")",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<div><p><b><i>unclosed",
            "</textarea><script>alert(1)</script>",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            "![img](javascript:alert(1))",
            "```\"><script>alert(1)</script>\ncode\n```",
            &"a".repeat(3000),
            "\u{202E}gnp.exe\u{202C} right-to-left override",
            "&#x202E;gnp.exe encoded override",
        ]
        .map(str::to_string),
    );
    let mut lines = Vec::new();
    for (i, payload) in payloads.iter().enumerate() {
        let body: String = payload.chars().take(5000).collect();
        let username = if i % 40 == 0 {
            crate::common::as_username(payload)
        } else {
            format!("Visitor {i}")
        };
        lines.push(submission(
            &format!("x{i}"),
            "first",
            &username,
            &format!("v{i}@secret-mail.test"),
            &body,
            i,
        ));
    }
    lines.push(submission(
        "control",
        "first",
        "Ada",
        "ada@secret-mail.test",
        "Plain *emphasis* and [a link](https://example.org).",
        5000,
    ));
    // Every payload on the post's page, where the checks look.
    let site = site_with("[comments]\nper_page = 0\n", &lines);
    // The page is built from the HTML stored at ingest, so that is what the checks judge.
    assert_eq!(
        site.sql_text("SELECT CAST(COUNT(*) AS TEXT) FROM comments WHERE body_html IS NULL OR html_version <> 1"),
        "0"
    );
    let html = Html::parse_document(&site.read("public/posts/first/index.html"));
    let section = html
        .select(&sel("section.comments"))
        .next()
        .expect("a comments section");
    assert!(
        section.select(&sel(".comment")).count() > 6000,
        "the payloads were published, not dropped"
    );
    assert_inert(section, "posts/first");
    let text = site.read("public/posts/first/index.html");
    assert!(
        text.contains("<em>emphasis</em>")
            && text.contains(
                "<a href=\"https://example.org\" rel=\"nofollow ugc noopener\">a link</a>"
            )
    );
    assert!(!text.contains('\u{202E}'), "bidi overrides are removed");
    let feed = site.read("public/comments.xml");
    assert!(!feed.contains("<script"), "the feed escapes bodies");
    for (file, bytes) in snapshot(&site.path("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes).contains("secret-mail"),
            "an email address leaked into {file}"
        );
    }
}

#[test]
fn gravatar_publishes_only_the_hash() {
    use sha2::Digest;
    let lines = [
        submission("a", "first", "Ada", "Ada@Secret-Mail.test", "hi", 1),
        // An importer's placeholder for a comment that came without an address.
        submission("b", "first", "Guest", "3f2a@disqus.invalid", "hello", 2),
    ];
    let site = site_with("[comments]\navatars = \"gravatar\"\n", &lines);
    let hash: String = sha2::Sha256::digest(b"ada@secret-mail.test")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let page = site.read("public/posts/first/index.html");
    assert!(page.contains(&hash));
    // The placeholder has no avatar to look up: the guest gets initials, not a hash.
    assert_eq!(page.matches("gravatar.com/avatar/").count(), 1, "{page}");
    assert!(page.contains(">G</span>"), "{page}");
    for (file, bytes) in snapshot(&site.path("public")) {
        assert!(
            !String::from_utf8_lossy(&bytes)
                .to_lowercase()
                .contains("secret-mail"),
            "{file}"
        );
    }
}

#[test]
fn only_approved_comments_are_published() {
    let lines = [submission(
        "a",
        "first",
        "Ada",
        "a@x.test",
        "waiting for approval",
        1,
    )];
    let site = site_with(
        "[comments]\nmoderation = \"manual\"\nendpoint = \"https://forms.example/x\"\n",
        &lines,
    );
    let page = site.read("public/posts/first/index.html");
    assert!(!page.contains("waiting for approval") && page.contains("Comments are moderated"));
    site.run(&["comments", "spam", "1"]).ok();
    site.run(&["build"]).ok();
    assert!(
        !site
            .read("public/posts/first/index.html")
            .contains("waiting for approval")
    );
    assert!(
        !site
            .read("public/comments.xml")
            .contains("waiting for approval")
    );
    site.run(&["comments", "approve", "1"]).ok();
    site.run(&["build"]).ok();
    assert!(
        site.read("public/posts/first/index.html")
            .contains("waiting for approval")
    );
    assert!(site.read("public/comments.xml").contains("#comment-1"));
}

#[test]
fn counts_on_listings_and_threads_in_order_with_a_depth_cap() {
    let mut lines = vec![submission("root", "first", "Ada", "a@x.test", "root", 0)];
    for n in 1..=5 {
        let parent = if n == 1 {
            "root".to_string()
        } else {
            format!("r{}", n - 1)
        };
        let mut line: serde_json::Value = serde_json::from_str(&submission(
            &format!("r{n}"),
            "first",
            "Bob",
            "b@x.test",
            &format!("reply {n}"),
            n,
        ))
        .unwrap();
        line["parent"] = parent.into();
        lines.push(line.to_string());
    }
    lines.push(submission(
        "other",
        "second",
        "Cy",
        "c@x.test",
        "on second",
        9,
    ));
    let site = site_with("[comments]\nmax_depth = 3\n", &lines);
    let index = site.read("public/index.html");
    assert!(
        index.contains("6 comments") && index.contains("1 comment<"),
        "{index}"
    );
    assert!(site.read("public/tags/t/index.html").contains("6 comments"));
    let html = Html::parse_document(&site.read("public/posts/first/index.html"));
    let top = html.select(&sel("ol.comment-list > li.comment")).count();
    assert_eq!(top, 1);
    let deepest = html
        .select(&sel("ol.comment-list > li > ol > li > ol > li"))
        .map(|li| li.value().attr("id").unwrap().to_string())
        .collect::<Vec<_>>();
    assert_eq!(
        deepest,
        ["comment-3", "comment-4", "comment-5", "comment-6"],
        "replies past depth 3 stay at depth 3, in order"
    );
    assert_eq!(
        html.select(&sel("ol.comment-list > li > ol > li > ol > li > ol"))
            .count(),
        0
    );
}

#[test]
fn closed_and_disabled_comments() {
    let lines = [submission(
        "a",
        "first",
        "Ada",
        "a@x.test",
        "said before closing",
        1,
    )];
    let site = site_with(
        "[comments]\nendpoint = \"https://forms.example/x\"\n",
        &lines,
    );
    assert!(site.read("public/posts/first/index.html").contains("<form"));
    site.post("first", "First", "2024-01-01", "comments = false\n", "x");
    site.run(&["build"]).ok();
    let page = site.read("public/posts/first/index.html");
    assert!(
        page.contains("said before closing")
            && !page.contains("<form")
            && page.contains("Comments are closed")
    );
    site.write(
        "site.toml",
        "title = \"Test\"\nbase_url = \"https://example.org\"\n[comments]\nenabled = false\n",
    );
    site.run(&["build"]).ok();
    let page = site.read("public/posts/first/index.html");
    assert!(!page.contains("said before closing") && !page.contains("class=\"comments\""));
    assert!(!site.exists("public/comments.xml"));
}

#[test]
fn providers_add_what_their_service_needs() {
    let netlify = site_with(
        "[comments]\nendpoint = \"/thanks/\"\nprovider = \"netlify\"\n",
        &[],
    );
    let page = netlify.read("public/posts/first/index.html");
    for needle in [
        "data-netlify=\"true\"",
        "netlify-honeypot=\"website\"",
        "name=\"comments\"",
        "name=\"form-name\" value=\"comments\"",
    ] {
        assert!(page.contains(needle), "netlify: {needle}");
    }
    let formspree = site_with(
        "[comments]\nendpoint = \"https://formspree.io/f/abc\"\nprovider = \"formspree\"\n",
        &[],
    );
    let page = formspree.read("public/posts/first/index.html");
    assert!(
        page.contains("action=\"https://formspree.io/f/abc\"")
            && page.contains("name=\"_subject\"")
            && !page.contains("data-netlify")
    );
    let none = site_with(
        "",
        &[submission(
            "a",
            "first",
            "Ada",
            "a@x.test",
            "thread without form",
            1,
        )],
    );
    let page = none.read("public/posts/first/index.html");
    assert!(!page.contains("<form") && page.contains("thread without form"));
}

#[test]
fn the_form_round_trips_through_ingest() {
    let site = site_with("[comments]\nendpoint = \"https://forms.example/x\"\n", &[]);
    let html = Html::parse_document(&site.read("public/posts/second/index.html"));
    let form = html
        .select(&sel("form#comment-form"))
        .next()
        .expect("the comment form");
    let mut submission = serde_json::Map::new();
    for field in form.select(&sel("input, textarea")) {
        let name = field.value().attr("name").unwrap().to_string();
        let value = match (field.value().attr("type"), name.as_str()) {
            (Some("hidden"), _) => field.value().attr("value").unwrap_or("").to_string(),
            (_, "username") => "Round Trip".into(),
            (_, "email") => "rt@example.org".into(),
            (_, "body") => "Came in through the form".into(),
            _ => String::new(),
        };
        let required = field.value().attr("required").is_some();
        assert!(
            !required || !value.is_empty(),
            "required field {name} was filled"
        );
        submission.insert(name, value.into());
    }
    let names: Vec<&String> = submission.keys().collect();
    assert_eq!(
        names,
        ["body", "email", "parent", "post", "username", "website"]
    );
    site.write(
        "export.jsonl",
        &(serde_json::Value::Object(submission).to_string() + "\n"),
    );
    site.run(&["ingest", "export.jsonl"]).ok();
    site.run(&["build"]).ok();
    assert!(
        site.read("public/posts/second/index.html")
            .contains("Came in through the form")
    );
}

#[test]
fn one_new_comment_changes_only_the_pages_that_show_it() {
    let site = site_with(
        "",
        &[submission(
            "a",
            "first",
            "Ada",
            "a@x.test",
            "first comment",
            1,
        )],
    );
    let before = snapshot(&site.path("public"));
    site.write(
        "one.jsonl",
        &(submission("b", "first", "Bob", "b@x.test", "one more", 2) + "\n"),
    );
    site.run(&["ingest", "one.jsonl"]).ok();
    site.run(&["build"]).ok();
    let after = snapshot(&site.path("public"));
    let changed: Vec<&str> = after
        .iter()
        .filter(|(path, bytes)| {
            before
                .iter()
                .find(|(p, _)| p == path)
                .is_none_or(|(_, b)| b != bytes)
        })
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(
        changed,
        [
            "comments.xml",
            "index.html",
            "posts/first/index.html",
            "tags/t/index.html"
        ]
    );
    assert_eq!(before.len(), after.len());
}

/// What a browser submits for `form`: its own fields, plus the checked radio of each group
/// among all the page's controls that belong to it (the `form` attribute), the one chosen by
/// `chosen` (a `name=value` pair) checked instead of the default.
fn submitted(html: &Html, chosen: (&str, &str)) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    let owned =
        sel("form#comment-form input, form#comment-form textarea, input[form=comment-form]");
    for field in html.select(&owned) {
        let (name, kind) = (
            field.value().attr("name").unwrap(),
            field.value().attr("type"),
        );
        let value = field.value().attr("value").unwrap_or("");
        let checked = match kind {
            Some("radio") if name == chosen.0 => value == chosen.1,
            Some("radio") => field.value().attr("checked").is_some(),
            _ => true,
        };
        if !checked {
            continue;
        }
        let value = match name {
            "username" => "Replier",
            "email" => "replier@example.org",
            "body" => "A reply through the one form",
            _ => value,
        };
        assert!(
            fields.insert(name.to_string(), value.into()).is_none(),
            "{name} submitted twice"
        );
    }
    fields
}

#[test]
fn one_form_per_page_and_a_reply_needs_no_script() {
    let site = site_with(
        "[comments]\nendpoint = \"https://forms.example/x\"\n",
        &[
            submission("a", "first", "Ada", "a@x.test", "top comment", 1),
            submission("b", "first", "Bob", "b@x.test", "another one", 2),
        ],
    );
    let html = Html::parse_document(&site.read("public/posts/first/index.html"));
    assert_eq!(html.select(&sel("form")).count(), 1, "one form on the page");
    let controls: Vec<_> = html
        .select(&sel(".comment input[type=radio][name=parent]"))
        .collect();
    assert_eq!(controls.len(), 2, "a reply control per comment");
    for control in &controls {
        assert_eq!(control.value().attr("form"), Some("comment-form"));
        let label = ElementRef::wrap(control.parent().unwrap()).unwrap();
        assert_eq!(label.value().name(), "label", "the control has its label");
    }
    // The comment by Ada is replied to, as a browser with no script would send it.
    let ada = html
        .select(&sel(".comment"))
        .next()
        .unwrap()
        .value()
        .attr("id")
        .unwrap();
    let ada_id = ada.strip_prefix("comment-").unwrap();
    let reply = submitted(&html, ("parent", ada_id));
    assert_eq!(reply["parent"], ada_id, "{reply:?}");
    let plain = submitted(&html, ("none", ""));
    assert_eq!(plain["parent"], "", "no reply unless one is chosen");
    site.write(
        "replies.jsonl",
        &(serde_json::Value::Object(reply).to_string() + "\n"),
    );
    site.run(&["ingest", "replies.jsonl"]).ok();
    site.run(&["build"]).ok();
    let html = Html::parse_document(&site.read("public/posts/first/index.html"));
    let nested = html
        .select(&sel(&format!("#{ada} .comment-replies .comment-body")))
        .next()
        .expect("the reply under Ada's comment");
    assert!(
        nested
            .text()
            .collect::<String>()
            .contains("A reply through the one form")
    );
}

#[test]
fn a_comment_costs_at_most_400_bytes_beyond_its_name_and_words() {
    let comments = 600;
    let lines: Vec<String> = (0..comments)
        .map(|i| {
            let mut line: serde_json::Value = serde_json::from_str(&submission(
                &format!("k{i}"),
                "first",
                &format!("Name{i:05}"),
                &format!("u{i}@example.org"),
                &format!("Words{i:05}"),
                i,
            ))
            .unwrap();
            if i % 3 != 0 {
                line["parent"] = format!("k{}", i - 1).into();
            }
            line.to_string()
        })
        .collect();
    // Every comment on the one page weighed.
    let config = "[comments]\nendpoint = \"https://forms.example/x\"\nper_page = 0\n";
    let busy = site_with(config, &lines);
    let quiet = site_with(config, &[]);
    let weight = |site: &TestSite| site.read("public/posts/first/index.html").len();
    // What the comment says, as its HTML, and who wrote it: the rest is the thread's cost.
    let own = "<p>Words00000</p>\n".len() + "Name00000".len();
    let per_comment = (weight(&busy) - weight(&quiet)) / comments - own;
    assert!(per_comment <= 400, "{per_comment} bytes a comment");
}
