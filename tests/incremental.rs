//! Incremental builds: after each kind of change, updating the last build's output gives
//! exactly the bytes (and folders) a full build gives, and rewrites only what changed. The
//! comment changes run on each backend, since the per-post stamps are the store's.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::{Backend, TestSite, backend_tests};

backend_tests! {
    nothing_changed_writes_nothing,
    one_comment_rewrites_its_post_the_listings_that_count_it_and_the_feed,
    a_deleted_comment_disappears,
    moderation_changes_show,
    a_mention_approved_joins_its_post_thread_as_a_full_build_shows_it,
    a_thread_is_paged_as_it_grows_and_shrinks,
    a_new_comment_renders_only_the_page_of_its_thread_that_shows_it,
}

/// Every file and folder under `dir`: folders as `None`, files with their bytes.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

/// The files whose bytes differ between two trees, and those only in one of them.
fn changed(
    a: &BTreeMap<String, Option<Vec<u8>>>,
    b: &BTreeMap<String, Option<Vec<u8>>>,
) -> Vec<String> {
    let mut paths: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|p| {
            a.get(*p) != b.get(*p)
                && (a.get(*p).is_some_and(Option::is_some)
                    || b.get(*p).is_some_and(Option::is_some))
        })
        .cloned()
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// A site with posts, tags, pagination, a page, a bundle with an image, a static file and
/// comments, built once.
fn blog_on(backend: Backend) -> TestSite {
    let site = TestSite::on(backend, "paginate_by = 2\nfeed_limit = 3\n");
    site.post(
        "alpha",
        "Alpha",
        "2024-01-01",
        "tags = [\"rust\", \"web\"]\n",
        "Alpha body.\n\n<!-- more -->\n\nMore.",
    );
    site.post(
        "beta",
        "Beta",
        "2024-01-02",
        "tags = [\"rust\"]\n",
        "Beta body with a [link](https://example.org).",
    );
    site.post(
        "gamma",
        "Gamma",
        "2024-01-03",
        "tags = [\"web\"]\n",
        "# Heading\n\nGamma body.",
    );
    site.post("delta", "Delta", "2024-01-04", "", "Delta body.");
    site.write(
        "content/posts/bundle/index.md",
        "+++\ntitle = \"Bundle\"\ndate = 2024-01-05\ntags = [\"photos\"]\n+++\n![a lake](lake.svg)\n",
    );
    site.write(
        "content/posts/bundle/lake.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\n+++\nAbout me.\n",
    );
    site.write("static/robots-extra.txt", "hello\n");
    site.write(
        "subs.jsonl",
        concat!(
            "{\"id\":\"c1\",\"post\":\"alpha\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"First!\",\"timestamp\":\"2024-02-01T10:00:00Z\"}\n",
            "{\"id\":\"c2\",\"post\":\"alpha\",\"username\":\"Bob\",\"email\":\"bob@example.org\",\"body\":\"A reply\",\"timestamp\":\"2024-02-02T10:00:00Z\",\"parent\":\"c1\"}\n",
            "{\"id\":\"c3\",\"post\":\"gamma\",\"username\":\"Cy\",\"email\":\"cy@example.org\",\"body\":\"On gamma\",\"timestamp\":\"2024-02-03T10:00:00Z\"}\n",
        ),
    );
    site.run(&["ingest", "subs.jsonl"]).ok();
    let first = site.run(&["build"]).ok();
    assert!(first.stdout.contains(" files)"), "{}", first.stdout);
    site
}

/// [`blog_on`] with the site's own SQLite database.
fn blog() -> TestSite {
    blog_on(Backend::Sqlite)
}

/// Makes a change, updates the last build, and checks it against a full build of the same
/// site; returns the files whose bytes the change altered and the number the build wrote
/// (`None` when the change made it a full build).
fn after(site: &TestSite, change: impl Fn(&TestSite)) -> (Vec<String>, Option<usize>) {
    let (changed, counts) = after_counts(site, change);
    (changed, counts.map(|(_, written)| written))
}

/// As [`after`], with how many files the incremental build rendered and wrote.
fn after_counts(
    site: &TestSite,
    change: impl Fn(&TestSite),
) -> (Vec<String>, Option<(usize, usize)>) {
    let before = tree(&site.path("public"));
    change(site);
    let run = site.run(&["build"]).ok();
    let incremental = tree(&site.path("public"));
    site.run(&["build", "--full", "-o", "full"]).ok();
    let full = tree(&site.path("full"));
    let differs = changed(&incremental, &full);
    assert!(
        differs.is_empty(),
        "the incremental build differs from a full one in {differs:?}"
    );
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "the same files and folders"
    );
    std::fs::remove_dir_all(site.path("full")).unwrap();
    (changed(&before, &incremental), counts(&run.stdout))
}

/// "built ... (5 rendered, 3 of 40 files changed) into ...": what an incremental build says
/// it rendered and rewrote; `None` for a full build.
fn counts(stdout: &str) -> Option<(usize, usize)> {
    let inside = stdout.split_once(" rendered, ")?;
    let number = |s: &str| -> usize {
        s.trim()
            .parse()
            .unwrap_or_else(|_| panic!("unexpected summary: {stdout}"))
    };
    let rendered = number(inside.0.rsplit('(').next()?);
    let written = number(inside.1.split(" of ").next()?);
    Some((rendered, written))
}

fn ingest(site: &TestSite, line: &str) {
    site.write("more.jsonl", line);
    site.run(&["ingest", "more.jsonl"]).ok();
}

fn nothing_changed_writes_nothing(backend: Backend) {
    let site = blog_on(backend);
    let (changed, written) = after(&site, |_| {});
    assert!(changed.is_empty(), "{changed:?}");
    assert_eq!(written, Some(0));
}

fn one_comment_rewrites_its_post_the_listings_that_count_it_and_the_feed(backend: Backend) {
    let site = blog_on(backend);
    let unrelated = site.path("public/posts/beta/index.html");
    let unrelated_modified = std::fs::metadata(&unrelated).unwrap().modified().unwrap();
    let (changed, written) = after(&site, |s| {
        ingest(
            s,
            "{\"id\":\"c4\",\"post\":\"delta\",\"username\":\"Di\",\"email\":\"di@example.org\",\"body\":\"Nice *post*\",\"timestamp\":\"2024-02-04T10:00:00Z\"}\n",
        );
    });
    assert_eq!(
        changed,
        ["comments.xml", "index.html", "posts/delta/index.html"],
        "the post, the index page that shows its count, and the comments feed"
    );
    assert_eq!(
        written,
        Some(changed.len()),
        "only changed files are written"
    );
    assert!(
        site.read("public/posts/delta/index.html")
            .contains("<em>post</em>")
    );
    assert_eq!(
        std::fs::metadata(&unrelated).unwrap().modified().unwrap(),
        unrelated_modified,
        "an unrelated post is not rewritten"
    );
}

fn a_deleted_comment_disappears(backend: Backend) {
    let site = blog_on(backend);
    let (changed, _) = after(&site, |s| {
        s.run(&["comments", "delete", "3"]).ok();
    });
    assert!(
        changed.contains(&"posts/gamma/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        !site
            .read("public/posts/gamma/index.html")
            .contains("On gamma")
    );
}

fn moderation_changes_show(backend: Backend) {
    let site = blog_on(backend);
    let (changed, _) = after(&site, |s| {
        s.run(&["comments", "spam", "1"]).ok();
    });
    assert!(
        changed.contains(&"posts/alpha/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        !site
            .read("public/posts/alpha/index.html")
            .contains("First!")
    );
}

/// A webmention reply (imported, so through the store's own path) between Ada's comment and
/// Bob's reply to it, and a like: marked as spam, it leaves the thread; approved, it is back
/// in its place. Each time only the post is rewritten, as a full build writes it.
fn a_mention_approved_joins_its_post_thread_as_a_full_build_shows_it(backend: Backend) {
    let site = blog_on(backend);
    site.write(
        "mentions.jf2",
        r#"{"type": "feed", "children": [
          {"type": "entry", "author": {"type": "card", "name": "Bea", "url": "https://bea.example/"},
           "wm-source": "https://bea.example/notes/1", "wm-target": "https://example.org/posts/alpha/",
           "wm-property": "in-reply-to", "published": "2024-02-01T12:00:00Z",
           "content": {"text": "A reply from my own blog."}},
          {"type": "entry", "author": {"type": "card", "name": "Cy"},
           "wm-source": "https://cy.example/likes/1", "wm-target": "https://example.org/posts/alpha/",
           "wm-property": "like-of", "wm-received": "2024-02-01T13:00:00Z"}
        ]}"#,
    );
    let thread = |site: &TestSite| {
        let page = site.read("public/posts/alpha/index.html");
        let html = scraper::Html::parse_document(&page);
        let item = scraper::Selector::parse(".comment-list li .comment-body").unwrap();
        html.select(&item)
            .map(|b| b.text().collect::<String>().trim().to_string())
            .collect::<Vec<_>>()
    };
    let (changed, _) = after(&site, |s| {
        s.run(&["import", "webmention-io", "mentions.jf2"]).ok();
    });
    assert_eq!(changed, ["posts/alpha/index.html"]);
    assert_eq!(
        thread(&site),
        ["First!", "A reply", "A reply from my own blog."],
        "Ada's comment with Bob's reply under it, then the mention"
    );
    assert!(
        site.read("public/posts/alpha/index.html")
            .contains("<strong>1 like</strong>: <a href=\"https://cy.example/likes/1\" rel=\"nofollow ugc\"><bdi>Cy</bdi></a>")
    );

    let listed = site
        .run(&["comments", "list", "--kind", "mention", "--json"])
        .ok()
        .stdout;
    let listed: Vec<serde_json::Value> = serde_json::from_str(&listed).unwrap();
    let reply = listed
        .iter()
        .find(|m| m["body"] == "A reply from my own blog.")
        .expect("the reply is stored");
    let id = reply["id"].to_string();
    let (changed, _) = after(&site, |s| {
        s.run(&["comments", "spam", &id]).ok();
    });
    assert_eq!(changed, ["posts/alpha/index.html"]);
    assert_eq!(thread(&site), ["First!", "A reply"]);
    let (changed, _) = after(&site, |s| {
        s.run(&["comments", "approve", &id]).ok();
    });
    assert_eq!(changed, ["posts/alpha/index.html"]);
    assert_eq!(
        thread(&site),
        ["First!", "A reply", "A reply from my own blog."]
    );
}

/// A comment on "talk" at hour `hour`, replying to the submission `parent`.
fn talk_comment(name: &str, parent: Option<&str>, hour: u32) -> String {
    let parent = parent.map_or(String::new(), |p| format!(",\"parent\":\"{p}\""));
    format!(
        "{{\"id\":\"{name}\",\"post\":\"talk\",\"username\":\"{name}\",\"email\":\"{name}@example.org\",\"body\":\"Said {name}\",\"timestamp\":\"2024-02-01T{hour:02}:00:00Z\"{parent}}}\n"
    )
}

/// A comment on a paged thread renders the post's page (which counts the comments) and the
/// page that shows it, not the thread's other pages: a reply on page 3 of 4 renders one file
/// more than a reply on page 1, which renders as many as a comment on a post without pages.
fn a_new_comment_renders_only_the_page_of_its_thread_that_shows_it(backend: Backend) {
    let site = TestSite::on(backend, "[comments]\nper_page = 1\n");
    site.post("talk", "Talk", "2024-01-01", "", "Talk to me.");
    site.post("other", "Other", "2024-01-02", "", "Elsewhere.");
    let top: String = (1..=4)
        .map(|i| talk_comment(&format!("t{i}"), None, i))
        .collect();
    let on_other = |line: String| line.replace("\"post\":\"talk\"", "\"post\":\"other\"");
    ingest(&site, &(top + &on_other(talk_comment("o0", None, 1))));
    site.run(&["build"]).ok();
    let rendered = |line: String| {
        let (changed, counts) = after_counts(&site, |s| ingest(s, &line));
        (changed, counts.expect("an incremental build").0)
    };
    let (_, elsewhere) = rendered(on_other(talk_comment("o1", Some("o0"), 9)));
    let (changed, on_first) = rendered(talk_comment("r1", Some("t1"), 10));
    assert_eq!(on_first, elsewhere, "{changed:?}");
    let (changed, on_third) = rendered(talk_comment("r3", Some("t3"), 11));
    assert_eq!(on_third, elsewhere + 1, "{changed:?}");
    for file in ["posts/talk/index.html", "posts/talk/comments/3/index.html"] {
        assert!(changed.iter().any(|c| c == file), "{file}: {changed:?}");
    }
    for file in [
        "posts/talk/comments/2/index.html",
        "posts/talk/comments/4/index.html",
    ] {
        assert!(!changed.iter().any(|c| c == file), "{file}: {changed:?}");
    }
    assert!(
        site.read("public/posts/talk/comments/3/index.html")
            .contains("Said r3")
    );
}

fn a_thread_is_paged_as_it_grows_and_shrinks(backend: Backend) {
    let site = TestSite::on(backend, "[comments]\nper_page = 2\n");
    site.post("talk", "Talk", "2024-01-01", "", "Talk to me.");
    site.post("other", "Other", "2024-01-02", "", "Elsewhere.");
    ingest(
        &site,
        &(talk_comment("t1", None, 1) + &talk_comment("t2", None, 2)),
    );
    site.run(&["build"]).ok();
    let second = "posts/talk/comments/2/index.html".to_string();
    assert!(!site.exists(&format!("public/{second}")));

    // A third top-level comment opens page 2; the sitemap lists it.
    let (changed, _) = after(&site, |s| ingest(s, &talk_comment("t3", None, 3)));
    for file in [&second, "posts/talk/index.html", "sitemap.xml"] {
        assert!(changed.iter().any(|c| c == file), "{file}: {changed:?}");
    }
    assert!(!changed.iter().any(|c| c == "posts/other/index.html"));
    assert!(site.read(&format!("public/{second}")).contains("Said t3"));

    // A late reply to t1 joins page 1; nothing moves between pages.
    let (changed, _) = after(&site, |s| ingest(s, &talk_comment("r1", Some("t1"), 4)));
    assert!(changed.iter().any(|c| c == "posts/talk/index.html"));
    assert!(
        site.read("public/posts/talk/index.html")
            .contains("Said r1")
    );
    assert!(!site.read(&format!("public/{second}")).contains("Said r1"));

    // Two more top-level comments: page 3.
    let (changed, _) = after(&site, |s| {
        ingest(
            s,
            &(talk_comment("t4", None, 5) + &talk_comment("t5", None, 6)),
        )
    });
    assert!(
        changed
            .iter()
            .any(|c| c == "posts/talk/comments/3/index.html")
    );

    // A comment elsewhere: the feed still links talk's comments to their pages (from the
    // last build's record, as talk's thread is not read), as a full build does.
    let (changed, _) = after(&site, |s| {
        s.write(
            "other.jsonl",
            "{\"id\":\"o1\",\"post\":\"other\",\"username\":\"O\",\"email\":\"o@example.org\",\"body\":\"Said o1\",\"timestamp\":\"2024-02-01T07:00:00Z\"}\n",
        );
        s.run(&["ingest", "other.jsonl"]).ok();
    });
    assert!(changed.iter().any(|c| c == "comments.xml"));
    assert!(
        !changed.iter().any(|c| c.starts_with("posts/talk/")),
        "{changed:?}"
    );
    let feed = site.read("public/comments.xml");
    assert!(feed.contains("/posts/talk/comments/3/#comment-"), "{feed}");

    // An unchanged thread keeps its pages through a build that reads no comments.
    let (changed, written) = after(&site, |_| {});
    assert_eq!((changed.len(), written), (0, Some(0)), "{changed:?}");

    // Deleting t3 (id 3) and t5 (id 6) leaves two pages: page 3 is gone, t4 moves up.
    // (o1, on the other post, is id 7.)
    let (changed, _) = after(&site, |s| {
        s.run(&["comments", "delete", "3", "6"]).ok();
    });
    assert!(
        changed
            .iter()
            .any(|c| c == "posts/talk/comments/3/index.html")
    );
    assert!(!site.exists("public/posts/talk/comments/3"));
    assert!(site.read(&format!("public/{second}")).contains("Said t4"));
    assert!(!site.read("public/sitemap.xml").contains("comments/3/"));
}

#[test]
fn an_edited_post() {
    let site = blog();
    let (changed, _) = after(&site, |s| {
        s.post(
            "beta",
            "Beta, revised",
            "2024-01-02",
            "tags = [\"rust\"]\n",
            "New words.",
        );
    });
    assert!(
        changed.contains(&"posts/beta/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&"posts/alpha/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        site.read("public/posts/beta/index.html")
            .contains("New words.")
    );
}

#[test]
fn an_added_post() {
    let site = blog();
    let (changed, _) = after(&site, |s| {
        s.post(
            "epsilon",
            "Epsilon",
            "2024-01-06",
            "tags = [\"new\"]\n",
            "Fresh.",
        );
    });
    assert!(
        changed.contains(&"posts/epsilon/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        changed.contains(&"tags/new/index.html".to_string()),
        "{changed:?}"
    );
}

#[test]
fn a_deleted_post_leaves_no_trace() {
    let site = blog();
    let (changed, _) = after(&site, |s| {
        std::fs::remove_file(s.path("content/posts/gamma.md")).unwrap();
    });
    assert!(
        changed.contains(&"posts/gamma/index.html".to_string()),
        "{changed:?}"
    );
    assert!(!site.exists("public/posts/gamma"), "its folder goes too");
}

#[test]
fn a_deleted_bundle_takes_its_files() {
    let site = blog();
    after(&site, |s| {
        std::fs::remove_dir_all(s.path("content/posts/bundle")).unwrap();
    });
    assert!(!site.exists("public/posts/bundle"));
    assert!(!site.exists("public/tags/photos"));
}

#[test]
fn a_renamed_tag() {
    let site = blog();
    let (changed, _) = after(&site, |s| {
        s.post(
            "gamma",
            "Gamma",
            "2024-01-03",
            "tags = [\"www\"]\n",
            "# Heading\n\nGamma body.",
        );
        s.post(
            "alpha",
            "Alpha",
            "2024-01-01",
            "tags = [\"rust\", \"www\"]\n",
            "Alpha body.\n\n<!-- more -->\n\nMore.",
        );
    });
    assert!(
        changed.contains(&"tags/www/index.html".to_string()),
        "{changed:?}"
    );
    assert!(!site.exists("public/tags/web"));
}

#[test]
fn a_changed_template_rebuilds_what_uses_it() {
    let site = blog();
    let (changed, written) = after(&site, |s| {
        s.write(
            "templates/post.html",
            "{% extends \"base.html\" %}{% block content %}<h1 class=\"custom\">{{ page.title }}</h1>{{ page.content | safe }}{% endblock %}",
        );
    });
    for post in ["alpha", "beta", "gamma", "delta", "bundle"] {
        let path = format!("posts/{post}/index.html");
        assert!(changed.contains(&path), "{path} in {changed:?}");
        assert!(
            site.read(&format!("public/{path}"))
                .contains("class=\"custom\"")
        );
    }
    assert_eq!(written, None, "a template change makes a full build");
}

#[test]
fn a_changed_site_toml_rebuilds_everything_that_shows_it() {
    let site = blog();
    let (changed, written) = after(&site, |s| {
        s.write(
            "site.toml",
            "title = \"Renamed\"\nbase_url = \"https://example.org\"\npaginate_by = 3\nfeed_limit = 3\n",
        );
    });
    assert!(
        changed.contains(&"posts/beta/index.html".to_string()),
        "{changed:?}"
    );
    assert!(site.read("public/index.html").contains("Renamed"));
    assert_eq!(written, None, "a site.toml change makes a full build");
}

#[test]
fn static_files_and_bundle_files() {
    let site = blog();
    let (changed, written) = after(&site, |s| {
        s.write("static/robots-extra.txt", "changed\n");
        s.write(
            "content/posts/bundle/map.svg",
            "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
        );
        std::fs::remove_file(s.path("content/posts/bundle/lake.svg")).unwrap();
    });
    assert_eq!(
        changed,
        [
            "posts/bundle/lake.svg",
            "posts/bundle/map.svg",
            "robots-extra.txt"
        ]
    );
    assert_eq!(written, Some(2), "two files copied; one removed");
}

#[test]
fn drafts_and_a_failed_build() {
    let site = blog();
    after(&site, |s| {
        s.write(
            "content/posts/draft.md",
            "+++\ntitle = \"Draft\"\ndate = 2024-03-01\ndraft = true\n+++\nNot yet.\n",
        );
    });
    assert!(!site.exists("public/posts/draft"));
    // A failed build between two good ones changes nothing and is not trusted afterwards.
    let before = tree(&site.path("public"));
    site.write(
        "templates/post.html",
        "{% extends \"base.html\" %}{% block content %}{{ page.missing.field }}{% endblock %}",
    );
    site.run(&["build"]).fails_with(1);
    assert_eq!(
        tree(&site.path("public")),
        before,
        "a failed build leaves public/ as it was"
    );
    after(&site, |s| {
        std::fs::remove_file(s.path("templates/post.html")).unwrap();
    });
}

#[test]
fn a_change_that_keeps_size_and_time_is_seen_when_the_file_was_new() {
    // A write within the same tick of the file system's clock as the last build's read keeps
    // the fingerprint: a file that was that new when read is read again, not trusted.
    let site = blog();
    let file = site.path("content/posts/delta.md");
    let set_time = |when: std::time::SystemTime| {
        std::fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(when)
            .unwrap();
    };
    let now = std::time::SystemTime::now();
    site.post("delta", "Delta", "2024-01-04", "", "First words.");
    set_time(now);
    site.run(&["build"]).ok();
    site.post("delta", "Delta", "2024-01-04", "", "Other words.");
    set_time(now);
    let (changed, _) = after(&site, |_| {});
    assert!(
        changed.contains(&"posts/delta/index.html".to_string()),
        "{changed:?}"
    );
    assert!(
        site.read("public/posts/delta/index.html")
            .contains("Other words.")
    );
}

/// The front matter record beside the output is rewritten when a source changed, and only
/// then: a new comment leaves it as it was.
#[cfg(unix)]
#[test]
fn the_source_record_is_rewritten_only_when_a_source_changed() {
    use std::os::unix::fs::MetadataExt;

    let site = blog();
    // Files a day old are settled: a fingerprint read from them can be trusted later.
    let day_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(86_400);
    for entry in walkdir::WalkDir::new(site.path("content")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let file = std::fs::File::options()
                .write(true)
                .open(entry.path())
                .unwrap();
            file.set_modified(day_ago).unwrap();
        }
    }
    site.run(&["build"]).ok();
    // Renaming a new record over the old one gives it a new inode.
    let record = || {
        std::fs::metadata(site.path(".public.quill-sources"))
            .unwrap()
            .ino()
    };
    let settled = record();
    let (changed, _) = after(&site, |s| {
        ingest(
            s,
            "{\"id\":\"c9\",\"post\":\"beta\",\"username\":\"Di\",\"email\":\"di@example.org\",\"body\":\"Hi\",\"timestamp\":\"2024-02-04T10:00:00Z\"}\n",
        );
    });
    assert!(changed.contains(&"posts/beta/index.html".to_string()));
    assert_eq!(record(), settled, "a new comment rewrote the source record");
    after(&site, |s| {
        s.post("beta", "Beta", "2024-01-02", "", "New words.");
    });
    assert_ne!(record(), settled, "an edited post left the source record");
}

#[test]
fn a_permalink_change_moves_every_post() {
    let site = blog();
    let (changed, written) = after(&site, |s| {
        s.write(
            "site.toml",
            "title = \"Test\"\nbase_url = \"https://example.org\"\npaginate_by = 2\nfeed_limit = 3\n[permalinks]\nposts = \"/:year/:month/:title.html\"\n",
        );
    });
    for file in [
        "posts/alpha/index.html",
        "2024/01/alpha.html",
        "2024/01/bundle.html",
        "index.html",
        "atom.xml",
        "sitemap.xml",
    ] {
        assert!(changed.contains(&file.to_string()), "{file}: {changed:?}");
    }
    assert!(!site.exists("public/posts/alpha/index.html"));
    assert!(
        site.read("public/2024/01/alpha.html").contains("First!"),
        "the comments stay with their post"
    );
    assert_eq!(written, None, "a site.toml change makes a full build");
}

#[test]
fn a_post_moved_between_sections() {
    let site = blog();
    site.write("content/notes/_index.md", "+++\ntitle = \"Notes\"\n+++\n");
    site.run(&["build"]).ok();
    let (changed, written) = after(&site, |s| {
        std::fs::rename(
            s.path("content/posts/beta.md"),
            s.path("content/notes/beta.md"),
        )
        .unwrap();
    });
    for file in [
        "posts/beta/index.html",
        "notes/beta/index.html",
        "notes/index.html",
        "page/2/index.html",
        "tags/rust/index.html",
        "sitemap.xml",
    ] {
        assert!(changed.contains(&file.to_string()), "{file}: {changed:?}");
    }
    assert!(
        !changed.contains(&"posts/alpha/index.html".to_string()),
        "other posts are left alone: {changed:?}"
    );
    assert!(written.is_some(), "an incremental build");
}

#[test]
fn a_folder_that_becomes_a_section() {
    let site = blog();
    site.write(
        "content/journal/day.md",
        "+++\ntitle = \"Day\"\ndate = 2024-03-01\n+++\nA day.\n",
    );
    site.run(&["build"]).ok();
    assert!(
        !site.read("public/index.html").contains("/journal/day/"),
        "a dated page outside any section is a page"
    );
    let (changed, written) = after(&site, |s| {
        s.write(
            "content/journal/_index.md",
            "+++\ntitle = \"Journal\"\n+++\n",
        );
    });
    assert!(
        changed.contains(&"journal/index.html".to_string()),
        "{changed:?}"
    );
    assert!(changed.contains(&"index.html".to_string()), "{changed:?}");
    assert!(site.read("public/index.html").contains("/journal/day/"));
    assert!(written.is_some(), "an incremental build");
}

/// The names beside `public/` in the site root that a build may leave: its records only.
fn beside_output(site: &TestSite) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public."))
        .collect();
    names.sort();
    names
}

#[test]
fn a_build_killed_during_its_renames_is_finished_by_the_next_command() {
    let site = blog();
    let before = tree(&site.path("public"));
    for post in ["alpha", "beta", "gamma"] {
        site.write(
            &format!("content/posts/{post}.md"),
            &format!("+++\ntitle = \"{post} again\"\ndate = 2024-01-01\n+++\nEdited.\n"),
        );
    }
    // Killed after two of its renames: the process dies as it would from a kill -9.
    let killed = site.run_env(&["build"], &[("QUILL_CRASH_AFTER_RENAMES", "2")]);
    assert_ne!(killed.code, Some(0), "the injected crash happened");
    let mixed = tree(&site.path("public"));
    assert!(
        !mixed.keys().any(|p| p.contains("quill")),
        "no temporary file inside the output: {:?}",
        mixed
            .keys()
            .filter(|p| p.contains("quill"))
            .collect::<Vec<_>>()
    );
    assert_ne!(mixed, before, "the crash fell inside the renames");
    assert!(beside_output(&site).contains(&".public.quill-journal".to_string()));
    // The next command that touches the output first finishes the renames.
    let next = site.run(&["build"]).ok();
    assert!(
        next.stderr.contains("finished an interrupted update of "),
        "{}",
        next.stderr
    );
    site.run(&["build", "--full", "-o", "full"]).ok();
    assert!(
        tree(&site.path("public")) == tree(&site.path("full")),
        "one complete build"
    );
    assert_eq!(
        beside_output(&site),
        [
            ".public.quill-lock",
            ".public.quill-manifest",
            ".public.quill-sources"
        ]
    );
}

#[test]
fn what_a_killed_full_build_left_is_removed_by_the_next() {
    let site = blog();
    // A full build killed while rendering leaves its staging folder, one killed after the
    // swap its old output; neither is removed by the dead process.
    site.write(".public.staging-99999/index.html", "half a build");
    site.write(".public.old-99998/index.html", "an old build");
    let next = site.run(&["build"]).ok();
    assert!(next.stderr.contains("removed 2 folders"), "{}", next.stderr);
    assert_eq!(
        beside_output(&site),
        [
            ".public.quill-lock",
            ".public.quill-manifest",
            ".public.quill-sources"
        ]
    );
}

#[test]
fn an_added_translation_links_its_original() {
    let site = TestSite::with_config("[languages.es]\ntitle = \"Prueba\"\n");
    site.post("trip", "Trip", "2024-01-01", "", "Away.");
    site.post("other", "Other", "2024-01-02", "", "Else.");
    site.run(&["build"]).ok();
    let (changed, written) = after(&site, |s| {
        s.write(
            "content/posts/trip.es.md",
            "+++\ntitle = \"Viaje\"\ndate = 2024-01-01\n+++\nFuera.\n",
        );
    });
    for file in [
        "posts/trip/index.html",
        "es/posts/trip/index.html",
        "es/index.html",
        "es/atom.xml",
    ] {
        assert!(changed.contains(&file.to_string()), "{file}: {changed:?}");
    }
    assert!(
        !changed.contains(&"posts/other/index.html".to_string()),
        "{changed:?}"
    );
    assert!(written.is_some(), "an incremental build");
}
