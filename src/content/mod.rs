//! The site's content: discovering Markdown files under `content/`, reading their front matter,
//! and deciding what each one is (a post or a page), where it goes, and what comes with it.

pub mod dates;
pub mod front_matter;
pub mod slug;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use walkdir::WalkDir;

use front_matter::FrontMatter;

/// The content folder under a site root.
pub const CONTENT_DIR: &str = "content";
/// Posts live under this folder of `content/`.
pub const POSTS_DIR: &str = "posts";

/// What a Markdown file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Dated, listed, in feeds: `/posts/<slug>/`.
    Post,
    /// A standalone page such as About: `/<slug>/`, not listed.
    Page,
}

/// One Markdown file, read and classified, with its body not yet rendered.
#[derive(Debug, Clone)]
pub struct Source {
    /// Post or page.
    pub kind: Kind,
    /// The file, relative to the site root (`content/posts/a.md`), for messages.
    pub file: PathBuf,
    /// The URL slug.
    pub slug: String,
    /// The site path without the base path: `/posts/a/`.
    pub path: String,
    /// The normalized front matter.
    pub meta: FrontMatter,
    /// The publication date (posts always have one).
    pub date: Option<DateTime<Utc>>,
    /// The Markdown after the front matter.
    pub body: String,
    /// Files beside a bundle's `index.md`, copied next to its HTML: (file, path within the bundle).
    pub assets: Vec<(PathBuf, String)>,
}

/// Reads every Markdown file under `root/content`, sorted so builds are deterministic.
///
/// Drafts are left out unless `include_drafts`. Two posts with one slug are an error.
pub fn load(root: &Path, include_drafts: bool) -> Result<Vec<Source>> {
    let content_dir = root.join(CONTENT_DIR);
    if !content_dir.is_dir() {
        bail!(
            "no {CONTENT_DIR}/ folder in {} (write posts under content/posts/, or run `quill init`)",
            root.display()
        );
    }
    let mut sources = Vec::new();
    for entry in WalkDir::new(&content_dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("failed to walk {}", content_dir.display()))?;
        let path = entry.path();
        if !entry.file_type().is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let source = read_source(root, &content_dir, path)?;
        if include_drafts || !source.meta.draft {
            sources.push(source);
        }
    }
    check_unique_paths(&sources)?;
    Ok(sources)
}

fn read_source(root: &Path, content_dir: &Path, path: &Path) -> Result<Source> {
    let file = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read {}", file.display()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not valid UTF-8 (at byte {}); save it as UTF-8",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let located = |e: anyhow::Error| anyhow::anyhow!("{}:{e}", file.display());
    let split = front_matter::split(&text).map_err(located)?;
    let meta = front_matter::parse(&split).map_err(located)?;
    let body = split.body.to_string();

    let relative = path.strip_prefix(content_dir).unwrap_or(path);
    let kind = if relative.starts_with(POSTS_DIR) {
        Kind::Post
    } else {
        Kind::Page
    };
    let is_bundle = path.file_name().is_some_and(|n| n == "index.md");
    let stem = if is_bundle {
        path.parent().and_then(Path::file_name)
    } else {
        path.file_stem()
    }
    .map(|s| s.to_string_lossy().into_owned())
    .unwrap_or_default();
    let jekyll = slug::split_jekyll_stem(&stem);
    let slug = match &meta.slug {
        Some(s) => slug::slugify(s),
        None => slug::slugify(jekyll.map_or(stem.as_str(), |(_, rest)| rest)),
    };
    if slug.is_empty() {
        bail!(
            "{}: cannot make a URL slug from its name; add slug = \"...\" to the front matter",
            file.display()
        );
    }
    let date = meta.date.or_else(|| {
        jekyll
            .and_then(|(d, _)| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc())
    });
    if kind == Kind::Post && date.is_none() {
        bail!(
            "{}:{}: missing date (add date = YYYY-MM-DD to the front matter, or name the file YYYY-MM-DD-{slug}.md)",
            file.display(),
            2
        );
    }
    let page_path = match kind {
        Kind::Post => format!("/{POSTS_DIR}/{slug}/"),
        Kind::Page => {
            // A page keeps the folders it sits in: content/docs/setup.md is /docs/setup/.
            let bundle_or_file_parent = if is_bundle {
                relative.parent().and_then(Path::parent)
            } else {
                relative.parent()
            };
            let mut prefix = String::new();
            for part in bundle_or_file_parent.into_iter().flat_map(Path::components) {
                prefix.push('/');
                prefix.push_str(&slug::slugify(&part.as_os_str().to_string_lossy()));
            }
            format!("{prefix}/{slug}/")
        }
    };
    for alias in &meta.aliases {
        let leaves_site = alias.contains('\\')
            || Path::new(alias.trim_start_matches('/'))
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)));
        if leaves_site || alias.trim_matches('/').is_empty() {
            bail!(
                "{}: alias {alias:?} is not a path inside the site (write it like /2020/01/old-name/)",
                file.display()
            );
        }
    }
    let assets = if is_bundle {
        bundle_assets(path.parent().unwrap_or(content_dir))?
    } else {
        Vec::new()
    };
    Ok(Source {
        kind,
        file,
        slug,
        path: page_path,
        meta,
        date,
        body,
        assets,
    })
}

/// Every non-Markdown file in a bundle folder and its subfolders, with its path inside the bundle.
fn bundle_assets(dir: &Path) -> Result<Vec<(PathBuf, String)>> {
    let mut assets = Vec::new();
    for entry in WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("failed to walk {}", dir.display()))?;
        if entry.file_type().is_file() && entry.path().extension().is_none_or(|e| e != "md") {
            let within = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let within = within.to_string_lossy().replace('\\', "/");
            assets.push((entry.into_path(), within));
        }
    }
    Ok(assets)
}

fn check_unique_paths(sources: &[Source]) -> Result<()> {
    let mut seen: HashMap<&str, &Path> = HashMap::new();
    for source in sources {
        if let Some(other) = seen.insert(&source.path, &source.file) {
            bail!(
                "{} and {} both want the URL {} (give one of them another slug in its front matter)",
                other.display(),
                source.file.display(),
                source.path
            );
        }
    }
    Ok(())
}
