//! One input of `quill ingest` in two stages on two threads: one reads records and checks
//! them (parsing, validation, spam scoring, rendering each body's HTML), the other stores
//! them in the run's transaction, in the input's order. Checking needs no database, so the
//! work that costs most runs beside the writer instead of before it.

use std::io::BufRead;
use std::sync::mpsc;

use anyhow::{Context, Result};
use rayon::prelude::*;

use super::read::{self, Format, Position, Raw, Record};
use super::{Checked, Input, Intake, Rejection, Submitter};

/// Records handed over at a time: large enough that the hand-over costs nothing per record,
/// small enough that the writer starts at once.
const BATCH: usize = 256;

/// Batches in flight between the threads: bounds the memory a fast reader can fill.
const IN_FLIGHT: usize = 8;

/// A record read, with its check, or why it could not be read as a submission. Its columns
/// are dropped on the reading side: the writer needs only where it was and what it said.
type Ready = (Position, Raw, Result<Checked, String>);

/// Reads, checks and stores every record of `input` into `sink`; `stored` is called once per
/// record handed to the sink. An error of storing stops the reading and is told as it is, not
/// as one of reading the file.
pub(super) fn feed(
    sink: &mut Intake<'_>,
    input: &Input,
    reader: Box<dyn BufRead + Send>,
    format: Format,
    stored: &mut dyn FnMut(),
) -> Result<()> {
    let submitter = sink.submitter();
    std::thread::scope(|scope| {
        let (send, receive) = mpsc::sync_channel::<Vec<Ready>>(IN_FLIGHT);
        let reading = scope.spawn(move || read_and_check(reader, format, submitter, &send));
        let mut storing = Ok(());
        'batches: for batch in &receive {
            let mut spent = Vec::with_capacity(batch.len());
            for (position, raw, checked) in batch {
                stored();
                let submitted = match checked {
                    Ok(checked) => sink.submit_checked(input, position, &raw, checked),
                    Err(why) => {
                        let entry = super::Entry::Rejected(vec![Rejection::Unreadable(why)]);
                        sink.submit(input, position, &raw, entry)
                    }
                };
                spent.push(raw);
                if let Err(e) = submitted {
                    storing = Err(e);
                    break 'batches;
                }
            }
            // Freeing a batch's records is work the writer need not wait for.
            rayon::spawn(move || drop(spent));
        }
        // The reader stops at its next hand-over once nobody receives.
        drop(receive);
        let reading = reading
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        storing?;
        reading.with_context(|| format!("failed to read {}", input.name()))
    })
}

/// The reading stage: records in batches, each batch checked on every core (the writer
/// takes one of them back as it needs), sent in order.
fn read_and_check(
    reader: Box<dyn BufRead + Send>,
    format: Format,
    submitter: &Submitter,
    send: &mpsc::SyncSender<Vec<Ready>>,
) -> Result<()> {
    let mut batch = Vec::with_capacity(BATCH);
    let hand_over = |batch: &mut Vec<Record>| -> Result<()> {
        let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
        let checked = full
            .into_par_iter()
            .map(|record| {
                let checked = match &record.columns {
                    Ok(columns) => Ok(submitter.check_columns(columns)),
                    Err(why) => Err(why.clone()),
                };
                (record.position, record.raw, checked)
            })
            .collect();
        send.send(checked)
            .map_err(|_| anyhow::anyhow!("stopped: the records could not be stored"))
    };
    read::for_each(reader, format, &mut |record| {
        batch.push(record);
        if batch.len() == BATCH {
            hand_over(&mut batch)?;
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        hand_over(&mut batch)?;
    }
    Ok(())
}
