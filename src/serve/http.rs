//! Answering one HTTP request of the preview server: files, the 404 page, live-reload events,
//! and the build-error overlay.

use std::io::Cursor;
use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response};

use super::State;
use super::files::{Resolved, resolve};

/// Where pages listen for reloads.
pub const EVENTS_PATH: &str = "/_quill/events";

/// Handles one request to completion.
pub fn handle(state: &Arc<State>, request: Request) {
    let url = request.url().to_string();
    let path = url.split(['?', '#']).next().unwrap_or("").to_string();
    if path == EVENTS_PATH {
        let events = state.reload.subscribe();
        let mut connection = request.into_writer();
        // The page closing the stream ends the write with an error; nothing to report.
        let _ = super::reload::stream_events(&events, &mut connection);
        return;
    }
    if state.options.accept_comments && path == super::endpoint::COMMENTS_PATH {
        super::endpoint::handle(state, request);
        return;
    }
    if state.options.accept_comments && path == super::endpoint::MODERATION_PATH {
        let _ = request.respond(super::endpoint::moderation_notice(&url));
        return;
    }
    if !matches!(request.method(), Method::Get | Method::Head) {
        let _ = request
            .respond(text(405, "method not allowed").with_header(header("Allow", "GET, HEAD")));
        return;
    }
    let _ = request.respond(file_response(state, &url));
}

/// The response for a GET of `url`.
fn file_response(state: &State, url: &str) -> Response<Cursor<Vec<u8>>> {
    let output = &state.output_dir;
    match resolve(output, url) {
        Resolved::File(file) => match std::fs::read(&file) {
            Ok(bytes) => with_type(200, &file, page(state, bytes, &file)),
            Err(_) => not_found(state),
        },
        Resolved::AddSlash(to) => text(301, "moved").with_header(header("Location", &to)),
        Resolved::NotFound => not_found(state),
        Resolved::Refused => text(400, "bad request: that path is not allowed"),
    }
}

fn not_found(state: &State) -> Response<Cursor<Vec<u8>>> {
    let file = state.output_dir.join("404.html");
    match std::fs::read(&file) {
        Ok(bytes) => with_type(404, &file, page(state, bytes, &file)),
        Err(_) => text(404, "not found"),
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

fn with_type(status: u16, file: &std::path::Path, bytes: Vec<u8>) -> Response<Cursor<Vec<u8>>> {
    let mime = mime_guess::from_path(file).first_or_octet_stream();
    let value = match mime.type_() {
        mime_guess::mime::TEXT => format!("{mime}; charset=utf-8"),
        _ if mime.subtype() == "xml" || mime.subtype() == "javascript" => {
            format!("{mime}; charset=utf-8")
        }
        _ => mime.to_string(),
    };
    Response::from_data(bytes)
        .with_status_code(status)
        .with_header(header("Content-Type", &value))
        .with_header(header("Cache-Control", "no-store"))
}

/// A plain-text response.
pub fn text(status: u16, body: &str) -> Response<Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

/// A header from known-good ASCII parts.
pub fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|_| {
        Header::from_bytes(&b"X-Invalid"[..], &b"1"[..]).expect("a constant header is valid")
    })
}
