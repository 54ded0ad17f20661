//! Messages to people: the delivery of booking-core's outbox. Each due message is worded in its recipient's
//! language (`words`), sent by e-mail (`email`), and reported back to the core as sent or as a failed try, which
//! sets the next one further off (`delivery`); reminders are written to the outbox as they fall due. No Slint, no
//! web server, no GPIO.

pub mod delivery;
pub mod email;
pub mod words;

use email::Mailer;

/// How the kiosk reaches people, from `[notify]`.
#[derive(Debug)]
pub struct Channels {
    pub mailer: Mailer,
    /// How long before a booking its reminder goes; `None`: no reminders.
    pub remind_before: Option<chrono::Duration>,
}

impl Channels {
    /// The channels `[notify]` sets up, if any; a password file that cannot be read is an error now, not at the
    /// first message.
    pub fn from_config(notify: &firmware_config::NotifyConfig) -> Result<Option<Channels>, email::SetupError> {
        let Some(email) = &notify.email else { return Ok(None) };
        let hours = i64::from(notify.reminder_hours);
        Ok(Some(Channels {
            mailer: Mailer::new(email)?,
            remind_before: (hours > 0).then(|| chrono::Duration::hours(hours)),
        }))
    }
}
