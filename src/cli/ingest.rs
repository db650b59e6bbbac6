//! `quill ingest`: flags, a progress bar on a terminal, the summary and the exit code.

use std::path::PathBuf;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressStyle};
use quill::ingest::read::Format;
use quill::ingest::{IngestOptions, IngestReport, Input, run};

use super::RootArg;

/// Flags of `quill ingest`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit codes:\n  0  every record was stored (or was already stored)\n  2  some records were rejected; the rest were stored (see the rejects file)\n  1  the run failed and stored nothing"
)]
pub(super) struct Args {
    /// Submission files (JSON Lines, a JSON array, or CSV with a header row); - reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    root: RootArg,
    /// The input format (default: from the file name, else from the content).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Validate and report, but write nothing (no database change, no rejects file).
    #[arg(long)]
    dry_run: bool,
    /// Store nothing if any record is rejected.
    #[arg(long)]
    strict: bool,
    /// Where to write rejected records (default: FILE.rejects.jsonl beside each input).
    #[arg(long, value_name = "PATH")]
    rejects: Option<PathBuf>,
    /// The input is your own `quill comments export`: keep each comment's status.
    #[arg(long)]
    trusted: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `quill ingest`.
pub(super) fn run_ingest(args: Args) -> anyhow::Result<ExitCode> {
    let options = IngestOptions {
        root: args.root.root,
        inputs: args
            .files
            .iter()
            .map(|f| {
                if f == "-" {
                    Input::Stdin
                } else {
                    Input::File(PathBuf::from(f))
                }
            })
            .collect(),
        format: args.format,
        dry_run: args.dry_run,
        strict: args.strict,
        trusted: args.trusted,
        rejects: args.rejects,
        waiting: super::tell_waiting,
    };
    // indicatif draws nothing when standard error is not a terminal.
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} records")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let report = run(&options, &|n| {
        if n % 1024 == 0 {
            bar.set_position(n);
        }
    })?;
    bar.finish_and_clear();
    for note in &report.notes {
        eprintln!("{note}");
    }
    for warning in &report.warnings {
        eprintln!("warning: {warning}");
    }
    if args.json {
        say!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_summary(&report);
    }
    Ok(ExitCode::from(report.exit_code()))
}

/// Prints the counts of a run, its main rejection reasons and where the rejects went.
pub(super) fn print_summary(r: &IngestReport) {
    let verb = if r.dry_run {
        "would store"
    } else if r.strict_aborted {
        "stored nothing (--strict); valid"
    } else {
        "stored"
    };
    say!(
        "{verb} {} comment{} ({} approved, {} pending, {} spam), {} already stored, {} rejected",
        r.stored(),
        if r.stored() == 1 { "" } else { "s" },
        r.approved,
        r.pending,
        r.spam,
        r.already_stored,
        r.rejected
    );
    let mut reasons: Vec<(&String, &usize)> = r.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (reason, count) in reasons.iter().take(5) {
        say!("  {count} × {reason}");
    }
    for path in &r.rejects_files {
        say!("rejected records, with reasons, are in {}", path.display());
    }
}
