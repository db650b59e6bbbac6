//! Every class of build error: a clear message naming the file and line, exit code 1, no
//! panic, and the previous output left exactly as it was.

use crate::common::{TestSite, snapshot};

/// Builds a good site once, breaks it with `breakage`, and checks the failed build's message.
fn fails_keeping_output(breakage: impl Fn(&TestSite), expected: &[&str]) {
    let site = TestSite::new();
    site.post("good", "Good", "2024-01-01", "", "x");
    site.run(&["build"]).ok();
    let before = snapshot(&site.path("public"));
    breakage(&site);
    let run = site.run(&["build"]).fails_with(1);
    for needle in expected {
        assert!(
            run.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            run.stderr
        );
    }
    assert_eq!(
        before,
        snapshot(&site.path("public")),
        "the previous public/ must be untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(site.root())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        // The records of the last build and the (unlocked) lock file stay beside the output.
        .filter(|n| {
            n.starts_with(".public")
                && ![
                    ".public.quill-manifest",
                    ".public.quill-sources",
                    ".public.quill-lock",
                ]
                .contains(&n.as_str())
        })
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn invalid_date_names_file_and_line() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/posts/a.md",
                "+++\ntitle = \"A\"\ndate = \"yesterday\"\n+++\n",
            );
        },
        &["content/posts/a.md:3: invalid date \"yesterday\" (expected RFC 3339"],
    );
}

#[test]
fn missing_title() {
    fails_keeping_output(
        |s| {
            s.write("content/posts/a.md", "+++\ndate = 2024-01-01\n+++\n");
        },
        &["content/posts/a.md:", "missing title"],
    );
}

#[test]
fn missing_date_on_a_post() {
    fails_keeping_output(
        |s| {
            s.write("content/posts/a.md", "+++\ntitle = \"A\"\n+++\n");
        },
        &["content/posts/a.md:", "missing date"],
    );
}

#[test]
fn bad_toml_front_matter() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/posts/a.md",
                "+++\ntitle = \"A\"\ndate = 2024-01-01\ntags = [\"x\"\n+++\n",
            );
        },
        &["content/posts/a.md:4: invalid TOML front matter"],
    );
}

#[test]
fn bad_yaml_front_matter() {
    fails_keeping_output(
        |s| {
            s.write(
                "content/posts/a.md",
                "---\ntitle: A\ndate: 2024-01-01\ntags: [x\n---\n",
            );
        },
        &["content/posts/a.md:", "invalid YAML front matter"],
    );
}

#[test]
fn template_syntax_error_names_template_and_line() {
    fails_keeping_output(
        |s| {
            s.write("templates/post.html", "<p>\n{% if %}\n");
        },
        &["post.html:2"],
    );
}

#[test]
fn template_render_error_names_template_and_line() {
    fails_keeping_output(
        |s| {
            s.write("templates/post.html", "<p>\n\n{{ page.no_such_field }}\n");
        },
        &["post.html:3", "no_such_field", "/posts/good/"],
    );
}

#[test]
fn file_that_is_not_utf8() {
    fails_keeping_output(
        |s| {
            std::fs::write(
                s.path("content/posts/bin.md"),
                b"+++\ntitle = \"\xff\xfe\"\n+++\n",
            )
            .unwrap();
        },
        &["content/posts/bin.md", "not valid UTF-8"],
    );
}

#[test]
fn unknown_config_key_suggests_the_right_one() {
    fails_keeping_output(
        |s| {
            s.write(
                "site.toml",
                "title = \"T\"\nbase_url = \"https://example.org\"\npaginte_by = 3\n",
            );
        },
        &[
            "site.toml:3",
            "unknown key `paginte_by`",
            "did you mean `paginate_by`",
        ],
    );
}

#[test]
fn two_posts_with_one_slug() {
    fails_keeping_output(
        |s| {
            s.post("one", "One", "2024-01-01", "slug = \"same\"\n", "x");
            s.post("two", "Two", "2024-01-01", "slug = \"same\"\n", "x");
        },
        &[
            "content/posts/one.md",
            "content/posts/two.md",
            "/posts/same/",
        ],
    );
}

#[test]
fn missing_site_toml() {
    let site = TestSite::empty();
    let run = site.run(&["build"]).fails_with(1);
    assert!(
        run.stderr.contains("site.toml") && run.stderr.contains("quill init"),
        "{}",
        run.stderr
    );
}

#[test]
fn output_over_the_site_is_refused() {
    let site = TestSite::new();
    site.post("a", "A", "2024-01-01", "", "x");
    let run = site.run(&["build", "-o", "."]).fails_with(1);
    assert!(
        run.stderr.contains("refusing to build into"),
        "{}",
        run.stderr
    );
    assert!(site.exists("content/posts/a.md"));
}

#[test]
fn an_alias_outside_the_site_names_the_file() {
    fails_keeping_output(
        |s| {
            s.post(
                "evil",
                "Evil",
                "2024-01-01",
                "aliases = [\"../../etc\"]\n",
                "x",
            );
        },
        &[
            "content/posts/evil.md",
            "alias \"../../etc\" is not a path inside the site",
        ],
    );
}

#[test]
fn a_page_at_a_path_quill_writes_names_both_writers() {
    fails_keeping_output(
        |s| {
            s.write("content/tags.md", "+++\ntitle = \"Tags\"\n+++\nMine.\n");
        },
        &["content/tags.md and quill's own /tags/ both want to be written to tags/index.html"],
    );
}

#[test]
fn an_alias_over_a_post_names_the_post_and_the_alias() {
    fails_keeping_output(
        |s| {
            s.post("old", "Old", "2024-01-01", "", "x");
            s.post(
                "new",
                "New",
                "2024-01-02",
                "aliases = [\"/posts/old/\"]\n",
                "x",
            );
        },
        &[
            "content/posts/old.md and an alias of",
            "/posts/new/ both want to be written to posts/old/index.html",
        ],
    );
}
