//! A Jekyll, Hugo or Zola configuration read into the settings quill has, and written as
//! `site.toml`: title, base URL, description, author, language, pagination, permalinks,
//! taxonomies and languages. What quill has no setting for is listed for the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::Generator;

/// The settings carried over, in quill's terms.
#[derive(Debug, Default, Clone, PartialEq)]
pub(super) struct Settings {
    /// The site's title.
    pub title: String,
    /// The absolute URL, with its path.
    pub base_url: String,
    /// One line about the site.
    pub description: String,
    /// The author's name.
    pub author: String,
    /// The language code.
    pub language: String,
    /// Posts per listing page.
    pub paginate_by: Option<u64>,
    /// `[permalinks]`: key (a section, `posts`, `pages`) to pattern.
    pub permalinks: BTreeMap<String, String>,
    /// Whose meaning `:title` and `:slug` have in the patterns.
    pub permalink_style: &'static str,
    /// `[slugify] paths`.
    pub slug_mode: &'static str,
    /// Taxonomies besides tags and categories, with whether they have feeds.
    pub taxonomies: BTreeMap<String, bool>,
    /// Languages besides the main one, with their titles.
    pub languages: BTreeMap<String, Option<String>>,
    /// Jekyll collections that are output, with their permalink patterns.
    pub collections: BTreeMap<String, Option<String>>,
    /// Jekyll's `exclude`: patterns of paths the site does not publish.
    pub exclude: Vec<String>,
    /// Jekyll's `include`: patterns of hidden or underscore paths it publishes all the same.
    pub include: Vec<String>,
    /// Jekyll's front matter defaults that give a permalink to the files under a path.
    pub scoped_permalinks: Vec<ScopedPermalink>,
    /// The name of the site's feeds, when it is not quill's `atom.xml`.
    pub feed_filename: Option<String>,
    /// Whether every section has a feed (Hugo's do).
    pub section_feeds: bool,
    /// The site's own values for templates: Zola's `[extra]`, Hugo's `[params]`.
    pub extra: serde_json::Map<String, Value>,
    /// Where listings' later pages go, when not quill's `page/2/`.
    pub paginate_path: Option<String>,
    /// The theme the site uses, whose shortcodes count as the site's own.
    pub theme: Option<String>,
    /// Settings read that quill has no place for, as `key: why` notes.
    pub left_out: Vec<String>,
    /// The configuration file read.
    pub file: PathBuf,
}

/// A Jekyll `defaults` entry with a permalink for a part of the site
/// (jekyllrb.com/docs/configuration/front-matter-defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ScopedPermalink {
    /// The folder it applies to, relative to the site (empty: everywhere).
    pub path: String,
    /// The kind of file (`posts`, `pages`, a collection), or any.
    pub kind: Option<String>,
    /// The pattern.
    pub permalink: String,
}

/// Finds and reads the configuration of a `generator` site at `source`.
pub(super) fn read(generator: Generator, source: &Path) -> Result<Settings> {
    let candidates: &[&str] = match generator {
        Generator::Jekyll => &["_config.yml", "_config.yaml", "_config.toml"],
        Generator::Hugo => &[
            "hugo.toml",
            "hugo.yaml",
            "hugo.yml",
            "hugo.json",
            "config.toml",
            "config.yaml",
            "config.yml",
            "config.json",
            "config/_default/hugo.toml",
            "config/_default/config.toml",
            "config/_default/hugo.yaml",
            "config/_default/config.yaml",
        ],
        Generator::Zola => &["config.toml", "zola.toml"],
    };
    let Some(file) = candidates
        .iter()
        .map(|c| source.join(c))
        .find(|p| p.is_file())
    else {
        bail!(
            "{} is not a {} site: none of {} is there",
            source.display(),
            generator.name(),
            candidates.join(", ")
        );
    };
    let mut value = parse(&file)?;
    if generator == Generator::Hugo && file.starts_with(source.join("config/_default")) {
        // Hugo splits its configuration: params.toml, languages.toml... beside the main file.
        merge_split_files(&file, &mut value)?;
    }
    let mut settings = match generator {
        Generator::Jekyll => jekyll(&value),
        Generator::Hugo => hugo(&value),
        Generator::Zola => zola(&value),
    };
    settings.file = file;
    Ok(settings)
}

fn parse(file: &Path) -> Result<Value> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("failed to read {}", file.display()))?;
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let value = match ext {
        "toml" => toml::from_str::<Value>(&text).map_err(|e| anyhow::anyhow!("{e}")),
        "json" => serde_json::from_str::<Value>(&text).map_err(|e| anyhow::anyhow!("{e}")),
        _ => serde_norway::from_str::<Value>(&text).map_err(|e| anyhow::anyhow!("{e}")),
    };
    let value = value.with_context(|| format!("failed to read {}", file.display()))?;
    // An empty YAML file is null: no settings.
    Ok(if value.is_null() {
        Value::Object(Default::default())
    } else {
        value
    })
}

/// Hugo's `config/_default/params.toml`, `languages.toml`... as the tables they stand for.
fn merge_split_files(main: &Path, value: &mut Value) -> Result<()> {
    let Some(dir) = main.parent() else {
        return Ok(());
    };
    let Value::Object(map) = value else {
        return Ok(());
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("failed to read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p != main && p.is_file())
        .collect();
    entries.sort();
    for path in entries {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if map.contains_key(stem) {
            continue;
        }
        map.insert(stem.to_string(), parse(&path)?);
    }
    Ok(())
}

fn string(value: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| {
        let mut at = value;
        for part in k.split('.') {
            at = at.get(part)?;
        }
        match at {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            // `author: {name: ...}` as Jekyll themes write it.
            Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
            _ => None,
        }
    })
}

fn number(value: &Value, keys: &[&str]) -> Option<u64> {
    keys.iter().find_map(|k| {
        let mut at = value;
        for part in k.split('.') {
            at = at.get(part)?;
        }
        at.as_u64()
            .or_else(|| at.as_str().and_then(|s| s.parse().ok()))
    })
}

/// A base URL with no trailing slash, or a placeholder a build accepts when there is none.
fn base_url(url: Option<String>, path: Option<String>) -> String {
    let url = url.unwrap_or_else(|| "https://example.org".to_string());
    let path = path.unwrap_or_default();
    let joined = format!(
        "{}/{}",
        url.trim_end_matches('/'),
        path.trim_start_matches('/')
    );
    joined.trim_end_matches('/').to_string()
}

fn jekyll(c: &Value) -> Settings {
    let mut s = Settings {
        title: string(c, &["title", "name"]).unwrap_or_else(|| "My blog".into()),
        base_url: base_url(string(c, &["url"]), string(c, &["baseurl"])),
        description: string(c, &["description", "tagline"]).unwrap_or_default(),
        author: string(c, &["author"]).unwrap_or_default(),
        language: string(c, &["lang", "locale"])
            .map(|l| l.split(['_', '-']).next().unwrap_or("en").to_string())
            .unwrap_or_else(|| "en".into()),
        paginate_by: number(c, &["paginate", "pagination.per_page"]),
        permalink_style: "jekyll",
        // Jekyll keeps a post's file name in its URL: case, underscores and dots.
        slug_mode: "safe",
        theme: string(c, &["theme", "remote_theme"]),
        ..Settings::default()
    };
    // Jekyll's default permalink is the `date` style.
    let posts = string(c, &["permalink"]).unwrap_or_else(|| "date".into());
    // Pages are `/:path/:basename:output_ext` (jekyllrb.com/docs/permalinks), a folder each
    // when the site's style is `pretty` or ends in a slash.
    let pages = if posts == "pretty" || posts.ends_with('/') {
        "/:sections/:filename/"
    } else {
        "/:sections/:filename:output_ext"
    };
    s.permalinks.insert("posts".into(), posts);
    s.permalinks.insert("pages".into(), pages.into());
    if let Some(Value::Object(collections)) = c.get("collections") {
        for (name, settings) in collections {
            if name == "posts" {
                continue;
            }
            let output = settings
                .get("output")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if output {
                let pattern = settings
                    .get("permalink")
                    .and_then(Value::as_str)
                    .map(|p| collection_pattern(p, name));
                s.collections.insert(name.clone(), pattern);
            }
        }
    }
    // jekyll-paginate's pages: `/page:num/` under the home page, unless `paginate_path` says.
    if s.paginate_by.is_some() {
        let path = string(c, &["paginate_path"]).unwrap_or_else(|| "/page:num/".into());
        let relative = path.trim_matches('/');
        if relative.contains('/') {
            s.left_out.push(format!(
                "paginate_path: {path} pages a page other than the home page; quill pages the home page's list (/page2/...)"
            ));
            s.paginate_path = Some("page:num".into());
        } else if relative != "page" {
            s.paginate_path = Some(relative.to_string());
        }
    }
    // jekyll-feed writes /feed.xml unless `feed: path:` says otherwise.
    let plugins = strings(c.get("plugins"))
        .into_iter()
        .chain(strings(c.get("gems")));
    if plugins.into_iter().any(|p| p == "jekyll-feed") {
        let path = string(c, &["feed.path"]).unwrap_or_else(|| "feed.xml".into());
        s.feed_filename = Some(path.trim_start_matches('/').to_string());
    }
    s.exclude = strings(c.get("exclude"));
    s.include = strings(c.get("include"));
    jekyll_defaults(c, &mut s);
    // What these plugins do, quill does itself: feeds, pages, redirects, the sitemap, tags.
    const DONE_BY_QUILL: &[&str] = &[
        "jekyll-feed",
        "jekyll-paginate",
        "jekyll-paginate-v2",
        "jekyll-redirect-from",
        "jekyll-sitemap",
        "jekyll-seo-tag",
        "jekyll-include-cache",
        "jekyll-gist",
    ];
    let others: Vec<String> = strings(c.get("plugins"))
        .into_iter()
        .chain(strings(c.get("gems")))
        .filter(|p| !DONE_BY_QUILL.contains(&p.as_str()))
        .collect();
    if !others.is_empty() {
        s.left_out.push(format!(
            "plugins: {}: Jekyll plugins quill has no counterpart for",
            others.join(", ")
        ));
    }
    if c.get("sass").is_some() {
        s.left_out
            .push("sass: quill does not compile Sass; its theme has its own CSS".into());
    }
    s
}

/// A list of strings (or one string) from the configuration.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// Jekyll's front matter defaults: a permalink for every post, page or collection document
/// becomes that kind's pattern; one for a folder is given to the files under it (as Jekyll
/// does, as if their front matter said it). The other values are the old theme's (layouts,
/// sidebars), and the report says so.
fn jekyll_defaults(c: &Value, s: &mut Settings) {
    let Some(Value::Array(defaults)) = c.get("defaults") else {
        return;
    };
    let mut other_values = false;
    for entry in defaults {
        let scope = entry.get("scope");
        let path = scope
            .and_then(|v| v.get("path"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim_matches('/')
            .to_string();
        let kind = scope
            .and_then(|v| v.get("type"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let values = entry.get("values").and_then(Value::as_object);
        other_values |= values.is_some_and(|v| v.keys().any(|k| k != "permalink"));
        let Some(permalink) = values
            .and_then(|v| v.get("permalink"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        match (path.is_empty(), kind.as_deref()) {
            (true, Some("posts")) => {
                s.permalinks.insert("posts".into(), permalink.to_string());
            }
            (true, Some("pages")) => {
                s.permalinks.insert("pages".into(), permalink.to_string());
            }
            (true, Some(name)) if s.collections.contains_key(name) => {
                let pattern = collection_pattern(permalink, name);
                s.collections.insert(name.to_string(), Some(pattern));
            }
            _ => s.scoped_permalinks.push(ScopedPermalink {
                path,
                kind,
                permalink: permalink.to_string(),
            }),
        }
    }
    if other_values {
        s.left_out.push(
            "defaults: only their permalinks were carried over; the other values (layouts, sidebars) belong to the old theme".into(),
        );
    }
}

/// A collection's permalink in the tokens quill has: `:collection` is its name, `:name` the
/// document's file name; `:path` is quill's too (the folders under the collection's).
fn collection_pattern(pattern: &str, collection: &str) -> String {
    pattern
        .replace(":collection", collection)
        .replace(":name", ":filename")
}

fn hugo(c: &Value) -> Settings {
    let mut s = Settings {
        title: string(c, &["title"]).unwrap_or_else(|| "My blog".into()),
        base_url: base_url(string(c, &["baseURL", "baseurl", "baseUrl"]), None),
        description: string(c, &["params.description", "description", "params.subtitle"])
            .unwrap_or_default(),
        author: string(c, &["params.author", "author", "params.author.name"]).unwrap_or_default(),
        language: string(c, &["languageCode", "defaultContentLanguage"])
            .map(|l| l.split(['_', '-']).next().unwrap_or("en").to_lowercase())
            .unwrap_or_else(|| "en".into()),
        paginate_by: number(c, &["pagination.pagerSize", "paginate", "paginate_by"]),
        permalink_style: "hugo",
        // Hugo keeps a file name's case and characters in its URL unless told otherwise.
        slug_mode: "safe",
        theme: string(c, &["theme"]),
        ..Settings::default()
    };
    if let Some(Value::Object(permalinks)) = c.get("permalinks") {
        for (key, pattern) in permalinks {
            match pattern {
                Value::String(p) => {
                    s.permalinks.insert(key.clone(), p.clone());
                }
                // Hugo 0.120+: [permalinks.page] posts = "..."; the page patterns are ours.
                Value::Object(kinds) if key == "page" => {
                    for (section, p) in kinds {
                        if let Some(p) = p.as_str() {
                            s.permalinks.insert(section.clone(), p.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // Hugo's feeds are each list page's index.xml, its terms' included.
    s.feed_filename = Some("index.xml".into());
    s.section_feeds = true;
    if let Some(Value::Object(params)) = c.get("params") {
        s.extra = params.clone();
    }
    match c.get("taxonomies") {
        Some(Value::Object(taxonomies)) => {
            for plural in taxonomies.values().filter_map(Value::as_str) {
                s.taxonomies.insert(plural.to_string(), true);
            }
        }
        _ => {
            for plural in ["tags", "categories"] {
                s.taxonomies.insert(plural.to_string(), true);
            }
        }
    }
    if let Some(Value::Object(languages)) = c.get("languages") {
        for (code, settings) in languages {
            if code != &s.language {
                s.languages
                    .insert(code.clone(), string(settings, &["title", "languageName"]));
            }
        }
    }
    if c.get("menu").or_else(|| c.get("menus")).is_some() {
        s.left_out
            .push("menus: quill's theme has a fixed menu; edit templates/base.html".into());
    }
    s
}

fn zola(c: &Value) -> Settings {
    let mut s = Settings {
        title: string(c, &["title"]).unwrap_or_else(|| "My blog".into()),
        base_url: base_url(string(c, &["base_url"]), None),
        description: string(c, &["description"]).unwrap_or_default(),
        author: string(c, &["author", "extra.author"]).unwrap_or_default(),
        language: string(c, &["default_language"]).unwrap_or_else(|| "en".into()),
        permalink_style: "zola",
        slug_mode: match string(c, &["slugify.paths"]).as_deref() {
            Some("safe") => "safe",
            Some("off") => "off",
            _ => "on",
        },
        theme: string(c, &["theme"]),
        ..Settings::default()
    };
    if let Some(Value::Object(extra)) = c.get("extra") {
        s.extra = extra.clone();
    }
    // Zola 0.19 lists `feed_filenames`; before, one `feed_filename`.
    let feeds = strings(c.get("feed_filenames"));
    s.feed_filename = feeds
        .first()
        .cloned()
        .or_else(|| string(c, &["feed_filename"]))
        .filter(|f| f != "atom.xml");
    if let Some(Value::Array(taxonomies)) = c.get("taxonomies") {
        for t in taxonomies {
            let Some(name) = t.get("name").and_then(Value::as_str) else {
                continue;
            };
            let feed = t
                .get("feed")
                .or_else(|| t.get("rss"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            if !matches!(name, "tags" | "categories") || feed {
                s.taxonomies.insert(name.to_string(), feed);
            }
        }
    }
    if let Some(Value::Object(languages)) = c.get("languages") {
        for (code, settings) in languages {
            s.languages
                .insert(code.clone(), string(settings, &["title"]));
        }
    }
    if c.get("markdown")
        .and_then(|m| m.get("highlight_theme"))
        .is_some()
    {
        s.left_out
            .push("markdown.highlight_theme: set [markdown] in site.toml by hand".into());
    }
    s
}

/// The `site.toml` of the imported site.
pub(super) fn site_toml(s: &Settings, generator: Generator) -> String {
    let quote = |v: &str| toml::Value::String(v.to_string()).to_string();
    let mut out = format!(
        "# Imported from a {} site's {} by `quill import`.\n",
        generator.name(),
        s.file
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default()
    );
    out.push_str(&format!("title = {}\n", quote(&s.title)));
    out.push_str(&format!("base_url = {}\n", quote(&s.base_url)));
    if !s.description.is_empty() {
        out.push_str(&format!("description = {}\n", quote(&s.description)));
    }
    if !s.author.is_empty() {
        out.push_str(&format!("author = {}\n", quote(&s.author)));
    }
    out.push_str(&format!("language = {}\n", quote(&s.language)));
    if let Some(n) = s.paginate_by.filter(|n| *n > 0) {
        out.push_str(&format!("paginate_by = {n}\n"));
    }
    if let Some(feed) = &s.feed_filename {
        out.push_str(&format!("feed_filename = {}\n", quote(feed)));
    }
    if let Some(path) = &s.paginate_path {
        out.push_str(&format!("paginate_path = {}\n", quote(path)));
    }
    if s.section_feeds {
        out.push_str("section_feeds = true\n");
    }
    out.push_str("\n[slugify]\n");
    out.push_str(&format!("paths = {}\n", quote(s.slug_mode)));
    let mut permalinks = s.permalinks.clone();
    for (name, pattern) in &s.collections {
        if let Some(p) = pattern {
            permalinks.insert(name.clone(), p.clone());
        }
    }
    // The style decides more than patterns (Hugo's lowercased paths, relative aliases, the
    // page/1/ redirects), so it is written even when there are none.
    if !permalinks.is_empty() || s.permalink_style != "jekyll" {
        out.push_str("\n[permalinks]\n");
        out.push_str(&format!("style = {}\n", quote(s.permalink_style)));
        for (key, pattern) in &permalinks {
            out.push_str(&format!("{} = {}\n", toml_key(key), quote(pattern)));
        }
    }
    if !s.taxonomies.is_empty() {
        out.push_str("\n[taxonomies]\n");
        for (name, feed) in &s.taxonomies {
            out.push_str(&format!("{} = {{ feed = {feed} }}\n", toml_key(name)));
        }
    }
    for (code, title) in &s.languages {
        out.push_str(&format!("\n[languages.{}]\n", toml_key(code)));
        if let Some(title) = title {
            out.push_str(&format!("title = {}\n", quote(title)));
        }
    }
    if let Some(extra) = extra_table(&s.extra) {
        out.push('\n');
        out.push_str(&extra);
    }
    out
}

/// `[extra]` as TOML, without the values TOML has no way to write (YAML's nulls).
fn extra_table(extra: &serde_json::Map<String, Value>) -> Option<String> {
    fn writable(value: &Value) -> Option<Value> {
        match value {
            Value::Null => None,
            Value::Array(items) => Some(Value::Array(items.iter().filter_map(writable).collect())),
            Value::Object(map) => Some(Value::Object(
                map.iter()
                    .filter_map(|(k, v)| writable(v).map(|v| (k.clone(), v)))
                    .collect(),
            )),
            other => Some(other.clone()),
        }
    }
    let extra = writable(&Value::Object(extra.clone()))?;
    if extra.as_object().is_none_or(|m| m.is_empty()) {
        return None;
    }
    toml::to_string(&serde_json::json!({ "extra": extra })).ok()
}

/// A bare TOML key when it can be one, else a quoted one.
fn toml_key(key: &str) -> String {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        key.to_string()
    } else {
        toml::Value::String(key.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jekyll_settings() {
        let c: Value = serde_norway::from_str(
            "title: Field Notes\nurl: https://ada.example.org\nbaseurl: /blog\nauthor:\n  name: Ada\nlocale: en-GB\npaginate: 7\npermalink: /:categories/:title/\ncollections:\n  recipes:\n    output: true\n    permalink: /recipes/:name/\n  notes:\n    output: false\n",
        )
        .unwrap();
        let s = jekyll(&c);
        assert_eq!(s.base_url, "https://ada.example.org/blog");
        assert_eq!((s.author.as_str(), s.language.as_str()), ("Ada", "en"));
        assert_eq!(s.paginate_by, Some(7));
        assert_eq!(s.permalinks["posts"], "/:categories/:title/");
        assert_eq!(s.collections.keys().collect::<Vec<_>>(), ["recipes"]);
        let toml = site_toml(&s, Generator::Jekyll);
        assert!(toml.contains("[permalinks]\nstyle = \"jekyll\"\npages = \"/:sections/:filename/\"\nposts = \"/:categories/:title/\"\nrecipes = \"/recipes/:filename/\"\n"), "{toml}");
        assert_eq!(s.feed_filename, None, "no jekyll-feed, no feed to keep");
        // Without a permalink setting, Jekyll's default `date` style.
        assert_eq!(
            jekyll(&serde_norway::from_str("title: x\n").unwrap()).permalinks["posts"],
            "date"
        );
        // jekyll-paginate's /page2/, and a blog page's pages, which quill does not have.
        assert_eq!(s.paginate_path.as_deref(), Some("page:num"));
        assert!(toml.contains("paginate_path = \"page:num\"\n"), "{toml}");
        let blog = jekyll(
            &serde_norway::from_str("paginate: 5\npaginate_path: /blog/page:num/\n").unwrap(),
        );
        assert_eq!(blog.paginate_path.as_deref(), Some("page:num"));
        assert!(blog.left_out.iter().any(|l| l.contains("/blog/page:num/")));
        let feed = |yaml: &str| jekyll(&serde_norway::from_str(yaml).unwrap()).feed_filename;
        assert_eq!(
            feed("plugins: [jekyll-feed]\n").as_deref(),
            Some("feed.xml")
        );
        assert_eq!(
            feed("plugins: [jekyll-feed]\nfeed:\n  path: /atom.xml\n").as_deref(),
            Some("atom.xml")
        );
    }

    #[test]
    fn hugo_and_zola_settings() {
        let h: Value = toml::from_str(
            "baseURL = 'https://h.example.org/'\ntitle = 'H'\nlanguageCode = 'en-us'\n[pagination]\npagerSize = 5\n[permalinks]\nposts = '/:year/:month/:slug/'\n[taxonomies]\ntag = 'tags'\nseries = 'series'\n[languages.es]\ntitle = 'H en español'\n[languages.en]\ntitle = 'H'\n",
        )
        .unwrap();
        let s = hugo(&h);
        assert_eq!(
            (s.base_url.as_str(), s.language.as_str()),
            ("https://h.example.org", "en")
        );
        assert_eq!(s.paginate_by, Some(5));
        assert_eq!(s.permalinks["posts"], "/:year/:month/:slug/");
        // Hugo gives every term a feed, named index.xml like all of Hugo's feeds.
        assert_eq!(
            s.taxonomies,
            BTreeMap::from([("series".into(), true), ("tags".into(), true)])
        );
        assert_eq!(s.feed_filename.as_deref(), Some("index.xml"));
        assert!(site_toml(&s, Generator::Hugo).contains("feed_filename = \"index.xml\"\n"));
        assert_eq!(s.languages.keys().collect::<Vec<_>>(), ["es"]);
        let z: Value = toml::from_str(
            "base_url = 'https://z.example.org'\ntitle = 'Z'\ndefault_language = 'fr'\ntaxonomies = [{name = 'tags', feed = true}, {name = 'authors'}]\n[slugify]\npaths = 'safe'\n",
        )
        .unwrap();
        let s = zola(&z);
        assert_eq!((s.language.as_str(), s.slug_mode), ("fr", "safe"));
        assert_eq!(s.feed_filename, None, "Zola's default is quill's, atom.xml");
        assert_eq!(
            s.taxonomies,
            BTreeMap::from([("authors".into(), false), ("tags".into(), true)])
        );
        let toml = site_toml(&s, Generator::Zola);
        let parsed: toml::Value = toml::from_str(&toml).unwrap();
        assert_eq!(parsed["taxonomies"]["tags"]["feed"].as_bool(), Some(true));
        // The theme's values come along as [extra], for its templates and shortcodes.
        let z: Value = toml::from_str(
            "base_url = 'https://z.example.org'\ntitle = 'Z'\n[extra]\nauthor_avatar = 'me.png'\n[extra.social]\nmastodon = '@me'\n",
        )
        .unwrap();
        let toml = site_toml(&zola(&z), Generator::Zola);
        let parsed: toml::Value = toml::from_str(&toml).unwrap();
        assert_eq!(parsed["extra"]["social"]["mastodon"].as_str(), Some("@me"));
        crate::config::SiteConfig::parse(&toml, Path::new("site.toml")).unwrap();
        let hugo_params: Value =
            serde_norway::from_str("title: H\nparams:\n  subtitle: Notes\n  empty: null\n")
                .unwrap();
        let toml = site_toml(&hugo(&hugo_params), Generator::Hugo);
        assert!(toml.contains("[extra]\nsubtitle = \"Notes\"\n"), "{toml}");
    }
}
