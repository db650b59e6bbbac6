//! The comment endpoint of `quill serve --accept-comments`: a form post goes through exactly
//! the validation and storing code of `quill ingest`, with a size limit and a rate limit.

use std::collections::{HashMap, VecDeque};
use std::io::{Cursor, Read};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tiny_http::{Method, Request, Response};

use super::State;
use super::http::{header, text};
use crate::ingest::{Outcome, Rejection, Submitter};
use crate::store::{DbLocation, Store};

/// Where the built form posts in serve mode.
pub const COMMENTS_PATH: &str = "/_quill/comments";
/// The largest form post accepted.
pub const MAX_BODY: usize = 64 * 1024;
const WINDOW: Duration = Duration::from_secs(60);

/// Posts per address in the last minute.
#[derive(Debug, Default)]
pub struct RateLimiter {
    recent: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Records a post from `ip` at `now`; false when it is over `per_minute`.
    pub fn allow(&self, ip: IpAddr, per_minute: u32, now: Instant) -> bool {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        let times = recent.entry(ip).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            times.pop_front();
        }
        if times.len() >= per_minute as usize {
            return false;
        }
        times.push_back(now);
        true
    }
}

/// Handles a request to the comment endpoint.
pub fn handle(state: &State, mut request: Request) {
    if request.method() != &Method::Post {
        let _ = request
            .respond(text(405, "only POST is accepted here").with_header(header("Allow", "POST")));
        return;
    }
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        let _ = request.respond(text(413, "the comment is too large (64 KiB at most)"));
        return;
    }
    let mut body = Vec::new();
    if request
        .as_reader()
        .take(MAX_BODY as u64 + 1)
        .read_to_end(&mut body)
        .is_err()
        || body.len() > MAX_BODY
    {
        let _ = request.respond(text(413, "the comment is too large (64 KiB at most)"));
        return;
    }
    let response = match request.remote_addr().map(|a| a.ip()) {
        Some(ip) if !state.limiter.allow(ip, rate_limit(state), Instant::now()) => text(
            429,
            "too many comments from your address; wait a minute and try again",
        )
        .with_header(header("Retry-After", "60")),
        _ => submit(state, &body),
    };
    let _ = request.respond(response);
}

fn rate_limit(state: &State) -> u32 {
    crate::config::SiteConfig::load(&state.options.root).map_or(5, |c| c.comments.rate_limit)
}

fn submit(state: &State, body: &[u8]) -> Response<Cursor<Vec<u8>>> {
    let columns: crate::ingest::fields::Columns = form_urlencoded::parse(body)
        .map(|(k, v)| (k.trim().to_lowercase(), v.into_owned()))
        .collect();
    let stored = (|| {
        let submitter = Submitter::for_site(&state.options.root, false)?;
        let location = DbLocation::resolve(&state.options.root, submitter.config())?;
        let (mut store, _) = Store::open_for_write(&location)?;
        let outcome = submitter.submit(&mut store, &columns)?;
        // Where the post is published: its permalink, not a path made from its key.
        let path = match &outcome {
            Outcome::Stored { post, .. } => submitter.posts().path_of(post).map(str::to_string),
            _ => None,
        };
        Ok::<_, anyhow::Error>((outcome, path))
    })();
    let (stored, post_path) = match stored {
        Ok((outcome, path)) => (Ok(outcome), path),
        Err(e) => (Err(e), None),
    };
    if matches!(stored, Ok(Outcome::Stored { .. })) {
        // Rebuild before redirecting, so the page the visitor lands on shows their comment.
        super::rebuild(state, &|_| {});
    }
    match stored {
        Ok(Outcome::Stored { id, status, .. }) => {
            let path = post_path.unwrap_or_else(|| "/".into());
            let to = if status == crate::comments::Status::Approved {
                format!("{path}#comment-{id}")
            } else {
                let query: String = form_urlencoded::Serializer::new(String::new())
                    .append_pair("post", &path)
                    .finish();
                format!("{MODERATION_PATH}?{query}")
            };
            redirect(&to)
        }
        Ok(Outcome::AlreadyStored(id)) => redirect(&format!("/#comment-{id}")),
        Ok(Outcome::Rejected(reasons)) => form_again(&reasons, &columns),
        Err(error) => text(500, &format!("the comment could not be stored: {error:#}")),
    }
}

/// The notice a visitor sees when their comment waits for the author.
pub const MODERATION_PATH: &str = "/_quill/moderation";

/// The "awaits moderation" page.
pub fn moderation_notice(url: &str) -> Response<Cursor<Vec<u8>>> {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let post = form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "post")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    // Only a path on this site, written with characters that need no escaping in HTML: the
    // link must not lead elsewhere or carry markup.
    let safe = post.starts_with('/')
        && !post.starts_with("//")
        && post
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./~".contains(c));
    let back = if safe { post } else { "/".to_string() };
    html(
        200,
        &format!(
            "<h1>Thank you</h1><p>Your comment awaits moderation: it appears once the author approves it.</p><p><a href=\"{back}\">Back to the post</a></p>"
        ),
    )
}

fn redirect(to: &str) -> Response<Cursor<Vec<u8>>> {
    text(303, "see other").with_header(header("Location", to))
}

/// The form again, with the reasons and everything the visitor typed, so nothing is lost.
fn form_again(
    reasons: &[Rejection],
    columns: &crate::ingest::fields::Columns,
) -> Response<Cursor<Vec<u8>>> {
    let value = |name: &str| escape(columns.get(name).map_or("", String::as_str));
    let items: String = reasons
        .iter()
        .map(|r| format!("<li>{}</li>", escape(&r.to_string())))
        .collect();
    html(
        422,
        &format!(
            "<h1>Your comment was not posted</h1><ul>{items}</ul>\
             <form method=\"post\" action=\"{COMMENTS_PATH}\">\
             <input type=\"hidden\" name=\"post\" value=\"{}\"><input type=\"hidden\" name=\"parent\" value=\"{}\">\
             <p><label for=\"username\">Name</label><br><input id=\"username\" name=\"username\" maxlength=\"64\" value=\"{}\" required></p>\
             <p><label for=\"email\">Email</label><br><input id=\"email\" name=\"email\" type=\"email\" maxlength=\"120\" value=\"{}\" required></p>\
             <p><label for=\"body\">Comment</label><br><textarea id=\"body\" name=\"body\" rows=\"6\" cols=\"60\" required>{}</textarea></p>\
             <p><button type=\"submit\">Post comment</button></p></form>",
            value("post"),
            value("parent"),
            value("username"),
            value("email"),
            value("body"),
        ),
    )
}

fn html(status: u16, body: &str) -> Response<Cursor<Vec<u8>>> {
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Comment</title></head><body><main>{body}</main></body></html>"
    );
    Response::from_string(page)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
}

fn escape(text: &str) -> String {
    let mut out = Vec::new();
    let _ = tera::escape_html(text, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_limit_slides() {
        let limiter = RateLimiter::default();
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.allow(ip, 2, t0));
        assert!(limiter.allow(ip, 2, t0 + Duration::from_secs(1)));
        assert!(!limiter.allow(ip, 2, t0 + Duration::from_secs(2)));
        assert!(
            limiter.allow(other, 2, t0 + Duration::from_secs(2)),
            "per address"
        );
        assert!(
            limiter.allow(ip, 2, t0 + Duration::from_secs(61)),
            "a minute later"
        );
    }
}
