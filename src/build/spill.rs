//! Comments set aside while a build reads the whole comment table in one pass: the posts are
//! split into batches of about [`BATCH`] comments, the first batch's threads are held in
//! memory, and each later batch's comments go to a temporary file of its own, read back once
//! the pages of the batch before it are rendered. One pass in the table's order costs far less
//! than a seek per comment through the index by post, and memory holds one batch (or the
//! largest thread, if it is bigger), not every comment.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, Write};

use anyhow::{Context, Result};
use rustc_hash::FxHashMap;

use crate::comments::thread::KeptComment;

/// About how many comments a batch holds: some 50 MiB of threads.
pub(super) const BATCH: usize = 100_000;

/// Which batch each post's thread is in, filled in the order given, each batch up to `size`
/// comments (a thread bigger than that is a batch of its own); and how many batches there
/// are.
pub(super) fn batches<'p>(
    posts: &[&'p str],
    approved: &dyn Fn(&str) -> usize,
    size: usize,
) -> (FxHashMap<&'p str, usize>, usize) {
    let mut batch_of = FxHashMap::default();
    let (mut batch, mut filled) = (0, 0);
    for &post in posts {
        let n = approved(post);
        if filled > 0 && filled + n > size {
            batch += 1;
            filled = 0;
        }
        filled += n;
        batch_of.insert(post, batch);
    }
    (batch_of, batch + 1)
}

/// How much of a temporary file is written or read at a time: a batch is tens of MiB, which
/// the default 8 KiB buffers cut into thousands of system calls.
const BUFFERED: usize = 256 << 10;

/// The temporary files of the batches after the first; each is deleted when it is closed.
pub(super) struct Spill {
    files: Vec<BufWriter<File>>,
    /// A comment as it is written, reused: one allocation for every comment set aside.
    encoded: Vec<u8>,
}

impl Spill {
    /// Files for `later` batches.
    pub(super) fn new(later: usize) -> Result<Spill> {
        let files = (0..later)
            .map(|_| tempfile::tempfile().map(|f| BufWriter::with_capacity(BUFFERED, f)))
            .collect::<std::io::Result<_>>()
            .context("failed to create a temporary file for the comments of a large build")?;
        Ok(Spill {
            files,
            encoded: Vec::new(),
        })
    }

    /// Sets a comment aside in the file of later batch `index` (0 for the second batch).
    pub(super) fn push(&mut self, index: usize, comment: &KeptComment) -> Result<()> {
        self.encoded.clear();
        let bytes = postcard::to_extend(comment, std::mem::take(&mut self.encoded))
            .context("failed to set a comment aside")?;
        let file = &mut self.files[index];
        let written = file
            .write_all(&(bytes.len() as u64).to_le_bytes())
            .and_then(|()| file.write_all(&bytes))
            .context("failed to write a comment to a temporary file");
        self.encoded = bytes;
        written
    }

    /// The comments of each later batch, in the order they were set aside, read back one
    /// batch at a time.
    pub(super) fn batches(self) -> impl Iterator<Item = Result<Vec<KeptComment>>> {
        self.files.into_iter().map(read_back)
    }
}

fn read_back(file: BufWriter<File>) -> Result<Vec<KeptComment>> {
    let what = "failed to read back the comments set aside in a temporary file";
    let mut file = file
        .into_inner()
        .map_err(|e| e.into_error())
        .context(what)?;
    file.rewind().context(what)?;
    let mut reader = BufReader::with_capacity(BUFFERED, file);
    let (mut comments, mut len, mut bytes) = (Vec::new(), [0; 8], Vec::new());
    loop {
        match reader.read_exact(&mut len) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(comments),
            Err(e) => return Err(e).context(what),
        }
        bytes.resize(usize::try_from(u64::from_le_bytes(len)).context(what)?, 0);
        reader.read_exact(&mut bytes).context(what)?;
        comments.push(postcard::from_bytes(&bytes).context(what)?);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::comments::thread::Threads;
    use crate::comments::{CommentRecord, Status};
    use crate::config::Avatars;

    #[test]
    fn batches_fill_in_order_and_a_big_thread_stands_alone() {
        let counts = |post: &str| match post {
            "big" => BATCH + 5,
            "h1" | "h2" => BATCH / 2,
            _ => 10,
        };
        let (batch_of, count) = batches(&["a", "h1", "b", "h2", "big", "c"], &counts, BATCH);
        assert_eq!(count, 4);
        for (post, batch) in [
            ("a", 0),
            ("h1", 0),
            ("b", 0),
            ("h2", 1),
            ("big", 2),
            ("c", 3),
        ] {
            assert_eq!(batch_of[post], batch, "{post}");
        }
    }

    #[test]
    fn comments_set_aside_come_back_whole_and_in_order() {
        let threads = Threads::new(3, Avatars::None, true);
        let record = |id: i64, parent: Option<i64>| CommentRecord {
            id,
            post: "p".into(),
            parent_id: parent,
            username: format!("user {id} \u{e9}"),
            email: format!("user{id}@example.org"),
            body: format!("Body {id}, with *Markdown*."),
            // One of them with its stored HTML, so that both forms of a body travel.
            body_html: (id == 2).then(|| format!("<p>Body {id}, with <em>Markdown</em>.</p>")),
            timestamp: chrono::DateTime::from_timestamp(1_700_000_000 + id, 0).unwrap(),
            status: Status::Approved,
        };
        let mut spill = Spill::new(2).unwrap();
        for id in 1..=3 {
            let parent = (id > 1).then_some(1);
            spill
                .push(1, &threads.keep(&record(id, parent).thread_row(true)))
                .unwrap();
        }
        let mut read = spill.batches();
        assert!(read.next().unwrap().unwrap().is_empty());
        let mut back = Threads::new(3, Avatars::None, true);
        read.next()
            .unwrap()
            .unwrap()
            .into_iter()
            .for_each(|c| back.add_kept(c));
        let mut direct = Threads::new(3, Avatars::None, true);
        (1..=3).for_each(|id| direct.add(&record(id, (id > 1).then_some(1)).thread_row(true)));
        let (back, direct) = (back.sorted().for_post("p"), direct.sorted().for_post("p"));
        assert_eq!(format!("{back:?}"), format!("{direct:?}"));
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].replies.len(), 2);
    }
}
