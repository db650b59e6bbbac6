//! The fetcher's connection: plain TCP, or TLS over it (rustls, with the Mozilla root
//! certificates of `webpki-roots`, so no system store is read and every machine trusts the
//! same authorities). Either way the socket's timeouts bound each read and write, so the
//! fetch's one deadline covers the handshake too.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

/// A connection to a source, an endpoint or a target.
pub(super) enum Conn {
    /// `http:`.
    Plain(TcpStream),
    /// `https:` (boxed: the TLS state is several kilobytes).
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Conn {
    /// A connection over `tcp`, with TLS to `host` when `tls`.
    pub(super) fn new(tcp: TcpStream, host: &str, tls: bool) -> Result<Conn, String> {
        if !tls {
            return Ok(Conn::Plain(tcp));
        }
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| format!("{host} is not a name TLS can check"))?;
        let client = ClientConnection::new(config(), name).map_err(|e| format!("TLS: {e}"))?;
        Ok(Conn::Tls(Box::new(StreamOwned::new(client, tcp))))
    }

    /// Bounds the next reads and writes (a TLS handshake is both).
    pub(super) fn set_timeouts(&self, left: Duration) -> std::io::Result<()> {
        let socket = match self {
            Conn::Plain(tcp) => tcp,
            Conn::Tls(tls) => &tls.sock,
        };
        socket.set_read_timeout(Some(left))?;
        socket.set_write_timeout(Some(left))
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(tcp) => tcp.read(buf),
            // A server that closes without TLS's close_notify ends the stream as plain HTTP
            // would; the body's framing still says whether it was complete.
            Conn::Tls(tls) => match tls.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(0),
                other => other,
            },
        }
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Conn::Plain(tcp) => tcp.write(buf),
            Conn::Tls(tls) => tls.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Conn::Plain(tcp) => tcp.flush(),
            Conn::Tls(tls) => tls.flush(),
        }
    }
}

/// One client configuration for the process: building the root store costs more than a
/// handshake.
fn config() -> Arc<ClientConfig> {
    static CONFIG: OnceLock<Arc<ClientConfig>> = OnceLock::new();
    Arc::clone(CONFIG.get_or_init(|| {
        let roots = RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        // The library's unit tests also trust the test authority of tests/fixtures/tls/, to
        // verify against TLS servers of their own on 127.0.0.1. Only `cargo test --lib`
        // compiles this: the binary trusts the Mozilla roots and nothing else.
        #[cfg(test)]
        let roots = super::test_tls::with_test_authority(roots);
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap_or_else(|_| unreachable!("ring supports TLS 1.2 and 1.3"))
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn a_tls_server_that_is_not_one_fails_the_fetch_without_hanging() {
        // A "server" that answers the TLS hello with plain HTTP: the handshake fails fast.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let _ = s.read(&mut [0u8; 1024]);
                let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            }
        });
        let tcp = TcpStream::connect(address).unwrap();
        let mut conn = Conn::new(tcp, "localhost", true).unwrap();
        conn.set_timeouts(Duration::from_secs(5)).unwrap();
        let sent = conn
            .write_all(b"GET / HTTP/1.1\r\n\r\n")
            .and_then(|()| conn.flush());
        let read = sent.and_then(|()| conn.read(&mut [0u8; 64]));
        assert!(read.is_err(), "{read:?}");
    }

    /// A certificate from a trusted authority is still checked against the name asked for.
    #[test]
    fn a_trusted_certificate_for_another_name_is_refused() {
        use super::super::test_tls::{Identity, serve};
        let exchange = |port: u16, host: &str| {
            let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
            let mut conn = Conn::new(tcp, host, true).unwrap();
            conn.set_timeouts(Duration::from_secs(5)).unwrap();
            conn.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                .and_then(|()| conn.flush())
                .and_then(|()| {
                    let mut answer = String::new();
                    conn.read_to_string(&mut answer).map(|_| answer)
                })
        };
        let ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".to_string();
        let (port, _) = serve(Identity::Trusted, vec![ok.clone(), ok]);
        assert!(exchange(port, "localhost").unwrap().ends_with("ok"));
        let error = exchange(port, "blog.example").unwrap_err().to_string();
        assert!(
            error.contains("not valid for name \"blog.example\""),
            "{error}"
        );
    }
}
