//! The arguments of a call: Zola's `key=value` lists and the words of Hugo and Liquid, as
//! JSON values for a template.

use serde_json::{Map, Number, Value};

/// One Zola argument list: `key = value` pairs separated by commas; values are strings in any
/// quotes, numbers, booleans and lists of those.
pub(super) fn zola_args(args: &str) -> Result<Map<String, Value>, String> {
    let mut named = Map::new();
    let mut rest = args.trim();
    while !rest.is_empty() {
        let Some(eq) = rest.find('=') else {
            return Err(format!(
                "cannot read `{}` (arguments are written key=value, separated by commas)",
                short(rest)
            ));
        };
        let key = rest[..eq].trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("`{}` is not an argument name", short(key)));
        }
        let (value, after) = zola_value(rest[eq + 1..].trim_start())?;
        named.insert(key.to_string(), value);
        rest = after.trim_start();
        match rest.strip_prefix(',') {
            Some(after) => rest = after.trim_start(),
            None if rest.is_empty() => {}
            None => return Err(format!("expected a comma before `{}`", short(rest))),
        }
    }
    Ok(named)
}

fn zola_value(text: &str) -> Result<(Value, &str), String> {
    if let Some(q) = text
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))
    {
        let bytes = text.as_bytes();
        let end = closing_quote(bytes, 1, q as u8)
            .ok_or_else(|| format!("the quote {q} in `{}` is not closed", short(text)))?;
        let raw = &text[1..end];
        let value = if q == '"' {
            unescape(raw)
        } else {
            raw.to_string()
        };
        return Ok((Value::String(value), &text[end + 1..]));
    }
    if let Some(mut rest) = text.strip_prefix('[') {
        let mut items = Vec::new();
        loop {
            rest = rest.trim_start();
            if let Some(after) = rest.strip_prefix(']') {
                return Ok((Value::Array(items), after));
            }
            let (item, after) = zola_value(rest)?;
            items.push(item);
            rest = after.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest);
            if rest.is_empty() {
                return Err("a list `[` is not closed with `]`".to_string());
            }
        }
    }
    let end = text
        .find(|c: char| c == ',' || c == ']' || c.is_whitespace())
        .unwrap_or(text.len());
    let word = &text[..end];
    let value = scalar(word).ok_or_else(|| {
        let word = short(word);
        format!("`{word}` is not a value (quote text: \"{word}\"; numbers and true/false are bare)")
    })?;
    Ok((value, &text[end..]))
}

/// A bare word as a value: a boolean or a number.
fn scalar(word: &str) -> Option<Value> {
    match word {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        _ => word.parse::<i64>().ok().map(Value::from).or_else(|| {
            word.parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
        }),
    }
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Hugo's and Liquid's arguments: words separated by spaces, each `"quoted"`, `` `raw` ``,
/// bare, or `key=value` with such a value.
pub(super) fn words(args: &str) -> Result<(Vec<Value>, Map<String, Value>), String> {
    let mut positional = Vec::new();
    let mut named = Map::new();
    let bytes = args.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() || bytes[i] == b',' {
            i += 1;
            continue;
        }
        let key_end = args[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map_or(args.len(), |n| i + n);
        let key = (key_end > i && bytes.get(key_end) == Some(&b'=')).then(|| &args[i..key_end]);
        if key.is_some() {
            i = key_end + 1;
        }
        let (value, end) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'' | b'`')) => {
                let end = closing_quote(bytes, i + 1, q).ok_or_else(|| {
                    format!(
                        "the quote {} in `{}` is not closed",
                        q as char,
                        short(&args[i..])
                    )
                })?;
                let raw = &args[i + 1..end];
                let text = if q == b'"' {
                    unescape(raw)
                } else {
                    raw.to_string()
                };
                (Value::String(text), end + 1)
            }
            _ => {
                // A word ends at white space after its first character (which may itself be
                // white space that is not ASCII).
                let first = args[i..].chars().next().map_or(1, char::len_utf8);
                let end = args[i + first..]
                    .find(char::is_whitespace)
                    .map_or(args.len(), |n| i + first + n);
                let word = &args[i..end];
                (
                    scalar(word).unwrap_or_else(|| Value::String(word.to_string())),
                    end,
                )
            }
        };
        match key {
            Some(key) => {
                named.insert(key.to_string(), value);
            }
            None => positional.push(value),
        }
        i = end;
    }
    Ok((positional, named))
}

/// Where the quote that closes one opened before `from` is (a backslash escapes in `"`).
pub(super) fn closing_quote(bytes: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Text quoted in a message: its first line, cut at 40 characters.
pub(super) fn short(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    match line.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None if line.len() < text.trim_end().len() => format!("{line}…"),
        None => line.to_string(),
    }
}
