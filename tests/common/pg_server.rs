//! A throwaway PostgreSQL server for the tests: `initdb` into a temporary folder, started on a
//! free port of 127.0.0.1 the first time a test asks for it, shared by every test of this
//! process (each test gets a database of its own), and stopped when the process exits.
//!
//! The programs are looked for in `QUILL_TEST_PG_BIN`, the `PATH`, `/usr/local/bin` and
//! Debian's `/usr/lib/postgresql/<version>/bin`. `initdb` refuses to run as root, so as root
//! (CI) the cluster belongs to the unprivileged `nobody` and is run through `runuser`; a
//! developer's own account runs it directly.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The superuser's password: the server listens on 127.0.0.1 only, for this process's life.
const PASSWORD: &str = "quill-test-password";
const USER: &str = "quill";

/// A running test server.
pub(crate) struct Server {
    bin: PathBuf,
    dir: PathBuf,
    /// `Some("nobody")` when the server runs as another user than this process.
    run_as: Option<String>,
    port: u16,
    databases: AtomicUsize,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// The shared server, started on first use. `None` (with a note) when PostgreSQL is not
/// installed or did not start, so that a developer without it still runs the SQLite tests;
/// with `CI=true` that is a failure instead.
pub(crate) fn server() -> Option<&'static Server> {
    match SERVER.get_or_init(start) {
        Ok(server) => Some(server),
        Err(why) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI needs PostgreSQL for the store and ingest tests: {why}")
        }
        Err(why) => {
            static SAID: std::sync::Once = std::sync::Once::new();
            // Straight to the stream: the test harness would hide an eprintln! of a passing test.
            SAID.call_once(|| {
                let note = format!("note: skipping the PostgreSQL tests: {why}\n");
                let _ = std::io::Write::write_all(&mut std::io::stderr(), note.as_bytes());
            });
            None
        }
    }
}

impl Server {
    /// Creates an empty database and returns its URL.
    pub(crate) fn create_database(&self) -> String {
        let name = format!(
            "quill_test_{}",
            self.databases.fetch_add(1, Ordering::SeqCst)
        );
        self.client("postgres")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e:?}"));
        self.url(&name)
    }

    /// The URL of a database on this server.
    pub(crate) fn url(&self, database: &str) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// The URL of a database on this server, with another password.
    pub(crate) fn url_with_password(&self, database: &str, password: &str) -> String {
        format!(
            "postgres://{USER}:{password}@127.0.0.1:{}/{database}",
            self.port
        )
    }

    /// A client connected to a database of this server.
    pub(crate) fn client(&self, database: &str) -> postgres::Client {
        postgres::Client::connect(&self.url(database), postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to the test server: {e:?}"))
    }

    fn command(&self, program: &str) -> Command {
        command(&self.bin, program, self.run_as.as_deref())
    }

    fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn command(bin: &Path, program: &str, run_as: Option<&str>) -> Command {
    match run_as {
        Some(user) => {
            let mut c = Command::new("runuser");
            c.args(["-u", user, "--"]).arg(bin.join(program));
            c
        }
        None => Command::new(bin.join(program)),
    }
}

/// Where `initdb` and `pg_ctl` are.
fn find_bin() -> Result<PathBuf, String> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(dir) = std::env::var_os("QUILL_TEST_PG_BIN") {
        dirs.push(dir.into());
    }
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.push("/usr/local/bin".into());
    // Debian: /usr/lib/postgresql/<version>/bin, newest first.
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .collect();
    debian.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    dirs.extend(debian.into_iter().map(|(_, dir)| dir));
    dirs.into_iter()
        .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
        .ok_or_else(|| {
            "initdb and pg_ctl not found in QUILL_TEST_PG_BIN, PATH, /usr/local/bin or /usr/lib/postgresql/*/bin (Debian: apt-get install postgresql)".to_string()
        })
}

fn output(command: &mut Command, what: &str) -> Result<String, String> {
    let out = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{what} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn start() -> Result<Server, String> {
    let dir = std::env::temp_dir().join(format!("quill-test-pg-{}", std::process::id()));
    let started = start_in(dir.clone());
    if started.is_err() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    started
}

fn start_in(dir: PathBuf) -> Result<Server, String> {
    let bin = find_bin()?;
    let root = output(Command::new("id").arg("-u"), "id -u")? == "0";
    let run_as = root.then(|| "nobody".to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    if let Some(user) = &run_as {
        let uid = output(Command::new("id").args(["-u", user]), "id -u nobody")?;
        let gid = output(Command::new("id").args(["-g", user]), "id -g nobody")?;
        std::os::unix::fs::chown(&dir, uid.parse().ok(), gid.parse().ok())
            .map_err(|e| format!("chown {}: {e}", dir.display()))?;
    }
    let password_file = dir.join("password");
    std::fs::write(&password_file, PASSWORD).map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let server = Server {
        bin,
        dir,
        run_as,
        port,
        databases: AtomicUsize::new(0),
    };
    let data = server.dir.join("data");
    output(
        server
            .command("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-U", USER, "--auth=scram-sha-256", "--no-sync"])
            .args(["--encoding=UTF8", "--no-locale"])
            .arg(format!("--pwfile={}", password_file.display())),
        "initdb",
    )?;
    // Stop the server however this process ends: at a normal exit through atexit, and
    // otherwise through a watchdog that notices this process is gone.
    unsafe extern "C" {
        fn atexit(callback: extern "C" fn()) -> std::os::raw::c_int;
    }
    extern "C" fn stop_at_exit() {
        if let Some(Ok(server)) = SERVER.get() {
            server.stop();
        }
    }
    // SAFETY: registers a plain function; it runs once, at exit, after every test finished.
    unsafe { atexit(stop_at_exit) };
    let stop = format!(
        "{} stop -m immediate -D '{}'",
        match &server.run_as {
            Some(user) => format!(
                "runuser -u {user} -- '{}'",
                server.bin.join("pg_ctl").display()
            ),
            None => format!("'{}'", server.bin.join("pg_ctl").display()),
        },
        data.display()
    );
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "while kill -0 {} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf '{}'",
            std::process::id(),
            server.dir.display()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let options = format!(
        "-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' \
         -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    );
    let log = server.dir.join("server.log");
    output(
        server
            .command("pg_ctl")
            .args(["start", "-w", "-t", "60", "-D"])
            .arg(&data)
            .arg("-l")
            .arg(&log)
            .args(["-o", &options]),
        "pg_ctl start",
    )
    .map_err(|e| format!("{e}\n{}", std::fs::read_to_string(&log).unwrap_or_default()))?;
    Ok(server)
}
