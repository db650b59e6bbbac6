//! Every old URL survives: permalink patterns with Jekyll's and Hugo's tokens, a page's own
//! `permalink`/`path`/`url`, slug modes, nested folders and collisions. Each expected URL is
//! the one the generator's documentation gives for that pattern and file.

use crate::common::TestSite;

/// The output file for a site path: `/a/` is `a/index.html`, `/a.html` itself.
fn file_of(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("public/{trimmed}index.html")
    } else {
        format!("public/{trimmed}")
    }
}

/// Asserts that `path` was written, that the home page, the feed and the sitemap link to it,
/// and that it has the post's body.
fn published_at(site: &TestSite, path: &str, body: &str) {
    let file = file_of(path);
    assert!(site.exists(&file), "nothing written at {file}");
    assert!(site.read(&file).contains(body), "{file} lacks {body:?}");
    let index = site.read("public/index.html");
    assert!(
        index.contains(&format!("href=\"{path}\"")),
        "the home page does not link {path}:\n{index}"
    );
    let url = format!("https://example.org{path}");
    assert!(
        site.read("public/atom.xml")
            .contains(&format!("href=\"{url}\"")),
        "the feed does not link {url}"
    );
    assert!(
        site.read("public/sitemap.xml")
            .contains(&format!("<loc>{url}</loc>")),
        "the sitemap lacks {url}"
    );
}

fn config(extra: &str) -> String {
    format!("title = \"Test\"\nbase_url = \"https://example.org\"\n{extra}")
}

#[test]
fn jekyll_patterns_give_jekylls_urls() {
    // jekyllrb.com/docs/permalinks: for _posts/2009-04-29-slap-chop.md, the built-in styles
    // date, pretty, ordinal and none, and a file name with its case and underscores kept.
    let site = TestSite::new();
    site.write(
        "content/posts/2009-04-29-slap-chop.md",
        "---\ntitle: Slap Chop\ncategories: [Food]\n---\nChop chop.\n",
    );
    for (pattern, path) in [
        (
            "/:categories/:year/:month/:day/:title:output_ext",
            "/food/2009/04/29/slap-chop.html",
        ),
        (
            "/:categories/:year/:month/:day/:title/",
            "/food/2009/04/29/slap-chop/",
        ),
        (
            "/:categories/:year/:y_day/:title:output_ext",
            "/food/2009/119/slap-chop.html",
        ),
        ("/:categories/:title:output_ext", "/food/slap-chop.html"),
        ("/:title.html", "/slap-chop.html"),
        ("date", "/food/2009/04/29/slap-chop.html"),
        ("pretty", "/food/2009/04/29/slap-chop/"),
        ("ordinal", "/food/2009/119/slap-chop.html"),
        ("none", "/food/slap-chop.html"),
        ("/:year/:i_month/:i_day/:slug/", "/2009/4/29/slap-chop/"),
        (
            "/:short_year/:hour:minute:second/:slug/",
            "/09/000000/slap-chop/",
        ),
    ] {
        site.write(
            "site.toml",
            &config(&format!("[permalinks]\nposts = \"{pattern}\"\n")),
        );
        site.run(&["build"]).ok();
        published_at(&site, path, "Chop chop.");
    }
}

#[test]
fn jekyll_title_keeps_the_file_name_under_safe_slugs() {
    // Jekyll's :title "preserves case" and keeps underscores; with [slugify] paths = "safe",
    // quill does too.
    let site =
        TestSite::with_config("[slugify]\npaths = \"safe\"\n[permalinks]\nposts = \"/:title/\"\n");
    site.write(
        "content/posts/2014-03-02-using_matlab_class_methods.md",
        "---\ntitle: Using MATLAB class methods\n---\nMethods.\n",
    );
    site.run(&["build"]).ok();
    published_at(&site, "/using_matlab_class_methods/", "Methods.");
}

#[test]
fn hugo_patterns_give_hugos_urls() {
    // gohugo.io/configuration/permalinks: posts = '/articles/:year/:month/:slug/' and
    // tutorials = '/training/:slug/'. Hugo's :slug is the slug, else the title, urlized;
    // :filename and :contentbasename the file's name; :section the top folder.
    let site = TestSite::with_config(
        "[permalinks]\nstyle = \"hugo\"\nposts = \"/articles/:year/:month/:slug/\"\ntutorials = \"/training/:slug/\"\nnotes = \"/:section/:filename/\"\nthoughts = \"/:sections/:contentbasename/\"\n",
    );
    site.write("content/_index.md", "+++\ntitle = \"Home\"\n+++\n");
    site.write(
        "content/posts/bash.md",
        "+++\ntitle = \"Bash in Slow Motion\"\ndate = 2023-03-01\n+++\nSlowly.\n",
    );
    site.write(
        "content/tutorials/git.md",
        "+++\ntitle = \"Git for Beginners\"\nslug = \"git-basics\"\ndate = 2023-04-01\n+++\nCommit.\n",
    );
    site.write(
        "content/notes/first-note.md",
        "+++\ntitle = \"A Note\"\ndate = 2023-05-01\n+++\nNoted.\n",
    );
    site.write(
        "content/thoughts/trip/index.md",
        "+++\ntitle = \"Some Trip\"\ndate = 2023-06-01\n+++\nAway.\n",
    );
    // Hugo lowercases the paths it makes (disablePathToLower is off by default); a page's
    // own url is kept as written.
    site.write(
        "content/posts/trip/index.md",
        "+++\ntitle = \"A Trip\"\ndate = 2024-06-01\n+++\nAway again.\n",
    );
    site.write(
        "content/Notes_Page.md",
        "+++\ntitle = \"Notes\"\n+++\nA page.\n",
    );
    site.write(
        "content/Kept.md",
        "+++\ntitle = \"Kept\"\nurl = \"/Kept/As/Written/\"\n+++\nKept.\n",
    );
    site.write("site.toml", &config("[slugify]\npaths = \"safe\"\n[permalinks]\nstyle = \"hugo\"\nposts = \"/articles/:year/:month/:slug/\"\ntutorials = \"/training/:slug/\"\nnotes = \"/:section/:filename/\"\nthoughts = \"/:sections/:contentbasename/\"\n"));
    site.run(&["build"]).ok();
    published_at(&site, "/articles/2024/06/a-trip/", "Away again.");
    assert!(
        site.read("public/notes_page/index.html")
            .contains("A page.")
    );
    assert!(
        site.read("public/Kept/As/Written/index.html")
            .contains("Kept.")
    );
    published_at(&site, "/articles/2023/03/bash-in-slow-motion/", "Slowly.");
    published_at(&site, "/training/git-basics/", "Commit.");
    published_at(&site, "/notes/first-note/", "Noted.");
    published_at(&site, "/thoughts/trip/", "Away.");
}

#[test]
fn a_pages_own_path_wins() {
    // Jekyll's `permalink: /404.html` writes that file; Zola's `path = "about/me"` is
    // /about/me/; Hugo's `url` is the whole path; Jekyll's front matter takes tokens too.
    let site = TestSite::with_config("[permalinks]\nposts = \"/:year/:slug/\"\n");
    site.write(
        "content/404.md",
        "---\ntitle: Not here\npermalink: /404.html\n---\nNothing at this address, sorry.\n",
    );
    site.write(
        "content/me.md",
        "+++\ntitle = \"Me\"\npath = \"about/me\"\n+++\nIt is me.\n",
    );
    site.write(
        "content/posts/hugo.md",
        "---\ntitle: Hugo\ndate: 2020-01-02\nurl: /old/hugo-post/\n---\nFrom Hugo.\n",
    );
    site.write(
        "content/posts/jekyll.md",
        "---\ntitle: Jekyll\ndate: 2020-01-03\npermalink: /blog/:year/:month/:title/\n---\nFrom Jekyll.\n",
    );
    site.write(
        "content/posts/plain.md",
        "---\ntitle: Plain\ndate: 2021-05-06\n---\nPlain.\n",
    );
    site.run(&["build"]).ok();
    let not_found = site.read("public/404.html");
    assert!(
        not_found.contains("Nothing at this address, sorry."),
        "{not_found}"
    );
    assert!(!site.exists("public/404/index.html"));
    assert!(
        site.read("public/about/me/index.html")
            .contains("It is me.")
    );
    published_at(&site, "/old/hugo-post/", "From Hugo.");
    published_at(&site, "/blog/2020/01/jekyll/", "From Jekyll.");
    published_at(&site, "/2021/plain/", "Plain.");
}

#[test]
fn slug_modes() {
    // Zola's [slugify] paths: "on" (the default) lowercases and hyphenates, "safe" keeps case,
    // underscores and dots, "off" keeps the name as written.
    let site = TestSite::new();
    site.post("Using_MATLAB_v1.2", "Matlab", "2024-01-01", "", "Matrices.");
    site.run(&["build"]).ok();
    published_at(&site, "/posts/using-matlab-v1-2/", "Matrices.");
    for (mode, path) in [
        ("safe", "/posts/Using_MATLAB_v1.2/"),
        ("off", "/posts/Using_MATLAB_v1.2/"),
    ] {
        site.write(
            "site.toml",
            &config(&format!("[slugify]\npaths = \"{mode}\"\n")),
        );
        site.run(&["build"]).ok();
        published_at(&site, path, "Matrices.");
    }
    site.write(
        "content/posts/My Trip.md",
        "+++\ntitle = \"Trip\"\ndate = 2024-02-01\n+++\nAway.\n",
    );
    site.run(&["build"]).ok();
    assert!(
        site.exists("public/posts/My Trip/index.html"),
        "off keeps the space"
    );
    site.write("site.toml", &config("[slugify]\npaths = \"safe\"\n"));
    site.run(&["build"]).ok();
    published_at(&site, "/posts/My-Trip/", "Away.");
}

#[test]
fn nested_folders_keep_their_paths() {
    let site = TestSite::new();
    site.write(
        "content/posts/2017/12/index.md",
        "+++\ntitle = \"December 2017\"\ndate = 2017-12-01\n+++\nOld December.\n",
    );
    site.write(
        "content/posts/2018/12/index.md",
        "+++\ntitle = \"December 2018\"\ndate = 2018-12-01\n+++\nNew December.\n",
    );
    site.write(
        "content/posts/2024/tech-stack/index.md",
        "+++\ntitle = \"Tech stack\"\ndate = 2024-03-01\n+++\nStack.\n",
    );
    site.write("content/posts/2024/tech-stack/diagram.svg", "<svg/>");
    site.run(&["build"]).ok();
    published_at(&site, "/posts/2017/12/", "Old December.");
    published_at(&site, "/posts/2018/12/", "New December.");
    published_at(&site, "/posts/2024/tech-stack/", "Stack.");
    assert_eq!(
        site.read("public/posts/2024/tech-stack/diagram.svg"),
        "<svg/>"
    );
}

#[test]
fn two_pages_that_want_one_url_are_an_error_naming_both() {
    let site = TestSite::new();
    site.write(
        "content/posts/a.md",
        "---\ntitle: A\ndate: 2024-01-01\npermalink: /same/\n---\nA.\n",
    );
    site.write(
        "content/posts/b.md",
        "+++\ntitle = \"B\"\ndate = 2024-01-02\n\npath = \"same\"\n+++\nB.\n",
    );
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr
            .contains("content/posts/a.md:4 and content/posts/b.md:5 both want the URL /same/"),
        "{}",
        run.stderr
    );
    // A page that takes a file quill writes itself is refused too.
    site.write(
        "content/posts/b.md",
        "+++\ntitle = \"B\"\ndate = 2024-01-02\npath = \"tags\"\n+++\nB.\n",
    );
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr.contains("content/posts/b.md") && run.stderr.contains("tags/index.html"),
        "{}",
        run.stderr
    );
    // A pattern that needs a date on a page without one.
    site.write(
        "content/posts/b.md",
        "+++\ntitle = \"B\"\ndate = 2024-01-02\n+++\nB.\n",
    );
    site.write(
        "site.toml",
        &config("[permalinks]\npages = \"/:year/:slug/\"\n"),
    );
    site.write("content/about.md", "+++\ntitle = \"About\"\n+++\nMe.\n");
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr
            .contains("content/about.md:1: the [permalinks] pattern for pages uses the date"),
        "{}",
        run.stderr
    );
    site.write(
        "site.toml",
        &config("[permalinks]\nposts = \"/:yr/:slug/\"\n"),
    );
    let run = site.run(&["build"]).fails_with(1);
    assert!(run.stderr.contains("site.toml:3:"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown token `:yr`"), "{}", run.stderr);
    site.write("site.toml", &config(""));
    site.write(
        "content/about.md",
        "+++\ntitle = \"About\"\npath = \"../../outside\"\n+++\nMe.\n",
    );
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr.contains("content/about.md:3:")
            && run.stderr.contains("not a path inside the site"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_comment_addressed_to_an_old_url_finds_its_post() {
    let site = TestSite::with_config(
        "[permalinks]\nposts = \"/:categories/:year/:month/:day/:title:output_ext\"\n",
    );
    site.write(
        "content/posts/2009-04-29-slap-chop.md",
        "---\ntitle: Slap Chop\ncategories: food\nredirect_from: [/chop/]\n---\nChop chop.\n",
    );
    site.write(
        "content/posts/2017/12/index.md",
        "+++\ntitle = \"December\"\ndate = 2017-12-01\n+++\nCold.\n",
    );
    site.write(
        "content/posts/2024/tech-stack/index.md",
        "+++\ntitle = \"Stack\"\ndate = 2024-01-01\n+++\nTools.\n",
    );
    let line = |id: &str, post: &str, body: &str| {
        format!(
            "{{\"id\":\"{id}\",\"post\":\"{post}\",\"username\":\"Ada\",\"email\":\"ada@example.org\",\"body\":\"{body}\",\"timestamp\":\"2024-02-01T10:00:00Z\"}}\n"
        )
    };
    site.write(
        "old.jsonl",
        &[
            line(
                "c1",
                "https://example.org/food/2009/04/29/slap-chop.html",
                "By the permalink",
            ),
            line("c2", "/chop/", "By the alias"),
            line("c3", "slap-chop", "By the slug"),
            line(
                "c4",
                "https://example.org/2017/12/01/12.html",
                "By the nested URL",
            ),
            line("c5", "/posts/slap-chop/", "By a URL the post does not have"),
            line("c6", "tech-stack", "By a nested post's slug"),
            line("c7", "2024/tech-stack", "By its key"),
        ]
        .concat(),
    );
    let run = site.run(&["ingest", "old.jsonl"]);
    assert!(
        run.stdout.contains("stored 6 comments") && run.stdout.contains("1 rejected"),
        "{}{}",
        run.stdout,
        run.stderr
    );
    let rows = site.comment_rows();
    let posts: Vec<&str> = rows.iter().map(|(_, post, _)| post.as_str()).collect();
    assert_eq!(
        posts,
        [
            "slap-chop",
            "slap-chop",
            "slap-chop",
            "2017/12",
            "2024/tech-stack",
            "2024/tech-stack"
        ]
    );
    site.run(&["build"]).ok();
    let post = site.read("public/food/2009/04/29/slap-chop.html");
    for body in ["By the permalink", "By the alias", "By the slug"] {
        assert!(post.contains(body), "{body} missing from the post");
    }
    assert!(
        site.read("public/2017/12/01/12.html")
            .contains("By the nested URL")
    );
    assert!(
        site.read("public/chop/index.html")
            .contains("https://example.org/food/2009/04/29/slap-chop.html"),
        "the alias redirects to the permalink"
    );
}

#[test]
fn an_import_finds_a_post_by_its_permalink_on_the_old_domain() {
    let site = TestSite::with_config("[permalinks]\nposts = \"/:year/:month/:day/:slug.html\"\n");
    for year in ["2017", "2018"] {
        site.write(
            &format!("content/posts/{year}/12/index.md"),
            &format!("+++\ntitle = \"December {year}\"\ndate = {year}-12-01\n+++\nCold.\n"),
        );
    }
    // Both posts have the slug "12": only the whole URL tells them apart.
    site.write(
        "disqus.xml",
        "<?xml version=\"1.0\"?>\n<disqus xmlns:dsq=\"http://disqus.com/disqus-internals\">\n<thread dsq:id=\"1\"><link>https://old.example/2018/12/01/12.html</link></thread>\n<post dsq:id=\"p1\"><message>&lt;p&gt;Brr&lt;/p&gt;</message><createdAt>2019-01-02T08:00:00Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Ada</name><email>ada@example.org</email></author><thread dsq:id=\"1\"/></post>\n</disqus>\n",
    );
    site.run(&["import", "disqus", "disqus.xml"]).ok();
    let rows = site.comment_rows();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].1, "2018/12");
    site.run(&["build"]).ok();
    assert!(site.read("public/2018/12/01/12.html").contains("Brr"));
    assert!(!site.read("public/2017/12/01/12.html").contains("Brr"));
}
