//! Which files of a Jekyll site are its posts, pages, collections and static files, read as
//! Jekyll reads them (jekyllrb.com/docs/structure, /docs/posts, /docs/configuration/options):
//! a `_posts` or `_drafts` folder anywhere holds posts, whose folders above it are their first
//! categories; a file with front matter anywhere else is a page; every other file is copied;
//! names starting with `_` or `.` are skipped unless `include` names them, and so is whatever
//! `exclude` names.

use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};
use walkdir::WalkDir;

use super::config::Settings;
use super::files::{FrontEdits, Kind, Planned, has_front_matter, is_markup, under};

/// Top-level names of a Jekyll site that are its machinery, or pages quill makes itself.
const MACHINERY: &[&str] = &[
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

/// What Jekyll leaves out even when `exclude` does not say so (its `Configuration::DEFAULTS`).
const DEFAULT_EXCLUDE: &[&str] = &[
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
];

/// Every file of the Jekyll site at `source` the new site takes, and where.
pub(super) fn plan(source: &Path, settings: &Settings) -> Result<Vec<Planned>> {
    let filter = Filter::new(settings);
    let mut planned = Vec::new();
    let walk = WalkDir::new(source)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || filter.keeps(under(source, e.path()), e.depth()));
    for entry in walk {
        let entry = entry.with_context(|| format!("failed to read {}", source.display()))?;
        if entry.file_type().is_file() {
            let relative = under(source, entry.path());
            if let Some(file) = place(&relative, entry.path(), settings) {
                planned.push(file);
            }
        }
    }
    Ok(planned)
}

/// What decides whether Jekyll reads a path at all.
struct Filter {
    exclude: Vec<glob::Pattern>,
    exclude_prefixes: Vec<String>,
    include: Vec<String>,
    collections: Vec<String>,
}

impl Filter {
    fn new(settings: &Settings) -> Filter {
        let exclude: Vec<&str> = DEFAULT_EXCLUDE
            .iter()
            .copied()
            .chain(settings.exclude.iter().map(String::as_str))
            .filter(|p| !settings.include.iter().any(|i| i == p))
            .collect();
        Filter {
            exclude: exclude
                .iter()
                .filter_map(|p| glob::Pattern::new(p.trim_start_matches('/')).ok())
                .collect(),
            exclude_prefixes: exclude
                .iter()
                .map(|p| p.trim_matches('/').to_string())
                .filter(|p| !p.is_empty())
                .collect(),
            include: settings
                .include
                .iter()
                .map(|p| p.trim_matches('/').to_string())
                .collect(),
            collections: settings
                .collections
                .keys()
                .map(|name| format!("_{name}"))
                .collect(),
        }
    }

    /// Whether a path under the site (a folder or a file, at `depth`) is read.
    fn keeps(&self, relative: PathBuf, depth: usize) -> bool {
        let text = relative.to_string_lossy().replace('\\', "/");
        let name = text.rsplit('/').next().unwrap_or("");
        if depth == 1 && MACHINERY.contains(&name) {
            return false;
        }
        // Jekyll matches `exclude` as a glob over the whole path, or as its beginning.
        if self.exclude.iter().any(|p| p.matches(&text))
            || self
                .exclude_prefixes
                .iter()
                .any(|p| text.starts_with(p.as_str()))
        {
            return false;
        }
        let included = self.include.iter().any(|i| i == &text || i == name);
        if name.starts_with('.') {
            return included || name == ".htaccess" || name == ".well-known";
        }
        if name.starts_with('_') {
            return included
                || matches!(name, "_posts" | "_drafts")
                || (depth == 1
                    && (name == "_pages" || self.collections.iter().any(|c| c == name)));
        }
        true
    }
}

/// Where one file of the site goes, or `None` when quill makes that page itself.
fn place(relative: &Path, from: &Path, settings: &Settings) -> Option<Planned> {
    let parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let markup = is_markup(from);
    let planned = |to: PathBuf, kind: Kind, front: FrontEdits| {
        Some(Planned {
            to,
            from: from.to_path_buf(),
            kind: if markup { kind } else { Kind::Static },
            front,
        })
    };
    let first = parts.first()?.as_str();
    if let Some(name) = first.strip_prefix('_')
        && (name == "pages" || settings.collections.contains_key(name))
    {
        let to_dir = if name == "pages" { "" } else { name };
        let rest: PathBuf = parts[1..].iter().collect();
        let front = defaults(relative, Some(name), settings);
        return planned(
            Path::new("content").join(to_dir).join(rest),
            Kind::Content,
            front,
        );
    }
    if let Some(at) = parts.iter().position(|p| p == "_posts" || p == "_drafts") {
        let kind = if parts[at] == "_drafts" {
            Kind::Draft
        } else {
            Kind::Post
        };
        // Jekyll reads a post only from a file named YYYY-MM-DD-title; it skips others.
        let stem = from
            .file_stem()
            .map(|s| s.to_string_lossy())
            .unwrap_or_default();
        if kind == Kind::Post && markup && crate::content::slug::split_jekyll_stem(&stem).is_none()
        {
            return None;
        }
        // Jekyll's `categories_from_path`: the folders above `_posts` come first.
        let categories = parts[..at].to_vec();
        let mut front = defaults(relative, Some("posts"), settings);
        front.categories = categories;
        let to: PathBuf = ["content", "posts"]
            .iter()
            .map(|s| s.to_string())
            .chain(parts[..at].iter().cloned())
            .chain(parts[at + 1..].iter().cloned())
            .collect();
        return planned(to, kind, front);
    }
    if markup && has_front_matter(from) {
        let front = defaults(relative, Some("pages"), settings);
        return planned(Path::new("content").join(relative), Kind::Content, front);
    }
    // Jekyll copies a top-level data or gem file only when it is not its own machinery.
    if parts.len() == 1 && (first.ends_with(".yml") || first.ends_with(".gemspec")) {
        return None;
    }
    if markup && parts.len() == 1 {
        // Markdown without front matter at the top is the repository's, not the site's.
        return None;
    }
    Some(Planned {
        to: Path::new("static").join(relative),
        from: from.to_path_buf(),
        kind: Kind::Static,
        front: FrontEdits::default(),
    })
}

/// The permalink Jekyll's defaults give a file of `kind` at `relative`: the last matching
/// entry wins, and a longer path is more specific (Jekyll's `FrontmatterDefaults`).
fn defaults(relative: &Path, kind: Option<&str>, settings: &Settings) -> FrontEdits {
    let text = relative.to_string_lossy().replace('\\', "/");
    let permalink = settings
        .scoped_permalinks
        .iter()
        .filter(|d| d.kind.is_none() || d.kind.as_deref() == kind)
        .filter(|d| {
            d.path.is_empty()
                || text == d.path
                || text.starts_with(&format!("{}/", d.path))
                || glob::Pattern::new(&d.path).is_ok_and(|p| p.matches(&text))
        })
        .max_by_key(|d| d.path.len())
        .map(|d| d.permalink.clone());
    FrontEdits {
        categories: Vec::new(),
        permalink,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::site::config::ScopedPermalink;

    fn settings() -> Settings {
        let mut s = Settings {
            exclude: vec!["scripts".into(), "*.sh".into()],
            include: vec!["_redirects".into()],
            ..Settings::default()
        };
        s.collections.insert("recipes".into(), None);
        s.scoped_permalinks.push(ScopedPermalink {
            path: "notes".into(),
            kind: Some("posts".into()),
            permalink: "/notes/:title/".into(),
        });
        s
    }

    #[test]
    fn jekyll_reads_what_its_docs_say_it_reads() {
        let filter = Filter::new(&settings());
        let keeps = |p: &str, depth| filter.keeps(PathBuf::from(p), depth);
        assert!(keeps("blog/_posts", 2), "a _posts folder anywhere");
        assert!(keeps("_recipes", 1), "an output collection");
        assert!(!keeps("_includes", 1) && !keeps("_site", 1) && !keeps("blog/_data", 2));
        assert!(keeps("_redirects", 1), "include names it");
        assert!(!keeps(".git", 1) && keeps(".htaccess", 1));
        assert!(
            !keeps("scripts", 1) && !keeps("scripts/x.txt", 2),
            "exclude as a prefix"
        );
        assert!(
            !keeps("deploy.sh", 1) && !keeps("tools/run.sh", 2),
            "exclude as a glob"
        );
        assert!(!keeps("Gemfile", 1) && !keeps("node_modules", 1));
        assert!(keeps("assets", 1) && keeps("assets/site.css", 2));
    }

    #[test]
    fn posts_in_folders_get_the_folders_as_categories_and_scoped_permalinks() {
        let s = settings();
        let post = |p: &str| place(Path::new(p), Path::new(p), &s).unwrap();
        let nested = post("blog/_posts/2021-02-03-nested.md");
        assert_eq!(
            nested.to,
            Path::new("content/posts/blog/2021-02-03-nested.md")
        );
        assert_eq!(
            (nested.kind, nested.front.categories),
            (Kind::Post, vec!["blog".into()])
        );
        let note = post("notes/_posts/2021-03-03-a-note.md");
        assert_eq!(note.front.permalink.as_deref(), Some("/notes/:title/"));
        assert!(
            place(
                Path::new("_posts/notes.md"),
                Path::new("_posts/notes.md"),
                &s
            )
            .is_none(),
            "Jekyll skips a post whose name has no date"
        );
        let draft = post("blog/_drafts/idea.md");
        assert_eq!(draft.kind, Kind::Draft);
        let top = post("_posts/2021-01-02-first.md");
        assert!(top.front.categories.is_empty() && top.front.permalink.is_none());
        assert_eq!(post("images/a.png").to, Path::new("static/images/a.png"));
        assert_eq!(
            post("_recipes/bread.md").to,
            Path::new("content/recipes/bread.md")
        );
    }
}
