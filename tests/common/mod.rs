//! Shared helpers for the integration tests: a site in a temp dir and a way to run quill in it,
//! on either comment database backend.

#![allow(dead_code)]

pub(crate) mod pg_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A comment database backend a test runs against.
#[derive(Clone, Copy)]
pub(crate) enum Backend {
    /// `comments.db` in the site, as without DATABASE_URL.
    Sqlite,
    /// A fresh database on the test server, through DATABASE_URL.
    Postgres(&'static pg_server::Server),
}

impl Backend {
    /// The PostgreSQL backend, when a test server runs (see [`pg_server::server`]).
    pub(crate) fn postgres() -> Option<Backend> {
        pg_server::server().map(Backend::Postgres)
    }
}

/// For each `fn name(backend: Backend)` listed, a test per backend: `sqlite::name` and
/// `postgres::name` (which passes without running where there is no PostgreSQL, except in CI).
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name($crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    if let Some(backend) = $crate::common::Backend::postgres() {
                        super::$name(backend)
                    }
                }
            )*
        }
    };
}
pub(crate) use backend_tests;

/// A throwaway site on disk, with the database the quill runs in it use.
pub(crate) struct TestSite {
    dir: tempfile::TempDir,
    /// DATABASE_URL for every run; `None` means the site's own `comments.db`.
    database_url: Option<String>,
}

/// What a quill run printed and how it ended.
pub(crate) struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with the output unless the run exited 0.
    pub(crate) fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "quill failed:\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// The lines of standard error that are warnings.
    pub(crate) fn warnings(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .collect()
    }

    /// Panics unless the run exited with `code`; no panic or backtrace may appear.
    pub(crate) fn fails_with(self, code: i32) -> Run {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit {code}:\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        assert!(
            !self.stderr.contains("panicked"),
            "quill panicked: {}",
            self.stderr
        );
        self
    }
}

/// The quill binary under test.
pub(crate) fn quill() -> Command {
    Command::new(env!("CARGO_BIN_EXE_quill"))
}

impl TestSite {
    /// An empty folder, not yet a site.
    pub(crate) fn empty() -> TestSite {
        TestSite {
            dir: tempfile::tempdir().expect("temp dir"),
            database_url: None,
        }
    }

    /// A site like [`TestSite::with_config`] whose runs use `backend`'s database.
    pub(crate) fn on(backend: Backend, extra: &str) -> TestSite {
        let mut site = TestSite::with_config(extra);
        if let Backend::Postgres(server) = backend {
            site.database_url = Some(server.create_database());
        }
        site
    }

    /// The DATABASE_URL of this site's runs, if it sets one.
    pub(crate) fn database_url(&self) -> Option<&str> {
        self.database_url.as_deref()
    }

    /// A site with a minimal site.toml and an empty content/ folder.
    pub(crate) fn new() -> TestSite {
        TestSite::with_config("")
    }

    /// A site whose site.toml has `extra` appended after title and base_url.
    pub(crate) fn with_config(extra: &str) -> TestSite {
        let site = TestSite::empty();
        site.write(
            "site.toml",
            &format!("title = \"Test\"\nbase_url = \"https://example.org\"\n{extra}"),
        );
        std::fs::create_dir_all(site.path("content/posts")).unwrap();
        site
    }

    /// The site root.
    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path under the site root.
    pub(crate) fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file, creating its folders.
    pub(crate) fn write(&self, relative: &str, text: &str) -> &TestSite {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Writes a post with TOML front matter.
    pub(crate) fn post(
        &self,
        slug: &str,
        title: &str,
        date: &str,
        extra_front: &str,
        body: &str,
    ) -> &TestSite {
        self.write(
            &format!("content/posts/{slug}.md"),
            &format!("+++\ntitle = {title:?}\ndate = {date}\n{extra_front}+++\n{body}\n"),
        )
    }

    /// Reads a file of the site or its output.
    pub(crate) fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()))
    }

    /// Whether a file exists under the site root.
    pub(crate) fn exists(&self, relative: &str) -> bool {
        self.path(relative).exists()
    }

    /// Runs quill with `args` in the site root, with no DATABASE_URL from the environment.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs quill with `args` and extra environment variables.
    pub(crate) fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.command();
        command.args(args);
        for (k, v) in env {
            command.env(k, v);
        }
        Run::from(command.output().expect("run quill"))
    }

    /// quill in the site root with this site's DATABASE_URL (or none), not yet run.
    pub(crate) fn command(&self) -> Command {
        let mut command = quill();
        command.current_dir(self.root()).env_remove("DATABASE_URL");
        if let Some(url) = &self.database_url {
            command.env("DATABASE_URL", url);
        }
        command
    }

    /// Runs SQL straight against the site's database, bypassing quill.
    pub(crate) fn sql(&self, statements: &str) -> Result<(), String> {
        match &self.database_url {
            None => {
                let conn = rusqlite::Connection::open(self.path("comments.db")).unwrap();
                conn.pragma_update(None, "foreign_keys", true).unwrap();
                conn.execute_batch(statements).map_err(|e| e.to_string())
            }
            Some(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .batch_execute(statements)
                .map_err(|e| format!("{e:?}")),
        }
    }

    /// One text value from the site's database.
    pub(crate) fn sql_text(&self, query: &str) -> String {
        match &self.database_url {
            None => rusqlite::Connection::open(self.path("comments.db"))
                .unwrap()
                .query_row(query, [], |r| r.get(0))
                .unwrap(),
            Some(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .query_one(query, &[])
                .unwrap()
                .get(0),
        }
    }

    /// (id, post, body) of every stored comment, by id.
    pub(crate) fn comment_rows(&self) -> Vec<(i64, String, String)> {
        let query = "SELECT id, post, body FROM comments ORDER BY id";
        match &self.database_url {
            None => {
                let conn = rusqlite::Connection::open(self.path("comments.db")).unwrap();
                let mut stmt = conn.prepare(query).unwrap();
                stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect()
            }
            Some(url) => postgres::Client::connect(url, postgres::NoTls)
                .unwrap()
                .query(query, &[])
                .unwrap()
                .iter()
                .map(|r| (r.get(0), r.get(1), r.get(2)))
                .collect(),
        }
    }

    /// Whether quill has created its database (a file, or its tables on the server).
    pub(crate) fn database_exists(&self) -> bool {
        match &self.database_url {
            None => self.exists("comments.db"),
            Some(_) => {
                self.sql_text("SELECT (to_regclass('schema_migrations') IS NOT NULL)::text")
                    == "true"
            }
        }
    }

    /// Deletes the comment database (the file, or everything in the server database).
    pub(crate) fn drop_database(&self) {
        match &self.database_url {
            None => std::fs::remove_file(self.path("comments.db")).unwrap(),
            Some(_) => self
                .sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
                .unwrap(),
        }
    }

    /// Whether the `n`th backup (1: the first) of schema `version` exists: a file beside
    /// `comments.db`, or a schema of the server database.
    pub(crate) fn backup_exists(&self, version: u32, n: u32) -> bool {
        let suffix = if n == 1 {
            String::new()
        } else {
            format!("-{n}")
        };
        match &self.database_url {
            None => self.exists(&format!("comments.db.bak-v{version}{suffix}")),
            Some(_) => {
                let schema = format!("quill_backup_v{version}{}", suffix.replace('-', "_"));
                self.sql_text(&format!(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = '{schema}')::text"
                )) == "true"
            }
        }
    }

    /// Removes the first backup of schema `version`.
    pub(crate) fn remove_backup(&self, version: u32) {
        match &self.database_url {
            None => {
                std::fs::remove_file(self.path(&format!("comments.db.bak-v{version}"))).unwrap()
            }
            Some(_) => self
                .sql(&format!("DROP SCHEMA quill_backup_v{version} CASCADE"))
                .unwrap(),
        }
    }
}

/// A submission line: comment `name` on `post`, by `name` at `name@example.org`, at minute
/// `minute` of 1 March 2024 from 10:00, replying to `parent` (a submission id, which is the
/// name too).
pub(crate) fn comment_line(post: &str, name: &str, parent: Option<&str>, minute: u32) -> String {
    let mut value = serde_json::json!({
        "id": name, "post": post, "username": name, "email": format!("{name}@example.org"),
        "body": format!("Words of {name}."),
        "timestamp": format!("2024-03-01T{:02}:{:02}:00Z", 10 + minute / 60, minute % 60),
    });
    if let Some(parent) = parent {
        value["parent"] = parent.into();
    }
    value.to_string()
}

/// Every file under `dir`, as `/`-separated relative paths with their bytes, sorted.
pub(crate) fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// Every payload of the XSS corpora in `tests/corpora/`, one per non-blank line.
pub(crate) fn xss_payloads() -> Vec<String> {
    ["xss-payloads.txt", "xss-polyglots.txt"]
        .iter()
        .flat_map(|name| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/corpora")
                .join(name);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A payload as a username: control characters out, at most 64 characters, as ingest allows.
pub(crate) fn as_username(payload: &str) -> String {
    payload
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect()
}
