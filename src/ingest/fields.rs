//! Field names: the submission fields quill reads, the names form services give them, and the
//! author's own mapping from `[comments.fields]`.

use crate::config::FieldNames;

/// The fields of a submission, as quill names them.
pub const CANONICAL: [&str; 7] = [
    "post",
    "username",
    "email",
    "body",
    "timestamp",
    "parent",
    "id",
];

/// Other names form exports use for each field, in order of preference.
fn aliases(field: &str) -> &'static [&'static str] {
    match field {
        "post" => &["slug", "page", "path", "url", "referrer"],
        "username" => &["name", "author"],
        "body" => &["comment", "message", "text", "content"],
        "timestamp" => &["date", "created_at", "submitted_at", "created"],
        "parent" => &["reply_to", "parent_id"],
        _ => &[],
    }
}

/// A record's values by column name (lowercased, trimmed).
pub type Columns = rustc_hash::FxHashMap<String, String>;

/// Picks the column that holds `field`: the author's mapping first, then quill's own name,
/// then the usual names of form exports.
pub fn pick<'a>(columns: &'a Columns, field: &str, mapping: &FieldNames) -> Option<&'a str> {
    let configured = match field {
        "post" => mapping.post.as_deref(),
        "username" => mapping.username.as_deref(),
        "email" => mapping.email.as_deref(),
        "body" => mapping.body.as_deref(),
        "timestamp" => mapping.timestamp.as_deref(),
        "parent" => mapping.parent.as_deref(),
        "id" => mapping.id.as_deref(),
        _ => None,
    };
    if let Some(name) = configured
        && let Some(value) = columns.get(&name.trim().to_lowercase())
    {
        return Some(value);
    }
    // Called for every field of every record: look up by &str, allocating nothing.
    std::iter::once(field)
        .chain(aliases(field).iter().copied())
        .find_map(|name| columns.get(name).map(String::as_str))
}

/// How a missing field can be supplied, for messages: "username (or name, author)".
pub fn describe(field: &str) -> String {
    let others = aliases(field);
    if others.is_empty() {
        field.to_string()
    } else {
        format!("{field} (or {})", others.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns(pairs: &[(&str, &str)]) -> Columns {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn canonical_names_beat_aliases_and_mapping_beats_both() {
        let c = columns(&[
            ("name", "alias"),
            ("username", "canonical"),
            ("your_name", "mapped"),
        ]);
        assert_eq!(
            pick(&c, "username", &FieldNames::default()),
            Some("canonical")
        );
        let mapping = FieldNames {
            username: Some("Your_Name".into()),
            ..FieldNames::default()
        };
        assert_eq!(pick(&c, "username", &mapping), Some("mapped"));
    }

    #[test]
    fn form_export_names_are_understood() {
        let c = columns(&[
            ("author", "A"),
            ("message", "M"),
            ("referrer", "/posts/x/"),
            ("submitted_at", "T"),
            ("reply_to", "3"),
        ]);
        let m = FieldNames::default();
        assert_eq!(pick(&c, "username", &m), Some("A"));
        assert_eq!(pick(&c, "body", &m), Some("M"));
        assert_eq!(pick(&c, "post", &m), Some("/posts/x/"));
        assert_eq!(pick(&c, "timestamp", &m), Some("T"));
        assert_eq!(pick(&c, "parent", &m), Some("3"));
        assert_eq!(pick(&c, "email", &m), None);
    }
}
