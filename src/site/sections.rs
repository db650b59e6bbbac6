//! Sections and the home page: what each section's listing shows, in which order, and which
//! posts the home page lists.

use super::{Member, PageData, Section};
use crate::config::SiteConfig;
use crate::content::{Kind, Source};
use serde_json::Value;

/// Every section but the content root's (the home page), by folder, with its members: the
/// posts and pages whose nearest section it is, and those of its transparent subsections.
pub(super) fn collect(
    config: &SiteConfig,
    sources: &[Source],
    posts: &[PageData],
    pages: &[PageData],
) -> Vec<Section> {
    let mut sections: Vec<Section> = sources
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == Kind::Section && s.section.as_deref() != Some(""))
        .map(|(index, s)| {
            let folder = s.section.clone().unwrap_or_default();
            let title = if s.meta.title.is_empty() {
                folder.rsplit('/').next().unwrap_or("").to_string()
            } else {
                s.meta.title.clone()
            };
            Section {
                title,
                description: s.meta.description.clone(),
                path: config.site_path(&s.path),
                permalink: config.permalink(&s.path),
                extra: s.meta.extra.clone(),
                count: 0,
                paginate_by: s.meta.paginate_by.unwrap_or(config.paginate_by),
                template: s
                    .meta
                    .template
                    .clone()
                    .unwrap_or_else(|| "section.html".into()),
                members: Vec::new(),
                site_path: s.path.clone(),
                folder,
                lang: s.lang.clone(),
                feed: config.section_feeds
                    || ["generate_feeds", "generate_feed"]
                        .iter()
                        .any(|k| s.meta.extra.get(*k) == Some(&Value::Bool(true))),
                source: index,
            }
        })
        .collect();
    sections.sort_by(|a, b| a.folder.cmp(&b.folder));
    let position = |folder: &str, lang: &Option<String>| {
        sections
            .iter()
            .position(|s| s.folder == folder && sources[s.source].lang == *lang)
    };
    // Which section each section's members also go to: its parent, while it is transparent.
    let transparent: rustc_hash::FxHashSet<&str> = sources
        .iter()
        .filter(|s| s.kind == Kind::Section && s.meta.transparent)
        .filter_map(|s| s.section.as_deref())
        .collect();
    let transparent = |folder: &str| transparent.contains(folder);
    let mut lists: Vec<Vec<Member>> = vec![Vec::new(); sections.len()];
    let members = posts
        .iter()
        .enumerate()
        .map(|(i, p)| (Member::Post(i), p))
        .chain(pages.iter().enumerate().map(|(i, p)| (Member::Page(i), p)));
    for (member, page) in members {
        let Some(mut folder) = sources[page.source].section.clone() else {
            continue;
        };
        let lang = &sources[page.source].lang;
        loop {
            if let Some(at) = position(&folder, lang) {
                lists[at].push(member);
            }
            if folder.is_empty() || !transparent(&folder) {
                break;
            }
            folder = parent(&folder).to_string();
        }
    }
    for (section, mut list) in sections.iter_mut().zip(lists) {
        let page = |m: &Member| match *m {
            Member::Post(i) => &posts[i],
            Member::Page(i) => &pages[i],
        };
        let date = |m: &Member| sources[page(m).source].date;
        match sources[section.source].meta.sort_by.as_deref() {
            Some("title") => list.sort_by(|a, b| page(a).title.cmp(&page(b).title)),
            Some("weight") => list.sort_by(|a, b| {
                let (a, b) = (page(a), page(b));
                (a.weight.is_none(), a.weight, &a.title).cmp(&(
                    b.weight.is_none(),
                    b.weight,
                    &b.title,
                ))
            }),
            // Newest first; undated pages after the posts, by title.
            _ => list.sort_by(|a, b| {
                date(b)
                    .cmp(&date(a))
                    .then_with(|| page(a).title.cmp(&page(b).title))
            }),
        }
        section.count = list.len();
        section.members = list;
    }
    sections
}

/// A warning for each `[home] sections` entry that names no folder any post is in: a typo
/// there would empty the home page without a word.
pub(crate) fn unknown_home_sections(config: &SiteConfig, sources: &[Source]) -> Vec<String> {
    let Some(named) = &config.home.sections else {
        return Vec::new();
    };
    named
        .iter()
        .filter(|name| {
            let name = name.trim_matches('/');
            !sources.iter().any(|s| {
                s.section.as_deref().is_some_and(|folder| {
                    folder == name
                        || (folder.starts_with(name) && folder[name.len()..].starts_with('/'))
                })
            })
        })
        .map(|name| {
            format!("[home] sections names {name:?}, but nothing is in content/{}/ (the home page lists no posts from it)", name.trim_matches('/'))
        })
        .collect()
}

/// `a/b` is in `a`; `a` is in the content root, `""`.
fn parent(folder: &str) -> &str {
    folder.rfind('/').map_or("", |i| &folder[..i])
}

/// The posts the home page lists: all of them, or with `[home] sections`, those in the named
/// sections and the folders below them.
pub(super) fn home(config: &SiteConfig, sources: &[Source], posts: &[PageData]) -> Vec<usize> {
    let Some(named) = &config.home.sections else {
        return (0..posts.len())
            .filter(|&i| posts[i].render && !posts[i].translated)
            .collect();
    };
    let named: Vec<&str> = named.iter().map(|s| s.trim_matches('/')).collect();
    posts
        .iter()
        .enumerate()
        .filter(|(_, post)| post.render && !post.translated)
        .filter(|(_, post)| {
            let folder = sources[post.source].section.as_deref().unwrap_or("");
            named.iter().any(|n| {
                folder == *n || (folder.starts_with(n) && folder[n.len()..].starts_with('/'))
            })
        })
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parent;

    #[test]
    fn parents() {
        assert_eq!(parent("a/b"), "a");
        assert_eq!(parent("a"), "");
    }
}
