//! A TLS server on 127.0.0.1 for the unit tests, showing a certificate of
//! `tests/fixtures/tls/`: one from the test authority that only these tests' client trusts
//! (see [`with_test_authority`]), or a stranger's self-signed one that nothing trusts.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

const AUTHORITY: &[u8] = include_bytes!("../../../tests/fixtures/tls/ca.pem");

/// The roots a unit test's fetches trust: `roots` and the test authority.
pub(super) fn with_test_authority(mut roots: RootCertStore) -> RootCertStore {
    let authority = CertificateDer::from_pem_slice(AUTHORITY).expect("ca.pem is a certificate");
    roots.add(authority).expect("ca.pem is an authority");
    roots
}

/// The certificate a test server shows.
#[derive(Debug, Clone, Copy)]
pub(super) enum Identity {
    /// Signed by the test authority, for 127.0.0.1 and localhost.
    Trusted,
    /// Self-signed for the same names, trusted by no one.
    Stranger,
}

/// Serves one response per connection, in order; gives its port and, for each connection,
/// the request's first line or what ended the TLS session (the client's alert).
pub(super) fn serve(identity: Identity, responses: Vec<String>) -> (u16, Receiver<String>) {
    let (cert, key): (&[u8], &[u8]) = match identity {
        Identity::Trusted => (
            include_bytes!("../../../tests/fixtures/tls/localhost.pem"),
            include_bytes!("../../../tests/fixtures/tls/localhost.key"),
        ),
        Identity::Stranger => (
            include_bytes!("../../../tests/fixtures/tls/stranger.pem"),
            include_bytes!("../../../tests/fixtures/tls/stranger.key"),
        ),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("ring supports TLS 1.2 and 1.3")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from_pem_slice(cert).expect("a certificate")],
            PrivateKeyDer::from_pem_slice(key).expect("a key"),
        )
        .expect("the key fits the certificate");
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let port = listener.local_addr().expect("an address").port();
    let (seen, heard) = channel();
    std::thread::spawn(move || {
        for response in responses {
            let Ok((tcp, _)) = listener.accept() else {
                return;
            };
            // A client that stalls ends the test's wait, not the test run.
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
            let connection = ServerConnection::new(Arc::clone(&config)).expect("a session");
            let mut tls = StreamOwned::new(connection, tcp);
            let _ = seen.send(match request_line(&mut tls) {
                Ok(line) => {
                    let _ = tls.write_all(response.as_bytes());
                    tls.conn.send_close_notify();
                    let _ = tls.flush();
                    line
                }
                Err(error) => error.to_string(),
            });
        }
    });
    (port, heard)
}

/// Reads a request head (the handshake happens on the first read) and gives its first line.
fn request_line(tls: &mut impl Read) -> std::io::Result<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let head = String::from_utf8_lossy(&head);
    Ok(head.lines().next().unwrap_or_default().to_string())
}
