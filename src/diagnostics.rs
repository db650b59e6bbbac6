//! Content errors gathered over a whole build, reported together as a compiler does: fixing
//! many posts must not take one run per post.

use std::fmt;

/// How many errors a report lists before it only counts the rest.
pub(crate) const SHOWN: usize = 50;

/// Every content error a build found, each a `file:line: message` line, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Diagnostics(pub Vec<String>);

impl Diagnostics {
    /// `Err` with every message when there is any, so a build stops before writing.
    pub(crate) fn check(mut messages: Vec<String>) -> Result<(), Diagnostics> {
        if messages.is_empty() {
            return Ok(());
        }
        // Errors found in parallel arrive in any order; a report reads file by file.
        messages.sort_by(|a, b| location(a).cmp(&location(b)));
        messages.dedup();
        Err(Diagnostics(messages))
    }
}

/// The file and the line number of a `file:line: message`, for sorting.
fn location(message: &str) -> (&str, usize) {
    let mut parts = message.splitn(3, ':');
    let file = parts.next().unwrap_or("");
    let line = parts
        .next()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    (file, line)
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let [only] = self.0.as_slice() {
            return f.write_str(only);
        }
        write!(
            f,
            "{} errors in the content; nothing was written:",
            self.0.len()
        )?;
        for message in self.0.iter().take(SHOWN) {
            write!(f, "\n  {message}")?;
        }
        if self.0.len() > SHOWN {
            write!(f, "\n  ...and {} more", self.0.len() - SHOWN)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_error_reads_as_itself_and_many_are_listed_in_file_order() {
        assert_eq!(Diagnostics::check(Vec::new()), Ok(()));
        let one = Diagnostics::check(vec!["a.md:3: bad".into()]).unwrap_err();
        assert_eq!(one.to_string(), "a.md:3: bad");
        let many = Diagnostics::check(vec![
            "b.md:1: x".into(),
            "a.md:10: y".into(),
            "a.md:2: z".into(),
        ])
        .unwrap_err()
        .to_string();
        assert_eq!(
            many,
            "3 errors in the content; nothing was written:\n  a.md:2: z\n  a.md:10: y\n  b.md:1: x"
        );
    }

    #[test]
    fn past_fifty_the_rest_are_counted() {
        let messages = (0..120)
            .map(|i| format!("p{i:03}.md:1: missing date"))
            .collect();
        let text = Diagnostics::check(messages).unwrap_err().to_string();
        assert_eq!(text.lines().count(), 1 + SHOWN + 1);
        assert!(text.starts_with("120 errors"), "{text}");
        assert!(text.ends_with("...and 70 more"), "{text}");
    }
}
