//! `quill import jekyll|hugo|zola SOURCE DEST` on fixture sites in each generator's layout:
//! the import, then a build, publishes every old URL, shows no template syntax as text,
//! threads the Staticman comments and reports the shortcodes to port; DEST is refused when
//! not empty and removed when the import fails; a second import is byte-identical.

use std::path::Path;

use crate::common::{TestSite, quill, snapshot};

fn import(kind: &str, source: &Path, dest: &Path) -> crate::common::Run {
    let output = quill()
        .args(["import", kind])
        .arg(source)
        .arg(dest)
        .output()
        .unwrap();
    crate::common::Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Every page in `pages` is a file of the output `public`.
fn assert_published(public: &Path, pages: &[&str]) {
    for page in pages {
        assert!(
            public.join(page).is_file(),
            "{page} is published: {:?}",
            snapshot(public)
                .into_iter()
                .map(|p| p.0)
                .collect::<Vec<_>>()
        );
    }
}

fn build(dest: &Path) -> crate::common::Run {
    let output = quill()
        .args(["build", "--root"])
        .arg(dest)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    let run = crate::common::Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    run.ok()
}

/// A Jekyll blog as the common themes lay one out.
fn jekyll_site() -> TestSite {
    let site = TestSite::empty();
    site.write(
        "_config.yml",
        "title: Ada's Notes\nurl: https://ada.example.org\nbaseurl: \"\"\nauthor:\n  name: Ada Lovelace\nlocale: en-GB\npermalink: /:year/:month/:day/:title/\npaginate: 5\ncollections:\n  recipes:\n    output: true\n    permalink: /recipes/:name/\nplugins:\n  - jekyll-feed\n  - jekyll-spaceship\n",
    );
    site.write(
        "Gemfile",
        "source \"https://rubygems.org\"\ngem \"jekyll\"\n",
    );
    site.write("index.html", "---\nlayout: home\n---\n");
    site.write(
        "_posts/2021-03-04-my_trip.md",
        "---\ntitle: \"My trip\"\ncategories: [travel]\ntags: [norway]\nexcerpt: Fjords and ferries.\n---\nWe went north.\n\n{% include note.html text=\"Pack a coat.\" %}\n\nNext: [the second day]({% post_url 2021-03-05-day-two %}).\n\n```liquid\n{% include note.html %}\n```\n",
    );
    site.write(
        "_posts/2021-03-05-day-two.md",
        "---\ntitle: Day two\n---\nMore fjords.\n",
    );
    site.write(
        "_drafts/unfinished.md",
        "---\ntitle: Unfinished\n---\nSoon.\n",
    );
    site.write(
        "_pages/about.md",
        "---\ntitle: About\npermalink: /about/\n---\nAbout Ada.\n",
    );
    site.write("contact.md", "---\ntitle: Contact\n---\nWrite to Ada.\n");
    site.write(
        "_recipes/bread.md",
        "---\ntitle: Bread\n---\nFlour and water.\n",
    );
    site.write(
        "_includes/note.html",
        "<aside class=\"note\">{{ include.text }}</aside>\n",
    );
    site.write("assets/css/extra.css", "body { color: black; }\n");
    site.write(
        "images/fjord.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    site.write(
        "_data/comments/my_trip/entry1615000000000.yml",
        "_id: c1\n_parent: /2021/03/04/my_trip/\nname: Bo\nemail: bo@example.org\nmessage: Lovely trip!\ndate: 1615000000\n",
    );
    site.write(
        "_data/comments/my_trip/entry1615000100000.yml",
        "_id: c2\n_parent: /2021/03/04/my_trip/\nreplying_to: \"1\"\nname: Ada Lovelace\nemail: ada@example.org\nmessage: Thank you, Bo.\ndate: 1615000100\n",
    );
    site
}

#[test]
fn a_jekyll_blog_moves_in_with_its_urls_includes_and_comments() {
    let source = jekyll_site();
    let dest = TestSite::empty();
    let new = dest.path("new-blog");
    let run = import("jekyll", source.root(), &new);
    assert_eq!(
        run.code,
        Some(2),
        "the include needs a hand: {}\n{}",
        run.stdout,
        run.stderr
    );
    assert!(
        run.stdout.contains("templates/shortcodes/note.html")
            && run.stdout.contains("called by 1 pages"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("plugins: jekyll-spaceship:"),
        "what was left out is said: {}",
        run.stdout
    );
    let built = build(&new);
    assert!(
        !built.stderr.contains("warning"),
        "no template syntax leaks: {}",
        built.stderr
    );
    let public = new.join("public");
    // The URLs Jekyll gave them (jekyllrb.com/docs/permalinks): :title is the file's slug.
    assert_published(
        &public,
        &[
            "2021/03/04/my_trip/index.html",
            "2021/03/05/day-two/index.html",
            "about/index.html",
            // A page without a permalink of its own: /:path/:basename/, since the site's
            // permalink ends in a slash (Jekyll's Utils.add_permalink_suffix).
            "contact/index.html",
            "recipes/bread/index.html",
            // jekyll-feed's feed, where subscribers have it.
            "feed.xml",
            "assets/css/extra.css",
            "images/fjord.svg",
        ],
    );
    assert!(!public.join("unfinished").exists(), "a draft stays a draft");
    let trip = std::fs::read_to_string(public.join("2021/03/04/my_trip/index.html")).unwrap();
    assert!(
        trip.contains("href=\"/2021/03/05/day-two/\""),
        "post_url resolves"
    );
    assert!(
        trip.contains("Pack a coat."),
        "the include's argument is shown"
    );
    assert!(
        trip.contains("{% include note.html %}"),
        "code is left as written"
    );
    // The comments, threaded under the post.
    assert!(
        trip.contains("Lovely trip!") && trip.contains("comment-replies"),
        "threaded comments"
    );
    assert!(!trip.contains("bo@example.org"));
    // The source is only read.
    assert!(!source.exists("_data/comments.rejects.jsonl") && !source.exists("public"));
}

#[test]
fn a_second_import_is_byte_identical_and_a_full_dest_is_refused() {
    let source = jekyll_site();
    let dest = TestSite::empty();
    import("jekyll", source.root(), &dest.path("one"));
    import("jekyll", source.root(), &dest.path("two"));
    let files = |dir: &str| {
        snapshot(&dest.path(dir))
            .into_iter()
            .filter(|(path, _)| path != "comments.db")
            .collect::<Vec<_>>()
    };
    assert_eq!(files("one"), files("two"));
    let before = files("one");
    let refused = import("jekyll", source.root(), &dest.path("one"));
    assert_eq!(refused.code, Some(1));
    assert!(
        refused.stderr.contains("is not empty"),
        "{}",
        refused.stderr
    );
    assert_eq!(files("one"), before, "a non-empty DEST is left alone");
}

#[test]
fn a_source_that_is_not_such_a_site_fails_and_leaves_no_dest() {
    let source = TestSite::empty();
    source.write("notes.txt", "not a blog");
    let dest = TestSite::empty();
    let run = import("hugo", source.root(), &dest.path("new"));
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("is not a Hugo site"), "{}", run.stderr);
    assert!(!dest.exists("new"));
}

#[test]
fn a_hugo_blog_moves_in_with_its_sections_bundles_and_shortcodes() {
    let source = TestSite::empty();
    source.write(
        "hugo.toml",
        "baseURL = 'https://hugo.example.org/'\ntitle = 'Hugo Blog'\nlanguageCode = 'en-us'\n[permalinks]\nposts = '/:year/:month/:slug/'\n[taxonomies]\ntag = 'tags'\ncategory = 'categories'\nseries = 'series'\n[params]\nsubtitle = 'Notes from afar'\n[menu]\n[[menu.main]]\nname = 'About'\nurl = '/about/'\n",
    );
    source.write("content/posts/_index.md", "---\ntitle: Posts\n---\n");
    source.write(
        "content/posts/first-post.md",
        "---\ntitle: First post\ndate: 2024-05-06T10:00:00Z\nslug: first\nmood: calm\nseries: [intro]\ntags: [Go]\naliases: [old-first, /top-level-old/]\n---\nHello.\n\n{{< youtube q_Mi5LrnIiU >}}\n\n{{< pullquote kind=\"tip\" >}}Drink water.{{< /pullquote >}}\n\n{{< notice tip >}}A built-in.{{< /notice >}}\n\nSubtitle: {{< param subtitle >}}; mood: {{< param \"mood\" >}}.\n",
    );
    source.write(
        "content/posts/trip/index.md",
        "+++\ntitle = 'A trip'\ndate = 2024-06-01\n+++\n![the view](view.svg)\n",
    );
    source.write(
        "content/posts/trip/view.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    source.write("content/about.md", "---\ntitle: About\n---\nMe.\n");
    // Hugo keeps a dated file name whole: no date is taken off its slug.
    source.write(
        "content/notes/2019-05-01-dated-name.md",
        "---\ntitle: Dated name\ndate: 2019-05-01\n---\nOld.\n",
    );
    // A top-level folder without `_index.md`: Hugo lists it all the same, and the posts
    // pattern is the `posts` section's only.
    source.write(
        "content/notes/jotted.md",
        "---\ntitle: Jotted down\ndate: 2024-07-01\n---\nA note.\n",
    );
    source.write(
        "content/drafty.md",
        "---\ntitle: Drafty\ndraft: true\n---\nNot yet.\n",
    );
    source.write(
        "layouts/shortcodes/pullquote.html",
        "<div class=\"pullquote {{ .Get \"kind\" }}\">{{ .Inner | markdownify }}</div>\n",
    );
    source.write("static/favicon.ico", "icon");
    source.write(
        "static/.well-known/security.txt",
        "Contact: mailto:a@example.org\n",
    );
    source.write("static/.DS_Store", "mac");
    let dest = TestSite::empty();
    let new = dest.path("new");
    let run = import("hugo", source.root(), &new);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("shortcode pullquote (1 pages): placeholder"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("menus"), "{}", run.stdout);
    let placeholder =
        std::fs::read_to_string(new.join("templates/shortcodes/pullquote.html")).unwrap();
    assert!(
        placeholder.contains(".Inner | markdownify"),
        "the original is kept for porting"
    );
    let built = build(&new);
    assert!(!built.stderr.contains("warning"), "{}", built.stderr);
    let public = new.join("public");
    // gohugo.io/content-management/urls: :slug is the front matter's slug.
    assert_published(
        &public,
        &[
            "2024/05/first/index.html",
            "posts/index.html",
            "about/index.html",
            "favicon.ico",
            ".well-known/security.txt",
            // A relative alias sits beside the page, as Hugo places it.
            "2024/05/old-first/index.html",
            "top-level-old/index.html",
            "series/intro/index.html",
            "notes/jotted/index.html",
            "notes/2019-05-01-dated-name/index.html",
            "notes/index.html",
            // Hugo's feeds are index.xml, the terms' too.
            "index.xml",
            "series/intro/index.xml",
            "posts/index.xml",
            // and a feed for each taxonomy's list, as Hugo has.
            "tags/index.xml",
            "series/index.xml",
            // Hugo's redirects from each list's page/1/.
            "page/1/index.html",
            "posts/page/1/index.html",
        ],
    );
    assert!(!public.join("drafty").exists());
    assert!(!public.join(".DS_Store").exists());
    let first = std::fs::read_to_string(public.join("2024/05/first/index.html")).unwrap();
    assert!(
        first.contains("Drink water.") && first.contains("kind=tip"),
        "the placeholder shows the call"
    );
    assert!(
        first.contains("youtube.com/watch?v=q_Mi5LrnIiU"),
        "a built-in answers"
    );
    // Hugo's param: the site's [params] (now [extra]), and the page's own front matter.
    assert!(
        first.contains("Subtitle: Notes from afar; mood: calm."),
        "{first}"
    );
    // Hugo's :slug is the slug, else the title, urlized (gohugo.io/configuration/permalinks),
    // and Hugo lowercases its paths: "A trip" is /2024/06/a-trip/.
    assert!(public.join("2024/06/a-trip/index.html").is_file());
    assert!(
        public.join("2024/06/a-trip/view.svg").is_file(),
        "a bundle's file comes along"
    );
}

#[test]
fn a_zola_blog_moves_in_with_its_tera_shortcodes_translated() {
    let source = TestSite::empty();
    source.write(
        "config.toml",
        "base_url = \"https://zola.example.org\"\ntitle = \"Zola Blog\"\ndescription = \"Notes\"\ntaxonomies = [{ name = \"tags\", feed = true }]\n[markdown]\nhighlight_code = true\n",
    );
    source.write("content/_index.md", "+++\ntitle = \"Home\"\n+++\n");
    source.write(
        "content/blog/_index.md",
        "+++\ntitle = \"Blog\"\nsort_by = \"date\"\n+++\n",
    );
    source.write(
        "content/blog/hello.md",
        "+++\ntitle = \"Hello\"\ndate = 2024-02-03\naliases = [\"old-hello\"]\n[taxonomies]\ntags = [\"intro\"]\n+++\nA chart: {{ chart(id=7) }}\n\nSee [the other one](@/blog/other.md).\n",
    );
    source.write(
        "content/blog/other.md",
        "+++\ntitle = \"Other\"\ndate = 2024-02-04\npath = \"custom/other\"\n+++\nOther.\n",
    );
    source.write(
        "templates/shortcodes/chart.html",
        "<figure class=\"chart\" id=\"chart-{{ id }}\">chart {{ id }}</figure>\n",
    );
    source.write(
        "static/img.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
    );
    let dest = TestSite::empty();
    let new = dest.path("new");
    let run = import("zola", source.root(), &new);
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("shortcode chart (1 pages): translated"),
        "{}",
        run.stdout
    );
    let built = build(&new);
    assert!(!built.stderr.contains("warning"), "{}", built.stderr);
    let public = new.join("public");
    assert_published(
        &public,
        &[
            "blog/hello/index.html",
            "custom/other/index.html",
            "blog/index.html",
            "img.svg",
            "tags/intro/index.html",
            // Zola's aliases are from the site's root, not beside the page as in Hugo.
            "old-hello/index.html",
        ],
    );
    let hello = std::fs::read_to_string(public.join("blog/hello/index.html")).unwrap();
    assert!(hello.contains("id=\"chart-7\""), "the Zola shortcode runs");
    assert!(
        hello.contains("href=\"/custom/other/\""),
        "@/ links resolve"
    );
}

/// A Jekyll blog that keeps posts in folders, pages in folders, front matter defaults and an
/// archive page made of Liquid. The URLs asserted are the ones Jekyll 4.3 published for it.
#[test]
fn a_jekyll_blog_in_folders_keeps_the_urls_jekyll_gave_it() {
    let source = TestSite::empty();
    source.write(
        "_config.yml",
        "title: Field Notes\nurl: https://notes.example.org\npermalink: /:categories/:year/:month/:day/:title:output_ext\npaginate: 2\nplugins: [jekyll-paginate, jekyll-feed]\nexclude:\n  - scripts\n  - \"*.sh\"\ncollections:\n  recipes:\n    output: true\n  guides:\n    output: true\n    permalink: /learn/:path/\ndefaults:\n  - scope:\n      path: \"notes\"\n      type: posts\n    values:\n      permalink: /notes/:title/\n      layout: note\n",
    );
    source.write(
        "_posts/2021-01-02-first.md",
        "---\ntitle: First\ncategories: Food Travel\n---\n{% include toc %}\n\nHello.\n{: .notice--info}\n\n![Map](/images/map.png){: .align-center}\n\n* TOC\n{:toc}\n\nFjord\n: A long inlet.\n\n<div class=\"notice\" markdown=\"1\">\n**Pack** a coat.\n</div>\n",
    );
    source.write(
        "blog/_posts/2021-02-03-nested.md",
        "---\ntitle: Nested\ncategories: [Food]\n---\nIn the blog folder.\n",
    );
    source.write(
        "blog/_posts/2021-02-04-plain.md",
        "---\ntitle: Plain\n---\nNo categories of its own.\n",
    );
    source.write(
        "notes/_posts/2021-03-03-a-note.md",
        "---\ntitle: A note\n---\nShort.\n",
    );
    source.write("about/index.md", "---\ntitle: About\n---\nMe.\n");
    source.write("docs/guide.md", "---\ntitle: Guide\n---\nHow to.\n");
    source.write(
        "docs/deep/er/page.md",
        "---\ntitle: Deep\n---\nDown here.\n",
    );
    source.write(
        "archive.html",
        "---\ntitle: Archive\n---\n<ul>{% for post in site.posts %}<li><a href=\"{{ post.url }}\">{{ post.title }}</a></li>{% endfor %}</ul>\n",
    );
    source.write("_recipes/bread.md", "---\ntitle: Bread\n---\nFlour.\n");
    source.write("_guides/knots.md", "---\ntitle: Knots\n---\nTie them.\n");
    source.write(
        "_guides/sailing/reefing.md",
        "---\ntitle: Reefing\n---\nLess sail.\n",
    );
    source.write("assets/css/site.css", "body {}\n");
    source.write("assets/css/main.scss", "---\n---\n@import \"theme\";\n");
    source.write("deploy.sh", "rsync -a _site/ host:\n");
    source.write("scripts/notes.txt", "build notes\n");
    source.write("_includes/unused.html", "<b>never called</b>\n");
    let dest = TestSite::empty();
    let new = dest.path("new");
    let run = import("jekyll", source.root(), &new);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .contains("archive.html:4: `{% for post in site.posts %}`"),
        "the Liquid page is named by line: {}",
        run.stdout
    );
    assert!(
        run.stdout.contains("main.scss") && run.stdout.contains("Sass"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("defaults: only their permalinks"),
        "{}",
        run.stdout
    );
    let built = build(&new);
    assert!(!built.stderr.contains("warning"), "{}", built.stderr);
    let public = new.join("public");
    assert_published(
        &public,
        &[
            "food/travel/2021/01/02/first.html",
            // The folders above `_posts` are the first categories.
            "blog/food/2021/02/03/nested.html",
            "blog/2021/02/04/plain.html",
            "notes/a-note/index.html",
            "about/index.html",
            "docs/guide.html",
            "docs/deep/er/page.html",
            "archive.html",
            "recipes/bread.html",
            // A collection's own permalink.
            "learn/knots/index.html",
            // Jekyll's :path keeps the folders under the collection's.
            "learn/sailing/reefing/index.html",
            "assets/css/site.css",
            // jekyll-paginate's second page of the home page, and jekyll-feed's feed.
            "page2/index.html",
            "feed.xml",
        ],
    );
    assert!(!public.join("page/2").exists());
    // Kramdown's attribute lists are dropped, its definition lists are lists, and the theme's
    // toc include is quill's own table of contents.
    let first = std::fs::read_to_string(public.join("food/travel/2021/01/02/first.html")).unwrap();
    assert!(!first.contains("{:") && !first.contains(">TOC<"), "{first}");
    assert!(
        first.contains("<dt>Fjord</dt>\n<dd>A long inlet.</dd>"),
        "{first}"
    );
    assert!(!first.contains("shortcode-placeholder"), "{first}");
    assert!(
        first.contains("<div class=\"notice\">\n<p><strong>Pack</strong> a coat.</p>\n</div>"),
        "a markdown=\"1\" block is read as Markdown: {first}"
    );
    let archive = std::fs::read_to_string(public.join("archive.html")).unwrap();
    assert!(!archive.contains("{%") && archive.contains("href=\"/tags/\""));
    for left_out in ["deploy.sh", "scripts/notes.txt", "unused.html", "_includes"] {
        assert!(
            snapshot(&public).iter().all(|(p, _)| !p.contains(left_out)),
            "{left_out} is not published"
        );
    }
}

#[test]
fn a_file_that_is_not_utf8_or_whose_front_matter_is_broken_is_named_and_nothing_is_lost() {
    let source = TestSite::empty();
    source.write("_config.yml", "title: Old\n");
    std::fs::create_dir_all(source.path("_posts")).unwrap();
    std::fs::write(
        source.path("_posts/2020-01-02-latin.md"),
        b"---\ntitle: Latin\n---\nUn caf\xe9 cr\xe8me.\n",
    )
    .unwrap();
    source.write(
        "_posts/2020-01-01-broken.md",
        "---\ntitle: [unclosed\n---\nBody.\n",
    );
    let dest = TestSite::empty();
    let new = dest.path("new");
    let run = import("jekyll", source.root(), &new);
    assert_eq!(run.code, Some(2), "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("2020-01-02-latin.md: is not UTF-8"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("2020-01-01-broken.md:3: invalid YAML")
            && run.stdout.contains("fix it before"),
        "{}",
        run.stdout
    );
    let latin = std::fs::read_to_string(new.join("content/posts/2020-01-02-latin.md")).unwrap();
    assert!(latin.contains("Un café crème."), "read as Latin-1: {latin}");
    let broken = std::fs::read_to_string(new.join("content/posts/2020-01-01-broken.md")).unwrap();
    assert!(broken.contains("[unclosed"), "kept as written");
}
