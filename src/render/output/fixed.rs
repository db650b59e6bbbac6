//! Outputs that show no post's body: the sitemap, `robots.txt`, the 404 page, the style sheet
//! and the redirect pages of aliases.

use anyhow::Result;
use serde::Serialize;
use tera::{Context, Tera};
use xxhash_rust::xxh3::Xxh3;

use super::{KeyInputs, Output};
use crate::config::MarkdownConfig;
use crate::content::Source;
use crate::render::Inputs;
use crate::site::Site;

/// `/sitemap.xml`: every page of the site, the later pages of every thread among them.
#[derive(Debug)]
pub(crate) struct Sitemap {
    /// The site paths of the later pages of every thread.
    pub later_pages: Vec<String>,
}

/// One `<url>` of the sitemap.
#[derive(Debug, Serialize)]
struct SitemapEntry<'a> {
    permalink: String,
    lastmod: Option<&'a str>,
}

impl Sitemap {
    /// The sitemap's `<url>`s, in order: what its key hashes and its template shows.
    fn entries<'a>(&self, site: &'a Site) -> Vec<SitemapEntry<'a>> {
        let config = &site.config;
        let entry = |permalink: &str| SitemapEntry {
            permalink: permalink.to_string(),
            lastmod: None,
        };
        let mut entries = vec![entry(&config.permalink("/"))];
        for page in site.posts.iter().chain(&site.pages).filter(|p| p.render) {
            entries.push(SitemapEntry {
                permalink: page.permalink.clone(),
                lastmod: page.updated.as_deref().or(page.date.as_deref()),
            });
        }
        entries.extend(self.later_pages.iter().map(|p| entry(&config.permalink(p))));
        entries.push(entry(&config.permalink("/tags/")));
        entries.extend(site.tags.iter().map(|t| entry(&t.permalink)));
        entries.extend(site.languages.iter().map(|l| entry(&l.permalink)));
        for taxonomy in &site.taxonomies {
            entries.push(entry(&taxonomy.permalink));
            entries.extend(taxonomy.terms.iter().map(|t| entry(&t.permalink)));
        }
        entries.extend(site.sections.iter().map(|s| entry(&s.permalink)));
        entries
    }
}

impl<'a> Output<'a> for Sitemap {
    fn site_path(&self, _site: &Site) -> String {
        "/sitemap.xml".into()
    }

    fn template(&self) -> &str {
        "sitemap.xml"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"sitemap");
        for entry in self.entries(inputs.site) {
            hasher.update(entry.permalink.as_bytes());
            hasher.update(b"\0");
            hasher.update(entry.lastmod.unwrap_or("").as_bytes());
            hasher.update(b"\0");
        }
    }

    fn context(&self, site: &Site, _: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        cx.insert("entries", &self.entries(site));
        Ok(())
    }
}

/// `/robots.txt`.
#[derive(Debug)]
pub(crate) struct Robots;

impl<'a> Output<'a> for Robots {
    fn site_path(&self, _site: &Site) -> String {
        "/robots.txt".into()
    }

    fn template(&self) -> &str {
        "robots.txt"
    }

    fn key(&self, hasher: &mut Xxh3, _: &KeyInputs<'_>) {
        hasher.update(b"robots");
    }
}

/// `/404.html`, unless the site has its own.
#[derive(Debug)]
pub(crate) struct NotFound;

impl<'a> Output<'a> for NotFound {
    fn site_path(&self, _site: &Site) -> String {
        "/404.html".into()
    }

    fn template(&self) -> &str {
        "404.html"
    }

    fn key(&self, hasher: &mut Xxh3, _: &KeyInputs<'_>) {
        hasher.update(b"404");
    }
}

/// `/style.css`, with the code palette's CSS.
#[derive(Debug)]
pub(crate) struct Style;

impl<'a> Output<'a> for Style {
    fn site_path(&self, _site: &Site) -> String {
        "/style.css".into()
    }

    fn template(&self) -> &str {
        "style.css"
    }

    // The palette follows the config, which every key holds.
    fn key(&self, hasher: &mut Xxh3, _: &KeyInputs<'_>) {
        hasher.update(b"style");
    }

    fn context(&self, site: &Site, _: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        cx.insert("highlight_css", &highlight_css(&site.config.markdown));
        Ok(())
    }
}

/// The code palette's CSS for `style.css`: none when highlighting is off or the site styles
/// code itself (`highlight_theme = "none"`).
fn highlight_css(markdown: &MarkdownConfig) -> String {
    if !markdown.highlight {
        return String::new();
    }
    crate::highlight::palette(&markdown.highlight_theme).unwrap_or_default()
}

/// A redirect page from an old path (`alias.html`).
#[derive(Debug)]
pub(crate) struct Alias<'a> {
    /// The old path.
    pub from: &'a str,
    /// The absolute URL it redirects to.
    pub target: &'a str,
}

impl<'a> Output<'a> for Alias<'a> {
    fn site_path(&self, _site: &Site) -> String {
        self.from.to_string()
    }

    fn template(&self) -> &str {
        "alias.html"
    }

    fn key(&self, hasher: &mut Xxh3, _: &KeyInputs<'_>) {
        hasher.update(b"alias");
        hasher.update(self.from.as_bytes());
        hasher.update(b"\0");
        hasher.update(self.target.as_bytes());
    }

    fn context(&self, _: &Site, _: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        cx.insert("target", self.target);
        Ok(())
    }

    fn writer(&self, _site: &Site, _sources: &[Source]) -> String {
        format!("an alias of {}", self.target)
    }
}
