//! Permalink patterns (`/:year/:month/:slug/`) with the tokens of Jekyll and Hugo, and the
//! normalizing of every path a page can be given (a pattern, `path`, `permalink` or `url`).

use chrono::{DateTime, Datelike, Timelike, Utc};

/// Which generator's meaning `:title` and `:slug` take (`[permalinks] style`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Style {
    /// Jekyll: `:title` and `:slug` come from the file name (or the `slug` front matter).
    #[default]
    Jekyll,
    /// Hugo: `:title` is the front matter title; `:slug` the `slug`, else the title.
    Hugo,
    /// Zola: no patterns of its own; a path is its folders and slug, case kept, and each
    /// `[permalinks]` key is one section's, as in Hugo.
    Zola,
}

/// One piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Token(Token),
}

/// The tokens a pattern may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Year,
    ShortYear,
    Month,
    IMonth,
    Day,
    IDay,
    YDay,
    Hour,
    Minute,
    Second,
    Slug,
    Title,
    Filename,
    ContentBaseName,
    Section,
    Sections,
    Categories,
    Path,
    OutputExt,
}

const TOKENS: [(&str, Token); 19] = [
    ("year", Token::Year),
    ("short_year", Token::ShortYear),
    ("month", Token::Month),
    ("i_month", Token::IMonth),
    ("day", Token::Day),
    ("i_day", Token::IDay),
    ("y_day", Token::YDay),
    ("hour", Token::Hour),
    ("minute", Token::Minute),
    ("second", Token::Second),
    ("slug", Token::Slug),
    ("title", Token::Title),
    ("filename", Token::Filename),
    ("contentbasename", Token::ContentBaseName),
    ("section", Token::Section),
    ("sections", Token::Sections),
    ("categories", Token::Categories),
    ("path", Token::Path),
    ("output_ext", Token::OutputExt),
];

/// A parsed permalink pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    parts: Vec<Part>,
}

/// What a page gives a pattern's tokens, each already a URL segment (or, for `:sections` and
/// `:categories`, segments joined by `/`).
#[derive(Debug, Clone, Default)]
pub struct Values<'a> {
    /// The publication date; date tokens need one.
    pub date: Option<DateTime<Utc>>,
    /// `:slug`.
    pub slug: &'a str,
    /// `:title`.
    pub title: &'a str,
    /// `:filename` and `:contentbasename`: the file's stem, or a bundle's folder.
    pub filename: &'a str,
    /// `:section`: the first folder under `content/`.
    pub section: &'a str,
    /// `:sections`: the folders from `content/` down to the page's section.
    pub sections: &'a str,
    /// `:categories`, joined by `/`.
    pub categories: &'a str,
    /// `:path`: the folders under the top-level one and the file's name, as Jekyll's
    /// collection documents have it (`bread/sourdough` in `_recipes/`).
    pub path: &'a str,
}

impl Pattern {
    /// Parses a pattern; an unknown token is an error naming it and the known ones.
    pub fn parse(text: &str) -> Result<Pattern, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while let Some(colon) = rest.find(':') {
            if colon > 0 {
                parts.push(Part::Text(rest[..colon].to_string()));
            }
            let after = &rest[colon + 1..];
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            let name = &after[..len];
            // A token runs to the first character that cannot be in a name: `:title.html`.
            let token = TOKENS
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
                .ok_or_else(|| {
                    let known: Vec<String> = TOKENS.iter().map(|(n, _)| format!(":{n}")).collect();
                    format!(
                        "unknown token `:{name}` in {text:?} (known: {})",
                        known.join(" ")
                    )
                })?;
            parts.push(Part::Token(token));
            rest = &after[len..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_string()));
        }
        Ok(Pattern { parts })
    }

    /// Whether the pattern needs a date.
    pub fn uses_date(&self) -> bool {
        self.parts.iter().any(|p| {
            matches!(
                p,
                Part::Token(
                    Token::Year
                        | Token::ShortYear
                        | Token::Month
                        | Token::IMonth
                        | Token::Day
                        | Token::IDay
                        | Token::YDay
                        | Token::Hour
                        | Token::Minute
                        | Token::Second
                )
            )
        })
    }

    /// The pattern with `values` filled in, as a site path ([`normalize`]d); `None` when it
    /// needs a date the page does not have.
    pub fn expand(&self, values: &Values<'_>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Token(token) => {
                    let date = || values.date;
                    let text = match token {
                        Token::Year => format!("{:04}", date()?.year()),
                        Token::ShortYear => format!("{:02}", date()?.year() % 100),
                        Token::Month => format!("{:02}", date()?.month()),
                        Token::IMonth => date()?.month().to_string(),
                        Token::Day => format!("{:02}", date()?.day()),
                        Token::IDay => date()?.day().to_string(),
                        Token::YDay => format!("{:03}", date()?.ordinal()),
                        Token::Hour => format!("{:02}", date()?.hour()),
                        Token::Minute => format!("{:02}", date()?.minute()),
                        Token::Second => format!("{:02}", date()?.second()),
                        Token::Slug => values.slug.to_string(),
                        Token::Title => values.title.to_string(),
                        Token::Filename | Token::ContentBaseName => values.filename.to_string(),
                        Token::Section => values.section.to_string(),
                        Token::Sections => values.sections.to_string(),
                        Token::Path => values.path.to_string(),
                        Token::Categories => values.categories.to_string(),
                        Token::OutputExt => ".html".to_string(),
                    };
                    out.push_str(&text);
                }
            }
        }
        Some(collapse_slashes(&out))
    }
}

/// `a//b` is `a/b`: an empty token (no categories) leaves no empty segment, as in Jekyll.
fn collapse_slashes(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    for c in path.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    out
}

/// A path as a page's site path: a leading `/`; a last segment with an extension
/// (`/404.html`) is a file, anything else a folder (`/about` is `/about/`). A path that
/// leaves the site (`..`, a backslash) or is empty is an error.
pub fn normalize(path: &str) -> Result<String, String> {
    let path = collapse_slashes(&format!("/{}", path.trim()));
    if path.contains('\\')
        || path
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
    {
        return Err(format!(
            "{path:?} is not a path inside the site (write it like /2020/01/name/)"
        ));
    }
    if let Some(c) = path
        .chars()
        .find(|c| *c == '?' || *c == '#' || c.is_control())
    {
        return Err(format!(
            "{path:?} has {c:?}, which cannot be in a page's path (a link to it would stop there); give the page a slug or path without it"
        ));
    }
    let last = path.rsplit('/').next().unwrap_or("");
    if last.is_empty() || (last.contains('.') && !last.ends_with('.')) {
        Ok(path)
    } else {
        Ok(format!("{path}/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<DateTime<Utc>> {
        crate::content::dates::parse_date(text)
    }

    fn expand(pattern: &str, values: &Values<'_>) -> Option<String> {
        Pattern::parse(pattern).unwrap().expand(values)
    }

    #[test]
    fn jekyll_documented_examples() {
        // jekyllrb.com/docs/permalinks: _posts/2009-04-29-slap-chop.md with each built-in style.
        let post = Values {
            date: date("2009-04-29"),
            slug: "slap-chop",
            title: "slap-chop",
            filename: "2009-04-29-slap-chop",
            ..Values::default()
        };
        for (pattern, url) in [
            (
                "/:categories/:year/:month/:day/:title:output_ext",
                "/2009/04/29/slap-chop.html",
            ),
            (
                "/:categories/:year/:month/:day/:title/",
                "/2009/04/29/slap-chop/",
            ),
            (
                "/:categories/:year/:y_day/:title:output_ext",
                "/2009/119/slap-chop.html",
            ),
            ("/:categories/:title:output_ext", "/slap-chop.html"),
            ("/:title.html", "/slap-chop.html"),
            ("/:year/:i_month/:i_day/:slug/", "/2009/4/29/slap-chop/"),
            ("/:short_year/:month/:slug/", "/09/04/slap-chop/"),
        ] {
            assert_eq!(expand(pattern, &post).as_deref(), Some(url), "{pattern}");
        }
        let filed = Values {
            categories: "food/travel",
            ..post.clone()
        };
        assert_eq!(
            expand("/:categories/:title/", &filed).as_deref(),
            Some("/food/travel/slap-chop/")
        );
    }

    #[test]
    fn hugo_documented_examples() {
        // gohugo.io/configuration/permalinks: posts = '/articles/:year/:month/:slug/' and
        // tutorials = '/training/:slug/'.
        let post = Values {
            date: date("2023-03-01T10:11:12Z"),
            slug: "bash-in-slow-motion",
            title: "bash-in-slow-motion",
            filename: "bash-in-slow-motion",
            section: "posts",
            sections: "posts",
            ..Values::default()
        };
        assert_eq!(
            expand("/articles/:year/:month/:slug/", &post).as_deref(),
            Some("/articles/2023/03/bash-in-slow-motion/")
        );
        assert_eq!(
            expand("/:section/:year/:month/:day/:hour:minute:second/", &post).as_deref(),
            Some("/posts/2023/03/01/101112/")
        );
        assert_eq!(
            expand("/:sections/:contentbasename/", &post).as_deref(),
            Some("/posts/bash-in-slow-motion/")
        );
    }

    #[test]
    fn unknown_tokens_are_named() {
        let err = Pattern::parse("/:year/:nonsense/").unwrap_err();
        assert!(err.contains("unknown token `:nonsense`"), "{err}");
        assert!(err.contains(":slug"), "{err}");
    }

    #[test]
    fn date_tokens_need_a_date() {
        let page = Values {
            slug: "about",
            ..Values::default()
        };
        assert!(Pattern::parse("/:year/:slug/").unwrap().uses_date());
        assert_eq!(expand("/:year/:slug/", &page), None);
        assert_eq!(expand("/:slug/", &page).as_deref(), Some("/about/"));
    }

    #[test]
    fn paths_normalize() {
        assert_eq!(normalize("/404.html").unwrap(), "/404.html");
        assert_eq!(normalize("about").unwrap(), "/about/");
        assert_eq!(normalize("/about/").unwrap(), "/about/");
        assert_eq!(normalize("a//b").unwrap(), "/a/b/");
        assert_eq!(normalize("/").unwrap(), "/");
        assert!(normalize("/../etc/passwd").is_err());
        assert!(normalize("a\\b").is_err());
        assert!(normalize("/what?/").unwrap_err().contains("'?'"));
        assert!(normalize("/a#b/").is_err());
    }
}
