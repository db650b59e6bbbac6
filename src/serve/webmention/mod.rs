//! Receiving webmentions (<https://www.w3.org/TR/webmention/>): the checks a request passes
//! before it is accepted (answered at once: 400 with a reason, or 202), and the verification
//! of its source after, which fetches it within [`fetch::FetchLimits`] and reads what it says
//! about the target.
//!
//! `quill serve --accept-comments` routes `POST /_quill/webmention` to `receive` when the
//! site sets `[comments] webmentions = true`; [`send`] is the other direction, with the same
//! fetcher.

mod conn;
pub mod fetch;
pub(in crate::serve) mod receive;
pub mod send;
#[cfg(test)]
mod test_tls;
pub mod verify;

use url::Url;

use crate::config::SiteConfig;
use crate::ingest::PostIndex;
use fetch::{FetchLimits, Fetched, fetch};
use verify::{Verified, same_page};

/// Where senders post webmentions to `quill serve`.
pub const WEBMENTION_PATH: &str = "/_quill/webmention";

/// A request that passed the checks: a source to verify, and the post it mentions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The page that mentions the post.
    pub source: Url,
    /// The post's URL as the sender gave it.
    pub target: Url,
    /// The post's slug.
    pub post: String,
}

/// Checks a request's `source` and `target`; the reason for a 400 when they are not a
/// webmention of one of the site's published posts.
pub fn check_request(
    source: Option<&str>,
    target: Option<&str>,
    config: &SiteConfig,
    posts: &PostIndex,
) -> Result<Mention, String> {
    let parse = |field: &str, value: Option<&str>| {
        let value = value
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("missing {field}"))?;
        let url =
            Url::parse(value).map_err(|_| format!("{field} {value:?} is not an absolute URL"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("{field} {value:?} is not an http or https URL"));
        }
        Ok(url)
    };
    let source = parse("source", source)?;
    let target = parse("target", target)?;
    if same_page(&source, &target) {
        return Err("source and target are the same page".to_string());
    }
    let post = posts
        .resolve(target.as_str(), config)
        .map_err(|e| format!("target: {e}"))?
        .slug
        .clone();
    Ok(Mention {
        source,
        target,
        post,
    })
}

/// What the verification of a mention found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    /// The source links to the target: store it (or update it).
    Verified(Verified),
    /// The source no longer links to the target: remove a stored mention of it.
    NotLinked,
    /// The source is gone (410): remove a stored mention of it.
    Gone,
}

/// Fetches the source within `limits` and reads what it says about the target; `Err` with
/// the reason when it could not be fetched (nothing is stored or removed then).
pub fn verify_source(mention: &Mention, limits: &FetchLimits) -> Result<Received, String> {
    match fetch(&mention.source, limits)? {
        Fetched::Gone => Ok(Received::Gone),
        Fetched::Page { url, body, .. } => {
            let html = String::from_utf8_lossy(&body);
            // Relative links are relative to where the page was found, after redirects.
            Ok(verify::verify(&url, &html, &mention.target)
                .map_or(Received::NotLinked, Received::Verified))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::path::Path;

    fn site() -> (SiteConfig, PostIndex) {
        let config = SiteConfig::parse(
            "title = \"T\"\nbase_url = \"https://blog.example\"\n",
            Path::new("site.toml"),
        )
        .unwrap();
        let mut posts = PostIndex::default();
        posts.add("hello", "/posts/hello/", &[], true);
        posts.add("closed", "/posts/closed/", &[], false);
        (config, posts)
    }

    #[test]
    fn requests_are_checked_before_anything_is_fetched() {
        let (config, posts) = site();
        let check = |s: Option<&str>, t: Option<&str>| check_request(s, t, &config, &posts);
        let ok = check(
            Some("https://bea.example/notes/1"),
            Some("https://blog.example/posts/hello/"),
        )
        .unwrap();
        assert_eq!(ok.post, "hello");
        for (source, target, reason) in [
            (
                None,
                Some("https://blog.example/posts/hello/"),
                "missing source",
            ),
            (Some("https://bea.example/"), Some(" "), "missing target"),
            (
                Some("ftp://bea.example/x"),
                Some("https://blog.example/posts/hello/"),
                "source \"ftp://bea.example/x\" is not an http or https URL",
            ),
            (
                Some("/notes/1"),
                Some("https://blog.example/posts/hello/"),
                "is not an absolute URL",
            ),
            (
                Some("https://blog.example/posts/hello/#c"),
                Some("https://blog.example/posts/hello/"),
                "source and target are the same page",
            ),
            (
                Some("https://bea.example/"),
                Some("https://elsewhere.example/posts/hello/"),
                "target: no published post matches",
            ),
            (
                Some("https://bea.example/"),
                Some("https://blog.example/posts/closed/"),
                "target: comments are closed",
            ),
        ] {
            let error = check(source, target).unwrap_err();
            assert!(error.contains(reason), "{error} / {reason}");
        }
    }

    /// One page on 127.0.0.1 per connection, in order.
    fn pages(pages: Vec<String>) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for page in pages {
                let Ok((mut stream, _)) = listener.accept() else {
                    return;
                };
                let _ = stream.read(&mut [0u8; 4096]);
                let _ = stream.write_all(page.as_bytes());
            }
        });
        address
    }

    #[test]
    fn a_source_is_verified_then_found_changed_then_gone() {
        let (config, posts) = site();
        let reply = r#"<div class="h-entry"><a class="p-author h-card" href="/">Bea</a>
            <a class="u-in-reply-to" href="https://blog.example/posts/hello/">re</a>
            <p class="e-content">Nice.</p></div>"#;
        let address = pages(vec![
            format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{reply}",
                reply.len()
            ),
            "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nno links.".to_string(),
            "HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n".to_string(),
        ]);
        let source = format!("http://{address}/notes/1");
        let mention = check_request(
            Some(&source),
            Some("https://blog.example/posts/hello/"),
            &config,
            &posts,
        )
        .unwrap();
        let limits = FetchLimits {
            allow_private: true,
            ..FetchLimits::default()
        };
        match verify_source(&mention, &limits).unwrap() {
            Received::Verified(v) => {
                assert_eq!(v.kind, verify::Kind::Reply);
                assert_eq!(v.author_url, Some(format!("http://{address}/")));
                assert_eq!(v.content.as_deref(), Some("Nice."));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(verify_source(&mention, &limits), Ok(Received::NotLinked));
        assert_eq!(verify_source(&mention, &limits), Ok(Received::Gone));
        let refused = verify_source(&mention, &FetchLimits::default()).unwrap_err();
        assert!(refused.contains("own networks"), "{refused}");
    }

    /// Over https, through a redirect, with the certificate checked as in production: only
    /// the authority differs (the test one, which only these tests trust), and a certificate
    /// from no trusted authority is refused before anything is read.
    #[test]
    fn a_source_is_verified_over_https_and_a_certificate_no_one_trusts_is_refused() {
        use test_tls::{Identity, serve};
        let (config, posts) = site();
        let reply = r#"<div class="h-entry"><a class="p-author h-card" href="/">Bea</a>
            <a class="u-in-reply-to" href="https://blog.example/posts/hello/">re</a>
            <p class="e-content">Sent over TLS.</p></div>"#;
        let (port, heard) = serve(
            Identity::Trusted,
            vec![
                "HTTP/1.1 301 Moved\r\nLocation: /notes/2\r\nContent-Length: 0\r\n\r\n".into(),
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{reply}",
                    reply.len()
                ),
            ],
        );
        let mention = |port: u16| {
            check_request(
                Some(&format!("https://127.0.0.1:{port}/notes/1")),
                Some("https://blog.example/posts/hello/"),
                &config,
                &posts,
            )
            .unwrap()
        };
        let limits = FetchLimits {
            allow_private: true,
            ..FetchLimits::default()
        };
        match verify_source(&mention(port), &limits).unwrap() {
            Received::Verified(v) => {
                assert_eq!(v.kind, verify::Kind::Reply);
                assert_eq!(v.author_name.as_deref(), Some("Bea"));
                assert_eq!(v.author_url, Some(format!("https://127.0.0.1:{port}/")));
                assert_eq!(v.content.as_deref(), Some("Sent over TLS."));
            }
            other => panic!("{other:?}"),
        }
        let requests: Vec<String> = heard.iter().take(2).collect();
        assert_eq!(requests, ["GET /notes/1 HTTP/1.1", "GET /notes/2 HTTP/1.1"]);

        let (port, heard) = serve(Identity::Stranger, vec![String::new()]);
        let refused = verify_source(&mention(port), &limits).unwrap_err();
        assert!(
            refused.contains("invalid peer certificate: UnknownIssuer"),
            "{refused}"
        );
        let ended = heard.recv().unwrap();
        assert!(
            ended.to_lowercase().contains("alert"),
            "the client refused the certificate in the handshake: {ended}"
        );
    }
}
