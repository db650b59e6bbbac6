//! Dates in front matter: RFC 3339, `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` read as UTC.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

/// What a date field accepts, for error messages.
pub const EXPECTED: &str = "expected RFC 3339, YYYY-MM-DD or YYYY-MM-DD HH:MM:SS";

/// Parses a front-matter date; times without an offset are UTC.
pub fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(text) {
        return Some(dt.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(text, format) {
            return Some(dt.and_utc());
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc())
}

/// Reads exactly the form [`iso`] writes (`2024-01-02T03:04:05Z`), the one a comment database
/// holds, without a general parser: a build reads one for each comment. `None` for any other.
pub fn parse_utc_seconds(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 20
        || (b[4], b[7], b[10], b[13], b[16], b[19]) != (b'-', b'-', b'T', b':', b':', b'Z')
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        b[range].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(number(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(year, number(5..7)?, number(8..10)?)?
        .and_hms_opt(number(11..13)?, number(14..16)?, number(17..19)?)
        .map(|dt| dt.and_utc())
}

/// ISO 8601 in UTC with seconds: `2024-01-02T03:04:05Z`.
pub fn iso(dt: &DateTime<Utc>) -> String {
    // Not `format()`: every build formats every post's dates and every comment's, and parsing
    // a strftime pattern each time costs more than the formatting.
    let year = dt.year();
    // A leap second (23:59:60) is kept in the nanoseconds, which chrono writes as second 60.
    if !(0..=9999).contains(&year) || dt.nanosecond() >= 1_000_000_000 {
        return dt.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    }
    let mut out = String::with_capacity(20);
    push_digits(&mut out, year as u32, 4);
    for (separator, value) in [
        ('-', dt.month()),
        ('-', dt.day()),
        ('T', dt.hour()),
        (':', dt.minute()),
        (':', dt.second()),
    ] {
        out.push(separator);
        push_digits(&mut out, value, 2);
    }
    out.push('Z');
    out
}

/// A date for people: `2 January 2024`.
pub fn human(dt: &DateTime<Utc>) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let month = MONTHS[dt.month0() as usize];
    let year = dt.year();
    if !(0..=9999).contains(&year) {
        return format!("{} {month} {year}", dt.day());
    }
    let mut out = String::with_capacity(18);
    push_digits(&mut out, dt.day(), 1);
    out.push(' ');
    out.push_str(month);
    out.push(' ');
    push_digits(&mut out, year as u32, 1);
    out
}

/// Appends `value`'s decimal digits, zero-padded to `width` (at most four digits are kept).
fn push_digits(out: &mut String, value: u32, width: usize) {
    let digits = [
        value / 1000 % 10,
        value / 100 % 10,
        value / 10 % 10,
        value % 10,
    ];
    let significant = match value {
        0..=9 => 1,
        10..=99 => 2,
        100..=999 => 3,
        _ => 4,
    };
    for &d in &digits[4 - significant.max(width)..] {
        out.push(char::from(b'0' + d as u8));
    }
}

/// Serde for a UTC time as seconds and nanoseconds since the Unix epoch: how the build's own
/// records keep a time, read back without parsing text.
pub mod epoch {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error};

    /// Writes the time as `(seconds, nanoseconds)`.
    pub fn serialize<S: Serializer>(
        time: &DateTime<Utc>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        parts(time).serialize(serializer)
    }

    /// `(seconds, nanoseconds)` of a time.
    pub(super) fn parts(time: &DateTime<Utc>) -> (i64, u32) {
        (time.timestamp(), time.timestamp_subsec_nanos())
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<DateTime<Utc>, D::Error> {
        let (seconds, nanos) = <(i64, u32)>::deserialize(deserializer)?;
        from_parts(seconds, nanos)
    }

    /// The time of `(seconds, nanoseconds)`, or an error of `E` out of chrono's range.
    pub(super) fn from_parts<E: Error>(seconds: i64, nanos: u32) -> Result<DateTime<Utc>, E> {
        DateTime::from_timestamp(seconds, nanos).ok_or_else(|| E::custom("a time out of range"))
    }
}

/// [`epoch`] for an optional time.
pub mod as_epoch {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Writes the time as `(seconds, nanoseconds)`, or nothing.
    pub fn serialize<S: Serializer>(
        time: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        time.as_ref().map(super::epoch::parts).serialize(serializer)
    }

    /// Reads what [`serialize`] wrote.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<DateTime<Utc>>, D::Error> {
        let parts: Option<(i64, u32)> = Option::deserialize(deserializer)?;
        parts
            .map(|(seconds, nanos)| super::epoch::from_parts(seconds, nanos))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        for (input, expected) in [
            ("2024-01-02", "2024-01-02T00:00:00Z"),
            ("2024-01-02 03:04:05", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05", "2024-01-02T03:04:05Z"),
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            ("2024-01-02T05:04:05+02:00", "2024-01-02T03:04:05Z"),
            (" 2024-01-02 ", "2024-01-02T00:00:00Z"),
        ] {
            assert_eq!(
                parse_date(input).map(|d| iso(&d)).as_deref(),
                Some(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn dates_for_people() {
        for (input, expected) in [
            ("2024-01-02T23:59:59Z", "2 January 2024"),
            ("1999-12-31", "31 December 1999"),
            ("2025-06-15", "15 June 2025"),
        ] {
            assert_eq!(human(&parse_date(input).unwrap()), expected);
        }
    }

    #[test]
    fn refused_forms() {
        for input in [
            "yesterday",
            "2024-13-01",
            "02/01/2024",
            "",
            "2024-01-02 25:00:00",
        ] {
            assert!(parse_date(input).is_none(), "{input}");
        }
    }

    #[test]
    fn the_stored_form_reads_as_the_general_parser_reads_it() {
        for text in [
            "2024-01-02T03:04:05Z",
            "1999-12-31T23:59:59Z",
            "2024-02-29T00:00:00Z",
        ] {
            assert_eq!(parse_utc_seconds(text), parse_date(text), "{text}");
            assert_eq!(iso(&parse_utc_seconds(text).unwrap()), text);
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "2024-01-02T24:00:00Z",
            "2024-01-02T03:04:05+00:00",
            "2024-01-02 03:04:05Z",
            "2024-01-02T03:04:5Z",
            "+024-01-02T03:04:05Z",
            "2024-01-02T03:04:05.5Z",
        ] {
            assert_eq!(parse_utc_seconds(text), None, "{text}");
        }
    }

    #[test]
    fn dates_are_written_as_chrono_writes_them() {
        let mut at = DateTime::from_timestamp(-62_135_596_800, 0).unwrap(); // year 1
        while at.year() < 2100 {
            assert_eq!(
                iso(&at),
                at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            assert_eq!(
                human(&at),
                format!("{} {} {}", at.day(), at.format("%B"), at.year())
            );
            at += chrono::Duration::seconds(86_400 * 37 + 3_671);
        }
        let leap = parse_date("2016-12-31T23:59:60Z").unwrap();
        assert_eq!(iso(&leap), "2016-12-31T23:59:60Z");
        let far = DateTime::from_timestamp(300_000_000_000, 0).unwrap();
        assert_eq!(
            iso(&far),
            far.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        assert_eq!(
            human(&far),
            format!("{} {} {}", far.day(), far.format("%B"), far.year())
        );
    }

    #[test]
    fn human_dates() {
        assert_eq!(human(&parse_date("2024-01-02").unwrap()), "2 January 2024");
    }
}
