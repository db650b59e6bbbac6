//! The front matter spellings of Jekyll, Hugo and Zola, each seen where it shows: in the
//! page, its listing, the feed, the sitemap and the comment form.

use crate::common::TestSite;

#[test]
fn jekyll_excerpt_updated_date_locked_comments_authors_and_redirects() {
    let site = TestSite::with_config("[comments]\nendpoint = \"https://forms.example.org/c\"\n");
    site.write(
        "content/posts/2020-05-06-locked.md",
        "---\ntitle: Locked\nexcerpt: The short version.\nlast_modified_at: 2021-07-08\ncomments_locked: true\nauthor: Ada Quill\nredirect_from:\n  - /2020/05/06/locked.html\n---\nThe long version.\n",
    );
    site.write(
        "content/posts/2020-05-07-open.md",
        "---\ntitle: Open\nauthors: [Ada, Bob]\n---\nOpen body.\n",
    );
    site.run(&["build"]).ok();
    let locked = site.read("public/posts/locked/index.html");
    assert!(
        locked.contains("<meta name=\"description\" content=\"The short version.\">"),
        "{locked}"
    );
    assert!(locked.contains("Comments are closed."), "{locked}");
    assert!(!locked.contains("<form class=\"comment-form\""), "{locked}");
    assert!(locked.contains("by Ada Quill"), "{locked}");
    assert!(locked.contains("updated <time datetime=\"2021-07-08T00:00:00Z\">"));
    let open = site.read("public/posts/open/index.html");
    assert!(open.contains("<form class=\"comment-form\""), "{open}");
    assert!(open.contains("by Ada, Bob"), "{open}");
    let index = site.read("public/index.html");
    assert!(
        index.contains("The short version."),
        "the excerpt is the summary"
    );
    let sitemap = site.read("public/sitemap.xml");
    assert!(
        sitemap.contains(
            "<loc>https://example.org/posts/locked/</loc>\n    <lastmod>2021-07-08T00:00:00Z</lastmod>"
        ),
        "{sitemap}"
    );
    let feed = site.read("public/atom.xml");
    assert!(
        feed.contains("<author><name>Ada Quill</name></author>"),
        "{feed}"
    );
    assert!(feed.contains("<author><name>Bob</name></author>"), "{feed}");
    assert!(
        feed.contains("<summary>The short version.</summary>"),
        "{feed}"
    );
    assert!(
        site.read("public/2020/05/06/locked.html")
            .contains("https://example.org/posts/locked/"),
        "redirect_from is an alias"
    );
    site.write(
        "c.jsonl",
        "{\"id\":\"x\",\"post\":\"locked\",\"username\":\"A\",\"email\":\"a@example.org\",\"body\":\"Hi\",\"timestamp\":\"2024-01-01T00:00:00Z\"}\n",
    );
    let run = site.run(&["ingest", "c.jsonl"]);
    assert!(run.stdout.contains("1 rejected"), "{}", run.stdout);
}

#[test]
fn images_and_covers_give_social_previews() {
    let site = TestSite::new();
    site.write(
        "content/posts/pic.md",
        "---\ntitle: With a picture\ndate: 2024-01-01\ndescription: Look.\nimage: /img/lake.jpg\n---\nBody.\n",
    );
    site.write(
        "content/posts/cover/index.md",
        "+++\ntitle = \"Hugo cover\"\ndate = 2024-01-02\n[cover]\nimage = \"cover.jpg\"\nalt = \"A cover\"\n+++\nBody.\n",
    );
    site.write("content/posts/cover/cover.jpg", "jpg");
    site.write(
        "content/posts/plain.md",
        "+++\ntitle = \"Plain\"\ndate = 2024-01-03\n+++\nBody.\n",
    );
    site.run(&["build"]).ok();
    let pic = site.read("public/posts/pic/index.html");
    for tag in [
        "<meta property=\"og:title\" content=\"With a picture\">",
        "<meta property=\"og:description\" content=\"Look.\">",
        "<meta property=\"og:image\" content=\"https://example.org/img/lake.jpg\">",
        "<meta name=\"twitter:card\" content=\"summary_large_image\">",
    ] {
        assert!(pic.contains(tag), "{tag} missing:\n{pic}");
    }
    assert!(site.read("public/posts/cover/index.html").contains(
        "<meta property=\"og:image\" content=\"https://example.org/posts/cover/cover.jpg\">"
    ));
    assert!(
        !site.read("public/posts/plain/index.html").contains("og:"),
        "no preview tags without an image"
    );
}

#[test]
fn render_false_keeps_a_page_to_its_sections_listing() {
    let site = TestSite::new();
    site.write("content/team/_index.md", "+++\ntitle = \"Team\"\n+++\n");
    site.write(
        "content/team/ada.md",
        "+++\ntitle = \"Ada\"\ndate = 2024-01-01\nrender = false\ntags = [\"people\"]\n+++\nAda's bio.\n",
    );
    site.write(
        "content/team/bob.md",
        "+++\ntitle = \"Bob\"\ndate = 2024-01-02\n+++\nBob's bio.\n",
    );
    site.run(&["build"]).ok();
    assert!(!site.exists("public/team/ada/index.html"));
    let team = site.read("public/team/index.html");
    assert!(
        team.contains("<h2>Ada</h2>"),
        "listed, without a link: {team}"
    );
    assert!(team.contains("href=\"/team/bob/\""), "{team}");
    assert!(!site.read("public/index.html").contains("Ada"));
    assert!(!site.read("public/atom.xml").contains("Ada"));
    assert!(!site.read("public/sitemap.xml").contains("/team/ada/"));
    assert!(!site.exists("public/tags/people/index.html"));
}

#[test]
fn html_files_with_front_matter_are_posts() {
    let site = TestSite::new();
    site.write(
        "content/posts/2019-02-03-handmade.html",
        "---\ntitle: Handmade\ndescription: Written in HTML.\n---\n<p>Made <em>by hand</em>.</p>\n",
    );
    site.write(
        "content/posts/fragment.html",
        "<p>no front matter: not a post</p>\n",
    );
    site.write(
        "content/posts/bundle/index.md",
        "+++\ntitle = \"Bundle\"\ndate = 2019-01-01\n+++\n[demo](demo.html)\n",
    );
    site.write("content/posts/bundle/demo.html", "---\nnot: a post\n---\n");
    site.run(&["build"]).ok();
    let post = site.read("public/posts/handmade/index.html");
    assert!(post.contains("<p>Made <em>by hand</em>.</p>"), "{post}");
    assert!(post.contains("datetime=\"2019-02-03T00:00:00Z\""), "{post}");
    assert!(
        site.read("public/index.html")
            .contains("href=\"/posts/handmade/\"")
    );
    assert!(!site.exists("public/posts/fragment/index.html"));
    assert_eq!(
        site.read("public/posts/bundle/demo.html"),
        "---\nnot: a post\n---\n",
        "an HTML file in a bundle is one of its files"
    );
}

#[test]
fn an_undated_draft_waits_for_its_date() {
    // Jekyll's _drafts/ have no date until they are published.
    let site = TestSite::with_config("[permalinks]\nposts = \"/:year/:title/\"\n");
    site.post("done", "Done", "2024-01-01", "", "Done.");
    site.write(
        "content/posts/unfinished.md",
        "---\ntitle: Unfinished\ndraft: true\n---\nSoon.\n",
    );
    site.run(&["build"]).ok();
    assert!(site.exists("public/2024/done/index.html"));
    let run = site.run(&["build", "--drafts"]).fails_with(1);
    assert!(
        run.stderr
            .contains("content/posts/unfinished.md:2: missing date"),
        "{}",
        run.stderr
    );
}
