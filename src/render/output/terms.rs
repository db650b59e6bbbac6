//! The lists of terms, which show no post: `/tags/` and the list page of another taxonomy
//! (`/categories/`). Their keys follow each term's name and number of posts.

use anyhow::Result;
use tera::{Context, Tera};
use xxhash_rust::xxh3::Xxh3;

use super::{KeyInputs, Output};
use crate::render::Inputs;
use crate::site::{Site, Taxonomy};

/// `/tags/`: every tag (`tags.html`).
#[derive(Debug)]
pub(crate) struct TagList;

impl<'a> Output<'a> for TagList {
    fn site_path(&self, _site: &Site) -> String {
        "/tags/".into()
    }

    fn template(&self) -> &str {
        "tags.html"
    }

    fn key(&self, hasher: &mut Xxh3, inputs: &KeyInputs<'_>) {
        hasher.update(b"tags");
        for tag in &inputs.site.tags {
            hasher.update(tag.slug.as_bytes());
            hasher.update(b"\0");
            hasher.update(tag.name.as_bytes());
            hasher.update(&tag.count.to_le_bytes());
        }
    }

    fn context(&self, site: &Site, _: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        cx.insert("tags", &site.tags);
        Ok(())
    }
}

/// The list page of a taxonomy other than tags: `/categories/` (`taxonomy.html`).
#[derive(Debug)]
pub(crate) struct TaxonomyList<'a>(pub &'a Taxonomy);

impl<'a> Output<'a> for TaxonomyList<'a> {
    fn site_path(&self, _site: &Site) -> String {
        self.0.site_path.clone()
    }

    fn template(&self) -> &str {
        "taxonomy.html"
    }

    fn key(&self, hasher: &mut Xxh3, _: &KeyInputs<'_>) {
        hasher.update(b"taxonomy");
        hasher.update(self.0.name.as_bytes());
        for term in &self.0.terms {
            hasher.update(b"\0");
            hasher.update(term.slug.as_bytes());
            hasher.update(b"\0");
            hasher.update(term.name.as_bytes());
            hasher.update(&term.count.to_le_bytes());
        }
    }

    fn context(&self, _: &Site, _: &Inputs<'_>, _: &Tera, cx: &mut Context) -> Result<()> {
        cx.insert("taxonomy", self.0);
        Ok(())
    }
}
