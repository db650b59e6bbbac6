//! `quill build`: flags, a progress bar on a terminal, and the summary line.

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use quill::build::{BuildOptions, Progress, build};

use super::RootArg;

/// Flags of `quill build`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(flatten)]
    root: RootArg,
    /// Where to write the site (default: public/ under the root). A full build replaces it as a
    /// whole; an incremental one renames its changed files into it.
    #[arg(short = 'o', long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// Use this base URL instead of site.toml's, e.g. for a preview deploy.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Include posts and pages marked as drafts.
    #[arg(long)]
    drafts: bool,
    /// Build everything from scratch instead of updating only what changed since the last
    /// build (use it after changing files in the output folder by hand).
    #[arg(long)]
    full: bool,
    /// After the build, send webmentions as `quill webmention send` does.
    #[arg(long)]
    send_webmentions: bool,
    /// Also say how much CPU turning the comments into HTML took, per comment (what
    /// `bench/run.py` reports; reading them and writing their pages are not counted).
    #[arg(long)]
    timings: bool,
}

/// A progress bar drawn on standard error only when it is a terminal.
struct Bar(ProgressBar);

impl Progress for Bar {
    fn start(&self, total: usize) {
        self.0.set_length(total as u64);
    }
    fn tick(&self) {
        self.0.inc(1);
    }
    fn waiting(&self, output_dir: &std::path::Path) {
        eprintln!(
            "waiting for another build of {} to finish",
            output_dir.display()
        );
    }
}

/// Runs `quill build`.
pub(super) fn run(args: Args) -> anyhow::Result<ExitCode> {
    let root = args.root.root.clone();
    let options = BuildOptions {
        root: args.root.root,
        output_dir: args.output_dir,
        base_url: args.base_url,
        drafts: args.drafts,
        comment_endpoint: None,
        full: args.full,
    };
    // indicatif draws nothing when standard error is not a terminal.
    let bar = Bar(ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} files")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    ));
    let summary = build(&options, &bar)?;
    bar.0.finish_and_clear();
    for warning in &summary.warnings {
        eprintln!("warning: {warning}");
    }
    let written = if summary.incremental {
        format!(
            "{} rendered, {} of {} files changed",
            summary.rendered, summary.written, summary.files
        )
    } else {
        format!("{} files", summary.files)
    };
    say!(
        "built {} posts, {} pages, {} tags, {} comments ({written}) into {} in {} ms",
        summary.posts,
        summary.pages,
        summary.tags,
        summary.comments,
        summary.output_dir.display(),
        summary.elapsed.as_millis()
    );
    if let Some(mixed) = summary.mixed_for {
        // The window in which a deploy copying the output could see old and new pages.
        say!(
            "the output was mixed for {:.2} ms (its renames)",
            mixed.as_secs_f64() * 1000.0
        );
    }
    if args.timings {
        let cpu = summary.comment_cpu.as_secs_f64();
        let each = cpu * 1e6 / summary.comments_rendered.max(1) as f64;
        say!(
            "comments rendered: {} in {:.1} ms of CPU, {each:.2} µs each",
            summary.comments_rendered,
            cpu * 1000.0
        );
    }
    if args.send_webmentions {
        return super::webmention::send(&root, false);
    }
    Ok(ExitCode::SUCCESS)
}
