//! URL-safe slugs: lowercase ASCII and hyphens, with non-ASCII text transliterated; or, for
//! paths under `[slugify] paths`, Zola's gentler "safe" and "off" modes.

/// How file and folder names become URL segments: `[slugify] paths`, with Zola's meanings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SlugMode {
    /// Lowercase ASCII and hyphens ([`slugify`]); quill's default.
    #[default]
    On,
    /// Case, underscores, dots and letters kept, as Jekyll and Hugo keep them; only what is
    /// unsafe in a URL or a file name goes, and whitespace becomes a hyphen.
    Safe,
    /// The name exactly as written.
    Off,
}

/// A file or folder name as a URL segment under `mode`.
pub fn slugify_path(text: &str, mode: SlugMode) -> String {
    match mode {
        SlugMode::On => slugify(text),
        SlugMode::Safe => safe(text),
        SlugMode::Off => text.to_string(),
    }
}

/// Zola's "safe": drops the characters that are unsafe in file paths or that end a URL's
/// path (`<>:/|?*#\()[]`, quotes and control characters) and turns runs of whitespace into
/// one hyphen.
fn safe(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_hyphen = false;
    for c in text.trim().chars() {
        if c.is_whitespace() {
            pending_hyphen = true;
        } else if c.is_control() || "<>:/|?*#\\()[]\"'%".contains(c) {
            continue;
        } else {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            out.push(c);
        }
    }
    // A name of dots alone would climb out of its folder.
    if out.chars().all(|c| c == '.') {
        out.clear();
    }
    out
}

/// Turns any text into a slug: `"Héllo, World!"` becomes `"hello-world"`.
///
/// Text with nothing transliterable (only symbols) gives an empty slug; callers decide the fallback.
pub fn slugify(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut slug = String::with_capacity(ascii.len());
    let mut pending_hyphen = false;
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            if pending_hyphen && !slug.is_empty() {
                slug.push('-');
            }
            pending_hyphen = false;
            slug.push(c.to_ascii_lowercase());
        } else {
            pending_hyphen = true;
        }
    }
    slug
}

/// Splits a Jekyll file stem `2021-03-04-my-trip` into its date and the rest.
pub fn split_jekyll_stem(stem: &str) -> Option<(chrono::NaiveDate, &str)> {
    let date_part = stem.get(..10)?;
    let rest = stem.get(10..)?.strip_prefix('-')?;
    let date = chrono::NaiveDate::parse_from_str(date_part, "%Y-%m-%d").ok()?;
    (!rest.is_empty()).then_some((date, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for (input, expected) in [
            ("Hello World", "hello-world"),
            ("  Hello,   World!  ", "hello-world"),
            ("Crème brûlée à Paris", "creme-brulee-a-paris"),
            ("Ünïcödé & Co.", "unicode-co"),
            ("Rust 2024: what's new?", "rust-2024-what-s-new"),
            ("already-a-slug", "already-a-slug"),
            ("日本語", "ri-ben-yu"),
            ("<script>alert(1)</script>", "script-alert-1-script"),
            ("!!!", ""),
        ] {
            assert_eq!(slugify(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn path_modes() {
        for (input, on, safe) in [
            (
                "using_matlab_class_methods",
                "using-matlab-class-methods",
                "using_matlab_class_methods",
            ),
            ("My Trip v1.2", "my-trip-v1-2", "My-Trip-v1.2"),
            ("Crème brûlée", "creme-brulee", "Crème-brûlée"),
            ("what?#[x](y)", "what-x-y", "whatxy"),
            ("..", "", ""),
        ] {
            assert_eq!(slugify_path(input, SlugMode::On), on, "on {input:?}");
            assert_eq!(slugify_path(input, SlugMode::Safe), safe, "safe {input:?}");
            assert_eq!(slugify_path(input, SlugMode::Off), input, "off {input:?}");
        }
    }

    #[test]
    fn jekyll_stems() {
        let (date, rest) = split_jekyll_stem("2021-03-04-my-trip").unwrap();
        assert_eq!(date.to_string(), "2021-03-04");
        assert_eq!(rest, "my-trip");
        assert!(split_jekyll_stem("2021-13-04-bad-month").is_none());
        assert!(split_jekyll_stem("my-trip").is_none());
        assert!(split_jekyll_stem("2021-03-04").is_none());
    }
}
