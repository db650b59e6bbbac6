//! A small SMTP client: one plain-text message to one address, with `AUTH PLAIN` when a
//! password is given. It speaks SMTP without TLS, so it sends a password only to a server on
//! this machine (a local relay such as Postfix or an SSH tunnel); anywhere else, it refuses
//! before connecting rather than put the password on the wire in clear text.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::Summary;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// Mails `summary` to `to` through the server of an `smtp://user@host:port` URL.
pub(super) fn send(
    server: &str,
    password: Option<&str>,
    from: &str,
    to: &str,
    summary: &Summary,
) -> Result<()> {
    let url = url::Url::parse(server).map_err(|_| anyhow!("[notify] smtp is not a URL"))?;
    let host = url
        .host_str()
        .ok_or_else(|| anyhow!("[notify] smtp names no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port().unwrap_or(25);
    let user = percent_encoding::percent_decode_str(url.username())
        .decode_utf8_lossy()
        .into_owned();
    let login = match password {
        Some(password) if !user.is_empty() => Some((user.as_str(), password)),
        _ => None,
    };
    let addrs: Vec<_> = (host.as_str(), port)
        .to_socket_addrs()
        .with_context(|| format!("could not resolve {host}"))?
        .collect();
    if login.is_some() && !addrs.iter().all(|a| a.ip().is_loopback()) {
        bail!(
            "{host} is not this machine, and quill's SMTP has no TLS: it sends the password only to a local relay (or use [notify] command)"
        );
    }
    let stream = addrs
        .iter()
        .find_map(|a| TcpStream::connect_timeout(a, CONNECT_TIMEOUT).ok())
        .ok_or_else(|| anyhow!("could not connect to {host}:{port}"))?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut session = Session {
        reader: BufReader::new(stream.try_clone()?),
        writer: stream,
        host: format!("{host}:{port}"),
    };
    session.expect(220, None)?;
    session.command("EHLO quill", 250)?;
    if let Some((user, password)) = login {
        let token = STANDARD.encode(format!("\0{user}\0{password}"));
        // Said without the token, so no error can carry the password.
        session.command_quietly(&format!("AUTH PLAIN {token}"), "AUTH PLAIN", 235)?;
    }
    session.command(&format!("MAIL FROM:<{}>", clean(from)), 250)?;
    session.command(&format!("RCPT TO:<{}>", clean(to)), 250)?;
    session.command("DATA", 354)?;
    session.data(&message(from, to, summary))?;
    session.expect(250, Some("the message"))?;
    let _ = session.command("QUIT", 221);
    Ok(())
}

struct Session {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    host: String,
}

impl Session {
    fn command(&mut self, line: &str, code: u16) -> Result<()> {
        self.command_quietly(line, line, code)
    }

    /// Sends `line`, naming it `said` in errors.
    fn command_quietly(&mut self, line: &str, said: &str, code: u16) -> Result<()> {
        self.writer
            .write_all(format!("{line}\r\n").as_bytes())
            .with_context(|| format!("{} closed the connection", self.host))?;
        self.expect(code, Some(said))
    }

    /// Reads a (possibly multi-line) reply and checks its code.
    fn expect(&mut self, code: u16, after: Option<&str>) -> Result<()> {
        let mut reply = String::new();
        loop {
            let mut line = String::new();
            let n = self
                .reader
                .read_line(&mut line)
                .with_context(|| format!("no answer from {}", self.host))?;
            if n == 0 {
                bail!("{} closed the connection", self.host);
            }
            reply.push_str(line.trim_end());
            if line.as_bytes().get(3) != Some(&b'-') {
                break;
            }
            reply.push(' ');
        }
        let got: u16 = reply.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0);
        if got != code {
            let what = after.map_or("the greeting".to_string(), |a| {
                format!("`{}`", a.split(':').next().unwrap_or(a))
            });
            bail!(
                "{} answered {what} with: {}",
                self.host,
                super::one_line(&reply, 200)
            );
        }
        Ok(())
    }

    /// Sends a message's text with CRLF line ends and dot-stuffing, then the end mark.
    fn data(&mut self, text: &str) -> Result<()> {
        let mut out = String::with_capacity(text.len() + 64);
        for line in text.lines() {
            if line.starts_with('.') {
                out.push('.');
            }
            out.push_str(line);
            out.push_str("\r\n");
        }
        out.push_str(".\r\n");
        self.writer
            .write_all(out.as_bytes())
            .with_context(|| format!("{} closed the connection", self.host))
    }
}

/// An address as it may go in a header or command: no line breaks, no angle brackets.
fn clean(address: &str) -> String {
    address
        .chars()
        .filter(|c| !c.is_control() && *c != '<' && *c != '>')
        .collect()
}

/// The message: headers (the subject encoded, so a site title cannot add a header) and text.
fn message(from: &str, to: &str, summary: &Summary) -> String {
    let now = chrono::Utc::now();
    format!(
        "From: quill <{from}>\nTo: <{to}>\nSubject: =?utf-8?B?{subject}?=\nDate: {date}\nMessage-ID: <{id}.{pid}@quill>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{text}",
        from = clean(from),
        to = clean(to),
        subject = STANDARD.encode(&summary.subject),
        date = now.to_rfc2822(),
        id = now.timestamp_nanos_opt().unwrap_or_default(),
        pid = std::process::id(),
        text = summary.text,
    )
}
