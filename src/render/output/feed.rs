//! The Atom feeds of posts, all through `atom.xml`: the site's feed (`/atom.xml`),
//! a language's (`/es/atom.xml`), a term's, a section's, a taxonomy's list page's (as Hugo
//! publishes one for every list). The feeds of lists share one context ([`feed_context`])
//! and one key ([`KeyInputs::feed`]); the site's is dated by the newest post of all.

use anyhow::Result;
use tera::{Context, Tera};
use xxhash_rust::xxh3::Xxh3;

use super::{KeyInputs, Output};
use crate::render::{FullPage, Inputs, full};
use crate::site::{Language, Member, PageData, Section, Site, Tag};

/// What a list's feed template reads: its posts, newest change, title, and the absolute URLs
/// of the feed and of the page it is the feed of.
fn feed_context<'a>(
    context: &mut Context,
    inputs: &Inputs<'a>,
    posts: impl Iterator<Item = &'a PageData>,
    title: &str,
    (url, home): (&str, &str),
) -> Result<()> {
    let posts: Vec<FullPage<'_>> = posts.map(|p| full(inputs, p)).collect::<Result<_>>()?;
    let last_updated = posts
        .iter()
        .filter_map(|p| p.data.updated.as_deref().or(p.data.date.as_deref()))
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    context.insert("posts", &posts);
    context.insert("last_updated", &last_updated);
    context.insert("feed_title", title);
    context.insert("feed_url", url);
    context.insert("feed_home", home);
    Ok(())
}

/// The feed file of a list whose page is at `site_path`.
fn feed_path(site: &Site, site_path: &str) -> String {
    format!("{site_path}{}", site.config.feed_filename)
}

/// `/atom.xml`: the site's newest posts.
#[derive(Debug)]
pub(crate) struct SiteFeed;

impl<'a> Output<'a> for SiteFeed {
    fn site_path(&self, site: &Site) -> String {
        format!("/{}", site.config.feed_filename)
    }

    fn template(&self) -> &str {
        "atom.xml"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"feed");
        for p in inputs.site.feed_posts() {
            inputs.page(hasher, p);
        }
        // The feed's <updated> is the newest date of any post.
        hasher.update(inputs.site.last_change().unwrap_or("").as_bytes());
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let config = &site.config;
        cx.insert("feed_title", &config.title);
        cx.insert("feed_url", &config.permalink(&self.site_path(site)));
        cx.insert("feed_home", &config.permalink("/"));
        let posts: Vec<FullPage<'_>> = site
            .feed_posts()
            .map(|p| full(inputs, p))
            .collect::<Result<_>>()?;
        let last_updated = site.last_change().unwrap_or("1970-01-01T00:00:00Z");
        cx.insert("posts", &posts);
        cx.insert("last_updated", &last_updated);
        Ok(())
    }

    fn bodies(&self, site: &'a Site) -> Vec<&'a PageData> {
        site.feed_posts().collect()
    }
}

/// A language's feed: `/es/atom.xml`, in that language.
#[derive(Debug)]
pub(crate) struct LanguageFeed<'a>(pub &'a Language);

impl<'a> LanguageFeed<'a> {
    /// The posts it shows, newest first.
    fn posts<'s>(&self, site: &'s Site) -> impl Iterator<Item = &'s PageData> + use<'s, 'a> {
        as_many_as_a_feed_holds(site, &self.0.posts)
    }
}

impl<'a> Output<'a> for LanguageFeed<'a> {
    fn site_path(&self, site: &Site) -> String {
        feed_path(site, &self.0.site_path)
    }

    fn template(&self) -> &str {
        "atom.xml"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"language feed");
        hasher.update(self.0.code.as_bytes());
        inputs.feed(hasher, self.posts(inputs.site));
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let title = &site.config.for_language(&self.0.code).title;
        let url = site.config.permalink(&self.site_path(site));
        let home = &self.0.permalink;
        feed_context(cx, inputs, self.posts(site), title, (&url, home))
    }

    fn bodies(&self, site: &'a Site) -> Vec<&'a PageData> {
        self.posts(site).collect()
    }

    fn lang(&self) -> Option<&str> {
        Some(&self.0.code)
    }
}

/// The feed of a term whose taxonomy has feeds: its newest posts.
#[derive(Debug)]
pub(crate) struct TermFeed<'a>(pub &'a Tag);

impl<'a> TermFeed<'a> {
    /// The posts it shows, newest first.
    fn posts<'s>(&self, site: &'s Site) -> impl Iterator<Item = &'s PageData> + use<'s, 'a> {
        as_many_as_a_feed_holds(site, &self.0.posts)
    }
}

impl<'a> Output<'a> for TermFeed<'a> {
    fn site_path(&self, site: &Site) -> String {
        feed_path(site, &self.0.site_path)
    }

    fn template(&self) -> &str {
        "atom.xml"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        let term = self.0;
        hasher.update(b"term feed");
        hasher.update(term.taxonomy.as_bytes());
        hasher.update(b"\0");
        hasher.update(term.slug.as_bytes());
        hasher.update(b"\0");
        hasher.update(term.name.as_bytes());
        inputs.feed(hasher, self.posts(inputs.site));
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let title = format!("{} · {}", site.config.title, self.0.name);
        let url = site.config.permalink(&self.site_path(site));
        let home = &self.0.permalink;
        feed_context(cx, inputs, self.posts(site), &title, (&url, home))
    }

    fn bodies(&self, site: &'a Site) -> Vec<&'a PageData> {
        self.posts(site).collect()
    }
}

/// The feed of a section that has one: its newest posts.
#[derive(Debug)]
pub(crate) struct SectionFeed<'a>(pub &'a Section);

impl<'a> SectionFeed<'a> {
    /// The posts it shows, newest first.
    fn posts<'s>(&self, site: &'s Site) -> impl Iterator<Item = &'s PageData> + use<'s, 'a> {
        let posts = self.0.members.iter().filter_map(|m| match *m {
            Member::Post(i) => Some(i),
            Member::Page(_) => None,
        });
        newest_first(site, posts.collect())
    }
}

impl<'a> Output<'a> for SectionFeed<'a> {
    fn site_path(&self, site: &Site) -> String {
        feed_path(site, &self.0.site_path)
    }

    fn template(&self) -> &str {
        "atom.xml"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"section feed");
        hasher.update(self.0.folder.as_bytes());
        hasher.update(b"\0");
        hasher.update(self.0.title.as_bytes());
        inputs.feed(hasher, self.posts(inputs.site));
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let title = format!("{} · {}", site.config.title, self.0.title);
        let url = site.config.permalink(&self.site_path(site));
        let home = &self.0.permalink;
        feed_context(cx, inputs, self.posts(site), &title, (&url, home))
    }

    fn bodies(&self, site: &'a Site) -> Vec<&'a PageData> {
        self.posts(site).collect()
    }
}

/// The feed of a taxonomy's list page (`/tags/index.xml`), as Hugo publishes one for every
/// list: the newest posts that have any of its terms.
#[derive(Debug)]
pub(crate) struct TaxonomyFeed<'a> {
    /// The taxonomy's name (`tags`).
    pub name: &'a str,
    /// Its list page's site path (`/tags/`).
    pub site_path: &'a str,
    /// Its terms.
    pub terms: &'a [Tag],
}

impl<'a> TaxonomyFeed<'a> {
    /// The posts it shows, newest first.
    fn posts<'s>(&self, site: &'s Site) -> impl Iterator<Item = &'s PageData> + use<'s> {
        let posts = self.terms.iter().flat_map(|t| t.posts.iter().copied());
        newest_first(site, posts.collect())
    }
}

impl<'a> Output<'a> for TaxonomyFeed<'a> {
    fn site_path(&self, site: &Site) -> String {
        feed_path(site, self.site_path)
    }

    fn template(&self) -> &str {
        "atom.xml"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"taxonomy feed");
        hasher.update(self.name.as_bytes());
        inputs.feed(hasher, self.posts(inputs.site));
    }

    fn context(&self, site: &Site, inputs: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        let title = format!("{} · {}", site.config.title, self.name);
        let url = site.config.permalink(&self.site_path(site));
        let home = site.config.permalink(self.site_path);
        feed_context(cx, inputs, self.posts(site), &title, (&url, &home))
    }

    fn bodies(&self, site: &'a Site) -> Vec<&'a PageData> {
        self.posts(site).collect()
    }
}

/// The posts at these indices, already newest first (a language's or a term's list), as many
/// as a feed holds.
fn as_many_as_a_feed_holds<'s, 'l>(
    site: &'s Site,
    posts: &'l [usize],
) -> impl Iterator<Item = &'s PageData> + use<'s, 'l> {
    posts
        .iter()
        .map(|&i| &site.posts[i])
        .take(site.config.feed_limit)
}

/// The posts at these indices, each once, newest first (`Site::posts` is in that order,
/// whatever order a section or a taxonomy lists them in), as many as a feed holds.
fn newest_first(site: &Site, mut posts: Vec<usize>) -> impl Iterator<Item = &PageData> {
    posts.sort_unstable();
    posts.dedup();
    posts
        .into_iter()
        .map(|i| &site.posts[i])
        .take(site.config.feed_limit)
}
