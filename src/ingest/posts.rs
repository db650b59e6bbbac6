//! Which post a submission is for: a slug, a site path, a URL on the site, or an old alias.
//! Built from front matter only; nothing is rendered.

use std::collections::HashMap;
use std::path::Path;

use anyhow::Result;

use super::validate::Rejection;
use crate::config::SiteConfig;
use crate::content::{self, Kind};

/// A published post, as ingest needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostEntry {
    /// The key comments are stored under: the slug of a post right in `content/posts/`, the
    /// folders and the slug of any other (`2024/trip`).
    pub slug: String,
    /// Whether it takes comments.
    pub comments_open: bool,
    /// Its site path without the base path (`/2020/01/trip/`), where it is published.
    pub path: String,
}

/// Every published post, by slug and by path.
#[derive(Debug, Default, Clone)]
pub struct PostIndex {
    by_slug: HashMap<String, PostEntry>,
    by_path: HashMap<String, String>,
}

impl PostIndex {
    /// Reads the published posts (drafts left out) of the site at `root`, whose `site.toml`
    /// the caller has loaded.
    pub fn load(root: &Path, config: &SiteConfig) -> Result<PostIndex> {
        let mut index = PostIndex::default();
        let mut slugs: HashMap<String, Vec<String>> = HashMap::new();
        for source in content::load_front_matter(root, config, false)?
            .into_iter()
            .filter(|s| s.kind == Kind::Post)
        {
            let comments_open = source.meta.comments;
            index.add(
                &source.key,
                &source.path,
                &source.meta.aliases,
                comments_open,
            );
            slugs.entry(source.slug).or_default().push(source.key);
        }
        // A nested post's slug (`trip` of `2024/trip`) names it too, when no other post has it.
        for (slug, keys) in slugs {
            if let [key] = keys.as_slice()
                && !index.by_slug.contains_key(&slug)
                && let Some(entry) = index.by_slug.get(key).cloned()
            {
                index.by_slug.insert(slug, entry);
            }
        }
        Ok(index)
    }

    /// Adds a post under its comment key, with its path (`/posts/slug/`) and aliases.
    pub fn add(&mut self, slug: &str, path: &str, aliases: &[String], comments_open: bool) {
        self.by_slug.insert(
            slug.to_string(),
            PostEntry {
                slug: slug.to_string(),
                comments_open,
                path: path.to_string(),
            },
        );
        for p in std::iter::once(path).chain(aliases.iter().map(String::as_str)) {
            self.by_path.insert(normalize_path(p), slug.to_string());
        }
    }

    /// The site path of the post whose comments are stored under `key`.
    pub fn path_of(&self, key: &str) -> Option<&str> {
        self.by_slug.get(key).map(|e| e.path.as_str())
    }

    /// Finds the post a submission names, refusing one whose comments are closed.
    pub fn resolve(&self, value: &str, config: &SiteConfig) -> Result<&PostEntry, Rejection> {
        let value = value.trim();
        let unknown = || Rejection::PostUnknown(value.to_string());
        let entry = if value.contains("://") || value.starts_with('/') {
            let path = if value.contains("://") {
                let rest =
                    strip_prefix_ignore_scheme(value, &config.base_url).ok_or_else(unknown)?;
                if !(rest.is_empty()
                    || rest.starts_with('/')
                    || rest.starts_with('?')
                    || rest.starts_with('#'))
                {
                    return Err(unknown());
                }
                rest.to_string()
            } else {
                let base = config.base_path();
                match value.strip_prefix(base) {
                    Some(rest) if !base.is_empty() && rest.starts_with('/') => rest.to_string(),
                    _ => value.to_string(),
                }
            };
            let path = path.split(['?', '#']).next().unwrap_or("");
            let slug = self
                .by_path
                .get(&normalize_path(path))
                .ok_or_else(unknown)?;
            self.by_slug.get(slug).ok_or_else(unknown)?
        } else {
            self.by_slug.get(value).ok_or_else(unknown)?
        };
        if !entry.comments_open || !config.comments.enabled {
            return Err(Rejection::CommentsClosed(entry.slug.clone()));
        }
        Ok(entry)
    }
}

/// `/posts/a`, `posts/a/`, `/posts/a/index.html` all mean `/posts/a/`.
fn normalize_path(path: &str) -> String {
    let trimmed = path.trim().trim_start_matches('/');
    let trimmed = trimmed.strip_suffix("index.html").unwrap_or(trimmed);
    let trimmed = trimmed.trim_end_matches('/');
    if trimmed.is_empty() {
        "/".into()
    } else {
        format!("/{trimmed}/")
    }
}

/// `value` without the site's base URL in front, treating http and https alike.
fn strip_prefix_ignore_scheme<'a>(value: &'a str, base_url: &str) -> Option<&'a str> {
    let host_and_path = |u: &str| u.split_once("://").map(|(_, rest)| rest.to_string());
    let base = host_and_path(base_url)?;
    let (_, rest) = value.split_once("://")?;
    let rest_lower = rest.to_lowercase();
    rest_lower
        .starts_with(&base.to_lowercase())
        .then(|| &rest[base.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str) -> SiteConfig {
        SiteConfig::parse(
            &format!("title = \"T\"\nbase_url = \"{base_url}\"\n"),
            Path::new("site.toml"),
        )
        .unwrap()
    }

    fn index() -> PostIndex {
        let mut index = PostIndex::default();
        index.add(
            "my-trip",
            "/posts/my-trip/",
            &["/2020/01/trip.html".into()],
            true,
        );
        index.add("closed", "/posts/closed/", &[], false);
        index
    }

    #[test]
    fn slug_path_url_and_alias() {
        let c = config("https://example.org/blog");
        let i = index();
        for value in [
            "my-trip",
            "/posts/my-trip/",
            "/posts/my-trip",
            "/blog/posts/my-trip/",
            "https://example.org/blog/posts/my-trip/",
            "http://EXAMPLE.org/blog/posts/my-trip/?utm=x#comments",
            "https://example.org/blog/posts/my-trip/index.html",
            "/2020/01/trip.html",
        ] {
            assert_eq!(
                i.resolve(value, &c).map(|e| e.slug.as_str()),
                Ok("my-trip"),
                "{value}"
            );
        }
        for value in [
            "other",
            "https://elsewhere.org/blog/posts/my-trip/",
            "https://example.org/blogposts/my-trip/",
            "/posts/",
        ] {
            assert!(
                matches!(i.resolve(value, &c), Err(Rejection::PostUnknown(_))),
                "{value}"
            );
        }
        assert_eq!(
            i.resolve("closed", &c),
            Err(Rejection::CommentsClosed("closed".into()))
        );
    }
}
