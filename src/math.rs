//! TeX to MathML at build time (pulldown-latex), so math needs no script and no web font:
//! browsers lay MathML Core out themselves.

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{Parser, RenderConfig, Storage, push_mathml};

/// Appends `tex` as a `<math>` element (a display block when `display`) to `out`, or returns
/// why it could not be typeset, with nothing written.
pub(crate) fn typeset(tex: &str, display: bool, out: &mut String) -> Result<(), String> {
    let storage = Storage::new();
    // The whole formula is parsed first: a formula with an error is shown as its source, not
    // as MathML with a red mark in the middle.
    let events: Vec<_> = Parser::new(tex, &storage).collect();
    if let Some(Err(error)) = events.iter().find(|e| e.is_err()) {
        let first_line = error.to_string();
        let reason = first_line
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("parsing error: ")
            .to_string();
        return Err(reason);
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    let mut mathml = String::new();
    push_mathml(&mut mathml, events.into_iter(), config).map_err(|e| e.to_string())?;
    // pulldown-latex escapes text but writes the operators `<`, `>` and `&` as they are, which
    // an HTML parser would take for markup: they are escaped here.
    for (raw, escaped) in [
        ("><</", ">&lt;</"),
        (">></", ">&gt;</"),
        (">&</", ">&amp;</"),
    ] {
        if mathml.contains(raw) {
            mathml = mathml.replace(raw, escaped);
        }
    }
    out.push_str(&mathml);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_mathml() {
        let mut out = String::new();
        typeset(r"\frac{a}{b} + x^2", false, &mut out).unwrap();
        assert!(out.starts_with("<math"), "{out}");
        assert!(out.contains("<mfrac>"), "{out}");
        let mut out = String::new();
        typeset(r"\sum_{i=1}^n i", true, &mut out).unwrap();
        assert!(out.contains("display=\"block\""), "{out}");
    }

    #[test]
    fn invalid_tex_is_an_error_and_writes_nothing() {
        let mut out = String::new();
        let err = typeset(r"\frac{a", false, &mut out).unwrap_err();
        assert!(!err.is_empty());
        assert!(out.is_empty());
        assert!(typeset(r"\nosuchcommand{x}", false, &mut out).is_err());
    }

    #[test]
    fn operators_html_would_read_as_markup_are_escaped() {
        let mut out = String::new();
        typeset(r"a < b > c \& d", false, &mut out).unwrap();
        assert!(
            out.contains("<mo>&lt;</mo>") && out.contains("<mo>&gt;</mo>"),
            "{out}"
        );
        assert!(out.contains(">&amp;</"), "{out}");
        let parsed = scraper::Html::parse_fragment(&out);
        let text: String = parsed.root_element().text().collect();
        assert_eq!(text.replace(char::is_whitespace, ""), "a<b>c&d");
    }
}
