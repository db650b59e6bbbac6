//! `quill build` on fixture sites: the files it writes and what they say.

use crate::common::{TestSite, snapshot};

fn five_posts(site: &TestSite) {
    for (i, tag) in ["rust", "rust", "food", "rust", "travel"]
        .iter()
        .enumerate()
    {
        site.post(
            &format!("post-{}", i + 1),
            &format!("Post {}", i + 1),
            &format!("2024-01-0{}", i + 1),
            &format!("tags = [\"{tag}\"]\n"),
            &format!("Body of post {}.", i + 1),
        );
    }
}

#[test]
fn writes_every_kind_of_file() {
    let site = TestSite::new();
    five_posts(&site);
    site.write("content/about.md", "+++\ntitle = \"About me\"\n+++\nHi.\n");
    site.write("static/favicon.txt", "icon");
    site.write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"Trip\"\ndate = 2024-02-01\n+++\n![pic](photo.svg)\n",
    );
    site.write("content/posts/trip/photo.svg", "<svg/>");
    let out = site.run(&["build"]).ok();
    assert!(
        out.stdout.contains("built 6 posts, 1 pages"),
        "{}",
        out.stdout
    );

    let index = site.read("public/index.html");
    assert!(
        index.contains("href=\"/posts/trip/\""),
        "index links the newest post"
    );
    assert!(
        index.find("Trip").unwrap() < index.find("Post 5").unwrap(),
        "newest first"
    );
    assert!(
        site.read("public/posts/post-1/index.html")
            .contains("<p>Body of post 1.</p>")
    );
    assert!(
        site.read("public/about/index.html")
            .contains("<h1>About me</h1>")
    );
    assert!(
        !index.contains("About me</a></h2>"),
        "pages are not listed with posts"
    );
    assert_eq!(site.read("public/favicon.txt"), "icon");
    assert_eq!(site.read("public/posts/trip/photo.svg"), "<svg/>");
    assert!(
        site.read("public/posts/trip/index.html")
            .contains("src=\"photo.svg\"")
    );
    let feed = site.read("public/atom.xml");
    assert!(feed.contains("<id>https://example.org/posts/trip/</id>"));
    assert!(
        feed.contains("&lt;p&gt;Body of post 1.&lt;&#x2F;p&gt;")
            || feed.contains("&lt;p&gt;Body of post 1.&lt;/p&gt;"),
        "full content, escaped: {feed}"
    );
    let sitemap = site.read("public/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/posts/post-3/</loc>"));
    assert!(sitemap.contains("<loc>https://example.org/about/</loc>"));
    assert!(
        site.read("public/robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
    assert!(site.read("public/404.html").contains("Page not found"));
    assert!(
        site.read("public/style.css")
            .contains("prefers-color-scheme: dark")
    );
}

#[test]
fn pagination_boundaries() {
    let site = TestSite::with_config("paginate_by = 2\n");
    five_posts(&site);
    site.run(&["build"]).ok();
    assert!(site.exists("public/index.html"));
    assert!(site.exists("public/page/2/index.html"));
    assert!(site.exists("public/page/3/index.html"));
    assert!(!site.exists("public/page/4/index.html"));
    assert!(
        !site.exists("public/page/1/index.html"),
        "page 1 is the index itself"
    );
    let first = site.read("public/index.html");
    assert!(first.contains("Post 5") && first.contains("Post 4") && !first.contains("Post 3"));
    assert!(first.contains("rel=\"next\" href=\"/page/2/\"") && !first.contains("rel=\"prev\""));
    let last = site.read("public/page/3/index.html");
    assert!(last.contains("Post 1") && !last.contains("Post 2"));
    assert!(last.contains("rel=\"prev\" href=\"/page/2/\"") && !last.contains("rel=\"next\""));
    assert!(last.contains("Page 3 of 3"));
}

#[test]
fn exactly_one_full_page_has_no_second_page() {
    let site = TestSite::with_config("paginate_by = 5\n");
    five_posts(&site);
    site.run(&["build"]).ok();
    assert!(!site.exists("public/page/2/index.html"));
    assert!(!site.read("public/index.html").contains("rel=\"next\""));
}

#[test]
fn tag_pages_and_counts() {
    let site = TestSite::with_config("paginate_by = 2\n");
    five_posts(&site);
    site.run(&["build"]).ok();
    let tags = site.read("public/tags/index.html");
    assert!(
        tags.contains("#rust</a> <span class=\"count\">(3)</span>"),
        "{tags}"
    );
    assert!(tags.contains("#food</a> <span class=\"count\">(1)</span>"));
    let rust = site.read("public/tags/rust/index.html");
    assert!(rust.contains("Post 4") && rust.contains("Post 2") && !rust.contains("Post 1"));
    assert!(
        site.read("public/tags/rust/page/2/index.html")
            .contains("Post 1")
    );
    assert!(!site.exists("public/tags/rust/page/3/index.html"));
    assert!(!site.read("public/tags/food/index.html").contains("Post 1"));
}

#[test]
fn drafts_in_and_out() {
    let site = TestSite::new();
    site.post("published", "Published", "2024-01-01", "", "x");
    site.post(
        "secret",
        "Secret draft",
        "2024-01-02",
        "draft = true\n",
        "x",
    );
    site.write(
        "content/posts/hidden.md",
        "---\ntitle: Hidden\ndate: 2024-01-03\npublished: false\n---\nx\n",
    );
    site.run(&["build"]).ok();
    assert!(!site.exists("public/posts/secret/index.html"));
    assert!(!site.exists("public/posts/hidden/index.html"));
    assert!(!site.read("public/index.html").contains("Secret draft"));
    assert!(!site.read("public/atom.xml").contains("Secret draft"));
    site.run(&["build", "--drafts"]).ok();
    assert!(site.exists("public/posts/secret/index.html"));
    assert!(site.exists("public/posts/hidden/index.html"));
}

#[test]
fn a_script_in_a_title_comes_out_escaped() {
    let site = TestSite::new();
    site.post(
        "x",
        "<script>alert(1)</script>",
        "2024-01-01",
        "tags = [\"<b>t</b>\"]\n",
        "x",
    );
    site.run(&["build"]).ok();
    for file in [
        "public/index.html",
        "public/posts/x/index.html",
        "public/atom.xml",
        "public/tags/index.html",
    ] {
        let html = site.read(file);
        assert!(!html.contains("<script>alert(1)"), "{file}: {html}");
        assert!(!html.contains("<b>t</b>"), "{file}");
    }
    assert!(
        site.read("public/posts/x/index.html")
            .contains("&lt;script&gt;alert(1)&lt;")
    );
}

#[test]
fn yaml_and_toml_give_the_same_page() {
    let body = "Same *body*.\n\n## Heading\n";
    let toml = TestSite::new();
    toml.write(
        "content/posts/same.md",
        &format!("+++\ntitle = \"Same\"\ndate = 2024-01-01\ntags = [\"a\", \"b\"]\ndescription = \"D\"\n+++\n{body}"),
    );
    let yaml = TestSite::new();
    yaml.write(
        "content/posts/same.md",
        &format!("---\ntitle: Same\ndate: 2024-01-01\ntags: [a, b]\ndescription: D\n---\n{body}"),
    );
    toml.run(&["build"]).ok();
    yaml.run(&["build"]).ok();
    assert_eq!(
        snapshot(&toml.path("public")),
        snapshot(&yaml.path("public"))
    );
}

#[test]
fn jekyll_file_names_give_date_and_slug() {
    let site = TestSite::new();
    site.write(
        "content/posts/2021-03-04-my-trip.md",
        "---\ntitle: My trip\n---\nx\n",
    );
    site.run(&["build"]).ok();
    let page = site.read("public/posts/my-trip/index.html");
    assert!(page.contains("datetime=\"2021-03-04T00:00:00Z\""), "{page}");
}

#[test]
fn aliases_redirect() {
    let site = TestSite::new();
    site.post(
        "new-home",
        "Moved",
        "2024-01-01",
        "aliases = [\"/2020/old-home/\", \"old.html\"]\n",
        "x",
    );
    site.run(&["build"]).ok();
    for file in ["public/2020/old-home/index.html", "public/old.html"] {
        let html = site.read(file);
        assert!(html.contains("<meta http-equiv=\"refresh\" content=\"0; url=https://example.org/posts/new-home/\">"), "{html}");
        assert!(
            html.contains("<link rel=\"canonical\" href=\"https://example.org/posts/new-home/\">")
        );
    }
}

#[test]
fn base_url_with_a_path_prefixes_every_link() {
    let site = TestSite::empty();
    site.write(
        "site.toml",
        "title = \"T\"\nbase_url = \"https://example.org/blog/\"\npaginate_by = 1\n",
    );
    site.post("a", "A", "2024-01-01", "tags = [\"t\"]\n", "x");
    site.post("b", "B", "2024-01-02", "", "x");
    site.run(&["build"]).ok();
    let index = site.read("public/index.html");
    assert!(index.contains("href=\"/blog/posts/b/\""));
    assert!(index.contains("href=\"/blog/style.css\""));
    assert!(index.contains("href=\"/blog/page/2/\""));
    assert!(
        site.read("public/page/2/index.html")
            .contains("href=\"/blog/tags/t/\"")
    );
    assert!(
        site.read("public/atom.xml")
            .contains("https://example.org/blog/posts/a/")
    );
    // Every root-relative link in the output stays under /blog/.
    for (file, bytes) in snapshot(&site.path("public")) {
        let text = String::from_utf8_lossy(&bytes);
        for link in text.split("href=\"/").skip(1) {
            assert!(
                link.starts_with("blog/"),
                "{file} links outside /blog/: {}",
                &link[..link.len().min(40)]
            );
        }
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let site = TestSite::new();
    five_posts(&site);
    site.write("content/about.md", "+++\ntitle = \"About\"\n+++\nHi.\n");
    site.run(&["build"]).ok();
    let first = snapshot(&site.path("public"));
    site.run(&["build"]).ok();
    assert_eq!(first, snapshot(&site.path("public")));
}

#[test]
fn a_deleted_post_leaves_no_stale_file() {
    let site = TestSite::new();
    five_posts(&site);
    site.run(&["build"]).ok();
    assert!(site.exists("public/posts/post-3/index.html"));
    std::fs::remove_file(site.path("content/posts/post-3.md")).unwrap();
    site.run(&["build"]).ok();
    assert!(!site.exists("public/posts/post-3/index.html"));
    assert!(!site.exists("public/tags/food/index.html"));
}

#[test]
fn output_dir_and_base_url_flags() {
    let site = TestSite::new();
    five_posts(&site);
    site.run(&[
        "build",
        "-o",
        "elsewhere",
        "--base-url",
        "https://preview.example.com/x",
    ])
    .ok();
    assert!(!site.exists("public"));
    assert!(
        site.read("elsewhere/index.html")
            .contains("href=\"/x/posts/post-5/\"")
    );
    let other = TestSite::new();
    other.post("p", "P", "2024-01-01", "", "x");
    let out = other
        .run(&["build", "--root", site.root().to_str().unwrap()])
        .ok();
    assert!(
        out.stdout.contains("built 5 posts"),
        "--root picks the site: {}",
        out.stdout
    );
}

#[test]
fn site_templates_override_the_builtin_theme() {
    let site = TestSite::new();
    site.post("a", "A", "2024-01-01", "", "x");
    site.write("templates/post.html", "CUSTOM {{ page.title }}");
    site.run(&["build"]).ok();
    assert_eq!(
        site.read("public/posts/a/index.html").trim_end(),
        "CUSTOM A"
    );
    assert!(
        site.read("public/index.html").contains("<!DOCTYPE html>"),
        "other templates stay built in"
    );
}

#[test]
fn front_matter_fields_reach_templates() {
    let site = TestSite::new();
    site.post(
        "a",
        "A",
        "2024-01-01",
        "mood = \"happy\"\nupdated = 2024-02-01\n[extra]\ncover = \"c.png\"\n",
        "# One\n\nWords here.\n\n## Two\n",
    );
    site.write("templates/post.html", "{{ page.extra.mood }}|{{ page.extra.cover }}|{{ page.updated }}|{{ page.word_count }}|{{ page.reading_time }}|{% for h in page.toc %}{{ h.id }}>{% for c in h.children %}{{ c.id }}{% endfor %}{% endfor %}");
    site.run(&["build"]).ok();
    assert_eq!(
        site.read("public/posts/a/index.html"),
        "happy|c.png|2024-02-01T00:00:00Z|4|1|one>two"
    );
}

/// Two builds into one output folder take turns: the second waits, says so, and builds once
/// the first is done. The test holds the lock itself, as a running build would.
#[test]
fn a_second_build_of_one_output_waits_for_the_first() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let site = TestSite::new();
    five_posts(&site);
    let held = std::fs::File::create(site.path(".public.quill-lock")).unwrap();
    held.lock().unwrap();
    let mut second = site
        .command()
        .arg("build")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(second.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.starts_with("waiting for another build of"), "{line}");
    assert!(
        !site.path("public").exists(),
        "built while the lock was held"
    );
    drop(held);
    assert!(second.wait().unwrap().success());
    assert!(site.path("public/index.html").is_file());
}
