//! Reading submissions as a stream: JSON Lines, a JSON array (element by element), or CSV with
//! a header row. Each record keeps its position and its original text for the rejects file.

use std::fmt;
use std::io::{BufRead, Read};

use anyhow::{Result, anyhow};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::fields::Columns;
use super::quotes::QuoteGuard;

/// The largest record read; a longer one is rejected, not loaded.
pub const MAX_RECORD_BYTES: usize = 1 << 20;

/// The input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// One JSON array of objects.
    Json,
    /// Comma-separated values with a header row.
    Csv,
}

impl Format {
    /// The format a file name implies, if any.
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            Some(Format::Jsonl)
        } else if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }

    /// The format the first bytes of the content suggest.
    pub fn sniff(start: &[u8]) -> Format {
        let text = String::from_utf8_lossy(start);
        match text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .chars()
            .next()
        {
            Some('[') => Format::Json,
            Some('{') => Format::Jsonl,
            _ => Format::Csv,
        }
    }
}

/// Where a record is in its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// A line of a JSON Lines or CSV file.
    Line(usize),
    /// The n-th element of a JSON array.
    Record(usize),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::Line(n) => write!(f, "line {n}"),
            Position::Record(n) => write!(f, "record {n}"),
        }
    }
}

/// A record as it was in the input, kept untouched for the rejects file.
#[derive(Debug, Clone)]
pub enum Raw {
    /// The exact text of a line.
    Text(String),
    /// Bytes that are not UTF-8, in hex.
    Hex(String),
    /// A JSON value (an element of an array).
    Json(Value),
    /// A CSV row by column.
    Row(Vec<(String, String)>),
}

/// One record read from an input.
#[derive(Debug)]
pub struct Record {
    /// Where it is.
    pub position: Position,
    /// Its columns, or why it could not be read as a submission.
    pub columns: Result<Columns, String>,
    /// The original, for the rejects file.
    pub raw: Raw,
}

/// Reads every record of `input`, calling `each` in order; stops at the first error `each` returns.
pub fn for_each(
    input: impl BufRead,
    format: Format,
    each: &mut dyn FnMut(Record) -> Result<()>,
) -> Result<()> {
    match format {
        Format::Jsonl => jsonl(input, each),
        Format::Json => json_array(input, each),
        Format::Csv => csv_rows(input, each),
    }
}

fn jsonl(mut input: impl BufRead, each: &mut dyn FnMut(Record) -> Result<()>) -> Result<()> {
    let mut line = 0;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = input
            .by_ref()
            .take(MAX_RECORD_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        line += 1;
        let position = Position::Line(line);
        if buf.len() > MAX_RECORD_BYTES && !buf.ends_with(b"\n") {
            // Skip the rest of the over-long line without holding it.
            let mut rest = Vec::new();
            while input
                .by_ref()
                .take(64 * 1024)
                .read_until(b'\n', &mut rest)?
                > 0
                && !rest.ends_with(b"\n")
            {
                rest.clear();
            }
            let columns = Err(format!("line is over {} bytes", MAX_RECORD_BYTES));
            each(Record {
                position,
                columns,
                raw: Raw::Text(String::from_utf8_lossy(&buf[..256]).into_owned() + "…"),
            })?;
            continue;
        }
        let text = match std::str::from_utf8(&buf) {
            Ok(text) => text.trim_end_matches(['\n', '\r']),
            Err(_) => {
                let columns = Err("not valid UTF-8".to_string());
                each(Record {
                    position,
                    columns,
                    raw: Raw::Hex(hex(&buf)),
                })?;
                continue;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        let columns = object_columns(text);
        each(Record {
            position,
            columns,
            raw: Raw::Text(text.to_string()),
        })?;
    }
}

fn json_array(input: impl Read, each: &mut dyn FnMut(Record) -> Result<()>) -> Result<()> {
    struct Elements<'f> {
        each: &'f mut dyn FnMut(Record) -> Result<()>,
        failure: Option<anyhow::Error>,
    }
    impl<'de> Visitor<'de> for &mut Elements<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON array of submissions")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            let mut index = 0;
            while let Some(element) = seq.next_element::<Box<RawValue>>()? {
                index += 1;
                let columns = object_columns(element.get());
                let raw = serde_json::from_str::<Value>(element.get()).unwrap_or(Value::Null);
                let record = Record {
                    position: Position::Record(index),
                    columns,
                    raw: Raw::Json(raw),
                };
                if let Err(e) = (self.each)(record) {
                    self.failure = Some(e);
                    return Err(serde::de::Error::custom("stopped"));
                }
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for &mut Elements<'_> {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    let mut elements = Elements {
        each,
        failure: None,
    };
    let mut de = serde_json::Deserializer::from_reader(input);
    let result = (&mut elements).deserialize(&mut de).and_then(|()| de.end());
    if let Some(failure) = elements.failure {
        return Err(failure);
    }
    result.map_err(|e| {
        anyhow!(
            "not a JSON array of submissions: {e}; nothing was stored (fix the file and run again)"
        )
    })
}

fn csv_rows(input: impl Read, each: &mut dyn FnMut(Record) -> Result<()>) -> Result<()> {
    let guarded = QuoteGuard::new(input, MAX_RECORD_BYTES);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(guarded);
    let headers: Vec<String> = reader
        .byte_headers()
        .map_err(|e| anyhow!("cannot read the CSV header row: {e}"))?
        .iter()
        .map(|h| {
            String::from_utf8_lossy(h)
                .trim()
                .trim_start_matches('\u{feff}')
                .to_lowercase()
        })
        .collect();
    for row in reader.byte_records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                let columns = Err(format!("not readable as CSV: {e}"));
                each(Record {
                    position: Position::Line(line),
                    columns,
                    raw: Raw::Text(String::new()),
                })?;
                continue;
            }
        };
        let position = Position::Line(row.position().map_or(0, |p| p.line() as usize));
        if row.as_slice().len() > MAX_RECORD_BYTES {
            let columns = Err(format!("row is over {MAX_RECORD_BYTES} bytes"));
            each(Record {
                position,
                columns,
                raw: Raw::Text(String::new()),
            })?;
            continue;
        }
        let mut pairs = Vec::with_capacity(row.len());
        let mut utf8 = true;
        for (i, field) in row.iter().enumerate() {
            let name = headers
                .get(i)
                .cloned()
                .unwrap_or_else(|| format!("column {}", i + 1));
            match std::str::from_utf8(field) {
                Ok(value) => pairs.push((name, value.to_string())),
                Err(_) => {
                    utf8 = false;
                    pairs.push((name, hex(field)));
                }
            }
        }
        let columns = match utf8 {
            true => row_columns(&pairs),
            false => Err(not_utf8(&pairs, row.iter())),
        };
        each(Record {
            position,
            columns,
            raw: Raw::Row(pairs),
        })?;
    }
    match reader.get_ref().open_quote() {
        // Every record read so far is in the run's transaction, which the error rolls back.
        Some(open) => Err(anyhow!(
            "{open}; nothing of this file was stored (close the quote, or write a quote inside a quoted field as \"\")"
        )),
        None => Ok(()),
    }
}

/// A row's non-empty values by column; a column given twice is refused rather than one of
/// its values silently kept, as a JSON key or a form field given twice is.
fn row_columns(pairs: &[(String, String)]) -> Result<Columns, String> {
    let mut seen = rustc_hash::FxHashSet::default();
    let mut columns = Columns::default();
    for (name, value) in pairs {
        if !seen.insert(name.as_str()) {
            return Err(given_twice(name));
        }
        if !value.is_empty() {
            columns.insert(name.clone(), value.clone());
        }
    }
    Ok(columns)
}

/// The reason for a record that names one field twice.
pub fn given_twice(field: &str) -> String {
    format!("field {field:?} given twice")
}

/// The reason for a row with a field that is not UTF-8, naming the first such field.
fn not_utf8<'r>(pairs: &[(String, String)], mut fields: impl Iterator<Item = &'r [u8]>) -> String {
    let bad = fields.position(|f| std::str::from_utf8(f).is_err());
    match bad.and_then(|i| pairs.get(i)) {
        Some((name, _)) => format!("field {name:?} is not valid UTF-8"),
        None => "not valid UTF-8".to_string(),
    }
}

/// A JSON object's fields as text columns, names lowercased. Numbers keep the text they were
/// written with (`1e20` stays `1e20`), and a key given twice is refused rather than one of its
/// values silently kept.
fn object_columns(text: &str) -> Result<Columns, String> {
    if !text.trim_start().starts_with('{') {
        return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => Err("not a JSON object".to_string()),
            Err(e) => Err(format!("not JSON: {e}")),
        };
    }
    let fields: Vec<(String, &RawValue)> = serde_json::from_str::<Fields<'_>>(text)
        .map_err(|e| format!("not JSON: {e}"))?
        .0;
    let mut columns = Columns::default();
    for (key, value) in fields {
        let raw = value.get();
        let text = match raw.as_bytes().first() {
            Some(b'"') => {
                serde_json::from_str::<String>(raw).map_err(|e| format!("not JSON: {e}"))?
            }
            // Nested data is no field of ours, and null is no value; they stay in the record.
            Some(b'{' | b'[' | b'n') | None => continue,
            Some(_) => raw.to_string(),
        };
        let name = column_name(key);
        if columns.contains_key(&name) {
            return Err(given_twice(&name));
        }
        columns.insert(name, text);
    }
    Ok(columns)
}

/// An object's members in order, duplicates included, each value as its JSON text.
struct Fields<'a>(Vec<(String, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields<'de>, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    members.push((key, map.next_value::<&'de RawValue>()?));
                }
                Ok(Fields(members))
            }
        }
        d.deserialize_map(Members)
    }
}

/// A column name trimmed and lowercased, reusing the name when it already is (the usual case).
fn column_name(name: String) -> String {
    let plain = name
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase() && !b.is_ascii_whitespace());
    if plain {
        name
    } else {
        name.trim().to_lowercase()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &[u8], format: Format) -> Vec<Record> {
        let mut out = Vec::new();
        for_each(text, format, &mut |r| {
            out.push(r);
            Ok(())
        })
        .unwrap();
        out
    }

    #[test]
    fn jsonl_keeps_going_after_bad_lines() {
        let records = read(
            b"{\"a\":\"1\"}\nnot json\n\n\xff\xfe\n[1]\n{\"A\": 2, \"n\": null}\n",
            Format::Jsonl,
        );
        let summary: Vec<(String, bool)> = records
            .iter()
            .map(|r| (r.position.to_string(), r.columns.is_ok()))
            .collect();
        assert_eq!(
            summary,
            [
                ("line 1".into(), true),
                ("line 2".into(), false),
                ("line 4".into(), false),
                ("line 5".into(), false),
                ("line 6".into(), true)
            ]
        );
        assert_eq!(records[4].columns.as_ref().unwrap()["a"], "2");
        assert!(matches!(records[2].raw, Raw::Hex(_)));
    }

    #[test]
    fn json_array_streams_elements() {
        let records = read(br#"[{"body": "x"}, 7, {"body": "y"}]"#, Format::Json);
        assert_eq!(records.len(), 3);
        assert_eq!(records[2].position, Position::Record(3));
        assert!(records[1].columns.is_err());
        let mut count = 0;
        let err = for_each(&br#"[{"body": "x"}, {"#[..], Format::Json, &mut |_| {
            count += 1;
            Ok(())
        })
        .unwrap_err();
        assert_eq!(count, 1);
        assert!(err.to_string().contains("not a JSON array"), "{err}");
    }

    #[test]
    fn csv_rows_with_lines() {
        let records = read(
            b"Name,Email,Comment\nAda,a@b.org,\"multi\nline\"\nBob,b@b.org,hi\n",
            Format::Csv,
        );
        assert_eq!(records.len(), 2);
        assert_eq!(
            records[0].columns.as_ref().unwrap()["comment"],
            "multi\nline"
        );
        assert_eq!(records[1].position, Position::Line(4));
    }

    #[test]
    fn a_field_given_twice_is_refused_in_json_and_csv() {
        let jsonl = read(
            b"{\"body\": \"a\", \"Body\": \"b\"}\n{\"body\": \"a\", \"body\": \"b\"}\n",
            Format::Jsonl,
        );
        for record in &jsonl {
            assert_eq!(
                record.columns.as_ref().unwrap_err(),
                "field \"body\" given twice"
            );
        }
        let array = read(
            br#"[{"email": "a@b.org", "email": "c@d.org"}]"#,
            Format::Json,
        );
        assert_eq!(
            array[0].columns.as_ref().unwrap_err(),
            "field \"email\" given twice"
        );
        let csv = read(b"body,email,body\nx,a@b.org,y\nx,a@b.org,\n", Format::Csv);
        for record in &csv {
            assert_eq!(
                record.columns.as_ref().unwrap_err(),
                "field \"body\" given twice",
                "even when one of the two is empty"
            );
        }
    }

    #[test]
    fn numbers_keep_the_text_they_were_written_with() {
        let records = read(
            b"{\"timestamp\": 1e20, \"id\": 12, \"x\": -0.50}\n",
            Format::Jsonl,
        );
        let columns = records[0].columns.as_ref().unwrap();
        assert_eq!(columns["timestamp"], "1e20");
        assert_eq!(columns["id"], "12");
        assert_eq!(columns["x"], "-0.50");
    }

    #[test]
    fn a_csv_field_that_is_not_utf8_is_named() {
        let records = read(b"name,body\nAda,\xff\n", Format::Csv);
        assert_eq!(
            records[0].columns.as_ref().unwrap_err(),
            "field \"body\" is not valid UTF-8"
        );
    }

    #[test]
    fn an_unterminated_quote_refuses_the_file_naming_its_line() {
        let text = b"post,username,email,body,id\nhello-world,Ann,ann@example.com,\"stray quote,c1\nhello-world,Ben,ben@example.com,ok,c2\n";
        let err = for_each(&text[..], Format::Csv, &mut |_| Ok(())).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("line 2: a quoted field opens here"),
            "{err}"
        );
        assert!(
            err.to_string().contains("nothing of this file was stored"),
            "{err}"
        );
    }

    #[test]
    fn formats_are_detected() {
        assert_eq!(Format::from_name("x.JSONL"), Some(Format::Jsonl));
        assert_eq!(Format::from_name("x.json"), Some(Format::Json));
        assert_eq!(Format::from_name("x.csv"), Some(Format::Csv));
        assert_eq!(Format::from_name("x.txt"), None);
        assert_eq!(Format::sniff(b"  [{"), Format::Json);
        assert_eq!(Format::sniff(b"{\"a\""), Format::Jsonl);
        assert_eq!(Format::sniff(b"name,email"), Format::Csv);
    }
}
