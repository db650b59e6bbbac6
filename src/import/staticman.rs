//! Reads a Staticman data folder: `_data/comments/<slug>/*.yml` (Jekyll) or
//! `data/comments/<slug>/*.json|yml` (Hugo), one comment per file, with the usual fields
//! `_id`, `name`, `email` (often already an MD5 hash), `message` (Markdown), `date` (Unix
//! seconds or a date string) and `replying_to`, `replying_to_uid`, `_parent` or `parent`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::html::{Flavor, to_markdown};
use super::{Fate, Imported, parse_utc};
use crate::comments::Status;
use crate::ingest::Rejection;
use crate::ingest::read::Position;

/// The largest comment file read; a bigger one is rejected, not loaded.
const MAX_FILE_BYTES: u64 = 1 << 20;

/// Reads every comment under `dir` (a site root, its `_data/comments` or `data/comments`, or
/// the comments folder itself), ordered by folder and file name as Jekyll and Hugo list them.
pub fn read(dir: &Path) -> Result<Vec<Imported>> {
    if !dir.is_dir() {
        bail!(
            "{} is not a folder; give the Staticman data folder (such as _data/comments)",
            dir.display()
        );
    }
    let base = ["_data/comments", "data/comments"]
        .iter()
        .map(|sub| dir.join(sub))
        .find(|p| p.is_dir())
        .unwrap_or_else(|| dir.to_path_buf());
    let mut files: Vec<PathBuf> = Vec::new();
    for entry in walkdir::WalkDir::new(&base).sort_by_file_name() {
        let entry = entry.with_context(|| format!("failed to read {}", base.display()))?;
        let ext = entry
            .path()
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if entry.file_type().is_file() && matches!(ext.as_deref(), Some("yml" | "yaml" | "json")) {
            files.push(entry.into_path());
        }
    }
    let mut comments: Vec<Imported> = files.iter().map(|f| comment(&base, f)).collect();
    resolve_parents(&mut comments);
    Ok(comments)
}

/// The post a file belongs to: its folder's name under the comments folder, or (for a file
/// directly in it) a `slug`, `post` or `page` field.
fn slug_of(base: &Path, file: &Path, fields: &serde_json::Map<String, Value>) -> String {
    let folder = file
        .parent()
        .filter(|p| *p != base)
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    folder
        .or_else(|| {
            ["slug", "post", "page", "url"]
                .iter()
                .find_map(|k| fields.get(*k).and_then(text))
        })
        .unwrap_or_default()
}

fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn comment(base: &Path, file: &Path) -> Imported {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut problems = Vec::new();
    let fields = match parse(file) {
        Ok(Value::Object(map)) => map,
        Ok(_) => {
            problems.push(Rejection::Unreadable(
                "the file is not a mapping of fields (name, email, message, date...)".into(),
            ));
            serde_json::Map::new()
        }
        Err(why) => {
            problems.push(Rejection::Unreadable(why));
            serde_json::Map::new()
        }
    };
    let get = |k: &str| fields.get(k).and_then(text);
    let slug = slug_of(base, file, &fields);
    let key = match get("_id") {
        Some(id) => format!("staticman:{id}"),
        None => format!("staticman:{slug}/{stem}"),
    };
    let timestamp = match fields.get("date") {
        Some(value) => {
            let parsed = date(value);
            if parsed.is_none() {
                problems.push(Rejection::TimestampInvalid(
                    text(value).unwrap_or_else(|| value.to_string()),
                ));
            }
            parsed
        }
        // Staticman names files after the time in milliseconds (`entry1490018622000.yml`).
        None => date_from_file_name(&stem),
    };
    if timestamp.is_none() && problems.is_empty() {
        problems.push(Rejection::Missing(
            "date (and the file name holds no Unix time)".into(),
        ));
    }
    // The raw parent value for now; `resolve_parents` turns it into a key. The most common
    // Jekyll theme's form sends the page's URL as `_parent` (`options[parent]`), so a
    // URL-like `_parent` names the post, not a comment; the comment replied to is then
    // `replying_to` (a number or an `_id`), or `replyto` (a file name) in another common form.
    let parent_post = get("_parent").filter(|p| looks_like_url(p));
    let parent = [
        "replying_to_uid",
        "replying_to",
        "replyto",
        "parent",
        "_parent",
    ]
    .iter()
    .filter(|k| !(**k == "_parent" && parent_post.is_some()))
    .find_map(|k| get(k));
    // The folder is the post's file name as the old site had it; a quill slug may be the
    // slugified form of it (`using_matlab` → `using-matlab`).
    let mut fallbacks: Vec<String> = parent_post.into_iter().collect();
    let slugified = crate::content::slug::slugify(&slug);
    if slugified != slug {
        fallbacks.push(slugified);
    }
    Imported {
        key,
        parent,
        url: slug,
        fallbacks,
        author: get("name")
            .or_else(|| get("author"))
            .unwrap_or_else(|| "Anonymous".into()),
        email: get("email"),
        // Staticman keeps what the visitor typed: Markdown, with any HTML tags converted.
        body: to_markdown(
            &get("message")
                .or_else(|| get("comment"))
                .unwrap_or_default(),
            Flavor::Markdown,
        ),
        timestamp,
        problems,
        fate: Fate::Keep(Status::Approved),
        position: Position::Line(1),
        file: file.to_path_buf(),
        raw: Value::Object(fields.clone()),
    }
}

fn parse(file: &Path) -> Result<Value, String> {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "the file is {size} bytes; a comment file is at most 1 MiB"
        ));
    }
    let text =
        std::fs::read_to_string(file).map_err(|e| format!("cannot be read as UTF-8 text: {e}"))?;
    let json = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json {
        serde_json::from_str(&text).map_err(|e| format!("not valid JSON: {e}"))
    } else {
        serde_norway::from_str(&text).map_err(|e| format!("not valid YAML: {e}"))
    }
}

/// Unix seconds (a number or digits, milliseconds too), RFC 3339, or the date strings Jekyll
/// and Hugo write (`2019-05-12 10:00:00 +0000`).
fn date(value: &Value) -> Option<DateTime<Utc>> {
    let text = text(value)?;
    if let Ok(n) = text.parse::<f64>() {
        return unix(n);
    }
    parse_utc(&text).or_else(|| {
        [
            "%Y-%m-%d %H:%M:%S %z",
            "%Y-%m-%dT%H:%M:%S%.f%z",
            "%Y-%m-%d %H:%M:%S%.f %z",
        ]
        .iter()
        .find_map(|f| DateTime::parse_from_str(&text, f).ok())
        .map(|d| d.with_timezone(&Utc))
    })
}

/// Seconds, or milliseconds when the number is too large to be seconds.
fn unix(n: f64) -> Option<DateTime<Utc>> {
    let seconds = if n > 1e11 { n / 1000.0 } else { n };
    DateTime::from_timestamp(seconds.trunc() as i64, 0)
}

fn date_from_file_name(stem: &str) -> Option<DateTime<Utc>> {
    let digits: String = stem
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    if !(10..=13).contains(&digits.len()) {
        return None;
    }
    unix(digits.parse().ok()?)
}

/// Whether a field holds a URL or a site path rather than an id.
fn looks_like_url(value: &str) -> bool {
    value.starts_with('/') || value.contains("://")
}

/// Turns each raw parent value into the parent's key: an `_id` on the same post, the name of
/// another comment's file (`replyto: entry1490018622000`), or (Jekyll themes' `replying_to`)
/// the 1-based position of the parent among the post's comments.
fn resolve_parents(comments: &mut [Imported]) {
    let mut by_post: HashMap<String, Vec<String>> = HashMap::new();
    let mut by_file: HashMap<(String, String), String> = HashMap::new();
    for c in comments.iter() {
        by_post
            .entry(c.url.clone())
            .or_default()
            .push(c.key.clone());
        if let Some(stem) = c.file.file_stem() {
            let stem = stem.to_string_lossy().into_owned();
            by_file.insert((c.url.clone(), stem), c.key.clone());
        }
    }
    for c in comments.iter_mut() {
        let Some(raw) = c.parent.take() else { continue };
        let siblings = &by_post[&c.url];
        let by_id = format!("staticman:{raw}");
        let file = raw
            .strip_suffix(".yml")
            .or_else(|| raw.strip_suffix(".json"))
            .unwrap_or(&raw);
        c.parent = if siblings.contains(&by_id) {
            Some(by_id)
        } else if let Some(key) = by_file.get(&(c.url.clone(), file.to_string())) {
            Some(key.clone())
        } else if raw.is_empty() || looks_like_url(&raw) {
            None
        } else if let Ok(n) = raw.parse::<usize>() {
            // Themes write 0 or an empty string for "not a reply".
            (n >= 1).then(|| siblings.get(n - 1).cloned()).flatten()
        } else {
            // A parent that is not in the folder: let the checks report it.
            Some(by_id)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let iso = |v: Value| date(&v).map(|d| d.to_rfc3339());
        let expected = Some("2017-03-20T14:03:42+00:00".to_string());
        assert_eq!(iso(Value::from(1490018622)), expected);
        assert_eq!(iso(Value::from("1490018622000")), expected);
        assert_eq!(iso(Value::from("2017-03-20T15:03:42.000+01:00")), expected);
        assert_eq!(iso(Value::from("2017-03-20 14:03:42 +0000")), expected);
        assert_eq!(iso(Value::from("last tuesday")), None);
        assert_eq!(
            date_from_file_name("entry1490018622000").map(|d| d.to_rfc3339()),
            expected
        );
        assert_eq!(date_from_file_name("comment-abc"), None);
    }
}
