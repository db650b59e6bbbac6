//! The output checked by tools others maintain, in a real browser: the Nu Html Checker,
//! xmllint with the sitemaps.org schema, axe-core, and Chromium driven by Playwright
//! (`tests/browser/checks.mjs`). They need Chromium, Java, xmllint and `npm ci`; `.ci/run`
//! installs them. Without them the test says what is missing and passes, except in CI
//! (`CI=true`), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::TestSite;

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn missing_tools() -> Vec<&'static str> {
    let mut missing = Vec::new();
    let on_path = |tool: &str| Command::new(tool).arg("--version").output().is_ok();
    if !Path::new(REPO)
        .join("node_modules/playwright-core")
        .is_dir()
    {
        missing.push("node_modules (npm ci)");
    }
    if !Path::new("/usr/bin/chromium").exists() {
        missing.push("chromium (apt-get install chromium)");
    }
    if !on_path("xmllint") {
        missing.push("xmllint (apt-get install libxml2-utils)");
    }
    if !on_path("java") || !on_path("node") {
        missing.push("java and node");
    }
    missing
}

/// A copy of the repository's sample blog with the sample comments ingested and the sample
/// webmentions (replies, likes, a repost on the lake walk) imported, built.
fn sample_site() -> TestSite {
    let site = TestSite::empty();
    site.write(
        "site.toml",
        &std::fs::read_to_string(Path::new(REPO).join("site.toml")).unwrap(),
    );
    for entry in walkdir::WalkDir::new(Path::new(REPO).join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let relative = entry.path().strip_prefix(REPO).unwrap();
            let to = site.path(&relative.to_string_lossy());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    let submissions = Path::new(REPO).join("tests/fixtures/sample-submissions.jsonl");
    site.run(&[
        "ingest",
        submissions.to_str().unwrap(),
        "--rejects",
        "rejects.jsonl",
    ])
    .ok();
    let mentions = Path::new(REPO).join("tests/fixtures/sample-mentions.jf2.json");
    site.run(&["import", "webmention-io", mentions.to_str().unwrap()])
        .ok();
    site.run(&["build"]).ok();
    site
}

/// A site with one post whose thread runs over twelve pages (a top-level comment each, with a
/// reply on the sixth), so that the checkers see the links between a thread's pages with the
/// gaps they leave.
fn paged_site() -> TestSite {
    let site = TestSite::with_config(
        "[comments]\nper_page = 1\nendpoint = \"https://forms.example/comments\"\n",
    );
    site.post(
        "long",
        "A long thread",
        "2024-01-01",
        "",
        "Many visitors had a word.",
    );
    let mut lines: Vec<String> = (1..=12)
        .map(|n| crate::common::comment_line("long", &format!("c{n}"), None, n))
        .collect();
    lines.push(crate::common::comment_line("long", "r6", Some("c6"), 60));
    site.write("long.jsonl", &(lines.join("\n") + "\n"));
    site.run(&["ingest", "long.jsonl"]).ok();
    site.run(&["build"]).ok();
    assert!(site.exists("public/posts/long/comments/12/index.html"));
    site
}

/// A site with one post whose comments are every payload of the XSS corpora, and with every
/// fourth payload also a webmention's words and its author's name (a reply, a like or a
/// repost, so each place a mention is shown gets them).
fn xss_site() -> TestSite {
    // Every payload on the one page the browser opens.
    let site = TestSite::with_config("[comments]\nper_page = 0\n");
    site.post(
        "xss",
        "Hostile comments",
        "2024-01-01",
        "",
        "Every payload below is a visitor's comment.",
    );
    let mut lines = Vec::new();
    for payload in crate::common::xss_payloads() {
        let n = lines.len();
        let username = if n % 25 == 0 {
            crate::common::as_username(&payload)
        } else {
            format!("Visitor {n}")
        };
        lines.push(
            serde_json::json!({
                "id": format!("x{n}"), "post": "xss", "username": username,
                "email": format!("v{n}@example.org"), "body": payload,
                "timestamp": format!("2024-02-01T{:02}:{:02}:{:02}Z", n / 3600 % 24, n / 60 % 60, n % 60),
            })
            .to_string(),
        );
    }
    site.write("xss.jsonl", &(lines.join("\n") + "\n"));
    let run = site.run(&["ingest", "xss.jsonl"]);
    assert!(matches!(run.code, Some(0) | Some(2)), "{}", run.stderr);
    let kinds = ["in-reply-to", "like-of", "repost-of", "in-reply-to"];
    let children: Vec<serde_json::Value> = crate::common::xss_payloads()
        .iter()
        .step_by(4)
        .enumerate()
        .map(|(n, payload)| {
            serde_json::json!({
                "type": "entry",
                "author": {"type": "card", "name": crate::common::as_username(payload), "url": payload, "photo": payload},
                "wm-source": format!("https://s{n}.example/note"),
                "wm-target": "https://example.org/posts/xss/",
                "wm-property": kinds[n % kinds.len()],
                "published": "2024-02-01T12:00:00Z",
                "content": {"text": payload, "html": payload},
            })
        })
        .collect();
    site.write(
        "xss.jf2",
        &serde_json::json!({"type": "feed", "children": children}).to_string(),
    );
    let run = site.run(&["import", "webmention-io", "xss.jf2"]);
    assert!(matches!(run.code, Some(0) | Some(2)), "{}", run.stderr);
    site.run(&["build"]).ok();
    site
}

/// The file an internal URL path names in `public`, if any.
fn target_file(public: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path);
    let file = public.join(decoded.trim_start_matches('/'));
    let file = if decoded.ends_with('/') || file.is_dir() {
        file.join("index.html")
    } else {
        file
    };
    file.is_file().then_some(file)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every internal link, fragment and asset reference of the sample site (with comments)
/// resolves to a file of the output, and every fragment to an element of its page.
#[test]
fn every_internal_link_resolves() {
    use scraper::{Html, Selector};
    let site = sample_site();
    let public = site.path("public");
    let base = "https://example.org";
    let refs =
        Selector::parse("a[href], link[href], img[src], script[src], source[src], form[action]")
            .unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&public)
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.path().extension().is_none_or(|e| e != "html") {
            continue;
        }
        let page_path = format!(
            "/{}",
            entry
                .path()
                .strip_prefix(&public)
                .unwrap()
                .to_string_lossy()
        );
        let page_dir = &page_path[..page_path.rfind('/').unwrap() + 1];
        let html = Html::parse_document(&std::fs::read_to_string(entry.path()).unwrap());
        for element in html.select(&refs) {
            let v = element.value();
            let Some(url) = v.attr("href").or(v.attr("src")).or(v.attr("action")) else {
                continue;
            };
            let local = if let Some(rest) = url.strip_prefix(base) {
                if rest.is_empty() {
                    "/".to_string()
                } else {
                    rest.to_string()
                }
            } else if url.contains("://") || url.starts_with("mailto:") || url.starts_with("//") {
                continue; // another site: not ours to check
            } else if url.starts_with('/') {
                url.to_string()
            } else if let Some(fragment) = url.strip_prefix('#') {
                format!("{page_path}#{fragment}")
            } else {
                format!("{page_dir}{url}")
            };
            checked += 1;
            let (path, fragment) = local.split_once('#').unwrap_or((&local, ""));
            let path = path.split('?').next().unwrap();
            match target_file(&public, path) {
                None => problems.push(format!("{page_path}: {url} does not resolve")),
                Some(file) if !fragment.is_empty() => {
                    let target = Html::parse_document(&std::fs::read_to_string(&file).unwrap());
                    let id =
                        Selector::parse(&format!("[id=\"{}\"]", percent_decode(fragment))).unwrap();
                    if target.select(&id).next().is_none() {
                        problems.push(format!(
                            "{page_path}: {url}: no element with id {fragment:?}"
                        ));
                    }
                }
                Some(_) => {}
            }
        }
    }
    assert!(checked > 100, "only {checked} links checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn independent_checkers_and_a_real_browser() {
    let missing = missing_tools();
    if !missing.is_empty() {
        let message = format!(
            "browser checks need: {} (bash .ci/run installs them)",
            missing.join(", ")
        );
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{message}");
        eprintln!("skipped: {message}");
        return;
    }
    let sample = sample_site();
    let xss = xss_site();
    let paged = paged_site();
    let shots: PathBuf = if std::env::var_os("QUILL_UPDATE_SCREENSHOTS").is_some() {
        Path::new(REPO).join("docs")
    } else {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots")
    };
    let out = Command::new("node")
        .arg(Path::new(REPO).join("tests/browser/checks.mjs"))
        .args([
            sample.root(),
            xss.root(),
            Path::new(env!("CARGO_BIN_EXE_quill")),
            &shots,
            paged.root(),
        ])
        .current_dir(REPO)
        .output()
        .expect("run node");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "browser checks failed:\n{report}");
    assert!(report.contains(" passed, 0 failed"), "{report}");
}
