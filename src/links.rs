//! Internal links: one lookup from a content file to its page's URL, taken from the site
//! model, so that every way of linking to a post (Zola's `@/x.md`, a relative `x.md`, Hugo's
//! `ref`, Jekyll's `post_url` and `link`) follows however the model computes its URLs.

use std::path::{Component, Path};

use rustc_hash::FxHashMap;

use crate::content::{CONTENT_DIR, Source};
use crate::site::{PageData, Site};

/// The URL of every page by its content file, and by its name for Hugo's and Jekyll's
/// shorter forms.
#[derive(Debug, Default)]
pub struct Links {
    /// Content file (relative to `content/`, `/`-separated) to (path, permalink).
    by_file: FxHashMap<String, (String, String)>,
    /// File stem (a bundle's folder name) to content files, for `ref "x"` and `post_url`.
    by_stem: FxHashMap<String, Vec<String>>,
}

/// What kind of URL a link wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// The path from the server root, with the base path.
    Path,
    /// The absolute URL (Hugo's `ref`).
    Permalink,
}

impl Links {
    /// The lookup for a site's pages.
    pub fn new(site: &Site, sources: &[Source]) -> Links {
        let mut links = Links::default();
        for page in site.posts.iter().chain(&site.pages) {
            links.add(&sources[page.source], page);
        }
        // A section's listing, as Zola links it: `@/blog/_index.md`.
        for section in &site.sections {
            let file = content_relative(&sources[section.source].file);
            links
                .by_file
                .insert(file, (section.path.clone(), section.permalink.clone()));
        }
        links
    }

    fn add(&mut self, source: &Source, page: &PageData) {
        let file = content_relative(&source.file);
        let path = Path::new(&file);
        let stem = if path.file_name().is_some_and(|n| n == "index.md") {
            path.parent().and_then(Path::file_name)
        } else {
            path.file_stem()
        };
        if let Some(stem) = stem {
            self.by_stem
                .entry(stem.to_string_lossy().into_owned())
                .or_default()
                .push(file.clone());
        }
        self.by_file
            .insert(file, (page.path.clone(), page.permalink.clone()));
    }

    /// The page of a content file (`posts/a.md`, relative to `content/`).
    pub fn page(&self, file: &str, form: Form) -> Option<&str> {
        self.by_file.get(file).map(|(path, permalink)| match form {
            Form::Path => path.as_str(),
            Form::Permalink => permalink.as_str(),
        })
    }

    /// A Markdown link's destination, when it points at a content file (`@/posts/a.md`,
    /// `../a.md#part`): `None` for any other link, else the page's URL or why there is none.
    /// `from` is the linking file, relative to the site root.
    pub fn markdown_link(&self, from: &Path, dest: &str) -> Option<Result<String, String>> {
        let (target, anchor) = split_anchor(dest);
        if let Some(file) = target.strip_prefix("@/") {
            return Some(self.exact(file, anchor, dest));
        }
        let lower = target.to_ascii_lowercase();
        if !lower.ends_with(".md") || lower.contains("://") || lower.starts_with("//") {
            return None;
        }
        let target = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
        Some(self.file_link(from, &target, anchor, dest))
    }

    /// Hugo's `ref`/`relref` target: a content path, a path relative to the linking file, or
    /// a page's name when only one page has it.
    pub fn reference(&self, from: &Path, target: &str, form: Form) -> Result<String, String> {
        let (target, anchor) = split_anchor(target);
        if target.is_empty() {
            return Ok(anchor.to_string());
        }
        let relative = target.starts_with("./") || target.starts_with("../");
        let mut candidates = Vec::new();
        if relative {
            if let Some(file) = resolve_relative(from, target) {
                candidates.push(file);
            }
        } else {
            let bare = target.trim_start_matches('/').trim_end_matches('/');
            for suffix in ["", ".md", "/index.md", "/_index.md"] {
                candidates.push(format!("{bare}{suffix}"));
            }
        }
        for file in &candidates {
            if let Some(url) = self.page(file, form) {
                return Ok(format!("{url}{anchor}"));
            }
        }
        let name = target
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or(target);
        let name = name.strip_suffix(".md").unwrap_or(name);
        match self.by_stem.get(name).map(Vec::as_slice) {
            Some([file]) if !relative && !target.contains('/') => Ok(format!(
                "{}{anchor}",
                self.page(file, form).unwrap_or_default()
            )),
            Some(files) if files.len() > 1 => Err(format!(
                "`{target}` could be any of {} (write the path under content/)",
                files.join(", ")
            )),
            _ => Err(format!(
                "`{target}` is not a page of the site (no content file {})",
                describe(&candidates)
            )),
        }
    }

    /// Jekyll's `{% post_url 2021-03-04-my-trip %}`: a post by its file name.
    pub fn post_url(&self, name: &str) -> Result<String, String> {
        let (target, anchor) = split_anchor(name.trim());
        let stem = target.rsplit('/').next().unwrap_or(target);
        let stem = stem.strip_suffix(".md").unwrap_or(stem);
        let posts: Vec<&String> = self
            .by_stem
            .get(stem)
            .into_iter()
            .flatten()
            .filter(|f| f.starts_with("posts/"))
            .collect();
        match posts.as_slice() {
            [file] => Ok(format!(
                "{}{anchor}",
                self.page(file, Form::Path).unwrap_or_default()
            )),
            [] => Err(format!(
                "no post is named `{stem}` (looked for content/posts/**/{stem}.md)"
            )),
            many => Err(format!(
                "`{stem}` could be any of {} (write the folder too)",
                many.iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }

    /// Jekyll's `{% link _posts/2021-03-04-my-trip.md %}`: a file from the site root, where
    /// Jekyll's `_posts/` is quill's `content/posts/`.
    pub fn jekyll_link(&self, target: &str) -> Result<String, String> {
        let (target, anchor) = split_anchor(target.trim());
        let bare = target.trim_start_matches('/');
        let file = match bare.strip_prefix("_posts/") {
            Some(rest) => format!("posts/{rest}"),
            None => bare.strip_prefix("content/").unwrap_or(bare).to_string(),
        };
        self.exact(&file, anchor, target)
    }

    fn exact(&self, file: &str, anchor: &str, written: &str) -> Result<String, String> {
        let file = file.trim_start_matches('/');
        match self.page(file, Form::Path) {
            Some(url) => Ok(format!("{url}{anchor}")),
            None => Err(format!(
                "link to `{written}`: there is no {CONTENT_DIR}/{file} (or it is a draft)"
            )),
        }
    }

    fn file_link(
        &self,
        from: &Path,
        target: &str,
        anchor: &str,
        written: &str,
    ) -> Result<String, String> {
        let file = if let Some(absolute) = target.strip_prefix('/') {
            Some(
                absolute
                    .strip_prefix("content/")
                    .unwrap_or(absolute)
                    .to_string(),
            )
        } else {
            resolve_relative(from, target)
        };
        match file {
            Some(file) => self.exact(&file, anchor, written),
            None => Err(format!(
                "link to `{written}` leaves the {CONTENT_DIR}/ folder"
            )),
        }
    }
}

fn describe(candidates: &[String]) -> String {
    candidates
        .first()
        .map_or_else(String::new, |c| format!("{CONTENT_DIR}/{c}"))
}

/// `a.md#part` as (`a.md`, `#part`).
fn split_anchor(dest: &str) -> (&str, &str) {
    match dest.find('#') {
        Some(i) => (&dest[..i], &dest[i..]),
        None => (dest, ""),
    }
}

/// A file relative to the site root, as relative to `content/`, `/`-separated.
fn content_relative(file: &Path) -> String {
    let file = file.strip_prefix(CONTENT_DIR).unwrap_or(file);
    file.to_string_lossy().replace('\\', "/")
}

/// `target` relative to the folder of `from` (a file under the site root), as a path
/// relative to `content/`; `None` when it leaves `content/`.
fn resolve_relative(from: &Path, target: &str) -> Option<String> {
    let from = content_relative(from);
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for component in Path::new(target).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(part) => parts.push(part.to_str()?),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links() -> Links {
        let mut links = Links::default();
        for (file, path) in [
            ("posts/2021-03-04-my-trip.md", "/blog/posts/my-trip/"),
            ("posts/2024/tech-stack/index.md", "/blog/posts/tech-stack/"),
            ("about.md", "/blog/about/"),
            ("docs/setup.md", "/blog/docs/setup/"),
            ("guides/setup.md", "/blog/guides/setup/"),
        ] {
            links.by_file.insert(
                file.into(),
                (path.into(), format!("https://example.org{path}")),
            );
            let p = Path::new(file);
            let stem = if file.ends_with("index.md") {
                p.parent().unwrap().file_name().unwrap()
            } else {
                p.file_stem().unwrap()
            };
            links
                .by_stem
                .entry(stem.to_string_lossy().into_owned())
                .or_default()
                .push(file.into());
        }
        links
    }

    #[test]
    fn markdown_links_to_content_files() {
        let l = links();
        let from = Path::new("content/posts/2024/tech-stack/index.md");
        let link = |dest| l.markdown_link(from, dest);
        assert_eq!(
            link("@/posts/2021-03-04-my-trip.md#day-2"),
            Some(Ok("/blog/posts/my-trip/#day-2".into()))
        );
        assert_eq!(
            link("../../2021-03-04-my-trip.md"),
            Some(Ok("/blog/posts/my-trip/".into()))
        );
        assert_eq!(
            link("./index.md#top"),
            Some(Ok("/blog/posts/tech-stack/#top".into()))
        );
        assert_eq!(link("/about.md"), Some(Ok("/blog/about/".into())));
        assert_eq!(link("https://github.com/x/README.md"), None);
        assert_eq!(link("photo.jpg"), None);
        let err = link("@/posts/gone.md").unwrap().unwrap_err();
        assert!(err.contains("content/posts/gone.md"), "{err}");
        assert!(link("../../../../x.md").unwrap().is_err());
    }

    #[test]
    fn hugo_refs_jekyll_post_urls_and_links() {
        let l = links();
        let from = Path::new("content/about.md");
        assert_eq!(
            l.reference(from, "about", Form::Path),
            Ok("/blog/about/".into())
        );
        assert_eq!(
            l.reference(from, "/posts/2024/tech-stack", Form::Permalink),
            Ok("https://example.org/blog/posts/tech-stack/".into())
        );
        assert_eq!(
            l.reference(from, "tech-stack#x", Form::Path),
            Ok("/blog/posts/tech-stack/#x".into())
        );
        assert_eq!(
            l.reference(from, "docs/setup.md", Form::Path),
            Ok("/blog/docs/setup/".into())
        );
        assert!(
            l.reference(from, "setup", Form::Path)
                .unwrap_err()
                .contains("any of")
        );
        assert!(l.reference(from, "nothing", Form::Path).is_err());
        assert_eq!(
            l.post_url("2021-03-04-my-trip"),
            Ok("/blog/posts/my-trip/".into())
        );
        assert!(l.post_url("2020-01-01-nope").is_err());
        assert_eq!(
            l.jekyll_link("_posts/2021-03-04-my-trip.md"),
            Ok("/blog/posts/my-trip/".into())
        );
    }
}
