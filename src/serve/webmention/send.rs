//! Sending webmentions (`quill webmention send`): every external link of each published post,
//! its endpoint discovered as the spec orders it (the HTTP `Link` header, then the first
//! `<link>` or `<a>` with `rel="webmention"`, relative URLs resolved against the page after
//! redirects), then `source` and `target` posted to it, within the same [`FetchLimits`] as
//! verification. What was sent is remembered in the store with a digest of the post, so a run
//! sends only links that are new or whose post changed, and a link removed from a post is
//! sent once more (so the other side can drop it), then forgotten.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;
use scraper::{Html, Selector};
use sha2::{Digest, Sha256};
use url::Url;

use super::fetch::{FetchLimits, Fetched, fetch, post_form};
use crate::store::{SentMention, Store};

/// One post, as a send run sees it.
#[derive(Debug, Clone)]
pub struct OutgoingPost {
    /// The post's permalink: the `source` of its mentions.
    pub source: String,
    /// Its content as HTML.
    pub html: String,
}

/// A webmention to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The post.
    pub source: String,
    /// The page it links (or linked) to.
    pub target: String,
    /// The post's digest now.
    pub digest: String,
    /// The post no longer links there: this is the last time it is sent.
    pub removed: bool,
}

/// What sending one webmention did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// The endpoint took it, with this status.
    Accepted(u16),
    /// The target has no webmention endpoint.
    NoEndpoint,
    /// It could not be sent, and why (it is tried again next run).
    Failed(String),
}

/// The site's published posts (drafts left out), with their content rendered as the build
/// renders it.
pub fn outgoing_posts(
    root: &std::path::Path,
    config: &crate::config::SiteConfig,
) -> Result<Vec<OutgoingPost>> {
    let sources = crate::content::load_front_matter(root, config, false)?;
    sources
        .iter()
        .filter(|s| s.kind == crate::content::Kind::Post)
        .map(|s| {
            Ok(OutgoingPost {
                source: config.permalink(&s.path),
                html: crate::markdown::render(&s.read_body(root)?, &config.markdown).html,
            })
        })
        .collect()
}

/// The webmentions a run should send, given what was sent before; posts on the site's own
/// host (`own_host`) are not external.
pub fn plan(posts: &[OutgoingPost], sent: &[SentMention], own_host: Option<&str>) -> Vec<Planned> {
    let mut before: BTreeMap<&str, BTreeMap<&str, &str>> = BTreeMap::new();
    for s in sent {
        before
            .entry(&s.source)
            .or_default()
            .insert(&s.target, &s.digest);
    }
    let mut planned = Vec::new();
    for post in posts {
        let digest = digest(&post.html);
        let links = external_links(&post.source, &post.html, own_host);
        let known = before.get(post.source.as_str());
        for target in &links {
            let last = known.and_then(|k| k.get(target.as_str()));
            if last.is_none_or(|d| *d != digest) {
                planned.push(Planned {
                    source: post.source.clone(),
                    target: target.clone(),
                    digest: digest.clone(),
                    removed: false,
                });
            }
        }
        for target in known.into_iter().flat_map(|k| k.keys()) {
            if !links.contains(*target) {
                planned.push(Planned {
                    source: post.source.clone(),
                    target: (*target).to_string(),
                    digest: digest.clone(),
                    removed: true,
                });
            }
        }
    }
    planned
}

/// Sends the planned webmentions one by one and records each in the store.
pub fn send_all(
    store: &mut Store,
    planned: &[Planned],
    limits: &FetchLimits,
    each: &mut dyn FnMut(&Planned, &Sent),
) -> Result<()> {
    for p in planned {
        let sent = send(&p.source, &p.target, limits);
        match (&sent, p.removed) {
            // Told once more that the link is gone (or nobody to tell): forgotten.
            (Sent::Accepted(_) | Sent::NoEndpoint, true) => {
                store.forget_sent(&p.source, &p.target)?
            }
            (Sent::Accepted(status), false) => store.record_sent(
                &SentMention {
                    source: p.source.clone(),
                    target: p.target.clone(),
                    digest: p.digest.clone(),
                },
                &status.to_string(),
            )?,
            (Sent::NoEndpoint, false) => store.record_sent(
                &SentMention {
                    source: p.source.clone(),
                    target: p.target.clone(),
                    digest: p.digest.clone(),
                },
                "no endpoint",
            )?,
            // Not recorded: the next run tries again.
            (Sent::Failed(_), _) => {}
        }
        each(p, &sent);
    }
    Ok(())
}

/// Discovers `target`'s endpoint and sends `source` to it.
pub fn send(source: &str, target: &str, limits: &FetchLimits) -> Sent {
    let Ok(target_url) = Url::parse(target) else {
        return Sent::Failed(format!("{target} is not a URL"));
    };
    let endpoint = match discover(&target_url, limits) {
        Ok(Some(endpoint)) => endpoint,
        Ok(None) => return Sent::NoEndpoint,
        Err(reason) => return Sent::Failed(reason),
    };
    let form = format!(
        "source={}&target={}",
        form_encode(source),
        form_encode(target)
    );
    match post_form(&endpoint, &form, limits) {
        Ok(status) => Sent::Accepted(status),
        Err(reason) => Sent::Failed(reason),
    }
}

/// The webmention endpoint of a page, in the spec's order; `None` when it has none.
pub fn discover(target: &Url, limits: &FetchLimits) -> Result<Option<Url>, String> {
    let (page, body, links) = match fetch(target, limits)? {
        Fetched::Page {
            url, body, links, ..
        } => (url, body, links),
        Fetched::Gone => return Ok(None),
    };
    if let Some(href) = links.iter().find_map(|l| link_header_endpoint(l)) {
        return Ok(page.join(&href).ok());
    }
    let html = Html::parse_document(&String::from_utf8_lossy(&body));
    let selector = Selector::parse("link[href], a[href]").unwrap_or_else(|_| unreachable!());
    Ok(html
        .select(&selector)
        .find(|e| {
            e.value().attr("rel").is_some_and(|rel| {
                rel.split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("webmention"))
            })
        })
        .and_then(|e| e.value().attr("href"))
        .and_then(|href| page.join(href.trim()).ok()))
}

/// The URL of the first `rel="webmention"` link of a `Link` header value.
fn link_header_endpoint(value: &str) -> Option<String> {
    // `<url>; rel="a b", <url2>; rel=webmention`: commas inside <> are part of the URL.
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let end = start + rest[start..].find('>')?;
        let url = &rest[start + 1..end];
        let params_end = rest[end..].find('<').map_or(rest.len(), |i| end + i);
        let params = &rest[end + 1..params_end];
        let is_webmention = params.split(';').any(|p| {
            let Some((name, value)) = p.split_once('=') else {
                return false;
            };
            name.trim().eq_ignore_ascii_case("rel")
                && value
                    .trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .split_ascii_whitespace()
                    .any(|r| r.eq_ignore_ascii_case("webmention"))
        });
        if is_webmention {
            return Some(url.to_string());
        }
        rest = &rest[params_end..];
    }
    None
}

/// The http(s) links of a post's HTML that leave the site, absolute, without fragments.
fn external_links(source: &str, html: &str, own_host: Option<&str>) -> BTreeSet<String> {
    let Ok(base) = Url::parse(source) else {
        return BTreeSet::new();
    };
    let page = Html::parse_fragment(html);
    let selector = Selector::parse("a[href]").unwrap_or_else(|_| unreachable!());
    page.select(&selector)
        .filter_map(|a| base.join(a.value().attr("href")?.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .filter(|u| u.host_str() != own_host)
        .map(|mut u| {
            u.set_fragment(None);
            u.to_string()
        })
        .collect()
}

fn digest(html: &str) -> String {
    Sha256::digest(html.as_bytes())
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers_are_read_as_the_spec_writes_them() {
        assert_eq!(
            link_header_endpoint(r#"<https://a.example/wm>; rel="webmention""#).as_deref(),
            Some("https://a.example/wm")
        );
        assert_eq!(
            link_header_endpoint(
                r#"<https://a.example/x,y>; rel="other", </wm?x=1>; rel="pingback webmention""#
            )
            .as_deref(),
            Some("/wm?x=1")
        );
        assert_eq!(
            link_header_endpoint("</wm>; rel=webmention").as_deref(),
            Some("/wm")
        );
        assert_eq!(link_header_endpoint(r#"</wm>; rel="webmentions""#), None);
    }

    #[test]
    fn only_new_changed_and_removed_links_are_planned() {
        let post = |html: &str| OutgoingPost {
            source: "https://me.example/posts/a/".into(),
            html: html.into(),
        };
        let html = r##"<a href="https://x.example/1#top">x</a> <a href="/posts/b/">mine</a>
            <a href="mailto:a@b.example">mail</a> <a href="https://y.example/2">y</a>"##;
        let first = plan(&[post(html)], &[], Some("me.example"));
        let targets: Vec<&str> = first.iter().map(|p| p.target.as_str()).collect();
        assert_eq!(targets, ["https://x.example/1", "https://y.example/2"]);
        let sent: Vec<SentMention> = first
            .iter()
            .map(|p| SentMention {
                source: p.source.clone(),
                target: p.target.clone(),
                digest: p.digest.clone(),
            })
            .collect();
        assert!(plan(&[post(html)], &sent, Some("me.example")).is_empty());
        let edited = plan(
            &[post(r#"<a href="https://x.example/1">x</a>"#)],
            &sent,
            Some("me.example"),
        );
        assert_eq!(
            edited
                .iter()
                .map(|p| (p.target.as_str(), p.removed))
                .collect::<Vec<_>>(),
            [
                ("https://x.example/1", false),
                ("https://y.example/2", true)
            ]
        );
    }

    /// Discovery and the post to the endpoint over https, each connection's certificate
    /// checked (against the test authority only unit tests trust).
    #[test]
    fn a_webmention_is_sent_over_https() {
        use super::super::test_tls::{Identity, serve};
        let (port, heard) = serve(
            Identity::Trusted,
            vec![
                "HTTP/1.1 200 OK\r\nLink: </wm>; rel=\"webmention\"\r\nContent-Length: 0\r\n\r\n"
                    .into(),
                "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n".into(),
            ],
        );
        let limits = FetchLimits {
            allow_private: true,
            ..FetchLimits::default()
        };
        let target = format!("https://127.0.0.1:{port}/a-post");
        let sent = send("https://me.example/posts/a/", &target, &limits);
        assert!(matches!(sent, Sent::Accepted(202)), "{sent:?}");
        let requests: Vec<String> = heard.iter().take(2).collect();
        assert_eq!(requests, ["GET /a-post HTTP/1.1", "POST /wm HTTP/1.1"]);
    }
}
