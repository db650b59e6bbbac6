//! Where the comment database is: a SQLite file, or a PostgreSQL server named by a
//! `postgres://` URL. A URL's password is kept for connecting and never shown: [`DbLocation`]'s
//! `Display` and `Debug` leave it out, and so does every error that names the database.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Result, anyhow, bail};

use crate::config::SiteConfig;

/// How long connecting to a PostgreSQL server may take before quill gives up, unless the URL
/// says otherwise (`connect_timeout`): a host that drops packets would otherwise hang a build.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the comment database is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(PgUrl),
}

/// A PostgreSQL connection URL (`postgres://user:pass@host:port/dbname?...`). It formats
/// without its password.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl {
    /// The URL as given, less `sslmode` (handled here, see [`PgUrl::parse`]).
    url: String,
    /// The URL without its password, for messages.
    shown: String,
    /// `host:port`, for connection errors.
    host: String,
    /// The database's name, for connection errors.
    database: String,
}

impl DbLocation {
    /// `DATABASE_URL` when set, else `[comments] database`; relative paths are under the root.
    pub fn resolve(root: &Path, config: &SiteConfig) -> Result<DbLocation> {
        match std::env::var("DATABASE_URL") {
            Ok(url) if !url.trim().is_empty() => DbLocation::from_url(root, url.trim()),
            _ => DbLocation::from_url(root, &config.comments.database),
        }
    }

    /// Reads a plain path, a `sqlite://` URL (`sqlite:///abs.db`, `sqlite://relative.db`) or a
    /// `postgres://` / `postgresql://` URL.
    pub fn from_url(root: &Path, url: &str) -> Result<DbLocation> {
        let path = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DbLocation::Postgres(PgUrl::parse(url)?));
        } else if let Some((scheme, _)) = url.split_once("://") {
            bail!(
                "unsupported database URL scheme \"{scheme}://\": quill supports sqlite:// and postgres:// URLs and plain file paths"
            );
        } else {
            url
        };
        if path.is_empty() {
            bail!("the database URL {url:?} names no file (try sqlite://comments.db)");
        }
        let path = Path::new(path);
        Ok(DbLocation::Sqlite(if path.is_absolute() {
            path.to_path_buf()
        } else {
            root.join(path)
        }))
    }

    /// The file to watch for changes, where there is one.
    pub fn file(&self) -> Option<&Path> {
        match self {
            DbLocation::Sqlite(path) => Some(path),
            DbLocation::Postgres(_) => None,
        }
    }
}

impl fmt::Display for DbLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbLocation::Sqlite(path) => write!(f, "{}", path.display()),
            DbLocation::Postgres(url) => write!(f, "{url}"),
        }
    }
}

impl PgUrl {
    /// Parses and checks a URL. `sslmode` is read here rather than by the client: quill is
    /// built without TLS (it would bring a TLS stack for what is usually a local or private
    /// server), so `disable`, `allow` and `prefer` connect in plain text, and `require`,
    /// `verify-ca` and `verify-full` are refused with a message instead of failing later.
    pub fn parse(url: &str) -> Result<PgUrl> {
        let shown = redact(url);
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let mut sslmode = None;
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("sslmode", value)) => sslmode = Some(value.to_string()),
                _ => kept.push(pair),
            }
        }
        match sslmode.as_deref() {
            None | Some("disable" | "allow" | "prefer") => {}
            Some(mode @ ("require" | "verify-ca" | "verify-full")) => bail!(
                "the database URL {shown} asks for sslmode={mode}, but this quill is built without TLS: use sslmode=disable or sslmode=prefer (on a private network or through an SSH tunnel)"
            ),
            Some(other) => bail!(
                "the database URL {shown} has an unknown sslmode {other:?} (expected disable, allow, prefer, require, verify-ca or verify-full)"
            ),
        }
        let url = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let config: postgres::Config = url.parse().map_err(|e| {
            anyhow!(
                "invalid database URL {shown}: {}",
                super::postgres::pg_error(&e)
            )
        })?;
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(host)) => host.clone(),
            Some(postgres::config::Host::Unix(dir)) => dir.display().to_string(),
            None => bail!(
                "the database URL {shown} names no host (postgres://user:password@host:5432/dbname)"
            ),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let database = config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or("")
            .to_string();
        if database.is_empty() {
            bail!(
                "the database URL {shown} names no database (postgres://user:password@host:5432/dbname)"
            );
        }
        Ok(PgUrl {
            url,
            shown,
            host: format!("{host}:{port}"),
            database,
        })
    }

    /// The client's configuration: the URL's settings plus quill's defaults.
    pub(super) fn config(&self) -> postgres::Config {
        let mut config: postgres::Config = self
            .url
            .parse()
            .unwrap_or_else(|_| unreachable!("checked in PgUrl::parse"));
        config.ssl_mode(postgres::config::SslMode::Disable);
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("quill");
        }
        config
    }

    /// `host:port` of the server.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The database's name.
    pub fn database(&self) -> &str {
        &self.database
    }
}

impl fmt::Display for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PgUrl({})", self.shown)
    }
}

/// The URL without the password of its user info (`postgres://ada:secret@h/db` →
/// `postgres://ada@h/db`), and without any `password=` query parameter.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // The user info ends at the last `@` before the query: a password with an unescaped `/`
    // or `@` in it must not leak into what is shown.
    let query_start = rest.find('?').unwrap_or(rest.len());
    let (authority, tail) = match rest[..query_start].rfind('@') {
        Some(at) => {
            let user_info = &rest[..at];
            let user = user_info
                .split_once(':')
                .map_or(user_info, |(user, _)| user);
            let after = &rest[at + 1..];
            let end = after.find(['/', '?']).unwrap_or(after.len());
            (format!("{user}@{}", &after[..end]), &after[end..])
        }
        None => {
            let end = rest.find(['/', '?']).unwrap_or(rest.len());
            (rest[..end].to_string(), &rest[end..])
        }
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<&str> = query
                .split('&')
                .map(|pair| {
                    if pair.starts_with("password=") {
                        "password=***"
                    } else {
                        pair
                    }
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        for (url, shown) in [
            (
                "postgres://ada:s3cret@db.example:5433/blog",
                "postgres://ada@db.example:5433/blog",
            ),
            (
                "postgresql://ada:p%40ss@localhost/blog?sslmode=prefer",
                "postgresql://ada@localhost/blog?sslmode=prefer",
            ),
            (
                "postgres://ada@localhost/blog?password=s3cret&application_name=x",
                "postgres://ada@localhost/blog?password=***&application_name=x",
            ),
            ("postgres://localhost/blog", "postgres://localhost/blog"),
            (
                "postgres://ada:s3c/r@t@localhost/blog",
                "postgres://ada@localhost/blog",
            ),
        ] {
            let location = DbLocation::from_url(Path::new("/"), url).unwrap();
            assert_eq!(location.to_string(), shown);
            assert!(!format!("{location:?}").contains("s3cret"), "{location:?}");
        }
    }

    #[test]
    fn host_and_database_are_known() {
        let DbLocation::Postgres(url) =
            DbLocation::from_url(Path::new("/"), "postgres://ada:x@db.example/blog").unwrap()
        else {
            panic!("not postgres")
        };
        assert_eq!((url.host(), url.database()), ("db.example:5432", "blog"));
    }

    #[test]
    fn tls_modes_quill_cannot_honour_are_refused() {
        for mode in ["require", "verify-ca", "verify-full"] {
            let err = DbLocation::from_url(
                Path::new("/"),
                &format!("postgres://ada:s3cret@h/db?sslmode={mode}"),
            )
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("built without TLS") && !err.contains("s3cret"),
                "{err}"
            );
        }
        for mode in ["disable", "allow", "prefer"] {
            DbLocation::from_url(Path::new("/"), &format!("postgres://h/db?sslmode={mode}"))
                .unwrap();
        }
    }

    #[test]
    fn a_bad_url_is_an_error_without_the_password() {
        let err = DbLocation::from_url(Path::new("/"), "postgres://ada:s3cret@h:notaport/db")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("invalid database URL") && !err.contains("s3cret"),
            "{err}"
        );
    }
}
