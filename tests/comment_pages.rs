//! Long threads in pages (`[comments] per_page`): where the pages break, which page a reply
//! lands on, the links between the pages and to each comment, the sitemap, and paging off.

use scraper::{Html, Selector};

use crate::common::{TestSite, comment_line as line};

fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// A blog under a base path, a post "talk", with `per_page` and a form, and these comments.
fn site_with(per_page: &str, comments: &[String]) -> TestSite {
    let site = TestSite::new();
    site.write(
        "site.toml",
        &format!(
            "title = \"Test\"\nbase_url = \"https://example.org/blog\"\n[comments]\nendpoint = \"https://forms.example/c\"\n{per_page}"
        ),
    );
    site.post("talk", "Talk", "2024-01-01", "", "Let us talk.");
    site.post("quiet", "Quiet", "2024-01-02", "", "Nobody here.");
    ingest(&site, comments);
    site.run(&["build"]).ok();
    site
}

fn ingest(site: &TestSite, comments: &[String]) {
    if comments.is_empty() {
        return;
    }
    site.write("in.jsonl", &(comments.join("\n") + "\n"));
    site.run(&["ingest", "in.jsonl"]).ok();
}

/// The names of the commenters on a page, in document order, with `>` before each reply
/// for each level it is nested at.
fn thread(site: &TestSite, file: &str) -> Vec<String> {
    let html = Html::parse_document(&site.read(file));
    let author = sel(":scope > article .comment-author");
    html.select(&sel("section.comments li.comment"))
        .map(|li| {
            let depth = li
                .ancestors()
                .filter(|a| {
                    a.value()
                        .as_element()
                        .is_some_and(|e| e.name() == "li" && e.classes().any(|c| c == "comment"))
                })
                .count();
            let name: String = li.select(&author).next().unwrap().text().collect();
            format!("{}{name}", ">".repeat(depth))
        })
        .collect()
}

/// The anchor (`comment-N`) of the comment by `name` on a page.
fn anchor(site: &TestSite, file: &str, name: &str) -> String {
    let html = Html::parse_document(&site.read(file));
    let author = sel(":scope > article .comment-author");
    html.select(&sel("li.comment"))
        .find(|li| {
            li.select(&author)
                .next()
                .unwrap()
                .text()
                .collect::<String>()
                == name
        })
        .and_then(|li| li.value().attr("id").map(str::to_string))
        .unwrap_or_else(|| panic!("no comment by {name} in {file}"))
}

/// The `href`s of the links in the comment pages' navigation of a page.
fn page_links(site: &TestSite, file: &str) -> Vec<String> {
    let html = Html::parse_document(&site.read(file));
    html.select(&sel("nav.comment-pages a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect()
}

fn top_level(n: u32) -> Vec<String> {
    (1..=n)
        .map(|i| line("talk", &format!("c{i}"), None, i))
        .collect()
}

#[test]
fn exactly_per_page_top_level_comments_fit_on_the_post() {
    let mut comments = top_level(3);
    // Replies do not count: a page holds per_page top-level comments with all their replies.
    comments.push(line("talk", "r1", Some("c1"), 10));
    comments.push(line("talk", "r2", Some("c3"), 11));
    let site = site_with("per_page = 3\n", &comments);
    assert_eq!(
        thread(&site, "public/posts/talk/index.html"),
        ["c1", ">r1", "c2", "c3", ">r2"]
    );
    assert!(!site.exists("public/posts/talk/comments"));
    assert!(page_links(&site, "public/posts/talk/index.html").is_empty());
}

#[test]
fn a_long_thread_links_by_number_only_the_ends_and_the_pages_near_the_current_one() {
    let site = site_with("per_page = 1\n", &top_level(30));
    let page = |n: usize| format!("/blog/posts/talk/comments/{n}/");
    let fifteenth = "public/posts/talk/comments/15/index.html";
    let mut expected = vec![page(14), "/blog/posts/talk/".to_string()];
    expected.extend([13, 14, 15, 16, 17, 30].map(page));
    expected.push(page(16));
    assert_eq!(
        page_links(&site, fifteenth),
        expected,
        "previous, the first, two either side, the last, next"
    );
    let html = Html::parse_document(&site.read(fifteenth));
    let gaps = html.select(&sel("nav.comment-pages li.gap")).count();
    assert_eq!(
        gaps, 2,
        "pages are left out after the first and before the last"
    );
    let current: String = html
        .select(&sel("nav.comment-pages [aria-current=page]"))
        .map(|a| a.text().collect::<String>())
        .collect();
    assert_eq!(current, "15");
    let mut first = vec!["/blog/posts/talk/".to_string()];
    first.extend([2, 3, 30, 2].map(page));
    assert_eq!(
        page_links(&site, "public/posts/talk/index.html"),
        first,
        "the post's page: itself and the next two, the last, then next"
    );
}

#[test]
fn one_more_continues_on_page_two_linked_both_ways() {
    let site = site_with("per_page = 3\n", &top_level(4));
    assert_eq!(
        thread(&site, "public/posts/talk/index.html"),
        ["c1", "c2", "c3"]
    );
    let second = "public/posts/talk/comments/2/index.html";
    assert_eq!(thread(&site, second), ["c4"]);
    assert_eq!(
        page_links(&site, "public/posts/talk/index.html"),
        [
            "/blog/posts/talk/",
            "/blog/posts/talk/comments/2/",
            "/blog/posts/talk/comments/2/"
        ],
        "the page numbers, then the next page"
    );
    assert_eq!(
        page_links(&site, second),
        [
            "/blog/posts/talk/",
            "/blog/posts/talk/",
            "/blog/posts/talk/comments/2/"
        ],
        "the previous page, then the page numbers"
    );
    let html = Html::parse_document(&site.read(second));
    let canonical = html.select(&sel("link[rel=canonical]")).next().unwrap();
    assert_eq!(
        canonical.value().attr("href"),
        Some("https://example.org/blog/posts/talk/comments/2/")
    );
    let current = html
        .select(&sel("nav.comment-pages [aria-current=page]"))
        .next();
    assert_eq!(current.unwrap().text().collect::<String>(), "2");
    let title: String = html.select(&sel("h1 a")).next().unwrap().text().collect();
    assert_eq!(title, "Talk", "the post's title, linking back to it");
    assert_eq!(
        html.select(&sel("form#comment-form")).count(),
        1,
        "one form on each page, for replies to its comments"
    );
    assert!(
        html.select(&sel("input[name=parent][form=comment-form]"))
            .next()
            .is_some()
    );
    assert!(!site.exists("public/posts/quiet/comments"));
}

#[test]
fn a_reply_stays_on_the_page_of_its_top_level_comment() {
    let mut comments = top_level(3);
    // Written after c3 (on page 2): replies to c1 and to a reply of c1 stay on page 1.
    comments.push(line("talk", "late", Some("c1"), 20));
    comments.push(line("talk", "later", Some("late"), 21));
    comments.push(line("talk", "on-two", Some("c3"), 22));
    let site = site_with("per_page = 2\n", &comments);
    assert_eq!(
        thread(&site, "public/posts/talk/index.html"),
        ["c1", ">late", ">>later", "c2"]
    );
    assert_eq!(
        thread(&site, "public/posts/talk/comments/2/index.html"),
        ["c3", ">on-two"]
    );
    assert!(!site.exists("public/posts/talk/comments/3"));
}

#[test]
fn permalinks_and_the_sitemap_know_the_later_pages() {
    let mut comments = top_level(5);
    comments.push(line("talk", "late", Some("c1"), 30));
    let site = site_with("per_page = 2\n", &comments);
    let feed = site.read("public/comments.xml");
    for (name, file, page) in [
        (
            "c5",
            "public/posts/talk/comments/3/index.html",
            "comments/3/",
        ),
        (
            "c3",
            "public/posts/talk/comments/2/index.html",
            "comments/2/",
        ),
        ("late", "public/posts/talk/index.html", ""),
    ] {
        let anchor = anchor(&site, file, name);
        let link = format!(
            "<link rel=\"alternate\" type=\"text/html\" href=\"https://example.org/blog/posts/talk/{page}#{anchor}\"/>"
        );
        assert!(feed.contains(&link), "{link} in {feed}");
        // The console links it on the same page.
        let id = anchor.trim_start_matches("comment-");
        let shown = site.run(&["comments", "show", id]).ok().stdout;
        let link = format!("link:      https://example.org/blog/posts/talk/{page}#{anchor}\n");
        assert!(shown.contains(&link), "{link} in {shown}");
        // The entry's id stays the post's permalink with the anchor, as before paging.
        assert!(
            feed.contains(&format!(
                "<id>https://example.org/blog/posts/talk/#{anchor}</id>"
            )),
            "{feed}"
        );
    }
    let sitemap = site.read("public/sitemap.xml");
    for page in ["", "comments/2/", "comments/3/"] {
        let loc = format!("<loc>https://example.org/blog/posts/talk/{page}</loc>");
        assert!(sitemap.contains(&loc), "{loc} in {sitemap}");
    }
    assert!(!sitemap.contains("comments/4/"), "{sitemap}");
    assert!(!sitemap.contains("quiet/comments"), "{sitemap}");
}

#[test]
fn per_page_zero_shows_every_comment_on_the_post() {
    let mut comments = top_level(150);
    comments.push(line("talk", "late", Some("c1"), 200));
    let site = site_with("per_page = 0\n", &comments);
    let names = thread(&site, "public/posts/talk/index.html");
    assert_eq!(names.len(), 151);
    assert_eq!(names[..2], ["c1", ">late"]);
    assert!(!site.exists("public/posts/talk/comments"));
    assert!(page_links(&site, "public/posts/talk/index.html").is_empty());
    assert!(!site.read("public/sitemap.xml").contains("/comments/"));
}

#[test]
fn the_default_is_a_hundred_top_level_comments_a_page() {
    let mut comments = top_level(101);
    comments.push(line("talk", "late", Some("c100"), 200));
    let site = site_with("", &comments);
    assert_eq!(thread(&site, "public/posts/talk/index.html").len(), 101);
    assert_eq!(
        thread(&site, "public/posts/talk/comments/2/index.html"),
        ["c101"]
    );
}

#[test]
fn a_sites_own_comment_component_decides_for_every_comment() {
    let site = site_with("per_page = 0\n", &top_level(4));
    // An `if` on a name: the site's component is rendered for each comment, not filled in.
    site.write(
        "templates/partials/comments.html",
        "{% component comment_item(c, form_open) %}<li class=\"comment\" id=\"{{ c.anchor }}\"><article><span class=\"comment-author\">{{ c.author }}</span>{% if c.author == \"c3\" %}<em>host</em>{% endif %}</article>{% if body %}<ol>{{ body }}</ol>{% endif %}</li>{% endcomponent comment_item %}\n<section class=\"comments\"><ol>{% for c in page.comments %}{{ c.html | safe }}{% endfor %}</ol></section>\n",
    );
    site.run(&["build"]).ok();
    let page = site.read("public/posts/talk/index.html");
    assert_eq!(page.matches("<em>host</em>").count(), 1, "{page}");
    assert!(page.contains("c3</span><em>host</em>"), "{page}");
    assert_eq!(
        thread(&site, "public/posts/talk/index.html"),
        ["c1", "c2", "c3", "c4"]
    );
}

crate::common::backend_tests! {
    the_pages_of_a_thread_follow_its_moderation,
}

/// How many pages the thread of "talk" has in the output: 1 when none continues it.
fn page_count(site: &TestSite) -> usize {
    1 + (2..)
        .take_while(|n| site.exists(&format!("public/posts/talk/comments/{n}/index.html")))
        .count()
}

/// The number of top-level comments, which the store keeps beside each post's stamp so that a
/// build pages a thread without reading it, follows every change that can move a reply to the
/// top: its parent marked spam or approved again, a reply to a comment that came later, a
/// deletion, a move. With one comment a page, the pages count the top-level comments; each
/// incremental build equals a full one.
fn the_pages_of_a_thread_follow_its_moderation(backend: crate::common::Backend) {
    let site = TestSite::on(backend, "[comments]\nper_page = 1\n");
    site.post("talk", "Talk", "2024-01-01", "", "Let us talk.");
    site.post("quiet", "Quiet", "2024-01-02", "", "Nobody here.");
    // Ids follow the order of the lines: a 1, b1 2, b2 3, c 4, d 5, e 6.
    let mut late_parent = line("talk", "e", Some("c"), 2);
    late_parent = late_parent.replace("\"Words of e.\"", "\"Answers c, though earlier.\"");
    ingest(
        &site,
        &[
            line("talk", "a", None, 1),
            line("talk", "b1", Some("a"), 3),
            line("talk", "b2", Some("a"), 4),
            line("talk", "c", None, 5),
            line("talk", "d", Some("c"), 6),
            late_parent,
        ],
    );
    let same_as_full = |site: &TestSite| {
        site.run(&["build"]).ok();
        let incremental = crate::common::snapshot(&site.path("public"));
        site.run(&["build", "--full"]).ok();
        assert_eq!(incremental, crate::common::snapshot(&site.path("public")));
        page_count(site)
    };
    // a, c, and e, which answers c but is older: it is shown before c, so at the top.
    assert_eq!(same_as_full(&site), 3);
    site.run(&["comments", "spam", "1"]).ok();
    assert_eq!(same_as_full(&site), 4, "b1 and b2 lose their parent");
    site.run(&["comments", "approve", "1"]).ok();
    assert_eq!(same_as_full(&site), 3);
    site.run(&["comments", "delete", "4", "--with-replies"])
        .ok();
    assert_eq!(same_as_full(&site), 1, "c goes with its replies, d and e");
    site.write(
        "site.toml",
        "title = \"Test\"\nbase_url = \"https://example.org\"\n[comments]\nper_page = 1\nmax_depth = 1\n",
    );
    assert_eq!(
        same_as_full(&site),
        3,
        "with one level, every comment is top-level"
    );
    site.run(&["comments", "move", "talk", "quiet"]).ok();
    assert_eq!(same_as_full(&site), 1);
}

/// Comments deleted straight from the database, behind quill's back, leave the post's stamp
/// counting them: the post is still built, with the comments the database has (none).
#[test]
fn a_stamp_that_counts_comments_the_database_lost_still_builds_the_post() {
    let site = site_with("per_page = 2\n", &top_level(5));
    site.sql("DELETE FROM comments").unwrap();
    site.run(&["build", "--full"]).ok();
    let post = site.read("public/posts/talk/index.html");
    assert!(post.contains("Let us talk."), "{post}");
    assert!(thread(&site, "public/posts/talk/index.html").is_empty());
}

/// How many comments `quill build --timings` says it turned into HTML.
fn comments_rendered(run: &crate::common::Run) -> usize {
    let line = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("comments rendered: "))
        .unwrap_or_else(|| panic!("no count of comments in:\n{}", run.stdout));
    line.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn timings_count_the_comments_each_build_turned_into_html() {
    let mut comments = top_level(5);
    comments.push(line("talk", "r1", Some("c1"), 20));
    comments.push(line("quiet", "q1", None, 21));
    let site = site_with("per_page = 2\n", &comments);
    let full = site.run(&["build", "--full", "--timings"]).ok();
    assert_eq!(comments_rendered(&full), 7, "every comment, on its page");
    assert!(full.stdout.contains("ms of CPU, "), "{}", full.stdout);
    // A reply on page 3 (under c5): that page is rendered again, with its two comments, and
    // the post's own, which counts the thread (c1, r1, c2); page 2's c3 and c4 are not.
    ingest(&site, &[line("talk", "r5", Some("c5"), 30)]);
    let after = site.run(&["build", "--timings"]).ok();
    assert_eq!(comments_rendered(&after), 3 + 2, "{}", after.stdout);
    let untouched = site.run(&["build", "--timings"]).ok();
    assert_eq!(comments_rendered(&untouched), 0);
}
