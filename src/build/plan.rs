//! Planning a build: a digest of the site-wide inputs, a key per output file, and from the
//! last build's manifest, which files must be rendered and which Markdown and threads they need.

use std::collections::BTreeMap;

use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use xxhash_rust::xxh3::Xxh3;

use super::BuildOptions;
use crate::config::SiteConfig;
use crate::content::{Fingerprint, Source};
use crate::manifest::Manifest;
use crate::render::{self, Job, KeyInputs, TopLevel};
use crate::site::Site;
use crate::store::{DbLocation, PostStamp, PostStamps};

/// A digest of everything every output file depends on: this quill binary, the config as
/// the build sees it, every template, the options and which database the comments come from.
pub(super) fn site_key(
    config: &SiteConfig,
    templates: &BTreeMap<String, String>,
    options: &BuildOptions,
    database: Option<&DbLocation>,
) -> Result<u128> {
    let mut hasher = Xxh3::new();
    hasher.update(env!("CARGO_PKG_VERSION").as_bytes());
    // A rebuilt binary may render differently under the same version number.
    if let Ok(exe) = std::env::current_exe().and_then(std::fs::metadata) {
        Fingerprint::of(&exe).hash_into(&mut hasher);
    }
    hasher.update(&serde_json::to_vec(config)?);
    for (name, text) in templates {
        hasher.update(name.as_bytes());
        hasher.update(b"\0");
        hasher.update(&text.len().to_le_bytes());
        hasher.update(text.as_bytes());
    }
    hasher.update(&[u8::from(options.drafts)]);
    hasher.update(database.map_or(String::new(), |d| d.to_string()).as_bytes());
    Ok(hasher.digest128())
}

/// A page that wants a file quill writes for something else (`/tags/`, `/atom.xml`, a
/// listing's `/page/2/`, an alias) is an error naming the page.
fn check_one_writer(
    site: &Site,
    jobs: &[Job<'_>],
    sources: &[Source],
    planned: &[(String, Option<u128>)],
) -> Result<()> {
    let mut writers: rustc_hash::FxHashMap<&str, usize> = rustc_hash::FxHashMap::default();
    for (i, (file, _)) in planned.iter().enumerate() {
        if let Some(first) = writers.insert(file, i) {
            anyhow::bail!(
                "{} and {} both want to be written to {file} (give one of them another path)",
                jobs[first].writer(site, sources),
                jobs[i].writer(site, sources)
            );
        }
    }
    Ok(())
}

/// A digest of which file gives which page at which URL: what shortcodes and internal
/// links read of other pages.
fn urls_key(site: &Site, sources: &[Source]) -> u128 {
    let mut hasher = Xxh3::new();
    for page in site.posts.iter().chain(&site.pages) {
        hasher.update(sources[page.source].file.as_os_str().as_encoded_bytes());
        hasher.update(b"\0");
        hasher.update(page.permalink.as_bytes());
        hasher.update(b"\0");
    }
    hasher.digest128()
}

/// What a build renders, and what for.
#[derive(Debug)]
pub(super) struct Plan {
    /// Every output file with its key, in job order.
    pub planned: Vec<(String, Option<u128>)>,
    /// Indexes of the jobs to render.
    pub to_render: Vec<usize>,
    /// By source index: whether its Markdown must be rendered.
    pub needed: Vec<bool>,
    /// By job index, for each job showing a thread with comments: its key without the
    /// thread, to which the build adds what the page shows of the thread once it is read.
    pub thread_keys: FxHashMap<usize, u128>,
}

/// A key joined by a thread's stamp and count.
fn stamped(key: u128, stamp: &PostStamp) -> u128 {
    let mut hasher = Xxh3::new();
    hasher.update(&key.to_le_bytes());
    hasher.update(&stamp.stamp.to_le_bytes());
    hasher.update(&stamp.approved.to_le_bytes());
    hasher.digest128()
}

/// Keys every job and keeps those whose key differs from the last build's (all of them
/// without a last build).
pub(super) fn plan<'s>(
    site: &'s Site,
    jobs: &[Job<'s>],
    site_key: u128,
    sources: &[Source],
    stamps: &PostStamps,
    top_level: &TopLevel,
    previous: Option<&Manifest>,
) -> Result<Plan> {
    let mut base = Xxh3::new();
    base.update(&site_key.to_le_bytes());
    base.update(&serde_json::to_vec(&render::menu(site))?);
    let inputs = KeyInputs::new(site, sources, top_level, urls_key(site, sources));
    // Each key is (file, key, key without the thread); keying every file of a large site is a
    // tenth of a rebuild, and the keys are independent.
    let keyed: Vec<(String, Option<u128>, Option<u128>)> = jobs
        .par_iter()
        .map(|job| {
            let key = job.digest(&base, &inputs);
            // A page showing a thread that has comments also depends on what they say: while
            // planning, on the thread's stamp; once read, on what the page shows of it.
            if let (Some(without), Some((page, _))) = (key, job.thread_page())
                && let Some(stamp) = stamps.get(&page.key).filter(|s| s.approved > 0)
            {
                return (job.file(site), Some(stamped(without, stamp)), Some(without));
            }
            (job.file(site), key, None)
        })
        .collect();
    let mut thread_keys = FxHashMap::default();
    let planned: Vec<(String, Option<u128>)> = keyed
        .into_iter()
        .enumerate()
        .map(|(i, (file, key, without))| {
            if let Some(without) = without {
                thread_keys.insert(i, without);
            }
            (file, key)
        })
        .collect();
    check_one_writer(site, jobs, sources, &planned)?;
    let to_render: Vec<usize> = (0..jobs.len())
        .filter(|&i| {
            let (file, key) = &planned[i];
            previous
                .is_none_or(|m| key.is_none() || m.outputs.get(file).and_then(|e| e.key) != *key)
        })
        .collect();
    let mut needed = vec![false; sources.len()];
    for &i in &to_render {
        for page in jobs[i].bodies(site) {
            needed[page.source] = true;
        }
    }
    Ok(Plan {
        planned,
        to_render,
        needed,
        thread_keys,
    })
}
