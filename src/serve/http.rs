//! Answering one HTTP request of the preview server: files, the 404 page, live-reload events,
//! and the build-error overlay.

use super::State;
use super::conn::Request;
use super::files::{Resolved, inside, resolve};
use super::wire::Response;

/// Where pages listen for reloads.
pub(super) const EVENTS_PATH: &str = "/_quill/events";

/// Answers one request; `None` when it streamed its answer itself.
pub(super) fn handle(state: &State, request: &mut Request<'_>) -> Option<Response> {
    let path = request.path().to_string();
    if path == EVENTS_PATH {
        let events = state.reload.subscribe();
        let heartbeat = request.timeout();
        // The page closing the stream ends the write with an error; nothing to report.
        let _ = super::reload::stream_events(&events, request.stream(), heartbeat);
        return None;
    }
    if state.options.accept_comments && path == super::endpoint::COMMENTS_PATH {
        return Some(super::endpoint::handle(state, request));
    }
    if state.options.accept_comments && path == super::webmention::WEBMENTION_PATH {
        return Some(super::webmention::receive::handle(state, request));
    }
    if state.options.accept_comments && path == super::endpoint::MODERATION_PATH {
        return Some(super::endpoint::moderation_notice(&request.head.target));
    }
    if !matches!(request.head.method.as_str(), "GET" | "HEAD") {
        return Some(text(405, "method not allowed").with_header("Allow", "GET, HEAD"));
    }
    Some(file_response(state, &request.head.target))
}

/// The response for a GET of `url`.
fn file_response(state: &State, url: &str) -> Response {
    let output = &state.output_dir;
    match resolve(output, url) {
        Resolved::File(file) => match std::fs::read(&file) {
            Ok(bytes) => with_type(200, &file, page(state, bytes, &file)),
            Err(_) => not_found(state),
        },
        Resolved::AddSlash(to) => text(301, "moved").with_header("Location", to),
        Resolved::NotFound => not_found(state),
        Resolved::Refused => text(400, "bad request: that path is not allowed"),
    }
}

fn not_found(state: &State) -> Response {
    let file = state.output_dir.join("404.html");
    // The site's own 404 page, unless it too is a link out of the output folder.
    let read = inside(&state.output_dir, &file)
        .then(|| std::fs::read(&file))
        .and_then(Result::ok);
    match read {
        Some(bytes) => with_type(404, &file, page(state, bytes, &file)),
        None => text(404, "not found"),
    }
}

/// Adds the reload script, and the error overlay while the last build failed, to HTML pages.
fn page(state: &State, bytes: Vec<u8>, file: &std::path::Path) -> Vec<u8> {
    if file.extension().is_none_or(|e| e != "html") {
        return bytes;
    }
    let mut html = String::from_utf8_lossy(&bytes).into_owned();
    let mut injected = String::from(super::reload::SCRIPT);
    if let Some(error) = state.last_error() {
        injected.push_str(&overlay(&error));
    }
    match html.rfind("</body>") {
        Some(i) => html.insert_str(i, &injected),
        None => html.push_str(&injected),
    }
    html.into_bytes()
}

/// The build error shown over the last good page.
pub fn overlay(error: &str) -> String {
    let mut escaped = Vec::new();
    let _ = tera::escape_html(error, &mut escaped);
    format!(
        "<div id=\"quill-build-error\" role=\"alert\" style=\"position:fixed;inset:0;z-index:99999;overflow:auto;background:rgba(20,0,0,.92);color:#fff;padding:2rem;font:14px/1.5 ui-monospace,monospace\"><h2 style=\"margin-top:0\">quill: the build failed</h2><p>You are looking at the last good build. Fix the error and save: the page reloads by itself.</p><pre style=\"white-space:pre-wrap\">{}</pre></div>",
        String::from_utf8_lossy(&escaped)
    )
}

fn with_type(status: u16, file: &std::path::Path, bytes: Vec<u8>) -> Response {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let value = match mime.type_() {
        mime_guess::mime::TEXT => format!("{mime}; charset=utf-8"),
        _ if mime.subtype() == "xml" || mime.subtype() == "javascript" => {
            format!("{mime}; charset=utf-8")
        }
        _ => mime.to_string(),
    };
    Response::new(status, bytes)
        .with_header("Content-Type", value)
        .with_header("Cache-Control", "no-store")
}

/// A plain-text response.
pub(super) fn text(status: u16, body: &str) -> Response {
    Response::text(status, body)
}
