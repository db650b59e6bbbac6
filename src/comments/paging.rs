//! Paging a thread: a long thread is split by top-level comments (each with all its replies,
//! so a subtree never straddles two pages) into pages of `[comments] per_page`, the first on
//! the post's own page and the others at `<post>/comments/2/`, `/3/`...

/// How many pages a thread of `top_level` top-level comments takes; always at least one (the
/// post's own), and exactly one when paging is off (`per_page = 0`).
pub fn page_count(top_level: usize, per_page: usize) -> usize {
    if per_page == 0 {
        1
    } else {
        top_level.div_ceil(per_page).max(1)
    }
}

/// The top-level comments page `index` (1-based) shows, as a range of their positions.
pub fn page_range(index: usize, per_page: usize, top_level: usize) -> std::ops::Range<usize> {
    if per_page == 0 {
        return 0..top_level;
    }
    let start = index
        .saturating_sub(1)
        .saturating_mul(per_page)
        .min(top_level);
    start..start.saturating_add(per_page).min(top_level)
}

/// The page (1-based) that shows the top-level comment at `position` (0-based).
pub fn page_of_position(position: usize, per_page: usize) -> usize {
    position.checked_div(per_page).map_or(1, |page| page + 1)
}

/// How many pages either side of the current one its navigation links to by number.
pub const LINKED_NEIGHBOURS: usize = 2;

/// The page numbers the navigation of page `current` of `count` links to: the first, the
/// last and [`LINKED_NEIGHBOURS`] either side of the current one, in order. A thread of a
/// thousand pages then costs each page a dozen links, not a thousand.
pub fn linked_pages(current: usize, count: usize) -> impl Iterator<Item = usize> {
    let near = current.saturating_sub(LINKED_NEIGHBOURS).max(1)
        ..=current.saturating_add(LINKED_NEIGHBOURS).min(count);
    let first = (count >= 1 && *near.start() > 1).then_some(1);
    let last = (*near.end() < count).then_some(count);
    first.into_iter().chain(near).chain(last)
}

/// The site path of page `index` of the thread of the post at `post_path`: the post itself
/// for the first page, `<post>/comments/<index>/` for the others. A post published as a file
/// (`/2024/hello.html`) has its thread pages in a folder of the same name without the
/// extension (`/2024/hello/comments/2/`).
pub fn page_path(post_path: &str, index: usize) -> String {
    if index <= 1 {
        return post_path.to_string();
    }
    let folder = if post_path.ends_with('/') {
        post_path.to_string()
    } else {
        let last = post_path.rfind('/').map_or(0, |i| i + 1);
        let stem = match post_path[last..].rfind('.') {
            Some(dot) if dot > 0 => &post_path[..last + dot],
            _ => post_path,
        };
        format!("{stem}/")
    };
    format!("{folder}comments/{index}/")
}

/// The path of the page of `post`'s thread (published at `path`) that shows comment `id`:
/// the post's own for a comment not shown (not approved, or of another post).
pub fn page_showing(
    store: &crate::store::Store,
    comments: &crate::config::CommentsConfig,
    post: &str,
    path: &str,
    id: i64,
) -> anyhow::Result<String> {
    let posts = [post];
    let read = super::ThreadRead {
        posts: Some(&posts),
        email: false,
        stored_html: true,
        ids: None,
    };
    let threads = super::thread::Threads::collect(comments.max_depth, comments.avatars, |add| {
        store.each_approved_comment(&read, add)
    })?;
    let index = threads.page_of(post, id, comments.per_page).unwrap_or(1);
    Ok(page_path(path, index))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_links_the_ends_and_the_neighbours_of_the_current_page() {
        let linked = |current, count| linked_pages(current, count).collect::<Vec<_>>();
        assert_eq!(linked(1, 1), [1]);
        assert_eq!(linked(1, 2), [1, 2]);
        assert_eq!(
            linked(2, 5),
            [1, 2, 3, 4, 5],
            "every page of a short thread"
        );
        assert_eq!(linked(1, 1000), [1, 2, 3, 1000]);
        assert_eq!(linked(500, 1000), [1, 498, 499, 500, 501, 502, 1000]);
        assert_eq!(
            linked(4, 1000),
            [1, 2, 3, 4, 5, 6, 1000],
            "no gap, no repeat"
        );
        assert_eq!(linked(1000, 1000), [1, 998, 999, 1000]);
    }

    #[test]
    fn pages_hold_per_page_top_level_comments() {
        for (top_level, per_page, pages) in [
            (0, 100, 1),
            (1, 100, 1),
            (100, 100, 1),
            (101, 100, 2),
            (200, 100, 2),
            (201, 100, 3),
            (5000, 0, 1),
            (3, 1, 3),
        ] {
            assert_eq!(
                page_count(top_level, per_page),
                pages,
                "{top_level}/{per_page}"
            );
        }
        assert_eq!(page_range(1, 100, 101), 0..100);
        assert_eq!(page_range(2, 100, 101), 100..101);
        assert_eq!(page_range(3, 100, 101), 101..101, "past the end: empty");
        assert_eq!(page_range(1, 0, 7), 0..7);
        assert_eq!(page_of_position(0, 100), 1);
        assert_eq!(page_of_position(99, 100), 1);
        assert_eq!(page_of_position(100, 100), 2);
        assert_eq!(page_of_position(12345, 0), 1);
    }

    #[test]
    fn later_pages_live_under_the_post() {
        assert_eq!(page_path("/posts/a/", 1), "/posts/a/");
        assert_eq!(page_path("/posts/a/", 2), "/posts/a/comments/2/");
        assert_eq!(
            page_path("/blog/2024/a.html", 3),
            "/blog/2024/a/comments/3/"
        );
        assert_eq!(page_path("/blog/a", 2), "/blog/a/comments/2/");
        assert_eq!(page_path("/blog/.hidden", 2), "/blog/.hidden/comments/2/");
    }
}
