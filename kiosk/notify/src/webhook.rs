//! Webhooks: each message posted to a web address — a chat room's incoming webhook, a push service, a program of the
//! hub's own. The body is documented in docs/messages.md; it is signed with HMAC-SHA256 when a secret is set, and
//! carries the message's stable key, so a receiver counts a retried message once.

use std::path::PathBuf;
use std::time::Duration;

use booking_core::{MessageFacts, Outgoing};
use firmware_config::WebhookConfig;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::email::SendError;
use crate::words::Letter;

/// How long the receiver has to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(15);
/// The header the signature travels in, as GitHub and many receivers expect it: `sha256=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";
/// The header with the message's stable key: the same on every try.
pub const MESSAGE_ID_HEADER: &str = "X-Hub-Message-Id";

/// Settings that cannot be used; the configuration check catches most of these first.
#[derive(Debug, thiserror::Error)]
pub enum WebhookSetupError {
    #[error("the webhook {name}'s secret cannot be read from {}: {source}", path.display())]
    Secret {
        name: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the webhook {name} cannot be used: {detail}")]
    Unusable { name: String, detail: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Text,
}

/// One configured webhook.
#[derive(Clone)]
pub struct Webhook {
    name: String,
    url: reqwest::Url,
    format: Format,
    secret: Option<Vec<u8>>,
    kinds: Option<Vec<String>>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook({} at {})", self.name, self.url.host_str().unwrap_or("?"))
    }
}

/// What a `json` webhook receives (documented in docs/messages.md). Never an address, never a pass.
#[derive(Debug, Serialize)]
pub struct Body<'a> {
    /// The message's stable key: the same on every try.
    pub id: &'a str,
    pub kind: &'a str,
    pub hub: &'a str,
    /// Who the message is for (their name).
    pub to: &'a str,
    pub language: &'a str,
    /// One line for a chat room or a phone's notification: who it is for, and what happened.
    pub text: String,
    pub subject: &'a str,
    /// The whole message, as the e-mail says it.
    pub body: &'a str,
    /// What happened, as facts (times in UTC); a booking's pass is left out.
    pub facts: MessageFacts,
}

impl Webhook {
    /// A webhook for one `[[notify.webhook]]` (reads the secret file now, so a bad one is reported at start).
    pub fn new(config: &WebhookConfig) -> Result<Webhook, WebhookSetupError> {
        let name = config.name.trim().to_owned();
        let unusable = |detail: String| WebhookSetupError::Unusable { name: name.clone(), detail };
        let url = reqwest::Url::parse(config.url.trim()).map_err(|error| unusable(error.to_string()))?;
        let secret = match &config.secret_file {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| WebhookSetupError::Secret {
                    name: name.clone(),
                    path: path.clone(),
                    source,
                })?;
                Some(text.trim().as_bytes().to_vec())
            }
        };
        let client = reqwest::Client::builder()
            .timeout(ANSWER_WITHIN)
            .user_agent(concat!("hub-kiosk/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| unusable(error.to_string()))?;
        let format = if config.format == "text" { Format::Text } else { Format::Json };
        Ok(Webhook { name, url, format, secret, kinds: config.kinds.clone(), client })
    }

    /// The channel's name in the outbox's record of where a message went.
    pub fn channel(&self) -> String {
        format!("webhook:{}", self.name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether messages of `kind` go here.
    pub fn wants(&self, kind: &str) -> bool {
        self.kinds.as_ref().is_none_or(|kinds| kinds.iter().any(|wanted| wanted == kind))
    }

    /// Posts `message`, worded as `letter` in `language`, from the hub called `hub`.
    pub async fn send(&self, message: &Outgoing, letter: &Letter, language: &str, hub: &str) -> Result<(), SendError> {
        let text = format!("{}: {}", message.name, letter.subject);
        let (payload, content_type) = match self.format {
            Format::Text => (text.into_bytes(), "text/plain; charset=utf-8"),
            Format::Json => {
                let body = Body {
                    id: &message.key,
                    kind: message.kind(),
                    hub,
                    to: &message.name,
                    language,
                    text,
                    subject: &letter.subject,
                    body: &letter.body,
                    facts: without_pass(&message.facts),
                };
                let json = serde_json::to_vec(&body).map_err(|error| SendError(error.to_string()))?;
                (json, "application/json")
            }
        };
        self.post(payload, content_type, &message.key, message.kind(), hub).await
    }

    /// Posts a test line now (`kiosk notify test --webhook NAME`).
    pub async fn send_test(&self, hub: &str) -> Result<(), SendError> {
        let line = format!("{hub}: a test message from the kiosk. If you can read it, the kiosk can post here.");
        let (payload, content_type) = match self.format {
            Format::Text => (line.into_bytes(), "text/plain; charset=utf-8"),
            Format::Json => {
                let json = serde_json::json!({ "id": "test", "kind": "test", "hub": hub, "text": line });
                (json.to_string().into_bytes(), "application/json")
            }
        };
        self.post(payload, content_type, "test", "test", hub).await
    }

    async fn post(
        &self,
        payload: Vec<u8>,
        content_type: &str,
        key: &str,
        kind: &str,
        hub: &str,
    ) -> Result<(), SendError> {
        let mut request = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(MESSAGE_ID_HEADER, key)
            .header("X-Hub-Event", kind)
            // ntfy shows this as the notification's title; other receivers ignore it.
            .header("Title", hub);
        if let Some(secret) = &self.secret {
            request = request.header(SIGNATURE_HEADER, signature(secret, &payload));
        }
        match request.body(payload).send().await {
            Ok(answer) if answer.status().is_success() => Ok(()),
            Ok(answer) => {
                let status = answer.status();
                let permanent = status.is_client_error() && status != reqwest::StatusCode::TOO_MANY_REQUESTS;
                let said: String = answer.text().await.unwrap_or_default().chars().take(200).collect();
                let said = said.trim();
                Err(SendError(if permanent {
                    format!("The webhook {} refused the message (HTTP {status}): {said}", self.name)
                } else {
                    format!(
                        "The webhook {} cannot take the message just now (HTTP {status}); it will be tried again.",
                        self.name
                    )
                }))
            }
            Err(error) => Err(SendError(self.plain(&error))),
        }
    }

    /// What went wrong, in words an installer can act on.
    fn plain(&self, error: &reqwest::Error) -> String {
        let host = self.url.host_str().unwrap_or("?");
        let mut chain = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            chain += &format!(": {cause}");
            source = cause.source();
        }
        if error.is_timeout() {
            format!("The webhook {} at {host} did not answer in time.", self.name)
        } else if chain.contains("dns error") || chain.contains("failed to lookup") || chain.contains("Name or service")
        {
            format!("The webhook {}'s server name {host} was not found: check its url.", self.name)
        } else if chain.contains("certificate")
            || chain.contains("tls")
            || chain.contains("TLS")
            || chain.contains("handshake")
        {
            format!("A secure (TLS) connection to the webhook {} at {host} could not be made ({chain}).", self.name)
        } else if chain.contains("Connection refused") {
            format!("Nothing answers at the webhook {}'s address {}: is the receiver running?", self.name, self.url)
        } else {
            format!("Could not post to the webhook {} at {host}: {chain}.", self.name)
        }
    }
}

/// `sha256=` and the HMAC-SHA256 of `payload` under `secret`, in lowercase hex.
pub fn signature(secret: &[u8], payload: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(payload);
    format!("sha256={}", data_encoding::HEXLOWER.encode(&mac.finalize().into_bytes()))
}

/// The facts as a webhook may carry them: a pass is a key to the door, so it stays in the person's own e-mail.
fn without_pass(facts: &MessageFacts) -> MessageFacts {
    match facts.clone() {
        MessageFacts::Booked { event, what, place, start, end, waiting_position, .. } => {
            MessageFacts::Booked { event, what, place, start, end, waiting_position, pass: None }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_githubs_hmac_sha256_in_hex() {
        // RFC 4231 test case 2.
        let signed = signature(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(signed, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
