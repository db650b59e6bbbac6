//! URL-safe slugs: lowercase ASCII and hyphens, with non-ASCII text transliterated.

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
    fn jekyll_stems() {
        let (date, rest) = split_jekyll_stem("2021-03-04-my-trip").unwrap();
        assert_eq!(date.to_string(), "2021-03-04");
        assert_eq!(rest, "my-trip");
        assert!(split_jekyll_stem("2021-13-04-bad-month").is_none());
        assert!(split_jekyll_stem("my-trip").is_none());
        assert!(split_jekyll_stem("2021-03-04").is_none());
    }
}
