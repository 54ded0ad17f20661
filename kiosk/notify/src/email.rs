//! E-mail through the hub's SMTP server (lettre: STARTTLS or TLS with rustls, a login if the server asks). A
//! message's Message-ID comes from its outbox key, so a message tried twice is recognisably the same message.
//! Every failure is a plain sentence an installer can act on.

use std::error::Error as _;
use std::path::PathBuf;
use std::time::Duration;

use firmware_config::EmailConfig;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::words::Letter;

/// How long the server has to answer each step.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);

/// Settings that cannot be used; the configuration check catches most of these first.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("the mail password cannot be read from {}: {source}", path.display())]
    Password {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the mail server's certificate authority cannot be read from {}: {detail}", path.display())]
    Certificate { path: PathBuf, detail: String },
    #[error("notify.email.from = \"{0}\" is not an address messages can come from")]
    From(String),
    #[error("the mail server {server} cannot be used: {detail}")]
    Server { server: String, detail: String },
}

/// What goes with a letter: the pass as a QR code (shown inline, below the text) and a calendar invitation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Enclosures {
    pub pass_png: Option<Vec<u8>>,
    pub invitation: Option<String>,
}

/// A message that did not go, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

/// Sends e-mail through one configured server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    server: String,
    port: u16,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mailer({} port {}, from {})", self.server, self.port, self.from)
    }
}

impl Mailer {
    /// A mailer for `[notify.email]` (reads the password file now, so a bad one is reported at start).
    pub fn new(config: &EmailConfig) -> Result<Mailer, SetupError> {
        let from: Mailbox = config.from.parse().map_err(|_| SetupError::From(config.from.clone()))?;
        let server = config.server.trim().to_owned();
        let unusable = |error: lettre::transport::smtp::Error| SetupError::Server {
            server: server.clone(),
            detail: error.to_string(),
        };
        let builder = match config.security.as_str() {
            "tls" => AsyncSmtpTransport::<Tokio1Executor>::relay(&server).map_err(unusable)?,
            "none" => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server),
            _ => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&server).map_err(unusable)?,
        };
        let mut builder = builder.port(config.port()).timeout(Some(ANSWER_WITHIN));
        if let (Some(path), "tls" | "starttls") = (&config.certificate_file, config.security.as_str()) {
            let unreadable = |detail: String| SetupError::Certificate { path: path.clone(), detail };
            let pem = std::fs::read(path).map_err(|error| unreadable(error.to_string()))?;
            let authority = Certificate::from_pem(&pem).map_err(|error| unreadable(error.to_string()))?;
            let parameters = TlsParameters::builder(server.clone())
                .add_root_certificate(authority)
                .build()
                .map_err(|error| unreadable(error.to_string()))?;
            builder = builder.tls(if config.security == "tls" {
                Tls::Wrapper(parameters)
            } else {
                Tls::Required(parameters)
            });
        }
        if let (Some(username), Some(path)) = (&config.username, &config.password_file) {
            let password =
                std::fs::read_to_string(path).map_err(|source| SetupError::Password { path: path.clone(), source })?;
            builder = builder.credentials(Credentials::new(username.clone(), password.trim_end().to_owned()));
        }
        Ok(Mailer { transport: builder.build(), from, server, port: config.port() })
    }

    /// The address messages come from (a calendar invitation's organiser).
    pub fn from_address(&self) -> String {
        self.from.email.to_string()
    }

    /// Sends `letter` with its `enclosures` to `name` at `address`; `key` is the message's stable outbox key.
    pub async fn send(
        &self,
        name: &str,
        address: &str,
        key: &str,
        letter: &Letter,
        enclosures: &Enclosures,
    ) -> Result<(), SendError> {
        let to = Mailbox::new(
            Some(name.to_owned()),
            address.parse().map_err(|_| {
                SendError(format!("\"{address}\" is not an e-mail address, so the message cannot be sent"))
            })?,
        );
        let domain = self.from.email.domain();
        let builder = Message::builder()
            .message_id(Some(format!("<{key}@{domain}>")))
            .from(self.from.clone())
            .to(to)
            .subject(&letter.subject);
        let made = if enclosures == &Enclosures::default() {
            builder.header(ContentType::TEXT_PLAIN).body(letter.body.clone())
        } else {
            let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(letter.body.clone()));
            if let Some(png) = &enclosures.pass_png {
                let png_type = ContentType::parse("image/png").expect("a valid content type");
                parts = parts.singlepart(Attachment::new_inline("pass".into()).body(png.clone(), png_type));
            }
            if let Some(ics) = &enclosures.invitation {
                let calendar =
                    ContentType::parse("text/calendar; charset=utf-8; method=REQUEST").expect("a valid type");
                parts = parts.singlepart(Attachment::new("invitation.ics".into()).body(ics.clone(), calendar));
            }
            builder.multipart(parts)
        };
        let message = made.map_err(|error| SendError(format!("the message could not be made: {error}")))?;
        self.transport.send(message).await.map(drop).map_err(|error| SendError(self.plain(&error)))
    }

    /// What went wrong, in words an installer can act on.
    fn plain(&self, error: &lettre::transport::smtp::Error) -> String {
        let (server, port) = (&self.server, self.port);
        let mut io_kind = None;
        let mut source = error.source();
        while let Some(cause) = source {
            if let Some(io) = cause.downcast_ref::<std::io::Error>() {
                io_kind = Some(io.kind());
            }
            source = cause.source();
        }
        let text = error.to_string();
        // rustls's own failures (an unknown issuer, a plain-text answer to a TLS hello) may arrive as connection
        // errors: they still mean the secure connection could not be made.
        let secure = error.is_tls()
            || ["certificate", "corrupt message", "handshake", "UnknownIssuer", "InvalidContentType"]
                .iter()
                .any(|sign| text.contains(sign));
        if error.is_timeout() {
            format!("The mail server {server} did not answer in time.")
        } else if secure {
            format!(
                "A secure (TLS) connection to {server} port {port} could not be made: check notify.email.security \
                 and the port ({text})."
            )
        } else if let Some(code) = error.status() {
            let code = code.to_string();
            if code == "535" || code == "534" || code == "530" {
                format!(
                    "The mail server {server} refused the login: check notify.email.username and the password file."
                )
            } else if error.is_permanent() {
                format!("The mail server {server} refused the message ({text}).")
            } else {
                format!("The mail server {server} cannot take the message just now ({text}); it will be tried again.")
            }
        } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
            format!("Nothing answers at {server} port {port}: is the mail server running, and is the port right?")
        } else if text.contains("lookup") || text.contains("resolve") || text.contains("Name or service") {
            format!("The mail server's name {server} was not found: check notify.email.server.")
        } else {
            format!("Could not send through {server} port {port}: {text}.")
        }
    }
}
