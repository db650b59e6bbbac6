//! `quill import disqus|wordpress|staticman|isso|webmention-io` (comments, mentions) and
//! `quill import jekyll|hugo|zola` (a whole site): flags, the summary and the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use quill::import::site::{Generator, SiteImportOptions, SiteImportReport};
use quill::import::{CommentSystem, ImportOptions, ImportReport, run};

use super::RootArg;

const EXIT_CODES: &str = "Exit codes:\n  0  every comment was stored (or was already stored), or skipped as the source said\n  2  some comments were rejected; the rest were stored (see the rejects file)\n  1  the import failed and stored nothing";

/// Flags of `quill import`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    #[command(subcommand)]
    source: SourceCommand,
}

#[derive(Debug, clap::Subcommand)]
enum SourceCommand {
    /// Import a Disqus XML export.
    #[command(after_help = EXIT_CODES)]
    Disqus(Common),
    /// Import a WordPress export (WXR, from Tools → Export).
    #[command(after_help = EXIT_CODES)]
    Wordpress {
        #[command(flatten)]
        common: Common,
        /// Import pingbacks and trackbacks too (skipped by default).
        #[arg(long)]
        with_pingbacks: bool,
    },
    /// Import a Staticman data folder (_data/comments or data/comments of a Jekyll or Hugo site).
    #[command(after_help = EXIT_CODES)]
    Staticman(Common),
    /// Import an Isso SQLite database (opened read-only).
    #[command(after_help = EXIT_CODES)]
    Isso(Common),
    /// Import webmention.io's JSON export of received webmentions (jf2, `children`).
    #[command(after_help = EXIT_CODES)]
    WebmentionIo(Common),
    /// Import a whole Jekyll site into a new quill site (with its Staticman comments).
    #[command(after_help = SITE_EXIT_CODES)]
    Jekyll(SiteArgs),
    /// Import a whole Hugo site into a new quill site (with its Staticman comments).
    #[command(after_help = SITE_EXIT_CODES)]
    Hugo(SiteArgs),
    /// Import a whole Zola site into a new quill site.
    #[command(after_help = SITE_EXIT_CODES)]
    Zola(SiteArgs),
}

const SITE_EXIT_CODES: &str = "Exit codes:\n  0  the site was imported and nothing needs a hand\n  2  the site was imported; the report lists what needs a hand\n  1  the import failed (DEST is removed again)";

/// The flags of a site import.
#[derive(Debug, clap::Args)]
struct SiteArgs {
    /// The old site's folder (only read).
    #[arg(value_name = "SOURCE")]
    source: PathBuf,
    /// The new site's folder: created, or empty.
    #[arg(value_name = "DEST")]
    dest: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// The flags every source takes.
#[derive(Debug, clap::Args)]
struct Common {
    /// The export file (the data folder for Staticman).
    #[arg(value_name = "PATH")]
    path: PathBuf,
    #[command(flatten)]
    root: RootArg,
    /// Check, match and report, but write nothing (no database change, no rejects file).
    #[arg(long)]
    dry_run: bool,
    /// Store nothing if any comment is rejected.
    #[arg(long)]
    strict: bool,
    /// Where to write rejected comments (default: PATH.rejects.jsonl beside the input).
    #[arg(long, value_name = "PATH")]
    rejects: Option<PathBuf>,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `quill import`.
pub(super) fn run_import(args: Args) -> anyhow::Result<ExitCode> {
    let (source, common, with_pingbacks) = match args.source {
        SourceCommand::Disqus(c) => (CommentSystem::Disqus, c, false),
        SourceCommand::Wordpress {
            common,
            with_pingbacks,
        } => (CommentSystem::Wordpress, common, with_pingbacks),
        SourceCommand::Staticman(c) => (CommentSystem::Staticman, c, false),
        SourceCommand::Isso(c) => (CommentSystem::Isso, c, false),
        SourceCommand::WebmentionIo(c) => (CommentSystem::WebmentionIo, c, false),
        SourceCommand::Jekyll(a) => return import_site(Generator::Jekyll, a),
        SourceCommand::Hugo(a) => return import_site(Generator::Hugo, a),
        SourceCommand::Zola(a) => return import_site(Generator::Zola, a),
    };
    let options = ImportOptions {
        root: common.root.root,
        source,
        path: common.path,
        dry_run: common.dry_run,
        strict: common.strict,
        rejects: common.rejects,
        with_pingbacks,
        waiting: super::tell_waiting,
    };
    let report = run(&options)?;
    for warning in &report.ingest.warnings {
        eprintln!("warning: {warning}");
    }
    for note in &report.ingest.notes {
        eprintln!("{note}");
    }
    if common.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report);
    }
    Ok(ExitCode::from(report.exit_code()))
}

fn print_summary(r: &ImportReport) {
    say!(
        "read {} comment{} from {}",
        r.read,
        if r.read == 1 { "" } else { "s" },
        r.source
    );
    super::ingest::print_summary(&r.ingest);
    for (reason, count) in &r.skipped {
        say!("skipped {count} × {reason} (as the source said)");
    }
    if r.placeholder_emails > 0 {
        say!(
            "{} of them had no usable email and got a placeholder (never shown)",
            r.placeholder_emails
        );
    }
    if !r.unmatched.is_empty() {
        say!(
            "pages that match no post (add their paths to a post's `aliases`, then import again):"
        );
        for u in &r.unmatched {
            say!(
                "  {} × {}",
                u.comments,
                if u.url.is_empty() { "(no URL)" } else { &u.url }
            );
        }
    }
}

fn import_site(generator: Generator, args: SiteArgs) -> anyhow::Result<ExitCode> {
    let options = SiteImportOptions {
        generator,
        source: args.source,
        dest: args.dest,
    };
    let report = quill::import::site::run(&options)?;
    if args.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_site_summary(&options, &report);
    }
    Ok(ExitCode::from(report.exit_code()))
}

fn print_site_summary(options: &SiteImportOptions, r: &SiteImportReport) {
    say!(
        "imported the {} site {} into {}",
        options.generator.name(),
        options.source.display(),
        options.dest.display()
    );
    for (kind, count) in &r.carried {
        say!("  {count} {kind}");
    }
    for s in &r.shortcodes {
        say!("  shortcode {} ({} pages): {}", s.name, s.pages, s.became);
    }
    if let Some(comments) = &r.comments {
        print_summary(comments);
    }
    if r.to_do.is_empty() {
        say!(
            "nothing needs a hand: cd {} && quill build",
            options.dest.display()
        );
    } else {
        say!("needs a hand:");
        for t in &r.to_do {
            say!("  {}: {}", t.file, t.what);
        }
    }
}
