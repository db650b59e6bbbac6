//! Mailing the author through lettre's SMTP transport. The URL says how the connection is
//! secured: `smtps://host` is TLS from the first byte (port 465), `smtp://host` upgrades with
//! STARTTLS (port 25, or the port given, usually 587), and insists on it when there is a
//! password. Only a server on this machine (`localhost`, 127.0.0.1, ::1) is spoken to in plain
//! text, so a local relay or a test server needs no certificate; the password then never leaves
//! the machine either.

use std::net::IpAddr;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport};

use super::Summary;

/// How long to wait for the server, to connect and for each answer.
const TIMEOUT: Duration = Duration::from_secs(30);

/// How a connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Security {
    /// TLS from the first byte (`smtps://`).
    Tls,
    /// Plain, then STARTTLS, refusing to go on without it.
    StartTlsRequired,
    /// STARTTLS when the server offers it (no password to protect).
    StartTlsIfOffered,
    /// Plain text, for a server on this machine.
    Plain,
}

/// Where and how to mail, read from an `smtp` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Server {
    /// The host, without an IPv6 address's brackets.
    pub host: String,
    /// The port given, or the scheme's (465 for `smtps`, 25 for `smtp`).
    pub port: u16,
    /// How the connection is secured.
    pub security: Security,
    /// The login name, when the URL has one.
    pub user: Option<String>,
}

/// Reads an `smtp://user@host:port` or `smtps://user@host:port` URL; `password` says whether
/// a password will be sent.
pub(super) fn server(url: &str, password: bool) -> Result<Server> {
    let url = url::Url::parse(url).map_err(|_| anyhow!("[notify] smtp is not a URL"))?;
    let host = url
        .host_str()
        .ok_or_else(|| anyhow!("[notify] smtp names no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let user = percent_encoding::percent_decode_str(url.username())
        .decode_utf8_lossy()
        .into_owned();
    let user = (!user.is_empty()).then_some(user);
    let (security, port) = match url.scheme() {
        "smtps" => (Security::Tls, url.port().unwrap_or(465)),
        "smtp" if is_this_machine(&host) => (Security::Plain, url.port().unwrap_or(25)),
        "smtp" if password && user.is_some() => {
            (Security::StartTlsRequired, url.port().unwrap_or(25))
        }
        "smtp" => (Security::StartTlsIfOffered, url.port().unwrap_or(25)),
        other => anyhow::bail!("[notify] smtp: {other}:// is not smtp:// or smtps://"),
    };
    Ok(Server {
        host,
        port,
        security,
        user,
    })
}

/// A host named as this machine: `localhost` or a loopback address. Decided from the name
/// alone, so nothing an outside resolver says can make quill speak in plain text.
fn is_this_machine(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Mails `summary` to `to` through the server of an `smtp` URL.
pub(super) fn send(
    url: &str,
    password: Option<&str>,
    from: &str,
    to: &str,
    summary: &Summary,
) -> Result<()> {
    let server = server(url, password.is_some())?;
    let message = message(from, to, summary)?;
    let tls = || {
        TlsParameters::new(server.host.clone())
            .with_context(|| format!("could not set up TLS for {}", server.host))
    };
    let tls = match server.security {
        Security::Tls => Tls::Wrapper(tls()?),
        Security::StartTlsRequired => Tls::Required(tls()?),
        Security::StartTlsIfOffered => Tls::Opportunistic(tls()?),
        Security::Plain => Tls::None,
    };
    let mut transport = SmtpTransport::builder_dangerous(&server.host)
        .port(server.port)
        .tls(tls)
        .timeout(Some(TIMEOUT))
        .hello_name(ClientId::Domain("quill".into()));
    if let (Some(user), Some(password)) = (&server.user, password) {
        transport = transport
            .credentials(Credentials::new(user.clone(), password.to_string()))
            .authentication(vec![Mechanism::Plain, Mechanism::Login]);
    }
    // lettre's errors name the server's answer, never the credentials sent.
    transport
        .build()
        .send(&message)
        .map_err(|e| anyhow!("{}:{}: {e}", server.host, server.port))?;
    Ok(())
}

/// The message: plain text, its subject encoded by lettre (so a site title cannot add a
/// header), sent as "quill" from `from`.
fn message(from: &str, to: &str, summary: &Summary) -> Result<Message> {
    let from_address: lettre::Address = from
        .parse()
        .map_err(|_| anyhow!("[notify] the sender {from:?} is not an email address"))?;
    let to: Mailbox = to
        .parse()
        .map_err(|_| anyhow!("[notify] email {to:?} is not an email address"))?;
    let now = chrono::Utc::now();
    let id = format!(
        "<{}.{}@{}>",
        now.timestamp_nanos_opt().unwrap_or_default(),
        std::process::id(),
        from_address.domain()
    );
    Message::builder()
        .from(Mailbox::new(Some("quill".into()), from_address))
        .to(to)
        .subject(summary.subject.as_str())
        .message_id(Some(id))
        .header(ContentType::TEXT_PLAIN)
        .body(summary.text.clone())
        .context("could not build the message")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_chooses_how_the_connection_is_secured() {
        let table = [
            // (url, a password, security, port)
            ("smtps://me@mail.example.org", true, Security::Tls, 465),
            ("smtps://mail.example.org:2465", false, Security::Tls, 2465),
            (
                "smtp://me@mail.example.org:587",
                true,
                Security::StartTlsRequired,
                587,
            ),
            (
                "smtp://mail.example.org",
                false,
                Security::StartTlsIfOffered,
                25,
            ),
            // A login name without a password sends no password to protect.
            (
                "smtp://me@mail.example.org:587",
                false,
                Security::StartTlsIfOffered,
                587,
            ),
            ("smtp://me@127.0.0.1:2525", true, Security::Plain, 2525),
            ("smtp://me@127.8.9.10", true, Security::Plain, 25),
            ("smtp://me@[::1]:25", true, Security::Plain, 25),
            ("smtp://me@LocalHost:25", true, Security::Plain, 25),
            // Names that look local but are not decided by their spelling stay encrypted.
            (
                "smtp://me@localhost.example.org:587",
                true,
                Security::StartTlsRequired,
                587,
            ),
            (
                "smtp://me@10.0.0.1:587",
                true,
                Security::StartTlsRequired,
                587,
            ),
            ("smtps://me@127.0.0.1", true, Security::Tls, 465),
        ];
        for (url, password, security, port) in table {
            let chosen = server(url, password).unwrap();
            assert_eq!((chosen.security, chosen.port), (security, port), "{url}");
        }
    }

    #[test]
    fn the_login_name_is_read_decoded_and_odd_urls_are_refused() {
        let named = server("smtp://me%40example.org@mail.example.org:587", true).unwrap();
        assert_eq!(named.user.as_deref(), Some("me@example.org"));
        assert_eq!(named.host, "mail.example.org");
        assert_eq!(server("smtp://mail.example.org", true).unwrap().user, None);
        assert!(server("http://mail.example.org", false).is_err());
        assert!(server("not a url", false).is_err());
    }

    #[test]
    fn the_message_is_plain_text_from_quill() {
        let summary = Summary {
            site: "Blog".into(),
            subject: "Blog: 1 comment waiting, 0 spam\r\nBcc: x@evil.example".into(),
            pending: 1,
            spam: 0,
            posts: Vec::new(),
            not_listed: 0,
            text: "New comments on Blog: 1 waiting for you.\n".into(),
        };
        let text = String::from_utf8(
            message("quill@localhost", "me@example.org", &summary)
                .unwrap()
                .formatted(),
        )
        .unwrap();
        assert!(text.contains("From: quill <quill@localhost>\r\n"), "{text}");
        assert!(text.contains("To: me@example.org\r\n"), "{text}");
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(text.contains("Message-ID: <"), "{text}");
        assert!(text.contains("@localhost>\r\n"), "{text}");
        assert!(text.contains("1 waiting for you"), "{text}");
        assert!(message("not an address", "me@example.org", &summary).is_err());
    }
}
