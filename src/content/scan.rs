//! Finding the content: the Markdown files under `content/`, and the `.html` files that start
//! with front matter, with their fingerprints.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use walkdir::WalkDir;

use super::{CONTENT_DIR, Fingerprint};

/// The Markdown files under `root/content` in order, with their fingerprints: what a build
/// can learn about its content without reading any of it.
pub fn scan(root: &Path) -> Result<Vec<(PathBuf, Fingerprint)>> {
    let content_dir = root.join(CONTENT_DIR);
    if !content_dir.is_dir() {
        bail!(
            "no {CONTENT_DIR}/ folder in {} (write posts under content/posts/, or run `quill init`)",
            root.display()
        );
    }
    // Walk in order (names only), then stat in parallel: an unchanged site of thousands of
    // posts costs a stat per file.
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut html: Vec<PathBuf> = Vec::new();
    for entry in WalkDir::new(&content_dir).sort_by_file_name() {
        let entry = entry.with_context(|| format!("failed to walk {}", content_dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        match entry.path().extension().and_then(|e| e.to_str()) {
            Some("md") => paths.push(entry.into_path()),
            Some("html") => html.push(entry.into_path()),
            _ => {}
        }
    }
    if !html.is_empty() {
        paths = with_html_sources(paths, html)?;
    }
    paths
        .into_par_iter()
        .map(|path| {
            let metadata = std::fs::metadata(&path)
                .with_context(|| format!("failed to read {}", path.display()))?;
            Ok((path, Fingerprint::of(&metadata)))
        })
        .collect()
}

/// Adds to the Markdown files the `.html` files that start with front matter (Jekyll's HTML
/// posts), in walk order; an `.html` file in a bundle's folder is one of its files instead.
fn with_html_sources(markdown: Vec<PathBuf>, html: Vec<PathBuf>) -> Result<Vec<PathBuf>> {
    use std::io::BufRead;
    let bundles: Vec<&Path> = markdown
        .iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|p| p.parent())
        .collect();
    let mut extra = Vec::new();
    for path in html {
        if bundles.iter().any(|b| path.starts_with(b)) {
            continue;
        }
        let opened = std::fs::File::open(&path)
            .with_context(|| format!("failed to read {}", path.display()))?;
        let mut first = String::new();
        // A file that is not UTF-8 at its start is no front matter, so no source.
        let _ = std::io::BufReader::new(opened).read_line(&mut first);
        let fence = first.trim_start_matches('\u{feff}').trim_end();
        if fence == "---" || fence == "+++" {
            extra.push(path);
        }
    }
    let mut all = markdown;
    all.extend(extra);
    all.sort();
    Ok(all)
}

/// Whether a source is an `.html` file, whose body is HTML rather than Markdown.
pub fn is_html(file: &Path) -> bool {
    file.extension().is_some_and(|e| e == "html")
}
