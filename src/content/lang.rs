//! Translations in file names, as in Zola and Hugo: `trip.es.md`, `index.es.md` and
//! `_index.es.md` are the Spanish versions of `trip.md`, `index.md` and `_index.md`.

use std::path::Path;

/// A file's name without its extension, split into the name and the language code of a
/// translation: `("trip", Some("es"))` for `trip.es.md`.
pub fn split(file: &Path) -> (String, Option<String>) {
    let base = file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    match base.rsplit_once('.') {
        Some((name, code)) if !name.is_empty() && looks_like_a_language(code) => {
            (name.to_string(), Some(code.to_string()))
        }
        _ => (base, None),
    }
}

/// `es`, `pt-br`, `zh-hant`: two lowercase letters, and perhaps a region or script. Longer
/// suffixes (`v1.2`, `my.trip`) are part of the name.
fn looks_like_a_language(code: &str) -> bool {
    let (language, rest) = code.split_once('-').unwrap_or((code, ""));
    language.len() == 2
        && language.bytes().all(|b| b.is_ascii_lowercase())
        && (rest.is_empty()
            || ((2..=4).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())))
}

/// Whether the file is a bundle's `index.md` (or a translation of it).
pub fn is_bundle_index(file: &Path) -> bool {
    file.extension().is_some_and(|e| e == "md") && split(file).0 == "index"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_suffixes() {
        for (file, name, lang) in [
            ("trip.es.md", "trip", Some("es")),
            ("index.pt-br.md", "index", Some("pt-br")),
            ("_index.fr.md", "_index", Some("fr")),
            ("trip.md", "trip", None),
            ("notes.v1.2.md", "notes.v1.2", None),
            ("my.trip.md", "my.trip", None),
            ("a.ES.md", "a.ES", None),
            (".es.md", ".es", None),
        ] {
            let (n, l) = split(Path::new(file));
            assert_eq!((n.as_str(), l.as_deref()), (name, lang), "{file}");
        }
        assert!(is_bundle_index(Path::new("posts/a/index.es.md")));
        assert!(!is_bundle_index(Path::new("posts/a/_index.md")));
    }
}
