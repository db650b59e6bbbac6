//! Shared helpers for the integration tests: a site in a temp dir and a way to run quill in it.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A throwaway site on disk.
pub struct TestSite {
    dir: tempfile::TempDir,
}

/// What a quill run printed and how it ended.
pub struct Run {
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
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "quill failed:\nstdout: {}\nstderr: {}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Panics unless the run exited with `code`; no panic or backtrace may appear.
    pub fn fails_with(self, code: i32) -> Run {
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
pub fn quill() -> Command {
    Command::new(env!("CARGO_BIN_EXE_quill"))
}

impl TestSite {
    /// An empty folder, not yet a site.
    pub fn empty() -> TestSite {
        TestSite {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A site with a minimal site.toml and an empty content/ folder.
    pub fn new() -> TestSite {
        TestSite::with_config("")
    }

    /// A site whose site.toml has `extra` appended after title and base_url.
    pub fn with_config(extra: &str) -> TestSite {
        let site = TestSite::empty();
        site.write(
            "site.toml",
            &format!("title = \"Test\"\nbase_url = \"https://example.org\"\n{extra}"),
        );
        std::fs::create_dir_all(site.path("content/posts")).unwrap();
        site
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path under the site root.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes a file, creating its folders.
    pub fn write(&self, relative: &str, text: &str) -> &TestSite {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// Writes a post with TOML front matter.
    pub fn post(
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
    pub fn read(&self, relative: &str) -> String {
        let path = self.path(relative);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("failed to read {}: {e}", path.display()))
    }

    /// Whether a file exists under the site root.
    pub fn exists(&self, relative: &str) -> bool {
        self.path(relative).exists()
    }

    /// Runs quill with `args` in the site root, with no DATABASE_URL from the environment.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }

    /// Runs quill with `args` and extra environment variables.
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = quill();
        command
            .args(args)
            .current_dir(self.root())
            .env_remove("DATABASE_URL");
        for (k, v) in env {
            command.env(k, v);
        }
        Run::from(command.output().expect("run quill"))
    }
}

/// Every file under `dir`, as `/`-separated relative paths with their bytes, sorted.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
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
pub fn xss_payloads() -> Vec<String> {
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
pub fn as_username(payload: &str) -> String {
    payload
        .chars()
        .filter(|c| !c.is_control())
        .take(64)
        .collect()
}
