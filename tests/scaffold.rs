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

/// The repository's own sample blog shows a conversation on its first build: its
/// `comments.db` holds exactly the sample submissions, ingested.
#[test]
fn the_sample_blog_ships_its_conversation() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let shipped = rusqlite::Connection::open_with_flags(
        repo.join("comments.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stored: Vec<(String, String)> = shipped
        .prepare("SELECT submission_key, body FROM comments WHERE status = 'approved' ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let submissions =
        std::fs::read_to_string(repo.join("tests/fixtures/sample-submissions.jsonl")).unwrap();
    let mut expected: Vec<(String, String)> = submissions
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                v["id"].as_str().unwrap().into(),
                v["body"].as_str().unwrap().into(),
            )
        })
        .collect();
    stored.sort();
    expected.sort();
    assert_eq!(
        stored, expected,
        "rebuild comments.db from the submissions (see README)"
    );
    // Built from the repository root as the README says, into a folder of the test's own.
    let out = tempfile::tempdir().unwrap();
    let run = crate::common::quill()
        .args(["build", "--root"])
        .arg(repo)
        .arg("-o")
        .arg(out.path().join("public"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summary = String::from_utf8_lossy(&run.stdout);
    assert!(
        summary.contains(&format!("{} comments", expected.len())),
        "{summary}"
    );
    let post = std::fs::read_to_string(
        out.path()
            .join("public/posts/parsing-dates-in-rust/index.html"),
    )
    .unwrap();
    assert!(post.contains("Marta Quintero") && !post.contains("marta@example.org"));
}
