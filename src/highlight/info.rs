//! A fence's info string: the language and the options Zola and Hugo write after it.
//!
//! Zola: ```` ```rust,linenos,linenostart=10,hl_lines=1 3-5,name=main.rs ````.
//! Hugo: ```` ```go {linenos=table,hl_lines=[2,"4-6"],linenostart=199,title="main.go"} ````.
//! Options quill does not know (Hugo's `style`, Zola's `hide_lines`) are ignored, as an
//! unknown language is: a fence never fails a build.

/// What a fence's info string asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CodeInfo {
    /// The language as written, or empty.
    pub lang: String,
    /// Whether lines are numbered.
    pub linenos: bool,
    /// The number of the first line.
    pub linenostart: usize,
    /// Lines to mark, counted from the block's first line (1), as inclusive ranges.
    pub hl_lines: Vec<(usize, usize)>,
    /// A file name shown above the code.
    pub name: Option<String>,
}

impl CodeInfo {
    /// Reads an info string such as `rust,linenos` or `go {hl_lines=[2]}`.
    pub(crate) fn parse(info: &str) -> Self {
        let info = info.trim();
        let lang_end = info
            .find(|c: char| c == ',' || c == '{' || c.is_whitespace())
            .unwrap_or(info.len());
        let mut parsed = CodeInfo {
            lang: info[..lang_end].to_string(),
            linenostart: 1,
            ..CodeInfo::default()
        };
        for item in split_options(&info[lang_end..]) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim(), unquote(v.trim())),
                None => (item.trim(), ""),
            };
            match key {
                "linenos" => parsed.linenos = !matches!(value, "false" | "no" | "0"),
                "linenostart" => {
                    if let Ok(n) = value.parse() {
                        parsed.linenostart = n;
                    }
                }
                "hl_lines" => parsed.hl_lines = line_ranges(value),
                "name" | "title" if !value.is_empty() => parsed.name = Some(value.to_string()),
                _ => {}
            }
        }
        parsed
    }

    /// Whether line `n` (counted from 1 in the block) is marked.
    pub(crate) fn is_marked(&self, n: usize) -> bool {
        self.hl_lines.iter().any(|&(a, b)| (a..=b).contains(&n))
    }
}

/// The options after the language, split at commas and spaces outside quotes and brackets.
fn split_options(rest: &str) -> Vec<&str> {
    let rest = rest.trim().trim_start_matches(',');
    let rest = rest
        .strip_prefix('{')
        .map_or(rest, |r| r.strip_suffix('}').unwrap_or(r));
    // Hugo's highlight shortcode quotes its options as one string.
    let rest = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .filter(|r| !r.contains('"'))
        .unwrap_or(rest);
    let mut items = Vec::new();
    let (mut depth, mut quoted, mut start) = (0i32, false, 0);
    let bytes = rest.as_bytes();
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'"' => quoted = !quoted,
            b'[' if !quoted => depth += 1,
            b']' if !quoted => depth -= 1,
            b',' if !quoted && depth == 0 => {
                items.push(&rest[start..i]);
                start = i + 1;
            }
            // Hugo separates options with spaces too; Zola's `hl_lines=1 3-5` keeps its
            // spaces, since what follows a space there is a number, not a `key=`.
            b' ' if !quoted && depth == 0 && next_is_key(&rest[i + 1..]) => {
                items.push(&rest[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&rest[start..]);
    items.retain(|item| !item.trim().is_empty());
    items
}

fn next_is_key(rest: &str) -> bool {
    rest.trim_start()
        .bytes()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// `1 3-5`, `[2,"4-6"]` or `"2 4-6"` as ranges; parts that are not numbers are skipped.
fn line_ranges(value: &str) -> Vec<(usize, usize)> {
    value
        .split(|c: char| c == ',' || c.is_whitespace() || "[]\"".contains(c))
        .filter_map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            (a <= b).then_some((a, b))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zola_and_hugo_options() {
        for (info, lang, linenos, start, lines, name) in [
            ("rust", "rust", false, 1, vec![], None),
            ("", "", false, 1, vec![], None),
            ("rust,linenos", "rust", true, 1, vec![], None),
            (
                "rust,linenos,linenostart=10",
                "rust",
                true,
                10,
                vec![],
                None,
            ),
            (
                "rust,hl_lines=1 3-5",
                "rust",
                false,
                1,
                vec![(1, 1), (3, 5)],
                None,
            ),
            (
                "rust,name=main.rs,linenos",
                "rust",
                true,
                1,
                vec![],
                Some("main.rs"),
            ),
            (
                "go {linenos=table,hl_lines=[2,\"4-6\"],linenostart=199}",
                "go",
                true,
                199,
                vec![(2, 2), (4, 6)],
                None,
            ),
            ("go {linenos=false}", "go", false, 1, vec![], None),
            (
                "go {linenos=inline hl_lines=\"2 4-6\" title=\"main.go\"}",
                "go",
                true,
                1,
                vec![(2, 2), (4, 6)],
                Some("main.go"),
            ),
            (
                "python {style=monokai, hl_lines=[x, 3]}",
                "python",
                false,
                1,
                vec![(3, 3)],
                None,
            ),
        ] {
            let parsed = CodeInfo::parse(info);
            assert_eq!(parsed.lang, lang, "{info}");
            assert_eq!(parsed.linenos, linenos, "{info}");
            assert_eq!(parsed.linenostart, start, "{info}");
            assert_eq!(parsed.hl_lines, lines, "{info}");
            assert_eq!(parsed.name.as_deref(), name, "{info}");
        }
    }
}
