//! Messages to people: the delivery of booking-core's outbox. Each due message is worded in its recipient's
//! language (`words`), sent by e-mail (`email`) and posted to the webhooks that want it (`webhook`), and reported
//! back to the core as sent or as a failed try, which sets the next one further off (`delivery`); reminders are
//! written to the outbox as they fall due. No Slint, no web server, no GPIO.

pub mod delivery;
pub mod email;
pub mod webhook;
pub mod words;

use email::Mailer;
use webhook::Webhook;

/// How the kiosk reaches people, from `[notify]`.
#[derive(Debug)]
pub struct Channels {
    pub mailer: Option<Mailer>,
    pub webhooks: Vec<Webhook>,
    /// How long before a booking its reminder goes; `None`: no reminders.
    pub remind_before: Option<chrono::Duration>,
}

/// A channel that cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Email(#[from] email::SetupError),
    #[error(transparent)]
    Webhook(#[from] webhook::WebhookSetupError),
}

impl Channels {
    /// The channels `[notify]` sets up, if any; a password or secret file that cannot be read is an error now, not
    /// at the first message.
    pub fn from_config(notify: &firmware_config::NotifyConfig) -> Result<Option<Channels>, SetupError> {
        let mailer = notify.email.as_ref().map(Mailer::new).transpose()?;
        let webhooks = notify.webhook.iter().map(Webhook::new).collect::<Result<Vec<_>, _>>()?;
        if mailer.is_none() && webhooks.is_empty() {
            return Ok(None);
        }
        let hours = i64::from(notify.reminder_hours);
        Ok(Some(Channels { mailer, webhooks, remind_before: (hours > 0).then(|| chrono::Duration::hours(hours)) }))
    }

    /// The channels, in words for the log.
    pub fn describe(&self) -> String {
        let mut ways: Vec<String> = self.mailer.iter().map(|mailer| format!("e-mail through {mailer:?}")).collect();
        ways.extend(self.webhooks.iter().map(|webhook| format!("{webhook:?}")));
        ways.join(", ")
    }
}
