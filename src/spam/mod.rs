//! The spam filter that learns: naive Bayes over the tokens of a comment (the words of its
//! body, the domains it links to, the words of the commenter's name and their email's
//! domain), trained on the author's own decisions. The counts live in the comment database
//! (see [`crate::store::Store::spam_counts`]); a run loads them once into a [`Filter`] and scores each
//! submission against it without touching the database.

pub mod tokens;

use rustc_hash::FxHashMap;

use crate::comments::Status;
use crate::config::{CommentsConfig, SpamFilterMode};

pub use tokens::{Parts, for_each_key, for_each_token, key};

/// Decisions of each kind the filter needs before it decides anything: until then it only
/// records scores, because a model of a handful of comments is mostly noise.
pub const MIN_DECISIONS: u64 = 20;

/// How many of the weightiest tokens a verdict keeps as its reasons.
const REASONS: usize = 4;

/// How many of a comment's tokens are weighed: the ones that say most either way. A long text
/// has many weak tokens, whose sum would otherwise swamp the few that tell.
const EVIDENCE: usize = 15;

/// The strongest any one token may weigh (in natural-log odds): one word seen only in spam
/// must not outvote everything else a comment says.
const MAX_WEIGHT: f32 = 4.0;

/// The token counts a model is built from: how many spam and ham comments were learned, and
/// for each token in how many of each it appeared.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// Spam comments learned.
    pub spam_docs: u64,
    /// Ham (good) comments learned.
    pub ham_docs: u64,
    /// Each token with the number of spam and ham comments it appeared in.
    pub tokens: FxHashMap<String, (u64, u64)>,
}

impl Counts {
    /// Adds one comment's tokens to the counts (each token once per comment).
    pub fn learn(&mut self, parts: &Parts<'_>, spam: bool) {
        if spam {
            self.spam_docs += 1;
        } else {
            self.ham_docs += 1;
        }
        for token in distinct_tokens(parts) {
            let entry = self.tokens.entry(token).or_default();
            if spam {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
}

/// What a decision on a comment taught the filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lesson {
    /// It is spam (`quill comments spam`).
    Spam,
    /// It is conversation (`quill comments approve`).
    Ham,
}

impl Lesson {
    /// What a comment's status teaches: approved is ham, spam is spam, pending nothing.
    pub fn of(status: Status) -> Option<Lesson> {
        match status {
            Status::Approved => Some(Lesson::Ham),
            Status::Spam => Some(Lesson::Spam),
            Status::Pending => None,
        }
    }

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Lesson::Spam => "spam",
            Lesson::Ham => "ham",
        }
    }

    /// A stored name; anything else is no lesson.
    pub fn parse(name: &str) -> Option<Lesson> {
        match name {
            "spam" => Some(Lesson::Spam),
            "ham" => Some(Lesson::Ham),
            _ => None,
        }
    }
}

/// Changes to the stored counts, gathered from decisions and applied in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Added to the spam comments learned (negative: unlearned).
    pub spam_docs: i64,
    /// Added to the ham comments learned.
    pub ham_docs: i64,
    /// Added to each token's (spam, ham) counts.
    pub tokens: FxHashMap<String, (i64, i64)>,
}

impl Changes {
    /// A comment that taught `from` now teaches `to`: the old lesson is taken back and the
    /// new one learned, so a comment counts once however often the author changes their mind.
    pub fn relearn(&mut self, parts: &Parts<'_>, from: Option<Lesson>, to: Option<Lesson>) {
        if from == to {
            return;
        }
        let tokens = distinct_tokens(parts);
        for (lesson, sign) in [(from, -1), (to, 1)] {
            let Some(lesson) = lesson else { continue };
            let docs = match lesson {
                Lesson::Spam => &mut self.spam_docs,
                Lesson::Ham => &mut self.ham_docs,
            };
            *docs += sign;
            for token in &tokens {
                let entry = self.tokens.entry(token.clone()).or_default();
                match lesson {
                    Lesson::Spam => entry.0 += sign,
                    Lesson::Ham => entry.1 += sign,
                }
            }
        }
    }
}

/// The distinct tokens of a comment, for learning it.
pub fn distinct_tokens(parts: &Parts<'_>) -> Vec<String> {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut buf = String::new();
    for_each_token(parts, &mut buf, &mut |t| {
        if !seen.contains(t) {
            seen.insert(t.to_string());
        }
    });
    let mut tokens: Vec<String> = seen.into_iter().collect();
    tokens.sort_unstable();
    tokens
}

/// A model ready to score: each known token's weight, precomputed from the counts, found by
/// the token's 64-bit hash. Ingest scores every submission, so a lookup hashes a few bytes and
/// compares a number, never a string; the names are kept only to explain a score.
///
/// The tokens are numbered (their slots) from the weightiest down, so the weightiest of a
/// comment's tokens are those of the smallest slots, picked by comparing integers.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Each known token's slot in `weights` and `names`, by its [`key`].
    slots: FxHashMap<u64, u32>,
    weights: Vec<f32>,
    names: Vec<Box<str>>,
    spam_docs: u64,
    ham_docs: u64,
}

/// A submission's score and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The probability that it is spam, from 0 to 1.
    pub score: f64,
    /// The tokens that weighed most, with their weights (positive: towards spam), as
    /// `token +2.1, other -0.8`.
    pub reasons: String,
}

impl Filter {
    /// The model of some counts. A token's weight is the log of how much likelier it is in
    /// spam than in ham, with add-one smoothing so that a token seen once is weak evidence.
    pub fn new(counts: &Counts) -> Filter {
        let spam_docs = counts.spam_docs as f64;
        let ham_docs = counts.ham_docs as f64;
        let mut weighed: Vec<(&str, f32)> = counts
            .tokens
            .iter()
            .filter(|(_, (s, h))| s + h > 0)
            .map(|(token, &(s, h))| {
                let in_spam = (s as f64 + 1.0) / (spam_docs + 2.0);
                let in_ham = (h as f64 + 1.0) / (ham_docs + 2.0);
                let w = ((in_spam / in_ham).ln() as f32).clamp(-MAX_WEIGHT, MAX_WEIGHT);
                (token.as_str(), w)
            })
            .collect();
        weighed.sort_unstable_by(|a, b| weightier(a.1, b.1).then(a.0.cmp(b.0)));
        let mut filter = Filter {
            spam_docs: counts.spam_docs,
            ham_docs: counts.ham_docs,
            ..Filter::default()
        };
        filter.slots.reserve(weighed.len());
        for (token, w) in weighed {
            // Of two tokens with one key, the weightier is kept.
            if let std::collections::hash_map::Entry::Vacant(e) = filter.slots.entry(key(token)) {
                e.insert(filter.weights.len() as u32);
                filter.weights.push(w);
                filter.names.push(token.into());
            }
        }
        filter
    }

    /// Whether the model has learned enough of both kinds to decide.
    pub fn ready(&self) -> bool {
        self.spam_docs >= MIN_DECISIONS && self.ham_docs >= MIN_DECISIONS
    }

    /// (spam, ham) comments learned.
    pub fn learned(&self) -> (u64, u64) {
        (self.spam_docs, self.ham_docs)
    }

    /// Scores a comment and says why: the weightiest of its distinct known tokens, summed, as
    /// a probability, with the strongest of them as reasons. For the console, and for the
    /// comments ingest flags; [`Filter::spam_score`] is the fast path.
    pub fn score(&self, parts: &Parts<'_>, scratch: &mut Scratch) -> Verdict {
        let score = self.spam_score(parts, scratch);
        // The evidence, weightiest first.
        scratch.found.sort_unstable();
        let mut reasons = String::new();
        for &slot in scratch.found.iter().take(REASONS) {
            let w = self.weights[slot as usize];
            if w == 0.0 {
                continue;
            }
            if !reasons.is_empty() {
                reasons.push_str(", ");
            }
            use std::fmt::Write;
            let _ = write!(reasons, "{} {w:+.1}", self.names[slot as usize]);
        }
        Verdict { score, reasons }
    }

    /// The score of [`Filter::score`], without reasons, through reused buffers: ingest scores
    /// every submission, and this allocates nothing once the buffers have grown.
    pub fn spam_score(&self, parts: &Parts<'_>, scratch: &mut Scratch) -> f64 {
        self.gather(parts, scratch);
        let found = &mut scratch.found;
        if found.len() > EVIDENCE {
            found.select_nth_unstable(EVIDENCE);
            found.truncate(EVIDENCE);
        }
        probability(found.iter().map(|&slot| self.weights[slot as usize]))
    }

    /// Puts the slots of the comment's distinct known tokens, in the order first seen, into
    /// `scratch.found`. The same token twice is the same evidence: a token is kept once by
    /// stamping its slot with the number of this call, which costs no sort.
    fn gather(&self, parts: &Parts<'_>, scratch: &mut Scratch) {
        let Scratch {
            buf,
            found,
            seen,
            call,
        } = scratch;
        found.clear();
        if seen.len() < self.weights.len() {
            seen.resize(self.weights.len(), 0);
        }
        *call = call.wrapping_add(1);
        if *call == 0 {
            // Once in four billion calls: stamps of an earlier round would read as this one's.
            seen.fill(0);
            *call = 1;
        }
        let call = *call;
        for_each_key(parts, buf, &mut |k| {
            if let Some(&slot) = self.slots.get(&k) {
                let stamp = &mut seen[slot as usize];
                if *stamp != call {
                    *stamp = call;
                    found.push(slot);
                }
            }
        });
    }
}

/// Reused buffers for [`Filter::score`] and [`Filter::spam_score`]: one per thread, or per
/// loop over many comments.
#[derive(Debug, Default)]
pub struct Scratch {
    buf: String,
    found: Vec<u32>,
    /// Per slot of the model, the number of the call that last found it.
    seen: Vec<u32>,
    call: u32,
}

/// Heavier first; of two as heavy, the one towards spam first, so that which tokens are
/// weighed never depends on the order they were found in.
fn weightier(a: f32, b: f32) -> std::cmp::Ordering {
    b.abs().total_cmp(&a.abs()).then(b.total_cmp(&a))
}

/// Summed log odds as a probability.
fn probability(weights: impl Iterator<Item = f32>) -> f64 {
    let sum: f64 = weights.map(f64::from).sum();
    1.0 / (1.0 + (-sum).exp())
}

/// The status a submission gets once scored: above `spam_above` spam, above `pending_above`
/// at least pending, otherwise what the other rules said. A filter that is off or has not
/// learned enough leaves the status alone.
pub fn decide(config: &CommentsConfig, filter: &Filter, score: f64, status: Status) -> Status {
    if config.spam_filter == SpamFilterMode::Off || !filter.ready() {
        return status;
    }
    if score > config.spam_above {
        Status::Spam
    } else if score > config.pending_above && status == Status::Approved {
        Status::Pending
    } else {
        status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(name: &'a str, email: &'a str, body: &'a str) -> Parts<'a> {
        Parts {
            username: name,
            email,
            body,
        }
    }

    /// A small set written for the tests: conversation about posts, and link spam.
    fn trained() -> Filter {
        let ham = [
            "Thanks for the write-up, the part about lifetimes finally made sense to me.",
            "I tried this on my own blog and the build got twice as fast. Nice post!",
            "Small typo in the second paragraph: 'teh' should be 'the'. Great read otherwise.",
            "Have you compared this with the approach in the Rust book? Curious what you think.",
            "Great post, I had the same problem with my static site last year.",
        ];
        let spam = [
            "Buy cheap viagra online at https://pills.example.com best prices",
            "Best casino bonus! Visit https://casino.example.net for free spins",
            "Cheap replica watches, visit https://watches.example.org now",
            "Earn money fast from home, click https://money.example.com today",
            "Cheap loans approved instantly https://loans.example.com no credit check",
        ];
        let mut counts = Counts::default();
        for _ in 0..4 {
            for body in ham {
                counts.learn(&parts("Ada", "ada@example.org", body), false);
            }
            for body in spam {
                counts.learn(&parts("Cheap Deals", "seo@spam.example", body), true);
            }
        }
        Filter::new(&counts)
    }

    #[test]
    fn spam_scores_high_and_ham_low() {
        let filter = trained();
        assert!(filter.ready());
        let mut buf = Scratch::default();
        let spam = filter.score(
            &parts(
                "Deals",
                "x@spam.example",
                "cheap pills at https://pills.example.com",
            ),
            &mut buf,
        );
        let ham = filter.score(
            &parts(
                "Grace",
                "grace@example.org",
                "Thanks, this post made lifetimes make sense.",
            ),
            &mut buf,
        );
        assert!(spam.score > 0.9, "{spam:?}");
        assert!(ham.score < 0.1, "{ham:?}");
        assert!(
            spam.reasons.contains("email:spam.example +3.0"),
            "{}",
            spam.reasons
        );
        assert!(
            ham.reasons.contains("email:example.org -"),
            "{}",
            ham.reasons
        );
    }

    #[test]
    fn the_fast_score_is_the_explained_one() {
        let filter = trained();
        let mut scratch = Scratch::default();
        let long = format!(
            "{} {}",
            "cheap pills casino ".repeat(10),
            "thanks lifetimes post ".repeat(10)
        );
        for body in [
            "cheap",
            "Thanks for the post",
            long.as_str(),
            "",
            "https://loans.example.com",
        ] {
            let p = parts("Ada", "ada@example.org", body);
            assert_eq!(
                filter.spam_score(&p, &mut scratch),
                filter.score(&p, &mut Scratch::default()).score,
                "{body}"
            );
        }
    }

    #[test]
    fn a_reused_scratch_forgets_the_last_comment_and_fits_any_model() {
        let big = trained();
        let small = Filter::new(&{
            let mut counts = Counts::default();
            counts.learn(&parts("Ada", "ada@example.org", "cheap"), true);
            counts
        });
        let p = parts(
            "Deals",
            "x@spam.example",
            "cheap pills at https://pills.example.com",
        );
        let fresh = |f: &Filter| f.spam_score(&p, &mut Scratch::default());
        let mut scratch = Scratch::default();
        for filter in [&big, &small, &big] {
            assert_eq!(filter.spam_score(&p, &mut scratch), fresh(filter));
        }
        // The call counter wrapping round must not make old stamps look new.
        scratch.call = u32::MAX;
        assert_eq!(big.spam_score(&p, &mut scratch), fresh(&big));
        assert_eq!(big.spam_score(&p, &mut scratch), fresh(&big));
    }

    #[test]
    fn repeating_a_word_adds_no_evidence() {
        let filter = trained();
        let mut buf = Scratch::default();
        let once = filter.score(&parts("A", "a@b.org", "cheap"), &mut buf);
        let many = filter.score(&parts("A", "a@b.org", "cheap cheap CHEAP cheap"), &mut buf);
        assert_eq!(once, many);
    }

    #[test]
    fn an_empty_model_is_undecided_and_not_ready() {
        let filter = Filter::new(&Counts::default());
        assert!(!filter.ready());
        let verdict = filter.score(
            &parts("A", "a@b.org", "cheap pills"),
            &mut Scratch::default(),
        );
        assert_eq!(verdict.score, 0.5);
        assert_eq!(verdict.reasons, "");
    }

    #[test]
    fn changing_ones_mind_unlearns_the_old_lesson() {
        let p = parts("Ada", "ada@example.org", "cheap cheap pills");
        let mut changes = Changes::default();
        changes.relearn(&p, None, Some(Lesson::Spam));
        changes.relearn(&p, Some(Lesson::Spam), Some(Lesson::Ham));
        changes.relearn(&p, Some(Lesson::Ham), Some(Lesson::Ham));
        assert_eq!((changes.spam_docs, changes.ham_docs), (0, 1));
        assert_eq!(changes.tokens["cheap"], (0, 1));
        assert_eq!(changes.tokens["email:example.org"], (0, 1));
        assert!(!changes.tokens.contains_key("ada@example.org"));
    }

    #[test]
    fn thresholds_and_the_cold_start() {
        let mut config = CommentsConfig::default();
        let ready = trained();
        let cold = Filter::new(&Counts::default());
        let table = [
            (0.95, Status::Approved, Status::Spam),
            (0.7, Status::Approved, Status::Pending),
            (0.7, Status::Spam, Status::Spam),
            (0.2, Status::Approved, Status::Approved),
            (0.2, Status::Pending, Status::Pending),
            (0.9, Status::Approved, Status::Pending),
        ];
        for (score, before, after) in table {
            assert_eq!(decide(&config, &ready, score, before), after, "{score}");
            assert_eq!(decide(&config, &cold, score, before), before, "{score}");
        }
        config.spam_filter = SpamFilterMode::Off;
        assert_eq!(
            decide(&config, &ready, 0.99, Status::Approved),
            Status::Approved
        );
    }
}
