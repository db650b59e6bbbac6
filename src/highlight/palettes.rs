//! The built-in code palettes, each a light and a dark set of colours for the token classes,
//! added to `style.css`; `highlight_theme = "none"` leaves the styling to the site's CSS.

/// The palette a site gets unless it names another.
pub(crate) const DEFAULT_PALETTE: &str = "quill";

/// The built-in palettes' names.
pub(crate) const PALETTES: [&str; 2] = ["quill", "mono"];

/// The layout every palette shares: marked lines, line numbers, file names.
const LAYOUT: &str = "\
.hl-co, .hl-em { font-style: italic; }
.hl-he, .hl-sg, .hl-pr { font-weight: 700; }
.hl-line.hl-mark { display: inline-block; min-width: 100%; background: var(--hl-mark); }
.hl-line[data-n]::before { content: attr(data-n); display: inline-block; min-width: 3ch; margin-right: 1.5ch; text-align: right; color: var(--hl-ln); -webkit-user-select: none; user-select: none; }
.hl-file { margin: 1rem 0; }
.hl-file figcaption { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.85em; color: var(--muted); }
.hl-file pre { margin-top: 0.25rem; }
";

/// Token colours by class, light then dark, for the `quill` palette. Chosen against the
/// theme's code background (`#f3f1ee`, `#22262c`) and the marked line's, at a contrast of
/// at least 4.5:1 (a unit test checks).
const QUILL: [(&str, &str, &str); 15] = [
    ("kw", "#b3163a", "#ff8a80"),
    ("ty", "#8a4600", "#ffb86c"),
    ("fn", "#6639ba", "#d2a8ff"),
    ("st", "#0a5a2a", "#a5e6b0"),
    ("nu", "#0550ae", "#8cc8ff"),
    ("li", "#0550ae", "#8cc8ff"),
    ("co", "#5c636b", "#a0a8b3"),
    ("me", "#7a4b00", "#e8c07a"),
    ("va", "#953800", "#ffa874"),
    ("at", "#0b5f86", "#80d4ff"),
    ("ta", "#116329", "#8ce99a"),
    ("pr", "#5c636b", "#a0a8b3"),
    ("in", "#116329", "#8ce99a"),
    ("de", "#a40e26", "#ffa198"),
    ("he", "#0550ae", "#8cc8ff"),
];

/// The marked line's background, light and dark.
const MARK: (&str, &str) = ("#e9e1c4", "#3a3526");
/// Line numbers, light and dark.
const LINE_NUMBERS: (&str, &str) = ("#5c636b", "#a0a8b3");

/// The CSS of a built-in palette, or `None` for a name that is not one.
pub(crate) fn palette(name: &str) -> Option<String> {
    let colours: &[(&str, &str, &str)] = match name {
        "quill" => &QUILL,
        // Structure alone: keywords bold, comments italic, the text's own colour.
        "mono" => &[],
        _ => return None,
    };
    let mut css = format!("/* Code palette \"{name}\": token classes are quill's hl-*. */\n");
    let vars = |light: bool| {
        let pick = |pair: (&'static str, &'static str)| if light { pair.0 } else { pair.1 };
        let mut vars = format!(
            "--hl-mark: {}; --hl-ln: {};",
            pick(MARK),
            pick(LINE_NUMBERS)
        );
        for (class, l, d) in colours {
            vars.push_str(&format!(" --hl-{class}: {};", if light { l } else { d }));
        }
        vars
    };
    css.push_str(&format!(":root {{ {} }}\n", vars(true)));
    css.push_str(&format!(
        "@media (prefers-color-scheme: dark) {{ :root {{ {} }} }}\n",
        vars(false)
    ));
    for (class, _, _) in colours {
        css.push_str(&format!(".hl-{class} {{ color: var(--hl-{class}); }}\n"));
    }
    if colours.is_empty() {
        css.push_str(".hl-kw, .hl-ta { font-weight: 700; }\n");
    }
    css.push_str(LAYOUT);
    Some(css)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.03928 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    fn contrast(a: &str, b: &str) -> f64 {
        let (a, b) = (luminance(a), luminance(b));
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    #[test]
    fn every_colour_passes_wcag_aa_on_code_and_marked_lines() {
        let backgrounds = [("#f3f1ee", MARK.0), ("#22262c", MARK.1)];
        let numbers = [LINE_NUMBERS.0, LINE_NUMBERS.1];
        for (class, light, dark) in QUILL.iter().chain([&("ln", numbers[0], numbers[1])]) {
            for (colour, (code, mark)) in [(light, backgrounds[0]), (dark, backgrounds[1])] {
                for bg in [code, mark] {
                    let ratio = contrast(colour, bg);
                    assert!(ratio >= 4.5, "{class} {colour} on {bg}: {ratio:.2}");
                }
            }
        }
    }

    #[test]
    fn palettes_are_known_by_name() {
        for name in PALETTES {
            let css = palette(name).unwrap();
            assert!(css.contains(".hl-line[data-n]::before"), "{name}");
        }
        assert!(
            palette("quill")
                .unwrap()
                .contains(".hl-kw { color: var(--hl-kw); }")
        );
        assert!(palette("solarized").is_none());
    }
}
