//! A small element tree over quick-xml's streaming reader, one record at a time: the exports
//! are read as a stream of records (Disqus `<thread>`/`<post>`, WordPress `<item>`), each
//! handed over as a little tree with the line it starts on, so messages can name the line.

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use quick_xml::Reader;
use quick_xml::events::Event;

/// An element of a record, by local name (`wp:comment` is `comment`, `dsq:id` is `id`).
#[derive(Debug, Clone, Default)]
pub(super) struct Element {
    /// The local name.
    pub name: String,
    /// Attributes by local name, unescaped.
    pub attrs: Vec<(String, String)>,
    /// Its own text and CDATA, concatenated, entities resolved.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// The line of the file it starts on (1-based).
    pub line: usize,
}

impl Element {
    /// The first child with this local name.
    pub(super) fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child with this local name.
    pub(super) fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child with this name; `None` when absent or blank.
    /// Trimmed because real exports wrap values in newlines and indentation.
    pub(super) fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// The value of an attribute by local name.
    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The element's own text and its children's, as a JSON object for the rejects file.
    pub(super) fn to_json(&self) -> serde_json::Value {
        let mut map = serde_json::Map::new();
        for (k, v) in &self.attrs {
            map.insert(format!("@{k}"), v.clone().into());
        }
        for child in &self.children {
            let value = if child.children.is_empty() && child.attrs.is_empty() {
                serde_json::Value::from(child.text.trim())
            } else {
                child.to_json()
            };
            // A repeated name (several <wp:comment>) keeps the first; records are small.
            map.entry(child.name.clone()).or_insert(value);
        }
        if map.is_empty() {
            return serde_json::Value::from(self.text.trim());
        }
        serde_json::Value::Object(map)
    }
}

/// Reads `path` and calls `each` with every element at `depth` (the root element is depth 1),
/// after checking that the root element is called `root`. `what` names the format for messages.
pub(super) fn records(
    path: &Path,
    root: &str,
    what: &str,
    depth: usize,
    each: &mut dyn FnMut(Element) -> Result<()>,
) -> Result<()> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "failed to read {} (is it a UTF-8 XML file?)",
            path.display()
        )
    })?;
    let mut reader = Reader::from_str(&text);
    let mut lines = LineCounter::default();
    // The open elements of the current record; below `depth` only the names matter.
    let mut stack: Vec<Element> = Vec::new();
    let mut level = 0usize;
    let mut seen_root = false;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let at = lines.line_at(&text, reader.error_position() as usize);
            anyhow!(
                "{}:{at}: malformed XML ({e}); fix the file or export it again",
                path.display()
            )
        })?;
        let line = lines.line_at(&text, start);
        match event {
            Event::Start(e) => {
                if level == 0 {
                    check_root(&e, root, what, path, line)?;
                    seen_root = true;
                }
                level += 1;
                if level >= depth && level > 1 {
                    stack.push(element(&e, line, path)?);
                }
            }
            Event::Empty(e) => {
                if level == 0 {
                    check_root(&e, root, what, path, line)?;
                    seen_root = true;
                } else if level + 1 >= depth {
                    let el = element(&e, line, path)?;
                    if level + 1 == depth {
                        each(el)?;
                    } else if let Some(parent) = stack.last_mut() {
                        parent.children.push(el);
                    }
                }
            }
            Event::End(_) => {
                if level >= depth {
                    let done = stack.pop().unwrap_or_default();
                    if level == depth {
                        each(done)?;
                    } else if let Some(parent) = stack.last_mut() {
                        parent.children.push(done);
                    }
                }
                level = level.saturating_sub(1);
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => top.text.push(c),
                        Ok(None) => match &*r {
                            "lt" => top.text.push('<'),
                            "gt" => top.text.push('>'),
                            "amp" => top.text.push('&'),
                            "apos" => top.text.push('\''),
                            "quot" => top.text.push('"'),
                            // An HTML entity in an XML file (&nbsp;): keep it for the HTML
                            // converter, which knows them.
                            other => {
                                top.text.push('&');
                                top.text.push_str(other);
                                top.text.push(';');
                            }
                        },
                        Err(e) => bail!(
                            "{}:{line}: bad character reference &{}; ({e})",
                            path.display(),
                            &*r
                        ),
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        bail!("{}: not {what} (no <{root}> element found)", path.display());
    }
    Ok(())
}

fn check_root(
    e: &quick_xml::events::BytesStart<'_>,
    root: &str,
    what: &str,
    path: &Path,
    line: usize,
) -> Result<()> {
    let name = e.local_name().as_ref().to_string();
    if name != root {
        bail!(
            "{}:{line}: not {what} (its root element is <{name}>, expected <{root}>)",
            path.display()
        );
    }
    Ok(())
}

fn element(e: &quick_xml::events::BytesStart<'_>, line: usize, path: &Path) -> Result<Element> {
    let mut attrs = Vec::new();
    for attr in e.attributes() {
        let attr =
            attr.map_err(|err| anyhow!("{}:{line}: malformed attribute ({err})", path.display()))?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| anyhow!("{}:{line}: malformed attribute ({err})", path.display()))?;
        attrs.push((
            attr.key.local_name().as_ref().to_string(),
            value.into_owned(),
        ));
    }
    Ok(Element {
        name: e.local_name().as_ref().to_string(),
        attrs,
        line,
        ..Element::default()
    })
}

/// Turns byte offsets into line numbers, counting forward only once.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    line: usize,
}

impl LineCounter {
    fn line_at(&mut self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        if offset < self.offset {
            // An error position can lie behind the last event; count from the start.
            return 1 + text.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
        }
        self.line += text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.offset = offset;
        self.line + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_with_cdata_entities_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.xml");
        std::fs::write(
            &path,
            "<?xml version=\"1.0\"?>\n<r xmlns:x=\"u\">\n  <x:rec x:id=\"7\">\n    <a>1 &amp; &#233;</a>\n    <b><![CDATA[<p>hi</p>]]></b>\n    <c/>\n  </x:rec>\n  <x:rec x:id=\"8\"/>\n</r>\n",
        )
        .unwrap();
        let mut got = Vec::new();
        records(&path, "r", "a test file", 2, &mut |e| {
            got.push(e);
            Ok(())
        })
        .unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "rec");
        assert_eq!(got[0].attr("id"), Some("7"));
        assert_eq!(got[0].line, 3);
        assert_eq!(got[0].text_of("a"), Some("1 & é"));
        assert_eq!(got[0].text_of("b"), Some("<p>hi</p>"));
        assert!(got[0].child("c").is_some());
        assert_eq!(got[1].attr("id"), Some("8"));
        assert_eq!(got[1].line, 8);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.xml");
        std::fs::write(&path, "<r>\n<rec>\n<a>x</b>\n</rec></r>").unwrap();
        let err = records(&path, "r", "a test file", 2, &mut |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("bad.xml:3:"), "{err}");
        let err = records(&path, "rss", "a WordPress export", 2, &mut |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a WordPress export"), "{err}");
    }
}
