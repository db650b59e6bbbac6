//! Mapping a request path to a file in the output folder, safely.

use std::path::{Component, Path, PathBuf};

/// What a request path resolves to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// A file to send.
    File(PathBuf),
    /// A folder asked for without its trailing slash: redirect to this path.
    AddSlash(String),
    /// Nothing there.
    NotFound,
    /// A path that tries to leave the output folder, or is not decodable.
    Refused,
}

/// Resolves a raw request URL (path and query) against `root`.
pub fn resolve(root: &Path, raw_url: &str) -> Resolved {
    let path = raw_url.split(['?', '#']).next().unwrap_or("");
    let Ok(decoded) = percent_encoding::percent_decode_str(path).decode_utf8() else {
        return Resolved::Refused;
    };
    if !decoded.starts_with('/') || decoded.contains('\0') || decoded.contains('\\') {
        return Resolved::Refused;
    }
    let relative = decoded.trim_start_matches('/');
    let mut file = root.to_path_buf();
    for component in Path::new(relative).components() {
        match component {
            Component::Normal(part) => file.push(part),
            Component::CurDir => {}
            _ => return Resolved::Refused,
        }
    }
    if file.is_dir() {
        if !decoded.ends_with('/') {
            return Resolved::AddSlash(format!("{decoded}/"));
        }
        file.push("index.html");
    }
    if file.is_file() {
        Resolved::File(file)
    } else {
        Resolved::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("public");
        std::fs::create_dir_all(root.join("posts/a")).unwrap();
        std::fs::write(root.join("posts/a/index.html"), "a").unwrap();
        std::fs::write(root.join("index.html"), "i").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "s").unwrap();
        let r = |u: &str| resolve(&root, u);
        assert_eq!(r("/"), Resolved::File(root.join("index.html")));
        assert_eq!(
            r("/posts/a/"),
            Resolved::File(root.join("posts/a/index.html"))
        );
        assert_eq!(
            r("/posts/a/?x=1"),
            Resolved::File(root.join("posts/a/index.html"))
        );
        assert_eq!(r("/posts/a"), Resolved::AddSlash("/posts/a/".into()));
        assert_eq!(
            r("/posts/%61/index.html"),
            Resolved::File(root.join("posts/a/index.html"))
        );
        assert_eq!(r("/nope/"), Resolved::NotFound);
        for evil in [
            "/../secret.txt",
            "/posts/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/..%2fsecret.txt",
            "/a\\..\\x",
            "/%00",
            "/%ff",
        ] {
            assert_eq!(r(evil), Resolved::Refused, "{evil}");
        }
    }
}
