//! Front matter: TOML between `+++` lines or YAML between `---` lines, read leniently with the
//! spellings of Zola, Hugo and Jekyll. Every error carries a line of the file, not of the block.

use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::dates;

/// The fields quill understands, normalized from whichever spelling the file used.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FrontMatter {
    /// The title (required).
    pub title: String,
    /// The publication date.
    #[serde(with = "dates::as_epoch")]
    pub date: Option<DateTime<Utc>>,
    /// The date of the last change (`updated`, or Hugo's `lastmod`).
    #[serde(with = "dates::as_epoch")]
    pub updated: Option<DateTime<Utc>>,
    /// Drafts are left out of builds unless asked for (`draft: true` or `published: false`).
    pub draft: bool,
    /// An explicit slug.
    pub slug: Option<String>,
    /// A short description (`description`, or Hugo's `summary`).
    pub description: Option<String>,
    /// Tag names as written: a list, or one string of comma- or space-separated words.
    pub tags: Vec<String>,
    /// Whether visitors may comment (default true).
    pub comments: bool,
    /// Old paths that redirect here.
    pub aliases: Vec<String>,
    /// `extra` plus every key quill does not know, for templates.
    #[serde(with = "extra_as_json")]
    pub extra: Map<String, Value>,
    /// The 1-based file line of the `date` key, for messages about it.
    pub date_line: Option<usize>,
    /// The page's own path, pattern tokens allowed: Zola's `path`, Jekyll's `permalink` or
    /// Hugo's `url`.
    pub url: Option<String>,
    /// The 1-based file line of that key.
    pub url_line: Option<usize>,
    /// Categories as written (`categories`, Jekyll's `category`, or under `[taxonomies]`).
    pub categories: Vec<String>,
    /// The authors (`author` or `authors`).
    pub authors: Vec<String>,
    /// An image for the page and its social preview (`image`, `cover`, or `cover.image`).
    pub image: Option<String>,
    /// The order within a section sorted by weight (lighter first).
    pub weight: Option<i64>,
    /// Whether the page is written out (`render = false` keeps it in listings only).
    pub render: bool,
    /// A section's sort order: `date`, `title` or `weight`.
    pub sort_by: Option<String>,
    /// A section's pages per listing page.
    pub paginate_by: Option<usize>,
    /// A section's listing template, instead of `section.html`.
    pub template: Option<String>,
    /// Whether a section's posts also appear in its parent's listing.
    pub transparent: bool,
}

/// Free values are kept as JSON text when front matter is cached, so that compact formats
/// that need to know each value's type in advance (the build manifest) can hold them.
mod extra_as_json {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};
    use serde_json::{Map, Value};

    pub(super) fn serialize<S: Serializer>(
        map: &Map<String, Value>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_str(&serde_json::to_string(map).map_err(serde::ser::Error::custom)?)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Map<String, Value>, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text).map_err(D::Error::custom)
    }
}

/// A file split into its front matter and Markdown body.
#[derive(Debug)]
pub struct Split<'a> {
    /// The text between the fences.
    pub front: &'a str,
    /// Whether the front matter is TOML (`+++`) or YAML (`---`).
    pub is_toml: bool,
    /// Everything after the closing fence.
    pub body: &'a str,
}

/// Finds the front matter block at the start of a file.
pub fn split(text: &str) -> Result<Split<'_>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first_line_end = text.find('\n').unwrap_or(text.len());
    let fence = text[..first_line_end].trim_end();
    let is_toml = match fence {
        "+++" => true,
        "---" => false,
        _ => bail!("1: missing front matter (start the file with +++ for TOML or --- for YAML)"),
    };
    let rest = &text[(first_line_end + 1).min(text.len())..];
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == fence {
            return Ok(Split {
                front: &rest[..offset],
                is_toml,
                body: &rest[offset + line.len()..],
            });
        }
        offset += line.len();
    }
    bail!("1: front matter is not closed (add a line with {fence} after it)")
}

/// Parses a file's front matter; errors start with the file line (`3: ...`).
pub fn parse(split: &Split<'_>) -> Result<FrontMatter> {
    parse_as(split, true)
}

/// Parses a section's `_index.md` front matter, where the title may be left out.
pub fn parse_section(split: &Split<'_>) -> Result<FrontMatter> {
    parse_as(split, false)
}

fn parse_as(split: &Split<'_>, title_required: bool) -> Result<FrontMatter> {
    // The block starts on the file's second line.
    const FIRST_LINE: usize = 2;
    let table = if split.is_toml {
        let table: toml::Table = toml::from_str(split.front).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |s| crate::config::line_of_offset(split.front, s.start));
            anyhow!(
                "{}: invalid TOML front matter: {}",
                line + FIRST_LINE - 1,
                e.message().trim()
            )
        })?;
        toml_table_to_json(table)
    } else {
        let value: serde_norway::Value = serde_norway::from_str(split.front).map_err(|e| {
            let line = e.location().map_or(1, |l| l.line());
            anyhow!("{}: invalid YAML front matter: {e}", line + FIRST_LINE - 1)
        })?;
        match serde_json::to_value(value) {
            Ok(Value::Object(map)) => map,
            Ok(Value::Null) => Map::new(),
            _ => bail!("{FIRST_LINE}: YAML front matter must be a mapping of keys to values"),
        }
    };
    interpret(
        table,
        |key| key_line(split.front, key).map(|l| l + FIRST_LINE - 1),
        title_required,
    )
}

/// The keys quill reads from front matter.
const KNOWN_KEYS: &[&str] = &[
    "aliases",
    "author",
    "authors",
    "categories",
    "category",
    "comments",
    "comments_locked",
    "cover",
    "date",
    "description",
    "draft",
    "excerpt",
    "extra",
    "image",
    "last_modified_at",
    "lastmod",
    "paginate_by",
    "path",
    "permalink",
    "published",
    "redirect_from",
    "render",
    "slug",
    "sort_by",
    "summary",
    "tags",
    "taxonomies",
    "template",
    "title",
    "transparent",
    "updated",
    "url",
    "weight",
];

/// Hugo reads front matter keys in any case (`Title:`, `Tags:`, as older blogs wrote them): a
/// known key written so stands for the lowercase one, unless that one is given too.
fn lowercase_known_keys(map: &mut Map<String, Value>) {
    let written: Vec<String> = map
        .keys()
        .filter(|k| k.chars().any(char::is_uppercase))
        .filter(|k| {
            let lower = k.to_lowercase();
            KNOWN_KEYS.contains(&lower.as_str()) && !map.contains_key(&lower)
        })
        .cloned()
        .collect();
    for key in written {
        if let Some(value) = map.remove(&key) {
            map.insert(key.to_lowercase(), value);
        }
    }
}

fn interpret(
    mut map: Map<String, Value>,
    line_of: impl Fn(&str) -> Option<usize>,
    title_required: bool,
) -> Result<FrontMatter> {
    lowercase_known_keys(&mut map);
    let at = |key: &str| line_of(key).unwrap_or(1);
    let mut fm = FrontMatter {
        comments: true,
        render: true,
        ..FrontMatter::default()
    };
    fm.title = match map.remove("title") {
        Some(Value::String(s)) if !s.trim().is_empty() => s,
        None if !title_required => String::new(),
        Some(Value::String(_)) | None => bail!(
            "{}: missing title (add title = \"...\" to the front matter)",
            at("title")
        ),
        Some(other) => bail!("{}: title must be text, not {other}", at("title")),
    };
    fm.date_line = line_of("date");
    fm.date = take_date(&mut map, "date", &at)?;
    fm.updated = take_date(&mut map, "updated", &at)?;
    for spelling in ["lastmod", "last_modified_at"] {
        if let Some(d) = take_date(&mut map, spelling, &at)? {
            fm.updated.get_or_insert(d);
        }
    }
    fm.draft = take_bool(&mut map, "draft", &at)?.unwrap_or(false);
    if let Some(published) = take_bool(&mut map, "published", &at)? {
        fm.draft |= !published;
    }
    fm.slug = take_string(&mut map, "slug", &at)?;
    fm.description = take_string(&mut map, "description", &at)?;
    for spelling in ["summary", "excerpt"] {
        if let Some(d) = take_string(&mut map, spelling, &at)? {
            fm.description.get_or_insert(d);
        }
    }
    fm.tags = take_words(&mut map, "tags", &at)?;
    fm.categories = take_words(&mut map, "categories", &at)?;
    fm.categories.extend(take_words(&mut map, "category", &at)?);
    if let Some(Value::Object(mut taxonomies)) = map.remove("taxonomies") {
        fm.tags.extend(take_words(&mut taxonomies, "tags", &at)?);
        fm.categories
            .extend(take_words(&mut taxonomies, "categories", &at)?);
        if !taxonomies.is_empty() {
            map.insert("taxonomies".into(), Value::Object(taxonomies));
        }
    }
    fm.comments = take_bool(&mut map, "comments", &at)?.unwrap_or(true);
    if take_bool(&mut map, "comments_locked", &at)? == Some(true) {
        fm.comments = false;
    }
    fm.aliases = take_list(&mut map, "aliases", &at)?;
    fm.aliases
        .extend(take_list(&mut map, "redirect_from", &at)?);
    for key in ["path", "permalink", "url"] {
        if let Some(url) = take_string(&mut map, key, &at)? {
            if fm.url.is_some() {
                bail!(
                    "{}: {key} and {} both give the page's path; keep one",
                    at(key),
                    ["path", "permalink", "url"]
                        .into_iter()
                        .find(|k| line_of(k) == fm.url_line)
                        .unwrap_or("another key")
                );
            }
            fm.url_line = line_of(key);
            fm.url = Some(url);
        }
    }
    fm.authors = take_list(&mut map, "authors", &at)?;
    fm.authors.extend(take_list(&mut map, "author", &at)?);
    fm.image = take_string(&mut map, "image", &at)?;
    match map.remove("cover") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            fm.image.get_or_insert(s);
        }
        // Hugo themes (PaperMod) write `cover.image`; the rest of the table is for templates.
        Some(Value::Object(mut cover)) => {
            if let Some(s) = take_string(&mut cover, "image", &at)? {
                fm.image.get_or_insert(s);
            }
            map.insert("cover".into(), Value::Object(cover));
        }
        Some(other) => bail!("{}: cover must be text, not {other}", at("cover")),
    }
    fm.weight = take_integer(&mut map, "weight", &at)?;
    fm.render = take_bool(&mut map, "render", &at)?.unwrap_or(true);
    fm.sort_by = take_string(&mut map, "sort_by", &at)?;
    if let Some(sort) = &fm.sort_by
        && !["date", "title", "weight"].contains(&sort.as_str())
    {
        bail!(
            "{}: sort_by must be \"date\", \"title\" or \"weight\", not {sort:?}",
            at("sort_by")
        );
    }
    fm.paginate_by = match take_integer(&mut map, "paginate_by", &at)? {
        None => None,
        Some(n) if n >= 1 => usize::try_from(n).ok(),
        Some(_) => bail!("{}: paginate_by must be at least 1", at("paginate_by")),
    };
    fm.template = take_string(&mut map, "template", &at)?;
    fm.transparent = take_bool(&mut map, "transparent", &at)?.unwrap_or(false);
    fm.extra = match map.remove("extra") {
        Some(Value::Object(extra)) => extra,
        Some(_) => bail!("{}: extra must be a table", at("extra")),
        None => Map::new(),
    };
    // Keys quill does not know are passed to templates, never an error.
    for (key, value) in map {
        fm.extra.entry(key).or_insert(value);
    }
    Ok(fm)
}

fn take_date(
    map: &mut Map<String, Value>,
    key: &str,
    at: &impl Fn(&str) -> usize,
) -> Result<Option<DateTime<Utc>>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => dates::parse_date(&s)
            .map(Some)
            .ok_or_else(|| anyhow!("{}: invalid {key} \"{s}\" ({})", at(key), dates::EXPECTED)),
        Some(other) => bail!("{}: invalid {key} {other} ({})", at(key), dates::EXPECTED),
    }
}

fn take_integer(
    map: &mut Map<String, Value>,
    key: &str,
    at: &impl Fn(&str) -> usize,
) -> Result<Option<i64>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(other) => bail!("{}: {key} must be a whole number, not {other}", at(key)),
    }
}

fn take_bool(
    map: &mut Map<String, Value>,
    key: &str,
    at: &impl Fn(&str) -> usize,
) -> Result<Option<bool>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(other) => bail!("{}: {key} must be true or false, not {other}", at(key)),
    }
}

fn take_string(
    map: &mut Map<String, Value>,
    key: &str,
    at: &impl Fn(&str) -> usize,
) -> Result<Option<String>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => bail!("{}: {key} must be text, not {other}", at(key)),
    }
}

/// A list of strings, or one string taken as a single item.
fn take_list(
    map: &mut Map<String, Value>,
    key: &str,
    at: &impl Fn(&str) -> usize,
) -> Result<Vec<String>> {
    match map.remove(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s]),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => bail!("{}: each of {key} must be text, not {other}", at(key)),
            })
            .collect(),
        Some(other) => bail!("{}: {key} must be a list of text, not {other}", at(key)),
    }
}

/// Tags or categories as a list of whole names (`["dark souls"]` is one, as in Jekyll, Hugo
/// and Zola), or as one string of comma- or space-separated words (Jekyll's `tags: a b`).
fn take_words(
    map: &mut Map<String, Value>,
    key: &str,
    at: &impl Fn(&str) -> usize,
) -> Result<Vec<String>> {
    let splits = matches!(map.get(key), Some(Value::String(_)));
    let items = take_list(map, key, at)?;
    let words = if let ([single], true) = (items.as_slice(), splits) {
        if single.contains(',') {
            single.split(',').map(str::to_string).collect()
        } else {
            single.split_whitespace().map(str::to_string).collect()
        }
    } else {
        items
    };
    Ok(words
        .into_iter()
        .map(|w| w.trim().to_string())
        .filter(|w| !w.is_empty())
        .collect())
}

/// The 1-based line (within the block) where a top-level key is set.
fn key_line(front: &str, key: &str) -> Option<usize> {
    front
        .lines()
        .position(|line| {
            line.strip_prefix(key)
                .map(|rest| rest.trim_start())
                .is_some_and(|rest| rest.starts_with('=') || rest.starts_with(':'))
        })
        .map(|i| i + 1)
}

/// TOML dates become strings so every format reaches `interpret` as plain JSON values.
fn toml_table_to_json(table: toml::Table) -> Map<String, Value> {
    table
        .into_iter()
        .map(|(k, v)| (k, toml_to_json(v)))
        .collect()
}

fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => Value::Object(toml_table_to_json(t)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fm(text: &str) -> Result<FrontMatter> {
        parse(&split(text)?)
    }

    #[test]
    fn known_keys_are_read_in_any_case_as_hugo_reads_them() {
        let f = fm("---\nTitle: Old style\nDate: 2013-03-15\nTags:\n- dark souls\nCategory: gaming\nMyKey: kept\n---\n").unwrap();
        assert_eq!(f.title, "Old style");
        assert!(f.date.is_some());
        assert_eq!(
            (f.tags, f.categories),
            (vec!["dark souls".to_string()], vec!["gaming".to_string()])
        );
        assert_eq!(f.extra.get("MyKey"), Some(&Value::String("kept".into())));
        let both = fm("---\ntitle: Lower\nTitle: Upper\n---\n").unwrap();
        assert_eq!(both.title, "Lower", "the lowercase key wins");
    }

    #[test]
    fn toml_and_yaml_agree() {
        let toml = fm("+++\ntitle = \"Trip\"\ndate = 2021-03-04\ntags = [\"travel\", \"food\"]\nslug = \"trip\"\n+++\nBody\n").unwrap();
        let yaml =
            fm("---\ntitle: Trip\ndate: 2021-03-04\ntags: [travel, food]\nslug: trip\n---\nBody\n")
                .unwrap();
        assert_eq!(toml.title, yaml.title);
        assert_eq!(toml.date, yaml.date);
        assert_eq!(toml.tags, yaml.tags);
        assert_eq!(toml.slug, yaml.slug);
    }

    #[test]
    fn spellings_of_other_generators() {
        let f = fm("---\ntitle: T\nlastmod: 2022-01-01\npublished: false\nsummary: S\ntags: rust, web dev\n---\n").unwrap();
        assert!(f.draft);
        assert_eq!(f.description.as_deref(), Some("S"));
        assert_eq!(f.tags, ["rust", "web dev"]);
        assert!(f.updated.is_some());
        let f = fm("---\ntitle: T\ntags: rust web\n---\n").unwrap();
        assert_eq!(f.tags, ["rust", "web"]);
        let f = fm("---\ntitle: T\ncategories: [web dev]\n---\n").unwrap();
        assert_eq!(f.categories, ["web dev"], "a list's item is one name");
        let f = fm("---\ntitle: T\ncategories: web dev\n---\n").unwrap();
        assert_eq!(
            f.categories,
            ["web", "dev"],
            "a string is split, as Jekyll does"
        );
        let f = fm("+++\ntitle = \"T\"\n[taxonomies]\ntags = [\"a\", \"b\"]\n+++\n").unwrap();
        assert_eq!(f.tags, ["a", "b"]);
    }

    #[test]
    fn jekyll_hugo_and_zola_spellings() {
        let f = fm("---\ntitle: T\nexcerpt: Short\nlast_modified_at: 2022-02-02\ncomments_locked: true\ncategories: [Food, Travel]\nauthor: Ada\nimage: /a.png\nweight: 3\nredirect_from: [/old/]\npermalink: /404.html\n---\n").unwrap();
        assert_eq!(f.description.as_deref(), Some("Short"));
        assert_eq!(f.updated, dates::parse_date("2022-02-02"));
        assert!(!f.comments);
        assert_eq!(f.categories, ["Food", "Travel"]);
        assert_eq!(f.authors, ["Ada"]);
        assert_eq!(f.image.as_deref(), Some("/a.png"));
        assert_eq!(f.weight, Some(3));
        assert_eq!(f.aliases, ["/old/"]);
        assert_eq!(f.url.as_deref(), Some("/404.html"));
        assert_eq!(f.url_line, Some(11));
        assert!(f.render);
        let f = fm("+++\ntitle = \"T\"\npath = \"a/b\"\nrender = false\nauthors = [\"A\", \"B\"]\n[cover]\nimage = \"c.jpg\"\nalt = \"x\"\n[taxonomies]\ncategories = [\"c\"]\n+++\n").unwrap();
        assert_eq!(f.url.as_deref(), Some("a/b"));
        assert!(!f.render);
        assert_eq!(f.authors, ["A", "B"]);
        assert_eq!(f.image.as_deref(), Some("c.jpg"));
        assert_eq!(f.extra["cover"]["alt"], "x");
        assert_eq!(f.categories, ["c"]);
        let err = fm("---\ntitle: T\npath: a\nurl: /b/\n---\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("4: url and path both give"), "{err}");
        let err = fm("+++\ntitle = \"T\"\nsort_by = \"size\"\n+++\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("3: sort_by must be"), "{err}");
    }

    #[test]
    fn a_section_needs_no_title() {
        let s =
            split("+++\nsort_by = \"weight\"\npaginate_by = 5\ntransparent = true\n+++\n").unwrap();
        let f = parse_section(&s).unwrap();
        assert_eq!(f.title, "");
        assert_eq!(f.sort_by.as_deref(), Some("weight"));
        assert_eq!(f.paginate_by, Some(5));
        assert!(f.transparent);
        assert!(parse(&s).is_err());
    }

    #[test]
    fn unknown_keys_go_to_extra() {
        let f =
            fm("+++\ntitle = \"T\"\nmood = \"happy\"\n[extra]\ncover = \"c.png\"\n+++\n").unwrap();
        assert_eq!(f.extra["mood"], "happy");
        assert_eq!(f.extra["cover"], "c.png");
    }

    #[test]
    fn errors_carry_file_lines() {
        let err = fm("+++\ntitle = \"T\"\ndate = \"yesterday\"\n+++\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("3: invalid date \"yesterday\""), "{err}");
        let err = fm("---\ntitle: T\nfoo: [unclosed\n---\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid YAML"), "{err}");
        let err = fm("+++\ndate = 2021-01-01\n+++\n").unwrap_err().to_string();
        assert!(err.contains("missing title"), "{err}");
        let err = fm("+++\ntitle = \"T\"\ntitle = \"U\"\n+++\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("3: invalid TOML"), "{err}");
        let err = fm("no front matter\n").unwrap_err().to_string();
        assert!(err.contains("missing front matter"), "{err}");
        let err = fm("+++\ntitle = \"T\"\n").unwrap_err().to_string();
        assert!(err.contains("not closed"), "{err}");
    }

    #[test]
    fn body_follows_the_block() {
        let s = split("+++\ntitle = \"T\"\n+++\nHello\n").unwrap();
        assert_eq!(s.body, "Hello\n");
        assert!(s.is_toml);
    }
}
