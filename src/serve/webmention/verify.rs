//! What a webmention's source says about its target: whether it links to it at all and, from
//! its h-entry (microformats2), what kind of response it is, who wrote it, when, and what.

use scraper::{ElementRef, Html, Selector};
use url::Url;

/// What a source is to its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `u-in-reply-to`.
    Reply,
    /// `u-like-of`.
    Like,
    /// `u-repost-of`.
    Repost,
    /// `u-bookmark-of`.
    Bookmark,
    /// Any other link.
    Mention,
}

impl Kind {
    /// The word stored and shown for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Reply => "reply",
            Kind::Like => "like",
            Kind::Repost => "repost",
            Kind::Bookmark => "bookmark",
            Kind::Mention => "mention",
        }
    }
}

/// The properties of a class, in the order a kind is looked for.
const KINDS: [(&str, Kind); 4] = [
    ("u-in-reply-to", Kind::Reply),
    ("u-like-of", Kind::Like),
    ("u-repost-of", Kind::Repost),
    ("u-bookmark-of", Kind::Bookmark),
];

/// The longest content kept, in characters; a mention is a reply, not a copy of the page.
const MAX_CONTENT: usize = 5000;

/// A source that links to its target, with what its h-entry tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Reply, like, repost, bookmark or mention.
    pub kind: Kind,
    /// The author's name (`p-author`'s `p-name`, or its text).
    pub author_name: Option<String>,
    /// The author's page (`u-url` of the author).
    pub author_url: Option<String>,
    /// The author's picture (`u-photo` of the author).
    pub author_photo: Option<String>,
    /// When it was published, as the page writes it (`dt-published`).
    pub published: Option<String>,
    /// The entry's content as text (`e-content` or `p-content`), whitespace collapsed.
    pub content: Option<String>,
}

/// What `html`, found at `source`, says about `target`; `None` when it does not link to it.
pub fn verify(source: &Url, html: &str, target: &Url) -> Option<Verified> {
    let page = Html::parse_document(html);
    let links_to_target = |e: &ElementRef<'_>| {
        e.value()
            .attr("href")
            .and_then(|href| source.join(href.trim()).ok())
            .is_some_and(|url| same_page(&url, target))
    };
    let linked = page
        .select(&selector("a[href], link[href], area[href]"))
        .any(|e| links_to_target(&e));
    if !linked {
        return None;
    }
    let kind = KINDS
        .iter()
        .find(|(class, _)| {
            page.select(&selector(&format!(".{class}")))
                .any(|e| links_to_target(&e))
        })
        .map_or(Kind::Mention, |(_, kind)| *kind);
    let entry = page.select(&selector(".h-entry")).next();
    let within = |css: &str| entry.and_then(|e| e.select(&selector(css)).next());
    let author = within(".p-author");
    let in_author = |css: &str| author.and_then(|a| a.select(&selector(css)).next());
    let author_name = in_author(".p-name")
        .or(author)
        .map(|e| text(&e))
        .filter(|t| !t.is_empty());
    let url_of = |e: ElementRef<'_>, attr: &str| {
        e.value()
            .attr(attr)
            .and_then(|v| source.join(v.trim()).ok())
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .map(String::from)
    };
    let author_url = in_author(".u-url")
        .or(author.filter(|a| a.value().name() == "a"))
        .and_then(|e| url_of(e, "href"));
    let author_photo = in_author(".u-photo").and_then(|e| url_of(e, "src"));
    let published = within(".dt-published").and_then(|e| {
        e.value()
            .attr("datetime")
            .map(|d| d.trim().to_string())
            .or_else(|| Some(text(&e)))
            .filter(|t| !t.is_empty())
    });
    let content = within(".e-content")
        .or_else(|| within(".p-content"))
        .map(|e| text(&e).chars().take(MAX_CONTENT).collect::<String>())
        .filter(|t| !t.is_empty());
    Some(Verified {
        kind,
        author_name,
        author_url,
        author_photo,
        published,
        content,
    })
}

/// The same page: the same URL but for a fragment.
pub fn same_page(a: &Url, b: &Url) -> bool {
    let mut a = a.clone();
    let mut b = b.clone();
    a.set_fragment(None);
    b.set_fragment(None);
    a == b
}

fn selector(css: &str) -> Selector {
    // Only the constant selectors above come here, and each of them parses.
    Selector::parse(css).unwrap_or_else(|_| Selector::parse("*:not(*)").expect("a valid selector"))
}

fn text(element: &ElementRef<'_>) -> String {
    let all: String = element.text().collect();
    all.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const TARGET: &str = "https://blog.example/posts/hello/";

    #[test]
    fn a_reply_with_its_author_date_and_content() {
        let html = r#"<!DOCTYPE html><html><body>
            <article class="h-entry">
              <a class="p-author h-card" href="/about"><img class="u-photo" src="/me.jpg" alt=""><span class="p-name">Bea  Writer</span></a>
              <p>In reply to <a class="u-in-reply-to" href="https://blog.example/posts/hello/#comments">Hello</a></p>
              <time class="dt-published" datetime="2024-03-01T10:00:00Z">1 March</time>
              <div class="e-content"><p>Great <b>post</b>,
                 thank you!</p></div>
            </article></body></html>"#;
        let found = verify(&url("https://bea.example/notes/1"), html, &url(TARGET)).unwrap();
        assert_eq!(found.kind, Kind::Reply);
        assert_eq!(found.author_name.as_deref(), Some("Bea Writer"));
        assert_eq!(
            found.author_url.as_deref(),
            Some("https://bea.example/about")
        );
        assert_eq!(
            found.author_photo.as_deref(),
            Some("https://bea.example/me.jpg")
        );
        assert_eq!(found.published.as_deref(), Some("2024-03-01T10:00:00Z"));
        assert_eq!(found.content.as_deref(), Some("Great post, thank you!"));
    }

    #[test]
    fn kinds_plain_links_and_no_link() {
        let like = r#"<div class="h-entry"><span class="p-author h-card">Cy</span> liked <a class="u-like-of" href="https://blog.example/posts/hello/">this</a></div>"#;
        let found = verify(&url("https://cy.example/likes/9"), like, &url(TARGET)).unwrap();
        assert_eq!(
            (found.kind, found.author_name.as_deref()),
            (Kind::Like, Some("Cy"))
        );
        let repost = r#"<a class="u-repost-of" href="https://blog.example/posts/hello/">x</a>"#;
        assert_eq!(
            verify(&url("https://d.example/"), repost, &url(TARGET))
                .unwrap()
                .kind,
            Kind::Repost
        );
        let plain = r#"<p>See <a href="//blog.example/posts/hello/">this post</a>.</p>"#;
        let found = verify(&url("https://e.example/"), plain, &url(TARGET)).unwrap();
        assert_eq!(found.kind, Kind::Mention);
        assert_eq!(found.content, None, "no h-entry, nothing but the link");
        for elsewhere in [
            r#"<a href="https://blog.example/posts/other/">other</a>"#,
            r#"<p>https://blog.example/posts/hello/ as text</p>"#,
            r#"<img src="https://blog.example/posts/hello/">"#,
            r#"<a class="u-like-of" data-href="https://blog.example/posts/hello/">x</a>"#,
        ] {
            assert_eq!(
                verify(&url("https://f.example/"), elsewhere, &url(TARGET)),
                None,
                "{elsewhere}"
            );
        }
    }

    #[test]
    fn author_links_must_be_http() {
        let html = r#"<div class="h-entry"><a class="p-author h-card" href="javascript:alert(1)">Eve</a>
            <img class="u-photo" src="data:image/png;base64,AAAA"><a href="https://blog.example/posts/hello/">x</a></div>"#;
        let found = verify(&url("https://eve.example/"), html, &url(TARGET)).unwrap();
        assert_eq!(found.author_name.as_deref(), Some("Eve"));
        assert_eq!((found.author_url, found.author_photo), (None, None));
    }
}
