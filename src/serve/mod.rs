//! `quill serve`: a local preview that builds the site into a private folder, serves it, and
//! rebuilds and reloads open pages when the site changes. A failed build keeps the last good
//! pages up, with the error shown over them.

mod conn;
mod endpoint;
mod files;
mod form;
mod http;
mod reload;
mod slots;
mod stamps;
mod watch;
pub mod webmention;
mod wire;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};

use crate::build::{BuildOptions, BuildSummary, NoProgress, build};
use crate::config::SiteConfig;
use crate::store::DbLocation;

pub use conn::Limits;
pub use files::{Resolved, resolve};
pub use http::overlay;
use stamps::ServerStamps;

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The site root.
    pub root: PathBuf,
    /// The address to listen on.
    pub bind: String,
    /// The port; 0 picks a free one.
    pub port: u16,
    /// Includes drafts.
    pub drafts: bool,
    /// Where to build; a private temporary folder when `None`, so `public/` is left alone.
    pub output_dir: Option<PathBuf>,
    /// Accepts the comment form at `/_quill/comments`.
    pub accept_comments: bool,
    /// Timeouts and the cap on connections.
    pub limits: Limits,
}

/// What the server reports as it runs; the caller decides how to show it.
#[derive(Debug)]
pub enum ServeEvent<'a> {
    /// Listening at this URL.
    Listening(&'a str),
    /// A build succeeded.
    Built(&'a BuildSummary),
    /// A build failed; the last good pages stay up.
    BuildFailed(&'a anyhow::Error),
    /// Something the author should know that blocked nothing, such as a notification that
    /// could not be sent.
    Warning(&'a str),
}

/// Shared by the request threads and the rebuild loop.
struct State {
    options: ServeOptions,
    output_dir: PathBuf,
    reload: reload::Broadcaster,
    error: Mutex<Option<String>>,
    /// Warnings from request threads, reported by the serve loop after its next build.
    warnings: Arc<Mutex<Vec<String>>>,
    limiter: endpoint::RateLimiter,
    /// The preview's own address, which the build uses as base_url.
    url: String,
    /// One build at a time: the watcher's and the comment endpoint's.
    building: Mutex<()>,
    /// The comment stamps of a server database as of the last build; `None` with SQLite.
    server_stamps: Option<Mutex<ServerStamps>>,
    /// The queue of webmentions to verify, once the state exists for its thread to hold.
    webmentions: std::sync::OnceLock<webmention::receive::Verifier>,
}

impl State {
    fn last_error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_error(&self, error: Option<String>) {
        *self.error.lock().unwrap_or_else(|e| e.into_inner()) = error;
    }
}

/// Builds, serves and watches until the process is stopped.
pub fn serve(options: ServeOptions, report: &(dyn Fn(ServeEvent<'_>) + Sync)) -> Result<()> {
    let listener = conn::listen(&options.bind, options.port)
        .with_context(|| format!("failed to listen on {}:{}", options.bind, options.port))?;
    let address = listener
        .local_addr()
        .context("the server has no local address")?;
    let url = base_url(address);
    let output_dir = match &options.output_dir {
        Some(dir) => dir.clone(),
        None => preview_dir(&options.root)?,
    };
    let database = database_location(&options.root);
    let state = Arc::new(State {
        options: options.clone(),
        output_dir,
        reload: reload::Broadcaster::default(),
        error: Mutex::new(None),
        warnings: Arc::default(),
        limiter: endpoint::RateLimiter::default(),
        url: url.clone(),
        building: Mutex::new(()),
        // A server database is no file to watch: its comment stamps are read instead.
        server_stamps: database.clone().and_then(ServerStamps::new).map(Mutex::new),
        webmentions: std::sync::OnceLock::new(),
    });
    if options.accept_comments {
        let verifier = webmention::receive::Verifier::start(Arc::downgrade(&state));
        let _ = state.webmentions.set(verifier);
    }
    rebuild(&state, report);
    let watched = vec![database_file(&options.root, database.as_ref())];
    let watcher = watch::SiteWatcher::new(&options.root, watched)?;
    {
        let limits = options.limits;
        let state = Arc::clone(&state);
        let handler: Arc<conn::Handler> = Arc::new(move |request| http::handle(&state, request));
        std::thread::spawn(move || conn::run(listener, limits, handler));
    }
    report(ServeEvent::Listening(&url));
    let polling = state.server_stamps.is_some();
    let mut stamps_changed = || {
        state
            .server_stamps
            .as_ref()
            .is_some_and(|s| s.lock().unwrap_or_else(|e| e.into_inner()).changed())
    };
    loop {
        let poll = polling.then_some(watch::Poll {
            interval: stamps::POLL_INTERVAL,
            changed: &mut stamps_changed,
        });
        if watcher.next_change(poll).is_none() {
            return Ok(());
        }
        rebuild(&state, report);
        let warnings =
            std::mem::take(&mut *state.warnings.lock().unwrap_or_else(|e| e.into_inner()));
        for warning in &warnings {
            report(ServeEvent::Warning(warning));
        }
    }
}

/// The private preview folder of a site: one per site root, reused by every `quill serve` of
/// it, because a server stopped with Ctrl-C gets no chance to clean up after itself.
fn preview_dir(root: &std::path::Path) -> Result<PathBuf> {
    use sha2::{Digest, Sha256};
    let root = std::fs::canonicalize(root)
        .with_context(|| format!("failed to open {}", root.display()))?;
    let digest = Sha256::digest(root.to_string_lossy().as_bytes());
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    Ok(std::env::temp_dir()
        .join(format!("quill-serve-{name}"))
        .join("public"))
}

fn base_url(address: SocketAddr) -> String {
    match address {
        SocketAddr::V4(a) => format!("http://{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("http://[{}]:{}", a.ip(), a.port()),
    }
}

/// Where the site's comments are, when its configuration says so.
fn database_location(root: &std::path::Path) -> Option<DbLocation> {
    SiteConfig::load(root)
        .and_then(|c| DbLocation::resolve(root, &c))
        .ok()
}

/// The comment database file, so that an ingest shows up in the preview.
fn database_file(root: &std::path::Path, location: Option<&DbLocation>) -> PathBuf {
    location
        .and_then(|l| l.file().map(|f| f.to_path_buf()))
        .unwrap_or_else(|| root.join("comments.db"))
}

/// Rebuilds the preview and tells open pages to reload.
fn rebuild(state: &State, report: &(dyn Fn(ServeEvent<'_>) + Sync)) {
    let _one_at_a_time = state.building.lock().unwrap_or_else(|e| e.into_inner());
    let url = &state.url;
    let options = BuildOptions {
        root: state.options.root.clone(),
        output_dir: Some(state.output_dir.clone()),
        base_url: Some(url.to_string()),
        drafts: state.options.drafts,
        comment_endpoint: state
            .options
            .accept_comments
            .then(|| format!("{url}{}", endpoint::COMMENTS_PATH)),
        full: false,
    };
    // Read before the build, so that comments stored while it runs are noticed after it.
    let stamps_seen = state
        .server_stamps
        .as_ref()
        .map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).read());
    match build(&options, &NoProgress) {
        Ok(summary) => {
            state.set_error(None);
            report(ServeEvent::Built(&summary));
        }
        Err(error) => {
            state.set_error(Some(format!("{error:#}")));
            report(ServeEvent::BuildFailed(&error));
        }
    }
    if let (Some(stamps), Some(seen)) = (&state.server_stamps, stamps_seen) {
        stamps.lock().unwrap_or_else(|e| e.into_inner()).built(seen);
    }
    state.reload.reload_all();
}
