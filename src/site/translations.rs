//! Translations of a page: every version of it, in each language, linked to the others.

use rustc_hash::FxHashMap;

use super::{PageData, Translation};
use crate::content::Source;

/// Gives every page the other versions of it: the files that share its name without the
/// language.
pub(super) fn link(sources: &[Source], posts: &mut [PageData], pages: &mut [PageData]) {
    let mut versions: FxHashMap<&str, Vec<Translation>> = FxHashMap::default();
    let all = || posts.iter().chain(pages.iter());
    if all().all(|p| !p.translated) {
        return;
    }
    for page in all() {
        versions
            .entry(sources[page.source].original.as_str())
            .or_default()
            .push(Translation {
                lang: page.lang.clone(),
                title: page.title.clone(),
                path: page.path.clone(),
                permalink: page.permalink.clone(),
            });
    }
    for page in posts.iter_mut().chain(pages.iter_mut()) {
        if let Some(group) = versions.get(sources[page.source].original.as_str()) {
            let mut others: Vec<Translation> = group
                .iter()
                .filter(|t| t.path != page.path)
                .cloned()
                .collect();
            others.sort_by(|a, b| a.lang.cmp(&b.lang));
            page.translations = others;
        }
    }
}
