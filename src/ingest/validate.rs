//! The rules a submission must pass, each with a reason a person understands.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use thiserror::Error;
use unicode_normalization::UnicodeNormalization;

/// Why a record was not stored.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    /// A required field is absent or empty.
    #[error("missing {0}")]
    Missing(String),
    /// The username is longer than 64 characters.
    #[error("username is {0} characters long; at most 64 are allowed")]
    UsernameTooLong(usize),
    /// The username contains control characters.
    #[error("username contains control characters")]
    UsernameControl,
    /// The email is longer than 120 characters.
    #[error("email is {0} characters long; at most 120 are allowed")]
    EmailTooLong(usize),
    /// The email does not look like an address.
    #[error("email {0:?} is not a plausible address ({1})")]
    EmailImplausible(String, &'static str),
    /// The body is over the limit.
    #[error("body is {0} characters long; at most {1} are allowed ([comments] max_body)")]
    BodyTooLong(usize, usize),
    /// The timestamp is in no accepted form.
    #[error("timestamp {0:?} is not RFC 3339, YYYY-MM-DD HH:MM:SS or Unix seconds")]
    TimestampInvalid(String),
    /// The timestamp is more than a day ahead.
    #[error("timestamp {0:?} is more than a day in the future")]
    TimestampFuture(String),
    /// No published post matches.
    #[error(
        "no published post matches {0:?} (give a slug, a path like /posts/slug/, or a URL on the site)"
    )]
    PostUnknown(String),
    /// The post does not take comments.
    #[error("comments are closed on {0:?}")]
    CommentsClosed(String),
    /// The parent comment is not stored.
    #[error("parent comment {0:?} does not exist")]
    ParentUnknown(String),
    /// The parent comment is on another post.
    #[error("parent comment {0:?} is on another post ({1:?})")]
    ParentOtherPost(String, String),
    /// The record could not be read as a submission.
    #[error("{0}")]
    Unreadable(String),
    /// A field's value is too large to be a plausible submission.
    #[error("{0} is over {1} characters")]
    FieldTooLong(&'static str, usize),
    /// The timestamp is before 1990, when no blog comment was written.
    #[error("timestamp {0:?} is before 1990-01-01")]
    TimestampPast(String),
    /// The id is stored for a comment with other content.
    #[error("id {0:?} already used by another comment")]
    IdTaken(String),
    /// The database refused the row.
    #[error("{0}")]
    Refused(&'static str),
    /// The body holds the email address of a record of the same run.
    #[error(
        "body contains the email address of a record in this run; it looks like several records run together"
    )]
    RecordsRunTogether,
    /// The body holds the commenter's own email address, which is never published.
    #[error("body contains the commenter's email address, which is never published; leave it out")]
    OwnEmailInBody,
    /// A name or body has nothing visible once invisible characters are removed.
    #[error("{0} has no visible characters")]
    Invisible(&'static str),
}

impl Rejection {
    /// The reason without the record's own values, for grouping reasons in the summary.
    pub fn kind(&self) -> String {
        match self {
            Rejection::Missing(field) => format!("missing {field}"),
            Rejection::UsernameTooLong(_) => "username too long".into(),
            Rejection::UsernameControl => "username contains control characters".into(),
            Rejection::EmailTooLong(_) => "email too long".into(),
            Rejection::EmailImplausible(_, why) => format!("implausible email ({why})"),
            Rejection::BodyTooLong(..) => "body too long".into(),
            Rejection::TimestampInvalid(_) => "invalid timestamp".into(),
            Rejection::TimestampFuture(_) => "timestamp in the future".into(),
            Rejection::PostUnknown(_) => "unknown post".into(),
            Rejection::CommentsClosed(_) => "comments closed".into(),
            Rejection::ParentUnknown(_) => "unknown parent".into(),
            Rejection::ParentOtherPost(..) => "parent on another post".into(),
            Rejection::Unreadable(_) => "unreadable record".into(),
            Rejection::FieldTooLong(field, _) => format!("{field} too long"),
            Rejection::TimestampPast(_) => "timestamp before 1990".into(),
            Rejection::IdTaken(_) => "id already used by another comment".into(),
            Rejection::Refused(_) => "refused by the database".into(),
            Rejection::RecordsRunTogether => "several records run together".into(),
            Rejection::Invisible(field) => format!("{field} not visible"),
            Rejection::OwnEmailInBody => "email address in the body".into(),
        }
    }
}

/// NFC-normalised, invisible characters removed, trimmed; 1 to 64 characters, no control
/// characters. A name typed as `a\u{200b}b` is the `ab` it shows as.
pub fn username(value: &str) -> Result<String, Rejection> {
    // ASCII holds no invisible character and is its own NFC: most names take no copy here.
    let visible: std::borrow::Cow<'_, str> = if value.is_ascii() {
        value.into()
    } else {
        value
            .trim()
            .chars()
            .filter(|&c| !is_invisible(c))
            .nfc()
            .collect::<String>()
            .into()
    };
    let name = visible.trim();
    let chars = name.chars().count();
    if chars == 0 {
        return Err(if value.trim().is_empty() {
            Rejection::Missing("username".into())
        } else {
            Rejection::Invisible("username")
        });
    }
    if chars > 64 {
        return Err(Rejection::UsernameTooLong(chars));
    }
    if name.chars().any(char::is_control) {
        return Err(Rejection::UsernameControl);
    }
    Ok(name.to_string())
}

/// Trimmed, at most 120 characters, one `@`, a local part, a dotted domain, no spaces;
/// the domain comes back lowercased.
pub fn email(value: &str) -> Result<String, Rejection> {
    let email = value.trim();
    let chars = email.chars().count();
    if chars == 0 {
        return Err(Rejection::Missing("email".into()));
    }
    if chars > 120 {
        return Err(Rejection::EmailTooLong(chars));
    }
    let implausible = |why| Err(Rejection::EmailImplausible(email.to_string(), why));
    if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return implausible("it contains spaces");
    }
    let mut parts = email.split('@');
    let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
        return implausible("it needs exactly one @");
    };
    if local.is_empty() {
        return implausible("nothing before the @");
    }
    let labels_ok = domain.split('.').all(|l| !l.is_empty());
    if !domain.contains('.') || !labels_ok {
        return implausible("the domain needs a dot, like example.org");
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// Trimmed, not empty, with something visible, at most `max` characters. Invisible
/// characters stay in a body (emoji sequences need the zero-width joiner), but cannot be all
/// of it.
pub fn body(value: &str, max: usize) -> Result<String, Rejection> {
    let body = value.trim();
    let chars = body.chars().count();
    if chars == 0 {
        return Err(Rejection::Missing("body".into()));
    }
    if body.chars().all(|c| is_invisible(c) || c.is_whitespace()) {
        return Err(Rejection::Invisible("body"));
    }
    if chars > max {
        return Err(Rejection::BodyTooLong(chars, max));
    }
    Ok(body.to_string())
}

/// Characters that take no space and show nothing: Unicode's format characters (zero-width
/// spaces and joiners, bidi marks, the byte order mark, tags) and the blank fillers that pass
/// for letters.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{2800}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// The earliest plausible comment: before 1990 there were no blogs to comment on, and a year
/// before 0 cannot even be written as a date.
fn earliest() -> DateTime<Utc> {
    DateTime::from_timestamp(631_152_000, 0).unwrap_or_default()
}

/// RFC 3339, `YYYY-MM-DD HH:MM:SS` (UTC) or Unix seconds; missing means `now`; before
/// 1990-01-01 or more than a day ahead of `now` is refused.
pub fn timestamp(value: Option<&str>, now: DateTime<Utc>) -> Result<DateTime<Utc>, Rejection> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(now);
    };
    let parsed = DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|d| d.and_utc())
        })
        .or_else(|| {
            text.parse::<i64>()
                .ok()
                .and_then(|s| DateTime::from_timestamp(s, 0))
        })
        .ok_or_else(|| Rejection::TimestampInvalid(text.to_string()))?;
    if parsed > now + Duration::days(1) {
        return Err(Rejection::TimestampFuture(text.to_string()));
    }
    if parsed < earliest() {
        return Err(Rejection::TimestampPast(text.to_string()));
    }
    // Stored to the second, like every other timestamp.
    Ok(DateTime::from_timestamp(parsed.timestamp(), 0).unwrap_or(parsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn usernames() {
        assert_eq!(username("  Ada  ").unwrap(), "Ada");
        assert_eq!(username(&"é".repeat(64)).unwrap().chars().count(), 64);
        assert_eq!(
            username(&"é".repeat(65)),
            Err(Rejection::UsernameTooLong(65))
        );
        assert_eq!(username("   "), Err(Rejection::Missing("username".into())));
        assert_eq!(username("a\u{0}b"), Err(Rejection::UsernameControl));
        assert_eq!(username("a\nb"), Err(Rejection::UsernameControl));
    }

    #[test]
    fn invisible_characters_are_no_name_and_no_body() {
        assert_eq!(username("a\u{200b}b").unwrap(), "ab");
        assert_eq!(username("\u{feff}Ada\u{2060}").unwrap(), "Ada");
        assert_eq!(username("e\u{301}").unwrap(), "\u{e9}", "NFC");
        assert_eq!(
            username("\u{200b}\u{200b}"),
            Err(Rejection::Invisible("username"))
        );
        assert_eq!(username("\u{feff}"), Err(Rejection::Invisible("username")));
        assert_eq!(body("\u{200b}", 100), Err(Rejection::Invisible("body")));
        assert_eq!(
            body("\u{200b} \u{feff}\n\u{2064}", 100),
            Err(Rejection::Invisible("body"))
        );
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}";
        assert_eq!(body(family, 100).unwrap(), family, "joiners stay in a body");
    }

    #[test]
    fn emails() {
        assert_eq!(email(" Ada@Example.ORG ").unwrap(), "Ada@example.org");
        let long = format!("{}@example.org", "a".repeat(108));
        assert_eq!(long.len(), 120);
        assert!(email(&long).is_ok());
        assert_eq!(
            email(&format!("a{long}")),
            Err(Rejection::EmailTooLong(121))
        );
        for bad in [
            "ada",
            "@example.org",
            "a@b@example.org",
            "ada@localhost",
            "ada @example.org",
            "ada@example..org",
            "ada@.org",
        ] {
            assert!(
                matches!(email(bad), Err(Rejection::EmailImplausible(..))),
                "{bad}"
            );
        }
        assert_eq!(email(""), Err(Rejection::Missing("email".into())));
    }

    #[test]
    fn bodies() {
        assert_eq!(body("  hi  ", 5000).unwrap(), "hi");
        assert!(body(&"é".repeat(10), 10).is_ok());
        assert_eq!(
            body(&"é".repeat(11), 10),
            Err(Rejection::BodyTooLong(11, 10))
        );
        assert_eq!(body(" \n ", 10), Err(Rejection::Missing("body".into())));
    }

    #[test]
    fn timestamps() {
        let now = Utc.with_ymd_and_hms(2024, 6, 1, 12, 0, 0).unwrap();
        let ok = |t: &str| timestamp(Some(t), now).unwrap().to_rfc3339();
        assert_eq!(ok("2024-05-01T10:00:00+02:00"), "2024-05-01T08:00:00+00:00");
        assert_eq!(ok("2024-05-01 08:00:00"), "2024-05-01T08:00:00+00:00");
        assert_eq!(ok("1714550400"), "2024-05-01T08:00:00+00:00");
        assert_eq!(
            ok("2024-06-02T11:00:00Z"),
            "2024-06-02T11:00:00+00:00",
            "less than a day ahead is fine"
        );
        assert_eq!(timestamp(None, now).unwrap(), now);
        assert_eq!(timestamp(Some(" "), now).unwrap(), now);
        assert!(matches!(
            timestamp(Some("2024-06-02T13:00:00Z"), now),
            Err(Rejection::TimestampFuture(_))
        ));
        assert!(matches!(
            timestamp(Some("yesterday"), now),
            Err(Rejection::TimestampInvalid(_))
        ));
        assert_eq!(ok("1990-01-01T00:00:00Z"), "1990-01-01T00:00:00+00:00");
        for past in [
            "-62167219201",
            "1989-12-31T23:59:59Z",
            "0000-01-01 00:00:00",
        ] {
            assert_eq!(
                timestamp(Some(past), now),
                Err(Rejection::TimestampPast(past.to_string())),
                "{past}"
            );
        }
    }
}
