//! Writing new files for the author: a whole new site (`quill init`) or a new post (`quill new`).
//! Neither ever overwrites a file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};

use crate::content::slug::slugify;

const SITE_TOML: &str = r#"title = "My blog"
base_url = "https://example.org"
description = "Notes and stories."
author = "Me"
language = "en"
paginate_by = 10
feed_limit = 20

[comments]
# Where the comment form posts; leave it out to show comments without a form.
# endpoint = "https://formspree.io/f/yourid"
moderation = "auto"
"#;

const FIRST_POST: &str = r#"+++
title = "Hello, world"
date = 2025-01-01
tags = ["meta"]
+++

This is the first post of a new quill site. Edit it in `content/posts/hello-world.md`,
then run `quill build` and open `public/index.html`.

<!-- more -->

Write posts in Markdown with TOML (`+++`) or YAML (`---`) front matter.
"#;

/// What a site's repository should not hold: the build and its records, and the comment
/// database, whose email addresses must not be published with the sources.
const GITIGNORE: &str = "# Made by quill build: not sources.
/public/
/.public.quill-*
# Visitors' comments, with their email addresses: never publish them with the site's sources.
/comments.db
/comments.db-*
/comments.db.bak-*
*.rejects.jsonl
";

/// Writes a new, buildable site into `dir`, with a `.gitignore` unless it has one; refuses if
/// any of the site's files already exists.
pub fn init_site(dir: &Path) -> Result<Vec<PathBuf>> {
    let files = [
        (dir.join(crate::config::CONFIG_FILE), SITE_TOML),
        (dir.join("content/posts/hello-world.md"), FIRST_POST),
    ];
    if let Some((existing, _)) = files.iter().find(|(path, _)| path.exists()) {
        bail!(
            "{} already exists; quill init never overwrites files (pick an empty folder)",
            existing.display()
        );
    }
    for (path, text) in &files {
        write_new(path, text)?;
    }
    let mut written: Vec<PathBuf> = files.into_iter().map(|(p, _)| p).collect();
    let gitignore = dir.join(".gitignore");
    if !gitignore.exists() {
        write_new(&gitignore, GITIGNORE)?;
        written.push(gitignore);
    }
    Ok(written)
}

/// Writes `content/posts/<slug>.md` for a new post dated `now`; refuses to overwrite.
pub fn new_post(root: &Path, title: &str, draft: bool, now: DateTime<Utc>) -> Result<PathBuf> {
    let title = title.trim();
    let slug = slugify(title);
    if slug.is_empty() {
        bail!("cannot make a file name from the title {title:?}; use letters or digits");
    }
    if !root.join(crate::config::CONFIG_FILE).exists() {
        bail!(
            "no {} in {} (run quill new inside a site, or pass --root)",
            crate::config::CONFIG_FILE,
            root.display()
        );
    }
    let path = root.join("content/posts").join(format!("{slug}.md"));
    if path.exists() {
        bail!(
            "{} already exists; pick another title or edit that post",
            path.display()
        );
    }
    let mut front = toml::Table::new();
    front.insert("title".into(), toml::Value::String(title.to_string()));
    let text = format!(
        "+++\n{}date = {}\n{}+++\n\n",
        toml::to_string(&front).context("failed to write the title as TOML")?,
        now.format("%Y-%m-%dT%H:%M:%SZ"),
        if draft { "draft = true\n" } else { "" },
    );
    write_new(&path, &text)?;
    Ok(path)
}

fn write_new(path: &Path, text: &str) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("failed to create {}", parent.display()))?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("failed to create {}", path.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .with_context(|| format!("failed to write {}", path.display()))
}
