//! Where each file goes: which folders are sections, whether a file is a post, a page or a
//! section, its slug, its URL (from a permalink pattern, its own `path`/`permalink`/`url`,
//! or its folders) and the key its comments are stored under. Decided for all files at
//! once, since a file's place depends on the others (an `_index.md` makes its folder a
//! section).

use rayon::prelude::*;
use std::path::{Component, Path};

use anyhow::{Result, bail};
use rustc_hash::{FxHashMap, FxHashSet};

use super::permalink::{self, Pattern, Style, Values};
use super::slug::{self, SlugMode, slugify, slugify_path};
use super::{CONTENT_DIR, Kind, POSTS_DIR, Source, lang};
use crate::config::SiteConfig;

/// The folders of a file under `content/`, and how it is named.
struct Location {
    /// Folders from `content/` to the file (a bundle's own folder left out).
    dirs: Vec<String>,
    /// The name without extension; a bundle's folder name.
    stem: String,
    /// Whether it is a section's `_index.md`.
    is_section: bool,
    /// Whether it is a folder's `index.md` (a bundle).
    is_bundle: bool,
    /// The language of a translation.
    lang: Option<String>,
}

fn locate(file: &Path) -> Location {
    let relative = file.strip_prefix(CONTENT_DIR).unwrap_or(file);
    let mut parts: Vec<String> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.pop();
    let (name, lang) = lang::split(file);
    let is_section = name == "_index";
    let is_bundle = lang::is_bundle_index(file);
    let stem = if is_bundle {
        parts.pop().unwrap_or_default()
    } else {
        name
    };
    Location {
        dirs: parts,
        stem,
        is_section,
        is_bundle,
        lang,
    }
}

/// Fills in each source's kind, slug, path, key and section.
pub(super) fn place(sources: &mut [Source], config: &SiteConfig) -> Result<()> {
    let locations: Vec<Location> = sources.iter().map(|s| locate(&s.file)).collect();
    let sections: FxHashSet<String> = locations
        .iter()
        .filter(|l| l.is_section)
        .map(|l| l.dirs.join("/"))
        .collect();
    let mode = config.slugify.paths;
    // Every file's problem at once, so that a site with many is fixed in one run.
    // Each page is placed on its own (about 17k instructions each): in parallel.
    let errors: Vec<String> = sources
        .par_iter_mut()
        .zip(&locations)
        .filter_map(|(source, location)| {
            place_one(source, location, &sections, config, mode)
                .err()
                .map(|e| format!("{e:#}"))
        })
        .collect();
    crate::diagnostics::Diagnostics::check(errors)?;
    Ok(())
}

/// The nearest section folder at or above `dirs`, as a `/`-joined path.
fn nearest_section(dirs: &[String], sections: &FxHashSet<String>) -> Option<String> {
    (0..=dirs.len())
        .rev()
        .map(|n| dirs[..n].join("/"))
        .find(|candidate| sections.contains(candidate))
}

fn place_one(
    source: &mut Source,
    location: &Location,
    sections: &FxHashSet<String>,
    config: &SiteConfig,
    mode: SlugMode,
) -> Result<()> {
    let file = source.file.display().to_string();
    let dirs = &location.dirs;
    let in_posts = dirs.first().is_some_and(|d| d == POSTS_DIR);
    let section = nearest_section(dirs, sections);
    source.kind = if location.is_section {
        Kind::Section
    } else if in_posts || (section.is_some() && source.date.is_some()) {
        Kind::Post
    } else {
        Kind::Page
    };
    // Jekyll and Zola take a file name's date off its slug; Hugo keeps the name whole
    // (gohugo.io/content-management/urls: the slug is the file's name).
    let name = match config.permalinks.style {
        Style::Hugo => location.stem.as_str(),
        Style::Jekyll | Style::Zola => {
            slug::split_jekyll_stem(&location.stem).map_or(location.stem.as_str(), |(_, r)| r)
        }
    };
    let slug = match (&source.meta.slug, source.kind) {
        (_, Kind::Section) => dirs.last().map_or(String::new(), |d| slugify_path(d, mode)),
        (Some(s), _) => slugify_path(s, mode),
        (None, _) => slugify_path(name, mode),
    };
    if slug.is_empty() && source.kind != Kind::Section {
        bail!(
            "{file}: cannot make a URL slug from its name; add slug = \"...\" to the front matter"
        );
    }
    // A draft may wait for its date (Jekyll's `_drafts/` have none) until it is published.
    if source.kind == Kind::Post && !source.meta.draft {
        require_date(source, &slug)?;
    }
    let folders: Vec<String> = dirs.iter().map(|d| slugify_path(d, mode)).collect();
    let title = match config.permalinks.style {
        Style::Jekyll | Style::Zola => slug.clone(),
        // Hugo urlizes a title, and lowercases its paths unless told not to.
        Style::Hugo => slugify_path(&source.meta.title, mode).to_lowercase(),
    };
    let token_slug = match (config.permalinks.style, &source.meta.slug) {
        (Style::Hugo, None) => title.clone(),
        _ => slug.clone(),
    };
    let categories: Vec<String> = source
        .meta
        .categories
        .iter()
        .map(|c| slugify_path(c, mode).to_lowercase())
        .filter(|c| !c.is_empty())
        .collect();
    let categories = categories.join("/");
    // As in Hugo, a top-level folder is a section for `:sections` even without `_index.md`.
    let depth = section
        .as_deref()
        .map_or(0, |s| s.split('/').filter(|d| !d.is_empty()).count())
        .max(usize::from(!dirs.is_empty()));
    // Jekyll's pages keep every folder (its `:path`), sections or not.
    let depth = if config.permalinks.style == Style::Jekyll && source.kind == Kind::Page {
        folders.len()
    } else {
        depth
    };
    let sections_path = folders[..depth.min(folders.len())].join("/");
    let within_top = folders
        .iter()
        .skip(1)
        .cloned()
        .chain(std::iter::once(slugify_path(&location.stem, mode)))
        .collect::<Vec<_>>()
        .join("/");
    let values = Values {
        date: source.date,
        slug: &token_slug,
        title: &title,
        filename: &slugify_path(&location.stem, mode),
        section: folders.first().map_or("", String::as_str),
        sections: &sections_path,
        categories: &categories,
        path: &within_top,
    };
    let own;
    let (pattern, named): (Option<&Pattern>, String) = if let Some(url) = &source.meta.url {
        own =
            Pattern::parse(url).map_err(|e| anyhow::anyhow!("{file}:{}: {e}", url_line(source)))?;
        (Some(&own), "its own path".into())
    } else {
        match source.kind {
            Kind::Post => {
                let top = dirs.first().map_or("", String::as_str);
                (
                    config.permalinks.for_posts(top),
                    format!(
                        "the [permalinks] pattern for {}",
                        if top.is_empty() { POSTS_DIR } else { top }
                    ),
                )
            }
            // A section's own pattern is its pages' too (a Jekyll collection's documents, a
            // Hugo section's pages), unless it needs a date they do not have.
            Kind::Page => match dirs
                .first()
                .and_then(|top| config.permalinks.for_section(top))
                .filter(|p| !p.uses_date())
            {
                Some(own) => (
                    Some(own),
                    format!("the [permalinks] pattern for {}", dirs[0]),
                ),
                None => (
                    config.permalinks.for_pages(),
                    "the [permalinks] pattern for pages".into(),
                ),
            },
            Kind::Section => (None, String::new()),
        }
    };
    // Jekyll drops an `index` page's name: `about/index.md` is /about/ whatever the pattern.
    let jekyll_index = config.permalinks.style == Style::Jekyll
        && location.is_bundle
        && source.kind == Kind::Page
        && source.meta.url.is_none();
    let pattern = pattern.filter(|_| !jekyll_index);
    let path = match pattern {
        Some(pattern) => match pattern.expand(&values) {
            Some(path) => path,
            // Not published without a date, which `finish` then asks for.
            None if source.meta.draft => default_path(&folders, Some(&slug)),
            None => bail!(
                "{file}:{}: {named} uses the date, and the file has none (add date = YYYY-MM-DD)",
                url_line(source)
            ),
        },
        None => default_path(&folders, (source.kind != Kind::Section).then_some(&slug)),
    };
    // Hugo lowercases the paths it makes (its `disablePathToLower` is off by default), but
    // keeps a page's own `url` as written.
    let path = if config.permalinks.style == Style::Hugo && source.meta.url.is_none() {
        path.to_lowercase()
    } else {
        path
    };
    // A translation lives under its language, as in Zola and Hugo: /es/posts/trip/.
    let path = match &location.lang {
        Some(lang) => format!("/{lang}/{}", path.trim_start_matches('/')),
        None => path,
    };
    source.path = permalink::normalize(&path)
        .map_err(|e| anyhow::anyhow!("{file}:{}: {e}", url_line(source)))?;
    source.key = comment_key(source, location, in_posts, name);
    source.lang = location.lang.clone();
    source.original = original(&source.file);
    source.slug = slug;
    source.section = if location.is_section {
        Some(dirs.join("/"))
    } else {
        section.or_else(|| in_posts.then(|| POSTS_DIR.to_string()))
    };
    Ok(())
}

/// A post's date, or an error saying how to give it one.
pub(super) fn require_date(source: &Source, slug: &str) -> Result<()> {
    if source.date.is_none() {
        bail!(
            "{}:{}: missing date (add date = YYYY-MM-DD to the front matter, or name the file YYYY-MM-DD-{slug}.md)",
            source.file.display(),
            source.meta.date_line.unwrap_or(2)
        );
    }
    Ok(())
}

/// The file named without its language: what every version of a page shares.
fn original(file: &Path) -> String {
    let key = super::cache_key(file);
    match lang::split(file) {
        (name, Some(lang)) => {
            let ext = file
                .extension()
                .map_or(String::new(), |e| e.to_string_lossy().into_owned());
            let tail = format!("{name}.{lang}.{ext}");
            match key.strip_suffix(&tail) {
                Some(dir) => format!("{dir}{name}.{ext}"),
                None => key,
            }
        }
        (_, None) => key,
    }
}

/// Where a page goes without a pattern or a path of its own: its folders, then its slug (a
/// section: its folders alone).
fn default_path(folders: &[String], slug: Option<&String>) -> String {
    let mut path = String::from("/");
    for part in folders.iter().chain(slug) {
        path.push_str(part);
        path.push('/');
    }
    path
}

/// What comments are stored under: the language of a translation, the folders (without
/// `posts/`) and the slug, each made with `[slugify] paths = "on"`. It ignores `[slugify]`
/// and `[permalinks]`, so that changing them never moves a thread.
fn comment_key(source: &Source, location: &Location, in_posts: bool, name: &str) -> String {
    let mut key: Vec<String> = location.lang.iter().cloned().collect();
    key.extend(
        location
            .dirs
            .iter()
            .skip(usize::from(in_posts))
            .map(|d| slugify(d)),
    );
    if !location.is_section {
        key.push(slugify(source.meta.slug.as_deref().unwrap_or(name)));
    }
    key.join("/")
}

/// The line that gave a page its own path, else the first.
fn url_line(source: &Source) -> usize {
    source.meta.url_line.unwrap_or(1)
}

/// `file:line` of the key that gave the page its URL (or its slug), for collisions.
fn origin(source: &Source) -> String {
    match source.meta.url_line {
        Some(line) => format!("{}:{line}", source.file.display()),
        None => source.file.display().to_string(),
    }
}

/// Two files that want one URL, or two posts whose comments would be stored under one key,
/// are an error naming both. The home page's section (`content/_index.md`) is the home page.
pub(super) fn check_unique(sources: &[Source]) -> Result<()> {
    let mut paths: FxHashMap<&str, &Source> = FxHashMap::default();
    let mut keys: FxHashMap<&str, &Source> = FxHashMap::default();
    for source in sources {
        if source.kind == Kind::Section && source.section.as_deref() == Some("") {
            continue;
        }
        if let Some(other) = paths.insert(&source.path, source) {
            bail!(
                "{} and {} both want the URL {} (give one of them another slug, path or permalink in its front matter)",
                origin(other),
                origin(source),
                source.path
            );
        }
        if source.kind == Kind::Post
            && let Some(other) = keys.insert(&source.key, source)
        {
            bail!(
                "{} and {} both keep their comments under \"{}\" (give one of them another slug in its front matter)",
                other.file.display(),
                source.file.display(),
                source.key
            );
        }
    }
    Ok(())
}
