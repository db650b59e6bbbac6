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
    // A symbolic link in the output (one the site's static files brought along, say) may
    // point anywhere: what it leads to outside the output folder does not exist here.
    if !inside(root, &file) {
        return Resolved::NotFound;
    }
    if file.is_dir() {
        if !decoded.ends_with('/') {
            return Resolved::AddSlash(format!("{decoded}/"));
        }
        file.push("index.html");
        if !inside(root, &file) {
            return Resolved::NotFound;
        }
    }
    if file.is_file() {
        Resolved::File(file)
    } else {
        Resolved::NotFound
    }
}

/// Whether `path` exists and, with every link in it followed, is still within `root`.
pub(super) fn inside(root: &Path, path: &Path) -> bool {
    match (std::fs::canonicalize(root), std::fs::canonicalize(path)) {
        (Ok(root), Ok(path)) => path.starts_with(root),
        _ => false,
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

    #[cfg(unix)]
    #[test]
    fn links_are_followed_only_within_the_output() {
        use std::os::unix::fs::symlink;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("public");
        std::fs::create_dir_all(root.join("posts/a")).unwrap();
        std::fs::write(root.join("posts/a/index.html"), "a").unwrap();
        std::fs::create_dir_all(tmp.path().join("elsewhere")).unwrap();
        std::fs::write(tmp.path().join("elsewhere/index.html"), "s").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "s").unwrap();
        symlink(tmp.path().join("secret.txt"), root.join("leak.txt")).unwrap();
        symlink(tmp.path().join("elsewhere"), root.join("dir")).unwrap();
        symlink("/etc/passwd", root.join("passwd")).unwrap();
        symlink(root.join("posts/a/index.html"), root.join("same.html")).unwrap();
        symlink(
            tmp.path().join("secret.txt"),
            root.join("posts/a/index2.html"),
        )
        .unwrap();
        let r = |u: &str| resolve(&root, u);
        for outside in [
            "/leak.txt",
            "/dir",
            "/dir/",
            "/dir/index.html",
            "/passwd",
            "/posts/a/index2.html",
        ] {
            assert_eq!(r(outside), Resolved::NotFound, "{outside}");
        }
        assert_eq!(
            r("/same.html"),
            Resolved::File(root.join("same.html")),
            "a link within is fine"
        );
        let linked_root = tmp.path().join("linked-public");
        symlink(&root, &linked_root).unwrap();
        assert_eq!(
            resolve(&linked_root, "/posts/a/"),
            Resolved::File(linked_root.join("posts/a/index.html")),
            "the output folder itself may be reached through a link"
        );
    }
}
