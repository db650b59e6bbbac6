//! `POST /_quill/webmention` in `quill serve --accept-comments`: the request is checked at
//! once (400 with the reason, or 202), then verified by one background thread from a bounded
//! queue, so a sender never holds a connection open while its source is fetched, and a flood
//! of requests can neither start threads without end nor fill memory (503 when the queue is
//! full). A verified source is stored (or updated) as a mention; a source that is gone or no
//! longer links to the post removes its mention.

use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Weak};
use std::time::Instant;

use anyhow::Result;

use super::fetch::FetchLimits;
use super::{Mention, Received, check_request, verify_source};
use crate::config::SiteConfig;
use crate::ingest::PostIndex;
use crate::serve::State;
use crate::serve::conn::{Request, RequestBodyError};
use crate::serve::http::text;
use crate::serve::wire::Response;
use crate::store::{DbLocation, NewMention, Store};

/// Mentions waiting for verification at most; more are refused with 503 until it drains.
const QUEUE: usize = 32;
/// The largest request body: two URLs and their names.
const MAX_BODY: usize = 8 * 1024;

/// The queue of mentions to verify, and the one thread that empties it.
#[derive(Debug)]
pub(in crate::serve) struct Verifier {
    queue: SyncSender<Mention>,
}

impl Verifier {
    /// Starts the verifying thread; it ends when the server's state is gone.
    pub(in crate::serve) fn start(state: Weak<State>) -> Verifier {
        let (queue, jobs) = sync_channel(QUEUE);
        std::thread::spawn(move || work(&state, &jobs));
        Verifier { queue }
    }
}

/// Answers a request to the webmention endpoint.
pub(in crate::serve) fn handle(state: &State, request: &mut Request<'_>) -> Response {
    let Ok(config) = SiteConfig::load(&state.options.root) else {
        return text(
            503,
            "the site's configuration cannot be read; try again later",
        );
    };
    if !config.comments.webmentions || !config.comments.enabled {
        return text(404, "this site does not accept webmentions");
    }
    if request.head.method != "POST" {
        return text(405, "only POST is accepted here").with_header("Allow", "POST");
    }
    let body = match request.body(MAX_BODY) {
        Ok(body) => body,
        Err(RequestBodyError::TooLarge) => return text(413, "a webmention is two URLs"),
        Err(RequestBodyError::NoLength) => return text(411, "send it with a Content-Length"),
        Err(RequestBodyError::BadLength(_)) => return text(400, "bad Content-Length"),
        Err(RequestBodyError::Unreadable) => return text(408, "the request did not arrive"),
    };
    if !state
        .limiter
        .allow(request.remote, config.comments.rate_limit, Instant::now())
    {
        return text(429, "too many requests from your address; wait a minute")
            .with_header("Retry-After", "60");
    }
    let fields = match crate::serve::form::parse(&body) {
        Ok(fields) => fields,
        Err(problem) => return text(400, &problem.to_string()),
    };
    let Ok(posts) = PostIndex::load(&state.options.root, &config) else {
        return text(503, "the site's posts cannot be read; try again later");
    };
    let get = |name: &str| fields.get(name).map(String::as_str);
    let mention = match check_request(get("source"), get("target"), &config, &posts) {
        Ok(mention) => mention,
        Err(reason) => return text(400, &reason),
    };
    let Some(verifier) = state.webmentions.get() else {
        return text(
            503,
            "webmentions are not being verified yet; try again later",
        );
    };
    match verifier.queue.try_send(mention) {
        Ok(()) => text(202, "accepted: the source will be verified"),
        Err(TrySendError::Full(_)) => text(503, "too many webmentions waiting; try again later")
            .with_header("Retry-After", "60"),
        Err(TrySendError::Disconnected(_)) => text(503, "webmentions are not being verified"),
    }
}

/// Verifies and stores mentions one at a time, in the order they came.
fn work(state: &Weak<State>, jobs: &Receiver<Mention>) {
    for mention in jobs {
        let Some(state) = state.upgrade() else {
            return;
        };
        match process(&state, &mention) {
            Ok(true) => crate::serve::rebuild(&state, &|_| {}),
            Ok(false) => {}
            // The author's to read, over the preview's pages, as a failed build is.
            Err(error) => state.set_error(Some(format!(
                "the webmention endpoint could not store the mention from {}: {error:#}",
                mention.source
            ))),
        }
    }
}

/// Verifies one mention and stores or removes it; whether the store changed. A source that
/// cannot be fetched (too large, too slow, refused) changes nothing: that is the sender's
/// problem, not the author's.
fn process(state: &Arc<State>, mention: &Mention) -> Result<bool> {
    let root = &state.options.root;
    let config = SiteConfig::load(root)?;
    let limits = FetchLimits {
        allow_private: config.comments.webmentions_allow_private,
        ..FetchLimits::default()
    };
    let Ok(received) = verify_source(mention, &limits) else {
        return Ok(false);
    };
    let location = DbLocation::resolve(root, &config)?;
    let (mut store, _) = Store::open_for_write(&location)?;
    let source = mention.source.as_str();
    match received {
        Received::Verified(v) => {
            let name = v.author_name.as_deref().unwrap_or("");
            let content = v.content.as_deref().unwrap_or("");
            let status = crate::ingest::spam::status(&config.comments, false, name, content);
            let timestamp = v
                .published
                .as_deref()
                .and_then(crate::content::dates::parse_date)
                .filter(|t| *t <= chrono::Utc::now())
                .unwrap_or_else(chrono::Utc::now);
            let stored = store.store_mention(&NewMention {
                post: &mention.post,
                source,
                target: mention.target.as_str(),
                kind: v.kind.as_str(),
                author_name: v.author_name.as_deref(),
                author_url: v.author_url.as_deref(),
                author_photo: v.author_photo.as_deref(),
                published: v.published.as_deref(),
                content: v.content.as_deref(),
                timestamp,
                status,
            })?;
            if let crate::store::StoredMention::New(id) = stored {
                let warnings = crate::notify::after_mention(root, id);
                state
                    .warnings
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .extend(warnings);
            }
            Ok(true)
        }
        Received::NotLinked | Received::Gone => {
            Ok(store.remove_mention(&mention.post, source)?.is_some())
        }
    }
}
