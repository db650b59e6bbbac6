//! `site.toml`: parsing, defaults and validation, with errors that name the file, line and key.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};

use crate::content::permalink::{Pattern, Style};
use crate::content::slug::SlugMode;

/// The name of the configuration file at a site's root.
pub const CONFIG_FILE: &str = "site.toml";

/// A site's configuration, as read from `site.toml` with defaults filled in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    /// The site's title, shown in the header and feeds.
    pub title: String,
    /// The absolute URL the site is served from, possibly with a path (`https://example.org/blog`).
    pub base_url: String,
    /// A one-line description of the site.
    #[serde(default)]
    pub description: String,
    /// The site's author, used in feeds and meta tags.
    #[serde(default)]
    pub author: String,
    /// The language of the content, as a BCP 47 tag.
    #[serde(default = "default_language")]
    pub language: String,
    /// Posts per listing page.
    #[serde(default = "default_paginate_by")]
    pub paginate_by: usize,
    /// Where a listing's later pages go under it: Zola's folder name (`page`: `/page/2/`), or
    /// Jekyll's pattern with `:num` (`page:num`: `/page2/`).
    #[serde(default = "default_paginate_path")]
    pub paginate_path: String,
    /// Entries in `atom.xml` and `comments.xml`.
    #[serde(default = "default_feed_limit")]
    pub feed_limit: usize,
    /// The name of every Atom feed's file (the site's, a language's, a term's): `atom.xml`, or
    /// the name an old site's subscribers know (Hugo's `index.xml`, Jekyll's `feed.xml`).
    #[serde(default = "default_feed_filename")]
    pub feed_filename: String,
    /// Whether every section has a feed of its posts, as in Hugo (one section asks for its own
    /// with Zola's `generate_feeds = true` in its `_index.md`).
    #[serde(default)]
    pub section_feeds: bool,
    /// Everything about visitors' comments.
    #[serde(default)]
    pub comments: CommentsConfig,
    /// `[permalinks]`: where each kind of content is published.
    #[serde(default)]
    pub permalinks: Permalinks,
    /// `[slugify]`: how names become URL segments.
    #[serde(default)]
    pub slugify: SlugifyConfig,
    /// `[home]`: what the home page lists.
    #[serde(default)]
    pub home: HomeConfig,
    /// `[taxonomies]`: taxonomies besides `tags` and `categories` (which every site has), and
    /// settings for those.
    #[serde(default)]
    pub taxonomies: std::collections::BTreeMap<String, TaxonomyConfig>,
    /// `[languages.es]`: the languages besides `language` that pages are translated into.
    #[serde(default)]
    pub languages: std::collections::BTreeMap<String, LanguageConfig>,
    /// How Markdown is rendered: code highlighting and math.
    #[serde(default)]
    pub markdown: MarkdownConfig,
    /// How the author is told of comments that wait for them.
    #[serde(default)]
    pub notify: NotifyConfig,
    /// `[extra]`: the site's own values for its templates and shortcodes (`config.extra.x`),
    /// as in Zola (Hugo's `[params]`).
    #[serde(default)]
    pub extra: toml::Table,
}

/// The `[notify]` table of `site.toml`: where the author is told of what a run stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The author's address, mailed through `smtp`.
    pub email: Option<String>,
    /// The mail server, as `smtp://user@host:port` (STARTTLS) or `smtps://user@host:port`
    /// (TLS); the password comes from the `QUILL_SMTP_PASSWORD` environment variable, never
    /// from here.
    pub smtp: Option<String>,
    /// The sender's address (default: `email`).
    pub from: Option<String>,
    /// A shell command run with the run's JSON summary on standard input.
    pub command: Option<String>,
    /// A run that stored more spam than this tells the author even if nothing waits.
    #[serde(default = "default_spam_count")]
    pub spam_count: usize,
}

fn default_spam_count() -> usize {
    10
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            email: None,
            smtp: None,
            from: None,
            command: None,
            spam_count: default_spam_count(),
        }
    }
}

/// The `[markdown]` table of `site.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MarkdownConfig {
    /// Whether fenced code is highlighted at build time.
    pub highlight: bool,
    /// The built-in palette added to `style.css`, or `"none"` for a site's own CSS.
    pub highlight_theme: String,
    /// Whether `$…$`, `$$…$$` and `math` blocks are typeset to MathML.
    pub math: bool,
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        Self {
            highlight: true,
            highlight_theme: crate::highlight::DEFAULT_PALETTE.into(),
            math: false,
        }
    }
}

/// One language of `[languages]`: what its pages, home page and feed say instead of the
/// site's own values. Translations are `x.es.md` beside `x.md`, published under `/es/`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LanguageConfig {
    /// The site's title in this language (default: the site's).
    pub title: Option<String>,
    /// The site's description in this language.
    pub description: Option<String>,
    /// The author's name as this language writes it.
    pub author: Option<String>,
}

impl SiteConfig {
    /// The configuration as pages in `lang` see it: their language, and the title,
    /// description and author that `[languages]` gives it.
    pub fn for_language(&self, lang: &str) -> SiteConfig {
        let mut config = self.clone();
        if let Some(language) = self.languages.get(lang) {
            config.language = lang.to_string();
            if let Some(title) = &language.title {
                config.title = title.clone();
            }
            if let Some(description) = &language.description {
                config.description = description.clone();
            }
            if let Some(author) = &language.author {
                config.author = author.clone();
            }
        }
        config
    }
}

/// One taxonomy of `[taxonomies]`: `series = { feed = true }`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TaxonomyConfig {
    /// Whether each term gets an Atom feed (`/<taxonomy>/<term>/atom.xml`).
    pub feed: bool,
}

/// `[permalinks]`: a URL pattern per kind of content, keyed by the top-level section of a
/// post (`posts`, `blog`, ...; `posts` also covers posts at the content root) or by `pages`;
/// `style` picks whose meaning `:title` and `:slug` have.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Permalinks {
    /// Jekyll's or Hugo's meaning of `:title` and `:slug`.
    pub style: Style,
    /// The patterns as written, by key.
    pub patterns: std::collections::BTreeMap<String, String>,
    /// The same, parsed.
    #[serde(skip)]
    pub parsed: std::collections::BTreeMap<String, Pattern>,
}

impl<'de> Deserialize<'de> for Permalinks {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut patterns = std::collections::BTreeMap::<String, String>::deserialize(d)?;
        let style = match patterns.remove("style").as_deref() {
            None | Some("jekyll") => Style::Jekyll,
            Some("hugo") => Style::Hugo,
            Some("zola") => Style::Zola,
            Some(other) => {
                return Err(D::Error::custom(format!(
                    "[permalinks] style must be \"jekyll\", \"hugo\" or \"zola\", not {other:?}"
                )));
            }
        };
        let mut parsed = std::collections::BTreeMap::new();
        for (key, pattern) in &mut patterns {
            if let Some(style) = jekyll_style(pattern) {
                *pattern = style.to_string();
            }
            let pattern = Pattern::parse(pattern)
                .map_err(|e| D::Error::custom(format!("[permalinks] {key}: {e}")))?;
            parsed.insert(key.clone(), pattern);
        }
        Ok(Permalinks {
            style,
            patterns,
            parsed,
        })
    }
}

/// Jekyll's built-in permalink styles, by name (jekyllrb.com/docs/permalinks).
fn jekyll_style(name: &str) -> Option<&'static str> {
    Some(match name {
        "date" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        _ => return None,
    })
}

impl Permalinks {
    /// The pattern for posts of the top-level section `section` (`""` at the content root).
    /// With Hugo's (and Zola's) style, as in Hugo, a key is one section's: `posts` is not
    /// every post's.
    pub fn for_posts(&self, section: &str) -> Option<&Pattern> {
        let own = self.parsed.get(section).filter(|_| section != "pages");
        match self.style {
            Style::Hugo | Style::Zola => own,
            Style::Jekyll => own.or_else(|| self.parsed.get("posts")),
        }
    }

    /// The pattern a top-level section names for itself (not `posts` or `pages`).
    pub fn for_section(&self, section: &str) -> Option<&Pattern> {
        self.parsed
            .get(section)
            .filter(|_| !matches!(section, "posts" | "pages"))
    }

    /// The pattern for standalone pages.
    pub fn for_pages(&self) -> Option<&Pattern> {
        self.parsed.get("pages")
    }
}

/// `[slugify]`, as in Zola.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SlugifyConfig {
    /// How file names, folder names and `slug` front matter become URL segments.
    pub paths: SlugMode,
}

/// `[home]`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HomeConfig {
    /// The sections (folders under `content/`, like `blog` or `notes/2024`) whose posts the
    /// home page lists; every section's when `None`.
    pub sections: Option<Vec<String>>,
}

/// The `[comments]` table of `site.toml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CommentsConfig {
    /// Whether comments are shown and accepted at all.
    pub enabled: bool,
    /// Where the comment database lives, relative to the site root; `DATABASE_URL` overrides it.
    pub database: String,
    /// Whether comments that pass the spam checks are approved at once.
    pub moderation: Moderation,
    /// The longest accepted comment body, in characters.
    pub max_body: usize,
    /// More links than this puts a comment in `pending`.
    pub max_links: usize,
    /// The form field people leave empty and bots fill in.
    pub honeypot: String,
    /// Words (case-insensitive) that mark a comment as spam.
    pub blocklist: Vec<String>,
    /// Where the comment form posts to; with none, the form is not rendered.
    pub endpoint: Option<String>,
    /// The form service the endpoint belongs to, for the attributes it needs.
    pub provider: Provider,
    /// How commenters are pictured: initials, or a Gravatar hash.
    pub avatars: Avatars,
    /// How deep replies nest before they are shown at the last level.
    pub max_depth: usize,
    /// Top-level comments (with all their replies) on one page of a thread; a longer thread
    /// continues on `<post>/comments/2/`. 0 shows every comment on the post's page.
    pub per_page: usize,
    /// Comments accepted per minute from one address by `quill serve --accept-comments`.
    pub rate_limit: u32,
    /// Names of input columns that map onto quill's submission fields.
    pub fields: FieldNames,
    /// Whether `quill serve --accept-comments` takes webmentions at `/_quill/webmention`.
    pub webmentions: bool,
    /// Whether a webmention's source may be on this machine's own networks (loopback,
    /// private, link-local): for tests and intranets only.
    pub webmentions_allow_private: bool,
    /// Whether the spam filter that learns from the author's decisions scores submissions.
    pub spam_filter: SpamFilterMode,
    /// A score above this (0 to 1) stores a comment as spam.
    pub spam_above: f64,
    /// A score above this (and not above `spam_above`) makes a comment wait in pending.
    pub pending_above: f64,
}

impl Default for CommentsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            database: "comments.db".into(),
            moderation: Moderation::Auto,
            max_body: 5000,
            max_links: 3,
            honeypot: "website".into(),
            blocklist: Vec::new(),
            endpoint: None,
            provider: Provider::Generic,
            avatars: Avatars::None,
            max_depth: 3,
            per_page: 100,
            rate_limit: 5,
            fields: FieldNames::default(),
            webmentions: false,
            webmentions_allow_private: false,
            spam_filter: SpamFilterMode::Learn,
            spam_above: 0.9,
            pending_above: 0.5,
        }
    }
}

/// `[comments] spam_filter`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpamFilterMode {
    /// Score every submission, learn from the author's decisions, and decide once it has
    /// learned enough.
    Learn,
    /// No scores, no decisions.
    Off,
}

/// Whether new comments need the author's approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Moderation {
    /// Comments that pass the spam checks are approved.
    Auto,
    /// Every comment waits for `quill comments approve`.
    Manual,
}

/// The form service the comment form posts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// A plain form posting to any URL.
    Generic,
    /// Netlify Forms.
    Netlify,
    /// Formspree.
    Formspree,
}

/// How commenters are pictured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Avatars {
    /// Initials only; no trace of the email address.
    #[default]
    None,
    /// The hash Gravatar needs, and nothing else of the address.
    Gravatar,
}

/// `[comments.fields]`: for each submission field, the input column it is read from.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldNames {
    /// Column holding the post.
    pub post: Option<String>,
    /// Column holding the username.
    pub username: Option<String>,
    /// Column holding the email.
    pub email: Option<String>,
    /// Column holding the body.
    pub body: Option<String>,
    /// Column holding the timestamp.
    pub timestamp: Option<String>,
    /// Column holding the parent comment's id.
    pub parent: Option<String>,
    /// Column holding the submission's own id.
    pub id: Option<String>,
}

fn default_language() -> String {
    "en".into()
}
fn default_paginate_by() -> usize {
    10
}
fn default_feed_limit() -> usize {
    20
}
fn default_paginate_path() -> String {
    "page".into()
}
fn default_feed_filename() -> String {
    "atom.xml".into()
}

impl SiteConfig {
    /// Reads and validates `site.toml` at `root`.
    pub fn load(root: &Path) -> Result<Self> {
        let path = root.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "failed to read {} (is this a quill site? `quill init` makes one)",
                path.display()
            )
        })?;
        Self::parse(&text, &path)
    }

    /// Parses `site.toml` text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self> {
        let mut config: SiteConfig = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!(describe_toml_error(&e, text, path)))?;
        config.base_url = config.base_url.trim_end_matches('/').to_string();
        config.validate(path)?;
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<()> {
        let p = path.display();
        if !(self.base_url.starts_with("http://") || self.base_url.starts_with("https://")) {
            bail!(
                "{p}: base_url must be an absolute http(s) URL, like \"https://example.org\" (got \"{}\")",
                self.base_url
            );
        }
        if self.paginate_by == 0 {
            bail!("{p}: paginate_by must be at least 1");
        }
        let paging = &self.paginate_path;
        let segment_ok =
            |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains(['\\', '?', '#', ' ']);
        if !paging.split('/').all(segment_ok) {
            bail!(
                "{p}: paginate_path must be folder names under a listing, like \"page\" or \"page:num\", without a leading or trailing / (got \"{paging}\")"
            );
        }
        let feed = &self.feed_filename;
        let reserved = [
            "index.html",
            "sitemap.xml",
            "comments.xml",
            "robots.txt",
            "404.html",
        ];
        if !feed.ends_with(".xml")
            || feed.contains(['/', '\\'])
            || reserved.contains(&feed.as_str())
        {
            bail!(
                "{p}: feed_filename must be a file name ending in .xml, like \"atom.xml\" or \"index.xml\" (got \"{feed}\")"
            );
        }
        if self.comments.max_body == 0 {
            bail!("{p}: [comments] max_body must be at least 1");
        }
        let (pending, spam) = (self.comments.pending_above, self.comments.spam_above);
        if !(0.0..=1.0).contains(&pending) || !(0.0..=1.0).contains(&spam) || pending > spam {
            bail!(
                "{p}: [comments] pending_above ({pending}) and spam_above ({spam}) must be between 0 and 1, pending_above the smaller"
            );
        }
        let notify = &self.notify;
        if notify.email.is_some() != notify.smtp.is_some() {
            bail!(
                "{p}: [notify] email and smtp go together: the address to mail and the server to mail it through"
            );
        }
        if let Some(smtp) = &notify.smtp {
            match url::Url::parse(smtp) {
                Ok(url) if matches!(url.scheme(), "smtp" | "smtps") && url.host_str().is_some() => {
                    if url.password().is_some() {
                        bail!(
                            "{p}: [notify] smtp must not hold a password; set the QUILL_SMTP_PASSWORD environment variable instead"
                        );
                    }
                }
                _ => bail!(
                    "{p}: [notify] smtp must look like \"smtp://user@host:587\" (STARTTLS), \"smtps://user@host:465\" (TLS) or \"smtp://host:25\" without a login"
                ),
            }
        }
        if self.comments.max_depth == 0 {
            bail!("{p}: [comments] max_depth must be at least 1");
        }
        for code in self.languages.keys() {
            if *code == self.language {
                bail!(
                    "{p}: [languages.{code}] is the site's own language; list only the languages pages are translated into"
                );
            }
        }
        for name in self.taxonomies.keys() {
            if crate::content::slug::slugify(name) != *name || name == "posts" || name == "pages" {
                bail!(
                    "{p}: [taxonomies] {name:?} must be a plain lowercase name like \"series\" (it is the taxonomy's URL)"
                );
            }
        }
        let theme = &self.markdown.highlight_theme;
        if theme != "none" && crate::highlight::palette(theme).is_none() {
            bail!(
                "{p}: [markdown] highlight_theme \"{theme}\" is not a built-in palette (choose one of {}, or \"none\" to style code with the site's own CSS)",
                crate::highlight::PALETTES.join(", ")
            );
        }
        Ok(())
    }

    /// The path part of `base_url` without a trailing slash: `""` or `"/blog"`.
    pub fn base_path(&self) -> &str {
        let after_scheme = self.base_url.split_once("://").map_or("", |(_, rest)| rest);
        after_scheme.find('/').map_or("", |i| &after_scheme[i..])
    }

    /// An absolute URL for a site path such as `/posts/a/`.
    pub fn permalink(&self, path: &str) -> String {
        // Joined by hand: a site makes one per page and per link, and `format!` costs more.
        [self.base_url.as_str(), path].concat()
    }

    /// The path from the server root for a site path, including the base path.
    pub fn site_path(&self, path: &str) -> String {
        [self.base_path(), path].concat()
    }
}

/// Turns a toml error into `file:line: message`, suggesting the closest key for an unknown one.
fn describe_toml_error(err: &toml::de::Error, text: &str, path: &Path) -> String {
    let line = err.span().map(|s| line_of_offset(text, s.start));
    let location = match line {
        Some(l) => format!("{}:{l}", path.display()),
        None => path.display().to_string(),
    };
    let message = err.message().trim();
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = backticked(rest);
        if let Some((unknown, expected)) = names.split_first() {
            let hint = closest(unknown, expected)
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            return format!(
                "{location}: unknown key `{unknown}`{hint} (valid keys: {})",
                expected.join(", ")
            );
        }
    }
    format!("{location}: {message}")
}

/// The 1-based line of a byte offset.
pub fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

fn backticked(s: &str) -> Vec<&str> {
    s.split('`').skip(1).step_by(2).collect()
}

fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(word, c), *c))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SiteConfig> {
        SiteConfig::parse(text, Path::new("site.toml"))
    }

    #[test]
    fn defaults_fill_in() {
        let c = parse("title = \"T\"\nbase_url = \"https://e.org/\"\n").unwrap();
        assert_eq!(c.language, "en");
        assert_eq!(c.paginate_by, 10);
        assert_eq!(c.feed_limit, 20);
        assert_eq!(c.base_url, "https://e.org");
        assert_eq!(c.comments.database, "comments.db");
        assert_eq!(c.comments.max_body, 5000);
    }

    #[test]
    fn unknown_key_names_line_and_suggestion() {
        let err = parse("title = \"T\"\nbase_url = \"https://e.org\"\npaginate_bye = 3\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("site.toml:3:"), "{err}");
        assert!(err.contains("`paginate_bye`"), "{err}");
        assert!(err.contains("did you mean `paginate_by`"), "{err}");
    }

    #[test]
    fn unknown_comments_key_is_an_error() {
        let err = parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n[comments]\nmoderaton = \"auto\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("site.toml:4:"), "{err}");
        assert!(err.contains("did you mean `moderation`"), "{err}");
    }

    #[test]
    fn base_path_is_taken_from_base_url() {
        let c = parse("title = \"T\"\nbase_url = \"https://e.org/blog/\"\n").unwrap();
        assert_eq!(c.base_path(), "/blog");
        assert_eq!(c.site_path("/posts/a/"), "/blog/posts/a/");
        assert_eq!(c.permalink("/posts/a/"), "https://e.org/blog/posts/a/");
        let c = parse("title = \"T\"\nbase_url = \"https://e.org\"\n").unwrap();
        assert_eq!(c.base_path(), "");
    }

    #[test]
    fn permalinks_parse_with_their_style() {
        let c = parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n[permalinks]\nstyle = \"hugo\"\nposts = \"/:year/:slug/\"\nblog = \"/b/:slug/\"\n[slugify]\npaths = \"safe\"\n",
        )
        .unwrap();
        assert_eq!(c.permalinks.style, Style::Hugo);
        assert!(c.permalinks.for_posts("blog").is_some());
        // Hugo's keys are sections: `notes` has none, whatever `posts` says.
        assert!(c.permalinks.for_posts("posts").is_some());
        assert!(c.permalinks.for_posts("notes").is_none());
        assert!(c.permalinks.for_pages().is_none());
        let jekyll = parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n[permalinks]\nposts = \"/:year/:slug/\"\n",
        )
        .unwrap();
        assert_eq!(
            jekyll.permalinks.for_posts("notes"),
            jekyll.permalinks.for_posts("posts"),
            "Jekyll's permalink is every post's"
        );
        assert_eq!(c.slugify.paths, SlugMode::Safe);
        let err = parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n\n[permalinks]\nposts = \"/:yaer/:slug/\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("site.toml:4:"), "{err}");
        assert!(err.contains("unknown token `:yaer`"), "{err}");
        let c = parse(
            "title = \"T\"\nbase_url = \"https://e.org\"\n[permalinks]\nposts = \"pretty\"\n",
        )
        .unwrap();
        assert_eq!(
            c.permalinks.patterns["posts"], "/:categories/:year/:month/:day/:title/",
            "Jekyll's styles by name"
        );
    }

    #[test]
    fn relative_base_url_is_refused() {
        let err = parse("title = \"T\"\nbase_url = \"/blog\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("base_url must be an absolute"), "{err}");
    }
}
