//! `quill init` and `quill new`: new files that build, and never an overwrite.

use crate::common::TestSite;

#[test]
fn init_makes_a_site_that_builds() {
    let dir = TestSite::empty();
    dir.run(&["init", "blog"]).ok();
    let run = crate::common::quill()
        .args(["build", "--root", "blog"])
        .current_dir(dir.root())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(dir.exists("blog/public/posts/hello-world/index.html"));
    let ignored = dir.read("blog/.gitignore");
    for line in ["/public/", "/.public.quill-*", "/comments.db"] {
        assert!(ignored.lines().any(|l| l == line), "{line} in {ignored}");
    }
}

#[test]
fn init_keeps_an_existing_gitignore() {
    let dir = TestSite::empty();
    dir.write(".gitignore", "mine\n");
    dir.run(&["init"]).ok();
    assert_eq!(dir.read(".gitignore"), "mine\n");
    assert!(dir.exists("site.toml"));
}

#[test]
fn init_refuses_to_overwrite() {
    let dir = TestSite::empty();
    dir.write("site.toml", "mine");
    let run = dir.run(&["init"]).fails_with(1);
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert_eq!(dir.read("site.toml"), "mine");
    assert!(
        !dir.exists("content/posts/hello-world.md"),
        "nothing is written when one file exists"
    );
}

#[test]
fn new_writes_front_matter_and_refuses_to_overwrite() {
    let site = TestSite::new();
    site.run(&["new", "My First Trip: Zürich"]).ok();
    let text = site.read("content/posts/my-first-trip-zurich.md");
    assert!(
        text.starts_with("+++\ntitle = \"My First Trip: Zürich\"\ndate = "),
        "{text}"
    );
    assert!(!text.contains("draft"));
    let run = site.run(&["new", "My First Trip: Zürich"]).fails_with(1);
    assert!(run.stderr.contains("already exists"));
    site.run(&["new", "Later", "--draft"]).ok();
    assert!(site.read("content/posts/later.md").contains("draft = true"));
    site.run(&["build"]).ok();
    assert!(site.exists("public/posts/my-first-trip-zurich/index.html"));
    assert!(!site.exists("public/posts/later/index.html"));
}
