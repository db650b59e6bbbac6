//! Stencils: a component rendered once for every comment of one shape, then filled in.
//!
//! Rendering the site's `comment_item` component through Tera for each of 100,000 comments
//! costs more than everything else a comment costs. But what a comment component prints of a
//! comment is, nearly always, its values escaped (or marked safe) in fixed places, with
//! `if`s only on whether a value is there (an avatar, a parent, replies). So the component is
//! rendered once per shape (which values are null, which flags are set) with a probe whose
//! strings and numbers are markers, the markers are found in the output, and each comment of
//! that shape is the output with its own values put where the markers were.
//!
//! A component that does more with a value (`upper`, `truncate`) changes the marker, which is
//! then not found, and that shape is rendered per comment; the first comment of each shape in
//! a build is also rendered by Tera and compared (a build's pages share their stencils). An
//! `if` on a particular value (a name) would go unseen, so stencils are used only for quill's
//! own comment component (a site that overrides `partials/comments.html` has each comment
//! rendered by Tera).

use std::hash::Hasher;

use serde_json::Value;

/// A marker's start and end: characters of Unicode's private use area, which no escaping
/// touches.
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';
/// Numbers are probed with this plus their slot, printed as digits.
const NUMBER_BASE: u64 = 9_876_543_210_000;
/// The body (the replies' HTML) is probed with this marker.
const BODY: &str = "\u{E000}body&\u{E001}";

/// A value of a comment where a stencil has a slot, borrowed from the comment.
#[derive(Debug)]
pub(super) enum Leaf<'v> {
    /// A string, escaped or not as the component prints it.
    Text(&'v str),
    /// A number, printed as JSON prints it.
    Number(serde_json::Number),
}

/// What a comment's values are, flattened in a fixed order, and its shape: which values are
/// null, the flags, and where the strings and numbers are.
#[derive(Debug, Default)]
pub(super) struct Flat<'v> {
    /// The strings and numbers, in order.
    pub leaves: Vec<Leaf<'v>>,
    /// A digest of the shape: the same for every comment a stencil fits.
    pub shape: u64,
}

/// Flattens a value piece by piece, in the order `serde_json::Value` walks it (an object's
/// keys sorted): what `flatten` does for any value, and what a caller that knows its
/// comment's fields can do by hand, without making the value.
#[derive(Default)]
pub(super) struct Flattener<'v> {
    leaves: Vec<Leaf<'v>>,
    shape: rustc_hash::FxHasher,
}

impl<'v> Flattener<'v> {
    /// Room for a comment's values.
    pub(super) fn new() -> Flattener<'v> {
        Flattener {
            leaves: Vec::with_capacity(12),
            shape: rustc_hash::FxHasher::default(),
        }
    }

    /// A null.
    pub(super) fn null(&mut self) {
        self.shape.write_u8(b'0');
    }

    /// A flag.
    #[cfg(test)]
    pub(super) fn bool(&mut self, b: bool) {
        self.shape.write_u8(if b { b't' } else { b'f' });
    }

    /// A number.
    pub(super) fn number(&mut self, n: serde_json::Number) {
        self.shape.write_u8(b'n');
        self.leaves.push(Leaf::Number(n));
    }

    /// A string: an empty one is falsy in a template, so part of the shape, not a slot.
    pub(super) fn text(&mut self, s: &'v str) {
        if s.is_empty() {
            self.shape.write_u8(b'e');
        } else {
            self.shape.write_u8(b's');
            self.leaves.push(Leaf::Text(s));
        }
    }

    /// A string or a null.
    pub(super) fn optional_text(&mut self, s: Option<&'v str>) {
        match s {
            Some(s) => self.text(s),
            None => self.null(),
        }
    }

    /// The start and end of an array.
    pub(super) fn array(&mut self, open: bool) {
        self.shape.write_u8(if open { b'[' } else { b']' });
    }

    /// The start and end of an object.
    pub(super) fn object(&mut self, open: bool) {
        self.shape.write_u8(if open { b'{' } else { b'}' });
    }

    /// An object's key, before its value; keys come in sorted order.
    pub(super) fn key(&mut self, key: &str) {
        self.shape.write(key.as_bytes());
        self.shape.write_u8(b':');
    }

    /// An object's key with a string or null as its value.
    pub(super) fn text_field(&mut self, key: &str, s: Option<&'v str>) {
        self.key(key);
        self.optional_text(s);
    }

    /// The values and shape, with whether the comment has a body (replies).
    pub(super) fn finish(mut self, has_body: bool) -> Flat<'v> {
        self.shape.write_u8(u8::from(has_body));
        Flat {
            leaves: self.leaves,
            shape: self.shape.finish(),
        }
    }
}

/// Flattens a comment's value (without its replies): what the renderer does from a comment's
/// fields (`thread::flatten`), kept as the reference a test holds it to.
#[cfg(test)]
pub(super) fn flatten(value: &Value, has_body: bool) -> Flat<'_> {
    let mut flat = Flattener::new();
    walk(value, &mut flat);
    flat.finish(has_body)
}

#[cfg(test)]
fn walk<'v>(value: &'v Value, flat: &mut Flattener<'v>) {
    match value {
        Value::Null => flat.null(),
        Value::Bool(b) => flat.bool(*b),
        Value::Number(n) => flat.number(n.clone()),
        Value::String(s) => flat.text(s),
        Value::Array(items) => {
            flat.array(true);
            for item in items {
                walk(item, flat);
            }
            flat.array(false);
        }
        Value::Object(map) => {
            flat.object(true);
            for (key, item) in map {
                flat.key(key);
                walk(item, flat);
            }
            flat.object(false);
        }
    }
}

/// The probe for a comment's shape: the same value with each string and number replaced by
/// its marker.
pub(super) fn probe(value: &Value) -> Value {
    let mut slot = 0;
    probe_walk(value, &mut slot)
}

fn probe_walk(value: &Value, slot: &mut usize) -> Value {
    match value {
        Value::Number(_) => {
            let marker = NUMBER_BASE + *slot as u64;
            *slot += 1;
            Value::from(marker)
        }
        Value::String(s) if !s.is_empty() => {
            // A letter, so that a filter that changes case changes the marker.
            let marker = format!("{OPEN}s{slot}&{CLOSE}");
            *slot += 1;
            Value::String(marker)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| probe_walk(i, slot)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), probe_walk(v, slot)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The body to probe a shape with: the marker when the comment has replies.
pub(super) fn probe_body(has_body: bool) -> &'static str {
    if has_body { BODY } else { "" }
}

/// A piece of a stencil.
#[derive(Debug, PartialEq)]
enum Part {
    Literal(String),
    Text { slot: usize, escaped: bool },
    Number(usize),
    Body,
}

/// A component's output for one shape, with the places its values go.
#[derive(Debug, PartialEq)]
pub(super) struct Stencil {
    parts: Vec<Part>,
}

impl Stencil {
    /// Reads the output of the probe of a shape with `slots` values; `None` when a marker
    /// is missing its end, names no slot, or was changed (by a filter): that shape must be
    /// rendered per comment.
    pub(super) fn parse(output: &str, slots: usize) -> Option<Stencil> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let digits = NUMBER_BASE.to_string();
        let prefix = &digits[..digits.len() - 2];
        let mut rest = output;
        loop {
            let text = rest.find(OPEN);
            let number = rest.find(prefix);
            let at = match (text, number) {
                (None, None) => break,
                (Some(t), Some(n)) => t.min(n),
                (Some(t), None) => t,
                (None, Some(n)) => n,
            };
            literal.push_str(&rest[..at]);
            rest = &rest[at..];
            if !literal.is_empty() {
                parts.push(Part::Literal(std::mem::take(&mut literal)));
            }
            if let Some(after) = rest.strip_prefix(OPEN) {
                let end = after.find(CLOSE)?;
                let inner = &after[..end];
                rest = &after[end + CLOSE.len_utf8()..];
                if inner == "body&" {
                    parts.push(Part::Body);
                    continue;
                }
                let (slot, escaped) = match inner.strip_suffix("&amp;") {
                    Some(slot) => (slot, true),
                    None => (inner.strip_suffix('&')?, false),
                };
                let slot: usize = slot.strip_prefix('s')?.parse().ok()?;
                if slot >= slots {
                    return None;
                }
                parts.push(Part::Text { slot, escaped });
            } else {
                let number = rest.get(..digits.len())?;
                let slot = number
                    .parse::<u64>()
                    .ok()?
                    .checked_sub(NUMBER_BASE)
                    .and_then(|s| usize::try_from(s).ok())?;
                if slot >= slots {
                    return None;
                }
                parts.push(Part::Number(slot));
                rest = &rest[digits.len()..];
            }
        }
        literal.push_str(rest);
        if literal.contains(CLOSE) {
            return None;
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        Some(Stencil { parts })
    }

    /// Appends the output for a comment of this shape to `out`; false, with `out` as it was,
    /// if its values do not fit (a number where the probe had a string, say), when it must
    /// be rendered itself.
    pub(super) fn fill_into(&self, leaves: &[Leaf], body: &str, out: &mut String) -> bool {
        let start = out.len();
        let filled = self.fill_parts(leaves, body, out);
        if !filled {
            out.truncate(start);
        }
        filled
    }

    /// The output for a comment of this shape, if its values fit.
    pub(super) fn fill(&self, leaves: &[Leaf], body: &str) -> Option<String> {
        let mut out = String::with_capacity(256 + body.len());
        self.fill_into(leaves, body, &mut out).then_some(out)
    }

    fn fill_parts(&self, leaves: &[Leaf], body: &str, out: &mut String) -> bool {
        use std::fmt::Write as _;
        for part in &self.parts {
            match (part, leaves.get(part_slot(part))) {
                (Part::Literal(text), _) => out.push_str(text),
                (Part::Body, _) => out.push_str(body),
                (Part::Text { escaped: true, .. }, Some(Leaf::Text(text))) => {
                    escape_into(text, out)
                }
                (Part::Text { escaped: false, .. }, Some(Leaf::Text(text))) => out.push_str(text),
                (Part::Number(_), Some(Leaf::Number(n))) => {
                    if write!(out, "{n}").is_err() {
                        return false;
                    }
                }
                _ => return false,
            }
        }
        true
    }
}

/// The slot a part fills, if any (`usize::MAX`, which no leaf has, for one that fills none).
fn part_slot(part: &Part) -> usize {
    match part {
        Part::Text { slot, .. } | Part::Number(slot) => *slot,
        Part::Literal(_) | Part::Body => usize::MAX,
    }
}

/// Escapes text as Tera's autoescape does ([`tera::escape_html`], whose byte-by-byte writes
/// cost more than a comment's other values), straight into `out`.
fn escape_into(text: &str, out: &mut String) {
    let mut plain = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escaped = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[plain..i]);
        out.push_str(escaped);
        plain = i + 1;
    }
    out.push_str(&text[plain..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_tell_nulls_flags_and_empty_strings_apart() {
        let a = serde_json::json!({"id": 1, "name": "Ada", "avatar": null, "ok": true});
        let b = serde_json::json!({"id": 2, "name": "Bo", "avatar": null, "ok": true});
        let c = serde_json::json!({"id": 3, "name": "Cy", "avatar": "x", "ok": true});
        let d = serde_json::json!({"id": 4, "name": "", "avatar": null, "ok": true});
        let shape = |v: &Value| flatten(v, false).shape;
        assert_eq!(shape(&a), shape(&b));
        assert_ne!(shape(&a), shape(&c));
        assert_ne!(shape(&a), shape(&d));
        assert_ne!(flatten(&a, true).shape, shape(&a));
    }

    #[test]
    fn a_probe_output_becomes_a_stencil_filled_with_each_comments_values() {
        let value = serde_json::json!({"id": 7, "name": "A&B", "body": "<p>hi</p>"});
        let probed = probe(&value);
        // What a component might print of the probe: the id, the name escaped, the body raw.
        let id = probed["id"].to_string();
        let name = probed["name"].as_str().unwrap().replace('&', "&amp;");
        let body = probed["body"].as_str().unwrap();
        let output = format!("<li id=\"c-{id}\">{name}: {body}{BODY}</li>");
        let stencil = Stencil::parse(&output, 3).expect("a stencil");
        assert_eq!(
            stencil
                .fill(&flatten(&value, false).leaves, "<ol>r</ol>")
                .as_deref(),
            Some("<li id=\"c-7\">A&amp;B: <p>hi</p><ol>r</ol></li>")
        );
    }

    #[test]
    fn text_is_escaped_as_tera_escapes_it() {
        let corpus = include_str!("../../tests/corpora/xss-payloads.txt");
        for text in corpus
            .lines()
            .chain(["", "plain", "&<>\"'", "é&é", "a'b\"c"])
        {
            let mut tera = Vec::new();
            tera::escape_html(text, &mut tera).unwrap();
            let mut ours = String::from("x");
            escape_into(text, &mut ours);
            assert_eq!(ours.as_bytes()[1..], tera[..], "{text:?}");
        }
    }

    #[test]
    fn changed_or_unknown_markers_give_no_stencil() {
        let probed = probe(&serde_json::json!({"name": "x"}));
        let marker = probed["name"].as_str().unwrap().to_string();
        assert!(Stencil::parse(&marker.replace('&', "&amp;"), 1).is_some());
        assert!(Stencil::parse(&marker.to_uppercase(), 1).is_none(), "upper");
        assert!(Stencil::parse(&marker[..4], 1).is_none(), "cut by truncate");
        assert!(
            Stencil::parse("\u{E000}s9&\u{E001}", 1).is_none(),
            "no such slot"
        );
        assert!(Stencil::parse("\u{E000}x\u{E001}", 1).is_none());
        assert!(Stencil::parse("a\u{E001}b", 1).is_none());
        assert!(
            Stencil::parse("987654321", 1).is_some(),
            "not a whole number marker"
        );
        assert_eq!(
            Stencil::parse("plain", 0),
            Some(Stencil {
                parts: vec![Part::Literal("plain".into())]
            })
        );
    }
}
