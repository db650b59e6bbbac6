//! The comment endpoint of `quill serve --accept-comments`: a form post goes through exactly
//! the validation and storing code of `quill ingest`, with a size limit and a rate limit.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::State;
use super::conn::{Request, RequestBodyError};
use super::form::{self, Fields};
use super::http::text;
use super::wire::Response;
use crate::ingest::{Outcome, Rejection, Submission, Submitter};
use crate::store::{DbLocation, Store};

/// Where the built form posts in serve mode.
pub(super) const COMMENTS_PATH: &str = "/_quill/comments";
/// The largest form post accepted.
pub(super) const MAX_BODY: usize = 64 * 1024;
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered before those with no post in the window are forgotten.
const FORGET_AT: usize = 4096;

/// Posts per address in the last minute.
#[derive(Debug, Default)]
pub(super) struct RateLimiter {
    recent: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// Records a post from `ip` at `now`; false when it is over `per_minute`.
    pub(super) fn allow(&self, ip: IpAddr, per_minute: u32, now: Instant) -> bool {
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        if recent.len() >= FORGET_AT {
            // Addresses whose last post is out of the window: without this, posts from ever new
            // addresses (IPv6 has plenty) would grow the table for as long as the server runs.
            recent.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
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

/// Answers a request to the comment endpoint.
pub(super) fn handle(state: &State, request: &mut Request<'_>) -> Response {
    if request.head.method != "POST" {
        return text(405, "only POST is accepted here").with_header("Allow", "POST");
    }
    let body = match request.body(MAX_BODY) {
        Ok(body) => body,
        Err(RequestBodyError::TooLarge) => {
            return text(413, "the comment is too large (64 KiB at most)");
        }
        Err(RequestBodyError::BadLength(given)) => {
            return text(
                400,
                &format!("Content-Length {given} is not a number of bytes"),
            );
        }
        Err(RequestBodyError::NoLength) => {
            return text(411, "send the form with a Content-Length");
        }
        Err(RequestBodyError::Unreadable) => {
            return text(408, "the form did not arrive in time");
        }
    };
    if !state
        .limiter
        .allow(request.remote, rate_limit(state), Instant::now())
    {
        return text(
            429,
            "too many comments from your address; wait a minute and try again",
        )
        .with_header("Retry-After", "60");
    }
    match form::parse(&body) {
        Ok(fields) => submit(state, &fields),
        Err(problem) => html(
            400,
            &format!(
                "<h1>Your comment was not posted</h1><p>{}</p><p>Go back, check the form and send it again.</p>",
                escape(&problem.to_string())
            ),
        ),
    }
}

fn rate_limit(state: &State) -> u32 {
    crate::config::SiteConfig::load(&state.options.root).map_or(5, |c| c.comments.rate_limit)
}

fn submit(state: &State, fields: &Fields) -> Response {
    let stored = (|| {
        let submitter = Submitter::for_site(&state.options.root, false)?;
        let location = DbLocation::resolve(&state.options.root, submitter.config())?;
        let (mut store, _) = Store::open_for_write(&location)?;
        let get = |name: &str| fields.get(name).map(String::as_str);
        let honeypot = &submitter.config().comments.honeypot;
        // Only what the form asks a visitor for. The time is the time of receipt, and the key
        // is made from the content: a `timestamp` or `id` sent along (to backdate a comment, or
        // to take another's key) is ignored, as is any other field a form may carry.
        let submission = Submission {
            post: get("post"),
            parent: get("parent"),
            username: get("username"),
            email: get("email"),
            body: get("body"),
            honeypot: get(&honeypot.to_lowercase()).is_some_and(|v| !v.trim().is_empty()),
            timestamp: None,
            id: None,
            status: None,
        };
        let mut tx = store.begin_ingest()?;
        let outcome = submitter.process_submission(&mut tx, &submission)?;
        if matches!(outcome, Outcome::Stored { .. }) {
            tx.commit()?;
        } else {
            drop(tx);
        }
        // Where the post is published: its permalink, not a path made from its key; for an
        // approved comment, the page of its thread that shows it.
        let path = match &outcome {
            Outcome::Stored { post, id, status } => match submitter.posts().path_of(post) {
                Some(path) if *status == crate::comments::Status::Approved => {
                    Some(crate::comments::paging::page_showing(
                        &store,
                        &submitter.config().comments,
                        post,
                        path,
                        *id,
                    )?)
                }
                other => other.map(str::to_string),
            },
            _ => None,
        };
        anyhow::Ok((outcome, path))
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
            // Mail or the author's command can take a while: the visitor does not wait for it.
            let root = state.options.root.clone();
            let told = std::sync::Arc::clone(&state.warnings);
            std::thread::spawn(move || {
                let warnings = crate::notify::after_submission(&root, id);
                told.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(warnings);
            });
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
        Ok(Outcome::Rejected(reasons)) => form_again(&reasons, fields),
        Err(error) => {
            // The cause is the author's to read (over the preview's pages, as a failed build
            // is); the visitor learns only that it was not their comment's fault.
            state.set_error(Some(format!(
                "the comment endpoint could not store a comment: {error:#}"
            )));
            text(
                500,
                "the comment could not be stored because of a problem on the server, not in your comment; please try again later",
            )
        }
    }
}

/// The notice a visitor sees when their comment waits for the author.
pub(super) const MODERATION_PATH: &str = "/_quill/moderation";

/// The "awaits moderation" page.
pub(super) fn moderation_notice(url: &str) -> Response {
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

fn redirect(to: &str) -> Response {
    text(303, "see other").with_header("Location", to)
}

/// The form again, with the reasons and everything the visitor typed, so nothing is lost.
fn form_again(reasons: &[Rejection], fields: &Fields) -> Response {
    let value = |name: &str| escape(fields.get(name).map_or("", String::as_str));
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

fn html(status: u16, body: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Comment</title></head><body><main>{body}</main></body></html>"
    );
    Response::new(status, page.into_bytes()).with_header("Content-Type", "text/html; charset=utf-8")
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

    #[test]
    fn addresses_out_of_the_window_are_forgotten() {
        let limiter = RateLimiter::default();
        let t0 = Instant::now();
        for i in 0..FORGET_AT as u32 {
            assert!(limiter.allow(IpAddr::from(i.to_be_bytes()), 1, t0));
        }
        let recent = || limiter.recent.lock().unwrap().len();
        assert_eq!(recent(), FORGET_AT);
        let later = t0 + Duration::from_secs(30);
        assert!(limiter.allow("10.0.0.1".parse().unwrap(), 1, later));
        assert_eq!(recent(), FORGET_AT + 1, "all still within the minute");
        assert!(
            !limiter.allow(IpAddr::from(0u32.to_be_bytes()), 1, later),
            "and still limited"
        );
        let much_later = t0 + Duration::from_secs(61);
        assert!(limiter.allow("10.0.0.2".parse().unwrap(), 1, much_later));
        assert_eq!(recent(), 2, "only the two of the last minute are left");
    }
}
