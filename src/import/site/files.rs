//! Which files of a Jekyll, Hugo or Zola site go where in a quill site: posts, pages, sections
//! and collections into `content/` with their front matter as written, static files into
//! `static/`. Listed in a fixed order, so two imports of one site write the same files.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use walkdir::WalkDir;

use super::Generator;
use super::config::Settings;

/// What a file becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A post (dated content).
    Post,
    /// A draft post, marked as one.
    Draft,
    /// A page or a section's content.
    Content,
    /// A file copied as it is.
    Static,
}

/// One file to write: from the source, to a path under the new site, and as what.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Planned {
    /// Relative to the new site's root.
    pub to: PathBuf,
    /// The source file.
    pub from: PathBuf,
    /// What it is.
    pub kind: Kind,
}

/// Every file of the source site the new one takes, sorted by destination.
pub fn plan(generator: Generator, source: &Path, settings: &Settings) -> Result<Vec<Planned>> {
    let mut planned = match generator {
        Generator::Jekyll => jekyll(source, settings)?,
        Generator::Hugo | Generator::Zola => content_and_static(source)?,
    };
    planned.sort();
    planned.dedup_by(|a, b| a.to == b.to);
    Ok(planned)
}

/// The files under `dir`, sorted, skipping hidden ones.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let walk = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walk {
        let entry = entry.with_context(|| format!("failed to read {}", dir.display()))?;
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

fn is_markup(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown" | "mdown" | "html")
    )
}

/// Whether a file starts with front matter (Jekyll renders only those; others are static).
fn has_front_matter(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(b"---") || b.starts_with(b"+++"))
}

fn under(root: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(root).unwrap_or(file).to_path_buf()
}

/// Hugo and Zola: `content/` as it is, `static/` as it is.
fn content_and_static(source: &Path) -> Result<Vec<Planned>> {
    let mut planned = Vec::new();
    let content = source.join("content");
    for file in files_under(&content)? {
        let kind = if is_markup(&file) {
            Kind::Content
        } else {
            Kind::Static
        };
        planned.push(Planned {
            to: Path::new("content").join(under(&content, &file)),
            from: file,
            kind,
        });
    }
    let statics = source.join("static");
    for file in files_under(&statics)? {
        planned.push(Planned {
            to: Path::new("static").join(under(&statics, &file)),
            from: file,
            kind: Kind::Static,
        });
    }
    Ok(planned)
}

/// Top-level names of a Jekyll site that are its machinery, not its output.
const JEKYLL_MACHINERY: &[&str] = &[
    "Gemfile",
    "Gemfile.lock",
    "Rakefile",
    "README.md",
    "README",
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "CHANGELOG.md",
    "package.json",
    "package-lock.json",
    "node_modules",
    "vendor",
    "index.html",
    "index.md",
    "feed.xml",
    "atom.xml",
    "sitemap.xml",
    "robots.txt",
    "search.json",
    "CNAME",
];

/// Jekyll: `_posts/` and `_drafts/` into `content/posts/`, collections that are output into
/// `content/NAME/`, `_pages/` and pages at the root into `content/`, and every other folder
/// or file that does not start with `_` or `.` into `static/`.
fn jekyll(source: &Path, settings: &Settings) -> Result<Vec<Planned>> {
    let mut planned = Vec::new();
    let mut take = |dir: &str, to: &str, kind: Kind| -> Result<()> {
        let from = source.join(dir);
        for file in files_under(&from)? {
            // A file beside posts that is not one (an image) stays beside them.
            let kind = if is_markup(&file) { kind } else { Kind::Static };
            let to = Path::new("content").join(to).join(under(&from, &file));
            planned.push(Planned {
                to,
                from: file,
                kind,
            });
        }
        Ok(())
    };
    take("_posts", "posts", Kind::Post)?;
    take("_drafts", "posts", Kind::Draft)?;
    take("_pages", "", Kind::Content)?;
    for name in settings.collections.keys() {
        take(&format!("_{name}"), name, Kind::Content)?;
    }
    let mut top: Vec<PathBuf> = std::fs::read_dir(source)
        .with_context(|| format!("failed to read {}", source.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    top.sort();
    for path in top {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with(['_', '.']) || JEKYLL_MACHINERY.contains(&name.as_str()) {
            continue;
        }
        if path.is_dir() {
            for file in files_under(&path)? {
                planned.push(Planned {
                    to: Path::new("static").join(under(source, &file)),
                    from: file,
                    kind: Kind::Static,
                });
            }
        } else if is_markup(&path) && has_front_matter(&path) {
            planned.push(Planned {
                to: Path::new("content").join(&name),
                from: path,
                kind: Kind::Content,
            });
        } else if !is_markup(&path) && !name.ends_with(".yml") && !name.ends_with(".gemspec") {
            planned.push(Planned {
                to: Path::new("static").join(&name),
                from: path,
                kind: Kind::Static,
            });
        }
    }
    Ok(planned)
}

/// A draft's text with `draft: true` added to its front matter (Jekyll marks drafts by their
/// folder, quill by the field) and, when it has no date, the date Jekyll gives a draft (its
/// file's modification day); nothing else changes.
pub fn mark_draft(text: &str, modified: &str) -> String {
    let has_date = |front: &str| front.lines().any(|l| l.trim_start().starts_with("date"));
    if let Some(rest) = text.strip_prefix("---\n") {
        let front = rest.split("\n---").next().unwrap_or("");
        let date = if has_date(front) {
            String::new()
        } else {
            format!("date: {modified}\n")
        };
        return format!("---\ndraft: true\n{date}{rest}");
    }
    if let Some(rest) = text.strip_prefix("+++\n") {
        let front = rest.split("\n+++").next().unwrap_or("");
        let date = if has_date(front) {
            String::new()
        } else {
            format!("date = {modified}\n")
        };
        return format!("+++\ndraft = true\n{date}{rest}");
    }
    format!("---\ndraft: true\ndate: {modified}\n---\n{text}")
}

/// A page's text with a `title` added when its front matter has none (Hugo, Zola and Jekyll
/// allow that; quill asks for one): the name of its file, or of its folder for an `index.md`
/// or `_index.md`, as words.
pub fn with_title(text: &str, path: &Path) -> Option<String> {
    let fence = ["---", "+++"]
        .into_iter()
        .find(|f| text.starts_with(&format!("{f}\n")))?;
    let rest = &text[4..];
    let front = rest.split(&format!("\n{fence}")).next().unwrap_or("");
    if front.lines().any(|l| l.starts_with("title")) {
        return None;
    }
    let stem = path.file_stem()?.to_string_lossy();
    let name = if matches!(stem.as_ref(), "index" | "_index") {
        path.parent()?.file_name()?.to_string_lossy().into_owned()
    } else {
        stem.into_owned()
    };
    let words = name.replace(['-', '_'], " ");
    let quoted = toml::Value::String(words).to_string();
    Some(match fence {
        "+++" => format!("+++\ntitle = {quoted}\n{rest}"),
        _ => format!("---\ntitle: {quoted}\n{rest}"),
    })
}

/// A file's modification day, `YYYY-MM-DD` (UTC).
pub fn modified_day(path: &Path) -> String {
    let modified = std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(chrono::DateTime::<chrono::Utc>::from)
        .unwrap_or_default();
    modified.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_without_a_title_gets_its_files_name() {
        assert_eq!(
            with_title(
                "---\ndate: 2024-01-01\n---\nx",
                Path::new("content/archives.md")
            )
            .unwrap(),
            "---\ntitle: \"archives\"\ndate: 2024-01-01\n---\nx"
        );
        assert_eq!(
            with_title("+++\n+++\n", Path::new("content/home_page/index.md")).unwrap(),
            "+++\ntitle = \"home page\"\n+++\n"
        );
        assert_eq!(with_title("---\ntitle: A\n---\n", Path::new("a.md")), None);
    }

    #[test]
    fn drafts_are_marked_and_nothing_else_changes() {
        let day = "2024-01-02";
        assert_eq!(
            mark_draft("---\ntitle: A\ndate: 2023-05-06\n---\nbody", day),
            "---\ndraft: true\ntitle: A\ndate: 2023-05-06\n---\nbody"
        );
        assert_eq!(
            mark_draft("---\ntitle: A\n---\nbody", day),
            "---\ndraft: true\ndate: 2024-01-02\ntitle: A\n---\nbody"
        );
        assert_eq!(
            mark_draft("+++\ntitle = \"A\"\n+++\n", day),
            "+++\ndraft = true\ndate = 2024-01-02\ntitle = \"A\"\n+++\n"
        );
        assert_eq!(
            mark_draft("just text", day),
            "---\ndraft: true\ndate: 2024-01-02\n---\njust text"
        );
    }
}
