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
pub(super) enum Kind {
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
pub(super) struct Planned {
    /// Relative to the new site's root.
    pub to: PathBuf,
    /// The source file.
    pub from: PathBuf,
    /// What it is.
    pub kind: Kind,
    /// What its front matter gains from where the old generator found it.
    pub front: FrontEdits,
}

/// Front matter a file gains from its place in the old site (Jekyll's categories from the
/// folders above `_posts`, a permalink from the defaults for its folder): what the old
/// generator gave it without the file saying so.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct FrontEdits {
    /// Categories that come before the front matter's own.
    pub categories: Vec<String>,
    /// A permalink pattern, unless the file has its own.
    pub permalink: Option<String>,
}

/// Every file of the source site the new one takes, sorted by destination.
pub(super) fn plan(
    generator: Generator,
    source: &Path,
    settings: &Settings,
) -> Result<Vec<Planned>> {
    let mut planned = match generator {
        Generator::Jekyll => super::jekyll::plan(source, settings)?,
        Generator::Hugo | Generator::Zola => content_and_static(source)?,
    };
    planned.sort();
    planned.dedup_by(|a, b| a.to == b.to);
    Ok(planned)
}

/// The files under `dir`, sorted, skipping hidden ones unless `hidden` keeps them (a static
/// folder's `.well-known/` or `.htaccess` are published as they are); a repository's and a
/// Mac's own files never are.
fn files_under(dir: &Path, hidden: bool) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    if !dir.is_dir() {
        return Ok(files);
    }
    let keep = |name: &str| {
        !name.starts_with('.') || (hidden && !matches!(name, ".git" | ".DS_Store" | ".gitkeep"))
    };
    let walk = WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || keep(&e.file_name().to_string_lossy()));
    for entry in walk {
        let entry = entry.with_context(|| format!("failed to read {}", dir.display()))?;
        if entry.file_type().is_file() {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}

/// Whether a file is Markdown or HTML, which a generator renders.
pub(super) fn is_markup(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("md" | "markdown" | "mdown" | "html")
    )
}

/// Whether a file starts with front matter (Jekyll renders only those; others are static).
pub(super) fn has_front_matter(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|b| b.starts_with(b"---") || b.starts_with(b"+++"))
}

/// `file` relative to `root`.
pub(super) fn under(root: &Path, file: &Path) -> PathBuf {
    file.strip_prefix(root).unwrap_or(file).to_path_buf()
}

/// Hugo and Zola: `content/` as it is, `static/` as it is.
fn content_and_static(source: &Path) -> Result<Vec<Planned>> {
    let mut planned = Vec::new();
    let content = source.join("content");
    for file in files_under(&content, false)? {
        let kind = if is_markup(&file) {
            Kind::Content
        } else {
            Kind::Static
        };
        planned.push(Planned {
            to: Path::new("content").join(under(&content, &file)),
            from: file,
            kind,
            front: FrontEdits::default(),
        });
    }
    let statics = source.join("static");
    for file in files_under(&statics, true)? {
        planned.push(Planned {
            to: Path::new("static").join(under(&statics, &file)),
            from: file,
            kind: Kind::Static,
            front: FrontEdits::default(),
        });
    }
    Ok(planned)
}

/// A draft's text with `draft: true` added to its front matter (Jekyll marks drafts by their
/// folder, quill by the field) and, when it has no date, the date Jekyll gives a draft (its
/// file's modification day); nothing else changes.
pub(super) fn mark_draft(text: &str, modified: &str) -> String {
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

/// A file's text with what its place gave it in the old site written into its YAML front
/// matter: the folders' categories before its own (the keys `category` and `categories` become
/// one `categories` list, as Jekyll merges them), and the permalink of its folder's defaults
/// unless it has one. Nothing else changes.
pub(super) fn with_front_edits(text: &str, edits: &FrontEdits) -> String {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text.to_string();
    };
    let Some(end) = rest.find("\n---") else {
        return text.to_string();
    };
    let (front, after) = rest.split_at(end + 1);
    let parsed: serde_json::Value = serde_norway::from_str(front).unwrap_or_default();
    let mut added = String::new();
    let mut dropped: &[&str] = &[];
    if !edits.categories.is_empty() {
        let mut categories = edits.categories.clone();
        let own = match (parsed.get("category"), parsed.get("categories")) {
            (Some(one), _) => vec![scalar(one)],
            (None, Some(serde_json::Value::String(s))) => {
                s.split_whitespace().map(str::to_string).collect()
            }
            (None, Some(serde_json::Value::Array(items))) => items.iter().map(scalar).collect(),
            _ => Vec::new(),
        };
        for category in own {
            if !category.is_empty() && !categories.contains(&category) {
                categories.push(category);
            }
        }
        let list = serde_json::to_string(&categories).unwrap_or_default();
        added.push_str(&format!("categories: {list}\n"));
        dropped = &["categories", "category"];
    }
    if let Some(permalink) = &edits.permalink
        && parsed.get("permalink").is_none()
    {
        let quoted = serde_json::Value::String(permalink.clone()).to_string();
        added.push_str(&format!("permalink: {quoted}\n"));
    }
    format!("---\n{added}{}{after}", without_keys(front, dropped))
}

/// A YAML value as text (a category may be written as a number).
fn scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// YAML front matter without the top-level `keys` and their indented or listed values.
fn without_keys(front: &str, keys: &[&str]) -> String {
    let mut out = String::with_capacity(front.len());
    let mut skipping = false;
    for line in front.split_inclusive('\n') {
        let starts_key = keys.iter().any(|k| {
            line.strip_prefix(k)
                .is_some_and(|r| r.trim_start().starts_with(':'))
        });
        if starts_key {
            skipping = true;
            continue;
        }
        if skipping && (line.starts_with([' ', '\t', '-']) || line.trim().is_empty()) {
            continue;
        }
        skipping = false;
        out.push_str(line);
    }
    out
}

/// A page's text with a `title` added when its front matter has none (Hugo, Zola and Jekyll
/// allow that; quill asks for one): the name of its file, or of its folder for an `index.md`
/// or `_index.md`, as words.
pub(super) fn with_title(text: &str, path: &Path) -> Option<String> {
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
pub(super) fn modified_day(path: &Path) -> String {
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
    fn folder_categories_come_first_and_a_default_permalink_only_when_the_file_has_none() {
        let cats = FrontEdits {
            categories: vec!["blog".into()],
            permalink: None,
        };
        assert_eq!(
            with_front_edits("---\ntitle: A\ncategories: Food Travel\n---\nx", &cats),
            "---\ncategories: [\"blog\",\"Food\",\"Travel\"]\ntitle: A\n---\nx"
        );
        assert_eq!(
            with_front_edits(
                "---\ncategories:\n  - blog\n  - 2024\ntags: [a]\n---\n",
                &cats
            ),
            "---\ncategories: [\"blog\",\"2024\"]\ntags: [a]\n---\n"
        );
        let permalink = FrontEdits {
            categories: Vec::new(),
            permalink: Some("/notes/:title/".into()),
        };
        assert_eq!(
            with_front_edits("---\ntitle: A\n---\n", &permalink),
            "---\npermalink: \"/notes/:title/\"\ntitle: A\n---\n"
        );
        let own = "---\npermalink: /mine/\n---\n";
        assert_eq!(with_front_edits(own, &permalink), own);
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
