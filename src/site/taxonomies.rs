//! Taxonomies: `tags` and `categories`, which every site has, and those `[taxonomies]` in
//! `site.toml` declares (`series`, ...): each term's link, and every term with its posts.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;

use super::{PageData, Tag, TagRef};
use crate::config::SiteConfig;
use crate::content::Source;
use crate::content::permalink::Values;
use crate::content::slug::slugify;

/// The taxonomy whose terms are `page.tags`, `/tags/` and `tag.html`, as quill always had.
pub(crate) const TAGS: &str = "tags";

/// A taxonomy other than tags, with its terms.
#[derive(Debug, Clone, Serialize)]
pub struct Taxonomy {
    /// Its name, as in `site.toml` and front matter (`categories`).
    pub name: String,
    /// Its list page, with the base path.
    pub path: String,
    /// The absolute URL of its list page.
    pub permalink: String,
    /// Its terms, by slug.
    pub terms: Vec<Tag>,
    /// Its list page's site path without the base path.
    #[serde(skip)]
    pub site_path: String,
    /// Whether each term has an Atom feed.
    #[serde(skip)]
    pub feed: bool,
}

/// Every taxonomy's name: tags, categories, then the declared ones in order.
pub(crate) fn names(config: &SiteConfig) -> Vec<String> {
    let mut names = vec![TAGS.to_string(), "categories".to_string()];
    for name in config.taxonomies.keys() {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// The terms a source gives a taxonomy: from the front matter's key of that name, at the top
/// level or under Zola's `[taxonomies]` (tags and categories were read with the rest of it).
pub(crate) fn terms_of<'a>(source: &'a Source, name: &str) -> Vec<&'a str> {
    match name {
        TAGS => source.meta.tags.iter().map(String::as_str).collect(),
        "categories" => source.meta.categories.iter().map(String::as_str).collect(),
        _ => {
            let extra = &source.meta.extra;
            let value = extra
                .get(name)
                .or_else(|| extra.get("taxonomies")?.get(name));
            match value {
                Some(Value::String(s)) => vec![s.as_str()],
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            }
        }
    }
}

/// A term page's site path: the taxonomy's `[permalinks]` pattern with the term's slug as
/// `:slug` (and `:title`), else `/<taxonomy>/<slug>/`.
pub(crate) fn term_path(config: &SiteConfig, taxonomy: &str, slug: &str) -> String {
    config
        .permalinks
        .parsed
        .get(taxonomy)
        .and_then(|pattern| {
            pattern.expand(&Values {
                slug,
                title: slug,
                filename: slug,
                ..Values::default()
            })
        })
        .unwrap_or_else(|| format!("/{taxonomy}/{slug}/"))
}

/// Each distinct term's link per taxonomy (in [`names`] order), made once: thousands of posts
/// share a few dozen terms.
pub(crate) fn links(
    config: &SiteConfig,
    sources: &[Source],
) -> Vec<FxHashMap<String, Option<TagRef>>> {
    names(config)
        .iter()
        .map(|taxonomy| {
            let mut links: FxHashMap<String, Option<TagRef>> = FxHashMap::default();
            for name in sources.iter().flat_map(|s| terms_of(s, taxonomy)) {
                if !links.contains_key(name) {
                    let slug = slugify(name);
                    let link = (!slug.is_empty()).then(|| TagRef {
                        name: name.into(),
                        path: config.site_path(&term_path(config, taxonomy, &slug)).into(),
                        slug: slug.into(),
                    });
                    links.insert(name.to_string(), link);
                }
            }
            links
        })
        .collect()
}

/// A source's terms in each taxonomy but tags, as `page.taxonomies`.
pub(crate) fn page_terms(
    config: &SiteConfig,
    source: &Source,
    links: &[FxHashMap<String, Option<TagRef>>],
) -> BTreeMap<String, Vec<TagRef>> {
    names(config)
        .into_iter()
        .zip(links)
        .skip(1)
        .map(|(taxonomy, links)| {
            let terms = terms_of(source, &taxonomy)
                .into_iter()
                .filter_map(|name| links.get(name).cloned().flatten())
                .collect();
            (taxonomy, terms)
        })
        .collect()
}

/// Every term of `taxonomy` with the rendered posts that carry it, by slug.
pub(crate) fn group(config: &SiteConfig, taxonomy: &str, posts: &[PageData]) -> Vec<Tag> {
    let mut by_slug: BTreeMap<String, Tag> = BTreeMap::new();
    for (index, post) in posts.iter().enumerate().filter(|(_, p)| p.render) {
        let refs = if taxonomy == TAGS {
            &post.tags
        } else {
            match post.taxonomies.get(taxonomy) {
                Some(refs) => refs,
                None => continue,
            }
        };
        for term in refs {
            // Looked up before it is inserted: most terms are met again, and a key costs a copy.
            if !by_slug.contains_key(&*term.slug) {
                let site_path = term_path(config, taxonomy, &term.slug);
                let tag = Tag {
                    name: term.name.to_string(),
                    slug: term.slug.to_string(),
                    path: term.path.to_string(),
                    permalink: config.permalink(&site_path),
                    count: 0,
                    taxonomy: taxonomy.to_string(),
                    site_path,
                    posts: Vec::new(),
                };
                by_slug.insert(term.slug.to_string(), tag);
            }
            // A post that lists one term twice counts once.
            if let Some(entry) = by_slug.get_mut(&*term.slug)
                && entry.posts.last() != Some(&index)
            {
                entry.posts.push(index);
                entry.count += 1;
            }
        }
    }
    by_slug.into_values().collect()
}

/// Every taxonomy but tags, with its terms.
pub(crate) fn collect(config: &SiteConfig, posts: &[PageData]) -> Vec<Taxonomy> {
    names(config)
        .into_iter()
        .skip(1)
        .map(|name| {
            let site_path = format!("/{name}/");
            Taxonomy {
                terms: group(config, &name, posts),
                path: config.site_path(&site_path),
                permalink: config.permalink(&site_path),
                feed: config.taxonomies.get(&name).is_some_and(|t| t.feed),
                site_path,
                name,
            }
        })
        // An undeclared taxonomy no post uses (categories, on most sites) has no pages.
        .filter(|t| !t.terms.is_empty() || config.taxonomies.contains_key(&t.name))
        .collect()
}
