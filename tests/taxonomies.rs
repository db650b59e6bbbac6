//! Taxonomies: categories, which every site has, and custom ones from `[taxonomies]`, each
//! with its list page, paginated term pages at its permalink pattern, and optional feeds.

use crate::common::TestSite;

#[test]
fn categories_and_a_custom_taxonomy() {
    let site = TestSite::with_config(
        "paginate_by = 1\n[taxonomies]\nseries = { feed = true }\n[permalinks]\ncategories = \"/topics/:slug/\"\n",
    );
    site.write(
        "content/posts/one.md",
        "---\ntitle: One\ndate: 2024-01-01\ncategories: [Rust Tips]\nseries: Learning\n---\nOne.\n",
    );
    site.write(
        "content/posts/two.md",
        "+++\ntitle = \"Two\"\ndate = 2024-01-02\n[taxonomies]\ncategories = [\"Rust Tips\"]\nseries = [\"Learning\"]\n+++\nTwo.\n",
    );
    site.write(
        "content/posts/three.md",
        "---\ntitle: Three\ndate: 2024-01-03\ncategory: Food\n---\nThree.\n",
    );
    site.run(&["build"]).ok();

    let categories = site.read("public/categories/index.html");
    assert!(
        categories
            .contains("href=\"/topics/rust-tips/\">Rust Tips</a> <span class=\"count\">(2)</span>"),
        "{categories}"
    );
    assert!(
        categories.contains("href=\"/topics/food/\""),
        "{categories}"
    );
    let first = site.read("public/topics/rust-tips/index.html");
    assert!(
        first.contains("href=\"/posts/two/\""),
        "newest first: {first}"
    );
    assert!(
        first.contains("href=\"/topics/rust-tips/page/2/\""),
        "{first}"
    );
    assert!(
        site.read("public/topics/rust-tips/page/2/index.html")
            .contains("href=\"/posts/one/\"")
    );
    assert!(
        site.read("public/posts/one/index.html")
            .contains("<a href=\"/topics/rust-tips/\">Rust Tips</a>"),
        "the post links its category"
    );

    assert!(
        site.read("public/series/index.html")
            .contains("href=\"/series/learning/\"")
    );
    let feed = site.read("public/series/learning/atom.xml");
    assert!(feed.contains("<title>Test · Learning</title>"), "{feed}");
    assert!(
        feed.contains("href=\"https://example.org/series/learning/atom.xml\""),
        "{feed}"
    );
    assert!(
        feed.contains("https://example.org/posts/one/")
            && feed.contains("https://example.org/posts/two/")
    );
    assert!(!feed.contains("/posts/three/"), "{feed}");
    assert!(
        !site.exists("public/topics/food/atom.xml"),
        "categories have no feeds here"
    );
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains("<loc>https://example.org/topics/rust-tips/</loc>"),
        "{sitemap}"
    );
    assert!(
        sitemap.contains("<loc>https://example.org/series/</loc>"),
        "{sitemap}"
    );
}

#[test]
fn a_site_without_categories_has_no_category_pages() {
    let site = TestSite::new();
    site.post("a", "A", "2024-01-01", "tags = [\"x\"]\n", "A.");
    site.run(&["build"]).ok();
    assert!(!site.exists("public/categories/index.html"));
    assert!(site.exists("public/tags/x/index.html"));
}

#[test]
fn a_taxonomy_name_must_be_a_plain_name() {
    let site = TestSite::with_config("[taxonomies]\n\"My Series\" = {}\n");
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr
            .contains("[taxonomies] \"My Series\" must be a plain lowercase name"),
        "{}",
        run.stderr
    );
}

#[test]
fn tags_get_feeds_when_asked() {
    let site = TestSite::with_config("[taxonomies]\ntags = { feed = true }\n");
    site.post("a", "A", "2024-01-01", "tags = [\"rust\"]\n", "A.");
    site.post("b", "B", "2024-01-02", "tags = [\"food\"]\n", "B.");
    site.run(&["build"]).ok();
    let feed = site.read("public/tags/rust/atom.xml");
    assert!(feed.contains("https://example.org/posts/a/"), "{feed}");
    assert!(!feed.contains("https://example.org/posts/b/"), "{feed}");
    assert!(!site.exists("public/categories/index.html"));
}

#[test]
fn feeds_take_the_name_an_old_site_gave_them() {
    let site = TestSite::with_config(
        "feed_filename = \"index.xml\"\n[taxonomies]\ntags = { feed = true }\n",
    );
    site.post("a", "A", "2024-01-01", "tags = [\"rust\"]\n", "A.");
    site.run(&["build"]).ok();
    let feed = site.read("public/index.xml");
    assert!(
        feed.contains("href=\"https://example.org/index.xml\"") && feed.contains("/posts/a/"),
        "{feed}"
    );
    assert!(
        site.read("public/tags/rust/index.xml")
            .contains("/posts/a/")
    );
    assert!(!site.exists("public/atom.xml") && !site.exists("public/tags/rust/atom.xml"));
    let home = site.read("public/index.html");
    assert!(
        home.contains("href=\"https://example.org/index.xml\""),
        "the page links it"
    );
    let bad = TestSite::with_config("feed_filename = \"index.html\"\n");
    let run = bad.run(&["build"]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .contains("feed_filename must be a file name ending in .xml"),
        "{}",
        run.stderr
    );
}
