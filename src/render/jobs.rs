//! The job list: one job per output file, where each goes, and what each reads, so that a
//! build can tell which files could have changed since the last one without rendering them.

use xxhash_rust::xxh3::Xxh3;

use crate::content::Source;
use crate::site::{PageData, Site, Tag};

/// One output file to render.
#[derive(Debug)]
pub enum Job<'a> {
    /// A post's page.
    Post(&'a PageData),
    /// A standalone page.
    Page(&'a PageData),
    /// One page of the index or of a tag's listing.
    Listing {
        /// The tag, or `None` for the index.
        tag: Option<&'a Tag>,
        /// The posts on this page.
        posts: Vec<&'a PageData>,
        /// 1-based page number.
        index: usize,
        /// Number of pages.
        count: usize,
    },
    /// `/tags/`.
    Tags,
    /// `/atom.xml`.
    Feed,
    /// `/sitemap.xml`.
    Sitemap,
    /// `/robots.txt`.
    Robots,
    /// `/comments.xml`.
    CommentsFeed,
    /// `/404.html`.
    NotFound,
    /// `/style.css`.
    Style,
    /// A redirect page from an old path.
    Alias {
        /// The old path.
        from: &'a str,
        /// The absolute URL it redirects to.
        target: &'a str,
    },
}

/// Every output file of the site, in a fixed order.
pub fn jobs(site: &Site) -> Vec<Job<'_>> {
    let mut jobs: Vec<Job<'_>> = Vec::new();
    jobs.extend(site.posts.iter().map(Job::Post));
    jobs.extend(site.pages.iter().map(Job::Page));
    let all: Vec<&PageData> = site.posts.iter().collect();
    push_listing(&mut jobs, None, all, site.config.paginate_by);
    for tag in &site.tags {
        let posts = tag.posts.iter().map(|&i| &site.posts[i]).collect();
        push_listing(&mut jobs, Some(tag), posts, site.config.paginate_by);
    }
    jobs.extend([
        Job::Tags,
        Job::Feed,
        Job::Sitemap,
        Job::Robots,
        Job::NotFound,
        Job::Style,
    ]);
    if site.config.comments.enabled {
        jobs.push(Job::CommentsFeed);
    }
    jobs.extend(
        site.aliases
            .iter()
            .map(|(from, target)| Job::Alias { from, target }),
    );
    jobs
}

fn push_listing<'a>(
    jobs: &mut Vec<Job<'a>>,
    tag: Option<&'a Tag>,
    posts: Vec<&'a PageData>,
    per_page: usize,
) {
    let count = posts.len().div_ceil(per_page).max(1);
    let mut chunks: Vec<Vec<&PageData>> = posts.chunks(per_page).map(<[_]>::to_vec).collect();
    if chunks.is_empty() {
        chunks.push(Vec::new());
    }
    for (i, posts) in chunks.into_iter().enumerate() {
        jobs.push(Job::Listing {
            tag,
            posts,
            index: i + 1,
            count,
        });
    }
}

impl Job<'_> {
    /// The site path it renders, without the base path.
    pub fn site_path(&self, site: &Site) -> String {
        match self {
            Job::Post(page) | Job::Page(page) => page
                .path
                .trim_start_matches(site.config.base_path())
                .to_string(),
            Job::Listing { tag, index, .. } => listing_path(&listing_base(*tag), *index),
            Job::Tags => "/tags/".into(),
            Job::Feed => "/atom.xml".into(),
            Job::Sitemap => "/sitemap.xml".into(),
            Job::Robots => "/robots.txt".into(),
            Job::CommentsFeed => "/comments.xml".into(),
            Job::NotFound => "/404.html".into(),
            Job::Style => "/style.css".into(),
            Job::Alias { from, .. } => from.to_string(),
        }
    }

    /// The output file, relative to the output root.
    pub fn file(&self, site: &Site) -> String {
        file_for(&self.site_path(site))
    }

    /// The posts and pages whose rendered bodies this job shows.
    pub fn bodies<'s>(&self, site: &'s Site) -> Vec<&'s PageData>
    where
        Self: 's,
    {
        match self {
            Job::Post(page) | Job::Page(page) => vec![page],
            Job::Listing { posts, .. } => posts.clone(),
            Job::Feed => site.feed_posts().collect(),
            _ => Vec::new(),
        }
    }

    /// A digest of everything the job's output depends on beyond the site-wide inputs (config,
    /// templates, menu) already in `base`: the files and comment stamps of the posts it shows.
    /// `None` for the comments feed, which is rendered every time (what it shows comes from
    /// the newest comments across the site). `urls` is a digest of every page's URL, which
    /// the pages that may link to others or call shortcodes depend on.
    pub fn key(
        &self,
        site: &Site,
        base: &Xxh3,
        sources: &[Source],
        stamp: &dyn Fn(&str) -> Option<(i64, usize)>,
        urls: u128,
    ) -> Option<u128> {
        let mut hasher = base.clone();
        let page = |hasher: &mut Xxh3, page: &PageData| {
            let source = &sources[page.source];
            hasher.update(source.file.to_string_lossy().as_bytes());
            // Builds read whole files, so every source has its digest.
            hasher.update(&source.digest.unwrap_or_default().to_le_bytes());
            hasher.update(&page.comment_count.to_le_bytes());
            if source.refers {
                hasher.update(&urls.to_le_bytes());
                // A figure reads its size from a file of the bundle.
                for (file, _) in &source.assets {
                    if let Ok(metadata) = std::fs::metadata(file) {
                        crate::content::Fingerprint::of(&metadata).hash_into(hasher);
                    }
                }
            }
        };
        match self {
            Job::Post(p) | Job::Page(p) => {
                hasher.update(if matches!(self, Job::Post(_)) {
                    b"post"
                } else {
                    b"page"
                });
                page(&mut hasher, p);
                let (stamp, approved) = stamp(&p.slug).unwrap_or((0, 0));
                hasher.update(&stamp.to_le_bytes());
                hasher.update(&approved.to_le_bytes());
            }
            Job::Listing {
                tag,
                posts,
                index,
                count,
            } => {
                hasher.update(b"listing");
                if let Some(tag) = tag {
                    hasher.update(tag.slug.as_bytes());
                    hasher.update(b"\0");
                    hasher.update(tag.name.as_bytes());
                    hasher.update(&tag.count.to_le_bytes());
                }
                hasher.update(&index.to_le_bytes());
                hasher.update(&count.to_le_bytes());
                hasher.update(&posts.len().to_le_bytes());
                for p in posts {
                    page(&mut hasher, p);
                }
            }
            Job::Tags => {
                hasher.update(b"tags");
                for tag in &site.tags {
                    hasher.update(tag.slug.as_bytes());
                    hasher.update(b"\0");
                    hasher.update(tag.name.as_bytes());
                    hasher.update(&tag.count.to_le_bytes());
                }
            }
            Job::Feed => {
                hasher.update(b"feed");
                for p in site.feed_posts() {
                    page(&mut hasher, p);
                }
                // The feed's <updated> is the newest date of any post.
                hasher.update(site.last_change().unwrap_or("").as_bytes());
            }
            Job::Sitemap => {
                hasher.update(b"sitemap");
                for p in site.posts.iter().chain(&site.pages) {
                    hasher.update(p.permalink.as_bytes());
                    hasher.update(b"\0");
                    for date in [&p.updated, &p.date] {
                        hasher.update(date.as_deref().unwrap_or("").as_bytes());
                        hasher.update(b"\0");
                    }
                }
                for tag in &site.tags {
                    hasher.update(tag.permalink.as_bytes());
                    hasher.update(b"\0");
                }
            }
            Job::Robots => hasher.update(b"robots"),
            Job::NotFound => hasher.update(b"404"),
            Job::Style => hasher.update(b"style"),
            Job::Alias { from, target } => {
                hasher.update(b"alias");
                hasher.update(from.as_bytes());
                hasher.update(b"\0");
                hasher.update(target.as_bytes());
            }
            Job::CommentsFeed => return None,
        }
        Some(hasher.digest128())
    }
}

/// Where a listing's pages live: `/` or `/tags/<slug>/`.
pub fn listing_base(tag: Option<&Tag>) -> String {
    tag.map_or_else(|| "/".to_string(), |t| format!("/tags/{}/", t.slug))
}

/// The site path of listing page `index` under `base` (`/` or `/tags/x/`).
pub fn listing_path(base: &str, index: usize) -> String {
    if index == 1 {
        base.to_string()
    } else {
        format!("{base}page/{index}/")
    }
}

/// The output file for a site path: `/posts/a/` is `posts/a/index.html`.
pub fn file_for(path: &str) -> String {
    let trimmed = path.trim_start_matches('/');
    if trimmed.is_empty() || trimmed.ends_with('/') {
        format!("{trimmed}index.html")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_map_to_files() {
        assert_eq!(file_for("/"), "index.html");
        assert_eq!(file_for("/posts/a/"), "posts/a/index.html");
        assert_eq!(file_for("/atom.xml"), "atom.xml");
        assert_eq!(listing_path("/", 1), "/");
        assert_eq!(listing_path("/", 3), "/page/3/");
        assert_eq!(listing_path("/tags/rust/", 2), "/tags/rust/page/2/");
    }
}
