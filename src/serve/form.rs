//! Reading a posted form (`application/x-www-form-urlencoded`) by the rule ingest keeps for
//! files: a field given twice, or one that is not valid UTF-8, rejects the whole submission
//! with a reason. Nothing is replaced by U+FFFD and no value silently wins over another.

use std::collections::HashMap;

use thiserror::Error;

/// A form's fields by name (trimmed, lowercased, as ingest names columns).
pub(super) type Fields = HashMap<String, String>;

/// Why a form was not read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(super) enum FormError {
    /// The same field more than once (in ingest's words).
    #[error("{}", crate::ingest::read::given_twice(.0))]
    Twice(String),
    /// A name or value whose bytes are not UTF-8.
    #[error("field {0:?} is not valid UTF-8")]
    NotUtf8(String),
}

/// The fields of a form body.
pub(super) fn parse(body: &[u8]) -> Result<Fields, FormError> {
    let mut fields = Fields::new();
    for pair in body.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &[][..]),
        };
        let name_bytes = decode(name);
        let name = match String::from_utf8(name_bytes) {
            Ok(name) => name.trim().to_lowercase(),
            Err(e) => {
                return Err(FormError::NotUtf8(
                    String::from_utf8_lossy(e.as_bytes()).trim().to_lowercase(),
                ));
            }
        };
        let value =
            String::from_utf8(decode(value)).map_err(|_| FormError::NotUtf8(name.clone()))?;
        if fields.contains_key(&name) {
            return Err(FormError::Twice(name));
        }
        fields.insert(name, value);
    }
    Ok(fields)
}

/// `+` is a space, `%XX` a byte.
fn decode(raw: &[u8]) -> Vec<u8> {
    let spaced: Vec<u8> = raw
        .iter()
        .map(|b| if *b == b'+' { b' ' } else { *b })
        .collect();
    percent_encoding::percent_decode(&spaced).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_decoded() {
        let fields = parse(b"post=hello&Body=caf%C3%A9+au+lait&website=&flag&a%3Db=1%262").unwrap();
        assert_eq!(fields["post"], "hello");
        assert_eq!(fields["body"], "café au lait", "names are lowercased");
        assert_eq!(fields["website"], "");
        assert_eq!(fields["flag"], "");
        assert_eq!(fields["a=b"], "1&2");
    }

    #[test]
    fn twice_and_invalid_utf8_are_rejected_by_name() {
        for (form, reason) in [
            (&b"body=a&body=b"[..], r#"field "body" given twice"#),
            (b"Body=a&body%20=b", r#"field "body" given twice"#),
            (b"body=&body=", r#"field "body" given twice"#),
            (
                b"username=Ann&body=%FF",
                r#"field "body" is not valid UTF-8"#,
            ),
            (
                b"body=ok&username=\xC3",
                r#"field "username" is not valid UTF-8"#,
            ),
            (b"na%FFme=x", "field \"na\u{FFFD}me\" is not valid UTF-8"),
        ] {
            assert_eq!(
                parse(form).unwrap_err().to_string(),
                reason,
                "{}",
                String::from_utf8_lossy(form)
            );
        }
    }
}
