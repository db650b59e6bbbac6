//! Listing-like outputs: a page of posts each, through the shared [`Paginator`]. The index
//! and a term's listing (`/`, `/tags/rust/page/2/`), a section's (`/docs/`) and a language's
//! home (`/es/`).

use anyhow::Result;
use serde::Serialize;
use tera::{Context, Tera};
use xxhash_rust::xxh3::Xxh3;

use super::{KeyInputs, Output};
use crate::config::SiteConfig;
use crate::content::Source;
use crate::render::{FullPage, Inputs, full};
use crate::site::taxonomies::TAGS;
use crate::site::{Language, PageData, Section, Site, Tag};

/// The pages of a listing of `pages`, `per_page` to a page: each page's share, its 1-based
/// number and the number of pages. An empty listing still has its first page.
pub(crate) fn paginate<T: Clone>(
    pages: Vec<T>,
    per_page: usize,
) -> impl Iterator<Item = (Vec<T>, usize, usize)> {
    let count = pages.len().div_ceil(per_page).max(1);
    (1..=count).map(move |index| {
        let start = ((index - 1) * per_page).min(pages.len());
        let end = (start + per_page).min(pages.len());
        (pages[start..end].to_vec(), index, count)
    })
}

/// The site path of listing page `index` under `base` (`/` or `/tags/x/`), with the site's
/// `paginate_path`: Zola's folder name (`page`: `/page/2/`) or Jekyll's pattern with `:num`
/// (`page:num`: `/page2/`).
pub(crate) fn listing_path(base: &str, index: usize, paginate_path: &str) -> String {
    if index == 1 {
        base.to_string()
    } else if paginate_path.contains(":num") {
        format!(
            "{base}{}/",
            paginate_path.replace(":num", &index.to_string())
        )
    } else {
        format!("{base}{paginate_path}/{index}/")
    }
}

/// Pagination data for listing templates (`paginator`).
#[derive(Debug, Serialize)]
struct Paginator<'a> {
    pages: Vec<FullPage<'a>>,
    current_index: usize,
    number_pagers: usize,
    paginate_by: usize,
    total_pages: usize,
    first: String,
    last: String,
    previous: Option<String>,
    next: Option<String>,
}

impl<'a> Paginator<'a> {
    /// Page `index` of `count` of a listing whose first page is at `base`, showing `pages`.
    fn new(
        inputs: &Inputs<'a>,
        config: &SiteConfig,
        base: &str,
        pages: &[&'a PageData],
        (index, count): (usize, usize),
        paginate_by: usize,
        total_pages: usize,
    ) -> Result<Paginator<'a>> {
        let at = |i: usize| config.site_path(&listing_path(base, i, &config.paginate_path));
        Ok(Paginator {
            pages: pages
                .iter()
                .map(|p| full(inputs, p))
                .collect::<Result<_>>()?,
            current_index: index,
            number_pagers: count,
            paginate_by,
            total_pages,
            first: at(1),
            last: at(count),
            previous: (index > 1).then(|| at(index - 1)),
            next: (index < count).then(|| at(index + 1)),
        })
    }
}

/// Hashes a listing page's place among its pages and the pages it shows.
fn hash_pages(hasher: &mut Xxh3, inputs: &KeyInputs<'_>, pages: &[&PageData], at: (usize, usize)) {
    hasher.update(&at.0.to_le_bytes());
    hasher.update(&at.1.to_le_bytes());
    hasher.update(&pages.len().to_le_bytes());
    for p in pages {
        inputs.page(hasher, p);
    }
}

/// One page of the index (`index.html`) or of a term's listing (`tag.html` for a tag,
/// `term.html` for a term of another taxonomy).
#[derive(Debug)]
pub(crate) struct Listing<'a> {
    /// The term, or `None` for the index.
    pub tag: Option<&'a Tag>,
    /// The posts on this page.
    pub posts: Vec<&'a PageData>,
    /// 1-based page number.
    pub index: usize,
    /// Number of pages.
    pub count: usize,
}

impl<'a> Output<'a> for Listing<'a> {
    fn site_path(&self, site: &Site) -> String {
        let base = self.tag.map_or("/", |t| t.site_path.as_str());
        listing_path(base, self.index, &site.config.paginate_path)
    }

    fn template(&self) -> &str {
        match self.tag {
            Some(tag) if tag.taxonomy == TAGS => "tag.html",
            Some(_) => "term.html",
            None => "index.html",
        }
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"listing");
        if let Some(tag) = self.tag {
            hasher.update(tag.taxonomy.as_bytes());
            hasher.update(b"\0");
            hasher.update(tag.slug.as_bytes());
            hasher.update(b"\0");
            hasher.update(tag.name.as_bytes());
            hasher.update(&tag.count.to_le_bytes());
        }
        hash_pages(hasher, inputs, &self.posts, (self.index, self.count));
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let config = &site.config;
        let paginator = Paginator::new(
            inputs,
            config,
            self.tag.map_or("/", |t| t.site_path.as_str()),
            &self.posts,
            (self.index, self.count),
            if self.tag.is_some() {
                config.paginate_by
            } else {
                site.home_paginate_by
            },
            self.tag.map_or(site.home.len(), |t| t.count),
        )?;
        cx.insert("paginator", &paginator);
        match self.tag {
            Some(tag) if tag.taxonomy == TAGS => cx.insert("tag", tag),
            Some(term) => {
                cx.insert("term", term);
                if let Some(taxonomy) = site.taxonomies.iter().find(|t| t.name == term.taxonomy) {
                    cx.insert("taxonomy", taxonomy);
                }
            }
            None => {}
        }
        Ok(())
    }

    fn bodies(&self, _site: &'a Site) -> Vec<&'a PageData> {
        self.posts.clone()
    }
}

/// One page of a section's listing, with the section's own template.
#[derive(Debug)]
pub(crate) struct SectionPage<'a> {
    /// The section.
    pub section: &'a Section,
    /// The pages on this page.
    pub pages: Vec<&'a PageData>,
    /// 1-based page number.
    pub index: usize,
    /// Number of pages.
    pub count: usize,
}

impl<'a> Output<'a> for SectionPage<'a> {
    fn site_path(&self, site: &Site) -> String {
        listing_path(
            &self.section.site_path,
            self.index,
            &site.config.paginate_path,
        )
    }

    fn template(&self) -> &str {
        &self.section.template
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"section");
        let source = &inputs.sources[self.section.source];
        hasher.update(source.file.as_os_str().as_encoded_bytes());
        hasher.update(&source.digest.unwrap_or_default().to_le_bytes());
        hasher.update(&self.section.count.to_le_bytes());
        hash_pages(hasher, inputs, &self.pages, (self.index, self.count));
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let paginator = Paginator::new(
            inputs,
            &site.config,
            &self.section.site_path,
            &self.pages,
            (self.index, self.count),
            self.section.paginate_by,
            self.section.count,
        )?;
        cx.insert("paginator", &paginator);
        cx.insert("section", self.section);
        Ok(())
    }

    fn bodies(&self, _site: &'a Site) -> Vec<&'a PageData> {
        self.pages.clone()
    }

    fn lang(&self) -> Option<&str> {
        self.section.lang.as_deref()
    }

    fn writer(&self, _site: &Site, sources: &[Source]) -> String {
        sources[self.section.source].file.display().to_string()
    }
}

/// One page of a language's home listing: `/es/`, `/es/page/2/` (`index.html`).
#[derive(Debug)]
pub(crate) struct LanguageHome<'a> {
    /// The language.
    pub language: &'a Language,
    /// The posts on this page.
    pub posts: Vec<&'a PageData>,
    /// 1-based page number.
    pub index: usize,
    /// Number of pages.
    pub count: usize,
}

impl<'a> Output<'a> for LanguageHome<'a> {
    fn site_path(&self, site: &Site) -> String {
        listing_path(
            &self.language.site_path,
            self.index,
            &site.config.paginate_path,
        )
    }

    fn template(&self) -> &str {
        "index.html"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"language home");
        hasher.update(self.language.code.as_bytes());
        hasher.update(&self.language.posts.len().to_le_bytes());
        hash_pages(hasher, inputs, &self.posts, (self.index, self.count));
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let paginator = Paginator::new(
            inputs,
            &site.config,
            &self.language.site_path,
            &self.posts,
            (self.index, self.count),
            site.config.paginate_by,
            self.language.posts.len(),
        )?;
        cx.insert("paginator", &paginator);
        cx.insert("language", self.language);
        Ok(())
    }

    fn bodies(&self, _site: &'a Site) -> Vec<&'a PageData> {
        self.posts.clone()
    }

    fn lang(&self) -> Option<&str> {
        Some(&self.language.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_pages_have_their_paths() {
        assert_eq!(listing_path("/", 1, "page"), "/");
        assert_eq!(listing_path("/", 3, "page"), "/page/3/");
        assert_eq!(listing_path("/tags/rust/", 2, "page"), "/tags/rust/page/2/");
        assert_eq!(listing_path("/", 2, "page:num"), "/page2/");
        assert_eq!(listing_path("/", 12, "seite"), "/seite/12/");
    }

    #[test]
    fn a_listing_is_cut_into_pages_and_an_empty_one_keeps_its_first() {
        let shares = |n: usize, per_page: usize| {
            paginate((0..n).collect(), per_page)
                .map(|(share, index, count)| (share.len(), index, count))
                .collect::<Vec<_>>()
        };
        assert_eq!(shares(5, 2), [(2, 1, 3), (2, 2, 3), (1, 3, 3)]);
        assert_eq!(shares(4, 2), [(2, 1, 2), (2, 2, 2)]);
        assert_eq!(shares(0, 10), [(0, 1, 1)]);
    }
}
