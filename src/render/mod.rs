//! Rendering: the site model becomes a flat list of jobs (one output file each, of a kind
//! described once in `output/`), rendered in parallel with rayon from templates compiled
//! once. Nothing here mutates the model.

pub(crate) mod jobs;
pub(crate) mod meter;
mod output;
mod stencil;
mod thread;

use anyhow::{Result, anyhow};
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::build::Progress;
use crate::comments::CommentRecord;
use crate::comments::mentions::Mentions;
use crate::comments::thread::Threads;
use crate::site::{PageBody, PageData, Site};
use crate::templates;
pub(crate) use jobs::{TopLevel, jobs};
pub(crate) use output::{Job, KeyInputs, thread_digest};
pub(crate) use thread::Stencils;

/// A rendered file: where it goes (relative to the output root) and its bytes.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// `/`-separated path under the output root.
    pub path: String,
    /// The file's contents.
    pub bytes: Vec<u8>,
}

/// The configuration as templates see it (`config`), with the base path spelled out.
#[derive(Debug, Serialize)]
struct ConfigView<'a> {
    #[serde(flatten)]
    config: &'a crate::config::SiteConfig,
    base_path: &'a str,
}

/// A menu link to a top-level page (`menu`).
#[derive(Debug, Serialize)]
pub(crate) struct MenuLink<'a> {
    title: &'a str,
    path: &'a str,
}

/// Where rendered files go, one call per file, from many threads at once.
pub(crate) type Sink<'a> = dyn Fn(&Rendered) -> Result<()> + Sync + 'a;

/// What rendering reads besides the model: the rendered bodies (by source index), the
/// comment threads of the pages being rendered, and the newest comments for the feed.
#[derive(Debug)]
pub(crate) struct Inputs<'a> {
    /// Rendered Markdown by source index; present for every page a job shows.
    pub bodies: &'a [Option<PageBody>],
    /// Approved comments of the pages being rendered, and of the posts in the comments feed.
    pub threads: &'a Threads,
    /// How many top-level comments each thread has, by post key.
    pub top_level: &'a TopLevel,
    /// The page of its thread each comment of the comments feed is on, by comment id.
    pub feed_pages: &'a rustc_hash::FxHashMap<i64, usize>,
    /// Whether comments of one shape are filled into one rendering of the comment component
    /// (true for quill's own `partials/comments.html`) rather than each rendered by Tera.
    pub fill_comments: bool,
    /// Approved webmentions, by post.
    pub mentions: &'a Mentions,
    /// The newest approved comments, newest first: (post slug, comment).
    pub latest: &'a [CommentRecord],
    /// What turning the pages' comments into HTML costs.
    pub comment_meter: &'a meter::CommentMeter,
    /// The build's stencils of the comment component, used when `fill_comments` says so.
    pub stencils: &'a Stencils,
}

/// The templates with what every file sees (`config`, `menu`), ready for [`render_jobs`].
pub(crate) fn prepare<'t>(site: &Site, tera: &'t mut Tera) -> &'t Tera {
    let config_view = ConfigView {
        config: &site.config,
        base_path: site.config.base_path(),
    };
    let menu = menu(site);
    let globals = tera.global_context();
    globals.insert("config", &config_view);
    globals.insert("menu", &menu);
    tera
}

/// Renders the given jobs and hands each file to `sink` as soon as it is ready, so the whole
/// output never sits in memory; ticks `progress` for each.
pub(crate) fn render_jobs(
    site: &Site,
    jobs: &[&Job<'_>],
    inputs: &Inputs<'_>,
    tera: &Tera,
    progress: &dyn Progress,
    sink: &Sink<'_>,
) -> Result<()> {
    jobs.par_iter().try_for_each(|job| {
        sink(&render_job(site, inputs, tera, job)?)?;
        progress.tick();
        Ok::<(), anyhow::Error>(())
    })
}

/// The top-level pages, as `menu` in templates.
pub(crate) fn menu(site: &Site) -> Vec<MenuLink<'_>> {
    site.pages
        .iter()
        .filter(|p| {
            p.path
                .trim_start_matches(site.config.base_path())
                .matches('/')
                .count()
                == 2
        })
        .map(|p| MenuLink {
            title: &p.title,
            path: &p.path,
        })
        .collect()
}

/// A page with its rendered body, as templates see it.
#[derive(Debug, Serialize)]
struct FullPage<'a> {
    #[serde(flatten)]
    data: &'a PageData,
    #[serde(flatten)]
    body: &'a PageBody,
    /// The approved comments on it; not given on the later pages of a thread, so that a new
    /// comment changes only the pages that show it (and the post's, which counts them).
    #[serde(skip_serializing_if = "Option::is_none")]
    comment_count: Option<usize>,
}

/// `page` with its rendered body, which planning asked for.
fn full<'a>(inputs: &Inputs<'a>, page: &'a PageData) -> Result<FullPage<'a>> {
    match inputs.bodies.get(page.source).and_then(Option::as_ref) {
        Some(body) => Ok(FullPage {
            data: page,
            body,
            comment_count: Some(page.comment_count),
        }),
        None => Err(anyhow!(
            "internal error: the body of {} was not rendered (run `quill build --full`)",
            page.path
        )),
    }
}

/// Renders one job: its own context, then what every output has, through its template.
fn render_job(site: &Site, inputs: &Inputs<'_>, tera: &Tera, job: &Job<'_>) -> Result<Rendered> {
    let config = &site.config;
    let mut context = Context::new();
    let site_path = job.site_path(site);
    job.context(site, inputs, tera, &mut context)?;
    let template = job.template();
    if let Some(lang) = job.lang() {
        let translated = config.for_language(lang);
        context.insert(
            "config",
            &ConfigView {
                config: &translated,
                base_path: config.base_path(),
            },
        );
    }
    context.insert("current_path", &config.site_path(&site_path));
    context.insert("current_url", &config.permalink(&site_path));
    let text = tera.render(template, &context).map_err(|e| {
        anyhow!(
            "failed to render {site_path} with {}/{template}:\n{}",
            templates::TEMPLATES_DIR,
            templates::describe(&e)
        )
    })?;
    Ok(Rendered {
        path: output::file_for(&site_path),
        bytes: text.into_bytes(),
    })
}
