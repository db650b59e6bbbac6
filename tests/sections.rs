//! The content tree of Zola and Hugo: folders with `_index.md` are sections with listings of
//! their own, dated pages in any section are posts, and the home page lists every section's
//! posts unless `[home] sections` names some.

use crate::common::TestSite;

fn page(title: &str, extra: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n{extra}+++\nBody of {title}.\n")
}

/// The titles linked from a listing, in order.
fn listed(html: &str) -> Vec<String> {
    html.split("<h2><a href=\"")
        .skip(1)
        .filter_map(|rest| rest.split_once("\">"))
        .filter_map(|(_, rest)| rest.split_once("</a>"))
        .map(|(title, _)| title.to_string())
        .collect()
}

#[test]
fn a_section_lists_its_pages_with_its_own_keys() {
    let site = TestSite::new();
    site.write(
        "content/guides/_index.md",
        "+++\ntitle = \"Guides\"\ndescription = \"How to do things\"\nsort_by = \"weight\"\npaginate_by = 2\n+++\n",
    );
    site.write("content/guides/setup.md", &page("Setup", "weight = 1\n"));
    site.write("content/guides/deploy.md", &page("Deploy", "weight = 3\n"));
    site.write("content/guides/write.md", &page("Write", "weight = 2\n"));
    site.run(&["build"]).ok();
    let first = site.read("public/guides/index.html");
    assert!(first.contains("<h1>Guides</h1>"), "{first}");
    assert!(first.contains("How to do things"), "{first}");
    assert_eq!(listed(&first), ["Setup", "Write"], "lightest first");
    assert!(first.contains("href=\"/guides/page/2/\""), "{first}");
    assert_eq!(
        listed(&site.read("public/guides/page/2/index.html")),
        ["Deploy"]
    );
    assert!(
        site.read("public/guides/setup/index.html")
            .contains("Body of Setup.")
    );
    assert!(
        !site.read("public/index.html").contains("Setup"),
        "undated pages are not posts"
    );
    assert!(
        site.read("public/sitemap.xml")
            .contains("<loc>https://example.org/guides/</loc>")
    );

    site.write(
        "content/guides/_index.md",
        "+++\ntitle = \"Guides\"\nsort_by = \"title\"\ntemplate = \"guides.html\"\n+++\n",
    );
    site.write(
        "templates/guides.html",
        "{% for p in paginator.pages %}[{{ p.title }}]{% endfor %} of {{ section.count }}",
    );
    site.run(&["build"]).ok();
    assert_eq!(
        site.read("public/guides/index.html"),
        "[Deploy][Setup][Write] of 3"
    );
    assert!(!site.exists("public/guides/page/2/index.html"));

    site.write(
        "content/guides/_index.md",
        "+++\ntitle = \"Guides\"\nsort_by = \"size\"\n+++\n",
    );
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr
            .contains("content/guides/_index.md:3: sort_by must be"),
        "{}",
        run.stderr
    );
}

#[test]
fn dated_pages_in_a_section_are_posts_newest_first() {
    let site = TestSite::new();
    site.write("content/blog/_index.md", &page("Blog", ""));
    site.write("content/blog/old.md", &page("Old", "date = 2020-01-01\n"));
    site.write(
        "content/blog/new.md",
        &page("New", "date = 2024-01-01\ntags = [\"x\"]\n"),
    );
    site.write(
        "content/blog/2022/middle.md",
        &page("Middle", "date = 2022-01-01\n"),
    );
    site.run(&["build"]).ok();
    assert_eq!(
        listed(&site.read("public/blog/index.html")),
        ["New", "Middle", "Old"]
    );
    assert_eq!(
        listed(&site.read("public/index.html")),
        ["New", "Middle", "Old"]
    );
    assert!(site.exists("public/blog/2022/middle/index.html"));
    let feed = site.read("public/atom.xml");
    assert!(feed.contains("https://example.org/blog/new/"), "{feed}");
    assert!(
        site.read("public/tags/x/index.html")
            .contains("href=\"/blog/new/\"")
    );
    assert!(
        !site.exists("public/blog/_index/index.html"),
        "_index.md is never a post"
    );
}

#[test]
fn a_transparent_sections_posts_appear_in_its_parents_listing() {
    let site = TestSite::new();
    site.write("content/blog/_index.md", &page("Blog", ""));
    site.write("content/blog/top.md", &page("Top", "date = 2024-01-01\n"));
    site.write(
        "content/blog/2023/_index.md",
        &page("2023", "transparent = true\n"),
    );
    site.write(
        "content/blog/2023/inner.md",
        &page("Inner", "date = 2023-06-01\n"),
    );
    site.write("content/blog/drafts/_index.md", &page("Drafts", ""));
    site.write(
        "content/blog/drafts/hidden.md",
        &page("Hidden", "date = 2023-07-01\n"),
    );
    site.run(&["build"]).ok();
    assert_eq!(
        listed(&site.read("public/blog/index.html")),
        ["Top", "Inner"]
    );
    assert_eq!(listed(&site.read("public/blog/2023/index.html")), ["Inner"]);
    assert_eq!(
        listed(&site.read("public/blog/drafts/index.html")),
        ["Hidden"]
    );
}

#[test]
fn a_zola_site_with_posts_at_the_content_root() {
    let site = TestSite::empty();
    site.write(
        "site.toml",
        "title = \"Zola\"\nbase_url = \"https://example.org\"\n",
    );
    site.write(
        "content/_index.md",
        "+++\nsort_by = \"date\"\npaginate_by = 1\n+++\n",
    );
    site.write(
        "content/first-post.md",
        &page("First", "date = 2021-01-01\n"),
    );
    site.write(
        "content/second/index.md",
        &page("Second", "date = 2021-02-01\n"),
    );
    site.write("content/about.md", &page("About", ""));
    site.run(&["build"]).ok();
    assert_eq!(listed(&site.read("public/index.html")), ["Second"]);
    assert_eq!(
        listed(&site.read("public/page/2/index.html")),
        ["First"],
        "the root _index.md paginates the home page"
    );
    assert!(
        site.read("public/first-post/index.html")
            .contains("Body of First.")
    );
    assert!(site.exists("public/second/index.html"));
    assert!(
        site.read("public/about/index.html")
            .contains("Body of About.")
    );
    assert!(
        site.read("public/atom.xml")
            .contains("https://example.org/first-post/")
    );
}

#[test]
fn the_home_page_lists_the_sections_it_names() {
    let site = TestSite::with_config("[home]\nsections = [\"blog\"]\n");
    site.write("content/blog/_index.md", &page("Blog", ""));
    site.write(
        "content/blog/essay.md",
        &page("Essay", "date = 2024-01-01\n"),
    );
    site.write("content/notes/_index.md", &page("Notes", ""));
    site.write(
        "content/notes/quick.md",
        &page("Quick", "date = 2024-02-01\n"),
    );
    let run = site.run(&["build"]).ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    assert_eq!(listed(&site.read("public/index.html")), ["Essay"]);
    assert_eq!(listed(&site.read("public/notes/index.html")), ["Quick"]);
    assert!(
        site.read("public/atom.xml").contains("/notes/quick/"),
        "the feed still has every post"
    );
    site.write(
        "site.toml",
        "title = \"Test\"\nbase_url = \"https://example.org\"\n[home]\nsections = [\"blgo\"]\n",
    );
    let run = site.run(&["build"]).ok();
    assert!(
        run.stderr
            .contains("warning: [home] sections names \"blgo\""),
        "{}",
        run.stderr
    );
}

#[test]
fn existing_posts_folders_stay_as_they_were() {
    let site = TestSite::new();
    site.post("flat", "Flat", "2024-01-01", "", "Flat.");
    site.run(&["build"]).ok();
    assert!(site.exists("public/posts/flat/index.html"));
    assert!(
        !site.exists("public/posts/index.html"),
        "no listing without _index.md"
    );
}

#[test]
fn internal_links_reach_sections_and_permalinks() {
    let site = TestSite::with_config("[permalinks]\nposts = \"/:year/:slug/\"\n");
    site.write("content/blog/_index.md", &page("Blog", ""));
    site.write(
        "content/blog/target.md",
        &page("Target", "date = 2023-01-01\n"),
    );
    site.write(
        "content/blog/linker.md",
        &page_with_body(
            "Linker",
            "date = 2024-01-01\n",
            "See [the blog](@/blog/_index.md) and [the target](@/blog/target.md).",
        ),
    );
    site.run(&["build"]).ok();
    let html = site.read("public/2024/linker/index.html");
    assert!(html.contains("<a href=\"/blog/\">the blog</a>"), "{html}");
    assert!(
        html.contains("<a href=\"/2023/target/\">the target</a>"),
        "{html}"
    );
}

fn page_with_body(title: &str, extra: &str, body: &str) -> String {
    format!("+++\ntitle = \"{title}\"\n{extra}+++\n{body}\n")
}

#[test]
fn a_section_that_asks_for_a_feed_gets_one_of_its_posts_newest_first() {
    let site = TestSite::new();
    // Zola's key, in the section's `_index.md`.
    site.write(
        "content/blog/_index.md",
        &page("Blog", "generate_feeds = true\nsort_by = \"title\"\n"),
    );
    site.write(
        "content/blog/zebra.md",
        &page("Zebra", "date = 2020-01-01\n"),
    );
    site.write(
        "content/blog/apple.md",
        &page("Apple", "date = 2024-01-01\n"),
    );
    site.write("content/notes/_index.md", &page("Notes", ""));
    site.write("content/notes/n.md", &page("N", "date = 2023-01-01\n"));
    site.write(
        "content/posts/elsewhere.md",
        &page("Elsewhere", "date = 2024-02-01\n"),
    );
    site.run(&["build"]).ok();
    let feed = site.read("public/blog/atom.xml");
    let (apple, zebra) = (
        feed.find("/blog/apple/").expect("apple"),
        feed.find("/blog/zebra/").expect("zebra"),
    );
    assert!(
        apple < zebra,
        "newest first, whatever the listing's order: {feed}"
    );
    assert!(
        feed.contains(" · Blog</title>"),
        "titled with the section: {feed}"
    );
    assert!(!feed.contains("elsewhere"), "only the section's posts");
    assert!(
        !site.exists("public/notes/atom.xml"),
        "a section without the key has none"
    );
    // `section_feeds = true` gives every section one, as Hugo does.
    site.write(
        "site.toml",
        &site
            .read("site.toml")
            .replacen("title", "section_feeds = true\ntitle", 1),
    );
    site.run(&["build"]).ok();
    assert!(site.read("public/notes/atom.xml").contains("/notes/n/"));
}
